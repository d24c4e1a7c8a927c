"""Terrain: read a DEM onto the work grid and add knife-edge diffraction along each link.

The DEM (SRTM ``.hgt`` tiles or GeoTIFFs, any CRS) is resampled once onto a north-up
grid in the work CRS. For each site–cell link the profile is sampled at the DEM's
spacing; Earth curvature (effective radius 4/3 · 6,371 km) raises the profile; the
dominant obstacle (largest Fresnel–Kirchhoff parameter ν) gives the loss J(ν) of
ITU-R P.526 (single knife edge). Terrain adds loss only: the TR 38.901 formulas
already hold the clutter of their environment.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.errors import RasterioError
from rasterio.warp import Resampling, reproject
from scipy import ndimage

from geoplan.config import WORK_CRS
from geoplan.errors import CRSError, FormatError, InputError

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_000.0
EFFECTIVE_EARTH_FACTOR = 4.0 / 3.0  # standard atmosphere refraction (ITU-R P.453/P.526)
SPEED_OF_LIGHT_M_S = 299_792_458.0
#: Height given to DEM cells without data when no valid cell exists to take a median from.
DEFAULT_NODATA_ELEVATION_M = 0.0


@dataclass(frozen=True)
class Terrain:
    """Ground elevation (metres above the geoid) on a north-up grid in the work CRS.

    Attributes
    ----------
    elevation_m : (rows, cols) float array, metres; nodata already filled
    transform : Affine of the grid in ``crs`` (metres)
    crs : the work CRS
    valid_share : share of the grid from valid DEM data, 0..1
    source : where the elevations came from (file names, ``"flat"``, ``"array"``)
    valid_mask : (rows, cols) bool array of valid DEM cells, or None
    """

    elevation_m: np.ndarray
    transform: Affine
    crs: str
    valid_share: float = 1.0
    source: str = "array"
    valid_mask: np.ndarray | None = None

    def valid_share_at(self, x_m: np.ndarray, y_m: np.ndarray) -> float:
        """Share of the points that fall on valid DEM data (not filled nodata).

        Points beyond the grid count as its nearest edge cell.

        Parameters
        ----------
        x_m, y_m : float arrays
            Points in the work CRS, metres.

        Returns
        -------
        float
            0..1; :attr:`valid_share` without a mask or points.
        """
        if self.valid_mask is None or np.size(x_m) == 0:
            return self.valid_share
        cols, rows = ~self.transform @ (np.asarray(x_m, float), np.asarray(y_m, float))
        r = np.clip(np.floor(rows).astype(int), 0, self.valid_mask.shape[0] - 1)
        c = np.clip(np.floor(cols).astype(int), 0, self.valid_mask.shape[1] - 1)
        return float(self.valid_mask[r, c].mean())

    @property
    def resolution_m(self) -> float:
        """Side of a grid cell, metres."""
        return float(abs(self.transform.a))

    def sample(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Bilinear elevation at work-CRS points (edge values beyond the grid).

        Parameters
        ----------
        x_m, y_m : float arrays
            Points in the work CRS, metres.

        Returns
        -------
        float array
            Elevation, metres, shaped like ``x_m``.
        """
        cols, rows = ~self.transform @ (np.asarray(x_m, float), np.asarray(y_m, float))
        coords = np.stack([np.ravel(rows) - 0.5, np.ravel(cols) - 0.5])
        values = ndimage.map_coordinates(self.elevation_m, coords, order=1, mode="nearest")
        return values.reshape(np.shape(x_m))

    def describe(self) -> str:
        """One line with the source, the grid spacing (m) and the valid share."""
        return (
            f"terrain from {self.source} ({self.resolution_m:g} m grid, "
            f"{self.valid_share:.1%} of it from valid DEM data)"
        )


def flat_terrain(
    bounds_m: tuple[float, float, float, float],
    elevation_m: float = 0.0,
    resolution_m: float = 100.0,
    crs: str = WORK_CRS,
) -> Terrain:
    """A flat terrain over ``bounds_m`` (left, bottom, right, top), for tests and defaults.

    Parameters
    ----------
    bounds_m : tuple of float
        ``(left, bottom, right, top)`` in ``crs``, metres.
    elevation_m : float
        The ground height everywhere, metres.
    resolution_m : float
        Cell side, metres (at least 2 × 2 cells).
    crs : str
        A projected CRS in metres.
    """
    left, bottom, right, top = bounds_m
    cols = max(2, int(np.ceil((right - left) / resolution_m)))
    rows = max(2, int(np.ceil((top - bottom) / resolution_m)))
    transform = Affine(resolution_m, 0.0, left, 0.0, -resolution_m, top)
    return Terrain(np.full((rows, cols), float(elevation_m)), transform, crs, 1.0, "flat")


def read_dem(
    paths: Sequence[str | os.PathLike[str]],
    bounds_m: tuple[float, float, float, float],
    work_crs: str = WORK_CRS,
    resolution_m: float = 90.0,
    nodata_elevation_m: float | None = None,
) -> Terrain:
    """Read DEM files (``.hgt``, GeoTIFF; any CRS) onto a work-CRS grid over ``bounds_m``.

    Later files fill the gaps of earlier ones. Cells that no file covers, or that are
    nodata (SRTM voids: −32768), become flat at ``nodata_elevation_m`` — by default the
    median of the valid cells (0 m when none) — and a warning says how many.

    Parameters
    ----------
    paths : sequence of str or path
        DEM files; elevations in metres.
    bounds_m : tuple of float
        ``(left, bottom, right, top)`` of the area in ``work_crs``, metres.
    work_crs : str
        The projected CRS (metres) to resample onto.
    resolution_m : float
        Cell side of the resampled grid, metres (bilinear resampling).
    nodata_elevation_m : float or None
        Height for cells without data, metres; None uses the median of valid cells.

    Returns
    -------
    Terrain

    Examples
    --------
    >>> terrain = read_dem(["tests/data/dem_bacninh.tif"],
    ...                    (580_000, 2_330_000, 590_000, 2_340_000))  # doctest: +SKIP
    """
    if not paths:
        raise InputError("no DEM file given; pass --dem PATH (SRTM .hgt or GeoTIFF)")
    left, bottom, right, top = bounds_m
    cols = max(2, int(np.ceil((right - left) / resolution_m)))
    rows = max(2, int(np.ceil((top - bottom) / resolution_m)))
    transform = Affine(resolution_m, 0.0, left, 0.0, -resolution_m, top)
    elevation = np.full((rows, cols), np.nan)
    for path in paths:
        layer = _reproject_one(Path(path), transform, (rows, cols), work_crs)
        elevation = np.where(np.isnan(elevation), layer, elevation)
    valid = np.isfinite(elevation)
    valid_share = float(valid.mean())
    if not valid.all():
        fill = _fill_value(elevation, valid, nodata_elevation_m)
        log.warning(
            "DEM %s: %.1f%% of the area read has no elevation data; treated as flat at %.1f m",
            ", ".join(str(p) for p in paths),
            100 * (1 - valid_share),
            fill,
        )
        elevation = np.where(valid, elevation, fill)
    source = ", ".join(Path(p).name for p in paths)
    return Terrain(elevation, transform, work_crs, valid_share, source, valid)


def _fill_value(elevation: np.ndarray, valid: np.ndarray, given: float | None) -> float:
    if given is not None:
        return float(given)
    return float(np.median(elevation[valid])) if valid.any() else DEFAULT_NODATA_ELEVATION_M


def _reproject_one(
    path: Path, transform: Affine, shape: tuple[int, int], work_crs: str
) -> np.ndarray:
    if not path.exists():
        raise InputError(f"{path}: DEM file not found; check the --dem path")
    out = np.full(shape, np.nan)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise CRSError(
                    f"{path}: the DEM has no coordinate reference system; assign one "
                    "(e.g. gdal_edit.py -a_srs EPSG:4326) and retry"
                )
            band = src.read(1, masked=True).astype("float64")
            values = band.filled(np.nan)
            values[values <= -32768] = np.nan  # SRTM void even when the header lacks nodata
            reproject(
                values,
                out,
                src_transform=src.transform,
                src_crs=src.crs,
                src_nodata=np.nan,
                dst_transform=transform,
                dst_crs=work_crs,
                dst_nodata=np.nan,
                resampling=Resampling.bilinear,
            )
    except RasterioError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(
            f"{path}: not a readable DEM ({first_line}); use an SRTM .hgt tile named like "
            "N21E106.hgt or a GeoTIFF"
        ) from exc
    return out


def knife_edge_loss_db(nu: np.ndarray | float) -> np.ndarray:
    """Single knife-edge diffraction loss J(ν) of ITU-R P.526, dB (0 for ν <= −0.78).

    J(ν) = 6.9 + 20 log10(√((ν − 0.1)² + 1) + ν − 0.1)

    Parameters
    ----------
    nu : float or array
        Fresnel–Kirchhoff diffraction parameter ν (dimensionless).

    >>> np.round(knife_edge_loss_db(np.array([-1.0, 0.0, 1.0])), 2)
    array([ 0.  ,  6.03, 13.93])
    """
    v = np.asarray(nu, dtype=float)
    loss = 6.9 + 20 * np.log10(np.sqrt((v - 0.1) ** 2 + 1) + v - 0.1)
    return np.where(v > -0.78, loss, 0.0)


def earth_bulge_m(d1_m: np.ndarray, d2_m: np.ndarray) -> np.ndarray:
    """Height of the Earth's bulge above the chord at distances d1, d2 from the ends.

    Uses the effective Earth radius (4/3 × 6,371 km).

    Parameters
    ----------
    d1_m, d2_m : float arrays
        Distances from the two ends of the link, metres.

    Returns
    -------
    float array
        Bulge, metres.

    >>> round(float(earth_bulge_m(5000.0, 5000.0)), 2)
    1.47
    """
    return np.asarray(d1_m) * np.asarray(d2_m) / (2 * EFFECTIVE_EARTH_FACTOR * EARTH_RADIUS_M)


def diffraction_loss_db(
    terrain: Terrain,
    x_bs_m: np.ndarray,
    y_bs_m: np.ndarray,
    h_bs_m: np.ndarray,
    x_ut_m: np.ndarray,
    y_ut_m: np.ndarray,
    h_ut_m: np.ndarray | float,
    frequency_ghz: np.ndarray | float,
    max_samples_per_chunk: int = 1_000_000,
) -> np.ndarray:
    """Knife-edge loss (dB) of the dominant terrain obstacle on each link (vectorised).

    Parameters
    ----------
    terrain : the ground elevation
    x_bs_m, y_bs_m, h_bs_m : site positions and antenna heights above ground (metres)
    x_ut_m, y_ut_m, h_ut_m : user positions and heights above ground (metres)
    frequency_ghz : carrier frequency per link
    max_samples_per_chunk : bound on profile samples held in memory at once

    Returns
    -------
    (n,) loss in dB (0 where the path clears the terrain by more than 0.78 of the
    first-Fresnel-zone parameter).
    """
    n = np.size(x_bs_m)
    out = np.zeros(n)
    if n == 0:
        return out
    args = np.broadcast_arrays(
        np.asarray(x_bs_m, float),
        np.asarray(y_bs_m, float),
        np.asarray(h_bs_m, float),
        np.asarray(x_ut_m, float),
        np.asarray(y_ut_m, float),
        np.asarray(h_ut_m, float),
        np.asarray(frequency_ghz, float),
    )
    length = np.hypot(args[3] - args[0], args[4] - args[1])
    n_samples = int(np.clip(np.ceil(length.max() / terrain.resolution_m), 1, 256))
    step = max(1, max_samples_per_chunk // n_samples)
    for start in range(0, n, step):
        part = slice(start, start + step)
        xb, yb, hb, xu, yu, hu, fc = (a[part] for a in args)
        out[part] = _dominant_obstacle_loss(terrain, xb, yb, hb, xu, yu, hu, fc, n_samples)
    return out


def _dominant_obstacle_loss(
    terrain: Terrain,
    xb: np.ndarray,
    yb: np.ndarray,
    hb: np.ndarray,
    xu: np.ndarray,
    yu: np.ndarray,
    hu: np.ndarray,
    fc: np.ndarray,
    n_samples: int,
) -> np.ndarray:
    t = (np.arange(n_samples) + 0.5) / n_samples  # interior points of each profile
    length = np.hypot(xu - xb, yu - yb)[:, None]
    px = xb[:, None] + (xu - xb)[:, None] * t
    py = yb[:, None] + (yu - yb)[:, None] * t
    ground = terrain.sample(px, py)
    tx_m = terrain.sample(xb, yb) + hb
    rx_m = terrain.sample(xu, yu) + hu
    d1 = length * t
    d2 = length - d1
    line = tx_m[:, None] + (rx_m - tx_m)[:, None] * t
    clearance = ground + earth_bulge_m(d1, d2) - line  # > 0: the obstacle blocks the ray
    wavelength = SPEED_OF_LIGHT_M_S / (fc * 1e9)
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = clearance * np.sqrt(2 * length / (wavelength[:, None] * d1 * d2))
    nu = np.where(np.isfinite(nu), nu, -np.inf)
    return knife_edge_loss_db(nu.max(axis=1))
