"""Benchmark: geoplan's population grid against rasterio.warp.reproject (sum resampling).

Both take the shipped WorldPop 1 km raster onto the same 100 m EPSG:32648 grid over
the province. Prints seconds, peak memory of each and the ratio, and how well each
keeps the source total inside the province.

    python benchmarks/population.py [--cell-size-m 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
from rasterio import features
from rasterio.warp import Resampling, reproject

from geoplan.config import PlanConfig
from geoplan.grid import work_grid
from geoplan.io.boundaries import read_communes
from geoplan.io.rasters import read_population_raster
from geoplan.population import build_population_grid


def measure(func: Callable[[], np.ndarray], repeat: int) -> tuple[float, float, np.ndarray]:
    """Best wall-clock seconds over ``repeat`` runs, peak MiB of one run, last result."""
    best = np.inf
    result = func()
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    func()
    peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak_mib, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell-size-m", type=float, default=100.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = PlanConfig(cell_size_m=args.cell_size_m)
    communes = read_communes()
    raster = read_population_raster()
    communes_m = communes.to_crs(config.work_crs)
    transform, shape = work_grid(tuple(communes_m.total_bounds), config.cell_size_m)
    inside = (
        features.rasterize(
            zip(communes_m.geometry, range(len(communes_m)), strict=True),
            out_shape=shape,
            transform=transform,
            fill=-1,
            dtype="int32",
        )
        >= 0
    )

    def peer() -> np.ndarray:
        out = np.zeros(shape)
        reproject(
            np.nan_to_num(raster.values),
            out,
            src_transform=raster.transform,
            src_crs=raster.crs,
            dst_transform=transform,
            dst_crs=config.work_crs,
            resampling=Resampling.sum,
            src_nodata=None,
        )
        return np.where(inside, out, 0.0)

    def ours() -> np.ndarray:
        return build_population_grid(communes, raster, config).population

    ours_s, ours_mib, grid_people = measure(ours, args.repeat)
    peer_s, peer_mib, peer_people = measure(peer, args.repeat)
    grid = build_population_grid(communes, raster, config)
    print(
        f"grid {shape[0]} x {shape[1]} cells of {config.cell_size_m:g} m, {inside.sum():,} inside"
    )
    print(f"{'method':<44}{'seconds':>9}{'peak MiB':>10}  people inside province")
    print(
        f"{'geoplan build_population_grid (incl. rescale)':<44}{ours_s:9.3f}{ours_mib:10.1f}"
        f"  {grid.source_total_in_province:,.0f} before rescale, {grid_people.sum():,.0f} after"
    )
    print(
        f"{'rasterio.warp.reproject, Resampling.sum':<44}{peer_s:9.3f}{peer_mib:10.1f}"
        f"  {peer_people.sum():,.0f}"
    )
    print(f"time ratio geoplan / rasterio: {ours_s / peer_s:.2f}")


if __name__ == "__main__":
    main()
