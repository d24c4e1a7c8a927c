"""The national ranking: provinces by covered share and by uncovered people, and units.

The tables take the national run's province and unit tables
(:class:`geoplan.national.NationalCoverage`) as they are, and present them: rounded,
ranked, with headers in Vietnamese or English. A plan
(:meth:`geoplan.national.NationalPlan.output_tables`) adds its columns, named by
:data:`geoplan.schema.NATIONAL_PLAN` (:data:`AFTER_COLUMNS`: ``sites_new``, the share
at the design reliability before and after, ``net_cost_vnd`` …); each one present is
shown after today's columns, and missing ones are simply left out.

Ranks: ``rank_share`` 1 is the best-covered province (covered share, most first);
``rank_uncovered`` 1 has the most people not covered today; with a plan
``rank_after`` 1 is the best covered after it (reliable share after). Ties go by code.

>>> provinces = pd.DataFrame({"code": ["01", "02"], "name": ["A", "B"],
...     "population": [100.0, 300.0], "covered_population": [60.0, 150.0],
...     "worldpop_population": [90.0, 280.0], "n_sites": [3, 5], "n_units": [2, 4]})
>>> province_ranking(provinces)[["rank_share", "code", "rank_uncovered"]].values.tolist()
[[1, '01', 2], [2, '02', 1]]
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from geoplan.io.atomic import check_csv_dialect, check_writable, write_table_csv
from geoplan.outputs.i18n import LABELS, check_lang, label
from geoplan.outputs.paths import national_paths
from geoplan.outputs.tables import PCT, THOUSANDS, column_label, localise, write_xlsx
from geoplan.schema import DEFAULT_LANG, NATIONAL_PLAN, CsvDialect, Lang

#: Columns a national plan may add to the province and unit tables, in the order shown.
AFTER_COLUMNS: Final = NATIONAL_PLAN.shown
#: The province ranking's columns of today, in order (those in the input are shown).
PROVINCE_COLUMNS: Final = (
    "rank_share",
    "rank_uncovered",
    "rank_after",
    "code",
    "name",
    "population",
    "worldpop_population",
    "n_units",
    "n_sites",
    "covered_population",
    "uncovered_population",
    "covered_share",
    "reliable_share",
    "worldpop_covered_share",
)
UNIT_COLUMNS: Final = (
    "rank_uncovered",
    "province_code",
    "province_name",
    "code",
    "name",
    "population",
    "worldpop_population",
    "covered_population",
    "uncovered_population",
    "covered_share",
    "reliable_share",
    "on_grid",
)
#: Header label keys of the national tables: ``nat_col_<column>`` (else the report's).
HEADER_PREFIX: Final = "nat_col_"


def has_plan(table: pd.DataFrame) -> bool:
    """Whether ``table`` carries a national plan's columns (its people or share after).

    >>> has_plan(pd.DataFrame(columns=["code", "reliable_share_after"]))
    True
    """
    return bool({NATIONAL_PLAN.share_after, NATIONAL_PLAN.people_after} & set(table.columns))


def plan_shares(table: pd.DataFrame) -> tuple[str, str | None]:
    """The columns of the share before and after that the outputs compare.

    Today's expected ``covered_share`` without a plan; with one the plan's reliable
    share before and after (:data:`geoplan.schema.NATIONAL_PLAN`): the share the plan
    maximises, so both sides are the same measure.

    >>> plan_shares(pd.DataFrame(columns=["covered_share"]))
    ('covered_share', None)
    """
    if has_plan(table):
        return NATIONAL_PLAN.share_before, NATIONAL_PLAN.share_after
    return "covered_share", None


def with_shares(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its shares and uncovered people (from the people columns) filled in.

    ``covered_share`` = covered ÷ official people (0 without people), likewise
    ``reliable_share`` and the plan's shares before and after when their people are
    there (:data:`geoplan.schema.NATIONAL_PLAN`);
    ``uncovered_population`` = people − covered (expected), and ``…_after``;
    ``worldpop_covered_share`` = ``covered_worldpop`` ÷ ``worldpop_population``.
    Shares already in ``table`` are kept.

    Parameters
    ----------
    table : DataFrame
        Province or unit rows with ``population`` and ``covered_population`` (people).
    """
    out = table.copy()
    people = out["population"].astype(float)

    def share(part: pd.Series, whole: pd.Series) -> pd.Series:
        return (part.astype(float) / whole.where(whole > 0)).fillna(0.0)

    pairs = {
        "covered_share": "covered_population",
        "reliable_share": "reliable_population",
        NATIONAL_PLAN.share_before: NATIONAL_PLAN.people_before,
        NATIONAL_PLAN.share_after: NATIONAL_PLAN.people_after,
        NATIONAL_PLAN.expected_share_after: NATIONAL_PLAN.expected_after,
    }
    for column, source in pairs.items():
        if column not in out and source in out:
            out[column] = share(out[source], people)
    out["uncovered_population"] = (people - out["covered_population"]).clip(lower=0)
    if NATIONAL_PLAN.expected_after in out:
        after = out[NATIONAL_PLAN.expected_after]
        out["uncovered_population_after"] = (people - after).clip(lower=0)
    if "worldpop_covered_share" not in out and "covered_worldpop" in out:
        out["worldpop_covered_share"] = share(out["covered_worldpop"], out["worldpop_population"])
    return out


def _ranks(values: pd.Series, codes: pd.Series, descending: bool = True) -> np.ndarray:
    """1-based ranks of ``values`` (largest first when ``descending``), ties by code."""
    order = np.lexsort((codes.astype(str).to_numpy(), -values.to_numpy(float) if descending
                        else values.to_numpy(float)))  # fmt: skip
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(1, len(values) + 1)
    return ranks


def _shown(table: pd.DataFrame, today: tuple[str, ...]) -> list[str]:
    after = [c for c in AFTER_COLUMNS if c in table.columns]
    if NATIONAL_PLAN.expected_after in table.columns:
        at = after.index(NATIONAL_PLAN.expected_after) + 1
        after.insert(at, "uncovered_population_after")
    # with a plan, today's reliable share is its share before: shown once, with the plan
    twice = {"reliable_share"} if NATIONAL_PLAN.share_before in after else set()
    return [c for c in today if c in table.columns and c not in twice] + after


def province_ranking(provinces: pd.DataFrame, by: str = "share") -> pd.DataFrame:
    """Provinces ranked by covered share (``by="share"``) or by uncovered people.

    Parameters
    ----------
    provinces : DataFrame
        The national run's province table: ``code``, ``name``, ``population``
        (official, people), ``covered_population`` (expected, people) and, when there,
        ``worldpop_population``, ``n_units``, ``n_sites``, ``reliable_population``,
        ``covered_worldpop`` and a plan's :data:`AFTER_COLUMNS`.
    by : {"share", "uncovered", "after"}
        Sort by ``rank_share`` (best covered first), ``rank_uncovered`` (most people
        not covered first) or, with a plan, ``rank_after`` (best covered after it).

    Returns
    -------
    DataFrame
        :data:`PROVINCE_COLUMNS` that the input allows, then the plan's columns;
        people rounded to whole persons, shares to 4 decimals.
    """
    table = with_shares(provinces).reset_index(drop=True)
    table["code"] = table["code"].astype(str)
    table["rank_share"] = _ranks(table["covered_share"], table["code"])
    table["rank_uncovered"] = _ranks(table["uncovered_population"], table["code"])
    if has_plan(table):
        table["rank_after"] = _ranks(table[NATIONAL_PLAN.share_after], table["code"])
    elif by == "after":
        raise ValueError("by='after' ranks a plan's provinces; these tables hold no plan")
    key = {"share": "rank_share", "uncovered": "rank_uncovered", "after": "rank_after"}[by]
    table = table.sort_values(key, kind="stable")[_shown(table, PROVINCE_COLUMNS)]
    return _rounded(table).reset_index(drop=True)


def unit_ranking(units: pd.DataFrame, provinces: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every unit, most people not covered today first (nationally), ties by code.

    Parameters
    ----------
    units : DataFrame
        The national run's unit table: ``province_code``, ``code``, ``name``,
        ``population``, ``covered_population`` (people) and, when there,
        ``worldpop_population``, ``reliable_population``, ``on_grid`` and a plan's
        :data:`AFTER_COLUMNS`.
    provinces : DataFrame, optional
        ``code`` and ``name`` of the provinces, for the ``province_name`` column.
    """
    table = with_shares(units).reset_index(drop=True)
    table["code"] = table["code"].astype(str)
    if provinces is not None:
        names = provinces.set_index(provinces["code"].astype(str))["name"]
        table["province_name"] = table["province_code"].astype(str).map(names)
    table["rank_uncovered"] = _ranks(table["uncovered_population"], table["code"])
    table = table.sort_values("rank_uncovered", kind="stable")[_shown(table, UNIT_COLUMNS)]
    return _rounded(table).reset_index(drop=True)


def national_line(provinces: pd.DataFrame) -> dict[str, float]:
    """The national sums of the province table and the shares they give.

    Returns
    -------
    dict
        ``provinces``, ``units``, ``population`` (official), ``worldpop_population``,
        ``covered_population``, ``n_sites`` and ``covered_share`` (of the official
        people), ``reliable_share``, ``worldpop_covered_share`` when their columns are
        there; with a plan also its columns present (:data:`AFTER_COLUMNS`: new sites,
        people and shares before and after, costs).

    >>> line = national_line(pd.DataFrame({"population": [100.0, 300.0],
    ...     "covered_population": [60.0, 150.0]}))
    >>> line["covered_share"]
    0.525
    """
    sums = {
        column: float(provinces[column].sum())
        for column in ("population", "worldpop_population", "covered_population", "n_sites",
                       "n_units", "reliable_population", "covered_worldpop",
                       NATIONAL_PLAN.people_before, *AFTER_COLUMNS)
        if column in provinces and "share" not in column
    }  # fmt: skip
    line: dict[str, float] = {"provinces": float(len(provinces)), **sums}
    totals = with_shares(pd.DataFrame([sums]))
    for column in ("covered_share", "reliable_share", "worldpop_covered_share",
                   NATIONAL_PLAN.share_before, NATIONAL_PLAN.share_after,
                   NATIONAL_PLAN.expected_share_after):  # fmt: skip
        if column in totals:
            line[column] = float(totals[column].iloc[0])
    return line


def national_header(column: str, lang: str = DEFAULT_LANG) -> str:
    """The header of a national table's column in ``lang`` (``nat_col_*``, else the report's).

    >>> national_header("rank_share", "en")
    'Rank by covered share (1 = best covered)'
    """
    key = f"{HEADER_PREFIX}{column}"
    return label(key, lang) if key in LABELS else column_label(column, lang)


def summary_rows(provinces: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The summary sheet: the national line, one item per row, with its Excel format.

    Returns
    -------
    DataFrame
        ``item``, ``value`` and ``format`` (an Excel number format).
    """
    line = national_line(provinces)
    formats = {"provinces": "0", "n_units": THOUSANDS}
    rows = [
        (national_header(key, lang), round(value, 6) if "share" in key else round(value),
         PCT if "share" in key else formats.get(key, THOUSANDS))
        for key, value in line.items()
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["item", "value", "format"])


def people_frame(table: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``table`` with headers and yes/no in ``lang`` (for the ``vi-excel`` CSV)."""
    return localise(table, lang).rename(columns=lambda c: national_header(c, lang))


def write_ranking(
    out_dir: str | os.PathLike[str],
    provinces: pd.DataFrame,
    units: pd.DataFrame,
    *,
    lang: Lang = DEFAULT_LANG,
    overwrite: bool = False,
    csv_dialect: CsvDialect = "plain",
    notes: tuple[str, ...] = (),
) -> dict[str, Path]:
    """Write the ranking workbook and its two CSVs into ``out_dir``.

    The workbook (``national_ranking.xlsx``): summary, provinces by covered share,
    provinces by uncovered people, units, sources and notes; the CSVs
    (``national_ranking_provinces.csv``, by covered share, and
    ``national_ranking_units.csv``) are UTF-8 with BOM, ``plain`` (raw column names)
    or ``vi-excel`` (headers in ``lang``, ``;`` and a decimal comma). A plan's tables
    (:func:`has_plan`) go to the ``national_plan_ranking*`` files instead
    (:data:`~geoplan.outputs.paths.NATIONAL_PLAN_FILES`).

    Parameters
    ----------
    out_dir : str or path
        The folder (created if missing).
    provinces, units : DataFrame
        The national run's tables (see :func:`province_ranking`, :func:`unit_ranking`).
    lang : str
        ``"vi"`` (default) or ``"en"``.
    overwrite : bool
        Replace existing files; otherwise an existing one raises before anything is
        written.
    csv_dialect : {"plain", "vi-excel"}
        The CSVs' dialect.
    notes : tuple of str
        Extra lines for the notes sheet (e.g. how the run was made).

    Returns
    -------
    dict
        Paths by kind: ``xlsx``, ``csv_provinces``, ``csv_units``.
    """
    check_lang(lang)
    check_csv_dialect(csv_dialect)
    plan = has_plan(provinces)
    paths = {k: p for k, p in national_paths(out_dir, plan).items() if k in RANKING_FILES}
    for path in paths.values():
        check_writable(path, overwrite)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    by_share = province_ranking(provinces, "share")
    by_uncovered = province_ranking(provinces, "uncovered")
    ranked_units = unit_ranking(units, provinces)
    summary = summary_rows(provinces, lang)
    about = pd.DataFrame({"note": [*_about(lang, plan), *notes]})
    sheets: dict[str, pd.DataFrame] = {
        label("nat_sheet_summary", lang): summary[["item", "value"]],
        label("nat_sheet_by_share", lang): localise(by_share, lang),
        label("nat_sheet_by_uncovered", lang): localise(by_uncovered, lang),
        label("nat_sheet_units", lang): localise(ranked_units, lang),
        label("sheet_about", lang): about,
    }
    headers = {c: national_header(c, lang) for s in sheets.values() for c in s.columns}
    headers |= {"item": label("nat_col_item", lang), "value": label("nat_col_value", lang),
                "note": label("nat_col_note", lang)}  # fmt: skip
    row_formats: Mapping[str, Any] = {label("nat_sheet_summary", lang): list(summary["format"])}
    write_xlsx(sheets, paths["xlsx"], overwrite, headers, row_formats)
    for kind, table in (("csv_provinces", by_share), ("csv_units", ranked_units)):
        shown = people_frame(table, lang) if csv_dialect == "vi-excel" else table
        write_table_csv(shown, paths[kind], overwrite, dialect=csv_dialect)
    return paths


#: The files :func:`write_ranking` writes (keys of :func:`national_paths`).
RANKING_FILES: Final = ("xlsx", "csv_provinces", "csv_units")


def _about(lang: str, plan: bool) -> list[str]:
    keys = ["nat_about_ranks", "nat_about_people", "nat_about_sites", "source_population",
            "source_boundaries", "about_metrics"]  # fmt: skip
    return [label(key, lang) for key in keys] + (
        [label("nat_about_plan_reliable", lang)] if plan else []
    )


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """People and money to whole numbers, shares to 4 decimals."""
    out = table.copy()
    for column in out.columns:
        if column.startswith("rank_"):
            out[column] = out[column].astype("int64")
        elif "share" in column:
            out[column] = out[column].astype(float).round(4)
        elif "population" in column or column.endswith("_vnd"):
            out[column] = out[column].astype(float).round().astype("Int64")
        elif column in ("n_sites", NATIONAL_PLAN.sites_new, "n_units"):
            out[column] = out[column].astype("int64")
    return out


__all__ = [
    "AFTER_COLUMNS",
    "has_plan",
    "national_header",
    "national_line",
    "plan_shares",
    "province_ranking",
    "unit_ranking",
    "with_shares",
    "write_ranking",
]
