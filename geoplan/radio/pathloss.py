"""Path loss of 3GPP TR 38.901 (V17/V18) Table 7.4.1-1, and LOS probability of Table 7.4.2-1.

Pure numpy, vectorised over every argument (they broadcast). Distances are the 2-D
ground distance ``d_2D`` in metres; the 3-D distance is derived from the heights.

Validity (TR 38.901 Table 7.4.1-1 and its notes)
-----------------------------------------------
============ ============================= ============================== ==============
model        distance d_2D                  heights                         frequency
============ ============================= ============================== ==============
UMa          LOS 10 m..5 km, NLOS 10 m..5 km h_BS 25 m, h_UT 1.5..22.5 m     0.5..100 GHz
UMi (street  LOS 10 m..5 km, NLOS 10 m..5 km h_BS 10 m, h_UT 1.5..22.5 m     0.5..100 GHz
canyon)
RMa          LOS 10 m..10 km, NLOS 10 m..5 km h_BS 10..150 m, h_UT 1..10 m,   0.5..30 GHz
                                             h 5..50 m, W 5..50 m
============ ============================= ============================== ==============

Outside these ranges the formulas are evaluated as they stand (extrapolated), except
that distances below 10 m are raised to 10 m. Defaults: effective environment height
``h_E`` = 1 m for UMa and UMi (the standard's value whenever h_UT < 13 m), average
building height ``h`` = 5 m and street width ``W`` = 20 m for RMa.

NLOS path loss is ``max(PL_LOS, PL'_NLOS)``, as the standard prescribes.
"""

from __future__ import annotations

import numpy as np

SPEED_OF_LIGHT_M_S = 3.0e8  # the value TR 38.901 uses in its breakpoint formulas
MODELS: tuple[str, ...] = ("UMa", "UMi", "RMa", "FSPL")

#: Shadow-fading standard deviation (dB) per model, LOS and NLOS (Table 7.4.1-1).
SHADOW_FADING_DB: dict[str, tuple[float, float]] = {
    "UMa": (4.0, 6.0),
    "UMi": (4.0, 7.82),
    "RMa": (4.0, 8.0),
    "FSPL": (0.0, 0.0),
}
ENVIRONMENT_HEIGHT_M = 1.0  # h_E for UMa/UMi
RMA_BUILDING_HEIGHT_M = 5.0  # h
RMA_STREET_WIDTH_M = 20.0  # W
MIN_DISTANCE_M = 10.0


def _log10(x: np.ndarray | float) -> np.ndarray:
    return np.log10(np.asarray(x, dtype=float))


def distance_3d_m(distance_m: np.ndarray, h_bs_m: np.ndarray, h_ut_m: np.ndarray) -> np.ndarray:
    """3-D distance between antennas from the 2-D ground distance and both heights.

    Parameters
    ----------
    distance_m : float array
        2-D ground distance, metres.
    h_bs_m, h_ut_m : float arrays
        Base-station and user antenna heights, metres.

    Returns
    -------
    float array
        d_3D, metres.
    """
    d2 = np.asarray(distance_m, dtype=float)
    return np.sqrt(d2**2 + (np.asarray(h_bs_m, float) - np.asarray(h_ut_m, float)) ** 2)


def free_space_db(distance_3d_m: np.ndarray, frequency_ghz: np.ndarray) -> np.ndarray:
    """Free-space loss 32.45 + 20 log10(f/GHz) + 20 log10(d/m) (Friis), dB.

    Parameters
    ----------
    distance_3d_m : float array
        Distance between the antennas, metres.
    frequency_ghz : float array
        Carrier frequency, GHz.

    >>> round(float(free_space_db(1000.0, 3.5)), 2)
    103.33
    """
    return 32.45 + 20 * _log10(frequency_ghz) + 20 * _log10(distance_3d_m)


def breakpoint_distance_m(
    model: str, frequency_ghz: np.ndarray, h_bs_m: np.ndarray, h_ut_m: np.ndarray
) -> np.ndarray:
    """Breakpoint distance, metres (TR 38.901 Table 7.4.1-1, notes 1 and 5).

    UMa, UMi: d'_BP = 4 h'_BS h'_UT f_c / c with h' = h − h_E; RMa: d_BP = 2π h_BS h_UT f_c / c.

    Parameters
    ----------
    model : str
        ``"UMa"``, ``"UMi"`` or ``"RMa"``.
    frequency_ghz : float array
        Carrier frequency f_c, GHz.
    h_bs_m, h_ut_m : float arrays
        Base-station and user antenna heights, metres (h_E = 1 m for UMa, UMi).

    >>> round(float(breakpoint_distance_m("UMa", 3.5, 25.0, 1.5)), 1)
    560.0
    """
    f_hz = np.asarray(frequency_ghz, dtype=float) * 1e9
    h_bs = np.asarray(h_bs_m, dtype=float)
    h_ut = np.asarray(h_ut_m, dtype=float)
    if model == "RMa":
        return 2 * np.pi * h_bs * h_ut * f_hz / SPEED_OF_LIGHT_M_S
    if model in ("UMa", "UMi"):
        h_e = ENVIRONMENT_HEIGHT_M
        return 4 * (h_bs - h_e) * (h_ut - h_e) * f_hz / SPEED_OF_LIGHT_M_S
    raise ValueError(f"no breakpoint for model {model!r}; use one of UMa, UMi, RMa")


def _rma_pl1(d3: np.ndarray, fc: np.ndarray, h: float) -> np.ndarray:
    return (
        20 * _log10(40 * np.pi * d3 * fc / 3)
        + min(0.03 * h**1.72, 10.0) * _log10(d3)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * np.log10(h) * d3
    )


def _los_db(
    model: str,
    d2: np.ndarray,
    d3: np.ndarray,
    fc: np.ndarray,
    h_bs: np.ndarray,
    h_ut: np.ndarray,
    h: float,
) -> np.ndarray:
    if model == "RMa":
        d_bp = breakpoint_distance_m("RMa", fc, h_bs, h_ut)
        pl1 = _rma_pl1(d3, fc, h)
        pl2 = _rma_pl1(d_bp, fc, h) + 40 * _log10(d3 / d_bp)
        return np.where(d2 <= d_bp, pl1, pl2)
    d_bp = breakpoint_distance_m(model, fc, h_bs, h_ut)
    if model == "UMa":
        pl1 = 28.0 + 22 * _log10(d3) + 20 * _log10(fc)
        pl2 = 28.0 + 40 * _log10(d3) + 20 * _log10(fc) - 9 * _log10(d_bp**2 + (h_bs - h_ut) ** 2)
    else:  # UMi street canyon
        pl1 = 32.4 + 21 * _log10(d3) + 20 * _log10(fc)
        pl2 = 32.4 + 40 * _log10(d3) + 20 * _log10(fc) - 9.5 * _log10(d_bp**2 + (h_bs - h_ut) ** 2)
    return np.where(d2 <= d_bp, pl1, pl2)


def _nlos_prime_db(
    model: str,
    d3: np.ndarray,
    fc: np.ndarray,
    h_bs: np.ndarray,
    h_ut: np.ndarray,
    h: float,
    w: float,
) -> np.ndarray:
    if model == "UMa":
        return 13.54 + 39.08 * _log10(d3) + 20 * _log10(fc) - 0.6 * (h_ut - 1.5)
    if model == "UMi":
        return 35.3 * _log10(d3) + 22.4 + 21.3 * _log10(fc) - 0.3 * (h_ut - 1.5)
    return (
        161.04
        - 7.1 * np.log10(w)
        + 7.5 * np.log10(h)
        - (24.37 - 3.7 * (h / h_bs) ** 2) * _log10(h_bs)
        + (43.42 - 3.1 * _log10(h_bs)) * (_log10(d3) - 3)
        + 20 * _log10(fc)
        - (3.2 * _log10(11.75 * h_ut) ** 2 - 4.97)
    )


def path_loss_db(
    model: str,
    distance_m: np.ndarray | float,
    frequency_ghz: np.ndarray | float,
    h_bs_m: np.ndarray | float,
    h_ut_m: np.ndarray | float,
    los: bool | np.ndarray = False,
    building_height_m: float = RMA_BUILDING_HEIGHT_M,
    street_width_m: float = RMA_STREET_WIDTH_M,
) -> np.ndarray:
    """Median path loss (dB) of TR 38.901 Table 7.4.1-1, without shadow fading.

    Parameters
    ----------
    model : ``"UMa"``, ``"UMi"`` (street canyon), ``"RMa"`` or ``"FSPL"`` (free space)
    distance_m : 2-D ground distance base station to user, metres (raised to 10 m)
    frequency_ghz : carrier frequency f_c, GHz
    h_bs_m, h_ut_m : antenna heights of base station and user terminal, metres
    los : True for line of sight; False for NLOS (= max of the LOS and NLOS formulas);
        a boolean array chooses per element
    building_height_m, street_width_m : RMa's average building height h and street width W

    Returns
    -------
    Path loss in dB, broadcast over the array arguments.

    Examples
    --------
    >>> round(float(path_loss_db("UMa", 1000.0, 3.5, 25.0, 1.5)), 2)
    141.67
    >>> round(float(path_loss_db("UMa", 1000.0, 3.5, 25.0, 1.5, los=True)), 2)
    109.41
    """
    if model not in MODELS:
        raise ValueError(f"unknown path-loss model {model!r}; use one of {', '.join(MODELS)}")
    d2 = np.maximum(np.asarray(distance_m, dtype=float), MIN_DISTANCE_M)
    fc = np.asarray(frequency_ghz, dtype=float)
    h_bs = np.asarray(h_bs_m, dtype=float)
    h_ut = np.asarray(h_ut_m, dtype=float)
    d3 = distance_3d_m(d2, h_bs, h_ut)
    if model == "FSPL":
        return np.asarray(free_space_db(d3, fc) + 0 * np.asarray(los, dtype=float))
    pl_los = _los_db(model, d2, d3, fc, h_bs, h_ut, building_height_m)
    los_arr = np.asarray(los, dtype=bool)
    if los_arr.ndim == 0 and bool(los_arr):
        return pl_los
    pl_nlos = np.maximum(
        pl_los, _nlos_prime_db(model, d3, fc, h_bs, h_ut, building_height_m, street_width_m)
    )
    return np.where(los_arr, pl_los, pl_nlos)


def los_probability(
    model: str, distance_m: np.ndarray | float, h_ut_m: np.ndarray | float = 1.5
) -> np.ndarray:
    """Probability of line of sight at 2-D distance ``distance_m`` (TR 38.901 Table 7.4.2-1).

    Free space (``"FSPL"``) is always LOS.

    Parameters
    ----------
    model : str
        ``"UMa"``, ``"UMi"``, ``"RMa"`` or ``"FSPL"``.
    distance_m : float array
        2-D ground distance, metres.
    h_ut_m : float array
        User antenna height, metres (used by UMa only).

    Returns
    -------
    float array
        Probability of LOS, 0..1.

    >>> np.round(los_probability("RMa", np.array([5.0, 1010.0])), 4)
    array([1.    , 0.3679])
    """
    d2 = np.asarray(distance_m, dtype=float)
    if model == "FSPL":
        return np.ones_like(d2)
    if model == "RMa":
        return np.where(d2 <= 10.0, 1.0, np.exp(-(d2 - 10.0) / 1000.0))
    safe = np.maximum(d2, 18.0)
    if model == "UMi":
        p = 18.0 / safe + np.exp(-safe / 36.0) * (1 - 18.0 / safe)
        return np.where(d2 <= 18.0, 1.0, p)
    if model == "UMa":
        h_ut = np.asarray(h_ut_m, dtype=float)
        c_prime = np.where(h_ut <= 13.0, 0.0, (np.clip(h_ut, 13.0, 23.0) - 13.0) / 10.0) ** 1.5
        p = (18.0 / safe + np.exp(-safe / 63.0) * (1 - 18.0 / safe)) * (
            1 + c_prime * 5.0 / 4.0 * (safe / 100.0) ** 3 * np.exp(-safe / 150.0)
        )
        return np.where(d2 <= 18.0, 1.0, p)
    raise ValueError(f"unknown path-loss model {model!r}; use one of {', '.join(MODELS)}")
