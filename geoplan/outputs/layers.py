"""Geometry for display: light commune outlines, coverage footprint, density, hotspots.

Everything here is computed in the work CRS (metres) and returned in EPSG:4326 with
coordinates rounded (:data:`DISPLAY_PRECISION_DEG`, about 1 m), so a map stays small.
The numeric core (:func:`block_sum`, :func:`top_blocks`) works on
arrays; the rest are thin adapters over a :class:`~geoplan.grid.PopulationGrid`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio import features, warp
from rasterio.transform import array_bounds

from geoplan.config import STORAGE_CRS
from geoplan.grid import PopulationGrid
from geoplan.outputs.theme import classify
from geoplan.results import CoverageResult

#: Coordinates on the map are rounded to this grid (degrees; 1e-5 deg ~ 1.1 m).
DISPLAY_PRECISION_DEG = 1e-5
#: Commune outlines and the footprint are simplified with this tolerance (metres).
SIMPLIFY_M = 25.0
#: Density classes (people/km²): GHSL thresholds 300 and 1,500, then two urban steps.
DENSITY_BREAKS = (0.0, 300.0, 1500.0, 5000.0, 15000.0, np.inf)
DENSITY_COLOURS = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
#: Best-server SINR classes (dB) of the QCVN layer's map overlay: below 0 dB the
#: interference exceeds the signal; about 10 dB (2 layers) gives the 100 Mbit/s mean.
SINR_BREAKS_DB = (-np.inf, 0.0, 5.0, 10.0, 20.0, np.inf)
SINR_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
#: Best-server planning SS-RSRP classes (dBm) of the map's RSRP overlay, 10 dB steps as
#: drive-test maps class them: >= -80 strong, -80..-90 good, -90..-100 fair, -100..-110
#: the cell edge, < -110 below the default coverage threshold (``rsrp_threshold_dbm``).
#: A value on a bound takes the class above it (-110 dBm counts as covered).
RSRP_BREAKS_DBM = (-np.inf, -110.0, -100.0, -90.0, -80.0, np.inf)
#: Red (weak) to blue (strong), ColorBrewer RdYlBu: apart from the SINR's red to green.
RSRP_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")
#: Downlink rate classes (Mbit/s): QCVN 126's 30 Mbit/s sample and 100 Mbit/s mean.
RATE_BREAKS_MBPS = (0.0, 30.0, 100.0, 300.0, np.inf)
RATE_COLOURS = ("#fee5d9", "#fcae91", "#74a9cf", "#045a8d")
#: The overlays are drawn in Web Mercator, the map's own projection.
WEB_MERCATOR = "EPSG:3857"
#: Class code of cells without a value (outside the province, beyond every reach).
NO_CLASS = 255


# --------------------------------------------------------------------------- numeric core
def block_sum(values: np.ndarray, factor: int) -> np.ndarray:
    """Sum a 2-D array over ``factor`` × ``factor`` blocks (edges padded with 0).

    Parameters
    ----------
    values : 2-D float array
        E.g. people per cell.
    factor : int
        Cells per block side.

    >>> block_sum(np.ones((3, 5)), 2)
    array([[4., 4., 2.],
           [2., 2., 1.]])
    """
    rows, cols = values.shape
    padded = np.zeros((-(-rows // factor) * factor, -(-cols // factor) * factor))
    padded[:rows, :cols] = values
    blocks = padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor)
    return blocks.sum(axis=(1, 3))


def top_blocks(people: np.ndarray, n: int, min_people: float) -> np.ndarray:
    """Flat indices of the ``n`` largest entries of ``people`` that reach ``min_people``.

    Sorted largest first; ties broken by index, so the answer is deterministic.

    Parameters
    ----------
    people : float array
        People per block (any shape; flattened).
    n : int
        Most entries returned.
    min_people : float
        Fewest people an entry needs, people.

    >>> top_blocks(np.array([5.0, 50.0, 20.0, 50.0]), 2, 10.0)
    array([1, 3])
    """
    flat = np.asarray(people, dtype=float).ravel()
    order = np.lexsort((np.arange(flat.size), -flat))
    keep = order[flat[order] >= min_people]
    return keep[:n]


def class_codes(values: np.ndarray, breaks: tuple[float, ...]) -> np.ndarray:
    """Class index of each value between consecutive ``breaks``; NaN gets :data:`NO_CLASS`.

    >>> class_codes(np.array([-3.0, 0.0, 12.0, np.nan]), SINR_BREAKS_DB).tolist()
    [0, 1, 3, 255]
    """
    values = np.asarray(values, float)
    codes = np.searchsorted(np.asarray(breaks[1:-1]), values, side="right")
    return np.where(np.isnan(values), NO_CLASS, codes).astype(np.uint8)


def rgba_image(codes: np.ndarray, colours: tuple[str, ...], alpha: int = 180) -> np.ndarray:
    """An RGBA uint8 image of class codes, :data:`NO_CLASS` transparent.

    >>> rgba_image(np.array([[0, 255]], np.uint8), ("#ff0000",))[0].tolist()
    [[255, 0, 0, 180], [0, 0, 0, 0]]
    """
    palette = np.zeros((256, 4), np.uint8)
    for i, colour in enumerate(colours):
        palette[i] = [int(colour[k : k + 2], 16) for k in (1, 3, 5)] + [alpha]
    return palette[np.asarray(codes, np.uint8)]


# --------------------------------------------------------------------------- adapters
def class_overlay(
    grid: PopulationGrid,
    flat_index: np.ndarray,
    values: np.ndarray,
    breaks: tuple[float, ...],
    colours: tuple[str, ...],
) -> tuple[np.ndarray, list[list[float]]]:
    """Per-cell values as a classed RGBA image in Web Mercator, and its corners.

    The classes are drawn on the work grid, then reprojected (nearest) to EPSG:3857 at
    about the grid's resolution, the projection Leaflet stretches an image overlay in.

    Parameters
    ----------
    grid : PopulationGrid
        The work grid (metres).
    flat_index : int array
        Row-major index of each value's cell.
    values : float array
        One value per cell (NaN: none, transparent).
    breaks, colours : the classes' bounds and their colours (``#rrggbb``)

    Returns
    -------
    (image, bounds) : RGBA uint8 array (rows × cols × 4), and
        ``[[south, west], [north, east]]`` in degrees
    """
    codes = np.full(grid.shape, NO_CLASS, np.uint8)
    codes.ravel()[np.asarray(flat_index, np.int64)] = class_codes(values, breaks)
    bounds = array_bounds(*grid.shape, grid.transform)
    transform, width, height = warp.calculate_default_transform(
        grid.crs, WEB_MERCATOR, grid.shape[1], grid.shape[0], *bounds
    )
    out = np.full((height, width), NO_CLASS, np.uint8)
    warp.reproject(codes, out, src_transform=grid.transform, src_crs=grid.crs,
                   dst_transform=transform, dst_crs=WEB_MERCATOR, src_nodata=NO_CLASS,
                   dst_nodata=NO_CLASS, resampling=warp.Resampling.nearest)  # fmt: skip
    west, south, east, north = warp.transform_bounds(
        WEB_MERCATOR, STORAGE_CRS, *array_bounds(height, width, transform)
    )
    return rgba_image(out, colours), [[south, west], [north, east]]


def round_geometries(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in EPSG:4326 with coordinates snapped to :data:`DISPLAY_PRECISION_DEG`.

    Parameters
    ----------
    frame : GeoDataFrame
        Any CRS.
    """
    out = frame.to_crs(STORAGE_CRS)
    out.geometry = shapely.set_precision(out.geometry.values, DISPLAY_PRECISION_DEG)
    return out


def display_communes(
    communes: gpd.GeoDataFrame, work_crs: str, tolerance_m: float = SIMPLIFY_M
) -> gpd.GeoDataFrame:
    """Commune polygons simplified (shared borders stay shared) and rounded for a map.

    Parameters
    ----------
    communes : GeoDataFrame
        Commune polygons, any CRS.
    work_crs : str
        Projected CRS (metres) to simplify in.
    tolerance_m : float
        Simplification tolerance, metres.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, coordinates rounded to about 1 m.
    """
    work = communes.to_crs(work_crs)
    simplified = shapely.coverage_simplify(work.geometry.values, tolerance_m)
    work = work.set_geometry(shapely.make_valid(simplified))
    return round_geometries(work)


def grid_mask(grid: PopulationGrid, flat_index: np.ndarray) -> np.ndarray:
    """Boolean raster of the grid, True at the cells given by flat index.

    Parameters
    ----------
    grid : PopulationGrid
        The grid (its shape).
    flat_index : int array
        Row-major cell indices.
    """
    mask = np.zeros(grid.shape, dtype=bool)
    mask.ravel()[np.asarray(flat_index, dtype=np.int64)] = True
    return mask


def mask_polygons(
    mask: np.ndarray, transform: Affine, crs: str, tolerance_m: float = SIMPLIFY_M
) -> gpd.GeoDataFrame:
    """The True region of a raster mask as simplified polygons (EPSG:4326, rounded).

    Parameters
    ----------
    mask : 2-D bool array
        The raster.
    transform : Affine
        The raster's transform in ``crs`` (metres).
    crs : str
        Projected CRS of ``transform``.
    tolerance_m : float
        Simplification tolerance, metres.
    """
    shapes = [
        shapely.geometry.shape(geom)
        for geom, _ in features.shapes(mask.astype(np.uint8), mask=mask, transform=transform)
    ]
    frame = gpd.GeoDataFrame(geometry=shapes, crs=crs)
    if len(frame):
        frame.geometry = shapely.simplify(frame.geometry.values, tolerance_m)
    return round_geometries(frame)


def coverage_footprint(grid: PopulationGrid, result: CoverageResult) -> gpd.GeoDataFrame:
    """Polygons of the covered cells of ``result`` (EPSG:4326).

    Parameters
    ----------
    grid : PopulationGrid
        The grid ``result`` was computed on.
    result : CoverageResult
        Coverage with ``covered`` per cell.
    """
    covered_cells = result.cells.flat_index[result.covered]
    return mask_polygons(grid_mask(grid, covered_cells), grid.transform, grid.crs)


def _block_grid(grid: PopulationGrid, block_m: float) -> tuple[int, Affine]:
    factor = max(1, round(block_m / grid.cell_size_m))
    a, b, c, d, e, f = grid.transform[:6]
    return factor, Affine(a * factor, b * factor, c, d * factor, e * factor, f)


def density_classes(grid: PopulationGrid, block_m: float = 1000.0) -> gpd.GeoDataFrame:
    """Population density on ``block_m`` blocks, as polygons per density class.

    Density is people over the block's area inside the province. Neighbouring blocks
    of one class merge into one polygon. Columns: ``density_class`` (index into
    :data:`DENSITY_BREAKS`), ``geometry``.

    Parameters
    ----------
    grid : PopulationGrid
        People per cell.
    block_m : float
        Block side, metres (rounded to whole cells).
    """
    factor, transform = _block_grid(grid, block_m)
    people = block_sum(grid.population, factor)
    inside_km2 = block_sum((grid.commune_index >= 0).astype(float), factor)
    inside_km2 *= grid.cell_size_m**2 / 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(inside_km2 > 0, people / inside_km2, 0.0)
    classes = classify(density, DENSITY_BREAKS).astype(np.int16)
    pieces = [
        (shapely.geometry.shape(geom), int(value))
        for geom, value in features.shapes(classes, mask=inside_km2 > 0, transform=transform)
    ]
    frame = gpd.GeoDataFrame(
        {"density_class": [value for _, value in pieces]},
        geometry=[geom for geom, _ in pieces],
        crs=grid.crs,
    )
    return round_geometries(frame)


def uncovered_hotspots(
    grid: PopulationGrid,
    result: CoverageResult,
    n: int = 15,
    block_m: float = 1000.0,
    min_people: float = 1000.0,
) -> gpd.GeoDataFrame:
    """The ``n`` ``block_m`` squares with the most people outside coverage.

    Columns: ``uncovered_population`` (people), ``geometry`` (square, EPSG:4326),
    largest first.

    Parameters
    ----------
    grid : PopulationGrid
        The grid ``result`` was computed on.
    result : CoverageResult
        Coverage with ``covered`` per cell.
    n : int
        Most squares returned.
    block_m : float
        Square side, metres (rounded to whole cells).
    min_people : float
        Fewest uncovered people a square needs, people.
    """
    uncovered = np.zeros(grid.shape)
    cells = result.cells
    uncovered.ravel()[cells.flat_index] = cells.population * ~result.covered
    factor, transform = _block_grid(grid, block_m)
    people = block_sum(uncovered, factor)
    chosen = top_blocks(people, n, min_people)
    rows, cols = np.divmod(chosen, people.shape[1])
    x0, y0 = transform @ (np.asarray(cols, float), np.asarray(rows, float))  # type: ignore[operator]
    x1, y1 = transform @ (np.asarray(cols + 1, float), np.asarray(rows + 1, float))  # type: ignore[operator]
    squares = shapely.box(
        np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)
    )
    frame = gpd.GeoDataFrame(
        {"uncovered_population": people.ravel()[chosen]}, geometry=squares, crs=grid.crs
    )
    return round_geometries(frame)
