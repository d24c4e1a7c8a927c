"""One province of the national coverage run in tiles against the untiled task.

Run: ``nice .venv/bin/python benchmarks/national_tiles.py [--province 79] [--tiles 3]``

Runs the province's tile tasks (:func:`geoplan.national.province_coverage` with
``tile``/``n_tiles``) one after the other, then the untiled task, and prints each task's
time and peak memory, the ratio of the untiled task to the slowest tile (how much the
run's slowest task shortens), the tiles' sum against the untiled task (the work the
tiles repeat: each makes the province's grid and sites again) and the largest
difference per unit between the merged tiles and the untiled run.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace

import numpy as np
import pandas as pd

from geoplan import national


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", default="79", help="code or name (default TP HCM)")
    parser.add_argument("--tiles", type=int, help="tiles (default: as the national run)")
    parser.add_argument("--model", default=national.NATIONAL_MODEL)
    parser.add_argument("--cell-size-m", type=float, default=100.0)
    args = parser.parse_args()
    tasks = national._tasks(
        [args.province], args.model, args.cell_size_m, national.NATIONAL_SITES,
        national.TILE_POPULATION,
    )  # fmt: skip
    if args.tiles:
        tasks = [replace(tasks[0], tile=t, n_tiles=args.tiles) for t in range(args.tiles)]
    parts = []
    for task in tasks:
        parts.append(national.province_coverage(task))
        row = parts[-1]["province"]
        peak_gb = row["peak_memory_bytes"] / 1e9
        print(f"tile {task.tile} of {task.n_tiles}: {row['seconds']:6.1f} s, "
              f"{row['n_cells']:,} cells, peak {peak_gb:.2f} GB")  # fmt: skip
    untiled = national.province_coverage(replace(tasks[0], tile=0, n_tiles=1))
    whole = untiled["province"]
    merged = national.merge_tiles(parts)[0]
    print(f"untiled:      {whole['seconds']:6.1f} s, {whole['n_cells']:,} cells, "
          f"peak {whole['peak_memory_bytes'] / 1e9:.2f} GB")  # fmt: skip
    seconds = [p["province"]["seconds"] for p in parts]
    print(f"untiled / slowest tile {whole['seconds'] / max(seconds):.2f}; "
          f"tiles' sum / untiled {sum(seconds) / whole['seconds']:.2f}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    untiled_units = pd.DataFrame(untiled["units"])
    tiled_units = pd.DataFrame(merged["units"])
    for column in ("population", "covered_population", "reliable_population"):
        a, b = untiled_units[column].to_numpy(), tiled_units[column].to_numpy()
        rel = np.abs(a - b) / np.maximum(np.abs(a), 1.0)
        print(f"{column}: largest relative difference per unit {rel.max():.1e}")


if __name__ == "__main__":
    main()
