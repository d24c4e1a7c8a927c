"""Static figures for slides (matplotlib objects, no pyplot): map, curve, per-commune bars.

Each ``figure_*`` function returns a :class:`matplotlib.figure.Figure` and draws
nothing on screen; :func:`save_figure` writes one atomically (PNG, PDF or SVG, by
the file's suffix). Labels follow ``lang`` (Vietnamese by default).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from geoplan.config import WORK_CRS
from geoplan.errors import InputError
from geoplan.io.atomic import atomic_path
from geoplan.outputs.i18n import fmt_int, fmt_pct, label
from geoplan.outputs.theme import SHARE_BREAKS, SHARE_COLOURS, SITE_COLOUR, classify, phase_colour
from geoplan.results import CoverageResult, Plan
from geoplan.schema import DEFAULT_LANG

#: Fixed metadata so that the same figure gives the same bytes.
PDF_METADATA = {"CreationDate": None, "Creator": "geoplan", "Producer": "geoplan"}
PNG_DPI = 150


def save_figure(
    figure: Figure, path: str | os.PathLike[str], overwrite: bool = False, tight: bool = True
) -> Path:
    """Write ``figure`` atomically; the format follows the suffix (.png, .pdf, .svg).

    PNGs are written at :data:`PNG_DPI` dots per inch; metadata is fixed so the same
    figure gives the same bytes.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure.
    path : str or path
        The file to write.
    overwrite : bool
        Replace an existing file.
    tight : bool
        Crop to the drawn content (False keeps the figure's page size, e.g. A4).

    Returns
    -------
    Path
        ``path``.
    """
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    metadata = PDF_METADATA if fmt == "pdf" else {"Software": "geoplan"} if fmt == "png" else None
    with atomic_path(target, overwrite) as tmp:
        bbox = "tight" if tight else None
        figure.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=metadata, bbox_inches=bbox)
    return target


def figure_coverage_map(
    communes: gpd.GeoDataFrame,
    result: CoverageResult,
    stations: gpd.GeoDataFrame | None = None,
    plan: Plan | None = None,
    lang: str = DEFAULT_LANG,
    work_crs: str = WORK_CRS,
    synthetic: bool = False,
) -> Figure:
    """Communes coloured by covered share today, existing and planned sites on top.

    Parameters
    ----------
    communes : GeoDataFrame
        Commune polygons with ``code``.
    result : CoverageResult
        Today's coverage (``covered_share`` per commune, 0..1).
    stations : GeoDataFrame or None
        Today's sites, drawn as dots.
    plan : Plan or None
        New sites, drawn as triangles coloured by phase; the subtitle adds the
        plan's own covered share after it.
    lang : str
        ``"vi"`` or ``"en"``.
    work_crs : str
        Projected CRS (metres) to draw in.
    synthetic : bool
        Label today's sites as synthetic.
    """
    figure = Figure(figsize=(11, 7.5))
    ax = figure.add_subplot()
    shares = (
        communes[["code", "geometry"]]
        .merge(result.communes[["code", "covered_share"]], on="code", how="left")
        .to_crs(work_crs)
    )
    classes = classify(shares["covered_share"].fillna(0).to_numpy(float), SHARE_BREAKS)
    shares.plot(
        ax=ax, color=[SHARE_COLOURS[c] for c in classes], edgecolor="#444444", linewidth=0.4
    )
    handles: list[Patch | Line2D] = [
        Patch(facecolor=colour, edgecolor="#444444", label=name)
        for colour, name in zip(SHARE_COLOURS, share_class_names(lang), strict=True)
    ]
    if stations is not None and len(stations):
        stations.to_crs(work_crs).plot(ax=ax, color=SITE_COLOUR, markersize=6, zorder=3)
        name = label("layer_sites", lang) + (f" ({label('synthetic', lang)})" if synthetic else "")
        handles.append(_dot(SITE_COLOUR, name, 5))
    if plan is not None and len(plan.new_sites):
        n_phases = int(plan.new_sites["phase"].max())
        for phase, group in plan.new_sites.groupby("phase", sort=True):
            colour = phase_colour(int(phase), n_phases)
            group.to_crs(work_crs).plot(
                ax=ax,
                color=colour,
                markersize=28,
                marker="^",
                edgecolor="white",
                linewidth=0.5,
                zorder=4,
            )
            handles.append(_dot(colour, label("layer_phase", lang, phase=int(phase)), 8, "^"))
    ax.set_axis_off()
    title = label("title_plan" if plan is not None else "title", lang)
    subtitle = (
        f"{label('covered_share', lang)}: {fmt_pct(result.covered_share, lang)}"
        f" ({label('today', lang)})"
    )
    if plan is not None:
        after = plan.summary.achieved_expected_share  # expected, as today's share above
        subtitle += f" → {fmt_pct(after, lang)} ({label('after_plan', lang)})"
    ax.set_title(f"{title}\n{subtitle}", fontsize=13)
    ax.legend(
        handles=handles,
        title=label("legend_share", lang),
        loc="lower right",
        fontsize=8,
        title_fontsize=9,
        framealpha=0.9,
    )
    figure.text(
        0.01,
        0.01,
        f"{label('source_population', lang)}\n{label('source_boundaries', lang)}",
        fontsize=6.5,
        color="#444444",
    )
    return figure


def figure_curve(plan: Plan, lang: str = DEFAULT_LANG) -> Figure:
    """Covered share (%) against the number of new sites, with phase ends marked.

    Parameters
    ----------
    plan : Plan
        The plan whose ``curve`` (shares 0..1) and phases are drawn.
    lang : str
        ``"vi"`` or ``"en"``.
    """
    checked = plan
    figure = Figure(figsize=(8, 4.8))
    ax = figure.add_subplot()
    curve = checked.curve
    ax.plot(curve["n_sites"], 100 * curve["covered_share"], color="#2166ac", linewidth=2)
    ends = checked.phases["n_sites"].cumsum().to_numpy()
    n_phases = int(checked.phases["phase"].max()) if len(checked.phases) else 0
    for i, (phase, n_sites, share) in enumerate(
        zip(checked.phases["phase"], ends, checked.phases["covered_share_after"], strict=True)
    ):
        ax.scatter([n_sites], [100 * share], color=phase_colour(int(phase), n_phases), zorder=3)
        below = i % 2 == 0  # alternate sides so that labels of short phases do not overlap
        ax.annotate(
            f"{label('phase', lang)} {int(phase)}: {fmt_pct(share, lang)}",
            (n_sites, 100 * share),
            textcoords="offset points",
            xytext=(6, -12) if below else (-6, 8),
            ha="left" if below else "right",
            fontsize=8,
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("fig_curve_x", lang))
    ax.set_ylabel(f"{label('covered_share', lang)} (%)")
    ax.set_title(label("fig_curve_title", lang))
    ax.grid(alpha=0.3)
    low = 100 * float(curve["covered_share"].min()) if len(curve) else 0.0
    ax.set_ylim(max(0.0, np.floor(low / 10) * 10), 100)
    return figure


def figure_commune_phases(plan: Plan, lang: str = DEFAULT_LANG, n: int = 25) -> Figure:
    """Covered share today and after each phase of the ``n`` communes that gain most.

    Raises :class:`InputError` for a plan folder written before the per-phase table.

    Parameters
    ----------
    plan : Plan
        A plan with ``commune_phases`` (shares 0..1).
    lang : str
        ``"vi"`` or ``"en"``.
    n : int
        Number of communes shown, largest gain in covered share first.
    """
    checked = plan
    table = checked.commune_phases
    if table is None or table.empty:
        raise InputError(
            f"{checked.path or 'the plan'}: no communes_by_phase.csv; write the plan again "
            "with `geoplan plan --out DIR`"
        )
    steps = ["covered_share_today", *[c for c in table.columns if c.startswith("after_phase_")]]
    gain = table[steps[-1]] - table[steps[0]]
    top = table.loc[gain.sort_values(ascending=False, kind="stable").index[:n]]
    figure = Figure(figsize=(8.5, 0.3 * len(top) + 1.8))
    ax = figure.add_subplot()
    image = ax.imshow(100 * top[steps].to_numpy(float), cmap="RdYlGn", vmin=0, vmax=100,
                      aspect="auto")  # fmt: skip
    names = [label("today", lang)] + [
        f"{label('phase', lang)} {c.removeprefix('after_phase_')}" for c in steps[1:]
    ]
    ax.set_xticks(range(len(steps)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(top)), top["name"].astype(str).tolist())
    figure.colorbar(image, ax=ax, label=f"{label('covered_share', lang)} (%)")
    ax.set_title(label("fig_phases_title", lang, n=len(top)))
    figure.tight_layout()
    return figure


def figure_commune_bars(
    result: CoverageResult,
    plan: Plan | None = None,
    lang: str = DEFAULT_LANG,
    n: int = 25,
) -> Figure:
    """People not covered in the ``n`` communes where most are: today (and after the plan).

    Communes are ranked by people not covered today (people, not share: a large
    commune at 60% can leave more people behind than a small one at 0%), most first;
    communes where everyone is covered are left out. Each row is labelled with its
    covered share today (→ after the plan). Without a plan the counts are the
    expected ones (the headline); with a plan both bars are at the design reliability,
    the plan's own measure.

    Parameters
    ----------
    result : CoverageResult
        Today's coverage.
    plan : Plan or None
        The plan, for the people still not covered after it.
    lang : str
        ``"vi"`` or ``"en"``.
    n : int
        Number of communes shown.
    """
    table = _bar_table(result, plan, n)
    figure = Figure(figsize=(9, 0.28 * len(table) + 1.6))
    ax = figure.add_subplot()
    y = np.arange(len(table))
    if plan is not None:
        ax.barh(y - 0.2, table["uncovered_before"], height=0.4, color="#fdae61",
                label=label("today", lang))  # fmt: skip
        ax.barh(y + 0.2, table["uncovered_after"], height=0.4, color="#1a9641",
                label=label("after_plan", lang))  # fmt: skip
        ax.legend(loc="lower right", fontsize=8)
        ax.set_title(label("fig_bars_title", lang))
        ax.set_xlabel(f"{label('fig_bars_x_reliable', lang)}\n{label('fig_bars_note', lang)}")
    else:
        ax.barh(y, table["uncovered_before"], height=0.6, color="#fdae61")
        ax.set_title(label("fig_bars_title_today", lang))
        ax.set_xlabel(f"{label('fig_bars_x', lang)}\n{label('fig_bars_note_today', lang)}")
    for row, item in enumerate(table.itertuples(index=False)):
        share = fmt_pct(item.share_before, lang, 0)
        if plan is not None:
            share += f" → {fmt_pct(item.share_after, lang, 0)}"
        ax.annotate(f" {share}", (item.uncovered_before, row), va="center", fontsize=7)
    ax.set_yticks(y, table["name"].tolist(), fontsize=8)
    ax.invert_yaxis()
    top = float(table["uncovered_before"].max()) if len(table) else 1.0
    ax.set_xlim(0, 1.18 * top)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: fmt_int(value, lang)))
    ax.grid(axis="x", alpha=0.3)
    return figure


def _bar_table(result: CoverageResult, plan: Plan | None, n: int) -> pd.DataFrame:
    """Name, people not covered and share, today (and after), the ``n`` largest first."""
    if plan is None:
        today = result.communes
        table = pd.DataFrame(
            {
                "code": today["code"].astype(str),
                "name": today["name"].astype(str),
                "share_before": today["covered_share"],
                "uncovered_before": today["uncovered_population"],
            }
        )
    else:
        communes = plan.communes
        people = communes["population"]
        table = pd.DataFrame(
            {
                "code": communes["code"].astype(str),
                "name": communes["name"].astype(str),
                "share_before": communes["covered_share_before"],
                "share_after": communes["covered_share_after"],
                "uncovered_before": people - communes["covered_population_before"],
                "uncovered_after": people - communes["covered_population_after"],
            }
        )
    table = table[table["uncovered_before"] > 0]
    ranked = table.sort_values(["uncovered_before", "code"], ascending=[False, True], kind="stable")
    return ranked.head(n).reset_index(drop=True)


def share_class_names(lang: str) -> list[str]:
    """Names of the covered-share classes (``"0%–20%"`` …) in ``lang``.

    >>> share_class_names("vi")[0]
    '0%–20%'
    """
    names = []
    for low, high in itertools.pairwise(SHARE_BREAKS):
        names.append(f"{fmt_pct(low, lang, 0)}–{fmt_pct(min(high, 1.0), lang, 0)}")
    return names


def _dot(colour: str, text: str, size: float, marker: str = "o") -> Line2D:
    return Line2D(
        [],
        [],
        marker=marker,
        linestyle="",
        markerfacecolor=colour,
        markeredgecolor="white",
        markersize=size,
        label=text,
    )


def figure_comparison(table: pd.DataFrame, lang: str = DEFAULT_LANG) -> Figure:
    """Covered share today and after each variant's plan, as horizontal bars.

    Parameters
    ----------
    table : :attr:`geoplan.Comparison.table` (indexed by variant; ``covered_share_today``,
        ``covered_share`` (0..1) and ``new_sites`` columns)
    lang : ``"vi"`` or ``"en"``
    """

    table = table.iloc[::-1]
    figure = Figure(figsize=(8, 0.45 * len(table) + 1.5))
    ax = figure.add_subplot()
    y = np.arange(len(table))
    today, after = 100 * table["covered_share_today"], 100 * table["covered_share"]
    ax.barh(y, after, color="#2166ac", label=label("after_plan", lang))
    ax.barh(y, today, color="#92c5de", label=label("today", lang))
    for row, (share, sites) in enumerate(zip(after, table["new_sites"], strict=True)):
        ax.annotate(f" {share:.1f}% (+{sites})", (share, row), va="center", fontsize=8)
    ax.set_yticks(y, [str(name) for name in table.index])
    ax.set_xlim(0, max(105.0, float(after.max()) + 20))
    ax.set_xlabel(f"{label('legend_share', lang)} (%)")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=2, frameon=False, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure
