"""Geospatial adapter: scenario -> arrays -> optimiser -> tables and GeoDataFrames.

The optimiser core never sees geometry; this module builds the demand (people not
covered today), the candidates and their coverage matrix, calls the core, and turns
the answer into the plan tables (new sites, phases, communes before/after, curve).
"""

from __future__ import annotations

import html
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from geoplan.candidates import (
    CandidateSet,
    build_candidates,
    candidate_coverage,
    read_candidates,
    subset_cells,
)
from geoplan.config import PlanConfig
from geoplan.coverage import CoverageModel, CoverageResult
from geoplan.errors import InputError, SolverError
from geoplan.optimize.core import (
    OptimizeResult,
    TargetUnreachableError,
    max_coverage,
    min_sites_for_target,
)
from geoplan.optimize.phasing import coverage_curve, order_by_marginal_gain, split_into_phases
from geoplan.population import Cells

if TYPE_CHECKING:
    import os

    from geoplan.outputs.plan_dir import Plan
    from geoplan.scenario import Scenario

log = logging.getLogger(__name__)

NEW_SITE_COLUMNS = ["site_id", "kind", "phase", "order", "lon", "lat", "cost_vnd",
                    "added_population", "commune_code", "commune_name"]  # fmt: skip


@dataclass(frozen=True)
class PlanResult:
    """A site plan: where to build, in what order, what it buys and what it costs.

    Attributes
    ----------
    new_sites : GeoDataFrame (EPSG:4326) in build order, columns of ``new_sites.csv``
    phases : per phase: sites, cost (VND), covered share after the phase
    communes : per commune: people and covered people/share before and after
    curve : covered share after 0, 1, 2 … new sites in build order
    summary : the ``plan.json`` object (without ``files``)
    optimize : the core's result (bound, gap, status, sizes)
    candidates : every candidate considered
    commune_phases : per commune: covered share today and after each phase
        (``after_phase_1`` …), the order of the build per place
    """

    new_sites: gpd.GeoDataFrame
    phases: pd.DataFrame
    communes: pd.DataFrame
    curve: pd.DataFrame
    summary: dict[str, Any]
    optimize: OptimizeResult = field(repr=False)
    candidates: CandidateSet = field(repr=False)
    commune_phases: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_dict(self, files: dict[str, str] | None = None) -> dict[str, Any]:
        """The ``plan.json`` / ``--json`` object."""
        return self.summary | {"files": dict(files or {})}

    def write(self, out_dir: str | os.PathLike[str], overwrite: bool = False) -> dict[str, str]:
        """Write the plan files into ``out_dir``; see :func:`geoplan.outputs.plan.write_plan`."""
        from geoplan.outputs.plan import write_plan

        return write_plan(self, out_dir, overwrite)

    def to_plan(self) -> Plan:
        """The plan as the maps, figures and reports take it (same tables as a plan folder)."""
        from geoplan.outputs.plan_dir import Plan

        phases = self.commune_phases if len(self.commune_phases.columns) else None
        return Plan(self.new_sites, self.phases, self.communes, self.curve, meta=self.summary,
                    commune_phases=phases)  # fmt: skip

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"PlanResult({s['n_new_sites']} new sites: {s['baseline_share']:.1%} -> "
            f"{s['achieved_share']:.1%} covered (target {_fmt_target(s['target'])}); "
            f"{s['solver']} solver ({s['status']}), gap {s['gap']:.2%}; "
            f"CAPEX {s['total_cost_vnd'] / 1e9:,.1f} bn VND in {len(self.phases)} phases)"
        )

    def _repr_html_(self) -> str:
        s = self.summary
        rows = [
            ("Covered today", f"{s['baseline_share']:.1%}"),
            ("Covered after the plan", f"{s['achieved_share']:.1%}"),
            ("Target", _fmt_target(s["target"])),
            ("New sites", f"{s['n_new_sites']}"),
            ("Proven bound / gap", f"{s['bound']:,.6g} ({s['bound_kind']}) / {s['gap']:.2%}"),
            ("Solver", f"{s['solver']} ({s['status']}, {s['seconds']:.1f} s)"),
            ("CAPEX", f"{s['total_cost_vnd']:,.0f} VND"),
            ("State support (up to)", f"{s['state_support_vnd']:,.0f} VND"),
            ("Model", s["model"]),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        phases = self.phases.to_html(index=False, float_format=lambda v: f"{v:,.4g}")
        return f"<table>{body}</table><p>Phases</p>{phases}"


def _fmt_target(target: float | None) -> str:
    return "none (most coverage within the limits)" if target is None else f"{100 * target:g}%"


def plan_sites(
    scenario: Scenario,
    target: float | None = None,
    *,
    solver: str = "exact",
    max_sites: int | None = None,
    budget_vnd: float | None = None,
    min_commune_share: float | None = None,
    candidates: str | os.PathLike[str] | pd.DataFrame | None = None,
    model: str | CoverageModel = "radius",
    sites_per_phase: int | None = None,
    budget_per_phase_vnd: float | None = None,
    preferred_kinds: tuple[str, ...] = (),
    time_limit_s: float | None = None,
) -> PlanResult:
    """Plan new sites for ``scenario``.

    With a ``target`` (share of people, 0..1) the plan uses the fewest new sites that
    reach it (``max_sites`` and ``budget_vnd`` then act as caps). Without a target but
    with ``max_sites`` and/or ``budget_vnd`` it covers the most people within them.
    With neither, the target is ``config.plan_target_share`` (80%).

    Examples
    --------
    >>> import geoplan
    >>> plan = geoplan.load_scenario().plan(target=0.6, solver="greedy")  # doctest: +SKIP
    >>> plan.new_sites[["site_id", "phase", "added_population"]].head()  # doctest: +SKIP
    """
    from geoplan.scenario import get_model

    started = time.perf_counter()
    config = scenario.config
    chosen_model = get_model(model, config) if isinstance(model, str) else model
    if target is None and max_sites is None and budget_vnd is None:
        target = config.plan_target_share
    _check_arguments(target, max_sites, budget_vnd, min_commune_share)
    baseline, demand, candidate_set, cover = planning_arrays(scenario, chosen_model, candidates)
    result = _solve(baseline, demand.population, demand.commune, cover, candidate_set, config,
                    target, solver, max_sites, budget_vnd, min_commune_share, preferred_kinds,
                    time_limit_s)  # fmt: skip
    order, gains = order_by_marginal_gain(demand.population, cover, result.selected)
    cost_in_order = candidate_set.cost_vnd[order]
    if budget_per_phase_vnd is not None:
        phase = split_into_phases(cost_in_order, budget_per_phase=budget_per_phase_vnd)
    else:
        phase = split_into_phases(cost_in_order, sites_per_phase or config.sites_per_phase)
    new_sites = _new_sites_frame(scenario, candidate_set, order, gains, phase)
    total = baseline.population_total
    curve = coverage_curve(gains, baseline.covered_population, total)
    newly = _newly_covered(cover, result.selected, demand.population.size)
    communes = _communes_before_after(baseline, demand.commune, demand.population, newly)
    by_phase = _communes_by_phase(baseline, demand, cover, order, phase)
    phases = _phases_table(new_sites, curve)
    summary = _summary(scenario, chosen_model, baseline, result, new_sites, phases, target,
                       candidate_set, time.perf_counter() - started, config)  # fmt: skip
    return PlanResult(new_sites, phases, communes, curve, summary, result, candidate_set,
                      by_phase)  # fmt: skip


def planning_arrays(
    scenario: Scenario,
    model: CoverageModel,
    candidates: str | os.PathLike[str] | pd.DataFrame | None = None,
) -> tuple[CoverageResult, Cells, CandidateSet, sparse.csr_matrix]:
    """Today's coverage, the demand (people not covered today), candidates and their matrix.

    The demand is every populated cell the existing sites leave uncovered; the matrix
    is ``model.coverage_matrix`` of the candidates over those cells, built in chunks.
    """
    config = scenario.config
    baseline = scenario.coverage(model)
    cells = baseline.cells
    demand = subset_cells(cells, ~baseline.covered & (cells.population > 0))
    user = candidates if isinstance(candidates, pd.DataFrame) else None
    if candidates is not None and user is None:
        user = read_candidates(candidates, config)
    candidate_set = build_candidates(scenario.grid, demand, model, config, user_candidates=user)
    cover = candidate_coverage(model, candidate_set.sites, demand)
    log.info("coverage matrix: %d candidates × %d demand cells, %d pairs",
             cover.shape[0], cover.shape[1], cover.nnz)  # fmt: skip
    return baseline, demand, candidate_set, cover


# --------------------------------------------------------------------------- helpers
def _check_arguments(
    target: float | None, max_sites: int | None, budget_vnd: float | None,
    min_commune_share: float | None,
) -> None:  # fmt: skip
    if target is not None and not 0 < target <= 1:
        raise InputError(f"target must be a share in (0, 1], got {target}; e.g. 0.8 for 80%")
    if max_sites is not None and max_sites < 0:
        raise InputError(f"max sites must be >= 0, got {max_sites}")
    if budget_vnd is not None and budget_vnd < 0:
        raise InputError(f"budget must be >= 0 VND, got {budget_vnd:g}")
    if min_commune_share is not None and not 0 <= min_commune_share <= 1:
        raise InputError(f"min commune share must be in [0, 1], got {min_commune_share}")


def _solve(
    baseline: CoverageResult, weights: np.ndarray, commune: np.ndarray, cover: Any,
    candidate_set: CandidateSet, config: PlanConfig, target: float | None, solver: str,
    max_sites: int | None, budget_vnd: float | None, min_commune_share: float | None,
    preferred_kinds: tuple[str, ...], time_limit_s: float | None,
) -> OptimizeResult:  # fmt: skip
    total = baseline.population_total
    options: dict[str, Any] = {
        "solver": solver,
        "cost": candidate_set.cost_vnd,
        "budget": budget_vnd,
        "preferred": candidate_set.frame["kind"].isin(preferred_kinds).to_numpy()
        if preferred_kinds else None,
        "time_limit_s": config.solver_time_limit_s if time_limit_s is None else time_limit_s,
        "mip_rel_gap": config.solver_mip_rel_gap,
        "lp_bound_s": config.greedy_lp_bound_s,
        "seed": config.seed,
    }  # fmt: skip
    if min_commune_share:
        table = baseline.communes
        need = np.maximum(
            0.0, min_commune_share * table["population"].to_numpy(float)
            - table["covered_population"].to_numpy(float),
        )  # fmt: skip
        names = [f"{c} {n}" for c, n in zip(table["code"], table["name"], strict=True)]
        options |= {"groups": commune, "group_min_weight": need, "group_names": names,
                    "group_label": "commune"}  # fmt: skip
    if target is None:
        return max_coverage(weights, cover, max_sites, **options)
    missing = target * total - baseline.covered_population
    if missing <= 0:
        return min_sites_for_target(weights, cover, 0.0, max_sites=max_sites, **options)
    try:
        return min_sites_for_target(weights, cover, missing, max_sites=max_sites, **options)
    except TargetUnreachableError as exc:
        reachable = (baseline.covered_population + exc.reachable_weight) / total
        raise SolverError(
            f"target {target:.1%} is out of reach: today's sites and all {len(candidate_set)} "
            f"candidates together cover at most {reachable:.2%} of people; lower --target "
            "or add candidates (--candidates)"
        ) from None


def _newly_covered(cover: Any, selected: np.ndarray, n_demand: int) -> np.ndarray:
    if selected.size == 0:
        return np.zeros(n_demand, bool)
    return np.asarray(cover[selected].getnnz(axis=0) > 0)


def _new_sites_frame(
    scenario: Scenario, candidate_set: CandidateSet, order: np.ndarray, gains: np.ndarray,
    phase: np.ndarray,
) -> gpd.GeoDataFrame:  # fmt: skip
    chosen = candidate_set.frame.iloc[order].reset_index(drop=True)
    frame = gpd.GeoDataFrame(
        {
            "site_id": chosen["candidate_id"].astype(str).to_numpy(),
            "kind": chosen["kind"].astype(str).to_numpy(),
            "phase": phase.astype(np.int64),
            "order": np.arange(1, len(chosen) + 1, dtype=np.int64),
            "lon": chosen["lon"].to_numpy(float),
            "lat": chosen["lat"].to_numpy(float),
            "cost_vnd": chosen["cost_vnd"].to_numpy(float).round().astype(np.int64),
            "added_population": np.round(gains).astype(np.int64),
        },
        geometry=gpd.points_from_xy(chosen["lon"], chosen["lat"]),
        crs=scenario.config.storage_crs,
    )
    code, name = _communes_of(frame, scenario)
    frame.insert(8, "commune_code", code)
    frame.insert(9, "commune_name", name)
    return frame


def _communes_of(frame: gpd.GeoDataFrame, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Commune of each point (the nearest one for a point just outside the border)."""
    if frame.empty:
        return np.array([], dtype=object), np.array([], dtype=object)
    work = scenario.config.work_crs
    communes = scenario.communes[["code", "name", "geometry"]].to_crs(work)
    joined = gpd.sjoin_nearest(frame[["geometry"]].to_crs(work), communes, how="left")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    return joined["code"].astype(str).to_numpy(), joined["name"].astype(str).to_numpy()


def _communes_before_after(
    baseline: CoverageResult, commune: np.ndarray, population: np.ndarray, newly: np.ndarray
) -> pd.DataFrame:
    table = baseline.communes
    added = np.bincount(commune, weights=population * newly, minlength=len(table))
    people = table["population"].to_numpy(float)
    before = table["covered_population"].to_numpy(float)
    after = before + added
    with np.errstate(divide="ignore", invalid="ignore"):
        share_before = np.where(people > 0, before / people, 0.0)
        share_after = np.where(people > 0, after / people, 0.0)
    return pd.DataFrame(
        {
            "code": table["code"].astype(str).to_numpy(),
            "name": table["name"].astype(str).to_numpy(),
            "population": people.round().astype(np.int64),
            "covered_population_before": before.round().astype(np.int64),
            "covered_population_after": after.round().astype(np.int64),
            "covered_share_before": share_before.round(6),
            "covered_share_after": share_after.round(6),
        }
    )


def _communes_by_phase(
    baseline: CoverageResult, demand: Cells, cover: Any, order: np.ndarray, phase: np.ndarray
) -> pd.DataFrame:
    """Covered share of each commune today and after each phase (cumulative)."""

    def after(sites: np.ndarray) -> pd.DataFrame:
        newly = _newly_covered(cover, sites, demand.population.size)
        return _communes_before_after(baseline, demand.commune, demand.population, newly)

    today = after(order[:0])
    out = today[["code", "name", "population"]].assign(
        covered_share_today=today["covered_share_before"]
    )
    for p in np.unique(phase):
        out[f"after_phase_{int(p)}"] = after(order[phase <= p])["covered_share_after"]
    return out


def _phases_table(new_sites: gpd.GeoDataFrame, curve: pd.DataFrame) -> pd.DataFrame:
    if new_sites.empty:
        return pd.DataFrame(
            {"phase": pd.Series(dtype="int64"), "n_sites": pd.Series(dtype="int64"),
             "cost_vnd": pd.Series(dtype="int64"), "covered_share_after": pd.Series(dtype=float),
             "added_population": pd.Series(dtype="int64")}
        )  # fmt: skip
    grouped = new_sites.groupby("phase", sort=True)
    table = pd.DataFrame(
        {
            "n_sites": grouped.size(),
            "cost_vnd": grouped["cost_vnd"].sum(),
            "last_order": grouped["order"].max(),
            "added_population": grouped["added_population"].sum(),
        }
    ).reset_index()
    table["covered_share_after"] = (
        curve["covered_share"].to_numpy()[table["last_order"].to_numpy()].round(6)
    )
    columns = ["phase", "n_sites", "cost_vnd", "covered_share_after", "added_population"]
    return table[columns].astype({"phase": "int64", "n_sites": "int64", "cost_vnd": "int64"})


def _summary(
    scenario: Scenario, model: CoverageModel, baseline: CoverageResult, result: OptimizeResult,
    new_sites: gpd.GeoDataFrame, phases: pd.DataFrame, target: float | None,
    candidate_set: CandidateSet, seconds: float, config: PlanConfig,
) -> dict[str, Any]:  # fmt: skip
    total = baseline.population_total
    newly = result.covered_weight
    cost = float(new_sites["cost_vnd"].sum()) if len(new_sites) else 0.0
    if result.objective == "covered_weight":
        bound, bound_kind = (baseline.covered_population + result.bound) / total, "covered_share"
    else:
        bound, bound_kind = result.bound, "n_sites"
    support = config.state_support_share * cost
    sources = candidate_set.frame["source"].value_counts().sort_index()
    return {
        "mode": "min_sites" if result.objective == "n_sites" else "max_coverage",
        "baseline_share": round(baseline.covered_share, 6),
        "achieved_share": round((baseline.covered_population + newly) / total, 6),
        "target": target,
        "n_new_sites": result.n_sites,
        "newly_covered_population": round(newly),
        "bound": round(float(bound), 6),
        "bound_kind": bound_kind,
        "gap": round(result.gap, 6),
        "status": result.status,
        "solver": result.solver,
        "seconds": round(seconds, 2),
        "solver_seconds": round(result.seconds, 2),
        "total_cost_vnd": round(cost),
        "total_cost": round(cost),
        "state_support_share": config.state_support_share,
        "state_support_vnd": round(support),
        "net_cost_vnd": round(cost - support),
        "cost_per_new_person_vnd": round(cost / newly) if newly > 0 else None,
        "phases": json.loads(phases.to_json(orient="records")),
        "model": model.name,
        "model_description": model.describe(),
        "stations_synthetic": scenario.stations_synthetic,
        "n_existing_sites": baseline.n_sites,
        "candidates": {str(k): int(v) for k, v in sources.items()} | {"total": len(candidate_set)},
        "problem": dict(result.stats),
    }
