"""The national run: every province's coverage today, one task per province.

    >>> import geoplan.national as national
    >>> result = national.national_coverage(["46", "33"], engine="sequential",
    ...                                     cell_size_m=500)   # doctest: +SKIP
    >>> result.provinces[["name", "covered_share"]]              # doctest: +SKIP

Each province is a task that reads its own inputs from paths (the shipped national
files, or copies named by ``GEOPLAN_NATIONAL_UNITS`` / ``GEOPLAN_NATIONAL_POPULATION``)
and returns a small table, so nothing large is pickled. The engine is **Dask
distributed** when it is installed: a ``LocalCluster`` sized to the machine, or the
cluster at ``scheduler`` (or ``$DASK_SCHEDULER_ADDRESS``). Without it the same tasks run
on a local process pool (or one after the other), with the same results.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import math
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geoplan import outputs
from geoplan.config import STORAGE_CRS, PlanConfig
from geoplan.coverage import compute_coverage
from geoplan.errors import ConfigError, GeoplanError, InputError
from geoplan.grid import Cells, subset_cells
from geoplan.io.atomic import check_writable, write_table_csv
from geoplan.io.national import (
    BAC_NINH_SPACING_FACTOR,
    Province,
    ProvinceData,
    find_province,
    fold,
    population_path,
    province_data,
    read_provinces,
    units_path,
    worldpop_by_unit,
)
from geoplan.io.plan_folder import plan_paths, write_plan
from geoplan.models import CoverageModel, RadioModel, pair_reach_m
from geoplan.optimize.allocation import Allocation, allocate
from geoplan.optimize.greedy import lazy_greedy
from geoplan.optimize.phasing import coverage_curve, split_into_phases
from geoplan.outputs.paths import national_paths
from geoplan.planning import (
    communes_of,
    inputs_record,
    phases_table,
    planning_arrays,
    settings_record,
)
from geoplan.population import available_memory_bytes
from geoplan.progress import progress
from geoplan.radio.terrain import FLAT_EARTH
from geoplan.results import CoverageResult, Plan, PlanSummary
from geoplan.scenario import SHARE_AFTER_TOLERANCE, Scenario, load_province, run_config
from geoplan.schema import (
    AFTER_PHASE_PREFIX,
    COMMUNES_BEFORE_AFTER,
    COMMUNES_BY_PHASE,
    DEFAULT_LANG,
    ENVIRONMENTS,
    NATIONAL_PLAN,
    NATIONAL_PROVINCES_DIR,
    NEW_SITES,
    CsvDialect,
    Lang,
)
from geoplan.sites import CandidateSet, Sites
from geoplan.synthetic import (
    OPERATOR_SITE_SHARES,
    operator_site_counts,
    split_largest_remainder,
)

log = logging.getLogger(__name__)

Engine = Literal["auto", "dask", "processes", "sequential"]
ENGINES: tuple[str, ...] = ("auto", "dask", "processes", "sequential")
#: The national run's default model: the radio model, as for Bắc Ninh (whose synthetic
#: sites were calibrated under it). Measured nationally it costs 1.6 times the radius
#: model's time (docs/national.md), so it stays the default; ``model="radius"`` is faster.
NATIONAL_MODEL = PlanConfig.coverage_model
#: Memory each worker may use by default, bytes: the largest province (Lâm Đồng) peaks
#: well under it on the default 100 m grid (docs/national.md).
WORKER_MEMORY_BYTES = 3 * 2**30
#: Address space a worker process maps beyond its memory (libraries, thread stacks):
#: the process pool's limit is the memory limit plus this.
ADDRESS_SPACE_SLACK_BYTES = 3 * 2**30
#: WorldPop 2020 1 km, sum over all of Vietnam (the staged file's PROVENANCE.md).
WORLDPOP_NATIONAL_TOTAL = 99_488_584
CSV_FILES = {"provinces": "national_coverage_provinces.csv", "units": "national_coverage_units.csv"}
#: 5G stations in Vietnam reported for October 2025 (the figure of issue 17): the size
#: of today's national synthetic network. No per-operator national split is in the
#: project, so it is split as Bắc Ninh's reported stations (Viettel 300 : VNPT 64 :
#: MobiFone 20 of 384, :data:`geoplan.synthetic.OPERATOR_SITE_SHARES`).
NATIONAL_SITES = 16_737
#: A province of more people than this is computed in ``ceil(people / TILE_POPULATION)``
#: tiles, each a task (:func:`tile_of`): of the 34, TP. Hồ Chí Minh (14.7 M people, 3
#: tiles) and Hà Nội (8.8 M, 2). Today's synthetic sites follow the people, and a task's
#: time is its site–cell pairs (TP. Hồ Chí Minh: 64 of its 67 s), so people measure it.
TILE_POPULATION = 5_000_000
#: Operators of the synthetic network, in the order the generator places them.
OPERATORS: tuple[str, ...] = tuple(OPERATOR_SITE_SHARES)


def national_site_counts(n_sites: int = NATIONAL_SITES) -> dict[str, dict[str, int]]:
    """Today's national synthetic network: sites per province and operator.

    The rule: ``n_sites`` is split by operator as Bắc Ninh's stations are
    (:func:`geoplan.synthetic.operator_site_counts`); each operator then spreads its
    sites over the 34 provinces in proportion to their official population (largest
    remainder, ties by province code), the rule by which Bắc Ninh's sites per person
    gave every province its sites before. Within a province each operator places them
    densest first (:func:`geoplan.synthetic.stations_like_bac_ninh`).

    Parameters
    ----------
    n_sites : int
        Sites nationally, >= 0 (default :data:`NATIONAL_SITES`).

    Returns
    -------
    dict
        ``{province code: {operator: sites}}`` for all 34 provinces.

    Examples
    --------
    >>> counts = national_site_counts()
    >>> sum(sum(c.values()) for c in counts.values()), counts["24"]
    (16737, {'Viettel': 416, 'VNPT': 89, 'MobiFone': 28})
    """
    if n_sites < 0:
        raise InputError(f"--sites {n_sites}: the national network needs a number >= 0")
    people = {p.code: p.population for p in read_provinces(units_path())}
    by_operator = {
        op: split_largest_remainder(total, people)
        for op, total in operator_site_counts(n_sites).items()
    }
    return {code: {op: by_operator[op][code] for op in OPERATORS} for code in people}


@dataclass(frozen=True)
class ProvinceTask:
    """What a worker needs for one province: names and paths, nothing large.

    Attributes
    ----------
    code : two-digit province code
    model : coverage model name
    cell_size_m : work grid cell, metres
    units, population : the national files (paths every worker can read)
    operator_sites : today's synthetic sites per operator, as ``(operator, sites)``
        pairs (:func:`national_site_counts`)
    tile, n_tiles : the coverage run computes tile ``tile`` of the province's
        ``n_tiles`` (:func:`tile_of`; 0 of 1: the whole province)
    """

    code: str
    model: str
    cell_size_m: float
    units: str
    population: str
    operator_sites: tuple[tuple[str, int], ...] = ()
    tile: int = 0
    n_tiles: int = 1

    @property
    def n_sites(self) -> int:
        """Today's synthetic sites of the province."""
        return sum(n for _, n in self.operator_sites)


TaskT = TypeVar("TaskT", bound=ProvinceTask)


def province_scenario(task: ProvinceTask) -> tuple[Scenario, ProvinceData]:
    """The province of ``task`` with its part of the national synthetic network.

    Gridded in its own UTM zone, every commune scaled to its official population; the
    radio model runs on flat earth (the embedded DEMs cover Bắc Ninh only, so the
    national run keeps one basis); today's sites are ``task.operator_sites`` placed by
    Bắc Ninh's rules and calibrated spacing factor (not re-tuned), Bắc Ninh included.
    It is :func:`geoplan.scenario.load_province` with the national run's settings, so a
    plan folder of the national plan loads as the same scenario.

    Returns
    -------
    (Scenario, ProvinceData)
        The scenario and where its inputs came from.
    """
    data = province_data(task.code, task.units, task.population)
    # flat earth for every province (the embedded DEMs cover Bắc Ninh alone); no 4G layer
    # outside Bắc Ninh's (and its layer goes with its shipped 290 sites), so the national
    # plan's candidates are new towers only, each at the same CAPEX
    terrain = {"dem_paths": (FLAT_EARTH,)} if task.model == "38901" else {}
    config = run_config(
        task.model, cell_size_m=task.cell_size_m, upgrade_candidates=False, **terrain
    )
    scenario = load_province(
        task.code, task.population, None, config, units=task.units,
        synthetic_sites=dict(task.operator_sites),
    )  # fmt: skip
    return scenario, data


def province_coverage(task: ProvinceTask) -> dict[str, Any]:
    """One province's coverage today, or one tile's of it (the task a worker runs).

    The province as :func:`province_scenario` makes it: its own UTM zone, every
    commune scaled to its official population, flat earth, and its part of the
    national synthetic network (Bắc Ninh's rules and spacing factor, not re-tuned).
    A tile (``task.n_tiles`` > 1) makes the same province and sites (seeded), and
    computes the cells of its strip from the sites within reach (:func:`tile_of`): its
    units' people and covered people are that strip's, which :func:`merge_tiles` adds up.

    Parameters
    ----------
    task : ProvinceTask
        The province and the settings.

    Returns
    -------
    dict
        ``province`` (one row of figures: people, WorldPop people, scale factor, sites,
        covered people, seconds, peak memory in bytes) and ``units`` (records per unit,
        offshore units with ``on_grid`` False and nothing covered), and ``tile``.
    """
    started = time.perf_counter()
    _reset_peak_rss()
    scenario, data = province_scenario(task)
    result = _tile_coverage(scenario, task)
    grid = scenario.grid
    units = result.communes[
        ["code", "name", "population", "covered_population", "reliable_population"]
    ].copy()
    # WorldPop people by 1 km cell centre: each cell in one unit, so provinces add up
    worldpop = worldpop_by_unit(data.communes, data.population)
    units["worldpop_population"] = worldpop.reindex(units["code"]).fillna(0.0).to_numpy()
    units["covered_worldpop"] = _covered_worldpop(units)
    units["on_grid"] = True
    offshore = pd.DataFrame(
        {
            "code": data.offshore["code"],
            "name": data.offshore["name"],
            "population": data.offshore["population"].astype(float),
            "covered_population": 0.0,
            "reliable_population": 0.0,
            "worldpop_population": 0.0,
            "covered_worldpop": 0.0,
            "on_grid": False,
        }
    )
    units = pd.concat([units, offshore], ignore_index=True) if len(offshore) else units
    units.insert(0, "province_code", data.province.code)
    row = {
        "code": data.province.code,
        "name": data.province.name,
        "work_crs": scenario.config.work_crs,
        "n_units": len(units),
        "population": float(units["population"].sum()),
        "population_on_grid": float(result.population_total),
        "worldpop_population": float(units["worldpop_population"].sum()),
        "worldpop_on_grid": float(grid.source_total_in_province),
        "scale_factor": float(grid.scale_factor),
        "n_sites": len(scenario.stations),
        "stations_synthetic": bool(scenario.stations_synthetic),
        "covered_population": float(result.covered_population),
        "reliable_population": float(result.reliable_population),
        "covered_worldpop": float(units["covered_worldpop"].sum()),
        "n_cells": len(result.cells),
        "n_tiles": task.n_tiles,
        "seconds": time.perf_counter() - started,
        "peak_memory_bytes": _peak_rss_bytes(),
    }
    return {"province": row, "units": units.to_dict("records"), "tile": task.tile}


def _covered_worldpop(units: pd.DataFrame) -> np.ndarray:
    """Per unit, its WorldPop people times its covered share (0 where nobody lives)."""
    share = _share(units["covered_population"].to_numpy(float), units["population"])
    return share * units["worldpop_population"].to_numpy(float)


def _one_thread(model: CoverageModel) -> CoverageModel:
    """``model`` evaluating its pairs in one thread: the national run's parallelism is
    its workers, one task each (the same numbers as with threads, to the bit)."""
    return replace(model, workers=1) if isinstance(model, RadioModel) else model


def _tile_coverage(scenario: Scenario, task: ProvinceTask) -> CoverageResult:
    """Today's coverage of the province, or of the cells of its tile ``task.tile``."""
    model = _one_thread(scenario.model(task.model))
    sites = scenario.sites()
    if task.n_tiles == 1:
        return compute_coverage(scenario.grid, sites, model)
    cells = scenario.grid.cells()
    in_tile, near = tile_of(cells, sites, pair_reach_m(model, sites), task.tile, task.n_tiles,
                            margin_m=task.cell_size_m)  # fmt: skip
    return compute_coverage(scenario.grid, sites.take(np.flatnonzero(near)), model,
                            cells=subset_cells(cells, in_tile))  # fmt: skip


def tile_of(
    cells: Cells,
    sites: Sites,
    reach_m: np.ndarray,
    tile: int,
    n_tiles: int,
    margin_m: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The cells of strip ``tile`` of ``n_tiles``, and the sites that can reach them.

    The strips are bands of the work CRS's x (east), cut so that each holds about as
    many site–cell pairs (:func:`strip_cuts`; a task's time is its pairs); a cell
    belongs to the strip of its centre, so the strips partition the cells. A site is
    kept when its reach (``reach_m``, :func:`geoplan.models.pair_reach_m`) plus
    ``margin_m`` gets it to the strip's band: every site that can change one of the
    strip's cells is kept, so the strip's coverage is the untiled run's on its cells.

    Parameters
    ----------
    cells, sites : Cells, Sites
        Work-CRS arrays, metres.
    reach_m : float array
        Per site, the farthest distance at which it changes a cell, metres.
    tile, n_tiles : int
        Which strip (0 westmost) of how many.
    margin_m : float
        Added to every reach, metres (a safety margin; extra sites change nothing).

    Returns
    -------
    (in_tile, near) : bool per cell, bool per site

    Examples
    --------
    >>> from geoplan.grid import Cells
    >>> x = np.arange(8) * 1000.0
    >>> cells = Cells(np.arange(8), x, np.zeros(8), np.ones(8), np.zeros(8, int), np.zeros(8, int))
    >>> sites = Sites(np.array([0.0, 7000.0]), np.zeros(2), np.full(2, 30.0), np.zeros(2, int))
    >>> in_tile, near = tile_of(cells, sites, np.array([1500.0, 1500.0]), 0, 2)
    >>> in_tile.astype(int).tolist()  # west of 6,000 m: 3 of the 5 cells any site reaches
    [1, 1, 1, 1, 1, 1, 0, 0]
    >>> near.tolist()  # the site at 7,000 m reaches the strip's cell at 5,500 m
    [True, True]
    """
    if not 0 <= tile < n_tiles:
        raise ConfigError(f"tile {tile}: give 0..{n_tiles - 1}")
    edges = np.concatenate([[-np.inf], strip_cuts(cells, sites, reach_m, n_tiles), [np.inf]])
    lo, hi = edges[tile], edges[tile + 1]
    in_tile = (cells.x_m >= lo) & (cells.x_m < hi)
    reach = np.asarray(reach_m, float) + margin_m
    near = (sites.x_m + reach >= lo) & (sites.x_m - reach <= hi)
    return np.asarray(in_tile), np.asarray(near)


def strip_cuts(
    cells: Cells, sites: Sites, reach_m: np.ndarray, n_tiles: int, block_m: float = 1000.0
) -> np.ndarray:
    """The ``n_tiles - 1`` x cuts (metres) that give each strip about as many site–cell pairs.

    Estimated on blocks of ``block_m``: a block's pairs are its cells times the sites
    whose reach gets to it; the cuts are block edges where the cumulative pairs, west to
    east, pass 1/n, 2/n … of the total (by cells when no site reaches any).

    Parameters
    ----------
    cells, sites : Cells, Sites
        Work-CRS arrays, metres.
    reach_m : float array
        Per site, its reach, metres.
    n_tiles : int
        Strips.
    block_m : float
        Side of the estimate's blocks, metres.
    """
    if n_tiles <= 1 or not len(cells):
        return np.zeros(0)
    blocks = np.floor(np.column_stack([cells.x_m, cells.y_m]) / block_m)
    keys, n_cells = np.unique(blocks, axis=0, return_counts=True)
    load = n_cells.astype(float)
    if len(sites):
        tree = cKDTree((keys + 0.5) * block_m)
        hits = tree.query_ball_point(np.column_stack([sites.x_m, sites.y_m]),
                                     r=np.asarray(reach_m, float) + block_m)  # fmt: skip
        reached = np.bincount(np.concatenate([np.asarray(h, int) for h in hits]),
                              minlength=len(keys))  # fmt: skip
        load = load * reached if reached.any() else load
    west = np.unique(keys[:, 0])
    per_column = np.bincount(np.searchsorted(west, keys[:, 0]), weights=load)
    cumulative = np.cumsum(per_column)
    at = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, n_tiles) / n_tiles)
    return np.asarray((west[np.minimum(at + 1, west.size - 1)]) * block_m)


#: Per-unit columns that the tiles of a province add up (each counts its own cells).
TILE_SUMS = ("population", "covered_population", "reliable_population")


def merge_tiles(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per province: the results of its tiles added up, unit by unit.

    Parameters
    ----------
    rows : list of dict
        :func:`province_coverage` results, a province's tiles in any order.

    Returns
    -------
    list of dict
        One result per province (in the order of first appearance), as an untiled run
        gives it: per unit, people and covered people are the sums over the tiles
        (equal to the untiled run's up to float rounding); seconds are the tiles' sum,
        peak memory their largest.
    """
    by_code: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_code.setdefault(row["province"]["code"], []).append(row)
    return [parts[0] if len(parts) == 1 else _merged(parts) for parts in by_code.values()]


def _merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    parts = sorted(parts, key=lambda part: int(part["tile"]))
    frames = [pd.DataFrame(part["units"]) for part in parts]
    units = frames[0].copy()
    on_grid = units["on_grid"].to_numpy(bool)  # offshore units: the same in every tile
    for column in TILE_SUMS:
        total = np.sum([f[column].to_numpy(float) for f in frames], axis=0)
        units[column] = np.where(on_grid, total, units[column].to_numpy(float))
    units["covered_worldpop"] = _covered_worldpop(units)
    rows = [part["province"] for part in parts]
    row = dict(rows[0])
    for key in ("population_on_grid", "covered_population", "reliable_population", "seconds"):
        row[key] = float(sum(r[key] for r in rows))
    row["n_cells"] = int(sum(r["n_cells"] for r in rows))
    row["peak_memory_bytes"] = max(int(r["peak_memory_bytes"]) for r in rows)
    row["population"] = float(units["population"].sum())
    row["covered_worldpop"] = float(units["covered_worldpop"].sum())
    return {"province": row, "units": units.to_dict("records"), "tile": 0}


def _reset_peak_rss() -> None:
    """Start this process's peak-memory count afresh (Linux ``clear_refs`` 5; else nothing),
    so that each task reports its own peak, not its worker's so far."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process since :func:`_reset_peak_rss`, bytes.

    ``VmHWM`` of ``/proc/self/status``: unlike ``ru_maxrss`` it is not inherited from the
    parent of a spawned worker. Elsewhere ``ru_maxrss`` (a process-lifetime peak).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


@dataclass(frozen=True)
class NationalCoverage:
    """Coverage today in every province asked for, and the national total.

    Attributes
    ----------
    provinces : one row per province: official ``population`` (people),
        ``worldpop_population`` (WorldPop 2020 people whose 1 km cell centre lies in it;
        the provinces add up to the national figure), ``worldpop_on_grid`` (WorldPop
        people on its work grid, border cells counted whole) and ``scale_factor``
        (official ÷ ``worldpop_on_grid``, by which the grid was rescaled),
        ``n_sites``, ``covered_population`` (expected, people),
        ``covered_share`` (0..1 of the official population), ``reliable_share``,
        ``seconds`` and ``peak_memory_bytes`` of its task
    units : one row per commune-level unit
    model : the coverage model
    engine : how the tasks ran (``"dask"``, ``"processes"``, ``"sequential"``)
    workers : number of workers
    seconds : wall-clock time of the run
    """

    provinces: pd.DataFrame
    units: pd.DataFrame
    model: str
    engine: str
    workers: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def covered_population(self) -> float:
        """Expected people covered nationally (official population terms)."""
        return float(self.provinces["covered_population"].sum())

    @property
    def population(self) -> float:
        """Official population of the provinces in the run, people."""
        return float(self.provinces["population"].sum())

    @property
    def covered_share(self) -> float:
        """Expected share of the official population covered, 0..1."""
        return self.covered_population / self.population if self.population else 0.0

    @property
    def worldpop_covered_share(self) -> float:
        """Expected share of the WorldPop 2020 people (in the provinces) covered, 0..1."""
        total = float(self.provinces["worldpop_population"].sum())
        return float(self.provinces["covered_worldpop"].sum()) / total if total else 0.0

    def totals(self) -> dict[str, Any]:
        """The national line, against both population figures."""
        worldpop = float(self.provinces["worldpop_population"].sum())
        return {
            "provinces": len(self.provinces),
            "units": len(self.units),
            "population_official": round(self.population),
            "population_worldpop_2020": round(worldpop),
            "worldpop_national_total": WORLDPOP_NATIONAL_TOTAL,
            "n_sites": int(self.provinces["n_sites"].sum()),
            "covered_population": round(self.covered_population, 1),
            "covered_share": round(self.covered_share, 6),
            "reliable_share": round(
                float(self.provinces["reliable_population"].sum()) / self.population, 6
            )
            if self.population
            else 0.0,
            "covered_worldpop": round(float(self.provinces["covered_worldpop"].sum()), 1),
            "worldpop_covered_share": round(self.worldpop_covered_share, 6),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the national line, every province and every unit."""
        provinces = self.provinces.drop(columns=["seconds", "peak_memory_bytes"])
        return {
            "model": self.model,
            "engine": self.engine,
            "workers": self.workers,
            "stations_synthetic": bool(self.provinces["stations_synthetic"].all()),
            "scaling": "each commune's people scaled to its official 2025 population "
            "(WorldPop 2020 1 km downscaled to the grid, then rescaled); shares are of the "
            "official population; worldpop_* give the same against WorldPop's people",
            "sites": SITES_NOTE,
            "national": self.totals(),
            "provinces": _records(provinces),
            "units": _records(self.units),
            "notes": self.notes,
        }

    def table_lines(self) -> list[str]:
        """The per-province table and the national line, as text."""
        head = (
            f"{'code':<4} {'province':<16} {'people':>11} {'WorldPop':>11} {'scale':>5} "
            f"{'sites':>6} {'covered':>7} {'reliable':>8}  zone"
        )
        lines = [head]
        for row in self.provinces.itertuples(index=False):
            lines.append(
                f"{row.code:<4} {row.name:<16.16} {row.population:>11,.0f} "
                f"{row.worldpop_population:>11,.0f} {row.scale_factor:>5.2f} {row.n_sites:>6,} "
                f"{row.covered_share:>7.1%} {row.reliable_share:>8.1%}  {row.work_crs[-2:]}N"
            )
        t = self.totals()
        lines.append(
            f"Vietnam: {t['covered_population']:,.0f} of {t['population_official']:,} people "
            f"(official 2025) covered, {t['covered_share']:.1%} expected, "
            f"{t['reliable_share']:.1%} reliable, by {t['n_sites']:,} sites; against WorldPop "
            f"2020 ({t['population_worldpop_2020']:,} people in the provinces, "
            f"{WORLDPOP_NATIONAL_TOTAL:,} nationally): {t['worldpop_covered_share']:.1%}"
        )
        return lines

    def write_csv(
        self, out_dir: str | os.PathLike[str], overwrite: bool = False
    ) -> dict[str, Path]:
        """Write the per-province and per-unit tables (UTF-8 with BOM) into ``out_dir``.

        Returns
        -------
        dict
            The written paths by kind (``provinces``, ``units``).
        """
        paths = {kind: Path(out_dir) / name for kind, name in CSV_FILES.items()}
        return _write_tables(self, paths, overwrite)

    def write_outputs(
        self,
        out_dir: str | os.PathLike[str],
        *,
        lang: Lang = DEFAULT_LANG,
        cell_size_m: float = 100.0,
        overwrite: bool = False,
        csv_dialect: CsvDialect = "plain",
    ) -> dict[str, Path]:
        """Write the national map, ranking (XLSX, CSV) and brief into ``out_dir``.

        See :func:`geoplan.outputs.national_report.write_national_outputs`; the files
        are :func:`output_paths`.
        """
        return dict(
            outputs.write_national_outputs(
                out_dir, self.provinces, self.units, lang=lang, model=self.model,
                cell_size_m=cell_size_m, overwrite=overwrite, csv_dialect=csv_dialect,
            )
        )  # fmt: skip


#: How today's sites are made, for every output of the national run.
SITES_NOTE = (
    "synthetic national network (not real operator sites): the sites split by operator as "
    "Bắc Ninh's reported stations (Viettel 300 : VNPT 64 : MobiFone 20), each operator's "
    "spread over the provinces by official population, placed densest first by Bắc Ninh's "
    f"per-operator rules and its calibrated spacing factor {BAC_NINH_SPACING_FACTOR:g}, not "
    "re-tuned"
)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rounded = frame.copy()
    for column in rounded.select_dtypes("float").columns:
        digits = 6 if "share" in column or column.endswith("factor") else 1
        rounded[column] = rounded[column].round(digits)
    return rounded.to_dict("records")


def csv_paths(out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The files :meth:`NationalCoverage.write_csv` writes into ``out_dir``."""
    return {kind: Path(out_dir) / name for kind, name in CSV_FILES.items()}


def output_paths(out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The files :meth:`NationalCoverage.write_outputs` writes into ``out_dir``, by kind."""
    return national_paths(out_dir)


def provinces(codes: Sequence[str | int] | None = None) -> list[Province]:
    """The provinces named by ``codes`` (codes or names), or all 34, sorted by code.

    >>> [p.code for p in provinces(["thai nguyen", 24])]
    ['19', '24']
    """
    known = read_provinces(units_path())
    if not codes:
        return known
    chosen = {find_province(c, known).code: find_province(c, known) for c in codes}
    return [chosen[c] for c in sorted(chosen)]


def national_coverage(
    codes: Sequence[str | int] | None = None,
    *,
    model: str = NATIONAL_MODEL,
    cell_size_m: float = 100.0,
    engine: Engine = "auto",
    scheduler: str | None = None,
    n_workers: int | None = None,
    memory_limit_bytes: float | None = None,
    n_sites: int = NATIONAL_SITES,
    tile_population: float | None = TILE_POPULATION,
) -> NationalCoverage:
    """Coverage today in every province (or those in ``codes``), one task per province
    (per tile for the largest).

    Parameters
    ----------
    codes : sequence of str or int, optional
        Province codes or names; None runs all 34.
    model : str
        Coverage model (default :data:`NATIONAL_MODEL`).
    cell_size_m : float
        Work grid cell, metres.
    engine : {"auto", "dask", "processes", "sequential"}
        ``"auto"``: Dask distributed when installed (or when ``scheduler`` is given),
        else a local process pool.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``); default
        ``$DASK_SCHEDULER_ADDRESS``, else a new ``LocalCluster``.
    n_workers : int, optional
        Workers of the local cluster or pool (default :func:`default_workers`).
    memory_limit_bytes : float, optional
        Memory per worker, bytes (default :func:`default_memory_limit`).
    n_sites : int
        Sites of today's national synthetic network (default :data:`NATIONAL_SITES`),
        shared out by :func:`national_site_counts`; a subset of provinces gets its part.
    tile_population : float or None
        A province of more people than this runs as ``ceil(people / tile_population)``
        tile tasks (:func:`tile_of`, :func:`merge_tiles`; default
        :data:`TILE_POPULATION`); None or 0: one task per province.

    Returns
    -------
    NationalCoverage
        Per-province and per-unit tables and the national totals; identical whatever
        the engine (each province is computed independently and deterministically),
        and tiled or not (up to float rounding).
    """
    tasks = _tasks(codes, model, cell_size_m, n_sites, tile_population)
    used, workers, limit, scheduler = _engine(engine, scheduler, n_workers, memory_limit_bytes)
    started = time.perf_counter()
    rows = run_tasks(
        province_coverage,
        tasks,
        used,
        scheduler=scheduler,
        n_workers=workers,
        memory_limit_bytes=limit,
    )
    rows = merge_tiles(rows)
    notes = []
    if used != "dask" and engine == "auto":
        notes.append(
            "dask.distributed is not installed: the provinces ran on a local "
            "process pool (pip install 'dask[distributed]' for Dask)"
        )
    return _collect(
        rows,
        model,
        used,
        1 if used == "sequential" else workers,
        time.perf_counter() - started,
        notes,
    )


def _engine(
    engine: Engine, scheduler: str | None, n_workers: int | None, memory_limit_bytes: float | None
) -> tuple[str, int, float, str | None]:
    """(engine that runs, workers, memory per worker in bytes, scheduler address)."""
    workers = n_workers or default_workers()
    limit = memory_limit_bytes or default_memory_limit(workers)
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    return resolve_engine(engine, address), workers, limit, address


def _tasks(
    codes: Sequence[str | int] | None,
    model: str,
    cell_size_m: float,
    n_sites: int,
    tile_population: float | None = None,
) -> list[ProvinceTask]:
    if not cell_size_m > 0:
        raise InputError(f"--cell-size-m {cell_size_m:g}: give a cell size > 0 metres, e.g. 200")
    if tile_population is not None and tile_population < 0:
        raise InputError(f"--tile-population {tile_population:g}: give people >= 0 (0: no tiles)")
    counts = national_site_counts(n_sites)
    paths = (str(units_path()), str(population_path()))
    tasks = []
    for p in provinces(codes):
        n_tiles = max(1, math.ceil(p.population / tile_population)) if tile_population else 1
        base = ProvinceTask(
            p.code, model, float(cell_size_m), *paths, tuple(counts[p.code].items())
        )
        tasks += [replace(base, tile=t, n_tiles=n_tiles) for t in range(n_tiles)]
    return tasks


def _collect(
    rows: list[dict[str, Any]],
    model: str,
    engine: str,
    workers: int,
    seconds: float,
    notes: list[str],
) -> NationalCoverage:
    table = pd.DataFrame([r["province"] for r in rows]).sort_values("code")
    table["covered_share"] = table["covered_population"] / table["population"]
    table["reliable_share"] = table["reliable_population"] / table["population"]
    units = pd.DataFrame([u for r in rows for u in r["units"]])
    units["covered_share"] = (units["covered_population"] / units["population"]).where(
        units["population"] > 0, 0.0
    )
    units = units.sort_values(["province_code", "code"]).reset_index(drop=True)
    return NationalCoverage(
        table.reset_index(drop=True), units, model, engine, workers, seconds, notes
    )


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported here."""
    return importlib.util.find_spec("distributed") is not None


def resolve_engine(engine: str, scheduler: str | None = None) -> str:
    """The engine that will run: ``"auto"`` becomes Dask when installed, else processes.

    Raises :class:`ConfigError` for an unknown engine, and :class:`InputError` when
    Dask is asked for (or a scheduler given) without ``dask.distributed`` installed.

    >>> resolve_engine("sequential")
    'sequential'
    """
    if engine not in ENGINES:
        raise ConfigError(f"--engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine = "dask" if (dask_available() or scheduler) else "processes"
    if engine == "dask" and not dask_available():
        reason = f"--scheduler {scheduler}" if scheduler else "--engine dask"
        raise InputError(
            f"{reason} needs dask.distributed, which is not installed; "
            "pip install 'dask[distributed]' (a geoplan dependency) or use --engine processes"
        )
    if scheduler and engine != "dask":
        raise ConfigError(f"--scheduler {scheduler} runs on Dask; leave out --engine {engine}")
    return engine


def default_workers() -> int:
    """Workers for this machine: one per core, as many as :data:`WORKER_MEMORY_BYTES` allows.

    >>> default_workers() >= 1
    True
    """
    by_memory = int(available_memory_bytes() // WORKER_MEMORY_BYTES)
    return max(1, min(os.cpu_count() or 1, by_memory))


def default_memory_limit(workers: int) -> float:
    """Memory per worker, bytes: :data:`WORKER_MEMORY_BYTES`, or less when the machine
    holds less (80% of the available memory shared among the workers)."""
    return float(min(WORKER_MEMORY_BYTES, 0.8 * available_memory_bytes() / max(workers, 1)))


def run_tasks(
    fn: Callable[[TaskT], dict[str, Any]],
    tasks: Sequence[TaskT],
    engine: str,
    *,
    scheduler: str | None = None,
    n_workers: int = 1,
    memory_limit_bytes: float = WORKER_MEMORY_BYTES,
) -> list[dict[str, Any]]:
    """Run ``fn`` on every task, with a progress bar; results in the order of ``tasks``.

    Parameters
    ----------
    fn : callable
        A module-level function (workers import it by name).
    tasks : sequence of ProvinceTask
        One per province.
    engine : {"dask", "processes", "sequential"}
        As resolved by :func:`resolve_engine`.
    scheduler : str, optional
        A running Dask scheduler's address (``tcp://HOST:PORT``); None starts a
        ``LocalCluster`` on 127.0.0.1.
    n_workers : int
        Workers of the local cluster or pool (one thread each).
    memory_limit_bytes : float
        Memory per local worker, bytes: Dask pauses, then restarts a worker past it; the
        process pool caps each worker's address space at it plus
        :data:`ADDRESS_SPACE_SLACK_BYTES`.
    """
    order = sorted(range(len(tasks)), key=lambda i: tasks[i].code)
    if engine == "sequential":
        done = {i: fn(tasks[i]) for i in progress(order, "provinces", unit="province")}
    elif engine == "processes":
        done = dict(_run_pool(fn, tasks, n_workers, memory_limit_bytes))
    elif engine == "dask":
        done = dict(_run_dask(fn, tasks, scheduler, n_workers, memory_limit_bytes))
    else:
        raise ConfigError(f"engine {engine!r}: choose dask, processes or sequential")
    return [done[i] for i in range(len(tasks))]


def _run_pool(
    fn: Callable[[TaskT], dict[str, Any]],
    tasks: Sequence[TaskT],
    workers: int,
    memory_limit_bytes: float,
) -> Iterator[tuple[int, dict[str, Any]]]:
    limit = int(memory_limit_bytes + ADDRESS_SPACE_SLACK_BYTES)
    # fresh interpreters (spawn), like Dask's workers: nothing inherited, inputs from paths
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_limit_address_space, initargs=(limit,)
    ) as pool:
        futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        for future in progress(as_completed(futures), "provinces", len(tasks), "province"):
            yield futures[future], _result(future, tasks[futures[future]])


def _limit_address_space(limit_bytes: int) -> None:
    """Cap this worker's address space (a province past it fails with MemoryError)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or limit_bytes < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))


def _result(future: Any, task: ProvinceTask) -> dict[str, Any]:
    """The task's result, its failure as one line naming the province."""
    try:
        return dict(future.result())
    except GeoplanError:
        raise
    except Exception as exc:
        if isinstance(exc, MemoryError) or type(exc).__name__ == "KilledWorker":
            raise GeoplanError(
                f"province {task.code}: out of memory in its worker; give more memory per "
                "worker (--memory-limit-gb) or a coarser grid (--cell-size-m)"
            ) from exc
        raise


def _run_dask(
    fn: Callable[[TaskT], dict[str, Any]],
    tasks: Sequence[TaskT],
    scheduler: str | None,
    workers: int,
    memory_limit_bytes: float,
) -> Iterator[tuple[int, dict[str, Any]]]:
    with _dask_logs(verbose=log.isEnabledFor(logging.INFO)) as level:
        yield from _submit_dask(fn, tasks, scheduler, workers, memory_limit_bytes, level)


def _submit_dask(
    fn: Callable[[TaskT], dict[str, Any]],
    tasks: Sequence[TaskT],
    scheduler: str | None,
    workers: int,
    memory_limit_bytes: float,
    log_level: int,
) -> Iterator[tuple[int, dict[str, Any]]]:
    import distributed  # a dependency; imported here to keep `import geoplan` light
    from dask.base import tokenize

    if scheduler:
        client = distributed.Client(scheduler, timeout="30s")
        cluster = None
    else:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            memory_limit=int(memory_limit_bytes),
            dashboard_address=None,
            silence_logs=log_level,  # the workers' own logs
        )
        client = distributed.Client(cluster)
    try:
        futures = {
            # the key names the task's every setting: runs sharing a cluster never collide
            client.submit(fn, task, key=f"{fn.__name__}-{task.code}-{tokenize(task)}"): i
            for i, task in enumerate(tasks)
        }
        done = distributed.as_completed(list(futures))
        for future in progress(done, "provinces", len(tasks), "province"):
            yield futures[future], _result(future, tasks[futures[future]])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


#: Dask distributed's loggers log at this level during a run, unless geoplan logs at
#: INFO (``--verbose``): a LocalCluster's start, its workers' and its close are dozens of
#: INFO lines, and memory warnings that the run handles (``--memory-limit-gb``).
DASK_LOG_LEVEL = logging.ERROR


@contextlib.contextmanager
def _dask_logs(verbose: bool) -> Iterator[int]:
    """Dask distributed's loggers at :data:`DASK_LOG_LEVEL` for the run (INFO when
    ``verbose``), restored after; yields the level for the workers."""
    import distributed  # noqa: F401  # its import sets its loggers' levels: first

    level = logging.INFO if verbose else DASK_LOG_LEVEL
    known = logging.root.manager.loggerDict
    names = ["distributed", *(name for name in known if name.startswith("distributed."))]
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        if logger.level != logging.NOTSET or logger.name == "distributed":
            logger.setLevel(level)  # the others inherit from "distributed"
    try:
        yield level
    finally:
        for logger, old in zip(loggers, before, strict=True):
            logger.setLevel(old)


# --- the programme's allocation: `geoplan national plan` --------------------------------

#: New sites of the national programme (the 2025 support threshold, docs/national.md).
PROGRAMME_SITES = 20_000
#: Work grid of the national plan, metres: twice coverage's 100 m. A task's time goes to
#: the radio model over the cells (today's coverage, the candidates' reach and matrix,
#: their clustering), so a quarter of the cells makes the national plan a matter of
#: minutes; Huế's shares move by 0.1-0.2 points against 100 m (docs/national.md).
PLAN_CELL_SIZE_M = 200.0
#: Longest curve per province when a target (not a number of sites) is asked for.
TARGET_CURVE_SITES = 20_000
PLAN_CSV_FILES = {
    "provinces": "national_plan_provinces.csv",
    "sites": "national_plan_sites.csv",
    "curve": "national_plan_curve.csv",
}


@dataclass(frozen=True)
class PlanTask(ProvinceTask):
    """A province's coverage-versus-sites curve: :class:`ProvinceTask` and its length.

    Attributes
    ----------
    max_sites : the curve's last point, sites (the greedy stops there, or earlier when
        the candidates add nobody)
    """

    max_sites: int = 0


def province_curve(task: PlanTask) -> dict[str, Any]:
    """People covered against new sites in one province, in greedy order (a worker's task).

    Today's coverage of the province's part of the synthetic network
    (:func:`province_scenario`), the planning candidates and their coverage matrix as
    ``geoplan plan`` builds them (generic n78 new towers, as for a plan of several
    operators), then lazy greedy to ``task.max_sites``: each site's gain is the people
    it newly covers at the design reliability. Greedy gains never increase, so the
    curve is concave.

    Returns
    -------
    dict
        ``province`` (one row: people, today's sites and shares, grid and matrix
        sizes, seconds, peak memory in bytes), ``gains`` (people per site, in order),
        ``sites`` (the candidates in that order: id, lon, lat, environment, kind, cost,
        commune), ``units`` (today's people per unit), ``commune_gains`` (the people
        each site newly covers per unit, :func:`gains_by_commune`) and ``plan`` (what a
        plan folder records: the model, candidates, inputs and settings).
    """
    started = time.perf_counter()
    _reset_peak_rss()
    scenario, data = province_scenario(task)
    model = _one_thread(scenario.model(task.model))
    baseline, demand, candidates, cover = planning_arrays(scenario, model)
    greedy_started = time.perf_counter()
    run = lazy_greedy(demand.population, cover, k=task.max_sites)
    greedy_seconds = time.perf_counter() - greedy_started
    sites = _curve_sites(scenario, candidates, run.selected)
    offshore = float(data.offshore["population"].sum()) if len(data.offshore) else 0.0
    row = {
        "code": data.province.code,
        "name": data.province.name,
        "work_crs": scenario.config.work_crs,
        "population": float(baseline.population_total) + offshore,
        "n_sites_today": len(scenario.stations),
        **{
            f"sites_today_{op.lower()}": int((scenario.stations["operator"] == op).sum())
            for op in OPERATORS
        },
        "covered_population_before": float(baseline.covered_population),
        "reliable_population_before": float(baseline.reliable_population),
        "n_cells": len(baseline.cells),
        "n_demand_cells": len(demand),
        "n_candidates": int(cover.shape[0]),
        "n_matrix_pairs": int(cover.nnz),
        "curve_sites": int(run.selected.size),
        "seconds": time.perf_counter() - started,
        "peak_memory_bytes": _peak_rss_bytes(),
    }
    sources = candidates.frame["source"].astype(str).value_counts().sort_index()
    record = {
        "population_total": float(baseline.population_total),
        "bound_people": _singleton_bound(demand.population, cover, task.max_sites),
        "model_description": model.describe(),
        "candidates": {str(k): int(v) for k, v in sources.items()} | {"total": len(candidates)},
        "inputs": inputs_record(scenario, None, model),
        "settings": settings_record(scenario.config),
        "greedy_seconds": greedy_seconds,
    }
    return {
        "province": row,
        "gains": run.gains.tolist(),
        "sites": sites.to_dict("records"),
        "units": _today_units(baseline, data).to_dict("records"),
        "commune_gains": gains_by_commune(demand.population, demand.commune, cover, run.selected),
        "plan": record,
    }


def _singleton_bound(weights: np.ndarray, cover: sparse.csr_matrix, max_sites: int) -> list[float]:
    """Most people any 1, 2 … ``max_sites`` candidates could newly cover: the sum of the
    largest single-candidate gains, capped by the people any candidate reaches (coverage
    is subadditive, so no set of *n* candidates covers more)."""
    alone = np.asarray(cover @ np.asarray(weights, dtype=float), dtype=float).ravel()
    reachable = float(np.asarray(weights, dtype=float)[cover.getnnz(axis=0) > 0].sum())
    top = np.sort(alone)[::-1][: max(int(max_sites), 0)]
    return np.minimum(np.cumsum(top), reachable).tolist()


def _curve_sites(scenario: Scenario, candidates: CandidateSet, order: np.ndarray) -> pd.DataFrame:
    """The candidates of the greedy order: id, lon, lat, environment, kind, cost, commune."""
    chosen = candidates.frame.iloc[order]
    sites = pd.DataFrame(
        {
            "candidate_id": chosen["candidate_id"].astype(str).to_numpy(),
            "lon": chosen["lon"].to_numpy(float),
            "lat": chosen["lat"].to_numpy(float),
            "environment": np.asarray(ENVIRONMENTS)[candidates.sites.environment[order]],
            "kind": chosen["kind"].astype(str).to_numpy(),
            "cost_vnd": chosen["cost_vnd"].to_numpy(float),
        }
    )
    points = gpd.points_from_xy(sites["lon"], sites["lat"], crs=scenario.config.storage_crs)
    code, name = communes_of(gpd.GeoDataFrame(geometry=points), scenario)
    return sites.assign(commune_code=code, commune_name=name)


def _today_units(baseline: CoverageResult, data: ProvinceData) -> pd.DataFrame:
    """Today's people per unit: the grid's communes in order, then the offshore units."""
    units = baseline.communes[
        ["code", "name", "population", "covered_population", "reliable_population"]
    ].copy()
    units["code"] = units["code"].astype(str)
    units["on_grid"] = True
    if not len(data.offshore):
        return units.reset_index(drop=True)
    offshore = pd.DataFrame(
        {"code": data.offshore["code"].astype(str), "name": data.offshore["name"],
         "population": data.offshore["population"].astype(float), "covered_population": 0.0,
         "reliable_population": 0.0, "on_grid": False}
    )  # fmt: skip
    return pd.concat([units, offshore], ignore_index=True)


def gains_by_commune(
    weights: np.ndarray, commune: np.ndarray, cover: sparse.csr_matrix, order: np.ndarray
) -> dict[str, list[Any]]:
    """People each site of ``order`` newly covers, per commune, as (rank, commune, people).

    A demand cell counts for the first site of ``order`` that covers it, so the people
    of rank *k* add up to the greedy's gain of its *k*-th site, and those of ranks up to
    *n* to what the first *n* sites add in each commune.

    Parameters
    ----------
    weights : (n_demand,) people per demand cell
    commune : (n_demand,) commune index of each demand cell
    cover : csr (n_candidates × n_demand) bool
    order : candidate indices in build order

    Returns
    -------
    dict
        ``rank`` (1-based position in ``order``), ``commune`` (index) and ``people``,
        lists of equal length, sorted by rank then commune.

    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 1]], dtype=bool))
    >>> gains_by_commune(np.array([5.0, 1.0, 2.0]), np.array([0, 1, 1]), cover, np.array([1, 0]))
    {'rank': [1, 2], 'commune': [1, 0], 'people': [3.0, 5.0]}
    """
    if order.size == 0:
        return {"rank": [], "commune": [], "people": []}
    sub = sparse.csc_matrix(cover[order])
    sub.sort_indices()
    reached = np.flatnonzero(np.diff(sub.indptr) > 0)
    first = sub.indices[sub.indptr[reached]]  # the first site of the order to cover each cell
    n_communes = int(commune.max()) + 1 if commune.size else 1
    key, where = np.unique(first * n_communes + commune[reached], return_inverse=True)
    people = np.bincount(where, weights=np.asarray(weights, float)[reached])
    return {
        "rank": (key // n_communes + 1).tolist(),
        "commune": (key % n_communes).tolist(),
        "people": people.tolist(),
    }


@dataclass(frozen=True)
class NationalPlan:
    """The programme's new sites shared among the provinces, and what they bring.

    Attributes
    ----------
    provinces : one row per province: ``population`` (official, people),
        ``n_sites_today`` and ``sites_today_<operator>``, ``covered_share_before``
        (expected) and ``reliable_share_before`` (at the design reliability),
        ``floor_sites`` (sites given first to lift it to the minimum share),
        ``sites_new``, ``sites_new_<operator>`` (indicative: the new sites split by
        the network's operator shares, an assumption, not optimised),
        ``added_population`` (people newly covered at the design reliability),
        ``reliable_population_after``, ``reliable_share_after``, ``cost_vnd``,
        ``state_support_vnd`` (the state's share), ``net_cost_vnd`` (the names of
        :data:`geoplan.schema.NATIONAL_PLAN`, which the outputs read), and once
        :meth:`with_expected_after` ran ``covered_population_after`` and
        ``covered_share_after`` (expected, from a coverage pass with the new sites);
        ``last_site_people`` (people the province's last new site adds),
        ``curve_sites`` (the curve's length), grid and matrix sizes, ``seconds`` and
        ``peak_memory_bytes`` of its task
    sites : the new sites: ``province_code``, ``rank`` in the province's build order,
        ``candidate_id``, ``lon``, ``lat`` (EPSG:4326), ``environment``,
        ``added_population`` (people)
    curve : the national curve: ``n_sites`` 0 … and ``reliable_share`` after them,
        along the merged order (the best share for each number of sites when every
        province's curve is concave)
    allocation : how the sites were shared (:class:`~geoplan.optimize.allocation.Allocation`)
    mode : ``"sites"``, ``"budget"`` or ``"target"``; ``asked`` what was asked (sites,
        VND or a share)
    min_province_share : the equity floor (0..1), or None
    units : one row per unit: ``province_code``, ``code``, ``name``, ``population``,
        today's ``covered_population`` and ``reliable_population``, ``on_grid``, and
        the plan's columns as for the provinces (``sites_new``: new sites standing in it)
    rows : the provinces' curve results (:func:`province_curve`), for their plan folders
    after : per province with new sites, the coverage pass's figures
        (:func:`province_after`); empty until :meth:`with_expected_after`
    """

    provinces: pd.DataFrame
    sites: pd.DataFrame
    curve: pd.DataFrame
    allocation: Allocation
    mode: str
    asked: float
    min_province_share: float | None
    model: str
    cell_size_m: float
    network_sites: int
    capex_per_site_vnd: float
    support_share: float
    engine: str
    workers: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    units: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    after: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def totals(self) -> dict[str, Any]:
        """The national line: sites, cost, support and the shares before and after."""
        t = self.provinces
        people = float(t["population"].sum())
        before = float(t["reliable_population_before"].sum())
        added = float(t["added_population"].sum())
        expected = {}
        if NATIONAL_PLAN.expected_after in t:
            covered = float(t[NATIONAL_PLAN.expected_after].sum())
            expected = {NATIONAL_PLAN.expected_share_after: round(covered / people, 6)}
        return expected | {
            "provinces": len(t),
            "population_official": round(people),
            "network_sites_today": int(t["n_sites_today"].sum()),
            "sites_new": int(t["sites_new"].sum()),
            "unused_sites": int(self.allocation.unused),
            "covered_share_before": round(float(t["covered_population_before"].sum()) / people, 6),
            "reliable_share_before": round(before / people, 6),
            "added_population": round(added, 1),
            "reliable_share_after": round((before + added) / people, 6),
            "cost_vnd": float(t["cost_vnd"].sum()),
            "state_support_vnd": float(t["state_support_vnd"].sum()),
            "net_cost_vnd": float(t["net_cost_vnd"].sum()),
            "allocation_method": self.allocation.method,
            "allocation_gap": round(self.allocation.gap, 9),
            "provinces_below_floor": self.below_floor(),
        }

    def below_floor(self) -> list[str]:
        """Codes of the provinces the equity floor could not lift (their curve ends below)."""
        if not self.min_province_share:
            return []
        short = self.provinces["reliable_share_after"] < self.min_province_share - 1e-9
        return self.provinces.loc[short, "code"].tolist()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the settings, the national line and every province."""
        return {
            "mode": self.mode,
            "asked": self.asked,
            "min_province_share": self.min_province_share,
            "model": self.model,
            "cell_size_m": self.cell_size_m,
            "engine": self.engine,
            "workers": self.workers,
            "seconds": round(self.seconds, 1),
            "stations_synthetic": True,
            "sites": SITES_NOTE,
            "network_sites": self.network_sites,
            "capex_per_site_vnd": self.capex_per_site_vnd,
            "state_support_share": self.support_share,
            "shares": "of the official 2025 population; reliable = covered at the design "
            "reliability, the share the plan maximises; covered_share_before is expected",
            "operators": "the curves are of generic n78 new towers (no operator); "
            "sites_new_<operator> splits each province's sites by the network's operator "
            "shares, an assumption",
            "national": self.totals(),
            "provinces": _records(self.provinces.drop(columns=["seconds", "peak_memory_bytes"])),
            "notes": self.notes,
        }

    def table_lines(self) -> list[str]:
        """The per-province allocation and the national line, as text."""
        lines = [
            f"{'code':<4} {'province':<16} {'people':>11} {'today':>6} {'before':>7} "
            f"{'new':>6} {'after':>7} {'net CAPEX bn VND':>16}"
        ]
        for r in self.provinces.itertuples(index=False):
            lines.append(
                f"{r.code:<4} {r.name:<16.16} {r.population:>11,.0f} {r.n_sites_today:>6,} "
                f"{r.reliable_share_before:>7.1%} {r.sites_new:>6,} "
                f"{r.reliable_share_after:>7.1%} {r.net_cost_vnd / 1e9:>16,.0f}"
            )
        t = self.totals()
        lines.append(
            f"Vietnam: {t['sites_new']:,} new sites on {t['network_sites_today']:,} synthetic "
            f"sites today: reliable coverage {t['reliable_share_before']:.1%} -> "
            f"{t['reliable_share_after']:.1%} of {t['population_official']:,} people "
            f"(+{t['added_population']:,.0f}); CAPEX {t['cost_vnd'] / 1e9:,.0f} bn VND, "
            f"state support {t['state_support_vnd'] / 1e9:,.0f} bn, operators "
            f"{t['net_cost_vnd'] / 1e9:,.0f} bn"
        )
        return lines

    def write_csv(
        self, out_dir: str | os.PathLike[str], overwrite: bool = False
    ) -> dict[str, Path]:
        """Write the provinces, the new sites and the national curve (UTF-8 with BOM).

        Returns
        -------
        dict
            The written paths by kind (``provinces``, ``sites``, ``curve``).
        """
        return _write_tables(self, plan_csv_paths(out_dir), overwrite)

    def with_expected_after(
        self,
        *,
        engine: Engine = "auto",
        scheduler: str | None = None,
        n_workers: int | None = None,
        memory_limit_bytes: float | None = None,
    ) -> NationalPlan:
        """The plan with its expected share after: one coverage pass per province with
        new sites (:func:`province_after`), on the engines of :func:`national_coverage`.

        Returns
        -------
        NationalPlan
            The same plan; ``provinces`` and ``units`` gain ``covered_population_after``
            and ``covered_share_after`` (expected, people and 0..1; unchanged where no
            site is added), and :attr:`after` the pass's figures, which the plan
            folders (:meth:`write_province_folders`) need.
        """
        plans = self.province_plans()
        if not plans:
            return self._with_after({})
        codes = list(plans)
        tasks = [
            AfterTask(**t.__dict__, plan=plans[t.code])
            for t in _tasks(codes, self.model, self.cell_size_m, self.network_sites)
        ]
        used, workers, limit, address = _engine(engine, scheduler, n_workers, memory_limit_bytes)
        started = time.perf_counter()
        rows = run_tasks(province_after, tasks, used, scheduler=address, n_workers=workers,
                         memory_limit_bytes=limit)  # fmt: skip
        done = self._with_after({row["code"]: row for row in rows})
        return replace(done, seconds=self.seconds + time.perf_counter() - started)

    def _with_after(self, after: dict[str, dict[str, Any]]) -> NationalPlan:
        units = self.units.copy()
        expected = units["covered_population"].to_numpy(float).copy()
        reliable = units[NATIONAL_PLAN.people_after].to_numpy(float)
        computed = units[NATIONAL_PLAN.people_after].to_numpy(float).copy()
        for code, row in after.items():
            where = units.index[units["province_code"] == code]
            by_unit = pd.Series(row["covered_population_after"], index=row["unit_codes"])
            found = units.loc[where, "code"].map(by_unit)
            expected[where] = found.fillna(0.0).to_numpy(float)  # offshore units: nobody
            checked = pd.Series(row["reliable_population_after"], index=row["unit_codes"])
            computed[where] = units.loc[where, "code"].map(checked).fillna(0.0).to_numpy(float)
        units[NATIONAL_PLAN.expected_after] = expected
        units[NATIONAL_PLAN.expected_share_after] = _share(expected, units["population"])
        by_province = units.groupby("province_code")[NATIONAL_PLAN.expected_after].sum()
        provinces = self.provinces.copy()
        provinces[NATIONAL_PLAN.expected_after] = provinces["code"].map(by_province).to_numpy()
        provinces[NATIONAL_PLAN.expected_share_after] = _share(
            provinces[NATIONAL_PLAN.expected_after].to_numpy(float), provinces["population"]
        )
        notes = list(self.notes)
        worst = float(np.abs(computed - reliable).sum() / max(float(units["population"].sum()), 1))
        if worst > SHARE_AFTER_TOLERANCE:
            notes.append(
                f"the coverage pass after the plan covers {worst:.3%} of people more or less "
                "reliably than the curves say (sites together reach cells no site reaches "
                "alone); the reliable shares are the curves'"
            )
        return replace(self, provinces=provinces, units=units, after=after, notes=notes)

    def province_plans(self) -> dict[str, Plan]:
        """Each province with new sites as a plan of its own (what ``geoplan plan`` writes).

        Returns
        -------
        dict
            :class:`~geoplan.results.Plan` by province code; the expected share after is
            NaN until :meth:`with_expected_after` ran.
        """
        plans = {}
        for row, n in zip(self.rows, self.allocation.sites, strict=True):
            code = row["province"]["code"]
            if n > 0:
                covered = self.after.get(code, {}).get("covered_population", float("nan"))
                plans[code] = province_plan(row, int(n), covered, self.support_share)
        return plans

    def output_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The province and unit tables the national map, ranking and brief present.

        Today's figures under the coverage run's names (``n_sites``,
        ``covered_population``, ``reliable_population``, ``n_units``) and the plan's
        under :data:`geoplan.schema.NATIONAL_PLAN`'s.
        """
        p = self.provinces
        n_units = self.units.groupby("province_code").size() if len(self.units) else None
        provinces = pd.DataFrame(
            {"code": p["code"], "name": p["name"], "population": p["population"],
             "n_sites": p["n_sites_today"], "covered_population": p["covered_population_before"],
             "reliable_population": p["reliable_population_before"],
             "stations_synthetic": True}
        )  # fmt: skip
        if n_units is not None:
            provinces["n_units"] = p["code"].map(n_units).fillna(0).astype(int).to_numpy()
        plan = [NATIONAL_PLAN.people_before, *NATIONAL_PLAN.shown]
        for column in plan:
            if column in p:
                provinces[column] = p[column].to_numpy()
        return provinces.reset_index(drop=True), self.units.copy()

    def write_outputs(
        self,
        out_dir: str | os.PathLike[str],
        *,
        lang: Lang = DEFAULT_LANG,
        overwrite: bool = False,
        csv_dialect: CsvDialect = "plain",
    ) -> dict[str, Path]:
        """Write the plan's national map, ranking (XLSX, CSV) and brief into ``out_dir``.

        The outputs of :meth:`NationalCoverage.write_outputs` with the plan's columns
        (new sites, reliable share before and after, net cost), under the file names
        of :func:`plan_output_paths`.
        """
        provinces, units = self.output_tables()
        return dict(
            outputs.write_national_outputs(
                out_dir, provinces, units, lang=lang, model=self.model,
                cell_size_m=self.cell_size_m, overwrite=overwrite, csv_dialect=csv_dialect,
            )
        )  # fmt: skip

    def write_province_folders(
        self, out_dir: str | os.PathLike[str], overwrite: bool = False
    ) -> dict[str, Path]:
        """Write one plan folder per province with new sites, ``out_dir/provinces/<code>_<slug>``.

        Each is the folder ``geoplan plan --out`` writes (:mod:`geoplan.io.plan_folder`),
        so ``geoplan map --province CODE --plan`` reads it. Every file is checked
        before anything is written.

        Raises
        ------
        GeoplanError
            When :meth:`with_expected_after` has not run (plan.json holds the expected
            share after).
        """
        plans = self.province_plans()
        missing = sorted(set(plans) - set(self.after))
        if missing:
            raise GeoplanError(
                f"province(s) {', '.join(missing)}: no coverage pass after the plan; call "
                "with_expected_after() before writing the plan folders"
            )
        folders = province_folders(out_dir, [p for p in provinces() if p.code in plans])
        for folder in folders.values():
            for path in plan_paths(folder).values():
                check_writable(path, overwrite)
        for code, plan in plans.items():
            write_plan(plan, folders[code], overwrite)
        return folders


def province_folders(
    out_dir: str | os.PathLike[str], chosen: Sequence[Province]
) -> dict[str, Path]:
    """Where :meth:`NationalPlan.write_province_folders` writes each province's plan folder.

    >>> province_folders("out", provinces(["12", "79"]))["79"].as_posix()
    'out/provinces/79_ho-chi-minh'
    """
    root = Path(out_dir) / NATIONAL_PROVINCES_DIR
    return {p.code: root / f"{p.code}_{fold(p.name).replace(' ', '-')}" for p in chosen}


def plan_output_paths(
    out_dir: str | os.PathLike[str], codes: Sequence[str | int] | None = None
) -> list[Path]:
    """Every file ``geoplan national plan --out`` may write: the CSVs, the map, ranking
    and brief, and the plan folders of the provinces in ``codes`` (all when None)."""
    folders = province_folders(out_dir, provinces(codes)).values()
    return [
        *plan_csv_paths(out_dir).values(),
        *national_paths(out_dir, plan=True).values(),
        *(path for folder in folders for path in plan_paths(folder).values()),
    ]


def _share(people: np.ndarray, population: pd.Series) -> np.ndarray:
    """``people`` ÷ ``population``, 0 where nobody lives."""
    whole = population.to_numpy(float)
    return np.divide(people, whole, out=np.zeros_like(whole), where=whole > 0)


@dataclass(frozen=True)
class AfterTask(ProvinceTask):
    """One province's coverage with its new sites: :class:`ProvinceTask` and its plan.

    Attributes
    ----------
    plan : the province's plan (:meth:`NationalPlan.province_plans`; small: its new
        sites and communes)
    """

    plan: Plan | None = None


def province_after(task: AfterTask) -> dict[str, Any]:
    """Coverage once the province's new sites stand beside today's (a worker's task).

    What ``geoplan map --plan`` computes for the province's plan folder:
    :meth:`geoplan.Scenario.coverage_after` on :func:`province_scenario`.

    Returns
    -------
    dict
        ``code``; ``covered_population`` and ``reliable_population`` after (people);
        per unit (``unit_codes``) ``covered_population_after`` (expected) and
        ``reliable_population_after``; ``seconds`` and ``peak_memory_bytes``.
    """
    started = time.perf_counter()
    _reset_peak_rss()
    if task.plan is None:
        raise InputError(f"province {task.code}: no plan to compute the coverage after")
    scenario, _ = province_scenario(task)
    after = scenario.coverage_after(task.plan)
    communes = after.communes
    return {
        "code": task.code,
        "covered_population": float(after.covered_population),
        "reliable_population": float(after.reliable_population),
        "unit_codes": communes["code"].astype(str).tolist(),
        "covered_population_after": communes["covered_population"].astype(float).tolist(),
        "reliable_population_after": communes["reliable_population"].astype(float).tolist(),
        "seconds": time.perf_counter() - started,
        "peak_memory_bytes": _peak_rss_bytes(),
    }


def province_plan(row: dict[str, Any], n_sites: int, covered_after: float,
                  support_share: float) -> Plan:  # fmt: skip
    """The first ``n_sites`` of a province's curve as a plan of its own.

    The tables and ``plan.json`` of ``geoplan plan --out`` (:mod:`geoplan.schema`): the
    new sites in greedy order with their phases (``sites_per_phase`` of the run's
    settings), each commune before and after, the curve; "covered" is at the design
    reliability, as in every plan. The bound on what any *n* candidates could add is the
    least of the greedy's guarantee (its first *n* sites add at least 1 − 1/e of it)
    and the sum of the *n* largest single-candidate gains (capped by the people any
    candidate reaches).

    Parameters
    ----------
    row : the province's curve (:func:`province_curve`)
    n_sites : new sites allocated to it, >= 1
    covered_after : expected people covered after them (:func:`province_after`; NaN
        when not computed)
    support_share : the state's share of the CAPEX, 0..1
    """
    meta, today = row["plan"], row["province"]
    total = meta["population_total"]
    gains = np.asarray(row["gains"][:n_sites], dtype=float)
    sites = pd.DataFrame(row["sites"][:n_sites])
    new_sites = _plan_new_sites(sites, gains, meta["settings"]["sites_per_phase"])
    before = float(today["reliable_population_before"])
    curve = coverage_curve(gains, before, total)
    phases = phases_table(new_sites, curve)
    communes, by_phase = _plan_communes(row, new_sites)
    added = float(gains.sum())
    cost = float(new_sites["cost_vnd"].sum())
    singles = meta["bound_people"]
    bound = min(added / (1 - np.exp(-1.0)), singles[min(n_sites, len(singles)) - 1])
    summary = PlanSummary(
        mode="max_coverage",
        baseline_share=round(before / total, 6),
        achieved_share=round((before + added) / total, 6),
        baseline_expected_share=round(float(today["covered_population_before"]) / total, 6),
        achieved_expected_share=round(covered_after / total, 6),
        target=None,
        n_new_sites=n_sites,
        newly_covered_population=round(added),
        bound=round((before + bound) / total, 6),
        bound_kind="covered_share",
        gap=round((bound - added) / bound, 6) if bound > 0 else 0.0,
        status="national_allocation",
        solver="greedy",
        seconds=round(float(today["seconds"]), 2),
        solver_seconds=round(float(meta["greedy_seconds"]), 2),
        total_cost_vnd=round(cost),
        state_support_share=support_share,
        state_support_vnd=round(support_share * cost),
        net_cost_vnd=round(cost - support_share * cost),
        cost_per_new_person_vnd=round(cost / added) if added > 0 else None,
        phases=tuple(phases.to_dict("records")),
        model=meta["settings"]["coverage_model"],
        model_description=meta["model_description"],
        stations_synthetic=bool(today["n_sites_today"]),
        n_existing_sites=int(today["n_sites_today"]),
        candidates=dict(meta["candidates"]),
        problem={key: int(today[key]) for key in ("n_cells", "n_demand_cells", "n_candidates",
                                                  "n_matrix_pairs", "curve_sites")},
        inputs=meta["inputs"],
        settings=meta["settings"],
    )  # fmt: skip
    return Plan(new_sites, phases, communes, curve, summary, commune_phases=by_phase)


def _plan_new_sites(sites: pd.DataFrame, gains: np.ndarray, per_phase: int) -> gpd.GeoDataFrame:
    """The plan folder's new sites (:data:`geoplan.schema.NEW_SITES`) in greedy order."""
    cost = sites["cost_vnd"].to_numpy(float) if len(sites) else np.zeros(0)
    frame = pd.DataFrame(
        {
            "site_id": sites["candidate_id"].astype(str).to_numpy(),
            "kind": sites["kind"].astype(str).to_numpy(),
            "phase": split_into_phases(cost, per_phase).astype(np.int64),
            "order": np.arange(1, len(sites) + 1, dtype=np.int64),
            "lon": sites["lon"].to_numpy(float),
            "lat": sites["lat"].to_numpy(float),
            "cost_vnd": cost.round().astype(np.int64),
            "added_population": np.round(gains).astype(np.int64),
            "commune_code": sites["commune_code"].astype(str).to_numpy(),
            "commune_name": sites["commune_name"].astype(str).to_numpy(),
        }
    )[list(NEW_SITES.columns)]
    points = gpd.points_from_xy(frame["lon"], frame["lat"], crs=STORAGE_CRS)
    return gpd.GeoDataFrame(frame, geometry=points, crs=STORAGE_CRS)


def _plan_communes(
    row: dict[str, Any], new_sites: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each commune before and after the sites, and after each phase (shares 0..1)."""
    units = pd.DataFrame(row["units"])
    units = units[units["on_grid"].astype(bool)].reset_index(drop=True)
    people = units["population"].to_numpy(float)
    before = units["reliable_population"].to_numpy(float)
    gains = row["commune_gains"]
    rank, commune = np.asarray(gains["rank"], int), np.asarray(gains["commune"], int)
    weight = np.asarray(gains["people"], dtype=float)

    def after(n: int) -> np.ndarray:
        return before + np.bincount(commune[rank <= n], weight[rank <= n], minlength=len(units))

    final = after(len(new_sites))
    communes = pd.DataFrame(
        {"code": units["code"].astype(str), "name": units["name"].astype(str),
         "population": people.round().astype(np.int64),
         "covered_population_before": before.round().astype(np.int64),
         "covered_population_after": final.round().astype(np.int64),
         "covered_share_before": _share(before, units["population"]).round(6),
         "covered_share_after": _share(final, units["population"]).round(6)}
    )[list(COMMUNES_BEFORE_AFTER.columns)]  # fmt: skip
    by_phase = communes[["code", "name", "population"]].assign(
        covered_share_today=communes["covered_share_before"]
    )[list(COMMUNES_BY_PHASE.columns)]
    last = new_sites.groupby("phase")["order"].max()
    for phase, order in last.items():
        share = _share(after(int(order)), units["population"]).round(6)
        by_phase[f"{AFTER_PHASE_PREFIX}{int(phase)}"] = share
    return communes, by_phase


def _write_tables(result: object, paths: dict[str, Path], overwrite: bool) -> dict[str, Path]:
    """Write ``result``'s table attribute of each kind to its path (all checked first)."""
    for path in paths.values():
        check_writable(path, overwrite)
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    for kind, path in paths.items():
        write_table_csv(getattr(result, kind), path, overwrite)
    return paths


def plan_csv_paths(out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The files :meth:`NationalPlan.write_csv` writes into ``out_dir``."""
    return {kind: Path(out_dir) / name for kind, name in PLAN_CSV_FILES.items()}


def national_plan(
    codes: Sequence[str | int] | None = None,
    *,
    n_sites: int | None = None,
    budget_vnd: float | None = None,
    target: float | None = None,
    min_province_share: float | None = None,
    network_sites: int = NATIONAL_SITES,
    curve_sites: int | None = None,
    model: str = NATIONAL_MODEL,
    cell_size_m: float = PLAN_CELL_SIZE_M,
    engine: Engine = "auto",
    scheduler: str | None = None,
    n_workers: int | None = None,
    memory_limit_bytes: float | None = None,
    expected_after: bool = False,
) -> NationalPlan:
    """Where the programme's new sites cover the most people nationally.

    Each province's curve (:func:`province_curve`) is computed as one task on the same
    engines as :func:`national_coverage`; the curves are then combined by an exact
    allocation (:func:`geoplan.optimize.allocation.allocate`: the largest marginal
    gains over all provinces, optimal for the greedy curves, which are concave).

    Parameters
    ----------
    codes : sequence of str or int, optional
        Province codes or names; None plans all 34.
    n_sites : int, optional
        New sites to share out (default :data:`PROGRAMME_SITES` when neither
        ``budget_vnd`` nor ``target`` is given).
    budget_vnd : float, optional
        Instead: CAPEX before support, VND; as many sites as it pays for at
        ``PlanConfig.capex_new_tower_vnd`` each.
    target : float, optional
        Instead: the national share (0..1 of the official population, at the design
        reliability) to reach with the fewest sites.
    min_province_share : float, optional
        Equity: every province first gets the fewest sites that lift it to this share
        (0..1; its whole curve when that is not enough), then the rest go by marginal
        gain.
    network_sites : int
        Today's national synthetic network (:func:`national_site_counts`).
    curve_sites : int, optional
        Each province's curve stops at this many sites (default: the sites to share
        out, or :data:`TARGET_CURVE_SITES` with a target): bounds each task's work.
    model, cell_size_m, engine, scheduler, n_workers, memory_limit_bytes
        As for :func:`national_coverage` (the grid defaults to
        :data:`PLAN_CELL_SIZE_M`).
    expected_after : bool
        Also compute the expected share after (:meth:`NationalPlan.with_expected_after`:
        one coverage pass more per province with new sites), which the plan folders
        need.

    Returns
    -------
    NationalPlan
        Per-province sites, shares before and after, cost and support; the new sites;
        the national curve. Identical whatever the engine.
    """
    config = run_config(model)
    # bad input fails here, before any province is computed
    sites_wanted = _plan_goal(n_sites, budget_vnd, target, config.capex_new_tower_vnd)[2]
    _check_share(min_province_share)
    if curve_sites is not None and curve_sites < 0:
        raise InputError(f"--curve-sites {curve_sites}: give a number of sites >= 0")
    cap = curve_sites if curve_sites is not None else (sites_wanted or TARGET_CURVE_SITES)
    curves = national_curves(
        codes, max_sites=cap, network_sites=network_sites, model=model,
        cell_size_m=cell_size_m, engine=engine, scheduler=scheduler, n_workers=n_workers,
        memory_limit_bytes=memory_limit_bytes,
    )  # fmt: skip
    plan = curves.allocate(
        n_sites, budget_vnd=budget_vnd, target=target, min_province_share=min_province_share
    )
    if not expected_after:
        return plan
    return plan.with_expected_after(engine=engine, scheduler=scheduler, n_workers=n_workers,
                                    memory_limit_bytes=memory_limit_bytes)  # fmt: skip


def _check_share(share: float | None) -> None:
    if share is not None and not 0 <= share <= 1:
        raise InputError(f"--min-province-share {share:g}: give a share in 0..1 (0.3 for 30%)")


@dataclass(frozen=True)
class NationalCurves:
    """Every province's coverage-versus-sites curve, ready to be allocated.

    Attributes
    ----------
    rows : per province (sorted by code), what :func:`province_curve` returned
    model, cell_size_m, network_sites, max_sites : how the curves were made
    engine, workers, seconds : how the tasks ran
    """

    rows: list[dict[str, Any]]
    model: str
    cell_size_m: float
    network_sites: int
    max_sites: int
    engine: str
    workers: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """One row per province (people, today's sites and shares, sizes, seconds)."""
        return pd.DataFrame([r["province"] for r in self.rows])

    @property
    def curves(self) -> list[np.ndarray]:
        """People added by each province's first 0, 1, 2 … new sites."""
        return [np.concatenate([[0.0], np.cumsum(r["gains"])]) for r in self.rows]

    def allocate(
        self,
        n_sites: int | None = None,
        *,
        budget_vnd: float | None = None,
        target: float | None = None,
        min_province_share: float | None = None,
    ) -> NationalPlan:
        """Share new sites among the provinces (see :func:`national_plan`)."""
        started = time.perf_counter()
        config = run_config(self.model)
        mode, asked, wanted = _plan_goal(n_sites, budget_vnd, target, config.capex_new_tower_vnd)
        _check_share(min_province_share)
        table, curves = self.table, self.curves
        floors = _floor_sites(table, curves, min_province_share)
        people = table["population"].to_numpy(float)
        before = table["reliable_population_before"].to_numpy(float)
        goal = None if target is None else max(target * people.sum() - before.sum(), 0.0)
        allocation = _allocate(curves, wanted, goal, floors, min_province_share)
        notes = list(self.notes)
        if allocation.method != "merge":
            notes.append(
                f"a province's curve is not concave: allocated by {allocation.method} "
                f"(gap to the bound {allocation.gap:.3%})"
            )
        return NationalPlan(
            _plan_table(table, curves, allocation, config),
            _plan_sites(self.rows, allocation),
            _national_curve(curves, floors, allocation, before.sum(), people.sum()),
            allocation, mode, asked, min_province_share, self.model, self.cell_size_m,
            self.network_sites, config.capex_new_tower_vnd, config.state_support_share,
            self.engine, self.workers, self.seconds + time.perf_counter() - started, notes,
            _plan_units(self.rows, allocation, config), self.rows,
        )  # fmt: skip


def national_curves(
    codes: Sequence[str | int] | None = None,
    *,
    max_sites: int = PROGRAMME_SITES,
    network_sites: int = NATIONAL_SITES,
    model: str = NATIONAL_MODEL,
    cell_size_m: float = PLAN_CELL_SIZE_M,
    engine: Engine = "auto",
    scheduler: str | None = None,
    n_workers: int | None = None,
    memory_limit_bytes: float | None = None,
) -> NationalCurves:
    """Each province's coverage-versus-sites curve, one task per province.

    Parameters are those of :func:`national_plan`; ``max_sites`` is each curve's
    length at most (sites).

    Returns
    -------
    NationalCurves
        The curves; :meth:`NationalCurves.allocate` shares sites out along them.
    """
    base = _tasks(codes, model, cell_size_m, network_sites)
    tasks = [PlanTask(**{**t.__dict__, "max_sites": int(max_sites)}) for t in base]
    used, workers, limit, scheduler = _engine(engine, scheduler, n_workers, memory_limit_bytes)
    started = time.perf_counter()
    rows = run_tasks(province_curve, tasks, used, scheduler=scheduler, n_workers=workers,
                     memory_limit_bytes=limit)  # fmt: skip
    notes = [] if used == "dask" or engine != "auto" else [
        "dask.distributed is not installed: the provinces ran on a local process pool"
    ]  # fmt: skip
    return NationalCurves(
        sorted(rows, key=lambda r: r["province"]["code"]), model, float(cell_size_m),
        network_sites, int(max_sites), used, 1 if used == "sequential" else workers,
        time.perf_counter() - started, notes,
    )  # fmt: skip


def _plan_goal(
    n_sites: int | None, budget_vnd: float | None, target: float | None, cost_vnd: float
) -> tuple[str, float, int | None]:
    """(mode, what was asked, sites to share out or None for a target)."""
    given = [name for name, v in (("--sites", n_sites), ("--budget", budget_vnd),
                                  ("--target", target)) if v is not None]  # fmt: skip
    if len(given) > 1:
        raise InputError(f"{' and '.join(given)}: give one of --sites, --budget or --target")
    if budget_vnd is not None:
        if not budget_vnd >= 0:
            raise InputError(f"--budget {budget_vnd:g}: give VND >= 0, e.g. 4e13")
        return "budget", float(budget_vnd), int(budget_vnd // cost_vnd) if cost_vnd else 0
    if target is not None:
        if not 0 < target <= 1:
            raise InputError(f"--target {target:g}: give a share in (0, 1], e.g. 0.6 for 60%")
        return "target", float(target), None
    sites = PROGRAMME_SITES if n_sites is None else n_sites
    if sites < 0:
        raise InputError(f"--sites {sites}: give a number of new sites >= 0, e.g. 20000")
    return "sites", float(sites), int(sites)


def _floor_sites(table: pd.DataFrame, curves: list[np.ndarray], share: float | None) -> np.ndarray:
    """Fewest sites lifting each province to ``share`` (its whole curve when short)."""
    if not share:
        return np.zeros(len(curves), np.int64)
    need = share * table["population"].to_numpy(float) - table[
        "reliable_population_before"
    ].to_numpy(float)
    return np.array(
        [min(int(np.searchsorted(c, n * (1 - 1e-12))), c.size - 1) if n > 0 else 0
         for c, n in zip(curves, need, strict=True)],
        dtype=np.int64,
    )  # fmt: skip


def _allocate(
    curves: list[np.ndarray],
    n_sites: int | None,
    goal: float | None,
    floors: np.ndarray,
    share: float | None,
) -> Allocation:
    if n_sites is not None and floors.sum() > n_sites:
        raise InputError(
            f"--min-province-share {share:g} needs {int(floors.sum()):,} new sites to lift "
            f"every province, more than the {n_sites:,} given; give more sites or a lower share"
        )
    try:
        return allocate(curves, n_sites, target_gain=goal, floors=floors)
    except InputError as exc:
        if goal is None:
            raise
        raise InputError(
            f"--target is out of reach with the provinces' curves ({exc}); lower --target "
            "or lengthen the curves (--curve-sites)"
        ) from None


def _plan_table(
    table: pd.DataFrame, curves: list[np.ndarray], allocation: Allocation, config: PlanConfig
) -> pd.DataFrame:
    out = table.copy()
    people = out["population"].to_numpy(float)
    out["covered_share_before"] = out["covered_population_before"] / people
    out["reliable_share_before"] = out["reliable_population_before"] / people
    out["floor_sites"] = allocation.floors
    out["sites_new"] = allocation.sites
    for op in OPERATORS:
        out[f"sites_new_{op.lower()}"] = 0
    for i, n in enumerate(allocation.sites):
        for op, k in operator_site_counts(int(n)).items():
            out.loc[out.index[i], f"sites_new_{op.lower()}"] = k
    out["added_population"] = allocation.gain
    out["reliable_population_after"] = out["reliable_population_before"] + allocation.gain
    out["reliable_share_after"] = out["reliable_population_after"] / people
    out["cost_vnd"] = allocation.sites * config.capex_new_tower_vnd
    out["state_support_vnd"] = out["cost_vnd"] * config.state_support_share
    out["net_cost_vnd"] = out["cost_vnd"] - out["state_support_vnd"]
    out["last_site_people"] = [
        float(c[n] - c[n - 1]) if n > 0 else 0.0
        for c, n in zip(curves, allocation.sites, strict=True)
    ]
    return out.reset_index(drop=True)


def _plan_units(
    rows: list[dict[str, Any]], allocation: Allocation, config: PlanConfig
) -> pd.DataFrame:
    """Every unit before and after its province's allocated sites (people, sites, cost)."""
    parts = []
    for row, n in zip(rows, allocation.sites, strict=True):
        units = pd.DataFrame(row["units"])
        gains = row["commune_gains"]
        take = np.asarray(gains["rank"], dtype=int) <= n
        added = np.bincount(
            np.asarray(gains["commune"], dtype=int)[take],
            np.asarray(gains["people"], dtype=float)[take],
            minlength=len(units),
        )
        standing = pd.Series([s["commune_code"] for s in row["sites"][:n]], dtype=str)
        units.insert(0, "province_code", row["province"]["code"])
        units[NATIONAL_PLAN.sites_new] = (
            units["code"].map(standing.value_counts()).fillna(0).astype(np.int64)
        )  # fmt: skip
        units[NATIONAL_PLAN.people_before] = units["reliable_population"].astype(float)
        units[NATIONAL_PLAN.people_after] = units[NATIONAL_PLAN.people_before] + added
        parts.append(units)
    table = pd.concat(parts, ignore_index=True)
    for column, people in ((NATIONAL_PLAN.share_before, NATIONAL_PLAN.people_before),
                           (NATIONAL_PLAN.share_after, NATIONAL_PLAN.people_after)):  # fmt: skip
        table[column] = _share(table[people].to_numpy(float), table["population"])
    table[NATIONAL_PLAN.cost] = table[NATIONAL_PLAN.sites_new] * config.capex_new_tower_vnd
    table[NATIONAL_PLAN.support] = table[NATIONAL_PLAN.cost] * config.state_support_share
    table[NATIONAL_PLAN.net_cost] = table[NATIONAL_PLAN.cost] - table[NATIONAL_PLAN.support]
    return table


def _plan_sites(rows: list[dict[str, Any]], allocation: Allocation) -> pd.DataFrame:
    """The allocated sites: each province's first ``sites`` of its greedy order."""
    parts = []
    for row, n in zip(rows, allocation.sites, strict=True):
        part = pd.DataFrame(row["sites"][:n], columns=["candidate_id", "lon", "lat", "environment"])
        part.insert(0, "rank", np.arange(1, len(part) + 1))
        part.insert(0, "province_code", row["province"]["code"])
        part["added_population"] = np.asarray(row["gains"][:n], dtype=float)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _national_curve(
    curves: list[np.ndarray],
    floors: np.ndarray,
    allocation: Allocation,
    before: float,
    people: float,
) -> pd.DataFrame:
    """National share after 0, 1, 2 … of the allocated sites: the floors' sites first,
    then the rest, each by marginal gain (for concave curves, without floors, the best
    share for every number of sites)."""
    first = [np.diff(c[: f + 1]) for c, f in zip(curves, floors, strict=True)]
    then = [np.diff(c[f : x + 1]) for c, f, x in zip(curves, floors, allocation.sites, strict=True)]
    gains = [np.sort(np.concatenate([np.zeros(0), *part]))[::-1] for part in (first, then)]
    covered = before + np.concatenate([[0.0], np.cumsum(np.concatenate(gains))])
    return pd.DataFrame({"n_sites": np.arange(covered.size), "reliable_share": covered / people})


def describe_province(query: str | int) -> str:
    """One line on how a province is computed: its UTM zone, its population's scaling
    and its sites (for ``--province``).

    >>> print(describe_province("thai nguyen"))  # doctest: +ELLIPSIS
    Thái Nguyên (19): 92 units, computed in EPSG:32648; every commune scaled to its ...
    """
    data = province_data(query)
    p = data.province
    sites = (
        "its shipped synthetic set"
        if p.is_default
        else f"{data.n_synthetic_sites} synthetic sites by Bắc Ninh's rules and spacing "
        f"factor {BAC_NINH_SPACING_FACTOR:g} (not re-tuned); flat earth unless --dem (no "
        "DEM ships for it)"
    )
    offshore = (
        f"; {len(data.offshore)} offshore unit(s) off the population grid"
        if len(data.offshore)
        else ""
    )
    return (
        f"{p.name} ({p.code}): {p.n_units} units, computed in {p.work_crs}; every commune "
        f"scaled to its official population ({p.population:,.0f} people); "
        f"{sites}{offshore}"
    )


__all__ = [
    "ENGINES",
    "NATIONAL_MODEL",
    "AfterTask",
    "NationalCoverage",
    "NationalCurves",
    "NationalPlan",
    "PlanTask",
    "ProvinceTask",
    "check_writable",
    "csv_paths",
    "dask_available",
    "default_memory_limit",
    "default_workers",
    "describe_province",
    "gains_by_commune",
    "national_coverage",
    "national_curves",
    "national_plan",
    "national_site_counts",
    "output_paths",
    "plan_csv_paths",
    "plan_output_paths",
    "province_after",
    "province_coverage",
    "province_curve",
    "province_folders",
    "province_plan",
    "province_scenario",
    "provinces",
    "resolve_engine",
    "run_tasks",
]
