"""Figures and tables of `geoplan report`, read back with their own readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from geoplan.cli import main
from geoplan.errors import OutputExistsError
from geoplan.io.plan_folder import read_plan
from geoplan.outputs.i18n import label
from geoplan.outputs.paths import REPORT_FILES, report_paths
from geoplan.outputs.tables import commune_report_table, kml_document
from geoplan.scenario import Scenario, load_scenario, write_report
from tests._meeting import HOSTILE, new_site, write_plan_dir

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


@pytest.fixture
def scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config) -> Scenario:
    return load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config)


@pytest.fixture
def plan_dir(tmp_path: Path, scenario: Scenario) -> Path:
    sites = [
        new_site(HOSTILE, 1, 105.96, 21.15, "00002", "Hai & <Ba>"),
        new_site("N2", 2, 105.97, 21.16, "00003", "Ba", kind="upgrade"),
    ]
    return write_plan_dir(tmp_path / "plan", scenario.coverage(), sites)


def test_report_with_plan_writes_every_file(tmp_path: Path, scenario, plan_dir) -> None:
    plan = read_plan(plan_dir)
    written = write_report(tmp_path / "r", scenario, plan=plan, lang="en")
    assert set(written) == set(REPORT_FILES) - {"phases_fig"}  # an older folder: no phases
    for path in written.values():
        assert path.stat().st_size > 0
    assert written["map_png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert written["map_pdf"].read_bytes()[:5] == b"%PDF-"


def test_csv_and_xlsx_agree_with_coverage(tmp_path: Path, scenario, plan_dir) -> None:
    plan = read_plan(plan_dir)
    result = scenario.coverage()
    written = write_report(tmp_path / "r", scenario, result, plan, lang="vi")
    csv = pd.read_csv(written["csv"], dtype={"code": str}, encoding="utf-8-sig")
    assert csv["name"].tolist() == ["Một", "Hai", "Ba"]
    expected = result.communes["covered_population"].round().astype(int).tolist()
    assert csv["covered_population_before"].tolist() == expected
    # after the plan, compared with the plan's own today (both at the design reliability)
    planned = plan.communes.set_index("code")
    added = planned["covered_population_after"] - planned["covered_population_before"]
    assert csv.set_index("code")["added_population"].to_dict() == added.round().to_dict()
    assert csv["reliable_share_after"].tolist() == planned["covered_share_after"].round(4).tolist()
    book = openpyxl.load_workbook(written["xlsx"])
    assert book.sheetnames == [
        "Tổng quan",
        "Ưu tiên theo xã",
        "Xã phường",
        "Giai đoạn",
        "Trạm mới",
        "Nguồn và ghi chú",
    ]
    sheet = book[label("sheet_communes", "vi")]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == [label("code", "vi"), label("name", "vi"), label("population", "vi")]
    share_col = header.index(label("covered_share_before", "vi")) + 1
    shares = [sheet.cell(row=r, column=share_col).value for r in range(2, 5)]
    assert shares == pytest.approx(result.communes["covered_share"].round(4).tolist())
    assert sheet.cell(row=2, column=share_col).number_format == "0.0%"
    sites_sheet = book[label("sheet_new_sites", "vi")]
    ids = [sites_sheet.cell(row=r, column=1).value for r in range(2, 4)]
    assert ids == [HOSTILE, "N2"]


def test_geopackage_layers_read_back(tmp_path: Path, scenario, plan_dir) -> None:
    written = write_report(tmp_path / "r", scenario, plan=read_plan(plan_dir))
    names = {name for name, _ in pyogrio.list_layers(written["gpkg"])}
    assert names == {"communes", "sites", "new_sites", "coverage", "hotspots"}
    communes = gpd.read_file(written["gpkg"], layer="communes")
    assert len(communes) == 3 and communes.crs.to_epsg() == 4326
    assert communes["reliable_share_after"].between(0, 1).all()
    assert len(gpd.read_file(written["gpkg"], layer="sites")) == 5
    new_sites = gpd.read_file(written["gpkg"], layer="new_sites")
    assert new_sites["site_id"].tolist() == [HOSTILE, "N2"]
    coverage = gpd.read_file(written["gpkg"], layer="coverage").to_crs("EPSG:32648")
    covered_m2 = scenario.coverage().covered.sum() * 100.0**2
    assert coverage.area.sum() == pytest.approx(covered_m2, rel=0.08)


def test_kml_escapes_and_reads_back(tmp_path: Path, scenario, plan_dir) -> None:
    written = write_report(tmp_path / "r", scenario, plan=read_plan(plan_dir), lang="en")
    raw = written["kml"].read_text(encoding="utf-8")
    assert "<img" not in raw and "&lt;img src=x" in raw
    root = ET.parse(written["kml"]).getroot()
    names = [e.text for e in root.iterfind(".//k:Placemark/k:name", KML_NS)]
    assert names == [HOSTILE, "N2"]
    coords = root.find(".//k:Placemark/k:Point/k:coordinates", KML_NS)
    assert coords is not None and coords.text == "105.960000,21.150000,0"
    frame = gpd.read_file(written["kml"])
    assert frame["Name"].tolist() == [HOSTILE, "N2"]
    assert frame.geometry.x.round(6).tolist() == [105.96, 105.97]


def test_kml_colour_is_by_phase(scenario, plan_dir) -> None:
    root = ET.fromstring(kml_document(read_plan(plan_dir).new_sites, "x"))
    styles = [s.get("id") for s in root.iterfind(".//k:Style", KML_NS)]
    assert styles == ["phase1", "phase2"]
    colour = root.find(".//k:Style/k:IconStyle/k:color", KML_NS)
    assert colour is not None and colour.text == "ffd4bc00"  # #00bcd4 as aabbggrr


def test_report_without_plan_skips_plan_files(tmp_path: Path, scenario) -> None:
    written = write_report(tmp_path / "r", scenario)
    assert "kml" not in written and "curve" not in written
    assert not (tmp_path / "r" / "new_sites.kml").exists()
    table = commune_report_table(scenario.coverage())
    assert "reliable_share_after" not in table.columns


def test_report_refuses_overwrite_before_writing(tmp_path: Path, scenario) -> None:
    paths = report_paths(tmp_path / "r", with_plan=False)
    paths["xlsx"].parent.mkdir(parents=True)
    paths["xlsx"].write_text("keep", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"communes\.xlsx: already exists"):
        write_report(tmp_path / "r", scenario)
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["communes.xlsx"]
    write_report(tmp_path / "r", scenario, overwrite=True)
    assert openpyxl.load_workbook(paths["xlsx"]).sheetnames[0] == "Tổng quan"


def test_cli_report(
    tmp_path: Path, capsys, tiny_communes_file, tiny_raster_file, tiny_stations_file, plan_dir
) -> None:
    args = [
        "report",
        "--boundaries",
        str(tiny_communes_file),
        "--population",
        str(tiny_raster_file),
        "--stations",
        str(tiny_stations_file),
        "--drop-outside",  # two of the five tiny sites lie 50 km away
        "--plan",
        str(plan_dir),
        "--lang",
        "en",
        "--out",
        str(tmp_path / "r"),
    ]
    assert main(args) == 0
    assert "wrote kml" in capsys.readouterr().out
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "already exists; pass --overwrite" in err and "Traceback" not in err


def test_importing_geoplan_leaves_the_matplotlib_backend_alone() -> None:
    """A library must not switch the backend: Jupyter's inline plots would vanish."""
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('svg'); import geoplan, geoplan.outputs.figures; "
        "print(matplotlib.get_backend())"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "svg"
