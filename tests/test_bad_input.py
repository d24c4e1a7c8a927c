"""Bad input: every case gives exit code 2 and a short message naming the file and the fix.

Each station case runs twice: through the API (``pytest.raises(match=...)``) and
through the command line (``geoplan stations convert``), where the message must be at
most three lines, name the file, carry no traceback, and leave no output behind.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from geoplan.cli import main
from geoplan.errors import CRSError, DataMismatchError, FormatError, InputError
from geoplan.io.boundaries import read_communes
from geoplan.io.rasters import read_population_raster
from geoplan.io.stations import read_stations
from geoplan.population import build_population_grid
from tests.conftest import WORK_CRS, X0, Y0, write_raster

# A point in the middle of the tiny communes, and one 100 km east of them.
IN_LON, IN_LAT = 105.97766, 21.16300
FAR_LON, FAR_LAT = 106.94056, 21.15469


def _write(name: str, content: bytes | str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return make


def _zip_without_kml(folder: Path) -> Path:
    path = folder / "sites.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    return path


def _truncated_xlsx(folder: Path) -> Path:
    import openpyxl

    path = folder / "sites.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["site_id", "lat", "lon"])
    book.active.append(["A", IN_LAT, IN_LON])
    book.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _password_xlsx(folder: Path) -> Path:
    # what Excel writes for a password: an OLE container holding an EncryptedPackage stream
    path = folder / "sites.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
    )
    return path


def _gzip_truncated(folder: Path) -> Path:
    import gzip

    path = folder / "452.csv.gz"
    data = gzip.compress(b"radio,mcc,net,area,cell,unit,lon,lat\n" * 200)
    path.write_bytes(data[: len(data) // 2])
    return path


_POLYGON_KML = (
    '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    "<Placemark><name>A</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
    "105.9,21.1 106,21.1 106,21.2 105.9,21.1</coordinates></LinearRing></outerBoundaryIs>"
    "</Polygon></Placemark><Placemark><name>B</name><LineString><coordinates>"
    "105.9,21.1 106,21.2</coordinates></LineString></Placemark></Document></kml>"
)


def _polygon_geojson(folder: Path) -> Path:
    path = folder / "sites.geojson"
    gpd.GeoDataFrame(
        {"site_id": ["A"]}, geometry=[box(105.9, 21.1, 106.0, 21.2)], crs="EPSG:4326"
    ).to_file(path)
    return path


STATION_CASES = [
    # id, file builder, exception, message pattern (API and CLI)
    ("missing file", lambda d: d / "nowhere.csv", InputError, r"file not found"),
    ("empty file", _write("sites.csv", ""), FormatError, r"the file is empty"),
    ("header only", _write("sites.csv", "site_id,lat,lon\n"), FormatError, r"header but no rows"),
    (
        "unknown columns",
        _write("sites.csv", "foo,bar\n1,2\n"),
        FormatError,
        r"missing column\(s\) site_id, lat, lon.*'foo'",
    ),
    (
        "missing coordinate",
        _write("sites.csv", f"site_id,lat,lon\nA,,{IN_LON}\n"),
        FormatError,
        r"row 2: lat is missing",
    ),
    (
        "non-numeric coordinate",
        _write("sites.csv", f"site_id,lat,lon\nA,abc,{IN_LON}\n"),
        FormatError,
        r"row 2: lat 'abc' is not a coordinate",
    ),
    (
        "swapped lat/lon",
        _write("sites.csv", f"site_id,lat,lon\nA,{IN_LON},{IN_LAT}\nB,{IN_LON + 0.001},{IN_LAT}\n"),
        FormatError,
        r"latitude and longitude look swapped",
    ),
    (
        "projected, no CRS",
        _write("sites.csv", "site_id,x,y\nA,601500,2340500\n".replace("x,y", "lon,lat")),
        CRSError,
        r"look like UTM metres.*\n.*--crs EPSG:32648",
    ),
    (
        "outside the province",
        _write("sites.csv", f"site_id,lat,lon\nA,{IN_LAT},{IN_LON}\nB,{FAR_LAT},{FAR_LON}\n"),
        DataMismatchError,
        r"1 of 2 sites lie outside the province.*row 3.*\n.*--drop-outside",
    ),
    (
        "duplicate id, two places",
        _write("sites.csv", f"site_id,lat,lon\nA,{IN_LAT},{IN_LON}\nA,{IN_LAT + 0.01},{IN_LON}\n"),
        FormatError,
        r"row 3: site_id 'A' is also at row 2, 1\.\d\d km away",
    ),
    (
        "binary garbage",
        _write("sites.csv", bytes(range(256)) * 8),
        FormatError,
        r"binary data, not a station table",
    ),
    (
        "not UTF-8",
        _write("sites.csv", f"site_id,name,lat,lon\nA,Bé,{IN_LAT},{IN_LON}\n".encode("cp1258")),
        FormatError,
        r"line 2: not UTF-8 text.*--encoding",
    ),
    (
        "KML without placemarks",
        _write(
            "sites.kml",
            '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>',
        ),
        FormatError,
        r"no Placemark",
    ),
    (
        "broken KML",
        _write("sites.kml", "<kml><Document><Placemark>"),
        FormatError,
        r"not a readable KML file",
    ),
    (
        "KML entity bomb",
        _write(
            "sites.kml",
            '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml><Document/></kml>',
        ),
        FormatError,
        r"unsafe XML",
    ),
    ("zip without KML", _zip_without_kml, FormatError, r"zip archive without a KML"),
    (
        "old Excel .xls",
        _write("sites.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100),
        FormatError,
        r"old Excel \.xls.*\.xlsx",
    ),
    (
        "OpenCellID without Vietnam",
        _write(
            "cells.csv",
            "radio,mcc,net,area,cell,unit,lon,lat,"
            "range,samples,changeable,created,updated,"
            "averageSignal\nLTE,310,260,1,2,3,-122.4,37.7,1,1,"
            "1,0,0,0\n",
        ),
        FormatError,
        r"MCC 452",
    ),
    ("polygons, not points", _polygon_geojson, FormatError, r"feature 1: a Polygon, not a point"),
    (
        "truncated .xlsx",
        _truncated_xlsx,
        FormatError,
        r"damaged or truncated Excel workbook.*re-download",
    ),
    ("password .xlsx", _password_xlsx, FormatError, r"password-protected.*remove the password"),
    (
        "KML of polygons and lines",
        _write("sites.kml", _POLYGON_KML),
        FormatError,
        r"every placemark is a LineString/Polygon, not a point \(2 of 2\)",
    ),
    (
        "decimal commas, comma separator",
        _write("sites.csv", "site_id,lat,lon\nA,21,16300,105,97766\nB,21,17,105,98\n"),
        FormatError,
        r"row 2: 5 fields under a header of 3: decimal commas \(21,16300\).*';'",
    ),
    ("truncated .csv.gz", _gzip_truncated, FormatError, r"truncated gzip file.*re-download"),
]
IDS = [case[0] for case in STATION_CASES]


@pytest.mark.parametrize(("name", "make", "error", "pattern"), STATION_CASES, ids=IDS)
def test_bad_station_file_raises(name, make, error, pattern, tmp_path, tiny_communes) -> None:
    path = make(tmp_path)
    with pytest.raises(error, match=pattern) as caught:
        read_stations(path, communes=tiny_communes)
    assert str(path) in str(caught.value)
    assert len(str(caught.value).splitlines()) <= 3


@pytest.mark.parametrize(("name", "make", "error", "pattern"), STATION_CASES, ids=IDS)
def test_bad_station_file_cli(
    name, make, error, pattern, tmp_path, tiny_communes_file, capsys
) -> None:
    path = make(tmp_path)
    out = tmp_path / "out" / "stations.csv"
    code = main(
        ["stations", "convert", str(path), str(out), "--boundaries", str(tiny_communes_file)]
    )
    captured = capsys.readouterr()
    assert code == 2
    message = captured.err.strip()
    assert "Traceback" not in captured.err + captured.out
    assert message.startswith("geoplan: error: ")
    assert len(message.splitlines()) <= 3
    assert str(path) in message
    assert re.search(pattern, message.removeprefix("geoplan: error: "))
    assert not out.exists()


def test_validate_lists_every_bad_row(tmp_path, tiny_communes_file, capsys) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_id,lat,lon,antenna_height_m\n"
        f"A,{IN_LAT},{IN_LON},30\n"
        f"B,abc,{IN_LON},30\n"
        f"C,{FAR_LAT},{FAR_LON},\n"
        f"D,{IN_LAT},{IN_LON},-5\n",
        encoding="utf-8",
    )
    code = main(["stations", "validate", str(path), "--boundaries", str(tiny_communes_file)])
    out = capsys.readouterr().out
    assert code == 2
    assert "4 rows read, 1 sites kept" in out
    assert "row 3: lat" in out
    assert "row 4: position" in out
    assert "row 5: antenna_height_m" in out
    assert "3 error(s)" in out


def test_validate_clean_file_exits_zero(tmp_path, tiny_communes_file, capsys) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(f"site_id,lat,lon\nA,{IN_LAT},{IN_LON}\n", encoding="utf-8")
    code = main(["stations", "validate", str(path), "--boundaries", str(tiny_communes_file)])
    assert code == 0
    out = capsys.readouterr().out
    assert "0 error(s), 1 warning(s): clean" in out
    assert "every row: operator is not given: the generic n78 3.5 GHz carrier is assumed" in out


def test_drop_outside_goes_on_without_them(
    tmp_path, tiny_communes, tiny_communes_file, capsys
) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        f"site_id,lat,lon\nA,{IN_LAT},{IN_LON}\nB,{FAR_LAT},{FAR_LON}\n", encoding="utf-8"
    )
    sites = read_stations(path, communes=tiny_communes, drop_outside=True)
    assert sites["site_id"].tolist() == ["A"]
    code = main(
        [
            "stations",
            "validate",
            str(path),
            "--boundaries",
            str(tiny_communes_file),
            "--drop-outside",
        ]
    )
    assert code == 0
    assert "dropped (--drop-outside)" in capsys.readouterr().out


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: base letters like ă ê ơ whole, tone marks combining."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
        head = unicodedata.normalize("NFC", base + marks[0])
        try:
            out += head.encode("cp1258")
            marks = marks[1:]
        except UnicodeEncodeError:
            out += base.encode("cp1258")
        out += "".join(marks).encode("cp1258")
    return out


def test_other_encoding_read_with_encoding(tmp_path) -> None:
    path = tmp_path / "sites.csv"
    path.write_bytes(_to_cp1258(f"Mã trạm,Tên trạm,lat,lon\nA,Bắc Ninh,{IN_LAT},{IN_LON}\n"))
    sites = read_stations(path, encoding="cp1258")
    assert sites["name"].tolist() == [unicodedata.normalize("NFC", "Bắc Ninh")]


def test_projected_coordinates_read_with_crs(tmp_path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("site_id,lon,lat\nA,601500,2340500\n", encoding="utf-8")
    sites = read_stations(path, crs="EPSG:32648")
    assert sites["lon"].iloc[0] == pytest.approx(IN_LON, abs=1e-5)
    assert sites["lat"].iloc[0] == pytest.approx(IN_LAT, abs=1e-5)


def test_one_swapped_row_is_named(tmp_path, tiny_communes) -> None:
    path = tmp_path / "sites.csv"
    rows = "".join(f"S{i},{IN_LAT},{IN_LON + i * 0.001}\n" for i in range(3))
    path.write_text(f"site_id,lat,lon\n{rows}X,{IN_LON},{IN_LAT}\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"row 5: lat .*look swapped"):
        read_stations(path, communes=tiny_communes)


# --- population rasters and boundaries -------------------------------------------------


def _raster_no_crs(folder: Path) -> Path:
    transform = (500.0, 0.0, X0 - 1000.0, 0.0, -500.0, Y0 + 3000.0)
    from affine import Affine

    return write_raster(folder / "pop.tif", np.full((10, 10), 10.0), Affine(*transform), None)


def _raster_elsewhere(folder: Path) -> Path:
    from affine import Affine

    transform = Affine(500.0, 0.0, X0 + 500_000.0, 0.0, -500.0, Y0 + 3000.0)
    return write_raster(folder / "pop.tif", np.full((10, 10), 10.0), transform, WORK_CRS)


def _raster_truncated(folder: Path) -> Path:
    from affine import Affine

    path = write_raster(
        folder / "full.tif",
        np.random.default_rng(1).random((200, 200)),
        Affine(100.0, 0.0, X0 - 5000, 0.0, -100.0, Y0 + 8000),
        WORK_CRS,
    )
    data = path.read_bytes()
    cut = folder / "pop.tif"
    cut.write_bytes(data[: len(data) // 10])
    return cut


RASTER_CASES = [
    ("raster without CRS", _raster_no_crs, r"no coordinate reference system.*gdal_edit"),
    ("raster elsewhere", _raster_elsewhere, r"does not overlap the (boundaries|province)"),
    ("truncated raster", _raster_truncated, r"truncated.*re-download"),
    ("raster is garbage", _write("pop.tif", bytes(range(256)) * 8), r"not a readable raster"),
    ("raster missing", lambda d: d / "nowhere.tif", r"file not found"),
]


@pytest.mark.parametrize(
    ("name", "make", "pattern"), RASTER_CASES, ids=[c[0] for c in RASTER_CASES]
)
def test_bad_raster(
    name, make, pattern, tmp_path, tiny_communes, tiny_communes_file, tiny_stations_file, capsys
) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError, match=pattern):
        build_population_grid(tiny_communes, read_population_raster(path))
    code = main(
        [
            "coverage",
            "--boundaries",
            str(tiny_communes_file),
            "--population",
            str(path),
            "--stations",
            str(tiny_stations_file),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3
    assert str(path) in err


def _points_as_boundaries(folder: Path) -> Path:
    path = folder / "communes.geojson"
    gpd.GeoDataFrame(
        {"code": ["1"], "name": ["A"], "population": [10]},
        geometry=[Point(106, 21)],
        crs="EPSG:4326",
    ).to_file(path)
    return path


def test_boundaries_without_polygons(tmp_path, tiny_stations_file, capsys) -> None:
    path = _points_as_boundaries(tmp_path)
    with pytest.raises(FormatError, match=r"no polygons found"):
        read_communes(path)
    code = main(["stations", "validate", str(tiny_stations_file), "--boundaries", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "no polygons found" in err and "Traceback" not in err


def test_invalid_boundaries_are_repaired_with_a_warning(tmp_path, tiny_communes) -> None:
    bowtie = Polygon([(105.97, 21.16), (105.99, 21.17), (105.99, 21.16), (105.97, 21.17)])
    frame = tiny_communes.copy()
    frame.loc[0, "geometry"] = bowtie
    path = tmp_path / "communes.geojson"
    frame.to_file(path)
    with pytest.warns(UserWarning, match=r"repaired 1 invalid polygon"):
        communes = read_communes(path)
    assert communes.geometry.is_valid.all()
    assert communes.to_crs(WORK_CRS).geometry.area.iloc[0] > 0


def test_cli_prints_the_repair_warning_in_one_line(tmp_path, tiny_communes, capsys) -> None:
    bowtie = Polygon([(105.97, 21.16), (105.99, 21.17), (105.99, 21.16), (105.97, 21.17)])
    frame = tiny_communes.copy()
    frame.loc[0, "geometry"] = bowtie
    path = tmp_path / "communes.geojson"
    frame.to_file(path)
    sites = tmp_path / "sites.csv"
    sites.write_text(f"site_id,lat,lon\nA,{IN_LAT},{IN_LON}\n", encoding="utf-8")
    assert main(["stations", "validate", str(sites), "--boundaries", str(path)]) == 0
    err = capsys.readouterr().err
    assert err == f"geoplan: warning: {path}: repaired 1 invalid polygon(s) with make_valid\n"


def test_geojson_boundaries_written_as_json(tmp_path) -> None:
    # a FeatureCollection with no features at all: a clear error, not a traceback
    path = tmp_path / "communes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    with pytest.raises(InputError, match=r"communes.geojson"):
        read_communes(path)


def test_windowed_read_refuses_a_raster_elsewhere(tmp_path, tiny_communes) -> None:
    path = _raster_elsewhere(tmp_path)
    with pytest.raises(DataMismatchError, match=r"does not overlap the province"):
        read_population_raster(path, bounds=tuple(tiny_communes.total_bounds))


def test_windowed_read_gives_the_same_grid(tmp_path, tiny_communes) -> None:
    from affine import Affine

    values = np.random.default_rng(3).random((60, 60)) * 100
    transform = Affine(200.0, 0.0, X0 - 4000, 0.0, -200.0, Y0 + 6000)
    path = write_raster(tmp_path / "big.tif", values, transform, WORK_CRS)
    window = read_population_raster(path, bounds=tuple(tiny_communes.total_bounds))
    full = read_population_raster(path)
    assert window.values.size < full.values.size
    grid_w = build_population_grid(tiny_communes, window)
    grid_f = build_population_grid(tiny_communes, full)
    np.testing.assert_allclose(grid_w.population, grid_f.population, rtol=1e-12)
    assert grid_w.source_total_in_province == pytest.approx(grid_f.source_total_in_province)
