"""SINR under load and downlink throughput: the core (geoplan.radio.sinr) and the adapter.

Hand-computed values, brute-force oracles (Monte Carlo, dense vs chunked) and hypothesis
invariants; every fixture is a handful of sites and cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan.config import PlanConfig
from geoplan.grid import Cells
from geoplan.models.interference import (
    DownlinkSettings,
    sinr_throughput,
    subcarrier_spacing_khz,
)
from geoplan.models.radio import RadioModel
from geoplan.radio.link_budget import LinkBudget, edge_rsrp_dbm
from geoplan.radio.sinr import (
    QCVN126_DL_MEAN_MBPS,
    QCVN126_DL_SAMPLE_MBPS,
    QCVN126_DL_SAMPLE_SHARE,
    QCVN126_UL_MEAN_MBPS,
    ServerAccumulator,
    ServingLink,
    ShannonCurve,
    best_server_sinr_db,
    dl_throughput_mbps,
    mixture_median_dbm,
    qcvn_downlink_holds,
    re_rate_hz,
    shadowed_rate_stats,
    sinr_db,
    thermal_noise_dbm,
)
from geoplan.sites import Sites

FLAT = RadioModel(PlanConfig(dem_paths=("flat",)))
URBAN = 0


# ----------------------------------------------------------------------------- noise
def test_thermal_noise_hand_computed() -> None:
    # -174 dBm/Hz + 10 log10(100e6 Hz) = -174 + 80; + NF 7 dB
    assert float(thermal_noise_dbm(100e6, 7.0)) == pytest.approx(-87.0, abs=1e-12)
    # one 30 kHz subcarrier: 10 log10(30e3) = 44.7712; NF 9 dB
    assert float(thermal_noise_dbm(30e3, 9.0)) == pytest.approx(-174 + 44.7712 + 9, abs=1e-4)


# ----------------------------------------------------------------------------- SINR core
def test_two_equal_servers_give_s_over_s_plus_n() -> None:
    s_dbm, n_dbm = -95.0, -100.0  # S/N = 5 dB
    total = 10 * np.log10(2 * 10 ** (s_dbm / 10))  # two equal sectors
    got = float(sinr_db(s_dbm, total, n_dbm, load=1.0))
    assert got == pytest.approx(-10 * np.log10(1 + 10 ** ((n_dbm - s_dbm) / 10)), abs=1e-9)
    # alone: S/N
    assert float(sinr_db(s_dbm, s_dbm, n_dbm, load=1.0)) == pytest.approx(5.0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    s=st.floats(-130, -50),
    extra=st.floats(-140, -40),
    n=st.floats(-130, -80),
    loads=st.tuples(st.floats(0, 1), st.floats(0, 1)),
)
def test_sinr_falls_as_load_rises(s: float, extra: float, n: float, loads: tuple) -> None:
    total = 10 * np.log10(10 ** (s / 10) + 10 ** (extra / 10))
    low, high = sorted(loads)
    at_low, at_high = float(sinr_db(s, total, n, low)), float(sinr_db(s, total, n, high))
    assert at_high <= at_low + 1e-9
    assert float(sinr_db(s, total, n, 0.0)) == pytest.approx(s - n, abs=1e-6)  # no load: SNR


def test_chunked_accumulator_equals_dense_oracle() -> None:
    rng = np.random.default_rng(3)
    power = rng.uniform(-130, -60, size=(50, 7))
    power[rng.random(power.shape) < 0.3] = -np.inf  # sectors that do not reach a cell
    power[:, 0] = np.maximum(power[:, 0], -125.0)  # every cell has one sector
    dense, serving = best_server_sinr_db(power, -120.0, load=0.7, chunk_cells=8)
    acc = ServerAccumulator(50, ["sector"])
    cells, sectors = np.nonzero(np.isfinite(power))
    order = rng.permutation(cells.size)
    for part in np.array_split(order, 5):  # any order, any chunks
        acc.add(cells[part], power[cells[part], sectors[part]], {"sector": sectors[part]})
    np.testing.assert_allclose(acc.sinr_db(-120.0, 0.7), dense, atol=1e-9)
    np.testing.assert_array_equal(acc.payload["sector"].astype(int), serving)


def test_mixture_median_matches_the_bisection() -> None:
    rng = np.random.default_rng(5)
    nlos = rng.uniform(-140, -60, 5000)
    los = nlos + rng.uniform(0, 40, 5000)
    p = np.r_[rng.uniform(0, 1, 4000) ** 3, np.zeros(500), np.ones(500)]
    got = mixture_median_dbm(los, nlos, p, 4.0, 7.82, tolerance_db=0.01)
    want = edge_rsrp_dbm(los, nlos, p, 4.0, 7.82, 0.5, tolerance_db=0.001)
    np.testing.assert_allclose(got, want, atol=0.02)


# ----------------------------------------------------------------------------- throughput
@settings(max_examples=60, deadline=None)
@given(
    sinrs=st.lists(st.floats(-40, 80), min_size=2, max_size=30),
    alpha=st.floats(0.3, 1.0),
    layers=st.integers(1, 4),
)
def test_efficiency_monotone_and_capped(sinrs: list, alpha: float, layers: int) -> None:
    curve = ShannonCurve(alpha=alpha, max_layers=layers)
    x = np.sort(np.asarray(sinrs))
    eff = curve.efficiency(x)
    assert np.all(np.diff(eff) >= -1e-12)
    assert np.all(eff <= layers * curve.max_efficiency + 1e-12)
    assert np.all(eff[x < curve.sinr_min_db] == 0.0)
    assert float(curve.efficiency(200.0)) == pytest.approx(layers * curve.max_efficiency)


def test_throughput_hand_computed() -> None:
    # 0 dB, one layer: 0.6 · log2(2) = 0.6 bit/s/Hz; 3,276 subcarriers · 28,000 symbols/s
    # (30 kHz) · (1 − 0.14) · 52/70 DL = 58.601 M data REs/s -> 35.16 Mbit/s
    rate = re_rate_hz(3276, 30.0)
    assert float(rate) == pytest.approx(3276 * 28_000 * 0.86 * 52 / 70)
    one_layer = ShannonCurve(max_layers=1)
    assert float(dl_throughput_mbps(0.0, rate, one_layer)) == pytest.approx(35.16, abs=0.01)
    # the loaded user gets the share 1 - load
    assert float(dl_throughput_mbps(0.0, rate, one_layer, load=0.5)) == pytest.approx(
        17.58, abs=0.01
    )


def test_required_sinr_inverts_the_curve() -> None:
    curve = ShannonCurve()
    targets = np.array([0.1, 1.0, 3.0, 8.0, 14.0])
    need = curve.required_sinr_db(targets)
    assert np.all(curve.efficiency(need) >= targets)
    assert np.all(curve.efficiency(need - 0.01) < targets)
    assert np.isposinf(curve.required_sinr_db(2 * curve.max_efficiency + 0.1))


def test_qcvn_constants_and_test() -> None:
    assert (QCVN126_DL_MEAN_MBPS, QCVN126_UL_MEAN_MBPS) == (100.0, 30.0)
    assert (QCVN126_DL_SAMPLE_MBPS, QCVN126_DL_SAMPLE_SHARE) == (30.0, 0.95)
    holds = qcvn_downlink_holds(np.array([100.0, 99.9, 500.0]), np.array([0.95, 1.0, 0.949]))
    assert holds.tolist() == [True, False, False]


def test_sample_statistics_match_monte_carlo() -> None:
    rng = np.random.default_rng(11)
    n = 6
    link = ServingLink(
        los_dbm=rng.uniform(-90, -70, n), nlos_dbm=rng.uniform(-115, -95, n),
        p_los=rng.uniform(0, 1, n), sigma_los_db=np.full(n, 4.0), sigma_nlos_db=np.full(n, 6.0),
    )  # fmt: skip
    i_n = rng.uniform(-112, -100, n)
    per_eff = np.full(n, 30.0)  # Mbit/s per bit/s/Hz
    curve = ShannonCurve()
    median, mean, share = shadowed_rate_stats(link, i_n, per_eff, curve, 30.0, nodes=32)
    draws = 200_000
    is_los = rng.random((n, draws)) < link.p_los[:, None]
    shadow = rng.standard_normal((n, draws))
    s = np.where(
        is_los, link.los_dbm[:, None] + 4.0 * shadow, link.nlos_dbm[:, None] + 6.0 * shadow
    )
    rates = curve.efficiency(s - i_n[:, None]) * per_eff[:, None]
    np.testing.assert_allclose(mean, rates.mean(axis=1), rtol=0.02, atol=0.2)
    np.testing.assert_allclose(share, (rates >= 30.0).mean(axis=1), atol=0.005)
    np.testing.assert_allclose(median, np.median(s - i_n[:, None], axis=1), atol=0.1)


# ----------------------------------------------------------------------------- adapter
def _sites(x_m: list, operators: list, azimuths: list | None = None, freq: float = 3.5) -> Sites:
    n = len(x_m)
    frame = pd.DataFrame({"operator": operators, "frequency_ghz": [freq] * n,
                          "eirp_dbm": [77.0] * n, "n_subcarriers": [3276.0] * n})  # fmt: skip
    if azimuths is not None:
        frame["azimuths_deg"] = azimuths
    return Sites(np.asarray(x_m, float), np.zeros(n), np.full(n, 25.0), np.full(n, URBAN), frame)


def _cells(x_m: np.ndarray, y_m: np.ndarray | None = None) -> Cells:
    n = x_m.size
    y = np.zeros(n) if y_m is None else y_m
    return Cells(np.arange(n), x_m, y, np.full(n, 10.0), np.zeros(n, int), np.zeros(n, int))


def test_adapter_two_equal_sites_equal_distance() -> None:
    # one single-sector site each side of the cell, both beams on it
    cells = _cells(np.array([0.0]))
    settings_1 = DownlinkSettings(load=1.0)
    alone = sinr_throughput(_sites([-800.0], ["Viettel"], ["90"]), cells, FLAT, settings_1)
    pair = sinr_throughput(_sites([-800.0, 800.0], ["Viettel"] * 2, ["90", "270"]), cells,
                           FLAT, settings_1)  # fmt: skip
    snr = float(alone.sinr_db[0, 0])  # S/N, dB
    # S is the coverage model's own RSRP at 50% reliability; N per 30 kHz RE at NF 7 dB
    median_model = RadioModel(FLAT.config, LinkBudget(cell_edge_reliability=0.5))
    s_dbm = median_model.pair_rsrp_dbm(_sites([-800.0], ["Viettel"], ["90"]), cells,
                                       np.array([0]), np.array([0]))[0]  # fmt: skip
    assert snr == pytest.approx(s_dbm - float(thermal_noise_dbm(30e3, 7.0)), abs=0.02)
    want = -10 * np.log10(1 + 10 ** (-snr / 10))  # S / (S + N)
    assert float(pair.sinr_db[0, 0]) == pytest.approx(want, abs=0.02)


def test_adapter_shapes_order_and_own_operator_interference() -> None:
    x = np.linspace(-3000, 3000, 25)
    cells = _cells(np.repeat(x, 5), np.tile(np.linspace(-1000, 1000, 5), 25))
    base = _sites([-1500.0, 1500.0], ["VNPT", "VNPT"])
    out = sinr_throughput(base, cells, FLAT)
    assert out.operators == ("VNPT",)
    for array in (out.sinr_db, out.peak_mbps, out.mean_mbps, out.qcvn_dl, out.serving_site):
        assert array.shape == (1, len(cells))
    assert set(np.unique(out.serving_site)) <= {0, 1}
    assert np.all(out.serving_site[0, cells.x_m < -100] == 0)  # nearer site serves
    # another operator's site on the same frequency next to the cells changes nothing
    mixed = Sites.concat([base, _sites([0.0], ["Viettel"])])
    both = sinr_throughput(mixed, cells, FLAT)
    assert both.operators == ("VNPT", "Viettel")
    np.testing.assert_array_equal(both.sinr_db[0], out.sinr_db[0])
    np.testing.assert_array_equal(both.mean_mbps[0], out.mean_mbps[0])
    assert np.all(both.serving_site[1][both.serving_site[1] >= 0] == 2)
    # a third VNPT site does interfere: SINR falls where the first two still serve
    more = sinr_throughput(Sites.concat([base, _sites([0.0], ["VNPT"])]), cells, FLAT)
    keep = more.serving_site[0] != 2
    assert np.all(more.sinr_db[0][keep] <= out.sinr_db[0][keep] + 1e-9)
    assert np.any(more.sinr_db[0][keep] < out.sinr_db[0][keep] - 0.5)
    assert 0.0 <= both.qcvn_share() <= 1.0
    assert both.qcvn_share() >= max(both.qcvn_share_by_operator().values())


def test_adapter_load_lowers_sinr_and_rates() -> None:
    cells = _cells(np.linspace(-2500, 2500, 30))
    sites = _sites([-1200.0, 1200.0], ["MobiFone"] * 2)
    light = sinr_throughput(sites, cells, FLAT, DownlinkSettings(load=0.3))
    heavy = sinr_throughput(sites, cells, FLAT, DownlinkSettings(load=1.0))
    assert np.all(heavy.sinr_db <= light.sinr_db + 1e-9)
    assert np.all(heavy.mean_mbps == 0.0)  # a fully loaded cell leaves nothing to a new user
    assert np.all(heavy.peak_mbps <= light.peak_mbps + 1e-9)


def test_subcarrier_spacing_of_the_carrier_table() -> None:
    bandwidth = np.array([100.0, 10.0, 20.0, 40.0])
    n_sc = np.array([3276.0, 624.0, 612.0, 1272.0])  # 273 RB, 52, 51 @30 kHz, 106 @30 kHz
    assert subcarrier_spacing_khz(bandwidth, n_sc).tolist() == [30.0, 15.0, 30.0, 30.0]


def test_adapter_loaded_user_rate_scales_with_its_share() -> None:
    cells = _cells(np.linspace(-2000, 2000, 12))
    sites = _sites([-900.0, 900.0], ["VNPT"] * 2)
    half = sinr_throughput(sites, cells, FLAT, DownlinkSettings(load=1.0, user_share=0.5))
    quarter = sinr_throughput(sites, cells, FLAT, DownlinkSettings(load=1.0, user_share=0.25))
    np.testing.assert_array_equal(half.sinr_db, quarter.sinr_db)  # the share changes no SINR
    np.testing.assert_allclose(half.mean_mbps, 2 * quarter.mean_mbps, rtol=1e-12)
    assert np.all(half.peak_mbps == quarter.peak_mbps)
    with pytest.raises(ValueError, match="user_share"):
        DownlinkSettings(user_share=1.5)
