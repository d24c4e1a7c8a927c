"""Issue 18: mutated inputs never give a traceback, only a GeoplanError (one line, exit 2).

Every reader gets valid files mutated by hypothesis: random bytes, truncation, flipped
and inserted bytes, shuffled or duplicated columns, other text encodings. Each test
is bounded (``max_examples``) so that ``make test`` stays fast.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geoplan.cli import main
from geoplan.errors import GeoplanError
from geoplan.io.boundaries import read_communes
from geoplan.io.exporters import kml_document
from geoplan.io.rasters import read_population_raster
from geoplan.io.stations import read_stations

#: Examples per test: 30 in ``make test``; GEOPLAN_FUZZ_EXAMPLES=1000 for a deeper hunt.
EXAMPLES = int(os.environ.get("GEOPLAN_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
IN_LON, IN_LAT = 105.97766, 21.16300
HEADER = ["site_id", "operator", "lat", "lon", "antenna_height_m", "sectors"]
ROWS = [
    ["BN1", "Viettel", f"{IN_LAT}", f"{IN_LON}", "30", "3"],
    ["BN2", "VNPT", "21,1701", "105,9812", "27,5 m", "3"],
    ["BN3", "MobiFone", "21°10'12\"N", "105°58'30\"E", "", ""],
]


def _csv(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    quote = (lambda c: f'"{c}"') if sep == "," else (lambda c: c)
    lines = [sep.join(header)] + [sep.join(quote(c) for c in r) for r in rows]
    return "\n".join(lines) + "\n"


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in ROWS:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _kml() -> bytes:
    import pandas as pd

    table = pd.DataFrame(
        {"site_id": ["BN1", "BN2"], "lon": [IN_LON, 105.98], "lat": [IN_LAT, 21.17]}
    )
    return kml_document(table)


def _kmz() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("doc.kml", _kml())
    return stream.getvalue()


def _geojson() -> bytes:
    frame = gpd.GeoDataFrame(
        {"site_id": ["BN1", "BN2"]},
        geometry=[Point(IN_LON, IN_LAT), Point(105.98, 21.17)],
        crs=4326,
    )
    return frame.to_json().encode()


def _opencellid() -> bytes:
    head = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated"
    head += ",averageSignal"
    rows = [f"LTE,452,4,1,{256001 + i},0,{IN_LON},{IN_LAT},1,1,1,0,0,0" for i in range(3)]
    return ("\n".join([head, *rows]) + "\n").encode()


SEEDS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "csv": ("sites.csv", lambda: _csv(HEADER, ROWS).encode()),
    "csv;": ("sites.csv", lambda: _csv(HEADER, ROWS, ";").encode()),
    "xlsx": ("sites.xlsx", _xlsx),
    "kml": ("sites.kml", _kml),
    "kmz": ("sites.kmz", _kmz),
    "geojson": ("sites.geojson", _geojson),
    "opencellid": ("cells.csv", _opencellid),
    "opencellid.gz": ("cells.csv.gz", lambda: gzip.compress(_opencellid())),
}


@cache
def _seed(fmt: str) -> bytes:
    """The valid file of ``fmt``, made once (an .xlsx holds its creation time)."""
    return SEEDS[fmt][1]()


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` truncated, with bytes flipped, inserted or deleted, or replaced by noise."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "noise", "prefix"]))
    data = bytearray(seed)
    if kind == "noise":
        return draw(st.binary(max_size=2048))
    if kind == "prefix":
        return draw(st.binary(min_size=1, max_size=64)) + seed
    if kind == "truncate":
        return bytes(data[: draw(st.integers(0, max(0, len(data) - 1)))])
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            del data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


def _read_quietly(read: Callable[[Path], object], path: Path) -> None:
    """``read(path)`` succeeds or raises a GeoplanError; anything else fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read(path)
        except GeoplanError as exc:
            assert str(exc).strip(), "an error without a message"
            assert len(str(exc).splitlines()) <= 3, str(exc)


@pytest.mark.parametrize("fmt", list(SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_station_files_never_traceback(fmt, data) -> None:
    name = SEEDS[fmt][0]
    content = data.draw(mutated(_seed(fmt)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        _read_quietly(read_stations, path)


@FUZZ
@given(
    order=st.permutations(range(len(HEADER))),
    duplicate=st.one_of(st.none(), st.integers(0, len(HEADER) - 1)),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1", "utf-16-le"]),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    drop_rows=st.integers(0, len(ROWS)),
)
def test_shuffled_columns_and_odd_encodings_never_traceback(
    order, duplicate, encoding, sep, drop_rows
) -> None:
    columns = list(order) + ([duplicate] if duplicate is not None else [])
    header = [HEADER[i] for i in columns]
    rows = [[row[i] for i in columns] for row in ROWS[drop_rows:]]
    text = _csv(header, rows, sep).replace("Đ", "D")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sites.csv"
        path.write_bytes(text.encode(encoding, errors="replace"))
        _read_quietly(read_stations, path)


@cache
def _communes_geojson() -> bytes:
    squares = [
        box(IN_LON + i * 0.01, IN_LAT, IN_LON + (i + 1) * 0.01, IN_LAT + 0.01) for i in range(3)
    ]
    frame = gpd.GeoDataFrame(
        {
            "code": ["1", "2", "3"],
            "name": ["Một", "Hai", "Ba"],
            "population": ["1.200", "800", "3 500"],
        },
        geometry=squares,
        crs=4326,
    )
    return frame.to_json().encode()


@FUZZ
@given(data=st.data())
def test_mutated_boundaries_never_traceback(data) -> None:
    content = data.draw(mutated(_communes_geojson()))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "communes.geojson"
        path.write_bytes(content)
        _read_quietly(read_communes, path)


@cache
def _raster_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pop.tif"
        transform = Affine(0.01, 0, IN_LON - 0.05, 0, -0.01, IN_LAT + 0.06)
        profile = {"driver": "GTiff", "height": 12, "width": 12, "count": 1, "dtype": "float32",
                   "crs": "EPSG:4326", "nodata": -99999.0, "transform": transform}  # fmt: skip
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(np.random.default_rng(0).random((12, 12)).astype("float32") * 100, 1)
        return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_mutated_population_rasters_never_traceback(data) -> None:
    content = data.draw(mutated(_raster_bytes()))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pop.tif"
        path.write_bytes(content)
        _read_quietly(read_population_raster, path)


@settings(max_examples=max(10, EXAMPLES // 3), deadline=None)
@given(content=st.binary(max_size=512), fmt=st.sampled_from(["sites.csv", "sites.xlsx", "a.kml"]))
def test_the_cli_gives_one_line_for_garbage(content, fmt) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / fmt
        path.write_bytes(content)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            code = main(["stations", "validate", str(path)])
        assert code in (0, 2)
        assert "Traceback" not in stderr.getvalue()
        assert not [p for p in Path(folder).iterdir() if p.name != fmt]
