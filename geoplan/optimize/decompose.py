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
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from geoplan.optimize.exact import (
    PROGRESS_EVERY_S,
    SideRow,
    solve_coverage_milp,
    valid_multipliers,
)
from geoplan.optimize.stop import STOP
from geoplan.progress import note

__all__ = [
    "WORKERS", "Decomposition", "coarser_split", "cost_split", "decompose", "grouped_zones",
    "stepped_split",
]  # fmt: skip

#: Relative gap each zone's MILP is solved to (zones are small; their bounds add up).
ZONE_REL_GAP = 1e-6

#: HiGHS options of a zone's MILP (``y`` continuous): HiGHS's restart after root
#: fixings cost more than it saved (33 s against 41 s for the 99 zones of the
#: default instance, single thread; 55 s with binary ``y``), and so did its presolve (a
#: round of the 99 zones of the default 80% plan in 8.8–11.5 s against 10.7–13.6 s,
#: single thread, the same bounds to 1e-10; with every commune's 50% floor, 20.6 s
#: against 35.9 s with binary ``y``, presolve and restarts). Without presolve HiGHS
#: 1.16 also takes a start (the zone's plan of the round before) at its value: with
#: presolve it reported a smaller objective than its own plan's for 10 of 99 zones, and
#: a bound weaker by up to 0.5.
ZONE_OPTIONS: dict[str, Any] = {"mip_allow_restart": False, "presolve": "off"}

#: Zones solved at once by :func:`geoplan.optimize.proof.prove`: the cores this process
#: may use (at most eight).
WORKERS = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else
              (os.cpu_count() or 1), 8)  # fmt: skip


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
    split : the cost split the zones were solved with (candidates × zones)
    copies : candidates × zones, True where that zone's plan opens the candidate
    """

    bound: float
    picks: np.ndarray
    n_zones: int
    n_zones_proven: int
    seconds: float
    complete: bool
    split: sparse.csr_matrix
    copies: sparse.csr_matrix


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
    highs_options: dict[str, Any] | None = None, workers: int = 1,
    split: sparse.csr_matrix | None = None, start: sparse.csr_matrix | None = None,
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
    split : each candidate's cost (after the priced rows) split among the zones
        (candidates × zones, rows adding up to the cost), e.g. :func:`stepped_split`'s;
        None: :func:`cost_split` by the LP's values
    workers : zones solved at once, each in its own thread (HiGHS runs one thread per
        MILP); :data:`WORKERS` uses the cores this process may run on
    start : candidates × zones, True where a zone's MILP starts from that candidate
        open (e.g. the round before's :attr:`Decomposition.copies`, feasible under the
        same floors); HiGHS ignores a start that is not feasible
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
    reaches = np.asarray(cover.getnnz(axis=1) > 0).ravel()
    if split is None:
        split = cost_split(cover, cost_x, value, zones)
    elif split.shape != (n_cand, n_zones) or not np.allclose(
        np.asarray(split.sum(axis=1)).ravel()[reaches], cost_x[reaches], rtol=1e-9, atol=1e-9
    ):
        raise ValueError("split must be candidates × zones, each row adding up to its cost")
    split = sparse.csr_matrix(split)
    split_csc = split.tocsc()
    if start is not None and start.shape != (n_cand, n_zones):
        raise ValueError("start must be candidates × zones")
    start_csc = None if start is None else sparse.csc_matrix(start, dtype=bool)
    bound = constant + float(np.minimum(cost_x[~reaches], 0.0).sum())
    csc = sparse.csc_matrix(cover)
    members = _members(zones, n_zones)
    failed = threading.Event()  # a zone is infeasible: the others need not run

    def solve(zone: int) -> _ZoneResult | None:
        """Zone ``zone``'s MILP; None when stopped or past the deadline before it starts."""
        if STOP.is_set() or failed.is_set() or time.perf_counter() >= deadline:
            return None
        columns = members[zone]
        block = csc[:, columns]
        candidates = np.flatnonzero(block.getnnz(axis=1) > 0)
        if candidates.size == 0:
            return _ZoneResult(float(np.minimum(cost_y[columns], 0.0).sum()), None, True)
        kept_rows = [SideRow(None, np.asarray(r.a_y)[columns], r.lower, r.upper)
                     for r in local[zone]]  # fmt: skip
        zone_cost = split_csc[candidates, zone].toarray().ravel()
        warm = None if start_csc is None else start_csc[candidates, zone].toarray().ravel()
        # y continuous: integral anyway for integral x without a floor; with one, a
        # relaxation, so still a bound (on the default floors, the same to 1e-10)
        outcome = solve_coverage_milp(
            sparse.csr_matrix(block[candidates]), zone_cost, cost_y[columns], maximize=False,
            side_rows=kept_rows, warm_start=warm,
            time_limit_s=max(min(zone_limit_s, deadline - time.perf_counter()), 0.1),
            mip_rel_gap=ZONE_REL_GAP, seed=seed, binary_y=False,
            options=ZONE_OPTIONS | (highs_options or {}),
        )  # fmt: skip
        if outcome.status == "infeasible":  # a floor no candidate can meet: no bound here
            failed.set()
            return _ZoneResult(-math.inf, None, False)
        if math.isfinite(outcome.dual_bound):
            part = outcome.dual_bound
        else:  # stopped before its LP: every copy open at a gain, every column covered
            part = float(np.minimum(zone_cost, 0.0).sum() + np.minimum(cost_y[columns], 0.0).sum())
        picked = None if outcome.x is None else candidates[outcome.x]
        return _ZoneResult(part, picked, outcome.status == "optimal")

    # largest zones first, so that the last to finish is a small one; the parts add up
    # in zone order whatever the order they finish in (the same bound, to the bit)
    size = np.bincount(zones, weights=np.diff(csc.indptr), minlength=n_zones)  # pairs
    order = np.argsort(-size, kind="stable")
    results: dict[int, _ZoneResult | None] = {}
    reported = [time.perf_counter()]

    def keep(zone: int, result: _ZoneResult | None) -> None:
        results[zone] = result
        if time.perf_counter() - reported[0] >= PROGRESS_EVERY_S and len(results) < n_zones:
            reported[0] = time.perf_counter()
            note(f"decomposition: {len(results)} of {n_zones} zones solved")

    if workers > 1 and n_zones > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:  # HiGHS releases the GIL
            for zone, result in zip(order, pool.map(solve, order), strict=True):
                keep(int(zone), result)
    else:
        for zone in order:
            keep(int(zone), solve(int(zone)))
    opened: list[np.ndarray] = []
    opened_zone: list[np.ndarray] = []
    for zone in range(n_zones):
        result = results[zone]
        if result is not None and result.picked is not None:
            opened.append(result.picked)
            opened_zone.append(np.full(result.picked.size, zone))
    rows_ = np.concatenate(opened) if opened else np.zeros(0, np.int64)
    cols_ = np.concatenate(opened_zone) if opened else np.zeros(0, np.int64)
    copies = sparse.csr_matrix((np.ones(rows_.size, bool), (rows_, cols_)),
                               shape=(n_cand, n_zones))  # fmt: skip
    picks = np.zeros(n_cand, bool)
    picks[rows_] = True
    done = [r for r in (results[zone] for zone in range(n_zones)) if r is not None]
    proven = sum(result.proven for result in done)
    seconds = time.perf_counter() - started
    if len(done) < n_zones or any(result.bound == -math.inf for result in done):
        return Decomposition(-math.inf, picks, len(done), proven, seconds, False, split, copies)
    for result in done:
        bound += result.bound
    return Decomposition(bound, picks, len(done), proven, seconds, True, split, copies)


def stepped_split(
    cover: sparse.csr_matrix, zones: np.ndarray, parts: Decomposition, room: float,
    step: float = 0.5,
) -> sparse.csr_matrix | None:  # fmt: skip
    """The next cost split: a subgradient step towards a stronger bound.

    Where the zones a candidate reaches disagree on it (some open their copy, some do
    not), cost moves from the zones that leave it shut to those that open it: each
    zone's share changes by ``t · (x_ik - mean_k x_ik)``, so the shares still add up to
    the candidate's cost. ``t = step · room / ‖g‖²`` (Polyak's step; ``room`` is the
    gap between a known plan and ``parts.bound``). None where the zones all agree (their
    plans are one plan: the split cannot do better).

    >>> cover = sparse.csr_matrix(np.ones((1, 2), bool))  # one site, two zones
    >>> gain, zones = np.array([-0.6, -0.6]), np.array([0, 1])  # best plan: open it, -0.2
    >>> parts = decompose(cover, np.ones(1), gain, [], gain, zones,
    ...                   split=sparse.csr_matrix([[0.2, 0.8]]))
    >>> round(parts.bound, 6), parts.copies.toarray().tolist()  # zone 0 opens it, 1 not
    (-0.4, [[True, False]])
    >>> split = stepped_split(cover, zones, parts, room=-0.2 - parts.bound)
    >>> split.toarray().round(6).tolist()
    [[0.3, 0.7]]
    >>> round(decompose(cover, np.ones(1), gain, [], gain, zones, split=split).bound, 6)
    -0.3
    """
    touch = _by_zone(cover, zones, None)
    opened = parts.copies.multiply(touch).astype(float)
    count = np.asarray(touch.sum(axis=1)).ravel()
    mean = np.asarray(opened.sum(axis=1)).ravel() / np.maximum(count, 1.0)
    direction = sparse.csr_matrix(opened - sparse.diags(mean) @ touch)
    direction.eliminate_zeros()
    norm = float(direction.multiply(direction).sum())
    if norm <= 0 or not math.isfinite(room) or room <= 0:
        return None
    return sparse.csr_matrix(parts.split + (step * room / norm) * direction)


def coarser_split(split: sparse.csr_matrix, zones: np.ndarray, coarser: np.ndarray
                  ) -> sparse.csr_matrix:  # fmt: skip
    """A split among zones carried to zones made of them (each share added to its zone's).

    >>> coarser_split(sparse.csr_matrix([[0.25, 0.5, 0.25]]), np.array([0, 1, 2]),
    ...               np.array([0, 0, 1])).toarray().tolist()
    [[0.75, 0.25]]
    """
    n_zones = int(zones.max(initial=-1)) + 1
    of = np.zeros(n_zones, np.int64)
    of[zones] = coarser  # each fine zone lies in one coarse zone
    merge = sparse.csr_matrix((np.ones(n_zones), (np.arange(n_zones), of)),
                              shape=(n_zones, int(coarser.max(initial=-1)) + 1))  # fmt: skip
    return sparse.csr_matrix(split @ merge)


@dataclass(frozen=True)
class _ZoneResult:
    bound: float  # the zone's optimum or HiGHS's bound on it (-inf: infeasible)
    picked: np.ndarray | None  # candidates its plan opens
    proven: bool


def _members(zones: np.ndarray, n_zones: int) -> list[np.ndarray]:
    """The demand columns of each zone, in column order."""
    order = np.argsort(zones, kind="stable")
    cuts = np.searchsorted(zones[order], np.arange(n_zones + 1))
    return [order[cuts[k] : cuts[k + 1]] for k in range(n_zones)]


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
