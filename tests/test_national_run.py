"""The national run: one task per province, the same results on every engine (issue 17)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoplan import national
from geoplan.cli import main
from geoplan.errors import ConfigError, InputError
from geoplan.models import pair_reach_m
from geoplan.outputs.national_map import national_features

#: Three small, rural provinces with large units: quick on a 1 km grid.
SMALL = ["11", "12", "04"]
CELL_M = 1000.0


@pytest.fixture(scope="module")
def sequential() -> national.NationalCoverage:
    return national.national_coverage(
        SMALL, engine="sequential", cell_size_m=CELL_M, model="radius"
    )


def _same(a: national.NationalCoverage, b: national.NationalCoverage) -> None:
    drop = ["seconds", "peak_memory_bytes"]
    pd.testing.assert_frame_equal(a.provinces.drop(columns=drop), b.provinces.drop(columns=drop))
    pd.testing.assert_frame_equal(a.units, b.units)


def test_sequential_run_adds_up(sequential) -> None:
    table = sequential.provinces
    assert list(table["code"]) == sorted(SMALL)
    official = {p.code: p.population for p in national.provinces(SMALL)}
    assert dict(zip(table["code"], table["population"], strict=True)) == official
    # every province is scaled to its official population: factor = official / WorldPop
    ratio = table["population_on_grid"] / table["worldpop_on_grid"]
    assert ratio.to_numpy() == pytest.approx(table["scale_factor"].to_numpy())
    assert len(sequential.units) == sum(p.n_units for p in national.provinces(SMALL))
    by_province = sequential.units.groupby("province_code")["covered_population"].sum()
    assert by_province.to_numpy() == pytest.approx(table["covered_population"].to_numpy())
    totals = sequential.totals()
    assert totals["covered_share"] == pytest.approx(
        table["covered_population"].sum() / table["population"].sum(), abs=1e-6
    )
    assert 0 < totals["worldpop_covered_share"] < 1
    assert table["stations_synthetic"].all()


@pytest.mark.slow
def test_parallel_engines_give_the_sequential_results(sequential) -> None:
    """Two spawned workers (about 15 s to start and import on the reference machine),
    and a Dask LocalCluster on 127.0.0.1 when dask.distributed is installed."""
    pooled = national.national_coverage(
        SMALL, engine="processes", cell_size_m=CELL_M, n_workers=2, model="radius"
    )
    assert pooled.engine == "processes" and pooled.workers == 2
    _same(sequential, pooled)
    if national.dask_available():
        on_dask = national.national_coverage(
            SMALL, engine="dask", cell_size_m=CELL_M, n_workers=2, model="radius"
        )
        assert on_dask.engine == "dask"
        _same(sequential, on_dask)


def test_engine_choice_without_dask(monkeypatch) -> None:
    monkeypatch.setattr(national, "dask_available", lambda: False)
    assert national.resolve_engine("auto") == "processes"
    with pytest.raises(InputError, match=r"needs dask\.distributed"):
        national.resolve_engine("auto", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(InputError, match=r"needs dask\.distributed"):
        national.resolve_engine("dask")
    with pytest.raises(ConfigError, match="--engine 'spark'"):
        national.resolve_engine("spark")


def test_default_workers_fit_memory(monkeypatch) -> None:
    monkeypatch.setattr(national, "available_memory_bytes", lambda: 7.0 * 2**30)
    assert national.default_workers() == min(2, __import__("os").cpu_count() or 1)
    assert national.default_memory_limit(2) == pytest.approx(min(3 * 2**30, 0.8 * 3.5 * 2**30))


def test_cli_national_coverage_json_and_csv(tmp_path: Path, capsys) -> None:
    code = main(
        [
            "national",
            "coverage",
            "--provinces",
            "lai chau",
            "11",
            "--engine",
            "sequential",
            "--cell-size-m",
            "1000",
            "--out",
            str(tmp_path),
            "--json",
            "--model",
            "radius",
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert [p["code"] for p in payload["provinces"]] == ["11", "12"]
    assert payload["national"]["units"] == len(payload["units"]) == 45 + 38
    assert payload["national"]["population_official"] == 673_091 + 512_601
    assert "official" in payload["scaling"] and payload["stations_synthetic"]
    table = pd.read_csv(
        tmp_path / national.CSV_FILES["provinces"], encoding="utf-8-sig", dtype={"code": str}
    )
    assert list(table["code"]) == ["11", "12"]
    # the real run's tables feed the national outputs: every unit is on the map
    html = national.output_paths(tmp_path)["map"].read_text(encoding="utf-8")
    data = national_features(html)
    assert [p["code"] for p in data["provinces"]] == ["11", "12"]
    assert {k: len(v) for k, v in data["units"].items()} == {"11": 45, "12": 38}


def test_cli_national_table_text(tmp_path: Path, capsys) -> None:
    code = main(
        [
            "national",
            "coverage",
            "--provinces",
            "12",
            "--engine",
            "sequential",
            "--cell-size-m",
            "1000",
            "--out",
            str(tmp_path),
            "--model",
            "radius",
            "--no-outputs",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "Lai Châu" in out and "Vietnam:" in out and "synthetic" in out


def test_cli_unknown_province_one_line(capsys) -> None:
    code = main(["coverage", "--province", "thai nguen", "--model", "radius"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Thái Nguyên (19)" in err and len(err.splitlines()) == 1


def test_cli_coverage_of_a_province_says_how_it_was_computed(capsys) -> None:
    code = main(["coverage", "--province", "12", "--model", "radius", "--cell-size-m", "1000"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Lai Châu (12)" in out and "EPSG:32648" in out and "official population" in out
    assert "synthetic" in out


def test_cli_national_provinces_lists_34(capsys) -> None:
    assert main(["national", "provinces"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 34 and lines[0].startswith("01  Hà Nội")


def test_dask_logs_are_quiet_unless_verbose() -> None:
    pytest.importorskip("distributed")  # its import sets the levels restored after
    scheduler = logging.getLogger("distributed.scheduler")
    before = scheduler.getEffectiveLevel()
    with national._dask_logs(verbose=False) as level:
        assert level == logging.ERROR and not scheduler.isEnabledFor(logging.WARNING)
        assert not logging.getLogger("distributed.nanny").isEnabledFor(logging.INFO)
    assert scheduler.getEffectiveLevel() == before
    with national._dask_logs(verbose=True) as level:
        assert level == logging.INFO and scheduler.isEnabledFor(logging.INFO)


def test_a_province_in_tiles_gives_the_untiled_run() -> None:
    """Lai Châu forced into 3 tiles (more than 200,000 people a tile), on the radio model:
    each strip from only the sites within reach, added up unit by unit, is the untiled run."""
    args = dict(engine="sequential", cell_size_m=2 * CELL_M, model=national.NATIONAL_MODEL)
    whole = national.national_coverage(["12"], tile_population=None, **args)
    tiled = national.national_coverage(["12"], tile_population=200_000, **args)
    assert whole.provinces["n_tiles"].tolist() == [1] and tiled.provinces["n_tiles"].tolist() == [3]
    columns = ["population", "covered_population", "reliable_population", "covered_worldpop"]
    assert whole.units["covered_population"].sum() > 0
    for column in columns:
        assert tiled.units[column].to_numpy() == pytest.approx(whole.units[column].to_numpy(),
                                                               rel=1e-12, abs=1e-6)  # fmt: skip
    assert tiled.provinces[columns].to_numpy() == pytest.approx(whole.provinces[columns].to_numpy())
    for key in ("n_cells", "n_sites", "worldpop_population", "scale_factor"):
        assert tiled.provinces[key].tolist() == whole.provinces[key].tolist()
    # the strips partition the cells; each keeps every site that reaches one of its cells
    # (brute force over all site-cell distances) and leaves the others out
    tasks = national._tasks(
        ["12"], national.NATIONAL_MODEL, 2 * CELL_M, national.NATIONAL_SITES, 2e5
    )
    scenario, _ = national.province_scenario(tasks[0])
    cells, sites = scenario.grid.cells(), scenario.sites()
    reach = pair_reach_m(scenario.model(), sites)
    strips = [national.tile_of(cells, sites, reach, t.tile, t.n_tiles) for t in tasks]
    assert (np.sum([in_tile for in_tile, _ in strips], axis=0) == 1).all()
    for in_tile, near in strips:
        dx = cells.x_m[in_tile][None, :] - sites.x_m[:, None]
        dy = cells.y_m[in_tile][None, :] - sites.y_m[:, None]
        reaches = (np.hypot(dx, dy) <= reach[:, None]).any(axis=1)
        assert not (reaches & ~near).any() and near.sum() < len(sites)
