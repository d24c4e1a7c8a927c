"""What data a run uses, and where it comes from (``geoplan data info``).

For each input the table gives the file, its size and SHA-256, and the title,
source and licence read from the ``PROVENANCE.md`` beside it (the embedded data
folders each have one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from geoplan.errors import InputError
from geoplan.io.download import file_sha256
from geoplan.io.embedded import (
    DEFAULT_COMMUNES,
    DEFAULT_DEM_DIR,
    DEFAULT_POPULATION,
    DEFAULT_SITES_4G,
    DEFAULT_STATIONS,
)
from geoplan.io.national import POPULATION_LICENCE, find_province, population_path, units_path


@dataclass(frozen=True)
class DataEntry:
    """One input file with its provenance.

    Attributes
    ----------
    kind : ``"boundaries"``, ``"population"``, ``"stations"``, ``"4g sites"``, ``"dem"``,
        ``"national boundaries"`` or ``"national population"``
    path : the file
    size_bytes : its size, bytes
    sha256 : its SHA-256, hex
    title, licence : from the ``PROVENANCE.md`` beside it (``""`` when absent)
    """

    kind: str
    path: Path
    size_bytes: int
    sha256: str
    title: str
    licence: str

    def lines(self) -> list[str]:
        """The entry as text lines for ``geoplan data info``."""
        return [
            f"{self.kind}: {self.path}",
            f"  {self.size_bytes:,} bytes, sha256 {self.sha256}",
            f"  {self.title or 'no PROVENANCE.md beside the file'}",
            f"  licence: {self.licence or 'unknown (not stated in PROVENANCE.md)'}",
        ]


def read_provenance(folder: Path) -> tuple[str, str]:
    """(title, licence) from ``folder/PROVENANCE.md``; empty strings when absent.

    The title is the first ``# `` heading; the licence is the text after the first
    ``Licence:`` or ``License:`` up to the end of its sentence.

    Parameters
    ----------
    folder : Path
        The folder holding the data file.
    """
    path = folder / "PROVENANCE.md"
    if not path.is_file():
        return "", ""
    text = path.read_text(encoding="utf-8", errors="replace")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    match = re.search(r"Licen[cs]e:\s*(.+?)(?:\.\s|\.$|$)", text, flags=re.MULTILINE)
    return title, match.group(1).strip() if match else ""


def data_entry(kind: str, path: str | os.PathLike[str]) -> DataEntry:
    """Size, checksum and provenance of one input file.

    Parameters
    ----------
    kind : str
        What the file is (``"boundaries"``, ``"population"``, ``"stations"``, ``"dem"``).
    path : str or path
        The file; a missing one raises :class:`~geoplan.errors.InputError`.
    """
    src = Path(path)
    if not src.is_file():
        raise InputError(f"{src}: file not found; check the path")
    title, licence = read_provenance(src.parent)
    return DataEntry(kind, src, src.stat().st_size, file_sha256(src), title, licence)


def data_inventory(
    boundaries: str | os.PathLike[str] | None = None,
    population: str | os.PathLike[str] | None = None,
    stations: str | os.PathLike[str] | None = None,
    dem: Sequence[str | os.PathLike[str]] = (),
    province: str | int | None = None,
) -> list[DataEntry]:
    """The data in use (the embedded defaults for inputs left out), with provenance.

    Parameters
    ----------
    boundaries, population, stations : str, path or None
        The input files; None for the embedded ones.
    dem : sequence of str or path
        DEM files; empty lists the embedded DEM tiles (``.tif``, ``.hgt``).
    province : str, int or None
        A province of the national data (``--province``). Another than Bắc Ninh reads
        the national files (listed last), synthetic sites unless ``stations`` is given,
        flat earth unless ``dem`` is given, and no 4G layer: the embedded Bắc Ninh
        files (its boundaries, population, stations, 4G layer and DEMs) are not listed.

    Returns
    -------
    list of DataEntry
        Boundaries, population and stations first, the synthetic 4G layer (the default
        upgrade candidates) when the stations are the embedded ones, then the DEM files,
        then the
        national files (``--province`` and ``geoplan national``; the shipped ones, or
        those named by ``$GEOPLAN_NATIONAL_UNITS`` / ``$GEOPLAN_NATIONAL_POPULATION``).

    Examples
    --------
    >>> [entry.kind for entry in data_inventory()][:4]
    ['boundaries', 'population', 'stations', '4g sites']
    >>> [entry.kind for entry in data_inventory()][-2:]
    ['national boundaries', 'national population']
    """
    if province is not None and not find_province(province).is_default:
        return _province_inventory(population, stations, dem)
    entries = [
        data_entry("boundaries", boundaries or DEFAULT_COMMUNES),
        data_entry("population", population or DEFAULT_POPULATION),
        data_entry("stations", stations or DEFAULT_STATIONS),
    ]
    if stations is None:  # the 4G layer goes with the synthetic stations (upgrade candidates)
        entries.append(data_entry("4g sites", DEFAULT_SITES_4G))
    dem_files = [Path(p) for p in dem] or sorted(
        p for p in DEFAULT_DEM_DIR.glob("*") if p.suffix.lower() in (".tif", ".hgt")
    )
    entries += [data_entry("dem", p) for p in dem_files]
    return entries + _national_entries()


def _province_inventory(
    population: str | os.PathLike[str] | None,
    stations: str | os.PathLike[str] | None,
    dem: Sequence[str | os.PathLike[str]],
) -> list[DataEntry]:
    """The entries of a province other than Bắc Ninh: only the files it reads."""
    given = [("population", population), ("stations", stations)]
    entries = [data_entry(kind, path) for kind, path in given if path is not None]
    return entries + [data_entry("dem", p) for p in dem] + _national_entries()


def _national_entries() -> list[DataEntry]:
    return [
        data_entry("national boundaries", units_path()),
        replace(data_entry("national population", population_path()), licence=POPULATION_LICENCE),
    ]
