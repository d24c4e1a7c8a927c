"""Population stage: commune polygons and a population raster in, a :class:`PopulationGrid` out.

Clips the raster to the province, shares each source cell's people among the work
cells whose centres it holds (:func:`geoplan.numerics.downscale_sum_preserving`),
rescales every commune to its official total and classes each place as urban,
suburban or rural.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
from pyproj import Transformer
from rasterio import features
from scipy import ndimage

from geoplan.config import PlanConfig
from geoplan.errors import DataMismatchError
from geoplan.grid import PopulationGrid, work_grid
from geoplan.io.rasters import Raster
from geoplan.numerics import (
    classify_environment,
    downscale_sum_preserving,
    rescale_to_totals,
    window_density_per_km2,
)

log = logging.getLogger(__name__)


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
    transform, shape = work_grid(tuple(communes_m.total_bounds), config.cell_size_m)
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
