"""Read single-band rasters with their transform, CRS and nodata checked."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import RasterioError

from geoplan.config import DATA_DIR
from geoplan.errors import CRSError, FormatError, InputError

DEFAULT_POPULATION = DATA_DIR / "population" / "worldpop_2020_1km_bacninh.tif"


@dataclass(frozen=True)
class Raster:
    """A 2-D array with the affine transform and CRS that place it on Earth.

    ``values`` holds NaN where the source had nodata.
    """

    values: np.ndarray
    transform: Affine
    crs: CRS
    path: Path | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in the raster's CRS."""
        rows, cols = self.values.shape
        xs, ys = apply_affine(self.transform, np.array([0, cols]), np.array([0, rows]))
        return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def apply_affine(
    transform: Affine, x: np.ndarray | float, y: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Apply an affine transform to coordinate arrays (vectorised).

    >>> apply_affine(Affine(100, 0, 5, 0, -100, 50), np.array([1.0]), np.array([2.0]))
    (array([105.]), array([-150.]))
    """
    a, b, c, d, e, f = transform[:6]
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return a * x + b * y + c, d * x + e * y + f


def read_raster(path: str | os.PathLike[str]) -> Raster:
    """Read band 1 of a raster as float64 with nodata as NaN.

    Raises :class:`InputError` for a missing file, an unreadable or truncated one,
    or one without a CRS.
    """
    src = Path(path)
    if not src.exists():
        raise InputError(f"{src}: file not found; check the path")
    try:
        with rasterio.open(src) as dataset:
            if dataset.crs is None:
                raise CRSError(
                    f"{src}: the raster has no coordinate reference system; "
                    "assign one (e.g. gdal_edit.py -a_srs EPSG:4326) and retry"
                )
            values = dataset.read(1, masked=True).astype("float64").filled(np.nan)
            return Raster(values=values, transform=dataset.transform, crs=dataset.crs, path=src)
    except RasterioError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(
            f"{src}: not a readable raster, or truncated ({first_line}); re-download it"
        ) from exc


def read_population_raster(path: str | os.PathLike[str] | None = None) -> Raster:
    """Read a population-count raster (people per cell); negative counts become NaN."""
    raster = read_raster(path if path is not None else DEFAULT_POPULATION)
    values = raster.values
    values[values < 0] = np.nan
    if not np.isfinite(values).any():
        raise FormatError(f"{raster.path}: the raster holds no population values (all nodata)")
    return raster
