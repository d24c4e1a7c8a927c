"""Tables for people: rounded, sorted, with plain column names."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geoplan.config import STORAGE_CRS
from geoplan.errors import InputError
from geoplan.io.atomic import atomic_path, write_table_csv
from geoplan.outputs.i18n import fmt_int, fmt_vnd, label
from geoplan.outputs.theme import phase_colour
from geoplan.results import CoverageResult, Plan


def commune_table(result: CoverageResult) -> pd.DataFrame:
    """Per-commune coverage, least covered first, people rounded to whole persons.

    Parameters
    ----------
    result : CoverageResult
        The coverage to tabulate.

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``population``, ``covered_population``,
        ``uncovered_population`` (people, int) and ``covered_share`` (0..1, 4 decimals).
    """
    table = result.communes.copy()
    for column in ("population", "covered_population", "uncovered_population"):
        table[column] = table[column].round().astype("int64")
    table["covered_share"] = table["covered_share"].round(4)
    return table.sort_values(["covered_share", "code"]).reset_index(drop=True)


def commune_report_table(result: CoverageResult, plan: Plan | None = None) -> pd.DataFrame:
    """Per-commune people and shares today (and after ``plan``), sorted by code.

    Columns: ``code``, ``name``, ``population``, ``covered_population_before``,
    ``uncovered_population_before``, ``covered_share_before`` and, with a plan,
    ``covered_population_after``, ``covered_share_after``, ``added_population``.
    People are rounded to whole persons, shares to 4 decimals (0..1).

    Parameters
    ----------
    result : CoverageResult
        Today's coverage.
    plan : Plan or None
        The plan, for the columns after it.
    """
    today = result.communes
    table = pd.DataFrame(
        {
            "code": today["code"].astype(str),
            "name": today["name"].astype(str),
            "population": today["population"],
            "covered_population_before": today["covered_population"],
            "uncovered_population_before": today["uncovered_population"],
            "covered_share_before": today["covered_share"],
        }
    )
    if plan is not None:
        after = plan.communes[["code", "covered_population_after", "covered_share_after"]]
        table = table.merge(after.astype({"code": str}), on="code", how="left")
        table["added_population"] = (
            table["covered_population_after"] - table["covered_population_before"]
        )
    for column in table.columns:
        if "population" in column:
            table[column] = table[column].round().astype("Int64")
        elif "share" in column:
            table[column] = table[column].round(4)
    return table.sort_values("code").reset_index(drop=True)


def write_xlsx(
    sheets: dict[str, pd.DataFrame],
    path: str | os.PathLike[str],
    overwrite: bool = False,
    headers: dict[str, str] | None = None,
) -> Path:
    """Write tables as sheets of one Excel workbook (openpyxl), atomically.

    ``headers`` maps column names to the header text shown (e.g. Vietnamese); share
    columns (``*share*``) get a percent format, people a thousands format; the
    header row is bold and frozen.

    Parameters
    ----------
    sheets : dict of DataFrame
        Sheet name (cut to Excel's 31 characters) -> table.
    path : str or path
        The ``.xlsx`` file.
    overwrite : bool
        Replace an existing file.
    headers : dict of str or None
        Column name -> header text.

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl.styles import Font

    headers = headers or {}
    with atomic_path(path, overwrite) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for sheet_name, table in sheets.items():
                shown = table.rename(columns=lambda c: headers.get(c, c))
                shown.to_excel(writer, sheet_name=sheet_name[:31], index=False)
                sheet = writer.sheets[sheet_name[:31]]
                sheet.freeze_panes = "A2"
                for index, column in enumerate(table.columns, start=1):
                    letter = sheet.cell(row=1, column=index).column_letter
                    sheet.cell(row=1, column=index).font = Font(bold=True)
                    width = max(len(str(headers.get(column, column))), 10)
                    sheet.column_dimensions[letter].width = min(width + 2, 48)
                    number_format = _number_format(column, table[column])
                    if number_format:
                        for cell in sheet[letter][1:]:
                            cell.number_format = number_format
    return Path(path)


def _number_format(column: str, values: pd.Series) -> str | None:
    if "share" in column:
        return "0.0%"
    if pd.api.types.is_numeric_dtype(values) and column not in ("phase", "order", "lon", "lat"):
        return "#,##0"
    return None


def write_geopackage(
    layers: dict[str, gpd.GeoDataFrame], path: str | os.PathLike[str], overwrite: bool = False
) -> Path:
    """Write several layers into one GeoPackage, atomically (empty layers are skipped).

    Parameters
    ----------
    layers : dict of GeoDataFrame
        Layer name -> features; all empty raises :class:`InputError`.
    path : str or path
        The ``.gpkg`` file.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path, overwrite) as tmp:
        for name, frame in layers.items():
            if len(frame):
                frame.to_file(tmp, layer=name, driver="GPKG")
        if not tmp.exists():
            raise InputError(f"{path}: nothing to write (every layer is empty)")
    return Path(path)


def kml_document(new_sites: gpd.GeoDataFrame, name: str, lang: str = "vi") -> bytes:
    """KML (UTF-8 bytes) with one placemark per new site, styled by phase.

    Text is escaped by the XML writer, so any site id or name is safe.

    Parameters
    ----------
    new_sites : GeoDataFrame
        A plan's new sites: ``site_id``, ``kind``, ``phase``, ``order``, ``cost_vnd``
        (VND), ``added_population`` (people), ``commune_code``, ``commune_name``.
    name : str
        The document name shown in Google Earth.
    lang : str
        ``"vi"`` or ``"en"``, for the descriptions.
    """
    kml = ET.Element("kml", xmlns="http://www.opengis.net/kml/2.2")
    document = ET.SubElement(kml, "Document")
    ET.SubElement(document, "name").text = name
    points = new_sites.to_crs(STORAGE_CRS)
    for phase in sorted(points["phase"].unique()):
        style = ET.SubElement(document, "Style", id=f"phase{int(phase)}")
        icon = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon, "color").text = _kml_colour(phase_colour(int(phase)))
    for row in points.itertuples(index=False):
        placemark = ET.SubElement(document, "Placemark")
        ET.SubElement(placemark, "name").text = str(row.site_id)
        ET.SubElement(placemark, "description").text = (
            f"{label(str(row.kind), lang)}; {label('phase', lang)} {int(row.phase)}; "
            f"{row.commune_name} ({row.commune_code}); {fmt_vnd(row.cost_vnd, lang)}; "
            f"{label('added_population', lang)}: {fmt_int(row.added_population, lang)}"
        )
        ET.SubElement(placemark, "styleUrl").text = f"#phase{int(row.phase)}"
        extended = ET.SubElement(placemark, "ExtendedData")
        for field in (
            "kind",
            "phase",
            "order",
            "cost_vnd",
            "added_population",
            "commune_code",
            "commune_name",
        ):
            data = ET.SubElement(extended, "Data", name=field)
            ET.SubElement(data, "value").text = str(getattr(row, field))
        point = ET.SubElement(placemark, "Point")
        ET.SubElement(point, "coordinates").text = f"{row.geometry.x:.6f},{row.geometry.y:.6f},0"
    ET.indent(kml)
    return ET.tostring(kml, encoding="utf-8", xml_declaration=True)


def write_kml(
    new_sites: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    overwrite: bool = False,
    name: str = "geoplan new sites",
    lang: str = "vi",
) -> Path:
    """Write :func:`kml_document` to ``path`` atomically (for Google Earth).

    Parameters
    ----------
    new_sites, name, lang
        As for :func:`kml_document`.
    path : str or path
        The ``.kml`` file.
    overwrite : bool
        Replace an existing file.
    """
    with atomic_path(path, overwrite) as tmp:
        tmp.write_bytes(kml_document(new_sites, name, lang))
    return Path(path)


def _kml_colour(hex_rgb: str) -> str:
    """KML colours are aabbggrr: ``_kml_colour('#2166ac')`` is ``'ffac6621'``."""
    red, green, blue = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"ff{blue}{green}{red}"


__all__ = [
    "commune_report_table",
    "commune_table",
    "kml_document",
    "write_geopackage",
    "write_kml",
    "write_table_csv",
    "write_xlsx",
]  # fmt: skip
