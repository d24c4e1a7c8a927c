"""Station file formats: detect the format and read it into a raw table.

Every reader returns a :class:`RawTable` of text cells with the file's own column
names and a ``_where`` label per row ("row 7", "sheet 'Trạm' row 4",
"placemark 3", "feature 2"); :func:`geoplan.io.stations.check_station_table` then
maps the columns and checks the values. Supported formats (``--format``):

``csv``        CSV/TSV, separator , ; tab or | (detected), UTF-8 with or without BOM
               (UTF-16 with BOM too), decimal commas, a title line above the header
``xlsx``       Excel workbook: the first sheet with a recognisable header row
``geojson``, ``gpkg``, ``shp``   point layers read through GDAL (pyogrio)
``kml``, ``kmz``  Google Earth Placemarks: name, ExtendedData fields, Point
``opencellid`` OpenCellID cell export, grouped into sites (see :func:`opencellid_sites`)
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from geoplan.config import STORAGE_CRS
from geoplan.errors import FormatError
from geoplan.io.boundaries import read_vector
from geoplan.io.columns import Problem, header_score, match_columns

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "shp", "kml", "kmz", "opencellid")
_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".shp": "shp",
    ".kml": "kml",
    ".kmz": "kmz",
}
OPENCELLID_COLUMNS = (
    "radio",
    "mcc",
    "net",
    "area",
    "cell",
    "unit",
    "lon",
    "lat",
    "range",
    "samples",
    "changeable",
    "created",
    "updated",
    "averageSignal",
)
#: Vietnamese mobile network codes (MCC 452) and their operators.
VIETNAM_MNC = {1: "MobiFone", 2: "VinaPhone", 4: "Viettel", 5: "Vietnamobile", 7: "Gmobile"}
_MAX_XML_BYTES = 200 * 2**20
_GZIP_MAGIC = b"\x1f\x8b"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class RawTable:
    """A station table as read from a file, before the columns are checked.

    Attributes
    ----------
    table : the rows as read (text cells), with a ``_where`` column (row, sheet …)
    format : the format read (one of :data:`FORMATS`)
    crs : the CRS of projected coordinates from a vector file, None for degrees
    rows_read : rows in the file when they differ from the table's (OpenCellID cells)
    problems : problems found while reading
    """

    table: pd.DataFrame
    format: str
    crs: str | None = None
    rows_read: int | None = None
    problems: list[Problem] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """Guess the format of a station file from its first bytes, then its suffix.

    Parameters
    ----------
    path : Path
        The file; an old ``.xls`` workbook, a zip without KML or sheet, or binary data
        raise :class:`~geoplan.errors.FormatError`.

    Returns
    -------
    str
        One of :data:`FORMATS` (``"csv"`` when nothing else fits).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sites.dat"
    >>> _ = p.write_text("radio,mcc,net,area,cell,unit,lon,lat\\n")
    >>> detect_format(p)
    'opencellid'
    """
    head = _head(path)
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC) and _is_encrypted_ooxml(path):
        raise FormatError(
            f"{path}: a password-protected Excel workbook; open it in Excel, remove the "
            "password (File > Info > Protect Workbook) and save it, or export 'CSV UTF-8'"
        )
    if suffix == ".xls" or head.startswith(_OLE_MAGIC):
        raise FormatError(f"{path}: an old Excel .xls workbook; save it as .xlsx or 'CSV UTF-8'")
    if head.startswith(b"PK\x03\x04"):
        names = _zip_names(path)
        if any(n.lower().endswith(".kml") for n in names):
            return "kmz"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if any(n.lower().endswith((".shp", ".gpkg", ".geojson")) for n in names):
            return "shp"  # a zipped point layer, read through GDAL
        if not names:
            kind = {".xlsx": "Excel workbook", ".xlsm": "Excel workbook", ".kmz": "KMZ"}
            raise FormatError(
                f"{path}: a damaged or truncated {kind.get(suffix, 'zip archive')} "
                "(cut short by a download or a copy?); copy or re-download it whole"
            )
        raise FormatError(f"{path}: a zip archive without a KML or Excel sheet in it")
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if suffix == ".shp":
        return "shp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xml", b"<kml")) or suffix == ".kml":
        return "kml"
    if text.startswith(b"{") or suffix in (".geojson", ".json"):
        return "geojson"
    if _looks_binary(head):
        raise FormatError(
            f"{path}: binary data, not a station table; export it as CSV, XLSX, KML or GeoJSON"
        )
    if _is_opencellid(text.decode("utf-8", errors="replace")):
        return "opencellid"
    return _SUFFIX_FORMATS.get(suffix, "csv")


def _head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of ``path`` (of its content when gzip-compressed, as .csv.gz)."""
    if not path.is_file():
        return b""
    with path.open("rb") as stream:
        head = stream.read(size)
    if head.startswith(_GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as stream:
                return stream.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise FormatError(
                f"{path}: a damaged or truncated gzip file ({exc}); re-download it"
            ) from exc
    return head


def _is_encrypted_ooxml(path: Path) -> bool:
    """True for a password-protected .xlsx: an OLE container with an EncryptedPackage."""
    with path.open("rb") as stream:
        data = stream.read(2**20)
    return "EncryptedPackage".encode("utf-16-le") in data


def read_station_table(
    path: Path, format: str | None = None, encoding: str | None = None
) -> RawTable:
    """Read ``path`` in ``format`` (detected when None) into a :class:`RawTable`.

    Parameters
    ----------
    path : Path
        The station file.
    format : str or None
        One of :data:`FORMATS`; None detects it (:func:`detect_format`).
    encoding : str or None
        Text encoding of CSV and OpenCellID files when not UTF-8 (e.g. ``"cp1258"``).
    """
    if path.is_file() and path.stat().st_size == 0:
        raise FormatError(f"{path}: the file is empty; it needs a header and one row per site")
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise FormatError(f"{path}: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        if fmt == "csv":
            return read_csv_table(path, encoding)
        if fmt == "opencellid":
            return read_opencellid(path, encoding)
        if fmt == "xlsx":
            return read_xlsx_table(path)
        if fmt in ("kml", "kmz"):
            return read_kml_table(path)
        return read_vector_table(path, fmt)
    except (
        zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError, EOFError, zlib.error,
        LookupError, pd.errors.ParserError, csv.Error,  # unknown XML encoding; ragged rows
    ) as exc:  # fmt: skip
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(
            f"{path}: not a readable {fmt.upper()} file ({message}); "
            "re-export it, or pass --format if the suffix is wrong"
        ) from exc


# --- text tables -----------------------------------------------------------------


def decode_text(path: Path, encoding: str | None = None) -> str:
    """File text: UTF-8 (BOM or not), UTF-16 with a BOM, or the given ``encoding``.

    Parameters
    ----------
    path : Path
        The text file.
    encoding : str or None
        A Python codec name (e.g. ``"cp1258"`` for Windows Vietnamese); None tries
        UTF-16 (with a BOM) and UTF-8.

    Returns
    -------
    str
        The text, NFC-normalised (Vietnamese diacritics composed).
    """
    data = path.read_bytes()
    if data.startswith(_GZIP_MAGIC):  # OpenCellID ships its exports as .csv.gz
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise FormatError(
                f"{path}: a damaged or truncated gzip file ({exc}); re-download it"
            ) from exc
    if encoding:
        try:
            return unicodedata.normalize("NFC", data.decode(encoding))
        except (UnicodeDecodeError, LookupError) as exc:
            raise FormatError(f"{path}: cannot decode as {encoding} ({exc})") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return unicodedata.normalize("NFC", data.decode("utf-16"))
        except UnicodeDecodeError as exc:
            raise FormatError(
                f"{path}: UTF-16 text (it starts with a byte-order mark) that does not decode "
                f"at byte {exc.start}: cut short? save it again as 'CSV UTF-8'"
            ) from exc
    if _looks_binary(data[:4096]):
        raise FormatError(
            f"{path}: binary data, not a station table; export it as CSV, XLSX, KML or GeoJSON"
        )
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"{path} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as "
            "'CSV UTF-8' or pass --encoding (e.g. cp1258 for Windows Vietnamese)"
        ) from exc


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(b < 9 or 13 < b < 32 for b in head)
    return len(head) > 0 and controls / len(head) > 0.05


def sniff_separator(lines: list[str]) -> str:
    """The separator among , ; tab | that splits the lines into the most, equal fields.

    Parameters
    ----------
    lines : list of str
        The first lines of the file (the first 30 non-blank ones are used).

    Returns
    -------
    str
        The separator; ``","`` when none splits the lines.

    >>> sniff_separator(["id;lat;lon", "A;21,5;106,2"])
    ';'
    """
    best, best_fields = ",", 1
    sample = [line for line in lines if line.strip()][:30]
    for sep in (",", ";", "\t", "|"):
        counts = [len(row) for row in csv.reader(sample, delimiter=sep)]
        if not counts:
            continue
        # the header and most rows must agree; a title line above the header may not
        common = max(set(counts), key=counts.count)
        if common > best_fields and counts.count(common) >= 0.8 * len(counts):
            best, best_fields = sep, common
    return best


def rows_to_table(rows: list[list[Any]], where: list[str], path: Path, what: str) -> pd.DataFrame:
    """Find the header among the first rows and build a table of the rows below it.

    The header is the row, among the first ten non-blank ones, naming the most known
    columns (at least two; else the first row).

    Parameters
    ----------
    rows : list of lists
        The cells of every row.
    where : list of str
        Where each row is, for messages (``"row 3"``, ``"sheet 'Trạm' row 3"``).
    path : Path
        The file, for messages.
    what : str
        What the rows are, for messages (``"the file"``, a sheet name).

    Returns
    -------
    DataFrame
        Text cells (None for empty) under the header, plus ``_where``.
    """
    rows_and_where = [
        (r, w)
        for r, w in zip(rows, where, strict=True)
        if any(str(c).strip() for c in r if c is not None)
    ]
    if not rows_and_where:
        raise FormatError(f"{path}: no rows at all; it needs a header and one row per site")
    scores = [header_score(list(r)) for r, _ in rows_and_where[:10]]
    start = int(np.argmax(scores)) if max(scores) >= 2 else 0
    header = [
        str(c).strip() if c is not None and str(c).strip() else f"column {i + 1}"
        for i, c in enumerate(rows_and_where[start][0])
    ]
    body = rows_and_where[start + 1 :]
    if not body:
        raise FormatError(f"{path}: {what} has a header but no rows; add one row per site")
    width = len(header)
    cells = [
        [None if c is None else str(c) for c in (list(r) + [None] * width)[:width]] for r, _ in body
    ]
    table = pd.DataFrame(cells, columns=pd.Index(_unique(header)), dtype=object)
    table["_where"] = [w for _, w in body]
    return table


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return out


def read_csv_table(path: Path, encoding: str | None = None) -> RawTable:
    """Read a delimited text table (separator and header row detected).

    Parameters
    ----------
    path : Path
        The CSV or other delimited text file.
    encoding : str or None
        Text encoding when not UTF-8 (see :func:`decode_text`).
    """
    text = decode_text(path, encoding)
    lines = text.splitlines()
    sep = sniff_separator(lines[:50])
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    table = rows_to_table(rows, [f"row {i + 1}" for i in range(len(rows))], path, "the file")
    _check_decimal_commas(rows, len(table.columns) - 1, sep, path)
    return RawTable(table, "csv")


def _check_decimal_commas(rows: list[list[str]], header_width: int, sep: str, path: Path) -> None:
    """Refuse rows split by decimal commas: ``A,21,1754,106,0712`` under ``site_id,lat,lon``.

    Most rows longer than the header, with whole numbers in the extra fields, mean the
    comma served both as separator and as decimal mark.
    """
    if sep != ",":
        return
    filled = [(i, r) for i, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    longer = [(i, r) for i, r in filled if len(r) > header_width]
    if not longer or len(longer) < 0.5 * (len(filled) - 1):
        return
    row_number, first = longer[0]
    whole = [c.strip() for c in first if c.strip().lstrip("-+").isdigit()]
    if len(whole) < 2 or not all(c.strip().lstrip("-+").isdigit() for c in first[header_width:]):
        return
    raise FormatError(
        f"{path} row {row_number}: {len(first)} fields under a header of {header_width}: "
        f"decimal commas ({','.join(whole[:2])}) in a comma-separated file? save it with ';' "
        'as the separator, quote the numbers ("21,1754"), or use decimal points'
    )


def read_xlsx_table(path: Path) -> RawTable:
    """Read the first sheet of a workbook whose header names a site and coordinates.

    Without such a sheet the first sheet is read. Whole numbers stored as floats
    (site ids like ``1001.0``) are read as ``"1001"``.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` workbook.
    """
    import openpyxl

    try:
        # not read_only: merged ranges are known only to a fully loaded sheet
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FormatError(
            f"{path}: not a readable Excel workbook ({type(exc).__name__}); "
            "open and re-save it in Excel, or export 'CSV UTF-8'"
        ) from exc
    try:
        chosen = None
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            if any(header_score(r) >= 2 for r in rows[:10]) or chosen is None:
                chosen = (sheet, rows)
                if any(header_score(r) >= 2 for r in rows[:10]):
                    break
        if chosen is None or not chosen[1]:
            raise FormatError(
                f"{path}: the workbook is empty; it needs a header and one row per site"
            )
        sheet, rows = chosen
        problems = _fill_merged(sheet, rows)
    finally:
        book.close()
    title = sheet.title
    rows = [[_excel_text(c) for c in r] for r in rows]
    where = [f"sheet '{title}' row {i + 1}" for i in range(len(rows))]
    table = rows_to_table(rows, where, path, f"sheet '{title}'")
    return RawTable(table, "xlsx", problems=problems)


def _fill_merged(sheet: Any, rows: list[list[Any]]) -> list[Problem]:
    """Give every cell of a merged range its top-left value (an operator merged over
    several rows belongs to each of them); one warning per sheet lists the ranges."""
    ranges = list(sheet.merged_cells.ranges)
    for merged in ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
            row = rows[r]
            row.extend([None] * (merged.max_col - len(row)))
            for c in range(merged.min_col - 1, merged.max_col):
                row[c] = value
    if not ranges:
        return []
    listed = ", ".join(str(m.coord) for m in ranges[:5]) + ("…" if len(ranges) > 5 else "")
    return [
        Problem(
            f"sheet '{sheet.title}'",
            "",
            f"{len(ranges)} merged cell range(s) ({listed}) filled with their first value",
            "warning",
        )
    ]


def _excel_text(value: object) -> object:
    """Cell text; whole numbers stored as floats (site ids like 1001.0) lose the '.0'."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return value


# --- vector files ------------------------------------------------------------------


def read_vector_table(path: Path, fmt: str) -> RawTable:
    """Read a point layer (GeoJSON, GeoPackage, shapefile) through GDAL.

    The points become ``lon``/``lat`` columns (replacing any such attribute
    columns): degrees (EPSG:4326) for a geographic CRS, else in the layer's CRS,
    recorded in :attr:`RawTable.crs`.

    Parameters
    ----------
    path : Path
        The vector file.
    fmt : str
        ``"geojson"``, ``"gpkg"`` or ``"shp"``.
    """
    frame = read_vector(path)
    if frame.empty:
        raise FormatError(f"{path}: the layer has no features; it needs one point per site")
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    table["_where"] = [f"feature {i + 1}" for i in range(len(frame))]
    geometry = frame.geometry
    if geometry.isna().all():
        return RawTable(table, fmt)  # attributes only: lat/lon columns, if any
    kinds = geometry.geom_type.fillna("none").to_numpy()
    not_point = ~np.isin(kinds, ("Point", "none"))
    if not_point.any():
        i = int(np.flatnonzero(not_point)[0])
        raise FormatError(
            f"{path} feature {i + 1}: a {kinds[i]}, not a point; "
            "a station file needs one point per site"
        )
    crs = None
    if frame.crs is not None and not frame.crs.is_geographic:
        crs = frame.crs.to_string()
    coordinate_columns = [
        c for c, s in match_columns(list(table.columns)).items() if s in ("lon", "lat")
    ]
    table = table.drop(columns=coordinate_columns)
    if frame.crs is not None and frame.crs.is_geographic and frame.crs.to_epsg() != 4326:
        geometry = geometry.to_crs(STORAGE_CRS)
    table["lon"] = geometry.x.to_numpy()
    table["lat"] = geometry.y.to_numpy()
    return RawTable(table, fmt, crs=crs)


# --- KML / KMZ ---------------------------------------------------------------------


def read_kml_table(path: Path) -> RawTable:
    """Read Google Earth Placemarks: ``name``, ExtendedData fields and the Point.

    KML with a DOCTYPE or ENTITY declaration is refused (unsafe XML).

    Parameters
    ----------
    path : Path
        A ``.kml`` file or a ``.kmz`` archive (``doc.kml``, else its first ``.kml``).
    """
    data = _kml_bytes(path)
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise FormatError(
            f"{path}: KML with a DOCTYPE/ENTITY declaration is refused "
            "(unsafe XML); re-export it from Google Earth"
        )
    root = ElementTree.fromstring(data)
    records = []
    shapes: list[str | None] = []  # the geometry of placemarks without a Point
    for placemark in (e for e in root.iter() if _local(e.tag) == "Placemark"):
        record: dict[str, object] = {}
        for child in placemark:
            if _local(child.tag) in ("name", "description") and child.text:
                record[_local(child.tag)] = child.text.strip()
        for element in placemark.iter():
            tag = _local(element.tag)
            if tag == "Data" and element.get("name"):
                value = next((v.text for v in element if _local(v.tag) == "value"), None)
                record[str(element.get("name"))] = value
            elif tag == "SimpleData" and element.get("name"):
                record[str(element.get("name"))] = element.text
        point = next((e for e in placemark.iter() if _local(e.tag) == "Point"), None)
        shapes.append(None if point is not None else _kml_shape(placemark))
        coords = (
            None
            if point is None
            else next((e.text for e in point.iter() if _local(e.tag) == "coordinates"), None)
        )
        parts = (coords or "").strip().split(",")
        record["lon"] = parts[0] if len(parts) >= 2 else None
        record["lat"] = parts[1] if len(parts) >= 2 else None
        records.append(record)
    if not records:
        raise FormatError(f"{path}: no Placemark in the file; export the sites as points")
    not_points = [(i, kind) for i, kind in enumerate(shapes, start=1) if kind is not None]
    if not_points:
        i, kind = not_points[0]
        kinds = "/".join(sorted({k for _, k in not_points}))
        which = "every placemark is" if len(not_points) == len(records) else f"placemark {i} is"
        raise FormatError(
            f"{path}: {which} a {kinds if i == 1 else kind}, not a point "
            f"({len(not_points)} of {len(records)}); "
            "a station file needs one Point placemark per site"
        )
    table = pd.DataFrame.from_records(records).astype(object)
    table = table.drop(columns=[c for c in table.columns if c == "description"])
    table["_where"] = [f"placemark {i + 1}" for i in range(len(records))]
    fmt = "kmz" if path.suffix.lower() == ".kmz" or _zip_names(path) else "kml"
    return RawTable(table, fmt)


def _kml_shape(placemark: ElementTree.Element) -> str | None:
    """The geometry kind of a placemark that has no Point (None when it has none at all)."""
    kinds = ("Polygon", "LineString", "LinearRing", "MultiGeometry", "Model", "Track")
    return next((_local(e.tag) for e in placemark.iter() if _local(e.tag) in kinds), None)


def _kml_bytes(path: Path) -> bytes:
    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        kmls = [i for i in archive.infolist() if i.filename.lower().endswith(".kml")]
        if not kmls:
            raise FormatError(f"{path}: the KMZ holds no .kml document")
        doc = next((i for i in kmls if i.filename.lower() == "doc.kml"), kmls[0])
        if doc.file_size > _MAX_XML_BYTES:
            raise FormatError(f"{path}: {doc.filename} unpacks to {doc.file_size:,} bytes; too big")
        try:
            return archive.read(doc)
        except (RuntimeError, NotImplementedError) as exc:  # zipfile's words for these
            raise FormatError(
                f"{path}: {doc.filename} is encrypted or packed in a way zip readers do not "
                f"share ({exc}); save the KMZ again from Google Earth"
            ) from exc


def _zip_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
        return []


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


# --- OpenCellID ----------------------------------------------------------------------


def _is_opencellid(head: str) -> bool:
    first = head.splitlines()[0] if head.strip() else ""
    fields = [f.strip() for f in first.split(",")]
    if fields[:3] == ["radio", "mcc", "net"]:
        return True
    return len(fields) == len(OPENCELLID_COLUMNS) and fields[0] in (
        "GSM",
        "UMTS",
        "LTE",
        "NR",
        "CDMA",
    )


def read_opencellid(
    path: Path,
    encoding: str | None = None,
    radios: tuple[str, ...] = ("NR", "LTE"),
    mcc: int = 452,
    nr_gnb_id_bits: int = 24,
) -> RawTable:
    """Read an OpenCellID export (header or not) and group its cells into sites.

    Parameters
    ----------
    path : Path
        The OpenCellID CSV.
    encoding : str or None
        Text encoding when not UTF-8.
    radios, mcc, nr_gnb_id_bits
        As for :func:`opencellid_sites`.

    Returns
    -------
    RawTable
        One row per site; ``rows_read`` is the number of cells in the file.
    """
    text = decode_text(path, encoding)
    has_header = text.lstrip().startswith("radio,")
    cells = pd.read_csv(
        io.StringIO(text),
        header=0 if has_header else None,
        dtype=str,
        names=None if has_header else list(OPENCELLID_COLUMNS),
    )
    if cells.empty:
        raise FormatError(f"{path}: the OpenCellID file has a header but no cells")
    table, problems = opencellid_sites(cells, radios, mcc, nr_gnb_id_bits)
    if table.empty:
        raise FormatError(
            f"{path}: none of the {len(cells):,} cells is {'/'.join(radios)} in MCC {mcc}; "
            "is it an extract for Vietnam (MCC 452)?"
        )
    return RawTable(table, "opencellid", rows_read=len(cells), problems=problems)


def opencellid_sites(
    cells: pd.DataFrame,
    radios: tuple[str, ...] = ("NR", "LTE"),
    mcc: int = 452,
    nr_gnb_id_bits: int = 24,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Group OpenCellID cells into sites (one row per eNB/gNB).

    Grouping rule: cells with the same radio, MCC, network (MNC) and base-station id
    form one site. LTE cell ids are E-UTRAN cell identities: eNB id = ``cell // 256``
    (28 bits = 20-bit eNB + 8-bit cell). NR cell ids are NR cell identities (36 bits):
    gNB id = ``cell >> (36 - nr_gnb_id_bits)``, with a 24-bit gNB id by default. The
    site lies at the mean of its cells' positions (OpenCellID positions are
    crowd-sourced estimates of each cell). Site id: ``MCC-MNC-RADIO-NODE``, e.g.
    ``452-04-LTE-123456``; ``operator`` comes from the MNC (:data:`VIETNAM_MNC`).

    Parameters
    ----------
    cells : DataFrame
        OpenCellID cells as text: ``radio``, ``mcc``, ``net``, ``cell``, ``lon``,
        ``lat`` (degrees).
    radios : tuple of str
        Radio types kept (default NR and LTE).
    mcc : int
        Mobile country code kept (452: Vietnam).
    nr_gnb_id_bits : int
        Bits of the gNB id in a 36-bit NR cell identity.

    Returns
    -------
    (sites, problems) : DataFrame and list of Problem
        Sites with ``site_id``, ``operator``, ``radio``, ``lon``, ``lat`` (degrees),
        ``cells`` and ``source``; a warning for each of the first 20 unreadable cells.

    Examples
    --------
    >>> cells = pd.DataFrame({"radio": ["LTE", "LTE", "GSM"], "mcc": ["452"] * 3,
    ...     "net": ["4"] * 3, "cell": ["256001", "256002", "77"],
    ...     "lon": ["106.0", "106.002", "106.1"], "lat": ["21.0", "21.002", "21.1"]})
    >>> sites, _ = opencellid_sites(cells)
    >>> sites[["site_id", "lon", "lat", "cells"]].round(6).values.tolist()
    [['452-04-LTE-1000', 106.001, 21.001, 2]]
    """
    radio = cells["radio"].astype(str).str.strip().str.upper()
    numbers = {c: pd.to_numeric(cells[c], errors="coerce") for c in ("mcc", "net", "cell")}
    lon = pd.to_numeric(cells["lon"], errors="coerce")
    lat = pd.to_numeric(cells["lat"], errors="coerce")
    chosen = radio.isin(radios) & (numbers["mcc"] == mcc)
    problems = []
    unreadable = chosen & (numbers["net"].isna() | numbers["cell"].isna() | lon.isna() | lat.isna())
    for i in np.flatnonzero(unreadable.to_numpy())[:20]:
        problems.append(
            Problem(
                f"cell row {i + 1}",
                "cell/lon/lat",
                "unreadable number; the cell is skipped",
                "warning",
            )
        )
    keep = chosen & ~unreadable
    cell_id = numbers["cell"][keep].astype("int64")
    shift = np.where(radio[keep] == "NR", 36 - nr_gnb_id_bits, 8)
    node = np.right_shift(cell_id.to_numpy(), shift)
    net = numbers["net"][keep].astype(int)
    frame = pd.DataFrame(
        {
            "site_id": [
                f"{mcc}-{n:02d}-{r}-{b}" for n, r, b in zip(net, radio[keep], node, strict=True)
            ],
            "operator": net.map(lambda n: VIETNAM_MNC.get(n, f"MNC {n:02d}")).to_numpy(),
            "radio": radio[keep].to_numpy(),
            "lon": lon[keep].to_numpy(),
            "lat": lat[keep].to_numpy(),
        }
    )
    sites = (
        frame.groupby("site_id", sort=True)
        .agg(
            operator=("operator", "first"),
            radio=("radio", "first"),
            lon=("lon", "mean"),
            lat=("lat", "mean"),
            cells=("lon", "size"),
        )
        .reset_index()
    )
    sites["source"] = "opencellid"
    sites["_where"] = [f"site {s}" for s in sites["site_id"]]
    return sites, problems
