"""Vietnam's 34 provinces and 3,321 commune-level units: read, clean, select.

The shipped national files (``geoplan/data/national/``, see its PROVENANCE.md) are made
from the raw upstream files once, by :func:`read_raw_units` and :func:`clean_topology`
(``benchmarks/national_data.py``); a run reads one province of them with
:func:`province_data`, which finds the province by code or by name (diacritics and
case ignored: ``"thai nguyen"`` is Thái Nguyên) and picks its UTM zone.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.windows
import shapely
import shapely.ops
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from geoplan.config import STORAGE_CRS
from geoplan.errors import FormatError, InputError
from geoplan.io.boundaries import read_communes
from geoplan.io.embedded import DATA_DIR, DEFAULT_COMMUNES, DEFAULT_POPULATION, DEFAULT_STATIONS

#: Folder of the shipped national files.
NATIONAL_DIR = DATA_DIR / "national"
#: The cleaned units: one GeoJSON per province (``NN.geojson``) and ``provinces.geojson``.
NATIONAL_UNITS = NATIONAL_DIR / "units_2025.zip"
#: WorldPop 2020 1 km, all of Vietnam (DEFLATE GeoTIFF).
NATIONAL_POPULATION = NATIONAL_DIR / "worldpop_2020_1km_vnm.tif"
#: The population grid's licence (PROVENANCE.md states both files' licences).
POPULATION_LICENCE = "CC BY 4.0, WorldPop (www.worldpop.org), University of Southampton"
#: Environment variables that point a run at other copies of the national files.
UNITS_ENV, POPULATION_ENV = "GEOPLAN_NATIONAL_UNITS", "GEOPLAN_NATIONAL_POPULATION"
#: The province of the embedded default data; it keeps its own shipped files.
BAC_NINH_CODE = "24"
#: Bắc Ninh's synthetic set: 290 sites for its 3,619,443 people, placed with this
#: spacing factor (the bisection value 0.59375 that the calibration to 50% found; see
#: ``geoplan/data/stations/PROVENANCE.md``). Other provinces get the same sites per
#: person and the same factor, not re-tuned.
BAC_NINH_SITES, BAC_NINH_POPULATION = 290, 3_619_443
BAC_NINH_SPACING_FACTOR = 0.59375
#: Vietnam spans UTM zones 48N (102–108° E) and 49N (108–114° E).
UTM_ZONE_EDGE_LON = 108.0
#: Grid of the topology cleaning, metres (EPSG:32648): as for Bắc Ninh.
CLEAN_GRID_M = 0.5
#: CRS of the national cleaning; zone 49 units are 2–6° off its meridian, which
#: bends lengths by < 0.5% and changes no topology.
CLEAN_CRS = "EPSG:32648"
#: Gaps between units narrower than twice this (metres) and open to the outside are
#: filled by a morphological closing, as for the "thin inlets" of Bắc Ninh.
INLET_HALF_WIDTH_M = 25.0
#: A part of a unit smaller than this (m²) that touches another unit is a cleaning
#: fragment: it goes to the neighbour sharing its longest border.
FRAGMENT_AREA_M2 = 10_000.0
#: Topology-preserving simplification of the shipped units, metres.
SIMPLIFY_M = 10.0


@dataclass(frozen=True)
class Province:
    """One of the 34 provinces of 2025 (official figures).

    Attributes
    ----------
    code : two-digit province code (``"24"`` is Bắc Ninh)
    name : Vietnamese name, with diacritics
    population : official population, people (sum of its units)
    area_km2 : official area, km²
    lon, lat : centroid of its cleaned outline, degrees
    n_units : commune-level units
    """

    code: str
    name: str
    population: float
    area_km2: float
    lon: float
    lat: float
    n_units: int

    @property
    def work_crs(self) -> str:
        """The UTM zone of the centroid: ``"EPSG:32648"`` or ``"EPSG:32649"``.

        >>> Province("46", "Huế", 1.0, 1.0, 107.6, 16.3, 1).work_crs
        'EPSG:32648'
        """
        return utm_crs(self.lon)

    @property
    def is_default(self) -> bool:
        """True for Bắc Ninh, whose shipped files are the default data."""
        return self.code == BAC_NINH_CODE


def utm_crs(lon: float) -> str:
    """The WGS 84 UTM zone (north) of longitude ``lon`` within Vietnam.

    >>> utm_crs(105.9), utm_crs(108.2)
    ('EPSG:32648', 'EPSG:32649')
    """
    return "EPSG:32648" if lon < UTM_ZONE_EDGE_LON else "EPSG:32649"


def fold(text: str) -> str:
    """``text`` without diacritics, case or repeated spaces, for matching names.

    >>> fold("  Thái   Nguyên"), fold("Đắk Lắk"), fold("TP. Hồ Chí Minh")
    ('thai nguyen', 'dak lak', 'ho chi minh')
    """
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"^(tinh|thanh pho|tp\.?)\s+", "", " ".join(plain.split()))
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", plain).split())


# --- raw upstream files --------------------------------------------------------------


def read_raw_units(src_dir: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """The 3,321 units of the raw upstream files, each made a valid (multi)polygon.

    Each ring of a unit's ``polygons`` becomes a polygon, is repaired with
    ``make_valid`` (only its polygonal parts kept) and the parts are unioned.

    Parameters
    ----------
    src_dir : str or path
        The staged folder ``wards_2025/`` (``NN.json`` per province).

    Returns
    -------
    GeoDataFrame
        EPSG:4326; ``code``, ``name``, ``type_vi``, ``province_code``,
        ``province_name``, official ``area_km2`` (km²) and ``population`` (people).
    """
    folder = Path(src_dir)
    files = sorted(folder.glob("[0-9][0-9].json"))
    if not files:
        raise InputError(f"{folder}: no NN.json province files; give the wards_2025 folder")
    rows = []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        for ward in doc["wards"]:
            rows.append(
                {
                    "code": str(ward["id"]),
                    "name": ward["name"],
                    "type_vi": ward["type"],
                    "province_code": str(doc["provinceId"]),
                    "province_name": doc["provinceName"],
                    "area_km2": float(ward["area"]),
                    "population": float(ward["population"] or 0),
                    "geometry": _unit_polygon(ward["polygons"]),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=STORAGE_CRS)


def _unit_polygon(rings: list[list[list[float]]]) -> shapely.Geometry:
    parts = [shapely.make_valid(shapely.Polygon(r)) for r in rings if len(r) >= 4]
    return shapely.union_all(polygonal_parts(parts))


def polygonal_parts(geometries: Iterable[shapely.Geometry]) -> list[shapely.Polygon]:
    """The polygons among ``geometries`` and their parts (lines and points dropped).

    >>> mixed = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.Point(5, 5)])
    >>> [p.area for p in polygonal_parts([mixed])]
    [1.0]
    """
    parts = shapely.get_parts(np.asarray(list(geometries), dtype=object))
    nested = shapely.get_type_id(parts) == 7  # a GeometryCollection inside a collection
    if nested.any():
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
    kinds = shapely.get_type_id(parts)
    polygons = list(parts[kinds == 3])
    for multi in parts[kinds == 6]:
        polygons += list(shapely.get_parts(multi))
    return polygons


# --- topology cleaning ------------------------------------------------------------------


@dataclass(frozen=True)
class CleaningReport:
    """What :func:`clean_topology` changed (areas in m², counted in ``CLEAN_CRS``).

    Attributes
    ----------
    overlap_pairs_before, overlap_area_before_m2 : neighbours overlapping by > 1 m²
    holes_filled, holes_area_m2 : gaps enclosed by units, each given to a neighbour
    inlets_filled, inlets_area_m2 : thin gaps open to the outside, likewise
    fragments_moved, fragments_area_m2 : cleaning crumbs moved to a neighbour
    overlap_area_after_m2 : total overlap left
    """

    overlap_pairs_before: int
    overlap_area_before_m2: float
    holes_filled: int
    holes_area_m2: float
    inlets_filled: int
    inlets_area_m2: float
    fragments_moved: int
    fragments_area_m2: float
    overlap_area_after_m2: float


def overlap_area_m2(geometries: np.ndarray, min_area_m2: float = 0.0) -> tuple[int, float]:
    """(pairs, total area m²) of the pairwise overlaps of metric ``geometries``.

    Parameters
    ----------
    geometries : array of shapely geometries
        Polygons in a metric CRS.
    min_area_m2 : float
        Pairs overlapping by this much or less are not counted.

    Examples
    --------
    >>> overlap_area_m2(np.array([shapely.box(0, 0, 2, 2), shapely.box(1, 0, 3, 2)]))
    (1, 2.0)
    """
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    keep = left < right
    area = shapely.area(shapely.intersection(geometries[left[keep]], geometries[right[keep]]))
    counted = area > min_area_m2
    return int(counted.sum()), float(area[counted].sum())


def clean_topology(
    units: gpd.GeoDataFrame, crs: str = CLEAN_CRS, grid_m: float = CLEAN_GRID_M
) -> tuple[gpd.GeoDataFrame, CleaningReport]:
    """No overlaps, no slivers: the cleaning of Bắc Ninh's boundaries, for any set of units.

    All unit borders (and the mouths of thin inlets) are noded together on a
    ``grid_m`` grid in ``crs`` and cut into faces, so the result shares every border
    exactly. A face inside several units goes to the one with the lowest code; a gap
    enclosed by units (a hole of their union) or a thin inlet open to the outside
    (narrower than ``2 × INLET_HALF_WIDTH_M``, touching two units or more) goes to the
    neighbour sharing the longest border, and so do the crumbs the cleaning leaves
    (parts under ``FRAGMENT_AREA_M2`` touching another unit). Islands stay.

    Parameters
    ----------
    units : GeoDataFrame
        Valid (multi)polygons with a unique ``code``.
    crs : str
        Metric CRS of the cleaning.
    grid_m : float
        Precision grid, metres.

    Returns
    -------
    (GeoDataFrame, CleaningReport)
        The units in ``crs``, sorted by code, and what changed.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame({"code": ["a", "b"]}, crs="EPSG:32648",
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(90, 0, 200, 100)])
    >>> clean, report = clean_topology(frame, "EPSG:32648")
    >>> [round(a) for a in clean.area], report.overlap_area_after_m2
    ([10000, 10000], 0.0)
    """
    frame = units.sort_values("code").reset_index(drop=True).to_crs(crs)
    geoms = shapely.set_precision(shapely.make_valid(frame.geometry.values), grid_m)
    geoms = np.asarray([_polygonal(g) for g in geoms], dtype=object)
    pairs, before = overlap_area_m2(geoms, min_area_m2=1.0)
    union = _polygonal(shapely.union_all(geoms, grid_size=grid_m))
    holes = [shapely.Polygon(r) for part in polygonal_parts([union]) for r in part.interiors]
    inlets = _inlets(geoms, union, grid_m)
    faces = _faces(geoms, inlets, grid_m)
    owner = _lowest_owner(faces, geoms)
    points = shapely.point_on_surface(faces)
    in_hole = (owner < 0) & _within_any(points, holes)
    in_inlet = (owner < 0) & ~in_hole & _within_any(points, list(inlets))
    adjacency = _adjacency(faces)
    owner = _fill_from_neighbours(owner, in_hole | in_inlet, adjacency)
    enclosed = _enclosed(faces, owner, points)  # gaps that filled inlets closed off
    owner = _fill_from_neighbours(owner, enclosed, adjacency)
    in_hole |= enclosed
    owner, moved = _move_fragments(faces, owner, adjacency)
    cleaned = _dissolve(faces, owner, len(geoms))
    _, after = overlap_area_m2(cleaned)
    area = shapely.area(faces)
    report = CleaningReport(
        pairs,
        before,
        int(in_hole.sum()),
        float(area[in_hole].sum()),
        int(in_inlet.sum()),
        float(area[in_inlet].sum()),
        int(moved.sum()),
        float(area[moved].sum()),
        after,
    )
    return frame.set_geometry(cleaned), report


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The union of the polygonal parts of ``geometry`` (overlay needs one dimension)."""
    parts = polygonal_parts([geometry])
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _inlets(geoms: np.ndarray, union: shapely.Geometry, grid_m: float) -> np.ndarray:
    """Thin gaps open to the outside that a closing by ``INLET_HALF_WIDTH_M`` fills and
    that touch two units or more."""
    grown = shapely.buffer(union, INLET_HALF_WIDTH_M, join_style="mitre")
    closed = _polygonal(shapely.buffer(grown, -INLET_HALF_WIDTH_M, join_style="mitre"))
    pieces = np.asarray(
        polygonal_parts([shapely.difference(closed, union, grid_size=grid_m)]), dtype=object
    )
    pieces = pieces[shapely.area(pieces) > 1.0] if pieces.size else pieces
    if not pieces.size:
        return pieces
    near, _ = shapely.STRtree(geoms).query(shapely.buffer(pieces, grid_m), "intersects")
    return pieces[np.bincount(near, minlength=pieces.size) >= 2]


def _faces(geoms: np.ndarray, inlets: np.ndarray, grid_m: float) -> np.ndarray:
    """The faces of all borders noded together: a partition with exactly shared edges."""
    lines = shapely.boundary(np.concatenate([geoms, inlets]))
    noded = shapely.union_all(shapely.get_parts(lines), grid_size=grid_m)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    return faces[shapely.area(faces) > 0]


def _lowest_owner(faces: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Index of the lowest-coded unit holding each face (-1: none)."""
    points = shapely.point_on_surface(faces)
    face_i, unit_i = shapely.STRtree(geoms).query(points, predicate="within")
    owner = np.full(faces.size, np.iinfo(np.int64).max)
    np.minimum.at(owner, face_i, unit_i)
    return np.where(owner == np.iinfo(np.int64).max, -1, owner)


def _enclosed(faces: np.ndarray, owner: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Faces without an owner inside a hole of the owned faces' union."""
    union = shapely.coverage_union_all(faces[owner >= 0])
    holes = [shapely.Polygon(r) for part in polygonal_parts([union]) for r in part.interiors]
    return (owner < 0) & _within_any(points, holes)


def _within_any(points: np.ndarray, polygons: list[shapely.Geometry]) -> np.ndarray:
    inside = np.zeros(points.size, dtype=bool)
    if polygons:
        hit, _ = shapely.STRtree(np.asarray(polygons, dtype=object)).query(points, "within")
        inside[hit] = True
    return inside


def _adjacency(faces: np.ndarray) -> pd.DataFrame:
    """Pairs of faces sharing a border (both ways), with its length ``shared_m``."""
    left, right = shapely.STRtree(faces).query(faces, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(faces[left]), shapely.boundary(faces[right]))
    )
    edge = shared > 0
    left, right, shared = left[edge], right[edge], shared[edge]
    return pd.DataFrame(
        {
            "face": np.concatenate([left, right]),
            "other": np.concatenate([right, left]),
            "shared_m": np.concatenate([shared, shared]),
        }
    )


def _fill_from_neighbours(
    owner: np.ndarray, to_fill: np.ndarray, adjacency: pd.DataFrame
) -> np.ndarray:
    """Give each face of ``to_fill`` the unit with the longest border to it, in rounds
    (a gap face beside other gap faces waits until they have an owner)."""
    owner = owner.copy()
    pending = to_fill.copy()
    while pending.any():
        rows = adjacency[pending[adjacency["face"]] & (owner[adjacency["other"]] >= 0)]
        if rows.empty:
            break
        best = _longest_border(rows.assign(unit=owner[rows["other"]]))
        owner[best.index] = best.to_numpy()
        pending[best.index] = False
    return owner


def _longest_border(rows: pd.DataFrame) -> pd.Series:
    """Per face, the unit whose faces share the longest total border with it."""
    total = rows.groupby(["face", "unit"], sort=True)["shared_m"].sum().reset_index()
    total = total.sort_values(["face", "shared_m", "unit"], ascending=[True, False, True])
    first = total.drop_duplicates("face")
    return pd.Series(first["unit"].to_numpy(), index=first["face"].to_numpy())


def _move_fragments(
    faces: np.ndarray, owner: np.ndarray, adjacency: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Give each small part of a unit that touches another unit to that neighbour.

    A part is a connected group of a unit's faces; it is small under
    ``FRAGMENT_AREA_M2`` and when it is not the unit's largest part.
    """
    owner = owner.copy()
    same = adjacency[
        (owner[adjacency["face"]] == owner[adjacency["other"]]) & (owner[adjacency["face"]] >= 0)
    ]
    part = _components(faces.size, same["face"].to_numpy(), same["other"].to_numpy())
    area = pd.Series(shapely.area(faces)).groupby(part).transform("sum").to_numpy()
    largest = pd.Series(area).groupby(owner).transform("max").to_numpy()
    small = (owner >= 0) & (area < FRAGMENT_AREA_M2) & (area < largest)
    rows = adjacency[small[adjacency["face"]]]
    rows = rows.assign(part=part[rows["face"]], unit=owner[rows["other"]])
    rows = rows[(rows["unit"] >= 0) & (rows["unit"] != owner[rows["face"]])]
    if rows.empty:
        return owner, np.zeros(faces.size, dtype=bool)
    best = _longest_border(rows.assign(face=rows["part"]))
    moved = small & np.isin(part, best.index)
    owner[moved] = best.reindex(part[moved]).to_numpy()
    return owner, moved


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes joined by the edges given."""
    graph = coo_matrix((np.ones(left.size), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _dissolve(faces: np.ndarray, owner: np.ndarray, n_units: int) -> np.ndarray:
    """Each unit as the union of its faces (exact: faces share their edges)."""
    out = np.empty(n_units, dtype=object)
    order = np.argsort(owner, kind="stable")
    cuts = np.searchsorted(owner[order], np.arange(n_units + 1))
    for unit in range(n_units):
        mine = faces[order[cuts[unit] : cuts[unit + 1]]]
        merged = shapely.coverage_union_all(mine) if mine.size else shapely.Polygon()
        out[unit] = _single_or_multi(merged)
    return out


def _single_or_multi(geometry: shapely.Geometry) -> shapely.Geometry:
    """A Polygon when ``geometry`` has one polygonal part, else a MultiPolygon."""
    parts = polygonal_parts([geometry])
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def simplify_units(geoms: np.ndarray, tolerance_m: float = SIMPLIFY_M) -> np.ndarray:
    """Topology-preserving simplification (shared borders stay shared; GEOS coverage).

    Parameters
    ----------
    geoms : array of shapely geometries
        A clean coverage (no overlaps) in a metric CRS.
    tolerance_m : float
        Largest distance a vertex may move, metres.
    """
    return shapely.coverage_simplify(geoms, tolerance_m, simplify_boundary=True)


# --- the shipped files ------------------------------------------------------------------

#: Columns of every unit in the shipped file (as in Bắc Ninh's ``communes_2025.geojson``,
#: plus the province).
UNIT_COLUMNS = (
    "code",
    "name",
    "name_ascii",
    "type",
    "type_vi",
    "area_km2",
    "population",
    "geometry_area_km2",
    "province_code",
    "province_name",
)
PROVINCE_COLUMNS = ("code", "name", "population", "area_km2", "lon", "lat", "n_units")
#: Unit types of the 2025 reorganisation, in the shipped ``type`` column.
UNIT_TYPES = {"Xã": "xa", "Phường": "phuong", "Đặc khu": "dac_khu"}


def units_path() -> Path:
    """The national units file: ``$GEOPLAN_NATIONAL_UNITS`` or the shipped one."""
    return Path(os.environ.get(UNITS_ENV) or NATIONAL_UNITS)


def population_path() -> Path:
    """The national population raster: ``$GEOPLAN_NATIONAL_POPULATION`` or the shipped one."""
    return Path(os.environ.get(POPULATION_ENV) or NATIONAL_POPULATION)


def _member(path: Path, name: str) -> str:
    """GDAL path of ``name`` inside the zip ``path``; InputError when it is not there."""
    if not path.is_file():
        raise InputError(f"{path}: file not found; check {UNITS_ENV} or reinstall geoplan")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise FormatError(f"{path}: not a zip archive ({exc}); copy the file again") from exc
    if name not in names:
        raise FormatError(f"{path}: has no {name}; is it the national units file?")
    return f"/vsizip/{path.resolve()}/{name}"


def read_provinces(path: str | os.PathLike[str] | None = None) -> list[Province]:
    """The 34 provinces with their official totals, sorted by code.

    Parameters
    ----------
    path : str, path or None
        The national units zip (default :func:`units_path`).

    Examples
    --------
    >>> provinces = read_provinces()
    >>> len(provinces), sum(p.n_units for p in provinces), int(sum(p.population for p in provinces))
    (34, 3321, 113700256)
    """
    src = Path(path) if path is not None else units_path()
    table = gpd.read_file(_member(src, "provinces.geojson"), ignore_geometry=True)
    missing = [c for c in PROVINCE_COLUMNS if c not in table.columns]
    if missing:
        raise FormatError(f"{src}: provinces.geojson lacks column(s) {', '.join(missing)}")
    table = table.assign(code=table["code"].astype(str).str.zfill(2)).sort_values("code")
    return [
        Province(
            row.code,
            row.name,
            float(row.population),
            float(row.area_km2),
            float(row.lon),
            float(row.lat),
            int(row.n_units),
        )
        for row in table.itertuples(index=False)
    ]


def find_province(query: str | int, provinces: list[Province] | None = None) -> Province:
    """The province named by ``query``: a code (``19``, ``"19"``) or a name in any case,
    with or without diacritics (``"thai nguyen"``).

    Raises :class:`InputError` (one line, with the closest names) when none matches.

    Parameters
    ----------
    query : str or int
        A province code or name.
    provinces : list of Province or None
        The provinces to search (default :func:`read_provinces`).

    Examples
    --------
    >>> find_province("thai nguyen").code, find_province(19).name, find_province("TP HCM").code
    ('19', 'Thái Nguyên', '79')
    """
    known = provinces if provinces is not None else read_provinces()
    text = str(query).strip()
    if text.isdigit():
        code = text.zfill(2)
        match = [p for p in known if p.code == code]
    else:
        wanted = _ALIASES.get(fold(text), fold(text))
        match = [p for p in known if fold(p.name) == wanted]
    if match:
        return match[0]
    raise InputError(f"--province {text!r}: no such province; {_suggestions(text, known)}")


#: Short names people write for the same province.
_ALIASES = {
    "hcm": "ho chi minh",
    "tp hcm": "ho chi minh",
    "hcmc": "ho chi minh",
    "sai gon": "ho chi minh",
    "saigon": "ho chi minh",
    "thua thien hue": "hue",
}


def _suggestions(text: str, known: list[Province]) -> str:
    """'did you mean …' with the closest names, or the codes when nothing is close."""
    by_fold = {fold(p.name): p for p in known}
    close = difflib.get_close_matches(fold(text), list(by_fold), n=3, cutoff=0.6)
    if text.isdigit() or not close:
        close = close or [fold(p.name) for p in known if p.code.startswith(text[:1])][:3]
    named = ", ".join(f"{by_fold[c].name} ({by_fold[c].code})" for c in close)
    hint = f"did you mean {named}? " if named else ""
    return f"{hint}give a name or a 2-digit code (`geoplan national provinces` lists the 34)"


@dataclass(frozen=True)
class ProvinceData:
    """Where a province's inputs are, and which units it has.

    Attributes
    ----------
    province : the province
    communes : its units on the population grid (EPSG:4326, ``code``, ``name``,
        official ``population``), the frame :func:`geoplan.io.boundaries.read_communes`
        gives for Bắc Ninh
    offshore : units off the population raster (Hoàng Sa, Trường Sa), left out of the
        grid and reported beside it
    boundaries, population, stations : the files (``stations`` is None: synthetic)
    """

    province: Province
    communes: gpd.GeoDataFrame
    offshore: gpd.GeoDataFrame
    boundaries: Path
    population: Path
    stations: Path | None

    @property
    def n_synthetic_sites(self) -> int:
        """Bắc Ninh's synthetic sites per person, for this province's gridded people.

        >>> province_data("24").n_synthetic_sites
        290
        """
        people = float(self.communes["population"].sum())
        return max(1, round(BAC_NINH_SITES * people / BAC_NINH_POPULATION))


def read_units(code: str, path: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """The cleaned units of province ``code`` (EPSG:4326, :data:`UNIT_COLUMNS`).

    Parameters
    ----------
    code : str
        Two-digit province code.
    path : str, path or None
        The national units zip (default :func:`units_path`).

    Examples
    --------
    >>> units = read_units("19")
    >>> len(units), int(units["population"].sum())
    (92, 1799489)
    """
    src = Path(path) if path is not None else units_path()
    frame = gpd.read_file(_member(src, f"{code}.geojson"))
    missing = [c for c in UNIT_COLUMNS if c not in frame.columns]
    if missing:
        raise FormatError(f"{src}: {code}.geojson lacks column(s) {', '.join(missing)}")
    frame = frame.assign(
        code=frame["code"].astype(str), population=frame["population"].astype(float)
    )
    return frame.to_crs(STORAGE_CRS).sort_values("code").reset_index(drop=True)


def province_data(
    query: str | int,
    units: str | os.PathLike[str] | None = None,
    population: str | os.PathLike[str] | None = None,
) -> ProvinceData:
    """The inputs of one province, found by code or name (:func:`find_province`).

    Bắc Ninh keeps its own shipped files (the default data, with its 290 synthetic
    sites); any other province reads its units from the national file, the national
    population raster and gets synthetic sites (``stations`` None).

    Parameters
    ----------
    query : str or int
        A province code or name.
    units, population : str, path or None
        The national files (default :func:`units_path`, :func:`population_path`).

    Examples
    --------
    >>> data = province_data("thai nguyen")
    >>> data.province.work_crs, len(data.communes), data.stations is None
    ('EPSG:32648', 92, True)
    """
    units_file = Path(units) if units is not None else units_path()
    province = find_province(query, read_provinces(units_file))
    frame = read_units(province.code, units_file)
    if province.is_default:
        communes = read_communes(DEFAULT_COMMUNES)
        own = Path(population) if population is not None else DEFAULT_POPULATION
        return ProvinceData(
            province, communes, frame.iloc[:0], DEFAULT_COMMUNES, own, DEFAULT_STATIONS
        )
    raster = Path(population) if population is not None else population_path()
    on_grid = _on_raster(frame, raster)
    return ProvinceData(
        province,
        frame[on_grid].reset_index(drop=True),
        frame[~on_grid].reset_index(drop=True),
        units_file,
        raster,
        None,
    )


def _on_raster(frame: gpd.GeoDataFrame, raster: Path) -> np.ndarray:
    """Which units overlap the raster's bounds (the offshore special zones do not)."""
    with rasterio.open(raster) as src:
        west, south, east, north = src.bounds
        crs = src.crs
    box = shapely.box(west, south, east, north)
    if crs is not None and crs.to_epsg() != 4326:
        to_degrees = Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)
        box = shapely.ops.transform(to_degrees.transform, box)
    return np.asarray(shapely.intersects(frame.geometry.values, box))


def worldpop_by_unit(units: gpd.GeoDataFrame, raster: str | os.PathLike[str]) -> pd.Series:
    """People of ``raster`` whose cell centre lies in each unit (each cell counted once).

    Parameters
    ----------
    units : GeoDataFrame
        Polygons with ``code``, in any CRS.
    raster : str or path
        A population-count raster with a CRS (the national WorldPop grid).

    Returns
    -------
    Series
        People (float) by unit code; units without a cell centre get 0.
    """
    with rasterio.open(raster) as src:
        frame = units.to_crs(src.crs)
        west, south, east, north = (float(v) for v in frame.total_bounds)
        window = rasterio.windows.from_bounds(west, south, east, north, src.transform)
        window = (
            window.round_offsets()
            .round_lengths()
            .intersection(rasterio.windows.Window(0, 0, src.width, src.height))
        )
        values = src.read(1, window=window, masked=True).filled(0).astype(float)
        transform = src.window_transform(window)
    rows, cols = np.nonzero(values > 0)
    x, y = transform @ (cols + 0.5, rows + 0.5)
    points = shapely.points(np.asarray(x), np.asarray(y))
    hit, unit = shapely.STRtree(frame.geometry.values).query(points, predicate="within")
    people = np.bincount(unit, weights=values[rows[hit], cols[hit]], minlength=len(frame))
    return pd.Series(people, index=frame["code"].astype(str).to_numpy())
