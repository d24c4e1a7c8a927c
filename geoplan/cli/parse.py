"""Argument value parsers, the ``type=`` of argparse options: shares and money as people
write them (``80%``, ``0,8``, ``200 tỷ``, ``1,5 nghìn tỷ``, ``2.5 bn``).

Each raises :class:`argparse.ArgumentTypeError` with one line that ends with the fix;
argparse puts the option in front (``argument --target: '80' is more than 1: write 80%
or 0.8``) and the CLI's parser prints it as one line with exit code 2. The reading
itself is :mod:`geoplan.units`, shared with the settings file.

>>> share("80%"), money("200 tỷ")
(0.8, 200000000000.0)
"""

from __future__ import annotations

import argparse

from geoplan.units import parse_money, parse_share


def share(text: str) -> float:
    """A share 0..1 from ``0.8``, ``0,8``, ``80%``, ``80 %`` or ``80,5%``.

    Parameters
    ----------
    text : str
        The option's value as typed.

    Returns
    -------
    float
        The share, 0..1.

    Raises
    ------
    argparse.ArgumentTypeError
        For text that is no share, or a number above 1 without ``%``.

    Examples
    --------
    >>> [share(t) for t in ("0.8", "80%", "80 %", "80,5%")]
    [0.8, 0.8, 0.8, 0.805]
    >>> share("80")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '80' is more than 1: write 80% or 0.8
    """
    try:
        return parse_share(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def money(text: str) -> float:
    """An amount in VND from ``200e9``, ``200 tỷ``, ``500 triệu``, ``200 bn``, ``200.000.000.000``.

    Parameters
    ----------
    text : str
        The option's value as typed (quote it when it has a space: ``"200 tỷ"``).

    Returns
    -------
    float
        The amount, VND.

    Raises
    ------
    argparse.ArgumentTypeError
        For text that is no amount, negative, ambiguous (``1.000``) or with an unknown unit.

    Examples
    --------
    >>> [money(t) for t in ("200e9", "200 ty", "1,5 nghìn tỷ", "2.5 trillion")]
    [200000000000.0, 200000000000.0, 1500000000000.0, 2500000000000.0]
    >>> money("200 t")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '200 t': 't' could be tỷ (10^9) or trillion (10^12); write the unit in full
    """  # noqa: E501
    try:
        return parse_money(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


__all__ = ["money", "share"]
