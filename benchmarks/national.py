"""The national coverage run: sequential against 1 and 2 parallel workers, in the same run.

Run: ``.venv/bin/python benchmarks/national.py [--provinces 11 12 04] [--model radius]``

Prints, for the provinces asked (default all 34):

- the wall-clock time of the run sequentially and on 1 and 2 local workers (Dask
  distributed's ``LocalCluster`` when it is installed, else the process pool), its
  ratio against the sequential run, and whether every run gives the same tables;
- the peak memory of each worker process (the largest of its tasks' peaks);
- per province: its cells, sites, task time and peak, and the planning stage's sizes
  (``--sizes``, on by default): people left uncovered (demand cells), candidates and
  the candidates × demand coverage matrix (non-zeros, MB), with that stage's time;
- an estimate of the time on N workers from the measured per-province times
  (longest task first onto the least-loaded worker), plus the start-up overhead the
  2-worker run measured.

The runs call :func:`geoplan.national.run_tasks` on the same tasks that
``national_coverage`` builds, each wrapped to record which worker process ran it.
"""

from __future__ import annotations

import argparse
import heapq
import os
import resource
import time
from typing import Any

import pandas as pd

from geoplan import national
from geoplan.planning import planning_arrays
from geoplan.radio.terrain import FLAT_EARTH
from geoplan.scenario import load_province, run_config

#: Worker counts of the estimate.
ESTIMATE_WORKERS = (1, 2, 4, 8, 16, 34)
VOLATILE = ["seconds", "peak_memory_bytes", "worker_pid"]


def makespan_s(seconds: list[float], workers: int) -> float:
    """Wall-clock estimate: longest task first onto the least-loaded of ``workers``.

    >>> makespan_s([4.0, 3.0, 3.0, 2.0], 2)
    6.0
    """
    loads = [0.0] * workers
    for task in sorted(seconds, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + task)
    return max(loads)


def coverage_task(task: national.ProvinceTask) -> dict[str, Any]:
    """``national.province_coverage``, and the worker process that ran it."""
    row = national.province_coverage(task)
    row["province"]["worker_pid"] = os.getpid()
    return row


def sizes_task(task: national.ProvinceTask) -> dict[str, Any]:
    """The planning stage's sizes of one province: demand cells, candidates, matrix."""
    started = time.perf_counter()
    national._reset_peak_rss()
    terrain = {"dem_paths": (FLAT_EARTH,)} if task.model == "38901" else {}
    config = run_config(task.model, cell_size_m=task.cell_size_m, **terrain)
    scenario = load_province(task.code, config=config, units=task.units, population=task.population)
    _, demand, candidates, cover = planning_arrays(scenario, scenario.model(task.model))
    matrix_bytes = cover.data.nbytes + cover.indices.nbytes + cover.indptr.nbytes
    return {
        "code": task.code,
        "n_demand_cells": len(demand),
        "n_candidates": len(candidates.frame),
        "matrix_nnz": int(cover.nnz),
        "matrix_mb": round(matrix_bytes / 2**20, 1),
        "plan_stage_s": round(time.perf_counter() - started, 1),
        "plan_peak_mb": round(national._peak_rss_bytes() / 2**20),
    }


def _run(
    tasks: list[national.ProvinceTask], engine: str, workers: int
) -> tuple[float, pd.DataFrame, pd.DataFrame]:
    started = time.perf_counter()
    rows = national.run_tasks(
        coverage_task,
        tasks,
        engine,
        n_workers=workers,
        memory_limit_bytes=national.default_memory_limit(workers),
    )
    seconds = time.perf_counter() - started
    provinces = pd.DataFrame([r["province"] for r in rows]).sort_values("code")
    units = pd.DataFrame([u for r in rows for u in r["units"]])
    units = units.sort_values(["province_code", "code"]).reset_index(drop=True)
    return seconds, provinces.reset_index(drop=True), units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", nargs="+", help="codes or names (default all 34)")
    parser.add_argument("--model", default=national.NATIONAL_MODEL)
    parser.add_argument("--cell-size-m", type=float, default=100.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--sizes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the planning stage's candidates and matrix per province",
    )
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    started = time.perf_counter()
    engine = "dask" if national.dask_available() else "processes"
    tasks = [
        national.ProvinceTask(p.code, args.model, args.cell_size_m,
                              str(national.units_path()), str(national.population_path()))
        for p in national.provinces(args.provinces)
    ]  # fmt: skip
    runs = {"sequential": _run(tasks, "sequential", 1)}
    for n in args.workers:
        runs[f"{engine} x{n}"] = _run(tasks, engine, n)
    base_s, base, base_units = runs["sequential"]
    print(f"{len(tasks)} provinces, {args.model} model, {args.cell_size_m:g} m grid, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    for name, (seconds, table, units) in runs.items():
        same = base.drop(columns=VOLATILE).equals(table.drop(columns=VOLATILE))
        same = same and base_units.equals(units)
        print(f"{name:<14} {seconds:8.1f} s  ratio to sequential {base_s / seconds:5.2f}  "
              f"identical to sequential: {same}")  # fmt: skip
    last_name = f"{engine} x{args.workers[-1]}"
    last_s, last, _ = runs[last_name]
    per_worker = last.groupby("worker_pid")["peak_memory_bytes"].max() / 2**20
    peaks = ", ".join(f"{mb:,.0f}" for mb in per_worker.sort_values(ascending=False))
    print(f"peak memory per worker ({last_name}), MB: {peaks}")
    shown = base[["code", "name", "n_cells", "n_sites", "seconds", "peak_memory_bytes"]].copy()
    shown["peak_mb"] = (shown.pop("peak_memory_bytes") / 2**20).round()
    shown["seconds"] = shown["seconds"].round(1)
    if args.sizes:
        sizes = national.run_tasks(sizes_task, tasks, engine, n_workers=args.workers[-1],
                                   memory_limit_bytes=national.default_memory_limit(2))  # fmt: skip
        shown = shown.merge(pd.DataFrame(sizes), on="code")
    print(shown.sort_values("seconds", ascending=False).to_string(index=False))
    seconds = base["seconds"].tolist()
    estimate = {n: round(makespan_s(seconds, n), 1) for n in ESTIMATE_WORKERS}
    overhead = last_s - makespan_s(seconds, args.workers[-1])
    print(f"estimate from the sequential per-province times (longest first), seconds by "
          f"workers: {estimate}; the {last_name} run took {overhead:+.1f} s beyond its "
          f"estimate (start-up, data transfer, a shared machine)")  # fmt: skip
    if args.sizes:
        plan_estimate = {n: round(makespan_s(list(shown["plan_stage_s"]), n), 1)
                         for n in ESTIMATE_WORKERS}  # fmt: skip
        print(f"planning stage (candidates and matrix), estimate by workers: {plan_estimate}")
    main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"this process peaked at {main_mb:,.0f} MB; benchmark done in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
