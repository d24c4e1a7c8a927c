"""Coverage speed on the default province data: radius and TR 38.901 models.

Prints, for each model and grid (100 m, 50 m): the province coverage time, the
site–cell pairs evaluated and evaluations per second. The peer is a straightforward
reference on the same input: the same models evaluated **one site–cell pair at a time
in a Python loop** (no vectorisation, no KD-tree for the radius model), on a
subsample of sites, and the ratio of throughputs. No third-party TR 38.901 library is
installed here, so this is the honest comparison available.

The SINR/throughput layer (issue 16, :func:`geoplan.models.interference.sinr_throughput`)
is timed against the downlink-only 38.901 model of the same run, on flat earth, with
its QCVN 126 downlink share and median SINR; ``--sinr-sensitivity`` adds the same
figures for other loads, noise figures and MIMO layers (about half a minute each).

The coverage layers of issue 16 (usable: downlink + uplink; indoor: behind the O2I
loss) are timed against the downlink-only run of the same model on the same input,
flat earth and the default terrain: ``--layers`` runs only that part (100 m grid).

``--threads`` times the default model's threads against one thread (the same code,
sequential) on today's sites and with 774 candidates added, and checks the outputs
are the same to the bit.

Run:  python -m benchmarks.coverage [--sinr-sensitivity] [--layers] [--threads]
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import replace

import numpy as np

from geoplan.config import PlanConfig
from geoplan.coverage import compute_coverage
from geoplan.grid import Cells
from geoplan.io.carriers import read_carriers
from geoplan.models import RadioModel, RadiusModel, get_model
from geoplan.models.interference import DownlinkSettings, SinrThroughput, sinr_throughput
from geoplan.radio.sinr import ShannonCurve
from geoplan.scenario import load_scenario
from geoplan.sites import Sites

PEER_SITES = 8  # sites in the per-pair loop (all their pairs within reach)


def _best_of(fn, repeat: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _subset(sites: Sites, index: np.ndarray) -> Sites:
    frame = None if sites.frame is None else sites.frame.iloc[index].reset_index(drop=True)
    return Sites(sites.x_m[index], sites.y_m[index], sites.antenna_height_m[index],
                 sites.environment[index], frame)  # fmt: skip


def _pairs_in_reach(model, sites: Sites, cells: Cells) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    reach = model.max_range_m(sites)
    d = np.hypot(cells.x_m[None, :] - sites.x_m[:, None], cells.y_m[None, :] - sites.y_m[:, None])
    s, c = np.nonzero(d <= reach[:, None])
    return s, c


def peer_radio(model: RadioModel, sites: Sites, cells: Cells) -> tuple[float, int, float]:
    """Per-pair loop over the same RSRP computation; returns (s, pairs, max |Δ| dB)."""
    s_idx, c_idx = _pairs_in_reach(model, sites, cells)
    start = time.perf_counter()
    loop = np.array([model.pair_rsrp_dbm(sites, cells, np.array([s]), np.array([c]))[0]
                     for s, c in zip(s_idx, c_idx, strict=True)])  # fmt: skip
    elapsed = time.perf_counter() - start
    vector = model.pair_rsrp_dbm(sites, cells, s_idx, c_idx)
    return elapsed, s_idx.size, float(np.max(np.abs(loop - vector), initial=0.0))


def peer_radius(model: RadiusModel, sites: Sites, cells: Cells) -> tuple[float, int]:
    """Per-pair Python loop: distance and radius test for every site–cell pair."""
    reach = model.max_range_m(sites)
    xs, ys = cells.x_m.tolist(), cells.y_m.tolist()
    start = time.perf_counter()
    hits = 0
    for i in range(len(sites)):
        sx, sy, r = float(sites.x_m[i]), float(sites.y_m[i]), float(reach[i])
        for x, y in zip(xs, ys, strict=True):
            hits += math.hypot(x - sx, y - sy) <= r
    return time.perf_counter() - start, len(sites) * len(xs)


def _province(model, grid, sites, cells) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    seconds, result = _best_of(lambda: compute_coverage(grid, sites, model))
    if isinstance(model, RadioModel):
        pairs = model.best_server(sites, cells).n_pairs
    else:
        pairs = int(model.coverage_matrix(sites, cells).nnz)
    return seconds, result.covered_share, pairs  # type: ignore[attr-defined]


def _peers(config: PlanConfig, sites: Sites, cells: Cells, province: dict[str, tuple]) -> None:
    pick = np.linspace(0, len(sites) - 1, PEER_SITES).astype(int)
    radio = RadioModel(config)
    t_loop, n_loop, diff = peer_radio(radio, _subset(sites, pick), cells)
    seconds, pairs = province["38901"]
    loop_rate = n_loop / t_loop
    print(
        f"  peer 38901 = the same RSRP code called once per pair in a Python loop "
        f"({PEER_SITES} sites, {n_loop:,} pairs): {loop_rate:,.0f} evaluations/s; "
        f"province would take {pairs / loop_rate:,.0f} s vs {seconds:.2f} s vectorised "
        f"= {pairs / loop_rate / seconds:,.0f}x faster; max |RSRP difference| {diff:.3f} dB"
    )
    radius = RadiusModel(config)
    t_loop, n_loop = peer_radius(radius, _subset(sites, pick[:2]), cells)
    seconds, _ = province["radius"]
    naive = t_loop / n_loop * len(sites) * len(cells)
    print(
        f"  peer radius = distance test for every site-cell pair in a Python loop "
        f"(2 sites, {n_loop:,} pairs): {n_loop / t_loop:,.0f} pairs/s; province would take "
        f"{naive:,.0f} s vs {seconds:.2f} s with the KD-tree = {naive / seconds:,.0f}x faster"
    )


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Median of ``values`` weighted by ``weights`` (NaN counts as below everything)."""
    filled = np.where(np.isnan(values), -np.inf, values)
    order = np.argsort(filled, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(filled[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def _sinr_summary(result: SinrThroughput) -> str:
    """QCVN-DL share of people (any operator, each) and people-weighted median SINR."""
    own = result.qcvn_share_by_operator()
    parts = []
    for i, op in enumerate(result.operators):
        median = weighted_median(result.sinr_db[i], result.population)
        text = f"{median:.1f} dB" if np.isfinite(median) else "none: half the people out of reach"
        parts.append(f"{op} {own[op]:.1%} (median SINR {text})")
    return f"QCVN-DL any operator {result.qcvn_share():.1%}; " + ", ".join(parts)


def _sinr_line(flat: PlanConfig, sites: Sites, cells: Cells, downlink_s: float) -> None:
    model = RadioModel(flat)
    carriers = read_carriers()
    seconds, result = _best_of(lambda: sinr_throughput(sites, cells, model, None, carriers), 1)
    print(
        f"  SINR/throughput (load 50%, NF 7 dB, 2 layers; every sector of the operator's "
        f"carrier within 10 dB below noise): {seconds:.2f} s = "
        f"{seconds / downlink_s:.1f}x the downlink-only 38901 ({downlink_s:.2f} s), "
        f"{result.n_pairs:,} site-cell pairs; {_sinr_summary(result)}"  # type: ignore[arg-type]
    )


#: (label, settings) of the sensitivity rows: one assumption changed at a time.
SENSITIVITY = (
    ("default: load 50%, NF 7 dB, 2 layers", DownlinkSettings()),
    ("load 30%", DownlinkSettings(load=0.3)),
    (
        "interferers at 100% (full buffer), user share 50%",
        DownlinkSettings(load=1.0, user_share=0.5),
    ),
    ("NF 9 dB", DownlinkSettings(noise_figure_db=9.0)),
    ("1 layer", DownlinkSettings(curve=ShannonCurve(max_layers=1))),
    ("4 layers", DownlinkSettings(curve=ShannonCurve(max_layers=4))),
)


def sinr_sensitivity(flat: PlanConfig, sites: Sites, cells: Cells) -> None:
    """The SINR layer's figures with one assumption changed at a time."""
    model, carriers = RadioModel(flat), read_carriers()
    for label, settings in SENSITIVITY:
        result = sinr_throughput(sites, cells, model, settings, carriers)
        print(f"  sensitivity {label}: {_sinr_summary(result)}")


def layers(config: PlanConfig) -> None:
    """Every layer against the downlink-only run, flat earth and the default terrain."""
    scenario = load_scenario(config=config)
    sites, grid = scenario.sites(), scenario.grid
    print(
        f"\nlayers, {config.cell_size_m:g} m grid: {len(grid.cells()):,} cells, {len(sites)} sites"
    )
    flat = get_model("38901", replace(config, dem_paths=("flat",)), grid)
    for label, model in (
        ("flat earth", flat),
        ("default terrain", get_model("38901", config, grid)),
    ):
        t_down, down = _best_of(
            lambda m=model: compute_coverage(grid, sites, replace(m, layers=False))
        )
        t_all, every = _best_of(lambda m=model: compute_coverage(grid, sites, m))
        shares = ", ".join(f"{name} {v['covered_share']:.2%}"
                           for name, v in every.to_dict()["layers"].items()  # type: ignore[attr-defined]
                           if v["covered_share"] is not None)  # fmt: skip
        print(f"  {label}: downlink only {t_down:.2f} s, all layers {t_all:.2f} s = "
              f"{t_all / t_down:.2f}x (peer: the downlink-only run); {shares}; "
              f"downlink-only share {down.covered_share:.2%}")  # type: ignore[attr-defined]  # fmt: skip


def threads(config: PlanConfig) -> None:
    """The default model (terrain, every layer) in its threads against one thread (the
    peer: the same code sequential), on today's sites and with the candidates on top
    (about the plan's sites), checking the outputs are the same to the bit."""
    from geoplan.models.radio import RADIO_WORKERS
    from geoplan.planning import planning_arrays

    scenario = load_scenario(config=config)
    grid, cells = scenario.grid, scenario.grid.cells()
    model = get_model("38901", config, grid)
    _, _, candidates, cover = planning_arrays(scenario, model)
    strongest = np.argsort(-np.asarray(cover.sum(axis=1)).ravel(), kind="stable")[:774]
    with_plan = Sites.concat([scenario.sites(), candidates.sites.take(strongest)])
    print(f"\nthreads: {RADIO_WORKERS} against 1, {len(cells):,} cells")
    for label, sites in (("today's sites", scenario.sites()), ("+ 774 candidates", with_plan)):
        one, one_out = _best_of(lambda s=sites: replace(model, workers=1).best_server(s, cells), 1)
        many, many_out = _best_of(lambda s=sites: model.best_server(s, cells), 1)
        same = all(np.array_equal(getattr(one_out, name), getattr(many_out, name), equal_nan=True)
                   for name in ("rsrp_dbm", "site_index", "probability", "covered"))  # fmt: skip
        print(f"  {label} ({len(sites):,}): 1 thread {one:.2f} s, {RADIO_WORKERS} threads "
              f"{many:.2f} s = {one / many:.2f}x; the same to the bit: {same}")  # fmt: skip


def main() -> int:
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    if "--layers" in sys.argv[1:]:
        layers(PlanConfig())
        return 0
    if "--threads" in sys.argv[1:]:
        threads(PlanConfig())
        return 0
    for cell_size_m in (100.0, 50.0):
        config = replace(PlanConfig(), cell_size_m=cell_size_m)
        scenario = load_scenario(config=config)
        sites, grid = scenario.sites(), scenario.grid
        cells = grid.cells()
        print(f"\n{cell_size_m:g} m grid: {len(cells):,} cells, {len(sites)} sites")
        province: dict[str, tuple] = {}
        flat = replace(config, dem_paths=("flat",))  # the terrain runs in benchmarks/terrain.py
        for model in (RadiusModel(config), RadioModel(flat, layers=False)):
            seconds, share, pairs = _province(model, grid, sites, cells)
            province[model.name] = (seconds, pairs)
            print(
                f"  {model.name:>6}: province {seconds:6.2f} s, {pairs:>9,} site-cell pairs "
                f"evaluated, {pairs / seconds:>10,.0f} evaluations/s, covered {share:.2%}"
            )
        if cell_size_m == 100.0:
            _sinr_line(flat, sites, cells, province["38901"][0])
            if "--sinr-sensitivity" in sys.argv[1:]:
                sinr_sensitivity(flat, sites, cells)
            _peers(flat, sites, cells, province)
            dem_model = get_model("38901", config, grid)  # the default: SRTM 3″ + ETOPO 60″
            seconds, share, pairs = _province(dem_model, grid, sites, cells)
            print(
                f"  38901 with the default terrain (SRTM 3″ strip + ETOPO 2022 60″, "
                f"read once): province {seconds:.2f} s, {pairs / seconds:,.0f} evaluations/s, "
                f"covered {share:.2%}"
            )
            layers(config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
