"""Read and check station (site) tables into the standard columns.

Standard columns (EPSG:4326 points): ``site_id`` (required), ``name``, ``operator``,
``lon``, ``lat`` (required), ``band``, ``antenna_height_m``, ``sectors``,
``azimuths_deg`` ("0;120;240"), ``source``. Missing optional columns get the defaults
in :data:`STATION_DEFAULTS`; columns geoplan does not know are kept as they are.

Headers are matched loosely (case, accents, spaces and punctuation ignored), in
English or Vietnamese: ``lat``/``latitude``/``vĩ độ``, ``lon``/``lng``/``kinh độ``,
``mã trạm``, ``tên trạm``, ``nhà mạng``, ``độ cao`` … (see :data:`COLUMN_ALIASES`).

File formats are read by :mod:`geoplan.io.importers`; this module checks the table.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geoplan.config import PlanConfig
from geoplan.errors import CRSError, DataMismatchError, FormatError, InputError
from geoplan.io.carriers import assign_carriers, read_carriers
from geoplan.io.columns import (
    STATION_COLUMNS,
    STATION_DEFAULTS,
    Problem,
    match_columns,
)
from geoplan.io.coords import parse_coordinate, parse_measure
from geoplan.io.embedded import DEFAULT_STATIONS
from geoplan.io.importers import read_station_table

log = logging.getLogger(__name__)


#: Sites this close to the province border (metres) still count as inside: they
#: serve border communes (the largest radius-model reach is 2.5 km).
BORDER_MARGIN_M = 5000.0
#: Dropping more than this share of the sites with ``--drop-outside`` is warned about.
MOST_DROPPED_SHARE = 0.5
#: Rows with the same ``site_id`` closer than this (metres) are sectors of one site.
SAME_SITE_M = 50.0
_MAX_LISTED = 5
#: A vectorised test: (lon, lat) arrays in degrees -> bool array, True inside the province.
ProvinceTest = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass
class StationReport:
    """Result of checking a station table: the sites kept and every problem found.

    Attributes
    ----------
    src : the file (or ``"<table>"``)
    format : the format read (``"csv"``, ``"kml"`` …, ``"table"`` for a frame)
    rows_read : rows in the input (cells for OpenCellID)
    stations : the sites kept (EPSG:4326 points, standard station columns)
    problems : every problem, in row order
    columns : original column name -> standard name
    unknown_columns : columns kept as they are (not used by geoplan)
    sites_checked : sites that reached the province test (after merging sectors)
    """

    src: str
    format: str
    rows_read: int
    stations: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    sites_checked: int = 0  # sites that reached the province test (after merging sectors)

    @property
    def rows_kept(self) -> int:
        """Number of sites kept."""
        return len(self.stations)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``"error"`` (warnings left out)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def clean(self) -> bool:
        """True when no problem is an error."""
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise one short error (at most three lines) if any problem is an error."""
        errors = self.errors
        if not errors:
            return
        outside = [p for p in errors if p.field == "position" and "outside" in p.message]
        if len(outside) == len(errors):
            raise DataMismatchError(
                f"{self.src}: {len(outside)} of {self.sites_checked} sites lie outside the "
                f"province (over {BORDER_MARGIN_M / 1000:g} km beyond its border), "
                f"first {outside[0].where}"
                f"\ncheck their coordinates, or pass --drop-outside to go on without them"
            )
        first = errors[0]
        text = f"{self.src} {first}"
        if len(errors) > 1:
            wheres = ", ".join(p.where for p in errors[1 : _MAX_LISTED + 1])
            more = "…" if len(errors) > _MAX_LISTED + 1 else ""
            text += (
                f"\n{len(errors) - 1} more problem(s): {wheres}{more}; "
                f"'geoplan stations validate {self.src}' lists them all"
            )
        raise FormatError(text)


def stations_from_table(
    table: pd.DataFrame,
    src: Path | str = "<table>",
    *,
    crs: str | None = None,
    communes: gpd.GeoDataFrame | None = None,
    drop_outside: bool = False,
    config: PlanConfig | None = None,
) -> gpd.GeoDataFrame:
    """Check a table with a site identifier and coordinates; fill the optional columns.

    Raises :class:`FormatError` (or another :class:`InputError`) naming the row and
    the fix when anything is wrong; see :func:`check_station_table` for the checks.

    Parameters
    ----------
    table, src, crs, communes, drop_outside, config
        As for :func:`check_station_table`.

    Returns
    -------
    GeoDataFrame
        The sites (EPSG:4326 points, ``lon``/``lat`` in degrees, standard columns).

    Examples
    --------
    >>> table = pd.DataFrame({"Mã trạm": ["BN1"], "Vĩ độ": ["21°10'30\\"N"], "Kinh độ": ["106,07"]})
    >>> sites = stations_from_table(table)
    >>> sites[["site_id", "lon", "lat", "band"]].round(4).values.tolist()
    [['BN1', 106.07, 21.175, 'n78']]
    """
    report = check_station_table(
        table, src, crs=crs, communes=communes, drop_outside=drop_outside, config=config
    )
    report.raise_for_errors()
    return report.stations


def check_station_table(
    table: pd.DataFrame,
    src: Path | str = "<table>",
    *,
    fmt: str = "table",
    crs: str | None = None,
    communes: gpd.GeoDataFrame | None = None,
    drop_outside: bool = False,
    config: PlanConfig | None = None,
) -> StationReport:
    """Check every row of a station table and report each problem.

    Whole-file problems (no rows, missing columns, swapped or projected coordinates)
    raise at once; row problems (unreadable or missing values, sites outside the
    province, one ``site_id`` at two places) are collected in the report and their
    rows left out. Rows that repeat a ``site_id`` at the same place (within
    :data:`SAME_SITE_M`) are sectors of one site and are merged.

    ``table`` may carry a ``_where`` column labelling each row ("row 7",
    "placemark 3"); otherwise rows are numbered as in a CSV with one header line.

    Parameters
    ----------
    table : DataFrame
        The rows, with any recognised column names (English or Vietnamese aliases).
    src : Path or str
        The file the rows came from, for messages.
    fmt : str
        The format read, stored in the report.
    crs : str or None
        CRS of the coordinates when not degrees (e.g. ``"EPSG:32648"``).
    communes : GeoDataFrame or None
        Commune polygons; sites more than :data:`BORDER_MARGIN_M` (metres) outside
        the province are problems. None skips the test.
    drop_outside : bool
        Leave sites outside the province out with a warning instead of an error.
    config : PlanConfig or None
        Settings (CRSs).

    Returns
    -------
    StationReport
    """
    src = str(src)
    config = config or PlanConfig()
    if table.empty:
        raise FormatError(f"{src}: the table has a header but no rows; add one row per site")
    where = _row_labels(table)
    table = table.drop(columns="_where", errors="ignore")
    mapping = match_columns([str(c) for c in table.columns])
    unknown = [str(c) for c in table.columns if c not in mapping]
    _require_columns(mapping, unknown, src)
    renamed = table.rename(columns=mapping)
    renamed = renamed.loc[:, ~renamed.columns.duplicated()]
    if "site_id" not in renamed.columns:
        renamed["site_id"] = renamed["name"]
    problems: list[Problem] = []
    frame = renamed.reset_index(drop=True).assign(_where=where)
    inside = _province_test(communes, config) if communes is not None else None
    frame, coordinate_problems = _coordinates(frame, src, crs, inside, config.storage_crs)
    problems += coordinate_problems
    frame, field_problems = _optional_fields(frame)
    problems += field_problems
    frame, carrier_problems = assign_carriers(frame, read_carriers(), frame["_where"])
    problems += carrier_problems
    frame, dup_problems = _merge_sectors(frame, config)
    problems += dup_problems
    n_checked = len(frame)
    if inside is not None:
        frame, outside_problems = _outside(frame, inside, drop_outside)
        problems += outside_problems
        if drop_outside:
            _check_dropped(len(outside_problems), n_checked, outside_problems, src)
    order = {label: i for i, label in enumerate(where)}
    problems.sort(key=lambda p: order.get(p.where, len(order)))
    bad_rows = {p.where for p in problems if p.severity == "error"}
    kept = frame[~frame["_where"].isin(bad_rows)]
    stations = _to_frame(kept, config.storage_crs)
    return StationReport(
        src,
        fmt,
        len(table),
        stations,
        problems,
        {orig: std for orig, std in mapping.items()},
        unknown,
        n_checked,
    )


def _row_labels(table: pd.DataFrame) -> np.ndarray:
    if "_where" in table.columns:
        return table["_where"].astype(str).to_numpy()
    return np.array([f"row {i + 2}" for i in range(len(table))])


def _require_columns(mapping: dict[str, str], unknown: list[str], src: str) -> None:
    found = set(mapping.values())
    missing = [c for c in ("lat", "lon") if c not in found]
    if "site_id" not in found and "name" not in found:
        missing.insert(0, "site_id")
    if not missing:
        return
    have = ", ".join(repr(c) for c in unknown[:8]) or "none"
    raise FormatError(
        f"{src}: missing column(s) {', '.join(missing)} (columns found: {have}); name them "
        "site_id, lat, lon (or mã trạm, vĩ độ, kinh độ; id, latitude, longitude)"
    )


def _coordinates(
    frame: pd.DataFrame, src: str, crs: str | None, inside: ProvinceTest | None, storage_crs: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse lon/lat, reproject from ``crs``, and catch swapped or projected values."""
    lon = parse_coordinate(frame["lon"])
    lat = parse_coordinate(frame["lat"])
    readable = lon.notna() & lat.notna()
    if crs is not None:
        to_wgs84 = Transformer.from_crs(crs, storage_crs, always_xy=True)
        x, y = to_wgs84.transform(lon.to_numpy(), lat.to_numpy())
        lon, lat = pd.Series(x, index=frame.index), pd.Series(y, index=frame.index)
    elif readable.any():
        _check_not_projected(lon[readable], lat[readable], frame["_where"][readable], src)
        _check_not_swapped(lon[readable], lat[readable], inside, src)
    problems = []
    for axis, values in (("lat", lat), ("lon", lon)):
        missing = frame[axis].isna() | (frame[axis].astype(str).str.strip() == "")
        for i in np.flatnonzero(missing.to_numpy()):
            problems.append(
                Problem(
                    frame["_where"].iloc[i],
                    axis,
                    "is missing; fill it in or delete the row",
                )
            )
        unreadable = values.isna() & ~missing
        for i in np.flatnonzero(unreadable.to_numpy()):
            problems.append(
                Problem(
                    frame["_where"].iloc[i],
                    axis,
                    f"{frame[axis].iloc[i]!r} is not a coordinate; write decimal degrees "
                    "(21.1754) or degrees-minutes-seconds (21°10'30\"N)",
                )
            )
    limit_bad = readable & ((lat.abs() > 90) | (lon.abs() > 180))
    for i in np.flatnonzero(limit_bad.to_numpy()):
        swap = abs(lat.iloc[i]) > 90 and abs(lon.iloc[i]) <= 90
        hint = "latitude and longitude look swapped" if swap else "not decimal degrees"
        problems.append(
            Problem(
                frame["_where"].iloc[i],
                "lat" if swap else "lon",
                f"of ({lon.iloc[i]:g}, {lat.iloc[i]:g}) is out of range: {hint}; "
                "fix the row or delete it",
            )
        )
    site_missing = frame["site_id"].isna() | (frame["site_id"].astype(str).str.strip() == "")
    for i in np.flatnonzero(site_missing.to_numpy()):
        problems.append(
            Problem(
                frame["_where"].iloc[i],
                "site_id",
                "is empty; give every site an identifier",
            )
        )
    return frame.assign(lon=lon, lat=lat), problems


def _check_not_projected(lon: pd.Series, lat: pd.Series, where: pd.Series, src: str) -> None:
    big = (lon.abs() > 180) & (lat.abs() > 180)
    if big.mean() < 0.5:
        return
    x, y = float(lon[big].iloc[0]), float(lat[big].iloc[0])
    utm_like = 100_000 <= x <= 900_000 and 0 <= y <= 10_000_000
    kind = "UTM metres (zone 48N: EPSG:32648, or VN-2000)" if utm_like else "projected units"
    raise CRSError(
        f"{src} {where[big].iloc[0]}: coordinates ({x:g}, {y:g}) look like {kind}, not degrees"
        "\npass --crs with the file's system (e.g. --crs EPSG:32648; API: crs=...) "
        "or convert them to decimal degrees"
    )


def _check_not_swapped(
    lon: pd.Series, lat: pd.Series, inside: ProvinceTest | None, src: str
) -> None:
    if inside is not None:
        fits = int(inside(lon.to_numpy(), lat.to_numpy()).sum())
        fits_swapped = int(inside(lat.to_numpy(), lon.to_numpy()).sum())
        swapped = fits_swapped > fits and fits_swapped >= 0.5 * len(lon)
    else:
        swapped = bool(((lat.abs() > 90) & (lon.abs() <= 90)).mean() >= 0.5)
    if swapped:
        raise FormatError(
            f"{src}: latitude and longitude look swapped (the 'lat' column holds values like "
            f"{lat.iloc[0]:g}, the 'lon' column {lon.iloc[0]:g})"
            "\nswap the two column names in the header and retry"
        )


def _optional_fields(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Fill defaults; check heights, sector counts and azimuths."""
    problems: list[Problem] = []
    for column, default in STATION_DEFAULTS.items():
        if column not in frame.columns:
            frame[column] = default
            continue
        blank = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
        frame[column] = frame[column].where(~blank, default)
    frame["site_id"] = frame["site_id"].astype(str).str.strip()
    frame["name"] = frame["name"].fillna(frame["site_id"]) if "name" in frame else frame["site_id"]
    height = parse_measure(frame["antenna_height_m"].astype(str))
    problems += _flag_rows(
        frame, height.isna() | (height <= 0) | (height > 500), "antenna_height_m",
        "{!r} is not a height in metres (0–500); fix it or leave it empty for the default 30 m",
    )  # fmt: skip
    frame["antenna_height_m"] = height
    azimuths = frame["azimuths_deg"].astype(str).map(_normalise_azimuths)
    problems += _flag_rows(
        frame, azimuths.isna(), "azimuths_deg",
        "{!r} is not a list of angles 0–360 (write 0;120;240)",
    )  # fmt: skip
    frame["azimuths_deg"] = azimuths
    sectors = pd.to_numeric(frame["sectors"], errors="coerce")
    problems += _flag_rows(
        frame, sectors.isna() | (sectors < 1) | (sectors % 1 != 0), "sectors",
        "{!r} is not a whole number of sectors",
    )  # fmt: skip
    frame["sectors"] = sectors
    return frame, problems


def _flag_rows(frame: pd.DataFrame, bad: pd.Series, column: str, message: str) -> list[Problem]:
    """One problem per ``bad`` row; ``message`` gets the row's value of ``column``."""
    return [
        Problem(frame["_where"].iloc[i], column, message.format(frame[column].iloc[i]))
        for i in np.flatnonzero(bad.to_numpy())
    ]


def _normalise_azimuths(text: str) -> str | None:
    parts = [p for p in re.split(r"[;,/|\s]+", text.strip()) if p]
    try:
        angles = [float(p) for p in parts]
    except ValueError:
        return None
    if not angles or any(not 0 <= a <= 360 for a in angles):
        return None
    return ";".join(f"{a:g}" for a in angles)


def _merge_sectors(frame: pd.DataFrame, config: PlanConfig) -> tuple[pd.DataFrame, list[Problem]]:
    """Merge rows that repeat a site_id at one place; flag ids used at two places."""
    ok = np.isfinite(frame["lon"].to_numpy(float)) & np.isfinite(frame["lat"].to_numpy(float))
    ok &= (frame["lat"].abs() <= 90).to_numpy() & (frame["lon"].abs() <= 180).to_numpy()
    repeated = frame["site_id"].duplicated(keep=False).to_numpy() & ok
    if not repeated.any():
        return frame, []
    to_m = Transformer.from_crs(config.storage_crs, config.work_crs, always_xy=True)
    x, y = to_m.transform(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    part = frame[repeated].assign(_x=x[repeated], _y=y[repeated])
    groups = part.groupby("site_id", sort=False)
    dist_m = np.hypot(
        part["_x"] - groups["_x"].transform("first"), part["_y"] - groups["_y"].transform("first")
    )
    first_where = groups["_where"].transform("first")
    problems: list[Problem] = []
    far = dist_m > SAME_SITE_M
    for i in np.flatnonzero(far.to_numpy()):
        problems.append(
            Problem(
                part["_where"].iloc[i],
                "site_id",
                f"{part['site_id'].iloc[i]!r} is also at {first_where.iloc[i]}, "
                f"{dist_m.iloc[i] / 1000:.2f} km away; "
                "give each site its own id or fix the position",
            )
        )
    near = part[~far.to_numpy()]
    merged_azimuths = near.groupby("site_id", sort=False)["azimuths_deg"].agg(
        lambda s: ";".join(dict.fromkeys(a for v in s.dropna() for a in str(v).split(";")))
    )
    drop = near.index[near["site_id"].duplicated()]
    if len(drop):
        problems.append(
            Problem(
                ", ".join(near.loc[drop, "_where"].head(_MAX_LISTED)),
                "site_id",
                f"repeated at the same place in {len(drop)} row(s); merged as sectors of one site",
                severity="warning",
            )
        )
    frame = frame.drop(index=drop)
    has_merge = frame["site_id"].isin(merged_azimuths.index) & frame.index.isin(near.index)
    new_az = frame.loc[has_merge, "site_id"].map(merged_azimuths)
    frame.loc[has_merge, "azimuths_deg"] = new_az
    frame.loc[has_merge, "sectors"] = new_az.str.count(";") + 1
    return frame, problems


def _province_test(
    communes: gpd.GeoDataFrame, config: PlanConfig, margin_m: float = BORDER_MARGIN_M
) -> ProvinceTest:
    """A vectorised test (lon, lat arrays -> bool array): within ``margin_m`` of the province."""
    work_crs = config.work_crs
    area = shapely.union_all(communes.to_crs(work_crs).geometry.values).buffer(margin_m)
    shapely.prepare(area)
    to_m = Transformer.from_crs(config.storage_crs, work_crs, always_xy=True)

    def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lon = np.asarray(lon, float)
        lat = np.asarray(lat, float)
        valid = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        x, y = to_m.transform(np.where(valid, lon, 0.0), np.where(valid, lat, 0.0))
        return valid & shapely.contains_xy(area, x, y)

    return inside


def _outside(
    frame: pd.DataFrame, inside: ProvinceTest, drop_outside: bool
) -> tuple[pd.DataFrame, list[Problem]]:
    lon = frame["lon"].to_numpy(float)
    lat = frame["lat"].to_numpy(float)
    valid = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    outside = valid & ~inside(lon, lat)
    swapped_fits = inside(lat, lon)
    severity = "warning" if drop_outside else "error"
    problems = []
    for i in np.flatnonzero(outside):
        hint = "latitude and longitude look swapped" if swapped_fits[i] else "check it"
        then = "dropped (--drop-outside)" if drop_outside else "or pass --drop-outside"
        message = f"({lon[i]:.5f}, {lat[i]:.5f}) is outside the province ({hint}); {then}"
        problems.append(Problem(frame["_where"].iloc[i], "position", message, severity))
    if drop_outside:
        frame = frame[~outside]
    return frame, problems


def _check_dropped(dropped: int, checked: int, problems: list[Problem], src: str) -> None:
    """``--drop-outside`` that drops every site is an error; most of them, a warning."""
    if not dropped:
        return
    first = f"first {problems[0].where} at {problems[0].message.split(' is ')[0]}"
    if dropped == checked:
        raise DataMismatchError(
            f"{src}: --drop-outside would drop all {checked} sites ({first}): none lies in "
            "the province; are they for another area, or are --boundaries the wrong file?"
        )
    if dropped > MOST_DROPPED_SHARE * checked:
        warnings.warn(
            f"{src}: --drop-outside drops {dropped} of {checked} sites ({dropped / checked:.0%}; "
            f"{first}); check that the stations and --boundaries are for the same area",
            stacklevel=4,
        )


def _to_frame(table: pd.DataFrame, crs: str) -> gpd.GeoDataFrame:
    table = table.drop(columns=["_where"]).reset_index(drop=True)
    first = [*STATION_COLUMNS, "name"]
    table = table[first + [c for c in table.columns if c not in first]]
    table["sectors"] = table["sectors"].astype("Int64").astype(int) if len(table) else 3
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs=crs)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=crs)


def read_stations(
    path: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    communes: gpd.GeoDataFrame | None = None,
    drop_outside: bool = False,
    config: PlanConfig | None = None,
) -> gpd.GeoDataFrame:
    """Read a station file in any supported format into a point GeoDataFrame.

    Parameters
    ----------
    path
        CSV/TSV, XLSX, GeoJSON, GeoPackage, KML, KMZ or an OpenCellID CSV; the format
        is detected from the suffix and the content unless ``format`` is given.
    encoding
        Text encoding of a CSV when it is not UTF-8 (e.g. ``"cp1258"``).
    crs
        CRS of the coordinate columns when they are not decimal degrees
        (e.g. ``"EPSG:32648"`` for UTM 48N metres).
    communes
        Commune polygons: when given, sites more than 5 km outside them are errors,
        or are dropped with ``drop_outside=True``.

    Examples
    --------
    >>> sites = read_stations()
    >>> len(sites), sites["source"].unique().tolist()
    (290, ['synthetic'])
    """
    report = validate_stations(
        path,
        format=format,
        encoding=encoding,
        crs=crs,
        communes=communes,
        drop_outside=drop_outside,
        config=config,
    )
    report.raise_for_errors()
    return report.stations


def validate_stations(
    path: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    communes: gpd.GeoDataFrame | None = None,
    drop_outside: bool = False,
    config: PlanConfig | None = None,
) -> StationReport:
    """Read a station file and report rows read, rows kept and every problem by row.

    Whole-file problems raise :class:`InputError`; row problems are in the report.

    Parameters
    ----------
    path : str, path or None
        The station file; None checks the embedded stations.
    format : str or None
        One of :data:`~geoplan.io.importers.FORMATS`; None detects it.
    encoding : str or None
        Text encoding when not UTF-8 (e.g. ``"cp1258"``).
    crs, communes, drop_outside, config
        As for :func:`check_station_table`; ``crs`` defaults to a vector file's own.

    Returns
    -------
    StationReport
    """
    src = Path(path) if path is not None else DEFAULT_STATIONS
    if not src.exists():
        raise InputError(f"{src}: file not found; check the path")
    raw = read_station_table(src, format=format, encoding=encoding)
    report = check_station_table(
        raw.table,
        src,
        fmt=raw.format,
        crs=crs or raw.crs,
        communes=communes,
        drop_outside=drop_outside,
        config=config,
    )
    report.problems[:0] = raw.problems
    report.rows_read = raw.rows_read if raw.rows_read is not None else report.rows_read
    return report


def report_lines(report: StationReport, max_problems: int = 200) -> list[str]:
    """The validation report as text: counts, column mapping, problems by row.

    Parameters
    ----------
    report : StationReport
        The report to print.
    max_problems : int
        Problems listed at most; the rest are counted.

    Returns
    -------
    list of str
        Lines without newlines; the last one says whether the file is clean.
    """
    errors = len(report.errors)
    warnings_count = len(report.problems) - errors
    mapped = ", ".join(f"{orig!r} -> {std}" for orig, std in report.columns.items() if orig != std)
    lines = [
        f"{report.src}: format {report.format}, {report.rows_read} rows read, "
        f"{report.rows_kept} sites kept"
    ]
    if mapped:
        lines.append(f"columns recognised: {mapped}")
    if report.unknown_columns:
        kept = ", ".join(repr(c) for c in report.unknown_columns)
        lines.append(f"columns kept as they are (not used by geoplan): {kept}")
    for problem in report.problems[:max_problems]:
        lines.append(f"  {problem.severity}: {problem}")
    if len(report.problems) > max_problems:
        lines.append(f"  … and {len(report.problems) - max_problems} more")
    verdict = "clean" if report.clean else "NOT clean: fix the rows above (or --drop-outside)"
    lines.append(f"{errors} error(s), {warnings_count} warning(s): {verdict}")
    return lines
