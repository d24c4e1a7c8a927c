"""Lagrangian decomposition of the coverage MILP by zones of demand (e.g. communes).

The LP relaxation of a town covered by many overlapping candidates (4G towers a few
hundred metres apart, each reaching a kilometre) covers it with fractions of many
sites, so its bound is weak and the MILP on the whole province is too large to close
it. Splitting the province into zones gives small MILPs that are solved exactly:

* the side rows that reach over several zones (the province's target, a budget) are
  priced by multipliers ``λ`` (the LP's duals) and move to the objective;
* a side row on the ``y`` of one zone only (that commune's floor) stays in its zone;
* each candidate's cost ``c'_i`` (after the priced rows) is split among the zones it
  reaches, in proportion to the LP value of the demand it covers there
  (``Σ_k μ_ik = c'_i``); a candidate gets one copy per zone.

Every plan of the whole problem gives each zone's MILP a plan of the same split cost,
so ``Σ_r λ_r b_r + Σ_k z_k`` (``z_k`` the optimum, or HiGHS's bound, of zone ``k``) is a
lower bound for any multipliers and any split. Each zone's plan also says where sites
are worth building: the union of the zones' plans is a small pool of candidates on
which one MILP finds a good plan for the whole (:func:`geoplan.optimize.proof.prove`
uses both).

>>> import numpy as np
>>> from scipy import sparse
>>> cover = sparse.csr_matrix(np.eye(3, dtype=bool))
>>> rows = [SideRow(None, np.ones(3), 2.0, np.inf)]  # cover 2 of 3 columns, 1 site each
>>> result = decompose(cover, np.ones(3), np.zeros(3), rows,
...                    np.array([0.0, 0.0, 0.0, 1.5]), np.array([0, 1, 2]))
>>> round(result.bound, 6), int(result.picks.sum())  # 3 - 3 × 0.5 (each zone: 1 - 1.5)
(1.5, 3)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from geoplan.optimize.exact import SideRow, solve_coverage_milp, valid_multipliers
from geoplan.optimize.stop import STOP

__all__ = ["Decomposition", "cost_split", "decompose", "grouped_zones"]

#: Relative gap each zone's MILP is solved to (zones are small; their bounds add up).
ZONE_REL_GAP = 1e-6


@dataclass(frozen=True)
class Decomposition:
    """What the zones' MILPs proved and chose.

    Attributes
    ----------
    bound : a lower bound on the whole problem's objective
    picks : bool mask of the candidates some zone's plan opens
    n_zones : zones solved
    n_zones_proven : zones whose MILP HiGHS solved to optimality
    seconds : wall-clock seconds
    complete : every zone was solved (else ``bound`` is ``-inf``: stopped early)
    """

    bound: float
    picks: np.ndarray
    n_zones: int
    n_zones_proven: int
    seconds: float
    complete: bool


def cost_split(
    cover: sparse.csr_matrix, cost_x: np.ndarray, value: np.ndarray, zones: np.ndarray
) -> sparse.csr_matrix:
    """Each candidate's cost split among its zones: ``μ`` (candidates × zones).

    In proportion to ``value`` (one non-negative number per demand column, e.g. the
    LP's dual of its cover row) of the columns it covers in each zone; equally among its
    zones where it covers no value. Each row of ``μ`` adds up to ``cost_x``.

    >>> cover = sparse.csr_matrix(np.array([[1, 1, 1], [0, 0, 1]], bool))
    >>> cost_split(cover, np.array([1.0, 2.0]), np.array([1.0, 2.0, 1.0]),
    ...            np.array([0, 0, 1])).toarray().tolist()
    [[0.75, 0.25], [0.0, 2.0]]
    """
    n_cand = cover.shape[0]
    gained = _by_zone(cover, zones, value)
    touched = _by_zone(cover, zones, None)
    total = np.asarray(gained.sum(axis=1)).ravel()
    count = np.asarray(touched.sum(axis=1)).ravel()
    by_value = sparse.diags(np.divide(cost_x, total, out=np.zeros(n_cand), where=total > 0))
    evenly = sparse.diags(np.where((total <= 0) & (count > 0), cost_x / np.maximum(count, 1), 0))
    return sparse.csr_matrix(by_value @ gained + evenly @ touched)


def grouped_zones(cover: sparse.csr_matrix, zones: np.ndarray, size: int) -> np.ndarray:
    """Zones merged ``size`` at a time, each with the zones it shares most candidates with.

    Fewer candidates are split between zones, so the bound is stronger, at the price
    of larger MILPs. Returns the new zone of each demand column.

    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool))
    >>> grouped_zones(cover, np.array([0, 1, 2, 3]), 2).tolist()
    [0, 0, 1, 1]
    """
    n_zones = int(zones.max(initial=-1)) + 1
    touch = _by_zone(cover, zones, None)
    shared = (touch.T @ touch).toarray()
    np.fill_diagonal(shared, 0.0)
    group = np.full(n_zones, -1)
    next_group = 0
    for zone in np.argsort(-shared.sum(axis=1), kind="stable"):
        if group[zone] >= 0:
            continue
        members = [int(zone)]
        group[zone] = next_group
        while len(members) < size:
            score = shared[members].sum(axis=0)
            score[group >= 0] = -1.0
            nearest = int(np.argmax(score))
            if score[nearest] <= 0:
                break
            group[nearest] = next_group
            members.append(nearest)
        next_group += 1
    return group[zones]


def decompose(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    rows: list[SideRow], row_dual: np.ndarray, zones: np.ndarray, *,
    zone_limit_s: float = 30.0, deadline: float = math.inf, seed: int = 0,
    highs_options: dict[str, Any] | None = None,
) -> Decomposition:  # fmt: skip
    """Lower bound and candidate pool from one MILP per zone (minimisation form).

    Parameters
    ----------
    cover : candidates × demand columns
    objective_x, objective_y : objective per candidate and per column
    rows : side rows; a row with ``a_x`` None whose ``a_y`` lies in one zone stays in
        that zone's MILP, every other row is priced by its multiplier
    row_dual : one multiplier per row of :func:`geoplan.optimize.exact.assemble`'s
        model (the cover rows ``y - Cx <= 0`` first, then ``rows``), e.g. the LP's duals;
        any values give a valid bound, the LP's give a good one
    zones : zone (0..K-1) of each demand column
    zone_limit_s : HiGHS's time limit per zone (its bound counts when it stops there)
    deadline : ``time.perf_counter()`` after which no zone starts (``bound`` is then
        ``-inf``, ``complete`` False)
    """
    started = time.perf_counter()
    cover = sparse.csr_matrix(cover, dtype=bool, copy=True)
    cover.eliminate_zeros()  # a stored False covers nothing
    n_cand, n_dem = cover.shape
    zones = np.asarray(zones, dtype=np.int64)
    n_zones = int(zones.max(initial=-1)) + 1
    dual = np.asarray(row_dual, dtype=float)
    # cover rows y - Cx <= 0: a multiplier <= 0 is dual feasible; its size is the
    # column's value
    value = np.maximum(-dual[:n_dem], 0.0)
    cost_x = np.asarray(objective_x, dtype=float).copy()
    cost_y = np.asarray(objective_y, dtype=float).copy()
    local: list[list[SideRow]] = [[] for _ in range(n_zones)]
    priced: list[int] = []
    for index, r in enumerate(rows):
        home = _home_zone(r, zones)
        if home is None:
            priced.append(index)
        else:
            local[home].append(r)
    lam, side = valid_multipliers(dual[n_dem + np.asarray(priced, dtype=np.int64)],
                                  np.array([rows[i].lower for i in priced]),
                                  np.array([rows[i].upper for i in priced]))  # fmt: skip
    constant = float(np.dot(lam, side))
    for index, multiplier in zip(priced, lam, strict=True):
        r = rows[index]
        if r.a_x is not None:
            cost_x -= multiplier * r.a_x
        if r.a_y is not None:
            cost_y -= multiplier * r.a_y
    split = cost_split(cover, cost_x, value, zones).tocsc()
    reaches = np.asarray(cover.getnnz(axis=1) > 0).ravel()
    bound = constant + float(np.minimum(cost_x[~reaches], 0.0).sum())
    picks = np.zeros(n_cand, bool)
    csc = sparse.csc_matrix(cover)
    proven = solved = 0
    for zone in range(n_zones):
        if STOP.is_set() or time.perf_counter() >= deadline:
            return Decomposition(-math.inf, picks, solved, proven,
                                 time.perf_counter() - started, False)  # fmt: skip
        columns = np.flatnonzero(zones == zone)
        block = csc[:, columns]
        candidates = np.flatnonzero(block.getnnz(axis=1) > 0)
        if candidates.size == 0:
            bound += float(np.minimum(cost_y[columns], 0.0).sum())
            solved += 1
            continue
        kept_rows = [SideRow(None, np.asarray(r.a_y)[columns], r.lower, r.upper)
                     for r in local[zone]]  # fmt: skip
        outcome = solve_coverage_milp(
            sparse.csr_matrix(block[candidates]), split[candidates, zone].toarray().ravel(),
            cost_y[columns], maximize=False, side_rows=kept_rows,
            time_limit_s=max(min(zone_limit_s, deadline - time.perf_counter()), 0.1),
            mip_rel_gap=ZONE_REL_GAP, seed=seed, options=highs_options,
        )  # fmt: skip
        if outcome.status == "infeasible":  # a floor no candidate can meet: no bound here
            return Decomposition(-math.inf, picks, solved, proven,
                                 time.perf_counter() - started, False)  # fmt: skip
        if math.isfinite(outcome.dual_bound):
            bound += outcome.dual_bound
        else:  # stopped before its LP: every copy open at a gain, every column covered
            bound += float(np.minimum(split[candidates, zone].toarray(), 0.0).sum()
                           + np.minimum(cost_y[columns], 0.0).sum())  # fmt: skip
        solved += 1
        proven += outcome.status == "optimal"
        if outcome.x is not None:
            picks[candidates[outcome.x]] = True
    return Decomposition(bound, picks, solved, proven, time.perf_counter() - started, True)


def _by_zone(
    cover: sparse.csr_matrix, zones: np.ndarray, value: np.ndarray | None
) -> sparse.csr_matrix:
    """Candidates × zones: the ``value`` of the columns each covers in each zone, or
    (``value`` None) 1 where it covers any column of the zone."""
    coo = sparse.coo_matrix(cover)
    data = np.ones(coo.nnz) if value is None else value[coo.col]
    shape = (cover.shape[0], int(zones.max(initial=-1)) + 1)
    by_zone = sparse.csr_matrix((data, (coo.row, zones[coo.col])), shape=shape)
    if value is None:
        by_zone.data[:] = 1.0
    return by_zone


def _home_zone(row: SideRow, zones: np.ndarray) -> int | None:
    """The one zone a row's ``y`` part lies in, if it has no ``x`` part; else None."""
    if row.a_x is not None and np.any(row.a_x):
        return None
    if row.a_y is None:
        return None
    inside = np.unique(zones[np.flatnonzero(row.a_y)])
    return int(inside[0]) if inside.size == 1 else None
