"""End to end on the shipped province data."""

from __future__ import annotations

import json

import pytest

from geoplan.cli import main

pytestmark = pytest.mark.slow


def test_coverage_json_on_default_data(capsys) -> None:
    assert main(["coverage", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["communes"]) == 99
    assert payload["population_total"] == pytest.approx(3_619_443, rel=0.005)
    assert 0.45 <= payload["covered_share"] <= 0.55
    assert 280 <= payload["n_sites"] <= 300
    assert payload["stations_synthetic"] is True
    layers = payload["layers"]  # every layer by default, QCVN 126 included
    assert 0.0 < layers["qcvn"]["covered_share"] <= layers["signal"]["reliable_share"]
    assert layers["indoor"]["covered_share"] <= layers["signal"]["covered_share"]
    assert layers["usable"]["covered_share"] <= layers["signal"]["covered_share"]
    commune_sum = sum(c["covered_population"] for c in payload["communes"])
    assert commune_sum == pytest.approx(payload["covered_population"], abs=1.0)
    for commune in payload["communes"]:
        assert 0.0 <= commune["covered_share"] <= 1.0
        assert commune["covered_population"] <= commune["population"] + 1e-6


def test_human_summary_lists_ten_least_covered(capsys) -> None:
    assert main(["coverage", "--lang", "en", "--no-layers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Province:")
    assert "synthetic" in lines[0]
    assert len([line for line in lines if line.startswith("  0")]) == 10
