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
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geoplan.coverage import CoverageResult
from geoplan.io.atomic import check_writable
from geoplan.outputs import figures, layers, tables
from geoplan.outputs.i18n import DEFAULT_LANG, LABELS, check_lang, label
from geoplan.outputs.plan_dir import Plan, as_plan, check_plan_communes
from geoplan.scenario import Scenario

if TYPE_CHECKING:
    from geoplan.optimize.adapter import PlanResult

log = logging.getLogger(__name__)

REPORT_FILES = {
    "map_png": "coverage_map.png",
    "map_pdf": "coverage_map.pdf",
    "curve": "coverage_curve.png",
    "bars": "communes_before_after.png",
    "csv": "communes.csv",
    "xlsx": "communes.xlsx",
    "gpkg": "geoplan.gpkg",
    "kml": "new_sites.kml",
    "phases_fig": "communes_by_phase.png",
}
PLAN_ONLY = ("curve", "kml", "phases_fig")


def report_paths(
    out_dir: str | os.PathLike[str], with_plan: bool, with_phases: bool = True
) -> dict[str, Path]:
    """The files :func:`write_report` writes into ``out_dir``.

    ``with_phases``: the plan knows each commune's share after every phase (plan
    folders written before that table get no ``communes_by_phase.png``).
    """
    folder = Path(out_dir)
    return {
        key: folder / name
        for key, name in REPORT_FILES.items()
        if (with_plan or key not in PLAN_ONLY) and (with_phases or key != "phases_fig")
    }


def write_report(
    out_dir: str | os.PathLike[str],
    scenario: Scenario,
    result: CoverageResult | None = None,
    plan: Plan | PlanResult | None = None,
    *,
    lang: str = DEFAULT_LANG,
    model: str = "radius",
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the figures and tables of ``scenario`` (and ``plan``) into ``out_dir``.

    Every target is checked before anything is written, so a refused overwrite
    leaves the folder as it was. Returns the written paths by kind.

    Examples
    --------
    >>> paths = write_report("out/report", geoplan.load_scenario())  # doctest: +SKIP
    """
    check_lang(lang)
    plan = as_plan(plan)
    with_phases = plan is not None and plan.commune_phases is not None
    paths = report_paths(out_dir, plan is not None, with_phases)
    for path in paths.values():
        check_writable(path, overwrite)
    if plan is not None:
        check_plan_communes(plan, scenario.communes["code"])
    result = result if result is not None else scenario.coverage(model)
    _write_figures(paths, scenario, result, plan, lang, overwrite)
    table = tables.commune_report_table(result, plan)
    tables.write_table_csv(table, paths["csv"], overwrite)
    tables.write_xlsx(_sheets(table, plan, lang), paths["xlsx"], overwrite, headers=_headers(lang))
    tables.write_geopackage(_gpkg_layers(scenario, result, plan, table), paths["gpkg"], overwrite)
    if plan is not None:
        tables.write_kml(
            plan.new_sites, paths["kml"], overwrite, name=label("title_plan", lang), lang=lang
        )
    log.info("report written to %s", out_dir)
    return paths


def _write_figures(
    paths: dict[str, Path],
    scenario: Scenario,
    result: CoverageResult,
    plan: Plan | None,
    lang: str,
    overwrite: bool,
) -> None:
    coverage = figures.figure_coverage_map(
        scenario.communes,
        result,
        scenario.stations,
        plan,
        lang,
        scenario.config.work_crs,
        scenario.stations_synthetic,
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
    scenario: Scenario, result: CoverageResult, plan: Plan | None, table: pd.DataFrame
) -> dict[str, gpd.GeoDataFrame]:
    communes = scenario.communes[["code", "geometry"]].merge(table, on="code", how="left")
    footprint = layers.coverage_footprint(scenario.grid, result)
    hotspots = layers.uncovered_hotspots(scenario.grid, result)
    out = {
        "communes": gpd.GeoDataFrame(communes, geometry="geometry", crs=scenario.communes.crs),
        "sites": scenario.stations,
        "coverage": footprint.assign(covered=1),
        "hotspots": hotspots,
    }
    if plan is not None:
        out["new_sites"] = plan.new_sites
    return out
