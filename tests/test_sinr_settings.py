"""The QCVN layer's SINR/throughput settings from the settings file (``[sinr]``, issue 16)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from geoplan.cli import main
from geoplan.cli.config_cmd import show_value
from geoplan.config import (
    DEFAULT_LOAD,
    DL_OVERHEAD,
    MAX_LAYERS,
    TDD_DL_SHARE,
    UE_NOISE_FIGURE_DB,
    PlanConfig,
    Setting,
    effective_settings,
    read_settings,
)
from geoplan.coverage import compute_coverage
from geoplan.errors import ConfigError
from geoplan.models.interference import DownlinkSettings, downlink_settings
from geoplan.results import LayerCoverage
from geoplan.scenario import Scenario, load_scenario, with_config

FLAT = {"cell_size_m": 100.0, "dem_paths": ("flat",), "optional_layers": ("qcvn",)}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file) -> Scenario:
    """Three Viettel sites 1 km apart, interfering with each other (the far two dropped)."""
    return load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file,
                         PlanConfig(**FLAT), drop_outside=True)  # fmt: skip


def _qcvn(scenario: Scenario, **settings: object) -> LayerCoverage:
    changed = with_config(scenario, **settings)
    return compute_coverage(changed.grid, changed.sites(), changed.model()).layers["qcvn"]


def test_defaults_are_defined_once() -> None:
    config, settings = PlanConfig(), DownlinkSettings()
    assert (config.sinr_load_share, settings.load) == (DEFAULT_LOAD, DEFAULT_LOAD)
    assert (config.ue_noise_figure_db, settings.noise_figure_db) == (UE_NOISE_FIGURE_DB,) * 2
    assert (config.mimo_layers, settings.curve.max_layers) == (MAX_LAYERS, MAX_LAYERS)
    assert (config.tdd_downlink_share, settings.tdd_dl_share) == (TDD_DL_SHARE, TDD_DL_SHARE)
    assert (config.downlink_overhead_share, settings.overhead) == (DL_OVERHEAD, DL_OVERHEAD)
    assert downlink_settings(config) == settings


def test_a_toml_load_reaches_the_qcvn_layer(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tmp_path, capsys
) -> None:
    inputs = ["--boundaries", str(tiny_communes_file), "--population", str(tiny_raster_file),
              "--stations", str(tiny_stations_file), "--dem", "flat", "--cell-size-m", "100",
              "--drop-outside", "--layers", "qcvn", "--json"]  # fmt: skip
    runs = []
    for sinr in ('load = "20%"', 'load = "50%"', 'load = "80%"', "load = 1\nuser_share = 0.2"):
        toml = _write(tmp_path / "s.toml", f"[sinr]\n{sinr}\n")
        assert main(["--config", str(toml), "coverage", *inputs]) == 0
        runs.append(json.loads(capsys.readouterr().out)["layers"]["qcvn"])
    described = [run["description"] for run in runs]
    assert "at 50% load" in described[1] and "loaded user gets 50% of the cell" in described[1]
    assert "at 100% load" in described[3] and "loaded user gets 20% of the cell" in described[3]
    # more load: more interference and a smaller share of the cell, so QCVN never holds more
    shares = [run["covered_share"] for run in runs]
    assert shares == sorted(shares, reverse=True) and shares[0] > shares[2]  # strictly, here
    sinr = [run["median_sinr_db"] for run in runs]
    assert sinr == sorted(sinr, reverse=True) and len(set(sinr)) == 4


def test_mimo_layers_noise_figure_and_frame_reach_the_rates(scenario: Scenario) -> None:
    base = _qcvn(scenario)
    served = base.dl_mbps > 0
    assert served.sum() > 10
    # the rate is the RE rate times the efficiency: it scales with the frame by hand
    tdd = _qcvn(scenario, tdd_downlink_share=0.5)
    np.testing.assert_allclose(tdd.dl_mbps[served] / base.dl_mbps[served], 0.5 / (52 / 70))
    overhead = _qcvn(scenario, downlink_overhead_share=0.28)
    np.testing.assert_allclose(overhead.dl_mbps[served] / base.dl_mbps[served], 0.72 / 0.86)
    np.testing.assert_array_equal(tdd.sinr_db, base.sinr_db)  # the frame leaves the SINR
    one, four = _qcvn(scenario, mimo_layers=1), _qcvn(scenario, mimo_layers=4)
    assert (one.dl_mbps <= base.dl_mbps + 1e-9).all()
    assert (base.dl_mbps <= four.dl_mbps + 1e-9).all()
    assert (four.dl_mbps > base.dl_mbps).any() and (one.dl_mbps < base.dl_mbps).any()
    assert one.covered.sum() <= base.covered.sum() <= four.covered.sum()
    noisy = _qcvn(scenario, ue_noise_figure_db=20.0)
    reached = np.isfinite(base.sinr_db)
    assert (noisy.sinr_db[reached] <= base.sinr_db[reached] + 1e-9).all()
    assert (noisy.sinr_db[reached] < base.sinr_db[reached] - 0.1).any()


def test_the_sinr_keys_read_and_show_their_source(tmp_path) -> None:
    text = ('[sinr]\nload = "100%"\nuser_share = "50%"\nnoise_figure_db = 9\n'
            'mimo_layers = 4\ntdd_share = 0.8\noverhead = "10%"\n')  # fmt: skip
    path = _write(tmp_path / "s.toml", text)
    file = read_settings(path)
    assert file.values == {"sinr_load_share": 1.0, "sinr_user_share": 0.5,
                           "ue_noise_figure_db": 9.0, "mimo_layers": 4,
                           "tdd_downlink_share": 0.8, "downlink_overhead_share": 0.1}  # fmt: skip
    config = PlanConfig(**file.values)
    rows = {s.key: s for s in effective_settings(config, file)}
    assert rows["sinr.mimo_layers"].value == 4 and rows["sinr.mimo_layers"].source == str(path)
    assert show_value(rows["sinr.user_share"]) == "50%"
    assert show_value(Setting("sinr_user_share", None, "default")) == "auto"
    settings = downlink_settings(config)
    assert (settings.curve.max_layers, settings.loaded_user_share, settings.load) == (4, 0.5, 1.0)
    auto = read_settings(_write(tmp_path / "a.toml", '[sinr]\nuser_share = "Auto"\n'))
    assert auto.values == {"sinr_user_share": None}


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("load = 1.5", ["sinr.load = 1.5 is not a share in 0..1", "0.015"]),
        ("load = -0.1", ["sinr.load = -0.1 is negative"]),
        ('load = "half"', ["sinr.load"]),
        ("noise_figure_db = -1", ["sinr.noise_figure_db = -1", "0..30 dB"]),
        ('noise_figure_db = "7 dB"', ["sinr.noise_figure_db must be a number"]),
        ("mimo_layers = 0", ["sinr.mimo_layers = 0", "1..8"]),
        ("mimo_layers = 16", ["sinr.mimo_layers = 16", "1..8"]),
        ("mimo_layers = 2.5", ["sinr.mimo_layers must be a whole number"]),
        ("tdd_share = 0", ["sinr.tdd_share = 0", "(0, 1]"]),
        ('overhead = "100%"', ["sinr.overhead = '100%'", "[0, 1)"]),
        ("loads = 0.5", ["unknown setting sinr.loads", "did you mean sinr.load?"]),
        (
            "load = 1",
            [
                "sinr.load = 1: must be below 1 while the user share is auto",
                "set sinr.user_share too",
            ],
        ),
        ("user_share = 0", ["sinr.user_share = 0", "(0, 1]"]),
        ("user_share = true", ['sinr.user_share must be "auto" or a share']),
        ('user_share = "sometimes"', ["sinr.user_share"]),
    ],
)
def test_bad_sinr_values_are_one_line_naming_the_key(tmp_path, text, needles) -> None:
    path = _write(tmp_path / "bad.toml", f"[sinr]\n{text}\n")
    with pytest.raises(ConfigError) as caught:
        read_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("sinr_load_share", 2.0, "0..1"),
        ("ue_noise_figure_db", float("nan"), "finite"),
        ("mimo_layers", 2.0, "whole number"),
        ("mimo_layers", True, "whole number"),
        ("sinr_user_share", 1.5, "(0, 1]"),
        ("downlink_overhead_share", 1.0, "[0, 1)"),
    ],
)
def test_bad_sinr_fields_name_the_setting(field: str, value: object, needle: str) -> None:
    with pytest.raises(ConfigError, match=rf"setting {field} .*{re.escape(needle)}"):
        PlanConfig(**{field: value})  # type: ignore[arg-type]


def test_a_bad_sinr_key_stops_the_command_in_one_line(tmp_path, capsys) -> None:
    toml = _write(tmp_path / "bad.toml", "[sinr]\nmimo_layers = 0\n")
    assert main(["--config", str(toml), "coverage", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sinr.mimo_layers = 0" in err and "Traceback" not in err
