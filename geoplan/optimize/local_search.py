"""Swap local search: fewer sites for the same target, to warm-start the MILP.

A swap removes one chosen site and adds another candidate. For all pairs at once,
with ``count`` the number of chosen sites covering each column::

    delta[a, r] = gain(a) - unique(r) + shared_unique(a, r)

where ``gain(a)`` is the uncovered weight ``a`` would add, ``unique(r)`` the weight only
``r`` covers, and ``shared_unique(a, r)`` the part of ``unique(r)`` that ``a`` also
covers (one sparse product). The search drops the least useful site and swaps until
the target is met again, as long as it can.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse


def best_swap(
    weights: np.ndarray, cover: sparse.csr_matrix, chosen: np.ndarray, counts: np.ndarray
) -> tuple[int, int, float]:
    """(candidate to add, position in ``chosen`` to remove, change in covered weight)."""
    uncovered = weights * (counts == 0)
    single = weights * (counts == 1)
    gain = np.asarray(cover @ uncovered, dtype=float)
    sub = cover[chosen]
    unique = np.asarray(sub @ single, dtype=float)
    shared = (cover.multiply(single[np.newaxis, :]) @ sub.T).toarray()
    delta = gain[:, np.newaxis] - unique[np.newaxis, :] + shared
    delta[chosen, :] = -np.inf  # adding a chosen site is no swap
    add, remove = np.unravel_index(int(np.argmax(delta)), delta.shape)
    return int(add), int(remove), float(delta[add, remove])


def fewer_sites_by_swaps(
    weights: np.ndarray,
    cover: sparse.csr_matrix,
    selected: np.ndarray,
    target_weight: float,
    time_limit_s: float = 30.0,
    max_swaps: int = 5_000,
) -> np.ndarray:
    """A selection reaching ``target_weight`` with at most as many sites as ``selected``.

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array(
    ...     [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=bool))
    >>> fewer_sites_by_swaps(np.ones(4), cover, np.array([2, 3, 4]), 3.0).tolist()
    [0, 4]
    """
    w = np.asarray(weights, dtype=float)
    csr = sparse.csr_matrix(cover, dtype=np.float64)
    best = np.sort(np.asarray(selected, dtype=np.int64))
    deadline = time.perf_counter() + time_limit_s
    swaps = 0
    while best.size > 1 and time.perf_counter() < deadline and swaps < max_swaps:
        counts = np.bincount(csr[best].indices, minlength=w.size)
        unique = np.asarray(csr[best] @ (w * (counts == 1)), dtype=float)
        trial = np.delete(best, int(np.argmin(unique)))
        counts = np.bincount(csr[trial].indices, minlength=w.size)
        covered = float(w[counts > 0].sum())
        while covered < target_weight * (1 - 1e-12) and time.perf_counter() < deadline:
            add, remove, delta = best_swap(w, csr, trial, counts)
            if delta <= 1e-9 or swaps >= max_swaps:
                break
            trial[remove] = add
            counts = np.bincount(csr[trial].indices, minlength=w.size)
            covered = float(w[counts > 0].sum())
            swaps += 1
        if covered < target_weight * (1 - 1e-12):
            break
        best = np.sort(trial)
    return best
