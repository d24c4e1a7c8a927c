"""Write station tables: the standard CSV, and the formats people exchange.

Every writer goes through :func:`geoplan.io.atomic.atomic_path`: the file appears
complete or not at all, and an existing file is replaced only with ``overwrite``.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import pandas as pd

from geoplan.config import STORAGE_CRS
from geoplan.errors import FormatError
from geoplan.io.atomic import atomic_path

#: Vietnamese headers for ``headers="vi"`` (what a provincial department would type).
VIETNAMESE_HEADERS = {
    "site_id": "Mã trạm",
    "name": "Tên trạm",
    "operator": "Nhà mạng",
    "lon": "Kinh độ",
    "lat": "Vĩ độ",
    "band": "Băng tần",
    "antenna_height_m": "Độ cao anten (m)",
    "sectors": "Số sector",
    "azimuths_deg": "Góc phương vị",
    "source": "Nguồn",
}
WRITE_FORMATS = ("csv", "geojson", "gpkg", "kml", "kmz", "xlsx")
_KML_NS = "http://www.opengis.net/kml/2.2"


def write_stations(
    stations: gpd.GeoDataFrame | pd.DataFrame,
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    headers: str = "en",
    overwrite: bool = False,
) -> Path:
    """Write a station table; the format comes from ``format`` or the suffix.

    ``headers="vi"`` writes Vietnamese column names (CSV and XLSX). Coordinates are
    written with full precision.

    Parameters
    ----------
    stations : GeoDataFrame or DataFrame
        Station rows with ``site_id``, ``lon`` and ``lat`` (degrees, EPSG:4326); any
        geometry column is dropped and rebuilt from ``lon``/``lat``.
    path : str or path
        The file to write (atomically).
    format : str or None
        One of :data:`WRITE_FORMATS` (``"json"`` means GeoJSON); None uses the suffix.
    headers : str
        ``"en"`` (standard names) or ``"vi"`` (:data:`VIETNAMESE_HEADERS`, CSV with
        a UTF-8 BOM).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> table = pd.DataFrame({"site_id": ["A"], "lon": [106.1], "lat": [21.2]})
    >>> out = write_stations(table, pathlib.Path(tempfile.mkdtemp()) / "sites.kml")
    >>> b"<coordinates>106.1,21.2</coordinates>" in out.read_bytes()
    True
    """
    target = Path(path)
    fmt = format or target.suffix.lower().lstrip(".")
    fmt = "geojson" if fmt == "json" else fmt
    if fmt not in WRITE_FORMATS:
        raise FormatError(
            f"{target}: cannot write {fmt!r}; choose one of {', '.join(WRITE_FORMATS)}"
        )
    table = pd.DataFrame(stations).drop(columns="geometry", errors="ignore")
    with atomic_path(target, overwrite) as tmp:
        if fmt == "csv":
            named = table.rename(columns=VIETNAMESE_HEADERS) if headers == "vi" else table
            named.to_csv(tmp, index=False, encoding="utf-8-sig" if headers == "vi" else "utf-8")
        elif fmt == "xlsx":
            named = table.rename(columns=VIETNAMESE_HEADERS) if headers == "vi" else table
            named.to_excel(tmp, index=False, engine="openpyxl")
        elif fmt in ("geojson", "gpkg"):
            frame = gpd.GeoDataFrame(
                table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=STORAGE_CRS
            )
            frame.to_file(tmp, driver="GeoJSON" if fmt == "geojson" else "GPKG", layer="stations")
        else:
            document = kml_document(table)
            if fmt == "kml":
                tmp.write_bytes(document)
            else:
                with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
                    archive.writestr("doc.kml", document)
    return target


def kml_document(table: pd.DataFrame) -> bytes:
    """A KML document with one Placemark per site, as Google Earth writes it.

    Parameters
    ----------
    table : DataFrame
        Rows with ``site_id`` (the Placemark name), ``lon`` and ``lat`` (degrees);
        other non-empty columns go to ExtendedData.

    Returns
    -------
    bytes
        UTF-8 XML with a declaration.
    """
    ElementTree.register_namespace("", _KML_NS)
    kml = ElementTree.Element(f"{{{_KML_NS}}}kml")
    document = ElementTree.SubElement(kml, f"{{{_KML_NS}}}Document")
    for row in table.to_dict("records"):
        placemark = ElementTree.SubElement(document, f"{{{_KML_NS}}}Placemark")
        ElementTree.SubElement(placemark, f"{{{_KML_NS}}}name").text = str(row["site_id"])
        extended = ElementTree.SubElement(placemark, f"{{{_KML_NS}}}ExtendedData")
        for key, value in row.items():
            if key in ("lon", "lat") or pd.isna(value):
                continue
            data = ElementTree.SubElement(extended, f"{{{_KML_NS}}}Data", name=str(key))
            ElementTree.SubElement(data, f"{{{_KML_NS}}}value").text = str(value)
        point = ElementTree.SubElement(placemark, f"{{{_KML_NS}}}Point")
        ElementTree.SubElement(
            point, f"{{{_KML_NS}}}coordinates"
        ).text = f"{float(row['lon'])!r},{float(row['lat'])!r}"
    return ElementTree.tostring(kml, encoding="utf-8", xml_declaration=True)
