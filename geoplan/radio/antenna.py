"""Sector antenna pattern of TR 38.901 Table 7.3-1, and site azimuths.

The pattern is relative to boresight (0 dB there); the peak gain of the array is in
the link budget's EIRP.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geoplan.errors import FormatError

HPBW_DEG = 65.0  # horizontal and vertical half-power beamwidth, Table 7.3-1
MAX_ATTENUATION_DB = 30.0  # front-to-back ratio A_max and side-lobe level SLA_V
DEFAULT_AZIMUTHS_DEG = (0.0, 120.0, 240.0)


def element_pattern_db(
    azimuth_off_deg: np.ndarray,
    elevation_off_deg: np.ndarray | float = 0.0,
    hpbw_deg: float = HPBW_DEG,
    max_attenuation_db: float = MAX_ATTENUATION_DB,
) -> np.ndarray:
    """Relative gain (dB, <= 0) of the Table 7.3-1 pattern.

    A_H = -min(12 (φ/φ_3dB)², A_max), A_V = -min(12 (θ/θ_3dB)², SLA_V),
    A = -min(-(A_H + A_V), A_max).

    Parameters
    ----------
    azimuth_off_deg : horizontal angle from boresight, degrees (any range; wrapped)
    elevation_off_deg : vertical angle from the (tilted) boresight, degrees
    hpbw_deg : half-power beamwidth, degrees (both planes)
    max_attenuation_db : front-to-back ratio and side-lobe level, dB

    Examples
    --------
    >>> element_pattern_db(np.array([0.0, 32.5, -32.5, 180.0]))
    array([  0.,  -3.,  -3., -30.])
    """
    phi = (np.asarray(azimuth_off_deg, dtype=float) + 180.0) % 360.0 - 180.0
    theta = np.asarray(elevation_off_deg, dtype=float)
    a_h = -np.minimum(12.0 * (phi / hpbw_deg) ** 2, max_attenuation_db)
    a_v = -np.minimum(12.0 * (theta / hpbw_deg) ** 2, max_attenuation_db)
    return -np.minimum(-(a_h + a_v), max_attenuation_db) + 0.0  # no negative zero


def bearing_deg(dx_m: np.ndarray, dy_m: np.ndarray) -> np.ndarray:
    """Compass bearing (0 north, 90 east) of the vector (dx, dy), degrees in [0, 360).

    Parameters
    ----------
    dx_m, dy_m : float arrays
        East and north components, metres (any common unit).

    >>> bearing_deg(np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, -1.0]))
    array([  0.,  90., 180.])
    """
    return np.degrees(np.arctan2(dx_m, dy_m)) % 360.0


def sector_gain_db(
    bearing_to_cell_deg: np.ndarray,
    elevation_off_deg: np.ndarray,
    sector_azimuths_deg: np.ndarray,
    hpbw_deg: float = HPBW_DEG,
    max_attenuation_db: float = MAX_ATTENUATION_DB,
) -> np.ndarray:
    """Gain of the best sector of a site towards each cell (dB, <= 0).

    Parameters
    ----------
    bearing_to_cell_deg : (n,) bearing from the site to each cell, degrees
    elevation_off_deg : (n,) vertical angle from the tilted boresight, degrees
    sector_azimuths_deg : (n, k) sector azimuths per pair, degrees; NaN pads sites
        with fewer sectors; a row of all NaN means an omnidirectional site (0 dB
        horizontally; the vertical pattern still applies)
    hpbw_deg : half-power beamwidth, degrees
    max_attenuation_db : front-to-back ratio, the most the pattern attenuates, dB

    Examples
    --------
    >>> az = np.array([[0.0, 120.0, 240.0]] * 2)
    >>> sector_gain_db(np.array([60.0, 120.0]), np.zeros(2), az)
    array([-10.22485207,   0.        ])
    """
    off = bearing_to_cell_deg[:, None] - sector_azimuths_deg
    gains = element_pattern_db(
        off, np.asarray(elevation_off_deg)[:, None], hpbw_deg, max_attenuation_db
    )
    gains = np.where(np.isnan(sector_azimuths_deg), -np.inf, gains)
    best = gains.max(axis=1)
    omni = ~np.isfinite(best)
    vertical = element_pattern_db(np.zeros(1), elevation_off_deg, hpbw_deg, max_attenuation_db)
    return np.where(omni, np.broadcast_to(vertical, best.shape), best)


def parse_azimuths(values: Sequence[object], source: str = "stations") -> np.ndarray:
    """Sector azimuths per site from ``"a;b;c"`` strings, as an (n_sites, k) array.

    Empty or missing values give the default 0/120/240; rows with fewer sectors are
    padded with NaN.

    Parameters
    ----------
    values : sequence
        One entry per site: azimuths in degrees separated by ``;`` (or ``,``), or
        None/NaN/empty. Values are taken modulo 360.
    source : str
        The file or table name, for the error message on unreadable values.

    Returns
    -------
    (n_sites, k) float array
        Azimuths, degrees; ``k`` is the most sectors of any site.

    >>> parse_azimuths(["30;150;270", None, "90"])
    array([[ 30., 150., 270.],
           [  0., 120., 240.],
           [ 90.,  nan,  nan]])
    """
    rows: list[list[float]] = []
    for i, value in enumerate(values):
        text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        parts = [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]
        if not parts:
            rows.append(list(DEFAULT_AZIMUTHS_DEG))
            continue
        try:
            rows.append([float(p) % 360.0 for p in parts])
        except ValueError:
            raise FormatError(
                f"{source} row {i + 2}: azimuths_deg {text!r} is not a list of numbers; "
                "write the sector azimuths in degrees separated by ';', e.g. '0;120;240'"
            ) from None
    width = max((len(r) for r in rows), default=3)
    out = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out
