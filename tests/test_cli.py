"""Command line: JSON shape, exit codes, one-line errors, no overwrite."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geoplan.cli import main


def test_coverage_json_on_tiny_inputs(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, capsys
) -> None:
    code = main(
        [
            "coverage",
            "--json",
            "--boundaries",
            str(tiny_communes_file),
            "--population",
            str(tiny_raster_file),
            "--stations",
            str(tiny_stations_file),
            "--drop-outside",  # two of the five sites lie 50 km outside (issue 8)
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["n_sites"] == 3
    assert payload["population_total"] == pytest.approx(3500)
    assert len(payload["communes"]) == 3
    assert sum(c["covered_population"] for c in payload["communes"]) == pytest.approx(
        payload["covered_population"], abs=0.5
    )
    assert payload["stations_synthetic"] is False


@pytest.mark.parametrize(
    ("flag", "content", "message"),
    [
        ("--stations", None, "file not found"),
        ("--stations", "", "empty"),
        ("--stations", "site_id,lon,lat\n", "no rows"),
        ("--stations", "id,x\n1,2\n", "missing column"),
        ("--stations", "site_id,lon,lat\nA,106.1,abc\n", "row 2: lat"),
        ("--boundaries", "{}", "not a readable vector file"),
        ("--population", "not a tiff", "not a readable raster"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, flag, content, message) -> None:
    path = tmp_path / ("input.geojson" if flag == "--boundaries" else "input.csv")
    if flag == "--population":
        path = tmp_path / "input.tif"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code = main(["coverage", flag, str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert str(path) in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_demo_refuses_to_overwrite(tmp_path, capsys) -> None:
    existing = tmp_path / "coverage_communes.csv"
    existing.write_text("keep me", encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coverage_communes.csv"]


def test_module_entry_point_reports_errors_without_traceback(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "geoplan", "coverage", "--stations", str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "file not found" in proc.stderr
    assert "Traceback" not in proc.stderr
