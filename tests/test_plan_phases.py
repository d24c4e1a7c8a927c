"""Each commune's covered share after every phase: table, plan folder, figure, report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from geoplan.errors import FormatError, InputError
from geoplan.io.plan_folder import read_plan, write_plan
from geoplan.outputs import figure_commune_phases
from geoplan.outputs.paths import REPORT_FILES
from geoplan.scenario import Scenario, load_scenario, write_report


@pytest.fixture
def scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config) -> Scenario:
    config = replace(tiny_config, candidate_clusters=8, candidate_min_population=1.0)
    return load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, config)


@pytest.fixture
def plan(scenario: Scenario):
    return scenario.plan(target=0.9, solver="greedy", sites_per_phase=1)


def test_plan_folder_round_trips_the_phase_table(tmp_path: Path, plan) -> None:
    write_plan(plan, tmp_path / "plan")
    folder = read_plan(tmp_path / "plan")
    assert folder.commune_phases is not None
    pd.testing.assert_frame_equal(
        folder.commune_phases, plan.commune_phases, check_dtype=False, atol=1e-6
    )
    assert plan.commune_phases is plan.commune_phases


def test_report_draws_the_phase_heat_map(tmp_path: Path, scenario, plan) -> None:
    write_plan(plan, tmp_path / "plan")
    written = write_report(tmp_path / "r", scenario, plan=read_plan(tmp_path / "plan"))
    assert set(written) == set(REPORT_FILES)
    assert written["phases_fig"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("lang", "word"), [("en", "Phase"), ("vi", "Giai đoạn")])
def test_figure_has_a_row_per_commune_and_a_column_per_phase(plan, lang, word) -> None:
    figure = figure_commune_phases(plan, lang=lang, n=2)
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    n_phases = plan.phases["phase"].nunique()
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert len(columns) == n_phases + 1 and columns[1] == f"{word} 1"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    table = plan.commune_phases
    gain = table.iloc[:, -1] - table["covered_share_today"]
    assert (
        rows
        == table.loc[gain.sort_values(ascending=False, kind="stable").index[:2], "name"].tolist()
    )
    assert ax.images[0].get_array().shape == (2, n_phases + 1)


def test_figure_needs_the_phase_table(tmp_path: Path, plan) -> None:
    write_plan(plan, tmp_path / "plan")
    (tmp_path / "plan" / "communes_by_phase.csv").unlink()
    older = read_plan(tmp_path / "plan")
    assert older.commune_phases is None
    with pytest.raises(InputError, match=r"no communes_by_phase\.csv; write the plan again"):
        figure_commune_phases(older)


def test_a_share_out_of_range_names_file_row_and_column(tmp_path: Path, plan) -> None:
    write_plan(plan, tmp_path / "plan")
    path = tmp_path / "plan" / "communes_by_phase.csv"
    table = pd.read_csv(path, dtype={"code": str}, encoding="utf-8-sig")
    table.loc[1, "after_phase_1"] = 1.5
    table.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(FormatError, match=r"communes_by_phase.csv row 3: after_phase_1 is 1.5"):
        read_plan(tmp_path / "plan")
