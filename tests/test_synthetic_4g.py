"""The synthetic 4G layer and the upgrade candidates it gives every plan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan.candidates import build_candidates, default_upgrades, upgrade_candidates
from geoplan.errors import GeoplanError
from geoplan.grid import subset_cells
from geoplan.io.carriers import read_market_shares
from geoplan.io.embedded import DEFAULT_SITES_4G, DEFAULT_STATIONS
from geoplan.io.rasters import read_population_raster
from geoplan.io.stations import read_stations
from geoplan.models import RadiusModel
from geoplan.planning import planning_arrays
from geoplan.population import build_population_grid
from geoplan.scenario import load_scenario
from geoplan.synthetic import (
    N_SITES_4G,
    fill_densest_first,
    operator_site_counts_4g,
    synthesize_4g_sites,
)
from tests.conftest import WORK_CRS, X0, Y0, write_raster

SHARES = pd.Series({"Viettel": 0.5, "VNPT": 0.25, "MobiFone": 0.25})


# --------------------------------------------------------------------------- the fill
def brute_force_fill(row, col, cell_m, score, spacing_m, first):
    """The fill written out: every pair distance, the highest free score each step."""
    n = len(row)
    dist = cell_m * np.hypot(row[:, None] - row[None, :], col[:, None] - col[None, :])
    free = np.ones(n, bool)
    chosen = []

    def take(i):
        chosen.append(i)
        free[dist[i] <= spacing_m[i]] = False
        free[i] = False

    for i in first:
        take(i)
    while free.any():
        candidates = np.flatnonzero(free)
        take(int(candidates[np.argmax(score[candidates])]))  # first of equal scores
    return chosen


@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    data=st.data(),
)
def test_fill_is_the_brute_force_fill_and_leaves_no_cell_free(shape, data) -> None:
    rows, cols = shape
    inside = data.draw(st.lists(st.booleans(), min_size=rows * cols, max_size=rows * cols))
    flat = np.flatnonzero(inside)
    if flat.size == 0:
        return
    n = flat.size
    score = np.array(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), float)
    spacing = np.array(data.draw(st.lists(st.floats(0, 450), min_size=n, max_size=n)))
    first = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3))
    got = fill_densest_first(flat, shape, 100.0, score, spacing, np.array(first, dtype=int))
    row, col = np.divmod(flat, cols)
    assert got.tolist() == brute_force_fill(row, col, 100.0, score, spacing, first)
    # every cell is taken or within the spacing of a taken one
    dist = 100.0 * np.hypot(row[got][:, None] - row[None, :], col[got][:, None] - col[None, :])
    assert (dist <= spacing[got][:, None]).any(axis=0).all()


@settings(max_examples=50)
@given(
    n=st.integers(0, 5000),
    weights=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5),
)
def test_operator_counts_sum_to_the_total_and_follow_the_shares(n, weights) -> None:
    shares = pd.Series(weights, index=[f"op{i}" for i in range(len(weights))])
    counts = operator_site_counts_4g(n, shares)
    assert sum(counts.values()) == n
    exact = shares / shares.sum() * n
    assert all(abs(counts[op] - exact[op]) < 1 for op in counts)


# --------------------------------------------------------------------------- the layer
@pytest.fixture
def varied_grid(tmp_path, tiny_communes, tiny_config):
    """The tiny communes on a raster that grows denser from west to east (40..4,000 /km²)."""
    people = np.tile(np.geomspace(10.0, 1000.0, 10), (10, 1))  # per 500 m cell
    transform = Affine(500.0, 0.0, X0 - 1000.0, 0.0, -500.0, Y0 + 3000.0)
    raster = read_population_raster(write_raster(tmp_path / "p.tif", people, transform, WORK_CRS))
    return build_population_grid(tiny_communes, raster, tiny_config)


def five_g_sites(points) -> gpd.GeoDataFrame:
    """Station rows (``site_id``, ``operator``, ``lon``, ``lat`` …) at work-CRS points."""
    xy = gpd.GeoSeries.from_xy([p[1] for p in points], [p[2] for p in points], crs=WORK_CRS)
    lonlat = xy.to_crs("EPSG:4326")
    table = pd.DataFrame(
        {
            "site_id": [f"SYN-{i + 1:04d}" for i in range(len(points))],
            "operator": [p[0] for p in points],
            "lon": np.round(lonlat.x.to_numpy(), 6),
            "lat": np.round(lonlat.y.to_numpy(), 6),
            "antenna_height_m": 30.0,
            "sectors": 3,
            "azimuths_deg": "10;130;250",
            "source": "synthetic",
        }
    )
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table.lon, table.lat), crs=4326)


def test_4g_layer_counts_holds_5g_and_is_reproducible(varied_grid, tiny_config) -> None:
    five_g = five_g_sites(
        [("Viettel", X0 + 2450, Y0 + 550), ("Viettel", X0 + 1250, Y0 + 350),
         ("VNPT", X0 + 2750, Y0 + 850)]
    )  # fmt: skip
    frame, report = synthesize_4g_sites(varied_grid, five_g, 16, 5, tiny_config, SHARES)
    again, _ = synthesize_4g_sites(varied_grid, five_g, 16, 5, tiny_config, SHARES)
    other, _ = synthesize_4g_sites(varied_grid, five_g, 16, 6, tiny_config, SHARES)
    assert frame["operator"].value_counts().to_dict() == {"Viettel": 8, "VNPT": 4, "MobiFone": 4}
    assert report.counts == {"Viettel": 8, "VNPT": 4, "MobiFone": 4} and report.n_with_5g == 3
    held = frame[frame["site_5g_id"] != ""].set_index("site_5g_id")
    for row in five_g.itertuples():  # the very same place and operator
        assert (held.loc[row.site_id, ["operator", "lon", "lat"]].tolist()
                == [row.operator, row.lon, row.lat])  # fmt: skip
    assert frame.drop(columns="geometry").to_csv() == again.drop(columns="geometry").to_csv()
    assert not frame[["lon", "lat"]].equals(other[["lon", "lat"]])
    assert frame["site_id"].is_unique and set(frame["source"]) == {"synthetic"}


def test_4g_layer_spacing_follows_density(varied_grid, tiny_config) -> None:
    """Denser places (east) get closer sites than sparser ones (west), per operator."""
    frame, _ = synthesize_4g_sites(varied_grid, five_g_sites([]), 12, 5, tiny_config,
                                   pd.Series({"Viettel": 1.0}))  # fmt: skip
    x = frame.to_crs(WORK_CRS).geometry.x.to_numpy() - X0
    assert (x > 1500).sum() > (x < 1500).sum()


def test_4g_layer_needs_room_for_the_5g_sites(varied_grid, tiny_config) -> None:
    five_g = five_g_sites([("VNPT", X0 + 500, Y0 + 500), ("VNPT", X0 + 1500, Y0 + 500)])
    with pytest.raises(GeoplanError, match="VNPT has 2 5G sites but only 1"):
        synthesize_4g_sites(varied_grid, five_g, 4, 5, tiny_config, SHARES)


def test_committed_4g_layer_holds_every_5g_site_in_the_stated_split() -> None:
    layer = pd.read_csv(DEFAULT_SITES_4G, dtype={"site_5g_id": str}, keep_default_na=False)
    five_g = pd.read_csv(DEFAULT_STATIONS)
    expected = operator_site_counts_4g(N_SITES_4G, read_market_shares().drop("other"))
    assert len(layer) == N_SITES_4G == sum(expected.values())
    assert layer["operator"].value_counts().to_dict() == expected
    merged = five_g.merge(layer, left_on="site_id", right_on="site_5g_id", suffixes=("", "_4g"))
    assert len(merged) == len(five_g) == (layer["site_5g_id"] != "").sum()
    for column in ("operator", "lon", "lat"):
        assert (merged[column] == merged[f"{column}_4g"]).all()
    assert set(layer["source"]) == {"synthetic"} and layer["site_id"].is_unique


@pytest.mark.slow
def test_committed_4g_layer_is_reproducible(tmp_path) -> None:
    """Regenerating with the documented command gives the committed file, byte for byte."""
    from geoplan.cli import main

    out = tmp_path / "sites_4g.csv"
    assert main(["stations", "synth", "--layer", "4g", "--out", str(out)]) == 0
    assert out.read_bytes() == DEFAULT_SITES_4G.read_bytes()


# --------------------------------------------------------------------------- candidates
def write_sites(path: Path, rows: list[tuple[str, str, float, float]], source: str) -> Path:
    """A station CSV of ``(site_id, operator, x_m, y_m)`` rows (work CRS)."""
    xy = gpd.GeoSeries.from_xy([r[2] for r in rows], [r[3] for r in rows], crs=WORK_CRS)
    lonlat = xy.to_crs("EPSG:4326")
    lines = ["site_id,operator,lon,lat,source"] + [
        f"{r[0]},{r[1]},{p.x:.8f},{p.y:.8f},{source}" for r, p in zip(rows, lonlat, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def layer_4g(tmp_path, monkeypatch) -> Path:
    """Four 4G sites; V0 holds the 5G site S1; V1 and T1 (a new tower) share a place."""
    path = write_sites(
        tmp_path / "sites_4g.csv",
        [("4G-V0", "Viettel", X0 + 500, Y0 + 500), ("4G-V1", "Viettel", X0 + 1500, Y0 + 500),
         ("4G-N1", "VNPT", X0 + 2500, Y0 + 500), ("4G-M1", "MobiFone", X0 + 500, Y0 + 900)],
        "synthetic",
    )  # fmt: skip
    monkeypatch.setattr("geoplan.candidates.DEFAULT_SITES_4G", path)
    monkeypatch.setattr("geoplan.scenario.DEFAULT_SITES_4G", path)  # the inputs' sites_4g
    return path


@pytest.fixture
def stations_two_operators(tmp_path) -> Path:
    """S1 (Viettel) on 4G-V0; S2 (VNPT) far outside the communes."""
    rows = [("S1", "Viettel", X0 + 500, Y0 + 500), ("S2", "VNPT", X0 + 50_000, Y0 + 500)]
    return write_sites(tmp_path / "stations.csv", rows, "synthetic")


def test_upgrades_are_each_operators_4g_sites_without_5g(
    layer_4g, stations_two_operators, tiny_config
) -> None:
    stations = read_stations(stations_two_operators)
    cheap = replace(tiny_config, capex_upgrade_vnd=7.0e8)
    both = upgrade_candidates(stations, cheap)
    assert sorted(both["candidate_id"]) == ["4G-M1", "4G-N1", "4G-V1"]  # V0 carries 5G already
    assert set(both["kind"]) == {"upgrade"} and set(both["source"]) == {"upgrade_4g"}
    assert both["cost_vnd"].tolist() == [7.0e8] * 3
    viettel = upgrade_candidates(stations[stations["operator"] == "Viettel"], cheap)
    assert viettel["candidate_id"].tolist() == ["4G-V1"]
    assert viettel["frequency_ghz"].tolist() == [2.55]  # Viettel's n41 carrier
    assert default_upgrades(stations, replace(cheap, upgrade_candidates=False), layer_4g) is None
    real = stations.assign(source="user")  # the synthetic layer goes with synthetic stations
    assert default_upgrades(real, cheap, layer_4g) is None


def test_grid_candidates_next_to_an_upgrade_give_way(
    layer_4g, stations_two_operators, tiny_communes_file, tiny_raster_file, tiny_config
) -> None:
    config = replace(tiny_config, candidate_clusters=0, candidate_min_population=1.0)
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, stations_two_operators, config)
    model = RadiusModel(config)
    baseline = scenario.coverage(model)
    demand = subset_cells(baseline.cells, ~baseline.covered & (baseline.cells.population > 0))
    plain = build_candidates(scenario.grid, demand, model, config, spacing_m=300.0)
    upgrades = default_upgrades(scenario.stations, config, scenario.sites_4g)
    outside = upgrades.iloc[:1].assign(candidate_id="4G-FAR", lon=upgrades.lon.iloc[0] + 1.0)
    both = build_candidates(scenario.grid, demand, model, config, spacing_m=300.0,
                            upgrades=pd.concat([upgrades, outside]))  # fmt: skip
    grid_xy = np.column_stack([plain.sites.x_m, plain.sites.y_m])
    up = both.frame["source"] == "upgrade_4g"
    up_xy = np.column_stack([both.sites.x_m[up], both.sites.y_m[up]])
    near = (np.hypot(*(grid_xy[:, None] - up_xy[None]).transpose(2, 0, 1)) <= 300.0).any(axis=1)
    assert 0 < near.sum() < len(plain)
    assert (both.frame["source"] == "grid").sum() == len(plain) - near.sum()
    assert sorted(both.frame.loc[up, "candidate_id"]) == ["4G-M1", "4G-N1", "4G-V1"]  # not FAR
    assert both.frame.loc[up, "cost_vnd"].tolist() == [config.capex_upgrade_vnd] * 3


def only_named_candidates(tiny_config):
    """No grid or cluster candidates: the plan chooses among the named ones."""
    return replace(tiny_config, candidate_clusters=0, candidate_min_population=1e9)


def test_cost_objective_upgrades_rather_than_build_a_tower_on_the_same_spot(
    layer_4g, stations_two_operators, tiny_communes_file, tiny_raster_file, tiny_config, tmp_path
) -> None:
    tower = tmp_path / "tower.csv"
    tower.write_text(
        "candidate_id,lon,lat,kind\n"
        + ",".join(["T1", *pd.read_csv(layer_4g).loc[1, ["lon", "lat"]].astype(str), "new_tower"])
        + "\n"
    )
    config = only_named_candidates(tiny_config)
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, stations_two_operators, config)
    today = scenario.coverage()
    # 400 more people: a site in commune Hai (20 people a cell) reaches it, one in Ba (5) not
    target = (today.reliable_population + 400) / today.population_total
    plan = scenario.plan(target, candidates=tower, objective="cost", solver="exact")
    assert plan.new_sites[["site_id", "kind", "cost_vnd"]].values.tolist() == [
        ["4G-V1", "upgrade", int(config.capex_upgrade_vnd)]
    ]
    off = load_scenario(tiny_communes_file, tiny_raster_file, stations_two_operators,
                        replace(config, upgrade_candidates=False))  # fmt: skip
    tower_plan = off.plan(target, candidates=tower, objective="cost", solver="exact")
    assert tower_plan.new_sites[["site_id", "cost_vnd"]].values.tolist() == [
        ["T1", int(config.capex_new_tower_vnd)]
    ]


def test_one_operator_plan_never_upgrades_another_operators_site(
    layer_4g, tiny_communes_file, tiny_raster_file, tiny_config, tmp_path
) -> None:
    # VNPT's 4G site stands in the most populated commune; Viettel plans alone
    write_sites(
        layer_4g, [("4G-V0", "Viettel", X0 + 500, Y0 + 500),
                   ("4G-V1", "Viettel", X0 + 2500, Y0 + 500),
                   ("4G-N1", "VNPT", X0 + 1500, Y0 + 500)], "synthetic",
    )  # fmt: skip
    stations = write_sites(tmp_path / "v.csv", [("S1", "Viettel", X0 + 500, Y0 + 500)],
                           "synthetic")  # fmt: skip
    config = replace(tiny_config, candidate_clusters=0, candidate_min_population=1.0)
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, stations, config)
    _, _, candidates, _ = planning_arrays(scenario, RadiusModel(config))
    upgrades = candidates.frame[candidates.frame["kind"] == "upgrade"]
    assert upgrades["candidate_id"].tolist() == ["4G-V1"] and len(candidates) > 1
    plan = scenario.plan(max_sites=3, solver="exact")
    assert len(plan.new_sites) == 3 and "4G-N1" not in set(plan.new_sites["site_id"])


def test_cli_writes_the_4g_layer_the_same_twice(
    tmp_path, tiny_communes_file, tiny_raster_file
) -> None:
    from geoplan.cli import main

    five_g = write_sites(tmp_path / "5g.csv", [("S1", "VNPT", X0 + 1500, Y0 + 500)], "synthetic")
    out = tmp_path / "4g.csv"
    args = ["stations", "synth", "--layer", "4g", "--n-sites", "6", "--stations", str(five_g),
            "--boundaries", str(tiny_communes_file), "--population", str(tiny_raster_file),
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    first = out.read_bytes()
    assert main([*args, "--overwrite"]) == 0
    assert out.read_bytes() == first
    layer = pd.read_csv(out, keep_default_na=False)
    # 6 × the subscriber shares renormalised (0.518, 0.278, 0.204), largest remainder
    assert layer["operator"].value_counts().to_dict() == {"Viettel": 3, "MobiFone": 2, "VNPT": 1}
    assert layer.loc[layer["site_5g_id"] == "S1", "operator"].tolist() == ["VNPT"]


def test_every_generated_candidate_of_a_plan_is_on_one_carrier(
    layer_4g, stations_two_operators, tiny_communes_file, tiny_raster_file, tiny_config, tmp_path
) -> None:
    """Several operators: upgrades on the generic n78 as new towers; one: all on its own."""
    config = replace(tiny_config, candidate_clusters=0, candidate_min_population=1.0)
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, stations_two_operators, config)
    _, _, candidates, _ = planning_arrays(scenario, RadiusModel(config))
    frame = candidates.frame
    upgrades = frame[frame["source"] == "upgrade_4g"]
    assert sorted(upgrades["operator"]) == ["MobiFone", "VNPT", "Viettel"]  # the owners stay
    assert set(upgrades["band"]) == {"n78"} and set(upgrades["frequency_ghz"]) == {3.5}
    viettel = write_sites(tmp_path / "v.csv", [("S1", "Viettel", X0 + 500, Y0 + 500)],
                          "synthetic")  # fmt: skip
    alone = load_scenario(tiny_communes_file, tiny_raster_file, viettel, config)
    _, _, own, _ = planning_arrays(alone, RadiusModel(config))
    assert set(own.frame["source"]) == {"grid", "upgrade_4g"}
    assert set(own.frame["band"]) == {"n41"} and set(own.frame["frequency_ghz"]) == {2.55}
