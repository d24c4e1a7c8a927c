"""Station columns: the standard names, their defaults, the header spellings recognised,
and the :class:`Problem` that every station reader reports by row.

Shared by the table checks (:mod:`geoplan.io.stations`) and the file readers
(:mod:`geoplan.io.importers`), which both build on it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Defaults for optional station fields: an n78 three-sector macro site.
STATION_DEFAULTS: dict[str, object] = {
    "operator": "unknown",
    "band": "",  # empty: the operator's default carrier (geoplan/data/carriers/carriers.csv)
    "antenna_height_m": 30.0,
    "sectors": 3,
    "azimuths_deg": "0;120;240",
    "source": "user",
}
STATION_COLUMNS = (
    "site_id",
    "operator",
    "lon",
    "lat",
    "band",
    "antenna_height_m",
    "sectors",
    "azimuths_deg",
    "source",
)

#: Header spellings recognised for each standard column, after :func:`normalise_header`.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": (
        "site_id",
        "siteid",
        "site",
        "site_code",
        "sitecode",
        "id",
        "station_id",
        "station_code",
        "bts_id",
        "ma_tram",
        "ma_tram_bts",
        "ma_site",
        "ma_so_tram",
        "ma",
        "ma_bts",
        "ma_nha_tram",
        "cell_site_id",
        "enodeb_id",
        "gnodeb_id",
    ),
    "name": (
        "name",
        "site_name",
        "station_name",
        "ten",
        "ten_tram",
        "ten_site",
        "ten_bts",
        "ten_nha_tram",
        "label",
    ),
    "lat": (
        "lat",
        "latitude",
        "lat_dd",
        "lat_deg",
        "y_lat",
        "vi_do",
        "vido",
        "vi_do_n",
        "toa_do_vi_do",
        "vi_do_deg",
    ),
    "lon": (
        "lon",
        "lng",
        "long",
        "longitude",
        "lon_dd",
        "lon_deg",
        "x_lon",
        "kinh_do",
        "kinhdo",
        "kinh_do_e",
        "toa_do_kinh_do",
        "kinh_do_deg",
    ),
    "operator": (
        "operator",
        "carrier",
        "network",
        "mno",
        "provider",
        "nha_mang",
        "nha_cung_cap",
        "mang",
        "doanh_nghiep",
        "nha_khai_thac",
    ),
    "band": ("band", "frequency_band", "nr_band", "bang_tan", "bang_tan_so", "dai_tan"),
    "frequency_ghz": ("frequency_ghz", "freq_ghz", "tan_so_ghz"),
    "eirp_dbm": ("eirp_dbm", "eirp"),
    "antenna_height_m": (
        "antenna_height_m",
        "antenna_height",
        "height_m",
        "height",
        "ant_height",
        "agl_m",
        "do_cao",
        "do_cao_m",
        "do_cao_anten",
        "do_cao_anten_m",
        "chieu_cao",
        "chieu_cao_m",
        "chieu_cao_anten",
        "chieu_cao_cot",
        "do_cao_treo_anten",
    ),
    "sectors": ("sectors", "sector_count", "n_sectors", "so_sector", "so_cell", "so_huong"),
    "azimuths_deg": (
        "azimuths_deg",
        "azimuths",
        "azimuth",
        "azimuth_deg",
        "az",
        "goc_phuong_vi",
        "phuong_vi",
        "huong_anten",
        "huong",
        "goc_azimuth",
    ),
    "source": ("source", "nguon"),
}
_ALIAS_TO_COLUMN = {alias: col for col, aliases in COLUMN_ALIASES.items() for alias in aliases}


def normalise_header(name: object) -> str:
    """Lower-case ASCII form of a column name, for matching aliases.

    Vietnamese diacritics are dropped (``đ`` becomes ``d``) and every run of other
    characters becomes one ``_``.

    Parameters
    ----------
    name : object
        A header cell (turned into text).

    >>> normalise_header(" Vĩ độ (°) "), normalise_header("Mã trạm"), normalise_header("Nhà mạng")
    ('vi_do', 'ma_tram', 'nha_mang')
    """
    text = unicodedata.normalize("NFD", str(name).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def match_columns(columns: list[str]) -> dict[str, str]:
    """Map original column names to standard ones (exact standard names win).

    Parameters
    ----------
    columns : list of str
        The table's column names, as read.

    Returns
    -------
    dict
        Original name -> standard name (:data:`COLUMN_ALIASES`), for recognised
        columns only; each standard name is used once.
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    ordered = sorted(columns, key=lambda c: normalise_header(c) not in COLUMN_ALIASES)
    for column in ordered:
        standard = _ALIAS_TO_COLUMN.get(normalise_header(column))
        if standard is not None and standard not in taken:
            mapping[column] = standard
            taken.add(standard)
    return mapping


def header_score(cells: list[object]) -> int:
    """How many cells of a candidate header row are recognised column names.

    Parameters
    ----------
    cells : list of object
        The cells of one row.

    Returns
    -------
    int
        Number of distinct standard columns the row names.
    """
    return len({_ALIAS_TO_COLUMN[h] for h in map(normalise_header, cells) if h in _ALIAS_TO_COLUMN})


@dataclass(frozen=True)
class Problem:
    """One problem found in a station table: where, which field, what to do.

    Attributes
    ----------
    where : the file and row (or sheet) of the problem
    field : the standard column concerned, or ``""``
    message : what is wrong and how to fix it
    severity : ``"error"`` (stops a run) or ``"warning"`` (reported only)
    """

    where: str
    field: str
    message: str
    severity: str = "error"  # "error" stops a run; "warning" is reported only

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.field} {self.message}"
            if self.field
            else (f"{self.where}: {self.message}")
        )
