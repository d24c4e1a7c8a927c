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
so and the rest runs. ``--pipeline`` instead measures the plans of ``geoplan plan`` on the
province instance (``--model``, the radio model by default; target 80%): fewest
sites, with every commune at least 50%, and least cost; for each the greedy plan with
its LP bound (the reference time), the proof pipeline (``--solver auto``) and plain
HiGHS on the whole MILP, with the pipeline's stages and the peak memory.
Run::

    python benchmarks/optimize.py                  # everything (can take an hour)
    python benchmarks/optimize.py --quick          # synthetic instance only
    python benchmarks/optimize.py --pipeline       # the proof pipeline vs plain HiGHS
    python benchmarks/optimize.py --end-to-end     # a whole plan: auto vs greedy

spopt is a benchmark-only dependency: ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import multiprocessing as mp
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
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

        started, cpu_started = time.perf_counter(), _cpu_seconds()
        # spopt wants a dense demand × facility cost matrix: 0 = within reach, 2 = not
        cost = np.where(cover_t.toarray(), 0.0, 2.0)
        model = MCLP.from_cost_matrix(cost, weights, service_radius=1.0, p_facilities=k)
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
        queue.put(("ok", float(pulp.value(model.problem.objective)), seconds, cpu))
    except MemoryError:
        queue.put(("out of memory", float("nan"), float("nan"), float("nan")))


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (spopt's CBC runs as one)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_spopt(
    weights: np.ndarray, cover: sparse.csr_matrix, k: int, limit_s: float, memory_gb: float
) -> tuple[str, float, float, float]:
    """spopt's objective, seconds and CPU seconds, or a status saying why there are none."""
    nan = float("nan")
    if not HAVE_SPOPT:
        return "not installed", nan, nan, nan
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
        return f"> {limit_s:g} s", nan, time.perf_counter() - started, nan
    if child.exitcode != 0 or queue.empty():
        return f"crashed (exit {child.exitcode}, likely memory)", nan, nan, nan
    status, objective, seconds, cpu = queue.get()
    return status, objective, seconds, cpu


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def timed_cpu(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """The value, wall-clock seconds and CPU seconds of ``call()`` (HiGHS runs one thread)."""
    started = time.process_time()
    value, seconds = timed(call)
    return value, seconds, time.process_time() - started


def compare(
    name: str, weights: np.ndarray, cover: sparse.csr_matrix, k: int, args: argparse.Namespace
) -> str:
    exact, exact_s, exact_cpu = timed_cpu(
        lambda: max_coverage(
            weights, cover, k, solver="exact", mip_rel_gap=0.0, time_limit_s=args.limit_s
        )
    )
    greedy, greedy_s = timed(lambda: max_coverage(weights, cover, k, solver="greedy"))
    status, spopt_obj, spopt_s, spopt_cpu = run_spopt(
        weights, cover, k, args.limit_s, args.spopt_memory_gb
    )
    same = "yes" if abs(spopt_obj - exact.covered_weight) <= 1e-6 * exact.covered_weight else "no"
    if status != "ok":
        same = "–"
    ok = status == "ok"
    ratio = f"{spopt_s / exact_s:,.0f}×" if ok else "–"
    cpu_ratio = f"{spopt_cpu / exact_cpu:,.0f}×" if ok else "–"
    spopt_cell = f"{spopt_obj:,.0f}" if ok else status
    spopt_time = f"{spopt_s:,.1f} ({spopt_cpu:,.1f})" if ok else "–"
    return (
        f"| {name} | {cover.shape[1]:,} × {cover.shape[0]:,} | {k} | {spopt_cell} | {spopt_time} "
        f"| {exact.covered_weight:,.0f} ({exact.status}, gap {exact.gap:.2%}) "
        f"| {exact_s:,.2f} ({exact_cpu:,.2f}) | {greedy.covered_weight:,.0f} | {greedy_s:,.2f} "
        f"| {same} | {ratio} | {cpu_ratio} |"
    )


HEADER = (
    "| instance | demand × candidates | k | spopt objective | spopt s (CPU s) "
    "| geoplan exact objective | exact s (CPU s) | greedy objective | greedy s | exact = spopt "
    "| spopt s / exact s | CPU ratio |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


@dataclass(frozen=True)
class TargetInstance:
    """The ``geoplan plan`` instance for a target: what :mod:`geoplan.planning` solves."""

    weights: np.ndarray
    cover: sparse.csr_matrix
    missing: float
    commune: np.ndarray
    floor_need: np.ndarray
    cost: np.ndarray
    model: str


def province_target_arrays(model: str = "38901", share: float = 0.8,
                           floor: float = 0.5) -> TargetInstance:  # fmt: skip
    """Demand, matrix, people still missing for ``share`` and each commune's need for ``floor``.

    The same arithmetic as ``geoplan.planning`` (the target and the floors count people
    covered at the design reliability today).
    """
    import geoplan
    from geoplan.models import get_model
    from geoplan.planning import planning_arrays

    scenario = geoplan.load_scenario()
    baseline, demand, candidates, cover = planning_arrays(
        scenario, get_model(model, scenario.config, scenario.grid)
    )
    table = baseline.communes
    need = np.maximum(0.0, floor * table["population"].to_numpy(float)
                      - table["reliable_population"].to_numpy(float))  # fmt: skip
    missing = max(share * baseline.population_total - baseline.reliable_population, 0.0)
    return TargetInstance(demand.population, sparse.csr_matrix(cover), float(missing),
                          demand.commune, need, candidates.cost_vnd, model)  # fmt: skip


def variants(instance: TargetInstance) -> list[tuple[str, dict[str, Any]]]:
    """The three plans the issue measures: 80%, 80% with 50% floors, 80% at least cost.

    The default candidates are the synthetic 4G layer's upgrades (1.2 bn VND) and the
    new towers (2.0 bn VND), so the cheapest plan prices them as the planner does.
    """
    floors = {"groups": instance.commune, "group_min_weight": instance.floor_need}
    common = {"cost": instance.cost, "zones": instance.commune}  # zones: as geoplan.planning
    return [
        ("80% fewest sites", common),
        ("80%, every commune >= 50%", common | floors),
        ("80% least cost (upgrades 1.2 bn, towers 2.0 bn)", common | {"objective": "cost"}),
    ]  # fmt: skip


def plain_highs(instance: TargetInstance, options: dict[str, Any], limit_s: float,
                rel_gap: float = 0.005) -> tuple[str, float, float, float]:  # fmt: skip
    """The whole MILP (after the same exact reductions) given to HiGHS as is, until it is
    within ``rel_gap`` (the pipeline's gap: the time to the same quality) or ``limit_s``."""
    from geoplan.optimize.core import _cost_in_units, _prepare, _side_rows_common, _target_row
    from geoplan.optimize.exact import solve_coverage_milp

    started = time.perf_counter()
    problem = _prepare(instance.weights, instance.cover, "exact", options.get("cost"), None,
                       options.get("groups"), options.get("group_min_weight"), None, "commune",
                       None, 0)  # fmt: skip
    rows = [*_side_rows_common(problem, None, None), _target_row(problem, instance.missing)]
    unit = 1.0
    objective = np.ones(problem.kept.size)
    if options.get("objective") == "cost":
        objective, _, unit = _cost_in_units(problem.cost[problem.kept])
    outcome = solve_coverage_milp(
        problem.reduced_cover, objective, np.zeros(problem.reduced_weights.size),
        maximize=False, side_rows=rows, time_limit_s=limit_s, mip_rel_gap=rel_gap,
        integral_objective=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return outcome.status, outcome.objective * unit, outcome.dual_bound * unit, seconds


def _value(result: Any) -> float:
    return result.cost if result.objective == "cost" else float(result.n_sites)


def _fmt(value: float, cost: bool) -> str:
    if value != value:
        return "–"
    return f"{value / 1e9:,.1f} bn" if cost else f"{value:,.0f}"


def pipeline(args: argparse.Namespace) -> None:
    """Greedy (+ LP bound), the proof pipeline and plain HiGHS on the province's plans."""
    started = time.perf_counter()
    instance = province_target_arrays(args.model)
    print(f"instance: {args.model} model, {instance.cover.shape[0]:,} candidates × "
          f"{instance.cover.shape[1]:,} demand cells, {instance.cover.nnz:,} pairs, "
          f"{instance.missing:,.0f} people to add ({time.perf_counter() - started:.1f} s to "
          "build)", flush=True)  # fmt: skip
    print("| plan | method | value | bound | gap | status | s | × greedy |\n"
          "|---|---|---|---|---|---|---|---|", flush=True)  # fmt: skip
    for number, (name, options) in enumerate(variants(instance), start=1):
        if args.plans and number not in args.plans:
            continue
        is_cost = options.get("objective") == "cost"
        greedy_options = {k: v for k, v in options.items() if k != "objective"}
        solve = partial(min_sites_for_target, instance.weights, instance.cover, instance.missing)
        greedy, greedy_s = timed(partial(solve, solver="greedy", lp_bound_s=30.0,
                                         **greedy_options))  # fmt: skip
        greedy_value = greedy.cost if is_cost else float(greedy.n_sites)
        print(f"| {name} | greedy + LP bound | {_fmt(greedy_value, is_cost)} | "
              f"{'–' if is_cost else _fmt(greedy.bound, False)} | "
              f"{'–' if is_cost else f'{greedy.gap:.2%}'} | greedy | {greedy_s:.1f} "
              "| 1.0 |", flush=True)  # fmt: skip
        proof, proof_s = timed(partial(solve, solver="auto", mip_rel_gap=args.gap,
                                       time_limit_s=args.limit_s, **options))  # fmt: skip
        print(f"| {name} | proof pipeline (auto) | {_fmt(_value(proof), is_cost)} | "
              f"{_fmt(proof.bound, is_cost)} | {proof.gap:.2%} | {proof.status} | "
              f"{proof_s:.1f} | {proof_s / greedy_s:.1f} |", flush=True)  # fmt: skip
        if not args.no_plain:
            # to the pipeline's gap: both times are then to the same proven quality
            reach = max(proof.gap, 1e-4)
            limit_s = args.plain_limit_s or args.limit_s
            status, value, bound, plain_s = plain_highs(instance, options, limit_s, reach)
            gap = (value - bound) / value if value == value and bound == bound else float("nan")
            ratio = (f"pipeline {plain_s / proof_s:.1f}× faster to {proof.gap:.2%}"
                     if gap <= reach + 1e-9 else
                     f"pipeline ≥ {math.floor(100 * plain_s / proof_s) / 100:.2f}× faster: "
                     "plain HiGHS did not reach "
                     f"{proof.gap:.2%} in its {plain_s:.0f} s")  # fmt: skip
            print(f"| {name} | plain HiGHS MILP | {_fmt(value, is_cost)} | "
                  f"{_fmt(bound, is_cost)} | {gap:.2%} | {status} | {plain_s:.1f} | "
                  f"{plain_s / greedy_s:.1f} ({ratio}) |", flush=True)  # fmt: skip
        keys = ("seconds", "n_fixed", "n_free", "lp_bound", "incumbent", "decomposition", "n_pool")
        stages = {k: v for k, v in proof.stats.items() if k.startswith(keys)}
        print(f"  stages ({name}): " + ", ".join(f"{k}={v}" for k, v in stages.items()),
              flush=True)  # fmt: skip
        print(f"  peak memory so far {peak_memory_mb():,.0f} MB", flush=True)


def end_to_end(args: argparse.Namespace) -> None:
    """What a user waits for: ``Scenario.plan`` on the default data, greedy against auto.

    Each call builds today's coverage, the candidates and their matrix, solves, and
    checks the coverage after the plan (the CLI adds only the files). Greedy runs before
    and after auto, so a change in the machine's load during the run shows.
    """
    import geoplan

    scenario = geoplan.load_scenario()
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores", flush=True)  # fmt: skip
    print("| solver | sites | bound | gap | status | solver s | plan s |\n"
          "|---|---|---|---|---|---|---|", flush=True)  # fmt: skip
    seconds: dict[str, list[tuple[float, float]]] = {"greedy": [], "auto": []}
    for solver in ("greedy", "auto", "greedy"):
        plan, wall = timed(partial(scenario.plan, args.target, solver=solver,
                                   time_limit_s=args.limit_s))  # fmt: skip
        summary = plan.summary
        seconds[solver].append((summary.solver_seconds, wall))
        print(f"| {solver} | {summary.n_new_sites:,} | {summary.bound:,.0f} | "
              f"{summary.gap:.2%} | {summary.status} | {summary.solver_seconds:.1f} | "
              f"{wall:.1f} |", flush=True)  # fmt: skip
    greedy = np.mean(seconds["greedy"], axis=0)  # (solver, wall) of the two greedy runs
    auto = np.asarray(seconds["auto"][0])
    print(f"auto against the mean of the two greedy runs: {auto[1] / greedy[1]:.2f}× "
          f"end to end ({auto[1]:.1f} s against {greedy[1]:.1f} s), "
          f"{auto[0] / greedy[0]:.1f}× on solver time ({auto[0]:.1f} s against "
          f"{greedy[0]:.1f} s); peak memory {peak_memory_mb():,.0f} MB", flush=True)  # fmt: skip


def peak_memory_mb() -> float:
    """Peak resident memory of this process, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    parser.add_argument("--model", default="38901", help="coverage model of --pipeline")
    parser.add_argument("--no-plain", action="store_true",
                        help="skip plain HiGHS in --pipeline (up to --limit-s each)")  # fmt: skip
    parser.add_argument("--plans", type=int, nargs="*", default=None,
                        help="which of --pipeline's plans (1 fewest sites, 2 with the "
                             "communes' floors, 3 least cost; default all)")  # fmt: skip
    parser.add_argument("--gap", type=float, default=0.005,
                        help="the pipeline's relative gap in --pipeline, where it stops "
                             "(issue 14: 0.005 for the 80%% plans, 0.01 with floors)")  # fmt: skip
    parser.add_argument("--plain-limit-s", type=float, default=None,
                        help="plain HiGHS's limit in --pipeline (default --limit-s); it "
                             "stops sooner once within the pipeline's gap")  # fmt: skip
    parser.add_argument("--end-to-end", action="store_true",
                        help="Scenario.plan on the default data: greedy, auto, greedy "
                             "(--limit-s is auto's time limit)")  # fmt: skip
    parser.add_argument("--target", type=float, default=0.8,
                        help="covered share of --end-to-end's plans")  # fmt: skip
    args = parser.parse_args(argv)
    if args.end_to_end:
        end_to_end(args)
        return 0
    if args.pipeline:
        pipeline(args)
        return 0
    if not HAVE_SPOPT:
        print("note: spopt is not installed (pip install -e .[bench]); its columns say so")
    started = time.perf_counter()
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores", flush=True)  # fmt: skip
    import highspy  # noqa: F401  (loaded before the first timing, as in a running session)

    print(HEADER, flush=True)
    for radius_km in (6.43, 8.0):
        weights, cover, k, name = synthetic_instance(radius_km)
        print(compare(name, weights, cover, k, args), flush=True)
    if args.quick:
        print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
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
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
