"""Population numerics on plain arrays: sum-preserving downscale, rescale, density classes.

A pure core: numpy and scipy in, numpy out; no geometry, no files.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


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

    Parameters
    ----------
    values : (n,) float array
        Values per cell (e.g. people).
    group : (n,) int array
        Group (e.g. commune row) per cell; negative for none.
    totals : (n_groups,) float array
        Wanted sum per group, in the unit of ``values`` (e.g. official people).

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

    Parameters
    ----------
    density_per_km2 : float array
        Population density per cell, people per km².
    urban_min : float
        Lowest urban density, people per km².
    suburban_min : float
        Lowest suburban density, people per km²; below it a cell is rural.

    Returns
    -------
    int8 array
        Codes, same shape as ``density_per_km2``.

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
    """Mean density (people/km²) over a square window, counting only cells inside.

    Parameters
    ----------
    population : (rows, cols) float array
        People per cell.
    inside : (rows, cols) bool array
        Cells inside the province; cells outside do not dilute the mean.
    cell_size_m : float
        Side of a cell, metres.
    window_m : float
        Side of the window, metres (rounded to whole cells, at least one).

    Returns
    -------
    (rows, cols) float array
        Density, people per km² (0 where the window holds no inside cell).
    """
    size = max(1, round(window_m / cell_size_m))
    people = ndimage.uniform_filter(population, size=size, mode="constant")
    share_inside = ndimage.uniform_filter(inside.astype(float), size=size, mode="constant")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_cell = np.where(share_inside > 0, people / share_inside, 0.0)
    return per_cell / (cell_size_m**2 / 1e6)
