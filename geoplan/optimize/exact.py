"""The coverage MILP for HiGHS, built straight from the sparse matrix.

Variables: ``x_j`` in {0, 1} (open candidate j) and ``y_i`` in [0, 1] (demand column
i covered). Rows: ``y_i - sum_j C[j, i] x_j <= 0`` for every demand column, plus the
side constraints (number of sites, budget, target weight, group floors).

``y`` is declared binary in the MILPs although for integer ``x`` an optimal ``y`` is
integral anyway (``y = min(1, Cx)``): with continuous ``y`` HiGHS 1.16's root cut loop
on the target row, aggregated over thousands of linking rows, ignored the time limit
(150–415 s on a 10 s limit, with neither the time limit nor the interrupt callback
checked, on the default province instance with its 4G upgrades) and raised the bound
by 0.5 sites in 265 s; with binary ``y`` the row is a knapsack over binaries, HiGHS
separates its cover cuts (765.2 → 770.3 in 10 s on the same instance) and stops on time.
The decomposition's zone MILPs have no such row (the target is priced out; a
commune's floor is a row on one commune's few hundred columns) and keep ``y``
continuous (``binary_y=False``): there it is about twice as fast, the same bounds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from geoplan.optimize.stop import STOP

if TYPE_CHECKING:
    import highspy

log = logging.getLogger(__name__)

#: Seconds of branch-and-bound between two reports to ``solve_coverage_milp``'s
#: ``progress`` (a long restricted MILP of the proof is otherwise silent for minutes).
PROGRESS_EVERY_S = 10.0


@dataclass(frozen=True)
class MilpOutcome:
    """What HiGHS returned.

    ``x`` is the chosen-candidate mask (None when HiGHS found no solution),
    ``objective`` its objective value, ``dual_bound`` the best proven bound (nan when
    none), ``status`` ``"optimal"``, ``"time_limit"`` or another HiGHS status name.
    """

    x: np.ndarray | None
    objective: float
    dual_bound: float
    status: str
    nodes: int
    x_values: np.ndarray | None = None
    row_dual: np.ndarray | None = None


_STDOUT_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1: HiGHS prints a banner there from C++ on first use.

    One thread at a time: two threads swapping the descriptor could leave it closed.
    """
    with _STDOUT_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)


@dataclass
class SideRow:
    """One extra linear row ``lower <= a_x · x + a_y · y <= upper``."""

    a_x: np.ndarray | None
    a_y: np.ndarray | None
    lower: float
    upper: float


@dataclass(frozen=True)
class LinearModel:
    """The coverage model as matrices: ``row_lower <= A v <= row_upper``, ``0 <= v <= 1``.

    ``v`` is ``x`` (candidates) then ``y`` (demand columns); ``cost`` is the objective.
    """

    matrix: sparse.csc_matrix
    cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    n_cand: int


def assemble(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    side_rows: list[SideRow], must_cover: sparse.csr_matrix | None = None,
) -> LinearModel:  # fmt: skip
    """Rows ``y_i - sum_j C[j, i] x_j <= 0``, the side rows, then ``sum_j M[j, m] x_j >= 1``.

    ``must_cover`` (candidates × columns that must be covered, e.g. fixed by reduced
    costs) adds one covering row per column.
    """
    n_cand, n_dem = cover.shape
    if must_cover is not None and must_cover.shape[1] > 0:
        n_must = must_cover.shape[1]
        cover_rows = sparse.hstack(
            [sparse.csr_matrix(must_cover.T, dtype=float), sparse.csr_matrix((n_must, n_dem))]
        )
    else:
        n_must, cover_rows = 0, None
    link = sparse.hstack([-sparse.csr_matrix(cover.T, dtype=float), sparse.identity(n_dem)])
    extra = [
        sparse.hstack(
            [
                sparse.csr_matrix(np.zeros(n_cand) if r.a_x is None else r.a_x),
                sparse.csr_matrix(np.zeros(n_dem) if r.a_y is None else r.a_y),
            ]
        )
        for r in side_rows
    ]
    blocks = [link, *extra] + ([] if cover_rows is None else [cover_rows])
    a_matrix = sparse.csc_matrix(sparse.vstack(blocks))
    a_matrix.eliminate_zeros()
    a_matrix.sort_indices()
    row_lower = np.concatenate(
        [np.full(n_dem, -np.inf), [r.lower for r in side_rows], np.ones(n_must)]
    )
    row_upper = np.concatenate(
        [np.zeros(n_dem), [r.upper for r in side_rows], np.full(n_must, np.inf)]
    )
    cost = np.concatenate([objective_x, objective_y]).astype(float)
    return LinearModel(a_matrix, cost, row_lower.astype(float), row_upper.astype(float), n_cand)


def valid_multipliers(
    multipliers: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row multipliers a Lagrangian bound may use, and the side each one prices.

    A positive multiplier prices a row's lower side and a negative one its upper side;
    one that points at an infinite side is set to 0 (dropping a row keeps a bound
    valid). Returns the multipliers and, per row, the side they price (0 where none).

    >>> valid_multipliers(np.array([1.0, -1.0, 2.0]), np.array([3.0, -np.inf, -np.inf]),
    ...                   np.array([np.inf, 5.0, 4.0]))
    (array([ 1., -1.,  0.]), array([3., 5., 0.]))
    """
    lam = np.asarray(multipliers, dtype=float).copy()
    lam[(lam > 0) & ~np.isfinite(lower)] = 0.0
    lam[(lam < 0) & ~np.isfinite(upper)] = 0.0
    return lam, np.where(lam > 0, lower, np.where(lam < 0, upper, 0.0))


def solve_coverage_milp(
    cover: sparse.csr_matrix,
    objective_x: np.ndarray,
    objective_y: np.ndarray,
    maximize: bool,
    side_rows: list[SideRow],
    warm_start: np.ndarray | None = None,
    time_limit_s: float = 120.0,
    mip_rel_gap: float = 1e-4,
    seed: int = 0,
    integral_objective: bool = False,
    lp_solver: str = "ipm",
    relax: bool = False,
    relax_solver: str = "choose",
    crossover: bool = False,
    must_cover: sparse.csr_matrix | None = None,
    options: dict[str, Any] | None = None,
    binary_y: bool = True,
    stop_at: float | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> MilpOutcome:
    """Solve the coverage MILP with HiGHS.

    Parameters
    ----------
    cover : csr (n_candidates × n_demand) bool
    objective_x, objective_y : objective coefficients of x and y
    maximize : sense of the objective
    side_rows : extra rows over x and y
    warm_start : bool mask of a feasible choice of candidates (e.g. greedy's)
    time_limit_s : wall-clock limit of HiGHS, seconds
    mip_rel_gap : HiGHS stops when (primal - bound) / primal falls below this
    integral_objective : the objective only takes integer values (bounds round)
    relax : solve the LP relaxation instead (``dual_bound`` is then its optimum and
        ``x_values`` the fractional x)
    relax_solver : HiGHS ``solver`` for the relaxation: ``"choose"`` (simplex: a
        vertex, whose support guides the heuristics) or ``"ipm"`` without crossover
        (faster; for a bound only) or ``"primal"`` (primal simplex, a vertex: on
        maximum-coverage LPs, feasible at ``x = 0``, two to three times faster than the
        interior point with crossover)
    crossover : with ``relax_solver="ipm"``, run crossover to a vertex: its duals are
        extreme, so reduced-cost fixing fixes about twice as many candidates
    must_cover : candidates × columns, each of which some chosen candidate must cover
    lp_solver : HiGHS ``mip_lp_solver``: ``"ipm"`` (interior point; about three times
        faster than dual simplex on the coverage LPs we measured) or ``"choose"``
    options : further HiGHS options, set last (e.g. ``{"presolve": "off"}``)
    binary_y : declare ``y`` binary in the MILP (same optimum; stronger cuts, and HiGHS
        keeps its time limit: see the module's note); False leaves it continuous
    stop_at : minimising, stop as soon as a plan of objective at most this is found
        (status ``"interrupted"``, with that plan): a plan good enough for the caller
    progress : called with HiGHS's best plan's objective and its bound (``±inf`` while
        there is none) every :data:`PROGRESS_EVERY_S` seconds of branch-and-bound

    HiGHS 1.16 can misread a start after its presolve: it then reports an objective
    other than its own plan's and prunes by it, so it may call a worse plan optimal
    (a test instance: 6 cost units "optimal" under a bound of 3, where 4 was the
    optimum). Such a solve is run again without the start, in the time left.
    """
    import highspy  # the solver loads on first use: `import geoplan` stays light

    began = time.perf_counter()
    n_cand, n_dem = cover.shape
    model = assemble(cover, objective_x, objective_y, side_rows, must_cover)
    a_matrix = model.matrix
    n_col, n_row = n_cand + n_dem, a_matrix.shape[0]
    row_lower = np.maximum(model.row_lower, -highspy.kHighsInf)
    row_upper = np.minimum(model.row_upper, highspy.kHighsInf)
    integer_y = 1 if binary_y and not relax else 0
    integrality = np.concatenate([np.full(n_cand, 0 if relax else 1), np.full(n_dem, integer_y)])
    integrality = integrality.astype(np.int32)
    with _quiet_stdout():
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit_s))
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    highs.setOptionValue("random_seed", int(seed) % 2_147_483_647)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_lp_solver", lp_solver)
    if relax:
        highs.setOptionValue("solver", relax_solver)
        if relax_solver == "ipm":
            highs.setOptionValue("run_crossover", "on" if crossover else "off")
        elif relax_solver == "primal":  # primal simplex: a vertex, from the feasible x = 0
            highs.setOptionValue("solver", "simplex")
            highs.setOptionValue("simplex_strategy", 4)
    if integral_objective:  # a bound within 1 of the plan proves it (the bound rounds up)
        highs.setOptionValue("mip_abs_gap", 1.0 - 1e-6)
    for name, value in (options or {}).items():
        highs.setOptionValue(name, value)
    if STOP.is_set():
        return MilpOutcome(None, float("nan"), float("nan"), "interrupted", 0)
    _stop_on_request(highs, None if maximize else stop_at, progress)
    sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    highs.passModel(
        n_col, n_row, int(a_matrix.nnz), int(highspy.MatrixFormat.kColwise), int(sense), 0.0,
        model.cost,
        np.zeros(n_col), np.ones(n_col), row_lower.astype(float), row_upper.astype(float),
        a_matrix.indptr.astype(np.int32), a_matrix.indices.astype(np.int32),
        a_matrix.data.astype(float), integrality,
    )  # fmt: skip
    if warm_start is not None:
        x0 = np.asarray(warm_start, dtype=float)
        y0 = np.minimum(1.0, np.asarray(cover.T @ x0, dtype=float).ravel())
        solution = highspy.HighsSolution()
        solution.col_value = np.concatenate([x0, y0]).tolist()
        solution.value_valid = True
        highs.setSolution(solution)
    log.info("HiGHS: %d candidates × %d demand columns, %d nonzeros", n_cand, n_dem, a_matrix.nnz)
    highs.run()
    if relax:
        return _lp_outcome(highs, n_cand)
    outcome = _outcome(highs, n_cand, maximize, integral_objective, model.cost)
    reported = float(highs.getInfo().objective_function_value)
    misread = abs(reported - outcome.objective) > 1e-6 * max(1.0, abs(outcome.objective))
    if warm_start is not None and outcome.x is not None and misread and not STOP.is_set():
        log.info("HiGHS reported %.6g for a plan worth %.6g after its start; "
                 "solving again without the start", reported, outcome.objective)  # fmt: skip
        again = solve_coverage_milp(
            cover, objective_x, objective_y, maximize, side_rows, warm_start=None,
            time_limit_s=max(time_limit_s - (time.perf_counter() - began), 0.1),
            mip_rel_gap=mip_rel_gap, seed=seed, integral_objective=integral_objective,
            lp_solver=lp_solver, must_cover=must_cover, options=options, binary_y=binary_y,
            stop_at=stop_at, progress=progress,
        )  # fmt: skip
        # no plan in the time left: the first plan stands, with no claim on its quality
        return again if again.x is not None else replace(
            outcome, dual_bound=float("nan"), status="time_limit")  # fmt: skip
    return outcome


def _stop_on_request(
    highs: highspy.Highs, stop_at: float | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> None:  # fmt: skip
    """Let simplex, IPM and branch-and-bound stop when :data:`STOP` is set (Ctrl-C, SIGTERM),
    and branch-and-bound once its plan's objective is at most ``stop_at`` (minimising);
    report branch-and-bound's plan and bound to ``progress`` now and then."""
    last = [time.perf_counter()]

    def check(event: Any) -> None:
        if STOP.is_set():
            event.interrupt()

    def in_branching(event: Any) -> None:
        out = event.data_out
        if STOP.is_set() or (stop_at is not None and out.mip_primal_bound <= stop_at):
            event.interrupt()
        if progress is not None and time.perf_counter() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.perf_counter()
            progress(float(out.mip_primal_bound), float(out.mip_dual_bound))

    highs.cbSimplexInterrupt += check
    highs.cbIpmInterrupt += check
    highs.cbMipInterrupt += check if stop_at is None and progress is None else in_branching


def _status_name(highs: highspy.Highs, status: Any) -> str:
    import highspy  # the solver loads on first use: `import geoplan` stays light

    names = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kInterrupt: "interrupted",
    }
    return names.get(status, highs.modelStatusToString(status).lower().replace(" ", "_"))


def _lp_outcome(highs: highspy.Highs, n_cand: int) -> MilpOutcome:
    """The LP relaxation's optimum is a bound; its x guides the heuristics, its duals fix."""
    import highspy  # the solver loads on first use: `import geoplan` stays light

    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return MilpOutcome(None, float("nan"), float("nan"), _status_name(highs, status), 0)
    solution = highs.getSolution()
    values = np.asarray(solution.col_value[:n_cand], dtype=float)
    objective = float(highs.getInfo().objective_function_value)
    duals = np.asarray(solution.row_dual, dtype=float) if solution.dual_valid else None
    return MilpOutcome(None, objective, objective, "optimal", 0, x_values=values, row_dual=duals)


def _outcome(
    highs: highspy.Highs, n_cand: int, maximize: bool, integral: bool, cost: np.ndarray
) -> MilpOutcome:
    import highspy  # the solver loads on first use: `import geoplan` stays light

    info = highs.getInfo()
    name = _status_name(highs, highs.getModelStatus())
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = None
    objective = float("nan")
    if has_solution:
        col_value = np.asarray(highs.getSolution().col_value, dtype=float)
        x = col_value[:n_cand] > 0.5
        # the plan's own value (HiGHS can report another after a start: solve_coverage_milp)
        objective = float(np.dot(cost, col_value))
    bound = float(info.mip_dual_bound)
    if not np.isfinite(bound) or abs(bound) >= highspy.kHighsInf:
        bound = float("nan")
    elif integral:
        bound = float(np.floor(bound + 1e-6) if maximize else np.ceil(bound - 1e-6))
    return MilpOutcome(x, objective, bound, name, int(info.mip_node_count))
