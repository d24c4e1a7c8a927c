"""Results: today's coverage, and the one plan type that planning returns and plan folders hold."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.errors import FormatError
from geoplan.grid import Cells
from geoplan.inputs import Inputs
from geoplan.optimize.core import OptimizeResult
from geoplan.schema import COVERAGE_LAYERS, BoundKind, PlanMode, SolverName
from geoplan.sites import CandidateSet

#: Why a layer has no numbers: the radius model has no link budget; ``qcvn`` is computed
#: only when asked, since the SINR layer costs 3-6x the coverage (docs/radio.md).
LAYER_NOT_COMPUTED: dict[str, str] = {
    "qcvn": "not computed: SINR and throughput under load against QCVN 126 cost 3-6x the "
    "coverage's time; add --layers qcvn (or --coverage qcvn) to compute it",
}
#: Keys of the QCVN layer beyond the four shares of every layer (null when not computed).
QCVN_EXTRA_KEYS = ("median_sinr_db", "own_operator_share", "by_operator")
NO_LINK_BUDGET = "not computed: this model has no link budget (use --model 38901)"


@dataclass(frozen=True)
class LayerCoverage:
    """One coverage layer (:data:`geoplan.schema.COVERAGE_LAYERS`), per cell.

    Attributes
    ----------
    probability : float array, per cell: P(covered in this layer), 0..1
    covered : bool array, per cell: covered at the design reliability
    description : the layer's definition and assumptions, one line
    sinr_db : the QCVN layer only: per cell, the best operator's median SS-SINR, dB (NaN
        beyond every sector's reach); empty for other layers
    dl_mbps : the QCVN layer only: per cell, the best loaded-user mean downlink rate,
        Mbit/s
    """

    probability: np.ndarray = field(repr=False)
    covered: np.ndarray = field(repr=False)
    description: str = ""
    sinr_db: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    dl_mbps: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class CoverageResult:
    """Covered people for the province and each commune under one model.

    Attributes
    ----------
    model, model_description : the coverage model's name and its assumptions
    n_sites : number of sites counted
    population_total : people in the province
    covered_population : expected people covered, Σ people × P(covered) (the headline)
    communes : per commune: ``code``, ``name``, ``population``, ``covered_population``
        (expected), ``uncovered_population`` (people) and ``covered_share`` (0..1), and
        ``reliable_population`` / ``reliable_share`` (at the design reliability)
    covered : bool array, one per cell of ``cells``: covered at the design reliability
    cells : the grid cells inside the province
    reliable_population : people in cells covered at least with the design reliability
        (90% by default): a lower bound of the expectation, and what plans optimise
    probability : float array, one per cell: P(covered), 0..1
    layer : the coverage layer of ``covered``, ``probability`` and the headline
        (``"signal"``: downlink outdoors, unless ``--coverage`` chose another)
    layers : every layer the model computed, by name (empty for a model without a link
        budget)
    indoor_people_share : float array, one per cell: share of its people indoors (by
        the cell's environment), which weighs the indoor and signal layers into
        ``indoor_weighted`` (empty without an indoor layer)
    best_rsrp_dbm : float array, one per cell: the downlink best server's planning SS-RSRP
        (reached in the cell-edge reliability's share of shadow-fading draws), dBm; NaN
        beyond every site's reach; empty for a model without a link budget (what
        ``best_server_rsrp_dbm.tif`` holds, and the map's RSRP overlay shows)
    """

    model: str
    model_description: str
    n_sites: int
    population_total: float
    covered_population: float
    communes: pd.DataFrame
    covered: np.ndarray = field(repr=False)
    cells: Cells = field(repr=False)
    reliable_population: float = float("nan")
    probability: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    layer: str = "signal"
    layers: dict[str, LayerCoverage] = field(repr=False, default_factory=dict)
    indoor_people_share: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    best_rsrp_dbm: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def covered_share(self) -> float:
        """Expected share of the province's people covered, 0..1 (0 with no people)."""
        return self.covered_population / self.population_total if self.population_total else 0.0

    @property
    def reliable_share(self) -> float:
        """Share of people covered at least with the design reliability, 0..1."""
        return self.reliable_population / self.population_total if self.population_total else 0.0

    def layer_people(self) -> dict[str, tuple[np.ndarray, np.ndarray] | None]:
        """Per layer (and ``indoor_weighted``): expected and reliable people per commune.

        Returns
        -------
        dict
            By layer name: ``(expected, reliable)`` people per commune row (arrays), or
            None for a layer the model did not compute.
        """
        out: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        for name in COVERAGE_LAYERS:
            layer = self.layers.get(name)
            out[name] = (
                None if layer is None else self._per_commune(layer.probability, layer.covered)
            )
        signal, indoor = self.layers.get("signal"), self.layers.get("indoor")
        out["indoor_weighted"] = None
        if signal is not None and indoor is not None and self.indoor_people_share.size:
            inside = self.indoor_people_share
            out["indoor_weighted"] = self._per_commune(
                inside * indoor.probability + (1 - inside) * signal.probability,
                inside * indoor.covered + (1 - inside) * signal.covered,
            )
        return out

    def _per_commune(
        self, probability: np.ndarray, covered: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        people, n = self.cells.population, len(self.communes)
        expected = np.bincount(self.cells.commune, weights=people * probability, minlength=n)
        reliable = np.bincount(self.cells.commune, weights=people * covered, minlength=n)
        return expected, reliable

    def _layers_dict(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The province's ``layers`` object, and each commune's (rows of ``communes``)."""
        people = self.communes["population"].to_numpy(float)
        safe = np.where(people > 0, people, np.inf)  # shares of 0 where nobody lives
        total = self.population_total or np.inf
        province: dict[str, Any] = {}
        rows: list[dict[str, Any]] = [{} for _ in range(len(people))]
        for name, sums in self.layer_people().items():
            description = self._layer_description(name)
            extra = QCVN_EXTRA_KEYS if name == "qcvn" else ()
            if sums is None:
                province[name] = {"covered_population": None, "covered_share": None,
                                  "reliable_population": None, "reliable_share": None,
                                  "description": description} | dict.fromkeys(extra)  # fmt: skip
                for row in rows:
                    row[name] = {"covered_share": None, "reliable_share": None}
                    row[name] |= dict.fromkeys(extra)
                continue
            expected, reliable = sums
            province[name] = {
                "covered_population": round(float(expected.sum()), 1),
                "covered_share": round(float(expected.sum()) / total, 6),
                "reliable_population": round(float(reliable.sum()), 1),
                "reliable_share": round(float(reliable.sum()) / total, 6),
                "description": description,
            }
            for row, e, r in zip(rows, expected / safe, reliable / safe, strict=True):
                row[name] = {
                    "covered_share": round(float(e), 6),
                    "reliable_share": round(float(r), 6),
                }
            if name == "qcvn":
                self._qcvn_sinr(province[name], rows)
        return province, rows

    def _qcvn_sinr(self, province: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        """The people-weighted median SINR of the province and each commune, dB."""
        sinr = self.layers["qcvn"].sinr_db
        province["median_sinr_db"] = _rounded_db(weighted_median_db(sinr, self.cells.population))
        medians = grouped_median_db(sinr, self.cells.population, self.cells.commune, len(rows))
        for row, median in zip(rows, medians, strict=True):
            row["qcvn"]["median_sinr_db"] = _rounded_db(median)

    def _layer_description(self, name: str) -> str:
        if name in self.layers:
            return self.layers[name].description
        if name == "indoor_weighted" and "indoor" in self.layers:
            return (
                "people where they are: each environment's indoor share (by default 80% "
                "urban and suburban, 50% rural; TR 38.901 Table 7.2-1) counted with the "
                "indoor layer, the rest with the signal layer"
            )
        return LAYER_NOT_COMPUTED.get(name, NO_LINK_BUDGET)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready summary (the ``--json`` output of ``geoplan coverage``)."""
        layers, commune_layers = self._layers_dict()
        communes = [
            {
                "code": str(row.code),
                "name": str(row.name),
                "population": round(float(row.population), 1),
                "covered_population": round(float(row.covered_population), 1),
                "covered_share": round(float(row.covered_share), 6),
                "reliable_population": round(float(row.reliable_population), 1),
                "reliable_share": round(float(row.reliable_share), 6),
                "layers": by_layer,
            }
            for row, by_layer in zip(
                self.communes.itertuples(index=False), commune_layers, strict=True
            )
        ]
        return {
            "model": self.model,
            "model_description": self.model_description,
            "n_sites": self.n_sites,
            "population_total": round(self.population_total, 1),
            "covered_population": round(self.covered_population, 1),
            "covered_share": round(self.covered_share, 6),
            "reliable_population": round(self.reliable_population, 1),
            "reliable_share": round(self.reliable_share, 6),
            "coverage_layer": self.layer,
            "layers": layers,
            "metrics": {
                "covered_share": "expected share of people covered, sum of people x P(covered), "
                "in the coverage_layer",
                "reliable_share": "share of people where P(covered) >= the design reliability",
                "layers": "the same two measures per coverage layer (signal: downlink "
                "outdoors; usable: downlink and uplink close; indoor: downlink behind the "
                "building's wall; indoor_weighted: indoor and outdoor people together); "
                "null where the model does not compute the layer",
            },
            "communes": communes,
        }

    def _repr_html_(self) -> str:
        worst = self.communes.sort_values("covered_share").head(10)
        table = worst.to_html(
            index=False,
            formatters={
                "population": "{:,.0f}".format,
                "covered_population": "{:,.0f}".format,
                "uncovered_population": "{:,.0f}".format,
                "covered_share": "{:.1%}".format,
            },
        )
        return (
            f"<p><b>{html.escape(repr(self))}</b><br>{html.escape(self.model_description)}</p>"
            f"<p>Ten least-covered communes:</p>{table}"
        )

    def __repr__(self) -> str:
        return (
            f"CoverageResult({self.model} model, {self.n_sites} sites: "
            f"{self.covered_population:,.0f} of {self.population_total:,.0f} people covered "
            f"= {self.covered_share:.1%} expected, {self.reliable_share:.1%} at the design "
            f"reliability; {len(self.communes)} communes)"
        )


@dataclass(frozen=True)
class PlanSummary:
    """The totals and settings of one plan: the ``plan.json`` object, typed.

    Shares are of people, 0..1; money in VND; times in seconds.

    Attributes
    ----------
    mode : ``"min_sites"`` (fewest sites to a target) or ``"max_coverage"``
    baseline_share, achieved_share : share of people covered at the design reliability
        today and after the plan (what the target and the optimiser count)
    baseline_expected_share, achieved_expected_share : the headline, expected share of
        people covered (Σ people × P(covered)) today and after the plan
    target : the covered share asked for (None in ``max_coverage`` mode)
    n_new_sites : new sites in the plan
    newly_covered_population : people the new sites cover that nobody covers today
    bound, bound_kind : the solver's proven bound: a number of sites (``"n_sites"``)
        or a covered share (``"covered_share"``)
    gap : relative distance of the plan from ``bound`` (0 = proven optimal)
    status, solver : how the solver ended, and which one ran
    seconds, solver_seconds : wall time of the whole plan, and of the solver alone
    total_cost_vnd : CAPEX of the new sites
    state_support_share, state_support_vnd : the state's share (up to 15%) and amount
    net_cost_vnd : CAPEX after the support
    cost_per_new_person_vnd : CAPEX per newly covered person (None if nobody)
    phases : one record per phase (``phase``, ``n_sites``, ``cost_vnd`` …)
    model, model_description : the coverage model and its assumptions
    stations_synthetic : True when today's sites are the synthetic default set
    n_existing_sites : today's sites
    candidates : candidates by source (``grid``, ``cluster``, ``user``) and ``total``
    problem : sizes of the optimisation problem (rows, columns, reductions)
    equity : the communes left at 0% and below the floor share after the plan, and the
        estimated price of lifting them to it (``floor_price``: sites, VND, method)
    inputs : each input file's ``path`` and ``sha256`` (``boundaries``, ``population``,
        ``stations``, and ``candidates``/``dem`` when given)
    settings : every :class:`~geoplan.config.PlanConfig` value the plan used
    """

    mode: PlanMode
    baseline_share: float
    achieved_share: float
    baseline_expected_share: float
    achieved_expected_share: float
    target: float | None
    n_new_sites: int
    newly_covered_population: int
    bound: float
    bound_kind: BoundKind
    gap: float
    status: str
    solver: SolverName
    seconds: float
    solver_seconds: float
    total_cost_vnd: int
    state_support_share: float
    state_support_vnd: int
    net_cost_vnd: int
    cost_per_new_person_vnd: int | None
    phases: tuple[dict[str, Any], ...]
    model: str
    model_description: str
    stations_synthetic: bool
    n_existing_sites: int
    candidates: dict[str, int]
    problem: dict[str, Any]
    equity: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (``plan.json`` without ``files``)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["phases"] = [dict(p) for p in self.phases]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], src: str = "plan.json") -> PlanSummary:
        """Build the summary from a ``plan.json`` object; ``files`` and unknown keys are ignored.

        Raises :class:`FormatError` naming the first missing key.

        Parameters
        ----------
        data : mapping
            The parsed ``plan.json`` object (shares 0..1, money VND, times seconds).
        src : str
            Where ``data`` came from, for error messages.
        """
        optional = {"equity", "inputs", "settings"}  # plans written before they existed
        missing = [f.name for f in fields(cls) if f.name not in data and f.name not in optional]
        if missing:
            raise FormatError(
                f"{src}: missing key(s) {', '.join(missing[:5])}; was it written by `geoplan plan`?"
            )
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["phases"] = tuple(dict(p) for p in values["phases"])
        return cls(**values)


@dataclass(frozen=True)
class Plan:
    """A site plan: where to build, in what order, what it buys and what it costs.

    Planning (:func:`geoplan.planning.plan_sites`, ``scenario.plan(...)``) returns it
    and :func:`geoplan.io.plan_folder.read_plan` reads the same class back from a plan
    folder; the tables have the columns of :mod:`geoplan.schema`.

    Attributes
    ----------
    new_sites : GeoDataFrame (EPSG:4326 points) in build order (phase, then order)
    phases : per phase: sites, CAPEX (VND), covered share after the phase, people added
    communes : per commune: people, covered people and share before and after
    curve : covered share after 0, 1, 2 … new sites in build order
    summary : the plan's totals and settings
    commune_phases : per commune: covered share today and after each phase
        (``after_phase_1`` …); None for plan folders written before it existed
    candidates : every candidate considered (fresh plans only; carries the antenna
        columns that :meth:`geoplan.Scenario.after` gives the new sites)
    optimize : the optimiser's own result (fresh plans only)
    coverage_after : coverage with today's and the new sites under the plan's model (by
        its name), as planning computed it for the summary (fresh plans only)
    planned_on : the inputs the plan was made for (fresh plans only); with
        ``coverage_after`` it lets :meth:`geoplan.Scenario.coverage_after` skip recomputing
    path : the plan folder it was read from (None for a fresh plan)
    """

    new_sites: gpd.GeoDataFrame
    phases: pd.DataFrame
    communes: pd.DataFrame
    curve: pd.DataFrame
    summary: PlanSummary
    commune_phases: pd.DataFrame | None = field(default=None, repr=False)
    candidates: CandidateSet | None = field(default=None, repr=False)
    optimize: OptimizeResult | None = field(default=None, repr=False)
    coverage_after: CoverageResult | None = field(default=None, repr=False, compare=False)
    planned_on: Inputs | None = field(default=None, repr=False, compare=False)
    path: Path | None = None

    @property
    def n_phases(self) -> int:
        """Number of build phases."""
        return int(self.phases["phase"].nunique())

    @property
    def total_cost_vnd(self) -> float:
        """CAPEX of all new sites, VND."""
        return float(self.new_sites["cost_vnd"].sum())

    @property
    def covered_share_after(self) -> float:
        """Province share covered after the last phase (population-weighted, 0..1)."""
        people = float(self.communes["population"].sum())
        covered = float(self.communes["covered_population_after"].sum())
        return covered / people if people else 0.0

    def to_dict(self, files: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The ``plan.json`` / ``--json`` object: the summary and the files written.

        Parameters
        ----------
        files : mapping of str or None
            The files written, by kind (stored under ``files``).
        """
        return self.summary.to_dict() | {"files": dict(files or {})}

    def __repr__(self) -> str:
        s = self.summary
        where = f" from {self.path}" if self.path is not None else ""
        return (
            f"Plan{where}: {len(self.new_sites)} new sites in {self.n_phases} phases, "
            f"{s.baseline_share:.1%} -> {s.achieved_share:.1%} covered "
            f"(target {format_target(s.target)}); {s.solver} solver ({s.status}), "
            f"gap {s.gap:.2%}; CAPEX {self.total_cost_vnd / 1e9:,.1f} bn VND"
        )

    def _repr_html_(self) -> str:
        s = self.summary
        rows = [
            ("Covered today", f"{s.baseline_share:.1%}"),
            ("Covered after the plan", f"{s.achieved_share:.1%}"),
            ("Target", format_target(s.target)),
            ("New sites", f"{s.n_new_sites}"),
            ("Proven bound / gap", f"{s.bound:,.6g} ({s.bound_kind}) / {s.gap:.2%}"),
            ("Solver", f"{s.solver} ({s.status}, {s.seconds:.1f} s)"),
            ("CAPEX", f"{s.total_cost_vnd:,.0f} VND"),
            ("State support (up to)", f"{s.state_support_vnd:,.0f} VND"),
            ("Net CAPEX after support", f"{s.net_cost_vnd:,.0f} VND"),
            ("Model", s.model),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        phases = self.phases.to_html(index=False, float_format=lambda v: f"{v:,.4g}")
        return f"<table>{body}</table><p>Phases</p>{phases}"


def weighted_median_db(values_db: np.ndarray, weights: np.ndarray) -> float:
    """People-weighted median of a dB value, NaN counted lowest (beyond every reach).

    The lower weighted median: the smallest value whose cumulative weight reaches half.

    Parameters
    ----------
    values_db : float array
        One value per cell, dB; NaN where there is none (it sorts below every value).
    weights : float array
        People per cell.

    Returns
    -------
    float
        The median, dB; −inf when it falls among the NaN cells, NaN without people.

    >>> weighted_median_db(np.array([1.0, 5.0, np.nan]), np.array([1.0, 3.0, 1.0]))
    5.0
    """
    values = np.asarray(values_db, float)
    return float(grouped_median_db(values, weights, np.zeros(values.size, np.int64), 1)[0])


def grouped_median_db(
    values_db: np.ndarray, weights: np.ndarray, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """:func:`weighted_median_db` of each group (e.g. commune) at once.

    Parameters
    ----------
    values_db, weights : float arrays
        Per cell: the value (dB, NaN for none) and its people.
    group : int array
        Group of each cell, 0..n_groups-1.
    n_groups : int
        Number of groups (NaN for a group without people).

    >>> grouped_median_db(np.array([1.0, 5.0, 2.0]), np.array([1.0, 1.0, 5.0]),
    ...                   np.array([0, 0, 1]), 3).tolist()
    [1.0, 2.0, nan]
    """
    values = np.where(np.isnan(values_db), -np.inf, np.asarray(values_db, float))
    weights = np.asarray(weights, float)
    groups = np.asarray(group, np.int64)
    order = np.lexsort((values, groups))
    g, v, w = groups[order], values[order], weights[order]
    total = np.bincount(g, weights=w, minlength=n_groups)
    before = np.r_[0.0, np.cumsum(total)][g]  # the people of the groups before each cell's
    reached = (np.cumsum(w) - before >= 0.5 * total[g]) & (total[g] > 0)
    first = np.flatnonzero(reached)
    _, where = np.unique(g[first], return_index=True)  # per group, its first cell past half
    out = np.full(n_groups, np.nan)
    out[g[first[where]]] = v[first[where]]
    return out


def _rounded_db(value: float) -> float | None:
    """A dB value for JSON to 0.01 dB; None for −inf or NaN (no median to give)."""
    return round(float(value), 2) if np.isfinite(value) else None


def format_target(target: float | None) -> str:
    """A plan's target as people read it.

    Parameters
    ----------
    target : float or None
        Covered share of people, 0..1; None in ``max_coverage`` mode.

    >>> format_target(0.8), format_target(None)
    ('80%', 'none (most coverage within the limits)')
    """
    return "none (most coverage within the limits)" if target is None else f"{100 * target:g}%"


@dataclass(frozen=True)
class OperatorCoverage:
    """Coverage as subscribers get it: each operator's network alone, and by own operator.

    A subscriber gets 5G only from their own operator, so the own-operator share is
    Σ_o m_o × share_o, with m_o the operator's share of subscribers (a sourced table,
    ``geoplan/data/carriers/market_shares.csv``) and share_o the share of people its
    own sites cover; subscribers of an operator without 5G sites count as uncovered.

    Attributes
    ----------
    by_operator : operator -> its sites' :class:`CoverageResult`
    market_shares : subscriber share per operator, 0..1 (sums to 1)
    communes : per commune: ``code``, ``name``, ``population``, ``own_share`` and
        ``own_reliable_share`` (0..1), and ``share_<operator>`` (expected, 0..1)
    """

    by_operator: dict[str, CoverageResult]
    market_shares: pd.Series
    communes: pd.DataFrame

    @property
    def own_share(self) -> float:
        """Expected share of people covered by their own operator, 0..1."""
        return self._own("covered_population")

    @property
    def own_reliable_share(self) -> float:
        """Share covered by their own operator at the design reliability, 0..1."""
        return self._own("reliable_population")

    def _own(self, attribute: str) -> float:
        total = float(self.communes["population"].sum())
        covered = sum(
            float(self.market_shares.get(op, 0.0)) * float(getattr(result, attribute))
            for op, result in self.by_operator.items()
        )
        return covered / total if total else 0.0

    def qcvn_dict(self) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The QCVN layer by operator: the province's keys, and each commune's (table order).

        ``own_operator_share`` is Σ_o m_o × (people where QCVN holds on operator o's own
        network) / people, as every own-operator share; ``by_operator`` gives each
        operator's share (and, for the province, its people-weighted median SINR, dB).
        None when the QCVN layer was not computed.
        """
        if "qcvn_own_share" not in self.communes.columns:
            return None
        total = float(self.communes["population"].sum()) or np.inf
        province: dict[str, Any] = {"own_operator_share": round(self._own_qcvn() / total, 6)}
        by_operator = {}
        for op, result in self.by_operator.items():
            layer = result.layers["qcvn"]
            people = result.cells.population
            by_operator[op] = {
                "covered_share": round(float(people @ layer.covered) / total, 6),
                "median_sinr_db": _rounded_db(weighted_median_db(layer.sinr_db, people)),
            }
        province["by_operator"] = by_operator
        rows = [
            {
                "own_operator_share": round(float(row["qcvn_own_share"]), 6),
                "by_operator": {op: round(float(row[f"qcvn_share_{op}"]), 6)
                                for op in self.by_operator},
            }
            for _, row in self.communes.iterrows()
        ]  # fmt: skip
        return province, rows

    def _own_qcvn(self) -> float:
        return sum(
            float(self.market_shares.get(op, 0.0))
            * float(result.cells.population @ result.layers["qcvn"].covered)
            for op, result in self.by_operator.items()
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: own-operator shares and each operator's, for the province."""
        return {
            "own_operator_share": round(self.own_share, 6),
            "own_operator_reliable_share": round(self.own_reliable_share, 6),
            "market_shares": {k: round(float(v), 6) for k, v in self.market_shares.items()},
            "by_operator": {
                op: {
                    "n_sites": r.n_sites,
                    "covered_share": round(r.covered_share, 6),
                    "reliable_share": round(r.reliable_share, 6),
                }
                for op, r in self.by_operator.items()
            },
        }
