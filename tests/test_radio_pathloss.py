"""TR 38.901 path loss: hand-computed values, breakpoints, monotonicity, LOS probability."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geoplan.radio.pathloss import breakpoint_distance_m, los_probability, path_loss_db

C = 3.0e8  # the speed of light as TR 38.901 writes it


# Values worked out by hand (calculator) from TR 38.901 Table 7.4.1-1, h_UT = 1.5 m.
# d_3D = sqrt(d_2D² + (h_BS − h_UT)²); breakpoints: UMa 3.5 GHz 560 m, UMi 2.1 GHz 126 m,
# RMa 0.7 GHz 769.7 m.
HAND_VALUES = [
    # model, d_2D, f_c, h_BS, LOS?, dB
    ("UMa", 200.0, 3.5, 25.0, True, 89.570),  # PL1: 28 + 22 log d3 + 20 log fc
    ("UMa", 200.0, 3.5, 25.0, False, 114.462),  # 13.54 + 39.08 log d3 + 20 log fc
    ("UMa", 1000.0, 3.5, 25.0, True, 109.412),  # PL2 beyond d'_BP
    ("UMa", 1000.0, 3.5, 25.0, False, 141.666),
    ("UMi", 100.0, 2.1, 10.0, True, 80.877),
    ("UMi", 100.0, 2.1, 10.0, False, 99.918),
    ("UMi", 500.0, 2.1, 10.0, True, 106.880),
    ("UMi", 500.0, 2.1, 10.0, False, 124.539),
    ("RMa", 500.0, 0.7, 35.0, True, 84.633),
    ("RMa", 500.0, 0.7, 35.0, False, 104.843),
    ("RMa", 2000.0, 0.7, 35.0, True, 105.416),  # PL2 = PL1(d_BP) + 40 log(d3/d_BP)
    ("RMa", 2000.0, 0.7, 35.0, False, 128.068),
]


@pytest.mark.parametrize(("model", "d2", "fc", "h_bs", "los", "expected"), HAND_VALUES)
def test_path_loss_matches_hand_values(model, d2, fc, h_bs, los, expected) -> None:
    assert float(path_loss_db(model, d2, fc, h_bs, 1.5, los=los)) == pytest.approx(
        expected, abs=0.05
    )


def _reference(model: str, d2: float, fc: float, h_bs: float, h_ut: float, los: bool) -> float:
    """Scalar transcription of Table 7.4.1-1, written apart from the library."""
    d3 = math.hypot(d2, h_bs - h_ut)
    lg = math.log10
    if model == "RMa":
        h, w = 5.0, 20.0
        d_bp = 2 * math.pi * h_bs * h_ut * fc * 1e9 / C

        def pl1(d: float) -> float:
            return (
                20 * lg(40 * math.pi * d * fc / 3)
                + min(0.03 * h**1.72, 10) * lg(d)
                - min(0.044 * h**1.72, 14.77)
                + 0.002 * lg(h) * d
            )

        pl_los = pl1(d3) if d2 <= d_bp else pl1(d_bp) + 40 * lg(d3 / d_bp)
        pl_n = (
            161.04 - 7.1 * lg(w) + 7.5 * lg(h) - (24.37 - 3.7 * (h / h_bs) ** 2) * lg(h_bs)
            + (43.42 - 3.1 * lg(h_bs)) * (lg(d3) - 3) + 20 * lg(fc)
            - (3.2 * lg(11.75 * h_ut) ** 2 - 4.97)
        )  # fmt: skip
    else:
        d_bp = 4 * (h_bs - 1) * (h_ut - 1) * fc * 1e9 / C
        if model == "UMa":
            a, b, k = 28.0, 22.0, 9.0
            pl_n = 13.54 + 39.08 * lg(d3) + 20 * lg(fc) - 0.6 * (h_ut - 1.5)
        else:
            a, b, k = 32.4, 21.0, 9.5
            pl_n = 35.3 * lg(d3) + 22.4 + 21.3 * lg(fc) - 0.3 * (h_ut - 1.5)
        if d2 <= d_bp:
            pl_los = a + b * lg(d3) + 20 * lg(fc)
        else:
            pl_los = a + 40 * lg(d3) + 20 * lg(fc) - k * lg(d_bp**2 + (h_bs - h_ut) ** 2)
    return pl_los if los else max(pl_los, pl_n)


CASES = [
    (model, h_bs, fc, factor, los)
    for model, h_bs in (("UMa", 25.0), ("UMi", 10.0), ("RMa", 35.0))
    for fc in (0.7, 2.1, 3.5, 4.9)
    for factor in (0.05, 0.5, 0.95, 1.05, 2.0, 4.0)  # × breakpoint: both sides of it
    for los in (True, False)
]


@pytest.mark.parametrize(("model", "h_bs", "fc", "factor", "los"), CASES)
def test_path_loss_matches_the_table_across_frequencies(model, h_bs, fc, factor, los) -> None:
    d_bp = float(breakpoint_distance_m(model, fc, h_bs, 1.5))
    d2 = float(np.clip(factor * d_bp, 10.0, 10_000.0 if model == "RMa" and los else 5_000.0))
    expected = _reference(model, d2, fc, h_bs, 1.5, los)
    assert float(path_loss_db(model, d2, fc, h_bs, 1.5, los=los)) == pytest.approx(
        expected, abs=0.05
    )


def test_vectorised_call_equals_scalar_calls() -> None:
    d2 = np.array([15.0, 150.0, 1500.0, 4500.0])
    fc = np.array([0.7, 2.1, 3.5, 4.9])
    los = np.array([True, False, True, False])
    out = path_loss_db("UMa", d2, fc, 25.0, 1.5, los=los)
    single = [float(path_loss_db("UMa", d, f, 25.0, 1.5, los=bool(s))) for d, f, s in
              zip(d2, fc, los, strict=True)]  # fmt: skip
    np.testing.assert_allclose(out, single)


@pytest.mark.parametrize(("model", "h_bs"), [("UMa", 25.0), ("UMi", 10.0), ("RMa", 35.0)])
@pytest.mark.parametrize("fc", [0.7, 3.5, 4.9])
def test_los_is_continuous_at_the_breakpoint(model, h_bs, fc) -> None:
    d_bp = float(breakpoint_distance_m(model, fc, h_bs, 1.5))
    below = float(path_loss_db(model, d_bp * (1 - 1e-7), fc, h_bs, 1.5, los=True))
    above = float(path_loss_db(model, d_bp * (1 + 1e-7), fc, h_bs, 1.5, los=True))
    assert abs(above - below) < 0.05


@given(
    model=st.sampled_from([("UMa", 25.0), ("UMi", 10.0), ("RMa", 35.0), ("FSPL", 30.0)]),
    d_a=st.floats(10, 5000),
    d_b=st.floats(10, 5000),
    fc=st.floats(0.7, 4.9),
    los=st.booleans(),
)
def test_path_loss_grows_with_distance(model, d_a, d_b, fc, los) -> None:
    name, h_bs = model
    near, far = sorted((d_a, d_b))
    pl = path_loss_db(name, np.array([near, far]), fc, h_bs, 1.5, los=los)
    assert pl[1] >= pl[0] - 1e-9


@given(
    model=st.sampled_from([("UMa", 25.0), ("UMi", 10.0), ("RMa", 35.0), ("FSPL", 30.0)]),
    d2=st.floats(10, 5000),
    f_a=st.floats(0.7, 4.9),
    f_b=st.floats(0.7, 4.9),
    los=st.booleans(),
)
def test_path_loss_grows_with_frequency(model, d2, f_a, f_b, los) -> None:
    name, h_bs = model
    low, high = sorted((f_a, f_b))
    pl = path_loss_db(name, d2, np.array([low, high]), h_bs, 1.5, los=los)
    assert pl[1] >= pl[0] - 1e-9


@given(d2=st.floats(10, 5000), fc=st.floats(0.7, 4.9))
def test_nlos_is_never_below_los(d2, fc) -> None:
    for model, h_bs in (("UMa", 25.0), ("UMi", 10.0), ("RMa", 35.0)):
        los = path_loss_db(model, d2, fc, h_bs, 1.5, los=True)
        nlos = path_loss_db(model, d2, fc, h_bs, 1.5, los=False)
        assert nlos >= los


def test_free_space_is_friis() -> None:
    # 20 log10(4π d f / c) at d_3D = 1 km, 3.5 GHz: 103.33 dB
    d2 = math.sqrt(1000.0**2 - 28.5**2)
    assert float(path_loss_db("FSPL", d2, 3.5, 30.0, 1.5)) == pytest.approx(
        20 * math.log10(4 * math.pi * 1000.0 * 3.5e9 / 299_792_458.0), abs=0.01
    )


def test_distances_below_ten_metres_use_ten_metres() -> None:
    assert path_loss_db("UMa", 1.0, 3.5, 25.0, 1.5) == path_loss_db("UMa", 10.0, 3.5, 25.0, 1.5)


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown path-loss model 'Hata'"):
        path_loss_db("Hata", 100.0, 3.5, 25.0, 1.5)


# LOS probability, Table 7.4.2-1 (outdoor users), worked by hand:
# RMa 1 km: exp(-(1000-10)/1000) = 0.3716; UMi 100 m: 18/100 + exp(-100/36)(1-0.18) = 0.2309;
# UMa 100 m, h_UT 1.5: 18/100 + exp(-100/63)(0.82) = 0.3475.
@pytest.mark.parametrize(
    ("model", "d2", "expected"),
    [("RMa", 1000.0, 0.3716), ("UMi", 100.0, 0.2309), ("UMa", 100.0, 0.3475),
     ("UMa", 10.0, 1.0), ("RMa", 5.0, 1.0)],
)  # fmt: skip
def test_los_probability_hand_values(model, d2, expected) -> None:
    assert float(los_probability(model, d2)) == pytest.approx(expected, abs=5e-4)


@given(d_a=st.floats(0, 20_000), d_b=st.floats(0, 20_000))
def test_los_probability_is_a_falling_probability(d_a, d_b) -> None:
    near, far = sorted((d_a, d_b))
    for model in ("UMa", "UMi", "RMa"):
        p = los_probability(model, np.array([near, far]))
        assert 0.0 <= p[1] <= p[0] <= 1.0
