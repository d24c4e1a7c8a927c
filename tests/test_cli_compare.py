"""``geoplan compare``: what-if variants from the command line, on the shipped data."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import geoplan
from geoplan.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["compare", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.slow
def test_compare_writes_the_table_and_figure(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    code, text, _ = run(capsys, "--targets", "0.55", "--operators", "VNPT", "--model", "radius",
                        "--out", str(out))  # fmt: skip
    assert code == 0
    table = pd.read_csv(out / "compare.csv", encoding="utf-8-sig")
    assert table["variant"].tolist() == ["today", "target 55%", "VNPT alone"]
    scenario = geoplan.load_scenario(config=geoplan.PlanConfig(coverage_model="radius"))
    today = scenario.coverage().covered_share
    assert table.loc[0, "covered_share"] == pytest.approx(today)
    assert table.loc[1, "covered_share"] >= 0.55 > today
    assert table.loc[1, "gap"] == table.loc[1, "gap"]  # proven by default: not NaN
    vnpt = scenario.for_operator("VNPT")
    assert table.loc[2, "existing_sites"] == len(vnpt.stations)
    assert table.loc[2, "covered_share"] == pytest.approx(vnpt.coverage().covered_share)
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Comparison of 3 variants" in text and "synthetic" in text


@pytest.mark.slow
def test_compare_json_without_proof(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    code, text, _ = run(capsys, "--targets", "0.55", "--no-prove", "--model", "radius",
                        "--out", str(out), "--json")  # fmt: skip
    assert code == 0
    rows = json.loads(text)
    assert [r["variant"] for r in rows] == ["today", "target 55%"]
    assert rows[1]["gap"] is None  # not proven with --no-prove
    assert rows[1]["new_sites"] > 0


def test_compare_needs_a_variant(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "--out", str(tmp_path / "cmp"))
    assert code == 2
    assert err.count("\n") == 1 and "--targets 0.7 0.8 0.9" in err
    assert not (tmp_path / "cmp").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--targets", "0"], r"variant 'target 0%': target must be a share in \(0, 1\]"),
        (["--operators", "Gmobile"], r"variant 'Gmobile alone': .*operators there: "),
    ],
)
def test_bad_variant_is_one_line_naming_it(tmp_path, capsys, args, message) -> None:
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "cmp"))
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err)
    assert not (tmp_path / "cmp").exists()


def test_compare_refuses_to_overwrite(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "compare.png").write_bytes(b"keep me")
    code, _, err = run(capsys, "--targets", "0.6", "--out", str(out))
    assert code == 2 and "--overwrite" in err
    assert (out / "compare.png").read_bytes() == b"keep me"
    assert not (out / "compare.csv").exists()
