"""Lagrangian decomposition by zones: a true bound for any multipliers, and what it adds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from geoplan.errors import InputError
from geoplan.optimize import min_sites_for_target
from geoplan.optimize.decompose import (
    coarser_split,
    cost_split,
    decompose,
    grouped_zones,
    stepped_split,
)
from geoplan.optimize.exact import SideRow
from geoplan.optimize.stop import STOP


def brute_minimum(cover, cost, rows) -> float:
    """Least ``cost · x`` over all choices whose cover ``y = min(1, Cx)`` meets every row."""
    best = np.inf
    n = cover.shape[0]
    for size in range(n + 1):
        for subset in itertools.combinations(range(n), size):
            x = np.zeros(n)
            x[list(subset)] = 1.0
            y = (np.asarray(cover[list(subset)].getnnz(axis=0)).ravel() > 0).astype(float)
            if all(r.lower - 1e-9 <= r.a_y @ y <= r.upper + 1e-9 for r in rows):
                best = min(best, float(cost @ x))
    return best


def zoned_instance(rng, density: float, priced: bool):
    """7 candidates × 12 columns in 3 zones: cover, weights, zone of each column, costs."""
    n_cand, n_dem = 7, 12
    cover = sparse.csr_matrix(rng.random((n_cand, n_dem)) < density)
    weights = rng.integers(1, 10, n_dem).astype(float)
    zones = rng.permutation(np.arange(n_dem) % 3)
    cost = rng.integers(1, 5, n_cand).astype(float) if priced else np.ones(n_cand)
    return cover, weights, zones, cost


def two_triangles() -> sparse.csr_matrix:
    """Two towns of three people; each person is reached by two of the town's three sites."""
    triangle = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], bool)
    return sparse.csr_matrix(sparse.block_diag([triangle, triangle]), dtype=bool)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    share=st.floats(0.2, 1.0),
    floors=st.booleans(),
    priced=st.booleans(),
    started=st.booleans(),
)
def test_the_bound_never_exceeds_the_optimum(seed, share, floors, priced, started) -> None:
    """Random instances, zones and multipliers (of every sign, on every row): the bound
    is at most the brute-force optimum, with floors kept in their zones or not, and
    with or without a random start for each zone (which a floor may make infeasible)."""
    rng = np.random.default_rng(seed)
    n_dem = 12
    cover, weights, zones, cost = zoned_instance(rng, 0.3, priced)
    reach = np.asarray(cover.getnnz(axis=0) > 0).ravel()
    rows = [SideRow(None, weights, share * float(weights[reach].sum()), np.inf)]
    if floors:
        for zone in range(3):
            inside = weights * (zones == zone)
            rows.append(SideRow(None, inside, 0.5 * share * float(inside[reach].sum()), np.inf))
    optimum = brute_minimum(cover, cost, rows)
    dual = rng.uniform(-1.0, 2.0, n_dem + len(rows))
    start = sparse.csr_matrix(rng.random((cover.shape[0], 3)) < 0.4) if started else None
    result = decompose(cover, cost, np.zeros(n_dem), rows, dual, zones, start=start)
    assert result.bound <= optimum + 1e-7
    assert result.n_zones == (3 if result.complete else result.n_zones)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), priced=st.booleans(), started=st.booleans())
def test_each_zone_is_solved_exactly(seed, priced, started) -> None:
    """Zones without side rows (``y`` continuous, HiGHS's restart and presolve off): the
    bound is the brute-force sum of each zone's optimum under its split, not only below
    it, also when each zone starts from a random plan (a start changes the time only)."""
    rng = np.random.default_rng(seed)
    n_cand, n_dem = 7, 12
    cover, weights, zones, cost = zoned_instance(rng, 0.35, priced)
    need = 0.6 * float(weights.sum())
    rows = [SideRow(None, weights, need, np.inf)]
    price = float(rng.uniform(0.05, 1.5))
    dual = np.concatenate([-rng.uniform(0.0, 1.0, n_dem), [price]])
    start = sparse.csr_matrix(rng.random((n_cand, 3)) < 0.5) if started else None
    result = decompose(cover, cost, np.zeros(n_dem), rows, dual, zones, start=start)
    split = result.split.toarray()
    dense = cover.toarray()
    expected = price * need
    for zone in range(3):
        inside = zones == zone
        best = 0.0
        for bits in itertools.product((0, 1), repeat=n_cand):
            x = np.array(bits, bool)
            covered = dense[x][:, inside].any(axis=0)
            best = min(best, float(split[x, zone].sum() - price * weights[inside][covered].sum()))
        expected += best
    assert result.complete and result.n_zones_proven == 3
    assert result.bound == pytest.approx(expected, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_each_candidates_cost_is_split_without_loss(seed) -> None:
    rng = np.random.default_rng(seed)
    cover = sparse.csr_matrix(rng.random((9, 15)) < 0.25)
    cost = rng.uniform(-1.0, 3.0, 9)
    value = rng.uniform(0.0, 1.0, 15) * (rng.random(15) < 0.6)
    zones = rng.permutation(np.arange(15) % 4)
    split = cost_split(cover, cost, value, zones).toarray()
    reaches = np.asarray(cover.getnnz(axis=1) > 0).ravel()
    assert split.sum(axis=1)[reaches] == pytest.approx(cost[reaches])
    assert (split[~reaches] == 0).all()
    # nothing goes to a zone the candidate does not reach
    touch = np.zeros((9, 4), bool)
    rows, cols = cover.nonzero()
    touch[rows, zones[cols]] = True
    assert (split[~touch] == 0).all()


def random_target_instance(seed: int):
    """Seven candidates, twelve people in four zones, a target of half of them."""
    rng = np.random.default_rng(seed)
    cover = sparse.csr_matrix(rng.random((7, 12)) < 0.35)
    weights = rng.integers(1, 10, 12).astype(float)
    zones = rng.permutation(np.arange(12) % 4)
    reach = np.asarray(cover.getnnz(axis=0) > 0).ravel()
    rows = [SideRow(None, weights, 0.5 * float(weights[reach].sum()), np.inf)]
    dual = np.concatenate([-rng.uniform(0.0, 0.3, 12), [rng.uniform(0.0, 0.4)]])
    return cover, zones, rows, dual


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), step=st.floats(0.1, 2.0))
def test_subgradient_steps_keep_the_split_whole_and_the_bound_true(seed, step) -> None:
    """Five steps on the split: each row still adds up to the candidate's priced cost,
    every bound stays at most the brute-force optimum, and the best of them is at least
    the first."""
    cover, zones, rows, dual = random_target_instance(seed)
    optimum = brute_minimum(cover, np.ones(7), rows)
    parts = decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones)
    first, best = parts.bound, parts.bound
    reaches = np.asarray(cover.getnnz(axis=1) > 0).ravel()
    for _ in range(5):
        split = stepped_split(cover, zones, parts, optimum - parts.bound, step=step)
        if split is None:  # the zones agree: their plans make one plan
            break
        assert np.asarray(split.sum(axis=1)).ravel()[reaches] == pytest.approx(
            1.0
        )  # a site's cost (the target has no x part)
        parts = decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones, split=split)
        assert parts.bound <= optimum + 1e-7
        best = max(best, parts.bound)
    assert best >= first - 1e-9


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_coarser_zones_never_weaken_the_bound(seed) -> None:
    """The same split carried to zones of two: each coarse zone's MILP has fewer copies
    to disagree on, so its bound is at least the fine one (and still a bound)."""
    cover, zones, rows, dual = random_target_instance(seed)
    fine = decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones)
    coarse_zones = zones // 2
    split = coarser_split(fine.split, zones, coarse_zones)
    coarse = decompose(cover, np.ones(7), np.zeros(12), rows, dual, coarse_zones, split=split)
    assert fine.bound - 1e-7 <= coarse.bound <= brute_minimum(cover, np.ones(7), rows) + 1e-7


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_zones_in_threads_give_the_same_bound_and_plans(seed) -> None:
    """Two workers solve the same zones as one: the same bound to the bit, the same plans."""
    cover, zones, rows, dual = random_target_instance(seed)
    one = decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones, workers=1)
    two = decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones, workers=2)
    assert one.bound == two.bound and one.n_zones_proven == two.n_zones_proven
    assert (one.copies != two.copies).nnz == 0


def test_a_split_that_loses_cost_is_refused() -> None:
    cover, zones, rows, dual = random_target_instance(0)
    with pytest.raises(ValueError, match="adding up to its cost"):
        decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones,
                  split=sparse.csr_matrix((7, 4)))  # fmt: skip
    with pytest.raises(ValueError, match="start must be candidates × zones"):
        decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones,
                  start=sparse.csr_matrix((7, 3), dtype=bool))  # fmt: skip


def test_zones_prove_what_the_lp_cannot() -> None:
    """Covering all six people of two triangles needs 4 sites; the LP says 3 (halves).
    Each triangle's MILP, with the target priced at one site per person, needs 2 - 3."""
    cover = two_triangles()
    rows = [SideRow(None, np.ones(6), 6.0, np.inf)]
    dual = np.concatenate([np.zeros(6), [1.0]])
    result = decompose(cover, np.ones(6), np.zeros(6), rows, dual, np.repeat([0, 1], 3))
    assert result.bound == pytest.approx(6.0 - 2 * 1.0)
    assert result.complete and result.n_zones_proven == 2
    for town in (slice(0, 3), slice(3, 6)):  # one site (covers 2) or two (cover 3): -1
        opened = result.picks[town]
        covered = cover[np.flatnonzero(opened) + town.start][:, town].toarray().any(axis=0)
        assert opened.sum() - covered.sum() == -1


def test_the_lp_is_a_vertex_only_without_zones() -> None:
    """Crossover where reduced-cost fixing proves; the interior point's own x, which the
    decomposition splits costs by, where zones are given: both proofs are exact."""
    cover = two_triangles()
    plain = min_sites_for_target(np.ones(6), cover, 6.0, mip_rel_gap=0.0)
    zoned = min_sites_for_target(np.ones(6), cover, 6.0, zones=np.repeat([0, 1], 3),
                                 mip_rel_gap=0.0)  # fmt: skip
    assert plain.stats["lp_vertex"] is True and zoned.stats["lp_vertex"] is False
    assert plain.n_sites == zoned.n_sites == 4 and plain.bound == zoned.bound == 4


def test_commune_floors_are_proven_by_the_zones() -> None:
    """With every commune at 100% the floors stay in their zones, where they are exact:
    the pipeline proves 4 sites by the decomposition (LP bound 3)."""
    cover = two_triangles()
    communes = np.repeat([0, 1], 3)
    floors = np.array([3.0, 3.0])
    result = min_sites_for_target(np.ones(6), cover, 6.0, groups=communes,
                                  group_min_weight=floors, mip_rel_gap=0.0)  # fmt: skip
    assert result.n_sites == 4 and result.bound == 4 and result.status == "optimal"
    assert result.stats["lp_bound"] == pytest.approx(3.0)
    assert result.stats["proof_method"] == "lagrangian_decomposition"
    assert result.stats["decomposition_1_bound"] == pytest.approx(4.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.floats(0.3, 1.0))
def test_plans_with_zones_are_still_optimal(seed, share) -> None:
    rng = np.random.default_rng(seed)
    cover = sparse.csr_matrix(rng.random((8, 16)) < 0.3)
    weights = rng.integers(0, 20, 16).astype(float)
    reach = np.asarray(cover.getnnz(axis=0) > 0).ravel()
    target = share * float(weights[reach].sum())
    if target <= 0:
        return
    result = min_sites_for_target(weights, cover, target, zones=rng.integers(0, 3, 16),
                                  mip_rel_gap=0.0)  # fmt: skip
    rows = [SideRow(None, weights, target, np.inf)]
    assert result.n_sites == brute_minimum(cover, np.ones(8), rows)
    assert result.bound == result.n_sites


def test_grouped_zones_partition_by_shared_candidates() -> None:
    rng = np.random.default_rng(3)
    cover = sparse.csr_matrix(rng.random((30, 60)) < 0.08)
    zones = np.arange(60) // 5  # 12 zones
    grouped = grouped_zones(cover, zones, 4)
    for zone in range(12):  # a zone stays whole
        assert np.unique(grouped[zones == zone]).size == 1
    sizes = np.bincount(np.unique(np.stack([zones, grouped]), axis=1)[1])
    assert sizes.max() <= 4 and sizes.sum() == 12


@pytest.mark.parametrize("workers", [1, 2])
def test_an_interrupt_stops_between_zones(workers) -> None:
    cover = two_triangles()
    rows = [SideRow(None, np.ones(6), 6.0, np.inf)]
    STOP.set()
    try:
        result = decompose(cover, np.ones(6), np.zeros(6), rows, np.zeros(7),
                           np.repeat([0, 1], 3), workers=workers)  # fmt: skip
    finally:
        STOP.clear()
    assert not result.complete and result.bound == -np.inf and result.n_zones == 0


def test_zones_of_the_wrong_length_are_refused() -> None:
    cover = two_triangles()
    with pytest.raises(InputError, match="one zone per demand column"):
        # the LP leaves a gap (3 against 4), so the pipeline reaches the zones
        min_sites_for_target(np.ones(6), cover, 6.0, zones=np.zeros(5, int))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.floats(0.3, 0.9))
def test_plans_with_floors_and_zones_are_still_optimal(seed, share) -> None:
    """Floors in two communes, the rest in no floor's group, zones that cut across
    them: the plan is the brute-force optimum and the bound is proven."""
    rng = np.random.default_rng(seed)
    cover = sparse.csr_matrix(rng.random((8, 16)) < 0.3)
    weights = rng.integers(1, 20, 16).astype(float)
    communes = np.arange(16) % 3 - 1  # -1: no floor there, its columns keep their zones
    reach = np.asarray(cover.getnnz(axis=0) > 0).ravel()
    need = np.array([0.5 * weights[reach & (communes == c)].sum() for c in range(2)])
    target = share * float(weights[reach].sum())
    result = min_sites_for_target(weights, cover, target, groups=communes,
                                  group_min_weight=need, zones=rng.integers(0, 4, 16),
                                  mip_rel_gap=0.0)  # fmt: skip
    rows = [SideRow(None, weights, target, np.inf)] + [
        SideRow(None, weights * (communes == c), need[c], np.inf) for c in range(2)
    ]
    assert result.n_sites == brute_minimum(cover, np.ones(8), rows)
    assert result.bound == result.n_sites


def test_floor_groups_stay_whole_and_the_rest_keep_their_zones() -> None:
    from geoplan.optimize.core import _merged_zones, _prepare

    cover = sparse.csr_matrix(np.eye(6, dtype=bool))  # nothing merges
    groups = np.array([0, 0, -1, -1, -1, -1])  # -1: in no floor's group
    problem = _prepare(np.ones(6), cover, "exact", None, None, groups,
                       np.array([1.0]), None, "commune", None, 0)  # fmt: skip
    merged = _merged_zones(problem, np.array([5, 6, 5, 6, 7, 7]))
    assert merged is not None
    by_column = merged[problem.column_of]
    assert by_column[0] == by_column[1]  # the floor's commune is one zone
    assert len({by_column[2], by_column[3], by_column[4]}) == 3  # the rest: zones 5, 6, 7
    assert by_column[4] == by_column[5] and by_column[0] not in by_column[2:]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_long_decomposition_says_how_many_zones_are_solved(monkeypatch, caplog, workers) -> None:
    """Zones of four can take a minute a round: the count of zones solved is reported as
    they finish (each of the four here, at a 0 s interval), never once all are, and the bound
    is the one a silent run gives."""
    from geoplan.optimize import decompose as module

    cover, zones, rows, dual = random_target_instance(3)
    quiet = decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones, workers=workers)
    monkeypatch.setattr(module, "PROGRESS_EVERY_S", 0.0)
    with caplog.at_level("INFO", logger="geoplan"):
        told = decompose(cover, np.ones(7), np.zeros(12), rows, dual, zones, workers=workers)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("decomposition")]
    assert lines == [f"decomposition: {k} of 4 zones solved" for k in (1, 2, 3)]
    assert told.bound == quiet.bound
