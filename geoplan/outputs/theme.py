"""Colours and classes shared by the map, the figures and the KML: one look everywhere.

Phase colours (:func:`phase_colours`) depend on the number of phases: up to
:data:`MAX_QUALITATIVE_PHASES` each phase has its own colour (:data:`PHASE_COLOURS`,
each the candidate farthest in CIEDE2000 from the colours before it and from the
map's other colours), so phase 7 never looks like phase 1; more phases follow a
sequential ramp, dark (first) to light (last), one step per phase, because a map of
30 phases reads by order, not by 30 hues. The map, the PNG/PDF figures, the curve
and the KML all take them from here.

>>> share_colour(0.05), share_colour(1.0), phase_colour(1, n_phases=8)
('#d7191c', '#1a9641', '#00bcd4')
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

#: Classes of covered share (lower bounds) and their colours (ColorBrewer RdYlGn, 5 classes).
SHARE_BREAKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
SHARE_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
SITE_COLOUR = "#08306b"
#: Outline of a new tower and fill of an upgrade marker on the map.
NEW_SITE_OUTLINE = "#222222"
UPGRADE_FILL = "#ffffff"
HOTSPOT_COLOUR = "#b2182b"
HOTSPOT_AFTER_COLOUR = "#542788"
FOOTPRINT_COLOUR = "#2b8cbe"
FOOTPRINT_AFTER_COLOUR = "#31a354"
#: Colours phases must stay clear of: the commune fills and the other site symbols.
PHASE_AVOID = (*SHARE_COLOURS, SITE_COLOUR, UPGRADE_FILL, NEW_SITE_OUTLINE)
#: The six colours phases 1–6 have always had (kept so older maps still read the same).
PHASE_SEED = ("#00bcd4", "#7b3294", "#f781bf", "#0571b0", "#000000", "#8c510a")
#: Plans of up to this many phases give each phase its own colour; longer ones a ramp.
MAX_QUALITATIVE_PHASES = 12
#: Phases 1–12 of such plans: :data:`PHASE_SEED`, then ``distinct_colours(12, PHASE_SEED,
#: PHASE_AVOID)`` (written out so that plans never depend on floating-point ties).
PHASE_COLOURS = (
    *PHASE_SEED, "#99aaff", "#445500", "#998800", "#772233", "#006666", "#bb55ff",
)  # fmt: skip
#: The ramp of longer plans: CIE LCh (lightness, chroma, hue in degrees) at equal
#: steps from the first phase to the last; dark violet, magenta, lavender, blue, cyan.
#: Lightness rises all the way, and the hues stay off the commune fills (red to green).
PHASE_RAMP_LCH = (
    (15.0, 40.0, 310.0),
    (35.0, 70.0, 320.0),
    (50.0, 75.0, 345.0),
    (62.0, 60.0, 300.0),
    (72.0, 45.0, 250.0),
    (85.0, 35.0, 205.0),
)
#: Candidate colours of the generator: an sRGB grid (17 steps of 17) with CIELAB
#: lightness and chroma in these ranges, so a marker is neither washed out nor grey.
CANDIDATE_LIGHTNESS = (25.0, 80.0)
CANDIDATE_MIN_CHROMA = 25.0

# sRGB (D65) to CIE XYZ, IEC 61966-2-1; white point D65 (2°).
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def classify(values: np.ndarray, breaks: tuple[float, ...]) -> np.ndarray:
    """Class index (0 .. len(breaks) - 2) of each value; ``breaks`` are lower bounds.

    Values beyond the ends fall in the first or last class.

    Parameters
    ----------
    values : float array
        E.g. shares (0..1) or densities (people per km²).
    breaks : tuple of float
        Increasing class bounds, in the unit of ``values``; the last is the top.

    >>> classify(np.array([0.0, 0.2, 0.99, 1.0]), (0.0, 0.2, 0.8, 1.0001))
    array([0, 1, 2, 2])
    """
    index = np.searchsorted(np.asarray(breaks), values, side="right") - 1
    return np.clip(index, 0, len(breaks) - 2)


def share_colour(share: float) -> str:
    """Colour of the class that ``share`` (0..1) falls in.

    Parameters
    ----------
    share : float
        Covered share, 0..1 (classes of :data:`SHARE_BREAKS`).

    Returns
    -------
    str
        Hex colour, ``"#rrggbb"``.
    """
    return SHARE_COLOURS[int(classify(np.array([share]), SHARE_BREAKS)[0])]


# --------------------------------------------------------------------------- colour science
def hex_to_rgb(colours: Sequence[str]) -> np.ndarray:
    """``(n, 3)`` array of 0..255 sRGB values of ``"#rrggbb"`` colours.

    >>> hex_to_rgb(["#ff8000"]).tolist()
    [[255, 128, 0]]
    """
    return np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=int)


def rgb_to_hex(rgb: np.ndarray) -> list[str]:
    """``"#rrggbb"`` of each row of an ``(n, 3)`` 0..255 array.

    >>> rgb_to_hex(np.array([[255, 128, 0]]))
    ['#ff8000']
    """
    return ["#{:02x}{:02x}{:02x}".format(*(int(v) for v in row)) for row in rgb]


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB colours: ``(..., 3)`` 0..255 in, ``(..., 3)`` L*, a*, b* out.

    >>> np.round(rgb_to_lab(np.array([255, 0, 0])), 2).tolist()
    [53.24, 80.09, 67.2]
    """
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE_D65
    delta = 6.0 / 29.0
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4.0 / 29.0)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """sRGB (0..255, int) of CIELAB (D65) colours; colours outside sRGB are clipped.

    >>> lab_to_rgb(rgb_to_lab(np.array([[255, 128, 0]]))).tolist()
    [[255, 128, 0]]
    """
    lightness, a, b = np.moveaxis(np.asarray(lab, dtype=float), -1, 0)
    fy = (lightness + 16) / 116
    f = np.stack([fy + a / 500, fy, fy - b / 200], axis=-1)
    delta = 6.0 / 29.0
    xyz = np.where(f > delta, f**3, 3 * delta**2 * (f - 4.0 / 29.0)) * _WHITE_D65
    linear = np.clip(xyz @ np.linalg.inv(_RGB_TO_XYZ).T, 0.0, 1.0)
    c = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.round(255 * c).astype(int)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference of CIELAB colours (broadcast over leading axes).

    About 1 is a just-noticeable difference; two map symbols read as different
    colours from about 10 on. Formula of Sharma, Wu and Dalal (2005), with
    k_L = k_C = k_H = 1.

    Parameters
    ----------
    lab1, lab2 : float arrays ``(..., 3)``
        L*, a*, b*.

    >>> round(float(delta_e2000(np.array([50.0, 2.6772, -79.7751]),
    ...                         np.array([50.0, 0.0, -82.7485]))), 4)
    2.0425
    """
    l1, a1, b1 = np.moveaxis(np.asarray(lab1, float), -1, 0)
    l2, a2, b2 = np.moveaxis(np.asarray(lab2, float), -1, 0)
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    chroma = c1p * c2p != 0
    dh = (h2p - h1p + 180) % 360 - 180
    dh_big = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(np.where(chroma, dh, 0.0) / 2))
    h_sum = h1p + h2p
    h_mean = np.where(np.abs(h1p - h2p) > 180, (h_sum + np.where(h_sum < 360, 360, -360)) / 2,
                      h_sum / 2)  # fmt: skip
    h_mean = np.where(chroma, h_mean, h_sum)
    cos = [
        np.cos(np.radians(k * h_mean + shift)) for k, shift in ((1, -30), (2, 0), (3, 6), (4, -63))
    ]
    t = 1 - 0.17 * cos[0] + 0.24 * cos[1] + 0.32 * cos[2] - 0.20 * cos[3]
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    rotation = (
        -np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2))))
        * 2
        * np.sqrt(cp_mean**7 / (cp_mean**7 + 25.0**7))
    )
    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, dh_big / s_h
    return np.sqrt(dl**2 + dc**2 + dhh**2 + rotation * dc * dhh)


@functools.cache
def _candidates() -> tuple[np.ndarray, np.ndarray]:
    levels = np.arange(0, 256, 17)
    rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    lab = rgb_to_lab(rgb)
    low, high = CANDIDATE_LIGHTNESS
    keep = (lab[:, 0] >= low) & (lab[:, 0] <= high)
    keep &= np.hypot(lab[:, 1], lab[:, 2]) >= CANDIDATE_MIN_CHROMA
    return rgb[keep], lab[keep]


def distinct_colours(n: int, start: Sequence[str] = (), avoid: Sequence[str] = ()) -> list[str]:
    """``n`` colours: ``start``, then each candidate farthest from all colours so far.

    Greedy farthest-point selection under CIEDE2000 over an sRGB grid
    (:data:`CANDIDATE_LIGHTNESS`, :data:`CANDIDATE_MIN_CHROMA`); ``avoid`` counts as
    already taken but is not returned. Colours are pairwise different for any ``n``
    up to the number of candidates (2,777), past which they repeat.

    Parameters
    ----------
    n : int
        Number of colours wanted.
    start : sequence of str
        Colours to begin with (``"#rrggbb"``), returned first.
    avoid : sequence of str
        Colours the new ones keep away from (e.g. a map's background fills).

    >>> distinct_colours(2, start=["#000000"], avoid=["#ffffff"])
    ['#000000', '#bb11ff']
    """
    rgb, lab = _candidates()
    taken = [*start, *avoid]
    nearest = np.full(len(lab), np.inf)
    if taken:
        taken_lab = rgb_to_lab(hex_to_rgb(taken))
        nearest = delta_e2000(lab[:, None, :], taken_lab[None, :, :]).min(axis=1)
    picked: list[int] = []
    while len(start) + len(picked) < n and len(picked) < len(lab):
        index = int(np.argmax(nearest))
        picked.append(index)
        nearest = np.minimum(nearest, delta_e2000(lab, lab[index]))
        nearest[index] = -np.inf
    chosen = [*start, *rgb_to_hex(rgb[picked])]
    return [chosen[i % len(chosen)] for i in range(n)] if chosen else []


def phase_ramp(n: int) -> list[str]:
    """``n`` colours at equal steps along :data:`PHASE_RAMP_LCH`, first to last.

    Parameters
    ----------
    n : int
        Number of colours (phases).

    >>> phase_ramp(2)
    ['#301852', '#6be6ef']
    """
    anchors = np.asarray(PHASE_RAMP_LCH)
    steps = np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(max(n, 0))
    where = np.linspace(0.0, 1.0, len(anchors))
    lightness, chroma, hue = (np.interp(steps, where, anchors[:, i]) for i in range(3))
    radians = np.radians(hue)
    lab = np.stack([lightness, chroma * np.cos(radians), chroma * np.sin(radians)], axis=-1)
    return rgb_to_hex(lab_to_rgb(lab))


@functools.cache
def _phase_colours(n: int) -> tuple[str, ...]:
    return PHASE_COLOURS[:n] if n <= MAX_QUALITATIVE_PHASES else tuple(phase_ramp(n))


def phase_colours(n: int) -> list[str]:
    """The colours of phases 1 .. ``n`` of a plan with ``n`` phases, pairwise different.

    Up to :data:`MAX_QUALITATIVE_PHASES` phases, the first ``n`` of
    :data:`PHASE_COLOURS` (CIEDE2000 ≥ 21 between any two); more phases, the ramp
    :func:`phase_ramp` (lightness rising phase by phase).

    Parameters
    ----------
    n : int
        Number of phases of the plan (its highest phase number); 0 gives ``[]``.

    Returns
    -------
    list of str
        Hex colours, ``"#rrggbb"``, phase 1 first.

    >>> phase_colours(3)
    ['#00bcd4', '#7b3294', '#f781bf']
    """
    return list(_phase_colours(max(int(n), 0)))


def phase_colour(phase: int, n_phases: int) -> str:
    """Colour of phase ``phase`` (1-based) of a plan with ``n_phases`` phases.

    Parameters
    ----------
    phase : int
        Phase number, 1 .. ``n_phases``.
    n_phases : int
        Number of phases of the plan (its highest phase number).

    Returns
    -------
    str
        Hex colour, ``"#rrggbb"``: ``phase_colours(n_phases)[phase - 1]``.
    """
    if not 1 <= int(phase) <= int(n_phases):
        raise ValueError(f"phase {phase} is not a phase of a {n_phases}-phase plan (1, 2, …)")
    return _phase_colours(int(n_phases))[int(phase) - 1]
