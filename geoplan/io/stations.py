"""Read station (site) tables into the standard columns.

Standard columns (EPSG:4326 points): ``site_id`` (required), ``operator``, ``band``,
``antenna_height_m``, ``sectors``, ``azimuths_deg`` ("0;120;240"), ``source``.
Missing optional columns get the documented defaults in :data:`STATION_DEFAULTS`.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.config import DATA_DIR
from geoplan.errors import FormatError, InputError

DEFAULT_STATIONS = DATA_DIR / "stations" / "bacninh_5g_sites_synthetic.csv"

#: Defaults for optional station fields: an n78 three-sector macro site.
STATION_DEFAULTS: dict[str, object] = {
    "operator": "unknown",
    "band": "n78",
    "antenna_height_m": 30.0,
    "sectors": 3,
    "azimuths_deg": "0;120;240",
    "source": "user",
}
STATION_COLUMNS = (
    "site_id",
    "operator",
    "lon",
    "lat",
    "band",
    "antenna_height_m",
    "sectors",
    "azimuths_deg",
    "source",
)


def read_stations(path: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Read a station CSV (``site_id``, ``lon``, ``lat`` …) into a point GeoDataFrame.

    Examples
    --------
    >>> sites = read_stations()
    >>> len(sites), sites["source"].unique().tolist()
    (290, ['synthetic'])
    """
    src = Path(path) if path is not None else DEFAULT_STATIONS
    if not src.exists():
        raise InputError(f"{src}: file not found; check the path")
    if src.stat().st_size == 0:
        raise FormatError(f"{src}: the file is empty; it needs a header and one row per site")
    try:
        table = pd.read_csv(src, dtype={"site_id": str}, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise FormatError(f"{src}: not a readable CSV table ({type(exc).__name__})") from exc
    return stations_from_table(table, src)


def stations_from_table(table: pd.DataFrame, src: Path | str = "<table>") -> gpd.GeoDataFrame:
    """Check a table with ``site_id``, ``lon``, ``lat`` and fill the optional columns."""
    missing = [c for c in ("site_id", "lon", "lat") if c not in table.columns]
    if missing:
        raise FormatError(
            f"{src}: missing column(s) {', '.join(missing)}; a station table needs "
            "'site_id', 'lon' and 'lat' (decimal degrees, EPSG:4326)"
        )
    if table.empty:
        raise FormatError(f"{src}: the table has a header but no rows")
    table = table.copy()
    for axis, limit in (("lon", 180.0), ("lat", 90.0)):
        values = pd.to_numeric(table[axis], errors="coerce")
        bad = values.isna() | (values.abs() > limit)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise FormatError(
                f"{src} row {row + 2}: {axis} is {table[axis].iloc[row]!r}; "
                f"it must be a number in -{limit:g}..{limit:g} (decimal degrees)"
            )
        table[axis] = values
    for column, default in STATION_DEFAULTS.items():
        if column not in table.columns:
            table[column] = default
        else:
            table[column] = table[column].fillna(default)
    table["site_id"] = table["site_id"].astype(str)
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:4326")
