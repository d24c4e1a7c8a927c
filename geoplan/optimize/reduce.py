"""Shrink a coverage problem without changing its optimum.

Two exact reductions, both vectorised on the sparse matrix:

* demand columns covered by exactly the same candidates (and in the same equity
  group) are merged into one column whose weight is the sum;
* a candidate whose covered set is a subset of another's, at no lower cost and no
  better preference, is dropped (any solution using it can swap it for the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class MergedDemand:
    """Demand after merging identical columns.

    Attributes
    ----------
    cover : csr (n_candidates × n_merged) bool
    weights : (n_merged,) float, summed weight of each merged column
    groups : (n_merged,) int, group of each merged column (-1 when no groups)
    column_of : (n_demand,) int, merged column of each original column, -1 when no
        candidate covers it
    """

    cover: sparse.csr_matrix
    weights: np.ndarray
    groups: np.ndarray
    column_of: np.ndarray


def merge_identical_columns(
    cover: sparse.spmatrix, weights: np.ndarray, groups: np.ndarray | None = None, seed: int = 0
) -> MergedDemand:
    """Merge demand columns covered by the same candidate set (and in the same group).

    Each column's candidate set is summarised by two sums of random 64-bit keys (one
    per candidate) plus its size; equal summaries mean equal sets except with
    probability about 2**-128. Columns nobody covers are dropped.

    Parameters
    ----------
    cover : scipy sparse matrix
        Boolean candidates × demand coverage.
    weights : float array
        Weight (people) of each demand column; merged columns add up.
    groups : int array or None
        Group (e.g. commune) of each column; columns of different groups stay apart.
    seed : int
        Seed of the random keys.

    Returns
    -------
    MergedDemand
        The merged matrix, weights and groups, and ``column_of`` (merged column of
        each original one, -1 for uncovered).

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 0, 1]], dtype=bool))
    >>> merged = merge_identical_columns(cover, np.array([1.0, 2.0, 5.0, 3.0]))
    >>> merged.cover.shape, merged.column_of.tolist()
    ((2, 3), [0, 1, -1, 2])
    """
    csc = sparse.csc_matrix(cover, dtype=bool)
    csc.sort_indices()
    n_candidates, n_demand = csc.shape
    group_of = np.full(n_demand, -1, np.int64) if groups is None else np.asarray(groups, np.int64)
    counts = np.diff(csc.indptr)
    covered = np.flatnonzero(counts > 0)
    column_of = np.full(n_demand, -1, dtype=np.int64)
    if covered.size == 0:
        empty = sparse.csr_matrix((n_candidates, 0), dtype=bool)
        return MergedDemand(empty, np.zeros(0), np.zeros(0, np.int64), column_of)
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, np.iinfo(np.uint64).max, size=(2, n_candidates), dtype=np.uint64)
    starts = csc.indptr[covered]  # empty columns hold no entries, so segments stay exact
    candidates_of = csc.indices
    summary = np.column_stack(
        [
            np.add.reduceat(keys[0][candidates_of], starts),
            np.add.reduceat(keys[1][candidates_of], starts),
            counts[covered].astype(np.uint64),
            group_of[covered].astype(np.uint64),
        ]
    )
    first, inverse = _unique_rows(summary)
    # keep merged columns in the order of their first original column (deterministic)
    rank = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    column_of[covered] = rank[inverse]
    representatives = covered[np.sort(first)]
    merged_weights = np.bincount(
        column_of[covered], weights=np.asarray(weights, float)[covered], minlength=first.size
    )
    return MergedDemand(
        cover=sparse.csr_matrix(csc[:, representatives]),
        weights=merged_weights,
        groups=group_of[representatives],
        column_of=column_of,
    )


def _unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First row index of each distinct row, and each row's distinct-row number.

    Same as ``np.unique(keys, axis=0, return_index=True, return_inverse=True)`` but
    a lexsort over the columns, several times faster on wide integer keys.
    """
    order = np.lexsort(keys.T[::-1])
    ordered = keys[order]
    starts = np.concatenate([[True], (ordered[1:] != ordered[:-1]).any(axis=1)])
    label_sorted = np.cumsum(starts) - 1
    inverse = np.empty(keys.shape[0], dtype=np.int64)
    inverse[order] = label_sorted
    first = np.full(int(starts.sum()), keys.shape[0], dtype=np.int64)
    np.minimum.at(first, label_sorted, order)
    return first, inverse


def dominated_candidates(
    cover: sparse.spmatrix, cost: np.ndarray | None = None, preferred: np.ndarray | None = None
) -> np.ndarray:
    """Mask of candidates that another candidate makes redundant.

    Candidate ``a`` is dominated by ``b`` when ``b`` covers every column ``a`` covers,
    costs no more and is preferred at least as much; among exact twins the lowest
    index survives. Candidates that cover nothing are dominated too.

    Parameters
    ----------
    cover : scipy sparse matrix
        Boolean candidates × demand coverage.
    cost : float array or None
        Cost of each candidate (VND); None treats all as equal.
    preferred : bool array or None
        Candidates of a preferred kind; None prefers none.

    Returns
    -------
    bool array
        True for each dominated candidate.

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=bool))
    >>> dominated_candidates(cover).tolist()
    [False, True, False]
    """
    csr = sparse.csr_matrix(cover, dtype=bool).astype(np.int32)
    n = csr.shape[0]
    size = np.asarray(csr.getnnz(axis=1))
    cost = np.zeros(n) if cost is None else np.asarray(cost, float)
    pref = np.zeros(n, bool) if preferred is None else np.asarray(preferred, bool)
    overlap = sparse.coo_matrix(csr @ csr.T)
    a, b, shared = overlap.row, overlap.col, overlap.data
    subset = (a != b) & (shared == size[a]) & (cost[b] <= cost[a]) & (pref[b] >= pref[a])
    # twins (same set, cost and preference): only the higher index is dominated
    twin = (size[b] == size[a]) & (cost[b] == cost[a]) & (pref[b] == pref[a])
    subset &= ~twin | (b < a)
    dominated = np.zeros(n, bool)
    dominated[a[subset]] = True
    dominated[size == 0] = True
    return dominated
