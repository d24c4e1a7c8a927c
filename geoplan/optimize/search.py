"""Iterated greedy for covering plans: good incumbents for the proof, in seconds.

The fewest-sites and cheapest-plan problems, with coverage floors, have the
*covering form*: minimise ``c · x`` subject to coverage rows ``A y >= b`` (the target
and one row per commune floor, ``A >= 0``), ``y = min(1, Cx)``, and caps on ``x``
(``Q x <= q``: number of sites, budget). HiGHS finds poor plans for it once floors
couple the communes (875 sites where 858 exist, on the default radio instance), while
a plain greedy that serves the floors first wastes sites (877).

The search here prices every row by its LP dual, so a candidate's worth is the
LP value of the people it would newly cover in the rows still short:

1. start from the LP's integral part (candidates at 1), fill by priced gain per unit
   cost until every row holds, then prune: drop chosen candidates, least unique
   priced coverage per cost first, while every row still holds;
2. iterate: drop a few random chosen candidates, refill with randomly perturbed
   prices, prune; keep the result when it costs no more (plateau moves allowed).

Every plan it returns satisfies all rows (checked on the arrays); it proves nothing
by itself, the bound comes from :mod:`geoplan.optimize.proof`. Deterministic for a
seed and an iteration count.

>>> import numpy as np
>>> from scipy import sparse
>>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool))
>>> form = CoveringForm(cover, np.ones(3), sparse.csr_matrix(np.ones((1, 3))), np.array([3.0]))
>>> iterated_greedy(form, np.array([1.0]), iterations=5).nonzero()[0].tolist()
[0, 2]
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from geoplan.optimize.exact import SideRow
from geoplan.optimize.stop import STOP

__all__ = ["CoveringForm", "covering_form", "fill", "iterated_greedy", "prune"]

#: Relative slack on a row's lower bound (the rows themselves carry 1e-9 already).
ROW_TOLERANCE = 1e-9


@dataclass(frozen=True)
class CoveringForm:
    """``min cost · x`` s.t. ``rows_y · y >= lower``, ``caps_x · x <= upper``, ``y = min(1, Cx)``.

    Attributes
    ----------
    cover : csr (n_candidates × n_columns) bool
    cost : (n_candidates,) objective per candidate (sites: 1; cost: VND in some unit)
    rows_y : csr (n_rows × n_columns), coefficients >= 0 (people of the column in the row)
    lower : (n_rows,) what each row needs (people)
    caps_x : csr (n_caps × n_candidates), coefficients >= 0, or None
    upper : (n_caps,) the caps (sites, VND), or None
    """

    cover: sparse.csr_matrix
    cost: np.ndarray
    rows_y: sparse.csr_matrix
    lower: np.ndarray
    caps_x: sparse.csr_matrix | None = None
    upper: np.ndarray | None = None

    def feasible(self, x: np.ndarray) -> bool:
        """Every row holds and no cap is exceeded (computed afresh, not incrementally)."""
        hit = np.asarray(self.cover[np.flatnonzero(x)].getnnz(axis=0) > 0).ravel()
        activity = np.asarray(self.rows_y @ hit.astype(float)).ravel()
        if (activity < self.lower - _slack(self.lower)).any():
            return False
        if self.caps_x is None or self.upper is None:
            return True
        used = np.asarray(self.caps_x @ np.asarray(x, float)).ravel()
        return bool((used <= self.upper + _slack(self.upper)).all())


def covering_form(
    cover: sparse.csr_matrix, objective_x: np.ndarray, objective_y: np.ndarray,
    rows: list[SideRow],
) -> CoveringForm | None:  # fmt: skip
    """The model in covering form, or None when it is not of that form.

    It is when nothing is gained per covered column (``objective_y == 0``), every row
    over ``y`` is a lower bound with non-negative coefficients, and every row over
    ``x`` an upper bound with non-negative coefficients.
    """
    if np.any(objective_y != 0) or np.any(objective_x < 0):
        return None
    rows_y, lower, caps, upper = [], [], [], []
    for r in rows:
        if r.a_x is None and r.a_y is not None and np.isinf(r.upper) and np.isfinite(r.lower):
            if (r.a_y < 0).any():
                return None
            rows_y.append(r.a_y)
            lower.append(r.lower)
        elif r.a_y is None and r.a_x is not None and np.isinf(r.lower) and np.isfinite(r.upper):
            if (r.a_x < 0).any():
                return None
            caps.append(r.a_x)
            upper.append(r.upper)
        else:
            return None
    if not rows_y:
        return None
    caps_x = sparse.csr_matrix(np.vstack(caps)) if caps else None
    return CoveringForm(sparse.csr_matrix(cover, dtype=bool), np.asarray(objective_x, float),
                        sparse.csr_matrix(np.vstack(rows_y)), np.asarray(lower, float),
                        caps_x, np.asarray(upper, float) if caps else None)  # fmt: skip


def _slack(bound: np.ndarray) -> np.ndarray:
    return ROW_TOLERANCE * np.maximum(1.0, np.abs(bound))


class _State:
    """A choice of candidates with its coverage counts and row activities, kept current."""

    def __init__(self, form: CoveringForm, rows_t: sparse.csr_matrix, x: np.ndarray) -> None:
        self.form, self.rows_t = form, rows_t
        self.caps_t = None if form.caps_x is None else form.caps_x.T.toarray()
        self.x = np.asarray(x, bool).copy()
        chosen = form.cover[np.flatnonzero(self.x)]
        self.count = np.bincount(chosen.indices, minlength=form.cover.shape[1]).astype(np.int64)
        self.activity = np.asarray(form.rows_y @ (self.count > 0).astype(float)).ravel()
        self.need = form.lower - _slack(form.lower)
        self.used = None if self.caps_t is None else self.x.astype(float) @ self.caps_t

    def copy(self) -> _State:
        clone = object.__new__(_State)
        clone.form, clone.rows_t, clone.caps_t = self.form, self.rows_t, self.caps_t
        clone.need = self.need
        clone.x, clone.count = self.x.copy(), self.count.copy()
        clone.activity = self.activity.copy()
        clone.used = None if self.used is None else self.used.copy()
        return clone

    def _columns(self, j: int) -> np.ndarray:
        cover = self.form.cover
        return cover.indices[cover.indptr[j] : cover.indptr[j + 1]]

    def _row_sums(self, columns: np.ndarray) -> np.ndarray:
        """Coefficients of ``columns`` summed per row (a gather on the CSR arrays)."""
        rows_t = self.rows_t
        starts = rows_t.indptr[columns]
        lengths = rows_t.indptr[columns + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(rows_t.shape[1])
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return np.bincount(rows_t.indices[at], weights=rows_t.data[at],
                           minlength=rows_t.shape[1])  # fmt: skip

    def add(self, j: int) -> None:
        columns = self._columns(j)
        self.activity += self._row_sums(columns[self.count[columns] == 0])
        self.count[columns] += 1
        self.x[j] = True
        if self.used is not None and self.caps_t is not None:
            self.used += self.caps_t[j]

    def remove(self, j: int) -> None:
        columns = self._columns(j)
        self.count[columns] -= 1
        self.activity -= self._row_sums(columns[self.count[columns] == 0])
        self.x[j] = False
        if self.used is not None and self.caps_t is not None:
            self.used -= self.caps_t[j]

    def removable(self, j: int) -> bool:
        columns = self._columns(j)
        loss = self._row_sums(columns[self.count[columns] == 1])
        return not ((loss > 0) & (self.activity - loss < self.need)).any()

    def removable_all(self, chosen: np.ndarray) -> np.ndarray:
        """:meth:`removable` for many at once (a removal elsewhere never makes one removable)."""
        unique = sparse.csr_matrix(self.form.cover[chosen], dtype=float)
        unique = unique @ sparse.diags((self.count == 1).astype(float))
        loss = np.asarray((unique @ self.rows_t).todense())
        return ~((loss > 0) & (self.activity - loss < self.need)).any(axis=1)

    def short(self) -> np.ndarray:
        return self.activity < self.need

    def fits(self) -> np.ndarray:
        """Candidates whose addition keeps every cap."""
        form = self.form
        if self.caps_t is None or form.upper is None or self.used is None:
            return np.ones(self.x.size, bool)
        room = form.upper + _slack(form.upper) - self.used
        return (self.caps_t <= room).all(axis=1)


def fill(state: _State, prices: np.ndarray) -> bool:
    """Add the candidate of most priced new coverage per unit cost until every row holds.

    A row short of its need prices its people at its dual (plus a tenth of the largest
    dual, so a row whose dual is 0 still pulls). Returns False when no candidate helps.
    """
    form = state.form
    floor_price = 0.1 * float(np.max(prices, initial=0.0)) or 1.0
    cost = np.maximum(form.cost, 1e-12 * max(float(form.cost.max(initial=1.0)), 1.0))
    while (short := state.short()).any():
        price = np.asarray(state.rows_t @ ((prices + floor_price) * short)).ravel()
        gain = np.asarray(form.cover @ (price * (state.count == 0))).ravel()
        score = np.where(~state.x & state.fits() & (gain > 0), gain / cost, -1.0)
        best = int(np.argmax(score))
        if score[best] <= 0:
            return False
        state.add(best)
    return True


def prune(state: _State, prices: np.ndarray, jitter: np.ndarray | None = None) -> None:
    """Drop chosen candidates while every row holds, least unique priced coverage per cost first."""
    form = state.form
    chosen = np.flatnonzero(state.x)
    if chosen.size == 0:
        return
    price = np.asarray(state.rows_t @ (prices + 1e-12)).ravel()
    unique = np.asarray(form.cover[chosen] @ (price * (state.count == 1))).ravel()
    key = unique / np.maximum(form.cost[chosen], 1e-300)
    if jitter is not None:
        key = key * (1.0 + 1e-3 * jitter[: chosen.size])
    order = np.argsort(key, kind="stable")
    maybe = state.removable_all(chosen[order])  # the others stay unremovable below
    for j in chosen[order][maybe]:
        if state.removable(j):
            state.remove(j)


def iterated_greedy(
    form: CoveringForm, prices: np.ndarray, start: np.ndarray | None = None, *,
    iterations: int = 300, patience: int = 100, drop_share: float = 0.025, seed: int = 0,
    deadline: float | None = None, tiebreak: np.ndarray | None = None,
) -> np.ndarray | None:  # fmt: skip
    """A cheap plan in covering form: priced greedy, then drop-refill-prune iterations.

    Parameters
    ----------
    form : the model (:func:`covering_form`)
    prices : one non-negative price per row (its LP dual, in objective units per person)
    start : a feasible plan to begin from (bool mask), e.g. the LP's candidates at 1
        (it need not be feasible: it is filled and pruned first)
    iterations : drop-refill-prune rounds at most (the result depends only on these,
        ``patience`` and ``seed``)
    patience : stop once this many rounds in a row found no cheaper plan
    drop_share : share of the chosen candidates dropped each round (at least 3)
    seed : seed of the drops and of the price noise
    deadline : ``time.perf_counter()`` value after which it stops early
    tiebreak : small extra cost per candidate (preferences) among equal-cost plans

    Returns
    -------
    bool mask of the best plan found, or None when none was found
    """
    rng = np.random.default_rng(seed)
    rows_t = sparse.csr_matrix(form.rows_y.T)
    prices = np.maximum(np.asarray(prices, float), 0.0)
    extra = np.zeros(form.cost.size) if tiebreak is None else np.asarray(tiebreak, float)

    def value(x: np.ndarray) -> tuple[float, float]:
        return float(form.cost[x].sum()), float(extra[x].sum())

    state = _State(form, rows_t, np.zeros(form.cost.size, bool) if start is None else start)
    if not fill(state, prices):
        return None
    prune(state, prices)
    current = state
    best, found_at = current.x.copy(), 0
    for step in range(1, iterations + 1):
        if step - found_at > patience or STOP.is_set():
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
        trial = current.copy()
        chosen = np.flatnonzero(trial.x)
        n_drop = min(chosen.size, max(3, round(drop_share * chosen.size)))
        for j in rng.choice(chosen, size=n_drop, replace=False):
            trial.remove(int(j))
        noisy = prices * rng.lognormal(0.0, 0.3, prices.size)
        if not fill(trial, noisy):
            continue
        prune(trial, noisy, rng.random(form.cost.size))
        if value(trial.x) <= value(current.x):
            current = trial
            if value(current.x) < value(best):
                best, found_at = current.x.copy(), step
    return best if form.feasible(best) else None
