"""Best-server rasters of a radio coverage run: RSRP, serving site and covered mask."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import rasterio

from geoplan.grid import Cells, PopulationGrid
from geoplan.io.atomic import atomic_path, check_writable
from geoplan.models import BestServer
from geoplan.outputs.paths import raster_paths
from geoplan.results import LayerCoverage

RSRP_NODATA = -9999.0
SITE_NODATA = -1
COVERED_NODATA = 255
PROBABILITY_NODATA = -1.0
SINR_NODATA = -9999.0
RATE_NODATA = -1.0


def write_best_server_rasters(
    grid: PopulationGrid,
    cells: Cells,
    best: BestServer,
    out_dir: str | os.PathLike[str],
    overwrite: bool = False,
    qcvn: LayerCoverage | None = None,
) -> dict[str, Path]:
    """Write the best-server GeoTIFFs on the work grid, each atomically.

    * ``best_server_rsrp_dbm.tif`` (float32): planning RSRP of the best site, dBm;
      −9999 outside the province or beyond every site's reach;
    * ``best_server_site_index.tif`` (int32): row of the station table, −1 for none;
    * ``covered_mask.tif`` (uint8): 1 covered, 0 not, 255 outside the province (in the
      model's coverage layer);
    * ``coverage_probability_<layer>.tif`` (float32) for ``signal``, ``usable`` and
      ``indoor``: P(covered) in that layer, 0..1; −1 outside the province;
    * with ``qcvn`` (the QCVN layer): ``coverage_probability_qcvn.tif`` (1 where QCVN 126
      holds, else 0), ``best_server_sinr_db.tif`` (float32, the best operator's median
      SS-SINR, dB; −9999 outside or beyond every sector's reach) and
      ``dl_throughput_mbps.tif`` (float32, the loaded user's mean downlink rate, Mbit/s;
      −1 outside).

    Nothing is written when any target exists and ``overwrite`` is False.

    Parameters
    ----------
    grid : PopulationGrid
        The work grid (shape, transform, CRS in metres).
    cells : Cells
        The cells ``best`` was computed for.
    best : BestServer
        RSRP (dBm), serving site and coverage per cell.
    out_dir : str or path
        The folder to write into.
    overwrite : bool
        Replace existing files.
    qcvn : LayerCoverage or None
        The QCVN layer of the same cells (its ``sinr_db`` and ``dl_mbps``), or None.

    Returns
    -------
    dict
        Path by kind: ``rsrp``, ``site_index``, ``covered``, ``probability_<layer>``, and
        ``sinr``, ``dl_throughput`` with ``qcvn``.
    """
    paths = raster_paths(out_dir)
    for path in paths.values():
        check_writable(path, overwrite)
    rsrp = np.full(grid.shape, RSRP_NODATA, dtype="float32")
    site = np.full(grid.shape, SITE_NODATA, dtype="int32")
    covered = np.full(grid.shape, COVERED_NODATA, dtype="uint8")
    rsrp.ravel()[cells.flat_index] = np.nan_to_num(best.rsrp_dbm, nan=RSRP_NODATA)
    site.ravel()[cells.flat_index] = best.site_index
    covered.ravel()[cells.flat_index] = best.covered.astype("uint8")
    layers: dict[str, tuple[np.ndarray, float]] = {
        "rsrp": (rsrp, RSRP_NODATA),
        "site_index": (site, SITE_NODATA),
        "covered": (covered, COVERED_NODATA),
    }
    per_cell = dict(best.layer_probability)
    if qcvn is not None:
        per_cell["qcvn"] = qcvn.probability
    for name, probability in per_cell.items():
        layers[f"probability_{name}"] = (_on_grid(grid, cells, probability, PROBABILITY_NODATA),
                                         PROBABILITY_NODATA)  # fmt: skip
    if qcvn is not None:
        sinr = np.nan_to_num(qcvn.sinr_db, nan=SINR_NODATA, neginf=SINR_NODATA)
        layers["sinr"] = (_on_grid(grid, cells, sinr, SINR_NODATA), SINR_NODATA)
        layers["dl_throughput"] = (_on_grid(grid, cells, qcvn.dl_mbps, RATE_NODATA), RATE_NODATA)
    for kind, (values, nodata) in layers.items():
        _write_geotiff(paths[kind], values, nodata, grid, overwrite, best.terrain_used)
    return {kind: paths[kind] for kind in layers}


def _on_grid(grid: PopulationGrid, cells: Cells, values: np.ndarray, nodata: float) -> np.ndarray:
    """Per-cell values as a float32 raster of the grid, ``nodata`` outside the cells."""
    out = np.full(grid.shape, nodata, dtype="float32")
    out.ravel()[cells.flat_index] = values
    return out


def _write_geotiff(
    path: Path,
    values: np.ndarray,
    nodata: float,
    grid: PopulationGrid,
    overwrite: bool,
    terrain_used: bool,
) -> None:
    profile = {
        "driver": "GTiff",
        "height": values.shape[0],
        "width": values.shape[1],
        "count": 1,
        "dtype": values.dtype.name,
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": nodata,
        "compress": "deflate",
    }
    with atomic_path(path, overwrite) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(values, 1)
            dst.update_tags(MODEL="3GPP TR 38.901", TERRAIN_USED=str(terrain_used))
