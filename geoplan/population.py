"""Population on the work grid: clip, sum-preserving downscale, rescale to official totals.

Pure numeric core (:func:`downscale_sum_preserving`, :func:`rescale_to_totals`,
:func:`classify_environment`) and one adapter, :func:`build_population_grid`, that
turns the commune polygons and a population raster into a :class:`PopulationGrid`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from affine import Affine
from pyproj import Transformer
from rasterio import features
from scipy import ndimage

from geoplan.config import ENVIRONMENTS, PlanConfig
from geoplan.errors import DataMismatchError
from geoplan.io.rasters import Raster, apply_affine

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- numeric core
def downscale_sum_preserving(
    source_values: np.ndarray, source_index: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Share each source cell's value among the target cells that fall in it.

    Parameters
    ----------
    source_values : (n_source,) array
        People per source cell (NaN or negative counts as 0).
    source_index : (n_target,) int array
        For each target cell, the source cell its centre lies in; -1 for none.
    weights : (n_target,) array, optional
        Relative share of each target cell within its source cell (e.g. a smoothed
        density). Uniform when omitted; a source cell whose weights are all 0 is
        shared uniformly.

    Returns
    -------
    (n_target,) float array whose sums per source cell equal ``source_values`` for
    every source cell that has at least one target cell.

    Examples
    --------
    >>> downscale_sum_preserving(np.array([8.0, 3.0]), np.array([0, 0, 0, 0, 1, -1]))
    array([2., 2., 2., 2., 3., 0.])
    """
    values = np.nan_to_num(np.asarray(source_values, dtype=float), nan=0.0).clip(min=0.0)
    index = np.asarray(source_index)
    inside = index >= 0
    idx = index[inside]
    w = np.ones(idx.size) if weights is None else np.asarray(weights, float)[inside].clip(min=0)
    counts = np.bincount(idx, minlength=values.size).astype(float)
    weight_sums = np.bincount(idx, weights=w, minlength=values.size)
    # a source cell whose weights vanish falls back to an even share
    w = np.where(weight_sums[idx] > 0, w, 1.0)
    weight_sums = np.where(weight_sums > 0, weight_sums, counts)
    out = np.zeros(index.size)
    out[inside] = w / weight_sums[idx] * values[idx]  # share first: exact for tiny weights
    return out


def rescale_to_totals(
    values: np.ndarray, group: np.ndarray, totals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scale ``values`` so that the sum over each group equals ``totals[group]``.

    A group with cells but no value gets its total spread evenly. Cells with
    ``group < 0`` become 0.

    Returns
    -------
    scaled : array like ``values``
    factors : (n_groups,) array of the multiplier used per group (NaN where the
        total was spread evenly or the group has no cell).

    Examples
    --------
    >>> scaled, factors = rescale_to_totals(np.array([1.0, 3.0, 0.0]), np.array([0, 0, 1]),
    ...                                     np.array([8.0, 5.0]))
    >>> scaled, factors
    (array([2., 6., 5.]), array([ 2., nan]))
    """
    values = np.asarray(values, dtype=float)
    group = np.asarray(group)
    totals = np.asarray(totals, dtype=float)
    inside = group >= 0
    g = group[inside]
    sums = np.bincount(g, weights=values[inside], minlength=totals.size)
    counts = np.bincount(g, minlength=totals.size)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factors = np.where(sums > 0, totals / sums, np.nan)
        even = np.where(counts > 0, totals / counts, 0.0)
    scaled = np.zeros_like(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        # share of the group first, then the total: stays finite for tiny sums
        scaled[inside] = np.where(sums[g] > 0, values[inside] / sums[g] * totals[g], even[g])
    return scaled, factors


def classify_environment(
    density_per_km2: np.ndarray, urban_min: float, suburban_min: float
) -> np.ndarray:
    """Environment code per cell: 0 urban, 1 suburban, 2 rural (see ``ENVIRONMENTS``).

    >>> classify_environment(np.array([2000.0, 500.0, 10.0]), 1500, 300)
    array([0, 1, 2], dtype=int8)
    """
    codes = np.full(np.shape(density_per_km2), 2, dtype=np.int8)
    codes[density_per_km2 >= suburban_min] = 1
    codes[density_per_km2 >= urban_min] = 0
    return codes


def window_density_per_km2(
    population: np.ndarray, inside: np.ndarray, cell_size_m: float, window_m: float
) -> np.ndarray:
    """Mean density (people/km²) over a square window, counting only cells inside."""
    size = max(1, round(window_m / cell_size_m))
    people = ndimage.uniform_filter(population, size=size, mode="constant")
    share_inside = ndimage.uniform_filter(inside.astype(float), size=size, mode="constant")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_cell = np.where(share_inside > 0, people / share_inside, 0.0)
    return per_cell / (cell_size_m**2 / 1e6)


# --------------------------------------------------------------------------- adapter
@dataclass(frozen=True)
class PopulationGrid:
    """People per cell on a north-up grid in the work CRS.

    Attributes
    ----------
    population : (rows, cols) float array, people per cell (0 outside the province)
    commune_index : (rows, cols) int32 array, row of ``communes`` per cell, -1 outside
    environment : (rows, cols) int8 array, 0 urban, 1 suburban, 2 rural
    density_per_km2 : (rows, cols) float array, density averaged over ``density_window_m``
    transform : Affine of the grid in ``crs``
    communes : the commune table (EPSG:4326) that ``commune_index`` points into
    source_total_in_province : people of the source raster inside the province
    scale_factor : official total / source total
    commune_factors : per-commune multiplier applied to reach the official figures
    """

    population: np.ndarray
    commune_index: np.ndarray
    environment: np.ndarray
    density_per_km2: np.ndarray
    transform: Affine
    crs: str
    cell_size_m: float
    communes: gpd.GeoDataFrame
    source_total_in_province: float
    scale_factor: float
    commune_factors: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = self.population.shape
        return rows, cols

    def cell_centres_m(self, flat_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x, y (work CRS, metres) of the centres of cells given by flat index."""
        rows, cols = np.divmod(np.asarray(flat_index), self.shape[1])
        x, y = apply_affine(self.transform, cols + 0.5, rows + 0.5)
        return np.asarray(x), np.asarray(y)

    def cells(self) -> Cells:
        """The cells inside the province as flat arrays (the demand of every model)."""
        flat = np.flatnonzero(self.commune_index.ravel() >= 0)
        x_m, y_m = self.cell_centres_m(flat)
        return Cells(
            flat_index=flat,
            x_m=x_m,
            y_m=y_m,
            population=self.population.ravel()[flat],
            commune=self.commune_index.ravel()[flat],
            environment=self.environment.ravel()[flat],
        )

    def environment_at(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Environment code at points (rural outside the grid)."""
        cols, rows = apply_affine(~self.transform, x_m, y_m)
        rows = np.floor(rows).astype(int)
        cols = np.floor(cols).astype(int)
        ok = (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
        codes = np.full(rows.shape, ENVIRONMENTS.index("rural"), dtype=np.int8)
        codes[ok] = self.environment[rows[ok], cols[ok]]
        return codes


@dataclass(frozen=True)
class Cells:
    """Cells inside the province as flat, aligned arrays (work CRS, metres)."""

    flat_index: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    population: np.ndarray
    commune: np.ndarray
    environment: np.ndarray

    def __len__(self) -> int:
        return int(self.flat_index.size)


def work_grid(
    bounds_m: tuple[float, float, float, float], cell_size_m: float
) -> tuple[Affine, tuple[int, int]]:
    """A north-up grid snapped to multiples of ``cell_size_m`` that covers ``bounds_m``."""
    left, bottom, right, top = bounds_m
    x0 = np.floor(left / cell_size_m) * cell_size_m
    y1 = np.ceil(top / cell_size_m) * cell_size_m
    cols = int(np.ceil((right - x0) / cell_size_m))
    rows = int(np.ceil((y1 - bottom) / cell_size_m))
    return Affine(cell_size_m, 0.0, x0, 0.0, -cell_size_m, y1), (rows, cols)


def build_population_grid(
    communes: gpd.GeoDataFrame, raster: Raster, config: PlanConfig | None = None
) -> PopulationGrid:
    """Clip, downscale and rescale ``raster`` onto a work grid over ``communes``.

    Every commune's grid sum equals its official ``population``, so the province
    sum equals the official total.
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
    x_m, y_m = apply_affine(transform, cols_i + 0.5, rows_i + 0.5)
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
    col_f, row_f = apply_affine(~raster.transform, sx, sy)
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
