"""Tables for people: rounded, sorted, with plain column names."""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.config import STORAGE_CRS, PlanConfig
from geoplan.errors import InputError
from geoplan.io.atomic import atomic_path, write_table_csv
from geoplan.io.embedded import DEFAULT_OLD_TO_NEW
from geoplan.outputs.i18n import LABELS, fmt_int, fmt_pct, fmt_vnd, label
from geoplan.outputs.theme import phase_colour
from geoplan.results import CoverageResult, Plan, PlanSummary
from geoplan.schema import AFTER_PHASE_PREFIX, DEFAULT_LANG

#: A commune under this covered share is below the floor (0..1): the default of
#: ``PlanConfig.equity_floor_share``; a plan's own floor wins (:func:`floor_share`).
FLOOR_SHARE: Final = PlanConfig().equity_floor_share
#: Columns of new sites per phase in :func:`priority_table`: ``sites_phase_1`` …
SITES_PHASE_PREFIX: Final = "sites_phase_"
#: PlanConfig fields echoed by the summary sheet, with their Excel number format.
SETTINGS_SHOWN: Final[dict[str, str | None]] = {
    "capex_new_tower_vnd": "#,##0",
    "capex_upgrade_vnd": "#,##0",
    "state_support_share": "0%",
    "plan_target_share": "0%",
    "sites_per_phase": "0",
    "equity_floor_share": "0%",
    "coverage_model": None,
    "cell_size_m": "0",
    "solver_time_limit_s": "0",
    "solver_mip_rel_gap": "0.0%",
}
#: Echoed too when the model is the radius model (metres).
RADIUS_SETTINGS: Final = ("radius_urban_m", "radius_suburban_m", "radius_rural_m")
PCT, PCT0, THOUSANDS = "0.0%", "0%", "#,##0"
_WHOLE_COLUMNS = ("phase", "order", "rank", "first_phase", "n_sites", "n_new_sites",
                  "cumulative_sites")  # fmt: skip
_SHEET_FORBIDDEN = "[]:*?/\\"


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
    ``uncovered_population_before`` and ``covered_share_before`` (expected, today),
    ``reliable_share_before`` (at the design reliability, today) and, with a plan,
    ``reliable_share_after`` and ``added_population`` (people the plan covers, at the
    design reliability). A plan counts coverage at the design reliability, so the
    columns after it are compared with the plan's own figures for today, never with
    the expected share. People are rounded to whole persons, shares to 4 decimals.

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
            "reliable_share_before": today["reliable_share"],
        }
    )
    if plan is not None:
        planned = _plan_communes(plan)[
            ["code", "reliable_share_before", "reliable_share_after", "added_population"]
        ]
        table = table.drop(columns="reliable_share_before").merge(planned, on="code", how="left")
    return _rounded(table).sort_values("code").reset_index(drop=True)


def priority_table(
    plan: Plan, former_units: pd.Series | None = None, floor: float = FLOOR_SHARE
) -> pd.DataFrame:
    """One row per commune, most people left uncovered today first: where the plan builds.

    The rank is by people not covered today at the design reliability (the plan's own
    measure), most first, ties by code. Sites count in the commune they stand in.

    Parameters
    ----------
    plan : Plan
        The plan (``communes`` and ``new_sites`` are read).
    former_units : Series or None
        Text per commune code (e.g. the former district, :func:`read_former_units`).
    floor : float
        Covered share (0..1) under which a commune is flagged ``below_floor_after``.

    Returns
    -------
    DataFrame
        ``rank``, ``code``, ``name``, [``former_units``], ``population`` (people),
        ``reliable_share_before`` (0..1), ``reliable_uncovered_before`` (people),
        ``sites_phase_1`` … (sites), ``n_new_sites``, ``first_phase`` (empty without a
        site), ``cost_vnd`` (VND), ``added_population`` (people),
        ``reliable_share_after`` (0..1) and ``below_floor_after`` (bool).
    """
    communes = _plan_communes(plan)
    table = communes[["code", "name"]].copy()
    if former_units is not None:
        table["former_units"] = table["code"].map(former_units).fillna("")
    table["population"] = communes["population"]
    table["reliable_share_before"] = communes["reliable_share_before"]
    table["reliable_uncovered_before"] = (
        communes["population"] - communes["covered_population_before"]
    ).clip(lower=0)
    sites = pd.DataFrame(plan.new_sites.drop(columns="geometry"))
    sites["commune_code"] = sites["commune_code"].astype(str)
    phases = sorted(int(p) for p in plan.phases["phase"])
    counts = pd.crosstab(sites["commune_code"], sites["phase"]) if len(sites) else pd.DataFrame()
    counts = counts.reindex(index=table["code"], columns=phases, fill_value=0)
    for phase in phases:
        table[f"{SITES_PHASE_PREFIX}{phase}"] = counts[phase].to_numpy(np.int64)
    by_commune = sites.groupby("commune_code")
    table["n_new_sites"] = counts.sum(axis=1).to_numpy(np.int64)
    table["first_phase"] = table["code"].map(by_commune["phase"].min()).astype("Int64")
    table["cost_vnd"] = table["code"].map(by_commune["cost_vnd"].sum()).fillna(0).astype("int64")
    table["added_population"] = communes["added_population"]
    table["reliable_share_after"] = communes["reliable_share_after"]
    table["below_floor_after"] = _below_floor(
        communes["covered_population_after"], communes["population"], floor
    )
    ranked = table.sort_values(
        ["reliable_uncovered_before", "code"], ascending=[False, True], kind="stable"
    )
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1, dtype=np.int64))
    return _rounded(ranked).reset_index(drop=True)


def phase_report_table(plan: Plan) -> pd.DataFrame:
    """The plan's phases with their running totals and the cost after the state's support.

    Parameters
    ----------
    plan : Plan
        The plan (``phases``, and ``summary.state_support_share``).

    Returns
    -------
    DataFrame
        ``phase``, ``n_sites``, ``cumulative_sites`` (sites), ``cost_vnd``,
        ``state_support_vnd``, ``net_cost_vnd``, ``cumulative_cost_vnd`` (VND),
        ``added_population`` (people) and ``reliable_share_after_phase`` (0..1, the
        province's share at the design reliability once that phase is built).
    """
    phases = plan.phases
    cost = phases["cost_vnd"].astype(float)
    support = (cost * plan.summary.state_support_share).round()
    table = pd.DataFrame(
        {
            "phase": phases["phase"].astype("int64"),
            "n_sites": phases["n_sites"].astype("int64"),
            "cumulative_sites": phases["n_sites"].cumsum().astype("int64"),
            "cost_vnd": cost.round().astype("int64"),
            "state_support_vnd": support.astype("int64"),
            "net_cost_vnd": (cost.round() - support).astype("int64"),
            "cumulative_cost_vnd": cost.cumsum().round().astype("int64"),
            "added_population": phases["added_population"].round().astype("int64"),
            "reliable_share_after_phase": phases["covered_share_after"].round(4),
        }
    )
    return table.reset_index(drop=True)


def equity_counts(
    covered: pd.Series, population: pd.Series, floor: float = FLOOR_SHARE
) -> dict[str, int]:
    """Communes nobody covers, and communes below ``floor``, with their people.

    The rules of the plan's own equity record (``plan.summary.equity``): a commune is
    at 0% when less than one person is covered, and below the floor when it needs at
    least one more person covered to reach it; communes without people count in neither.

    Parameters
    ----------
    covered : Series
        People covered per commune.
    population : Series
        People per commune, aligned with ``covered``.
    floor : float
        The share (0..1) a commune should reach.

    Returns
    -------
    dict
        ``zero_communes``, ``zero_people``, ``below_communes``, ``below_people``
        (communes, people; "below" includes those at 0%).

    >>> equity_counts(pd.Series([0.0, 6.0, 36.0, 4.9]), pd.Series([10, 20, 40, 10]))
    {'zero_communes': 1, 'zero_people': 10, 'below_communes': 2, 'below_people': 30}
    """
    people = population.to_numpy(float)
    zero = (people > 0) & (covered.to_numpy(float) < 1.0)
    below = _below_floor(covered, population, floor).to_numpy()
    return {
        "zero_communes": int(zero.sum()),
        "zero_people": round(float(people[zero].sum())),
        "below_communes": int(below.sum()),
        "below_people": round(float(people[below].sum())),
    }


def floor_share(plan: Plan | None, config: PlanConfig) -> float:
    """The equity floor (0..1) of ``plan``: its equity record, its settings, else ``config``.

    Parameters
    ----------
    plan : Plan or None
        The plan (``summary.equity`` and ``summary.settings``; older folders have neither).
    config : PlanConfig
        This run's settings (``equity_floor_share``).
    """
    if plan is not None and "floor_share" in plan.summary.equity:
        return float(plan.summary.equity["floor_share"])
    if plan is not None and "equity_floor_share" in plan.summary.settings:
        return float(plan.summary.settings["equity_floor_share"])
    return float(config.equity_floor_share)


def read_former_units(path: str | os.PathLike[str] = DEFAULT_OLD_TO_NEW) -> pd.Series:
    """The district and province each 2025 commune was part of before the merger.

    Parameters
    ----------
    path : str or path
        The old-to-new table (``old_district``, ``old_province``, ``new_code``).

    Returns
    -------
    Series
        Text per new commune code, e.g. ``"Huyện Lục Nam (Tỉnh Bắc Giang)"``; several
        former districts are joined with ``"; "``.

    >>> read_former_units()["07210"]
    'Thành phố Bắc Giang (Tỉnh Bắc Giang)'
    """
    old = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    unit = old["old_district"] + " (" + old["old_province"] + ")"
    pairs = pd.DataFrame({"code": old["new_code"], "unit": unit}).drop_duplicates()
    return pairs.groupby("code", sort=True)["unit"].agg("; ".join)


def summary_table(
    result: CoverageResult,
    plan: Plan | None,
    config: PlanConfig,
    lang: str = DEFAULT_LANG,
    synthetic: bool = False,
) -> tuple[pd.DataFrame, list[str | None]]:
    """The summary sheet: headline, cost, equity, model and solver, settings, in ``lang``.

    Presentation only: every number is read from ``plan.summary`` (its equity record
    and settings when it has them), ``plan.communes``, ``plan.new_sites``, ``result``
    or ``config``. The floor is :func:`floor_share`.

    Parameters
    ----------
    result : CoverageResult
        Today's coverage.
    plan : Plan or None
        The plan; without one the sheet sums up today's coverage.
    config : PlanConfig
        The settings echoed (costs per site kind, phase size, default target …).
    lang : str
        ``"vi"`` or ``"en"``.
    synthetic : bool
        Today's sites are the synthetic set (used without a plan; a plan records it).

    Returns
    -------
    (DataFrame, list)
        Columns ``section``, ``item``, ``value`` (a number or text), ``note``; and the
        Excel number format of each row's value (None for text).
    """
    when_today, when_after = label("today", lang), label("after_plan", lang)
    floor = floor_share(plan, config)
    if plan is None:
        today = result.communes
        rows = _today_rows(result, lang)
        rows += _equity_rows(equity_counts(today["covered_population"], today["population"], floor),
                             when_today, "sum_equity_note_expected", lang, floor)  # fmt: skip
        rows += _method_rows(result.model, result.model_description, result.n_sites, synthetic,
                             None, lang)  # fmt: skip
    else:
        s, communes = plan.summary, plan.communes
        rows = _headline_rows(plan, lang) + _cost_rows(s, lang)
        before = equity_counts(communes["covered_population_before"], communes["population"], floor)
        after = _recorded_equity(s) or equity_counts(
            communes["covered_population_after"], communes["population"], floor
        )
        rows += _equity_rows(before, when_today, "sum_equity_note_reliable", lang, floor)
        rows += _equity_rows(after, when_after, "sum_equity_note_reliable", lang, floor)
        rows += _floor_price_rows(s, lang, floor)
        rows += _method_rows(s.model, s.model_description, s.n_existing_sites,
                             s.stations_synthetic, s, lang)  # fmt: skip
    rows += _settings_rows(config, plan, lang)
    table = pd.DataFrame(
        [(r[0], r[1], r[2], r[4]) for r in rows], columns=["section", "item", "value", "note"]
    )
    return table, [r[3] for r in rows]


def localise(table: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``table`` with its values in ``lang``: site kinds and yes/no; numbers untouched.

    Parameters
    ----------
    table : DataFrame
        A report table with raw values (``kind`` is ``new_tower`` / ``upgrade``).
    lang : str
        ``"vi"`` or ``"en"``.

    >>> localise(pd.DataFrame({"kind": ["upgrade"], "x": [True]}), "vi").iloc[0].tolist()
    ['Nâng cấp trạm hiện có', 'Có']
    """
    shown = table.copy()
    for column in shown.columns:
        if column == "kind":
            shown[column] = shown[column].map(lambda kind: label(str(kind), lang))
        elif pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map({True: label("yes", lang), False: label("no", lang)})
    return shown


def column_label(column: str, lang: str = DEFAULT_LANG, floor: float = FLOOR_SHARE) -> str:
    """The header a person reads for report column ``column``, in ``lang``.

    Raises ``KeyError`` for a column without a label, so no raw name reaches a sheet.

    Parameters
    ----------
    column : str
        A column name of the report tables (``sites_phase_2``, ``after_phase_3`` too).
    lang : str
        ``"vi"`` or ``"en"``.
    floor : float
        The floor named in ``below_floor_after``, 0..1.

    >>> column_label("sites_phase_2", "en"), column_label("below_floor_after", "vi")
    ('New sites in phase 2', 'Dưới 50% sau kế hoạch')
    """
    if column.startswith(SITES_PHASE_PREFIX):
        return label("sites_phase", lang, phase=column.removeprefix(SITES_PHASE_PREFIX))
    if column.startswith(AFTER_PHASE_PREFIX):
        return label("share_after_phase", lang, phase=column.removeprefix(AFTER_PHASE_PREFIX))
    if column == "below_floor_after":
        return label(column, lang, floor=fmt_pct(floor, lang, 0))
    return label(column, lang)


def people_table(
    table: pd.DataFrame, lang: str = DEFAULT_LANG, floor: float = FLOOR_SHARE
) -> pd.DataFrame:
    """``table`` as people read it: values and headers in ``lang`` (e.g. for a CSV).

    Parameters
    ----------
    table : DataFrame
        A report table with raw column names and values.
    lang : str
        ``"vi"`` or ``"en"``.
    floor : float
        The floor named in the headers, 0..1.
    """
    return localise(table, lang).rename(columns=lambda c: column_label(c, lang, floor))


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    overwrite: bool = False,
    headers: Mapping[str, str] | None = None,
    row_formats: Mapping[str, Sequence[str | None]] | None = None,
) -> Path:
    r"""Write tables as sheets of one Excel workbook (openpyxl), atomically.

    ``headers`` maps column names to the header text shown (e.g. Vietnamese); share
    columns (``*share*``) get a percent format, money and people a thousands format,
    phases and ranks a plain whole number; ``row_formats`` gives the number format of
    each row of a sheet instead (a summary whose rows hold different units). The
    header row is bold and frozen.

    Parameters
    ----------
    sheets : mapping of DataFrame
        Sheet name -> table. Names must be valid for Excel: at most 31 characters,
        none of ``[]:*?/\``, unique.
    path : str or path
        The ``.xlsx`` file.
    overwrite : bool
        Replace an existing file.
    headers : mapping of str or None
        Column name -> header text.
    row_formats : mapping or None
        Sheet name -> the Excel number format of each data row (None: as the column).

    Returns
    -------
    Path
        ``path``.
    """
    headers = headers or {}
    row_formats = row_formats or {}
    _check_sheet_names(list(sheets))
    with atomic_path(path, overwrite) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for sheet_name, table in sheets.items():
                shown = table.rename(columns=lambda c: headers.get(c, c))
                shown.to_excel(writer, sheet_name=sheet_name, index=False)
                _style_sheet(writer.sheets[sheet_name], table, headers,
                             row_formats.get(sheet_name, ()))  # fmt: skip
    return Path(path)


def _style_sheet(
    sheet: Any, table: pd.DataFrame, headers: Mapping[str, str], formats: Sequence[str | None]
) -> None:
    """Bold, wrapped, frozen header row; widths that fit the values; number formats."""
    from openpyxl.styles import Alignment, Font

    sheet.freeze_panes = "A2"
    lines = 1
    for index, column in enumerate(table.columns, start=1):
        head = sheet.cell(row=1, column=index)
        head.font = Font(bold=True)
        head.alignment = Alignment(wrap_text=True, vertical="top")
        title = str(headers.get(column, column))
        values = [f"{v:,.0f}" if isinstance(v, int | float) else str(v) for v in table[column]]
        width = max(12, *(min(len(v), 60) for v in values), min(math.ceil(len(title) / 2), 30))
        sheet.column_dimensions[head.column_letter].width = width + 2
        lines = max(lines, math.ceil(len(title) / width))
        column_format = _number_format(column, table[column])
        for row, cell in enumerate(sheet[head.column_letter][1:]):
            number_format = formats[row] if row < len(formats) else column_format
            if number_format and isinstance(cell.value, int | float):
                cell.number_format = number_format
    sheet.row_dimensions[1].height = 15 * lines


def _check_sheet_names(names: list[str]) -> None:
    r"""Excel refuses sheet names over 31 characters, with ``[]:*?/\``, or repeated."""
    for name in names:
        bad = set(name) & set(_SHEET_FORBIDDEN)
        if not name or len(name) > 31 or bad or name.startswith("'"):
            raise InputError(
                f"sheet name {name!r} is not valid in Excel: 1 to 31 characters, none of "
                f"{_SHEET_FORBIDDEN}, not starting with an apostrophe"
            )
    if len({n.casefold() for n in names}) != len(names):
        raise InputError(f"sheet names {names} repeat one (Excel ignores case)")


def _number_format(column: str, values: pd.Series) -> str | None:
    if "share" in column or column.startswith(AFTER_PHASE_PREFIX):
        return PCT
    if column in ("lon", "lat"):
        return "0.000000"
    if column in _WHOLE_COLUMNS or column.startswith(SITES_PHASE_PREFIX):
        return "0"
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return THOUSANDS
    return None


def _plan_communes(plan: Plan) -> pd.DataFrame:
    """The plan's commune table, named by its measure (the design reliability)."""
    communes = plan.communes.astype({"code": str, "name": str})
    return communes.assign(
        reliable_share_before=communes["covered_share_before"],
        reliable_share_after=communes["covered_share_after"],
        added_population=communes["covered_population_after"]
        - communes["covered_population_before"],
    ).reset_index(drop=True)


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """People and money to whole numbers, shares to 4 decimals."""
    out = table.copy()
    for column in out.columns:
        if "share" in column:
            out[column] = out[column].round(4)
        elif "population" in column or "uncovered" in column or column.endswith("_vnd"):
            out[column] = out[column].round().astype("Int64")
    return out


# One summary row: section, item, value, Excel number format, note.
_Row = tuple[str, str, object, str | None, str]


def _today_rows(result: CoverageResult, lang: str) -> list[_Row]:
    section, today = label("sum_section_headline", lang), label("today", lang)
    return [
        (section, label("sum_population", lang), round(result.population_total), THOUSANDS, ""),
        (section, label("sum_expected", lang, when=today), round(result.covered_share, 6), PCT,
         label("sum_expected_note", lang)),
        (section, label("sum_reliable", lang, when=today), round(result.reliable_share, 6), PCT,
         label("sum_reliable_note", lang)),
    ]  # fmt: skip


def _headline_rows(plan: Plan, lang: str) -> list[_Row]:
    s, section = plan.summary, label("sum_section_headline", lang)
    today, after = label("today", lang), label("after_plan", lang)
    kinds = plan.new_sites["kind"].value_counts()
    target: tuple[object, str | None] = (
        (s.target, PCT0) if s.target is not None else (label("sum_no_target", lang), None)
    )
    return [
        (section, label("sum_expected", lang, when=today), s.baseline_expected_share, PCT,
         label("sum_expected_note", lang)),
        (section, label("sum_expected", lang, when=after), s.achieved_expected_share, PCT, ""),
        (section, label("sum_reliable", lang, when=today), s.baseline_share, PCT,
         label("sum_reliable_note", lang)),
        (section, label("sum_reliable", lang, when=after), s.achieved_share, PCT, ""),
        (section, label("sum_target", lang), *target, label(f"mode_{s.mode}", lang)),
        (section, label("sum_new_sites", lang), s.n_new_sites, THOUSANDS, ""),
        (section, label("sum_new_towers", lang), int(kinds.get("new_tower", 0)), THOUSANDS, ""),
        (section, label("sum_upgrades", lang), int(kinds.get("upgrade", 0)), THOUSANDS, ""),
        (section, label("sum_phases", lang), plan.n_phases, THOUSANDS, ""),
        (section, label("sum_newly_covered", lang), s.newly_covered_population, THOUSANDS,
         label("sum_equity_note_reliable", lang)),
    ]  # fmt: skip


def _cost_rows(s: PlanSummary, lang: str) -> list[_Row]:
    section = label("sum_section_cost", lang)
    per_person: tuple[object, str | None, str] = (
        (s.cost_per_new_person_vnd, THOUSANDS, "")
        if s.cost_per_new_person_vnd is not None
        else ("", None, label("sum_nobody_new", lang))
    )
    return [
        (section, label("sum_gross", lang), s.total_cost_vnd, THOUSANDS,
         fmt_vnd(s.total_cost_vnd, lang)),
        (section, label("sum_support_share", lang), s.state_support_share, PCT0,
         label("sum_support_note", lang)),
        (section, label("sum_support", lang), s.state_support_vnd, THOUSANDS,
         fmt_vnd(s.state_support_vnd, lang)),
        (section, label("sum_net", lang), s.net_cost_vnd, THOUSANDS, fmt_vnd(s.net_cost_vnd, lang)),
        (section, label("sum_cost_per_person", lang), *per_person),
    ]  # fmt: skip


def _below_floor(covered: pd.Series, population: pd.Series, floor: float) -> pd.Series:
    """Communes with people that need at least one more person covered to reach ``floor``."""
    people = population.astype(float)
    return (people > 0) & (floor * people - covered.astype(float) >= 1.0)


def _recorded_equity(s: PlanSummary) -> dict[str, int] | None:
    """The plan's own equity record in :func:`equity_counts`' keys (None if it has none)."""
    e = s.equity
    if not e:
        return None
    return {
        "zero_communes": int(e["communes_at_zero"]),
        "zero_people": int(e["people_at_zero"]),
        "below_communes": int(e["communes_below_floor"]),
        "below_people": int(e["people_below_floor"]),
    }


def _floor_price_rows(s: PlanSummary, lang: str, floor: float) -> list[_Row]:
    """What lifting every commune to the floor would add, as the plan estimated it."""
    price = s.equity.get("floor_price") if s.equity else None
    if not price:
        return []
    section, shown = label("sum_section_equity", lang), fmt_pct(floor, lang, 0)
    unreachable = len(price.get("unreachable_communes", ()))
    return [
        (section, label("sum_floor_sites", lang, floor=shown), int(price["n_sites"]), THOUSANDS,
         label("sum_floor_note", lang)),
        (section, label("sum_floor_cost", lang, floor=shown), int(price["cost_vnd"]), THOUSANDS,
         fmt_vnd(price["cost_vnd"], lang)),
        (section, label("sum_floor_unreachable", lang, floor=shown), unreachable, "0", ""),
    ]  # fmt: skip


def _equity_rows(
    counts: dict[str, int], when: str, note_key: str, lang: str, floor: float
) -> list[_Row]:
    section, note = label("sum_section_equity", lang), label(note_key, lang)
    below = fmt_pct(floor, lang, 0)
    return [
        (section, label("sum_zero_communes", lang, when=when), counts["zero_communes"], "0", note),
        (section, label("sum_zero_people", lang, when=when), counts["zero_people"], THOUSANDS, ""),
        (section, label("sum_below_communes", lang, floor=below, when=when),
         counts["below_communes"], "0", note),
        (section, label("sum_below_people", lang, floor=below, when=when),
         counts["below_people"], THOUSANDS, ""),
    ]  # fmt: skip


def _method_rows(
    model: str, description: str, n_sites: int, synthetic: bool, s: PlanSummary | None, lang: str
) -> list[_Row]:
    section = label("sum_section_method", lang)
    yes_no = label("yes" if synthetic else "no", lang)
    rows: list[_Row] = [
        (section, label("sum_model", lang), _model_name(model, lang), None, ""),
        (section, label("sum_model_description", lang), description, None, ""),
        (section, label("sum_existing_sites", lang), n_sites, THOUSANDS,
         label("synthetic", lang) if synthetic else ""),
        (section, label("sum_synthetic", lang), yes_no, None, ""),
    ]  # fmt: skip
    if s is not None:
        bound_format = {"n_sites": "#,##0.0", "cost_vnd": THOUSANDS}.get(s.bound_kind, "0.00%")
        rows += [
            (section, label("sum_solver", lang), label(f"solver_{s.solver}", lang), None,
             label("sum_status", lang, status=_known(f"status_{s.status}", s.status, lang))),
            (section, label("sum_bound", lang), s.bound, bound_format,
             label(f"bound_{s.bound_kind}", lang)),
            (section, label("sum_gap", lang), s.gap, "0.00%", label("sum_gap_note", lang)),
            (section, label("sum_solver_seconds", lang), s.solver_seconds, "0.0", ""),
        ]  # fmt: skip
    return rows


def _settings_rows(config: PlanConfig, plan: Plan | None, lang: str) -> list[_Row]:
    """The settings the plan recorded (``plan.json``), else this run's."""
    recorded = plan.summary.settings if plan is not None else {}
    values: dict[str, Any] = {name: getattr(config, name) for name in SETTINGS_SHOWN}
    values |= {name: recorded[name] for name in SETTINGS_SHOWN if name in recorded}
    if plan is not None and not recorded:  # an older folder still knows these
        values["state_support_share"] = plan.summary.state_support_share
    model = plan.summary.model if plan is not None else config.coverage_model
    values["coverage_model"] = _model_name(values["coverage_model"], lang)
    for name in RADIUS_SETTINGS if model == "radius" else ():
        values[name] = recorded.get(name, getattr(config, name))
    section = label("sum_section_settings", lang)
    note = label("cfg_note_plan" if recorded else "cfg_note_old_plan" if plan else "cfg_note", lang)
    return [
        (section, label(f"cfg_{name}", lang), value, SETTINGS_SHOWN.get(name, "0"),
         note if i == 0 else "")
        for i, (name, value) in enumerate(values.items())
    ]  # fmt: skip


def _model_name(model: str, lang: str) -> str:
    return _known(f"model_name_{model}", model, lang)


def _known(key: str, raw: str, lang: str) -> str:
    """The label of ``key`` if there is one, else ``raw`` as it is (a name of the user's)."""
    return label(key, lang) if key in LABELS else raw


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
        ET.SubElement(icon, "color").text = _kml_colour(
            phase_colour(int(phase), points["phase"].max())
        )
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
    "FLOOR_SHARE",
    "column_label",
    "commune_report_table",
    "commune_table",
    "equity_counts",
    "floor_share",
    "kml_document",
    "localise",
    "people_table",
    "phase_report_table",
    "priority_table",
    "read_former_units",
    "summary_table",
    "write_geopackage",
    "write_kml",
    "write_table_csv",
    "write_xlsx",
]  # fmt: skip
