"""The national coverage run: sequential against parallel workers, in the same run.

Run: ``.venv/bin/python benchmarks/national.py [--provinces 11 12 04] [--model radius]``

Prints, for the provinces asked (default all 34): the wall-clock time of the run
sequentially and on 1 and 2 local workers (Dask distributed's ``LocalCluster`` when it
is installed, else the process pool), the ratio against the sequential run, the peak
memory of each province's worker, its cells, and an estimate of the time on N workers
from the measured per-province times (longest task first onto the least-loaded worker).
Also checks that every run gives the same table.
"""

from __future__ import annotations

import argparse
import heapq
import resource
import time

import pandas as pd

from geoplan import national


def makespan_s(seconds: list[float], workers: int) -> float:
    """Wall-clock estimate: longest task first onto the least-loaded of ``workers``."""
    loads = [0.0] * workers
    for task in sorted(seconds, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + task)
    return max(loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", nargs="+", help="codes or names (default all 34)")
    parser.add_argument("--model", default=national.NATIONAL_MODEL)
    parser.add_argument("--cell-size-m", type=float, default=100.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    engine = "dask" if national.dask_available() else "processes"
    runs: dict[str, national.NationalCoverage] = {}
    started = time.perf_counter()
    runs["sequential"] = national.national_coverage(
        args.provinces, model=args.model, cell_size_m=args.cell_size_m, engine="sequential"
    )
    for n in args.workers:
        runs[f"{engine} x{n}"] = national.national_coverage(
            args.provinces,
            model=args.model,
            cell_size_m=args.cell_size_m,
            engine=engine,
            n_workers=n,
        )
    base = runs["sequential"]
    drop = ["seconds", "peak_memory_bytes"]
    for name, run in runs.items():
        same = base.provinces.drop(columns=drop).equals(run.provinces.drop(columns=drop))
        same = same and base.units.equals(run.units)
        print(
            f"{name:<14} {run.seconds:8.1f} s  ratio {base.seconds / run.seconds:5.2f}  "
            f"identical to sequential: {same}"
        )
    table = runs[f"{engine} x{args.workers[-1]}"].provinces
    shown = table[["code", "name", "n_cells", "n_sites", "seconds", "peak_memory_bytes"]].copy()
    shown["peak_memory_mb"] = (shown.pop("peak_memory_bytes") / 2**20).round()
    print(shown.sort_values("seconds", ascending=False).to_string(index=False))
    seconds = base.provinces["seconds"].tolist()
    estimate = {n: round(makespan_s(seconds, n), 1) for n in (1, 2, 4, 8, 16, 34)}
    print(f"estimate from the sequential per-province times, seconds by workers: {estimate}")
    print(
        f"peak memory of a worker: {table['peak_memory_bytes'].max() / 2**20:,.0f} MB; "
        f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MB"
    )
    print("\n".join(base.table_lines()))
    print(f"benchmark done in {time.perf_counter() - started:.0f} s")
    pd.set_option("display.width", 200)


if __name__ == "__main__":
    main()
