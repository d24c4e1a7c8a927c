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

import importlib.util
import logging
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from geoplan import outputs
from geoplan.config import PlanConfig
from geoplan.errors import ConfigError, GeoplanError, InputError
from geoplan.io.atomic import check_writable, write_table_csv
from geoplan.io.national import (
    BAC_NINH_SPACING_FACTOR,
    Province,
    find_province,
    population_path,
    province_data,
    read_provinces,
    units_path,
    worldpop_by_unit,
)
from geoplan.outputs.paths import national_paths
from geoplan.population import available_memory_bytes
from geoplan.progress import progress
from geoplan.radio.terrain import FLAT_EARTH
from geoplan.scenario import load_province, run_config
from geoplan.schema import DEFAULT_LANG, CsvDialect, Lang

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


@dataclass(frozen=True)
class ProvinceTask:
    """What a worker needs for one province: names and paths, nothing large.

    Attributes
    ----------
    code : two-digit province code
    model : coverage model name
    cell_size_m : work grid cell, metres
    units, population : the national files (paths every worker can read)
    """

    code: str
    model: str
    cell_size_m: float
    units: str
    population: str


def province_coverage(task: ProvinceTask) -> dict[str, Any]:
    """One province's coverage today (the task a worker runs).

    The province is gridded in its own UTM zone, every commune scaled to its official
    population; the radio model runs on flat earth in every province, Bắc Ninh too (the
    embedded DEMs cover it alone, so the national table keeps one basis); today's sites
    are synthetic (Bắc Ninh's rules and spacing factor, not re-tuned) except for Bắc
    Ninh, whose shipped set is used.

    Parameters
    ----------
    task : ProvinceTask
        The province and the settings.

    Returns
    -------
    dict
        ``province`` (one row of figures: people, WorldPop people, scale factor, sites,
        covered people, seconds, peak memory in bytes) and ``units`` (records per unit,
        offshore units with ``on_grid`` False and nothing covered).
    """
    started = time.perf_counter()
    _reset_peak_rss()
    # one basis for all: flat earth (the embedded DEMs cover Bắc Ninh only)
    terrain = {"dem_paths": (FLAT_EARTH,)} if task.model == "38901" else {}
    config = run_config(task.model, cell_size_m=task.cell_size_m, **terrain)
    scenario = load_province(task.code, config=config, units=task.units, population=task.population)
    data = province_data(task.code, task.units, task.population)
    result = scenario.coverage(task.model)
    grid = scenario.grid
    units = result.communes[
        ["code", "name", "population", "covered_population", "reliable_population"]
    ].copy()
    # WorldPop people by 1 km cell centre: each cell in one unit, so provinces add up
    worldpop = worldpop_by_unit(data.communes, data.population)
    units["worldpop_population"] = worldpop.reindex(units["code"]).fillna(0.0).to_numpy()
    share = (units["covered_population"] / units["population"]).where(units["population"] > 0)
    units["covered_worldpop"] = (share.fillna(0.0) * units["worldpop_population"]).to_numpy()
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
        "n_sites": int(result.n_sites),
        "stations_synthetic": bool(scenario.stations_synthetic),
        "covered_population": float(result.covered_population),
        "reliable_population": float(result.reliable_population),
        "covered_worldpop": float(units["covered_worldpop"].sum()),
        "n_cells": len(result.cells),
        "seconds": time.perf_counter() - started,
        "peak_memory_bytes": _peak_rss_bytes(),
    }
    return {"province": row, "units": units.to_dict("records")}


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
            "sites": f"synthetic outside Bắc Ninh: Bắc Ninh's sites per person and its "
            f"spacing factor {BAC_NINH_SPACING_FACTOR:g}, not re-tuned",
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
        for path in paths.values():
            check_writable(path, overwrite)
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        write_table_csv(self.provinces, paths["provinces"], overwrite)
        write_table_csv(self.units, paths["units"], overwrite)
        return paths

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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rounded = frame.copy()
    for column in rounded.select_dtypes("float").columns:
        digits = 6 if column.endswith(("share", "factor")) else 1
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
) -> NationalCoverage:
    """Coverage today in every province (or those in ``codes``), one task per province.

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

    Returns
    -------
    NationalCoverage
        Per-province and per-unit tables and the national totals; identical whatever
        the engine (each province is computed independently and deterministically).
    """
    chosen = provinces(codes)
    tasks = [
        ProvinceTask(p.code, model, float(cell_size_m), str(units_path()), str(population_path()))
        for p in chosen
    ]
    workers = n_workers or default_workers()
    limit = memory_limit_bytes or default_memory_limit(workers)
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    used = resolve_engine(engine, scheduler)
    started = time.perf_counter()
    rows = run_tasks(
        province_coverage,
        tasks,
        used,
        scheduler=scheduler,
        n_workers=workers,
        memory_limit_bytes=limit,
    )
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
    fn: Callable[[ProvinceTask], dict[str, Any]],
    tasks: Sequence[ProvinceTask],
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
    fn: Callable[[ProvinceTask], dict[str, Any]],
    tasks: Sequence[ProvinceTask],
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
    fn: Callable[[ProvinceTask], dict[str, Any]],
    tasks: Sequence[ProvinceTask],
    scheduler: str | None,
    workers: int,
    memory_limit_bytes: float,
) -> Iterator[tuple[int, dict[str, Any]]]:
    import distributed  # a dependency; imported here to keep `import geoplan` light

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
        )
        client = distributed.Client(cluster)
    try:
        futures = {
            client.submit(fn, task, key=f"province-{task.code}-{task.model}", pure=False): i
            for i, task in enumerate(tasks)
        }
        done = distributed.as_completed(list(futures))
        for future in progress(done, "provinces", len(tasks), "province"):
            yield futures[future], _result(future, tasks[futures[future]])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
    "NationalCoverage",
    "ProvinceTask",
    "check_writable",
    "csv_paths",
    "dask_available",
    "default_memory_limit",
    "default_workers",
    "describe_province",
    "national_coverage",
    "output_paths",
    "province_coverage",
    "provinces",
    "resolve_engine",
    "run_tasks",
]
