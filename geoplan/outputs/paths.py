"""The files the report and the raster export write, by kind.

Listing them needs no plotting stack, so the command line checks its targets cheaply.
"""

from __future__ import annotations

import os
from pathlib import Path

REPORT_FILES = {
    "map_png": "coverage_map.png",
    "map_pdf": "coverage_map.pdf",
    "curve": "coverage_curve.png",
    "bars": "communes_before_after.png",
    "csv": "communes.csv",
    "xlsx": "communes.xlsx",
    "gpkg": "geoplan.gpkg",
    "kml": "new_sites.kml",
    "phases_fig": "communes_by_phase.png",
}
PLAN_ONLY = ("curve", "kml", "phases_fig")


def report_paths(
    out_dir: str | os.PathLike[str], with_plan: bool, with_phases: bool = True
) -> dict[str, Path]:
    """The files :func:`geoplan.outputs.report.write_report` writes into ``out_dir``.

    Parameters
    ----------
    out_dir : str or path
        The report folder.
    with_plan : bool
        Include the plan-only files (curve, KML, phases figure).
    with_phases : bool
        The plan knows each commune's share after every phase (plan folders written
        before that table get no ``communes_by_phase.png``).

    Returns
    -------
    dict
        Path by kind (``map_png``, ``map_pdf``, ``bars``, ``csv``, ``xlsx``, ``gpkg`` …).
    """
    folder = Path(out_dir)
    return {
        key: folder / name
        for key, name in REPORT_FILES.items()
        if (with_plan or key not in PLAN_ONLY) and (with_phases or key != "phases_fig")
    }


RASTER_NAMES = {
    "rsrp": "best_server_rsrp_dbm.tif",
    "site_index": "best_server_site_index.tif",
    "covered": "covered_mask.tif",
    # issue 16: P(covered) per cell in each coverage layer (geoplan.schema.COMPUTED_LAYERS)
    "probability_signal": "coverage_probability_signal.tif",
    "probability_usable": "coverage_probability_usable.tif",
    "probability_indoor": "coverage_probability_indoor.tif",
    # issue 16, the QCVN layer (written when computed: --layers qcvn or --coverage qcvn)
    "probability_qcvn": "coverage_probability_qcvn.tif",
    "sinr": "best_server_sinr_db.tif",
    "dl_throughput": "dl_throughput_mbps.tif",
}


def raster_paths(out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Where :func:`geoplan.outputs.rasters.write_best_server_rasters` writes, by kind.

    Parameters
    ----------
    out_dir : str or path
        The raster folder.

    Returns
    -------
    dict
        Path by kind: ``rsrp`` (dBm), ``site_index``, ``covered``, and
        ``probability_<layer>`` (0..1) per coverage layer.
    """
    return {kind: Path(out_dir) / name for kind, name in RASTER_NAMES.items()}


#: What the national outputs write into ``geoplan national coverage --out`` (issue 17).
NATIONAL_FILES = {
    "map": "national_map.html",
    "xlsx": "national_ranking.xlsx",
    "csv_provinces": "national_ranking_provinces.csv",
    "csv_units": "national_ranking_units.csv",
    "brief": "national_brief.pdf",
}
#: The same outputs of ``geoplan national plan --out``: their own names, so a plan and
#: today's coverage can share a folder (the plan's CSVs are ``national_plan_*`` too).
NATIONAL_PLAN_FILES = {
    kind: name.replace("national_", "national_plan_", 1) for kind, name in NATIONAL_FILES.items()
}


def national_paths(out_dir: str | os.PathLike[str], plan: bool = False) -> dict[str, Path]:
    """Where the national map, ranking and brief are written in ``out_dir``, by kind.

    Parameters
    ----------
    out_dir : str or path
        The folder.
    plan : bool
        The national plan's outputs (:data:`NATIONAL_PLAN_FILES`), not today's.

    >>> sorted(national_paths("out"))
    ['brief', 'csv_provinces', 'csv_units', 'map', 'xlsx']
    >>> national_paths("out", plan=True)["map"].name
    'national_plan_map.html'
    """
    names = NATIONAL_PLAN_FILES if plan else NATIONAL_FILES
    return {kind: Path(out_dir) / name for kind, name in names.items()}
