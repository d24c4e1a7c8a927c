"""The inputs a plan was made with: each file's path and SHA-256, and the checks that reuse them.

A plan folder's ``plan.json`` records, for each input (boundaries, population,
stations, candidates, DEM tiles), where it was read and its SHA-256. Maps and
reports of that plan read the same files by default and refuse a different one, so a
plan made with an operator's station file is never drawn over the synthetic sites.

Embedded files are recorded by their path inside the package data, so a plan stays
valid when geoplan is installed somewhere else.

>>> from geoplan.io.embedded import DEFAULT_STATIONS
>>> record = input_record(DEFAULT_STATIONS)
>>> record["embedded"], len(record["sha256"])
('stations/bacninh_5g_sites_synthetic.csv', 64)
>>> recorded_path("stations", record, None) == DEFAULT_STATIONS
True

Stations made by the synthetic generator (any province but Bắc Ninh, the national
network) have no file: their record names them and the sites per operator that make
them again (the generator is seeded), :func:`synthetic_record`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geoplan.errors import InputError
from geoplan.io.download import file_sha256
from geoplan.io.embedded import DATA_DIR

#: The command-line option that gives each kind of input.
INPUT_OPTIONS = {
    "boundaries": "--boundaries",
    "population": "--population",
    "stations": "--stations",
    "candidates": "--candidates",
}


def input_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Path, SHA-256 and (for embedded data) the package-relative name of one input file.

    Parameters
    ----------
    path : the file that was read

    Returns
    -------
    dict
        ``{"path": absolute path, "sha256": hex, "embedded": name under geoplan/data
        or None}``
    """
    resolved = Path(path).resolve()
    try:
        embedded: str | None = resolved.relative_to(DATA_DIR.resolve()).as_posix()
    except ValueError:
        embedded = None
    return {"path": str(resolved), "sha256": file_sha256(resolved), "embedded": embedded}


def synthetic_record(label: str, operator_sites: Mapping[str, int]) -> dict[str, Any]:
    """The record of generated stations: no file, only what makes them again.

    Parameters
    ----------
    label : how the stations are named (``"synthetic sites of Lai Châu"``)
    operator_sites : sites per operator, placed by
        :func:`geoplan.synthetic.stations_like_bac_ninh` with the plan's settings

    >>> synthetic_record("synthetic sites of Lai Châu", {"Viettel": 2})["operator_sites"]
    {'Viettel': 2}
    """
    return {
        "synthetic": label,
        "operator_sites": {str(k): int(v) for k, v in operator_sites.items()},
    }


def is_synthetic(record: Mapping[str, Any]) -> bool:
    """Whether ``record`` is of generated stations (:func:`synthetic_record`), not a file."""
    return "synthetic" in record


def recorded_path(
    kind: str, record: dict[str, Any], given: str | os.PathLike[str] | None, plan_dir: str = "plan"
) -> Path:
    """The file to read for input ``kind`` of a plan: the recorded one, or ``given`` if the same.

    Parameters
    ----------
    kind : ``"boundaries"``, ``"population"``, ``"stations"`` …
    record : the plan's record of that input (:func:`input_record`)
    given : the file the user named on the command line, or None to reuse the plan's
    plan_dir : the plan folder, for messages

    Raises
    ------
    InputError
        One line when ``given`` differs from the plan's file, or when the plan's file is
        gone or has changed since the plan was made.
    """
    option = INPUT_OPTIONS.get(kind, kind)
    want = str(record["sha256"])
    if given is not None:
        if file_sha256(given) != want:
            raise InputError(
                f"{option} {given} is not the {kind} file the plan in {plan_dir} was made with "
                f"({record['path']}, sha256 {want[:12]}…); give that file, leave {option} out "
                "to reuse it, or make the plan again with this one"
            )
        return Path(given)
    path = DATA_DIR / record["embedded"] if record.get("embedded") else Path(record["path"])
    if not path.is_file():
        raise InputError(
            f"the plan in {plan_dir} was made with {kind} {record['path']}, which is not there "
            f"any more; give the same file with {option}"
        )
    if file_sha256(path) != want:
        raise InputError(
            f"{kind} {path} has changed since the plan in {plan_dir} was made (sha256 "
            f"{want[:12]}… then); give the original with {option} or make the plan again"
        )
    return path
