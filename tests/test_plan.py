"""Candidates, the geospatial adapter and ``geoplan plan`` on the tiny fixtures."""

from __future__ import annotations

import json
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geoplan.candidates import (
    build_candidates,
    candidate_coverage,
    grid_candidates,
    read_candidates,
)
from geoplan.cli import main
from geoplan.errors import FormatError, SolverError
from geoplan.grid import subset_cells
from geoplan.models import RadiusModel
from geoplan.scenario import load_scenario
from geoplan.schema import NEW_SITES

NEW_SITE_COLUMNS = list(NEW_SITES.columns)  # the plan-folder contract, from the schema


@pytest.fixture
def tiny_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config):
    config = replace(tiny_config, candidate_clusters=8, candidate_min_population=1.0)
    return load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, config)


@pytest.fixture(autouse=True)
def tiny_cli_config(monkeypatch, tiny_config):
    """The command line reads the tiny radii (the default ones cover the tiny province)."""
    monkeypatch.setattr("geoplan.cli.app._config", lambda args: tiny_config)


def plan_args(tiny_communes_file, tiny_raster_file, tiny_stations_file, out) -> list[str]:
    return [
        "plan", "--boundaries", str(tiny_communes_file), "--population", str(tiny_raster_file),
        "--stations", str(tiny_stations_file), "--drop-outside", "--out", str(out),
    ]  # fmt: skip


def test_grid_candidates_sit_among_uncovered_people(tiny_scenario) -> None:
    baseline = tiny_scenario.coverage()
    demand = subset_cells(baseline.cells, ~baseline.covered)
    xy = grid_candidates(demand, 300.0, 1.0)
    assert len(xy) > 0
    # every candidate is within one grid square of some demand cell
    nearest = np.min(np.hypot(xy[:, None, 0] - demand.x_m, xy[:, None, 1] - demand.y_m), axis=1)
    assert (nearest <= 300.0 * np.sqrt(2)).all()


def test_candidate_matrix_is_the_model_matrix(tiny_scenario) -> None:
    model = RadiusModel(tiny_scenario.config)
    baseline = tiny_scenario.coverage(model)
    demand = subset_cells(baseline.cells, ~baseline.covered)
    candidates = build_candidates(tiny_scenario.grid, demand, model, tiny_scenario.config)
    chunked = candidate_coverage(model, candidates.sites, demand, chunk_size=3)
    whole = model.coverage_matrix(candidates.sites, demand)
    assert chunked.shape == (len(candidates), len(demand))
    assert (chunked != whole).nnz == 0
    assert set(candidates.frame["source"]) == {"grid", "cluster"}
    assert candidates.frame["candidate_id"].is_unique


def test_read_candidates_defaults_and_errors(tmp_path) -> None:
    good = tmp_path / "towers.csv"
    good.write_text("candidate_id,lon,lat,cost_vnd\nT1,106.1,21.1,\nT2,106.2,21.2,5e8\n")
    table = read_candidates(good)
    assert table["kind"].tolist() == ["upgrade", "upgrade"]
    assert table["cost_vnd"].tolist() == [1.2e9, 5e8]
    bad = tmp_path / "bad.csv"
    bad.write_text("candidate_id,lon,lat,kind\nT1,106.1,21.1,castle\n")
    with pytest.raises(FormatError, match="row 2: kind is 'castle'"):
        read_candidates(bad)
    bad.write_text("candidate_id,lon,lat,cost_vnd\nT1,106.1,21.1,-3\n")
    with pytest.raises(FormatError, match="row 2: cost_vnd"):
        read_candidates(bad)


def test_plan_reaches_target_and_tables_agree(tiny_scenario) -> None:
    plan = tiny_scenario.plan(target=0.9)
    s = plan.summary
    assert s.achieved_share >= 0.9 > s.baseline_share
    assert list(plan.new_sites.columns[:10]) == NEW_SITE_COLUMNS
    assert plan.new_sites["order"].tolist() == list(range(1, s.n_new_sites + 1))
    assert plan.new_sites["added_population"].is_monotonic_decreasing
    assert plan.communes["covered_population_after"].sum() == pytest.approx(
        s.achieved_share * plan.communes["population"].sum(), abs=2
    )
    assert (plan.communes["covered_share_after"] >= plan.communes["covered_share_before"]).all()
    assert plan.phases["n_sites"].sum() == s.n_new_sites
    assert plan.phases["covered_share_after"].iloc[-1] == pytest.approx(s.achieved_share)
    assert s.state_support_vnd == pytest.approx(0.15 * s.total_cost_vnd, abs=1)
    assert plan.curve["n_sites"].iloc[-1] == s.n_new_sites
    assert "new sites" in repr(plan) and "<table>" in plan._repr_html_()


def test_commune_phases_grow_phase_by_phase_to_the_plan(tiny_scenario) -> None:
    plan = tiny_scenario.plan(target=0.9, sites_per_phase=1)
    table = plan.commune_phases
    phases = [f"after_phase_{p}" for p in sorted(plan.new_sites["phase"].unique())]
    assert len(phases) == plan.summary.n_new_sites > 1  # one site per phase
    assert list(table.columns) == ["code", "name", "population", "covered_share_today", *phases]
    shares = table[["covered_share_today", *phases]].to_numpy()
    assert (shares[:, 1:] >= shares[:, :-1] - 1e-9).all()  # a phase never lowers coverage
    assert table["covered_share_today"].tolist() == pytest.approx(
        plan.communes["covered_share_before"].tolist(), abs=1e-6
    )
    assert table[phases[-1]].tolist() == pytest.approx(
        plan.communes["covered_share_after"].tolist(), abs=1e-6
    )
    people = table["population"].to_numpy()
    for phase in plan.phases.itertuples():  # each phase's province share from the tables
        share = (table[f"after_phase_{phase.phase}"] * people).sum() / people.sum()
        assert share == pytest.approx(phase.covered_share_after, abs=1e-5)


def test_plan_commune_floor_lifts_every_commune(tiny_scenario) -> None:
    plan = tiny_scenario.plan(target=0.6, min_commune_share=0.8)
    assert (plan.communes["covered_share_after"] >= 0.8 - 1e-6).all()


def test_plan_within_budget_and_upgrades(tiny_scenario, tmp_path) -> None:
    towers = gpd.GeoSeries.from_xy([600_700.0], [2_340_300.0], crs="EPSG:32648").to_crs(4326)
    table = pd.DataFrame({"candidate_id": ["U1"], "lon": towers.x, "lat": towers.y,
                          "kind": ["upgrade"], "cost_vnd": [1.0]})  # fmt: skip
    plan = tiny_scenario.plan(budget_vnd=2.0e9 + 1.0, candidates=table)
    assert plan.summary.mode == "max_coverage"
    assert plan.summary.total_cost_vnd <= 2.0e9 + 1.0
    assert "U1" in plan.new_sites["site_id"].tolist()  # nearly free, so always worth it


def test_plan_when_target_is_already_met(tiny_scenario) -> None:
    plan = tiny_scenario.plan(target=0.05)
    assert plan.summary.n_new_sites == 0 and plan.new_sites.empty
    assert plan.summary.achieved_share == plan.summary.baseline_share
    assert plan.phases.empty and len(plan.curve) == 1


def test_plan_unreachable_target_names_reachable_share(tiny_scenario) -> None:
    config = replace(tiny_scenario.config, candidate_clusters=1, candidate_min_population=1e9)
    scenario = replace(tiny_scenario, config=config)
    with pytest.raises(SolverError, match=r"out of reach.*at most \d+\.\d\d%"):
        scenario.plan(target=0.99)


def test_cli_plan_json_and_files(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tmp_path, capsys
) -> None:
    out = tmp_path / "plan"
    args = plan_args(tiny_communes_file, tiny_raster_file, tiny_stations_file, out)
    assert main([*args, "--target", "0.9", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    for key in ("baseline_share", "achieved_share", "target", "n_new_sites", "bound", "gap",
                "status", "seconds", "total_cost_vnd", "state_support_vnd", "phases", "model",
                "stations_synthetic", "files"):  # fmt: skip
        assert key in payload
    assert payload["achieved_share"] >= 0.9 and payload["gap"] <= 0.01
    assert payload["model"] == "radius" and payload["stations_synthetic"] is False
    assert json.loads((out / "plan.json").read_text(encoding="utf-8")) == payload
    sites = pd.read_csv(out / "new_sites.csv", encoding="utf-8-sig")
    assert list(sites.columns) == NEW_SITE_COLUMNS and len(sites) == payload["n_new_sites"]
    layer = gpd.read_file(out / "new_sites.gpkg")
    assert layer.crs.to_epsg() == 4326 and len(layer) == len(sites)
    phases = pd.read_csv(out / "phases.csv", encoding="utf-8-sig")
    assert list(phases.columns[:4]) == ["phase", "n_sites", "cost_vnd", "covered_share_after"]
    communes = pd.read_csv(out / "communes_before_after.csv", encoding="utf-8-sig")
    assert list(communes.columns) == [
        "code", "name", "population", "covered_population_before", "covered_population_after",
        "covered_share_before", "covered_share_after",
    ]  # fmt: skip
    curve = pd.read_csv(out / "curve.csv", encoding="utf-8-sig")
    assert list(curve.columns) == ["n_sites", "covered_share"]
    # a second run refuses to overwrite, and says so in one line
    assert main([*args, "--target", "0.9"]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err and "Traceback" not in err
    assert main([*args, "--target", "0.9", "--overwrite", "--solver", "greedy"]) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "0"], "target must be a share"),
        (["--target", "0.9", "--max-sites", "1"], "relax"),
        (["--target", "1.0"], "out of reach"),
        (["--target", "0.9", "--candidates", "missing.csv"], "file not found"),
    ],
)
def test_cli_plan_errors_exit_2(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tmp_path, capsys, extra, message
) -> None:
    args = plan_args(tiny_communes_file, tiny_raster_file, tiny_stations_file, tmp_path / "p")
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "p" / "plan.json").exists()
