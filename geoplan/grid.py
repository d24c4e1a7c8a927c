"""The work grid: people per cell in the work CRS, and its cells as flat arrays."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from affine import Affine

from geoplan.schema import ENVIRONMENTS


@dataclass(frozen=True)
class PopulationGrid:
    """People per cell on a north-up grid in the work CRS.

    Attributes
    ----------
    population : (rows, cols) float array, people per cell (0 outside the province)
    commune_index : (rows, cols) int32 array, row of ``communes`` per cell, -1 outside
    environment : (rows, cols) int8 array, 0 urban, 1 suburban, 2 rural
    density_per_km2 : (rows, cols) float array, people per km² averaged over
        ``density_window_m``
    transform : Affine of the grid in ``crs`` (metres)
    crs : the work CRS (a projected CRS in metres)
    cell_size_m : side of a cell, metres
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
        """Rows and columns of the grid."""
        rows, cols = self.population.shape
        return rows, cols

    def cell_centres_m(self, flat_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x, y (work CRS, metres) of the centres of cells given by flat index.

        Parameters
        ----------
        flat_index : array of int
            Row-major indices into the ``(rows, cols)`` grid.

        Returns
        -------
        (x, y) : arrays of float
            Cell centres, metres.
        """
        rows, cols = np.divmod(np.asarray(flat_index), self.shape[1])
        x, y = self.transform @ (cols + 0.5, rows + 0.5)  # type: ignore[operator]  # affine broadcasts arrays
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
        """Environment code at points (rural outside the grid).

        Parameters
        ----------
        x_m, y_m : arrays of float
            Point coordinates in the work CRS, metres.

        Returns
        -------
        ndarray of int8
            0 urban, 1 suburban, 2 rural, per point.
        """
        cols, rows = ~self.transform @ (np.asarray(x_m, float), np.asarray(y_m, float))
        rows = np.floor(rows).astype(int)
        cols = np.floor(cols).astype(int)
        ok = (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
        codes = np.full(rows.shape, ENVIRONMENTS.index("rural"), dtype=np.int8)
        codes[ok] = self.environment[rows[ok], cols[ok]]
        return codes


@dataclass(frozen=True)
class Cells:
    """Cells inside the province as flat, aligned arrays (work CRS, metres).

    Attributes
    ----------
    flat_index : int array, row-major index of each cell in the grid
    x_m, y_m : float arrays, cell centres, metres
    population : float array, people per cell
    commune : int array, row of the grid's ``communes`` per cell
    environment : int array, 0 urban, 1 suburban, 2 rural
    """

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
    """A north-up grid snapped to multiples of ``cell_size_m`` that covers ``bounds_m``.

    Parameters
    ----------
    bounds_m : tuple of float
        ``(left, bottom, right, top)`` in the work CRS, metres.
    cell_size_m : float
        Side of a cell, metres.

    Returns
    -------
    (transform, shape) : Affine and (rows, cols)
    """
    left, bottom, right, top = bounds_m
    x0 = np.floor(left / cell_size_m) * cell_size_m
    y1 = np.ceil(top / cell_size_m) * cell_size_m
    cols = int(np.ceil((right - x0) / cell_size_m))
    rows = int(np.ceil((y1 - bottom) / cell_size_m))
    return Affine.translation(x0, y1) @ Affine.scale(cell_size_m, -cell_size_m), (rows, cols)


#: Peak memory of the population and coverage stages per work-grid cell, bytes: the
#: grid's layers (people, density, commune, environment), the flat cell arrays and
#: the temporaries of downscaling (measured: 8.6 GB for the province at 10 m, 87 M cells).
BYTES_PER_CELL = 100


def grid_memory_bytes(bounds_m: tuple[float, float, float, float], cell_size_m: float) -> float:
    """Estimated peak memory (bytes) of a work grid over ``bounds_m`` with ``cell_size_m``.

    Parameters
    ----------
    bounds_m : tuple of float
        ``(left, bottom, right, top)`` in the work CRS, metres.
    cell_size_m : float
        Side of a cell, metres.

    Examples
    --------
    >>> f"{grid_memory_bytes((0, 0, 10_000, 10_000), 100.0):,.0f}"  # 101 x 101 cells
    '1,020,100'
    """
    left, bottom, right, top = bounds_m
    cells = np.ceil((right - left) / cell_size_m + 1) * np.ceil((top - bottom) / cell_size_m + 1)
    return float(cells * BYTES_PER_CELL)


def smallest_cell_size_m(bounds_m: tuple[float, float, float, float], memory_bytes: float) -> float:
    """The smallest whole-metre cell size whose grid over ``bounds_m`` fits ``memory_bytes``.

    Examples
    --------
    >>> smallest_cell_size_m((0, 0, 10_000, 10_000), 1_000_000)
    102.0
    """
    left, bottom, right, top = bounds_m
    size = max(
        1.0,
        float(np.ceil(np.sqrt((right - left) * (top - bottom) * BYTES_PER_CELL / memory_bytes))),
    )
    while grid_memory_bytes(bounds_m, size) > memory_bytes:
        size += 1.0
    return size


def subset_cells(cells: Cells, mask: np.ndarray) -> Cells:
    """The cells where ``mask`` is True, as a new :class:`Cells`.

    Parameters
    ----------
    cells : Cells
        The cells to subset.
    mask : array of bool
        One value per cell (or any index array NumPy accepts).
    """
    return Cells(
        flat_index=cells.flat_index[mask],
        x_m=cells.x_m[mask],
        y_m=cells.y_m[mask],
        population=cells.population[mask],
        commune=cells.commune[mask],
        environment=cells.environment[mask],
    )
