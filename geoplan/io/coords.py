"""Parse coordinate text as people type it: decimal commas, degrees-minutes-seconds.

Pure functions on pandas Series of strings; nothing here knows about files.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# 21°10'30.5"N, N 21 10 30.5, 106°4.25'E, 21d10m30s, -21.5, 21.5 S (unicode ′ ″ too)
_DMS = (
    r"^\s*(?P<pre>[NSEWnsew])?\s*(?P<sign>[-+])?\s*(?P<deg>\d+(?:[.,]\d+)?)\s*(?:°|º|d|deg|\s)?\s*"
    r"(?:(?P<min>\d+(?:[.,]\d+)?)\s*(?:'|′|’|m|min|\s)?\s*)?"
    r"(?:(?P<sec>\d+(?:[.,]\d+)?)\s*(?:\"|″|”|''|s|sec)?\s*)?"
    r"(?P<post>[NSEWnsew])?\s*$"
)
_DECIMAL_COMMA = r"^\s*[-+]?\d+,\d+\s*$"


def parse_coordinate(values: pd.Series) -> pd.Series:
    """Turn coordinate text into decimal degrees (float, NaN where unreadable).

    Accepts decimal numbers with a point or a comma, and degrees-minutes-seconds
    with or without symbols and a hemisphere letter (S and W are negative).

    Parameters
    ----------
    values : Series
        Coordinate text (or numbers), one per row.

    Returns
    -------
    Series of float
        Decimal degrees; NaN where unreadable (also minutes or seconds of 60 or more).

    Examples
    --------
    >>> parse_coordinate(pd.Series(["21,5", "21°10'30.5\\"N", "106 4 30 E", "x"])).round(6).tolist()
    [21.5, 21.175139, 106.075, nan]
    """
    text = values.astype("string").str.strip()
    comma = text.str.match(_DECIMAL_COMMA, na=False)
    text = text.mask(comma, text.str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(text, errors="coerce").astype(float)  # not Int64: NaN go in below
    todo = numbers.isna() & text.notna() & (text != "")
    if not todo.any():
        return numbers.astype(float)
    parts = text[todo].str.extract(_DMS)
    has_symbol = text[todo].str.contains(r"[°º'′’\"″”NSEWnsewd]|\s", regex=True, na=False)
    degrees = (
        _num(parts["deg"]) + _num(parts["min"]).fillna(0) / 60 + _num(parts["sec"]).fillna(0) / 3600
    )
    hemisphere = parts["pre"].fillna(parts["post"]).str.upper()
    negative = (hemisphere.isin(["S", "W"]) | (parts["sign"] == "-")).fillna(False).astype(bool)
    degrees = degrees.where(~negative, -degrees)
    # a minutes or seconds field of 60 or more is not DMS: leave the value unreadable
    bad = (_num(parts["min"]) >= 60) | (_num(parts["sec"]) >= 60) | ~has_symbol.astype(bool)
    numbers.loc[todo] = degrees.where(~bad, np.nan)
    return numbers.astype(float)


def parse_measure(values: pd.Series, unit: str = "m") -> pd.Series:
    """Turn number text with an optional ``unit`` into floats (NaN where unreadable).

    A decimal point or comma is accepted; degrees, minutes or a hemisphere letter
    are not (an antenna height is not a coordinate).

    Parameters
    ----------
    values : Series
        Number text, one per row.
    unit : str
        The unit suffix allowed after the number (a regular expression; default
        ``"m"``, metres); the value is not converted.

    Returns
    -------
    Series of float
        The numbers, in ``unit``; NaN where unreadable.

    Examples
    --------
    >>> parse_measure(pd.Series(["30", "27,5", "30 m", "30°N", "x"])).tolist()
    [30.0, 27.5, 30.0, nan, nan]
    """
    text = values.astype("string").str.strip()
    pattern = rf"^([-+]?\d+(?:[.,]\d+)?)\s*(?:{re.escape(unit)})?$"
    number = text.str.extract(pattern, expand=False)
    return _num(number)


# 122.838 · 122,838 · 122 838 · 1.234.567 (dot, comma, space, no-break or narrow space, ')
_GROUPED = r"^[-+]?\d{1,3}(?:(?P<sep>[.,\s\u00a0\u202f'])\d{3})(?:(?P=sep)\d{3})*$"
_COUNT_UNITS = r"(?:người|nguoi|ng|dân|dan|people|persons|pers|inhabitants|inh)\.?"


def parse_count(values: pd.Series) -> pd.Series:
    """Turn counts (people) written as numbers or text into floats (NaN where unreadable).

    Text with thousands separators is read the way it is written in Vietnam and
    elsewhere: ``"122.838"``, ``"122,838"`` and ``"122 838"`` are all 122,838 (a count of
    people has no decimals, so a dot or comma before exactly three digits groups
    thousands). A trailing unit (``người``, ``people``) is allowed. Numbers (not text)
    are kept as they are. Coordinates never go through here.

    Parameters
    ----------
    values : Series
        Counts as numbers or text, one per row.

    Returns
    -------
    Series of float
        The counts; NaN where unreadable.

    Examples
    --------
    >>> text = pd.Series(["122.838", "1,234,567", "51 733 người", "19226", "7.5", "x"])
    >>> parse_count(text).tolist()
    [122838.0, 1234567.0, 51733.0, 19226.0, 7.5, nan]
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    is_text = values.map(lambda v: isinstance(v, str)).astype(bool)
    numbers = pd.to_numeric(values.where(~is_text), errors="coerce").astype(float)
    text = values.where(is_text).astype("string").str.strip()
    text = text.str.replace(rf"\s*{_COUNT_UNITS}$", "", regex=True, case=False)
    grouped = text.str.match(_GROUPED, na=False)
    text = text.mask(grouped, text.str.replace(r"[.,\s\u00a0\u202f']", "", regex=True))
    plain = text.str.match(r"^[-+]?\d+(?:[.,]\d+)?$", na=False)
    return numbers.where(~is_text, _num(text.where(plain)))


def _num(part: pd.Series) -> pd.Series:
    return pd.to_numeric(part.str.replace(",", ".", regex=False), errors="coerce").astype(float)
