"""Terrain: DEM reading (GeoTIFF, SRTM .hgt, nodata), knife-edge loss, Earth curvature."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from affine import Affine
from pyproj import Transformer

from geoplan.errors import CRSError, FormatError, InputError
from geoplan.radio.terrain import (
    Terrain,
    diffraction_loss_db,
    earth_bulge_m,
    flat_terrain,
    knife_edge_loss_db,
    read_dem,
)
from tests.conftest import write_raster

DEM_FIXTURE = Path(__file__).parent / "data" / "dem_bacninh.tif"
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)


def _utm(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_UTM.transform(lon, lat)
    return float(x), float(y)


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
