"""Tables for people: the XLSX summary and priority sheets, translations, the Excel CSV.

Every expected number is computed here from the plan's own tables, independently of
the code under test.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geoplan.config import PlanConfig
from geoplan.errors import InputError
from geoplan.io.atomic import write_table_csv
from geoplan.io.embedded import DEFAULT_COMMUNES, DEFAULT_OLD_TO_NEW
from geoplan.io.plan_folder import read_plan
from geoplan.outputs.figures import figure_commune_bars
from geoplan.outputs.i18n import LABELS, label
from geoplan.outputs.report import write_report as write_outputs
from geoplan.outputs.report import write_workbook
from geoplan.outputs.tables import (
    column_label,
    commune_report_table,
    phase_report_table,
    priority_table,
    read_former_units,
    summary_table,
    write_xlsx,
)
from geoplan.results import Plan
from geoplan.scenario import Scenario, load_scenario
from geoplan.schema import PLAN_TABLES, SITE_KINDS
from tests._meeting import HOSTILE, new_site, write_plan_dir

SHEETS = ("sheet_summary", "sheet_priority", "sheet_communes", "sheet_phases",
          "sheet_new_sites", "sheet_about")  # fmt: skip


@pytest.fixture
def scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config) -> Scenario:
    return load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config)


@pytest.fixture
def plan(tmp_path: Path, scenario: Scenario) -> Plan:
    """Three sites in two phases; after it Một is still at 0% and Hai below 50%."""
    sites = [
        new_site(HOSTILE, 1, 105.96, 21.15, "00002", "Hai"),
        new_site("N2", 1, 105.961, 21.151, "00002", "Hai", kind="upgrade"),
        new_site("N3", 2, 105.97, 21.16, "00003", "Ba", kind="upgrade"),
    ]
    read = read_plan(write_plan_dir(tmp_path / "plan", scenario.coverage(), sites))
    communes = pd.DataFrame(
        {
            "code": ["00001", "00002", "00003"],
            "name": ["Một", "Hai", "Ba"],
            "population": [1000, 2000, 500],
            "covered_population_before": [0, 640, 160],
            "covered_population_after": [0, 900, 400],
            "covered_share_before": [0.0, 0.32, 0.32],
            "covered_share_after": [0.0, 0.45, 0.8],
        }
    )
    return dataclasses.replace(read, communes=communes)


def _summary_values(book: openpyxl.Workbook, lang: str) -> dict[str, object]:
    sheet = book[label("sheet_summary", lang)]
    header = [c.value for c in sheet[1]]
    assert header == [label(k, lang) for k in ("section", "item", "value", "note")]
    return {row[1]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}


def _raw_names() -> set[str]:
    """Every identifier a person must not read: plan columns, site kinds, settings,
    and the columns of the report's own tables."""
    names = {c for spec in PLAN_TABLES.values() for c in spec.columns}
    names |= set(SITE_KINDS) | {f.name for f in dataclasses.fields(PlanConfig)}
    names |= {"True", "False", "min_sites", "max_coverage", "greedy", "n_sites", "cost_vnd"}
    names |= {"reliable_share_before", "reliable_share_after", "reliable_uncovered_before",
              "reliable_share_after_phase", "rank", "first_phase", "n_new_sites",
              "below_floor_after", "sites_phase_1", "uncovered_population_before",
              "state_support_vnd", "net_cost_vnd", "section", "item", "value", "note"}  # fmt: skip
    return names


def test_vi_workbook_summary_priority_phases(tmp_path: Path, scenario, plan) -> None:
    xlsx = write_workbook(tmp_path / "c.xlsx", scenario, scenario.coverage(), plan, lang="vi")
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == [label(k, "vi") for k in SHEETS]
    assert book.sheetnames[0] == "Tổng quan"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in book.sheetnames)

    values = _summary_values(book, "vi")
    gross = int(plan.new_sites["cost_vnd"].sum())  # 3 × 2.5 bn
    support = round(0.15 * gross)
    assert values[label("sum_gross", "vi")] == gross == 7_500_000_000
    assert values[label("sum_support", "vi")] == support
    assert values[label("sum_net", "vi")] == gross - support
    assert values[label("sum_support_share", "vi")] == pytest.approx(0.15)
    assert values[label("sum_new_sites", "vi")] == 3
    assert values[label("sum_new_towers", "vi")] == 1
    assert values[label("sum_upgrades", "vi")] == 2
    assert values[label("sum_phases", "vi")] == 2
    after, today = label("after_plan", "vi"), label("today", "vi")
    shares = plan.communes["covered_share_after"].to_numpy()
    people = plan.communes["population"].to_numpy()
    assert values[label("sum_zero_communes", "vi", when=after)] == int((shares == 0).sum()) == 1
    assert values[label("sum_zero_people", "vi", when=after)] == 1000
    below = shares < 0.5
    assert values[label("sum_below_communes", "vi", floor="50%", when=after)] == below.sum() == 2
    assert values[label("sum_below_people", "vi", floor="50%", when=after)] == people[below].sum()
    assert values[label("sum_below_communes", "vi", floor="50%", when=today)] == 3
    assert values[label("sum_synthetic", "vi")] == "Không"
    assert values[label("sum_model", "vi")] == label("model_name_radius", "vi")
    assert values[label("cfg_capex_new_tower_vnd", "vi")] == PlanConfig().capex_new_tower_vnd
    assert values[label("cfg_sites_per_phase", "vi")] == 25
    assert values[label("sum_solver", "vi")] == label("solver_greedy", "vi")

    priority = pd.read_excel(xlsx, sheet_name=label("sheet_priority", "vi"),
                             dtype={label("code", "vi"): str})  # fmt: skip
    phase_columns = [label("sites_phase", "vi", phase=p) for p in (1, 2)]
    assert priority[phase_columns].to_numpy().sum() == values[label("sum_new_sites", "vi")]
    by_code = priority.set_index(label("code", "vi"))
    assert by_code.loc["00002", phase_columns].tolist() == [2, 0]
    assert by_code.loc["00003", phase_columns].tolist() == [0, 1]
    assert by_code[label("first_phase", "vi")].fillna(0).to_dict() == {
        "00002": 1,
        "00001": 0,
        "00003": 2,
    }
    assert by_code.loc["00002", label("cost_vnd", "vi")] == 5_000_000_000
    uncovered = priority[label("reliable_uncovered_before", "vi")].tolist()
    assert uncovered == [1360, 1000, 340]  # 2000 − 640, 1000 − 0, 500 − 160: most first
    assert priority[label("rank", "vi")].tolist() == [1, 2, 3]
    assert by_code[column_label("below_floor_after", "vi")].to_dict() == {
        "00002": "Có",
        "00001": "Có",
        "00003": "Không",
    }

    phases = pd.read_excel(xlsx, sheet_name=label("sheet_phases", "vi"))
    assert label("covered_share_after", "vi") not in phases.columns  # "after the plan"
    assert label("reliable_share_after_phase", "vi") in phases.columns
    net = phases[label("net_cost_vnd", "vi")]
    assert (net == phases[label("cost_vnd", "vi")] - phases[label("state_support_vnd", "vi")]).all()
    assert abs(net.sum() - (gross - support)) <= len(phases)  # per-phase rounding only

    sites = pd.read_excel(xlsx, sheet_name=label("sheet_new_sites", "vi"))
    upgrade = label("upgrade", "vi")
    assert sites[label("kind", "vi")].tolist() == ["Trạm mới", upgrade, upgrade]

    raw = _raw_names()
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, str):
                    assert cell not in raw, (sheet.title, cell)
                    assert not any("_" in name and name in cell for name in raw), cell
                elif isinstance(cell, bool):
                    pytest.fail(f"{sheet.title}: a boolean cell {cell} is not translated")


def test_en_workbook_is_in_english(tmp_path: Path, scenario, plan) -> None:
    xlsx = write_workbook(tmp_path / "c.xlsx", scenario, scenario.coverage(), plan, lang="en")
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == [
        "Summary",
        "Commune priority",
        "Communes",
        "Phases",
        "New sites",
        "Sources and notes",
    ]
    values = _summary_values(book, "en")
    assert values["Net cost after support (VND)"] == 7_500_000_000 - 1_125_000_000
    header = [c.value for c in book["Commune priority"][1]]
    assert header[0] == "Priority rank (by people not covered today)"
    assert "New sites in phase 2" in header and "Below 50% after the plan" in header
    assert book["Commune priority"].cell(row=2, column=header.index("Below 50% after the plan")
                                         + 1).value == "Yes"  # fmt: skip


def test_vi_excel_csv_reads_back_with_the_same_numbers(tmp_path: Path, scenario, plan) -> None:
    table = commune_report_table(scenario.coverage(), plan)
    plain = write_table_csv(table, tmp_path / "plain.csv")
    excel = write_table_csv(table, tmp_path / "excel.csv", dialect="vi-excel")
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") == len(table.columns) - 1
    assert "0,45" in text and "0.45" not in text
    back = pd.read_csv(excel, sep=";", decimal=",", encoding="utf-8-sig", dtype={"code": str})
    again = pd.read_csv(plain, encoding="utf-8-sig", dtype={"code": str})
    pd.testing.assert_frame_equal(back, again)
    assert back["name"].tolist() == ["Một", "Hai", "Ba"]
    shares = back.set_index("code")["reliable_share_after"]
    assert shares.to_dict() == {"00001": 0.0, "00002": 0.45, "00003": 0.8}
    with pytest.raises(InputError, match="unknown CSV dialect 'excel'"):
        write_table_csv(table, tmp_path / "x.csv", dialect="excel")  # type: ignore[arg-type]


def test_report_csv_for_excel_is_translated(tmp_path: Path, scenario, plan) -> None:
    with pytest.raises(InputError, match="unknown CSV dialect"):
        write_outputs(tmp_path / "r", scenario, scenario.coverage(), plan, csv_dialect="xls")
    assert not (tmp_path / "r").exists()  # refused before anything was written
    written = write_outputs(tmp_path / "r", scenario, scenario.coverage(), plan, lang="vi",
                            csv_dialect="vi-excel")  # fmt: skip
    assert openpyxl.load_workbook(written["xlsx"]).sheetnames[0] == "Tổng quan"
    back = pd.read_csv(written["csv"], sep=";", decimal=",", encoding="utf-8-sig",
                       dtype={label("code", "vi"): str})  # fmt: skip
    assert list(back.columns[:3]) == ["Mã", "Tên", "Dân số"]
    added = back.set_index("Mã")[label("added_population", "vi")]
    assert added.to_dict() == {"00001": 0, "00002": 260, "00003": 240}  # after − before


def test_priority_table_by_hand(plan) -> None:
    table = priority_table(plan, pd.Series({"00002": "Huyện Cũ (Tỉnh Cũ)"}))
    assert table["code"].tolist() == ["00002", "00001", "00003"]
    assert table["former_units"].tolist() == ["Huyện Cũ (Tỉnh Cũ)", "", ""]
    assert table["n_new_sites"].tolist() == [2, 0, 1]
    assert table["added_population"].tolist() == [260, 0, 240]
    assert table["first_phase"].isna().tolist() == [False, True, False]
    empty = dataclasses.replace(
        plan, new_sites=plan.new_sites.iloc[:0], phases=plan.phases.iloc[:0]
    )
    none = priority_table(empty)
    assert none["n_new_sites"].sum() == 0 and none["cost_vnd"].sum() == 0
    assert not any(c.startswith("sites_phase_") for c in none.columns)


def test_phase_table_running_totals(plan) -> None:
    table = phase_report_table(plan)
    assert table["n_sites"].tolist() == [2, 1]
    assert table["cumulative_sites"].tolist() == [2, 3]
    assert table["cumulative_cost_vnd"].tolist() == [5_000_000_000, 7_500_000_000]
    assert table["state_support_vnd"].tolist() == [750_000_000, 375_000_000]


def test_summary_without_plan_counts_today(scenario) -> None:
    result = scenario.coverage()
    table, formats = summary_table(result, None, scenario.config, "en", synthetic=True)
    values = dict(zip(table["item"], table["value"], strict=True))
    assert values["Share of people covered (expected), today"] == pytest.approx(
        result.covered_population / result.population_total
    )
    shares = result.communes["covered_share"]
    assert values["Communes below 50% today"] == int((shares < 0.5).sum())
    assert values["Existing sites are synthetic (not real sites)"] == "Yes"
    assert len(formats) == len(table)
    assert formats[list(table["item"]).index("People in the province")] == "#,##0"


@pytest.mark.parametrize("name", ["a/b", "x" * 32, "[1]", "'quoted", ""])
def test_write_xlsx_refuses_names_excel_refuses(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="not valid in Excel"):
        write_xlsx({name: pd.DataFrame({"a": [1]})}, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_write_xlsx_refuses_names_that_repeat_ignoring_case(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="repeat"):
        write_xlsx({"Tổng": pd.DataFrame(), "tổng": pd.DataFrame()}, tmp_path / "x.xlsx")


def test_former_units_cover_every_2025_commune() -> None:
    import geopandas as gpd

    former = read_former_units()
    codes = gpd.read_file(DEFAULT_COMMUNES, columns=["code"])["code"]
    assert set(codes) == set(former.index) and len(former) == 99
    old = pd.read_csv(DEFAULT_OLD_TO_NEW, dtype=str)
    districts = old.groupby("new_code")["old_district"].nunique()
    assert (former.str.count("; ") + 1).sort_index().tolist() == districts.sort_index().tolist()


def test_every_report_column_has_a_label() -> None:

    for column in _raw_names() - {"True", "False", "min_sites", "max_coverage", "greedy"}:
        if column in {f.name for f in dataclasses.fields(PlanConfig)} | set(SITE_KINDS):
            continue
        text = column_label(column, "vi")
        assert text != column and (column in LABELS or column.startswith("sites_phase_"))


def test_bar_chart_shows_the_most_people_uncovered(scenario, plan) -> None:
    result = scenario.coverage()
    uncovered = result.communes.set_index("name")["uncovered_population"]
    expected = uncovered.sort_values(ascending=False, kind="stable").index[:2].tolist()
    figure = figure_commune_bars(result, None, "en", n=2)
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == expected == ["Hai", "Một"]
    assert ax.get_xlabel().splitlines() == [
        "People not covered (expected)",
        "labels: covered share today",
    ]
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == pytest.approx(uncovered[expected].tolist())  # no empty bar

    ax = figure_commune_bars(result, plan, "vi", n=3).axes[0]
    people = plan.communes["population"] - plan.communes["covered_population_before"]
    order = plan.communes.assign(u=people).sort_values("u", ascending=False)["name"].tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == order == ["Hai", "Một", "Ba"]
    after = plan.communes.set_index("name")
    left = (after["population"] - after["covered_population_after"])[order].tolist()
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == pytest.approx([1360, 1000, 340, *left])
    assert np.all(np.array(widths[:3]) > 0)
    assert ax.get_title() == label("fig_bars_title", "vi")


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("within_gap", "trạng thái: đã chứng minh trong gap dừng"),
        ("kTimeLimit", "trạng thái: kTimeLimit"),
    ],
)
def test_summary_translates_known_solver_statuses(scenario, plan, status, shown) -> None:
    proven = dataclasses.replace(plan, summary=dataclasses.replace(plan.summary, status=status))
    table, _ = summary_table(scenario.coverage(), proven, scenario.config, "vi")
    notes = dict(zip(table["item"], table["note"], strict=True))
    assert notes[label("sum_solver", "vi")] == shown


def test_summary_shows_the_plans_own_equity_record_and_settings(scenario, plan) -> None:
    """A plan that recorded who it leaves behind (and its settings) is shown as recorded."""
    equity = {
        "floor_share": 0.6, "communes_at_zero": 7, "people_at_zero": 4242,
        "communes_below_floor": 11, "people_below_floor": 99999, "below_floor": [],
        "floor_price": {"n_sites": 15, "cost_vnd": 30_000_000_000, "site_ids": [],
                        "method": "greedy", "unreachable_communes": ["00001"]},
    }  # fmt: skip
    settings = dataclasses.asdict(PlanConfig(capex_new_tower_vnd=3.1e9, equity_floor_share=0.6))
    summary = dataclasses.replace(plan.summary, equity=equity, settings=settings)
    recorded = dataclasses.replace(plan, summary=summary)
    table, _ = summary_table(scenario.coverage(), recorded, PlanConfig(), "en")
    values = dict(zip(table["item"], table["value"], strict=True))
    assert values["Communes at 0% after the plan (nobody covered)"] == 7
    assert values["People in the communes below 60% after the plan"] == 99999
    assert values["To lift every commune to 60%: more sites"] == 15
    assert values["To lift every commune to 60%: more cost (VND)"] == 30_000_000_000
    assert values["Communes that cannot reach 60% with the candidate sites"] == 1
    assert values["Cost of a new tower (VND)"] == 3.1e9  # the plan's, not this run's 2.0e9
    assert values["Equity floor per commune"] == 0.6
    # today's lines are counted from the plan's table at the same floor: 0, 640, 160 covered
    assert values["Communes below 60% today"] == 3
    assert values["Communes at 0% today (nobody covered)"] == 1
    header = column_label("below_floor_after", "en", 0.6)
    assert header == "Below 60% after the plan"
