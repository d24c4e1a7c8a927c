"""The one-page brief (A4 PDF) of a plan.

:func:`write_brief` lays the headline (:mod:`geoplan.outputs.headline`) out on one A4 page
with the map after the plan, the phase table, the communes left behind and the data
sources. It presents numbers the plan already holds and computes nothing new.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from geoplan.config import WORK_CRS
from geoplan.outputs.figures import save_figure, share_class_names
from geoplan.outputs.headline import equity_lines, headline_lines
from geoplan.outputs.i18n import fmt_int, fmt_pct, fmt_vnd, label
from geoplan.outputs.theme import (
    SHARE_BREAKS,
    SHARE_COLOURS,
    SITE_COLOUR,
    classify,
    phase_colours,
)
from geoplan.results import Plan
from geoplan.schema import DEFAULT_LANG

#: A4 portrait, inches.
A4_INCHES = (8.27, 11.69)
#: The phase table shows at most this many rows; longer plans group phases.
MAX_PHASE_ROWS = 12
#: The communes-left-behind table shows at most this many rows.
MAX_COMMUNE_ROWS = 8


def figure_brief(
    plan: Plan,
    communes: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame | None = None,
    lang: str = DEFAULT_LANG,
    created: dt.date | None = None,
    work_crs: str = WORK_CRS,
) -> Figure:
    """The brief as one A4 portrait figure.

    Parameters
    ----------
    plan : the plan
    communes : commune polygons with ``code`` (any CRS)
    stations : today's sites, drawn as small dots
    lang : ``"vi"`` or ``"en"``
    created : the date printed (default today), dd/mm/yyyy in both languages
    work_crs : projected CRS to draw the map in
    """
    figure = Figure(figsize=A4_INCHES)
    date = (created or dt.date.today()).strftime("%d/%m/%Y")
    figure.text(0.05, 0.965, label("brief_title", lang), fontsize=17, weight="bold")
    figure.text(0.05, 0.945, label("brief_subtitle", lang, date=date), fontsize=9, color="#555")
    _key_numbers(figure, plan, lang)
    _headline_text(figure, plan, lang)
    figure.text(0.05, 0.752, label("brief_map_title", lang), fontsize=8.5, weight="bold")
    _plan_map(figure.add_axes((0.03, 0.43, 0.94, 0.32)), plan, communes, stations, lang, work_crs)
    _phase_table(figure.add_axes((0.05, 0.11, 0.40, 0.30)), plan, lang)
    _equity_table(figure.add_axes((0.50, 0.11, 0.45, 0.30)), plan, lang)
    _footer(figure, plan, lang)
    return figure


def write_brief(
    path: str | os.PathLike[str],
    plan: Plan,
    communes: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame | None = None,
    lang: str = DEFAULT_LANG,
    overwrite: bool = False,
    created: dt.date | None = None,
) -> Path:
    """Write the one-page brief (PDF, or PNG by the suffix) atomically.

    Parameters
    ----------
    path : ``brief.pdf`` (or ``.png``)
    plan, communes, stations, lang, created : as in :func:`figure_brief`
    overwrite : replace an existing file
    """
    figure = figure_brief(plan, communes, stations, lang, created)
    return save_figure(figure, Path(path), overwrite, tight=False)  # the page stays A4


# --------------------------------------------------------------------------- parts
def _key_numbers(figure: Figure, plan: Plan, lang: str) -> None:
    s = plan.summary
    boxes = [
        (label("brief_today", lang), fmt_pct(s.baseline_share, lang)),
        (label("brief_after", lang), fmt_pct(s.achieved_share, lang)),
        (label("brief_new_sites", lang), fmt_int(s.n_new_sites, lang)),
        (label("brief_net_cost", lang), fmt_vnd(s.net_cost_vnd, lang)),
    ]
    for i, (title, value) in enumerate(boxes):
        x = 0.05 + i * 0.23
        figure.patches.append(
            mpl.patches.FancyBboxPatch(
                (x, 0.865), 0.21, 0.065, boxstyle="round,pad=0.004", transform=figure.transFigure,
                facecolor="#eef3f8", edgecolor="#9db3c8", linewidth=0.8,
            )
        )  # fmt: skip
        figure.text(x + 0.01, 0.912, title, fontsize=9, color="#333")
        figure.text(x + 0.01, 0.876, value, fontsize=15 if len(value) < 14 else 11, weight="bold")


def _headline_text(figure: Figure, plan: Plan, lang: str) -> None:
    wrapped = [textwrap.fill(line, 118) for line in headline_lines(plan, lang)]
    figure.text(0.05, 0.855, "\n".join(wrapped), fontsize=7.6, va="top", linespacing=1.35)


def _plan_map(
    ax: Axes, plan: Plan, communes: gpd.GeoDataFrame, stations: gpd.GeoDataFrame | None,
    lang: str, work_crs: str,
) -> None:  # fmt: skip
    shares = (
        communes[["code", "geometry"]]
        .merge(plan.communes[["code", "covered_share_after"]], on="code", how="left")
        .to_crs(work_crs)
    )
    classes = classify(shares["covered_share_after"].fillna(0).to_numpy(float), SHARE_BREAKS)
    shares.plot(ax=ax, color=[SHARE_COLOURS[c] for c in classes], edgecolor="#555", linewidth=0.3)
    handles: list[Patch | Line2D] = [
        Patch(facecolor=colour, edgecolor="#555", label=name)
        for colour, name in zip(SHARE_COLOURS, share_class_names(lang), strict=True)
    ]
    if stations is not None and len(stations):
        stations.to_crs(work_crs).plot(ax=ax, color=SITE_COLOUR, markersize=1.5, zorder=3)
        handles.append(_marker(SITE_COLOUR, label("existing_sites_short", lang), "o", 3))
    n_phases = plan.n_phases if len(plan.new_sites) else 0
    if n_phases:
        colours = ListedColormap(phase_colours(n_phases))  # as on the map and in the KML
        norm = BoundaryNorm(np.arange(0.5, n_phases + 1.5), n_phases)
        sites = plan.new_sites.to_crs(work_crs)
        ax.scatter(
            sites.geometry.x, sites.geometry.y, c=sites["phase"].to_numpy(), cmap=colours,
            norm=norm, s=22, marker="^", edgecolors="#222222", linewidths=0.3, zorder=4,
        )  # fmt: skip
        handles.append(_marker(colours(0), label("brief_new_sites", lang), "^", 6))
        bar_ax = ax.inset_axes((0.6, 0.1, 0.38, 0.022))
        bar = ax.figure.colorbar(
            mpl.cm.ScalarMappable(norm=norm, cmap=colours), cax=bar_ax, orientation="horizontal"
        )
        step = max(1, int(np.ceil(n_phases / 10)))
        bar.set_ticks(list(range(1, n_phases + 1, step)))
        bar.ax.tick_params(labelsize=6)
        bar.set_label(label("phase", lang), fontsize=7)
        bar.ax.xaxis.set_label_position("top")
    ax.legend(handles=handles, loc="upper left", fontsize=6.5, framealpha=0.9,
              title=label("legend_share", lang), title_fontsize=7)  # fmt: skip
    ax.set_axis_off()


def _marker(colour: Any, text: str, marker: str, size: float) -> Line2D:
    return Line2D([], [], color=colour, marker=marker, linestyle="", markersize=size, label=text,
                  markeredgecolor="#222222", markeredgewidth=0.3)  # fmt: skip


def phase_rows(plan: Plan, max_rows: int = MAX_PHASE_ROWS) -> pd.DataFrame:
    """The phase table, consecutive phases grouped so that it has at most ``max_rows`` rows.

    Parameters
    ----------
    plan : the plan (``phases``: phase, n_sites, cost_vnd, covered_share_after)
    max_rows : rows at most

    Returns
    -------
    DataFrame
        ``first``, ``last`` (phase numbers), ``n_sites``, ``cost_vnd`` (sums) and
        ``covered_share_after`` (after the group's last phase).

    >>> import types
    >>> phases = pd.DataFrame({"phase": [1, 2, 3], "n_sites": [2, 2, 1],
    ...     "cost_vnd": [4, 4, 2], "covered_share_after": [0.5, 0.6, 0.65]})
    >>> rows = phase_rows(types.SimpleNamespace(phases=phases), 2)
    >>> rows[["first", "last", "n_sites"]].values.tolist()
    [[1, 2, 4], [3, 3, 1]]
    """
    table = plan.phases.sort_values("phase").reset_index(drop=True)
    size = max(1, int(np.ceil(len(table) / max_rows)))
    group = np.arange(len(table)) // size
    grouped = table.groupby(group)
    return pd.DataFrame(
        {
            "first": grouped["phase"].min(),
            "last": grouped["phase"].max(),
            "n_sites": grouped["n_sites"].sum(),
            "cost_vnd": grouped["cost_vnd"].sum(),
            "covered_share_after": grouped["covered_share_after"].last(),
        }
    ).reset_index(drop=True)


def _phase_table(ax: Axes, plan: Plan, lang: str) -> None:
    ax.set_axis_off()
    ax.set_title(label("brief_phases", lang), fontsize=9, loc="left")
    rows = phase_rows(plan)
    cells = [
        [
            str(r.first) if r.first == r.last else label("phase_block", lang, first=r.first,
                                                         last=r.last),
            fmt_int(r.n_sites, lang), fmt_vnd(r.cost_vnd, lang),
            fmt_pct(r.covered_share_after, lang),
        ]
        for r in rows.itertuples(index=False)
    ]  # fmt: skip
    header = [label(k, lang) for k in ("brief_phase_col", "brief_sites_col", "brief_cost_col",
                                        "brief_share_col")]  # fmt: skip
    if not cells:
        return
    height = min(0.92, 0.07 * (len(cells) + 1))
    table = ax.table(cellText=cells, colLabels=header, cellLoc="right",
                     bbox=Bbox.from_bounds(0, 0.92 - height, 1, height),
                     colWidths=[0.2, 0.17, 0.35, 0.28])  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(7)


def _equity_table(ax: Axes, plan: Plan, lang: str) -> None:
    ax.set_axis_off()
    equity = plan.summary.equity
    ax.set_title(label("brief_equity_title", lang), fontsize=9, loc="left")
    text = "\n".join(textwrap.fill(line, 62) for line in equity_lines(plan, lang))
    ax.text(0, 0.99, text, fontsize=7.2, va="top", transform=ax.transAxes)
    below = equity.get("below_floor", []) if equity else []
    if not below:
        return
    shown = below[:MAX_COMMUNE_ROWS]
    cells = [[r["code"], r["name"], fmt_int(r["population"], lang),
              fmt_pct(r["covered_share_after"], lang)] for r in shown]  # fmt: skip
    if len(below) > len(shown):
        cells.append(["", label("brief_more_communes", lang, n=len(below) - len(shown)), "", ""])
    header = [label(k, lang) for k in ("code", "commune", "population", "brief_share_col")]
    table = ax.table(cellText=cells, colLabels=header, bbox=Bbox.from_bounds(0, 0.2, 1, 0.62),
                     cellLoc="left", colWidths=[0.14, 0.4, 0.2, 0.26])  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(7)


def _footer(figure: Figure, plan: Plan, lang: str) -> None:
    s = plan.summary
    model = f"{label(f'model_name_{s.model}', lang)} — {s.model_description}"
    lines = [textwrap.fill(label("brief_model", lang, text=model), 150)]
    if s.settings:
        lines.append(label("brief_settings", lang,
                           new=fmt_vnd(s.settings["capex_new_tower_vnd"], lang),
                           upgrade=fmt_vnd(s.settings["capex_upgrade_vnd"], lang),
                           support=fmt_pct(s.settings["state_support_share"], lang, 0),
                           per_phase=s.settings["sites_per_phase"],
                           cell=f"{s.settings['cell_size_m']:g}"))  # fmt: skip
    if s.stations_synthetic:
        lines.append(label("headline_synthetic", lang))
    lines += [label("source_population", lang), label("source_boundaries", lang)]
    figure.text(0.05, 0.085, "\n".join(lines), fontsize=6, va="top", color="#333",
                linespacing=1.4)  # fmt: skip
