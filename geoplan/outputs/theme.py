"""Colours and classes shared by the map, the figures and the KML: one look everywhere.

>>> share_colour(0.05), share_colour(1.0), phase_colour(1)
('#d7191c', '#1a9641', '#00bcd4')
"""

from __future__ import annotations

import numpy as np

#: Classes of covered share (lower bounds) and their colours (ColorBrewer RdYlGn, 5 classes).
SHARE_BREAKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
SHARE_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
#: Colours of plan phases 1, 2, … (repeated past the last).
PHASE_COLOURS = ("#00bcd4", "#7b3294", "#f781bf", "#0571b0", "#000000", "#8c510a")
SITE_COLOUR = "#08306b"
HOTSPOT_COLOUR = "#b2182b"
HOTSPOT_AFTER_COLOUR = "#542788"
FOOTPRINT_COLOUR = "#2b8cbe"
FOOTPRINT_AFTER_COLOUR = "#31a354"


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


def phase_colour(phase: int) -> str:
    """Colour of plan phase ``phase`` (1-based).

    Parameters
    ----------
    phase : int
        Phase number from 1; colours repeat past :data:`PHASE_COLOURS`.

    Returns
    -------
    str
        Hex colour, ``"#rrggbb"``.
    """
    return PHASE_COLOURS[(int(phase) - 1) % len(PHASE_COLOURS)]
