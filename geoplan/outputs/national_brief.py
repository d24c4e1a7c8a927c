"""The national one-page brief (A4 PDF): key numbers, provinces by share, the ranking.

:func:`write_national_brief` lays out, like the province's brief
(:mod:`geoplan.outputs.brief`): the national share against both population figures,
people covered and sites in boxes; one headline sentence; a map of the provinces by
covered share; the best- and least-covered provinces; the model, the sources and the
"synthetic sites" label. With a national plan's tables
(:meth:`geoplan.national.NationalPlan.output_tables`) the boxes are the reliable share
before and after, the new sites and the net cost, the map is of the share after, and
the two tables rank the provinces by it with their new sites and shares before and
after. It presents the national run's tables and computes nothing new.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from geoplan.outputs.brief import A4_INCHES
from geoplan.outputs.figures import save_figure, share_class_names
from geoplan.outputs.i18n import check_lang, fmt_int, fmt_pct, fmt_vnd, label, model_label
from geoplan.outputs.national_shapes import (
    BRIEF_SIMPLIFY_M,
    DISPLAY_CRS,
    read_unit_shapes,
    simplified_outlines,
)
from geoplan.outputs.national_tables import (
    has_plan,
    national_line,
    plan_shares,
    province_ranking,
)
from geoplan.outputs.theme import SHARE_BREAKS, SHARE_COLOURS, classify
from geoplan.schema import DEFAULT_LANG, NATIONAL_PLAN, Lang

#: Rows of each ranking table on the page (best covered, least covered).
RANK_ROWS = 8


def figure_national_brief(
    provinces: pd.DataFrame,
    outlines: gpd.GeoDataFrame,
    *,
    lang: Lang = DEFAULT_LANG,
    model: str | None = None,
    cell_size_m: float = 100.0,
    n_units: int | None = None,
    created: dt.date | None = None,
) -> Figure:
    """The national brief as one A4 portrait figure.

    Parameters
    ----------
    provinces : DataFrame
        The national run's province table (``code``, ``name``, ``population``,
        ``covered_population`` and the optional columns of
        :func:`~geoplan.outputs.national_tables.province_ranking`).
    outlines : GeoDataFrame
        Province polygons with ``code`` (any CRS).
    lang : ``"vi"`` (default) or ``"en"``
    model : the coverage model's name
    cell_size_m : the work grid's cell, metres (printed)
    n_units : number of units (default: the provinces' ``n_units`` sum)
    created : the date printed (default today), dd/mm/yyyy
    """
    check_lang(lang)
    line = national_line(provinces)
    figure = Figure(figsize=A4_INCHES)
    date = (created or dt.date.today()).strftime("%d/%m/%Y")
    units = n_units if n_units is not None else round(line.get("n_units", 0))
    figure.text(0.05, 0.965, label("nat_brief_title", lang), fontsize=17, weight="bold")
    subtitle = label("nat_brief_subtitle", lang, n_provinces=len(provinces),
                     n_units=fmt_int(units, lang), date=date)  # fmt: skip
    figure.text(0.05, 0.945, subtitle, fontsize=9, color="#555")
    plan = has_plan(provinces)
    _key_numbers(figure, line, lang)
    ranked = province_ranking(provinces, "after" if plan else "share")
    _headline(figure, line, province_ranking(provinces, "share"), lang)
    when = label("after_plan" if plan else "today", lang)
    title = textwrap.fill(label("nat_brief_map_title", lang, when=when), 58)
    figure.text(0.05, 0.787, title, fontsize=8.5, weight="bold", va="top")
    _share_map(figure.add_axes((0.02, 0.10, 0.52, 0.665)), provinces, outlines, lang)
    top, bottom = ranked.head(RANK_ROWS), ranked.tail(RANK_ROWS).iloc[::-1]
    titles = ("nat_brief_top_after", "nat_brief_bottom_after") if plan else (
        "nat_brief_top", "nat_brief_bottom")  # fmt: skip
    _rank_table(figure.add_axes((0.56, 0.445, 0.40, 0.32)), top, titles[0], lang)
    _rank_table(figure.add_axes((0.56, 0.10, 0.40, 0.32)), bottom, titles[1], lang)
    _footer(figure, lang, model, cell_size_m, plan)
    return figure


def write_national_brief(
    path: str | os.PathLike[str],
    provinces: pd.DataFrame,
    outlines: gpd.GeoDataFrame | None = None,
    *,
    lang: Lang = DEFAULT_LANG,
    model: str | None = None,
    cell_size_m: float = 100.0,
    overwrite: bool = False,
    created: dt.date | None = None,
) -> Path:
    """Write the national brief (PDF, or PNG by the suffix) atomically.

    Parameters
    ----------
    path : ``national_brief.pdf`` (or ``.png``)
    provinces : the national run's province table
    outlines : province polygons with ``code`` (default: the shipped units' provinces,
        simplified for the page)
    lang, model, cell_size_m, created : as in :func:`figure_national_brief`
    overwrite : replace an existing file
    """
    if outlines is None:
        codes = sorted(provinces["code"].astype(str))
        _, outlines = simplified_outlines(read_unit_shapes(codes), BRIEF_SIMPLIFY_M)
    figure = figure_national_brief(provinces, outlines, lang=lang, model=model,
                                   cell_size_m=cell_size_m, created=created)  # fmt: skip
    return save_figure(figure, Path(path), overwrite, tight=False)  # the page stays A4


def _key_numbers(figure: Figure, line: dict[str, float], lang: str) -> None:
    plan = NATIONAL_PLAN
    if plan.share_after in line:
        boxes = [
            (label("nat_brief_before", lang), fmt_pct(line[plan.share_before], lang)),
            (label("nat_brief_after_reliable", lang), fmt_pct(line[plan.share_after], lang)),
            (label("nat_brief_new_sites", lang), fmt_int(line.get(plan.sites_new, 0), lang)),
            (label("nat_brief_net_cost", lang), fmt_vnd(line.get(plan.net_cost, 0.0), lang)),
        ]
    else:
        boxes = [(label("nat_brief_share", lang), fmt_pct(line["covered_share"], lang))]
        if "worldpop_covered_share" in line:
            boxes.append((label("nat_brief_worldpop", lang),
                          fmt_pct(line["worldpop_covered_share"], lang)))  # fmt: skip
        boxes.append((label("nat_brief_people", lang), fmt_int(line["covered_population"], lang)))
        boxes.append((label("nat_brief_sites", lang), fmt_int(line.get("n_sites", 0), lang)))
    for i, (title, value) in enumerate(boxes[:4]):
        x = 0.05 + i * 0.23
        figure.patches.append(
            mpl.patches.FancyBboxPatch(
                (x, 0.865), 0.21, 0.065, boxstyle="round,pad=0.004", transform=figure.transFigure,
                facecolor="#eef3f8", edgecolor="#9db3c8", linewidth=0.8,
            )
        )  # fmt: skip
        figure.text(x + 0.01, 0.912, title, fontsize=9, color="#333")
        figure.text(x + 0.01, 0.876, value, fontsize=15 if len(value) < 12 else 12, weight="bold")


def _headline(figure: Figure, line: dict[str, float], ranked: pd.DataFrame, lang: str) -> None:
    """One paragraph: people covered, then each figure the tables hold."""
    reliable = (
        label("nat_brief_headline_reliable", lang, share=fmt_pct(line["reliable_share"], lang))
        if "reliable_share" in line
        else ""
    )
    parts = [
        label("nat_brief_headline", lang, covered=fmt_int(line["covered_population"], lang),
              total=fmt_int(line["population"], lang), share=fmt_pct(line["covered_share"], lang),
              reliable=reliable, n_sites=fmt_int(line.get("n_sites", 0), lang))
    ]  # fmt: skip
    if "worldpop_covered_share" in line:
        parts.append(label("nat_brief_headline_worldpop", lang,
                           people=fmt_int(line["worldpop_population"], lang),
                           share=fmt_pct(line["worldpop_covered_share"], lang)))  # fmt: skip
    plan = NATIONAL_PLAN
    if plan.share_after in line:
        added = line.get(plan.people_after, 0.0) - line.get(plan.people_before, 0.0)
        parts.append(label(
            "nat_brief_headline_plan", lang, n_new=fmt_int(line.get(plan.sites_new, 0), lang),
            before=fmt_pct(line[plan.share_before], lang),
            after=fmt_pct(line[plan.share_after], lang), added=fmt_int(added, lang),
            cost=fmt_vnd(line.get(plan.cost, 0.0), lang),
            support=fmt_vnd(line.get(plan.support, 0.0), lang),
            net=fmt_vnd(line.get(plan.net_cost, 0.0), lang),
        ))  # fmt: skip
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    parts.append(label("nat_brief_headline_range", lang, best=best["name"],
                       best_share=fmt_pct(best["covered_share"], lang), worst=worst["name"],
                       worst_share=fmt_pct(worst["covered_share"], lang)))  # fmt: skip
    text = textwrap.fill(" ".join(parts), 118)
    figure.text(0.05, 0.852, text, fontsize=7.8, va="top", linespacing=1.4)


def _share_map(ax: Axes, provinces: pd.DataFrame, outlines: gpd.GeoDataFrame, lang: str) -> None:
    before, after = plan_shares(provinces)
    column = after or before
    ranked = province_ranking(provinces, "share")[["code", column]]
    shapes = outlines.assign(code=outlines["code"].astype(str)).merge(ranked, on="code")
    shapes = shapes.to_crs(DISPLAY_CRS)
    classes = classify(shapes[column].fillna(0).to_numpy(float), SHARE_BREAKS)
    shapes.plot(ax=ax, color=[SHARE_COLOURS[c] for c in classes], edgecolor="#555",
                linewidth=0.3)  # fmt: skip
    handles = [
        Patch(facecolor=colour, edgecolor="#555", label=name)
        for colour, name in zip(SHARE_COLOURS, share_class_names(lang), strict=True)
    ]
    ax.legend(handles=handles, loc="upper right", fontsize=6.5, framealpha=0.9,
              title=label("legend_share", lang), title_fontsize=7)  # fmt: skip
    ax.set_axis_off()


def _rank_table(ax: Axes, rows: pd.DataFrame, title_key: str, lang: str) -> None:
    ax.set_axis_off()
    ax.set_title(label(title_key, lang), fontsize=9, loc="left")
    cells, keys = _rank_cells(rows, lang)
    if not cells:
        return
    header = [label(k, lang) for k in keys]
    height = min(0.95, 0.1 * (len(cells) + 1))
    table = ax.table(cellText=cells, colLabels=header, cellLoc="right",
                     bbox=Bbox.from_bounds(0, 0.95 - height, 1, height),
                     colWidths=[0.09, 0.33, 0.21, 0.21, 0.16])  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    for (row, col), cell in table.get_celld().items():
        if col == 1 and row > 0:
            cell.set_text_props(ha="left")


def _rank_cells(rows: pd.DataFrame, lang: str) -> tuple[list[list[str]], tuple[str, ...]]:
    """The table's cells and header keys: today's people and share, or the plan's."""
    plan = NATIONAL_PLAN
    if has_plan(rows):
        cells = [
            [str(r["rank_after"]), str(r["name"]), fmt_int(r[plan.sites_new], lang),
             fmt_pct(r[plan.share_before], lang), fmt_pct(r[plan.share_after], lang)]
            for _, r in rows.iterrows()
        ]  # fmt: skip
        return cells, ("nat_brief_col_rank", "province", "nat_brief_col_new",
                       "nat_brief_col_before", "nat_brief_col_after")  # fmt: skip
    cells = [
        [str(r.rank_share), str(r.name), fmt_int(r.population, lang),
         fmt_int(r.uncovered_population, lang), fmt_pct(r.covered_share, lang)]
        for r in rows.itertuples(index=False)
    ]  # fmt: skip
    return cells, ("nat_brief_col_rank", "province", "nat_brief_col_people",
                   "nat_brief_col_uncovered", "nat_brief_col_share")  # fmt: skip


def _footer(
    figure: Figure, lang: str, model: str | None, cell_size_m: float, plan: bool = False
) -> None:
    lines = []
    if model:
        lines.append(label("nat_brief_model", lang, model=model_label(model, lang),
                           cell=f"{cell_size_m:g}"))  # fmt: skip
    if plan:
        lines.append(label("nat_brief_model_plan", lang))
    lines += [label(k, lang) for k in ("nat_about_sites", "nat_about_people",
                                       "source_population", "source_boundaries")]  # fmt: skip
    wrapped = [textwrap.fill(text, 160) for text in lines]
    figure.text(0.05, 0.085, "\n".join(wrapped), fontsize=6, va="top", color="#333",
                linespacing=1.4)  # fmt: skip


__all__ = ["figure_national_brief", "write_national_brief"]
