"""Maximum coverage and fewest sites for a target, on arrays only (no geometry).

Like spopt's ``from_cost_matrix``: the caller brings a weight per demand column and
a sparse candidates × demand coverage matrix; :mod:`geoplan.optimize.adapter` builds
those from a scenario.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import sparse

from geoplan.errors import InputError, SolverError
from geoplan.optimize.exact import SideRow, solve_coverage_milp
from geoplan.optimize.greedy import GreedyRun, drop_redundant, lazy_greedy
from geoplan.optimize.proof import prove
from geoplan.optimize.reduce import dominated_candidates, merge_identical_columns
from geoplan.optimize.stop import stop_on_signals
from geoplan.schema import SOLVERS

log = logging.getLogger(__name__)

#: What fewest-sites minimises: the number of sites, or their total cost (CAPEX).
Objective = Literal["sites", "cost"]
#: Rounds of fixing and restricted MILP: ``auto`` stops after a few, ``exact`` goes on
#: until the gap closes or the time runs out.
_ROUNDS = {"auto": 3, "exact": 1_000}
#: Relative slack on an LP optimum used as a bound: the interior point method stops
#: without crossover, within about 1e-8 of the optimum; the slack keeps the bound true.
LP_TOLERANCE = 1e-6

#: HiGHS options of maximum coverage's proof: its presolve costs more than it saves on
#: these models (0.2 s of a 0.4 s restricted MILP on the 8 km synthetic instance), and
#: dual simplex beats the interior point on their small root LPs.
MAX_COVERAGE_HIGHS: dict[str, Any] = {"presolve": "off", "mip_lp_solver": "choose"}


class TargetUnreachableError(SolverError):
    """The target exceeds what all candidates together can cover."""

    def __init__(self, message: str, reachable_weight: float) -> None:
        """Keep ``reachable_weight``: the most weight (people) all candidates can cover."""
        super().__init__(message)
        self.reachable_weight = reachable_weight


@dataclass(frozen=True)
class OptimizeResult:
    """The chosen candidates and how good the choice provably is.

    Attributes
    ----------
    selected : candidate indices (ascending)
    covered_weight : weight (people) of the demand the selection covers
    total_weight : weight of all demand
    objective : what was optimised: ``"covered_weight"`` (maximum coverage),
        ``"n_sites"`` (fewest sites for a target) or ``"cost"`` (cheapest plan for it)
    bound : best proven bound on that objective: an upper bound on the covered
        weight, or a lower bound on the number of sites or on the cost
    gap : relative distance between the solution and the bound (0 = proven optimal)
    status : ``"optimal"`` (proven), ``"within_gap"`` (proven within ``mip_rel_gap``),
        ``"time_limit"``, ``"interrupted"`` (Ctrl-C or SIGTERM: the best plan so far,
        with its honest bound) or ``"greedy"``
    seconds : wall-clock time, reduction and solve included
    solver : ``"auto"``, ``"exact"`` or ``"greedy"``
    cost : total cost of the selection, in the unit of the candidates' cost (VND)
    stats : sizes before and after the reductions, and the certificate of the proof:
        ``lp_bound``, ``proof_method``, ``n_fixed_zero``/``n_fixed_one`` (candidates fixed
        by reduced costs), ``n_free``, ``seconds_lp``, ``seconds_total`` …
    """

    selected: np.ndarray
    covered_weight: float
    total_weight: float
    objective: str
    bound: float
    gap: float
    status: str
    seconds: float
    solver: str
    cost: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def n_sites(self) -> int:
        """Number of candidates selected."""
        return int(self.selected.size)

    def __repr__(self) -> str:
        return (
            f"OptimizeResult({self.solver}, {self.status}: {self.n_sites} sites cover "
            f"{self.covered_weight:,.0f} of {self.total_weight:,.0f}; {self.objective} bound "
            f"{self.bound:,.6g}, gap {self.gap:.2%}, {self.seconds:.2f} s)"
        )


@dataclass(frozen=True)
class _Problem:
    """Validated inputs plus the reduced instance the solvers see."""

    weights: np.ndarray
    cover: sparse.csr_matrix
    cost: np.ndarray
    preferred: np.ndarray
    kept: np.ndarray  # original indices of the candidates that survive reduction
    reduced_cover: sparse.csr_matrix
    reduced_weights: np.ndarray
    reduced_groups: np.ndarray
    group_need: np.ndarray | None
    stats: dict[str, Any]
    column_of: np.ndarray  # merged column of each demand column (-1: no candidate reaches it)


def max_coverage(
    weights: np.ndarray,
    cover: sparse.spmatrix,
    k: int | None,
    *,
    solver: str = "auto",
    cost: np.ndarray | None = None,
    budget: float | None = None,
    groups: np.ndarray | None = None,
    group_min_weight: np.ndarray | None = None,
    group_names: list[str] | None = None,
    group_label: str = "group",
    preferred: np.ndarray | None = None,
    time_limit_s: float = 120.0,
    mip_rel_gap: float = 1e-4,
    seed: int = 0,
    lp_bound_s: float = 0.0,
) -> OptimizeResult:
    """Choose at most ``k`` candidates (and/or within ``budget``) covering the most weight.

    Parameters
    ----------
    weights : (n_demand,) people per demand column, >= 0
    cover : (n_candidates × n_demand) sparse bool, True where a candidate covers a column
    k : most candidates to open (None: only the budget limits)
    solver : ``"auto"`` (default: greedy, then the proof pipeline of
        :mod:`geoplan.optimize.proof` for a few rounds), ``"exact"`` (the same pipeline
        until the gap closes or the time runs out) or ``"greedy"``
    cost, budget : per-candidate cost and the total allowed (same unit, e.g. VND)
    groups, group_min_weight : group of each demand column (0..G-1, -1 none) and the
        weight each group must get covered at least (equity floors)
    group_names, group_label : names of the groups and what a group is ("commune"),
        for error messages
    preferred : bool per candidate; wins ties (never trades coverage for preference)
    time_limit_s, mip_rel_gap, seed : HiGHS settings
    lp_bound_s : with ``solver="greedy"``, seconds allowed for the LP relaxation, whose
        optimum tightens the bound (0: greedy's own bound only)

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], bool))
    >>> result = max_coverage(np.array([4.0, 1.0, 1.0, 4.0]), cover, k=2)
    >>> result.selected.tolist(), result.covered_weight, result.gap
    ([0, 2], 10.0, 0.0)
    """
    started = time.perf_counter()
    if k is None and budget is None:
        raise InputError("max_coverage needs k (number of sites) or a budget")
    if k is not None and k < 0:
        raise InputError(f"k must be >= 0, got {k}")
    problem = _prepare(weights, cover, solver, cost, budget, groups, group_min_weight,
                       group_names, group_label, preferred, seed)  # fmt: skip
    if problem.kept.size == 0 or k == 0:  # nothing worth building, or nothing allowed
        if problem.group_need is not None and (problem.group_need > 0).any():
            raise SolverError("the group floors need sites but none may be built")
        return _result(problem, np.zeros(0, np.int64), 0.0, "covered_weight", 0.0, 0.0,
                       "optimal", solver, started)  # fmt: skip
    run = lazy_greedy(
        problem.reduced_weights, problem.reduced_cover, k=k, cost=_kept(problem.cost, problem),
        budget=budget, groups=problem.reduced_groups, group_need=problem.group_need,
        preferred=_kept(problem.preferred, problem),
    )  # fmt: skip
    run = _best_single_if_better(run, problem, budget)
    if not run.complete and solver == "greedy":
        raise SolverError(
            "greedy could not meet the group floors within the sites/budget allowed; "
            "allow more sites or a larger budget, lower the floors, or use solver='exact'"
        )
    chosen = problem.kept[run.selected]
    bound, status = run.bound, "greedy"
    if solver == "greedy" and lp_bound_s > 0:
        rows = _side_rows_common(problem, k, budget)
        lp = _lp_bound(problem, np.zeros(problem.kept.size), rows, True, lp_bound_s)
        if lp is not None:
            bound = min(bound, lp * (1 + LP_TOLERANCE))
    certificate: dict[str, Any] = {}
    if solver != "greedy":
        with stop_on_signals():
            chosen, bound, status, certificate = _proven_max(
                problem, run, k, budget, time_limit_s, mip_rel_gap, seed, _ROUNDS[solver]
            )
    covered = _covered_weight(problem, chosen)
    bound = max(bound, covered)
    gap = (bound - covered) / bound if bound > 0 else 0.0
    return _result(problem, chosen, covered, "covered_weight", bound, gap, status, solver,
                   started, certificate)  # fmt: skip


def min_sites_for_target(
    weights: np.ndarray,
    cover: sparse.spmatrix,
    target_weight: float,
    *,
    solver: str = "auto",
    cost: np.ndarray | None = None,
    budget: float | None = None,
    max_sites: int | None = None,
    groups: np.ndarray | None = None,
    group_min_weight: np.ndarray | None = None,
    group_names: list[str] | None = None,
    group_label: str = "group",
    preferred: np.ndarray | None = None,
    time_limit_s: float = 120.0,
    mip_rel_gap: float = 1e-4,
    seed: int = 0,
    lp_bound_s: float = 0.0,
    objective: Objective = "sites",
    zones: np.ndarray | None = None,
) -> OptimizeResult:
    """Fewest candidates that together cover at least ``target_weight``.

    Parameters are those of :func:`max_coverage`, with ``target_weight`` (people)
    instead of ``k`` and ``max_sites`` as an optional cap, ``objective``:
    ``"sites"`` (fewest sites) or ``"cost"`` (cheapest plan by ``cost``; exact solvers
    only), and ``zones`` (zone of each demand column, e.g. its commune; with floors,
    each floor's group is one zone and the other columns keep theirs): the exact solvers
    then decompose the problem by zones for a stronger bound and a better plan
    (:mod:`geoplan.optimize.decompose`). ``bound`` is a proven lower bound on the number
    of sites (or the cost); a target above what all candidates together cover raises
    :class:`TargetUnreachableError` (its ``reachable_weight`` says how far one can go).

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], bool))
    >>> result = min_sites_for_target(np.array([4.0, 1.0, 1.0, 4.0]), cover, 9.0)
    >>> result.selected.tolist(), result.bound
    ([0, 2], 2.0)
    """
    started = time.perf_counter()
    if objective not in ("sites", "cost"):
        raise InputError(f"unknown objective {objective!r}; choose 'sites' or 'cost'")
    if objective == "cost" and solver == "greedy":
        raise InputError("objective='cost' needs solver='auto' or 'exact' (greedy counts sites)")
    problem = _prepare(weights, cover, solver, cost, budget, groups, group_min_weight,
                       group_names, group_label, preferred, seed)  # fmt: skip
    reachable = float(problem.reduced_weights.sum())
    if target_weight > reachable * (1 + 1e-12):
        raise TargetUnreachableError(
            f"target {target_weight:,.0f} is out of reach: all {problem.cover.shape[0]} "
            f"candidates together cover at most {reachable:,.0f}",
            reachable,
        )
    kind = "n_sites" if objective == "sites" else "cost"
    if target_weight <= 0:  # already there: nothing to build
        return _result(problem, np.zeros(0, np.int64), 0.0, kind, 0.0, 0.0, "optimal",
                       solver, started)  # fmt: skip
    run = lazy_greedy(
        problem.reduced_weights, problem.reduced_cover, k=max_sites,
        target_weight=target_weight, cost=_kept(problem.cost, problem), budget=budget,
        groups=problem.reduced_groups, group_need=problem.group_need,
        preferred=_kept(problem.preferred, problem),
    )  # fmt: skip
    if run.complete and problem.group_need is None:
        pruned = drop_redundant(
            problem.reduced_weights, problem.reduced_cover, run.selected, target_weight
        )
        run = GreedyRun(pruned, run.gains[: pruned.size], run.bound, True)
    if solver == "greedy" and not run.complete:
        raise SolverError(
            f"greedy could not reach {target_weight:,.0f} within the sites/budget allowed "
            f"(it covered {float(np.sum(run.gains)):,.0f}); raise the limits or use "
            "solver='exact'"
        )
    chosen = problem.kept[run.selected] if run.complete else None
    bound, status = run.bound, "greedy"
    if solver == "greedy" and lp_bound_s > 0:
        rows = _side_rows_common(problem, max_sites, budget)
        rows.append(_target_row(problem, target_weight))
        lp = _lp_bound(problem, np.ones(problem.kept.size), rows, False, lp_bound_s)
        if lp is not None:
            bound = max(bound, float(np.ceil(lp * (1 - LP_TOLERANCE))))
    certificate: dict[str, Any] = {}
    if solver != "greedy":
        with stop_on_signals():
            chosen, bound, status, certificate = _proven_min(
                problem, run, target_weight, budget, max_sites, time_limit_s, mip_rel_gap,
                seed, objective, _ROUNDS[solver], zones,
            )  # fmt: skip
    assert chosen is not None
    covered = _covered_weight(problem, chosen)
    value = float(chosen.size) if objective == "sites" else float(problem.cost[chosen].sum())
    bound = min(max(bound, 0.0), value)
    gap = (value - bound) / value if value > 0 else 0.0
    return _result(problem, chosen, covered, kind, bound, gap, status, solver, started,
                   certificate)  # fmt: skip


# --------------------------------------------------------------------------- helpers
def _prepare(
    weights: np.ndarray,
    cover: sparse.spmatrix,
    solver: str,
    cost: np.ndarray | None,
    budget: float | None,
    groups: np.ndarray | None,
    group_min_weight: np.ndarray | None,
    group_names: list[str] | None,
    group_label: str,
    preferred: np.ndarray | None,
    seed: int,
) -> _Problem:
    if solver not in SOLVERS:
        raise InputError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or not np.isfinite(w).all() or (w < 0).any():
        raise InputError("weights must be a 1-D array of finite, non-negative numbers")
    csr = sparse.csr_matrix(cover, dtype=bool, copy=True)
    csr.eliminate_zeros()  # a stored False (e.g. from sparse.block_diag) covers nothing
    csr.sort_indices()
    n_cand, n_dem = csr.shape
    if n_dem != w.size:
        raise InputError(f"cover has {n_dem} demand columns but weights has {w.size} values")
    cost_arr = _per_candidate(cost, n_cand, "cost", default=1.0)
    if (cost_arr < 0).any():
        raise InputError("cost must be >= 0 for every candidate")
    if budget is not None and budget < 0:
        raise InputError(f"budget must be >= 0, got {budget}")
    pref = _per_candidate(preferred, n_cand, "preferred", default=False).astype(bool)
    group_of, need = _group_floors(w, csr, groups, group_min_weight, group_names, group_label)
    merged = merge_identical_columns(csr, w, group_of, seed=seed)
    dominated = dominated_candidates(merged.cover, cost_arr, pref)
    kept = np.flatnonzero(~dominated)
    stats = {
        "n_candidates": n_cand,
        "n_candidates_kept": int(kept.size),
        "n_demand": n_dem,
        "n_demand_merged": int(merged.weights.size),
    }
    log.info("reduced %d × %d to %d × %d", n_cand, n_dem, kept.size, merged.weights.size)
    return _Problem(
        weights=w, cover=csr, cost=cost_arr, preferred=pref, kept=kept,
        reduced_cover=sparse.csr_matrix(merged.cover[kept]), reduced_weights=merged.weights,
        reduced_groups=merged.groups, group_need=need, stats=stats, column_of=merged.column_of,
    )  # fmt: skip


def _per_candidate(values: np.ndarray | None, n: int, name: str, default: float) -> np.ndarray:
    if values is None:
        return np.full(n, default)
    arr = np.asarray(values, dtype=float)
    if arr.shape != (n,) or not np.isfinite(arr).all():
        raise InputError(f"{name} must hold one finite value per candidate ({n})")
    return arr


def _group_floors(
    w: np.ndarray,
    cover: sparse.csr_matrix,
    groups: np.ndarray | None,
    group_min_weight: np.ndarray | None,
    group_names: list[str] | None,
    group_label: str = "group",
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Check the floors against what all candidates reach in each group."""
    if group_min_weight is None:
        return None, None
    if groups is None:
        raise InputError("group_min_weight needs groups (the group of each demand column)")
    group_of = np.asarray(groups, dtype=np.int64)
    need = np.asarray(group_min_weight, dtype=float)
    if group_of.shape != w.shape or (group_of >= need.size).any():
        raise InputError("groups must give each demand column a group index < len(floors)")
    reachable_col = np.asarray(cover.getnnz(axis=0) > 0)
    in_group = group_of >= 0
    reachable = np.bincount(group_of[in_group], weights=(w * reachable_col)[in_group],
                            minlength=need.size)  # fmt: skip
    short = np.flatnonzero(need > reachable * (1 + 1e-9) + 1e-9)
    if short.size:
        names = [
            f"{group_names[g] if group_names else g} (needs {need[g]:,.0f} more, "
            f"candidates reach at most {reachable[g]:,.0f})"
            for g in short
        ]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        raise SolverError(
            f"the coverage floor cannot be met in {len(names)} {group_label}(s) even with "
            f"every candidate built: {shown}; lower the floor or add candidates there"
        )
    return group_of, need


def _kept(values: np.ndarray, problem: _Problem) -> np.ndarray:
    return values[problem.kept]


def _best_single_if_better(run: GreedyRun, problem: _Problem, budget: float | None) -> GreedyRun:
    """Budgeted greedy by gain/cost keeps its guarantee only against the best single site."""
    if budget is None or problem.group_need is not None or run.selected.size == 0:
        return run
    cost = _kept(problem.cost, problem)
    singles = np.asarray(problem.reduced_cover @ problem.reduced_weights, dtype=float)
    singles[cost > budget] = -1.0
    best = int(np.argmax(singles))
    if singles[best] > float(run.gains.sum()):
        return GreedyRun(np.array([best]), singles[[best]], run.bound, True)
    return run


def _side_rows_common(problem: _Problem, k: int | None, budget: float | None) -> list[SideRow]:
    n_kept = problem.kept.size
    rows = []
    if k is not None:
        rows.append(SideRow(np.ones(n_kept), None, -np.inf, float(k)))
    if budget is not None:
        rows.append(SideRow(_kept(problem.cost, problem), None, -np.inf, float(budget)))
    if problem.group_need is not None:
        for g in np.flatnonzero(problem.group_need > 0):
            a_y = problem.reduced_weights * (problem.reduced_groups == g)
            rows.append(SideRow(None, a_y, float(problem.group_need[g]) * (1 - 1e-9), np.inf))
    return rows


def _target_row(problem: _Problem, target_weight: float) -> SideRow:
    """Covered weight >= target (a hair below, against rounding)."""
    return SideRow(None, problem.reduced_weights, float(target_weight) * (1 - 1e-9), np.inf)


def _lp_bound(
    problem: _Problem, cost_x: np.ndarray, rows: list[SideRow], maximize: bool, seconds: float
) -> float | None:
    """Optimum of the LP relaxation (None if HiGHS stops first): a bound on the MILP.

    With ``maximize`` the objective is the covered weight (an upper bound); otherwise
    ``cost_x`` per site (a lower bound on the number of sites for unit costs).
    """
    objective_y = problem.reduced_weights if maximize else np.zeros(problem.reduced_weights.size)
    lp = solve_coverage_milp(
        problem.reduced_cover, np.zeros_like(cost_x) if maximize else cost_x, objective_y,
        maximize=maximize, side_rows=rows, time_limit_s=seconds, relax=True,
        relax_solver="ipm",
    )  # fmt: skip
    return lp.dual_bound if lp.status == "optimal" and np.isfinite(lp.dual_bound) else None


def _preference_penalty(problem: _Problem) -> np.ndarray:
    """0 for preferred candidates, 1 for others (only when some are preferred)."""
    pref = _kept(problem.preferred, problem)
    return (~pref).astype(float) if pref.any() and not pref.all() else np.zeros(pref.size)


def _proven_max(
    problem: _Problem, run: GreedyRun, k: int | None, budget: float | None,
    time_limit_s: float, mip_rel_gap: float, seed: int, rounds: int,
) -> tuple[np.ndarray, float, str, dict[str, Any]]:  # fmt: skip
    """Most coverage by the proof pipeline, in minimisation form on a scaled weight."""
    scale, integral = _weight_unit(problem.reduced_weights)
    penalty = _preference_penalty(problem)
    min_weight = float(problem.reduced_weights[problem.reduced_weights > 0].min(initial=1.0))
    eps = 1e-3 * min_weight / scale / max(problem.kept.size, 1)  # all of it < one person
    incumbent = _mask(run.selected, problem) if run.complete else None
    proof = prove(
        problem.reduced_cover, np.zeros(problem.kept.size), -problem.reduced_weights / scale,
        _side_rows_common(problem, k, budget), incumbent, integral=integral,
        rel_gap=mip_rel_gap, time_limit_s=time_limit_s, seed=seed,
        tiebreak_x=eps * penalty if penalty.any() else None, max_rounds=rounds,
        infeasible=_NO_FLOOR_PLAN, lp_solver="primal", step_from_bound=False,
        highs_options=MAX_COVERAGE_HIGHS,
    )  # fmt: skip
    if proof.x is None:
        if not run.complete:
            raise SolverError(f"HiGHS found no feasible plan ({proof.status})")
        return problem.kept[run.selected], run.bound, proof.status, proof.stats
    bound = min(run.bound, -proof.bound * scale) if math.isfinite(proof.bound) else run.bound
    return problem.kept[np.flatnonzero(proof.x)], bound, proof.status, proof.stats


def _proven_min(
    problem: _Problem, run: GreedyRun, target_weight: float, budget: float | None,
    max_sites: int | None, time_limit_s: float, mip_rel_gap: float, seed: int,
    objective: Objective, rounds: int, zones: np.ndarray | None = None,
) -> tuple[np.ndarray, float, str, dict[str, Any]]:  # fmt: skip
    """Fewest sites (or least cost) by the proof pipeline of :func:`prove`."""
    n_kept = problem.kept.size
    rows = _side_rows_common(problem, max_sites, budget)
    rows.append(_target_row(problem, target_weight))
    if objective == "sites":
        objective_x, integral, unit = np.ones(n_kept), True, 1.0
    else:
        objective_x, integral, unit = _cost_in_units(_kept(problem.cost, problem))
    penalty = _preference_penalty(problem)
    tiebreak = penalty * float(objective_x.min(initial=1.0)) / (n_kept + 1)
    incumbent = _mask(run.selected, problem) if run.complete else None
    proof = prove(
        problem.reduced_cover, objective_x, np.zeros(problem.reduced_weights.size), rows,
        incumbent, integral=integral, rel_gap=mip_rel_gap, time_limit_s=time_limit_s,
        seed=seed, tiebreak_x=tiebreak if penalty.any() else None, max_rounds=rounds,
        infeasible=_NO_PLAN, zones=_merged_zones(problem, zones),
    )  # fmt: skip
    if proof.x is None:
        raise SolverError(f"HiGHS found no plan within {time_limit_s:g} s; allow more time")
    bound = proof.bound * unit if math.isfinite(proof.bound) else 0.0
    if objective == "sites":
        bound = max(bound, run.bound)
    return problem.kept[np.flatnonzero(proof.x)], bound, proof.status, proof.stats


def _merged_zones(problem: _Problem, zones: np.ndarray | None) -> np.ndarray | None:
    """Zone of each merged column: ``zones`` of one of the columns merged into it, and
    where there are floors, each floor's group as one zone (a floor row must lie in one
    zone; the columns of no floor keep their ``zones``)."""
    merged: np.ndarray | None = None
    if zones is not None:
        of = np.asarray(zones, dtype=np.int64)
        if of.shape != problem.weights.shape:
            raise InputError("zones must give one zone per demand column")
        merged = np.zeros(problem.reduced_weights.size, np.int64)
        reached = problem.column_of >= 0
        merged[problem.column_of[reached]] = of[reached]
    if problem.group_need is not None:
        groups = problem.reduced_groups  # -1: in no floor's group
        if merged is None:
            merged = groups  # -1 is one more zone
        else:
            _, merged = np.unique(merged, return_inverse=True)
            merged = np.where(groups >= 0, groups, int(groups.max(initial=-1)) + 1 + merged)
    if merged is None:
        return None
    _, dense = np.unique(merged, return_inverse=True)  # zones 0..K-1 without gaps
    return dense.astype(np.int64)


def _weight_unit(weights: np.ndarray) -> tuple[float, bool]:
    """The unit of maximum coverage's objective, and whether plans' values are integers in it.

    Whole people (or any common integer unit) make every plan's covered weight an
    integer: the proof then only has to rule out plans one unit better (a cutoff that
    fixes more candidates and leaves the restricted MILP infeasible rather than to be
    solved). Otherwise the weights are scaled to a total of 1.
    """
    rounded = np.round(weights)
    total = float(weights.sum()) or 1.0
    if np.array_equal(weights, rounded) and (rounded >= 0).all() and rounded.any():
        unit = float(np.gcd.reduce(rounded.astype(np.int64)))
        if total / unit <= 1e9:
            return unit, True
    return total, False


def _mask(selected: np.ndarray, problem: _Problem) -> np.ndarray:
    mask = np.zeros(problem.kept.size, bool)
    mask[selected] = True
    return mask


def _cost_in_units(cost: np.ndarray) -> tuple[np.ndarray, bool, float]:
    """Costs in a common unit: integers when they share one (2.0 and 1.2 bn VND: 0.4 bn).

    Integer costs let the proof round its bound up, like a count of sites; otherwise the
    costs are scaled to at most 1 and the proof works to the relative gap.
    """
    rounded = np.round(cost)
    if cost.size and np.allclose(cost, rounded, rtol=0, atol=1e-6) and (rounded > 0).all():
        unit = float(np.gcd.reduce(rounded.astype(np.int64)))
        if rounded.max() / unit <= 1e6:
            return rounded / unit, True, unit
    unit = float(cost.max(initial=1.0)) or 1.0
    return cost / unit, False, unit


_NO_FLOOR_PLAN = "no choice of candidates meets the group floors within the limits given"
_NO_PLAN = (
    "no choice of candidates reaches the target within the sites, budget and floors "
    "given; relax one of them"
)


def _covered_weight(problem: _Problem, chosen: np.ndarray) -> float:
    """Covered weight on the original (unreduced) arrays: an independent check."""
    hit = np.asarray(problem.cover[np.sort(chosen)].getnnz(axis=0) > 0)
    return float(problem.weights[hit].sum())


def _result(
    problem: _Problem, chosen: np.ndarray, covered: float, objective: str, bound: float,
    gap: float, status: str, solver: str, started: float,
    certificate: dict[str, Any] | None = None,
) -> OptimizeResult:  # fmt: skip
    selected = np.sort(np.asarray(chosen, dtype=np.int64))
    return OptimizeResult(
        selected=selected, covered_weight=covered, total_weight=float(problem.weights.sum()),
        objective=objective, bound=float(bound), gap=float(max(gap, 0.0)), status=status,
        seconds=time.perf_counter() - started, solver=solver,
        cost=float(problem.cost[selected].sum()), stats=problem.stats | (certificate or {}),
    )  # fmt: skip
