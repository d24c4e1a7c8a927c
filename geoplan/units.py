"""Shares and amounts of money as people write them: ``80%``, ``0,8``, ``200 tỷ``, ``2.5 bn``.

Pure text -> number functions for the settings file (:mod:`geoplan.config`) and the
command line (:mod:`geoplan.cli.parse`), and formatters whose text they read back to
the same float. Errors are one-line :class:`ValueError` messages that end with the fix.

Decimals are read exactly (:class:`decimal.Decimal`), so ``80,5%`` is the float nearest
0.805 and ``1,5 nghìn tỷ`` is exactly 1.5e12.

>>> parse_share("80,5%"), parse_money("1,5 nghìn tỷ")
(0.805, 1500000000000.0)
>>> parse_money(format_money(2.5e12)) == 2.5e12
True
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Final

#: Units of money in VND, by their name folded to ASCII lower case (``tỷ`` -> ``ty``).
MONEY_UNITS: Final[dict[str, int]] = {
    "": 1,
    **dict.fromkeys(("k", "nghin", "ngan", "thousand"), 10**3),
    **dict.fromkeys(("tr", "trieu", "m", "mn", "mio", "million"), 10**6),
    **dict.fromkeys(("ty", "ti", "b", "bn", "bln", "billion"), 10**9),
    **dict.fromkeys(("nghin ty", "ngan ty", "tn", "trillion"), 10**12),
}
#: Unit names that mean two different amounts: refused with both readings.
AMBIGUOUS_UNITS: Final[dict[str, str]] = {
    "t": "tỷ (10^9) or trillion (10^12)",
    "ng": "nghìn (10^3) or nghìn tỷ (10^12)",
}
#: Units each language writes, largest first (:func:`format_money`).
MONEY_LABELS: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "vi": ((10**12, "nghìn tỷ"), (10**9, "tỷ"), (10**6, "triệu")),
    "en": ((10**12, "trillion"), (10**9, "bn"), (10**6, "million")),
}
MONEY_EXAMPLES = "200e9, 200 tỷ, 500 triệu, 1,5 nghìn tỷ or 200 bn"
SHARE_EXAMPLES = "0.8, 80% or 80,5%"

_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>[.,]?\d(?:[\d.,_ ]*\d)?)(?P<exp>e[+-]?\d+)?\s*(?P<unit>.*)$"
)
_CURRENCY = re.compile(r"\s*(?:vnd|dong|₫|(?<![a-z])d)$")


def parse_share(text: str) -> float:
    """A share (0..1) written as ``0.8``, ``0,8``, ``80%``, ``80 %`` or ``80,5%``.

    A number above 1 without ``%`` is refused: ``80`` could mean 80% or nothing sensible.

    Parameters
    ----------
    text : str
        The share as written; a decimal point or comma, an optional ``%``.

    Returns
    -------
    float
        The share, 0..1.

    Raises
    ------
    ValueError
        One line with the fix, for text that is no share, above 1 (100%) or negative.

    Examples
    --------
    >>> [parse_share(t) for t in ("0.8", "80%", "80 %", "80,5%", "0,805", "1")]
    [0.8, 0.8, 0.8, 0.805, 0.805, 1.0]
    >>> parse_share("80")
    Traceback (most recent call last):
    ...
    ValueError: '80' is more than 1: write 80% or 0.8
    """
    folded = _fold(text)
    percent = folded.endswith("%")
    match = _NUMBER.match(folded.removesuffix("%").rstrip())
    if match is None or match["unit"] or match["sign"] == "-" or " " in match["num"]:
        raise ValueError(f"{text!r} is not a share: write e.g. {SHARE_EXAMPLES} (0..1)")
    number = _decimal(match["num"], text, grouping=False)
    number = number.scaleb(int(match["exp"][1:])) if match["exp"] else number
    if percent:
        if number > 100:
            raise ValueError(f"{text!r} is more than 100%: a share is 0%..100%")
        number = number / 100
    elif number > 1:
        raise ValueError(f"{text!r} is more than 1: write {_plain(number)}% or "
                         f"{_plain(number / 100)}")  # fmt: skip
    return float(number)


def parse_money(text: str) -> float:
    """An amount of money in VND from ``200e9``, ``200 tỷ``, ``1,5 nghìn tỷ``, ``2.5 bn`` …

    Units (case and Vietnamese accents optional): ``nghìn``/``ngàn``/``k`` (10^3),
    ``triệu``/``tr``/``million`` (10^6), ``tỷ``/``tỉ``/``bn``/``billion`` (10^9),
    ``nghìn tỷ``/``trillion`` (10^12); a trailing ``VND``, ``đồng``, ``đ`` or ``₫`` is
    allowed. Thousands may be grouped by dots (``200.000.000.000``, the Vietnamese way),
    commas or spaces; the decimal mark is a point or a comma. A single dot or comma
    before exactly three digits (``1.000``, ``1,234``) could be either, and is refused.

    Parameters
    ----------
    text : str
        The amount as written.

    Returns
    -------
    float
        The amount, VND (>= 0).

    Raises
    ------
    ValueError
        One line with the fix, for text that is no amount, negative, ambiguous, or
        with an unknown unit.

    Examples
    --------
    >>> [parse_money(t) for t in ("200e9", "200 tỷ", "200 ty", "200.000.000.000", "200 bn")]
    [200000000000.0, 200000000000.0, 200000000000.0, 200000000000.0, 200000000000.0]
    >>> parse_money("500 triệu"), parse_money("2.5 trillion"), parse_money("1,5 nghìn tỷ")
    (500000000.0, 2500000000000.0, 1500000000000.0)
    >>> parse_money("1.000 tỷ")
    Traceback (most recent call last):
    ...
    ValueError: '1.000 tỷ' is ambiguous: write 1000 tỷ if '.' groups thousands, or 1 tỷ if it is a decimal mark
    """  # noqa: E501
    match = _NUMBER.match(_fold(text))
    if match is None:
        raise ValueError(f"{text!r} is not an amount of money: write e.g. {MONEY_EXAMPLES} (VND)")
    written = _unit_as_written(text, match)
    unit_name = _CURRENCY.sub("", match["unit"])
    if unit_name in AMBIGUOUS_UNITS:
        raise ValueError(f"{text!r}: {unit_name!r} could be {AMBIGUOUS_UNITS[unit_name]}; "
                         "write the unit in full")  # fmt: skip
    if unit_name not in MONEY_UNITS:
        raise ValueError(f"{text!r}: unknown unit {written!r}; write e.g. {MONEY_EXAMPLES}")
    unit = Decimal(MONEY_UNITS[unit_name])
    try:
        number = _decimal(match["num"], text, grouping=not match["exp"])
    except _Ambiguous as exc:
        as_grouped = f"{exc.grouped} {written}".rstrip()
        raise ValueError(f"{text!r} is ambiguous: write {as_grouped} "
                         f"if '{exc.mark}' groups thousands, or "
                         f"{format_money(float(exc.decimal * unit), _lang(unit_name))} if it is a "
                         "decimal mark") from None  # fmt: skip
    number = number.scaleb(int(match["exp"][1:])) if match["exp"] else number
    if match["sign"] == "-" and number != 0:
        raise ValueError(f"{text!r} is negative: an amount of money is >= 0 VND")
    amount = float(number * unit)
    if not math.isfinite(amount):
        raise ValueError(f"{text!r} is too large: write an amount below 1e300 VND")
    return amount


def format_share(share: float, lang: str = "en") -> str:
    """A share as a percentage that :func:`parse_share` reads back to the same float.

    Parameters
    ----------
    share : float
        A share, 0..1.
    lang : str
        ``"vi"`` writes a decimal comma, ``"en"`` a decimal point.

    Examples
    --------
    >>> format_share(0.805), format_share(0.805, "vi"), format_share(0.15)
    ('80.5%', '80,5%', '15%')
    """
    text = _plain(Decimal(repr(float(share))) * 100) + "%"
    return text.replace(".", ",") if lang == "vi" else text


def format_money(vnd: float, lang: str = "vi") -> str:
    """An amount in the largest unit of ``lang`` that reads back exactly (:func:`parse_money`).

    A value with exactly three decimals in a unit (``1,234 tỷ``) would be ambiguous to
    read back, so it is written in the next unit down (``1234 triệu``).

    Parameters
    ----------
    vnd : float
        An amount of money, VND (>= 0).
    lang : str
        ``"vi"`` (``tỷ``, ``triệu``, decimal comma) or ``"en"`` (``bn``, ``million``).

    Examples
    --------
    >>> format_money(2e9), format_money(1.5e12), format_money(1.234e9), format_money(2.5e9, "en")
    ('2 tỷ', '1,5 nghìn tỷ', '1234 triệu', '2.5 bn')
    >>> format_money(750_000)
    '750000'
    """
    if not (math.isfinite(vnd) and vnd >= 0):
        raise ValueError(f"an amount of money is a finite number >= 0, got {vnd!r}")
    amount = Decimal(repr(float(vnd)))
    for unit, label in MONEY_LABELS.get(lang, MONEY_LABELS["en"]):
        number = _plain(amount / unit)
        if amount >= unit and not _looks_grouped(number):
            text = f"{number} {label}"
            return text.replace(".", ",") if lang == "vi" else text
    number = _plain(amount)
    return number + "0" if _looks_grouped(number) else number  # 123.4560: not a group


class _Ambiguous(ValueError):
    """A single dot or comma before three digits: a thousands group or a decimal mark."""

    def __init__(self, mark: str, grouped: str, decimal: Decimal) -> None:
        super().__init__(mark)
        self.mark, self.grouped, self.decimal = mark, grouped, decimal


def _fold(text: str) -> str:
    """Lower case, no Vietnamese accents (``tỷ`` -> ``ty``, ``đ`` -> ``d``), single spaces."""
    decomposed = unicodedata.normalize("NFD", str(text).strip().lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")
    return re.sub(r"[\s\u00a0\u202f]+", " ", bare)


def _decimal(num: str, text: str, *, grouping: bool) -> Decimal:
    """The exact value of ``num``: digits with thousands groups and one decimal mark."""
    num = num.replace("_", "")
    marks = [m for m in ".," if m in num]
    if len(marks) == 2:
        decimal = max(marks, key=num.rfind)
        group = "".join(marks).replace(decimal, "")
    elif marks and (num.count(marks[0]) > 1):
        decimal, group = "", marks[0]
    elif marks:
        decimal, group = marks[0], ""
    else:
        decimal, group = "", ""
    if not grouping and (group or " " in num):
        raise ValueError(f"{text!r} is not a number: write one decimal mark and no groups")
    whole, _, fraction = num.partition(decimal) if decimal else (num, "", "")
    if fraction and not fraction.isdigit():
        raise ValueError(f"{text!r} is not a number: one decimal mark, after the thousands")
    parts = re.split(rf"[ {re.escape(group)}]", whole) if group or " " in whole else [whole]
    if len(parts) > 1 and not _valid_groups(parts):
        raise ValueError(f"{text!r} is not a number: thousands come in groups of three digits")
    digits = "".join(parts) or "0"
    if grouping and decimal and len(parts) == 1 and _looks_grouped(num):
        raise _Ambiguous(decimal, digits + fraction, Decimal(f"{digits}.{fraction}"))
    try:
        return Decimal(f"{digits}.{fraction or 0}")
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        raise ValueError(f"{text!r} is not a number") from None


def _valid_groups(parts: list[str]) -> bool:
    head, *rest = parts
    head_ok = head == "0" or (1 <= len(head) <= 3 and head.isdigit() and head[0] != "0")
    return head_ok and all(len(p) == 3 and p.isdigit() for p in rest)


def _looks_grouped(number: str) -> bool:
    """True for ``1.000`` or ``12,345``: one mark before three digits, 1-3 digits before it."""
    return re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", number) is not None


def _plain(number: Decimal) -> str:
    """``number`` in positional notation without trailing zeros (``80.5``, ``15``)."""
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _lang(unit_name: str) -> str:
    """``"vi"`` for a Vietnamese unit name (folded), else ``"en"``."""
    return "vi" if unit_name.split(" ")[0] in ("ty", "ti", "tr", "trieu", "nghin", "ngan") else "en"


def _unit_as_written(text: str, match: re.Match[str]) -> str:
    """The unit after the number in ``text`` as written (accents kept), for messages.

    Everything before the unit is ASCII (sign, digits, marks, exponent, spaces), which
    :func:`_fold` leaves in place, so the unit starts at the same position.
    """
    spaced = re.sub(r"[\s\u00a0\u202f]+", " ", unicodedata.normalize("NFC", str(text).strip()))
    return spaced[match.start("unit") :]
