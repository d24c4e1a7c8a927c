"""Lazy greedy for maximum coverage and partial set cover, with its own bound.

Marginal gains only shrink as sites are added (coverage is submodular), so a gain
computed earlier is an upper bound on the gain now. The priority queue therefore
re-evaluates only the top entry until the top entry is fresh (Minoux's lazy greedy).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class GreedyRun:
    """What a greedy pass chose and what it proves.

    Attributes
    ----------
    selected : candidate indices in the order they were added
    gains : weight each one added when it was added
    bound : upper bound on the covered weight of any solution within ``k``/``budget``
        (``max`` mode), or lower bound on the number of sites needed (``min`` mode)
    complete : the stopping goal (k sites, budget, target and floors) was met
    """

    selected: np.ndarray
    gains: np.ndarray
    bound: float
    complete: bool


def sum_of_top(values: np.ndarray, m: int) -> float:
    """Sum of the ``m`` largest values (0 when ``m`` <= 0).

    Parameters
    ----------
    values : float array
        E.g. candidate gains, people.
    m : int
        How many to sum (all when more than there are).
    """
    if m <= 0 or values.size == 0:
        return 0.0
    m = min(m, values.size)
    return float(np.partition(values, values.size - m)[values.size - m :].sum())


def knapsack_bound(gains: np.ndarray, cost: np.ndarray, budget: float) -> float:
    """Fractional-knapsack bound: best weight from items of ``cost`` within ``budget``.

    Parameters
    ----------
    gains : float array
        Weight (people) each item would add.
    cost : float array
        Cost of each item, non-negative (VND for sites).
    budget : float
        Money available, in the unit of ``cost``.

    Returns
    -------
    float
        An upper bound on the weight any selection within ``budget`` adds.
    """
    order = np.argsort(-(gains / np.maximum(cost, 1e-300)), kind="stable")
    spent = np.cumsum(cost[order])
    full = spent <= budget
    total = float(gains[order][full].sum())
    rest = np.flatnonzero(~full)
    if rest.size:
        first = rest[0]
        left = budget - (spent[first - 1] if first > 0 else 0.0)
        total += float(gains[order][first] * max(left, 0.0) / max(cost[order][first], 1e-300))
    return total


def sites_needed_bound(gains: np.ndarray, missing_weight: float) -> int:
    """Fewest extra sites whose gains could sum to ``missing_weight`` (submodularity).

    Parameters
    ----------
    gains : float array
        Current marginal gain of each candidate, people.
    missing_weight : float
        Weight still needed for the target, people.

    Returns
    -------
    int
        A lower bound on the sites still needed; ``len(gains) + 1`` when even all
        gains together fall short.
    """
    if missing_weight <= 0:
        return 0
    reach = np.cumsum(np.sort(gains)[::-1])
    hit = np.searchsorted(reach, missing_weight * (1 - 1e-12))
    return int(hit + 1) if hit < reach.size else int(gains.size + 1)


def lazy_greedy(
    weights: np.ndarray,
    cover: sparse.csr_matrix,
    *,
    k: int | None = None,
    target_weight: float | None = None,
    cost: np.ndarray | None = None,
    budget: float | None = None,
    groups: np.ndarray | None = None,
    group_need: np.ndarray | None = None,
    preferred: np.ndarray | None = None,
) -> GreedyRun:
    """Add the candidate with the largest marginal gain until the goal is met.

    Parameters
    ----------
    weights : (n_demand,) people per demand column
    cover : csr (n_candidates × n_demand) bool
    k : at most this many sites (``max`` mode when ``target_weight`` is None)
    target_weight : stop once this much weight is covered (``min`` mode)
    cost, budget : per-candidate cost and a total budget (same unit); with a budget
        in ``max`` mode the gain per unit cost ranks candidates
    groups, group_need : group of each demand column and the weight each group must
        gain first (equity floors); deficient groups are served before anything else
    preferred : candidates that win ties

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]], dtype=bool))
    >>> lazy_greedy(np.array([5.0, 1.0, 2.0]), cover, k=2).selected.tolist()
    [0, 1]
    """
    w = np.asarray(weights, dtype=float)
    n_cand = cover.shape[0]
    cost_arr = np.ones(n_cand) if cost is None else np.asarray(cost, dtype=float)
    pref = np.zeros(n_cand, bool) if preferred is None else np.asarray(preferred, bool)
    need = None if group_need is None else np.asarray(group_need, dtype=float).copy()
    group_of = None if groups is None else np.asarray(groups, dtype=np.int64)
    if need is not None and group_of is not None and (group_of < 0).any():
        # columns in no group (-1) go to one more group, with no floor
        need = np.append(need, 0.0)
        group_of = np.where(group_of < 0, need.size - 1, group_of)
    by_ratio = budget is not None and target_weight is None
    live = w.copy()  # weight still uncovered
    covered_weight, spent = 0.0, 0.0
    selected: list[int] = []
    gains: list[float] = []
    bound_state = _BoundTracker(w, cover, k, target_weight, cost_arr, budget)
    bound_state.update(live, covered_weight, n_selected=0)

    def floors_open() -> bool:
        return need is not None and bool((need > 1e-9).any())

    def active() -> np.ndarray:
        if floors_open():
            assert need is not None and group_of is not None
            return live * (need[group_of] > 1e-9)
        return live

    def goal_met() -> bool:
        if floors_open():
            return False
        if target_weight is not None:
            return covered_weight >= target_weight * (1 - 1e-12)
        return k is not None and len(selected) >= k

    def heap_from(values: np.ndarray) -> list[tuple[float, bool, float, int, int]]:
        gain_all = cover @ values
        key = gain_all / np.maximum(cost_arr, 1e-300) if by_ratio else gain_all
        stamp = len(selected)
        heap = [
            (-float(key[j]), not pref[j], float(cost_arr[j]), int(j), stamp)
            for j in np.flatnonzero(gain_all > 0)
        ]
        heapq.heapify(heap)
        return heap

    phase_floors = floors_open()
    heap = heap_from(active())
    chosen = np.zeros(n_cand, bool)
    while not goal_met() and not (k is not None and len(selected) >= k):
        if phase_floors and not floors_open():  # floors met: rank by the plain gain again
            phase_floors = False
            heap = heap_from(live)
        if not heap:
            break
        _, not_pref, c, j, stamp = heapq.heappop(heap)
        if chosen[j] or (budget is not None and spent + cost_arr[j] > budget * (1 + 1e-12)):
            continue
        if stamp != len(selected):  # stale: re-evaluate and push back
            values = active()
            gain = float(values[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]].sum())
            if gain > 0:
                key = gain / max(c, 1e-300) if by_ratio else gain
                heapq.heappush(heap, (-key, not_pref, c, j, len(selected)))
            continue
        rows = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
        gain = float(live[rows].sum())
        if need is not None and group_of is not None:
            need -= np.bincount(group_of[rows], weights=live[rows], minlength=need.size)
        live[rows] = 0.0
        covered_weight += gain
        spent += cost_arr[j]
        chosen[j] = True
        selected.append(j)
        gains.append(gain)
        bound_state.update(live, covered_weight, n_selected=len(selected))
    bound_state.update(live, covered_weight, n_selected=len(selected), force=True)
    complete = goal_met() or (target_weight is None and not floors_open())
    return GreedyRun(np.asarray(selected, np.int64), np.asarray(gains), bound_state.bound, complete)


class _BoundTracker:
    """Bounds from submodularity at a few points of the greedy run.

    For any solution O and the greedy set S: f(O) <= f(S) + sum of the |O| largest
    marginal gains at S. In ``max`` mode that caps f(O); in ``min`` mode it says how
    many sites O needs at least to reach the target.
    """

    def __init__(
        self,
        weights: np.ndarray,
        cover: sparse.csr_matrix,
        k: int | None,
        target_weight: float | None,
        cost: np.ndarray,
        budget: float | None,
    ) -> None:
        self.cover, self.k, self.target, self.cost, self.budget = (
            cover,
            k,
            target_weight,
            cost,
            budget,
        )
        self.bound = 0.0 if target_weight is not None else float(weights.sum())
        self.next_check = 0

    def update(
        self, live: np.ndarray, covered: float, n_selected: int, force: bool = False
    ) -> None:
        if n_selected < self.next_check and not force:
            return
        self.next_check = max(1, 2 * n_selected) if n_selected < 16 else n_selected + 16
        gains = np.asarray(self.cover @ live, dtype=float)
        if self.target is not None:
            self.bound = max(self.bound, float(sites_needed_bound(gains, self.target - covered)))
            return
        caps = []
        if self.k is not None:
            caps.append(covered + sum_of_top(gains, self.k))
        if self.budget is not None:
            caps.append(covered + knapsack_bound(gains, self.cost, self.budget))
        if caps:
            self.bound = min(self.bound, min(caps))


def drop_redundant(
    weights: np.ndarray, cover: sparse.csr_matrix, selected: np.ndarray, target_weight: float
) -> np.ndarray:
    """Remove chosen sites, least unique weight first, while the rest still reach the target.

    Greedy's early picks can become redundant once later picks overlap them; this
    keeps the target and never adds a site.

    Parameters
    ----------
    weights : float array
        Weight (people) of each demand cell.
    cover : scipy.sparse.csr_matrix
        Boolean candidates × demand coverage.
    selected : int array
        The chosen candidates.
    target_weight : float
        Weight (people) the remaining sites must still cover.

    Returns
    -------
    int array
        The candidates kept, in their order in ``selected``.

    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]], dtype=bool))
    >>> drop_redundant(np.ones(3), cover, np.array([0, 1, 2]), 3.0).tolist()
    [1, 2]
    """
    keep = np.asarray(selected, dtype=np.int64).copy()
    w = np.asarray(weights, dtype=float)
    counts = np.bincount(cover[keep].indices, minlength=w.size)
    covered = float(w[counts > 0].sum())
    while keep.size:
        sub = cover[keep]
        unique = np.asarray(sub @ (w * (counts == 1)), dtype=float)
        order = np.argsort(unique, kind="stable")
        drop = next((i for i in order if covered - unique[i] >= target_weight * (1 - 1e-12)), None)
        if drop is None:
            break
        rows = cover.indices[cover.indptr[keep[drop]] : cover.indptr[keep[drop] + 1]]
        counts[rows] -= 1
        covered -= float(unique[drop])
        keep = np.delete(keep, drop)
    return keep
