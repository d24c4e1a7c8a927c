"""Helpers for the map and report tests: tiny scenarios and plan folders."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geoplan.results import CoverageResult

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
    """A plan folder following the `geoplan plan --out` contract, made from ``result``."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = [
        "site_id",
        "kind",
        "phase",
        "order",
        "lon",
        "lat",
        "cost_vnd",
        "added_population",
        "commune_code",
        "commune_name",
    ]
    pd.DataFrame(sites, columns=columns).to_csv(folder / "new_sites.csv", index=False)
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
    before_after.to_csv(folder / "communes_before_after.csv", index=False)
    frame = pd.DataFrame(sites, columns=columns)
    phases = sorted(frame["phase"].unique()) if len(frame) else []
    share_after = float(
        before_after["covered_population_after"].sum() / before_after["population"].sum()
    )
    pd.DataFrame(
        {
            "phase": phases,
            "n_sites": [int((frame["phase"] == p).sum()) for p in phases],
            "cost_vnd": [float(frame.loc[frame["phase"] == p, "cost_vnd"].sum()) for p in phases],
            "covered_share_after": [share_after] * len(phases),
        }
    ).to_csv(folder / "phases.csv", index=False)
    n = len(frame)
    pd.DataFrame(
        {
            "n_sites": list(range(n + 1)),
            "covered_share": [
                result.covered_share + (share_after - result.covered_share) * i / max(n, 1)
                for i in range(n + 1)
            ],
        }
    ).to_csv(folder / "curve.csv", index=False)
    (folder / "plan.json").write_text(json.dumps({"budget_vnd": 1e10}), encoding="utf-8")
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
