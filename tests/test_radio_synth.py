"""The synthetic station generator calibrates any model on the sites it writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geoplan.cli import main
from geoplan.coverage import compute_coverage
from geoplan.io.rasters import read_population_raster
from geoplan.io.stations import stations_from_table
from geoplan.models import RadioModel
from geoplan.population import build_population_grid
from geoplan.sites import Sites
from geoplan.synthetic import synthesize_stations


def test_radio_calibration_uses_the_written_azimuths(
    tiny_communes, tiny_raster_file, tiny_config
) -> None:
    grid = build_population_grid(tiny_communes, read_population_raster(tiny_raster_file),
                                 tiny_config)  # fmt: skip
    model = RadioModel(tiny_config)
    frame, report = synthesize_stations(grid, 2, 0.93, seed=7, model=model, config=tiny_config,
                                        tolerance=0.01)  # fmt: skip
    stations = stations_from_table(pd.DataFrame(frame.drop(columns="geometry")))  # carriers
    again = compute_coverage(grid, Sites.from_frame(stations, grid, tiny_config), model)
    # the file keeps 6 decimals of a degree (~0.1 m): the expected share moves by < 1e-5
    assert again.covered_share == pytest.approx(report.covered_share, abs=1e-4)
    assert again.reliable_share > 0
    assert frame["azimuths_deg"].str.count(";").eq(2).all()


def test_synth_refuses_an_unreachable_radio_target(tmp_path: Path, capsys) -> None:
    code = main(["stations", "synth", "--model", "38901", "--n-sites", "5", "--target-share",
                 "0.9", "--out", str(tmp_path / "s.csv")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "under 38901; a target of 90.0% is outside that range" in err
    assert not (tmp_path / "s.csv").exists()
