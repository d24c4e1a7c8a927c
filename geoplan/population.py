"""Population stage: commune polygons and a population raster in, a :class:`PopulationGrid` out.

Clips the raster to the province, shares each source cell's people among the work
cells whose centres it holds (:func:`geoplan.numerics.downscale_sum_preserving`),
rescales every commune to its official total and classes each place as urban,
suburban or rural.
"""

from __future__ import annotations

import logging
import os
import warnings

import geopandas as gpd
import numpy as np
from pyproj import Transformer
from rasterio import features
from scipy import ndimage

from geoplan.config import PlanConfig
from geoplan.errors import DataMismatchError, ResourceError
from geoplan.grid import PopulationGrid, grid_memory_bytes, smallest_cell_size_m, work_grid
from geoplan.io.rasters import Raster
from geoplan.numerics import (
    classify_environment,
    downscale_sum_preserving,
    rescale_to_totals,
    window_density_per_km2,
)

log = logging.getLogger(__name__)

#: A work grid estimated to need more than this (bytes) is built with a warning.
WARN_GRID_BYTES = 2e9
#: Share of the available memory a work grid may take before it is refused.
MAX_MEMORY_SHARE = 0.8


def available_memory_bytes() -> float:
    """Memory available to this process, bytes (``MemAvailable``; else physical memory).

    Examples
    --------
    >>> available_memory_bytes() > 0
    True
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2.0**30  # unknown platform: assume a modest laptop


def check_grid_memory(
    bounds_m: tuple[float, float, float, float],
    cell_size_m: float,
    available_bytes: float | None = None,
) -> float:
    """Refuse a work grid that cannot fit in memory; warn when it is large.

    Parameters
    ----------
    bounds_m : tuple of float
        ``(left, bottom, right, top)`` of the province in the work CRS, metres.
    cell_size_m : float
        Side of a cell, metres.
    available_bytes : float or None
        Memory at hand, bytes; None asks the system (:func:`available_memory_bytes`).

    Returns
    -------
    float
        The estimate, bytes.

    Raises
    ------
    ResourceError
        The estimate exceeds :data:`MAX_MEMORY_SHARE` of the available memory; the
        message gives the smallest cell size that fits.
    """
    needed = grid_memory_bytes(bounds_m, cell_size_m)
    available = available_memory_bytes() if available_bytes is None else available_bytes
    budget = MAX_MEMORY_SHARE * available
    if needed > budget:
        raise ResourceError(
            f"--cell-size-m {cell_size_m:g}: the work grid would need about "
            f"{needed / 1e9:,.1f} GB of memory and {available / 1e9:,.1f} GB is available; "
            f"use --cell-size-m {smallest_cell_size_m(bounds_m, budget):g} or more "
            f"(default {PlanConfig.cell_size_m:g})"
        )
    if needed > WARN_GRID_BYTES:
        warnings.warn(
            f"--cell-size-m {cell_size_m:g}: the work grid needs about {needed / 1e9:,.1f} GB "
            "of memory and may take minutes; the default 100 m is much faster",
            stacklevel=2,
        )
    return needed


def build_population_grid(
    communes: gpd.GeoDataFrame, raster: Raster, config: PlanConfig | None = None
) -> PopulationGrid:
    """Clip, downscale and rescale ``raster`` onto a work grid over ``communes``.

    Every commune's grid sum equals its official ``population``, so the province
    sum equals the official total.

    Parameters
    ----------
    communes : GeoDataFrame
        Commune polygons with ``code``, ``name`` and official ``population`` (people).
    raster : Raster
        Population counts (people per source cell, any CRS); must overlap ``communes``.
    config : PlanConfig or None
        Settings: ``cell_size_m`` and ``density_window_m`` (metres), the density
        thresholds (people per km²) and the downscale method.

    Returns
    -------
    PopulationGrid
        People per work-grid cell (``config.cell_size_m`` metres square), commune index
        and environment class (urban, suburban, rural) per cell.
    """
    config = config or PlanConfig()
    communes_m = communes.to_crs(config.work_crs)
    left, bottom, right, top = (float(v) for v in communes_m.total_bounds)
    bounds_m = (left, bottom, right, top)
    check_grid_memory(bounds_m, config.cell_size_m)  # before the arrays: refuse or warn
    transform, shape = work_grid(bounds_m, config.cell_size_m)
    commune_index = features.rasterize(
        zip(communes_m.geometry, range(len(communes_m)), strict=True),
        out_shape=shape,
        transform=transform,
        fill=-1,
        dtype="int32",
    )
    inside_flat = np.flatnonzero(commune_index.ravel() >= 0)
    rows_i, cols_i = np.divmod(inside_flat, shape[1])
    xy_m = transform @ (cols_i + 0.5, rows_i + 0.5)  # type: ignore[operator]
    x_m, y_m = np.asarray(xy_m[0]), np.asarray(xy_m[1])
    source_index, weights = _locate_in_source(raster, x_m, y_m, config)
    if not (source_index >= 0).any():
        raise DataMismatchError(
            f"{raster.path}: the population raster does not overlap the boundaries; "
            "is it for the right country or area?"
        )
    people = downscale_sum_preserving(raster.values.ravel(), source_index, weights)
    source_total = float(people.sum())
    if source_total <= 0:
        raise DataMismatchError(f"{raster.path}: no population inside the boundaries")
    groups = commune_index.ravel()[inside_flat]
    official = communes["population"].to_numpy(float)
    scaled, factors = rescale_to_totals(people, groups, official)
    population = np.zeros(shape)
    population.ravel()[inside_flat] = scaled
    _warn_missing_communes(communes, groups)
    density = window_density_per_km2(
        population, commune_index >= 0, config.cell_size_m, config.density_window_m
    )
    environment = classify_environment(
        density, config.urban_density_per_km2, config.suburban_density_per_km2
    )
    scale_factor = float(official.sum() / source_total)
    log.info("source population in province %.0f; scale factor %.3f", source_total, scale_factor)
    return PopulationGrid(
        population=population,
        commune_index=commune_index,
        environment=environment,
        density_per_km2=density,
        transform=transform,
        crs=config.work_crs,
        cell_size_m=config.cell_size_m,
        communes=communes,
        source_total_in_province=source_total,
        scale_factor=scale_factor,
        commune_factors=factors,
    )


def _locate_in_source(
    raster: Raster, x_m: np.ndarray, y_m: np.ndarray, config: PlanConfig
) -> tuple[np.ndarray, np.ndarray | None]:
    """Source cell of each target centre, and (for ``smooth``) its bilinear weight."""
    to_source = Transformer.from_crs(config.work_crs, raster.crs, always_xy=True)
    sx, sy = to_source.transform(x_m, y_m)
    col_f, row_f = ~raster.transform @ (np.asarray(sx), np.asarray(sy))
    rows, cols = raster.values.shape
    r = np.floor(row_f).astype(int)
    c = np.floor(col_f).astype(int)
    ok = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
    index = np.where(ok, r * cols + c, -1)
    index[ok & ~np.isfinite(raster.values.ravel()[np.where(ok, index, 0)])] = -1
    if config.downscale_method == "uniform":
        return index, None
    filled = np.nan_to_num(raster.values, nan=0.0).clip(min=0.0)
    weights = ndimage.map_coordinates(filled, [row_f - 0.5, col_f - 0.5], order=1, mode="nearest")
    return index, weights


def _warn_missing_communes(communes: gpd.GeoDataFrame, groups: np.ndarray) -> None:
    present = np.bincount(groups, minlength=len(communes)) > 0
    if not present.all():
        names = ", ".join(communes["name"].to_numpy()[~present][:5])
        raise DataMismatchError(
            f"{(~present).sum()} commune(s) are smaller than one grid cell ({names}); "
            "use a smaller cell_size_m"
        )
