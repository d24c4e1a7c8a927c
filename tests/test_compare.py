"""compare(), Scenario.for_operator and fresh PlanResults in maps, figures and reports.

Units run on the tiny fixtures (three 1 km communes, one site in each and two far
outside, here of three operators); a few end-to-end tests use the shipped province.
"""

from __future__ import annotations

import datetime as dt
import html
import inspect
import json
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import geoplan
import geoplan.cli
from geoplan.comparison import PLAN_KEYS, POOR_SHARE, Comparison, compare
from geoplan.errors import InputError
from geoplan.io.plan_folder import read_plan, write_plan
from geoplan.outputs import (
    coverage_map,
    figure_commune_bars,
    figure_coverage_map,
    figure_curve,
    save_map,
)
from geoplan.outputs.i18n import label
from geoplan.planning import plan_sites
from geoplan.results import CoverageResult, Plan
from geoplan.scenario import Scenario, load_scenario, sharing_summary, write_report
from tests.conftest import WORK_CRS, X0, Y0

#: The columns documented in geoplan.compare (the table's contract).
DOCUMENTED_COLUMNS = [
    "model", "existing_sites", "covered_share_today", "target", "new_sites", "covered_share",
    "reliable_share", "lowest_commune_share", "communes_below_50pct", "cost_vnd", "solver",
    "gap", "seconds",
]  # fmt: skip
#: Site id -> operator; S1..S3 sit in the centre of communes 1..3, S4 and S5 far away.
OPERATORS = {"S1": "Viettel", "S2": "VNPT", "S3": "MobiFone", "S4": "Viettel", "S5": "VNPT"}
DAY = dt.date(2026, 1, 2)


@pytest.fixture
def operator_stations_file(tmp_path: Path) -> Path:
    """The five tiny sites (see ``tiny_stations_file``), shared by three operators."""
    points = gpd.GeoSeries.from_xy(
        [X0 + 500, X0 + 1500, X0 + 2500, X0 + 50_000, X0 - 50_000], [Y0 + 500] * 5, crs=WORK_CRS
    ).to_crs("EPSG:4326")
    lines = ["site_id,operator,lon,lat"]
    for (site_id, operator), point in zip(OPERATORS.items(), points, strict=True):
        lines.append(f"{site_id},{operator},{point.x:.8f},{point.y:.8f}")
    path = tmp_path / "stations_operators.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def scenario(tiny_communes_file, tiny_raster_file, operator_stations_file, tiny_config) -> Scenario:
    config = replace(tiny_config, candidate_clusters=8, candidate_min_population=1.0)
    return load_scenario(tiny_communes_file, tiny_raster_file, operator_stations_file, config)


@pytest.fixture
def plan_result(scenario: Scenario) -> Plan:
    return scenario.plan(target=0.9, solver="greedy")


def _equity(shares: pd.Series) -> tuple[float, int]:
    return float(shares.min()), int((shares < POOR_SHARE).sum())


# --------------------------------------------------------------------------- compare: the table
def test_one_row_per_variant_in_the_given_order(scenario: Scenario) -> None:
    variants = {"zeta today": {}, "alpha 90%": {"target": 0.9}, "mid, 2 sites": {"max_sites": 2}}
    comparison = compare(scenario, variants)
    assert isinstance(comparison, Comparison)
    assert list(comparison.table.index) == list(variants)  # not sorted
    assert comparison.table.index.name == "variant"
    assert list(comparison.table.columns) == DOCUMENTED_COLUMNS
    assert len(comparison) == 3
    assert list(comparison.results) == list(variants)
    assert (comparison.table["seconds"] >= 0).all()


@pytest.mark.parametrize(
    "settings",
    [{}, {"model": "radius"}, {"min_commune_share": 0.9}, {"sites_per_phase": 2}],
    ids=["empty", "model only", "floor without a target", "phase size only"],
)
def test_variant_without_target_or_budget_plans_nothing(scenario: Scenario, settings) -> None:
    comparison = compare(scenario, {"today": settings})
    row = comparison.table.loc["today"]
    today = scenario.coverage()
    result = comparison.results["today"]
    assert isinstance(result, CoverageResult) and not isinstance(result, Plan)
    assert row["new_sites"] == 0 and row["cost_vnd"] == 0
    assert row["covered_share"] == row["covered_share_today"] == pytest.approx(today.covered_share)
    assert row["existing_sites"] == len(scenario.stations)
    assert pd.isna(row["target"]) and pd.isna(row["gap"])
    lowest, poor = _equity(result.communes["covered_share"])
    assert row["lowest_commune_share"] == pytest.approx(lowest)
    assert row["communes_below_50pct"] == poor


@pytest.mark.parametrize(
    "settings",
    [{"target": 0.9}, {"max_sites": 3}, {"budget_vnd": 4.5e9}],
    ids=["target", "max_sites", "budget"],
)
def test_plan_row_agrees_with_its_plan_result(scenario: Scenario, settings) -> None:
    comparison = compare(scenario, {"plan": settings})
    row = comparison.table.loc["plan"]
    plan = comparison.results["plan"]
    assert isinstance(plan, Plan)
    s = plan.summary
    assert row["new_sites"] == s.n_new_sites == len(plan.new_sites) > 0
    assert row["covered_share"] == pytest.approx(s.achieved_share)
    assert row["covered_share_today"] == pytest.approx(s.baseline_share, abs=1e-6)
    assert row["covered_share"] > row["covered_share_today"]
    assert row["cost_vnd"] == pytest.approx(s.total_cost_vnd)
    assert row["cost_vnd"] == pytest.approx(plan.new_sites["cost_vnd"].sum())
    assert row["existing_sites"] == s.n_existing_sites == len(scenario.stations)
    assert row["solver"] == s.solver == "greedy"  # compare's default solver
    assert row["gap"] == pytest.approx(s.gap)
    lowest, poor = _equity(plan.communes["covered_share_after"])
    assert row["lowest_commune_share"] == pytest.approx(lowest)
    assert row["communes_below_50pct"] == poor
    # the settings reached the planner: same plan as asking for it directly
    direct = scenario.plan(solver="greedy", **settings)
    assert row["new_sites"] == direct.summary.n_new_sites
    assert row["covered_share"] == pytest.approx(direct.summary.achieved_share)
    if "target" in settings:
        assert row["target"] == settings["target"]
        assert row["covered_share"] >= settings["target"]
    else:
        assert pd.isna(row["target"])
    assert row["new_sites"] <= settings.get("max_sites", np.inf)
    assert row["cost_vnd"] <= settings.get("budget_vnd", np.inf)


def test_equity_columns_count_poorly_served_communes(scenario: Scenario) -> None:
    # two new sites leave some communes above 50% and some below: the count is neither 0 nor 3
    comparison = compare(scenario, {"2 sites": {"max_sites": 2}})
    shares = comparison.results["2 sites"].communes["covered_share_after"]
    assert 0 < (shares < POOR_SHARE).sum() < len(shares)
    row = comparison.table.loc["2 sites"]
    assert row["lowest_commune_share"] == pytest.approx(shares.min())
    assert row["communes_below_50pct"] == (shares < POOR_SHARE).sum()


def test_commune_floor_lifts_the_lowest_commune(scenario: Scenario) -> None:
    floor = 0.8
    comparison = compare(
        scenario,
        {"50%": {"target": 0.5}, "50%, floor": {"target": 0.5, "min_commune_share": floor}},
    )
    table = comparison.table
    assert table.loc["50%", "lowest_commune_share"] < floor  # without it the floor would bind
    assert table.loc["50%, floor", "lowest_commune_share"] >= floor - 1e-6
    assert table.loc["50%, floor", "communes_below_50pct"] == 0
    after = comparison.results["50%, floor"].communes["covered_share_after"]
    assert (after >= floor - 1e-6).all()
    assert table.loc["50%, floor", "covered_share"] >= 0.5


def test_operator_variant_uses_only_that_operators_sites(scenario: Scenario) -> None:
    comparison = compare(
        scenario,
        {
            "all": {},
            "VNPT": {"operator": "VNPT"},
            "Viettel, 2 sites": {"operator": " viettel ", "max_sites": 2},
            "first site only": {"stations": scenario.stations.iloc[:1]},
        },
    )
    table = comparison.table
    counts = scenario.operators
    assert table.loc["all", "existing_sites"] == len(scenario.stations)
    assert table.loc["VNPT", "existing_sites"] == counts["VNPT"]
    assert table.loc["Viettel, 2 sites", "existing_sites"] == counts["Viettel"]
    assert table.loc["first site only", "existing_sites"] == 1
    vnpt_today = scenario.for_operator("VNPT").coverage().covered_share
    assert table.loc["VNPT", "covered_share_today"] == pytest.approx(vnpt_today)
    assert table.loc["VNPT", "covered_share_today"] < table.loc["all", "covered_share_today"]
    viettel_plan = comparison.results["Viettel, 2 sites"]
    assert isinstance(viettel_plan, Plan)
    assert viettel_plan.summary.n_existing_sites == counts["Viettel"]


def test_plan_settings_are_options_of_the_planner() -> None:
    """Every setting compare passes on is a keyword of plan_sites (no silent drift)."""
    assert PLAN_KEYS <= set(inspect.signature(plan_sites).parameters)


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ({}, "at least one variant"),
        ({"80%": {"target": 0.8, "budget": 1e9}}, r"variant '80%': unknown setting\(s\) budget;"),
        ({"ok": {}, "typo": {"targte": 0.8}}, r"variant 'typo': unknown setting\(s\) targte;"),
        ({"x": {"model": "radius", "colour": 1, "zoom": 2}}, r"setting\(s\) colour, zoom;"),
    ],
    ids=["no variants", "budget for budget_vnd", "typo in the second", "two unknown"],
)
def test_bad_variants_raise_input_error(scenario: Scenario, variants, message) -> None:
    with pytest.raises(InputError, match=message):
        compare(scenario, variants)


def test_unknown_operator_in_a_variant_lists_the_operators(scenario: Scenario) -> None:
    with pytest.raises(InputError, match=r"variant 'other'.*'Gmobile'.*MobiFone, VNPT, Viettel"):
        compare(scenario, {"today": {}, "other": {"operator": "Gmobile"}})


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(0, 8), min_size=2, max_size=2, unique=True))
def test_more_budget_never_lowers_covered_share(scenario: Scenario, n_towers: list[int]) -> None:
    # budgets fall between whole towers (2 bn VND each) so rounding cannot decide
    budgets = sorted(n * 2.0e9 + 0.5e9 for n in n_towers)
    comparison = compare(scenario, {f"{b:g} VND": {"budget_vnd": b} for b in budgets})
    table = comparison.table
    assert (table["cost_vnd"].to_numpy() <= np.array(budgets)).all()
    assert table["covered_share"].is_monotonic_increasing
    assert table["new_sites"].is_monotonic_increasing
    # plan shares are rounded to 6 decimals (plan.json); today's are not
    assert (table["covered_share"] >= table["covered_share_today"] - 1e-6).all()


# --------------------------------------------------------------------------- compare: display
def test_repr_and_html_name_every_variant_escaped(scenario: Scenario) -> None:
    names = ["<b>bold</b> & co", "plain 90%"]
    comparison = compare(scenario, {names[0]: {}, names[1]: {"target": 0.9}})
    text = repr(comparison)
    assert text.startswith("Comparison of 2 variants (CAPEX in VND)\n")
    assert all(name in text for name in names)
    plan = comparison.results[names[1]].summary
    assert f"{plan.achieved_share:.1%}" in text  # shares as percentages, not 0.9…
    assert "e+" not in text  # costs in bn VND, not scientific notation
    page = comparison._repr_html_()
    assert "Comparison of 2 variants" in page
    for name in names:
        assert html.escape(name) in page
    assert "<b>bold</b>" not in page  # a variant name is text, not markup


def test_plot_has_one_bar_label_per_variant(scenario: Scenario) -> None:
    variants = {"today": {}, "2 sites": {"max_sites": 2}, "90%": {"target": 0.9}}
    comparison = compare(scenario, variants)
    figure = comparison.plot()
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == list(variants)[::-1]  # first variant on top
    widths = sorted(round(patch.get_width(), 6) for patch in ax.patches)
    table = comparison.table
    expected = [*(100 * table["covered_share"]), *(100 * table["covered_share_today"])]
    assert widths == pytest.approx(sorted(expected))  # today and after, one pair per variant
    assert len(comparison.plot(lang="vi").axes[0].get_yticklabels()) == len(variants)


# --------------------------------------------------------------------------- for_operator
@pytest.mark.parametrize("spelling", ["VNPT", "vnpt", "  Vnpt ", "VNPT\t"])
def test_for_operator_ignores_case_and_spaces(scenario: Scenario, spelling: str) -> None:
    chosen = scenario.for_operator(spelling)
    assert chosen.stations["operator"].tolist() == ["VNPT"] * scenario.operators["VNPT"]
    assert chosen.stations["site_id"].tolist() == ["S2", "S5"]
    assert list(chosen.stations.index) == [0, 1]
    assert chosen.grid is scenario.grid and chosen.communes is scenario.communes
    assert len(scenario.stations) == len(OPERATORS)  # the original is left as it was


def test_for_operator_matches_names_spelled_differently_in_the_data(scenario: Scenario) -> None:
    messy = scenario.stations.assign(operator=[" viettel", "VNPT", "MobiFone", "VIETTEL ", "VNPT"])
    chosen = scenario.with_stations(messy).for_operator("Viettel")
    assert chosen.stations["site_id"].tolist() == ["S1", "S4"]


def test_for_operator_unknown_lists_known_operators(scenario: Scenario) -> None:
    with pytest.raises(InputError, match=r"stations_operators\.csv.*'Gmobile'") as caught:
        scenario.for_operator("Gmobile")
    assert "MobiFone, VNPT, Viettel" in str(caught.value)


def test_operators_counts_sites_most_first(scenario: Scenario) -> None:
    counts = scenario.operators
    assert counts.name == "sites"
    expected = pd.Series(OPERATORS).value_counts()
    assert counts.to_dict() == expected.to_dict()
    assert counts.is_monotonic_decreasing


def test_operators_ignores_spaces_around_names(scenario: Scenario) -> None:
    padded = scenario.stations.assign(operator=" " + scenario.stations["operator"] + "  ")
    assert not set(padded["operator"]) & set(scenario.stations["operator"])
    counts = scenario.with_stations(padded).operators
    assert counts.to_dict() == scenario.operators.to_dict()


# --------------------------------------------------------------------------- fresh PlanResults
def test_a_fresh_plan_is_the_one_plan_type(plan_result: Plan) -> None:
    assert isinstance(plan_result, Plan) and plan_result.path is None
    assert plan_result.candidates is not None and plan_result.optimize is not None
    assert plan_result.summary.n_new_sites == len(plan_result.new_sites)
    assert plan_result.total_cost_vnd == plan_result.summary.total_cost_vnd
    assert plan_result.covered_share_after == pytest.approx(
        plan_result.summary.achieved_share, abs=1e-3
    )


def test_plan_result_has_the_tables_of_its_plan_folder(plan_result: Plan, tmp_path: Path) -> None:
    write_plan(plan_result, tmp_path / "plan")
    folder = read_plan(tmp_path / "plan")
    fresh = plan_result
    assert_geodataframe_equal(fresh.new_sites, folder.new_sites)
    pd.testing.assert_frame_equal(fresh.phases, folder.phases)
    pd.testing.assert_frame_equal(fresh.communes, folder.communes)
    # curve.csv stores shares rounded to 6 decimals
    pd.testing.assert_frame_equal(fresh.curve, folder.curve, check_exact=False, atol=1e-6)
    assert folder.summary == fresh.summary
    assert folder.candidates is None and folder.path == tmp_path / "plan"
    assert (fresh.n_phases, fresh.total_cost_vnd) == (folder.n_phases, folder.total_cost_vnd)


def test_map_of_a_plan_result_is_the_map_of_its_plan_folder(
    scenario: Scenario, plan_result: Plan, tmp_path: Path
) -> None:
    write_plan(plan_result, tmp_path / "plan")
    from_folder = scenario.map(read_plan(tmp_path / "plan"), created=DAY)
    fresh = scenario.map(plan_result, created=DAY)
    page = save_map(fresh, tmp_path / "fresh.html").read_bytes()
    assert page == save_map(from_folder, tmp_path / "folder.html").read_bytes()
    # and the plan is really on it (not a map without a plan on both sides)
    text = page.decode("utf-8")
    assert text.count("geoplan-new-site") >= 1
    assert label("title_plan", "vi") in text
    assert page != save_map(scenario.map(created=DAY), tmp_path / "none.html").read_bytes()


def test_figures_take_a_plan_result(scenario: Scenario, plan_result: Plan, tmp_path: Path) -> None:
    write_plan(plan_result, tmp_path / "plan")
    folder = read_plan(tmp_path / "plan")
    curve = figure_curve(plan_result, lang="en")
    assert isinstance(curve, Figure)
    line = curve.axes[0].lines[0]
    assert line.get_xdata().tolist() == plan_result.curve["n_sites"].tolist()
    assert line.get_ydata() == pytest.approx(100 * plan_result.curve["covered_share"])
    folder_line = figure_curve(folder, lang="en").axes[0].lines[0]
    assert line.get_ydata() == pytest.approx(folder_line.get_ydata(), abs=1e-4)
    result = scenario.coverage()
    assert isinstance(figure_commune_bars(result, plan_result), Figure)
    mapped = figure_coverage_map(scenario.communes, result, scenario.stations, plan_result)
    assert isinstance(mapped, Figure)


def test_report_of_a_plan_result_matches_its_plan_folder(
    scenario: Scenario, plan_result: Plan, tmp_path: Path
) -> None:
    write_plan(plan_result, tmp_path / "plan")
    fresh = write_report(tmp_path / "fresh", scenario, plan=plan_result, lang="en")
    folder_plan = read_plan(tmp_path / "plan")
    folder = write_report(tmp_path / "folder", scenario, plan=folder_plan, lang="en")
    assert {"curve", "kml"} <= set(fresh)  # the plan-only files are there
    assert all(path.is_file() for path in fresh.values())
    for kind in ("csv", "kml"):
        assert fresh[kind].read_bytes() == folder[kind].read_bytes()
    placemarks = fresh["kml"].read_text(encoding="utf-8").count("<Placemark")
    assert placemarks == len(plan_result.new_sites) > 0


# --------------------------------------------------------------------------- shipped province
@pytest.mark.slow
def test_compare_on_the_shipped_province(tmp_path: Path) -> None:
    # the mechanics on the whole province; the radius model keeps it to seconds
    scenario = geoplan.load_scenario(config=geoplan.PlanConfig(coverage_model="radius"))
    variants = {
        "today": {},
        "70%": {"target": 0.7},
        "70%, communes >= 50%": {"target": 0.7, "min_commune_share": 0.5},
        "VNPT today": {"operator": "vnpt"},
    }
    comparison = geoplan.compare(scenario, variants)
    table = comparison.table
    assert list(table.index) == list(variants)
    assert table.loc["today", "covered_share"] == pytest.approx(scenario.coverage().covered_share)
    assert (table["existing_sites"].iloc[:3] == len(scenario.stations)).all()
    assert table.loc["VNPT today", "existing_sites"] == scenario.operators["VNPT"]
    assert table.loc["VNPT today", "covered_share"] < table.loc["today", "covered_share"]
    for name in ("70%", "70%, communes >= 50%"):
        plan = comparison.results[name]
        assert isinstance(plan, Plan)
        assert table.loc[name, "covered_share"] >= 0.7
        assert table.loc[name, "new_sites"] == plan.summary.n_new_sites > 0
        assert table.loc[name, "cost_vnd"] == pytest.approx(plan.summary.total_cost_vnd)
    assert table.loc["70%", "lowest_commune_share"] < 0.5  # the floor binds ...
    assert table.loc["70%, communes >= 50%", "lowest_commune_share"] >= 0.5 - 1e-6  # ... and holds
    assert table.loc["70%, communes >= 50%", "communes_below_50pct"] == 0
    labels = [tick.get_text() for tick in comparison.plot().axes[0].get_yticklabels()]
    assert labels == list(variants)[::-1]

    # the chosen variant maps the same way as its written plan folder
    chosen = comparison.results["70%, communes >= 50%"]
    assert isinstance(chosen, Plan)
    write_plan(chosen, tmp_path / "plan")
    fresh = save_map(scenario.map(chosen, created=DAY), tmp_path / "a.html")
    folder = scenario.map(read_plan(tmp_path / "plan"), created=DAY)
    assert fresh.read_bytes() == save_map(folder, tmp_path / "b.html").read_bytes()


# --------------------------------------------------------------------------- Scenario.map
def _html(fmap) -> str:
    return fmap.get_root().render()


def test_scenario_map_is_the_coverage_map_of_today(scenario: Scenario, plan_result) -> None:
    today = scenario.coverage()
    assert _html(scenario.map(lang="en", created=DAY)) == _html(
        coverage_map(scenario, today, lang="en", created=DAY)
    )
    with_plan = scenario.map(plan_result, lang="en", created=DAY)
    after = scenario.coverage_after(plan_result)
    assert _html(with_plan) == _html(
        coverage_map(scenario, today, plan_result, after, lang="en", created=DAY)
    )


def test_a_fresh_plan_carries_its_coverage_after_and_only_its_scenario_reuses_it(
    scenario: Scenario, plan_result: Plan
) -> None:
    carried = plan_result.coverage_after
    assert carried is not None and plan_result.planned_on is scenario
    assert scenario.coverage_after(plan_result) is carried  # not recomputed
    recomputed = scenario.after(plan_result).coverage(plan_result.summary.model)
    assert carried.covered_population == pytest.approx(recomputed.covered_population)
    assert carried.reliable_population == pytest.approx(recomputed.reliable_population)
    np.testing.assert_array_equal(carried.covered, recomputed.covered)
    # another model, or the same plan on other stations, is computed afresh
    assert scenario.coverage_after(plan_result, "38901") is not carried
    fewer = scenario.with_stations(scenario.stations.iloc[:1].copy())
    other = fewer.coverage_after(plan_result)
    assert other is not carried
    assert other.reliable_population < carried.reliable_population


def test_scenario_map_uses_the_named_model(scenario: Scenario) -> None:
    radio = scenario.coverage("38901")
    shown = _html(scenario.map(model="38901", lang="en", created=DAY))
    assert shown == _html(coverage_map(scenario, radio, lang="en", created=DAY))
    assert shown != _html(scenario.map(lang="en", created=DAY))


def test_html_explains_the_gap_only_when_there_is_a_plan(scenario: Scenario) -> None:
    only_today = compare(scenario, {"today": {}})
    with_plan = compare(scenario, {"today": {}, "90%": {"target": 0.9}})
    assert "gap:" not in only_today._repr_html_()
    assert "gap: how far each plan can at most be" in with_plan._repr_html_()


def test_prove_false_skips_the_lp_and_leaves_the_gap_empty(scenario: Scenario) -> None:
    variants = {"90%": {"target": 0.9}, "90% exact": {"target": 0.9, "solver": "exact"}}
    proven = compare(scenario, variants)
    quick = compare(scenario, variants, prove=False)
    assert proven.table["gap"].notna().all()
    assert np.isnan(quick.table.loc["90%", "gap"])
    assert quick.table.loc["90% exact", "gap"] == proven.table.loc["90% exact", "gap"]
    # the plan itself is the same; only the proof is skipped
    assert quick.table.loc["90%", "new_sites"] == proven.table.loc["90%", "new_sites"]
    assert quick.results["90%"].summary.bound <= proven.results["90%"].summary.bound


def test_scenario_repr_counts_sites_by_source(scenario: Scenario) -> None:
    sources = ["synthetic", "synthetic", "planned", "operator list", "synthetic"]
    mixed = scenario.with_stations(scenario.stations.assign(source=sources))
    assert repr(mixed).endswith("1 user + 3 synthetic + 1 planned sites)")
    only = scenario.with_stations(scenario.stations.assign(source="synthetic"))
    assert repr(only).endswith(", 5 synthetic sites)")
    assert repr(scenario.with_stations(scenario.stations.iloc[:0])).endswith("no sites)")


def test_standard_variants_names_and_settings() -> None:
    from geoplan.comparison import standard_variants

    variants = standard_variants(
        targets=[0.7], budgets_vnd=[4e11], floors=[0.5], floor_target=0.9,
        models=["38901"], operators=["VNPT"],
    )  # fmt: skip
    assert variants == {
        "today": {},
        "target 70%": {"target": 0.7},
        "budget 400 bn VND": {"budget_vnd": 4e11},
        "target 90%, every commune >= 50%": {"target": 0.9, "min_commune_share": 0.5},
        "model 38901, today": {"model": "38901"},
        "VNPT alone": {"operator": "VNPT"},
    }
    assert standard_variants() == {"today": {}}


# --------------------------------------------------------------------------- by operator
def test_each_operator_plans_its_own_network_and_sharing_saves(scenario: Scenario) -> None:
    separate = scenario.plan_by_operator(target=0.9, solver="greedy")
    assert set(separate) == set(scenario.operators.index)
    for operator, plan in separate.items():
        alone = scenario.for_operator(operator)
        assert plan.summary.n_existing_sites == len(alone.stations)
        assert plan.summary.achieved_share >= 0.9  # every operator's subscribers reach it
    shared = scenario.plan(target=0.9, solver="greedy")
    sharing = sharing_summary(shared, separate)
    assert sharing["separate"]["n_new_sites"] == sum(
        p.summary.n_new_sites for p in separate.values()
    )
    # one network serving all is never worse than three: it starts from all their sites
    assert sharing["sites_saved"] == sharing["separate"]["n_new_sites"] - shared.summary.n_new_sites
    assert sharing["sites_saved"] >= 0
    assert sharing["saving_vnd"] == pytest.approx(
        sharing["separate"]["total_cost_vnd"] - shared.summary.total_cost_vnd
    )


def test_cli_plan_by_operator_reports_sharing(
    tiny_communes_file, tiny_raster_file, operator_stations_file, tmp_path, capsys, monkeypatch,
    tiny_config,
) -> None:  # fmt: skip
    config = replace(tiny_config, candidate_clusters=8, candidate_min_population=1.0)
    monkeypatch.setattr("geoplan.cli.app._config", lambda args: config)
    argv = ["plan", "--target", "0.9", "--solver", "greedy", "--json",
            "--boundaries", str(tiny_communes_file), "--population", str(tiny_raster_file),
            "--stations", str(operator_stations_file), "--drop-outside",
            "--out", str(tmp_path / "p")]  # fmt: skip
    assert geoplan.cli.main(argv) == 0  # several operators: each one's plan by default
    out = json.loads(capsys.readouterr().out)
    assert set(out["sharing"]["separate"]["by_operator"]) == set(OPERATORS.values())
    assert out["sharing"]["shared"]["n_new_sites"] == out["n_new_sites"]
    assert geoplan.cli.main([*argv, "--overwrite", "--no-by-operator"]) == 0
    assert "sharing" not in json.loads(capsys.readouterr().out)
    text = [a for a in argv if a != "--json"]
    assert geoplan.cli.main([*text, "--overwrite"]) == 0  # Vietnamese by default
    lines = capsys.readouterr().out.splitlines()
    rows = {op: next(li for li in lines if li.strip().startswith(op)) for op in OPERATORS.values()}
    for operator, row in out["sharing"]["separate"]["by_operator"].items():
        assert f"{row['n_new_sites']} trạm mới" in rows[operator]
        # each operator's plan says how far it is from its proven bound
        assert row["bound"] <= row["n_new_sites"] and row["status"] == "greedy"
        assert row["gap"] == pytest.approx(1 - row["bound"] / row["n_new_sites"], abs=1e-6)
    saved = out["sharing"]["sites_saved"]
    assert any(li.startswith("Riêng rẽ") and f"tiết kiệm {saved} trạm" in li for li in lines)


def test_cli_plan_for_one_operator_has_no_sharing_what_if(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tmp_path, capsys, monkeypatch,
    tiny_config,
) -> None:  # fmt: skip
    config = replace(tiny_config, candidate_clusters=8, candidate_min_population=1.0)
    monkeypatch.setattr("geoplan.cli.app._config", lambda args: config)
    argv = ["plan", "--target", "0.9", "--solver", "greedy", "--json",
            "--boundaries", str(tiny_communes_file), "--population", str(tiny_raster_file),
            "--stations", str(tiny_stations_file), "--drop-outside",
            "--out", str(tmp_path / "p")]  # fmt: skip
    assert geoplan.cli.main(argv) == 0
    assert "sharing" not in json.loads(capsys.readouterr().out)
