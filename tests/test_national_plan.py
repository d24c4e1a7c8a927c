"""The national synthetic network and the programme's allocation (issue 17, items 4 and 5)."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

import geoplan
from geoplan import national
from geoplan.cli import main
from geoplan.errors import GeoplanError, InputError
from geoplan.io.plan_folder import read_plan
from geoplan.optimize.greedy import lazy_greedy
from geoplan.outputs.national_map import national_features
from geoplan.outputs.paths import NATIONAL_FILES, NATIONAL_PLAN_FILES
from geoplan.scenario import load_plan_scenario
from geoplan.schema import NATIONAL_PLAN, NATIONAL_PROVINCES_DIR
from geoplan.synthetic import operator_site_counts, stations_like_bac_ninh

#: Three small, rural provinces on a 2 km grid with the radius model: seconds each.
SMALL = ["11", "12", "04"]
CELL_M, CURVE_SITES, SITES = 2000.0, 40, 30
RUN = ["--provinces", *SMALL, "--cell-size-m", "2000", "--model", "radius"]
TIMINGS = ["seconds", "peak_memory_bytes"]


@pytest.fixture(scope="module")
def curves() -> national.NationalCurves:
    return national.national_curves(
        SMALL, max_sites=CURVE_SITES, engine="sequential", cell_size_m=CELL_M, model="radius"
    )


def test_national_network_is_split_by_operator_then_by_people() -> None:
    counts = national.national_site_counts(16_737)
    people = {p.code: p.population for p in national.provinces()}
    assert len(counts) == 34 and sum(sum(c.values()) for c in counts.values()) == 16_737
    for operator, total in operator_site_counts(16_737).items():
        mine = np.array([counts[code][operator] for code in people])
        assert mine.sum() == total
        share = total * np.array(list(people.values())) / sum(people.values())
        assert np.abs(mine - share).max() < 1  # largest remainder: within one site
    assert national.national_site_counts(16_737) == counts  # deterministic
    smaller = national.national_site_counts(1_000)
    assert sum(sum(c.values()) for c in smaller.values()) == 1_000
    with pytest.raises(InputError, match="--sites -1"):
        national.national_site_counts(-1)


def test_a_provinces_sites_are_seeded_and_follow_bac_ninhs_rules() -> None:
    counts = national.national_site_counts(16_737)["12"]
    task = national.ProvinceTask(
        "12", "radius", CELL_M, str(national.units_path()), str(national.population_path()),
        tuple(counts.items()),
    )  # fmt: skip
    scenario, _ = national.province_scenario(task)
    again, _ = national.province_scenario(task)
    assert scenario.stations.to_csv() == again.stations.to_csv()  # same bytes
    assert scenario.stations_synthetic
    assert scenario.stations["operator"].value_counts().to_dict() == counts
    # per-operator counts in Bắc Ninh's split place exactly what the total does
    total = sum(counts.values())
    by_total = stations_like_bac_ninh(scenario.grid, total, scenario.config)
    by_operator = stations_like_bac_ninh(
        scenario.grid, operator_site_counts(total), scenario.config
    )
    assert by_total.to_csv() == by_operator.to_csv()


def _brute_force(curves: list[np.ndarray], n: int) -> float:
    """Best total over every split of at most ``n`` sites among three curves."""
    a, b, c = curves
    total = a[:, None, None] + b[None, :, None] + c[None, None, :]
    count = np.add.outer(np.add.outer(np.arange(a.size), np.arange(b.size)), np.arange(c.size))
    return float(total[count <= n].max())


def test_plan_is_optimal_and_adds_up(curves) -> None:
    plan = curves.allocate(SITES)
    table = plan.provinces
    assert list(table["code"]) == sorted(SMALL) and table["sites_new"].sum() == SITES
    assert plan.allocation.method == "merge" and plan.allocation.concave.all()
    assert plan.allocation.total_gain == pytest.approx(_brute_force(curves.curves, SITES))
    # sites table: each province's first sites of its greedy order, gains adding up
    by_province = plan.sites.groupby("province_code")
    assert by_province.size().reindex(table["code"]).tolist() == table["sites_new"].tolist()
    added = by_province["added_population"].sum().reindex(table["code"]).to_numpy()
    assert added == pytest.approx(table["added_population"].to_numpy())
    after = (table["reliable_population_before"] + table["added_population"]) / table["population"]
    assert table["reliable_share_after"].to_numpy() == pytest.approx(after.to_numpy())
    assert (table["cost_vnd"] == table["sites_new"] * 2.0e9).all()
    assert table["state_support_vnd"].to_numpy() == pytest.approx(
        0.15 * table["cost_vnd"].to_numpy()
    )
    per_operator = table[[f"sites_new_{op.lower()}" for op in national.OPERATORS]].sum(axis=1)
    assert (per_operator == table["sites_new"]).all()
    today = national.national_site_counts()
    assert table["n_sites_today"].tolist() == [sum(today[c].values()) for c in table["code"]]
    # the national curve: from today's share to the plan's, never falling
    t = plan.totals()
    shares = plan.curve["reliable_share"].to_numpy()
    assert len(shares) == SITES + 1 and (np.diff(shares) >= -1e-12).all()
    assert shares[0] == pytest.approx(t["reliable_share_before"], abs=1e-6)
    assert shares[-1] == pytest.approx(t["reliable_share_after"], abs=1e-6)


def test_budget_target_and_equity(curves) -> None:
    by_sites = curves.allocate(SITES)
    by_budget = curves.allocate(budget_vnd=SITES * 2.0e9 + 1.9e9)  # pays for 30, not 31
    assert (
        by_budget.mode == "budget"
        and (by_budget.allocation.sites == by_sites.allocation.sites).all()
    )
    goal = by_sites.totals()["reliable_share_after"] - 1e-4
    by_target = curves.allocate(target=goal)
    fewest = int(by_target.provinces["sites_new"].sum())
    assert by_target.totals()["reliable_share_after"] >= goal - 1e-9 and fewest <= SITES
    assert curves.allocate(fewest - 1).totals()["reliable_share_after"] < goal
    # equity: every province first to the floor (the fewest sites that reach it)
    floor = float(by_sites.provinces["reliable_share_before"].max()) + 0.01
    fair = curves.allocate(SITES, min_province_share=floor)
    table = fair.provinces
    assert (table["reliable_share_after"] >= floor - 1e-9).all() and not fair.below_floor()
    for row, curve in zip(table.itertuples(), curves.curves, strict=True):
        short = (row.reliable_population_before + curve[row.floor_sites - 1]) / row.population
        assert row.floor_sites == 0 or short < floor
    assert fair.allocation.total_gain <= by_sites.allocation.total_gain + 1e-6
    with pytest.raises(InputError, match=r"needs \d+ new sites"):
        curves.allocate(2, min_province_share=floor)


def test_cli_plan_writes_csv_and_one_json(curves, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(national, "national_curves", lambda *a, **k: curves)
    out = tmp_path / "plan"
    argv = ["national", "plan", *RUN, "--sites", str(SITES), "--out", str(out), "--no-outputs"]
    assert main([*argv, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == json.loads(
        json.dumps(curves.allocate(SITES).to_dict() | {"seconds": payload["seconds"]})
    )
    assert payload["national"]["sites_new"] == SITES and payload["stations_synthetic"]
    after = [p["reliable_share_after"] for p in payload["provinces"]]  # shares keep 6 digits
    assert after == pytest.approx(
        curves.allocate(SITES).provinces["reliable_share_after"], abs=1e-6
    )
    for kind, name in national.PLAN_CSV_FILES.items():
        frame = pd.read_csv(out / name, encoding="utf-8-sig", dtype={"code": str})
        assert len(frame) == {"provinces": 3, "sites": SITES, "curve": SITES + 1}[kind]
    assert main([*argv[:-3], "--out", str(out), "--no-outputs"]) == 2  # exists
    assert "--overwrite" in capsys.readouterr().err
    assert not (out / NATIONAL_PROVINCES_DIR).exists()  # --no-outputs: no plan folders


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "--sites", "-1"], "--sites -1"),
        (["plan", "--target", "1.5"], "--target 1.5"),
        (["plan", "--budget", "-5"], "--budget -5"),
        (["plan", "--min-province-share", "2"], "--min-province-share 2"),
        (["plan", "--provinces", "thai nguen"], "Thái Nguyên (19)"),
        (["plan", "--cell-size-m", "0"], "--cell-size-m 0"),
        (["coverage", "--sites", "-1"], "--sites -1"),
    ],
)
def test_cli_bad_input_is_one_line(argv, message, tmp_path: Path, capsys) -> None:
    code = main(["national", *argv, "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _same_plan(a: dict, b: dict) -> None:
    run = ("engine", "workers", "seconds", "notes")
    assert {k: v for k, v in a.items() if k not in run} == {
        k: v for k, v in b.items() if k not in run
    }


@pytest.mark.slow
def test_dask_gives_the_sequential_plan(curves, planned, tmp_path: Path, capsys) -> None:
    """A LocalCluster, then a separately started ``dask scheduler`` and ``dask worker``
    on 127.0.0.1 (about a minute on the shared 2-core machine); the coverage pass after
    the plan too."""
    dask_cli = Path(sys.executable).with_name("dask")
    if not national.dask_available() or not dask_cli.exists():
        pytest.skip("dask.distributed is not installed")
    import distributed

    sequential = curves.allocate(SITES).to_dict()
    local = national.national_curves(
        SMALL, max_sites=CURVE_SITES, engine="dask", cell_size_m=CELL_M, model="radius",
        n_workers=2,
    )  # fmt: skip
    assert local.engine == "dask"
    _same_plan(sequential, local.allocate(SITES).to_dict())
    after = local.allocate(SITES).with_expected_after(engine="dask", n_workers=2)
    _same_plan(planned.to_dict(), after.to_dict())
    pd.testing.assert_frame_equal(after.units, planned.units)
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = os.environ | {"PYTHONPATH": str(Path(geoplan.__file__).parents[1])}
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    port = address.rsplit(":", 1)[1]
    started = [subprocess.Popen([str(dask_cli), "scheduler", "--host", "127.0.0.1", "--port",
                                 port, "--no-dashboard"], **quiet)]  # fmt: skip
    try:
        started.append(
            subprocess.Popen(
                [
                    str(dask_cli),
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                **quiet,
            )
        )
        deadline = time.monotonic() + 60
        while True:  # the scheduler takes a moment to listen
            try:
                with distributed.Client(address, timeout="5s") as client:
                    client.wait_for_workers(1, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        argv = [
            *("national", "plan", *RUN, "--sites", str(SITES), "--curve-sites"),
            *(str(CURVE_SITES), "--scheduler", address, "--out", str(tmp_path), "--json"),
        ]
        assert main(argv) == 0
        remote = json.loads(capsys.readouterr().out)
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert remote["engine"] == "dask"
    _same_plan(json.loads(json.dumps(planned.to_dict())), remote)  # with the pass after
    assert len(list((tmp_path / NATIONAL_PROVINCES_DIR).iterdir())) == 3
    written = pd.read_csv(
        tmp_path / national.PLAN_CSV_FILES["sites"], encoding="utf-8-sig",
        dtype={"province_code": str, "candidate_id": str},
    )  # fmt: skip
    pd.testing.assert_frame_equal(written, curves.allocate(SITES).sites, check_dtype=False)


# --- the plan in the national outputs, and a plan folder per province ------------------
@pytest.fixture(scope="module")
def planned(curves) -> national.NationalPlan:
    """The three provinces' plan with its coverage pass after (sequential)."""
    return curves.allocate(SITES).with_expected_after(engine="sequential")


@settings(max_examples=60)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.booleans(), min_size=9, max_size=9), min_size=n, max_size=n),
            st.lists(st.integers(1, 50), min_size=9, max_size=9),
            st.lists(st.integers(0, 2), min_size=9, max_size=9),
        )
    )
)
def test_gains_by_commune_split_each_greedy_gain_by_commune(case) -> None:
    rows, people, commune = case
    weights, commune = np.array(people, float), np.array(commune)
    cover = sparse.csr_matrix(np.array(rows, dtype=bool))
    run = lazy_greedy(weights, cover, k=len(rows))
    split = national.gains_by_commune(weights, commune, cover, run.selected)
    # oracle: build the sites one by one, counting who each newly covers, by commune
    covered, expected = np.zeros(weights.size, bool), {}
    for rank, site in enumerate(run.selected, start=1):
        new = np.array(rows[site]) & ~covered
        covered |= new
        for c in np.unique(commune[new]):
            expected[(rank, int(c))] = float(weights[new & (commune == c)].sum())
    got = dict(zip(zip(split["rank"], split["commune"], strict=True), split["people"], strict=True))
    assert got == expected
    by_rank = np.bincount(np.array(split["rank"], int), split["people"], len(run.selected) + 1)
    assert by_rank[1:] == pytest.approx(run.gains)


def test_plan_units_add_up_to_the_provinces(planned) -> None:
    plan, units = NATIONAL_PLAN, planned.units
    sums = units.groupby("province_code")[[plan.sites_new, plan.people_after, "population"]].sum()
    table = planned.provinces.set_index("code")
    assert (sums[plan.sites_new] == table[plan.sites_new]).all()
    assert sums[plan.people_after].to_numpy() == pytest.approx(table[plan.people_after].to_numpy())
    assert sums["population"].to_numpy() == pytest.approx(table["population"].to_numpy())
    assert (units[plan.people_after] >= units[plan.people_before] - 1e-9).all()
    assert (units[plan.cost] == units[plan.sites_new] * 2.0e9).all()
    # radius model: covered is 0 or 1, so the pass's expected people after are the curves'
    assert table[plan.expected_after].to_numpy() == pytest.approx(
        table[plan.people_after].to_numpy(), rel=1e-9
    )
    assert units[plan.expected_after].to_numpy() == pytest.approx(
        units[plan.people_after].to_numpy(), rel=1e-9, abs=1e-6
    )
    assert not any("coverage pass" in note for note in planned.notes)


def test_province_plan_is_the_curves_prefix_with_phases(curves) -> None:
    row, n = curves.rows[0], 30  # 30 sites of a 40-site curve: phases of 25 and 5
    plan = national.province_plan(row, n, float("nan"), 0.15)
    sites, s = plan.new_sites, plan.summary
    assert (
        list(sites["order"]) == list(range(1, n + 1)) and list(sites["phase"]) == [1] * 25 + [2] * 5
    )
    assert list(sites["site_id"]) == [site["candidate_id"] for site in row["sites"][:n]]
    assert plan.phases["n_sites"].tolist() == [25, 5]
    total, before = row["plan"]["population_total"], row["province"]["reliable_population_before"]
    gains = np.array(row["gains"])
    assert plan.curve["covered_share"].to_numpy() == pytest.approx(
        (before + np.concatenate([[0], np.cumsum(gains[:n])])) / total
    )
    assert s.achieved_share == pytest.approx((before + gains[:n].sum()) / total, abs=1e-6)
    # each commune after: its people before plus what the first 30 sites add in it
    people = plan.communes["population"].to_numpy(float)
    added = plan.communes["covered_population_after"] - plan.communes["covered_population_before"]
    assert added.sum() == pytest.approx(gains[:n].sum(), abs=len(people))  # whole people
    shares = plan.commune_phases
    assert shares["after_phase_2"].tolist() == plan.communes["covered_share_after"].tolist()
    assert (shares["after_phase_1"] * people).sum() == pytest.approx(
        before + gains[:25].sum(), abs=1e-5 * total
    )
    assert s.bound >= s.achieved_share and 0 <= s.gap < 1 - 1 / np.e + 1e-9
    assert s.net_cost_vnd == round(0.85 * n * 2.0e9) and s.stations_synthetic


def test_plan_folders_read_back_as_the_provinces_scenario(planned, tmp_path: Path) -> None:
    folders = planned.write_province_folders(tmp_path)
    assert {p.name for p in folders.values()} == {"04_cao-bang", "11_dien-bien", "12_lai-chau"}
    code = "12"
    plan = read_plan(folders[code])
    fresh = planned.province_plans()[code]
    assert plan.new_sites["site_id"].tolist() == fresh.new_sites["site_id"].tolist()
    pd.testing.assert_frame_equal(plan.communes, fresh.communes, check_dtype=False)
    row = planned.provinces.set_index("code").loc[code]
    total = planned.after[code]["covered_population"]
    assert plan.summary.achieved_expected_share == pytest.approx(
        total / (row["population"]), abs=1e-6
    )  # no offshore unit in Lai Châu
    # the plan's scenario is the national task's: same units, sites and settings
    loaded = load_plan_scenario(plan)
    task = national._tasks([code], "radius", CELL_M, national.NATIONAL_SITES)[0]
    scenario, _ = national.province_scenario(task)
    assert loaded.province == code and loaded.stations.to_csv() == scenario.stations.to_csv()
    assert loaded.config == scenario.config
    with pytest.raises(InputError, match="generated, no file"):
        load_plan_scenario(plan, stations=national.units_path())
    with pytest.raises(GeoplanError, match="--overwrite"):
        planned.write_province_folders(tmp_path)
    with pytest.raises(GeoplanError, match="with_expected_after"):
        dataclasses.replace(planned, after={}).write_province_folders(tmp_path / "again")


def test_cli_plan_writes_outputs_and_folders_that_map_reads(
    planned, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(national, "national_plan", lambda *a, **k: planned)
    out = tmp_path / "plan"
    argv = ["national", "plan", *RUN, "--sites", str(SITES), "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    for name in NATIONAL_PLAN_FILES.values():
        assert (out / name).stat().st_size > 0 and name in printed
    assert not any((out / name).exists() for name in NATIONAL_FILES.values())
    ranking = pd.read_csv(out / NATIONAL_PLAN_FILES["csv_provinces"], encoding="utf-8-sig",
                          dtype={"code": str}).set_index("code")  # fmt: skip
    table = planned.provinces.set_index("code")
    ranking = ranking.reindex(table.index)
    assert (ranking[NATIONAL_PLAN.sites_new] == table[NATIONAL_PLAN.sites_new]).all()
    assert ranking[NATIONAL_PLAN.share_after].to_numpy() == pytest.approx(
        table[NATIONAL_PLAN.share_after].to_numpy(), abs=5e-5
    )
    html = (out / NATIONAL_PLAN_FILES["map"]).read_text(encoding="utf-8")
    assert [p["clsAfter"] for p in national_features(html)["provinces"]] == [
        int(np.searchsorted([0.2, 0.4, 0.6, 0.8], v, side="right"))
        for v in table[NATIONAL_PLAN.share_after]
    ]
    folder = out / NATIONAL_PROVINCES_DIR / "12_lai-chau"
    assert f"--plan {out / NATIONAL_PROVINCES_DIR}" in printed
    assert (
        main(["map", "--province", "12", "--plan", str(folder), "--out", str(tmp_path / "m.html")])
        == 0
    )
    assert (tmp_path / "m.html").stat().st_size > 0
    capsys.readouterr()
    assert (
        main(["map", "--province", "19", "--plan", str(folder), "--out", str(tmp_path / "n.html")])
        == 2
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "province 12" in err
    # a second run refuses before any province is computed
    monkeypatch.setattr(national, "national_plan", lambda *a, **k: pytest.fail("computed"))
    assert main(argv) == 2 and "--overwrite" in capsys.readouterr().err
