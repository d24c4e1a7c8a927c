"""``geoplan plan`` end to end on the shipped province data (slow).

The default plan to 80% on the radio model is checked by the demo's end-to-end test
(tests/test_meeting_brief.py), which writes the same plan folder.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geoplan.cli import main

pytestmark = pytest.mark.slow


def test_exact_plan_within_ten_sites_has_a_proven_gap(tmp_path, capsys) -> None:
    out = tmp_path / "plan"
    args = ["plan", "--max-sites", "10", "--model", "radius", "--no-by-operator",
            "--out", str(out), "--json"]  # fmt: skip
    assert main(args) == 0
    exact = json.loads(capsys.readouterr().out)
    assert exact["n_new_sites"] <= 10 and exact["mode"] == "max_coverage"
    assert exact["gap"] <= 0.01
    assert exact["bound"] >= exact["achieved_share"] - 1e-9
    # the plan folder holds what the JSON says: ten sites at most, their people add up
    sites = pd.read_csv(out / "new_sites.csv", encoding="utf-8-sig")
    assert len(sites) == exact["n_new_sites"]
    added = sites["added_population"].sum()
    assert added == pytest.approx(exact["newly_covered_population"], abs=len(sites))
