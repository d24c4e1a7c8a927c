"""RadioModel: best server, coverage invariants, terrain, environments, chunking, CLI."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan.cli import main
from geoplan.config import PlanConfig
from geoplan.grid import Cells
from geoplan.models import RadioModel, covered_mask, get_model
from geoplan.models.radio import PROBABILITY_FLOOR
from geoplan.radio.link_budget import LinkBudget
from geoplan.radio.terrain import DEFAULT_DEM_PATHS, flat_terrain
from geoplan.scenario import load_scenario
from geoplan.sites import Sites
from tests.test_radio_terrain import _ridge

RURAL, URBAN = 2, 0


def _cells(x_m, y_m, environment=RURAL) -> Cells:
    x = np.asarray(x_m, dtype=float)
    n = x.size
    return Cells(np.arange(n), x, np.asarray(y_m, float), np.ones(n), np.zeros(n, int),
                 np.broadcast_to(np.asarray(environment), (n,)).astype(np.int8))  # fmt: skip


def _sites(x_m, y_m, height_m=30.0, azimuths=None) -> Sites:
    x = np.asarray(x_m, dtype=float)
    frame = None if azimuths is None else pd.DataFrame({"azimuths_deg": azimuths})
    return Sites(x, np.asarray(y_m, float), np.full(x.size, height_m), np.full(x.size, RURAL),
                 frame)  # fmt: skip


def test_ridge_between_site_and_village_cuts_the_village() -> None:
    sites = _sites([0.0], [0.0], azimuths=["90;270"])  # sectors east and west
    villages = _cells([1200.0, -1200.0], [0.0, 0.0])
    flat = RadioModel(terrain=flat_terrain((-2500.0, -500.0, 2500.0, 500.0), resolution_m=25))
    ridged = RadioModel(terrain=_ridge(120.0, 600.0))  # ridge east of the site
    before = flat.best_server(sites, villages)
    after = ridged.best_server(sites, villages)
    assert before.covered.all()
    assert after.covered.tolist() == [False, True]
    assert after.rsrp_dbm[0] < before.rsrp_dbm[0] - 30.0
    assert after.rsrp_dbm[1] == pytest.approx(before.rsrp_dbm[1], abs=0.01)
    assert after.terrain_used and "terrain from" in ridged.describe()
    assert "no terrain (flat earth)" in RadioModel(PlanConfig(dem_paths=("flat",))).describe()


@settings(max_examples=25, deadline=None)
@given(d_a=st.floats(100, 6000), d_b=st.floats(100, 6000), env=st.sampled_from([0, 1, 2]))
def test_on_flat_terrain_rsrp_falls_with_distance(d_a, d_b, env) -> None:
    near, far = sorted((d_a, d_b))
    sites = _sites([0.0], [0.0], azimuths=["0"])
    cells = _cells([0.0, 0.0], [near, far], environment=env)  # along the boresight, north
    model = RadioModel(terrain=flat_terrain((-100, -100, 100, 6100), resolution_m=50))
    rsrp = model.pair_rsrp_dbm(sites, cells, np.zeros(2, int), np.arange(2), model.terrain)
    assert rsrp[1] <= rsrp[0] + 0.02  # bisection tolerance


@settings(max_examples=20, deadline=None)
@given(
    xy=st.lists(st.tuples(st.floats(-3000, 3000), st.floats(-3000, 3000)), min_size=1,
                max_size=4),
    new=st.tuples(st.floats(-3000, 3000), st.floats(-3000, 3000)),
)  # fmt: skip
def test_adding_a_site_never_lowers_coverage(xy, new) -> None:
    grid = np.arange(-3000.0, 3001.0, 400.0)
    gx, gy = np.meshgrid(grid, grid)
    cells = _cells(gx.ravel(), gy.ravel(), environment=np.arange(gx.size) % 3)
    model = RadioModel()
    xs, ys = zip(*xy, strict=True)
    before = model.best_server(_sites(xs, ys), cells)
    after = model.best_server(_sites([*xs, new[0]], [*ys, new[1]]), cells)
    assert (after.covered >= before.covered).all()
    both = np.isfinite(before.rsrp_dbm)
    assert (after.rsrp_dbm[both] >= before.rsrp_dbm[both]).all()


def test_skipping_hopeless_far_pairs_changes_no_probability() -> None:
    # oracle: every site-cell pair within the probability reach evaluated with terrain
    rng = np.random.default_rng(11)
    terrain = _ridge(90.0, 400.0)
    cells = _cells(rng.uniform(-2400, 2400, 300), rng.uniform(-400, 400, 300),
                   environment=rng.integers(0, 3, 300))  # fmt: skip
    sites = _sites(rng.uniform(-2000, 2000, 5), rng.uniform(-300, 300, 5), height_m=12.0)
    model = RadioModel(terrain=terrain, chunk_pairs=64)
    best = model.best_server(sites, cells)
    s_idx, c_idx = (a.ravel() for a in np.meshgrid(np.arange(5), np.arange(300), indexing="ij"))
    levels = model._pair_levels(sites, cells, s_idx, c_idx, terrain)
    p_all = levels.probability(model.budget.rsrp_threshold_dbm)
    reach = np.maximum(model.max_range_m(sites, PROBABILITY_FLOOR), model.max_range_m(sites))
    d = np.hypot(cells.x_m[c_idx] - sites.x_m[s_idx], cells.y_m[c_idx] - sites.y_m[s_idx])
    oracle = np.zeros(300)
    np.maximum.at(oracle, c_idx[d <= reach[s_idx]], p_all[d <= reach[s_idx]])
    np.testing.assert_allclose(best.probability, oracle, atol=1e-12)
    assert 0 < (oracle > 0.5).sum() < 300


def test_the_model_on_a_grid_states_its_dems_and_their_share_of_cells(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    config = replace(tiny_config, coverage_model="38901")
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, config,
                             drop_outside=True)  # fmt: skip
    model = get_model("38901", scenario.config, scenario.grid)
    summary = model.terrain_summary()
    assert summary["used"] and summary["diffraction"] == "bullington"
    assert summary["shares_of"] == "cells" and summary["lower_bound"]
    srtm, etopo = summary["dems"]
    assert (srtm["file"], srtm["resolution_arcsec"], etopo["resolution_arcsec"]) == (
        "srtm3_n21e105_bacninh.tif", 3.0, 60.0)  # fmt: skip
    # the tiny communes (105.96 E) lie in the SRTM strip: every cell on SRTM
    assert srtm["share"] == 1.0 and etopo["share"] == 0.0 and summary["no_dem_share"] == 0.0
    assert "srtm3_n21e105_bacninh.tif (3″, ~90 m) on 100.0%" in model.describe()
    flat = get_model("38901", replace(scenario.config, dem_paths=("flat",)), scenario.grid)
    assert flat.terrain_summary() == {"used": False, "diffraction": "bullington", "dem_files": []}
    result = scenario.coverage(model)
    assert 0.0 < result.covered_share <= scenario.coverage(flat).covered_share + 1e-9


def test_a_dem_short_of_the_cells_says_which_share_is_flat(
    tmp_path, caplog, tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    from affine import Affine

    from tests.conftest import X0, Y0, write_raster

    # 12 m over the western half of the three communes (X0 .. X0 + 1500 m) only
    dem = write_raster(tmp_path / "west.tif", np.full((10, 15), 12.0),
                       Affine(100, 0, X0, 0, -100, Y0 + 1000), "EPSG:32648")  # fmt: skip
    config = replace(tiny_config, coverage_model="38901", dem_paths=(str(dem),))
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, config,
                             drop_outside=True)  # fmt: skip
    with caplog.at_level(logging.WARNING):
        model = get_model("38901", scenario.config, scenario.grid)
    assert "50.0% of the cells have no elevation data; treated as flat at 12.0 m" in caplog.text
    assert model.terrain_summary()["no_dem_share"] == 0.5
    described = model.describe()
    assert "west.tif (~100 m) on 50.0% of cells, none (flat at 12 m) on 50.0%" in described


def test_best_server_agrees_with_the_matrix_and_the_chunks() -> None:
    rng = np.random.default_rng(4)
    cells = _cells(rng.uniform(-4000, 4000, 600), rng.uniform(-4000, 4000, 600),
                   environment=rng.integers(0, 3, 600))  # fmt: skip
    sites = _sites(rng.uniform(-3000, 3000, 6), rng.uniform(-3000, 3000, 6))
    whole = RadioModel().best_server(sites, cells)
    pieces = RadioModel(chunk_pairs=50).best_server(sites, cells)
    np.testing.assert_array_equal(whole.site_index, pieces.site_index)
    np.testing.assert_allclose(whole.rsrp_dbm, pieces.rsrp_dbm)
    assert (whole.matrix != pieces.matrix).nnz == 0
    np.testing.assert_array_equal(covered_mask(whole.matrix), whole.covered)
    np.testing.assert_array_equal(whole.covered, whole.rsrp_dbm >= -110.0)
    served = whole.site_index >= 0
    assert whole.matrix[whole.site_index[whole.covered], np.flatnonzero(whole.covered)].all()
    assert 0 < whole.covered.sum() < served.sum() <= len(cells)


def test_nothing_beyond_the_reach_would_be_covered() -> None:
    model = RadioModel()
    sites = _sites([0.0, 0.0], [0.0, 0.0], height_m=np.nan, azimuths=["0", "0"])
    sites = replace(sites, antenna_height_m=np.array([12.0, 35.0]))  # a small cell, a mast
    reach = model.max_range_m(sites)
    for env in (URBAN, 1, RURAL):
        cells = _cells([0.0, 0.0], reach * 1.01, environment=env)
        rsrp = model.pair_rsrp_dbm(sites, cells, np.arange(2), np.arange(2))
        assert (rsrp < model.budget.rsrp_threshold_dbm).all()


def test_environment_selects_the_model() -> None:
    model = RadioModel(budget=LinkBudget(los_mode="nlos"))
    sites = _sites([0.0, 0.0], [0.0, 0.0], azimuths=["0", "0"])
    sites = replace(sites, antenna_height_m=np.array([25.0, 10.0]))
    cells = _cells([0.0, 0.0, 0.0], [800.0] * 3, environment=[URBAN, 1, RURAL])
    macro = model.pair_rsrp_dbm(sites, cells, np.zeros(3, int), np.arange(3))
    small = model.pair_rsrp_dbm(sites, cells, np.ones(3, int), np.arange(3))
    assert macro[0] == macro[1] != macro[2]  # UMa for urban and suburban, RMa for rural
    # NLOS RSRP = EIRP_RE − body − PL_NLOS − Φ⁻¹(0.9)·σ_SF − vertical pattern
    from geoplan.radio.pathloss import path_loss_db

    tilt = -12 * (np.degrees(np.arctan2(23.5, 800.0)) / 65) ** 2
    expected_uma = 41.847 - 3.0 - path_loss_db("UMa", 800.0, 3.5, 25.0, 1.5) - 1.2816 * 6.0
    assert macro[0] == pytest.approx(expected_uma + tilt, abs=0.01)
    expected_umi = 41.847 - 3.0 - path_loss_db("UMi", 800.0, 3.5, 10.0, 1.5) - 1.2816 * 7.82
    tilt_small = -12 * (np.degrees(np.arctan2(8.5, 800.0)) / 65) ** 2
    assert small[0] == pytest.approx(expected_umi + tilt_small, abs=0.01)


def test_site_columns_override_frequency_and_eirp() -> None:
    cells = _cells([0.0], [500.0])
    base = Sites(np.zeros(1), np.zeros(1), np.full(1, 30.0), np.full(1, RURAL),
                 pd.DataFrame({"azimuths_deg": ["0"]}))  # fmt: skip
    louder = replace(base, frame=base.frame.assign(eirp_dbm=[80.0]))
    lower = replace(base, frame=base.frame.assign(frequency_ghz=[0.7]))
    model = RadioModel(budget=LinkBudget(los_mode="nlos"))
    ref = model.pair_rsrp_dbm(base, cells, np.zeros(1, int), np.zeros(1, int))
    assert model.pair_rsrp_dbm(louder, cells, np.zeros(1, int), np.zeros(1, int)) == (
        pytest.approx(ref + 3.0)
    )
    assert model.pair_rsrp_dbm(lower, cells, np.zeros(1, int), np.zeros(1, int)) > ref + 10


def test_empty_inputs() -> None:
    out = RadioModel().best_server(_sites([], []), _cells([0.0], [0.0]))
    assert out.matrix.shape == (0, 1) and not out.covered.any() and out.n_pairs == 0


# ---------------------------------------------------------------- command line
def _tiny_args(tiny_communes_file, tiny_raster_file, tiny_stations_file) -> list[str]:
    # two of the five tiny sites lie 50 km outside: the CLI stops on them (issue 8)
    return ["--boundaries", str(tiny_communes_file), "--population", str(tiny_raster_file),
            "--stations", str(tiny_stations_file), "--drop-outside"]  # fmt: skip


def test_cli_writes_rasters_atomically_and_refuses_to_overwrite(
    tmp_path, capsys, tiny_communes_file, tiny_raster_file, tiny_stations_file
) -> None:
    inputs = _tiny_args(tiny_communes_file, tiny_raster_file, tiny_stations_file)
    out = tmp_path / "rasters"
    assert (
        main(
            [
                "coverage",
                *inputs,
                "--model",
                "38901",
                "--rasters",
                str(out),
                "--lang",
                "en",
                "--no-layers",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    # the tiny communes lie in the SRTM strip: the default terrain applies
    assert "Terrain used: srtm3_n21e105_bacninh.tif (3″" in printed
    assert "Other model radius:" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == ["best_server_rsrp_dbm.tif", "best_server_site_index.tif",
                     "coverage_probability_indoor.tif", "coverage_probability_signal.tif",
                     "coverage_probability_usable.tif", "covered_mask.tif"]  # fmt: skip
    layers = {}
    for name in ("signal", "usable", "indoor"):
        with rasterio.open(out / f"coverage_probability_{name}.tif") as src:
            layers[name] = src.read(1)
    with rasterio.open(out / "covered_mask.tif") as src:
        covered = src.read(1)
        assert src.crs.to_epsg() == 32648 and src.tags()["TERRAIN_USED"] == "True"
    with rasterio.open(out / "best_server_rsrp_dbm.tif") as src:
        rsrp = src.read(1)
    with rasterio.open(out / "best_server_site_index.tif") as src:
        site = src.read(1)
    inside = covered != 255
    assert inside.sum() == 300  # three 1 km² communes at 100 m
    np.testing.assert_array_equal(covered[inside] == 1, rsrp[inside] >= -110.0)
    assert np.all(layers["signal"][~inside] == -1.0)
    assert np.all((layers["indoor"][inside] <= layers["signal"][inside])
                  & (layers["usable"][inside] <= layers["signal"][inside]))  # fmt: skip
    assert set(np.unique(site[inside])) <= {-1, 0, 1, 2}  # the far sites serve nothing
    code = main(["coverage", *inputs, "--model", "38901", "--rasters", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "already exists; pass --overwrite" in err and "Traceback" not in err


def test_cli_rasters_need_the_radio_model(tmp_path, capsys) -> None:
    code = main(["coverage", "--model", "radius", "--rasters", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "geoplan: error: --rasters needs the radio model: add --model 38901"


def test_cli_missing_dem(
    tmp_path, capsys, tiny_communes_file, tiny_raster_file, tiny_stations_file
) -> None:
    inputs = _tiny_args(tiny_communes_file, tiny_raster_file, tiny_stations_file)
    dem = tmp_path / "N21E106.hgt"
    code = main(["coverage", *inputs, "--model", "38901", "--dem", str(dem), "--json"])
    err = capsys.readouterr().err
    assert code == 2 and "N21E106.hgt: DEM file not found" in err and "Traceback" not in err


def test_cli_json_reports_terrain_from_a_dem(
    tmp_path, capsys, tiny_communes_file, tiny_raster_file, tiny_stations_file
) -> None:
    from affine import Affine

    from tests.conftest import X0, Y0, write_raster

    dem = write_raster(tmp_path / "dem.tif", np.full((80, 80), 12.0),
                       Affine(100, 0, X0 - 3000, 0, -100, Y0 + 4000), "EPSG:32648")  # fmt: skip
    inputs = _tiny_args(tiny_communes_file, tiny_raster_file, tiny_stations_file)
    assert main(["coverage", *inputs, "--model", "38901", "--dem", str(dem), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["terrain_used"] is True
    assert "terrain from dem.tif" in payload["model_description"]
    assert set(payload["other_models"]) == {"radius"}


@pytest.mark.slow
def test_cli_38901_json_has_the_radius_shape(capsys) -> None:
    assert main(["coverage", "--model", "38901", "--json"]) == 0
    radio = json.loads(capsys.readouterr().out)
    assert main(["coverage", "--model", "radius", "--json"]) == 0
    radius = json.loads(capsys.readouterr().out)
    assert set(radio) == set(radius)
    assert set(radio["communes"][0]) == set(radius["communes"][0])
    assert len(radio["communes"]) == len(radius["communes"]) == 99
    assert radio["model"] == "38901" and radio["terrain_used"] is True
    assert "srtm3_n21e105_bacninh.tif (3″, ~90 m) on 6.6%" in radio["model_description"]
    assert "lower bound" in radio["model_description"]
    # each reports the other model beside its own share, and they agree
    assert radio["other_models"]["radius"]["covered_share"] == radius["covered_share"]
    assert radius["other_models"]["38901"]["covered_share"] == radio["covered_share"]
    assert 0.0 < radio["covered_share"] < 1.0


def test_default_terrain_is_the_embedded_dems_and_flat_earth_is_asked_for() -> None:
    assert PlanConfig().dem_paths == ()
    assert RadioModel().terrain_used and RadioModel().dem_paths == DEFAULT_DEM_PATHS
    assert all(Path(p).is_file() for p in DEFAULT_DEM_PATHS)
    assert "srtm3_n21e105_bacninh.tif, etopo2022_60s_bacninh.tif" in RadioModel().describe()
    assert not RadioModel(PlanConfig(dem_paths=("flat",))).terrain_used
    assert RadioModel(PlanConfig(dem_paths=("x.tif",))).terrain_used


def test_cli_dem_needs_the_radio_model(tmp_path, capsys) -> None:
    code = main(["coverage", "--model", "radius", "--dem", str(tmp_path / "x.tif")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "geoplan: error: --dem needs the radio model: add --model 38901 (radius ignores terrain)"
    )


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), workers=st.integers(2, 4))
def test_threads_give_the_same_best_server_to_the_bit(seed, workers) -> None:
    """Threads split the pairs' chunks among them and merge maxima and unions: every
    output equals one thread's, with terrain (the far pass) and with tied sites (two at
    one place: the lower index serves, as in one thread)."""
    rng = np.random.default_rng(seed)
    cells = _cells(rng.uniform(-2400, 2400, 400), rng.uniform(-400, 400, 400),
                   environment=rng.integers(0, 3, 400))  # fmt: skip
    x, y = rng.uniform(-2000, 2000, 6), rng.uniform(-300, 300, 6)
    sites = _sites(np.r_[x, x[:1]], np.r_[y, y[:1]], height_m=12.0)  # site 6 is site 0 again
    one = RadioModel(terrain=_ridge(90.0, 400.0), chunk_pairs=80, workers=1)
    many = replace(one, workers=workers)
    a, b = one.best_server(sites, cells), many.best_server(sites, cells)
    for name in ("rsrp_dbm", "site_index", "covered", "probability"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in a.layer_probability:
        np.testing.assert_array_equal(a.layer_probability[name], b.layer_probability[name])
        np.testing.assert_array_equal(a.layer_covered[name], b.layer_covered[name])
    assert (a.matrix != b.matrix).nnz == 0 and a.n_pairs == b.n_pairs
    assert 6 not in set(a.site_index.tolist())  # every tie went to site 0
