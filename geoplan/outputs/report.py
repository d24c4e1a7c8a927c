"""``geoplan report``: figures and tables for a meeting, in one folder.

:func:`write_report` writes (``*`` only with a plan):

- ``coverage_map.png`` and ``coverage_map.pdf``: communes by covered share, sites;
- ``coverage_curve.png`` *: covered share by number of new sites;
- ``communes_before_after.png``: per-commune covered share today (and after);
- ``communes.csv`` (UTF-8 with BOM; plain, or ``;`` and a decimal comma with
  translated headers for Excel set to Vietnamese: ``csv_dialect="vi-excel"``);
- ``communes.xlsx``: a summary sheet first (headline, gross / support / net cost,
  the communes left at 0% and below 50%, model, solver, settings), then *a
  per-commune priority sheet, the communes, *the phases, *the new sites, and the
  sources; headers, values and sheet names in ``lang``;
- ``geoplan.gpkg``: layers ``communes`` (with shares), ``sites``, ``new_sites`` *,
  ``coverage`` (covered-cell footprint) and ``hotspots``;
- ``new_sites.kml`` *: the new sites for Google Earth.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geoplan.inputs import Inputs
from geoplan.io.atomic import check_csv_dialect, check_writable
from geoplan.io.plan_folder import check_plan_communes
from geoplan.outputs import figures, layers, tables
from geoplan.outputs.i18n import check_lang, label
from geoplan.outputs.paths import report_paths
from geoplan.results import CoverageResult, Plan
from geoplan.schema import DEFAULT_LANG, CsvDialect, Lang

log = logging.getLogger(__name__)


def write_report(
    out_dir: str | os.PathLike[str],
    inputs: Inputs,
    result: CoverageResult,
    plan: Plan | None = None,
    *,
    lang: Lang = DEFAULT_LANG,
    overwrite: bool = False,
    csv_dialect: CsvDialect = "plain",
) -> dict[str, Path]:
    """Write the figures and tables of today's coverage (and ``plan``) into ``out_dir``.

    Every target is checked before anything is written, so a refused overwrite
    leaves the folder as it was.

    Parameters
    ----------
    out_dir : the folder (created if missing)
    inputs : communes, grid and today's stations
    result : today's coverage
    plan : a plan, for the curve, the phases and the new sites' KML
    lang : ``"vi"`` (default) or ``"en"``
    overwrite : replace existing files
    csv_dialect : ``"plain"`` (raw column names, ``,`` and a decimal point, for
        programs) or ``"vi-excel"`` (headers and values in ``lang``, ``;`` and a
        decimal comma, for Excel with Vietnamese regional settings)

    Returns
    -------
    dict
        the written paths by kind (the keys of :data:`REPORT_FILES`).

    Examples
    --------
    >>> paths = geoplan.write_report("out/report", geoplan.load_scenario())  # doctest: +SKIP
    """
    check_lang(lang)
    check_csv_dialect(csv_dialect)
    with_phases = plan is not None and plan.commune_phases is not None
    paths = report_paths(out_dir, plan is not None, with_phases)
    for path in paths.values():
        check_writable(path, overwrite)
    if plan is not None:
        check_plan_communes(plan, inputs.communes["code"])
    _write_figures(paths, inputs, result, plan, lang, overwrite)
    table = tables.commune_report_table(result, plan)
    shown = tables.people_table(table, lang) if csv_dialect == "vi-excel" else table
    tables.write_table_csv(shown, paths["csv"], overwrite, dialect=csv_dialect)
    write_workbook(paths["xlsx"], inputs, result, plan, lang=lang, overwrite=overwrite)
    tables.write_geopackage(_gpkg_layers(inputs, result, plan, table), paths["gpkg"], overwrite)
    if plan is not None:
        tables.write_kml(
            plan.new_sites, paths["kml"], overwrite, name=label("title_plan", lang), lang=lang
        )
    log.info("report written to %s", out_dir)
    return paths


def _write_figures(
    paths: dict[str, Path],
    inputs: Inputs,
    result: CoverageResult,
    plan: Plan | None,
    lang: str,
    overwrite: bool,
) -> None:
    coverage = figures.figure_coverage_map(
        inputs.communes,
        result,
        inputs.stations,
        plan,
        lang,
        inputs.config.work_crs,
        inputs.stations_synthetic,
    )
    figures.save_figure(coverage, paths["map_png"], overwrite)
    figures.save_figure(coverage, paths["map_pdf"], overwrite)
    figures.save_figure(figures.figure_commune_bars(result, plan, lang), paths["bars"], overwrite)
    if plan is not None:
        figures.save_figure(figures.figure_curve(plan, lang), paths["curve"], overwrite)
    if "phases_fig" in paths and plan is not None:
        phases = figures.figure_commune_phases(plan, lang)
        figures.save_figure(phases, paths["phases_fig"], overwrite)


def write_workbook(
    path: str | os.PathLike[str],
    inputs: Inputs,
    result: CoverageResult,
    plan: Plan | None = None,
    *,
    lang: Lang = DEFAULT_LANG,
    overwrite: bool = False,
) -> Path:
    """Write the report's workbook alone: summary, *priority, communes, *phases, *new sites.

    Sheets marked * need a plan. Headers, values and sheet names are in ``lang``; the
    summary sheet echoes the settings of ``inputs.config``.

    Parameters
    ----------
    path : str or path
        The ``.xlsx`` file, written atomically.
    inputs : Inputs
        Communes, today's stations (synthetic or not) and the settings.
    result : CoverageResult
        Today's coverage.
    plan : Plan or None
        The plan, for its sheets and the summary's cost, equity and solver lines.
    lang : str
        ``"vi"`` (default) or ``"en"``.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.
    """
    check_lang(lang)
    table = tables.commune_report_table(result, plan)
    floor = tables.floor_share(plan, inputs.config)
    sheets, row_formats = _sheets(inputs, result, table, plan, lang, floor)
    headers = {
        c: tables.column_label(c, lang, floor) for sheet in sheets.values() for c in sheet.columns
    }
    localised = {name: tables.localise(sheet, lang) for name, sheet in sheets.items()}
    return tables.write_xlsx(localised, path, overwrite, headers, row_formats)


def _sheets(
    inputs: Inputs,
    result: CoverageResult,
    table: pd.DataFrame,
    plan: Plan | None,
    lang: str,
    floor: float,
) -> tuple[dict[str, pd.DataFrame], dict[str, list[str | None]]]:
    """The workbook's sheets (raw column names and values) and the summary's row formats."""
    summary, formats = tables.summary_table(
        result, plan, inputs.config, lang, synthetic=inputs.stations_synthetic
    )
    sheets = {label("sheet_summary", lang): summary}
    if plan is not None:
        sheets[label("sheet_priority", lang)] = tables.priority_table(
            plan, _former_units(table), floor
        )
    sheets[label("sheet_communes", lang)] = table
    if plan is not None:
        sheets[label("sheet_phases", lang)] = tables.phase_report_table(plan)
        sheets[label("sheet_new_sites", lang)] = pd.DataFrame(
            plan.new_sites.drop(columns="geometry")
        )
    notes = ["source_population", "source_boundaries", "about_metrics", "about_costs"]
    notes += ["about_rank"] if plan is not None else []
    about = pd.DataFrame({"note": [label(key, lang) for key in notes]})
    sheets[label("sheet_about", lang)] = about
    return sheets, {label("sheet_summary", lang): formats}


def _former_units(table: pd.DataFrame) -> pd.Series | None:
    """The communes' former districts, when the boundaries are the 2025 units (by code)."""
    former = tables.read_former_units()
    return former if table["code"].isin(former.index).all() else None


def _gpkg_layers(
    inputs: Inputs, result: CoverageResult, plan: Plan | None, table: pd.DataFrame
) -> dict[str, gpd.GeoDataFrame]:
    communes = inputs.communes[["code", "geometry"]].merge(table, on="code", how="left")
    footprint = layers.coverage_footprint(inputs.grid, result)
    hotspots = layers.uncovered_hotspots(inputs.grid, result)
    out = {
        "communes": gpd.GeoDataFrame(communes, geometry="geometry", crs=inputs.communes.crs),
        "sites": inputs.stations,
        "coverage": footprint.assign(covered=1),
        "hotspots": hotspots,
    }
    if plan is not None:
        out["new_sites"] = plan.new_sites
    return out
