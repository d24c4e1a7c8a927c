"""Downlink SS-SINR under load, and throughput from SINR: a pure numpy core.

For a user in a cell, the serving sector is the strongest of its carrier; every other
sector on the same carrier of the same operator interferes on the share ``load`` of the
resource elements (REs) it occupies (its PRB load):

    SINR = S / (load · Σ_{i ≠ serving} P_i + N),   N = −174 dBm/Hz + 10 log10(B) + NF

with S and P_i received powers per RE (what RSRP measures) and N the thermal noise over
one RE's bandwidth (B = the subcarrier spacing; the same ratio as total powers over the
occupied bandwidth).

Throughput follows the attenuated Shannon bound of TR 36.942 Annex A (α = 0.6,
SINR_min = −10 dB), capped at the highest NR spectral efficiency (256QAM, code rate
948/1024 = 7.4063 bit/s/Hz, TS 38.214 Table 5.2.2.1-3, CQI table 2), with rank adaptation
over up to ``max_layers`` MIMO layers, times the RE rate of the carrier (TS 38.306
§4.1.2: N_PRB·12 subcarriers × 14·2^μ symbols per ms × (1 − overhead)) and the TDD
downlink share. The curve rather than TS 38.214's CQI table: the table gives each
CQI's efficiency but not the SINR at which it is reached (that mapping, for 10% BLER,
is a vendor's link-level result, not in the standard); the curve is continuous,
monotone and invertible, with three documented parameters.

Vietnam's 5G quality standard QCVN 126:2021/BTTTT §2.1.5.2 sets: average downlink
≥ 100 Mbit/s, average uplink ≥ 30 Mbit/s, and ≥ 95% of downlink samples ≥ 30 Mbit/s
(:data:`QCVN126_DL_MEAN_MBPS` and neighbours). The standard judges drive-test samples
over a service area; here each cell's samples are its **shadow-fading distribution**:
the serving link's LOS/NLOS state and log-normal shadowing (TR 38.901 σ_SF) vary, the
interference and noise are held at their values (:func:`shadowed_rate_stats`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

# The defaults a settings file may change (load, UE noise figure, MIMO layers, TDD
# downlink share, overhead) are defined once, with their sources, in geoplan.config.
from geoplan.config import (
    DEFAULT_LOAD,
    DL_OVERHEAD,
    MAX_LAYERS,
    TDD_DL_SHARE,
    UE_NOISE_FIGURE_DB,
)
from geoplan.radio.link_budget import edge_rsrp_dbm, exceedance_probability

#: Thermal noise density at 290 K, dBm/Hz (kT).
THERMAL_NOISE_DBM_PER_HZ = -174.0
#: TR 36.942 Annex A (A.2) attenuated Shannon: attenuation α and SINR_min, dB.
SHANNON_ALPHA = 0.6
SHANNON_SINR_MIN_DB = -10.0
#: Highest NR spectral efficiency per layer, bit/s/Hz: 256QAM at code rate 948/1024
#: (TS 38.214 Table 5.2.2.1-3, CQI 15 of CQI table 2).
MAX_EFFICIENCY_BPS_HZ = 8 * 948 / 1024

#: QCVN 126:2021/BTTTT §2.1.5.2 (Thông tư 07/2021/TT-BTTTT, 31 August 2021): average
#: downlink rate, Mbit/s ...
QCVN126_DL_MEAN_MBPS = 100.0
#: ... average uplink rate, Mbit/s ...
QCVN126_UL_MEAN_MBPS = 30.0
#: ... and the share of downlink samples (0..1) that must reach this rate, Mbit/s.
QCVN126_DL_SAMPLE_MBPS = 30.0
QCVN126_DL_SAMPLE_SHARE = 0.95


def thermal_noise_dbm(
    bandwidth_hz: np.ndarray | float, noise_figure_db: np.ndarray | float = UE_NOISE_FIGURE_DB
) -> np.ndarray:
    """Receiver noise power −174 dBm/Hz + 10 log10(B / Hz) + NF, dBm.

    Parameters
    ----------
    bandwidth_hz : float or array
        Noise bandwidth, Hz (a carrier's occupied bandwidth, or one subcarrier).
    noise_figure_db : float or array
        Receiver noise figure, dB.

    Returns
    -------
    ndarray
        Noise power, dBm.

    >>> float(thermal_noise_dbm(100e6, 7.0))
    -87.0
    """
    return np.asarray(
        THERMAL_NOISE_DBM_PER_HZ + 10 * np.log10(np.asarray(bandwidth_hz, float)) + noise_figure_db
    )


def dbm_to_mw(power_dbm: np.ndarray | float) -> np.ndarray:
    """Power in mW from dBm (−inf dBm gives 0 mW)."""
    return np.asarray(10.0 ** (np.asarray(power_dbm, float) / 10.0))


def mw_to_dbm(power_mw: np.ndarray | float) -> np.ndarray:
    """Power in dBm from mW (0 mW gives −inf dBm)."""
    with np.errstate(divide="ignore"):
        return np.asarray(10.0 * np.log10(np.asarray(power_mw, float)))


def sinr_db(
    serving_dbm: np.ndarray | float,
    total_dbm: np.ndarray | float,
    noise_dbm: np.ndarray | float,
    load: float = DEFAULT_LOAD,
) -> np.ndarray:
    """SINR = S / (load · (T − S) + N), dB, from the serving and the total received power.

    Parameters
    ----------
    serving_dbm : float array
        Received power of the serving sector, dBm (per RE, or over the carrier).
    total_dbm : float array
        Received power of every sector on the carrier, the serving one included, dBm.
    noise_dbm : float or array
        Noise power over the same bandwidth, dBm.
    load : float
        Share of REs the interferers occupy, 0..1.

    Returns
    -------
    ndarray
        SINR, dB (−inf where the serving power is 0 mW).

    >>> round(float(sinr_db(-90.0, 10 * np.log10(2e-9), -200.0, load=1.0)), 6) + 0.0
    0.0
    """
    _check_load(load)
    s = dbm_to_mw(serving_dbm)
    interference = np.maximum(dbm_to_mw(total_dbm) - s, 0.0)
    return mw_to_dbm(s) - mw_to_dbm(load * interference + dbm_to_mw(noise_dbm))


def _check_load(load: float) -> None:
    if not 0.0 <= load <= 1.0:
        raise ValueError(f"load must be a share of resource elements in 0..1, got {load}")


class ServerAccumulator:
    """Per cell, the strongest received power seen, its payload, and the total power.

    Feed it chunks of (cell, power) entries in any order and in as many chunks as
    memory asks. An entry is one transmitter (sector) at one cell, or a group of them
    (the sectors of one site) given with their summed power ``total_mw`` and the power
    of the strongest as ``power_dbm``. Ties keep the entry seen first (within a chunk,
    the last of the tied entries).

    Parameters
    ----------
    n_cells : int
        Number of cells.
    payload : sequence of str
        Names of per-entry values to keep for the strongest entry (e.g. its site).

    Examples
    --------
    >>> acc = ServerAccumulator(2, ["site"])
    >>> acc.add(np.array([0, 0, 1]), np.array([-90.0, -80.0, -100.0]),
    ...         {"site": np.array([7, 8, 9])})
    >>> acc.serving_dbm.tolist(), acc.payload["site"].tolist()
    ([-80.0, -100.0], [8.0, 9.0])
    """

    def __init__(self, n_cells: int, payload: tuple[str, ...] | list[str] = ()) -> None:
        self.serving_dbm = np.full(n_cells, -np.inf)
        self.total_mw = np.zeros(n_cells)
        self.payload = {name: np.full(n_cells, np.nan) for name in payload}

    def add(
        self,
        cell_idx: np.ndarray,
        power_dbm: np.ndarray,
        payload: Mapping[str, np.ndarray] | None = None,
        total_mw: np.ndarray | None = None,
    ) -> None:
        """Add entries: cell index, strongest power (dBm), payload and summed power (mW).

        ``total_mw`` (the entry's summed power, mW) defaults to the power itself.
        """
        cell_idx = np.asarray(cell_idx, dtype=np.int64)
        power_dbm = np.asarray(power_dbm, dtype=float)
        summed = dbm_to_mw(power_dbm) if total_mw is None else np.asarray(total_mw, float)
        self.total_mw += np.bincount(cell_idx, weights=summed, minlength=self.total_mw.size)
        old = self.serving_dbm[cell_idx]
        np.maximum.at(self.serving_dbm, cell_idx, power_dbm)
        new = self.serving_dbm[cell_idx]
        wins = np.flatnonzero((power_dbm == new) & (new > old))
        cells = cell_idx[wins]
        for name, values in (payload or {}).items():
            self.payload[name][cells] = np.asarray(values)[wins]

    @property
    def total_dbm(self) -> np.ndarray:
        """Received power of every entry, per cell, dBm."""
        return mw_to_dbm(self.total_mw)

    def sinr_db(self, noise_dbm: np.ndarray | float, load: float = DEFAULT_LOAD) -> np.ndarray:
        """SINR per cell, dB (−inf for cells no entry reached); see :func:`sinr_db`."""
        return sinr_db(self.serving_dbm, self.total_dbm, noise_dbm, load)


def mixture_median_dbm(
    los_dbm: np.ndarray,
    nlos_dbm: np.ndarray,
    p_los: np.ndarray,
    sigma_los_db: float,
    sigma_nlos_db: float,
    tolerance_db: float = 0.01,
) -> np.ndarray:
    """Median of the LOS/NLOS log-normal mixture (dBm), bracketed before bisecting.

    The median x solves p·Φ((L − x)/σ_L) + (1 − p)·Φ((N − x)/σ_N) = ½. With p < ½ the
    NLOS term alone lies in [½ − p, ½], so x is within
    [N − σ_N Φ⁻¹(½/(1 − p)), N − σ_N Φ⁻¹((½ − p)/(1 − p))] (and symmetrically for LOS):
    for the far links, where p is small, that bracket is already narrower than the
    tolerance, and only the others go to
    a safeguarded Newton iteration (the same quantile as
    :func:`~geoplan.radio.link_budget.edge_rsrp_dbm` at reliability ½, faster).

    Parameters
    ----------
    los_dbm, nlos_dbm : float arrays
        Median power if LOS, and if NLOS, dBm.
    p_los : float array
        LOS probability, 0..1.
    sigma_los_db, sigma_nlos_db : float
        Shadow-fading standard deviations, dB.
    tolerance_db : float
        Accuracy, dB.

    >>> float(mixture_median_dbm(np.array([-60.0]), np.array([-100.0]), np.array([0.0]),
    ...                          4.0, 6.0)[0])
    -100.0
    """
    los, nlos, p = (np.asarray(a, dtype=float) for a in (los_dbm, nlos_dbm, p_los))
    major = np.where(p < 0.5, nlos, los)
    sigma = np.where(p < 0.5, sigma_nlos_db, sigma_los_db)
    minor = np.minimum(p, 1 - p)
    with np.errstate(divide="ignore"):
        low = major - sigma * ndtri(np.minimum(0.5 / (1 - minor), 1.0))
        high = major - sigma * ndtri((0.5 - minor) / (1 - minor))
    low = np.maximum(low, np.minimum(los, nlos))  # the median lies between the two medians
    high = np.minimum(high, np.maximum(los, nlos))
    x = 0.5 * (low + high)
    wide = np.flatnonzero(~(high - low <= 2 * tolerance_db))
    if wide.size:
        x[wide] = _median_newton(los[wide], nlos[wide], p[wide], sigma_los_db, sigma_nlos_db,
                                 low[wide], high[wide], tolerance_db)  # fmt: skip
    return x


def _median_newton(
    los: np.ndarray,
    nlos: np.ndarray,
    p: np.ndarray,
    sigma_los_db: float,
    sigma_nlos_db: float,
    low: np.ndarray,
    high: np.ndarray,
    tolerance_db: float,
) -> np.ndarray:
    """Safeguarded Newton on the mixture's exceedance − ½ inside [low, high].

    Each step keeps the bracket (the exceedance falls with x); a Newton step leaving it
    is replaced by the bracket's midpoint, so the bracket at least halves or Newton
    converges (quadratically); stops when every bracket or step is within tolerance.
    """
    s_los, s_nlos = max(sigma_los_db, 1e-9), max(sigma_nlos_db, 1e-9)
    x = 0.5 * (low + high)
    todo = np.arange(x.size)  # the links still iterating (most converge in 2-3 steps)
    for _ in range(64):
        xt, lo, hi, pt = x[todo], low[todo], high[todo], p[todo]
        z_los, z_nlos = (los[todo] - xt) / s_los, (nlos[todo] - xt) / s_nlos
        f = pt * ndtr(z_los) + (1 - pt) * ndtr(z_nlos) - 0.5
        slope = pt * _phi(z_los) / s_los + (1 - pt) * _phi(z_nlos) / s_nlos
        lo, hi = np.where(f > 0, xt, lo), np.where(f > 0, hi, xt)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xt + f / slope
        new = np.where((step > lo) & (step < hi), step, 0.5 * (lo + hi))
        done = (np.abs(new - xt) <= 0.5 * tolerance_db) | (hi - lo <= tolerance_db)
        x[todo], low[todo], high[todo] = new, lo, hi
        todo = todo[~done]
        if todo.size == 0:
            break
    return x


def _phi(z: np.ndarray) -> np.ndarray:
    return np.asarray(np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi))


def best_server_sinr_db(
    power_dbm: np.ndarray,
    noise_dbm: np.ndarray | float,
    load: float = DEFAULT_LOAD,
    chunk_cells: int = 65_536,
) -> tuple[np.ndarray, np.ndarray]:
    """Best-server SINR from a dense cells × sectors array of received powers.

    Parameters
    ----------
    power_dbm : (n_cells, n_sectors) float array
        Received power of every sector on one carrier at every cell, dBm (−inf: none).
    noise_dbm : float or (n_cells,) array
        Noise power over the same bandwidth, dBm.
    load : float
        Share of REs the interferers occupy, 0..1.
    chunk_cells : int
        Cells per batch (bounds the temporary arrays).

    Returns
    -------
    (sinr_db, serving) : float array of dB and int array of the serving sector's column

    >>> sinr, serving = best_server_sinr_db(np.array([[-80.0, -80.0]]), -200.0, load=1.0)
    >>> round(float(sinr[0]), 6) + 0.0, int(serving[0])
    (0.0, 0)
    """
    power_dbm = np.asarray(power_dbm, dtype=float)
    n_cells = power_dbm.shape[0]
    noise = np.broadcast_to(np.asarray(noise_dbm, float), (n_cells,))
    out = np.empty(n_cells)
    serving = np.empty(n_cells, dtype=np.int64)
    for start in range(0, n_cells, max(chunk_cells, 1)):
        part = slice(start, start + chunk_cells)
        block = power_dbm[part]
        serving[part] = np.argmax(block, axis=1)
        best = block.max(axis=1)
        total = mw_to_dbm(dbm_to_mw(block).sum(axis=1))
        out[part] = sinr_db(best, total, noise[part], load)
    return out, serving


@dataclass(frozen=True)
class ShannonCurve:
    """Attenuated Shannon bound of TR 36.942 Annex A, with NR's efficiency cap and MIMO.

    Per layer: 0 below ``sinr_min_db``, else min(α log2(1 + SINR), ``max_efficiency``);
    with up to ``max_layers`` layers, the rank l of the highest l · f(SINR / l) (power
    split equally, no receive-combining gain).

    Attributes
    ----------
    alpha : attenuation α, 0..1 (0.6, TR 36.942 A.2)
    sinr_min_db : below this SINR nothing is decoded, dB (−10 dB, TR 36.942 A.2)
    max_efficiency : highest spectral efficiency per layer, bit/s/Hz (7.4063, 256QAM)
    max_layers : MIMO layers rank adaptation may use (2)

    Examples
    --------
    >>> curve = ShannonCurve(max_layers=1)
    >>> curve.efficiency(np.array([-20.0, 0.0, 60.0])).round(4).tolist()
    [0.0, 0.6, 7.4062]
    """

    alpha: float = SHANNON_ALPHA
    sinr_min_db: float = SHANNON_SINR_MIN_DB
    max_efficiency: float = MAX_EFFICIENCY_BPS_HZ
    max_layers: int = MAX_LAYERS

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {self.alpha}")
        if self.max_layers < 1:
            raise ValueError(f"max_layers must be >= 1, got {self.max_layers}")

    def layer_efficiency(self, sinr_db: np.ndarray | float) -> np.ndarray:
        """Spectral efficiency of one layer at ``sinr_db``, bit/s/Hz."""
        sinr = np.asarray(sinr_db, dtype=float)
        shannon = self.alpha * np.log2(1.0 + 10.0 ** (sinr / 10.0))
        return np.where(sinr < self.sinr_min_db, 0.0, np.minimum(shannon, self.max_efficiency))

    def efficiency(self, sinr_db: np.ndarray | float) -> np.ndarray:
        """Spectral efficiency at ``sinr_db`` with rank adaptation, bit/s/Hz.

        Parameters
        ----------
        sinr_db : float array
            SINR, dB (−inf allowed).

        Returns
        -------
        ndarray
            bit/s/Hz, in 0..``max_layers · max_efficiency``, non-decreasing in SINR.
        """
        sinr = np.asarray(sinr_db, dtype=float)
        best = self.layer_efficiency(sinr)
        for layers in range(2, self.max_layers + 1):
            split = layers * self.layer_efficiency(sinr - 10 * np.log10(layers))
            best = np.maximum(best, split)
        return best

    def required_sinr_db(
        self, efficiency: np.ndarray | float, tolerance_db: float = 1e-3
    ) -> np.ndarray:
        """Lowest SINR (dB) whose efficiency reaches ``efficiency`` (bisection).

        +inf where the target exceeds the cap, −inf where it is <= 0.

        >>> curve = ShannonCurve(max_layers=1)
        >>> round(float(curve.required_sinr_db(0.6)), 2)
        0.0
        """
        target = np.asarray(efficiency, dtype=float)
        low = np.full(target.shape, self.sinr_min_db - 1.0)
        high = np.full(target.shape, 10 * np.log10(2 ** (self.max_efficiency / self.alpha))
                       + 10 * np.log10(self.max_layers) + 1.0)  # fmt: skip
        for _ in range(int(np.ceil(np.log2((high - low).max(initial=1.0) / tolerance_db)))):
            mid = 0.5 * (low + high)
            reached = self.efficiency(mid) >= target
            high = np.where(reached, mid, high)
            low = np.where(reached, low, mid)
        cap = self.max_layers * self.max_efficiency
        return np.where(target <= 0, -np.inf, np.where(target > cap, np.inf, high))


def re_rate_hz(
    n_subcarriers: np.ndarray | float,
    subcarrier_spacing_khz: np.ndarray | float,
    dl_share: np.ndarray | float = TDD_DL_SHARE,
    overhead: float = DL_OVERHEAD,
) -> np.ndarray:
    """Downlink data REs per second: N_sc · 14 · 2^μ symbols/ms · (1 − OH) · DL share.

    The rate in bit/s is this times the spectral efficiency (TS 38.306 §4.1.2, with
    v_layers · Q_m · R as the efficiency).

    Parameters
    ----------
    n_subcarriers : subcarriers of the carrier (N_PRB · 12)
    subcarrier_spacing_khz : 15 · 2^μ kHz
    dl_share : downlink share of the frame, 0..1 (1 for FDD)
    overhead : control and reference-signal overhead, 0..1

    >>> round(float(re_rate_hz(3276, 30.0, 1.0, 0.0)) / 1e6, 3)
    91.728
    """
    symbols_per_s = 14_000.0 * np.asarray(subcarrier_spacing_khz, float) / 15.0
    return np.asarray(np.asarray(n_subcarriers, float) * symbols_per_s * (1 - overhead) * dl_share)


def dl_throughput_mbps(
    sinr_db: np.ndarray | float,
    re_rate: np.ndarray | float,
    curve: ShannonCurve | None = None,
    load: float = 0.0,
) -> np.ndarray:
    """Downlink throughput of one user, Mbit/s: efficiency(SINR) · RE rate · (1 − load).

    ``load`` 0 is the **peak** user class (alone in its cell); with the cell's own load
    ρ, the **loaded** class gets the share 1 − ρ that processor sharing leaves a new flow
    (the M/G/1-PS mean, as in Bonald & Proutière's cell dimensioning).

    Parameters
    ----------
    sinr_db : float array
        SINR, dB.
    re_rate : float array
        Data REs per second (:func:`re_rate_hz`).
    curve : ShannonCurve or None
        The efficiency curve (the defaults when None).
    load : float
        Own-cell load, 0..1.

    >>> round(float(dl_throughput_mbps(0.0, 1e6, ShannonCurve(max_layers=1))), 3)
    0.6
    """
    _check_load(load)
    curve = curve or ShannonCurve()
    return np.asarray(curve.efficiency(sinr_db) * np.asarray(re_rate, float) * (1 - load) / 1e6)


def qcvn_downlink_holds(
    mean_mbps: np.ndarray | float, share_at_sample_rate: np.ndarray | float
) -> np.ndarray:
    """QCVN 126:2021 downlink: mean ≥ 100 Mbit/s and ≥ 95% of samples ≥ 30 Mbit/s.

    Parameters
    ----------
    mean_mbps : float array
        Mean downlink rate over the samples, Mbit/s.
    share_at_sample_rate : float array
        Share of samples at or above :data:`QCVN126_DL_SAMPLE_MBPS`, 0..1.

    >>> qcvn_downlink_holds(np.array([120.0, 120.0, 90.0]), np.array([0.96, 0.9, 1.0]))
    array([ True, False, False])
    """
    return np.asarray(
        (np.asarray(mean_mbps) >= QCVN126_DL_MEAN_MBPS)
        & (np.asarray(share_at_sample_rate) >= QCVN126_DL_SAMPLE_SHARE)
    )


@dataclass(frozen=True)
class ServingLink:
    """The serving sector's link per cell, for the shadow-fading sample distribution.

    Attributes
    ----------
    los_dbm, nlos_dbm : median received power if LOS, and if NLOS, dBm
    p_los : LOS probability, 0..1
    sigma_los_db, sigma_nlos_db : shadow-fading standard deviations, dB
    """

    los_dbm: np.ndarray
    nlos_dbm: np.ndarray
    p_los: np.ndarray
    sigma_los_db: np.ndarray
    sigma_nlos_db: np.ndarray


def shadowed_rate_stats(
    link: ServingLink,
    interference_noise_dbm: np.ndarray,
    rate_per_efficiency_mbps: np.ndarray,
    curve: ShannonCurve | None = None,
    sample_rate_mbps: float = QCVN126_DL_SAMPLE_MBPS,
    nodes: int = 16,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median SINR, mean rate and share of samples ≥ a rate, over the shadowing.

    The samples of a cell: its serving power draws LOS with probability ``p_los`` and a
    log-normal shadowing of that state; interference plus noise stays fixed. The mean is
    Gauss–Hermite quadrature over each state; the share is exact
    (P(S ≥ SINR_req · (I + N)), the rate being monotone in S).

    Parameters
    ----------
    link : ServingLink
        The serving link per cell.
    interference_noise_dbm : float array
        load · interference + noise per cell, dBm (same bandwidth as the link powers).
    rate_per_efficiency_mbps : float array
        Mbit/s per bit/s/Hz per cell (RE rate · (1 − own load) / 10⁶).
    curve : ShannonCurve or None
        Efficiency curve (the defaults when None).
    sample_rate_mbps : float
        The rate a sample must reach, Mbit/s.
    nodes : int
        Gauss–Hermite nodes per state.

    Returns
    -------
    (median_sinr_db, mean_mbps, share_at_rate) : float arrays per cell
    """
    curve = curve or ShannonCurve()
    served = np.isfinite(link.los_dbm) & np.isfinite(link.nlos_dbm)
    if not served.all():  # cells no sector reaches: no SINR, no rate, no sample
        return _shadowed_served(
            link, served, interference_noise_dbm, rate_per_efficiency_mbps, curve,
            sample_rate_mbps, nodes,
        )  # fmt: skip
    x, w = np.polynomial.hermite.hermgauss(nodes)
    z = np.sqrt(2.0) * x
    weight = w / np.sqrt(np.pi)
    per_eff = np.asarray(rate_per_efficiency_mbps, float)
    i_n = np.asarray(interference_noise_dbm, float)
    mean = np.zeros(i_n.shape)
    grid_db, grid_eff = _efficiency_table(curve)
    for median, sigma, p in ((link.los_dbm, link.sigma_los_db, link.p_los),
                             (link.nlos_dbm, link.sigma_nlos_db, 1 - link.p_los)):  # fmt: skip
        sinr = median[:, None] + sigma[:, None] * z[None, :] - i_n[:, None]
        rates = np.interp(sinr, grid_db, grid_eff)  # the curve at 0.01 dB steps
        mean += p * (rates @ weight) * per_eff
    median_serving = edge_rsrp_dbm(
        link.los_dbm, link.nlos_dbm, link.p_los, link.sigma_los_db, link.sigma_nlos_db, 0.5
    )  # per cell, its sigmas vary
    with np.errstate(divide="ignore", invalid="ignore"):
        required_eff = np.where(per_eff > 0, sample_rate_mbps / per_eff, np.inf)
    level = curve.required_sinr_db(required_eff) + i_n
    share = exceedance_probability(
        level, link.los_dbm, link.nlos_dbm, link.p_los, link.sigma_los_db, link.sigma_nlos_db
    )
    share = np.where(np.isposinf(level), 0.0, np.where(np.isneginf(level), 1.0, share))
    return median_serving - i_n, mean, share


def _efficiency_table(curve: ShannonCurve, step_db: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """The curve sampled every ``step_db`` from below SINR_min to past its cap."""
    top = 10 * np.log10(2 ** (curve.max_efficiency / curve.alpha)) + 10 * np.log10(curve.max_layers)
    grid = np.arange(curve.sinr_min_db - step_db, top + 1.0, step_db)
    grid = np.r_[grid[0] - step_db, grid]  # exactly 0 below SINR_min
    return grid, curve.efficiency(grid)


def _shadowed_served(
    link: ServingLink,
    served: np.ndarray,
    interference_noise_dbm: np.ndarray,
    rate_per_efficiency_mbps: np.ndarray,
    curve: ShannonCurve,
    sample_rate_mbps: float,
    nodes: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`shadowed_rate_stats` on the served cells; NaN SINR and zero rate elsewhere."""
    n = served.size
    arrays = (link.los_dbm, link.nlos_dbm, link.p_los, link.sigma_los_db, link.sigma_nlos_db)
    sub = ServingLink(*(np.asarray(a, float)[served] for a in arrays))
    sinr, mean, share = shadowed_rate_stats(
        sub, np.asarray(interference_noise_dbm, float)[served],
        np.asarray(rate_per_efficiency_mbps, float)[served], curve, sample_rate_mbps, nodes,
    )  # fmt: skip
    out = (np.full(n, np.nan), np.zeros(n), np.zeros(n))
    for full, part in zip(out, (sinr, mean, share), strict=True):
        full[served] = part
    return out
