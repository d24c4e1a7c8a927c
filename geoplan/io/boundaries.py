"""Read and check the commune boundaries with their official population."""

from __future__ import annotations

import os
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geoplan.config import STORAGE_CRS
from geoplan.errors import CRSError, DataMismatchError, FormatError, InputError
from geoplan.io.coords import parse_count
from geoplan.io.embedded import DEFAULT_COMMUNES

REQUIRED_COLUMNS = ("code", "name", "population")
#: Communes whose population totals this share of the official one (for the same
#: codes) or less, or its inverse or more, are refused; closer than 10% passes quietly.
OFFICIAL_RATIO_REFUSED = 0.5
OFFICIAL_RATIO_WARNED = 0.9
#: Fewer people per km² than this on average is not a Vietnamese province (the least
#: dense has about 50): the figures were probably misread.
MIN_PLAUSIBLE_DENSITY_PER_KM2 = 5.0
#: Areas for that check: World Cylindrical Equal Area, valid anywhere (metres).
EQUAL_AREA_CRS = "EPSG:6933"


def read_vector(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read any vector file GDAL knows, turning its failures into :class:`InputError`.

    Parameters
    ----------
    path : str or path
        The file (GeoJSON, GPKG, shapefile …); a missing file raises
        :class:`InputError`, an empty or unreadable one :class:`FormatError`.
    """
    src = Path(path)
    if not src.exists():
        raise InputError(f"{src}: file not found; check the path")
    if src.is_file() and src.stat().st_size == 0:
        raise FormatError(f"{src}: the file is empty")
    target = _inside_zip(src) if src.is_file() and zipfile.is_zipfile(src) else str(src)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = gpd.read_file(target)
    except Exception as exc:  # pyogrio raises several types for unreadable data
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(f"{src}: not a readable vector file ({first_line})") from exc
    if not isinstance(frame, gpd.GeoDataFrame):  # a layer without geometry: attributes only
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame)))
    return frame


#: Vector files looked for inside a zip archive, in order of preference.
_ZIPPED_VECTORS = (".gpkg", ".shp", ".geojson", ".json", ".kml")


def _inside_zip(src: Path) -> str:
    """The GDAL path of the one vector layer in a zip archive, in any folder of it.

    GDAL finds a shapefile at the root of a zip by itself, but not one inside a folder
    (as Windows' "Send to > Compressed folder" makes).
    """
    try:
        with zipfile.ZipFile(src) as archive:
            names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
        raise FormatError(
            f"{src}: a damaged or truncated zip archive ({exc}); copy it again"
        ) from exc
    for suffix in _ZIPPED_VECTORS:
        found = sorted(n for n in names if n.lower().endswith(suffix))
        if len(found) > 1:
            raise FormatError(
                f"{src}: the zip holds {len(found)} {suffix} files ({', '.join(found[:3])}); "
                "zip only the one layer to read"
            )
        if found:
            return f"/vsizip/{src.resolve()}/{found[0]}"
    raise FormatError(
        f"{src}: a zip archive without a shapefile, GeoPackage or GeoJSON in it "
        f"(it holds {', '.join(names[:3]) or 'nothing'}); zip the .shp with its .shx, .dbf and .prj"
    )


def read_communes(path: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Read commune polygons with ``code``, ``name`` and official ``population``.

    Invalid polygons are repaired with ``shapely.make_valid`` (with a warning); the
    result is in EPSG:4326, sorted by ``code``.

    Parameters
    ----------
    path : str, path or None
        A polygon file with a CRS and the columns ``code``, ``name`` and
        ``population`` (people, non-negative); None reads the embedded communes.

    Returns
    -------
    GeoDataFrame
        One row per commune; ``code`` as text, ``population`` as float (people).

    Examples
    --------
    >>> communes = read_communes()
    >>> len(communes), int(communes["population"].sum())
    (99, 3619443)
    """
    src = Path(path) if path is not None else DEFAULT_COMMUNES
    frame = read_vector(src)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise FormatError(
            f"{src}: missing column(s) {', '.join(missing)}; each commune needs "
            "'code', 'name' and its official 'population'"
        )
    if frame.crs is None:
        raise CRSError(f"{src}: no coordinate reference system; save it with one (EPSG:4326)")
    kinds = shapely.get_type_id(frame.geometry.values)
    polygonal = np.isin(kinds, (3, 6))  # Polygon, MultiPolygon
    if not polygonal.any():
        raise FormatError(f"{src}: no polygons found; commune boundaries must be polygons")
    if not polygonal.all():
        raise FormatError(
            f"{src}: {int((~polygonal).sum())} feature(s) are not polygons "
            f"(first: row {int(np.flatnonzero(~polygonal)[0]) + 1}); keep only commune polygons"
        )
    population = parse_count(frame["population"])
    bad = population.isna() | (population < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise FormatError(
            f"{src} row {row}: field 'population' is {frame['population'].iloc[row - 1]!r}; "
            "it must be a non-negative number"
        )
    frame = frame.assign(code=frame["code"].astype(str), population=population.astype(float))
    if frame["code"].duplicated().any():
        dup = frame.loc[frame["code"].duplicated(), "code"].iloc[0]
        raise FormatError(
            f"{src}: commune code {dup!r} appears more than once; codes must be unique"
        )
    invalid = ~shapely.is_valid(frame.geometry.values)
    if invalid.any():
        warnings.warn(
            f"{src}: repaired {int(invalid.sum())} invalid polygon(s) with make_valid",
            stacklevel=2,
        )
        frame.geometry = shapely.make_valid(frame.geometry.values)
    frame = frame.to_crs(STORAGE_CRS).sort_values("code").reset_index(drop=True)
    if src != DEFAULT_COMMUNES:
        _check_population_total(frame, src)
    return frame


def _check_population_total(frame: gpd.GeoDataFrame, src: Path) -> None:
    """Flag commune populations far from the official figures (or implausibly low).

    Communes that share codes with the embedded official ones are compared with them;
    any file is compared with a plausible density.
    """
    official = gpd.read_file(DEFAULT_COMMUNES, ignore_geometry=True, columns=["code", "population"])
    official = official.set_index(official["code"].astype(str))["population"].astype(float)
    shared = frame[frame["code"].isin(official.index)]
    if len(shared) >= 0.5 * len(frame) and official[shared["code"]].sum() > 0:
        have, want = float(shared["population"].sum()), float(official[shared["code"]].sum())
        ratio = have / want
        text = (
            f"{src}: the populations of {len(shared)} communes total {have:,.0f} people, "
            f"{ratio:.1%} of the official {want:,.0f}"
        )
        if not OFFICIAL_RATIO_REFUSED <= ratio <= 1 / OFFICIAL_RATIO_REFUSED:
            raise DataMismatchError(
                f"{text}; were thousands separators read as decimals (122.838 for 122,838)? "
                "write the 'population' field as whole numbers"
            )
        if not OFFICIAL_RATIO_WARNED <= ratio <= 1 / OFFICIAL_RATIO_WARNED:
            warnings.warn(f"{text}; check the 'population' field", stacklevel=3)
        return
    area_km2 = float(frame.to_crs(EQUAL_AREA_CRS).geometry.area.sum()) / 1e6
    if not np.isfinite(area_km2) or area_km2 <= 0:
        return  # degenerate geometry: nothing to compare with
    density = float(frame["population"].sum()) / area_km2
    if density < MIN_PLAUSIBLE_DENSITY_PER_KM2:
        warnings.warn(
            f"{src}: {frame['population'].sum():,.0f} people on {area_km2:,.0f} km² "
            f"({density:.2f} per km²) is implausibly few; were thousands separators read as "
            "decimals? check the 'population' field",
            stacklevel=3,
        )
