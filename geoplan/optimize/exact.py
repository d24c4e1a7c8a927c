"""The coverage MILP for HiGHS, built straight from the sparse matrix.

Variables: ``x_j`` in {0, 1} (open candidate j) and ``y_i`` in [0, 1] (demand column
i covered). Rows: ``y_i - sum_j C[j, i] x_j <= 0`` for every demand column, plus the
side constraints (number of sites, budget, target weight, group floors). ``y`` may
stay continuous: for integer ``x`` an optimal ``y`` is integral anyway.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    import highspy

log = logging.getLogger(__name__)


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


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1: HiGHS prints a banner there from C++ on first use."""
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
        (faster; for a bound only)
    lp_solver : HiGHS ``mip_lp_solver``: ``"ipm"`` (interior point; about three times
        faster than dual simplex on the coverage LPs we measured) or ``"choose"``
    """
    import highspy  # the solver loads on first use: `import geoplan` stays light

    n_cand, n_dem = cover.shape
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
    a_matrix = sparse.csc_matrix(sparse.vstack([link, *extra]))
    a_matrix.eliminate_zeros()
    a_matrix.sort_indices()
    n_col, n_row = n_cand + n_dem, a_matrix.shape[0]
    row_lower = np.concatenate([np.full(n_dem, -highspy.kHighsInf), [r.lower for r in side_rows]])
    row_upper = np.concatenate([np.zeros(n_dem), [r.upper for r in side_rows]])
    integrality = np.concatenate([np.full(n_cand, 0 if relax else 1), np.zeros(n_dem)])
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
            highs.setOptionValue("run_crossover", "off")
    if integral_objective:  # a bound within 1 of the plan proves it (the bound rounds up)
        highs.setOptionValue("mip_abs_gap", 1.0 - 1e-6)
    sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    highs.passModel(
        n_col, n_row, int(a_matrix.nnz), int(highspy.MatrixFormat.kColwise), int(sense), 0.0,
        np.concatenate([objective_x, objective_y]).astype(float),
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
    return _outcome(highs, n_cand, maximize, integral_objective)


def _lp_outcome(highs: highspy.Highs, n_cand: int) -> MilpOutcome:
    """The LP relaxation's optimum is a bound; its x guides the heuristics."""
    import highspy  # the solver loads on first use: `import geoplan` stays light

    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        name = highs.modelStatusToString(status).lower().replace(" ", "_")
        return MilpOutcome(None, float("nan"), float("nan"), name, 0)
    values = np.asarray(highs.getSolution().col_value[:n_cand], dtype=float)
    objective = float(highs.getInfo().objective_function_value)
    return MilpOutcome(None, objective, objective, "optimal", 0, x_values=values)


def _outcome(highs: highspy.Highs, n_cand: int, maximize: bool, integral: bool) -> MilpOutcome:
    import highspy  # the solver loads on first use: `import geoplan` stays light

    status = highs.getModelStatus()
    info = highs.getInfo()
    names = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kInterrupt: "interrupted",
    }
    name = names.get(status, highs.modelStatusToString(status).lower().replace(" ", "_"))
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = None
    if has_solution:
        values = np.asarray(highs.getSolution().col_value[:n_cand], dtype=float)
        x = values > 0.5
    bound = float(info.mip_dual_bound)
    if not np.isfinite(bound) or abs(bound) >= highspy.kHighsInf:
        bound = float("nan")
    elif integral:
        bound = float(np.floor(bound + 1e-6) if maximize else np.ceil(bound - 1e-6))
    objective = float(info.objective_function_value) if has_solution else float("nan")
    return MilpOutcome(x, objective, bound, name, int(info.mip_node_count))
