"""Station importers: every format people hand over reads to the same sites."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan.cli import main
from geoplan.errors import FormatError, OutputExistsError
from geoplan.io.columns import STATION_COLUMNS, STATION_DEFAULTS, normalise_header
from geoplan.io.coords import parse_coordinate
from geoplan.io.exporters import write_stations
from geoplan.io.importers import detect_format, opencellid_sites, sniff_separator
from geoplan.io.stations import read_stations

DATA = Path(__file__).parent / "data"
FIXTURES = ["google_earth.kml", "stations_vi.xlsx", "opencellid_452.csv"]
EXPECTED = pd.DataFrame(
    {
        "site_id": [
            "452-01-LTE-54321",
            "452-02-NR-4000001",
            "452-04-LTE-123456",
            "452-04-LTE-200001",
        ],
        "operator": ["MobiFone", "VinaPhone", "Viettel", "Viettel"],
        "lon": [106.203, 106.195, 106.0761, 106.5],
        "lat": [21.281, 21.273, 21.1861, 21.4],
    }
)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("site_id").reset_index(drop=True)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixtures_import_to_the_same_sites(name: str) -> None:
    sites = _sorted(read_stations(DATA / name))
    assert sites["site_id"].tolist() == EXPECTED["site_id"].tolist()
    assert sites["operator"].tolist() == EXPECTED["operator"].tolist()
    np.testing.assert_allclose(sites["lon"], EXPECTED["lon"], atol=1e-6)
    np.testing.assert_allclose(sites["lat"], EXPECTED["lat"], atol=1e-6)
    assert (sites.geometry.x == sites["lon"]).all()


def test_fixture_formats_are_detected() -> None:
    assert [detect_format(DATA / n) for n in FIXTURES] == ["kml", "xlsx", "opencellid"]


def test_kmz_reads_like_its_kml(tmp_path: Path) -> None:
    kmz = tmp_path / "export.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.write(DATA / "google_earth.kml", "doc.kml")
    from_kmz = _sorted(read_stations(kmz))
    from_kml = _sorted(read_stations(DATA / "google_earth.kml"))
    pd.testing.assert_frame_equal(
        from_kmz.drop(columns="geometry"), from_kml.drop(columns="geometry")
    )


def test_kml_extended_data_and_defaults() -> None:
    sites = read_stations(DATA / "google_earth.kml").set_index("site_id")
    assert sites.loc["452-04-LTE-123456", "antenna_height_m"] == 32.0
    assert sites.loc["452-01-LTE-54321", "antenna_height_m"] == STATION_DEFAULTS["antenna_height_m"]
    # no band in the file: each operator's own carrier (Viettel n41, MobiFone n77, VNPT n78)
    carrier = {"Viettel": "n41", "MobiFone": "n77", "VinaPhone": "n78", "VNPT": "n78"}
    assert (sites["band"] == sites["operator"].map(carrier)).all()


def test_xlsx_title_row_names_and_heights() -> None:
    sites = read_stations(DATA / "stations_vi.xlsx").set_index("site_id")
    assert sites.loc["452-02-NR-4000001", "name"] == "Bắc Giang 5G"
    assert sites.loc["452-02-NR-4000001", "antenna_height_m"] == 25.0
    assert "Ghi chú" in sites.columns  # unknown columns are kept


def test_opencellid_filters_radio_and_mcc_and_groups_cells() -> None:
    sites = read_stations(DATA / "opencellid_452.csv").set_index("site_id")
    # 11 cells: GSM, UMTS and MCC 310 rows are left out; 8 LTE/NR cells make 4 sites
    assert sites["cells"].to_dict() == {
        "452-01-LTE-54321": 2,
        "452-02-NR-4000001": 2,
        "452-04-LTE-123456": 3,
        "452-04-LTE-200001": 1,
    }
    assert (sites["source"] == "opencellid").all()


def test_opencellid_with_header_equals_without(tmp_path: Path) -> None:
    header = (
        "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
        "averageSignal\n"
    )
    path = tmp_path / "cells.csv"
    path.write_text(header + (DATA / "opencellid_452.csv").read_text(), encoding="utf-8")
    with_header = _sorted(read_stations(path))
    without = _sorted(read_stations(DATA / "opencellid_452.csv"))
    pd.testing.assert_frame_equal(
        with_header.drop(columns="geometry"), without.drop(columns="geometry")
    )


def test_opencellid_radio_filter() -> None:
    cells = pd.read_csv(
        DATA / "opencellid_452.csv",
        header=None,
        dtype=str,
        names=[
            "radio",
            "mcc",
            "net",
            "area",
            "cell",
            "unit",
            "lon",
            "lat",
            "range",
            "samples",
            "changeable",
            "created",
            "updated",
            "avg",
        ],
    )
    nr_only, _ = opencellid_sites(cells, radios=("NR",))
    assert nr_only["site_id"].tolist() == ["452-02-NR-4000001"]
    with_gsm, _ = opencellid_sites(cells, radios=("GSM",))
    assert with_gsm["site_id"].tolist() == ["452-04-GSM-20"]  # 5123 // 256


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("Mã trạm;Vĩ độ;Kinh độ\nA;21,1861;106,0761\n", "utf-8"),
        ("Mã trạm;Vĩ độ;Kinh độ\nA;21,1861;106,0761\n", "utf-8-sig"),
        ("Mã trạm\tVĩ độ\tKinh độ\nA\t21.1861\t106.0761\n", "utf-16"),
        ('DANH SÁCH TRẠM\n\nMã trạm,Vĩ độ,Kinh độ\nA,"21,1861","106,0761"\n', "utf-8"),
        ("ID|Latitude|Longitude\nA|21°11'9.96\"N|106°4'33.96\"E\n", "utf-8"),
        ("site,lat,lng\nA,N 21 11 9.96,E 106 4 33.96\n", "utf-8"),
        ("MA TRAM,VI DO,KINH DO\r\nA,21.1861,106.0761\r\n", "utf-8"),
    ],
    ids=[
        "semicolon-decimal-comma",
        "bom",
        "utf16-tab",
        "title-line",
        "pipe-dms",
        "dms-spaces",
        "ascii-crlf",
    ],
)
def test_csv_variants(tmp_path: Path, content: str, encoding: str) -> None:
    path = tmp_path / "sites.csv"
    path.write_bytes(content.encode(encoding))
    sites = read_stations(path)
    assert sites["site_id"].tolist() == ["A"]
    assert sites["lon"].iloc[0] == pytest.approx(106.0761, abs=1e-6)
    assert sites["lat"].iloc[0] == pytest.approx(21.1861, abs=1e-6)


def test_format_override(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes((DATA / "google_earth.kml").read_bytes())
    assert len(read_stations(path, format="kml")) == 4


def test_sectors_of_one_site_are_merged(tmp_path: Path) -> None:
    path = tmp_path / "sectors.csv"
    path.write_text(
        "site_id,lat,lon,azimuth\nA,21.1861,106.0761,0\nA,21.1861,106.0761,120\n"
        "A,21.18611,106.0761,240\nB,21.2,106.1,90\n",
        encoding="utf-8",
    )
    sites = read_stations(path).set_index("site_id")
    assert sites.loc["A", "azimuths_deg"] == "0;120;240"
    assert sites.loc["A", "sectors"] == 3
    assert sites.loc["B", "sectors"] == 3  # default count, azimuth given
    assert len(sites) == 2


def test_only_id_and_coordinates_are_needed(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("name,lat,lon\nTrạm 1,21.1,106.1\n", encoding="utf-8")
    sites = read_stations(path)
    assert sites["site_id"].tolist() == ["Trạm 1"]
    for column, default in STATION_DEFAULTS.items():
        if column != "band":
            assert sites[column].iloc[0] == default
    # no operator and no band: the generic n78 carrier at 3.5 GHz
    assert (sites["band"].iloc[0], sites["frequency_ghz"].iloc[0]) == ("n78", 3.5)


def test_headers_are_matched_without_accents_or_case() -> None:
    assert normalise_header("KINH ĐỘ") == normalise_header("kinh do") == "kinh_do"
    assert sniff_separator(["a,b;c", "1,2;3"]) == ","


@given(
    st.integers(0, 179),
    st.integers(0, 59),
    st.floats(0, 59.9999),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["°'\"", "°′″", "d m s", "   "]),
)
def test_dms_text_parses(degrees, minutes, seconds, positive, lat_axis, marks) -> None:
    hemisphere = "NS"[not positive] if lat_axis else "EW"[not positive]
    d_mark, m_mark, s_mark = marks.split(" ") if " " in marks.strip() else marks
    text = f"{degrees}{d_mark}{minutes}{m_mark}{seconds:.4f}{s_mark}{hemisphere}"
    expected = (degrees + minutes / 60 + round(seconds, 4) / 3600) * (1 if positive else -1)
    parsed = parse_coordinate(pd.Series([text])).iloc[0]
    assert parsed == pytest.approx(expected, abs=1e-9)


# --- round trips through every format -------------------------------------------------

site_ids = st.text(alphabet="ABCDEFGHKLMNPTVXYabcdeđăâêôơư0123456789-_", min_size=1, max_size=12)
tables = st.lists(
    st.tuples(
        site_ids,
        st.floats(105.9, 107.0),
        st.floats(20.98, 21.62),
        st.sampled_from(["Viettel", "VinaPhone", "MobiFone"]),
        st.floats(5, 80),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row[0],
).map(
    lambda rows: pd.DataFrame(
        rows, columns=["site_id", "lon", "lat", "operator", "antenna_height_m"]
    )
)
ROUND_TRIP_FORMATS = [
    ("csv", "en"),
    ("csv", "vi"),
    ("geojson", "en"),
    ("gpkg", "en"),
    ("kml", "en"),
    ("kmz", "en"),
    ("xlsx", "vi"),
]


@pytest.mark.parametrize(
    ("fmt", "headers"), ROUND_TRIP_FORMATS, ids=[f"{f}-{h}" for f, h in ROUND_TRIP_FORMATS]
)
@settings(max_examples=12, deadline=None)
@given(table=tables)
def test_round_trip(tmp_path_factory, fmt: str, headers: str, table: pd.DataFrame) -> None:
    path = tmp_path_factory.mktemp("rt") / f"sites.{fmt}"
    write_stations(table, path, headers=headers)
    back = read_stations(path).set_index("site_id").loc[table["site_id"]]
    assert len(back) == len(table)
    np.testing.assert_allclose(back["lon"], table["lon"], atol=1e-6)
    np.testing.assert_allclose(back["lat"], table["lat"], atol=1e-6)
    np.testing.assert_allclose(back["antenna_height_m"], table["antenna_height_m"], rtol=1e-9)
    assert back["operator"].tolist() == table["operator"].tolist()


# --- nothing lost ---------------------------------------------------------------------------


def test_interrupted_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "sites.csv"
    out.write_text("old content\n", encoding="utf-8")
    table = pd.DataFrame({"site_id": ["A"], "lon": [106.0], "lat": [21.0]})

    def explode(self, *args, **kwargs):
        Path(args[0]).write_text("half a fi", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", explode)
    with pytest.raises(KeyboardInterrupt):
        write_stations(table, out, overwrite=True)
    assert out.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.csv"]


def test_no_overwrite_without_asking(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sites.csv"
    out.write_text("keep me\n", encoding="utf-8")
    table = pd.DataFrame({"site_id": ["A"], "lon": [106.0], "lat": [21.0]})
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_stations(table, out)
    code = main(["stations", "convert", str(DATA / "stations_vi.xlsx"), str(out)])
    assert code == 2 and "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert (
        main(["stations", "convert", str(DATA / "stations_vi.xlsx"), str(out), "--overwrite"]) == 0
    )
    assert _sorted(read_stations(out))["site_id"].tolist() == EXPECTED["site_id"].tolist()


def test_convert_writes_the_standard_csv(tmp_path: Path, capsys) -> None:
    out = tmp_path / "stations.csv"
    assert main(["stations", "convert", str(DATA / "google_earth.kml"), str(out)]) == 0
    assert "wrote 4 sites" in capsys.readouterr().out
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[: len(STATION_COLUMNS)] == list(STATION_COLUMNS)
    again = _sorted(read_stations(out))
    assert again["site_id"].tolist() == EXPECTED["site_id"].tolist()
    np.testing.assert_allclose(again["lon"], EXPECTED["lon"], atol=1e-9)


def test_coverage_drop_outside(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, capsys
) -> None:
    args = [
        "coverage",
        "--boundaries",
        str(tiny_communes_file),
        "--population",
        str(tiny_raster_file),
        "--stations",
        str(tiny_stations_file),
        "--json",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "2 of 5 sites lie outside the province" in err and "--drop-outside" in err
    assert main([*args, "--drop-outside"]) == 0
    assert '"n_sites": 3' in capsys.readouterr().out


def test_xlsx_numeric_site_ids(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    pd.DataFrame({"ID": [1001.0, 7], "Lat": [21.1, 21.2], "Lon": [106.1, 106.2]}).to_excel(
        path, index=False
    )
    assert read_stations(path)["site_id"].tolist() == ["1001", "7"]


def test_gpkg_in_utm_is_reprojected(tmp_path: Path) -> None:
    import geopandas as gpd

    path = tmp_path / "sites.gpkg"
    points = gpd.GeoSeries.from_xy([601500.0], [2340500.0], crs="EPSG:32648")
    gpd.GeoDataFrame({"site_id": ["A"]}, geometry=points).to_file(path)
    sites = read_stations(path)
    assert sites["lon"].iloc[0] == pytest.approx(105.97766, abs=1e-5)
    assert sites["lat"].iloc[0] == pytest.approx(21.16300, abs=1e-5)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_gpkg_in_metres_without_crs_is_refused(tmp_path: Path) -> None:
    import geopandas as gpd

    from geoplan.errors import CRSError

    path = tmp_path / "sites.gpkg"
    points = gpd.GeoSeries.from_xy([601500.0], [2340500.0])
    gpd.GeoDataFrame({"site_id": ["A"]}, geometry=points).to_file(path)
    with pytest.raises(CRSError, match=r"feature 1.*UTM metres"):
        read_stations(path)


@pytest.mark.slow
def test_coverage_with_imported_sites_on_shipped_data(capsys) -> None:
    code = main(["coverage", "--stations", str(DATA / "stations_vi.xlsx"), "--json"])
    assert code == 0
    out = capsys.readouterr().out
    assert '"n_sites": 4' in out


def test_stations_from_table_keeps_numeric_frames_working() -> None:
    from geoplan.io.stations import stations_from_table

    table = pd.DataFrame({"site_id": [1, 2], "lon": [106.1, 106.2], "lat": [21.1, 21.2]})
    sites = stations_from_table(table, "notebook")
    assert sites["site_id"].tolist() == ["1", "2"]
    assert sites.crs.to_epsg() == 4326
    assert list(sites.columns[: len(STATION_COLUMNS)]) == list(STATION_COLUMNS)
    with pytest.raises(FormatError, match=r"notebook row 4: lat 'x' is not a coordinate"):
        stations_from_table(
            pd.concat([table, pd.DataFrame({"site_id": [3], "lon": [1], "lat": ["x"]})]), "notebook"
        )


def test_opencellid_outside_count_is_in_sites(tmp_path: Path, tiny_communes) -> None:
    from geoplan.errors import DataMismatchError

    # the four fixture sites are 10-60 km from the tiny communes: 4 of 4 sites, not 11 cells
    with pytest.raises(DataMismatchError, match=r"4 of 4 sites lie outside"):
        read_stations(DATA / "opencellid_452.csv", communes=tiny_communes)


def test_cli_format_override_and_crs(tmp_path: Path, capsys) -> None:
    kml = tmp_path / "export.txt"
    kml.write_bytes((DATA / "google_earth.kml").read_bytes())
    assert main(["stations", "validate", str(kml), "--format", "kml"]) == 0
    assert "format kml, 4 rows read, 4 sites kept" in capsys.readouterr().out
    utm = tmp_path / "utm.csv"
    utm.write_text("site_id,x,y\nA,601500,2340500\n".replace("x,y", "lon,lat"), encoding="utf-8")
    assert main(["stations", "validate", str(utm)]) == 2
    assert "--crs" in capsys.readouterr().err
    out = tmp_path / "out.csv"
    assert main(["stations", "convert", str(utm), str(out), "--crs", "EPSG:32648"]) == 0
    assert read_stations(out)["lat"].iloc[0] == pytest.approx(21.163, abs=1e-3)


@settings(max_examples=40, deadline=None)
@given(
    n_rows=st.integers(1, 12),
    bad=st.lists(st.tuples(st.integers(0, 11), st.sampled_from(["", "abc", "12°75'N", "x,y"]))),
)
def test_validation_accounts_for_every_row(n_rows: int, bad: list[tuple[int, str]]) -> None:
    from geoplan.io.stations import check_station_table

    table = pd.DataFrame({
        "site_id": [f"S{i}" for i in range(n_rows)],
        "lat": [f"{21.0 + i * 0.01:.4f}" for i in range(n_rows)],
        "lon": [f"{106.0 + i * 0.01:.4f}" for i in range(n_rows)],
    })  # fmt: skip
    broken = {row for row, _ in bad if row < n_rows}
    for row, text in bad:
        if row < n_rows:
            table.loc[row, "lat"] = text
    report = check_station_table(table, "t.csv")
    assert report.rows_read == n_rows
    assert report.rows_kept == n_rows - len(broken)
    assert sorted(report.stations["site_id"]) == sorted(
        f"S{i}" for i in range(n_rows) if i not in broken
    )
    assert {p.where for p in report.errors} == {f"row {i + 2}" for i in broken}
    assert report.clean == (not broken)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("antenna_height_m", "-5", r"'-5' is not a height in metres \(0–500\)"),
        ("antenna_height_m", "tall", r"'tall' is not a height in metres"),
        ("azimuths_deg", "0;400", r"'0;400' is not a list of angles 0–360"),
        ("sectors", "2.5", r"'2.5' is not a whole number of sectors"),
        ("sectors", "0", r"'0' is not a whole number of sectors"),
    ],
)
def test_bad_optional_field_names_row_field_and_value(
    column: str, value: str, message: str
) -> None:
    from geoplan.io.stations import check_station_table

    table = pd.DataFrame(
        {"site_id": ["A", "B"], "lat": ["21.1", "21.2"], "lon": ["106.1", "106.2"]}
    )
    table[column] = ["", value]  # row A blank: takes the default and passes
    report = check_station_table(table, "t.csv")
    assert [(p.where, p.field) for p in report.errors] == [("row 3", column)]
    assert re.search(message, report.errors[0].message)
    assert report.stations["site_id"].tolist() == ["A"]
