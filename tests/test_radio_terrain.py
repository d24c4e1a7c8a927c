"""Terrain: DEM reading (GeoTIFF, SRTM .hgt, nodata, the embedded SRTM + ETOPO default),
profile sampling, knife-edge and Bullington diffraction, Earth curvature."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from scipy import ndimage
from shapely import contains_xy

from geoplan.errors import ConfigError, CRSError, FormatError, InputError
from geoplan.io.embedded import DATA_DIR
from geoplan.radio.diffraction import bullington_loss_db, single_edge_loss_db
from geoplan.radio.terrain import (
    DEFAULT_DEM_PATHS,
    Terrain,
    diffraction_loss_db,
    earth_bulge_m,
    flat_terrain,
    knife_edge_loss_db,
    read_dem,
    resolve_dem_paths,
)
from tests.conftest import write_raster

DEM_FIXTURE = Path(__file__).parent / "data" / "dem_bacninh.tif"
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)


def _utm(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_UTM.transform(lon, lat)
    return float(x), float(y)


def test_knife_edge_at_known_nu() -> None:
    # P.526 eq. (31): J(0) = 6.9 + 20 log10(√1.01 − 0.1) = 6.03 dB; J(1) = 6.9 +
    # 20 log10(√1.81 + 0.9) = 13.93 dB; J(−0.78) = 6.9 + 20 log10(√1.7744 − 0.88) ≈ 0
    np.testing.assert_allclose(knife_edge_loss_db(np.array([0.0, 1.0])), [6.03, 13.93], atol=0.01)
    assert 0.0 <= float(knife_edge_loss_db(-0.78)) < 0.01
    assert float(knife_edge_loss_db(-0.781)) == 0.0


def test_knife_edge_matches_p526_values() -> None:
    # J(0) = 6.9 + 20 log10(√1.01 − 0.1) = 6.03 dB; J(2.4) = 6.9 + 20 log10(2.508 + 2.3) = 20.54 dB
    loss = knife_edge_loss_db(np.array([-2.0, -0.8, 0.0, 2.4]))
    np.testing.assert_allclose(loss, [0.0, 0.0, 6.03, 20.54], atol=0.01)
    assert (np.diff(knife_edge_loss_db(np.linspace(-0.7, 10, 50))) > 0).all()


def test_earth_bulge() -> None:
    # d1 = d2 = 10 km, k = 4/3: 1e8 / (2 × 4/3 × 6,371 km) = 5.89 m
    assert float(earth_bulge_m(10_000.0, 10_000.0)) == pytest.approx(5.886, abs=0.01)


def _ridge(height_m: float, at_x_m: float) -> Terrain:
    cols, rows, res = 200, 40, 25.0
    x = -2500.0 + (np.arange(cols) + 0.5) * res
    elevation = np.tile(height_m * np.exp(-(((x - at_x_m) / 60.0) ** 2)), (rows, 1))
    return Terrain(elevation, Affine(res, 0, -2500.0, 0, -res, 500.0), "EPSG:32648")


def test_ridge_blocks_the_link_behind_it_only() -> None:
    terrain = _ridge(120.0, 600.0)
    loss = diffraction_loss_db(
        terrain, np.zeros(2), np.zeros(2), np.full(2, 30.0),
        np.array([1200.0, -1200.0]), np.zeros(2), 1.5, 3.5,
    )  # fmt: skip
    assert loss[0] > 30.0  # ν ≈ 23 over a 120 m ridge at 3.5 GHz
    assert loss[1] == 0.0


def test_flat_terrain_costs_nothing_at_short_range_but_curvature_does_far_away() -> None:
    terrain = flat_terrain((-1000.0, -1000.0, 61_000.0, 1000.0), resolution_m=200.0)
    loss = diffraction_loss_db(
        terrain, np.zeros(2), np.zeros(2), np.array([30.0, 10.0]),
        np.array([3000.0, 60_000.0]), np.zeros(2), 1.5, 3.5,
    )  # fmt: skip
    assert loss[0] == 0.0
    # 60 km, 10 m and 1.5 m antennas: the bulge (53 m mid-path) hides the receiver
    assert loss[1] > 10.0


def test_real_srtm_fixture_fills_nodata_with_a_warning(caplog) -> None:
    # a box across the tile edge at 106.0 E: half valid, half nodata
    left, bottom = _utm(105.97, 21.15)
    right, top = _utm(106.03, 21.20)
    with caplog.at_level(logging.WARNING):
        terrain = read_dem([DEM_FIXTURE], (left, bottom, right, top))
    assert "no elevation data" in caplog.text and "treated as flat" in caplog.text
    assert 0.3 < terrain.valid_share < 0.7
    assert np.isfinite(terrain.elevation_m).all()
    # the delta: every height between SRTM noise and low hills
    assert -20.0 < terrain.elevation_m.min() and terrain.elevation_m.max() < 400.0


def test_nodata_fill_can_be_stated(caplog) -> None:
    left, bottom = _utm(106.5, 21.3)  # entirely outside the one staged tile
    with caplog.at_level(logging.WARNING):
        terrain = read_dem([DEM_FIXTURE], (left, bottom, left + 2000, bottom + 2000),
                           nodata_elevation_m=42.0)  # fmt: skip
    assert terrain.valid_share == 0.0
    assert (terrain.elevation_m == 42.0).all()
    assert "flat at 42.0 m" in caplog.text


def test_srtm_hgt_tile_is_read_in_any_crs(tmp_path: Path) -> None:
    # a synthetic 3″ tile N21E105: height = 100 m × (longitude − 105), voids in one corner
    lon = 105.0 + np.arange(1201) / 1200.0
    heights = np.tile(np.round(100.0 * (lon - 105.0)), (1201, 1)).astype(">i2")
    heights[:100, :100] = -32768
    path = tmp_path / "N21E105.hgt"
    path.write_bytes(heights.tobytes())
    x, y = _utm(105.5, 21.5)
    terrain = read_dem([path], (x - 1000, y - 1000, x + 1000, y + 1000))
    assert terrain.valid_share == 1.0
    assert float(terrain.sample(np.array([x]), np.array([y]))[0]) == pytest.approx(50.0, abs=1.0)


def test_later_tiles_fill_gaps_of_earlier_ones(tmp_path: Path) -> None:
    west = write_raster(tmp_path / "w.tif", np.full((10, 10), 5.0),
                        Affine(100, 0, 600_000, 0, -100, 2_341_000), "EPSG:32648")  # fmt: skip
    east = write_raster(tmp_path / "e.tif", np.full((10, 10), 9.0),
                        Affine(100, 0, 601_000, 0, -100, 2_341_000), "EPSG:32648")  # fmt: skip
    terrain = read_dem([west, east], (600_000, 2_340_000, 602_000, 2_341_000), resolution_m=100)
    assert terrain.valid_share == 1.0
    assert set(np.unique(terrain.elevation_m)) == {5.0, 9.0}


def test_dem_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    bounds = (600_000.0, 2_340_000.0, 601_000.0, 2_341_000.0)
    with pytest.raises(InputError, match=r"nowhere\.tif: DEM file not found"):
        read_dem([tmp_path / "nowhere.tif"], bounds)
    junk = tmp_path / "junk.tif"
    junk.write_text("not a raster")
    with pytest.raises(FormatError, match=r"junk\.tif: not a readable DEM"):
        read_dem([junk], bounds)
    no_crs = write_raster(tmp_path / "nocrs.tif", np.ones((4, 4)), Affine.identity(), None)
    with pytest.raises(CRSError, match=r"nocrs\.tif: the DEM has no coordinate reference"):
        read_dem([no_crs], bounds)
    with pytest.raises(InputError, match="no DEM file given"):
        read_dem([], bounds)


# ---------------------------------------------------------------- Bullington (P.526 §4.5.1)
def _one(value: float) -> np.ndarray:
    return np.array([value])


def test_bullington_two_edges_by_hand() -> None:
    # 10 km between antennas at 0 m (no bulge), λ = 0.1 m; edges 50 m high at 2 km and
    # 40 m high at 7 km, flat ground at 0 m every other kilometre.
    # S_tim = max(50/2000, 40/7000) = 0.025; S_rim = max(50/8000, 40/3000) = 0.013333
    # d_b = (0 − 0 + 0.013333 × 10000)/(0.025 + 0.013333) = 3478.26 m, h_b = 86.957 m
    # ν_b = 86.957 × √(2 × 10000/(0.1 × 3478.26 × 6521.74)) = 8.165
    # L_uc = J(8.165) = 31.09 dB; L = 31.09 + (1 − e^(−31.09/6)) × (10 + 0.02 × 10) = 41.23 dB
    t = np.arange(1, 10) / 10.0
    ground = np.zeros((1, 9))
    ground[0, 1], ground[0, 6] = 50.0, 40.0
    args = (t, ground, _one(0.0), _one(0.0), _one(10_000.0), _one(0.1))
    assert float(bullington_loss_db(*args)[0]) == pytest.approx(41.23, abs=0.01)
    # the single knife edge sees the worst edge only: ν = 50 √(2e4/(0.1 × 2000 × 8000)) = 5.590
    assert float(single_edge_loss_db(*args)[0]) == pytest.approx(27.78, abs=0.01)


def test_bullington_on_a_line_of_sight_profile_is_the_worst_edge_plus_correction() -> None:
    # ground 3 m below a ray between two 10 m masts 1 km apart: ν = −3 × √(2e3/(0.1 × 500²))
    # = −0.849 → J = 0 at midpoint; raise it to 2 m below: ν = −0.566, J = 6.9 +
    # 20 log10(√(0.666² + 1) − 0.666) = 1.48 dB, L = 1.48 + (1 − e^(−1.48/6)) × 10.02 = 3.66 dB
    t = np.array([0.25, 0.5, 0.75])
    for below, expected in ((3.0, 0.0), (2.0, 3.66)):
        ground = np.array([[0.0, 10.0 - below, 0.0]])
        loss = bullington_loss_db(t, ground, _one(10.0), _one(10.0), _one(1000.0), _one(0.1))
        assert float(loss[0]) == pytest.approx(expected, abs=0.01)


_heights = st.lists(st.floats(-50.0, 300.0), min_size=2, max_size=24)


@settings(max_examples=60, deadline=None)
@given(
    heights=_heights,
    tx=st.floats(0.0, 200.0),
    rx=st.floats(0.0, 200.0),
    length=st.floats(100.0, 20_000.0),
    where=st.integers(0, 23),
    rise=st.floats(0.0, 300.0),
    wavelength=st.floats(0.01, 1.0),
)
def test_raising_the_ground_never_lowers_the_loss(heights, tx, rx, length, where, rise,
                                                  wavelength) -> None:  # fmt: skip
    k = len(heights)
    t = (np.arange(k) + 0.5) / k
    ground = np.array([heights])
    higher = ground.copy()
    higher[0, where % k] += rise
    args = (_one(tx), _one(rx), _one(length), _one(wavelength))
    before = float(bullington_loss_db(t, ground, *args)[0])
    after = float(bullington_loss_db(t, higher, *args)[0])
    single = float(single_edge_loss_db(t, ground, *args)[0])
    assert before >= 0.0
    assert after >= before - 1e-9
    assert before >= single - 1e-9  # never below the worst knife edge alone


@settings(max_examples=40, deadline=None)
@given(tx=st.floats(1.0, 100.0), rx=st.floats(1.0, 100.0), length=st.floats(50.0, 30_000.0),
       k=st.integers(1, 64), f_ghz=st.floats(0.5, 6.0))  # fmt: skip
def test_a_profile_clear_of_the_fresnel_zone_costs_nothing(tx, rx, length, k, f_ghz) -> None:
    t = (np.arange(k) + 0.5) / k
    wavelength = 0.299792458 / f_ghz
    ray = tx + (rx - tx) * t
    # ν <= −0.78 ⇔ clearance >= 0.78 √(λ d1 d2/(2 D)); keep 0.8 of the first Fresnel radius
    clearance = 0.8 * np.sqrt(wavelength * length * t * (1 - t))
    ground = (ray - clearance)[None, :]
    args = (t, ground, _one(tx), _one(rx), _one(length), _one(wavelength))
    assert float(bullington_loss_db(*args)[0]) == 0.0
    assert float(single_edge_loss_db(*args)[0]) == 0.0


def test_a_synthetic_ridge_costs_at_least_the_single_knife_edge() -> None:
    terrain = _ridge(120.0, 600.0)
    args = (terrain, np.zeros(3), np.zeros(3), np.full(3, 30.0),
            np.array([900.0, 1500.0, 2400.0]), np.zeros(3), 1.5, 3.5)  # fmt: skip
    bullington = diffraction_loss_db(*args)
    single = diffraction_loss_db(*args, method="single")
    assert (single > 20.0).all() and (bullington >= single).all()


def test_batched_profiles_equal_one_at_a_time() -> None:
    rng = np.random.default_rng(3)
    terrain = _ridge(80.0, 300.0)
    xb, xu = rng.uniform(-2400, 2400, 40), rng.uniform(-2400, 2400, 40)
    yb, yu = rng.uniform(-400, 400, 40), rng.uniform(-400, 400, 40)
    together = diffraction_loss_db(terrain, xb, yb, 25.0, xu, yu, 1.5, 3.5,
                                   max_samples_per_chunk=100)  # fmt: skip
    alone = [diffraction_loss_db(terrain, xb[i], yb[i], 25.0, xu[i], yu[i], 1.5, 3.5)[0]
             for i in range(40)]  # fmt: skip
    np.testing.assert_allclose(together, alone, atol=1e-9)
    assert (together > 0).any()


# ---------------------------------------------------------------- sampling
def test_bilinear_sampling_matches_scipy() -> None:
    rng = np.random.default_rng(5)
    terrain = Terrain(rng.normal(50, 20, (30, 40)), Affine(90, 0, 1000, 0, -90, 9000),
                      "EPSG:32648")  # fmt: skip
    x, y = rng.uniform(800, 5000, 500), rng.uniform(5800, 9200, 500)  # some beyond the grid
    cols, rows = ~terrain.transform @ (x, y)
    expected = ndimage.map_coordinates(terrain.elevation_m, [rows - 0.5, cols - 0.5], order=1,
                                       mode="nearest")  # fmt: skip
    np.testing.assert_allclose(terrain.sample(x, y), expected, atol=1e-9)
    t = np.linspace(0.05, 0.95, 7)
    profiles = terrain.sample_profiles(x[:50], y[:50], x[50:100], y[50:100], t)
    points = terrain.sample(x[:50, None] + (x[50:100] - x[:50])[:, None] * t,
                            y[:50, None] + (y[50:100] - y[:50])[:, None] * t)  # fmt: skip
    np.testing.assert_allclose(profiles, points, atol=0.01)  # float32 profiles


# ---------------------------------------------------------------- the embedded default
def _raw(path: str, lon: float, lat: float) -> float:
    """Bilinear value of a geographic DEM at a point, from its own pixel centres."""
    with rasterio.open(path) as src:
        values = src.read(1).astype(float)
        col, row = ~src.transform @ (lon, lat)
    return float(ndimage.map_coordinates(values, [[row - 0.5], [col - 0.5]], order=1)[0])


def test_default_dems_srtm_where_it_has_data_etopo_elsewhere() -> None:
    assert [Path(p).name for p in DEFAULT_DEM_PATHS] == [
        "srtm3_n21e105_bacninh.tif", "etopo2022_60s_bacninh.tif"]  # fmt: skip
    left, bottom = _utm(105.90, 21.10)
    right, top = _utm(106.10, 21.20)
    terrain = read_dem(DEFAULT_DEM_PATHS, (left, bottom, right, top))
    labels = [label for label, _ in terrain.layer_shares_at(*_utm(105.95, 21.15))]
    assert labels == ["srtm3_n21e105_bacninh.tif (3″, ~90 m)",
                      "etopo2022_60s_bacninh.tif (60″, ~1.8 km)", "none"]  # fmt: skip
    grid = dict(terrain.grid_shares())
    assert grid["none"] == 0.0 and 0.3 < grid[labels[0]] < 0.7  # the tile edge is at 106 E
    for lon, lat, source in ((105.95, 21.15, DEFAULT_DEM_PATHS[0]),
                             (106.07, 21.17, DEFAULT_DEM_PATHS[1])):  # fmt: skip
        here = float(terrain.sample(*(np.array([v]) for v in _utm(lon, lat)))[0])
        assert here == pytest.approx(_raw(source, lon, lat), abs=3.0)  # two bilinear steps
    assert "lower bound" in terrain.describe() and terrain.coarse


def test_no_cell_of_the_province_is_on_flat_earth() -> None:
    province = gpd.read_file(DATA_DIR / "boundaries" / "province_2025.geojson").to_crs("EPSG:32648")
    left, bottom, right, top = province.total_bounds
    terrain = read_dem(DEFAULT_DEM_PATHS, (left, bottom, right, top), resolution_m=500.0)
    x, y = np.meshgrid(np.arange(left, right, 1000.0), np.arange(bottom, top, 1000.0))
    inside = contains_xy(province.union_all(), x.ravel(), y.ravel())
    shares = dict(terrain.layer_shares_at(x.ravel()[inside], y.ravel()[inside]))
    assert shares["none"] == 0.0
    assert 0.05 < shares["srtm3_n21e105_bacninh.tif (3″, ~90 m)"] < 0.08  # PROVENANCE: 6.6%


@functools.cache
def _strip_terrain() -> Terrain:
    """The default DEMs around the SRTM tile's east edge (106 E)."""
    return read_dem(DEFAULT_DEM_PATHS, (*_utm(105.92, 21.09), *_utm(106.11, 21.21)))


@settings(max_examples=30, deadline=None)
@given(ends=st.tuples(*(st.floats(0.0, 1.0) for _ in range(4))))
def test_profile_spacing_is_fine_wherever_the_segment_touches_srtm(ends) -> None:
    left, bottom = _utm(105.93, 21.10)
    right, top = _utm(106.10, 21.20)
    terrain = _strip_terrain()
    xa, xb = (left + (right - left) * e for e in ends[:2])
    ya, yb = (bottom + (top - bottom) * e for e in ends[2:])
    spacing = float(terrain.profile_spacing_m(np.array([xa]), np.array([ya]),
                                              np.array([xb]), np.array([yb]))[0])  # fmt: skip
    # brute force: does any point of the segment fall on an SRTM cell?
    t = np.linspace(0, 1, 2001)
    r, c = terrain._cell_of(xa + (xb - xa) * t, ya + (yb - ya) * t, terrain.layer_index.shape)
    if (terrain.layer_index[r, c] == 0).any():
        assert spacing == 90.0
    else:  # ETOPO's 60″ cell / 4, or 90 m when close enough to the strip to be unsure
        assert spacing in (90.0, pytest.approx(1790.8 / 4, abs=1.0))


def test_profile_spacing_is_coarse_far_from_srtm() -> None:
    terrain = _strip_terrain()
    (xa, ya), (xb, yb) = _utm(106.06, 21.12), _utm(106.09, 21.18)  # 6+ km east of 106 E
    spacing = terrain.profile_spacing_m(np.array([xa]), np.array([ya]), np.array([xb]),
                                        np.array([yb]))  # fmt: skip
    assert float(spacing[0]) == pytest.approx(1790.8 / 4, abs=1.0)


def test_flat_earth_and_default_dem_settings() -> None:
    assert resolve_dem_paths([]) == DEFAULT_DEM_PATHS
    assert resolve_dem_paths(["flat"]) == ()
    assert resolve_dem_paths(["a.tif", "b.hgt"]) == ("a.tif", "b.hgt")
    with pytest.raises(ConfigError, match="takes no DEM file beside it"):
        resolve_dem_paths(["flat", "a.tif"])
