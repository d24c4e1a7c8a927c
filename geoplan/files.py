"""The facade for files: station files, open data, plan folders, tables and safe writes.

The command line and notebooks reach the readers and writers through here (and
:mod:`geoplan.scenario`), never the ``io`` and ``outputs`` layers directly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from geoplan import outputs  # lazy (PEP 562): folium loads with the first map
from geoplan.config import PlanConfig
from geoplan.io.atomic import atomic_path, check_writable, write_table_csv, write_text_atomic
from geoplan.io.boundaries import read_communes
from geoplan.io.datainfo import DataEntry, data_inventory
from geoplan.io.download import Download, fetch
from geoplan.io.exporters import write_stations
from geoplan.io.importers import FORMATS
from geoplan.io.plan_folder import plan_paths, read_plan, write_plan
from geoplan.io.stations import StationReport, report_lines
from geoplan.io.stations import validate_stations as _validate
from geoplan.outputs.headline import sharing_lines
from geoplan.outputs.i18n import fmt_int, fmt_pct, label
from geoplan.outputs.paths import raster_paths, report_paths
from geoplan.outputs.tables import commune_table

if TYPE_CHECKING:
    import folium

PathLike = str | os.PathLike[str]


def validate_station_file(
    path: PathLike,
    *,
    format: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    boundaries: PathLike | None = None,
    drop_outside: bool = False,
    config: PlanConfig | None = None,
) -> StationReport:
    """Check a station file row by row against the province (the embedded boundaries by default).

    Parameters
    ----------
    path : CSV, XLSX, KML/KMZ, GeoJSON, GPKG or OpenCellID file
    format : one of :data:`FORMATS` to override detection
    encoding : text encoding when not UTF-8 (e.g. ``"cp1258"``)
    crs : CRS of the coordinates when not degrees (e.g. ``"EPSG:32648"``)
    boundaries : commune polygons of the province
    drop_outside : leave out stations outside the province instead of reporting errors
    config : settings (CRSs)
    """
    return _validate(
        path, format=format, encoding=encoding, crs=crs, communes=read_communes(boundaries),
        drop_outside=drop_outside, config=config,
    )  # fmt: skip


def save_map(fmap: folium.Map, path: PathLike, overwrite: bool = False) -> Path:
    """Write ``fmap`` as one self-contained HTML file; see :func:`geoplan.outputs.maps.save_map`.

    Parameters
    ----------
    fmap : folium.Map
        The map, e.g. from :meth:`geoplan.Scenario.map`.
    path : str or path
        The HTML file to write (atomically).
    overwrite : bool
        Replace an existing file; when False an existing file is refused.

    Returns
    -------
    Path
        ``path``.
    """
    return outputs.save_map(fmap, path, overwrite)


__all__ = [
    "FORMATS",
    "DataEntry",
    "Download",
    "StationReport",
    "atomic_path",
    "check_writable",
    "commune_table",
    "data_inventory",
    "fetch",
    "fmt_int",
    "fmt_pct",
    "label",
    "plan_paths",
    "raster_paths",
    "read_plan",
    "report_lines",
    "report_paths",
    "save_map",
    "sharing_lines",
    "validate_station_file",
    "write_plan",
    "write_stations",
    "write_table_csv",
    "write_text_atomic",
]
