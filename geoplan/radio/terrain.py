"""Terrain: read DEMs onto the work grid and add diffraction loss along each link.

The DEMs (SRTM ``.hgt`` tiles or GeoTIFFs, any CRS) are resampled once (bilinear) onto
a north-up grid in the work CRS; an earlier file has precedence where it holds data and
later ones fill its gaps. By default (:data:`DEFAULT_DEM_PATHS`) that is the embedded
SRTM 3″ strip of the province's west, filled everywhere else by ETOPO 2022 at 60″
(``geoplan/data/dem/PROVENANCE.md``), so no cell of the province is on flat earth.

For each site–cell link the profile is sampled at a spacing fit for the finest DEM it
may cross (the grid's 90 m where it may touch SRTM, a quarter of the 60″ cell where it
stays on ETOPO); Earth curvature (effective radius 4/3 × 6,371 km) raises the profile;
the loss is ITU-R P.526 §4.5.1 Bullington (:mod:`geoplan.radio.diffraction`, which says
why not Deygout). Terrain adds loss only: the TR 38.901 formulas already hold the
clutter of their environment. A 60″ DEM averages ridges with their slopes, so the
diffraction it gives is a lower bound.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import rasterio
from affine import Affine
from rasterio.errors import RasterioError, WindowError
from rasterio.warp import Resampling, reproject, transform_bounds
from rasterio.windows import Window, from_bounds
from scipy import ndimage

from geoplan.config import WORK_CRS
from geoplan.errors import ConfigError, CRSError, FormatError, InputError
from geoplan.radio.diffraction import (
    EARTH_RADIUS_M,
    EFFECTIVE_EARTH_FACTOR,
    SPEED_OF_LIGHT_M_S,
    earth_bulge_m,
    knife_edge_loss_db,
    profile_loss_db,
)
from geoplan.schema import DiffractionMethod

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_DEM_PATHS",
    "EARTH_RADIUS_M",
    "EFFECTIVE_EARTH_FACTOR",
    "FLAT_EARTH",
    "SPEED_OF_LIGHT_M_S",
    "DemLayer",
    "Terrain",
    "diffraction_loss_db",
    "earth_bulge_m",
    "flat_terrain",
    "knife_edge_loss_db",
    "read_dem",
    "resolve_dem_paths",
]

#: Height given to DEM cells without data when no valid cell exists to take a median from.
DEFAULT_NODATA_ELEVATION_M = 0.0
#: The embedded DEMs (see their PROVENANCE.md), in the package's data folder.
EMBEDDED_DEM_DIR: Final = Path(str(resources.files("geoplan").joinpath("data", "dem")))
#: The default terrain, by precedence: SRTM 3″ (~90 m) where it has data (the west of
#: the province, 6.6% of its area), ETOPO 2022 60″ (~1.8 km) everywhere else.
DEFAULT_DEM_PATHS: Final[tuple[str, ...]] = (
    str(EMBEDDED_DEM_DIR / "srtm3_n21e105_bacninh.tif"),
    str(EMBEDDED_DEM_DIR / "etopo2022_60s_bacninh.tif"),
)
#: The one DEM "path" that asks for flat earth (``--dem flat``).
FLAT_EARTH: Final = "flat"
#: A DEM this coarse or coarser (metres) smooths ridges: its diffraction is a lower bound.
COARSE_DEM_M: Final = 500.0
#: Profile samples per DEM cell, for DEMs coarser than the work grid (bilinear terrain
#: between the DEM's posts is smooth, so a few samples per cell find its crests).
SAMPLES_PER_DEM_CELL: Final = 4
#: At most this many samples per profile (23 km at 90 m).
MAX_PROFILE_SAMPLES: Final = 256
#: Profiles are batched by sample count, rounded up to one of these.
_SAMPLE_BUCKETS: Final = np.unique(np.round(np.geomspace(1, MAX_PROFILE_SAMPLES, 24)).astype(int))
_METRES_PER_DEGREE: Final = 111_320.0


def resolve_dem_paths(dem_paths: Sequence[str]) -> tuple[str, ...]:
    """The DEM files a setting asks for: () for flat earth, the embedded ones by default.

    Parameters
    ----------
    dem_paths : sequence of str
        ``PlanConfig.dem_paths``: empty for the default DEMs, ``("flat",)`` for flat
        earth, or files.

    Returns
    -------
    tuple of str
        The files to read, by precedence; empty means flat earth.

    >>> resolve_dem_paths(["flat"]), len(resolve_dem_paths([]))
    ((), 2)
    """
    paths = tuple(str(p) for p in dem_paths)
    if not paths:
        return DEFAULT_DEM_PATHS
    if FLAT_EARTH in paths:
        if len(paths) > 1:
            raise ConfigError(
                f"dem_paths {', '.join(paths)}: {FLAT_EARTH!r} means flat earth and takes no "
                "DEM file beside it; pass either --dem flat or DEM files"
            )
        return ()
    return paths


@dataclass(frozen=True)
class DemLayer:
    """One DEM file as read: its name and native resolution.

    Attributes
    ----------
    name : the file name
    resolution_m : native cell side, metres (geometric mean of both axes)
    resolution_arcsec : native cell side in arc-seconds, or None for a projected DEM
    """

    name: str
    resolution_m: float
    resolution_arcsec: float | None = None

    @property
    def label(self) -> str:
        """``name (3″, ~90 m)``."""
        metres = (f"~{self.resolution_m / 1000:.1f} km" if self.resolution_m >= 1000
                  else f"~{self.resolution_m:.0f} m")  # fmt: skip
        if self.resolution_arcsec is None:
            return f"{self.name} ({metres})"
        return f"{self.name} ({self.resolution_arcsec:g}″, {metres})"

    @property
    def coarse(self) -> bool:
        """True when the DEM is too coarse for ridges (diffraction is a lower bound)."""
        return self.resolution_m >= COARSE_DEM_M


@dataclass(frozen=True)
class Terrain:
    """Ground elevation (metres above the geoid) on a north-up grid in the work CRS.

    Attributes
    ----------
    elevation_m : (rows, cols) float array, metres; nodata already filled
    transform : Affine of the grid in ``crs`` (metres)
    crs : the work CRS
    valid_share : share of the grid from valid DEM data, 0..1
    source : where the elevations came from (file names, ``"flat"``, ``"array"``)
    valid_mask : (rows, cols) bool array of valid DEM cells, or None
    layers : the DEM files read, by precedence
    layer_index : (rows, cols) int8 array, per cell the index in ``layers`` it came
        from, −1 where no file had data (filled flat); None for a terrain from an array
    spacing_levels : profile spacings (metres, ascending) with, for each but the last, a
        grid of distances (metres) to the nearest cell needing that spacing or finer
    cell_shares : per layer label (and ``"none"``), the share of the model's cells on
        it, once known (:meth:`with_cell_shares`)
    fill_m : height given to cells without data, metres (NaN when there were none)
    """

    elevation_m: np.ndarray
    transform: Affine
    crs: str
    valid_share: float = 1.0
    source: str = "array"
    valid_mask: np.ndarray | None = None
    layers: tuple[DemLayer, ...] = ()
    layer_index: np.ndarray | None = field(default=None, repr=False)
    spacing_levels: tuple[tuple[float, np.ndarray | None], ...] = field(default=(), repr=False)
    cell_shares: tuple[tuple[str, float], ...] = ()
    fill_m: float = float("nan")

    def __post_init__(self) -> None:
        t = self.transform
        if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
            raise ValueError(f"terrain grid must be north-up with square cells, got {t!r}")

    def _grid_xy(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (column, row) of work-CRS points, 0 at the grid's outer corner."""
        t = self.transform
        return (np.asarray(x_m, float) - t.c) / t.a, (np.asarray(y_m, float) - t.f) / t.e

    def _cell_of(self, x_m: np.ndarray, y_m: np.ndarray, shape: tuple[int, int]) -> tuple:
        cols, rows = self._grid_xy(x_m, y_m)
        r = np.clip(np.floor(rows).astype(np.int64), 0, shape[0] - 1)
        c = np.clip(np.floor(cols).astype(np.int64), 0, shape[1] - 1)
        return r, c

    @cached_property
    def _elevation_f32(self) -> np.ndarray:
        """The elevations as a flat float32 array, for fast profile sampling."""
        return np.ascontiguousarray(self.elevation_m, dtype=np.float32).ravel()

    def valid_share_at(self, x_m: np.ndarray, y_m: np.ndarray) -> float:
        """Share of the points that fall on valid DEM data (not filled nodata).

        Points beyond the grid count as its nearest edge cell.

        Parameters
        ----------
        x_m, y_m : float arrays
            Points in the work CRS, metres.

        Returns
        -------
        float
            0..1; :attr:`valid_share` without a mask or points.
        """
        if self.valid_mask is None or np.size(x_m) == 0:
            return self.valid_share
        r, c = self._cell_of(x_m, y_m, self.valid_mask.shape)
        return float(self.valid_mask[r, c].mean())

    def layer_shares_at(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[tuple[str, float], ...]:
        """Share of the points on each DEM layer, and on none (``"none"``, filled flat).

        Parameters
        ----------
        x_m, y_m : float arrays
            Points in the work CRS, metres (beyond the grid: its nearest edge cell).

        Returns
        -------
        tuple of (label, share)
            One per layer in precedence order, then ``"none"``; shares 0..1 sum to 1.
        """
        if self.layer_index is None or np.size(x_m) == 0:
            return ()
        r, c = self._cell_of(x_m, y_m, self.layer_index.shape)
        index = self.layer_index[r, c]
        shares = [(layer.label, float(np.mean(index == i))) for i, layer in enumerate(self.layers)]
        return (*shares, ("none", float(np.mean(index < 0))))

    def with_cell_shares(self, x_m: np.ndarray, y_m: np.ndarray) -> Terrain:
        """This terrain, stating which share of the given cells lies on each DEM.

        Parameters
        ----------
        x_m, y_m : float arrays
            The model's cells (e.g. the population grid's), work CRS, metres.
        """
        shares = self.layer_shares_at(x_m, y_m)
        return Terrain(
            self.elevation_m, self.transform, self.crs, self.valid_share, self.source,
            self.valid_mask, self.layers, self.layer_index, self.spacing_levels, shares,
            self.fill_m,
        )  # fmt: skip

    @property
    def resolution_m(self) -> float:
        """Side of a grid cell, metres."""
        return float(abs(self.transform.a))

    @property
    def coarse(self) -> bool:
        """True when a coarse DEM (>= 500 m) is in use: diffraction is then a lower bound."""
        return any(layer.coarse for layer in self.layers)

    def sample(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Bilinear elevation at work-CRS points (edge values beyond the grid).

        Parameters
        ----------
        x_m, y_m : float arrays
            Points in the work CRS, metres.

        Returns
        -------
        float array
            Elevation, metres, shaped like ``x_m``.
        """
        cols, rows = self._grid_xy(x_m, y_m)
        return self._bilinear(cols - 0.5, rows - 0.5, self.elevation_m.ravel())

    def _bilinear(self, col: np.ndarray, row: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """Bilinear values of ``flat`` (the grid, raveled) at cell-centre coordinates."""
        n_rows, n_cols = self.elevation_m.shape
        col = np.clip(col, 0, n_cols - 1, dtype=flat.dtype)
        row = np.clip(row, 0, n_rows - 1, dtype=flat.dtype)
        c0 = np.minimum(col.astype(np.int32), max(n_cols - 2, 0))
        r0 = np.minimum(row.astype(np.int32), max(n_rows - 2, 0))
        fc, fr = col - c0.astype(flat.dtype), row - r0.astype(flat.dtype)
        index = r0 * n_cols + c0
        right = min(1, n_cols - 1)
        top = flat[index]
        top += (flat[index + right] - top) * fc
        below = index + (n_cols if n_rows > 1 else 0)
        bottom = flat[below]
        bottom += (flat[below + right] - bottom) * fc
        return top + (bottom - top) * fr

    def sample_profiles(
        self, xa_m: np.ndarray, ya_m: np.ndarray, xb_m: np.ndarray, yb_m: np.ndarray,
        fraction: np.ndarray,
    ) -> np.ndarray:  # fmt: skip
        """Bilinear elevation (float32, metres) at ``fraction`` of each segment A–B.

        Parameters
        ----------
        xa_m, ya_m, xb_m, yb_m : (n,) float arrays
            Both ends of each segment, work CRS, metres.
        fraction : (k,) float array
            Positions along the segments, 0 at A and 1 at B.

        Returns
        -------
        (n, k) float32 array
            Elevation, metres.
        """
        ca, ra = self._grid_xy(xa_m, ya_m)
        cb, rb = self._grid_xy(xb_m, yb_m)
        t = np.asarray(fraction, np.float32)[None, :]
        col = (ca - 0.5).astype(np.float32)[:, None] + (cb - ca).astype(np.float32)[:, None] * t
        row = (ra - 0.5).astype(np.float32)[:, None] + (rb - ra).astype(np.float32)[:, None] * t
        return self._bilinear(col, row, self._elevation_f32)

    def profile_spacing_m(
        self, xa_m: np.ndarray, ya_m: np.ndarray, xb_m: np.ndarray, yb_m: np.ndarray
    ) -> np.ndarray:
        """Sample spacing (metres) for each segment A–B: the finest any DEM it may touch needs.

        A segment may touch the cells needing spacing s only if the distances of its ends
        to those cells add up to at most its length (plus a cell diagonal per end); the
        test is conservative, never coarser than needed.

        Parameters
        ----------
        xa_m, ya_m, xb_m, yb_m : float arrays
            Both ends of each segment, work CRS, metres.

        Returns
        -------
        float array
            Spacing per segment, metres (the grid's cell without spacing levels).
        """
        xa, ya, xb, yb = np.broadcast_arrays(
            *(np.asarray(a, float) for a in (xa_m, ya_m, xb_m, yb_m))
        )
        if not self.spacing_levels:
            return np.full(xa.shape, self.resolution_m)
        spacing = np.full(xa.shape, self.spacing_levels[-1][0])
        slack = np.hypot(xb - xa, yb - ya) + 2 * math.sqrt(2) * self.resolution_m
        for level_m, distance in reversed(self.spacing_levels[:-1]):
            assert distance is not None
            ra, ca = self._cell_of(xa, ya, distance.shape)
            rb, cb = self._cell_of(xb, yb, distance.shape)
            touches = distance[ra, ca] + distance[rb, cb] <= slack
            spacing = np.where(touches, level_m, spacing)
        return spacing

    def describe(self) -> str:
        """One line: each DEM with its resolution and share of cells, the grid, the method."""
        if self.layers:
            parts = self.cell_shares or self.grid_shares()
            on = ", ".join(f"{label} on {share:.1%}" for label, share in parts if label != "none")
            none = dict(parts).get("none", 0.0)
            where = "of cells" if self.cell_shares else "of the grid"
            text = f"terrain from {on} {where}"
            if none > 0:
                text += f", none (flat at {self.fill_m:.0f} m) on {none:.1%}"
        else:
            text = f"terrain from {self.source} ({self.valid_share:.1%} of it from valid DEM data)"
        text += f"; resampled to a {self.resolution_m:g} m grid"
        if self.coarse:
            text += "; the coarse DEM smooths ridges, so its diffraction loss is a lower bound"
        return text

    def grid_shares(self) -> tuple[tuple[str, float], ...]:
        """Share of the grid's cells on each DEM layer, then ``"none"`` (0..1, sum 1)."""
        if self.layer_index is None:
            return ()
        index = self.layer_index
        shares = [(layer.label, float(np.mean(index == i))) for i, layer in enumerate(self.layers)]
        return (*shares, ("none", float(np.mean(index < 0))))

    def summary(self) -> dict[str, Any]:
        """The terrain as a JSON-ready dict: each DEM, its resolution and share of cells.

        Returns
        -------
        dict
            ``dems`` (``file``, ``resolution_m``, ``resolution_arcsec``, ``share``),
            ``no_dem_share`` (cells filled flat), ``shares_of`` (``"cells"`` or
            ``"grid"``), ``grid_m`` and ``lower_bound`` (a coarse DEM is in use).
        """
        parts = dict(self.cell_shares or self.grid_shares())
        dems = [
            {"file": layer.name, "resolution_m": round(layer.resolution_m, 1),
             "resolution_arcsec": layer.resolution_arcsec,
             "share": round(parts.get(layer.label, 0.0), 6)}
            for layer in self.layers
        ]  # fmt: skip
        return {
            "dems": dems,
            "no_dem_share": round(parts.get("none", 1.0 - self.valid_share), 6),
            "shares_of": "cells" if self.cell_shares else "grid",
            "grid_m": self.resolution_m,
            "lower_bound": self.coarse,
        }


def flat_terrain(
    bounds_m: tuple[float, float, float, float],
    elevation_m: float = 0.0,
    resolution_m: float = 100.0,
    crs: str = WORK_CRS,
) -> Terrain:
    """A flat terrain over ``bounds_m`` (left, bottom, right, top), for tests and defaults.

    Parameters
    ----------
    bounds_m : tuple of float
        ``(left, bottom, right, top)`` in ``crs``, metres.
    elevation_m : float
        The ground height everywhere, metres.
    resolution_m : float
        Cell side, metres (at least 2 × 2 cells).
    crs : str
        A projected CRS in metres.
    """
    left, bottom, right, top = bounds_m
    cols = max(2, int(np.ceil((right - left) / resolution_m)))
    rows = max(2, int(np.ceil((top - bottom) / resolution_m)))
    transform = Affine(resolution_m, 0.0, left, 0.0, -resolution_m, top)
    return Terrain(np.full((rows, cols), float(elevation_m)), transform, crs, 1.0, "flat")


def read_dem(
    paths: Sequence[str | os.PathLike[str]],
    bounds_m: tuple[float, float, float, float],
    work_crs: str = WORK_CRS,
    resolution_m: float = 90.0,
    nodata_elevation_m: float | None = None,
    warn_nodata: bool = True,
) -> Terrain:
    """Read DEM files (``.hgt``, GeoTIFF; any CRS) onto a work-CRS grid over ``bounds_m``.

    An earlier file has precedence where it holds data; later files fill its gaps
    (bilinear resampling of each). Cells that no file covers, or that are nodata (SRTM
    voids: −32768), become flat at ``nodata_elevation_m`` — by default the median of the
    valid cells (0 m when none) — and a warning says how many. Heights are taken as
    metres above one geoid (SRTM's EGM96 and ETOPO 2022's EGM2008 differ by well under
    1 m here; no offset is applied).

    Parameters
    ----------
    paths : sequence of str or path
        DEM files by precedence; elevations in metres.
    bounds_m : tuple of float
        ``(left, bottom, right, top)`` of the area in ``work_crs``, metres.
    work_crs : str
        The projected CRS (metres) to resample onto.
    resolution_m : float
        Cell side of the resampled grid, metres.
    nodata_elevation_m : float or None
        Height for cells without data, metres; None uses the median of valid cells.
    warn_nodata : bool
        Log cells without data as a warning (else as info: the caller says what
        matters, e.g. the share of its own cells).

    Returns
    -------
    Terrain
        With the layers read, which one each cell came from, and the profile spacings.

    Examples
    --------
    >>> terrain = read_dem(DEFAULT_DEM_PATHS, (600_000, 2_340_000, 610_000, 2_350_000))
    >>> [label for label, _ in terrain.grid_shares()]
    ['srtm3_n21e105_bacninh.tif (3″, ~90 m)', 'etopo2022_60s_bacninh.tif (60″, ~1.8 km)', 'none']
    """
    if not paths:
        raise InputError("no DEM file given; pass --dem PATH (SRTM .hgt or GeoTIFF)")
    left, bottom, right, top = bounds_m
    cols = max(2, int(np.ceil((right - left) / resolution_m)))
    rows = max(2, int(np.ceil((top - bottom) / resolution_m)))
    transform = Affine(resolution_m, 0.0, left, 0.0, -resolution_m, top)
    elevation = np.full((rows, cols), np.nan)
    layer_index = np.full((rows, cols), -1, dtype=np.int8)
    layers = []
    for i, path in enumerate(paths):
        values, layer = _reproject_one(Path(path), transform, (rows, cols), work_crs)
        fill = np.isnan(elevation) & np.isfinite(values)
        elevation[fill] = values[fill]
        layer_index[fill] = i
        layers.append(layer)
    valid = np.isfinite(elevation)
    valid_share = float(valid.mean())
    fill_m = float("nan")
    if not valid.all():
        fill_m = _fill_value(elevation, valid, nodata_elevation_m)
        log.log(
            logging.WARNING if warn_nodata else logging.INFO,
            "DEM %s: %.1f%% of the area read has no elevation data; treated as flat at %.1f m",
            ", ".join(str(p) for p in paths),
            100 * (1 - valid_share),
            fill_m,
        )
        elevation = np.where(valid, elevation, fill_m)
    source = ", ".join(Path(p).name for p in paths)
    levels = _spacing_levels(layer_index, tuple(layers), resolution_m)
    return Terrain(elevation, transform, work_crs, valid_share, source, valid, tuple(layers),
                   layer_index, levels, (), fill_m)  # fmt: skip


def _spacing_levels(
    layer_index: np.ndarray, layers: tuple[DemLayer, ...], grid_m: float
) -> tuple[tuple[float, np.ndarray | None], ...]:
    """Profile spacing per cell, as levels with distance grids (see ``profile_spacing_m``)."""
    per_layer = [max(grid_m, layer.resolution_m / SAMPLES_PER_DEM_CELL) for layer in layers]
    coarsest = max(per_layer, default=grid_m)
    spacing = np.full(layer_index.shape, coarsest)  # filled (flat) cells need no detail
    for i, level in enumerate(per_layer):
        spacing[layer_index == i] = level
    values = sorted({float(v) for v in per_layer} | {coarsest})
    out: list[tuple[float, np.ndarray | None]] = []
    for level in values[:-1]:
        near = spacing <= level
        if near.any():
            distance = ndimage.distance_transform_edt(~near).astype(np.float32) * grid_m
            out.append((level, distance))
    out.append((values[-1], None))
    return tuple(out)


def _fill_value(elevation: np.ndarray, valid: np.ndarray, given: float | None) -> float:
    if given is not None:
        return float(given)
    return float(np.median(elevation[valid])) if valid.any() else DEFAULT_NODATA_ELEVATION_M


def _native_resolution(src: rasterio.io.DatasetReader) -> DemLayer:
    """The file's cell size in metres (and arc-seconds when geographic)."""
    res_x, res_y = (abs(float(r)) for r in src.res)
    name = Path(src.name).name
    if src.crs is not None and src.crs.is_geographic:
        lat = math.radians((src.bounds.top + src.bounds.bottom) / 2)
        metres = math.sqrt(res_x * _METRES_PER_DEGREE * math.cos(lat) * res_y * _METRES_PER_DEGREE)
        return DemLayer(name, metres, round(math.sqrt(res_x * res_y) * 3600, 2))
    return DemLayer(name, math.sqrt(res_x * res_y))


def _source_window(
    src: rasterio.io.DatasetReader, transform: Affine, shape: tuple[int, int], work_crs: str
) -> Window | None:
    """The window of ``src`` covering the target grid plus two cells, or None if none."""
    rows, cols = shape
    bounds = (transform.c, transform.f + transform.e * rows, transform.c + transform.a * cols,
              transform.f)  # fmt: skip
    left, bottom, right, top = transform_bounds(work_crs, src.crs, *bounds, densify_pts=21)
    wanted = from_bounds(left, bottom, right, top, src.transform)
    padded = Window(wanted.col_off - 2, wanted.row_off - 2, wanted.width + 4, wanted.height + 4)
    try:
        window = (
            padded.round_offsets(op="floor")
            .round_lengths(op="ceil")
            .intersection(Window(0, 0, src.width, src.height))
        )
    except WindowError:
        return None
    return window if window.width >= 1 and window.height >= 1 else None


def _reproject_one(
    path: Path, transform: Affine, shape: tuple[int, int], work_crs: str
) -> tuple[np.ndarray, DemLayer]:
    if not path.exists():
        raise InputError(f"{path}: DEM file not found; check the --dem path")
    out = np.full(shape, np.nan)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise CRSError(
                    f"{path}: the DEM has no coordinate reference system; assign one "
                    "(e.g. gdal_edit.py -a_srs EPSG:4326) and retry"
                )
            layer = _native_resolution(src)
            window = _source_window(src, transform, shape, work_crs)
            if window is None:  # the file does not reach the area
                return out, layer
            band = src.read(1, window=window, masked=True).astype("float64")
            values = band.filled(np.nan)
            values[values <= -32768] = np.nan  # SRTM void even when the header lacks nodata
            reproject(
                values,
                out,
                src_transform=src.transform @ Affine.translation(window.col_off, window.row_off),
                src_crs=src.crs,
                src_nodata=np.nan,
                dst_transform=transform,
                dst_crs=work_crs,
                dst_nodata=np.nan,
                resampling=Resampling.bilinear,
            )
    except RasterioError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(
            f"{path}: not a readable DEM ({first_line}); use an SRTM .hgt tile named like "
            "N21E106.hgt or a GeoTIFF"
        ) from exc
    return out, layer


def diffraction_loss_db(
    terrain: Terrain,
    x_bs_m: np.ndarray,
    y_bs_m: np.ndarray,
    h_bs_m: np.ndarray,
    x_ut_m: np.ndarray,
    y_ut_m: np.ndarray,
    h_ut_m: np.ndarray | float,
    frequency_ghz: np.ndarray | float,
    max_samples_per_chunk: int = 1_000_000,
    method: DiffractionMethod = "bullington",
) -> np.ndarray:
    """Terrain diffraction loss (dB) of each site–user link (vectorised over links).

    Each profile is sampled at :meth:`Terrain.profile_spacing_m` (at most
    :data:`MAX_PROFILE_SAMPLES` samples); links are batched by sample count.

    Parameters
    ----------
    terrain : the ground elevation
    x_bs_m, y_bs_m, h_bs_m : site positions and antenna heights above ground (metres)
    x_ut_m, y_ut_m, h_ut_m : user positions and heights above ground (metres)
    frequency_ghz : carrier frequency per link
    max_samples_per_chunk : bound on profile samples held in memory at once
    method : ``"bullington"`` (P.526 §4.5.1) or ``"single"`` (the worst knife edge)

    Returns
    -------
    (n,) loss in dB (0 where the path clears the terrain by ν <= −0.78).
    """
    n = np.size(x_bs_m)
    out = np.zeros(n)
    if n == 0:
        return out
    args = [np.ravel(a) for a in np.broadcast_arrays(
        *(np.asarray(a, float) for a in (x_bs_m, y_bs_m, h_bs_m, x_ut_m, y_ut_m, h_ut_m,
                                         frequency_ghz))
    )]  # fmt: skip
    xb, yb, hb, xu, yu, hu, fc = args
    length = np.hypot(xu - xb, yu - yb)
    spacing = terrain.profile_spacing_m(xb, yb, xu, yu)
    wanted = np.clip(np.ceil(length / spacing), 1, MAX_PROFILE_SAMPLES).astype(np.int64)
    samples = _SAMPLE_BUCKETS[np.searchsorted(_SAMPLE_BUCKETS, wanted)]
    order = np.argsort(samples, kind="stable")
    bounds = np.flatnonzero(np.r_[True, np.diff(samples[order]) != 0, True])
    for lo, hi in itertools.pairwise(bounds):
        k = int(samples[order[lo]])
        step = max(1, max_samples_per_chunk // k)
        for start in range(lo, hi, step):
            part = order[start : min(start + step, hi)]
            out[part] = _profile_loss(
                terrain, xb[part], yb[part], hb[part], xu[part], yu[part], hu[part], fc[part],
                k, method,
            )  # fmt: skip
    return out


def _profile_loss(
    terrain: Terrain,
    xb: np.ndarray,
    yb: np.ndarray,
    hb: np.ndarray,
    xu: np.ndarray,
    yu: np.ndarray,
    hu: np.ndarray,
    fc: np.ndarray,
    n_samples: int,
    method: DiffractionMethod,
) -> np.ndarray:
    t = (np.arange(n_samples) + 0.5) / n_samples  # interior points of each profile
    length = np.hypot(xu - xb, yu - yb)
    ground = terrain.sample_profiles(xb, yb, xu, yu, t)
    bulge = earth_bulge_m(length**2, 1.0).astype(np.float32)[:, None] * (t * (1 - t)).astype(
        np.float32
    )
    ground += bulge
    tx_m = terrain.sample(xb, yb) + hb
    rx_m = terrain.sample(xu, yu) + hu
    wavelength = SPEED_OF_LIGHT_M_S / (fc * 1e9)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = profile_loss_db(method, t, ground, tx_m, rx_m, length, wavelength)
    return np.where(length > 0, loss, 0.0)
