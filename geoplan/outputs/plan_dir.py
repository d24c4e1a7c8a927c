"""Read and check a plan folder written by ``geoplan plan --out DIR``.

The folder holds (EPSG:4326 coordinates):

- ``new_sites.csv``: ``site_id``, ``kind`` (``new_tower`` | ``upgrade``), ``phase``
  (1-based), ``order``, ``lon``, ``lat``, ``cost_vnd``, ``added_population``,
  ``commune_code``, ``commune_name``;
- ``phases.csv``: ``phase``, ``n_sites``, ``cost_vnd``, ``covered_share_after``;
- ``communes_before_after.csv``: ``code``, ``name``, ``population``,
  ``covered_population_before``, ``covered_population_after``,
  ``covered_share_before``, ``covered_share_after``;
- ``curve.csv``: ``n_sites``, ``covered_share``;
- ``plan.json``: one JSON object (settings and totals of the run);
- ``communes_by_phase.csv`` (optional): ``code``, ``name``, ``population``,
  ``covered_share_today``, ``after_phase_1`` … (shares 0..1).

Only what the maps and reports use is read; ``new_sites.gpkg`` is not needed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, overload

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.errors import DataMismatchError, FormatError, InputError

if TYPE_CHECKING:
    from geoplan.optimize.adapter import PlanResult

SITE_KINDS = ("new_tower", "upgrade")

#: file -> (required columns, columns that must be numbers)
PLAN_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "new_sites.csv": (
        (
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
        ),
        ("phase", "order", "lon", "lat", "cost_vnd", "added_population"),
    ),
    "phases.csv": (
        ("phase", "n_sites", "cost_vnd", "covered_share_after"),
        ("phase", "n_sites", "cost_vnd", "covered_share_after"),
    ),
    "communes_before_after.csv": (
        (
            "code",
            "name",
            "population",
            "covered_population_before",
            "covered_population_after",
            "covered_share_before",
            "covered_share_after",
        ),
        (
            "population",
            "covered_population_before",
            "covered_population_after",
            "covered_share_before",
            "covered_share_after",
        ),
    ),
    "curve.csv": (("n_sites", "covered_share"), ("n_sites", "covered_share")),
}
PHASES_FILE = "communes_by_phase.csv"
TEXT_COLUMNS = {"site_id", "kind", "commune_code", "commune_name", "code", "name"}


@dataclass(frozen=True)
class Plan:
    """A checked plan folder.

    Attributes
    ----------
    new_sites : GeoDataFrame (EPSG:4326 points), sorted by phase then order
    phases : one row per phase
    communes : per-commune covered population and share before and after
    curve : covered share (0..1) by number of new sites
    meta : the content of ``plan.json``
    path : the folder
    commune_phases : per-commune covered share today and after each phase, when known
    """

    new_sites: gpd.GeoDataFrame
    phases: pd.DataFrame
    communes: pd.DataFrame
    curve: pd.DataFrame
    meta: dict[str, object] = field(default_factory=dict)
    path: Path | None = None
    commune_phases: pd.DataFrame | None = None

    @property
    def n_phases(self) -> int:
        return int(self.phases["phase"].nunique())

    @property
    def total_cost_vnd(self) -> float:
        return float(self.new_sites["cost_vnd"].sum())

    @property
    def covered_share_after(self) -> float:
        """Province share covered after the last phase (population-weighted)."""
        people = float(self.communes["population"].sum())
        covered = float(self.communes["covered_population_after"].sum())
        return covered / people if people else 0.0

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path is not None else ""
        return (
            f"Plan{where}: {len(self.new_sites)} new sites in {self.n_phases} phases, "
            f"{self.covered_share_after:.1%} covered after, "
            f"CAPEX {self.total_cost_vnd / 1e9:,.1f} bn VND"
        )


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read the plan folder ``path`` and check every file the maps use.

    Raises :class:`InputError` naming the missing file or column, or the row and
    field that is wrong.

    Examples
    --------
    >>> read_plan("no/such/plan")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoplan.errors.InputError: no/such/plan: plan folder not found; ...
    """
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(
            f"{folder}: plan folder not found; write one with `geoplan plan --out {folder}`"
        )
    tables = {name: _read_table(folder / name, *spec) for name, spec in PLAN_TABLES.items()}
    sites = tables["new_sites.csv"]
    _check_sites(sites, folder / "new_sites.csv")
    for name, column in (
        ("phases.csv", "covered_share_after"),
        ("curve.csv", "covered_share"),
        ("communes_before_after.csv", "covered_share_before"),
        ("communes_before_after.csv", "covered_share_after"),
    ):
        _check_range(tables[name], column, folder / name, 0.0, 1.0)
    sites = sites.sort_values(["phase", "order"], kind="stable").reset_index(drop=True)
    geometry = gpd.points_from_xy(sites["lon"], sites["lat"], crs="EPSG:4326")
    return Plan(
        new_sites=gpd.GeoDataFrame(sites, geometry=geometry, crs="EPSG:4326"),
        phases=tables["phases.csv"].sort_values("phase").reset_index(drop=True),
        communes=tables["communes_before_after.csv"],
        curve=tables["curve.csv"].sort_values("n_sites").reset_index(drop=True),
        meta=_read_meta(folder / "plan.json"),
        path=folder,
        commune_phases=_read_commune_phases(folder / PHASES_FILE),
    )


@overload
def as_plan(plan: Plan | PlanResult) -> Plan: ...
@overload
def as_plan(plan: None) -> None: ...
@overload
def as_plan(plan: Plan | PlanResult | None) -> Plan | None: ...
def as_plan(plan: Plan | PlanResult | None) -> Plan | None:
    """``plan`` as a :class:`Plan`: a plan folder as read, or a fresh
    :class:`~geoplan.optimize.adapter.PlanResult` (``scenario.plan(...)``) by its tables."""
    if plan is None or isinstance(plan, Plan):
        return plan
    return plan.to_plan()


def check_plan_communes(plan: Plan, codes: pd.Series) -> None:
    """Raise :class:`DataMismatchError` if the plan's communes are not ``codes``."""
    unknown = sorted(set(plan.communes["code"]) - set(codes.astype(str)))
    if unknown:
        raise DataMismatchError(
            f"{plan.path or 'the plan'}/communes_before_after.csv: commune code(s) "
            f"{', '.join(unknown[:5])} "
            "are not in the boundaries; was the plan made for other boundaries?"
        )


def _read_table(src: Path, required: tuple[str, ...], numeric: tuple[str, ...]) -> pd.DataFrame:
    if not src.exists():
        raise InputError(
            f"{src}: file missing from the plan folder; a plan folder needs "
            f"{', '.join([*PLAN_TABLES, 'plan.json'])}"
        )
    text_columns = {c: str for c in TEXT_COLUMNS}
    try:
        table = pd.read_csv(src, dtype=text_columns, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FormatError(f"{src}: not a readable CSV table ({type(exc).__name__})") from exc
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise FormatError(
            f"{src}: missing column(s) {', '.join(missing)}; expected {', '.join(required)}"
        )
    for column in numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise FormatError(
                f"{src} row {row + 2}: {column} is {table[column].iloc[row]!r}; it must be a number"
            )
        table[column] = values
    return table


def _check_sites(sites: pd.DataFrame, src: Path) -> None:
    bad_kind = ~sites["kind"].isin(SITE_KINDS)
    if bad_kind.any():
        row = int(np.flatnonzero(bad_kind.to_numpy())[0])
        raise FormatError(
            f"{src} row {row + 2}: kind is {sites['kind'].iloc[row]!r}; "
            f"it must be one of {', '.join(SITE_KINDS)}"
        )
    phase = sites["phase"].to_numpy(float)
    bad_phase = (phase < 1) | (phase != np.round(phase))
    if bad_phase.any():
        row = int(np.flatnonzero(bad_phase)[0])
        raise FormatError(
            f"{src} row {row + 2}: phase is {phase[row]:g}; phases are whole numbers from 1"
        )
    sites["phase"] = sites["phase"].astype("int64")
    _check_range(sites, "lon", src, -180.0, 180.0)
    _check_range(sites, "lat", src, -90.0, 90.0)


def _check_range(table: pd.DataFrame, column: str, src: Path, low: float, high: float) -> None:
    values = table[column].to_numpy(float)
    bad = (values < low) | (values > high)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise FormatError(
            f"{src} row {row + 2}: {column} is {values[row]:g}; it must be in {low:g}..{high:g}"
        )


def _read_commune_phases(src: Path) -> pd.DataFrame | None:
    """The optional per-commune, per-phase shares (older plan folders lack them)."""
    if not src.exists():
        return None
    head = pd.read_csv(src, nrows=0, encoding="utf-8-sig").columns
    shares = ("covered_share_today", *[c for c in head if c.startswith("after_phase_")])
    table = _read_table(src, ("code", "name", "population", *shares), ("population", *shares))
    for column in shares:
        _check_range(table, column, src, 0.0, 1.0)
    return table


def _read_meta(src: Path) -> dict[str, object]:
    if not src.exists():
        raise InputError(f"{src}: file missing from the plan folder (the plan's settings)")
    try:
        meta = json.loads(src.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{src}: not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise FormatError(f"{src}: expected one JSON object, found {type(meta).__name__}")
    return meta
