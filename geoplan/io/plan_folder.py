"""The plan folder: write a :class:`~geoplan.results.Plan`, and read the same class back.

The folder (``geoplan plan --out DIR``) holds, in EPSG:4326 coordinates, the files
and columns of :mod:`geoplan.schema` (``PLAN_FILES``, ``PLAN_TABLES``):

- ``new_sites.gpkg`` and ``new_sites.csv``: the new sites in build order;
- ``phases.csv``, ``communes_before_after.csv``, ``curve.csv``;
- ``communes_by_phase.csv``: each commune's covered share after every phase
  (optional on reading: folders written before it existed lack it);
- ``plan.json``: the :class:`~geoplan.results.PlanSummary` and the files written.

Every file is written to a temporary file and renamed; nothing is written if one
target exists and ``overwrite`` is False.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.config import STORAGE_CRS
from geoplan.errors import DataMismatchError, FormatError, InputError
from geoplan.io.atomic import atomic_path, check_writable, write_table_csv, write_text_atomic
from geoplan.results import Plan, PlanSummary
from geoplan.schema import (
    AFTER_PHASE_PREFIX,
    COMMUNES_BY_PHASE,
    PLAN_FILES,
    PLAN_TABLES,
    SHARE_COLUMNS,
    SITE_KINDS,
    TableSpec,
)

#: Files a plan folder may lack: the GeoPackage (readers use the CSV) and the per-phase
#: commune table (folders written before it existed).
OPTIONAL = ("new_sites_gpkg", "commune_phases")
REQUIRED_FILES = tuple(f for k, f in PLAN_FILES.items() if k not in OPTIONAL)


def plan_paths(out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Every file :func:`write_plan` writes into ``out_dir``, by key of ``PLAN_FILES``.

    Parameters
    ----------
    out_dir : str or path
        The plan folder.
    """
    folder = Path(out_dir)
    return {key: folder / name for key, name in PLAN_FILES.items()}


def write_plan(
    plan: Plan, out_dir: str | os.PathLike[str], overwrite: bool = False
) -> dict[str, str]:
    """Write every plan file into ``out_dir``; nothing is written if one exists already.

    Parameters
    ----------
    plan : the plan (``scenario.plan(...)`` or :func:`read_plan`)
    out_dir : the folder, created if missing
    overwrite : replace existing files

    Returns
    -------
    dict
        the written paths by key (also stored under ``files`` in ``plan.json``).
    """
    paths = plan_paths(out_dir)
    if plan.commune_phases is None:  # a plan read from a folder written before that table
        del paths["commune_phases"]
    for path in paths.values():
        check_writable(path, overwrite)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    files = {key: str(path) for key, path in paths.items()}
    with atomic_path(paths["new_sites_gpkg"], overwrite) as tmp:
        plan.new_sites.to_file(tmp, driver="GPKG", layer="new_sites")
    tables = {
        "new_sites_csv": pd.DataFrame(plan.new_sites.drop(columns="geometry")),
        "phases": plan.phases,
        "communes": plan.communes,
        "curve": plan.curve.assign(covered_share=plan.curve["covered_share"].round(6)),
    }
    if plan.commune_phases is not None:
        tables["commune_phases"] = plan.commune_phases
    for key, table in tables.items():
        write_table_csv(table, paths[key], overwrite)
    text = json.dumps(plan.to_dict(files), ensure_ascii=False, indent=1)
    write_text_atomic(paths["plan"], text + "\n", overwrite)
    return files


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read the plan folder ``path`` and check every file the maps and reports use.

    Raises :class:`InputError` naming the missing file or column, or the row and
    field that is wrong.

    Parameters
    ----------
    path : str or path
        A folder written by :func:`write_plan` (``geoplan plan --out``).

    Returns
    -------
    Plan
        The plan, without ``candidates`` and ``optimize``; ``path`` is the folder.

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
    names = {key: PLAN_FILES[key] for key in ("new_sites_csv", "phases", "communes", "curve")}
    tables = {key: _read_table(folder / name, PLAN_TABLES[name]) for key, name in names.items()}
    for key, name in names.items():
        for column in SHARE_COLUMNS.get(name, ()):
            _check_range(tables[key], column, folder / name, 0.0, 1.0)
    sites = tables["new_sites_csv"]
    _check_sites(sites, folder / names["new_sites_csv"])
    sites = sites.sort_values(["phase", "order"], kind="stable").reset_index(drop=True)
    geometry = gpd.points_from_xy(sites["lon"], sites["lat"], crs=STORAGE_CRS)
    return Plan(
        new_sites=gpd.GeoDataFrame(sites, geometry=geometry, crs=STORAGE_CRS),
        phases=tables["phases"].sort_values("phase").reset_index(drop=True),
        communes=tables["communes"],
        curve=tables["curve"].sort_values("n_sites").reset_index(drop=True),
        summary=_read_summary(folder / PLAN_FILES["plan"]),
        commune_phases=_read_commune_phases(folder / PLAN_FILES["commune_phases"]),
        path=folder,
    )


def check_plan_communes(plan: Plan, codes: pd.Series) -> None:
    """Raise :class:`DataMismatchError` if the plan's communes are not among ``codes``.

    Parameters
    ----------
    plan : Plan
        The plan to check.
    codes : Series
        The commune codes of the boundaries in use (compared as text).
    """
    unknown = sorted(set(plan.communes["code"]) - set(codes.astype(str)))
    if unknown:
        raise DataMismatchError(
            f"{plan.path or 'the plan'}/{PLAN_FILES['communes']}: commune code(s) "
            f"{', '.join(unknown[:5])} "
            "are not in the boundaries; was the plan made for other boundaries?"
        )


def _read_table(src: Path, spec: TableSpec) -> pd.DataFrame:
    if not src.exists():
        raise InputError(
            f"{src}: file missing from the plan folder; a plan folder needs "
            f"{', '.join(REQUIRED_FILES)}"
        )
    try:
        table = pd.read_csv(
            src, dtype=dict.fromkeys(spec.text, str), encoding="utf-8-sig", keep_default_na=False
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FormatError(f"{src}: not a readable CSV table ({type(exc).__name__})") from exc
    missing = [c for c in spec.columns if c not in table.columns]
    if missing:
        raise FormatError(
            f"{src}: missing column(s) {', '.join(missing)}; expected {', '.join(spec.columns)}"
        )
    for column in spec.numeric:
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
    after = tuple(c for c in head if c.startswith(AFTER_PHASE_PREFIX))
    spec = TableSpec(COMMUNES_BY_PHASE.columns + after, COMMUNES_BY_PHASE.numeric + after)
    table = _read_table(src, spec)
    for column in ("covered_share_today", *after):
        _check_range(table, column, src, 0.0, 1.0)
    return table


def _read_summary(src: Path) -> PlanSummary:
    if not src.exists():
        raise InputError(f"{src}: file missing from the plan folder (the plan's settings)")
    try:
        meta = json.loads(src.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{src}: not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise FormatError(f"{src}: expected one JSON object, found {type(meta).__name__}")
    return PlanSummary.from_dict(meta, str(src))
