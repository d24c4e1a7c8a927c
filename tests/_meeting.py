"""Helpers for the map and report tests: tiny scenarios and plan folders."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geoplan.io.plan_folder import write_plan
from geoplan.results import CoverageResult, Plan, PlanSummary
from geoplan.schema import NEW_SITES

HOSTILE = "<img src=x onerror=window.__pwned=1>"


def write_stations(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def write_plan_dir(
    folder: Path,
    result: CoverageResult,
    sites: list[dict[str, object]],
    gain_share: float = 0.1,
) -> Path:
    """A plan folder made from ``result`` by hand, written by the real plan-folder writer."""
    frame = pd.DataFrame(sites, columns=list(NEW_SITES.columns))
    communes = result.communes
    after_share = (communes["covered_share"] + gain_share).clip(upper=1.0)
    before_after = pd.DataFrame(
        {
            "code": communes["code"],
            "name": communes["name"],
            "population": communes["population"],
            "covered_population_before": communes["covered_population"],
            "covered_population_after": after_share * communes["population"],
            "covered_share_before": communes["covered_share"],
            "covered_share_after": after_share,
        }
    )
    phases = sorted(frame["phase"].unique()) if len(frame) else []
    share_after = float(
        before_after["covered_population_after"].sum() / before_after["population"].sum()
    )
    phase_table = pd.DataFrame(
        {
            "phase": phases,
            "n_sites": [int((frame["phase"] == p).sum()) for p in phases],
            "cost_vnd": [float(frame.loc[frame["phase"] == p, "cost_vnd"].sum()) for p in phases],
            "covered_share_after": [share_after] * len(phases),
            "added_population": [
                float(frame.loc[frame["phase"] == p, "added_population"].sum()) for p in phases
            ],
        }
    )
    n = len(frame)
    curve = pd.DataFrame(
        {
            "n_sites": list(range(n + 1)),
            "covered_share": [
                result.covered_share + (share_after - result.covered_share) * i / max(n, 1)
                for i in range(n + 1)
            ],
        }
    )
    cost = float(frame["cost_vnd"].sum()) if n else 0.0
    summary = PlanSummary(
        mode="max_coverage", baseline_share=result.covered_share, achieved_share=share_after,
        baseline_expected_share=result.covered_share, achieved_expected_share=share_after,
        target=None, n_new_sites=n, newly_covered_population=0, bound=share_after,
        bound_kind="covered_share", gap=0.0, status="by hand", solver="greedy", seconds=0.0,
        solver_seconds=0.0, total_cost_vnd=round(cost), state_support_share=0.15,
        state_support_vnd=round(0.15 * cost), net_cost_vnd=round(0.85 * cost),
        cost_per_new_person_vnd=None, phases=(), model=result.model,
        model_description=result.model_description, stations_synthetic=False,
        n_existing_sites=result.n_sites, candidates={"total": n}, problem={},
    )  # fmt: skip
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs="EPSG:4326")
    plan = Plan(gpd.GeoDataFrame(frame, geometry=geometry), phase_table, before_after, curve,
                summary)  # fmt: skip
    write_plan(plan, folder)
    return folder


def new_site(
    site_id: str, phase: int, lon: float, lat: float, code: str, name: str, kind: str = "new_tower"
) -> dict[str, object]:
    return {
        "site_id": site_id,
        "kind": kind,
        "phase": phase,
        "order": 1,
        "lon": lon,
        "lat": lat,
        "cost_vnd": 2.5e9,
        "added_population": 1234.0,
        "commune_code": code,
        "commune_name": name,
    }
