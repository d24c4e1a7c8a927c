"""Sharing sites among provinces along their curves: optimal against brute force (issue 17)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan.errors import InputError
from geoplan.optimize.allocation import allocate, is_concave, upper_concave_envelope


def _best_by_brute_force(curves: list[np.ndarray], n: int, floors: list[int]) -> float:
    """Largest total over every split with at most ``n`` sites and the floors."""
    ranges = [range(f, c.size) for c, f in zip(curves, floors, strict=True)]
    totals = [
        sum(c[x] for c, x in zip(curves, xs, strict=True))
        for xs in itertools.product(*ranges)
        if sum(xs) <= n
    ]
    return max(totals)


def _fewest_by_brute_force(curves: list[np.ndarray], goal: float) -> int | None:
    longest = sum(c.size - 1 for c in curves)
    for n in range(longest + 1):
        if _best_by_brute_force(curves, n, [0] * len(curves)) >= goal - 1e-9:
            return n
    return None


gains = st.lists(st.integers(0, 50).map(float), min_size=0, max_size=5)


def _concave(marginals: list[float]) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(sorted(marginals, reverse=True))])


def _any(marginals: list[float]) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(marginals)])


@settings(max_examples=150, deadline=None)
@given(st.lists(gains, min_size=1, max_size=4), st.integers(0, 14), st.data())
def test_merge_is_optimal_for_concave_curves(marginals, n, data) -> None:
    curves = [_concave(m) for m in marginals]
    floors = [data.draw(st.integers(0, c.size - 1)) for c in curves]
    if sum(floors) > n:
        with pytest.raises(InputError, match="floors need"):
            allocate(curves, n, floors=floors)
        return
    alloc = allocate(curves, n, floors=floors)
    assert alloc.method == "merge" and alloc.concave.all()
    assert alloc.total_gain == pytest.approx(_best_by_brute_force(curves, n, floors))
    assert alloc.bound == alloc.total_gain and alloc.gap == 0.0
    assert alloc.sites.sum() + alloc.unused == n and (alloc.sites >= floors).all()
    assert all(x < c.size for x, c in zip(alloc.sites, curves, strict=True))
    assert alloc.gain == pytest.approx([c[x] for c, x in zip(curves, alloc.sites, strict=True)])


@settings(max_examples=100, deadline=None)
@given(st.lists(gains, min_size=1, max_size=3), st.integers(0, 120))
def test_fewest_sites_for_a_target_match_brute_force(marginals, goal) -> None:
    for shape in (_concave, _any):
        curves = [shape(m) for m in marginals]
        fewest = _fewest_by_brute_force(curves, goal)
        if fewest is None:
            with pytest.raises(InputError, match="target needs"):
                allocate(curves, target_gain=goal)
            continue
        alloc = allocate(curves, target_gain=goal)
        assert alloc.total_gain >= goal - 1e-9
        assert int(alloc.sites.sum()) == fewest


@settings(max_examples=150, deadline=None)
@given(st.lists(gains, min_size=1, max_size=4), st.integers(0, 14))
def test_curves_that_are_not_concave_behave_as_documented(marginals, n) -> None:
    curves = [_any(m) for m in marginals]
    best = _best_by_brute_force(curves, n, [0] * len(curves))
    exact = allocate(curves, n)  # small: the exact dynamic programme (or the merge)
    assert exact.method == ("merge" if all(is_concave(c) for c in curves) else "dp")
    assert exact.total_gain == pytest.approx(best)
    # too large for the programme: the merge on the envelopes, bounded from above
    rough = allocate(curves, n, dp_limit=0)
    assert rough.sites.sum() <= n
    assert rough.total_gain <= best + 1e-9 <= rough.bound + 2e-9
    assert rough.gap >= 0


def test_envelope_and_concavity_by_hand() -> None:
    # points (0,0) (1,1) (2,5) (3,6): (1,1) lies under the chord (0,0)-(2,5), at 2.5
    assert upper_concave_envelope(np.array([0.0, 1, 5, 6])).tolist() == [0.0, 2.5, 5.0, 6.0]
    assert is_concave(np.array([0.0, 5, 8, 9])) and not is_concave(np.array([0.0, 1, 5]))
    # one site: the 6 of the second curve beats the 5 of the first; then 5 beats 1
    assert allocate([[0, 5, 8, 9], [0, 6, 7]], 1).sites.tolist() == [0, 1]
    assert allocate([[0, 5, 8, 9], [0, 6, 7]], 2).sites.tolist() == [1, 1]
    # the non-concave [0, 1, 5] is worth 5 for 2 sites: the programme finds it
    alloc = allocate([[0, 1, 5], [0, 3, 4]], 2)
    assert alloc.method == "dp" and alloc.sites.tolist() == [2, 0] and alloc.total_gain == 5
    # more sites than any curve can use: the rest are reported unused
    spare = allocate([[0, 2], [0, 1, 1]], 5)
    assert spare.sites.tolist() == [1, 1] and spare.unused == 3


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([[0, 1]], -1), {}, "must be >= 0"),
        (([[0, 1]],), {}, "exactly one of"),
        (([[1, 2]], 1), {}, "starts at 0"),
        (([[0, 1], [0, 1]], 1), {"floors": [1, 1]}, "floors need 2"),
        (([[0, 1]], 3), {"floors": [2]}, "has 1"),
    ],
)
def test_bad_allocation_input(args, kwargs, message) -> None:
    with pytest.raises(InputError, match=message):
        allocate(*args, **kwargs)
