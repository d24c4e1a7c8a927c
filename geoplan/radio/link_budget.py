"""Downlink link budget: EIRP per resource element, losses, shadow fading and RSRP.

RSRP is the power of one reference-signal resource element (RE) at the user, so the
budget spreads the transmit power over the carrier's subcarriers:

    RSRP = EIRP_RE + G_antenna(pattern, <= 0) - PL - L_body - L_penetration - L_terrain

Shadow fading is log-normal with the model's σ_SF (LOS and NLOS differ). A place is
covered when RSRP >= the threshold with probability >= the cell-edge reliability; the
LOS probability of TR 38.901 Table 7.4.2-1 mixes the LOS and NLOS states.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from geoplan.radio.antenna import HPBW_DEG, MAX_ATTENUATION_DB

LOS_MODES = ("mixed", "nlos")


@dataclass(frozen=True)
class LinkBudget:
    """Parameters of the downlink budget, with their sources.

    Attributes
    ----------
    tx_power_dbm
        Transmit power of one sector over the whole carrier: 51 dBm. ITU-R M.2412-0's
        4 GHz evaluation configuration gives a macro BS 44 dBm per 20 MHz (figure
        recalled, not re-checked against the document offline); the same power
        density over an n78 100 MHz carrier is 51 dBm (126 W).
    beam_gain_dbi
        Peak gain of the sector's beam: 26 dBi = 8 dBi per element (TR 38.901 Table
        7.3-1, G_E,max) + 18 dB array gain of 8 × 8 elements, the M.2412 array.
        Together: EIRP 77 dBm, the class of a 64T64R n78 AAU.
    n_subcarriers
        3,276 = 273 PRB × 12 at 100 MHz and 30 kHz spacing (TS 38.101-1 Table
        5.3.2-1); RSRP is per subcarrier (RE), hence EIRP_RE = EIRP − 35.2 dB.
    ue_height_m
        1.5 m, the standard's outdoor user height.
    body_loss_db
        3 dB, the handheld body loss of usual operator link budgets.
    penetration_loss_db
        0 dB: coverage is outdoor, as in the radius model. For indoor users set it,
        e.g. to :func:`o2i_low_loss_db` (TR 38.901 §7.4.3 low-loss building, about
        17 dB at 3.5 GHz).
    cell_edge_reliability
        0.90: a place counts as covered when RSRP exceeds the threshold in 90% of
        shadow-fading draws (with σ_SF 6 dB, UMa NLOS, a 7.7 dB margin).
    rsrp_threshold_dbm
        −110 dBm SS-RSRP, a common operator design target for the edge of 5G
        outdoor coverage (3GPP sets no coverage threshold; UE sensitivity is far lower).
    downtilt_deg
        Boresight tilt below the horizon, degrees (0 by default: with a 65° vertical
        beam it changes RSRP by < 0.2 dB beyond 300 m).
    los_mode
        ``"mixed"`` (LOS and NLOS weighted by the LOS probability) or ``"nlos"``
        (every link NLOS: the conservative classic budget).
    default_frequency_ghz
        3.5 GHz (n78) for sites without a ``frequency_ghz`` column.
    """

    tx_power_dbm: float = 51.0
    beam_gain_dbi: float = 26.0
    n_subcarriers: int = 3276
    ue_height_m: float = 1.5
    body_loss_db: float = 3.0
    penetration_loss_db: float = 0.0
    cell_edge_reliability: float = 0.90
    rsrp_threshold_dbm: float = -110.0
    downtilt_deg: float = 0.0
    hpbw_deg: float = HPBW_DEG
    front_to_back_db: float = MAX_ATTENUATION_DB
    los_mode: str = "mixed"
    default_frequency_ghz: float = 3.5

    def __post_init__(self) -> None:
        if not 0.5 <= self.cell_edge_reliability < 1.0:
            raise ValueError(
                f"cell_edge_reliability must be in [0.5, 1), got {self.cell_edge_reliability}"
            )
        if self.los_mode not in LOS_MODES:
            raise ValueError(f"los_mode must be one of {LOS_MODES}, got {self.los_mode!r}")
        if self.n_subcarriers < 1:
            raise ValueError(f"n_subcarriers must be >= 1, got {self.n_subcarriers}")

    @property
    def eirp_dbm(self) -> float:
        """Peak EIRP of one sector over the whole carrier, dBm."""
        return self.tx_power_dbm + self.beam_gain_dbi

    @property
    def eirp_per_re_dbm(self) -> float:
        """Peak EIRP of one resource element, dBm (what RSRP measures).

        >>> round(LinkBudget().eirp_per_re_dbm, 2)
        41.85
        """
        return float(self.eirp_dbm - 10 * np.log10(self.n_subcarriers))

    @property
    def fixed_losses_db(self) -> float:
        """Losses that do not depend on the link: body and building penetration."""
        return self.body_loss_db + self.penetration_loss_db

    def describe(self) -> str:
        """One line with EIRP (dBm), UE height (m), losses (dB) and the RSRP criterion."""
        return (
            f"EIRP {self.eirp_dbm:g} dBm ({self.eirp_per_re_dbm:.1f} dBm per RE), "
            f"UE {self.ue_height_m:g} m, body {self.body_loss_db:g} dB, "
            f"penetration {self.penetration_loss_db:g} dB, "
            f"RSRP >= {self.rsrp_threshold_dbm:g} dBm at {self.cell_edge_reliability:.0%} "
            f"cell-edge reliability, {self.los_mode} LOS/NLOS"
        )


def shadow_fading_margin_db(reliability: float, sigma_db: float) -> float:
    """Margin for log-normal shadow fading: Φ⁻¹(reliability) · σ_SF (dB).

    Parameters
    ----------
    reliability : float
        Share of shadow-fading draws that must exceed the level, 0..1.
    sigma_db : float
        Shadow-fading standard deviation σ_SF, dB.

    >>> round(shadow_fading_margin_db(0.90, 6.0), 2)
    7.69
    """
    return float(ndtri(reliability) * sigma_db)


def o2i_low_loss_db(frequency_ghz: float, indoor_distance_m: float = 25.0 / 3.0) -> float:
    """Outdoor-to-indoor loss of TR 38.901 §7.4.3, low-loss model, dB.

    PL_tw = 5 − 10 log10(0.3·10^(−L_glass/10) + 0.7·10^(−L_concrete/10)) with
    L_glass = 2 + 0.2 f, L_concrete = 5 + 4 f, plus PL_in = 0.5 d_2D-in; the default
    indoor distance is the mean of the standard's min of two uniform(0, 25 m) draws.

    Parameters
    ----------
    frequency_ghz : float
        Carrier frequency, GHz.
    indoor_distance_m : float
        Distance from the wall to the user, metres.

    >>> round(o2i_low_loss_db(3.5), 1)
    16.9
    """
    l_glass = 2 + 0.2 * frequency_ghz
    l_concrete = 5 + 4 * frequency_ghz
    wall = 5 - 10 * np.log10(0.3 * 10 ** (-l_glass / 10) + 0.7 * 10 ** (-l_concrete / 10))
    return float(wall + 0.5 * indoor_distance_m)


def exceedance_probability(
    level_dbm: np.ndarray | float,
    rsrp_los_dbm: np.ndarray,
    rsrp_nlos_dbm: np.ndarray,
    p_los: np.ndarray,
    sigma_los_db: np.ndarray | float,
    sigma_nlos_db: np.ndarray | float,
) -> np.ndarray:
    """P(RSRP >= level) for the LOS/NLOS mixture with log-normal shadow fading.

    Parameters
    ----------
    level_dbm : float or array
        The RSRP level, dBm.
    rsrp_los_dbm, rsrp_nlos_dbm : float arrays
        Median RSRP if the link is LOS, and if it is NLOS, dBm.
    p_los : float array
        Probability of LOS, 0..1.
    sigma_los_db, sigma_nlos_db : float or array
        Shadow-fading standard deviations, dB.

    Returns
    -------
    float array
        Probability, 0..1.

    >>> float(exceedance_probability(-100.0, np.array(-100.0), np.array(-100.0),
    ...                              np.array(0.5), 4.0, 6.0))
    0.5
    """
    s_los = np.maximum(sigma_los_db, 1e-9)
    s_nlos = np.maximum(sigma_nlos_db, 1e-9)
    return np.asarray(
        p_los * ndtr((rsrp_los_dbm - level_dbm) / s_los)
        + (1 - p_los) * ndtr((rsrp_nlos_dbm - level_dbm) / s_nlos)
    )


def edge_rsrp_dbm(
    rsrp_los_dbm: np.ndarray,
    rsrp_nlos_dbm: np.ndarray,
    p_los: np.ndarray,
    sigma_los_db: np.ndarray | float,
    sigma_nlos_db: np.ndarray | float,
    reliability: float,
    tolerance_db: float = 0.01,
) -> np.ndarray:
    """RSRP exceeded with probability ``reliability`` (the planning RSRP), dBm.

    The mixture's quantile lies between the LOS and NLOS quantiles
    (median − Φ⁻¹(reliability)·σ_SF); a vectorised bisection finds it to
    ``tolerance_db``. With ``p_los`` 0 it is the classic NLOS median minus margin.

    Parameters
    ----------
    rsrp_los_dbm, rsrp_nlos_dbm : float arrays
        Median RSRP if LOS, and if NLOS, dBm.
    p_los : float array
        Probability of LOS, 0..1.
    sigma_los_db, sigma_nlos_db : float or array
        Shadow-fading standard deviations, dB.
    reliability : float
        Cell-edge reliability, 0.5..1 (e.g. 0.90).
    tolerance_db : float
        Bisection accuracy, dB.

    >>> float(edge_rsrp_dbm(np.array(-90.0), np.array(-100.0), np.array(0.0), 4.0, 6.0,
    ...                     0.5))
    -100.0
    """
    z = float(ndtri(reliability))
    q_los = rsrp_los_dbm - z * np.asarray(sigma_los_db)
    q_nlos = rsrp_nlos_dbm - z * np.asarray(sigma_nlos_db)
    low = np.minimum(q_los, q_nlos)
    high = np.maximum(q_los, q_nlos)
    p = np.asarray(p_los, dtype=float)
    pure = (p <= 0.0) | (p >= 1.0)
    width = float(np.max(high - low, initial=0.0))
    steps = int(np.ceil(np.log2(max(width, tolerance_db) / tolerance_db)))
    for _ in range(steps):
        mid = 0.5 * (low + high)
        above = (
            exceedance_probability(mid, rsrp_los_dbm, rsrp_nlos_dbm, p, sigma_los_db, sigma_nlos_db)
            >= reliability
        )
        low = np.where(above, mid, low)
        high = np.where(above, high, mid)
    mixed = 0.5 * (low + high)
    return np.where(pure, np.where(p >= 1.0, q_los, q_nlos), mixed)
