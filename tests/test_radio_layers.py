"""Coverage layers (issue 16): uplink budget, O2I loss, and the layers in the model and JSON."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtr
from shapely.geometry import box

from geoplan.cli import main
from geoplan.config import PlanConfig
from geoplan.errors import ConfigError
from geoplan.grid import Cells
from geoplan.models import RadioModel, get_model
from geoplan.radio.indoor import (
    IndoorModel,
    indoor_exceedance_probability,
    mean_indoor_distance_m,
    o2i_loss_db,
    o2i_wall_loss_db,
)
from geoplan.radio.link_budget import exceedance_probability, o2i_low_loss_db
from geoplan.radio.uplink import UplinkBudget, carrier_uplink, uplink_rsrp_threshold_dbm
from geoplan.scenario import load_scenario, run_config
from geoplan.sites import Sites
from tests.conftest import WORK_CRS, X0, Y0, write_raster

FLAT = PlanConfig(dem_paths=("flat",))


def _cells(x_m, y_m, environment) -> Cells:
    x = np.asarray(x_m, dtype=float)
    n = x.size
    return Cells(np.arange(n), x, np.asarray(y_m, float), np.ones(n), np.zeros(n, int),
                 np.broadcast_to(np.asarray(environment), (n,)).astype(np.int8))  # fmt: skip


def _sites(x_m, y_m, height_m=30.0) -> Sites:
    x = np.asarray(x_m, dtype=float)
    return Sites(x, np.asarray(y_m, float), np.full(x.size, height_m), np.zeros(x.size, int))


# ------------------------------------------------------------------ uplink budget
def test_uplink_mapl_when_the_carrier_is_the_limit() -> None:
    # 10 PRB x 360 kHz = 3.6 MHz, FDD (whole uplink), 1 Mbit/s:
    #   SE = 1e6 / 3.6e6 = 0.27778 bit/s/Hz; SINR = 2^(0.27778/0.4) - 1 = 0.61826 = -2.0883 dB
    #   noise = -174 + 10 log10(3.6e6) = -174 + 65.5630 = -108.4370 dBm
    #   MAPL = 23 - 3 + 26 - (-108.4370 + 5 (NF) + 2 (IM) - 2.0883) = 149.5253 dB
    # (a wider allocation would help, so the 10 PRBs of the carrier bind)
    mapl = UplinkBudget().max_path_loss_db(1e6, 10, 360e3, 1.0)
    assert float(mapl) == pytest.approx(149.5253, abs=1e-3)


def test_uplink_mapl_when_sinr_min_is_the_limit() -> None:
    # 273 PRB (100 MHz n78), DDDSU share 0.2, 1 Mbit/s: 5 Mbit/s in the uplink slots.
    # SE at SINR_min = 0.4 log2(1.1) = 0.055004, so B* = 5e6 / 0.055004 = 90.91 MHz = 252.5 PRB.
    #   252 PRB = 90.72 MHz: SE = 0.055115, SINR = -9.9906 dB, noise -174 + 79.5770
    #   MAPL = 46 - (-94.4230 + 7 - 9.9906) = 143.4136 dB  (253 PRB: 143.4058 dB, at SINR_min)
    # The downlink's MAPL is 41.85 (EIRP per RE) - 3 (body) + 110 = 148.85 dB: 5.44 dB more.
    mapl = UplinkBudget().max_path_loss_db(1e6, 273, 360e3, 0.2)
    assert float(mapl) == pytest.approx(143.4136, abs=1e-3)
    pc2 = replace(UplinkBudget(), ue_power_dbm=26.0).max_path_loss_db(1e6, 273, 360e3, 0.2)
    assert float(pc2 - mapl) == pytest.approx(3.0, abs=1e-9)  # power class 2: +3 dB


def test_uplink_rate_inverts_mapl_and_follows_the_curve() -> None:
    budget = UplinkBudget()
    rates = np.array([1e5, 1e6, 5e6])
    mapl = budget.max_path_loss_db(rates, 273, 360e3, 0.2)
    assert budget.rate_bps(mapl, 273, 360e3, 0.2) == pytest.approx(rates, rel=1e-6)
    assert np.all(budget.rate_bps(mapl + 0.5, 273, 360e3, 0.2) < rates)
    # attenuated Shannon: 0 below -10 dB, 0.4 log2(1 + SINR) between, 2.0 at the top
    se = budget.spectral_efficiency(np.array([-10.01, -10.0, 0.0, 10.0, 30.0]))
    assert se == pytest.approx([0.0, 0.4 * math.log2(1.1), 0.4, 0.4 * math.log2(11), 2.0])
    assert float(budget.required_sinr_db(2.01)) == math.inf


def test_carriers_and_the_rsrp_equivalent_of_the_uplink() -> None:
    n_prb, prb_hz, share = carrier_uplink(np.array(["n78", "n28", ""]),
                                          np.array([3276.0, 624.0, 3276.0]), 0.25)  # fmt: skip
    assert n_prb.tolist() == [273, 52, 273]
    assert prb_hz.tolist() == [360e3, 180e3, 360e3]
    assert share.tolist() == [0.25, 1.0, 0.25]
    # RSRP = 41.85 - 3 - PL closes the uplink iff PL <= 143.41: RSRP >= -104.56 dBm
    threshold = uplink_rsrp_threshold_dbm(np.array(41.85), 3.0, np.array(143.41))
    assert float(threshold) == pytest.approx(-104.56)


def test_model_uplink_threshold_matches_the_budget() -> None:
    model = RadioModel(FLAT)
    table = model.uplink_thresholds_dbm(_sites([0.0], [0.0]))
    urban = UplinkBudget().max_path_loss_db(1e6, 273, 360e3, 0.2)
    rural = UplinkBudget().max_path_loss_db(1e5, 273, 360e3, 0.2)
    eirp_re = 77 - 10 * math.log10(3276)
    assert table[0] == pytest.approx(
        [eirp_re - 3 - urban, eirp_re - 3 - urban, eirp_re - 3 - rural]
    )


# ------------------------------------------------------------------ O2I
def test_o2i_losses_at_3_5_ghz() -> None:
    # low:  L_glass = 2 + 0.7 = 2.7, L_concrete = 5 + 14 = 19 dB
    #       0.3·10^-0.27 + 0.7·10^-1.9 = 0.161110 + 0.008812 = 0.169922 -> 5 + 7.6977 = 12.6975
    # high: L_IRR = 23 + 1.05 = 24.05 dB
    #       0.7·10^-2.405 + 0.3·10^-1.9 = 0.002755 + 0.003777 = 0.006532 -> 5 + 21.8498 = 26.8498
    assert float(o2i_wall_loss_db(3.5, "low")) == pytest.approx(12.6975, abs=1e-4)
    assert float(o2i_wall_loss_db(3.5, "high")) == pytest.approx(26.8498, abs=1e-4)
    # indoor distance: min of two U(0, 25 m) has mean 25/3 m -> 0.5 · 8.333 = 4.1667 dB
    assert mean_indoor_distance_m(25.0) == pytest.approx(25 / 3)
    assert float(o2i_loss_db(3.5, "low", 25 / 3)) == pytest.approx(16.8642, abs=1e-4)
    assert float(o2i_loss_db(3.5, "low", 25 / 3)) == pytest.approx(o2i_low_loss_db(3.5))
    assert float(o2i_loss_db(3.5, "high", 25 / 3)) == pytest.approx(31.0165, abs=1e-4)


def test_indoor_probability_by_hand() -> None:
    # NLOS only, σ_SF 6 dB; median -90 dBm, level -110: outdoors Φ(20/6) = 0.99957.
    # Low-loss wall 16.8642 dB, σ_P 4.4: indoors Φ((20 - 16.8642)/√(36 + 19.36)) = Φ(0.42152)
    # High-loss 31.0165 dB, σ_P 6.5: Φ((20 - 31.0165)/√(36 + 42.25)) = Φ(-1.24534)
    # Mix 20% high: 0.8·Φ(0.42152) + 0.2·Φ(-1.24534)
    args = (np.array(-90.0), np.array(-90.0), np.array(0.0), 4.0, 6.0, 3.5)
    p = indoor_exceedance_probability(-110.0, *args, 0.2, 25 / 3)
    low = ndtr((20 - 16.8642) / math.sqrt(36 + 4.4**2))
    high = ndtr((20 - 31.0165) / math.sqrt(36 + 6.5**2))
    assert float(p) == pytest.approx(0.8 * low + 0.2 * high, abs=1e-5)
    assert float(p) < float(exceedance_probability(-110.0, *args[:5]))


@settings(max_examples=60, deadline=None)
@given(
    median=st.floats(-200, 0),
    p_los=st.floats(0, 1),
    freq=st.floats(0.5, 6.0),
    high=st.floats(0, 1),
    d_in=st.floats(0, 25),
)
def test_indoor_never_beats_outdoor(median, p_los, freq, high, d_in) -> None:
    args = (np.array(median + 5.0), np.array(median), np.array(p_los), 4.0, 8.0)
    indoor = indoor_exceedance_probability(-110.0, *args, freq, high, d_in)
    outdoor = exceedance_probability(-110.0, *args)
    assert 0.0 <= float(indoor) <= float(outdoor) <= 1.0


# ------------------------------------------------------------------ the model's layers
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    ue_power=st.sampled_from([20.0, 23.0, 26.0, 33.0]),
    rate_kbps=st.floats(10, 20_000),
    high=st.floats(0, 1),
)
def test_layers_never_exceed_the_signal(seed, ue_power, rate_kbps, high) -> None:
    rng = np.random.default_rng(seed)
    cells = _cells(rng.uniform(-3000, 3000, 200), rng.uniform(-3000, 3000, 200),
                   rng.integers(0, 3, 200))  # fmt: skip
    sites = _sites(rng.uniform(-2000, 2000, 3), rng.uniform(-2000, 2000, 3),
                   rng.choice([12.0, 30.0], 3))  # fmt: skip
    uplink = replace(UplinkBudget(), ue_power_dbm=ue_power, edge_rate_bps=(rate_kbps * 1e3,) * 3)
    model = RadioModel(FLAT, uplink=uplink, indoor=IndoorModel(high_loss_share=(high,) * 3))
    best = model.best_server(sites, cells)
    p, covered = best.layer_probability, best.layer_covered
    for layer in ("usable", "indoor"):
        assert np.all(p[layer] <= p["signal"] + 1e-12)
        assert np.all(covered[layer] <= covered["signal"])
        assert np.all((p[layer] >= 0) & (p[layer] <= 1))
    assert np.array_equal(best.probability, p["signal"])
    # the usable matrix is the usable layer's reliable cells
    usable = replace(model, layer="usable").best_server(sites, cells, with_probability=False)
    assert np.array_equal(usable.covered, covered["usable"])
    assert np.array_equal(np.asarray(usable.matrix.sum(axis=0)).ravel() > 0, covered["usable"])


def test_usable_probability_is_the_signal_at_the_higher_threshold() -> None:
    cells = _cells([300.0, 900.0, 3000.0], [0.0, 0.0, 0.0], [0, 0, 2])
    sites = _sites([0.0], [0.0])
    model = RadioModel(FLAT)
    best = model.best_server(sites, cells)
    table = model.uplink_thresholds_dbm(sites)[0]
    levels = model._pair_levels(sites, cells, np.zeros(3, int), np.arange(3), None)
    level = np.maximum(-110.0, table[[0, 0, 2]])
    assert best.layer_probability["usable"] == pytest.approx(levels.probability(level))
    # urban 1 Mbit/s: the uplink binds (threshold above -110); rural 100 kbit/s: it does not
    assert table[0] > -110 > table[2]
    assert best.layer_probability["usable"][2] == pytest.approx(best.probability[2])


def test_layer_is_validated() -> None:
    with pytest.raises(ValueError, match="layer must be one of"):
        RadioModel(FLAT, layer="nonsense")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"coverage_layer .*must be one of"):
        PlanConfig(coverage_layer="nonsense")
    with pytest.raises(ConfigError, match=r"optional_layers \(--layers\) must be one of qcvn"):
        PlanConfig(optional_layers=("usable",))
    with pytest.raises(ConfigError, match="--layers qcvn needs the radio model"):
        run_config("radius", optional_layers=("qcvn",))
    # qcvn: the model's own pairs stay the signal's; the coverage stage adds the layer
    qcvn = RadioModel(FLAT, layer="qcvn")
    assert (qcvn.pair_layer, qcvn.computes_qcvn) == ("signal", True)
    assert PlanConfig(optional_layers=["qcvn"]).qcvn_layer  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="needs the radio model"):
        run_config("radius", coverage_layer="usable")
    assert get_model(None, replace(FLAT, coverage_layer="indoor")).layer == "indoor"  # type: ignore[attr-defined]


# ------------------------------------------------------------------ coverage --json
def _tiny_json(capsys, files, *extra: str) -> dict:
    communes, raster, stations = files
    code = main(["coverage", "--json", "--boundaries", str(communes), "--population",
                 str(raster), "--stations", str(stations), "--drop-outside", "--dem", "flat",
                 *extra])  # fmt: skip
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_coverage_json_reports_every_layer(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, capsys
) -> None:
    files = (tiny_communes_file, tiny_raster_file, tiny_stations_file)
    payload = _tiny_json(capsys, files, "--no-layers")
    layers = payload["layers"]
    assert payload["coverage_layer"] == "signal"
    assert set(layers) == {"signal", "usable", "indoor", "qcvn", "indoor_weighted"}
    assert layers["qcvn"]["covered_share"] is None  # skipped when told
    assert "--layers qcvn" in layers["qcvn"]["description"]
    assert layers["signal"]["covered_share"] == payload["covered_share"]
    assert layers["signal"]["reliable_share"] == payload["reliable_share"]
    rows = [layers] + [c["layers"] for c in payload["communes"]]
    for row in rows:
        shares = {
            k: row[k]["covered_share"] for k in ("signal", "usable", "indoor", "indoor_weighted")
        }
        reliable = {k: row[k]["reliable_share"] for k in shares}
        for values in (shares, reliable):
            assert all(0.0 <= v <= 1.0 for v in values.values())
            assert values["usable"] <= values["signal"]
            assert values["indoor"] <= values["indoor_weighted"] <= values["signal"]
    assert layers["indoor"]["covered_share"] < layers["signal"]["covered_share"]
    usable = _tiny_json(capsys, files, "--coverage", "usable", "--no-layers")
    assert usable["coverage_layer"] == "usable"
    assert usable["covered_share"] == pytest.approx(layers["usable"]["covered_share"], abs=1e-6)
    assert usable["layers"]["signal"] == layers["signal"]


def test_coverage_text_lists_the_layers(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, capsys
) -> None:
    args = ["coverage", "--boundaries", str(tiny_communes_file), "--population",
            str(tiny_raster_file), "--stations", str(tiny_stations_file), "--drop-outside",
            "--dem", "flat", "--coverage", "indoor", "--no-layers"]  # fmt: skip
    assert main([*args, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Headline share in coverage layer: indoor" in out
    assert "usable (DL+UL)" in out and "where people are" in out
    assert "QCVN 126 (SINR, throughput under load): not computed; add --layers qcvn" in out
    assert main(args) == 0
    assert "Theo lớp phủ sóng:" in capsys.readouterr().out


def test_reach_of_a_layer_bounds_its_coverage() -> None:
    sites = _sites([0.0], [0.0])
    rng = np.random.default_rng(3)
    cells = _cells(rng.uniform(-4000, 4000, 400), rng.uniform(-4000, 4000, 400),
                   rng.integers(0, 3, 400))  # fmt: skip
    signal = RadioModel(FLAT)
    for layer in ("usable", "indoor"):
        model = replace(signal, layer=layer)
        reach = model.max_range_m(sites)
        # both ask more than the signal; the rural uplink (100 kbit/s) closes beyond the
        # downlink, so there the usable reach is the signal's
        assert reach[0] <= signal.max_range_m(sites)[0]
        assert (reach[0] < signal.max_range_m(sites)[0]) == (layer == "indoor")
        covered = model.best_server(sites, cells, with_probability=False).covered
        assert covered.any()
        assert np.hypot(cells.x_m, cells.y_m)[covered].max() <= reach[0]


def _town(folder: Path) -> tuple[Path, Path, Path]:
    """Three 2 km communes of 4,000 people/km² (urban), one site at the west end."""
    squares = [box(X0 + i * 2000, Y0, X0 + (i + 1) * 2000, Y0 + 2000) for i in range(3)]
    table = {"code": ["1", "2", "3"], "name": ["a", "b", "c"], "population": [4000] * 3}
    frame = gpd.GeoDataFrame(table, geometry=squares, crs=WORK_CRS)
    frame.to_crs("EPSG:4326").to_file(folder / "c.geojson")
    transform = Affine(500.0, 0, X0 - 500, 0, -500.0, Y0 + 2500)
    write_raster(folder / "p.tif", np.full((6, 14), 1000.0), transform, WORK_CRS)
    site = gpd.GeoSeries.from_xy([X0 + 500], [Y0 + 1000], crs=WORK_CRS).to_crs("EPSG:4326")[0]
    (folder / "s.csv").write_text(f"site_id,operator,lon,lat\nS1,Viettel,{site.x},{site.y}\n")
    return folder / "c.geojson", folder / "p.tif", folder / "s.csv"


@pytest.mark.slow
def test_plan_to_the_indoor_layer_needs_more_sites_and_reaches_it(tmp_path) -> None:
    inputs = _town(tmp_path)
    n_sites = {}
    for layer in ("signal", "usable", "indoor"):
        config = PlanConfig(dem_paths=("flat",), coverage_layer=layer, cell_size_m=250.0,
                            candidate_clusters=8, candidate_min_population=1.0)  # fmt: skip
        scenario = load_scenario(*inputs, config)
        plan = scenario.plan(target=0.5, solver="greedy")
        after = scenario.after(plan).coverage()  # recomputed by the same layer's model
        assert after.layer == layer
        assert after.reliable_share == pytest.approx(plan.summary.achieved_share, abs=1e-6)
        assert after.reliable_share >= 0.5
        n_sites[layer] = plan.summary.n_new_sites
    assert n_sites["signal"] <= n_sites["usable"] <= n_sites["indoor"]
    assert n_sites["signal"] < n_sites["indoor"]
