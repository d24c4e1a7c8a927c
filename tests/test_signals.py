"""Issue 18: SIGTERM and SIGHUP stop geoplan like Ctrl-C, leaving no temporary file.

In-process tests send the signal at exact points (while reading, inside a temporary
file, with a GeoPackage journal beside it); subprocess tests send it from outside at
several moments of a real run, as ``timeout``, a closed SSH session or a CI cancel do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geoplan.cli import main
from tests.test_robustness import leftovers

ROOT = Path(__file__).resolve().parents[1]
SIGNALS = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT]
IN_LON, IN_LAT = 105.97766, 21.16300


@pytest.fixture(autouse=True)
def _ctrl_c_raises():
    """Python's own Ctrl-C handler for each test, as in a terminal.

    A test run started in the background of a non-interactive shell (``cmd &``)
    inherits SIGINT ignored, and Python then leaves it ignored: the SIGINT cases
    would test the shell, not geoplan.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _stations_csv(folder: Path, rows: int) -> Path:
    path = folder / "sites.csv"
    lines = [
        f"S{i},{IN_LAT + (i % 100) * 1e-4:.6f},{IN_LON + (i // 100) * 1e-4:.6f}"
        for i in range(rows)
    ]
    path.write_text("site_id,lat,lon\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _kill_self(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(1)  # the handler raises before this ends


def _expected_code(signum: int) -> int:
    return 130 if signum == signal.SIGINT else 128 + signum


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_signal_while_reading(signum, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("geoplan.cli.app.load_scenario", lambda *a, **k: _kill_self(signum))
    assert main(["plan", "--out", str(tmp_path / "plan")]) == _expected_code(signum)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no output was left half-written" in err
    assert not (tmp_path / "plan").exists() and not leftovers(tmp_path)


def _to_file_then_signal(signum: int, original):
    def write(self, path, *args, **kwargs):
        original(self, path, *args, **kwargs)
        Path(f"{path}-journal").write_bytes(b"")  # SQLite's rollback journal, mid-transaction
        _kill_self(signum)

    return write


def _to_excel_then_signal(signum: int, original):
    def write(self, path, *args, **kwargs):
        original(self, path, *args, **kwargs)
        _kill_self(signum)

    return write


WRITERS = [
    ("gpkg", gpd.GeoDataFrame, "to_file", _to_file_then_signal),
    ("geojson", gpd.GeoDataFrame, "to_file", _to_file_then_signal),
    ("xlsx", pd.DataFrame, "to_excel", _to_excel_then_signal),
    ("csv", pd.DataFrame, "to_csv", _to_excel_then_signal),
]


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize(
    ("suffix", "owner", "method", "wrap"), WRITERS, ids=[w[0] for w in WRITERS]
)
def test_signal_inside_a_temporary_file(
    signum, suffix, owner, method, wrap, tmp_path, capsys, monkeypatch
) -> None:
    source = _stations_csv(tmp_path, 5)
    out = tmp_path / "out" / f"sites.{suffix}"
    monkeypatch.setattr(owner, method, wrap(signum, getattr(owner, method)))
    assert main(["stations", "convert", str(source), str(out)]) == _expected_code(signum)
    assert "Traceback" not in capsys.readouterr().err
    assert not out.exists()
    assert not leftovers(tmp_path), leftovers(tmp_path)


def test_handlers_are_restored_after_a_run(tmp_path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    main(["stations", "validate", str(_stations_csv(tmp_path, 3))])
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("delay_s", [0.3, 2.5, 4.5])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_from_outside_leaves_no_temporary_file(signum, delay_s, tmp_path) -> None:
    # 12,000 rows: the run reads for about 2 s, then writes the workbook for about 4 s
    source = _stations_csv(tmp_path, 12_000)
    out = tmp_path / "out" / "sites.xlsx"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GEOPLAN_QUIET": "1"}
    run = subprocess.Popen(
        [sys.executable, "-m", "geoplan", "stations", "convert", str(source), str(out)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(delay_s)
    run.send_signal(signum)
    _, err = run.communicate(timeout=120)
    assert "Traceback" not in err
    # killed before geoplan set its handlers (still importing), stopped cleanly, or done
    assert run.returncode in (-signum, 128 + signum, 0), err
    if run.returncode == 128 + signum:
        assert f"stopped by {signal.Signals(signum).name}" in err
        assert not out.exists()
    assert not leftovers(tmp_path), leftovers(tmp_path)
