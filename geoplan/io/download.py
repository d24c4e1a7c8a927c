"""Download open data (WorldPop, geoBoundaries, SRTM) into a cache, safely.

Downloads resume after an interruption (HTTP ``Range``), are checked against a
SHA-256 when one is given (and always recorded beside the file), show a tqdm
progress bar unless quiet, and land in the cache by rename, so a file in the cache
is always complete. Base URLs can be changed with an option or an environment
variable (``GEOPLAN_WORLDPOP_URL``, ``GEOPLAN_BOUNDARIES_URL``, ``GEOPLAN_SRTM_URL``),
which is how the tests serve files from a local server; the cache folder is
``--cache``, ``GEOPLAN_CACHE`` or ``~/.cache/geoplan``.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import logging
import math
import os
import re
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geoplan.errors import InputError
from geoplan.io.atomic import atomic_path, write_text_atomic
from geoplan.progress import bar_class, bars_enabled

log = logging.getLogger(__name__)

DEFAULT_BASE_URLS = {
    "worldpop": "https://data.worldpop.org",
    "boundaries": "https://github.com/wmgeolab/geoBoundaries/raw/main",
    "srtm": "https://s3.amazonaws.com/elevation-tiles-prod/skadi",
}
BASE_URL_ENV = {
    "worldpop": "GEOPLAN_WORLDPOP_URL",
    "boundaries": "GEOPLAN_BOUNDARIES_URL",
    "srtm": "GEOPLAN_SRTM_URL",
}
CHUNK_BYTES = 1 << 16


def base_url(source: str, override: str | None = None) -> str:
    """Base URL of ``source``: the override, else its environment variable, else the default.

    Parameters
    ----------
    source : str
        ``"worldpop"``, ``"boundaries"`` or ``"srtm"``.
    override : str or None
        A base URL to use instead (``--base-url``); a trailing ``/`` is dropped.
    """
    url = override or os.environ.get(BASE_URL_ENV[source]) or DEFAULT_BASE_URLS[source]
    return url.rstrip("/")


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The download cache: ``override``, ``$GEOPLAN_CACHE`` or ``~/.cache/geoplan``.

    Parameters
    ----------
    override : str, path or None
        A cache folder to use instead (``--cache``); not created here.
    """
    chosen = override or os.environ.get("GEOPLAN_CACHE") or Path.home() / ".cache" / "geoplan"
    return Path(chosen)


def _iso3(code: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", code):
        raise InputError(f"ISO3 country code {code!r} must be three letters, e.g. VNM")
    return code.upper()


def worldpop_url(iso3: str, year: int, resolution: str = "1km", base: str | None = None) -> str:
    """URL of a WorldPop 2000–2020 unconstrained population-count GeoTIFF.

    Parameters
    ----------
    iso3 : str
        Three-letter country code (``"VNM"``), any case.
    year : int
        2000..2020.
    resolution : str
        ``"1km"`` (about 1 km cells, aggregated) or ``"100m"`` (about 100 m cells).
    base : str or None
        Base URL override (see :func:`base_url`).

    >>> worldpop_url("vnm", 2020, "1km", base="https://data.worldpop.org")
    'https://data.worldpop.org/GIS/Population/Global_2000_2020_1km/2020/VNM/vnm_ppp_2020_1km_Aggregated.tif'
    >>> worldpop_url("VNM", 2020, "100m", base="https://data.worldpop.org")
    'https://data.worldpop.org/GIS/Population/Global_2000_2020/2020/VNM/vnm_ppp_2020.tif'
    """
    code = _iso3(iso3)
    if not 2000 <= year <= 2020:
        raise InputError(f"WorldPop year {year} is not available; choose 2000..2020")
    root = base_url("worldpop", base)
    if resolution == "1km":
        return (
            f"{root}/GIS/Population/Global_2000_2020_1km/{year}/{code}/"
            f"{code.lower()}_ppp_{year}_1km_Aggregated.tif"
        )
    if resolution == "100m":
        return f"{root}/GIS/Population/Global_2000_2020/{year}/{code}/{code.lower()}_ppp_{year}.tif"
    raise InputError(f"WorldPop resolution {resolution!r}: choose 1km or 100m")


def boundaries_url(iso3: str, level: int = 2, base: str | None = None) -> str:
    """URL of a geoBoundaries (gbOpen, CC BY 4.0) GeoJSON for a country and admin level.

    Parameters
    ----------
    iso3 : str
        Three-letter country code (``"VNM"``), any case.
    level : int
        Administrative level, 0 (country) to 3.
    base : str or None
        Base URL override (see :func:`base_url`).

    >>> boundaries_url("VNM", 2, base="https://example.org")
    'https://example.org/releaseData/gbOpen/VNM/ADM2/geoBoundaries-VNM-ADM2.geojson'
    """
    code = _iso3(iso3)
    if level not in (0, 1, 2, 3):
        raise InputError(f"administrative level {level} is not available; choose 0..3")
    root = base_url("boundaries", base)
    return f"{root}/releaseData/gbOpen/{code}/ADM{level}/geoBoundaries-{code}-ADM{level}.geojson"


def srtm_tile_names(bbox: tuple[float, float, float, float]) -> list[str]:
    """1°×1° SRTM tile names covering (west, south, east, north) degrees.

    Parameters
    ----------
    bbox : tuple of float
        ``(west, south, east, north)`` in degrees, west < east and south < north.

    Returns
    -------
    list of str
        Tile names (``N21E106``), south to north, then west to east.

    >>> srtm_tile_names((105.88, 20.97, 107.03, 21.63))
    ['N20E105', 'N20E106', 'N20E107', 'N21E105', 'N21E106', 'N21E107']
    """
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InputError(f"bounding box {bbox} must be west,south,east,north in degrees")
    names = []
    for lat in range(math.floor(south), math.ceil(north)):
        for lon in range(math.floor(west), math.ceil(east)):
            names.append(
                f"{'N' if lat >= 0 else 'S'}{abs(lat):02d}{'E' if lon >= 0 else 'W'}{abs(lon):03d}"
            )
    return names


def srtm_url(tile: str, base: str | None = None) -> str:
    """URL of one SRTM tile in the public 'skadi' layout (``N21/N21E106.hgt.gz``).

    Parameters
    ----------
    tile : str
        A tile name from :func:`srtm_tile_names`.
    base : str or None
        Base URL override (see :func:`base_url`).
    """
    return f"{base_url('srtm', base)}/{tile[:3]}/{tile}.hgt.gz"


@dataclass(frozen=True)
class Download:
    """A completed download: where it is, its SHA-256 and size, and where it came from.

    Attributes
    ----------
    path : the file in the cache
    sha256 : its SHA-256, hex
    size_bytes : its size, bytes
    url : where it was fetched from
    resumed_from_bytes : bytes already there from an interrupted download
    from_cache : True when the file was already complete in the cache
    """

    path: Path
    sha256: str
    size_bytes: int
    url: str
    resumed_from_bytes: int = 0
    from_cache: bool = False


def download(
    url: str,
    dest: str | os.PathLike[str],
    sha256: str | None = None,
    *,
    quiet: bool = False,
    timeout_s: float = 60.0,
) -> Download:
    """Download ``url`` to ``dest``, resuming a previous partial download.

    Bytes go to ``dest + ".part"``; a rerun asks the server for the rest
    (``Range: bytes=N-``). When complete, the SHA-256 is checked against ``sha256``
    (if given); a mismatch deletes the partial file and raises. The file is then
    renamed into place and its checksum written to ``dest + ".sha256"``. A ``dest``
    already present (with a matching checksum, if one is given) is not fetched again.

    Parameters
    ----------
    url : str
        What to fetch.
    dest : str or path
        Where the complete file goes (its folder is created).
    sha256 : str or None
        Expected SHA-256, hex (any case).
    quiet : bool
        No progress bar.
    timeout_s : float
        Connection and read timeout, seconds.

    Returns
    -------
    Download
    """
    target = Path(dest)
    expected = sha256.lower() if sha256 else None
    if target.exists():
        digest = file_sha256(target)
        if expected is None or digest == expected:
            log.info("%s: already in the cache", target)
            return Download(target, digest, target.stat().st_size, url, from_cache=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    response, offset = _open(url, offset, timeout_s)
    hasher = hashlib.sha256()
    if offset:
        with part.open("rb") as done:
            for chunk in iter(lambda: done.read(CHUNK_BYTES), b""):
                hasher.update(chunk)
    length = response.headers.get("Content-Length")
    total = int(length) + offset if length is not None else None
    show = not quiet and bars_enabled()
    try:
        with (
            response,
            part.open("ab" if offset else "wb") as out,
            bar_class()(
                total=total,
                initial=offset,
                unit="B",
                unit_scale=True,
                disable=not show,
                desc=target.name,
            ) as bar,
        ):
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                out.write(chunk)
                hasher.update(chunk)
                bar.update(len(chunk))
    except (OSError, http.client.HTTPException) as exc:
        raise InputError(
            f"{url}: the download was interrupted ({type(exc).__name__}) at "
            f"{part.stat().st_size:,} bytes; run the same command again to resume"
        ) from exc
    digest = hasher.hexdigest()
    size = part.stat().st_size
    if total is not None and size != total:
        raise InputError(
            f"{url}: the download stopped at {size:,} of {total:,} bytes; "
            "run the same command again to resume"
        )
    if expected is not None and digest != expected:
        part.unlink()
        raise InputError(
            f"{url}: SHA-256 mismatch (expected {expected[:12]}…, got {digest[:12]}…)"
            "; the download was deleted; check the checksum or the source"
        )
    os.replace(part, target)
    write_text_atomic(
        target.with_name(target.name + ".sha256"), f"{digest}  {target.name}\n", overwrite=True
    )
    log.info("%s: %s bytes, sha256 %s", target, f"{size:,}", digest)
    return Download(target, digest, size, url, resumed_from_bytes=offset)


def _open(url: str, offset: int, timeout_s: float) -> tuple[Any, int]:
    """Open ``url`` from byte ``offset``; returns (response, offset actually used)."""
    request = urllib.request.Request(url, headers={"User-Agent": "geoplan"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the partial file is stale or complete: start over
            return _open(url, 0, timeout_s)
        hint = "check the code, year or level, or --base-url" if exc.code == 404 else "retry later"
        raise InputError(f"{url}: HTTP {exc.code} {exc.reason}; {hint}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(
            f"{url}: cannot connect ({reason}); check the network or --base-url"
        ) from exc
    if offset and response.status != 206:
        log.info("%s: the server ignored the range request; downloading from the start", url)
        offset = 0
    return response, offset


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a file, read in chunks.

    Parameters
    ----------
    path : str or path
        The file.
    """
    hasher = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def fetch(
    source: str,
    *,
    iso3: str = "VNM",
    year: int = 2020,
    resolution: str = "1km",
    level: int = 2,
    bbox: tuple[float, float, float, float] | None = None,
    cache: str | os.PathLike[str] | None = None,
    base: str | None = None,
    sha256: str | None = None,
    quiet: bool = False,
) -> list[Download]:
    """Fetch ``worldpop``, ``boundaries`` or ``srtm`` tiles into the cache.

    Files land in ``<cache>/<source>/``; SRTM needs ``bbox`` (west, south, east, north).

    Parameters
    ----------
    source : str
        ``"worldpop"``, ``"boundaries"`` or ``"srtm"``.
    iso3 : str
        Country code (WorldPop, geoBoundaries).
    year, resolution : int, str
        WorldPop year (2000..2020) and ``"1km"`` or ``"100m"``.
    level : int
        geoBoundaries administrative level, 0..3.
    bbox : tuple of float or None
        SRTM area, ``(west, south, east, north)`` in degrees.
    cache : str, path or None
        Cache folder (see :func:`cache_dir`).
    base : str or None
        Base URL override (see :func:`base_url`).
    sha256 : str or None
        Expected SHA-256 of the one file fetched (not with several SRTM tiles).
    quiet : bool
        No progress bars.

    Returns
    -------
    list of Download
        One per file; SRTM tiles are unpacked to ``.hgt`` (:func:`gunzip`).
    """
    folder = cache_dir(cache) / source
    if source == "worldpop":
        urls = [worldpop_url(iso3, year, resolution, base)]
    elif source == "boundaries":
        urls = [boundaries_url(iso3, level, base)]
    elif source == "srtm":
        if bbox is None:
            raise InputError("srtm needs --bbox west,south,east,north (degrees)")
        urls = [srtm_url(tile, base) for tile in srtm_tile_names(bbox)]
        if sha256 and len(urls) > 1:
            raise InputError("--sha256 checks one file; the bounding box needs several SRTM tiles")
    else:
        raise InputError(f"unknown data source {source!r}; choose worldpop, boundaries or srtm")
    results = [download(url, folder / url.rsplit("/", 1)[-1], sha256, quiet=quiet) for url in urls]
    if source == "srtm":  # --dem reads .hgt, not .hgt.gz
        results = [gunzip(item) for item in results]
    return results


def gunzip(item: Download) -> Download:
    """Unpack a downloaded ``.gz`` beside it (atomically, once); describe the unpacked file.

    A damaged archive raises :class:`InputError` and leaves no unpacked file.

    Parameters
    ----------
    item : Download
        A downloaded ``.gz`` file.

    Returns
    -------
    Download
        The unpacked file, with the URL and cache flags of ``item``.
    """
    target = item.path.with_suffix("")
    if not target.exists():
        try:
            with atomic_path(target) as tmp, gzip.open(item.path) as packed, tmp.open("wb") as out:
                shutil.copyfileobj(packed, out, CHUNK_BYTES)
        except (OSError, EOFError) as exc:
            raise InputError(
                f"{item.path}: not a readable gzip file ({exc}); delete it and fetch again"
            ) from exc
    return Download(
        target,
        file_sha256(target),
        target.stat().st_size,
        item.url,
        item.resumed_from_bytes,
        item.from_cache,
    )
