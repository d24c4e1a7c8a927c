"""Planning stage: inputs -> arrays -> optimiser -> one :class:`~geoplan.results.Plan`.

The optimiser core (:mod:`geoplan.optimize`) never sees geometry; this module builds
the demand (people not covered today), the candidates and their coverage matrix,
calls the core, and turns the answer into the plan tables (new sites, phases,
communes before/after, curve) with the columns of :mod:`geoplan.schema`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from geoplan.candidates import (
    build_candidates,
    candidate_coverage,
    default_upgrades,
    read_candidates,
    uses_default_upgrades,
)
from geoplan.config import PlanConfig
from geoplan.coverage import compute_coverage
from geoplan.errors import ConfigError, InputError, SolverError
from geoplan.grid import Cells, subset_cells
from geoplan.inputs import Inputs
from geoplan.io.carriers import ANY_OPERATOR, canonical_operator, read_carriers
from geoplan.io.recorded import input_record, synthetic_record
from geoplan.models import CoverageModel, get_model
from geoplan.optimize.core import (
    OptimizeResult,
    TargetUnreachableError,
    max_coverage,
    min_sites_for_target,
)
from geoplan.optimize.equity import lift_groups
from geoplan.optimize.phasing import coverage_curve, order_by_marginal_gain, split_into_phases
from geoplan.progress import note
from geoplan.results import CoverageResult, Plan, PlanSummary
from geoplan.schema import (
    AFTER_PHASE_PREFIX,
    COMMUNES_BEFORE_AFTER,
    COMMUNES_BY_PHASE,
    NEW_SITES,
    PHASES,
    PLANNABLE_LAYERS,
    UPGRADE_4G,
    BoundKind,
    PlanObjective,
    SiteKind,
    SolverName,
)
from geoplan.sites import CandidateSet, Sites

log = logging.getLogger(__name__)


def check_plan_layer(config: PlanConfig) -> None:
    """Refuse, in one line, a coverage layer no optimiser can plan to (``qcvn``).

    The optimiser needs each candidate to cover cells on its own (a binary candidates ×
    cells matrix); under interference a new site lowers its neighbours' SINR, so the
    QCVN layer is not separable. An approximation (each candidate's own SINR against
    today's network) would claim a share that nothing bounds (new sites interfere with
    each other and with today's), so it is not offered: plan to the signal or usable
    layer, and report QCVN with ``geoplan coverage --layers qcvn`` (docs/radio.md).

    Raises
    ------
    ConfigError
        For ``coverage_layer`` not in :data:`geoplan.schema.PLANNABLE_LAYERS`.
    """
    if config.coverage_layer not in PLANNABLE_LAYERS:
        raise ConfigError(
            f"--coverage {config.coverage_layer} cannot be planned to: interference makes it "
            "depend on all sites at once (docs/radio.md); plan with --coverage signal or "
            "usable, then see QCVN with `geoplan coverage --layers qcvn`"
        )


def plan_sites(
    inputs: Inputs,
    target: float | None = None,
    *,
    solver: SolverName = "auto",
    max_sites: int | None = None,
    budget_vnd: float | None = None,
    min_commune_share: float | None = None,
    candidates: str | os.PathLike[str] | pd.DataFrame | None = None,
    model: str | CoverageModel | None = None,
    sites_per_phase: int | None = None,
    budget_per_phase_vnd: float | None = None,
    preferred_kinds: tuple[SiteKind, ...] = (),
    time_limit_s: float | None = None,
    objective: PlanObjective = "sites",
) -> Plan:
    """Plan new sites for ``inputs``: which, in what order, at what cost.

    With a ``target`` the plan uses the fewest new sites that reach it (``max_sites``
    and ``budget_vnd`` then act as caps). Without a target but with ``max_sites``
    and/or ``budget_vnd`` it covers the most people within them. With neither, the
    target is ``config.plan_target_share`` (80%).

    Parameters
    ----------
    inputs : communes, population grid, today's stations and settings
    target : covered share of people to reach, in (0, 1]
    solver : ``"auto"`` (default: greedy, LP bound, reduced-cost fixing and a restricted
        MILP that proves the gap), ``"exact"`` (the same until the gap closes or the time
        runs out) or ``"greedy"`` (LP-bounded)
    max_sites : at most this many new sites
    budget_vnd : at most this much CAPEX, VND
    min_commune_share : every commune at least this covered share after the plan, 0..1
        (default ``config.plan_min_commune_share``; 0 there means no floor)
    candidates : extra candidates (a CSV path or a table from
        :func:`geoplan.candidates.read_candidates`), e.g. existing towers to upgrade
    model : coverage model name (:data:`geoplan.models.MODELS`) or object
    sites_per_phase : sites per build phase, >= 1 (default ``config.sites_per_phase``)
    budget_per_phase_vnd : CAPEX per phase instead of a count, VND
    preferred_kinds : site kinds that win ties (``"new_tower"``, ``"upgrade"``)
    time_limit_s : seconds for the exact solver (default ``config.solver_time_limit_s``)
    objective : with a target, minimise the number of new sites (``"sites"``) or their
        CAPEX (``"cost"``)

    Returns
    -------
    Plan
        the new sites in build order, phases, communes before/after, curve, summary.

    Examples
    --------
    >>> import geoplan
    >>> plan = geoplan.load_scenario().plan(target=0.6, solver="greedy")  # doctest: +SKIP
    >>> plan.new_sites[["site_id", "phase", "added_population"]].head()  # doctest: +SKIP
    """
    started = time.perf_counter()
    config = inputs.config
    check_plan_layer(config)
    chosen_model = (
        get_model(model, config, inputs.grid) if model is None or isinstance(model, str) else model
    )
    if target is None and max_sites is None and budget_vnd is None:
        target = config.plan_target_share
    per_phase = config.sites_per_phase if sites_per_phase is None else sites_per_phase
    if min_commune_share is None and config.plan_min_commune_share > 0:
        min_commune_share = config.plan_min_commune_share
    _check_arguments(target, max_sites, budget_vnd, min_commune_share, per_phase)
    note(f"planning with the {chosen_model.name} model: today's coverage and the candidates")
    baseline, demand, candidate_set, cover = planning_arrays(inputs, chosen_model, candidates)
    note(f"{len(candidate_set):,} candidates, {len(demand):,} uncovered cells; solving ({solver})")
    result = _solve(baseline, demand.population, demand.commune, cover, candidate_set, config,
                    target, solver, max_sites, budget_vnd, min_commune_share, preferred_kinds,
                    time_limit_s, objective)  # fmt: skip
    order, gains = order_by_marginal_gain(demand.population, cover, result.selected)
    cost_in_order = candidate_set.cost_vnd[order]
    if budget_per_phase_vnd is not None:
        phase = split_into_phases(cost_in_order, budget_per_phase=budget_per_phase_vnd)
    else:
        phase = split_into_phases(cost_in_order, per_phase)
    new_sites = _new_sites_frame(inputs, candidate_set, order, gains, phase)
    total = baseline.population_total
    curve = coverage_curve(gains, baseline.reliable_population, total)
    newly = _newly_covered(cover, result.selected, demand.population.size)
    communes = _communes_before_after(baseline, demand.commune, demand.population, newly)
    by_phase = _communes_by_phase(baseline, demand, cover, order, phase)
    phases = phases_table(new_sites, curve)
    note(f"{result.n_sites} new sites (gap {result.gap:.2%}); coverage after the plan")
    after = compute_coverage(
        inputs.grid, Sites.concat([inputs.sites(), candidate_set.sites.take(order)]), chosen_model
    )  # the headline (expected) share once the plan is built
    equity = _equity(communes, demand, cover, newly, result.selected, candidate_set, config)
    summary = _summary(inputs, chosen_model, baseline, result, new_sites, phases, target,
                       candidate_set, time.perf_counter() - started, config, after)  # fmt: skip
    summary = dataclasses.replace(
        summary,
        equity=equity,
        inputs=inputs_record(inputs, candidates, chosen_model),
        settings=settings_record(config),
    )
    return Plan(new_sites, phases, communes, curve, summary, commune_phases=by_phase,
                candidates=candidate_set, optimize=result, planned_on=inputs,
                coverage_after=after if model is None or isinstance(model, str) else None,
                )  # fmt: skip


def planning_arrays(
    inputs: Inputs,
    model: CoverageModel,
    candidates: str | os.PathLike[str] | pd.DataFrame | None = None,
) -> tuple[CoverageResult, Cells, CandidateSet, sparse.csr_matrix]:
    """Today's coverage, the demand (people not covered today), candidates and their matrix.

    The demand is every populated cell the existing sites leave uncovered; the matrix
    is ``model.coverage_matrix`` of the candidates over those cells, built in chunks.

    Parameters
    ----------
    inputs : Inputs
        Communes, population grid, today's stations and settings.
    model : CoverageModel
        The coverage model of today's coverage and of the candidates.
    candidates : str, path, DataFrame or None
        Extra candidates (a CSV path or a table from
        :func:`geoplan.candidates.read_candidates`), added to the generated ones.

    Returns
    -------
    (baseline, demand, candidate_set, cover) : today's :class:`CoverageResult`, the
        uncovered populated cells, the candidates, and the boolean candidates × demand
        cells matrix
    """
    config = inputs.config
    baseline = compute_coverage(inputs.grid, inputs.sites(), model)
    cells = baseline.cells
    demand = subset_cells(cells, ~baseline.covered & (cells.population > 0))
    user = candidates if isinstance(candidates, pd.DataFrame) else None
    if candidates is not None and user is None:
        user = read_candidates(candidates, config)
    upgrades = default_upgrades(inputs.stations, config, inputs.sites_4g)
    candidate_set = build_candidates(
        inputs.grid, demand, model, config, user_candidates=user, upgrades=upgrades
    )
    candidate_set = _on_the_operators_carrier(candidate_set, inputs)
    cover = candidate_coverage(model, candidate_set.sites, demand)
    log.info("coverage matrix: %d candidates × %d demand cells, %d pairs",
             cover.shape[0], cover.shape[1], cover.nnz)  # fmt: skip
    return baseline, demand, candidate_set, cover


# --------------------------------------------------------------------------- helpers
def _on_the_operators_carrier(candidate_set: CandidateSet, inputs: Inputs) -> CandidateSet:
    """Every generated candidate on one carrier: the operator's own in its plan, else generic n78.

    In a plan for several operators a new tower has no operator, so it gets the generic
    n78 carrier; the 4G upgrades get the same one (not their owner's), so the optimiser
    chooses between an upgrade and a new tower by place and cost, not by a band only one
    of them is allowed (on the default data Viettel's 2.55 GHz would reach further than
    3.5 GHz and turn the comparison into one of frequencies).
    """
    operators = (
        set(inputs.stations["operator"].map(canonical_operator)) if len(inputs.stations) else set()
    )
    carriers = read_carriers()
    defaults = carriers[carriers["default"]].set_index("operator")
    frame = candidate_set.frame.copy()
    if len(operators) == 1 and (operator := operators.pop()) in defaults.index:
        generated = (frame["source"] != "user").to_numpy()
        frame.loc[generated, "operator"] = operator
    elif (upgrades := (frame["source"] == UPGRADE_4G).to_numpy()).any():
        generated, operator = upgrades, ANY_OPERATOR
    else:
        return candidate_set
    carrier = defaults.loc[operator]
    frame.loc[generated, "band"] = carrier["band"]
    frame.loc[generated, "frequency_ghz"] = carrier["centre_mhz"] / 1000.0
    frame.loc[generated, "eirp_dbm"] = carrier["eirp_dbm"]
    frame.loc[generated, "n_subcarriers"] = carrier["n_subcarriers"]
    return CandidateSet(frame, Sites.from_frame(frame, inputs.grid, inputs.config))


def _check_arguments(
    target: float | None, max_sites: int | None, budget_vnd: float | None,
    min_commune_share: float | None, sites_per_phase: int,
) -> None:  # fmt: skip
    if target is not None and not 0 < target <= 1:
        raise InputError(f"target must be a share in (0, 1], got {target}; e.g. 0.8 for 80%")
    if max_sites is not None and max_sites < 0:
        raise InputError(f"max sites must be >= 0, got {max_sites}")
    if budget_vnd is not None and budget_vnd < 0:
        raise InputError(f"budget must be >= 0 VND, got {budget_vnd:g}")
    if min_commune_share is not None and not 0 <= min_commune_share <= 1:
        raise InputError(f"min commune share must be in [0, 1], got {min_commune_share}")
    if sites_per_phase < 1:
        raise InputError(
            "sites per phase (--sites-per-phase) must be a whole number >= 1, "
            f"got {sites_per_phase}"
        )


def _solve(
    baseline: CoverageResult, weights: np.ndarray, commune: np.ndarray, cover: Any,
    candidate_set: CandidateSet, config: PlanConfig, target: float | None, solver: str,
    max_sites: int | None, budget_vnd: float | None, min_commune_share: float | None,
    preferred_kinds: tuple[str, ...], time_limit_s: float | None,
    objective: PlanObjective = "sites",
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
            - table["reliable_population"].to_numpy(float),
        )  # fmt: skip
        names = [f"{c} {n}" for c, n in zip(table["code"], table["name"], strict=True)]
        options |= {"groups": commune, "group_min_weight": need, "group_names": names,
                    "group_label": "commune"}  # fmt: skip
    if target is None:
        return max_coverage(weights, cover, max_sites, **options)
    missing = max(target * total - baseline.reliable_population, 0.0)
    try:
        return min_sites_for_target(weights, cover, missing, max_sites=max_sites,
                                    objective=objective, zones=commune, **options)  # fmt: skip
    except TargetUnreachableError as exc:
        reachable = (baseline.reliable_population + exc.reachable_weight) / total
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
    inputs: Inputs, candidate_set: CandidateSet, order: np.ndarray, gains: np.ndarray,
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
        crs=inputs.config.storage_crs,
    )
    code, name = communes_of(frame, inputs)
    frame["commune_code"] = code
    frame["commune_name"] = name
    return frame[[*NEW_SITES.columns, "geometry"]]


def communes_of(frame: gpd.GeoDataFrame, inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """Commune of each point (the nearest one for a point just outside the border).

    Parameters
    ----------
    frame : points (any CRS)
    inputs : the communes and the work CRS in which "nearest" is measured

    Returns
    -------
    (codes, names) : object arrays, one per point
    """
    if frame.empty:
        return np.array([], dtype=object), np.array([], dtype=object)
    work = inputs.config.work_crs
    communes = inputs.communes[["code", "name", "geometry"]].to_crs(work)
    joined = gpd.sjoin_nearest(frame[["geometry"]].to_crs(work), communes, how="left")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    return joined["code"].astype(str).to_numpy(), joined["name"].astype(str).to_numpy()


def _communes_before_after(
    baseline: CoverageResult, commune: np.ndarray, population: np.ndarray, newly: np.ndarray
) -> pd.DataFrame:
    table = baseline.communes
    added = np.bincount(commune, weights=population * newly, minlength=len(table))
    people = table["population"].to_numpy(float)
    before = table["reliable_population"].to_numpy(float)
    after = before + added
    with np.errstate(divide="ignore", invalid="ignore"):
        share_before = np.where(people > 0, before / people, 0.0)
        share_after = np.where(people > 0, after / people, 0.0)
    frame = pd.DataFrame(
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
    return frame[list(COMMUNES_BEFORE_AFTER.columns)]


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
    )[list(COMMUNES_BY_PHASE.columns)]
    for p in np.unique(phase):
        out[f"{AFTER_PHASE_PREFIX}{int(p)}"] = after(order[phase <= p])["covered_share_after"]
    return out


def _equity(
    communes: pd.DataFrame, demand: Cells, cover: Any, newly: np.ndarray, selected: np.ndarray,
    candidate_set: CandidateSet, config: PlanConfig,
) -> dict[str, Any]:  # fmt: skip
    """Who the plan leaves behind, and what lifting them to the floor would add.

    The communes at 0% and below ``config.equity_floor_share`` after the plan (at the
    design reliability, as the plan counts), and the price of that floor estimated by a
    greedy that adds candidates to this plan until every reachable commune holds it.
    The estimate is an upper bound on the extra sites a floor costs *on top of this
    plan*; planning with ``min_commune_share`` from the start may need fewer.
    """
    floor = config.equity_floor_share
    people = communes["population"].to_numpy(float)
    after = communes["covered_population_after"].to_numpy(float)
    need = np.maximum(floor * people - after, 0.0)
    below = (people > 0) & (need >= 1.0)
    zero = (people > 0) & (after < 1.0)
    live = demand.population * ~newly
    extra = lift_groups(live, cover, demand.commune, need)
    gained = np.bincount(
        demand.commune, weights=live * _newly_covered(cover, extra, live.size),
        minlength=len(people),
    )  # fmt: skip
    unreachable = below & (need - gained >= 1.0)
    rows = communes.loc[below, ["code", "name", "population", "covered_share_after"]]
    return {
        "floor_share": floor,
        "communes_at_zero": int(zero.sum()),
        "people_at_zero": round(float(people[zero].sum())),
        "communes_below_floor": int(below.sum()),
        "people_below_floor": round(float(people[below].sum())),
        "below_floor": json.loads(
            rows.sort_values("covered_share_after").to_json(orient="records")
        ),
        "floor_price": {
            "n_sites": int(extra.size),
            "cost_vnd": round(float(candidate_set.cost_vnd[extra].sum())),
            "site_ids": candidate_set.frame["candidate_id"].iloc[extra].astype(str).tolist(),
            "method": "greedy additions to this plan (an upper bound on the extra sites)",
            "unreachable_communes": communes.loc[unreachable, "code"].astype(str).tolist(),
        },
    }


def inputs_record(
    inputs: Inputs, candidates: object = None, model: CoverageModel | None = None
) -> dict[str, Any]:
    """Each input file's path and SHA-256 (see :mod:`geoplan.io.recorded`), as ``plan.json``
    keeps them: generated stations by their sites per operator, a province of the
    national data by its code (``province``) and units file (``units``).

    Parameters
    ----------
    inputs : the plan's inputs
    candidates : the user's candidate file, if one was given
    model : the coverage model (its DEM files are recorded)
    """
    record: dict[str, Any] = {
        kind: _source_record(kind, path, inputs) for kind, path in sorted(inputs.sources.items())
    }
    if "stations" in record:
        record["stations"]["drop_outside"] = inputs.drop_outside
    if inputs.province is not None:
        record["province"] = inputs.province
    if isinstance(candidates, str | os.PathLike):
        record["candidates"] = input_record(candidates)
    if inputs.sites_4g is not None and uses_default_upgrades(
        inputs.stations, inputs.config, inputs.sites_4g
    ):
        record["sites_4g"] = input_record(inputs.sites_4g)
    # the radio model's DEMs (the embedded ones by default; none for --dem flat)
    dem_files = tuple(getattr(model, "dem_paths", ()))
    if dem_files:
        record["dem"] = [input_record(Path(p)) for p in dem_files]
    return record


def _source_record(kind: str, path: Path, inputs: Inputs) -> dict[str, Any]:
    """One input's record; the generator's stations (no file) by their sites per operator."""
    generated = inputs.stations_synthetic or inputs.stations.empty
    if kind == "stations" and generated and not Path(path).is_file():
        counts = inputs.stations["operator"].astype(str).value_counts(sort=False)
        return synthetic_record(str(path), counts.to_dict())
    return input_record(path)


def settings_record(config: PlanConfig) -> dict[str, Any]:
    """The settings of the plan as JSON values (tuples as lists)."""
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in dataclasses.asdict(config).items()
    }


def phases_table(new_sites: gpd.GeoDataFrame, curve: pd.DataFrame) -> pd.DataFrame:
    """The plan's phases (:data:`geoplan.schema.PHASES`) from its new sites and curve.

    Parameters
    ----------
    new_sites : the new sites with ``phase``, ``order``, ``cost_vnd`` (VND) and
        ``added_population`` (people)
    curve : covered share (0..1) after 0, 1, 2 … sites in build order
    """
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
    return table[list(PHASES.columns)].astype(
        {"phase": "int64", "n_sites": "int64", "cost_vnd": "int64"}
    )


def _summary(
    inputs: Inputs, model: CoverageModel, baseline: CoverageResult, result: OptimizeResult,
    new_sites: gpd.GeoDataFrame, phases: pd.DataFrame, target: float | None,
    candidate_set: CandidateSet, seconds: float, config: PlanConfig, after: CoverageResult,
) -> PlanSummary:  # fmt: skip
    total = baseline.population_total
    newly = result.covered_weight
    cost = float(new_sites["cost_vnd"].sum()) if len(new_sites) else 0.0
    bound_kind: BoundKind = "n_sites"
    if result.objective == "covered_weight":
        bound = (baseline.reliable_population + result.bound) / total
        bound_kind = "covered_share"
    elif result.objective == "cost":
        bound, bound_kind = result.bound, "cost_vnd"
    else:
        bound = result.bound
    support = config.state_support_share * cost
    sources = candidate_set.frame["source"].value_counts().sort_index()
    return PlanSummary(
        mode="min_sites" if result.objective == "n_sites" else "max_coverage",
        baseline_share=round(baseline.reliable_share, 6),
        achieved_share=round((baseline.reliable_population + newly) / total, 6),
        baseline_expected_share=round(baseline.covered_share, 6),
        achieved_expected_share=round(after.covered_share, 6),
        target=target,
        n_new_sites=result.n_sites,
        newly_covered_population=round(newly),
        bound=round(float(bound), 6),
        bound_kind=bound_kind,
        gap=round(result.gap, 6),
        status=result.status,
        solver=result.solver,  # type: ignore[arg-type]  # the core's names are SOLVERS
        seconds=round(seconds, 2),
        solver_seconds=round(result.seconds, 2),
        total_cost_vnd=round(cost),
        state_support_share=config.state_support_share,
        state_support_vnd=round(support),
        net_cost_vnd=round(cost - support),
        cost_per_new_person_vnd=round(cost / newly) if newly > 0 else None,
        phases=tuple(json.loads(phases.to_json(orient="records"))),
        model=model.name,
        model_description=model.describe(),
        stations_synthetic=inputs.stations_synthetic,
        n_existing_sites=baseline.n_sites,
        candidates={str(k): int(v) for k, v in sources.items()} | {"total": len(candidate_set)},
        problem=dict(result.stats),
    )
