"""Light national outlines for display: units and provinces, simplified together.

The 3,321 cleaned units form one coverage (no overlaps, shared borders), so they are
simplified in one call (:func:`shapely.coverage_simplify`, borders stay shared) and
every province is the union of its simplified units: a province's outline and its
units' outer borders are the same lines on the map and in the brief.
:func:`encode_polygons` packs polygons as delta-coded integers for the national map
(about a third of the size of GeoJSON text).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.config import STORAGE_CRS
from geoplan.io.national import read_provinces, read_units, units_path

#: CRS the national outlines are simplified in (metres; the CRS of the national cleaning).
DISPLAY_CRS = "EPSG:32648"
#: Units are simplified with this tolerance for the map, metres (at zoom 10, the
#: zoom of a drilled province, a pixel is about 140 m).
UNIT_SIMPLIFY_M = 100.0
#: Coarser tolerance for the A4 brief, metres (a point there is about 5 km).
BRIEF_SIMPLIFY_M = 1000.0
#: Map coordinates are integers in steps of this many degrees (1e-4 deg ~ 11 m).
COORD_STEP_DEG = 1e-4


def read_unit_shapes(
    codes: Sequence[str] | None = None, path: str | os.PathLike[str] | None = None
) -> gpd.GeoDataFrame:
    """The cleaned units of the provinces ``codes`` (default all 34), EPSG:4326.

    Parameters
    ----------
    codes : sequence of str, optional
        Two-digit province codes; None reads every province in the file.
    path : str, path or None
        The national units zip (default :func:`geoplan.io.national.units_path`).

    Returns
    -------
    GeoDataFrame
        ``province_code``, ``code``, ``name``, ``geometry``, sorted by code.

    >>> len(read_unit_shapes(["19"]))
    92
    """
    src = path if path is not None else units_path()
    if codes is None:
        codes = [p.code for p in read_provinces(src)]
    frames = [read_units(str(code).zfill(2), src) for code in codes]
    units = pd.concat(frames, ignore_index=True)
    shapes = gpd.GeoDataFrame(units, geometry="geometry", crs=frames[0].crs)
    shapes["province_code"] = shapes["province_code"].astype(str).str.zfill(2)
    return shapes[["province_code", "code", "name", "geometry"]].sort_values("code")


def simplified_outlines(
    units: gpd.GeoDataFrame, tolerance_m: float = UNIT_SIMPLIFY_M
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Units simplified as one coverage, and each province as the union of its units.

    Parameters
    ----------
    units : GeoDataFrame
        Unit polygons with ``code`` and ``province_code`` (any CRS), not overlapping.
    tolerance_m : float
        Simplification tolerance, metres.

    Returns
    -------
    (GeoDataFrame, GeoDataFrame)
        The units (their columns kept) and the provinces (``code``, ``geometry``,
        sorted by code), both in EPSG:4326.

    >>> import geopandas as gpd, shapely
    >>> units = gpd.GeoDataFrame({"code": ["1", "2"], "province_code": ["01", "01"]},
    ...     geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
    ...     crs="EPSG:32648")
    >>> _, provinces = simplified_outlines(units)
    >>> round(float(provinces.to_crs("EPSG:32648").area.iloc[0]) / 1e6, 2)
    2.0
    """
    work = units.to_crs(DISPLAY_CRS)
    simple = shapely.make_valid(shapely.coverage_simplify(work.geometry.values, tolerance_m))
    work = work.set_geometry(simple)
    by_province = work.groupby("province_code", sort=True).geometry
    outlines = [shapely.coverage_union_all(group.values) for _, group in by_province]
    provinces = gpd.GeoDataFrame(
        {"code": list(by_province.groups)}, geometry=outlines, crs=DISPLAY_CRS
    )
    return work.to_crs(STORAGE_CRS), provinces.to_crs(STORAGE_CRS)


def encode_polygons(
    geometries: Sequence[shapely.Geometry] | np.ndarray, step_deg: float = COORD_STEP_DEG
) -> list[list[list[list[int]]]]:
    """Polygons (EPSG:4326) as rings of delta-coded integer coordinates.

    A ring is ``[x0, y0, dx1, dy1, …]`` in steps of ``step_deg`` (longitude, latitude;
    the first pair absolute, the others the difference from the point before; repeated
    points and the closing point left out): a cumulative sum times ``step_deg`` gives
    the coordinates back (:func:`decode_ring`).

    Parameters
    ----------
    geometries : sequence of shapely geometries
        Polygons or multipolygons in degrees.
    step_deg : float
        Quantisation step, degrees.

    Returns
    -------
    list
        Per geometry its polygons, each a list of rings (exterior first, then holes),
        each a flat list of ints. A ring left with fewer than 3 distinct points is
        dropped, and with an exterior its whole polygon.

    >>> encode_polygons([shapely.box(105.0, 21.0, 105.001, 21.002)])
    [[[[1050010, 210000, 0, 20, -10, 0, 0, -20]]]]
    """
    geoms = np.asarray(geometries, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, point_of = shapely.get_coordinates(rings, return_index=True)
    ints = np.rint(coords / step_deg).astype(np.int64)
    starts = np.searchsorted(point_of, np.arange(len(rings) + 1))
    exterior = np.r_[True, ring_of[1:] != ring_of[:-1]] if len(rings) else np.array([], bool)
    encoded: list[list[list[list[int]]]] = [[] for _ in range(len(geoms))]
    kept_part = -1
    for ring in range(len(rings)):
        part = int(ring_of[ring])
        if not exterior[ring] and part != kept_part:
            continue  # a hole of a polygon whose exterior was dropped
        points = ints[starts[ring] : starts[ring + 1] - 1]  # without the closing point
        keep = np.r_[True, np.any(np.diff(points, axis=0) != 0, axis=1)]
        points = points[keep]
        if len(points) < 3:
            continue
        delta = np.vstack([points[:1], np.diff(points, axis=0)]).ravel().tolist()
        if exterior[ring]:
            encoded[int(part_of[part])].append([delta])
            kept_part = part
        else:
            encoded[int(part_of[part])][-1].append(delta)
    return encoded


def decode_ring(ring: Sequence[int], step_deg: float = COORD_STEP_DEG) -> np.ndarray:
    """The ``(n, 2)`` lon/lat coordinates of one ring of :func:`encode_polygons`, degrees.

    >>> decode_ring([1050010, 210000, 0, 20, -10, 0]).round(4).tolist()
    [[105.001, 21.0], [105.001, 21.002], [105.0, 21.002]]
    """
    return np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0) * step_deg
