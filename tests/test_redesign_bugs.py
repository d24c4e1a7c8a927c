"""The bugs found during the redesign (issue 12), each pinned by a test that failed before."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoplan.candidates import typical_range_m
from geoplan.cli import main
from geoplan.config import PlanConfig
from geoplan.errors import ConfigError, InputError
from geoplan.grid import Cells
from geoplan.io.stations import check_station_table
from geoplan.models import RadiusModel, get_model
from geoplan.scenario import load_scenario

DEM_FIXTURE = Path(__file__).parent / "data" / "dem_bacninh.tif"


def _inputs(communes: Path, raster: Path, stations: Path) -> list[str]:
    return ["--boundaries", str(communes), "--population", str(raster), "--stations",
            str(stations), "--drop-outside"]  # fmt: skip


def test_sites_per_phase_zero_is_refused_not_turned_into_25(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tmp_path, capsys
) -> None:
    argv = ["plan", "--solver", "greedy", "--target", "0.9", "--sites-per-phase", "0",
            "--out", str(tmp_path / "plan")]  # fmt: skip
    code = main(argv + _inputs(tiny_communes_file, tiny_raster_file, tiny_stations_file))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "--sites-per-phase" in err[0] and "got 0" in err[0]
    assert not (tmp_path / "plan").exists()


def test_one_site_per_phase_gives_one_phase_per_site(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    scenario = load_scenario(
        tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config, drop_outside=True
    )
    plan = scenario.plan(target=0.9, solver="greedy", sites_per_phase=1)
    assert plan.new_sites["phase"].tolist() == list(range(1, len(plan.new_sites) + 1))


@pytest.mark.parametrize("height", ["30°N", "21°10'N", "N 30", "30 ft"])
def test_a_height_written_like_a_coordinate_is_an_error(height: str) -> None:
    table = pd.DataFrame(
        {"site_id": ["A", "B"], "lat": [21.1, 21.2], "lon": [106.0, 106.1],
         "antenna_height_m": [height, "27,5 m"]}
    )  # fmt: skip
    report = check_station_table(table, "sites.csv")
    assert [(p.where, p.field) for p in report.errors] == [("row 2", "antenna_height_m")]
    assert report.stations["antenna_height_m"].tolist() == [27.5]


def test_typical_range_takes_no_grid_it_would_ignore() -> None:
    cells = Cells(np.arange(4), np.zeros(4), np.zeros(4), np.ones(4), np.zeros(4, int),
                  np.array([0, 0, 2, 2]))  # fmt: skip
    config = PlanConfig(radius_urban_m=700.0, radius_suburban_m=900.0, radius_rural_m=3000.0)
    reach = typical_range_m(RadiusModel(config), cells, n_probes=101, seed=1)
    assert reach in (700.0, 3000.0)  # the median of probes on urban and rural cells


@pytest.mark.parametrize(
    ("settings", "needle"),
    [
        ({"cell_size_m": -5.0}, "cell_size_m (--cell-size-m) must be > 0, got -5.0"),
        ({"sites_per_phase": 0}, "sites_per_phase (--sites-per-phase) must be a whole number"),
        ({"state_support_share": 15.0}, "state_support_share must be a share in 0..1"),
        ({"radius_rural_m": float("nan")}, "radius_rural_m must be a finite number"),
        ({"urban_density_per_km2": 100.0}, "urban_density_per_km2 must be >= suburban"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, float], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        PlanConfig(**settings)
    assert issubclass(ConfigError, InputError)


def test_negative_cell_size_on_the_command_line_is_one_line(capsys) -> None:
    assert main(["coverage", "--cell-size-m", "-5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--cell-size-m" in err[0] and "Traceback" not in err[0]


def test_radio_model_description_does_not_depend_on_call_history(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    config = replace(tiny_config, coverage_model="38901", dem_paths=(str(DEM_FIXTURE),))
    scenario = load_scenario(
        tiny_communes_file, tiny_raster_file, tiny_stations_file, config, drop_outside=True
    )
    model = get_model("38901", scenario.config, scenario.grid)
    before = model.describe()
    scenario.coverage(model)
    assert model.describe() == before
    assert "terrain from" in before and model.terrain is not None
    again = get_model("38901", scenario.config, scenario.grid)
    assert again.describe() == before  # a fresh model says the same
