"""Best-server SS-SINR and downlink throughput under load, per operator (issue 16).

The adapter between :class:`~geoplan.sites.Sites` / :class:`~geoplan.grid.Cells` and the
pure core :mod:`geoplan.radio.sinr`. Sites are grouped by **carrier**: the same
operator (the ``operator`` column, compared case-insensitively) on the same centre
frequency (``frequency_ghz``). Within a carrier every sector of every site is a
transmitter; at each cell the strongest is the server and all the others interfere at
the load; sites of other operators, or of the operator's other carriers, never do.

Received power per sector and cell uses the radio model's own physics (TR 38.901 path
loss by environment, the sector pattern, the EIRP per RE of ``eirp_dbm`` and
``n_subcarriers``, body loss, terrain diffraction when the model has a terrain), at
median shadowing, with the LOS and NLOS states averaged in power by the LOS
probability. Sectors whose boresight power at a distance stays more than
``DownlinkSettings.interference_floor_db`` below the noise are left out there.

Each cell's samples (for the QCVN 126 test) are its serving link's shadow-fading
distribution (:func:`geoplan.radio.sinr.shadowed_rate_stats`); an operator's value at a
cell is that of its carrier with the highest mean rate there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geoplan.config import (
    DEFAULT_LOAD,
    DL_OVERHEAD,
    TDD_DL_SHARE,
    UE_NOISE_FIGURE_DB,
    PlanConfig,
)
from geoplan.grid import Cells
from geoplan.models.radio import (
    PAIR_MODELS,
    RadioModel,
    pair_chunks,
    site_column,
)
from geoplan.radio.antenna import bearing_deg, element_pattern_db
from geoplan.radio.link_budget import LinkBudget, exceedance_probability
from geoplan.radio.pathloss import SHADOW_FADING_DB, los_probability, path_loss_db
from geoplan.radio.sinr import (
    QCVN126_DL_SAMPLE_MBPS,
    ServerAccumulator,
    ServingLink,
    ShannonCurve,
    dbm_to_mw,
    dl_throughput_mbps,
    mixture_median_dbm,
    mw_to_dbm,
    qcvn_downlink_holds,
    re_rate_hz,
    shadowed_rate_stats,
    thermal_noise_dbm,
)
from geoplan.radio.terrain import Terrain, diffraction_loss_db
from geoplan.sites import Sites

#: Operator name for sites without an ``operator`` column.
NO_OPERATOR = "*"
_PAYLOAD = ("site", "los_dbm", "nlos_dbm", "p_los", "sigma_los_db", "sigma_nlos_db")


@dataclass(frozen=True)
class DownlinkSettings:
    """Load, noise, throughput curve and frame of the SINR/throughput layer.

    The defaults are :mod:`geoplan.config`'s; :func:`downlink_settings` takes the
    settings-file values (``[sinr]``) from a :class:`~geoplan.config.PlanConfig`.

    Attributes
    ----------
    load : share of REs every interfering sector occupies, 0..1 (its PRB load); 0.5
        (:data:`~geoplan.config.DEFAULT_LOAD`)
    user_share : share of the serving cell's REs a user in a loaded cell gets, 0..1;
        None: 1 − ``load`` (processor sharing in a cell as loaded as its neighbours)
    noise_figure_db : UE noise figure, dB (7)
    curve : attenuated-Shannon curve (TR 36.942 α 0.6, SINR_min −10 dB, 7.4063 bit/s/Hz
        per layer, 2 layers)
    tdd_dl_share : downlink share of a TDD frame (52/70, DDDSU 10:2:2); FDD carriers 1
    overhead : downlink overhead (0.14, TS 38.306)
    bandwidth_mhz : carrier bandwidth for sites without ``bandwidth_mhz`` (100)
    duplex : ``"TDD"`` or ``"FDD"`` for sites without ``duplex`` (TDD)
    interference_floor_db : sectors more than this below the noise (dB, boresight
        median) are not evaluated (10 dB: each adds < 0.4 dB to I + N)
    sample_rate_mbps : the rate a QCVN sample must reach (30 Mbit/s)
    """

    load: float = DEFAULT_LOAD
    user_share: float | None = None
    noise_figure_db: float = UE_NOISE_FIGURE_DB
    curve: ShannonCurve = field(default_factory=ShannonCurve)
    tdd_dl_share: float = TDD_DL_SHARE
    overhead: float = DL_OVERHEAD
    bandwidth_mhz: float = 100.0
    duplex: str = "TDD"
    interference_floor_db: float = 10.0
    sample_rate_mbps: float = QCVN126_DL_SAMPLE_MBPS

    @property
    def loaded_user_share(self) -> float:
        """Share of the serving cell's REs the loaded user class gets, 0..1."""
        return 1.0 - self.load if self.user_share is None else self.user_share

    def __post_init__(self) -> None:
        if not 0.0 <= self.load <= 1.0:
            raise ValueError(f"load must be a share of resource elements in 0..1, got {self.load}")
        if self.user_share is not None and not 0.0 <= self.user_share <= 1.0:
            raise ValueError(f"user_share must be in 0..1, got {self.user_share}")
        if self.duplex not in ("TDD", "FDD"):
            raise ValueError(f"duplex must be 'TDD' or 'FDD', got {self.duplex!r}")


def downlink_settings(config: PlanConfig) -> DownlinkSettings:
    """The SINR/throughput settings of a :class:`~geoplan.config.PlanConfig` (``[sinr]``).

    Load, the loaded user's share, the UE noise figure, MIMO layers, TDD downlink share
    and overhead come from ``config``; what stays Python-only (the curve's α and
    SINR_min, the fallback bandwidth and duplex, the interference floor, QCVN's
    30 Mbit/s) keeps its documented default.

    >>> full = PlanConfig(sinr_load_share=1.0, sinr_user_share=0.5, mimo_layers=4)
    >>> downlink_settings(full).curve.max_layers, downlink_settings(full).loaded_user_share
    (4, 0.5)
    >>> downlink_settings(PlanConfig()) == DownlinkSettings()
    True
    """
    return DownlinkSettings(
        load=config.sinr_load_share,
        user_share=config.sinr_user_share,
        noise_figure_db=config.ue_noise_figure_db,
        curve=ShannonCurve(max_layers=config.mimo_layers),
        tdd_dl_share=config.tdd_downlink_share,
        overhead=config.downlink_overhead_share,
    )


@dataclass(frozen=True)
class SinrThroughput:
    """Per operator and cell: median SINR, rates, QCVN 126 downlink, the server.

    Arrays are (n_operators, n_cells), rows in the order of ``operators``.

    Attributes
    ----------
    operators : operator names, sorted (as the ``operator`` column spells them first)
    sinr_db : median SS-SINR over the cell's samples, dB; NaN where no sector reaches
    peak_mbps : downlink rate of a user alone in its cell at the median SINR, Mbit/s
    mean_mbps : mean downlink rate of a user in a loaded cell (who gets the share
        ``settings.loaded_user_share`` of its REs) over the cell's samples, Mbit/s
    share_at_sample_rate : share of those samples at or above 30 Mbit/s, 0..1
    qcvn_dl : QCVN 126 downlink holds (mean ≥ 100 Mbit/s and ≥ 95% of samples ≥ 30)
    signal_reliable : the serving sector alone meets the signal layer's test (its RSRP
        reaches the budget's threshold at the cell-edge reliability)
    serving_site : row of ``sites`` of the serving sector's site, −1 for none
    population : people per cell
    n_pairs : site–cell pairs evaluated
    settings : the settings used
    """

    operators: tuple[str, ...]
    sinr_db: np.ndarray
    peak_mbps: np.ndarray
    mean_mbps: np.ndarray
    share_at_sample_rate: np.ndarray
    qcvn_dl: np.ndarray
    serving_site: np.ndarray
    population: np.ndarray
    n_pairs: int
    settings: DownlinkSettings
    signal_reliable: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))

    @property
    def qcvn_covered(self) -> np.ndarray:
        """The QCVN layer, (n_operators, n_cells) bool: QCVN DL holds where the signal does.

        QCVN 126's sample test (95% ≥ 30 Mbit/s) asks less than −110 dBm at 90% where the
        noise dominates, so the layer asks both, like every layer asks the signal's test.
        """
        return np.asarray(self.qcvn_dl & self.signal_reliable)

    def qcvn_share(self) -> float:
        """Share of people (0..1) where at least one operator meets the QCVN downlink."""
        return _people_share(self.population, np.asarray(self.qcvn_dl.any(axis=0)))

    def qcvn_share_by_operator(self) -> dict[str, float]:
        """Share of people (0..1) where each operator's own network meets it."""
        return {op: _people_share(self.population, self.qcvn_dl[i])
                for i, op in enumerate(self.operators)}  # fmt: skip


def sinr_throughput(
    sites: Sites,
    cells: Cells,
    model: RadioModel | None = None,
    settings: DownlinkSettings | None = None,
    carriers: pd.DataFrame | None = None,
) -> SinrThroughput:
    """Best-server SINR (dB), downlink rate (Mbit/s) and QCVN 126 downlink per operator.

    Parameters
    ----------
    sites : Sites
        The sites, work CRS, metres; ``sites.frame`` columns used when present:
        ``operator``, ``frequency_ghz``, ``eirp_dbm``, ``n_subcarriers``,
        ``azimuths_deg``, ``band``, ``bandwidth_mhz``, ``duplex``.
    cells : Cells
        The cells, work CRS, metres, with their population.
    model : RadioModel or None
        The radio model whose physics and terrain are used (None: ``RadioModel()``, the
        embedded DEMs read around the sites); its ``budget`` gives the defaults for
        missing columns.
    settings : DownlinkSettings or None
        Load, noise figure, curve and frame (None: those of the model's ``config``,
        :func:`downlink_settings`).
    carriers : DataFrame or None
        The carrier table (``geoplan.io.read_carriers()``): ``bandwidth_mhz`` and
        ``duplex`` of a site's ``band`` when the frame has no such columns.

    Returns
    -------
    SinrThroughput
        Per operator and cell; ``qcvn_share()`` and ``qcvn_share_by_operator()`` give
        the people shares.

    Examples
    --------
    >>> from geoplan.config import PlanConfig
    >>> sites = Sites(np.array([0.0]), np.array([0.0]), np.array([25.0]), np.array([0]))
    >>> cells = Cells(np.arange(2), np.zeros(2), np.array([300.0, 3000.0]), np.ones(2),
    ...               np.zeros(2, int), np.zeros(2, int))
    >>> out = sinr_throughput(sites, cells, RadioModel(PlanConfig(dem_paths=("flat",))))
    >>> out.operators, bool(out.sinr_db[0, 0] > out.sinr_db[0, 1])
    (('*',), True)
    """
    model = model if model is not None else RadioModel()
    settings = settings if settings is not None else downlink_settings(model.config)
    layers = _carrier_layers(sites)
    operators = tuple(sorted({op for op, _ in layers}))
    n_op, n_cells = len(operators), len(cells)
    out = _empty_result(n_op, n_cells)
    n_pairs = 0
    if n_cells and len(sites):
        carrier = _carrier_params(model, sites, settings, carriers)
        terrain = model.terrain_around(sites, cells)
        tree = cKDTree(np.column_stack([cells.x_m, cells.y_m]))
        for (op, _), rows in layers.items():
            layer, pairs = _layer(model, sites, cells, rows, carrier, settings, terrain, tree)
            n_pairs += pairs
            _keep_better(out, operators.index(op), layer)
    qcvn = qcvn_downlink_holds(out["mean_mbps"], out["share"])
    return SinrThroughput(
        operators, out["sinr_db"], out["peak_mbps"], out["mean_mbps"], out["share"], qcvn,
        out["site"].astype(np.int64), np.asarray(cells.population, float), n_pairs, settings,
        out["signal"] > 0,
    )  # fmt: skip


def _empty_result(n_op: int, n_cells: int) -> dict[str, np.ndarray]:
    shape = (n_op, n_cells)
    return {"sinr_db": np.full(shape, np.nan), "peak_mbps": np.zeros(shape),
            "mean_mbps": np.full(shape, -np.inf), "share": np.zeros(shape),
            "site": np.full(shape, -1.0), "signal": np.zeros(shape)}  # fmt: skip


def _keep_better(out: dict[str, np.ndarray], row: int, layer: dict[str, np.ndarray]) -> None:
    """Where this carrier's mean rate beats the operator's best so far, take its values."""
    better = layer["mean_mbps"] > out["mean_mbps"][row]
    better |= np.isnan(out["sinr_db"][row]) & np.isfinite(layer["sinr_db"])
    for key, values in layer.items():
        out[key][row] = np.where(better, values, out[key][row])
    out["mean_mbps"][row] = np.maximum(out["mean_mbps"][row], 0.0)


def _carrier_layers(sites: Sites) -> dict[tuple[str, float], np.ndarray]:
    """Rows of ``sites`` per (operator, frequency in GHz), in a deterministic order."""
    n = len(sites)
    frame = sites.frame if sites.frame is not None else pd.DataFrame(index=range(n))
    if "operator" in frame.columns:
        names = frame["operator"].astype(str).str.strip()
    else:
        names = pd.Series([NO_OPERATOR] * n)
    key = names.str.casefold().to_numpy()
    display = {k: names.iloc[i] for i, k in reversed(list(enumerate(key)))}  # first spelling
    freq = np.round(site_column(sites, "frequency_ghz", np.nan), 6)
    layers: dict[tuple[str, float], np.ndarray] = {}
    for k in sorted(set(key)):
        for f in np.unique(freq[key == k]):  # NaN: the model's default frequency
            same = (key == k) & ((freq == f) | (np.isnan(freq) & np.isnan(f)))
            layers[(display[k], float(f))] = np.flatnonzero(same)
    return layers


@dataclass(frozen=True)
class _Carrier:
    """Per site: what the carrier needs (frequency, EIRP per RE, noise and RE rate)."""

    frequency_ghz: np.ndarray
    eirp_re_dbm: np.ndarray
    noise_re_dbm: np.ndarray
    re_rate: np.ndarray


def _carrier_params(
    model: RadioModel, sites: Sites, settings: DownlinkSettings, carriers: pd.DataFrame | None
) -> _Carrier:
    n_sc = site_column(sites, "n_subcarriers", float(model.budget.n_subcarriers))
    bandwidth_mhz, duplex = _bandwidth_and_duplex(sites, settings, carriers)
    scs_khz = subcarrier_spacing_khz(bandwidth_mhz, n_sc)
    dl_share = np.where(duplex == "FDD", 1.0, settings.tdd_dl_share)
    return _Carrier(
        frequency_ghz=model.frequency_ghz(sites),
        eirp_re_dbm=model.eirp_per_re_dbm(sites),
        noise_re_dbm=thermal_noise_dbm(scs_khz * 1e3, settings.noise_figure_db),
        re_rate=re_rate_hz(n_sc, scs_khz, dl_share, settings.overhead),
    )


def _bandwidth_and_duplex(
    sites: Sites, settings: DownlinkSettings, carriers: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Bandwidth (MHz) and duplex per site: the frame's, else its band's, else the default."""
    n = len(sites)
    frame = sites.frame if sites.frame is not None else pd.DataFrame(index=range(n))
    bandwidth = pd.Series(np.nan, index=frame.index)
    duplex = pd.Series("", index=frame.index)
    if carriers is not None and "band" in frame.columns:
        by_band = carriers.drop_duplicates("band").set_index("band")
        band = frame["band"].astype(str)
        bandwidth = band.map(by_band["bandwidth_mhz"]).astype(float)
        duplex = band.map(by_band["duplex"]).fillna("").astype(str)
    if "bandwidth_mhz" in frame.columns:
        given = pd.to_numeric(frame["bandwidth_mhz"], errors="coerce")
        bandwidth = given.where(given.notna(), bandwidth)
    if "duplex" in frame.columns:
        given_duplex = frame["duplex"].fillna("").astype(str).str.upper().str.strip()
        duplex = given_duplex.where(given_duplex != "", duplex)
    bandwidth = bandwidth.fillna(settings.bandwidth_mhz).to_numpy(float)
    duplex_arr = duplex.str.upper().replace("", settings.duplex).to_numpy(str)
    return bandwidth, duplex_arr


def subcarrier_spacing_khz(bandwidth_mhz: np.ndarray, n_subcarriers: np.ndarray) -> np.ndarray:
    """NR subcarrier spacing 15 · 2^μ kHz that fits ``n_subcarriers`` in the bandwidth.

    The occupied share of an NR carrier is 90–99% (TS 38.101-1 Table 5.3.2-1), so μ is
    the rounded log2 of bandwidth / (N_sc · 15 kHz).

    >>> subcarrier_spacing_khz(np.array([100.0, 10.0]), np.array([3276.0, 624.0])).tolist()
    [30.0, 15.0]
    """
    ratio = np.asarray(bandwidth_mhz, float) * 1e3 / (np.asarray(n_subcarriers, float) * 15.0)
    return np.asarray(15.0 * 2.0 ** np.clip(np.round(np.log2(ratio)), 0, 4))


def _layer(
    model: RadioModel,
    sites: Sites,
    cells: Cells,
    rows: np.ndarray,
    carrier: _Carrier,
    settings: DownlinkSettings,
    terrain: Terrain | None,
    tree: cKDTree,
) -> tuple[dict[str, np.ndarray], int]:
    """SINR and rates per cell on one carrier (the sites at ``rows``); pairs evaluated."""
    layer_sites = sites.take(rows)
    noise = float(carrier.noise_re_dbm[rows].min())
    reach = interference_reach_m(model, layer_sites, noise - settings.interference_floor_db)
    acc = ServerAccumulator(len(cells), _PAYLOAD)
    n_pairs = 0
    for site_idx, cell_idx in pair_chunks(tree, layer_sites, reach, model.chunk_pairs,
                                           model.config.cell_size_m):  # fmt: skip
        n_pairs += site_idx.size
        best, total_mw, payload = _site_entries(model, layer_sites, cells, site_idx, cell_idx,
                                                terrain)  # fmt: skip
        payload["site"] = rows[payload["site"].astype(np.int64)]
        acc.add(cell_idx, best, payload, total_mw)
    return _rates(acc, carrier, settings, model.budget), n_pairs


def _rates(
    acc: ServerAccumulator, carrier: _Carrier, settings: DownlinkSettings, budget: LinkBudget
) -> dict[str, np.ndarray]:
    site = acc.payload["site"]
    served = np.isfinite(acc.serving_dbm)
    rows = np.where(served, site, 0).astype(np.int64)
    noise_mw = dbm_to_mw(carrier.noise_re_dbm[rows])
    interference_mw = np.maximum(acc.total_mw - dbm_to_mw(acc.serving_dbm), 0.0)
    i_n = mw_to_dbm(settings.load * interference_mw + noise_mw)
    link = ServingLink(*(acc.payload[k] for k in _PAYLOAD[1:]))
    per_eff = np.where(served, carrier.re_rate[rows] * settings.loaded_user_share / 1e6, 0.0)
    sinr, mean, share = shadowed_rate_stats(link, i_n, per_eff, settings.curve,
                                            settings.sample_rate_mbps)  # fmt: skip
    peak = dl_throughput_mbps(np.where(served, sinr, -np.inf), carrier.re_rate[rows],
                              settings.curve)  # fmt: skip
    with np.errstate(invalid="ignore"):
        p_signal = exceedance_probability(
            budget.rsrp_threshold_dbm,
            link.los_dbm,
            link.nlos_dbm,
            link.p_los,
            link.sigma_los_db,
            link.sigma_nlos_db,
        )
    signal = served & (np.nan_to_num(p_signal) >= budget.cell_edge_reliability)
    return {"sinr_db": sinr, "peak_mbps": np.where(served, peak, 0.0), "mean_mbps": mean,
            "share": share, "site": np.where(served, site, -1.0),
            "signal": signal.astype(float)}  # fmt: skip


def describe_downlink(settings: DownlinkSettings) -> str:
    """One line: the QCVN layer's test and the SINR/throughput assumptions.

    >>> describe_downlink(DownlinkSettings())[:40]
    'QCVN 126:2021 downlink under load (mean '
    """
    curve = settings.curve
    return (
        "QCVN 126:2021 downlink under load (mean >= 100 Mbit/s and >= 95% of samples >= "
        f"{settings.sample_rate_mbps:g} Mbit/s over the serving link's shadow fading) where the "
        f"signal layer holds; SS-SINR against the operator's other sectors on the carrier at "
        f"{settings.load:.0%} load, UE noise figure {settings.noise_figure_db:g} dB; loaded "
        f"user gets {settings.loaded_user_share:.0%} of the cell; attenuated Shannon "
        f"(alpha {curve.alpha:g}, {curve.max_layers} layers), TDD DL share "
        f"{settings.tdd_dl_share:.3f}, overhead {settings.overhead:.0%}"
    )


def interference_reach_m(model: RadioModel, sites: Sites, floor_dbm: float) -> np.ndarray:
    """Distance beyond which a site's boresight median power stays below ``floor_dbm``.

    The radio model's own reach search (:meth:`RadioModel.max_range_m`, without terrain,
    which only adds loss) for the median (50% reliability) at the threshold ``floor_dbm``.

    Parameters
    ----------
    model : RadioModel
        The radio model (path-loss models, budget).
    sites : Sites
        The sites, work CRS, metres.
    floor_dbm : float
        Power per RE, dBm.

    Returns
    -------
    ndarray of float
        Reach per site, metres.
    """
    budget = replace(model.budget, rsrp_threshold_dbm=floor_dbm, cell_edge_reliability=0.5)
    return replace(model, budget=budget, layer="signal").max_range_m(sites)  # the signal reach


def _state_losses(
    model: RadioModel, name: str, d2: np.ndarray, freq: np.ndarray, h_bs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LOS and NLOS path loss (dB) and the LOS probability (0 with ``los_mode='nlos'``)."""
    h_ut = model.budget.ue_height_m
    los = path_loss_db(name, d2, freq, h_bs, h_ut, los=True)
    nlos = path_loss_db(name, d2, freq, h_bs, h_ut, los=False)
    p_los = np.broadcast_to(los_probability(name, d2, h_ut), np.broadcast(los, nlos).shape)
    if model.budget.los_mode == "nlos":
        p_los = np.zeros_like(p_los)
    return los, nlos, p_los


def _site_entries(
    model: RadioModel,
    sites: Sites,
    cells: Cells,
    site_idx: np.ndarray,
    cell_idx: np.ndarray,
    terrain: Terrain | None,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Per pair: the best sector's median power (dBm), all sectors' sum (mW), payload.

    The payload is the best sector's link (LOS and NLOS medians, dBm; LOS probability;
    shadow-fading σ, dB) and the site's row.
    """
    b = model.budget
    dx = cells.x_m[cell_idx] - sites.x_m[site_idx]
    dy = cells.y_m[cell_idx] - sites.y_m[site_idx]
    d2 = np.hypot(dx, dy)
    h_bs = np.asarray(sites.antenna_height_m, float)[site_idx]
    freq = model.frequency_ghz(sites)[site_idx]
    drop_m = h_bs - b.ue_height_m
    terrain_db = np.zeros(d2.size)
    if terrain is not None:
        sx, sy = sites.x_m[site_idx], sites.y_m[site_idx]
        cx, cy = cells.x_m[cell_idx], cells.y_m[cell_idx]
        terrain_db = diffraction_loss_db(terrain, sx, sy, h_bs, cx, cy, b.ue_height_m, freq,
                                         method=model.diffraction)  # fmt: skip
        drop_m = drop_m + terrain.sample(sx, sy) - terrain.sample(cx, cy)
    elevation = np.degrees(np.arctan2(drop_m, np.maximum(d2, 1.0))) - b.downtilt_deg
    azimuths = model.sector_azimuths_deg(sites)[site_idx]
    gains = _sector_gains_db(bearing_deg(dx, dy), elevation, azimuths, b.hpbw_deg,
                             b.front_to_back_db)  # fmt: skip
    base = model.eirp_per_re_dbm(sites)[site_idx] - b.fixed_losses_db - terrain_db
    codes = model.pair_model_codes(sites, cells, site_idx, cell_idx)
    los, nlos, p_los, s_los, s_nlos, median = (np.empty(d2.size) for _ in range(6))
    for code, name in enumerate(PAIR_MODELS):
        sel = codes == code
        if sel.any():
            pl_los, pl_nlos, p_los[sel] = _state_losses(model, name, d2[sel], freq[sel], h_bs[sel])
            los[sel], nlos[sel] = base[sel] - pl_los, base[sel] - pl_nlos
            s_los[sel], s_nlos[sel] = SHADOW_FADING_DB[name]
            median[sel] = mixture_median_dbm(los[sel], nlos[sel], p_los[sel], s_los[sel][0],
                                             s_nlos[sel][0])  # fmt: skip
    best = np.argmax(gains, axis=1)
    gain = gains[np.arange(best.size), best]
    total_mw = dbm_to_mw(median[:, None] + gains).sum(axis=1)
    payload = {
        "site": site_idx.astype(float),
        "los_dbm": los + gain,
        "nlos_dbm": nlos + gain,
        "p_los": p_los,
        "sigma_los_db": s_los,
        "sigma_nlos_db": s_nlos,
    }
    return median + gain, total_mw, payload


def _sector_gains_db(
    bearing: np.ndarray,
    elevation: np.ndarray,
    azimuths: np.ndarray,
    hpbw_deg: float,
    max_attenuation_db: float,
) -> np.ndarray:
    """Gain of each sector towards each pair (dB, (n, k)); −inf for padding sectors.

    A site whose azimuths are all NaN is omnidirectional: one sector with the vertical
    pattern only (as :func:`geoplan.radio.antenna.sector_gain_db` treats it).
    """
    gains = element_pattern_db(bearing[:, None] - azimuths, elevation[:, None], hpbw_deg,
                               max_attenuation_db)  # fmt: skip
    gains = np.where(np.isnan(azimuths), -np.inf, gains)
    omni = np.isnan(azimuths).all(axis=1)
    if omni.any():
        vertical = element_pattern_db(np.zeros(omni.sum()), elevation[omni], hpbw_deg,
                                      max_attenuation_db)  # fmt: skip
        gains[omni, 0] = vertical
    return gains


def _people_share(population: np.ndarray, mask: np.ndarray) -> float:
    total = float(population.sum())
    return float(population[mask].sum() / total) if total > 0 else 0.0
