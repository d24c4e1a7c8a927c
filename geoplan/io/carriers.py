"""The 5G carriers each operator holds, and the operators' subscriber shares.

A station's carrier (band, centre frequency, EIRP, resource elements) comes from its
operator and, when the file gives one, its ``band``; the radio model then computes
each site on its own frequency. The tables ship in ``geoplan/data/carriers/`` with a
source per row (see its PROVENANCE.md).

>>> carriers = read_carriers()
>>> carriers.loc[carriers["operator"] == "Viettel", ["band", "centre_mhz"]].values.tolist()
[['n41', 2550.0], ['n28', 763.0]]
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from geoplan.errors import FormatError, InputError
from geoplan.io.columns import Problem
from geoplan.io.embedded import DEFAULT_CARRIERS, DEFAULT_MARKET_SHARES

#: ``operator`` of the generic carrier used for sites whose operator is not given.
ANY_OPERATOR = "*"
#: Operator names as people write them -> the name in the carrier table.
OPERATOR_ALIASES = {
    "viettel": "Viettel",
    "vnpt": "VNPT",
    "vinaphone": "VNPT",
    "vnpt vinaphone": "VNPT",
    "mobifone": "MobiFone",
    "mobi": "MobiFone",
}
#: Operator values that mean "not given".
UNKNOWN_OPERATORS = {"", "unknown", "nan", "none", "-"}
CARRIER_COLUMNS = ("operator", "band", "low_mhz", "high_mhz", "centre_mhz", "bandwidth_mhz",
                   "duplex", "n_subcarriers", "eirp_dbm", "default", "source")  # fmt: skip


def read_carriers(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read a carrier table (default: the shipped one) and check it.

    Parameters
    ----------
    path : str or path, optional
        CSV with the columns of :data:`CARRIER_COLUMNS`.

    Returns
    -------
    DataFrame
        One row per carrier; frequencies in MHz, EIRP in dBm, ``default`` as bool.
    """
    src = Path(path) if path is not None else DEFAULT_CARRIERS
    table = _read_csv(src, CARRIER_COLUMNS)
    numbers = ["low_mhz", "high_mhz", "centre_mhz", "bandwidth_mhz", "n_subcarriers", "eirp_dbm"]
    for column in numbers:
        table[column] = _numbers(table, column, src)
    bad = ~((table["low_mhz"] <= table["centre_mhz"]) & (table["centre_mhz"] <= table["high_mhz"]))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise FormatError(f"{src} row {row + 2}: centre_mhz is outside low_mhz..high_mhz")
    table["default"] = table["default"].astype(str).str.strip().str.lower().isin(["yes", "true"])
    return table


def read_market_shares(path: str | os.PathLike[str] | None = None) -> pd.Series:
    """Subscriber share per operator (0..1, summing to 1), indexed by operator.

    Raises :class:`FormatError` when a share is not a number in 0..1 or the shares do
    not sum to 1 (within 0.5 percentage points): a table read 100× off is caught.
    """
    src = Path(path) if path is not None else DEFAULT_MARKET_SHARES
    table = _read_csv(src, ("operator", "subscriber_share", "source"))
    shares = _numbers(table, "subscriber_share", src)
    if ((shares < 0) | (shares > 1)).any() or abs(shares.sum() - 1.0) > 0.005:
        raise FormatError(
            f"{src}: subscriber_share must be shares 0..1 that sum to 1 (they sum to "
            f"{shares.sum():g}); write 0.48 for 48%"
        )
    return pd.Series(shares.to_numpy(), index=table["operator"].astype(str), name="share")


def canonical_operator(name: object) -> str:
    """The carrier table's name for ``name`` (``"VinaPhone"`` -> ``"VNPT"``); as given if unknown.

    >>> canonical_operator(" vinaphone "), canonical_operator("Viettel"), canonical_operator("X")
    ('VNPT', 'Viettel', 'X')
    """
    text = unicodedata.normalize("NFC", str(name)).strip()
    folded = " ".join(text.casefold().split())
    if folded in OPERATOR_ALIASES:
        return OPERATOR_ALIASES[folded]
    first = folded.split(" ")[0] if folded else ""  # "Viettel Bắc Ninh", "MobiFone KV1"
    return OPERATOR_ALIASES.get(first, text)


def assign_carriers(
    frame: pd.DataFrame, carriers: pd.DataFrame, where: pd.Series
) -> tuple[pd.DataFrame, list[Problem]]:
    """Give every station its carrier: ``band``, ``frequency_ghz``, ``eirp_dbm``, ``n_subcarriers``.

    The operator's default carrier unless the row names a ``band`` the operator holds;
    a ``frequency_ghz`` or ``eirp_dbm`` given in the file wins over the table. A row
    whose operator holds no carrier (and names no band), or whose band the operator does
    not hold, is an error naming the row; a row without an operator gets the generic n78
    carrier, and an operator the table does not know its band's carrier, with a warning.
    The ``operator`` column keeps the file's spelling (match it with
    :func:`canonical_operator`).

    Parameters
    ----------
    frame : DataFrame
        Station rows with ``operator`` and optionally ``band``, ``frequency_ghz``,
        ``eirp_dbm``.
    carriers : DataFrame
        The carrier table (:func:`read_carriers`).
    where : Series of str
        Row labels for messages ("row 7").
    """
    operator = frame["operator"].map(canonical_operator)
    given_band = frame["band"].astype(str).str.strip() if "band" in frame else ""
    given_band = pd.Series(given_band, index=frame.index).replace({"nan": "", "None": ""})
    unknown = operator.str.casefold().isin(UNKNOWN_OPERATORS)
    defaults = carriers[carriers["default"]].drop_duplicates("operator").set_index("operator")
    # an operator the table does not know may still name its band: take that band's carrier
    # (the first operator's that holds it), with a warning
    band_owner = carriers.drop_duplicates("band").set_index("band")["operator"]
    foreign = ~unknown & ~operator.isin(defaults.index) & given_band.isin(band_owner.index)
    key = operator.where(~unknown, ANY_OPERATOR).where(~foreign, given_band.map(band_owner))
    by_band = carriers.set_index(["operator", "band"])
    problems: list[Problem] = []
    chosen_band = pd.Series(
        np.where(given_band != "", given_band, key.map(defaults["band"])), index=frame.index
    )
    index = pd.MultiIndex.from_arrays([key, chosen_band.fillna("")])
    found = index.isin(by_band.index)
    held = sorted(set(carriers["operator"]) - {ANY_OPERATOR})
    for i in np.flatnonzero(~found):
        op, band = key.iloc[i], chosen_band.iloc[i]
        if op not in defaults.index:
            message = (
                f"{frame['operator'].iloc[i]!r} holds no 5G carrier in the carrier table "
                f"(operators: {', '.join(held)}); fix the name or add its carrier"
            )
            problems.append(Problem(where.iloc[i], "operator", message))
        else:
            bands = ", ".join(by_band.loc[op].index)
            problems.append(Problem(where.iloc[i], "band", f"{band!r} is not a band {op} holds "
                                    f"({bands}); fix it or leave it empty"))  # fmt: skip
    assumed = np.flatnonzero(unknown.to_numpy() & found)
    if assumed.size:  # one warning for all of them: a file without operators is common
        rows = "every row" if assumed.size == len(frame) else ", ".join(where.iloc[assumed[:5]])
        more = f" and {assumed.size - 5} more" if assumed.size > 5 else ""
        problems.append(Problem(f"{rows}{more}", "operator", "is not given: the generic n78 "
                                "3.5 GHz carrier is assumed (name the operator to use its own)",
                                severity="warning"))  # fmt: skip
    for i in np.flatnonzero(foreign.to_numpy())[:5]:
        problems.append(Problem(where.iloc[i], "operator", f"{frame['operator'].iloc[i]!r} is "
                                f"not in the carrier table: the {given_band.iloc[i]} carrier of "
                                f"{key.iloc[i]} is used", severity="warning"))  # fmt: skip
    rows = by_band.reindex(index)
    out = frame.copy()  # the operator's name stays as the file writes it
    out["band"] = chosen_band.to_numpy()
    table_ghz = rows["centre_mhz"].to_numpy(float) / 1000.0
    out["frequency_ghz"] = _given_or(frame, "frequency_ghz", table_ghz)
    out["eirp_dbm"] = _given_or(frame, "eirp_dbm", rows["eirp_dbm"].to_numpy(float))
    out["n_subcarriers"] = rows["n_subcarriers"].to_numpy(float)
    return out, problems


def _given_or(frame: pd.DataFrame, column: str, table: np.ndarray) -> np.ndarray:
    if column not in frame:
        return table
    given = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
    return np.where(np.isfinite(given), given, table)


def _read_csv(src: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not src.exists():
        raise InputError(f"{src}: file not found; check the path")
    try:
        table = pd.read_csv(src, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FormatError(f"{src}: not a readable CSV table ({type(exc).__name__})") from exc
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FormatError(f"{src}: missing column(s) {', '.join(missing)}")
    return table


def _numbers(table: pd.DataFrame, column: str, src: Path) -> pd.Series:
    values = pd.to_numeric(table[column], errors="coerce")
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise FormatError(f"{src} row {row + 2}: {column} is {table[column].iloc[row]!r}; "
                          "it must be a number")  # fmt: skip
    return values.astype(float)
