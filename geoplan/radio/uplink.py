"""Uplink (PUSCH) budget: the path loss a handset can still close at a cell-edge rate.

The handset's power is fixed (its power class), so the uplink is power limited at the
cell edge. The gNB hears it through the same path, antenna pattern and terrain as the
downlink (reciprocity on one TDD carrier), so one link closes both ways or the uplink
needs less path loss than the downlink allows. For a target rate ``R`` and an
allocation of bandwidth ``B`` (whole PRBs), the uplink needs, in the uplink's share
``u`` of the frame, the spectral efficiency ``R / (u·B)``; the attenuated Shannon
curve of TR 36.942 Annex A turns it into an SINR:

    SE(SINR) = 0                          SINR < SINR_min
             = α · log2(1 + SINR)         SINR_min <= SINR < SINR_max
             = SE_max                     SINR >= SINR_max

and the maximum allowed path loss (antenna gains included) is

    MAPL = P_UE − L_body + G_rx − (−174 dBm/Hz + 10·log10 B + NF + IM + SINR_req).

The allocation that allows most path loss is searched over 1 … the carrier's PRBs: a
wider allocation needs less SINR but collects more noise, down to SINR_min.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Thermal noise density at 290 K, dBm/Hz.
THERMAL_NOISE_DBM_PER_HZ = -174.0
#: Subcarriers of one physical resource block (TS 38.211 §4.4.4.1).
SUBCARRIERS_PER_PRB = 12
#: NR FR1 bands that are TDD (TS 38.101-1 Table 5.2-1); other named bands are FDD.
TDD_BANDS: frozenset[str] = frozenset(
    {"n34", "n38", "n39", "n40", "n41", "n46", "n47", "n48", "n50", "n51", "n53", "n54",
     "n77", "n78", "n79", "n90", "n96", "n101", "n102", "n104"}
)  # fmt: skip
#: Subcarrier spacing assumed for the uplink, kHz: 30 on TDD mid-band carriers, 15 on
#: FDD low-band ones (the carrier table's 100 MHz / 3,276 and 10 MHz / 624 subcarriers).
SCS_KHZ = {"TDD": 30.0, "FDD": 15.0}


@dataclass(frozen=True)
class UplinkBudget:
    """Parameters of the PUSCH budget, with their sources.

    Attributes
    ----------
    ue_power_dbm
        Handset power: 23 dBm, power class 3 (TS 38.101-1 §6.2.1); 26 dBm is power
        class 2, allowed on n41, n77, n78 and n79.
    body_loss_db
        3 dB, as the downlink budget's handheld body loss.
    rx_gain_dbi
        Gain of the gNB's receive beam: 26 dBi, the downlink beam of the 8 × 8 array
        (:class:`~geoplan.radio.link_budget.LinkBudget` ``beam_gain_dbi``) by
        reciprocity. A site's own EIRP does not say its gain, so every site gets this.
    noise_figure_db
        gNB receiver noise figure: 5 dB (ITU-R M.2412-0 evaluation configurations).
    interference_margin_db
        Noise rise from other cells' users: 2 dB, an assumption of the order operators
        use for a macro uplink at moderate load.
    tdd_uplink_share
        Share of a TDD carrier's time that carries uplink data: 0.2, the U slot of the
        DDDSU pattern of n78 networks (the special slot's uplink symbols are left to
        sounding and control). FDD carriers have the whole uplink band: share 1.
    edge_rate_bps
        Cell-edge uplink rate to reach, bit/s, by cell environment (urban, suburban,
        rural): TR 38.830's eMBB coverage targets, urban 1 Mbit/s and rural 100 kbit/s;
        suburban cells take the urban target (they use the urban path-loss model too).
    shannon_alpha, sinr_min_db, max_spectral_efficiency
        The attenuated Shannon curve of TR 36.942 Annex A for the uplink: α = 0.4,
        SINR_min = −10 dB, SE_max = 2.0 bit/s/Hz (its downlink table has α = 0.6 and
        4.4 bit/s/Hz).

    Examples
    --------
    >>> round(float(UplinkBudget().max_path_loss_db(1e6, 273, 360e3, 0.2)), 1)
    143.4
    """

    ue_power_dbm: float = 23.0
    body_loss_db: float = 3.0
    rx_gain_dbi: float = 26.0
    noise_figure_db: float = 5.0
    interference_margin_db: float = 2.0
    tdd_uplink_share: float = 0.2
    edge_rate_bps: tuple[float, float, float] = (1.0e6, 1.0e6, 1.0e5)
    shannon_alpha: float = 0.4
    sinr_min_db: float = -10.0
    max_spectral_efficiency: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.tdd_uplink_share <= 1:
            raise ValueError(f"tdd_uplink_share must be in (0, 1], got {self.tdd_uplink_share}")
        if len(self.edge_rate_bps) != 3 or min(self.edge_rate_bps) <= 0:
            raise ValueError(f"edge_rate_bps must be 3 rates > 0, got {self.edge_rate_bps}")
        if self.shannon_alpha <= 0 or self.max_spectral_efficiency <= 0:
            raise ValueError("shannon_alpha and max_spectral_efficiency must be > 0")

    def spectral_efficiency(self, sinr_db: np.ndarray | float) -> np.ndarray:
        """Attenuated Shannon spectral efficiency at ``sinr_db``, bit/s/Hz.

        >>> UplinkBudget().spectral_efficiency(np.array([-20.0, 0.0, 40.0])).tolist()
        [0.0, 0.4, 2.0]
        """
        sinr = np.asarray(sinr_db, dtype=float)
        se = self.shannon_alpha * np.log2(1 + 10 ** (sinr / 10))
        return np.where(sinr < self.sinr_min_db, 0.0, np.minimum(se, self.max_spectral_efficiency))

    def required_sinr_db(self, spectral_efficiency: np.ndarray | float) -> np.ndarray:
        """Lowest SINR (dB) at which the curve reaches ``spectral_efficiency`` (bit/s/Hz).

        At least ``sinr_min_db``; +inf above ``max_spectral_efficiency``.

        >>> round(float(UplinkBudget().required_sinr_db(0.8)), 2)  # 2**(0.8/0.4) - 1 = 3
        4.77
        """
        se = np.asarray(spectral_efficiency, dtype=float)
        with np.errstate(over="ignore", divide="ignore"):
            sinr = 10 * np.log10(np.expm1(np.log(2.0) * se / self.shannon_alpha))
        sinr = np.maximum(np.nan_to_num(sinr, nan=-np.inf), self.sinr_min_db)
        return np.where(se > self.max_spectral_efficiency, np.inf, sinr)

    def max_path_loss_db(
        self,
        rate_bps: np.ndarray | float,
        n_prb: np.ndarray | int,
        prb_bandwidth_hz: np.ndarray | float,
        uplink_share: np.ndarray | float,
    ) -> np.ndarray:
        """Maximum allowed path loss (dB, antenna gains and body loss included) at a rate.

        The best allocation of 1 … ``n_prb`` PRBs (see the module's formula); the
        arguments broadcast, one MAPL per element.

        Parameters
        ----------
        rate_bps : float or array
            Cell-edge rate to reach, bit/s (averaged over the frame).
        n_prb : int or array
            PRBs of the carrier (the largest allocation).
        prb_bandwidth_hz : float or array
            Bandwidth of one PRB, Hz (12 subcarriers: 360 kHz at 30 kHz spacing).
        uplink_share : float or array
            Share of time the carrier carries uplink, 0..1 (1 for FDD).

        Returns
        -------
        ndarray of float
            MAPL per element, dB (−inf when no allocation reaches the rate).
        """
        rate, n_max, prb_hz, share = np.broadcast_arrays(
            *(np.asarray(a, dtype=float) for a in (rate_bps, n_prb, prb_bandwidth_hz,
                                                     uplink_share))
        )  # fmt: skip
        n = np.arange(1, int(n_max.max(initial=1)) + 1, dtype=float)
        bandwidth = prb_hz[..., None] * n
        sinr = self.required_sinr_db(rate[..., None] / (share[..., None] * bandwidth))
        noise = THERMAL_NOISE_DBM_PER_HZ + 10 * np.log10(bandwidth) + self.noise_figure_db
        mapl = self._power_budget_db - (noise + self.interference_margin_db + sinr)
        mapl = np.where(n <= n_max[..., None], mapl, -np.inf)
        return np.asarray(mapl.max(axis=-1))

    def rate_bps(
        self,
        path_loss_db: np.ndarray | float,
        n_prb: int,
        prb_bandwidth_hz: float,
        uplink_share: float,
    ) -> np.ndarray:
        """Highest uplink rate (bit/s, averaged over the frame) at a path loss.

        The best allocation of 1 … ``n_prb`` PRBs; the inverse of
        :meth:`max_path_loss_db`.

        Parameters
        ----------
        path_loss_db : float or array
            Path loss between the antennas' connectors minus their gains, dB.
        n_prb, prb_bandwidth_hz, uplink_share
            As in :meth:`max_path_loss_db`.
        """
        pl = np.asarray(path_loss_db, dtype=float)[..., None]
        bandwidth = prb_bandwidth_hz * np.arange(1, n_prb + 1, dtype=float)
        noise = THERMAL_NOISE_DBM_PER_HZ + 10 * np.log10(bandwidth) + self.noise_figure_db
        sinr = self._power_budget_db - pl - noise - self.interference_margin_db
        rate = uplink_share * bandwidth * self.spectral_efficiency(sinr)
        return np.asarray(rate.max(axis=-1))

    @property
    def _power_budget_db(self) -> float:
        return self.ue_power_dbm - self.body_loss_db + self.rx_gain_dbi

    def describe(self) -> str:
        """One line: UE power, gains and margins, the uplink share and the edge rates."""
        rates = "/".join(f"{r / 1e3:g}" for r in self.edge_rate_bps)
        return (
            f"uplink: UE {self.ue_power_dbm:g} dBm, body {self.body_loss_db:g} dB, gNB "
            f"{self.rx_gain_dbi:g} dBi NF {self.noise_figure_db:g} dB, interference margin "
            f"{self.interference_margin_db:g} dB, TDD uplink share {self.tdd_uplink_share:g}, "
            f"edge rate {rates} kbit/s (urban/suburban/rural), attenuated Shannon "
            f"alpha {self.shannon_alpha:g}"
        )


def carrier_uplink(
    band: np.ndarray, n_subcarriers: np.ndarray, tdd_uplink_share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PRBs, PRB bandwidth (Hz) and uplink time share of each site's carrier.

    A band of :data:`TDD_BANDS`, or an empty band, is TDD with ``tdd_uplink_share``
    and 30 kHz subcarriers; any other band is FDD with the whole uplink and 15 kHz.

    Parameters
    ----------
    band : array of str
        NR band per site (``"n78"``), ``""`` when unknown.
    n_subcarriers : array of float
        Subcarriers of the carrier per site.
    tdd_uplink_share : float
        Uplink share of a TDD frame, 0..1.

    >>> carrier_uplink(np.array(["n78", "n28"]), np.array([3276.0, 624.0]), 0.2)
    (array([273.,  52.]), array([360000., 180000.]), array([0.2, 1. ]))
    """
    band = np.asarray(band, dtype=str)
    tdd = np.isin(np.char.lower(band), list(TDD_BANDS)) | (band == "")
    n_prb = np.floor(np.asarray(n_subcarriers, dtype=float) / SUBCARRIERS_PER_PRB)
    scs_hz = np.where(tdd, SCS_KHZ["TDD"], SCS_KHZ["FDD"]) * 1e3
    share = np.where(tdd, tdd_uplink_share, 1.0)
    return n_prb, SUBCARRIERS_PER_PRB * scs_hz, share


def uplink_rsrp_threshold_dbm(
    eirp_per_re_dbm: np.ndarray, downlink_body_loss_db: float, max_path_loss_db: np.ndarray
) -> np.ndarray:
    """The downlink RSRP (dBm) at which the same link closes the uplink.

    The downlink RSRP is ``EIRP_RE − L_body − PL`` (pattern and terrain alike both
    ways), so the uplink closes, ``PL <= MAPL``, exactly when the RSRP reaches
    ``EIRP_RE − L_body − MAPL``; a place is usable where the RSRP reaches the higher of
    this and the downlink threshold.

    Parameters
    ----------
    eirp_per_re_dbm : float array
        The site's peak EIRP per resource element, dBm.
    downlink_body_loss_db : float
        The downlink budget's body loss, dB.
    max_path_loss_db : float array
        The uplink's MAPL (:meth:`UplinkBudget.max_path_loss_db`), dB.

    >>> float(uplink_rsrp_threshold_dbm(np.array(41.85), 3.0, np.array(143.85)))
    -105.0
    """
    return np.asarray(eirp_per_re_dbm - downlink_body_loss_db - max_path_loss_db)
