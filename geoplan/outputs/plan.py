"""Write a site plan: new sites (GeoPackage, CSV), phases, communes, curve, plan.json.

File names and columns are a contract (``geoplan map --plan DIR`` reads them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from geoplan.io.atomic import atomic_path, check_writable, write_text_atomic
from geoplan.outputs.tables import write_table_csv

if TYPE_CHECKING:
    from geoplan.optimize.adapter import PlanResult

PLAN_FILES = {
    "new_sites_gpkg": "new_sites.gpkg",
    "new_sites_csv": "new_sites.csv",
    "phases": "phases.csv",
    "communes": "communes_before_after.csv",
    "curve": "curve.csv",
    "commune_phases": "communes_by_phase.csv",
    "plan": "plan.json",
}


def write_plan(
    plan: PlanResult, out_dir: str | os.PathLike[str], overwrite: bool = False
) -> dict[str, str]:
    """Write every plan file into ``out_dir``; nothing is written if one exists already.

    Returns the written paths by name (also stored under ``files`` in plan.json).
    """
    folder = Path(out_dir)
    paths = {name: folder / file for name, file in PLAN_FILES.items()}
    for path in paths.values():
        check_writable(path, overwrite)
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: str(path) for name, path in paths.items()}
    with atomic_path(paths["new_sites_gpkg"], overwrite) as tmp:
        plan.new_sites.to_file(tmp, driver="GPKG", layer="new_sites")
    write_table_csv(plan.new_sites.drop(columns="geometry"), paths["new_sites_csv"], overwrite)
    write_table_csv(plan.phases, paths["phases"], overwrite)
    write_table_csv(plan.communes, paths["communes"], overwrite)
    curve = plan.curve.assign(covered_share=plan.curve["covered_share"].round(6))
    write_table_csv(curve, paths["curve"], overwrite)
    write_table_csv(plan.commune_phases, paths["commune_phases"], overwrite)
    text = json.dumps(plan.to_dict(files), ensure_ascii=False, indent=1)
    write_text_atomic(paths["plan"], text + "\n", overwrite)
    return files
