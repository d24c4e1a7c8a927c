"""Sector pattern (TR 38.901 Table 7.3-1) and the link-budget arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from geoplan.errors import FormatError
from geoplan.radio.antenna import element_pattern_db, parse_azimuths, sector_gain_db
from geoplan.radio.link_budget import (
    LinkBudget,
    edge_rsrp_dbm,
    exceedance_probability,
    o2i_low_loss_db,
    shadow_fading_margin_db,
)


@given(phi=st.floats(-720, 720), theta=st.floats(-90, 90))
def test_pattern_is_symmetric_and_bounded(phi, theta) -> None:
    left = element_pattern_db(np.array([-phi]), theta)
    right = element_pattern_db(np.array([phi]), theta)
    np.testing.assert_allclose(left, right, atol=1e-9)
    assert -30.0 <= right[0] <= 0.0


def test_pattern_half_power_and_front_to_back() -> None:
    gains = element_pattern_db(np.array([0.0, 32.5, 90.0, 180.0]))
    np.testing.assert_allclose(gains, [0.0, -3.0, -min(12 * (90 / 65) ** 2, 30), -30.0])
    # downtilt: the vertical cut has the same 65° beam, capped by SLA_V = 30 dB
    assert element_pattern_db(np.array([0.0]), 32.5)[0] == pytest.approx(-3.0)
    assert element_pattern_db(np.array([180.0]), 80.0)[0] == -30.0


def test_best_sector_serves_each_direction() -> None:
    azimuths = np.tile([10.0, 130.0, 250.0], (4, 1))
    gains = sector_gain_db(np.array([10.0, 130.0, 70.0, 190.0]), np.zeros(4), azimuths)
    half_way = -12 * (60 / 65) ** 2
    np.testing.assert_allclose(gains, [0.0, 0.0, half_way, half_way])


def test_omni_site_has_no_horizontal_loss() -> None:
    gains = sector_gain_db(np.array([0.0, 180.0]), np.zeros(2), np.full((2, 3), np.nan))
    np.testing.assert_allclose(gains, [0.0, 0.0])


def test_azimuths_parse_and_refuse_text() -> None:
    parsed = parse_azimuths(["0;120;240", "", "45;225"])
    np.testing.assert_allclose(parsed[:2], [[0, 120, 240], [0, 120, 240]])
    np.testing.assert_allclose(parsed[2, :2], [45, 225])
    assert np.isnan(parsed[2, 2])
    with pytest.raises(FormatError, match="row 3: azimuths_deg 'north;south'"):
        parse_azimuths(["0;120;240", "north;south"], source="sites.csv")


def test_eirp_per_resource_element() -> None:
    budget = LinkBudget()
    # 51 dBm + 26 dBi over 273 PRB × 12 subcarriers: 77 − 10 log10(3276) = 41.85 dBm
    assert budget.eirp_dbm == 77.0
    assert budget.eirp_per_re_dbm == pytest.approx(41.847, abs=1e-3)


@pytest.mark.parametrize(("reliability", "sigma"), [(0.5, 6.0), (0.9, 6.0), (0.95, 8.0)])
def test_shadow_margin_is_the_normal_quantile(reliability, sigma) -> None:
    assert shadow_fading_margin_db(reliability, sigma) == pytest.approx(
        norm.ppf(reliability) * sigma
    )


def test_o2i_low_loss_at_n78() -> None:
    # 5 − 10 log10(0.3·10^-0.27 + 0.7·10^-1.9) = 12.70 dB wall, + 0.5 × 8.33 m indoors
    assert o2i_low_loss_db(3.5) == pytest.approx(12.70 + 4.17, abs=0.02)


@given(
    los=st.floats(-130, -60),
    gap=st.floats(0, 40),
    p=st.floats(0, 1),
    reliability=st.floats(0.5, 0.99),
)
def test_edge_rsrp_is_the_mixture_quantile(los, gap, p, reliability) -> None:
    nlos = los - gap
    edge = edge_rsrp_dbm(np.array([los]), np.array([nlos]), np.array([p]), 4.0, 6.0, reliability)
    share = exceedance_probability(edge, np.array([los]), np.array([nlos]), np.array([p]), 4.0, 6.0)
    # the share of fading draws above the planning RSRP is the reliability
    assert share[0] == pytest.approx(reliability, abs=2e-3)
    z = norm.ppf(reliability)
    assert nlos - z * 6.0 - 0.02 <= edge[0] <= los - z * 4.0 + 0.02


def test_invalid_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="cell_edge_reliability"):
        LinkBudget(cell_edge_reliability=1.0)
    with pytest.raises(ValueError, match="los_mode"):
        LinkBudget(los_mode="sometimes")
