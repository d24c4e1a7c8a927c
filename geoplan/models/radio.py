"""The TR 38.901 radio coverage model, one :class:`~geoplan.models.base.CoverageModel`.

For each site–cell pair within a site's reach: path loss of the 38.901 model chosen
by the environment, the sector pattern towards the cell, the link budget, shadow
fading at the cell-edge reliability and terrain diffraction (ITU-R P.526 Bullington over
the embedded SRTM 3″ + ETOPO 2022 60″ DEMs by default; ``dem_paths=("flat",)`` for flat
earth). A cell is covered when its best server's planning RSRP reaches the threshold.

Environment → model (per pair, from the *cell's* environment, since the clutter
around the user sets the excess loss; sites are macro masts of 25–35 m):

* urban → UMa, suburban → UMa (the synthetic and typical sites stand above rooftops;
  UMi is a below-rooftop street-canyon model),
* rural → RMa,
* any site whose antenna is at most ``small_cell_height_m`` (15 m) serving an urban or
  suburban cell → UMi street canyon (a small cell).

Coverage layers (issue 16, :data:`geoplan.schema.COVERAGE_LAYERS`), all from the same
pairs and shadow-fading statistics: ``signal`` (the downlink above), ``usable`` (the
uplink closes too: :mod:`geoplan.radio.uplink`, as a higher RSRP threshold per site and
cell environment) and ``indoor`` (the downlink behind the TR 38.901 O2I loss:
:mod:`geoplan.radio.indoor`). ``layer`` chooses the one the matrix, and so the
optimiser, uses.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np
from rasterio.transform import array_bounds
from scipy import sparse
from scipy.spatial import cKDTree

from geoplan.config import PlanConfig
from geoplan.grid import Cells, PopulationGrid
from geoplan.radio.antenna import DEFAULT_AZIMUTHS_DEG, bearing_deg, parse_azimuths, sector_gain_db
from geoplan.radio.indoor import (
    INDOOR_DISTANCE_MAX_M,
    IndoorModel,
    indoor_exceedance_probability,
    mean_indoor_distance_m,
)
from geoplan.radio.link_budget import LinkBudget, edge_rsrp_dbm, exceedance_probability
from geoplan.radio.pathloss import SHADOW_FADING_DB, los_probability, path_loss_db
from geoplan.radio.terrain import (
    FLAT_EARTH,
    Terrain,
    diffraction_loss_db,
    read_dem,
    resolve_dem_paths,
)
from geoplan.radio.uplink import UplinkBudget, carrier_uplink, uplink_rsrp_threshold_dbm
from geoplan.schema import COMPUTED_LAYERS, COVERAGE_LAYERS, CoverageLayer, DiffractionMethod
from geoplan.sites import Sites

log = logging.getLogger(__name__)

#: Threads of :meth:`RadioModel.best_server` by default: this process's cores, at most
#: four (each thread holds its own per-cell arrays; the national run's workers use one).
RADIO_WORKERS = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else
                    (os.cpu_count() or 1), 4)  # fmt: skip
#: Fewest pairs of a chunk that threads share (smaller ones cost more than they save).
MIN_THREAD_CHUNK = 20_000

#: Path-loss model per environment code (0 urban, 1 suburban, 2 rural) for macro sites.
MACRO_MODEL_BY_ENVIRONMENT: tuple[str, ...] = ("UMa", "UMa", "RMa")
#: ... and for small cells (antenna at most ``small_cell_height_m``).
SMALL_CELL_MODEL_BY_ENVIRONMENT: tuple[str, ...] = ("UMi", "UMi", "RMa")
PAIR_MODELS: tuple[str, ...] = ("UMa", "UMi", "RMa")
#: Pairs less likely than this to reach the threshold are not evaluated for the expected
#: coverage: the best server's probability, and so the expected share, is then
#: underestimated by less than this (2 percentage points; on the default data 0.01 points
#: less than with a floor of 0.005).
PROBABILITY_FLOOR = 0.02
#: Sites may stand this far outside the grid (the station reader's border margin is
#: 5 km); a DEM read for a grid covers it plus this margin, metres.
DEM_MARGIN_M = 6_000.0
#: Distances (m) on which each site's reach is searched.
RANGE_SEARCH_M = np.geomspace(10.0, 40_000.0, 800)
#: The cell environments (codes) each pair model serves.
MODEL_ENVIRONMENTS: dict[str, tuple[int, ...]] = {"UMa": (0, 1), "UMi": (0, 1), "RMa": (2,)}
#: Mean indoor distance d_2D-in per pair model (metres): a third of its range.
INDOOR_DISTANCE_M = np.array(
    [mean_indoor_distance_m(INDOOR_DISTANCE_MAX_M[m]) for m in PAIR_MODELS]
)


@dataclass(frozen=True)
class BestServer:
    """Per cell: planning RSRP of the best site, that site's index, and coverage.

    ``rsrp_dbm`` is NaN and ``site_index`` −1 where no site reaches the cell even
    under best-case conditions (beyond every site's reach).

    Attributes
    ----------
    rsrp_dbm : float array, planning RSRP of the best site per cell, dBm
    site_index : int array, row of the best site per cell, -1 for none
    covered : bool array, best RSRP at or above the threshold
    matrix : boolean sites × cells coverage matrix (sparse CSR)
    n_pairs : site–cell pairs evaluated
    terrain_used : True when terrain diffraction was applied
    probability : float array, per cell the best server's probability that its RSRP
        reaches the threshold under shadow fading (0..1): the expected coverage
    layer_probability : per computed layer (``signal``, ``usable``, ``indoor``), per
        cell the best site's probability of covering it in that layer (0..1)
    layer_covered : per computed layer, per cell: covered at the design reliability

    ``covered``, ``matrix`` and ``probability`` are those of the model's ``layer``;
    ``rsrp_dbm`` and ``site_index`` are always the downlink's best server.
    """

    rsrp_dbm: np.ndarray
    site_index: np.ndarray
    covered: np.ndarray
    matrix: sparse.csr_matrix
    n_pairs: int
    terrain_used: bool
    probability: np.ndarray = field(default_factory=lambda: np.zeros(0))
    layer_probability: dict[str, np.ndarray] = field(default_factory=dict)
    layer_covered: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class _Levels:
    """Per site–cell pair: what the coverage probabilities of every layer are made of.

    Median RSRP if LOS and if NLOS (dBm, pattern, terrain and fixed losses included),
    P(LOS), the shadow-fading σ of each state (dB), the pair's model (index of
    :data:`PAIR_MODELS`) and carrier frequency (GHz).
    """

    los_dbm: np.ndarray
    nlos_dbm: np.ndarray
    p_los: np.ndarray
    sigma_los_db: np.ndarray
    sigma_nlos_db: np.ndarray
    model_code: np.ndarray
    frequency_ghz: np.ndarray

    def probability(self, level_dbm: np.ndarray | float) -> np.ndarray:
        """P(RSRP >= level) per pair under shadow fading."""
        return exceedance_probability(level_dbm, self.los_dbm, self.nlos_dbm, self.p_los,
                                      self.sigma_los_db, self.sigma_nlos_db)  # fmt: skip

    def edge_dbm(self, reliability: float, need: np.ndarray | None = None) -> np.ndarray:
        """Planning RSRP (dBm) exceeded with ``reliability``; -inf where ``need`` is False."""
        edge = np.full(self.los_dbm.size, -np.inf)
        for code in np.unique(self.model_code):
            sel = self.model_code == code
            if need is not None:
                sel &= need
            if sel.any():
                edge[sel] = edge_rsrp_dbm(
                    self.los_dbm[sel], self.nlos_dbm[sel], self.p_los[sel],
                    self.sigma_los_db[sel][0], self.sigma_nlos_db[sel][0], reliability,
                )  # fmt: skip
        return edge


@dataclass(frozen=True)
class RadioModel:
    """TR 38.901 link-budget coverage (name ``"38901"``).

    Attributes
    ----------
    config : settings (work CRS, cell size, DEM paths: empty for the embedded DEMs,
        ``("flat",)`` for flat earth)
    budget : the link budget (EIRP in dBm, losses in dB, RSRP threshold in dBm)
    terrain : a terrain already read, or None (then the DEMs of ``config.dem_paths``
        are read around the sites and cells of each run)
    diffraction : ``"bullington"`` (ITU-R P.526 §4.5.1) or ``"single"`` (the worst
        knife edge alone)
    name : ``"38901"``
    small_cell_height_m : antennas at most this high (metres) are small cells (UMi)
    chunk_pairs : site–cell pairs evaluated per batch (bounds memory)
    uplink : the PUSCH budget of the ``usable`` layer
    indoor : the building mix and indoor shares of the ``indoor`` layer
    layer : the coverage layer of the matrix, ``covered`` and ``probability``
        (``"signal"``, ``"usable"`` or ``"indoor"``); ``"qcvn"`` asks the coverage stage
        for the QCVN layer as the headline (:mod:`geoplan.models.interference`), and the
        model's own pairs are then the signal's (:attr:`pair_layer`)
    qcvn : the coverage stage also computes the QCVN (SINR/throughput) layer
    layers : when probabilities are computed, compute every layer's (for the report);
        False computes only ``layer``'s (the downlink-only run of the benchmark)
    workers : threads that evaluate the pairs (None: :data:`RADIO_WORKERS`); the
        result is the same to the bit for any number

    Examples
    --------
    >>> from geoplan.grid import Cells
    >>> model = RadioModel()
    >>> sites = Sites(np.array([0.0]), np.array([0.0]), np.array([25.0]), np.array([0]))
    >>> cells = Cells(np.arange(3), np.array([0.0, 0.0, 0.0]),
    ...               np.array([200.0, 800.0, 5000.0]), np.ones(3), np.zeros(3, int),
    ...               np.zeros(3, int))
    >>> model.coverage_matrix(sites, cells).toarray()
    array([[ True,  True, False]])
    """

    config: PlanConfig = field(default_factory=PlanConfig)
    budget: LinkBudget = field(default_factory=LinkBudget)
    terrain: Terrain | None = None
    diffraction: DiffractionMethod = "bullington"
    name: str = "38901"
    small_cell_height_m: float = 15.0
    chunk_pairs: int = 400_000
    uplink: UplinkBudget = field(default_factory=UplinkBudget)
    indoor: IndoorModel = field(default_factory=IndoorModel)
    layer: CoverageLayer = "signal"
    layers: bool = True
    qcvn: bool = False
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.layer not in COVERAGE_LAYERS:
            raise ValueError(
                f"layer must be one of {', '.join(COVERAGE_LAYERS)}, got {self.layer!r}"
            )

    @property
    def pair_layer(self) -> CoverageLayer:
        """The layer of the model's own pairwise matrix: ``layer``, or ``signal`` for qcvn.

        The QCVN layer depends on every site of a carrier at once (interference), so no
        site–cell pair decides it alone; the coverage stage computes it on top.
        """
        return "signal" if self.layer not in COMPUTED_LAYERS else self.layer

    @property
    def computes_qcvn(self) -> bool:
        """True when the coverage stage adds the QCVN layer (``qcvn`` or layer ``qcvn``)."""
        return self.qcvn or self.layer == "qcvn"

    # ------------------------------------------------------------------ protocol
    @property
    def dem_paths(self) -> tuple[str, ...]:
        """The DEM files this model reads (the embedded ones by default; () flat earth)."""
        return resolve_dem_paths(self.config.dem_paths)

    @property
    def terrain_used(self) -> bool:
        """True when a DEM (or a given terrain) adds diffraction loss."""
        return self.terrain is not None or bool(self.dem_paths)

    def describe(self) -> str:
        """One line with the path-loss models, the link budget and the terrain used."""
        if self.terrain is not None:
            terrain = f"{self.terrain.describe()}; {self._diffraction_text()}"
        elif self.dem_paths:
            names = ", ".join(Path(p).name for p in self.dem_paths)
            terrain = (
                f"terrain from DEM {names} (by precedence, read around each run's sites); "
                f"{self._diffraction_text()}"
            )
        else:
            terrain = "no terrain (flat earth)"
        layer = (
            ""
            if self.layer == "signal"
            else f"; coverage layer {self.layer}: " + (self.layer_description(self.layer))
        )
        return (
            "3GPP TR 38.901 radio model: UMa for urban and suburban cells, RMa for rural, "
            f"UMi from sites <= {self.small_cell_height_m:g} m; {self.budget.describe()}; "
            f"{terrain}{layer}"
        )

    def layer_description(self, layer: str) -> str:
        """One line: what ``layer`` (``signal``, ``usable``, ``indoor``) asks and assumes."""
        b = self.budget
        signal = (f"downlink SS-RSRP >= {b.rsrp_threshold_dbm:g} dBm outdoors at "
                  f"{b.cell_edge_reliability:.0%} cell-edge reliability")  # fmt: skip
        if layer == "usable":
            return f"{signal}, and the uplink closes: {self.uplink.describe()}"
        if layer == "indoor":
            inside = signal.replace(" outdoors", "")
            return f"{inside} behind the building's wall; {self.indoor.describe()}"
        if layer == "qcvn":
            return (f"{signal}, and QCVN 126:2021 downlink under load (mean >= 100 Mbit/s, "
                    ">= 95% of samples >= 30 Mbit/s; SINR against the operator's other "
                    "sectors on the carrier)")  # fmt: skip
        return signal

    def indoor_people_share(self, cells: Cells) -> np.ndarray:
        """Share of each cell's people indoors (by its environment), 0..1."""
        return np.asarray(self.indoor.indoor_share, dtype=float)[np.asarray(cells.environment, int)]

    def max_range_m(self, sites: Sites, min_probability: float | None = None) -> np.ndarray:
        """Distance beyond which even a boresight LOS-or-NLOS link misses the layer's test.

        Searched on :data:`RANGE_SEARCH_M` (10 m to 40 km), without terrain. The test is
        that of ``layer`` (``usable``: both links close; ``indoor``: P(covered indoors)
        reaches the reliability), with its least demanding cell environment.

        Parameters
        ----------
        sites : Sites
            The sites; antenna height (metres) and ``frequency_ghz`` / ``eirp_dbm``
            from ``sites.frame`` when present.
        min_probability : float, optional
            Reach where the downlink's P(RSRP >= threshold) still reaches this (0..1);
            default: the layer's test at the cell-edge reliability.

        Returns
        -------
        ndarray of float
            Reach per site, metres (0 when no distance reaches the threshold).
        """
        return self._reach(sites, min_probability, self.pair_layer)

    def evaluated_reach_m(
        self,
        sites: Sites,
        with_probability: bool = True,
        reliable_reach_m: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per site, the farthest distance (metres) at which :meth:`best_server` evaluates
        a pair: no cell farther than this from a site is changed by it.

        Parameters
        ----------
        sites : Sites
            The sites, work CRS, metres.
        with_probability : bool
            As for :meth:`best_server`: the expectation needs the pairs that are merely
            likely (P >= :data:`PROBABILITY_FLOOR`), not only the reliable ones.
        reliable_reach_m : float array, optional
            The signal's reach when already computed, metres.
        """
        reliable = (
            self._reach(sites, None, "signal") if reliable_reach_m is None else reliable_reach_m
        )
        if not with_probability:
            return reliable
        return np.maximum(self.max_range_m(sites, PROBABILITY_FLOOR), reliable)

    def _reach(
        self, sites: Sites, min_probability: float | None, layer: CoverageLayer
    ) -> np.ndarray:
        if len(sites) == 0:
            return np.zeros(0)
        freq = self.frequency_ghz(sites)[:, None]
        eirp_re = self.eirp_per_re_dbm(sites)[:, None]
        h_bs = np.asarray(sites.antenna_height_m, float)[:, None]
        ul_table = self._uplink_thresholds(sites) if layer == "usable" else None
        # a reach depends on these alone: sites of one carrier, power and height share
        # it, so each distinct row is searched once (a province's 2,160 sites: a handful)
        key = np.column_stack([freq, eirp_re, h_bs] + ([ul_table] if ul_table is not None else []))
        rows, inverse = np.unique(key, axis=0, return_inverse=True)
        ul_rows = None if ul_table is None else rows[:, 3:]
        reach = self._reach_rows(min_probability, layer, rows[:, :1], rows[:, 1:2], rows[:, 2:3],
                                 ul_rows)  # fmt: skip
        return reach[inverse.reshape(-1)]

    def _reach_rows(
        self,
        min_probability: float | None,
        layer: CoverageLayer,
        freq: np.ndarray,
        eirp_re: np.ndarray,
        h_bs: np.ndarray,
        ul_table: np.ndarray | None,
    ) -> np.ndarray:
        """:meth:`_reach` of sites given by their carrier, power and height (columns)."""
        d = RANGE_SEARCH_M[None, :]
        reach = np.zeros(len(freq))
        small = h_bs[:, 0] <= self.small_cell_height_m
        for model in PAIR_MODELS:
            edge, p_cover = self._edge_rsrp_and_p(model, d, freq, h_bs, eirp_re)
            if min_probability is not None:
                ok = p_cover >= min_probability
            else:
                ok = self._boresight_ok(model, layer, edge, d, freq, h_bs, eirp_re, ul_table)
            last = np.where(ok.any(axis=1), ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
            model_reach = RANGE_SEARCH_M[np.minimum(last + 1, RANGE_SEARCH_M.size - 1)]
            model_reach = np.where(last >= 0, model_reach, 0.0)
            used = small if model == "UMi" else (~small if model == "UMa" else True)
            reach = np.maximum(reach, np.where(used, model_reach, 0.0))
        return reach

    def _boresight_ok(
        self,
        model: str,
        layer: CoverageLayer,
        edge: np.ndarray,
        d2: np.ndarray,
        freq: np.ndarray,
        h_bs: np.ndarray,
        eirp_re: np.ndarray,
        ul_table: np.ndarray | None,
    ) -> np.ndarray:
        """The layer's test at boresight, for the environments that ``model`` serves."""
        thr = self.budget.rsrp_threshold_dbm
        envs = list(MODEL_ENVIRONMENTS[model])
        if layer == "usable" and ul_table is not None:
            return np.asarray(edge >= np.maximum(thr, ul_table[:, envs].min(axis=1))[:, None])
        if layer == "indoor":
            los, nlos, p_los = self._medians(model, d2, freq, h_bs, eirp_re)
            sigma_los, sigma_nlos = SHADOW_FADING_DB[model]
            high = min(self.indoor.high_loss_share[e] for e in envs)
            d_in = INDOOR_DISTANCE_M[PAIR_MODELS.index(model)]
            p_in = indoor_exceedance_probability(thr, los, nlos, p_los, sigma_los, sigma_nlos,
                                                 freq, high, d_in)  # fmt: skip
            return np.asarray((p_in >= self.budget.cell_edge_reliability) & (edge >= thr))
        return np.asarray(edge >= thr)

    def coverage_matrix(self, sites: Sites, cells: Cells) -> sparse.csr_matrix:
        """Boolean (n_sites × n_cells) matrix: planning RSRP at or above the threshold.

        Parameters
        ----------
        sites : Sites
            The sites (rows), work CRS, metres.
        cells : Cells
            The cells (columns), work CRS, metres.
        """
        return self.best_server(sites, cells, with_probability=False).matrix

    # ------------------------------------------------------------------ radio
    def best_server(self, sites: Sites, cells: Cells, with_probability: bool = True) -> BestServer:
        """Best-server planning RSRP, site and coverage per cell, and the coverage matrix.

        Only pairs within :meth:`max_range_m` are evaluated, in chunks of at most
        ``chunk_pairs`` pairs.

        Parameters
        ----------
        sites : Sites
            The sites, work CRS, metres.
        cells : Cells
            The cells, work CRS, metres.
        with_probability : bool
            Also evaluate the pairs that reach the threshold with at least
            :data:`PROBABILITY_FLOOR` probability, for the expected coverage (slower),
            and every layer's probability when ``layers``; False evaluates only the
            pairs the coverage matrix of ``layer`` needs.

        Returns
        -------
        BestServer
            RSRP per cell in dBm, the serving site, coverage and the matrix.
        """
        n_sites, n_cells = len(sites), len(cells)
        names = self._layer_names(with_probability)
        terrain = None
        best_rsrp = np.full(n_cells, -np.inf)
        best_site = np.full(n_cells, -1, dtype=np.int64)
        best_p: dict[str, np.ndarray] = {name: np.zeros(n_cells) for name in names}
        reliable: dict[str, np.ndarray] = {name: np.zeros(n_cells, dtype=bool) for name in names}
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        n_pairs = 0
        if n_sites and n_cells:
            terrain = self.terrain_around(sites, cells)
            ul_table = self._uplink_thresholds(sites) if "usable" in names else None
            tree = cKDTree(np.column_stack([cells.x_m, cells.y_m]))
            # the signal's reach: every layer asks more than the signal
            reliable_reach = self._reach(sites, None, "signal")
            reach = self.evaluated_reach_m(sites, with_probability, reliable_reach)
            workers = max(1, RADIO_WORKERS if self.workers is None else self.workers)
            size = self.chunk_pairs
            if workers > 1:  # at least two chunks a thread (the candidates come 200 at a time)
                pairs = float(np.sum(np.pi * reach**2 / self.config.cell_size_m**2 + 1))
                size = min(size, max(int(pairs / (2 * workers)) + 1, MIN_THREAD_CHUNK))
            chunks = pair_chunks(tree, sites, reach, size, self.config.cell_size_m)
            lock, cancel = threading.Lock(), threading.Event()

            def work() -> _Share:
                """Chunks taken one at a time until none is left, into this thread's share."""
                share = _Share.empty(n_cells, names)
                while not cancel.is_set():
                    with lock:
                        chunk = next(chunks, None)
                    if chunk is None:
                        break
                    self._chunk(sites, cells, *chunk, reliable_reach, terrain, names,
                                ul_table, share)  # fmt: skip
                return share

            if workers == 1:
                total = work()
            else:  # numpy releases the GIL in the long array operations
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    shares = [pool.submit(work) for _ in range(workers)]
                    try:
                        total = shares[0].result()
                        for other in shares[1:]:
                            total.merge(other.result())
                    finally:  # Ctrl-C or an error: the other threads stop after their chunk
                        cancel.set()
            best_rsrp, best_site, best_p = total.best_rsrp, total.best_site, total.best_p
            reliable, rows, cols, n_pairs = total.reliable, total.rows, total.cols, total.n_pairs
            self._far_pass(sites, cells, total.far, terrain, best_p, names, ul_table)
        matrix = _bool_csr(rows, cols, (n_sites, n_cells))
        signal = best_rsrp >= self.budget.rsrp_threshold_dbm
        # every layer asks more than the signal: its reliable cells are the signal's too
        covered: dict[str, np.ndarray] = {name: reliable[name] & signal for name in names}
        covered["signal"] = signal
        rsrp_out = np.where(np.isfinite(best_rsrp), best_rsrp, np.nan)
        log.info("38901: %d site-cell pairs evaluated", n_pairs)
        used = terrain is not None
        return BestServer(rsrp_out, best_site, covered[self.pair_layer], matrix, n_pairs, used,
                          best_p[self.pair_layer], best_p, covered)  # fmt: skip

    def _chunk(
        self, sites: Sites, cells: Cells, site_idx: np.ndarray, cell_idx: np.ndarray,
        reliable_reach: np.ndarray, terrain: Terrain | None,
        names: tuple[CoverageLayer, ...], ul_table: np.ndarray | None, share: _Share,
    ) -> None:  # fmt: skip
        """One chunk of pairs into ``share``: the near pairs' levels and layers, the far
        pairs' upper bounds for :meth:`_far_pass`."""
        # beyond the reliable reach no pair reaches the threshold at the edge
        # reliability: only its probability is needed, not the bisection
        d2 = np.hypot(cells.x_m[cell_idx] - sites.x_m[site_idx],
                      cells.y_m[cell_idx] - sites.y_m[site_idx])  # fmt: skip
        near = d2 <= reliable_reach[site_idx]
        s_near, c_near = site_idx[near], cell_idx[near]
        levels = self._pair_levels(sites, cells, s_near, c_near, terrain)
        rsrp = levels.edge_dbm(self.budget.cell_edge_reliability)
        probs, oks = self._pair_layers(levels, rsrp, cells, s_near, c_near, names, ul_table)
        for name in names:
            np.maximum.at(share.best_p[name], c_near, probs[name])
            share.reliable[name][c_near[oks[name]]] = True
        share.n_pairs += site_idx.size
        ok = oks[self.pair_layer]
        share.rows.append(s_near[ok])
        share.cols.append(c_near[ok])
        _update_best(share.best_rsrp, share.best_site, rsrp, s_near, c_near)
        share.far.append(self._far_upper_p(sites, cells, site_idx[~near], cell_idx[~near],
                                           terrain, share.best_p, names, ul_table))  # fmt: skip

    def _layer_names(self, with_probability: bool) -> tuple[CoverageLayer, ...]:
        """The layers to evaluate: ``signal`` first, then ``layer`` or every layer."""
        if with_probability and self.layers:
            return COMPUTED_LAYERS
        layer = self.pair_layer
        return ("signal",) if layer == "signal" else ("signal", layer)

    def _pair_layers(
        self,
        levels: _Levels,
        rsrp: np.ndarray,
        cells: Cells,
        site_idx: np.ndarray,
        cell_idx: np.ndarray,
        names: tuple[CoverageLayer, ...],
        ul_table: np.ndarray | None,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Per layer and pair: P(covered), and covered at the design reliability."""
        thr = self.budget.rsrp_threshold_dbm
        probs = self._pair_probabilities(levels, cells, site_idx, cell_idx, names, ul_table)
        oks = {"signal": rsrp >= thr}
        if "usable" in names:
            oks["usable"] = rsrp >= self._usable_level(ul_table, cells, site_idx, cell_idx)
        if "indoor" in names:
            oks["indoor"] = oks["signal"] & (probs["indoor"] >= self.budget.cell_edge_reliability)
        return probs, oks

    def _pair_probabilities(
        self,
        levels: _Levels,
        cells: Cells,
        site_idx: np.ndarray,
        cell_idx: np.ndarray,
        names: tuple[CoverageLayer, ...],
        ul_table: np.ndarray | None,
    ) -> dict[str, np.ndarray]:
        """Per layer of ``names`` (in its order) and pair: the probability of coverage."""
        thr = self.budget.rsrp_threshold_dbm
        probs = {"signal": levels.probability(thr)}
        if "usable" in names:
            probs["usable"] = levels.probability(
                self._usable_level(ul_table, cells, site_idx, cell_idx)
            )
        if "indoor" in names:
            env = np.asarray(cells.environment, dtype=int)[cell_idx]
            probs["indoor"] = indoor_exceedance_probability(
                thr, levels.los_dbm, levels.nlos_dbm, levels.p_los, levels.sigma_los_db,
                levels.sigma_nlos_db, levels.frequency_ghz,
                np.asarray(self.indoor.high_loss_share)[env], INDOOR_DISTANCE_M[levels.model_code],
            )  # fmt: skip
        return {name: probs[name] for name in names}

    def _usable_level(
        self, ul_table: np.ndarray | None, cells: Cells, site_idx: np.ndarray, cell_idx: np.ndarray
    ) -> np.ndarray:
        """RSRP (dBm) at which both links close: the higher of the two thresholds."""
        assert ul_table is not None
        env = np.asarray(cells.environment, dtype=int)[cell_idx]
        return np.maximum(self.budget.rsrp_threshold_dbm, ul_table[site_idx, env])

    def uplink_thresholds_dbm(self, sites: Sites) -> np.ndarray:
        """Per site and cell environment: the downlink RSRP at which the uplink closes.

        The site's carrier (band, subcarriers) sets the uplink's PRBs and time share;
        the environment (urban, suburban, rural) the cell-edge rate
        (:func:`geoplan.radio.uplink.uplink_rsrp_threshold_dbm`).

        Parameters
        ----------
        sites : Sites
            The sites; ``band``, ``n_subcarriers`` and ``eirp_dbm`` from ``sites.frame``
            when present.

        Returns
        -------
        ndarray of float, shape (n_sites, 3)
            RSRP thresholds, dBm.
        """
        return self._uplink_thresholds(sites)

    def uplink_max_path_loss_db(self, sites: Sites) -> np.ndarray:
        """Per site and cell environment: the uplink's maximum allowed path loss, dB."""
        n_prb, prb_hz, share = carrier_uplink(
            _site_text(sites, "band"),
            site_column(sites, "n_subcarriers", float(self.budget.n_subcarriers)),
            self.uplink.tdd_uplink_share,
        )
        carriers, inverse = np.unique(np.column_stack([n_prb, prb_hz, share]), axis=0,
                                      return_inverse=True)  # fmt: skip
        rates = np.asarray(self.uplink.edge_rate_bps, dtype=float)[None, :]
        mapl = self.uplink.max_path_loss_db(rates, carriers[:, :1], carriers[:, 1:2],
                                            carriers[:, 2:3])  # fmt: skip
        return np.asarray(mapl[np.ravel(inverse)])

    def _uplink_thresholds(self, sites: Sites) -> np.ndarray:
        mapl = self.uplink_max_path_loss_db(sites)
        eirp_re = self.eirp_per_re_dbm(sites)[:, None]
        return uplink_rsrp_threshold_dbm(eirp_re, self.budget.body_loss_db, mapl)

    def _far_upper_p(
        self,
        sites: Sites,
        cells: Cells,
        site_idx: np.ndarray,
        cell_idx: np.ndarray,
        terrain: Terrain | None,
        best_p: dict[str, np.ndarray],
        names: tuple[CoverageLayer, ...],
        ul_table: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs beyond the reliable reach that may still raise a cell's probability.

        Their probabilities without diffraction are upper bounds (terrain only adds
        loss); on flat earth they are exact and go into ``best_p`` at once. With
        terrain, the pairs whose bound beats the cell's best so far in some layer are
        returned, with the bounds (one row per layer of ``names``), for :meth:`_far_pass`.
        """
        levels = self._pair_levels(sites, cells, site_idx, cell_idx, terrain, diffraction=False)
        probs = self._pair_probabilities(levels, cells, site_idx, cell_idx, names, ul_table)
        if terrain is None:
            for name, p in probs.items():
                np.maximum.at(best_p[name], cell_idx, p)
            return site_idx[:0], cell_idx[:0], np.zeros((len(names), 0))
        keep = np.logical_or.reduce([p > best_p[name][cell_idx] for name, p in probs.items()])
        bounds = np.stack([p[keep] for p in probs.values()])
        return site_idx[keep], cell_idx[keep], bounds

    def _far_pass(
        self,
        sites: Sites,
        cells: Cells,
        far: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
        terrain: Terrain | None,
        best_p: dict[str, np.ndarray],
        names: tuple[CoverageLayer, ...],
        ul_table: np.ndarray | None,
    ) -> None:
        """Diffraction for the far pairs that can still matter, strongest bound first.

        A pair is skipped when no layer's bound beats its cell's best probability in
        that layer (which only grows), so the result is that of evaluating every pair.
        """
        if terrain is None or not far:
            return
        site_idx = np.concatenate([f[0] for f in far])
        cell_idx = np.concatenate([f[1] for f in far])
        bounds = np.concatenate([f[2] for f in far], axis=1)
        order = np.argsort(-bounds[0], kind="stable")
        for start in range(0, order.size, self.chunk_pairs):
            part = order[start : start + self.chunk_pairs]
            part = part[np.logical_or.reduce(
                [bounds[i, part] > best_p[name][cell_idx[part]] for i, name in enumerate(names)]
            )]  # fmt: skip
            s_part, c_part = site_idx[part], cell_idx[part]
            levels = self._pair_levels(sites, cells, s_part, c_part, terrain)
            probs = self._pair_probabilities(levels, cells, s_part, c_part, names, ul_table)
            for name, p in probs.items():
                np.maximum.at(best_p[name], c_part, p)

    def pair_rsrp_dbm(
        self,
        sites: Sites,
        cells: Cells,
        site_idx: np.ndarray,
        cell_idx: np.ndarray,
        terrain: Terrain | None = None,
    ) -> np.ndarray:
        """Planning RSRP (dBm, exceeded at the cell-edge reliability) of site–cell pairs.

        Parameters
        ----------
        sites : Sites
            The sites, work CRS, metres.
        cells : Cells
            The cells, work CRS, metres.
        site_idx, cell_idx : arrays of int
            The pairs: row of ``sites`` and row of ``cells``, aligned.
        terrain : Terrain or None
            Ground heights for diffraction loss (dB) and antenna depression; None is
            flat earth.

        Returns
        -------
        ndarray of float
            Planning RSRP per pair, dBm.
        """
        levels = self._pair_levels(sites, cells, site_idx, cell_idx, terrain)
        return levels.edge_dbm(self.budget.cell_edge_reliability)

    def _pair_levels(
        self,
        sites: Sites,
        cells: Cells,
        site_idx: np.ndarray,
        cell_idx: np.ndarray,
        terrain: Terrain | None,
        diffraction: bool = True,
    ) -> _Levels:
        """Median LOS and NLOS RSRP, P(LOS) and σ_SF of site–cell pairs.

        ``diffraction=False`` keeps the terrain's heights (antenna depression) but adds no
        diffraction loss: an upper bound of every level.
        """
        b = self.budget
        dx = cells.x_m[cell_idx] - sites.x_m[site_idx]
        dy = cells.y_m[cell_idx] - sites.y_m[site_idx]
        d2 = np.hypot(dx, dy)
        h_bs = np.asarray(sites.antenna_height_m, float)[site_idx]
        freq = self.frequency_ghz(sites)[site_idx]
        terrain_db = np.zeros(d2.size)
        drop_m = h_bs - b.ue_height_m
        if terrain is not None and diffraction:
            terrain_db = diffraction_loss_db(
                terrain,
                sites.x_m[site_idx],
                sites.y_m[site_idx],
                h_bs,
                cells.x_m[cell_idx],
                cells.y_m[cell_idx],
                b.ue_height_m,
                freq,
                method=self.diffraction,
            )
        if terrain is not None:
            drop_m = (
                drop_m
                + terrain.sample(sites.x_m[site_idx], sites.y_m[site_idx])
                - (terrain.sample(cells.x_m[cell_idx], cells.y_m[cell_idx]))
            )
        depression_deg = np.degrees(np.arctan2(drop_m, np.maximum(d2, 1.0)))
        gain = sector_gain_db(
            bearing_deg(dx, dy),
            depression_deg - b.downtilt_deg,
            self.sector_azimuths_deg(sites)[site_idx],
            b.hpbw_deg,
            b.front_to_back_db,
        )
        eirp_re = self.eirp_per_re_dbm(sites)[site_idx] + gain - terrain_db
        model_code = self.pair_model_codes(sites, cells, site_idx, cell_idx)
        los, nlos, p_los, sigma_los, sigma_nlos = (np.empty(d2.size) for _ in range(5))
        for code, model in enumerate(PAIR_MODELS):
            sel = model_code == code
            if sel.any():
                los[sel], nlos[sel], p_los[sel] = self._medians(
                    model, d2[sel], freq[sel], h_bs[sel], eirp_re[sel]
                )
                sigma_los[sel], sigma_nlos[sel] = SHADOW_FADING_DB[model]
        return _Levels(los, nlos, p_los, sigma_los, sigma_nlos, model_code, freq)

    def _medians(
        self,
        model: str,
        d2: np.ndarray,
        freq: np.ndarray,
        h_bs: np.ndarray,
        eirp_re: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Median RSRP if LOS and if NLOS (dBm) and P(LOS), broadcast to one shape."""
        b = self.budget
        h_ut = b.ue_height_m
        base = eirp_re - b.fixed_losses_db
        rsrp_los = base - path_loss_db(model, d2, freq, h_bs, h_ut, los=True)
        rsrp_nlos = base - path_loss_db(model, d2, freq, h_bs, h_ut, los=False)
        shape = np.broadcast(rsrp_los, rsrp_nlos).shape
        if b.los_mode == "nlos":
            p_los = np.zeros(shape)
        else:
            p_los = np.broadcast_to(los_probability(model, d2, h_ut), shape)
        return np.broadcast_to(rsrp_los, shape), np.broadcast_to(rsrp_nlos, shape), p_los

    def _edge_rsrp_and_p(
        self,
        model: str,
        d2: np.ndarray,
        freq: np.ndarray,
        h_bs: np.ndarray,
        eirp_re: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Planning RSRP at the edge reliability (dBm) and P(RSRP >= threshold), per pair."""
        b = self.budget
        rsrp_los, rsrp_nlos, p_los = self._medians(model, d2, freq, h_bs, eirp_re)
        sigma_los, sigma_nlos = SHADOW_FADING_DB[model]
        p_cover = exceedance_probability(
            b.rsrp_threshold_dbm, rsrp_los, rsrp_nlos, p_los, sigma_los, sigma_nlos
        )
        edge = edge_rsrp_dbm(
            rsrp_los, rsrp_nlos, p_los, sigma_los, sigma_nlos, b.cell_edge_reliability
        )
        return edge, p_cover

    # ------------------------------------------------------------------ inputs
    def pair_model_codes(
        self, sites: Sites, cells: Cells, site_idx: np.ndarray, cell_idx: np.ndarray
    ) -> np.ndarray:
        """Per site–cell pair: its path-loss model, an index of :data:`PAIR_MODELS`.

        The cell's environment chooses the model (urban and suburban UMa, rural RMa);
        a site whose antenna is at most ``small_cell_height_m`` serves urban and
        suburban cells with UMi.

        Parameters
        ----------
        sites, cells : Sites, Cells
            The sites and cells (antenna heights in metres, environment codes).
        site_idx, cell_idx : arrays of int
            The pairs: row of ``sites`` and row of ``cells``, aligned.

        Returns
        -------
        ndarray of int
            0 UMa, 1 UMi, 2 RMa per pair.
        """
        macro = np.array([PAIR_MODELS.index(m) for m in MACRO_MODEL_BY_ENVIRONMENT])
        small = np.array([PAIR_MODELS.index(m) for m in SMALL_CELL_MODEL_BY_ENVIRONMENT])
        env = np.asarray(cells.environment, dtype=int)[cell_idx]
        is_small = np.asarray(sites.antenna_height_m)[site_idx] <= self.small_cell_height_m
        return np.where(is_small, small[env], macro[env])

    def frequency_ghz(self, sites: Sites) -> np.ndarray:
        """Carrier frequency per site, GHz: ``frequency_ghz`` of the frame, else the budget's."""
        return site_column(sites, "frequency_ghz", self.budget.default_frequency_ghz)

    def eirp_per_re_dbm(self, sites: Sites) -> np.ndarray:
        """EIRP per resource element per site, dBm: ``eirp_dbm`` − 10·log10(``n_subcarriers``).

        Each column of the frame wins where given; else the budget's (77 dBm, 3,276).
        """
        eirp = site_column(sites, "eirp_dbm", self.budget.eirp_dbm)
        subcarriers = site_column(sites, "n_subcarriers", float(self.budget.n_subcarriers))
        return eirp - 10 * np.log10(subcarriers)

    def sector_azimuths_deg(self, sites: Sites) -> np.ndarray:
        """Sector azimuths per site, degrees, shape (n_sites, k); NaN pads shorter lists.

        From the frame's ``azimuths_deg`` ("30;150;270"), else 0/120/240 for every site.
        """
        if sites.frame is not None and "azimuths_deg" in sites.frame.columns:
            return parse_azimuths(sites.frame["azimuths_deg"].tolist())
        return np.tile(np.array(DEFAULT_AZIMUTHS_DEG), (len(sites), 1))

    def terrain_around(self, sites: Sites, cells: Cells) -> Terrain | None:
        """The given terrain, or the DEMs read around ``sites`` and ``cells`` (None: flat).

        The area read is the sites' and cells' box plus the largest signal reach and 1 km.
        """
        if self.terrain is not None or not self.dem_paths:
            return self.terrain
        pad = float(self._reach(sites, None, "signal").max(initial=0.0)) + 1000.0
        xs = np.concatenate([sites.x_m, cells.x_m])
        ys = np.concatenate([sites.y_m, cells.y_m])
        bounds = (xs.min() - pad, ys.min() - pad, xs.max() + pad, ys.max() + pad)
        return _usable(read_dem(self.dem_paths, bounds, self.config.work_crs))

    def _diffraction_text(self) -> str:
        if self.diffraction == "single":
            return "diffraction: single knife edge of the worst obstacle (ITU-R P.526 §4.1)"
        return "diffraction: Bullington (ITU-R P.526 §4.5.1)"

    def terrain_summary(self) -> dict[str, Any]:
        """Which DEMs the model uses, their resolution and share of cells, as a JSON dict.

        Returns
        -------
        dict
            ``used`` (bool), ``diffraction`` (method), ``dem_files`` (names, by
            precedence), and with a terrain already read the :meth:`Terrain.summary`
            keys (``dems`` with ``share`` of cells, ``no_dem_share``, ``grid_m``,
            ``lower_bound``).
        """
        out: dict[str, Any] = {
            "used": self.terrain_used,
            "diffraction": self.diffraction,
            "dem_files": [Path(p).name for p in self.dem_paths],
        }
        if self.terrain is not None:
            out |= self.terrain.summary()
            out["dem_files"] = [layer.name for layer in self.terrain.layers] or [
                self.terrain.source
            ]
        return out


def uplink_budget(config: PlanConfig) -> UplinkBudget:
    """The PUSCH budget of the settings (UE power, noise figure, margin, TDD share, rates).

    >>> uplink_budget(PlanConfig()).edge_rate_bps
    (1000000.0, 1000000.0, 100000.0)
    """
    rates = config.uplink_edge_rates_kbps
    return UplinkBudget(
        ue_power_dbm=config.ue_power_dbm,
        noise_figure_db=config.gnb_noise_figure_db,
        interference_margin_db=config.uplink_interference_margin_db,
        tdd_uplink_share=config.tdd_uplink_share,
        edge_rate_bps=(1e3 * rates[0], 1e3 * rates[1], 1e3 * rates[2]),
    )


def indoor_model(config: PlanConfig) -> IndoorModel:
    """The building mix and indoor shares of the settings, by environment."""
    return IndoorModel(high_loss_share=config.high_loss_shares, indoor_share=config.indoor_shares)


def radio_model_for_grid(
    config: PlanConfig, grid: PopulationGrid | None, budget: LinkBudget | None = None
) -> RadioModel:
    """The radio model with its DEMs read once over ``grid`` (plus :data:`DEM_MARGIN_M`).

    The terrain then states which share of the grid's cells lies on each DEM. Without a
    grid, or with flat earth (``dem_paths=("flat",)``), the model reads nothing now.

    Parameters
    ----------
    config : PlanConfig
        Settings; ``dem_paths`` empty for the embedded DEMs.
    grid : PopulationGrid or None
        The population grid the model will be run on.
    budget : LinkBudget or None
        The link budget (the defaults when None).
    """
    budget = budget if budget is not None else LinkBudget()
    layers = partial(RadioModel, uplink=uplink_budget(config), indoor=indoor_model(config),
                     layer=cast(CoverageLayer, config.coverage_layer),
                     qcvn=config.qcvn_layer)  # fmt: skip
    paths = resolve_dem_paths(config.dem_paths)
    if not paths or grid is None:
        return layers(config, budget)
    west, south, east, north = array_bounds(*grid.shape, grid.transform)
    pad = DEM_MARGIN_M
    bounds_m = (west - pad, south - pad, east + pad, north + pad)
    terrain = _usable(read_dem(paths, bounds_m, config.work_crs, warn_nodata=False))
    if terrain is None:
        log.warning("DEM %s: no elevation data over the grid; flat earth", ", ".join(paths))
        return layers(replace(config, dem_paths=(FLAT_EARTH,)), budget)
    cells = grid.cells()
    terrain = terrain.with_cell_shares(cells.x_m, cells.y_m)
    flat_share = dict(terrain.cell_shares).get("none", 0.0)
    if flat_share > 0:
        log.warning("DEM %s: %.1f%% of the cells have no elevation data; treated as flat at "
                    "%.1f m", ", ".join(paths), 100 * flat_share, terrain.fill_m)  # fmt: skip
    return layers(config, budget, terrain=terrain)


def _usable(terrain: Terrain) -> Terrain | None:
    """None (flat earth, and cheaper) when no DEM has data in the area read."""
    return terrain if terrain.valid_share > 0 else None


def pair_chunks(
    tree: cKDTree, sites: Sites, reach_m: np.ndarray, chunk_pairs: int, cell_size_m: float
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Site–cell pairs within reach, a batch of sites at a time (bounded memory).

    Parameters
    ----------
    tree : cKDTree
        The cells' centres (work CRS, metres).
    sites : Sites
        The sites, work CRS, metres.
    reach_m : float array
        Reach per site, metres.
    chunk_pairs : int
        About this many pairs per batch (estimated from the reach's disc).
    cell_size_m : float
        Cell side, metres (for the estimate).

    Yields
    ------
    (site_idx, cell_idx) : aligned int arrays, rows of ``sites`` and of the tree's cells
    """
    xy = np.column_stack([sites.x_m, sites.y_m])
    estimate = np.pi * reach_m**2 / cell_size_m**2 + 1
    batch_id = np.floor(np.cumsum(estimate) / max(chunk_pairs, 1)).astype(int)
    for b in np.unique(batch_id):
        batch = np.flatnonzero(batch_id == b)
        hits = tree.query_ball_point(xy[batch], r=reach_m[batch])
        counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=batch.size)
        if counts.sum() == 0:
            continue
        cell_idx = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
        yield np.repeat(batch, counts), cell_idx


def _site_text(sites: Sites, column: str) -> np.ndarray:
    """A text column of ``sites.frame`` ("" where missing or empty)."""
    if sites.frame is None or column not in sites.frame.columns:
        return np.full(len(sites), "", dtype=object).astype(str)
    return sites.frame[column].fillna("").astype(str).str.strip().to_numpy(dtype=str)


def site_column(sites: Sites, column: str, default: float) -> np.ndarray:
    """A numeric column of ``sites.frame`` per site, ``default`` where missing or NaN.

    >>> site_column(Sites(np.zeros(2), np.zeros(2), np.ones(2), np.arange(2)), "eirp_dbm", 77)
    array([77., 77.])
    """
    values = np.full(len(sites), float(default))
    if sites.frame is not None and column in sites.frame.columns:
        given = np.asarray(sites.frame[column], dtype=float)
        values = np.where(np.isfinite(given), given, values)
    return values


@dataclass
class _Share:
    """One thread's part of :meth:`RadioModel.best_server`: per cell the best RSRP and its
    site, each layer's best probability and reliable coverage; the matrix's pairs; the
    far pairs left for :meth:`RadioModel._far_pass`."""

    best_rsrp: np.ndarray
    best_site: np.ndarray
    best_p: dict[str, np.ndarray]
    reliable: dict[str, np.ndarray]
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    far: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    n_pairs: int = 0

    @classmethod
    def empty(cls, n_cells: int, names: tuple[CoverageLayer, ...]) -> _Share:
        return cls(np.full(n_cells, -np.inf), np.full(n_cells, -1, dtype=np.int64),
                   {name: np.zeros(n_cells) for name in names},
                   {name: np.zeros(n_cells, dtype=bool) for name in names})  # fmt: skip

    def merge(self, other: _Share) -> None:
        """Fold ``other`` in: maxima, unions and lists, so the result is that of one
        thread doing every chunk (the best RSRP's ties go to the lowest site, as in
        :func:`_update_best`)."""
        for name, p in self.best_p.items():
            np.maximum(p, other.best_p[name], out=p)
            self.reliable[name] |= other.reliable[name]
        tie = (
            (other.best_rsrp == self.best_rsrp)
            & (other.best_site >= 0)
            & ((self.best_site < 0) | (other.best_site < self.best_site))
        )
        better = (other.best_rsrp > self.best_rsrp) | tie
        self.best_rsrp[better] = other.best_rsrp[better]
        self.best_site[better] = other.best_site[better]
        self.rows += other.rows
        self.cols += other.cols
        self.far += other.far
        self.n_pairs += other.n_pairs


def _update_best(
    best_rsrp: np.ndarray,
    best_site: np.ndarray,
    rsrp: np.ndarray,
    site_idx: np.ndarray,
    cell_idx: np.ndarray,
) -> None:
    """Keep, per cell, the highest RSRP seen so far and its site (ties: lowest site)."""
    order = np.lexsort((site_idx, -rsrp, cell_idx))
    cells_sorted = cell_idx[order]
    first = np.flatnonzero(np.r_[True, cells_sorted[1:] != cells_sorted[:-1]])
    top = order[first]
    cells, values, owners = cell_idx[top], rsrp[top], site_idx[top]
    better = values > best_rsrp[cells]
    best_rsrp[cells[better]] = values[better]
    best_site[cells[better]] = owners[better]


def _bool_csr(
    rows: list[np.ndarray], cols: list[np.ndarray], shape: tuple[int, int]
) -> sparse.csr_matrix:
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_matrix((np.ones(r.size, dtype=bool), (r, c)), shape=shape)
    matrix.sort_indices()
    return matrix
