"""The plan-folder reader: the contract of `geoplan plan --out DIR`, checked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geoplan.errors import DataMismatchError, InputError
from geoplan.io.plan_folder import check_plan_communes, read_plan
from geoplan.scenario import load_scenario
from tests._meeting import new_site, write_plan_dir


@pytest.fixture
def tiny_plan(
    tmp_path: Path, tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> Path:
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config)
    sites = [
        new_site("N2", 2, 105.96, 21.15, "00002", "Hai"),
        new_site("N1", 1, 105.95, 21.15, "00001", "Một", kind="upgrade"),
    ]
    return write_plan_dir(tmp_path / "plan", scenario.coverage(), sites)


def test_reads_a_valid_plan_sorted_by_phase(tiny_plan: Path) -> None:
    plan = read_plan(tiny_plan)
    assert plan.new_sites["site_id"].tolist() == ["N1", "N2"]
    assert plan.new_sites.crs.to_epsg() == 4326
    assert plan.n_phases == 2
    assert plan.total_cost_vnd == pytest.approx(5e9)
    assert plan.summary.status == "by hand" and plan.summary.n_new_sites == 2
    assert plan.new_sites["commune_name"].tolist() == ["Một", "Hai"]
    people = plan.communes["population"].sum()
    assert plan.covered_share_after == pytest.approx(
        plan.communes["covered_population_after"].sum() / people
    )


def test_repr_says_what_the_plan_is(tiny_plan: Path) -> None:
    plan = read_plan(tiny_plan)
    text = repr(plan)
    assert text.startswith(f"Plan from {tiny_plan}: 2 new sites in 2 phases")
    assert f"-> {plan.covered_share_after:.1%} covered" in text
    assert "CAPEX 5.0 bn VND" in text
    assert "DataFrame" not in text and "\n" not in text


@pytest.mark.parametrize(
    "missing",
    ["new_sites.csv", "phases.csv", "communes_before_after.csv", "curve.csv", "plan.json"],
)
def test_missing_file_is_named(tiny_plan: Path, missing: str) -> None:
    (tiny_plan / missing).unlink()
    with pytest.raises(InputError, match=f"{missing}: file missing from the plan folder"):
        read_plan(tiny_plan)


@pytest.mark.parametrize(
    ("file", "column"),
    [
        ("new_sites.csv", "cost_vnd"),
        ("phases.csv", "covered_share_after"),
        ("communes_before_after.csv", "covered_share_after"),
        ("curve.csv", "n_sites"),
    ],
)
def test_missing_column_is_named(tiny_plan: Path, file: str, column: str) -> None:
    table = pd.read_csv(tiny_plan / file)
    table.drop(columns=column).to_csv(tiny_plan / file, index=False)
    with pytest.raises(InputError, match=rf"{file}: missing column\(s\) {column}"):
        read_plan(tiny_plan)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("kind", "tower", r"row 2: kind is 'tower'"),
        ("phase", 0, r"row 2: phase is 0; phases are whole numbers from 1"),
        ("phase", 1.5, r"row 2: phase is 1.5"),
        ("lat", 121.0, r"row 2: lat is 121"),
        ("cost_vnd", "cheap", r"row 2: cost_vnd is 'cheap'; it must be a number"),
    ],
)
def test_bad_site_values_name_row_and_field(
    tiny_plan: Path, column: str, value: object, message: str
) -> None:
    table = pd.read_csv(tiny_plan / "new_sites.csv")
    table[column] = table[column].astype(object)
    table.loc[0, column] = value
    table.to_csv(tiny_plan / "new_sites.csv", index=False)
    with pytest.raises(InputError, match=message):
        read_plan(tiny_plan)


def test_share_out_of_range_is_refused(tiny_plan: Path) -> None:
    table = pd.read_csv(tiny_plan / "curve.csv")
    table.loc[1, "covered_share"] = 1.7
    table.to_csv(tiny_plan / "curve.csv", index=False)
    with pytest.raises(InputError, match=r"curve.csv row 3: covered_share is 1.7"):
        read_plan(tiny_plan)


def test_bad_json_and_missing_folder(tiny_plan: Path) -> None:
    (tiny_plan / "plan.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="expected one JSON object"):
        read_plan(tiny_plan)
    with pytest.raises(InputError, match="plan folder not found"):
        read_plan(tiny_plan / "nope")


def test_plan_for_other_communes_is_refused(tiny_plan: Path) -> None:
    plan = read_plan(tiny_plan)
    with pytest.raises(DataMismatchError, match="00003"):
        check_plan_communes(plan, pd.Series(["00001", "00002"]))


def test_empty_plan_is_valid(
    tmp_path: Path, tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config)
    plan = read_plan(write_plan_dir(tmp_path / "p", scenario.coverage(), []))
    assert len(plan.new_sites) == 0 and plan.n_phases == 0
