"""The QCVN (SINR/throughput) layer wired into coverage, map, rasters and plans (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan.cli import main
from geoplan.config import PlanConfig
from geoplan.grid import Cells
from geoplan.io.carriers import read_market_shares
from geoplan.models import RadioModel
from geoplan.models.interference import sinr_throughput
from geoplan.results import grouped_median_db, weighted_median_db
from geoplan.sites import Sites
from tests.conftest import WORK_CRS, X0, Y0

FLAT = PlanConfig(dem_paths=("flat",))


@pytest.fixture
def two_operator_stations(tmp_path: Path) -> Path:
    """Viettel in the centre of each tiny commune, VNPT between the first two."""
    xs = [X0 + 500, X0 + 1500, X0 + 2500, X0 + 1000]
    names = ["Viettel", "Viettel", "Viettel", "VNPT"]
    points = gpd.GeoSeries.from_xy(xs, [Y0 + 500] * 4, crs=WORK_CRS).to_crs("EPSG:4326")
    lines = ["site_id,operator,lon,lat"]
    rows = enumerate(zip(names, points, strict=True))
    lines += [f"S{i},{op},{p.x:.8f},{p.y:.8f}" for i, (op, p) in rows]
    path = tmp_path / "two_operators.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _args(communes: Path, raster: Path, stations: Path) -> list[str]:
    return ["--boundaries", str(communes), "--population", str(raster), "--stations",
            str(stations), "--dem", "flat", "--cell-size-m", "100"]  # fmt: skip


def _coverage_json(capsys, inputs: list[str], *extra: str) -> dict:
    assert main(["coverage", "--json", *inputs, *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_coverage_json_has_the_qcvn_layer_when_asked(
    tiny_communes_file, tiny_raster_file, two_operator_stations, capsys
) -> None:
    inputs = _args(tiny_communes_file, tiny_raster_file, two_operator_stations)
    payload = _coverage_json(capsys, inputs, "--layers", "qcvn")
    qcvn, signal = payload["layers"]["qcvn"], payload["layers"]["signal"]
    assert 0.0 < qcvn["covered_share"] <= signal["reliable_share"]
    assert qcvn["reliable_share"] == qcvn["covered_share"]  # a cell holds it or not
    assert set(qcvn["by_operator"]) == {"Viettel", "VNPT", "MobiFone"}
    assert qcvn["by_operator"]["MobiFone"] == {"covered_share": 0.0, "median_sinr_db": None}
    # own operator: the market-share weighted sum of each operator's own share
    market = read_market_shares()
    own = sum(market.get(op, 0.0) * v["covered_share"] for op, v in qcvn["by_operator"].items())
    assert qcvn["own_operator_share"] == pytest.approx(own, abs=2e-6)
    assert qcvn["own_operator_share"] <= qcvn["covered_share"]
    assert max(v["covered_share"] for v in qcvn["by_operator"].values()) <= qcvn["covered_share"]
    assert isinstance(qcvn["median_sinr_db"], float)
    for row in payload["communes"]:
        layer = row["layers"]["qcvn"]
        assert 0.0 <= layer["own_operator_share"] <= layer["covered_share"] <= 1.0
        assert layer["covered_share"] <= row["layers"]["signal"]["reliable_share"]
        assert set(layer["by_operator"]) == set(qcvn["by_operator"])
    headline = _coverage_json(capsys, inputs, "--coverage", "qcvn")
    assert headline["coverage_layer"] == "qcvn"
    assert headline["covered_share"] == headline["reliable_share"] == qcvn["covered_share"]
    assert headline["layers"]["signal"] == signal


def test_coverage_reports_every_layer_by_default_and_skips_qcvn_when_told(
    tiny_communes_file, tiny_raster_file, two_operator_stations, capsys, tmp_path, monkeypatch
) -> None:
    inputs = _args(tiny_communes_file, tiny_raster_file, two_operator_stations)
    default = _coverage_json(capsys, inputs)["layers"]["qcvn"]
    assert default == _coverage_json(capsys, inputs, "--layers", "qcvn")["layers"]["qcvn"]
    assert 0.0 < default["covered_share"] <= 1.0
    skipped = _coverage_json(capsys, inputs, "--no-layers")["layers"]["qcvn"]
    assert {k for k, v in skipped.items() if v is not None} == {"description"}
    assert "--layers qcvn" in skipped["description"]
    (tmp_path / "geoplan.toml").write_text("[coverage]\nlayers = []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a settings file that names no layers is obeyed
    from_file = _coverage_json(capsys, inputs)["layers"]["qcvn"]
    assert from_file["covered_share"] is None


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["coverage", "--layers", "nonsense"], "invalid choice: 'nonsense'"),
        (["coverage", "--coverage", "nonsense"], "invalid choice: 'nonsense'"),
        (["coverage", "--model", "radius", "--layers", "qcvn"], "needs the radio model"),
        (["plan", "--coverage", "qcvn"], "cannot be planned to"),
        (["demo", "--coverage", "qcvn"], "cannot be planned to"),
    ],
)
def test_bad_layer_input_is_one_line_and_exit_2(argv, needle, capsys) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and err.count("\n") == 1


def test_rasters_and_map_show_the_qcvn_layer(
    tiny_communes_file, tiny_raster_file, two_operator_stations, tmp_path, capsys
) -> None:
    inputs = _args(tiny_communes_file, tiny_raster_file, two_operator_stations)
    out = tmp_path / "rasters"
    assert main(["coverage", *inputs, "--layers", "qcvn", "--rasters", str(out), "--json"]) == 0
    qcvn = json.loads(capsys.readouterr().out)["layers"]["qcvn"]
    with rasterio.open(out / "best_server_sinr_db.tif") as src:
        sinr = src.read(1)
        inside = sinr != src.nodata
    with rasterio.open(out / "dl_throughput_mbps.tif") as src:
        rate = src.read(1)
    with rasterio.open(out / "coverage_probability_qcvn.tif") as src:
        holds = src.read(1)
    assert inside.any() and (rate[inside] >= 0).all()
    assert set(np.unique(holds[holds >= 0])) <= {0.0, 1.0}
    # QCVN's mean of 100 Mbit/s: every cell in the layer has at least that rate
    assert (rate[holds == 1] >= 100.0).all()
    with rasterio.open(out / "covered_mask.tif") as src:  # the signal layer's, reliable
        signal = src.read(1)
    assert 0 < (holds == 1).sum() and (signal[holds == 1] == 1).all()
    assert qcvn["covered_share"] > 0
    page = tmp_path / "map.html"
    assert main(["map", *inputs, "--coverage", "qcvn", "--lang", "en", "--out", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    plain = tmp_path / "plain.html"
    assert main(["map", *inputs, "--lang", "en", "--out", str(plain)]) == 0
    images = plain.read_text(encoding="utf-8").count("data:image/png;base64")
    assert html.count("data:image/png;base64") == images + 2  # the SINR and rate overlays
    assert "Best-server SINR (dB)" in html and "Downlink throughput under load" in html


def _cells_on_a_line(n: int) -> Cells:
    x = np.linspace(-3000.0, 3000.0, n)
    return Cells(np.arange(n), x, np.full(n, 40.0), np.ones(n), np.zeros(n, int),
                 np.zeros(n, int))  # fmt: skip


@settings(max_examples=12)
@given(st.lists(st.floats(-2500.0, 2500.0), min_size=1, max_size=4))
def test_the_serving_link_signal_test_is_the_coverage_models(x_m) -> None:
    """Where the SINR layer's serving sector meets the signal test, the model covers."""
    cells = _cells_on_a_line(61)
    n = len(x_m)
    sites = Sites(np.asarray(x_m), np.zeros(n), np.full(n, 30.0), np.arange(n))
    model = RadioModel(FLAT)
    out = sinr_throughput(sites, cells, model)
    covered = model.best_server(sites, cells).layer_covered["signal"]
    assert not (out.signal_reliable[0] & ~covered).any()
    assert out.qcvn_covered.sum() <= out.qcvn_dl.sum()


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(-20, 30), st.integers(0, 5), st.integers(0, 2)),
        min_size=1,
        max_size=30,
    )
)
def test_weighted_median_against_repeating_each_value(rows) -> None:
    values = np.array([np.nan if v == -20 else float(v) for v, _, _ in rows])
    weights = np.array([float(w) for _, w, _ in rows])
    group = np.array([g for _, _, g in rows])
    medians = grouped_median_db(values, weights, group, 3)
    for g in range(3):
        sel = group == g
        repeated = np.sort(np.repeat(np.where(np.isnan(values[sel]), -np.inf, values[sel]),
                                     weights[sel].astype(int)))  # fmt: skip
        if repeated.size == 0:
            assert np.isnan(medians[g])
        else:  # the lower median: the value at which half the people are reached
            assert medians[g] == repeated[(repeated.size + 1) // 2 - 1]
    if weights.sum() > 0:
        assert (
            weighted_median_db(values, weights)
            == grouped_median_db(values, weights, np.zeros(len(rows), int), 1)[0]
        )
