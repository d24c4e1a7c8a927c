"""Benchmark: geoplan's exact and greedy maximum coverage against spopt's MCLP.

spopt (``MCLP.from_cost_matrix`` solved with its default PuLP/CBC) and geoplan
solve the same instances:

1. synthetic: 5,000 demand points × 500 candidates uniform in a 100 km square,
   k = 25, with a service radius of 6.43 km (each demand point then lies within
   reach of about 6.5 candidates, as on the province instance) and of 8 km (about
   9.4 candidates: more overlap, a harder MILP);
2. the province: the ``geoplan plan`` instance (people not covered by today's
   synthetic sites × grid and cluster candidates, radius model), k = 50, on random
   samples of the demand cells of growing size, until spopt passes its time limit
   (600 s, model building included) or runs out of memory.

spopt runs in a child process that is killed at the limit and gets at most
``--spopt-memory-gb`` of address space; when spopt is not installed its columns say
so and the rest runs. ``--pipeline`` instead measures the fewest-sites proof on the
province instance (target 80%): plain HiGHS on the whole MILP against the proof
pipeline, stage by stage (LP bound, incumbent, reduced-cost fixing, restricted MILP).
Run::

    python benchmarks/optimize.py                  # everything (can take an hour)
    python benchmarks/optimize.py --quick          # synthetic instance only
    python benchmarks/optimize.py --pipeline       # the proof pipeline vs plain HiGHS

spopt is a benchmark-only dependency: ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from geoplan.optimize import max_coverage, min_sites_for_target

HAVE_SPOPT = importlib.util.find_spec("spopt") is not None and (
    importlib.util.find_spec("pulp") is not None
)


def synthetic_instance(
    radius_km: float = 6.43, seed: int = 0
) -> tuple[np.ndarray, sparse.csr_matrix, int, str]:
    """5,000 demand points × 500 candidates in a 100 km square; k = 25."""
    rng = np.random.default_rng(seed)
    demand = rng.random((5_000, 2)) * 100.0
    sites = rng.random((500, 2)) * 100.0
    hits = cKDTree(demand).query_ball_point(sites, r=radius_km)
    rows = np.repeat(np.arange(len(sites)), [len(h) for h in hits])
    cols = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
    cover = sparse.csr_matrix((np.ones(rows.size, bool), (rows, cols)), shape=(500, 5_000))
    weights = rng.integers(1, 100, 5_000).astype(float)
    return weights, cover, 25, f"synthetic, radius {radius_km:g} km"


def province_arrays() -> tuple[np.ndarray, sparse.csr_matrix]:
    import geoplan
    from geoplan.models import get_model
    from geoplan.planning import planning_arrays

    scenario = geoplan.load_scenario()
    _, demand, _, cover = planning_arrays(scenario, get_model("radius", scenario.config))
    return demand.population, cover


def _spopt_child(weights: np.ndarray, cover_t: Any, k: int, memory_gb: float, queue: Any) -> None:
    limit = int(memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        import pulp
        from spopt.locate import MCLP

        started = time.perf_counter()
        # spopt wants a dense demand × facility cost matrix: 0 = within reach, 2 = not
        cost = np.where(cover_t.toarray(), 0.0, 2.0)
        model = MCLP.from_cost_matrix(cost, weights, service_radius=1.0, p_facilities=k)
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
        seconds = time.perf_counter() - started
        queue.put(("ok", float(pulp.value(model.problem.objective)), seconds))
    except MemoryError:
        queue.put(("out of memory", float("nan"), float("nan")))


def run_spopt(
    weights: np.ndarray, cover: sparse.csr_matrix, k: int, limit_s: float, memory_gb: float
) -> tuple[str, float, float]:
    """spopt's objective and seconds, or a status saying why there is none."""
    if not HAVE_SPOPT:
        return "not installed", float("nan"), float("nan")
    queue: Any = mp.get_context("fork").Queue()
    child = mp.get_context("fork").Process(
        target=_spopt_child, args=(weights, sparse.csr_matrix(cover.T), k, memory_gb, queue)
    )
    started = time.perf_counter()
    child.start()
    child.join(limit_s)
    if child.is_alive():
        child.kill()
        child.join()
        return f"> {limit_s:g} s", float("nan"), time.perf_counter() - started
    if child.exitcode != 0 or queue.empty():
        return f"crashed (exit {child.exitcode}, likely memory)", float("nan"), float("nan")
    status, objective, seconds = queue.get()
    return status, objective, seconds


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def compare(
    name: str, weights: np.ndarray, cover: sparse.csr_matrix, k: int, args: argparse.Namespace
) -> str:
    exact, exact_s = timed(
        lambda: max_coverage(
            weights, cover, k, solver="exact", mip_rel_gap=0.0, time_limit_s=args.limit_s
        )
    )
    greedy, greedy_s = timed(lambda: max_coverage(weights, cover, k, solver="greedy"))
    status, spopt_obj, spopt_s = run_spopt(weights, cover, k, args.limit_s, args.spopt_memory_gb)
    same = "yes" if abs(spopt_obj - exact.covered_weight) <= 1e-6 * exact.covered_weight else "no"
    if status != "ok":
        same = "–"
    ratio = f"{spopt_s / exact_s:,.0f}×" if status == "ok" else "–"
    spopt_cell = f"{spopt_obj:,.0f}" if status == "ok" else status
    spopt_time = f"{spopt_s:,.1f}" if status == "ok" else "–"
    return (
        f"| {name} | {cover.shape[1]:,} × {cover.shape[0]:,} | {k} | {spopt_cell} | {spopt_time} "
        f"| {exact.covered_weight:,.0f} ({exact.status}, gap {exact.gap:.2%}) | {exact_s:,.1f} "
        f"| {greedy.covered_weight:,.0f} | {greedy_s:,.2f} | {same} | {ratio} |"
    )


HEADER = (
    "| instance | demand × candidates | k | spopt objective | spopt s | geoplan exact objective "
    "| exact s | greedy objective | greedy s | exact = spopt | spopt s / exact s |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def province_target_arrays(share: float = 0.8) -> tuple[np.ndarray, sparse.csr_matrix, float]:
    """The ``geoplan plan --target`` instance: demand, matrix and the people still missing."""
    import geoplan
    from geoplan.models import get_model
    from geoplan.planning import planning_arrays

    scenario = geoplan.load_scenario()
    baseline, demand, _, cover = planning_arrays(scenario, get_model("radius", scenario.config))
    missing = share * baseline.population_total - baseline.covered_population
    return demand.population, sparse.csr_matrix(cover), float(missing)


def plain_highs(weights: np.ndarray, cover: sparse.csr_matrix, target: float,
                limit_s: float) -> tuple[str, float, float, float]:  # fmt: skip
    """The whole fewest-sites MILP (after the same reductions) given to HiGHS as is."""
    from geoplan.optimize.core import _prepare, _target_row
    from geoplan.optimize.exact import solve_coverage_milp

    started = time.perf_counter()
    problem = _prepare(weights, cover, "exact", None, None, None, None, None, "g", None, 0)
    n = problem.kept.size
    outcome = solve_coverage_milp(
        problem.reduced_cover, np.ones(n), np.zeros(problem.reduced_weights.size),
        maximize=False, side_rows=[_target_row(problem, target)], time_limit_s=limit_s,
        mip_rel_gap=0.005, integral_objective=True,
    )  # fmt: skip
    return outcome.status, outcome.objective, outcome.dual_bound, time.perf_counter() - started


def pipeline(args: argparse.Namespace) -> None:
    """Plain HiGHS against the proof pipeline on the province, 80% target."""
    weights, cover, missing = province_target_arrays()
    print("| method | sites | bound | gap | status | s |\n|---|---|---|---|---|---|")
    greedy, greedy_s = timed(lambda: min_sites_for_target(weights, cover, missing, solver="greedy"))
    print(f"| greedy (no LP) | {greedy.n_sites} | {greedy.bound:g} | {greedy.gap:.2%} "
          f"| {greedy.status} | {greedy_s:.1f} |", flush=True)  # fmt: skip
    proof, proof_s = timed(
        lambda: min_sites_for_target(weights, cover, missing, solver="auto", mip_rel_gap=0.005)
    )
    print(f"| proof pipeline (auto) | {proof.n_sites} | {proof.bound:g} | {proof.gap:.2%} "
          f"| {proof.status} | {proof_s:.1f} |", flush=True)  # fmt: skip
    status, objective, bound, plain_s = plain_highs(weights, cover, missing, args.limit_s)
    gap = (objective - bound) / objective if objective == objective else float("nan")
    print(f"| plain HiGHS MILP | {objective:g} | {bound:g} | {gap:.2%} | {status} "
          f"| {plain_s:.1f} |", flush=True)  # fmt: skip
    stages = {k: v for k, v in proof.stats.items() if k.startswith(("seconds", "n_", "lp_"))}
    print("pipeline stages:", ", ".join(f"{k}={v:g}" for k, v in stages.items()))
    if not HAVE_SPOPT:
        print("note: spopt is not installed (pip install -e .[bench]); its MCLP rows are skipped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="synthetic instance only")
    parser.add_argument("--limit-s", type=float, default=600.0, help="per-solver limit")
    parser.add_argument("--spopt-memory-gb", type=float, default=12.0)
    parser.add_argument("--sizes", type=int, nargs="*",
                        default=[2_500, 10_000, 25_000, 50_000, 100_000, 0],
                        help="province demand sample sizes (0 = all)")  # fmt: skip
    parser.add_argument("--max-total-s", type=float, default=3_600.0,
                        help="stop growing once the benchmark has run this long")  # fmt: skip
    parser.add_argument("--pipeline", action="store_true",
                        help="the fewest-sites proof pipeline against plain HiGHS")  # fmt: skip
    args = parser.parse_args(argv)
    if args.pipeline:
        pipeline(args)
        return 0
    if not HAVE_SPOPT:
        print("note: spopt is not installed (pip install -e .[bench]); its columns say so")
    started = time.perf_counter()
    print(HEADER, flush=True)
    for radius_km in (6.43, 8.0):
        weights, cover, k, name = synthetic_instance(radius_km)
        print(compare(name, weights, cover, k, args), flush=True)
    if args.quick:
        return 0
    all_weights, all_cover = province_arrays()
    rng = np.random.default_rng(20250701)
    for size in args.sizes:
        n = all_weights.size if size <= 0 or size >= all_weights.size else size
        sample = np.sort(rng.choice(all_weights.size, n, replace=False))
        cover_n = sparse.csr_matrix(all_cover[:, sample])
        line = compare(f"province, {n:,} sampled cells", all_weights[sample], cover_n, 50, args)
        print(line, flush=True)
        if "|–|" in line.replace(" ", "") or time.perf_counter() - started > args.max_total_s:
            print(f"stopped growing after {time.perf_counter() - started:,.0f} s", flush=True)
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
