"""Tiny synthetic fixtures: three square communes, a coarse population raster, five sites."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from hypothesis import settings
from shapely.geometry import box

from geoplan.config import PlanConfig
from geoplan.optimize.stop import STOP

X0, Y0 = 600_000.0, 2_340_000.0  # EPSG:32648, inside the province's UTM zone
WORK_CRS = "EPSG:32648"

# No deadlines: an example's time is not what a test proves (on a loaded 2-core CI
# machine a 0.2 s example can take 0.3 s and fail as "flaky"); tests set max_examples.
settings.register_profile("geoplan", deadline=None)
settings.load_profile("geoplan")


@pytest.fixture(autouse=True)
def no_stop_request() -> Iterator[None]:
    """Each test starts without a stop request: an interrupted solve leaves
    :data:`geoplan.optimize.stop.STOP` set until the next solve clears it, and a test
    that calls a solver's parts directly would otherwise see a stop it never asked for."""
    STOP.clear()
    yield
    STOP.clear()


@pytest.fixture
def tiny_communes() -> gpd.GeoDataFrame:
    """Three 1 km × 1 km communes side by side (west to east), official population given."""
    squares = [box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(3)]
    frame = gpd.GeoDataFrame(
        {
            "code": ["00001", "00002", "00003"],
            "name": ["Một", "Hai", "Ba"],
            "population": [1000, 2000, 500],
        },
        geometry=squares,
        crs=WORK_CRS,
    )
    return frame.to_crs("EPSG:4326")


@pytest.fixture
def tiny_communes_file(tmp_path: Path, tiny_communes: gpd.GeoDataFrame) -> Path:
    path = tmp_path / "communes.geojson"
    tiny_communes.to_file(path)
    return path


def write_raster(path: Path, values: np.ndarray, transform: Affine, crs: str | None) -> Path:
    profile = {
        "driver": "GTiff",
        "height": values.shape[0],
        "width": values.shape[1],
        "count": 1,
        "dtype": "float32",
        "transform": transform,
        "nodata": -99999.0,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values.astype("float32"), 1)
    return path


@pytest.fixture
def tiny_raster_file(tmp_path: Path) -> Path:
    """A 10 × 10 raster of 500 m cells over the communes, 10 people per cell (4,000 m wide)."""
    transform = Affine(500.0, 0.0, X0 - 1000.0, 0.0, -500.0, Y0 + 3000.0)
    return write_raster(tmp_path / "pop.tif", np.full((10, 10), 10.0), transform, WORK_CRS)


@pytest.fixture
def tiny_config() -> PlanConfig:
    # unit tests compute by hand on the radius model; the radio model (the default) has
    # its own tests
    return PlanConfig(
        cell_size_m=100.0,
        radius_urban_m=300.0,
        radius_suburban_m=300.0,
        radius_rural_m=300.0,
        coverage_model="radius",
    )


@pytest.fixture
def tiny_stations_file(tmp_path: Path) -> Path:
    """Five sites: one in the centre of each commune, two far outside."""
    to_lonlat = gpd.GeoSeries.from_xy(
        [X0 + 500, X0 + 1500, X0 + 2500, X0 + 50_000, X0 - 50_000],
        [Y0 + 500] * 5,
        crs=WORK_CRS,
    ).to_crs("EPSG:4326")
    lines = ["site_id,operator,lon,lat"]
    for i, point in enumerate(to_lonlat):
        lines.append(f"S{i + 1},Viettel,{point.x:.8f},{point.y:.8f}")
    path = tmp_path / "stations.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
