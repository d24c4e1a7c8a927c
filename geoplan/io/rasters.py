"""Read single-band rasters with their transform, CRS and nodata checked."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio._err import CPLE_BaseError
from rasterio.crs import CRS
from rasterio.errors import RasterioError, WindowError
from rasterio.transform import array_bounds
from rasterio.warp import transform_bounds
from rasterio.windows import Window, from_bounds

from geoplan.config import STORAGE_CRS
from geoplan.errors import CRSError, DataMismatchError, FormatError, InputError
from geoplan.io.embedded import DEFAULT_POPULATION

#: What GDAL raises for damaged files: rasterio's own errors, and GDAL's errors that
#: rasterio passes on unwrapped (a mangled TIFF tag: "Key 2049 of unknown type").
_GDAL_ERRORS = (RasterioError, CPLE_BaseError)


@dataclass(frozen=True)
class Raster:
    """A 2-D array with the affine transform and CRS that place it on Earth.

    ``values`` holds NaN where the source had nodata.

    Attributes
    ----------
    values : (rows, cols) float64 array, in the raster's unit (people per cell for
        population, metres for a DEM)
    transform : Affine from (col, row) to ``crs`` coordinates
    crs : the raster's CRS
    path : the file it was read from, or None
    """

    values: np.ndarray
    transform: Affine
    crs: CRS
    path: Path | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in the raster's CRS."""
        rows, cols = self.values.shape
        west, south, east, north = array_bounds(rows, cols, self.transform)
        return (float(west), float(south), float(east), float(north))


def read_raster(
    path: str | os.PathLike[str], bounds: tuple[float, float, float, float] | None = None
) -> Raster:
    """Read band 1 of a raster as float64 with nodata as NaN.

    ``bounds`` (west, south, east, north in degrees) reads only the window around
    them (with a margin of two cells), so a national 100 m WorldPop file does not
    have to fit in memory. Raises :class:`InputError` for a missing or empty file,
    an unreadable or truncated one, one without a CRS, or one that does not overlap
    ``bounds``.

    Parameters
    ----------
    path : str or path
        A GeoTIFF or any raster GDAL reads.
    bounds : tuple of float or None
        ``(west, south, east, north)`` in degrees (EPSG:4326); None reads it all.
    """
    src = Path(path)
    if not src.exists():
        raise InputError(f"{src}: file not found; check the path")
    if src.is_file() and src.stat().st_size == 0:
        raise FormatError(f"{src}: the file is empty; re-download it")
    try:
        with rasterio.open(src) as dataset:
            if dataset.crs is None:
                raise CRSError(
                    f"{src}: the raster has no coordinate reference system; "
                    "assign one (e.g. gdal_edit.py -a_srs EPSG:4326) and retry"
                )
            window = None if bounds is None else _window(dataset, bounds, src)
            values = dataset.read(1, window=window, masked=True).astype("float64").filled(np.nan)
            transform = dataset.transform
            if window is not None:  # same cells, origin moved to the window's corner
                transform = transform @ Affine.translation(window.col_off, window.row_off)
            return Raster(values=values, transform=transform, crs=dataset.crs, path=src)
    except _GDAL_ERRORS as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(
            f"{src}: not a readable raster, or truncated ({first_line}); re-download it"
        ) from exc


def _window(
    dataset: rasterio.io.DatasetReader, bounds: tuple[float, float, float, float], src: Path
) -> Window:
    """The dataset window covering ``bounds`` (degrees) plus two cells on every side."""
    left, bottom, right, top = transform_bounds(STORAGE_CRS, dataset.crs, *bounds)
    wanted = from_bounds(left, bottom, right, top, dataset.transform)
    padded = Window(wanted.col_off - 2, wanted.row_off - 2, wanted.width + 4, wanted.height + 4)
    full = Window(0, 0, dataset.width, dataset.height)
    try:
        window = padded.round_offsets(op="floor").round_lengths(op="ceil").intersection(full)
    except WindowError:
        window = None
    if window is None or window.width < 1 or window.height < 1:
        raise DataMismatchError(
            f"{src}: the raster does not overlap the province ({bounds[0]:.2f}..{bounds[2]:.2f} E, "
            f"{bounds[1]:.2f}..{bounds[3]:.2f} N); is it for the right country or area?"
        )
    return window


#: Negative values at or below this are nodata sentinels (WorldPop writes -99999).
NODATA_SENTINEL = -9999.0


def _check_population_bands(src: Path) -> None:
    """Refuse a rendered image (RGB, palette) as a population raster; warn on 8-bit counts."""
    if not src.is_file() or src.stat().st_size == 0:
        return  # read_raster says what is wrong
    try:
        with rasterio.open(src) as dataset:
            count, dtype = dataset.count, dataset.dtypes[0]
            interpretation = [c.name for c in dataset.colorinterp]
    except _GDAL_ERRORS:
        return  # read_raster says what is wrong
    if count != 1 or interpretation[0] == "palette":
        kind = "a colour palette" if count == 1 else f"{count} bands"
        raise FormatError(
            f"{src}: {kind} ({'/'.join(interpretation)}): a rendered image of a map, not people "
            "per cell; use the single-band count raster (e.g. WorldPop's ppp GeoTIFF)"
        )
    if dtype in ("uint8", "int8"):
        warnings.warn(
            f"{src}: 8-bit values (0..255) are unusual for people per cell; "
            "is it a rendered image? geoplan reads them as counts",
            stacklevel=3,
        )


def read_population_raster(
    path: str | os.PathLike[str] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> Raster:
    """Read a population-count raster (people per cell); negative counts become NaN.

    ``bounds`` (degrees) limits the read to the area of interest (see :func:`read_raster`).

    Parameters
    ----------
    path : str, path or None
        The raster (e.g. WorldPop); None reads the embedded population.
    bounds : tuple of float or None
        ``(west, south, east, north)`` in degrees.
    """
    src = Path(path) if path is not None else DEFAULT_POPULATION
    _check_population_bands(src)
    raster = read_raster(src, bounds)
    values = raster.values
    negative = (values < 0) & (values > NODATA_SENTINEL)
    if negative.any():
        row, col = (int(v) for v in np.argwhere(negative)[0])
        raise FormatError(
            f"{src}: {int(negative.sum()):,} cell(s) hold negative people (first: row {row + 1}, "
            f"column {col + 1}, {values[row, col]:g}); a population raster holds counts >= 0 "
            "(set its nodata value, e.g. gdal_edit.py -a_nodata -99999)"
        )
    values[values < 0] = np.nan  # nodata sentinels such as WorldPop's -99999
    if not np.isfinite(values).any():
        raise FormatError(f"{raster.path}: the raster holds no population values (all nodata)")
    return raster
