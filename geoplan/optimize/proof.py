"""Proofs for the coverage MILP: an LP bound, reduced-cost fixing, a restricted MILP.

The pipeline (all in minimisation form; maximum coverage minimises ``-covered``):

1. the LP relaxation by interior point gives row duals ``λ``. Crossover to a vertex
   makes them extreme, so step 3 fixes more. Before a decomposition by zones
   (:mod:`geoplan.optimize.decompose`) it is skipped: each candidate's cost is split
   among zones by the LP's ``x``; a vertex puts the value on one of many overlapping
   sites, the interior point spreads it among them, and the zones' rounds agree sooner
   (the default 80% plan: 774 sites within 0.39% in 66–78 s over three seeds against
   94 s from the vertex, 4–5 rounds instead of six);
2. from any ``λ`` the Lagrangian bound ``L(λ) = Σ_r λ_r b_r(λ) + Σ_j min(0, d_j)``, with
   reduced costs ``d = c - Aᵀλ`` and ``b_r`` the row's lower bound where ``λ_r > 0`` and
   its upper bound where ``λ_r < 0``, is a valid lower bound on every solution in the
   box ``0 <= v <= 1``. It is computed here in numpy from HiGHS's duals, so the bound
   holds even when the interior point stopped short of dual feasibility (a dual that
   points the wrong way for an infinite side is clipped to 0, which only weakens it);
3. for every solution ``v``: ``cᵀv >= L + Σ_{d_j>0} d_j v_j + Σ_{d_j<0} |d_j| (1 - v_j)``.
   So a solution with objective at most ``U`` has ``x_j = 0`` wherever ``L + d_j > U``
   and ``x_j = 1`` wherever ``L - d_j > U`` (reduced-cost fixing);
   The same test on a demand column's ``y_i`` works too, because for integer ``x`` the
   best ``y`` is ``min(1, Cx)`` (binary; every side row is monotone in ``y``): a column
   fixed to 0 is covered by no better plan (its candidates close), a column fixed to 1
   is covered by every better plan (a covering row);
4. the MILP on the free candidates, with ``objective <= U`` as a row, either finds a
   better plan (iterate with the new incumbent) or proves that none exists, i.e. the
   incumbent is within the requested gap.

>>> import numpy as np
>>> from scipy import sparse
>>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 1]], dtype=bool))
>>> model = assemble(cover, np.ones(2), np.zeros(3), [SideRow(None, np.ones(3), 3.0, np.inf)])
>>> bound, reduced = lagrangian_bound(model, np.array([0.0, 0.0, 0.0, 0.0]))
>>> bound, reduced.tolist()
(0.0, [1.0, 1.0, 0.0, 0.0, 0.0])
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from geoplan.errors import SolverError
from geoplan.optimize.decompose import (
    WORKERS,
    coarser_split,
    decompose,
    grouped_zones,
    stepped_split,
)
from geoplan.optimize.exact import (
    LinearModel,
    MilpOutcome,
    SideRow,
    assemble,
    solve_coverage_milp,
    valid_multipliers,
)
from geoplan.optimize.reduce import merge_identical_columns
from geoplan.optimize.search import covering_form, iterated_greedy
from geoplan.optimize.stop import STOP
from geoplan.progress import note

__all__ = [
    "Proof",
    "Restricted",
    "assemble",
    "fix_by_reduced_cost",
    "lagrangian_bound",
    "lp_by_columns",
    "prove",
    "restrict",
]

log = logging.getLogger(__name__)

#: Absolute slack (in objective units, after scaling) on a fixing test: floating point
#: in ``L`` and ``d`` is far below this on our models (|c| <= 1, |λ| ~ 1e-6..1e2).
FIX_SAFETY = 1e-6
#: Absolute slack (objective units) within which a bound closes the gap: HiGHS's own
#: ``mip_abs_gap``, so a restricted MILP that HiGHS calls optimal closes it too (with
#: non-integral objectives, e.g. maximum coverage of fractional people scaled to a
#: total of 1, its bound may stay 1e-8 below the plan: one millionth of all people).
CLOSE_TOLERANCE = 1e-6
#: Column generation (:func:`lp_by_columns`): rounds at most, the share of all columns
#: above which the whole LP is solved instead, and the reduced cost below which a
#: candidate enters (objective units: a millionth of a person scaled to a total of 1).
COLUMN_ROUNDS = 30
COLUMN_SHARE = 0.5
COLUMN_PRICE_TOLERANCE = 1e-9
#: Drop-refill-prune rounds of the incumbent search (about 25 ms each on the default
#: radio instance; fixed, so a plan does not depend on the machine's speed).
SEARCH_ITERATIONS = 300
#: Largest gap (in objective units, e.g. sites) at which the rounds prove one unit above
#: the bound at a time. Beyond it reduced-cost fixing fixes nothing (no reduced cost is
#: that large), so each step would be the whole MILP again: one MILP started from the
#: incumbent then raises the bound as far as HiGHS's cuts and branching take it
#: (default instance with 4G upgrades: 766 → 767 in 26 s, then 768 unproven in 83 s,
#: stepping; 769 in 110 s from the one MILP).
STEP_GAP = 3
#: Share of the time left that the MILP on the LP's support may take once the search
#: has found an incumbent (it then starts from it and only a better plan is of use).
SUPPORT_SHARE_AFTER_SEARCH = 0.1
#: Lagrangian decomposition (:mod:`geoplan.optimize.decompose`): per pass, the zones
#: (the given zones, e.g. communes, merged this many at a time), HiGHS's limit per zone
#: and the rounds (each after the first takes a subgradient step on the cost split, and
#: each is followed by the MILP on the pool of all the zones' plans so far); then the
#: limit of that MILP and the seconds a pass leaves for it. Default instance with 4G
#: upgrades (80%, fewest sites; search 788 sites, LP 765.2), two cores: communes
#: round 1 16 s, bound 769.1 (pool 776 sites); rounds 2-6 18-23 s each, bound 769.3,
#: 769.7, 769.9, 770.1 (771 sites), 770.3, pool 1,608 candidates, 774 sites: 0.39% in
#: 145 s. Without the steps: zones of four after the communes, bound 770.6, 775 sites.
#: Pairs of communes first reach 771 in one round but their pools stop at 775 sites
#: (158.6 s against 132.3 s for communes; docs/optimize.md, "Faster zones").
#: Zones of four get 90 s each: a zone stopped at its limit counts only HiGHS's bound
#: on it, and on a busy machine 30 s cut the hardest ones short (Viettel's own 80%
#: plan under two CPU-bound processes: bound 575.5 against 576.5 quiet, then the whole
#: MILP to the 600 s limit; with 90 s, 579 sites within 0.35% in 248 s). On a quiet
#: machine those zones all finish within 30 s (the same bound), so plans do not change.
DECOMPOSE_PASSES = ((1, 30.0, 6), (4, 90.0, 2))
#: Zones solved at once (threads; one HiGHS thread each): this process's cores.
DECOMPOSE_WORKERS = WORKERS
#: Seconds of the MILP on a round's pool: at most the round's own time (at least
#: :data:`POOL_MILP_MIN_S`, at most :data:`POOL_MILP_S`), so that a pool holding no
#: better plan, which HiGHS then proves for long, does not starve the next rounds'
#: bounds and pools (the default cheapest plan: 60 s on a first pool that held
#: 2,409 at best, when the second round's pool gave 2,403 in 0.3 s).
POOL_MILP_S = 60.0
POOL_MILP_MIN_S = 5.0
POOL_RESERVE_S = 10.0


def lagrangian_bound(model: LinearModel, row_dual: np.ndarray) -> tuple[float, np.ndarray]:
    """A valid lower bound on ``min cᵀv`` over the model from any row multipliers.

    Parameters
    ----------
    model : the assembled coverage model (minimisation)
    row_dual : one multiplier per row, e.g. HiGHS's ``row_dual`` of the LP

    Returns
    -------
    (bound, reduced_cost) : the Lagrangian bound and ``d = c - Aᵀλ`` per column
    """
    lam, rhs = valid_multipliers(row_dual, model.row_lower, model.row_upper)
    reduced = model.cost - np.asarray(model.matrix.T @ lam).ravel()
    bound = float(np.dot(lam, rhs) + np.minimum(reduced, 0.0).sum())
    return bound, reduced


def fix_by_reduced_cost(
    bound: float, reduced_x: np.ndarray, cutoff: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates fixed to 0 and to 1 in every solution with objective <= ``cutoff``.

    Parameters
    ----------
    bound : the Lagrangian bound ``L`` of the duals that gave ``reduced_x``
    reduced_x : reduced costs of the candidate columns
    cutoff : the objective any solution of interest stays at or below (e.g. the
        incumbent's number of sites minus one)

    Returns
    -------
    (zero, one) : bool masks over the candidates

    >>> fix_by_reduced_cost(178.94, np.array([0.0, 0.07, -0.1, 0.01]), 179.0)
    (array([False,  True, False, False]), array([False, False,  True, False]))
    """
    slack = cutoff - bound + FIX_SAFETY * max(1.0, abs(cutoff))
    return reduced_x > slack, -reduced_x > slack


@dataclass(frozen=True)
class Restricted:
    """The coverage problem with some candidates and demand columns fixed.

    Attributes
    ----------
    free : original indices of the free candidates
    columns : original index of one demand column per variable kept (columns the free
        candidates cover alike are merged into one variable)
    cover : free × kept columns
    must_cover : free × columns every solution must cover (fixed to 1 by reduced cost)
    objective_x, objective_y : objective over the free candidates and kept columns
    rows : the side rows over the same, right-hand sides moved by the fixed part
    constant : objective of the fixed part (candidates at 1, columns sure to be covered)
    opened : original indices of the candidates fixed to 1
    """

    free: np.ndarray
    columns: np.ndarray
    cover: sparse.csr_matrix
    must_cover: sparse.csr_matrix
    objective_x: np.ndarray
    objective_y: np.ndarray
    rows: list[SideRow]
    constant: float
    opened: np.ndarray


def restrict(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    rows: list[SideRow], zero: np.ndarray, one: np.ndarray,
    column_zero: np.ndarray | None = None, column_one: np.ndarray | None = None,
) -> Restricted | None:  # fmt: skip
    """The same problem with ``zero`` candidates closed and ``one`` candidates open.

    Columns covered by an open candidate, or fixed to 1, count as covered; columns only
    closed candidates reach, or fixed to 0, count as uncovered (and close every
    candidate that covers them). They leave the model; their part of the objective and
    of every side row moves to the constant and the right-hand sides. Columns fixed to
    1 that no open candidate covers become covering rows. Returns None when the
    fixings contradict each other (then no solution satisfies them).
    """
    n_dem = cover.shape[1]
    czero = np.zeros(n_dem, bool) if column_zero is None else column_zero
    cone = np.zeros(n_dem, bool) if column_one is None else column_one
    csc = sparse.csc_matrix(cover)
    zero = zero | (np.asarray(csc[:, np.flatnonzero(czero)].getnnz(axis=1)) > 0)
    if (zero & one).any():
        return None
    free = np.flatnonzero(~zero & ~one)
    opened = np.flatnonzero(one)
    by_open = np.asarray(cover[opened].getnnz(axis=0) > 0).ravel()
    reach = np.asarray(cover[free].getnnz(axis=0) > 0).ravel()
    must = cone & ~by_open
    if (must & ~reach).any():
        return None
    sure = by_open | cone
    columns = np.flatnonzero(reach & ~sure & ~czero)
    free_rows = sparse.csr_matrix(cover[free])
    # columns the free candidates now cover alike merge (coefficients add up), as in reduce
    merged = merge_identical_columns(free_rows[:, columns], np.zeros(columns.size))
    group = merged.column_of
    n_merged = merged.weights.size

    def summed(coefficients: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=coefficients[columns], minlength=n_merged)

    must_cover = sparse.csr_matrix(free_rows[:, np.flatnonzero(must)])
    constant = float(objective_x[opened].sum() + objective_y[sure].sum())
    moved = []
    for r in rows:
        shift = (0.0 if r.a_x is None else float(r.a_x[opened].sum())) + (
            0.0 if r.a_y is None else float(r.a_y[sure].sum())
        )
        moved.append(
            SideRow(None if r.a_x is None else r.a_x[free],
                    None if r.a_y is None else summed(r.a_y), r.lower - shift, r.upper - shift)
        )  # fmt: skip
    representative = columns[np.unique(group, return_index=True)[1]]
    return Restricted(free, representative, merged.cover, must_cover, objective_x[free],
                      summed(objective_y), moved, constant, opened)  # fmt: skip


@dataclass
class Proof:
    """A plan and its certificate, in minimisation form.

    Attributes
    ----------
    x : bool mask of the chosen candidates (None: no plan found)
    value : its objective
    bound : proven lower bound on the objective of every plan
    status : ``"optimal"``, ``"within_gap"``, ``"time_limit"`` or ``"interrupted"``
    stats : the certificate: LP bound, how it was proven, candidates fixed, seconds
    """

    x: np.ndarray | None
    value: float
    bound: float
    status: str
    stats: dict[str, Any] = field(default_factory=dict)


def objective_of(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray, x: np.ndarray
) -> float:
    """Objective of a choice of candidates with its best cover ``y = min(1, Cx)``."""
    hit = np.asarray(cover[np.flatnonzero(x)].getnnz(axis=0) > 0).ravel()
    return float(objective_x[x].sum() + objective_y[hit].sum())


def prove(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    rows: list[SideRow], incumbent: np.ndarray | None, *, integral: bool, rel_gap: float,
    time_limit_s: float, seed: int = 0, tiebreak_x: np.ndarray | None = None,
    max_rounds: int = 4,
    infeasible: str = "no plan meets the constraints", lp_solver: str = "ipm",
    step_from_bound: bool = True, highs_options: dict[str, Any] | None = None,
    zones: np.ndarray | None = None,
) -> Proof:  # fmt: skip
    """Minimise ``objective · (x, y)`` over the coverage model, with a certificate.

    LP bound (interior point, crossover to a vertex unless ``zones`` are given) →
    incumbent (``incumbent``, then the MILP on the LP's support, or the decomposition
    by ``zones``) → reduced-cost fixing against the value the proof needs → the
    restricted MILP, which proves or improves; repeated while it improves.

    Parameters
    ----------
    cover : candidates × demand columns
    objective_x, objective_y : objective per candidate and per column (minimised)
    rows : side rows, each monotone in ``y`` (lower bounds with ``a_y >= 0``)
    incumbent : a feasible choice (bool mask), e.g. greedy's, or None
    integral : every plan's objective is an integer (sites, costs in a common unit)
    rel_gap : stop once ``(value - bound) / |value| <= rel_gap``
    time_limit_s : wall-clock seconds for everything
    tiebreak_x : small extra cost per candidate for the incumbent MILP (preferences)
    max_rounds : rounds of fixing and restricted MILP at most
    infeasible : the message of the error raised when no plan exists
    lp_solver : how the LP relaxation is solved: ``"ipm"`` (interior point, with
        crossover to a vertex unless ``zones`` are given) or ``"primal"`` (primal
        simplex, faster on maximum coverage, whose LP is feasible at ``x = 0``)
    step_from_bound : with ``integral``, prove one unit above the bound per round while
        the gap is at most :data:`STEP_GAP` units (sites: a site or two) rather than
        straight against the incumbent
        (covered people: the gap is many units, each round would gain one)
    highs_options : HiGHS options for every solve of the pipeline (LP and MILPs)
    zones : zone of each demand column (e.g. its commune; every side row on ``y`` alone
        within one zone, as a commune's floor, must lie in one zone). When given and the
        gap is still open after the incumbent search, a Lagrangian decomposition by
        zones (:data:`DECOMPOSE_PASSES`) raises the bound and the MILP on its zones'
        plans finds a better incumbent

    Raises
    ------
    SolverError
        When no plan exists (the LP relaxation, or the MILP, is infeasible).
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    stats: dict[str, Any] = {"proof_method": "none", "rounds": 0}

    def left() -> float:
        return max(deadline - time.perf_counter(), 0.0)

    def value_of(x: np.ndarray) -> float:
        return objective_of(cover, objective_x, objective_y, x)

    best = None if incumbent is None else np.asarray(incumbent, bool)
    value = math.inf if best is None else value_of(best)
    bound = -math.inf

    def needed() -> float:
        return _needed(value, rel_gap, integral)

    def finish(status: str) -> Proof:
        stats["seconds_total"] = round(time.perf_counter() - started, 3)
        if best is not None and bound >= value - _tolerance(value):
            status = "optimal"
        elif best is not None and bound >= needed() - _tolerance(value):
            status = "within_gap"
        elif STOP.is_set():
            status = "interrupted"
        stats["status"] = status
        return Proof(best, value, bound, status, stats)

    clock = time.perf_counter()
    lp = None
    if lp_solver == "primal" and best is not None:
        lp = lp_by_columns(cover, objective_x, objective_y, rows, best, left(), highs_options)
        stats["lp_by_columns"] = lp is not None
    # a vertex (crossover) where reduced-cost fixing is the lever; the interior
    # point's own x before a decomposition by zones (point 1 of the module note)
    crossover = zones is None
    if lp is None:
        lp = solve_coverage_milp(cover, objective_x, objective_y, maximize=False,
                                 side_rows=rows, time_limit_s=left(), relax=True,
                                 relax_solver=lp_solver, crossover=crossover,
                                 options=highs_options)  # fmt: skip
    stats["lp_vertex"] = crossover or lp_solver != "ipm"  # the simplex ends at a vertex
    stats["seconds_lp"] = round(time.perf_counter() - clock, 3)
    if lp.status == "infeasible":
        raise SolverError(infeasible)
    if lp.row_dual is None or lp.x_values is None:
        return finish("interrupted" if STOP.is_set() else "time_limit")
    model = assemble(cover, objective_x, objective_y, rows)
    lagrangian, reduced = lagrangian_bound(model, lp.row_dual)
    bound = math.ceil(lagrangian - 1e-7) if integral else lagrangian
    stats |= {"lp_objective": lp.objective, "lp_bound": lagrangian, "proof_method": "lp"}
    note(f"LP bound {lagrangian:,.6g} in {stats['seconds_lp']:.1f} s")

    clock = time.perf_counter()
    form = covering_form(cover, objective_x, objective_y, rows)
    if form is not None and not _closed(best, bound, needed) and not STOP.is_set():
        prices = lp.row_dual[cover.shape[1] : cover.shape[1] + len(rows)]
        found = iterated_greedy(form, prices, lp.x_values >= 1 - 1e-6,
                                iterations=SEARCH_ITERATIONS, seed=seed,
                                deadline=time.perf_counter() + 0.25 * left(),
                                tiebreak=tiebreak_x)  # fmt: skip
        if found is not None and value_of(found) < value:
            best, value = found, value_of(found)
            stats["incumbent_from"] = "iterated_greedy"
        stats["seconds_search"] = round(time.perf_counter() - clock, 3)
        if best is not None:
            note(f"iterated greedy: incumbent {value:,.6g} (LP bound {bound:,.6g})")
    support = lp.x_values > 1e-6
    if best is not None:
        support |= best
    # with zones and an incumbent, the decomposition's pool MILP (which includes the
    # incumbent) finds better plans than the MILP on the LP's support, in less time
    by_zones = zones is not None and best is not None
    if not _closed(best, bound, needed) and not STOP.is_set() and not by_zones:
        share = SUPPORT_SHARE_AFTER_SEARCH if form is not None else 0.25
        found = _support_milp(cover, objective_x, objective_y, rows, support, best, integral,
                              rel_gap, min(left(), max(share * left(), 5.0)), seed,
                              tiebreak_x, highs_options)  # fmt: skip
        if found is not None and value_of(found) < value:
            best, value = found, value_of(found)
            stats["incumbent_from"] = "lp_support_milp"
    stats["seconds_incumbent"] = round(time.perf_counter() - clock, 3)
    stats["n_lp_support"] = int(support.sum())
    if best is not None:
        note(f"incumbent {value:,.6g} (LP bound {bound:,.6g})")
    if zones is not None:
        best, bound = _decomposition_passes(
            cover, objective_x, objective_y, rows, lp.row_dual, zones, best, bound,
            integral=integral, rel_gap=rel_gap, deadline=deadline, seed=seed,
            tiebreak_x=tiebreak_x, highs_options=highs_options, stats=stats,
        )  # fmt: skip
        value = math.inf if best is None else value_of(best)

    n_cand = cover.shape[0]
    while not _closed(best, bound, needed) and stats["rounds"] < max_rounds:
        if STOP.is_set() or left() <= 0:
            break
        stats["rounds"] += 1
        clock = time.perf_counter()
        goal = needed() if best is not None else math.inf
        if integral and step_from_bound and goal - bound <= STEP_GAP:
            goal = min(goal, bound + 1)  # one site at a time: fixing is tightest there
        cutoff = goal - 1 if integral else goal  # every plan below `goal` stays at or below
        zero, one = fix_by_reduced_cost(lagrangian, reduced[:n_cand], cutoff)
        czero, cone = fix_by_reduced_cost(lagrangian, reduced[n_cand:], cutoff)
        restricted = restrict(cover, objective_x, objective_y, rows, zero, one, czero, cone)
        stats |= {
            "n_fixed_zero": int(zero.sum()), "n_fixed_one": int(one.sum()),
            "n_columns_fixed_zero": int(czero.sum()), "n_columns_fixed_one": int(cone.sum()),
        }  # fmt: skip
        if restricted is None:  # the fixings contradict: nothing beats `goal`
            bound = max(bound, goal)
            stats["proof_method"] = "reduced_cost_fixing"
            continue
        stats |= {"n_free": int(restricted.free.size),
                  "n_columns_restricted": int(restricted.columns.size),
                  "n_covering_rows": int(restricted.must_cover.shape[1])}  # fmt: skip
        note(f"reduced-cost fixing: {restricted.free.size} of {n_cand} candidates free, "
             f"{int(one.sum())} fixed open; proving nothing beats {goal:,.6g}")  # fmt: skip
        # the incumbent as HiGHS's start where the fixings keep it (its reduced-cost
        # fixing and cuts then use it); a cutoff row only where they exclude it
        start = _warm_start(best, restricted)
        cut = SideRow(restricted.objective_x, restricted.objective_y, -np.inf,
                      cutoff - restricted.constant)  # fmt: skip
        outcome = solve_coverage_milp(
            restricted.cover, restricted.objective_x, restricted.objective_y, maximize=False,
            side_rows=restricted.rows if start is not None else [*restricted.rows, cut],
            warm_start=start, must_cover=restricted.must_cover, time_limit_s=left(),
            mip_rel_gap=rel_gap, seed=seed, integral_objective=integral, options=highs_options,
            progress=_round_progress(value, bound, goal, restricted.constant, rel_gap),
        )  # fmt: skip
        stats[f"seconds_restricted_{stats['rounds']}"] = round(time.perf_counter() - clock, 3)
        stats["restricted_nodes"] = outcome.nodes
        if outcome.status == "infeasible":
            if best is None:
                raise SolverError(infeasible)
            bound = max(bound, goal)
            stats["proof_method"] = "reduced_cost_fixing+restricted_milp"
            continue  # proven up to `goal`; the next round aims higher if need be
        if np.isfinite(outcome.dual_bound):  # plans below `goal` all live in the restriction
            raised = min(goal, outcome.dual_bound + restricted.constant)
            if raised > bound:
                bound = raised
                stats["proof_method"] = "reduced_cost_fixing+restricted_milp"
        if outcome.x is None:
            break  # time limit or interrupt without a better plan
        x = np.zeros(n_cand, bool)
        x[restricted.free[outcome.x]] = True
        x[restricted.opened] = True
        if value_of(x) < value:
            best, value = x, value_of(x)
            stats["incumbent_from"] = f"restricted_milp_{stats['rounds']}"
            note(f"better plan {value:,.6g}")
        elif outcome.status == "optimal" and goal >= needed():
            break  # HiGHS proved this restriction to its tolerance: a rerun proves no more
        if outcome.status != "optimal":
            break
    return finish("time_limit")


def _decomposition_passes(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    rows: list[SideRow], row_dual: np.ndarray, zones: np.ndarray, best: np.ndarray | None,
    bound: float, *, integral: bool, rel_gap: float, deadline: float, seed: int,
    tiebreak_x: np.ndarray | None, highs_options: dict[str, Any] | None,
    stats: dict[str, Any],
) -> tuple[np.ndarray | None, float]:  # fmt: skip
    """:data:`DECOMPOSE_PASSES` of :func:`geoplan.optimize.decompose.decompose`, each round
    followed by the MILP on the pool of the zones' plans: the best plan and bound.

    ``stats`` gains each pass's keys (``decomposition_N_*``, ``n_pool_N``, seconds).
    """

    def left() -> float:
        return max(deadline - time.perf_counter(), 0.0)

    def value_of(x: np.ndarray) -> float:
        return objective_of(cover, objective_x, objective_y, x)

    value = math.inf if best is None else value_of(best)

    def needed() -> float:
        return _needed(value, rel_gap, integral)

    pool = np.zeros(cover.shape[0], bool)
    split: sparse.csr_matrix | None = None
    start: sparse.csr_matrix | None = None  # each zone's plan of the round before
    fine = zones
    for size, zone_limit_s, rounds in DECOMPOSE_PASSES:
        passed = zones if size == 1 else grouped_zones(cover, zones, size)
        if split is not None:  # the last pass's split and plans, carried to the coarser zones
            split = coarser_split(split, fine, passed)
        if start is not None:
            start = coarser_split(start.astype(float), fine, passed) > 0
        fine, key = passed, f"decomposition_{size}"
        for _ in range(rounds):
            if _closed(best, bound, needed) or STOP.is_set() or left() <= POOL_RESERVE_S:
                break
            parts = decompose(cover, objective_x, objective_y, rows, row_dual, passed,
                              zone_limit_s=zone_limit_s, deadline=deadline - POOL_RESERVE_S,
                              seed=seed, highs_options=highs_options,
                              workers=DECOMPOSE_WORKERS, split=split, start=start)  # fmt: skip
            start = parts.copies
            _add(stats, f"seconds_{key}", parts.seconds)
            _add(stats, f"{key}_rounds", 1)
            if parts.complete or f"{key}_zones" not in stats:  # a cut-off round: say so
                stats |= {f"{key}_zones": parts.n_zones,
                          f"{key}_zones_proven": parts.n_zones_proven}  # fmt: skip
            if parts.complete:
                stats[f"{key}_bound"] = max(stats.get(f"{key}_bound", -math.inf), parts.bound)
                if (met := math.ceil(parts.bound - 1e-7) if integral else parts.bound) > bound:
                    bound = met
                    stats["proof_method"] = "lagrangian_decomposition"
                note(f"decomposition into {parts.n_zones} zones: bound {parts.bound:,.6g} "
                     f"in {parts.seconds:.0f} s")  # fmt: skip
            pool |= parts.picks
            if _closed(best, bound, needed) or STOP.is_set() or left() <= 0:
                break
            clock = time.perf_counter()
            # it stops at the first plan that closes the gap against the bound so far
            closing = _closing(bound, rel_gap, integral)
            found = _support_milp(cover, objective_x, objective_y, rows,
                                  pool | (best if best is not None else pool), best, integral,
                                  0.0, min(left(), POOL_MILP_S,
                                           max(POOL_MILP_MIN_S, parts.seconds)),
                                  seed, tiebreak_x,
                                  highs_options, stop_at=closing)  # fmt: skip
            _add(stats, f"seconds_pool_milp_{size}", time.perf_counter() - clock)
            stats[f"n_pool_{size}"] = int(pool.sum())
            found_value = math.inf if found is None else value_of(found)
            if found_value < value:
                best, value = found, found_value
                stats["incumbent_from"] = f"decomposition_pool_{size}"
                note(f"plan from the zones' pool of {int(pool.sum())} candidates: {value:,.6g}")
            # a subgradient step on the split: the next round's zones agree more
            split = stepped_split(cover, passed, parts, value - parts.bound) \
                if parts.complete else None  # fmt: skip
            if split is None:
                break
    return best, bound


def lp_by_columns(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    rows: list[SideRow], incumbent: np.ndarray, time_limit_s: float,
    options: dict[str, Any] | None = None,
) -> MilpOutcome | None:  # fmt: skip
    """The LP relaxation by column generation over candidates, or None where it does not pay.

    For maximum coverage (rows over ``x`` only, ``objective_y <= 0``): the LP over a
    few candidates (the incumbent's and the best single ones, four times as many) and the
    columns they reach; a column out of reach gets the multiplier ``objective_y``
    (its ``y`` then has reduced cost 0), every candidate whose reduced cost under these
    multipliers is negative enters, and the LP is solved again. Once none enters, the
    multipliers are optimal for the whole LP (so its bound and reduced costs are those
    of the full relaxation; :func:`lagrangian_bound` recomputes both on the full model
    anyway). On the province samples the optimal plans reach a tenth of the columns and
    this is ten times faster than the whole LP; where the candidates would reach more
    than half of the columns (dense synthetic instances) it returns None at once.

    Returns
    -------
    The outcome with ``x_values`` and ``row_dual`` over the whole model, or None
    """
    if any(r.a_y is not None for r in rows) or (objective_y > 0).any() or incumbent.sum() == 0:
        return None
    n_cand, n_dem = cover.shape
    started = time.perf_counter()
    model = assemble(cover, objective_x, objective_y, rows)
    size = 4 * int(incumbent.sum())
    single = np.asarray(cover @ -objective_y).ravel() - objective_x
    active = np.asarray(incumbent, bool).copy()
    active[np.argsort(-single, kind="stable")[:size]] = True
    for _ in range(COLUMN_ROUNDS):
        chosen = np.flatnonzero(active)
        sub = cover[chosen]
        reach = np.flatnonzero(np.asarray(sub.getnnz(axis=0)).ravel() > 0)
        if reach.size > COLUMN_SHARE * n_dem:
            return None  # the restricted LP would be about as large as the whole
        sub_rows = [SideRow(None if r.a_x is None else r.a_x[chosen], None, r.lower, r.upper)
                    for r in rows]  # fmt: skip
        seconds = time_limit_s - (time.perf_counter() - started)
        lp = solve_coverage_milp(sparse.csr_matrix(sub[:, reach]), objective_x[chosen],
                                 objective_y[reach], maximize=False, side_rows=sub_rows,
                                 time_limit_s=max(seconds, 0.0), relax=True,
                                 relax_solver="primal", options=options)  # fmt: skip
        if lp.row_dual is None or lp.x_values is None:
            return lp  # interrupted, out of time or infeasible: the caller says so
        dual = np.concatenate([objective_y.astype(float), lp.row_dual[reach.size :]])
        dual[reach] = lp.row_dual[: reach.size]
        reduced = objective_x - np.asarray(model.matrix[:, :n_cand].T @ dual).ravel()
        reduced[active] = np.inf
        enter = np.flatnonzero(reduced < -COLUMN_PRICE_TOLERANCE)
        if enter.size == 0:
            x = np.zeros(n_cand)
            x[chosen] = lp.x_values
            return MilpOutcome(None, lp.objective, lp.objective, "optimal", 0,
                               x_values=x, row_dual=dual)  # fmt: skip
        active[enter[np.argsort(reduced[enter], kind="stable")[: max(size // 2, 25)]]] = True
    return None


def _round_progress(
    value: float, bound: float, goal: float, constant: float, rel_gap: float
) -> Callable[[float, float], None]:
    """A restricted MILP's reports as a note on the whole problem: its best plan and bound.

    Every plan below ``goal`` lies in the restriction, so ``min(goal, its bound)`` bounds
    them all (as the round's result does).
    """

    def report(primal: float, dual: float) -> None:
        best = min(value, primal + constant)
        proven = max(bound, min(goal, dual + constant))
        gap = (best - proven) / abs(best) if math.isfinite(best) and best else math.inf
        note(f"restricted MILP: plan {best:,.6g}, bound {proven:,.6g} (gap {gap:.2%}, "
             f"aiming at {rel_gap:.2%})")  # fmt: skip

    return report


def _needed(value: float, rel_gap: float, integral: bool) -> float:
    """The bound that proves a plan of ``value`` within ``rel_gap``."""
    target = value - rel_gap * abs(value)
    return math.ceil(target - 1e-9) if integral else target


def _closing(bound: float, rel_gap: float, integral: bool) -> float:
    """The largest objective whose plan is within ``rel_gap`` of ``bound``.

    >>> _closing(805, 0.01, True), _closing(771, 0.005, True), _closing(771, 0.0, True)
    (813, 774, 771)
    """
    if not math.isfinite(bound):
        return -math.inf
    most = bound / (1 - rel_gap) if rel_gap < 1 else math.inf
    return math.floor(most + 1e-9) if integral else most


def _add(stats: dict[str, Any], key: str, amount: float) -> None:
    """Add ``amount`` to ``stats[key]`` (rounded to ms), starting from zero."""
    stats[key] = round(stats.get(key, 0) + amount, 3)


def _tolerance(value: float) -> float:
    return max(CLOSE_TOLERANCE, 1e-9 * abs(value)) if math.isfinite(value) else 0.0


def _closed(best: np.ndarray | None, bound: float, needed: Any) -> bool:
    return best is not None and bound >= needed() - CLOSE_TOLERANCE


def _warm_start(best: np.ndarray | None, restricted: Restricted) -> np.ndarray | None:
    """``best`` on the restriction's free candidates, or None when its fixings exclude it.

    Measured on the default instance (80% fewest sites, 4G upgrades, no fixing
    possible): the MILP behind a cutoff row at the incumbent − 1 reached bound 767 in
    110 s, the same MILP started from the incumbent 769 in 110 s.
    """
    if best is None:
        return None
    inside = np.zeros(best.size, bool)
    inside[restricted.free] = True
    inside[restricted.opened] = True
    if (best & ~inside).any() or not best[restricted.opened].all():
        return None
    start = best[restricted.free]
    if restricted.must_cover.shape[1]:
        reached = np.asarray(restricted.must_cover[np.flatnonzero(start)].getnnz(axis=0)).ravel()
        if (reached == 0).any():
            return None
    return start


def _support_milp(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    rows: list[SideRow], support: np.ndarray, best: np.ndarray | None, integral: bool,
    rel_gap: float, seconds: float, seed: int, tiebreak_x: np.ndarray | None,
    options: dict[str, Any] | None = None, stop_at: float | None = None,
) -> np.ndarray | None:  # fmt: skip
    """The MILP on the candidates the LP uses (a few hundred): a good plan, fast.

    ``stop_at``: HiGHS stops at the first plan whose objective is at most this.
    """
    idx = np.flatnonzero(support)
    restricted = restrict(cover, objective_x, objective_y, rows, ~support,
                          np.zeros(support.size, bool))  # fmt: skip
    if restricted is None or idx.size == 0:
        return None
    extra = 0.0 if tiebreak_x is None else tiebreak_x[idx]
    # from the incumbent (inside the support by construction), not behind a cutoff row
    warm = None if best is None else best[idx]
    outcome = solve_coverage_milp(
        restricted.cover, restricted.objective_x + extra, restricted.objective_y,
        maximize=False, side_rows=restricted.rows, warm_start=warm, time_limit_s=seconds,
        mip_rel_gap=rel_gap, seed=seed, integral_objective=integral and tiebreak_x is None,
        options=options, stop_at=None if stop_at is None else
        stop_at - restricted.constant + float(np.sum(extra)),  # the tiebreak is < one unit
    )  # fmt: skip
    if outcome.x is None:
        return None
    x = np.zeros(support.size, bool)
    x[idx[outcome.x]] = True
    return x
