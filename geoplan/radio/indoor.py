"""Outdoor-to-indoor (O2I) loss of TR 38.901 §7.4.3, and the probability of coverage indoors.

The O2I loss of a user inside a building is (TR 38.901 eq. 7.4-2, Table 7.4.3-2)

    PL_O2I = PL_tw + PL_in + N(0, σ_P²),    PL_in = 0.5 · d_2D-in

with the wall loss of a **low-loss** building (30% standard glass, 70% concrete) or a
**high-loss** one (70% infrared-reflecting glass, 30% concrete):

    low:  PL_tw = 5 − 10·log10(0.3·10^(−L_glass/10) + 0.7·10^(−L_concrete/10)),  σ_P = 4.4 dB
    high: PL_tw = 5 − 10·log10(0.7·10^(−L_IRRglass/10) + 0.3·10^(−L_concrete/10)), σ_P = 6.5 dB

    L_glass = 2 + 0.2 f,  L_IRRglass = 23 + 0.3 f,  L_concrete = 5 + 4 f   (f in GHz)

``d_2D-in`` is the smaller of two uniform draws on 0..25 m (UMa, UMi) or 0..10 m (RMa);
the loss uses its mean, a third of the range (8.3 m and 3.3 m). The random part
σ_P is independent of shadow fading, so indoors the levels spread with
√(σ_SF² + σ_P²). TR 38.901 applies only the low-loss model to RMa.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoplan.radio.link_budget import exceedance_probability
from geoplan.schema import BuildingLoss

#: Standard deviation σ_P of the O2I loss per building type, dB (Table 7.4.3-2).
O2I_SIGMA_DB: dict[BuildingLoss, float] = {"low": 4.4, "high": 6.5}
#: Range of the indoor distance d_2D-in per path-loss model, metres (Table 7.4.3-2 notes).
INDOOR_DISTANCE_MAX_M: dict[str, float] = {"UMa": 25.0, "UMi": 25.0, "RMa": 10.0}


def mean_indoor_distance_m(max_m: float) -> float:
    """Mean of the smaller of two uniform draws on 0..``max_m``: ``max_m / 3`` (metres).

    >>> round(mean_indoor_distance_m(25.0), 3)
    8.333
    """
    return max_m / 3.0


def o2i_wall_loss_db(frequency_ghz: np.ndarray | float, building: BuildingLoss) -> np.ndarray:
    """Median loss through the outer wall, PL_tw, dB (TR 38.901 Table 7.4.3-2).

    Parameters
    ----------
    frequency_ghz : float or array
        Carrier frequency, GHz.
    building : ``"low"`` or ``"high"``
        Low-loss (standard glass) or high-loss (IRR glass) building.

    >>> [round(float(o2i_wall_loss_db(3.5, kind)), 2) for kind in ("low", "high")]
    [12.7, 26.85]
    """
    f = np.asarray(frequency_ghz, dtype=float)
    concrete = 10 ** (-(5 + 4 * f) / 10)
    if building == "low":
        mix = 0.3 * 10 ** (-(2 + 0.2 * f) / 10) + 0.7 * concrete
    else:
        mix = 0.7 * 10 ** (-(23 + 0.3 * f) / 10) + 0.3 * concrete
    return np.asarray(5 - 10 * np.log10(mix))


def o2i_loss_db(
    frequency_ghz: np.ndarray | float, building: BuildingLoss, indoor_distance_m: np.ndarray | float
) -> np.ndarray:
    """Median O2I loss, PL_tw + 0.5·d_2D-in, dB.

    Parameters
    ----------
    frequency_ghz : float or array
        Carrier frequency, GHz.
    building : ``"low"`` or ``"high"``
        Building type.
    indoor_distance_m : float or array
        Distance from the wall to the user, metres.

    >>> round(float(o2i_loss_db(3.5, "low", 25 / 3)), 1)
    16.9
    """
    return np.asarray(
        o2i_wall_loss_db(frequency_ghz, building) + 0.5 * np.asarray(indoor_distance_m)
    )


@dataclass(frozen=True)
class IndoorModel:
    """Who is indoors, and in which buildings, by environment (urban, suburban, rural).

    Attributes
    ----------
    high_loss_share
        Share of indoor users in high-loss buildings: 20% in urban and suburban places
        (ITU-R M.2412-0's urban evaluation mix: 20% high loss, 80% low loss), 0 in
        rural ones (TR 38.901 applies only the low-loss model to RMa).
    indoor_share
        Share of people indoors: 80% urban and suburban, 50% rural (TR 38.901 Table
        7.2-1, UMa and RMa). Used only to weigh the indoor and outdoor layers into the
        share of people covered where they are.

    Examples
    --------
    >>> IndoorModel().describe()
    'indoor: TR 38.901 O2I, high-loss buildings 20/20/0%, people indoors 80/80/50% (urban/suburban/rural)'
    """  # noqa: E501

    high_loss_share: tuple[float, float, float] = (0.2, 0.2, 0.0)
    indoor_share: tuple[float, float, float] = (0.8, 0.8, 0.5)

    def __post_init__(self) -> None:
        for name in ("high_loss_share", "indoor_share"):
            values = getattr(self, name)
            if len(values) != 3 or not all(0 <= v <= 1 for v in values):
                raise ValueError(f"{name} must be 3 shares in 0..1, got {values}")

    def describe(self) -> str:
        """One line with the building mix and the indoor shares per environment."""
        high = "/".join(f"{100 * v:g}" for v in self.high_loss_share)
        inside = "/".join(f"{100 * v:g}" for v in self.indoor_share)
        return (
            f"indoor: TR 38.901 O2I, high-loss buildings {high}%, people indoors {inside}% "
            "(urban/suburban/rural)"
        )


def indoor_exceedance_probability(
    level_dbm: np.ndarray | float,
    rsrp_los_dbm: np.ndarray,
    rsrp_nlos_dbm: np.ndarray,
    p_los: np.ndarray,
    sigma_los_db: np.ndarray | float,
    sigma_nlos_db: np.ndarray | float,
    frequency_ghz: np.ndarray | float,
    high_loss_share: np.ndarray | float,
    indoor_distance_m: np.ndarray | float,
) -> np.ndarray:
    """P(RSRP indoors >= level): the outdoor LOS/NLOS mixture behind a wall of either type.

    Each building type shifts the median by its O2I loss and widens the spread to
    √(σ_SF² + σ_P²); the types mix by ``high_loss_share``. The result is at most the
    outdoor probability: a wall never helps (the Gaussian's negative tail of the loss,
    which would, is cut).

    Parameters
    ----------
    level_dbm : float or array
        The RSRP level, dBm.
    rsrp_los_dbm, rsrp_nlos_dbm : float arrays
        Median outdoor RSRP if LOS, and if NLOS, dBm.
    p_los : float array
        Probability of LOS, 0..1.
    sigma_los_db, sigma_nlos_db : float or array
        Shadow-fading standard deviations, dB.
    frequency_ghz : float or array
        Carrier frequency, GHz.
    high_loss_share : float or array
        Share of high-loss buildings, 0..1.
    indoor_distance_m : float or array
        Indoor distance d_2D-in, metres (its mean: :func:`mean_indoor_distance_m`).

    Returns
    -------
    float array
        Probability, 0..1.

    >>> p = indoor_exceedance_probability(-110.0, np.array(-93.1), np.array(-93.1),
    ...                                   np.array(0.0), 4.0, 6.0, 3.5, 0.0, 25 / 3)
    >>> round(float(p), 2)  # the median 16.9 dB above the level, behind a 16.9 dB wall
    0.5
    """
    outdoor = exceedance_probability(level_dbm, rsrp_los_dbm, rsrp_nlos_dbm, p_los, sigma_los_db,
                                     sigma_nlos_db)  # fmt: skip
    high = np.asarray(high_loss_share, dtype=float)
    total = np.zeros(np.shape(outdoor))
    for building, weight in (("low", 1.0 - high), ("high", high)):
        if not np.any(weight > 0):
            continue
        sigma_p = O2I_SIGMA_DB[building]  # type: ignore[index]
        loss = o2i_loss_db(frequency_ghz, building, indoor_distance_m)  # type: ignore[arg-type]
        total = total + weight * exceedance_probability(
            np.asarray(level_dbm) + loss, rsrp_los_dbm, rsrp_nlos_dbm, p_los,
            np.hypot(sigma_los_db, sigma_p), np.hypot(sigma_nlos_db, sigma_p),
        )  # fmt: skip
    return np.asarray(np.minimum(total, outdoor))
