"""Terrain for the whole province (issue 16): time and shares of the default coverage.

Runs ``Scenario.coverage_summary()`` (what ``geoplan coverage`` computes: every operator
on its own carrier, then the radius model beside it) on the default data with:

1. flat earth (``--dem flat``);
2. **the previous path**, the peer: the SRTM 3″ strip only and the single knife edge,
   with main's code before this work (commit 7cfb759): every site–cell pair's
   profile sampled at one spacing for all, float64 ``map_coordinates``, no pair
   skipped; reproduced here verbatim (``_previous_*``);
3. the new code on the same SRTM-only input with the single knife edge (same
   physics as 2, the new sampling and skipping: the speed-up alone);
4. the new code, SRTM only, Bullington (the method's effect);
5. the new code, SRTM + ETOPO, single knife edge (the DEM's effect);
6. **the new default**: SRTM + ETOPO, Bullington.

It prints CPU and wall seconds (the 2 cores are shared with other work, so CPU time is
the steadier figure), the expected and reliable shares, and the ratio of each time to
the previous path's. ``--sampling-check`` also runs the default with every profile
sampled at 90 m (ETOPO too) to show what the coarser ETOPO sampling changes.

Run:  python -m benchmarks.terrain [--sampling-check]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import ndimage

import geoplan.models.radio as radio_module
import geoplan.radio.terrain as terrain_module
from geoplan.models import get_model
from geoplan.models.radio import RadioModel
from geoplan.radio.terrain import DEFAULT_DEM_PATHS, Terrain, earth_bulge_m, knife_edge_loss_db
from geoplan.scenario import Scenario, load_scenario
from geoplan.sites import Sites

SRTM_ONLY = (DEFAULT_DEM_PATHS[0],)


# ------------------------------------------------------------ the previous path (7cfb759)
def _previous_diffraction_loss_db(  # type: ignore[no-untyped-def]
    terrain, x_bs_m, y_bs_m, h_bs_m, x_ut_m, y_ut_m, h_ut_m, frequency_ghz,
    max_samples_per_chunk=1_000_000, method="single",
):  # fmt: skip
    """main's ``diffraction_loss_db`` before issue 16, unchanged but for ``method``."""
    n = np.size(x_bs_m)
    out = np.zeros(n)
    if n == 0:
        return out
    args = np.broadcast_arrays(*(np.asarray(a, float) for a in (
        x_bs_m, y_bs_m, h_bs_m, x_ut_m, y_ut_m, h_ut_m, frequency_ghz)))  # fmt: skip
    length = np.hypot(args[3] - args[0], args[4] - args[1])
    n_samples = int(np.clip(np.ceil(length.max() / terrain.resolution_m), 1, 256))
    step = max(1, max_samples_per_chunk // n_samples)
    for start in range(0, n, step):
        part = slice(start, start + step)
        xb, yb, hb, xu, yu, hu, fc = (a[part] for a in args)
        out[part] = _previous_dominant_obstacle_loss(terrain, xb, yb, hb, xu, yu, hu, fc,
                                                     n_samples)  # fmt: skip
    return out


def _previous_sample(terrain: Terrain, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    cols, rows = ~terrain.transform @ (np.asarray(x_m, float), np.asarray(y_m, float))
    coords = np.stack([np.ravel(rows) - 0.5, np.ravel(cols) - 0.5])
    values = ndimage.map_coordinates(terrain.elevation_m, coords, order=1, mode="nearest")
    return values.reshape(np.shape(x_m))


def _previous_dominant_obstacle_loss(  # type: ignore[no-untyped-def]
    terrain, xb, yb, hb, xu, yu, hu, fc, n_samples
):  # fmt: skip
    t = (np.arange(n_samples) + 0.5) / n_samples
    length = np.hypot(xu - xb, yu - yb)[:, None]
    px = xb[:, None] + (xu - xb)[:, None] * t
    py = yb[:, None] + (yu - yb)[:, None] * t
    ground = _previous_sample(terrain, px, py)
    tx_m = _previous_sample(terrain, xb, yb) + hb
    rx_m = _previous_sample(terrain, xu, yu) + hu
    d1 = length * t
    d2 = length - d1
    line = tx_m[:, None] + (rx_m - tx_m)[:, None] * t
    clearance = ground + earth_bulge_m(d1, d2) - line
    wavelength = 299_792_458.0 / (fc * 1e9)
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = clearance * np.sqrt(2 * length / (wavelength[:, None] * d1 * d2))
    nu = np.where(np.isfinite(nu), nu, -np.inf)
    return knife_edge_loss_db(nu.max(axis=1))


class _PreviousModel(RadioModel):
    """The radio model as before issue 16: diffraction on every pair, none skipped."""

    def _far_upper_p(self, sites, cells, site_idx, cell_idx, terrain, best_p, names, ul_table):  # type: ignore[no-untyped-def]
        levels = self._pair_levels(sites, cells, site_idx, cell_idx, terrain)
        probs = self._pair_probabilities(levels, cells, site_idx, cell_idx, names, ul_table)
        for name, p in probs.items():
            np.maximum.at(best_p[name], cell_idx, p)
        return site_idx[:0], cell_idx[:0], np.zeros((len(names), 0))


@contextmanager
def _previous_code() -> Iterator[None]:
    saved = radio_module.diffraction_loss_db
    radio_module.diffraction_loss_db = _previous_diffraction_loss_db  # type: ignore[assignment]
    try:
        yield
    finally:
        radio_module.diffraction_loss_db = saved


@contextmanager
def _profiles_every_90_m() -> Iterator[None]:
    saved = terrain_module.SAMPLES_PER_DEM_CELL
    terrain_module.SAMPLES_PER_DEM_CELL = 1_000  # every DEM sampled at the 90 m grid
    try:
        yield
    finally:
        terrain_module.SAMPLES_PER_DEM_CELL = saved


# ------------------------------------------------------------ runs
def _model(scenario: Scenario, dem_paths: tuple[str, ...], diffraction: str,
           previous: bool = False) -> RadioModel:  # fmt: skip
    model = get_model("38901", replace(scenario.config, dem_paths=dem_paths), scenario.grid)
    assert isinstance(model, RadioModel)
    kind = _PreviousModel if previous else RadioModel
    return kind(model.config, model.budget, model.terrain, diffraction)  # type: ignore[arg-type]


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def _run(label: str, scenario: Scenario, model: RadioModel,
         peer_cpu: float | None) -> float:  # fmt: skip
    cpu, wall, (result, _) = _timed(lambda: scenario.coverage_summary(model))
    ratio = "" if peer_cpu is None else f", {cpu / peer_cpu:.2f}x the previous path's CPU"
    print(
        f"  {label:<52} {cpu:6.1f} s CPU {wall:6.1f} s wall: expected "
        f"{result.covered_share:.3%}, reliable {result.reliable_share:.3%}{ratio}"
    )
    return cpu


def _terrain_line(model: RadioModel) -> str:
    summary = model.terrain_summary()
    dems = ", ".join(f"{d['file']} {d['share']:.1%}" for d in summary.get("dems", []))
    return f"    terrain: {dems or 'flat earth'} of cells; diffraction {summary['diffraction']}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    scenario = load_scenario()
    sites: Sites = scenario.sites()
    print(f"default data: {len(scenario.grid.cells()):,} cells of 100 m, {len(sites)} sites")
    _run("flat earth", scenario, _model(scenario, ("flat",), "bullington"), None)
    with _previous_code():
        previous = _model(scenario, SRTM_ONLY, "single", previous=True)
        peer = _run("previous path: SRTM strip, single edge (7cfb759)", scenario, previous,
                    None)  # fmt: skip
    runs = [
        ("new code, SRTM strip, single edge", SRTM_ONLY, "single"),
        ("new code, SRTM strip, Bullington", SRTM_ONLY, "bullington"),
        ("new code, SRTM + ETOPO, single edge", (), "single"),
        ("new default: SRTM + ETOPO, Bullington", (), "bullington"),
    ]
    for label, dems, method in runs:
        model = _model(scenario, dems, method)
        _run(label, scenario, model, peer)
        print(_terrain_line(model))
    if "--sampling-check" in args:
        with _profiles_every_90_m():
            fine = _model(scenario, (), "bullington")
        _run("default, every profile sampled at 90 m (ETOPO too)", scenario, fine, peer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
