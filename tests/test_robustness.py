"""Issue 18: one error path, resource guard, sanity checks that catch silent wrong answers.

Every CLI case checks exit code 2, one line on stderr naming the file or option and
the fix, no traceback, and no temporary or partial file left behind.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio

from geoplan import population
from geoplan.cli import main
from geoplan.errors import DataMismatchError, FormatError, ResourceError
from geoplan.io import atomic
from geoplan.io.boundaries import read_communes
from geoplan.io.coords import parse_count
from geoplan.io.embedded import DEFAULT_COMMUNES, DEFAULT_POPULATION
from geoplan.io.rasters import read_population_raster
from geoplan.population import check_grid_memory

TEMPORARY = re.compile(r"\.part|-journal$|-wal$|-shm$|\.aux\.xml$")


def leftovers(folder: Path) -> list[Path]:
    """Temporary or partial files anywhere under ``folder``."""
    return [p for p in folder.rglob("*") if TEMPORARY.search(p.name)]


def one_line_error(captured: pytest.CaptureResult[str], *needles: str) -> str:
    """The single stderr line of a failed run; it names each of ``needles``."""
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.strip().splitlines()
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1, captured.err
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


# --- argparse: one line and a --help hint ------------------------------------------------

ARGPARSE_CASES = [
    (["plan", "--target", "abc"], "argument --target: 'abc' is not a share", "geoplan plan --help"),
    (["plan", "--solver", "magic"], "invalid choice: 'magic'", "geoplan plan --help"),
    (["coverage", "--bogus"], "unrecognized arguments: --bogus", "--help"),
    (["stations", "convert"], "required: file, out", "geoplan stations convert --help"),
    ([], "required: command", "geoplan --help"),
]


@pytest.mark.parametrize(("argv", "message", "hint"), ARGPARSE_CASES, ids=lambda v: str(v))
def test_argparse_errors_are_one_line(argv, message, hint, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    one_line_error(captured, message, hint)


# --- output paths checked before the work ----------------------------------------------


def _file_named_out(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.write_text("not a folder", encoding="utf-8")
    return path


def _folder_named_out(tmp_path: Path) -> Path:
    path = tmp_path / "out.html"
    path.mkdir()
    return path


OUT_CASES = [
    # command, where --out points, expected words
    ("report", lambda d: _file_named_out(d), "is a file, but"),
    ("plan", lambda d: _file_named_out(d), "is a file, but"),
    ("compare", lambda d: _file_named_out(d), "is a file, but"),
    ("demo", lambda d: _file_named_out(d) / "deeper", "is a file, but"),
    ("map", lambda d: _folder_named_out(d), "is a folder"),
    ("map", lambda d: _file_named_out(d) / "map.html", "is a file, but"),
]


@pytest.mark.parametrize(("command", "make", "words"), OUT_CASES)
def test_out_paths_are_checked_before_the_work(
    command, make, words, tmp_path, capsys, monkeypatch
) -> None:
    out = make(tmp_path)

    def no_work(*args, **kwargs):
        raise AssertionError("the inputs were read before the output path was checked")

    monkeypatch.setattr("geoplan.cli.app.load_scenario", no_work)
    extra = ["--targets", "0.7"] if command == "compare" else []
    code = main([command, "--out", str(out), "--overwrite", *extra])
    assert code == 2
    line = one_line_error(capsys.readouterr(), words, "--out" if "is a file" in words else "")
    assert str(tmp_path) in line
    assert not leftovers(tmp_path)


def test_unwritable_folder_is_refused(tmp_path, capsys, monkeypatch) -> None:
    # root ignores permissions, so the check's answer is stubbed
    monkeypatch.setattr(atomic.os, "access", lambda path, mode: False)
    code = main(["map", "--out", str(tmp_path / "map.html")])
    assert code == 2
    one_line_error(capsys.readouterr(), "no permission to write", "--out")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/full/disk/x.csv"), "free some disk"),
        (PermissionError(errno.EACCES, "Permission denied", "/ro/x.csv"), "choose a folder"),
        (OSError(errno.EROFS, "Read-only file system", "/ro/x.csv"), "read-only"),
        (MemoryError(), "--cell-size-m"),
    ],
    ids=["disk full", "permission", "read-only", "memory"],
)
def test_os_and_memory_errors_are_one_line(error, words, tmp_path, capsys, monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("geoplan.cli.app.load_scenario", fail)
    assert main(["coverage"]) == 2
    line = one_line_error(capsys.readouterr(), words)
    if isinstance(error, OSError):
        assert error.filename in line


def test_config_errors_are_value_errors_too() -> None:
    from geoplan.config import PlanConfig

    with pytest.raises(ValueError, match=r"cell_size_m \(--cell-size-m\)"):
        PlanConfig(cell_size_m=-5)


# --- resource guard -----------------------------------------------------------------------

PROVINCE_M = (591_380.0, 2_319_198.0, 710_901.0, 2_391_933.0)


@pytest.mark.parametrize("cell_size_m", [1.0, 0.5, 2.0])
def test_a_grid_too_big_is_refused_quickly(cell_size_m, tmp_path, capsys) -> None:
    code = main(["coverage", "--cell-size-m", str(cell_size_m)])
    assert code == 2
    line = one_line_error(capsys.readouterr(), f"--cell-size-m {cell_size_m:g}", "GB of memory")
    suggested = float(re.search(r"use --cell-size-m (\d+) or more", line).group(1))
    assert suggested > cell_size_m


@pytest.mark.filterwarnings("ignore:--cell-size-m")
def test_suggested_cell_size_fits() -> None:
    available = 4e9
    with pytest.raises(ResourceError, match=r"use --cell-size-m (\d+)") as caught:
        check_grid_memory(PROVINCE_M, 5.0, available_bytes=available)
    size = float(re.search(r"use --cell-size-m (\d+)", str(caught.value)).group(1))
    assert check_grid_memory(PROVINCE_M, size, available_bytes=available) <= 0.8 * available
    with pytest.raises(ResourceError):
        check_grid_memory(PROVINCE_M, size - 1, available_bytes=available)


def test_a_large_grid_is_built_with_a_warning(monkeypatch) -> None:
    monkeypatch.setattr(population, "WARN_GRID_BYTES", 1e6)
    with pytest.warns(UserWarning, match=r"--cell-size-m 100: the work grid needs about"):
        check_grid_memory(PROVINCE_M, 100.0, available_bytes=1e12)


# --- numbers written as text ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("122.838", 122_838),
        ("122,838", 122_838),
        ("122 838", 122_838),
        ("122\u00a0838", 122_838),
        ("3.619.443", 3_619_443),
        ("3,619,443", 3_619_443),
        ("51 733 người", 51_733),
        ("19226", 19_226),
        ("1200 people", 1_200),
    ],
)
def test_counts_with_thousands_separators(text, count) -> None:
    assert parse_count(pd.Series([text])).iloc[0] == count


@pytest.mark.parametrize("text", ["21°10'N", "abc", "1.2.3", "12,34,5"])
def test_counts_that_are_not_numbers(text) -> None:
    assert np.isnan(parse_count(pd.Series([text])).iloc[0])


def _official(folder: Path, population: object) -> Path:
    frame = gpd.read_file(DEFAULT_COMMUNES)
    frame["population"] = population(frame["population"]) if callable(population) else population
    path = folder / "communes.geojson"
    frame.to_file(path)
    return path


def test_vietnamese_text_populations_read_as_thousands(tmp_path) -> None:
    path = _official(tmp_path, lambda p: [f"{v:,}".replace(",", ".") for v in p])
    communes = read_communes(path)
    assert communes["population"].sum() == 3_619_443


POPULATION_CASES = [
    ("decimals: thousands read as decimals", lambda p: p / 1000, r"0\.1% of the official"),
    ("ten times too many", lambda p: p * 10, r"1000\.0% of the official"),
]


@pytest.mark.parametrize(
    ("name", "change", "pattern"), POPULATION_CASES, ids=[c[0] for c in POPULATION_CASES]
)
def test_populations_far_from_the_official_are_refused(
    name, change, pattern, tmp_path, tiny_stations_file, capsys
) -> None:
    path = _official(tmp_path, change)
    with pytest.raises(DataMismatchError, match=pattern):
        read_communes(path)
    code = main(["stations", "validate", str(tiny_stations_file), "--boundaries", str(path)])
    assert code == 2
    one_line_error(capsys.readouterr(), str(path), "population")


def test_populations_a_little_off_are_warned(tmp_path) -> None:
    path = _official(tmp_path, lambda p: p * 1.2)
    with pytest.warns(UserWarning, match=r"120\.0% of the official"):
        read_communes(path)


def test_implausibly_few_people_are_warned(tmp_path, tiny_communes) -> None:
    frame = tiny_communes.assign(population=[1.0, 2.0, 0.5])
    path = tmp_path / "communes.geojson"
    frame.to_file(path)
    with pytest.warns(UserWarning, match=r"implausibly few"):
        read_communes(path)


# --- population rasters: one band of counts ------------------------------------------------


def _rendered(folder: Path, count: int, dtype: str = "uint8", palette: bool = False) -> Path:
    with rasterio.open(DEFAULT_POPULATION) as src:
        profile, values = src.profile, src.read(1)
    profile.update(count=count, dtype=dtype, nodata=None)
    path = folder / f"rendered_{count}.tif"
    with rasterio.open(path, "w", **profile) as dst:
        for band in range(1, count + 1):
            dst.write(np.clip(values, 0, 255).astype(dtype), band)
        if palette:
            dst.write_colormap(1, {i: (i, i, i, 255) for i in range(256)})
    return path


@pytest.mark.parametrize(
    ("count", "palette", "words"),
    [(3, False, "3 bands"), (4, False, "4 bands"), (1, True, "a colour palette")],
    ids=["RGB", "RGBA", "palette"],
)
def test_rendered_images_are_not_population(count, palette, words, tmp_path, capsys) -> None:
    path = _rendered(tmp_path, count, palette=palette)
    with pytest.raises(FormatError, match=words):
        read_population_raster(path)
    assert main(["coverage", "--population", str(path)]) == 2
    one_line_error(capsys.readouterr(), str(path), words, "single-band count raster")


def test_an_8_bit_raster_is_read_with_a_warning(tmp_path) -> None:
    path = _rendered(tmp_path, 1)
    with pytest.warns(UserWarning, match=r"8-bit values"):
        read_population_raster(path)


def test_negative_people_are_refused(tmp_path) -> None:
    with rasterio.open(DEFAULT_POPULATION) as src:
        profile, values = src.profile, src.read(1)
    values[5, 7] = -3.0
    path = tmp_path / "negative.tif"
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)
    with pytest.raises(FormatError, match=r"negative people \(first: row 6, column 8, -3\)"):
        read_population_raster(path)


# --- station files: read right what was read wrong -----------------------------------------

IN_LON, IN_LAT = 105.97766, 21.16300


def _merged_operator_xlsx(folder: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["site_id", "operator", "lat", "lon"])
    for i, operator in enumerate(["Viettel", None, None, "VNPT"]):
        sheet.append([f"S{i}", operator, IN_LAT + i * 0.001, IN_LON])
    sheet.merge_cells("B2:B4")
    path = folder / "sites.xlsx"
    book.save(path)
    return path


def test_merged_operator_cells_are_filled_down(tmp_path, capsys) -> None:
    from geoplan.io.stations import read_stations, validate_stations

    path = _merged_operator_xlsx(tmp_path)
    assert read_stations(path)["operator"].tolist() == ["Viettel"] * 3 + ["VNPT"]
    report = validate_stations(path)
    assert [p.severity for p in report.problems] == ["warning"]
    assert "merged cell range(s) (B2:B4) filled" in str(report.problems[0])
    out = tmp_path / "out.csv"
    assert main(["stations", "convert", str(path), str(out)]) == 0
    assert "unknown" not in out.read_text(encoding="utf-8")


def test_opencellid_csv_gz_is_read(tmp_path) -> None:
    import gzip

    from geoplan.io.stations import validate_stations

    path = tmp_path / "452.csv.gz"
    header = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
    rows = [f"LTE,452,4,1,{256001 + i},0,{IN_LON},{IN_LAT},1,1,1,0,0,0" for i in range(3)]
    path.write_bytes(gzip.compress(("\n".join([header + "averageSignal", *rows]) + "\n").encode()))
    report = validate_stations(path)
    assert (report.format, report.rows_read, report.rows_kept) == ("opencellid", 3, 1)


FAR = [(16.0, 108.2), (16.01, 108.21)]  # Đà Nẵng, 600 km south


@pytest.mark.parametrize("command", ["validate", "convert", "coverage"])
def test_drop_outside_that_drops_every_site_is_an_error(
    command, tmp_path, tiny_communes_file, capsys
) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_id,lat,lon\n" + "".join(f"S{i},{la},{lo}\n" for i, (la, lo) in enumerate(FAR)),
        encoding="utf-8",
    )
    out = tmp_path / "out" / "sites.csv"
    argv = {
        "validate": ["stations", "validate", str(path)],
        "convert": ["stations", "convert", str(path), str(out)],
        "coverage": ["coverage", "--stations", str(path)],
    }[command]
    assert main([*argv, "--boundaries", str(tiny_communes_file), "--drop-outside"]) == 2
    one_line_error(capsys.readouterr(), str(path), "would drop all 2 sites", "--boundaries")
    assert not out.exists() and not leftovers(tmp_path)


def test_drop_outside_that_drops_most_sites_warns(tmp_path, tiny_communes) -> None:
    from geoplan.io.stations import read_stations

    path = tmp_path / "sites.csv"
    rows = [*FAR, (IN_LAT, IN_LON)]
    path.write_text(
        "site_id,lat,lon\n" + "".join(f"S{i},{la},{lo}\n" for i, (la, lo) in enumerate(rows)),
        encoding="utf-8",
    )
    with pytest.warns(UserWarning, match=r"--drop-outside drops 2 of 3 sites \(67%"):
        sites = read_stations(path, communes=tiny_communes, drop_outside=True)
    assert sites["site_id"].tolist() == ["S2"]


# --- zipped shapefiles ------------------------------------------------------------------------


def _zipped_layer(folder: Path, frame: gpd.GeoDataFrame, inner: str, name: str) -> Path:
    import zipfile

    layer = folder / "layer"
    layer.mkdir()
    frame.to_file(layer / "layer.shp")
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for part in layer.iterdir():
            archive.write(part, f"{inner}{part.name}")
    return path


@pytest.mark.parametrize("inner", ["", "communes/", "a/b/"], ids=["root", "folder", "two deep"])
def test_zipped_shapefile_boundaries_in_any_folder(inner, tmp_path, tiny_communes) -> None:
    path = _zipped_layer(tmp_path, tiny_communes, inner, "communes.zip")
    assert read_communes(path)["code"].tolist() == ["00001", "00002", "00003"]


def test_zip_without_a_layer_is_named(tmp_path, tiny_stations_file, capsys) -> None:
    import zipfile

    path = tmp_path / "communes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme/notes.txt", "no layer")
    code = main(["stations", "validate", str(tiny_stations_file), "--boundaries", str(path)])
    assert code == 2
    one_line_error(capsys.readouterr(), str(path), "without a shapefile", "readme/notes.txt")


def test_zipped_shapefile_of_stations(tmp_path) -> None:
    from shapely.geometry import Point

    from geoplan.io.stations import read_stations

    frame = gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[Point(IN_LON, IN_LAT)], crs="EPSG:4326")
    path = _zipped_layer(tmp_path, frame, "sites/", "sites.zip")
    assert read_stations(path)["site_id"].tolist() == ["A"]
