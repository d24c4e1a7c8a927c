"""``geoplan report``: figures and tables for a meeting, in one folder.

:func:`write_report` writes (``*`` only with a plan):

- ``coverage_map.png`` and ``coverage_map.pdf``: communes by covered share, sites;
- ``coverage_curve.png`` *: covered share by number of new sites;
- ``communes_before_after.png``: per-commune covered share today (and after);
- ``communes.csv`` (UTF-8 with BOM) and ``communes.xlsx`` (with phases and new
  sites sheets when there is a plan);
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
from geoplan.io.atomic import check_writable
from geoplan.io.plan_folder import check_plan_communes
from geoplan.outputs import figures, layers, tables
from geoplan.outputs.i18n import LABELS, check_lang, label
from geoplan.outputs.paths import report_paths
from geoplan.results import CoverageResult, Plan
from geoplan.schema import DEFAULT_LANG, Lang

log = logging.getLogger(__name__)


def write_report(
    out_dir: str | os.PathLike[str],
    inputs: Inputs,
    result: CoverageResult,
    plan: Plan | None = None,
    *,
    lang: Lang = DEFAULT_LANG,
    overwrite: bool = False,
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

    Returns
    -------
    dict
        the written paths by kind (the keys of :data:`REPORT_FILES`).

    Examples
    --------
    >>> paths = geoplan.write_report("out/report", geoplan.load_scenario())  # doctest: +SKIP
    """
    check_lang(lang)
    with_phases = plan is not None and plan.commune_phases is not None
    paths = report_paths(out_dir, plan is not None, with_phases)
    for path in paths.values():
        check_writable(path, overwrite)
    if plan is not None:
        check_plan_communes(plan, inputs.communes["code"])
    _write_figures(paths, inputs, result, plan, lang, overwrite)
    table = tables.commune_report_table(result, plan)
    tables.write_table_csv(table, paths["csv"], overwrite)
    tables.write_xlsx(_sheets(table, plan, lang), paths["xlsx"], overwrite, headers=_headers(lang))
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


def _headers(lang: str) -> dict[str, str]:
    return {key: label(key, lang) for key in LABELS if not key.startswith(("fig_", "sheet_"))}


def _sheets(table: pd.DataFrame, plan: Plan | None, lang: str) -> dict[str, pd.DataFrame]:
    sheets = {label("sheet_communes", lang): table}
    if plan is not None:
        sheets[label("sheet_phases", lang)] = plan.phases
        sheets[label("sheet_new_sites", lang)] = pd.DataFrame(
            plan.new_sites.drop(columns="geometry")
        )
    about = [(label("source_population", lang),), (label("source_boundaries", lang),)]
    sheets[label("sheet_about", lang)] = pd.DataFrame(about, columns=[label("sources", lang)])
    return sheets


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
