"""The national outputs (issue 17): offline map, ranking tables, one-page brief, CLI.

Tables are hand-built here (three provinces of four square units each), so every
expected rank and share is computed by hand, independently of the national run.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from geoplan import national
from geoplan.cli import main
from geoplan.outputs.i18n import fmt_pct, fmt_vnd, label
from geoplan.outputs.national_brief import figure_national_brief, write_national_brief
from geoplan.outputs.national_map import national_features, national_map, save_map
from geoplan.outputs.national_shapes import (
    decode_ring,
    encode_polygons,
    read_unit_shapes,
    simplified_outlines,
)
from geoplan.outputs.national_tables import (
    national_line,
    province_ranking,
    unit_ranking,
    write_ranking,
)
from geoplan.outputs.offline import external_urls
from geoplan.outputs.paths import NATIONAL_FILES
from geoplan.schema import NATIONAL_PLAN

pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 (dev extra) renders the brief")

HOSTILE_NAME = "<b>Xã {{ 7*7 }}</b>"
#: Province -> (people of its four units, covered people of its four units).
PEOPLE = {
    "01": ([100.0, 100.0, 100.0, 100.0], [90.0, 80.0, 70.0, 60.0]),  # 75%, 100 uncovered
    "02": ([500.0, 300.0, 100.0, 100.0], [100.0, 100.0, 50.0, 50.0]),  # 30%, 700 uncovered
    "03": ([50.0, 50.0, 50.0, 50.0], [35.0, 35.0, 35.0, 45.0]),  # 75%, 50 uncovered
}


def _unit_shapes() -> gpd.GeoDataFrame:
    """Four 0.1° squares per province, provinces side by side (EPSG:4326)."""
    rows = []
    for p, code in enumerate(PEOPLE):
        for u in range(4):
            x, y = 105.0 + 0.2 * p + 0.1 * (u % 2), 20.0 + 0.1 * (u // 2)
            rows.append((code, f"{code}{u:03d}", shapely.box(x, y, x + 0.1, y + 0.1)))
    frame = pd.DataFrame(rows, columns=["province_code", "code", "geometry"])
    frame["name"] = [HOSTILE_NAME if c == "02000" else f"Xã {c}" for c in frame["code"]]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    shapes = _unit_shapes()
    units = pd.DataFrame(shapes.drop(columns="geometry"))
    units["population"] = np.concatenate([PEOPLE[c][0] for c in PEOPLE])
    units["covered_population"] = np.concatenate([PEOPLE[c][1] for c in PEOPLE])
    units["worldpop_population"] = 0.9 * units["population"]
    units["covered_worldpop"] = 0.9 * units["covered_population"]
    provinces = (
        units.groupby("province_code", as_index=False)[
            ["population", "covered_population", "worldpop_population", "covered_worldpop"]
        ]
        .sum()
        .rename(columns={"province_code": "code"})
    )
    provinces["name"] = ["Tỉnh Một", "Tỉnh Hai", "Tỉnh Ba"]
    provinces["n_units"] = 4
    provinces["n_sites"] = [3, 5, 1]
    return provinces, units


def _with_plan(provinces: pd.DataFrame, units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A plan's columns, by their names in the schema: unit 02000 gets everyone covered
    by 4 new sites (1.7 bn VND each after support); reliable = expected here."""
    plan = NATIONAL_PLAN
    people = units["covered_population"]
    units = units.assign(**{plan.people_before: people, plan.people_after: people,
                            plan.expected_after: people})  # fmt: skip
    units.loc[units["code"] == "02000", [plan.people_after, plan.expected_after]] = 500.0
    units[plan.sites_new] = np.where(units["code"] == "02000", 4, 0)
    units[plan.net_cost] = units[plan.sites_new] * 1.7e9
    columns = [plan.people_before, plan.people_after, plan.expected_after, plan.sites_new,
               plan.net_cost]  # fmt: skip
    provinces = provinces.join(units.groupby("province_code")[columns].sum(), on="code")
    return provinces, units


def _html(fmap, path: Path) -> str:
    """The saved page with JavaScript's \\uXXXX escapes decoded (what the browser sees)."""
    text = save_map(fmap, path).read_text(encoding="utf-8")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)


# --------------------------------------------------------------------------- the map
def test_map_has_each_province_and_the_drilled_units_offline(tmp_path: Path) -> None:
    provinces, units = _tables()
    shapes = _unit_shapes()
    html = _html(national_map(provinces, units, shapes, drill=["02"]), tmp_path / "m.html")
    assert external_urls(html) == []
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", html, re.I)
    data = national_features(html)
    assert [p["code"] for p in data["provinces"]] == ["01", "02", "03"]
    assert list(data["units"]) == ["02"] and len(data["units"]["02"]) == 4
    # province 02 at 30% is class 1 (20–40%), 01 and 03 at 75% class 3 (60–80%)
    assert [p["cls"] for p in data["provinces"]] == [3, 1, 3]
    # unit 02000: 100 of 500 covered, 20% -> class 1; its square comes back from the page
    unit = data["units"]["02"][0]
    assert unit["cls"] == 1
    ring = decode_ring(unit["shape"][0][0], data["step"])
    assert shapely.Polygon(ring).area == pytest.approx(0.01, rel=1e-6)
    assert shapely.Polygon(ring).bounds == pytest.approx((105.2, 20.0, 105.3, 20.1))
    # a province is the union of its units: two by two squares, 0.2° on a side
    outline = shapely.Polygon(decode_ring(data["provinces"][1]["shape"][0][0], data["step"]))
    assert outline.area == pytest.approx(0.04, rel=1e-6)
    # Vietnamese first; the popup has the province's people, share and sites
    assert label("nat_layer_provinces", "vi") in html
    tip = dict(zip(data["labels"]["province"], data["provinces"][1]["tip"], strict=True))
    assert tip[label("nat_col_covered_share", "vi")] == fmt_pct(0.3, "vi")
    assert tip[label("nat_col_n_sites", "vi")] == "5"
    assert tip[label("nat_col_population", "vi")].startswith("1.000")


def test_map_escapes_names_and_speaks_english(tmp_path: Path) -> None:
    provinces, units = _tables()
    html = _html(national_map(provinces, units, _unit_shapes(), lang="en"), tmp_path / "m.html")
    assert HOSTILE_NAME not in html and "{{ 7*7 }}" not in html and "<b>Xã" not in html
    assert label("nat_layer_provinces", "en") in html
    assert label("nat_layer_provinces", "vi") not in html
    assert sorted(national_features(html)["units"]) == ["01", "02", "03"]


def test_map_shows_after_plan_layers_only_with_a_plan(tmp_path: Path) -> None:
    provinces, units = _tables()
    plain = _html(national_map(provinces, units, _unit_shapes()), tmp_path / "a.html")
    assert label("nat_layer_provinces_reliable_after", "vi") not in plain
    planned = national_map(*_with_plan(provinces, units), _unit_shapes())
    html = _html(planned, tmp_path / "b.html")
    assert label("nat_layer_provinces_reliable_after", "vi") in html
    assert label("nat_layer_provinces_before", "vi") in html
    assert label("nat_layer_units_after", "vi") in html
    data = national_features(html)
    # province 02 after: 700 of 1,000 covered, 70% -> class 3; unit 02000 at 100% -> 4
    assert data["provinces"][1]["clsAfter"] == 3
    assert data["units"]["02"][0]["clsAfter"] == 4
    # before is the plan's own share before (30% -> class 1), the same measure as after
    assert data["provinces"][1]["cls"] == 1
    tip = dict(zip(data["labels"]["province"], data["provinces"][1]["tip"], strict=True))
    assert tip[label(NATIONAL_PLAN.share_before, "vi")] == fmt_pct(0.3, "vi")
    assert tip[label(NATIONAL_PLAN.share_after, "vi")] == fmt_pct(0.7, "vi")
    assert tip[label("nat_col_sites_new", "vi")] == "4"
    assert tip[label(NATIONAL_PLAN.net_cost, "vi")] == fmt_vnd(4 * 1.7e9, "vi")
    plan_line = label("nat_plan_line_reliable", "vi", n_new="4", before=fmt_pct(750 / 1600, "vi"),
                      after=fmt_pct(1150 / 1600, "vi"), net=fmt_vnd(6.8e9, "vi"),
                      support=fmt_vnd(0, "vi"))  # fmt: skip
    assert plan_line in html


def test_map_size_grows_with_the_outlines_and_stays_small(tmp_path: Path) -> None:
    """Real units of two mountain provinces: bytes per unit, projected to all 3,321."""
    shapes = read_unit_shapes(["11", "12"])
    units = pd.DataFrame(shapes.drop(columns="geometry")).assign(
        population=1000.0, covered_population=500.0
    )
    provinces = pd.DataFrame({"code": ["11", "12"], "name": ["Điện Biên", "Lai Châu"]})
    provinces = provinces.assign(population=1.0, covered_population=0.5)
    one = units[units["province_code"] == "12"]
    sizes = {}
    for name, table, drill in (("none", units, []), ("one", one, ["12"]), ("two", units, None)):
        fmap = national_map(provinces, table, shapes, drill=drill)
        sizes[name] = save_map(fmap, tmp_path / f"{name}.html").stat().st_size
    per_unit_one = (sizes["one"] - sizes["none"]) / len(one)
    per_unit_two = (sizes["two"] - sizes["none"]) / len(units)
    assert 0 < per_unit_one and 0 < per_unit_two
    # the page grows by its units' outlines and nothing else: per unit, alike in both
    assert per_unit_two == pytest.approx(per_unit_one, rel=0.5)
    # mountain units are large and ragged, so this overstates the national page
    assert sizes["none"] + per_unit_two * 3321 < 8e6


def test_encoded_polygons_keep_holes_and_drop_collapsed_rings() -> None:
    ring = shapely.box(105.0, 21.0, 105.01, 21.01)
    holed = ring.difference(shapely.box(105.004, 21.004, 105.006, 21.006))
    tiny = shapely.box(106.0, 21.0, 106.00001, 21.00001)  # under one step: dropped
    multi = shapely.MultiPolygon([holed, tiny, shapely.box(107.0, 21.0, 107.001, 21.001)])
    (polygons,) = encode_polygons([multi])
    assert [len(p) for p in polygons] == [2, 1]  # the holed square, the third square
    back = shapely.Polygon(decode_ring(polygons[0][0]), [decode_ring(polygons[0][1])])
    assert back.area == pytest.approx(holed.area, rel=1e-6)


def test_simplified_provinces_are_the_union_of_their_units() -> None:
    units, provinces = simplified_outlines(_unit_shapes())
    assert list(provinces["code"]) == ["01", "02", "03"]
    for code, outline in zip(provinces["code"], provinces.geometry, strict=True):
        union = shapely.union_all(units[units["province_code"] == code].geometry.values)
        assert shapely.symmetric_difference(outline, union).area < 1e-12


# --------------------------------------------------------------------------- tables
def test_province_ranking_by_share_and_by_uncovered_people() -> None:
    provinces, _ = _tables()
    by_share = province_ranking(provinces, "share")
    # 01 and 03 tie at 75%: the code breaks the tie; 02 (30%) is last
    assert list(by_share["code"]) == ["01", "03", "02"]
    assert list(by_share["rank_share"]) == [1, 2, 3]
    assert list(by_share["covered_share"]) == [0.75, 0.75, 0.3]
    by_uncovered = province_ranking(provinces, "uncovered")
    # uncovered: 02 700, 01 100, 03 50
    assert list(by_uncovered["code"]) == ["02", "01", "03"]
    assert list(by_uncovered["uncovered_population"]) == [700, 100, 50]
    assert list(by_uncovered["rank_share"]) == [3, 1, 2]
    assert list(by_uncovered["worldpop_covered_share"]) == [0.3, 0.75, 0.75]
    assert "sites_new" not in by_share


def test_unit_ranking_and_plan_columns() -> None:
    provinces, units = _with_plan(*_tables())
    ranked = unit_ranking(units, provinces)
    # most uncovered first: 02000 (400), 02001 (200); then 50s in code order
    assert list(ranked["code"][:5]) == ["02000", "02001", "02002", "02003", "01003"]
    assert ranked["province_name"].iloc[0] == "Tỉnh Hai"
    assert list(ranked["uncovered_population_after"][:2]) == [0, 200]
    table = province_ranking(provinces)
    assert list(table.columns[-8:]) == [
        "sites_new",
        "reliable_share_before",
        "reliable_population_after",
        "reliable_share_after",
        "covered_population_after",
        "uncovered_population_after",
        "covered_share_after",
        "net_cost_vnd",
    ]
    row = table.set_index("code").loc["02"]
    assert row["sites_new"] == 4 and row[NATIONAL_PLAN.share_after] == 0.7
    assert row[NATIONAL_PLAN.share_before] == 0.3 and row["rank_after"] == 3  # 01, 03 at 75%
    after = province_ranking(provinces, "after")
    # after: 02 at 70% is last of 01 and 03 (75% each, by code)
    assert list(after["code"]) == ["01", "03", "02"] and list(after["rank_after"]) == [1, 2, 3]
    line = national_line(provinces)
    assert line["covered_share"] == pytest.approx((300 + 300 + 150) / 1600)
    assert line[NATIONAL_PLAN.share_before] == pytest.approx((300 + 300 + 150) / 1600)
    assert line[NATIONAL_PLAN.share_after] == pytest.approx((300 + 700 + 150) / 1600)
    assert line[NATIONAL_PLAN.net_cost] == pytest.approx(4 * 1.7e9)
    with pytest.raises(ValueError, match="no plan"):
        province_ranking(_tables()[0], "after")


def test_write_ranking_xlsx_and_csv_dialects(tmp_path: Path) -> None:
    provinces, units = _tables()
    paths = write_ranking(tmp_path / "vi", provinces, units, csv_dialect="vi-excel")
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames[:4] == [
        label("nat_sheet_summary", "vi"),
        label("nat_sheet_by_share", "vi"),
        label("nat_sheet_by_uncovered", "vi"),
        label("nat_sheet_units", "vi"),
    ]
    sheet = book[label("nat_sheet_by_share", "vi")]
    assert sheet.cell(1, 1).value == label("nat_col_rank_share", "vi")
    assert [sheet.cell(r, 3).value for r in (2, 3, 4)] == ["01", "03", "02"]
    text = paths["csv_provinces"].read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith(label("nat_col_rank_share", "vi") + ";")
    assert ";0,75;" in text
    plain = write_ranking(tmp_path / "en", provinces, units, lang="en")
    head = pd.read_csv(plain["csv_units"], encoding="utf-8-sig", dtype={"code": str})
    assert head["code"].iloc[0] == "02000" and "uncovered_population" in head


# --------------------------------------------------------------------------- brief
def test_brief_is_one_a4_page_with_the_national_share(tmp_path: Path) -> None:
    lang = "vi"
    provinces, _ = _tables()
    _, outlines = simplified_outlines(_unit_shapes())
    path = write_national_brief(tmp_path / "b.pdf", provinces, outlines, lang=lang, model="radius")
    pdf = pdfium.PdfDocument(str(path))
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = pdf[0].get_textpage().get_text_range()
    share = (300 + 300 + 150) / 1600  # 46.9%
    assert fmt_pct(share, lang) in text
    assert label("synthetic", lang) in text.lower() or label("nat_brief_sites", lang) in text
    assert "Tỉnh Hai" in text


def test_brief_shows_the_plan_when_there_is_one() -> None:
    provinces, _ = _with_plan(*_tables())
    _, outlines = simplified_outlines(_unit_shapes())
    figure = figure_national_brief(provinces, outlines, lang="en")
    texts = " ".join(t.get_text() for t in figure.texts)
    assert label("nat_brief_after_reliable", "en") in texts
    assert label("nat_brief_before", "en") in texts
    assert fmt_pct((300 + 700 + 150) / 1600, "en") in texts  # reliable share after
    assert fmt_vnd(6.8e9, "en") in texts  # net cost: 4 sites × 1.7 bn
    cells = {c.get_text().get_text() for ax in figure.axes for t in ax.tables
             for c in t.get_celld().values()}  # fmt: skip
    # the ranking tables: by share after, with each province's new sites, before and after
    assert {label("nat_brief_col_new", "en"), "Tỉnh Hai", "4", fmt_pct(0.3, "en"),
            fmt_pct(0.7, "en")} <= cells  # fmt: skip


# --------------------------------------------------------------------------- CLI
@pytest.fixture
def fake_run(monkeypatch) -> national.NationalCoverage:
    """The CLI's run replaced by hand-built tables of Lai Châu's real units."""
    shapes = read_unit_shapes(["12"])
    units = pd.DataFrame(shapes.drop(columns="geometry"))
    units = units.assign(population=1000.0, covered_population=400.0, reliable_population=300.0)
    provinces = pd.DataFrame(
        {"code": ["12"], "name": ["Lai Châu"], "population": [1000.0 * len(units)],
         "covered_population": [400.0 * len(units)], "reliable_population": [300.0 * len(units)],
         "n_sites": [41], "n_units": [len(units)], "stations_synthetic": [True]}
    )  # fmt: skip
    result = national.NationalCoverage(provinces, units, "radius", "sequential", 1, 0.1)
    monkeypatch.setattr(national, "national_coverage", lambda *a, **k: result)
    monkeypatch.setattr(national.NationalCoverage, "table_lines", lambda self: ["table"])
    monkeypatch.setattr(national.NationalCoverage, "write_csv", lambda self, out, ow: {})
    return result


def test_cli_writes_the_outputs_and_refuses_to_overwrite(tmp_path: Path, capsys, fake_run) -> None:
    args = ["national", "coverage", "--provinces", "12", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    for name in NATIONAL_FILES.values():
        assert (tmp_path / name).stat().st_size > 0
        assert name in out
    assert "opens offline" in out
    before = {name: (tmp_path / name).stat().st_mtime_ns for name in NATIONAL_FILES.values()}
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--overwrite" in err
    after = {name: (tmp_path / name).stat().st_mtime_ns for name in NATIONAL_FILES.values()}
    assert after == before
    assert main([*args, "--overwrite", "--lang", "en", "--csv", "vi-excel"]) == 0
    html = (tmp_path / NATIONAL_FILES["map"]).read_text(encoding="utf-8")
    assert label("nat_layer_provinces", "en") in html
    csv = (tmp_path / NATIONAL_FILES["csv_provinces"]).read_text(encoding="utf-8-sig")
    assert csv.startswith(label("nat_col_rank_share", "en") + ";")


def test_cli_no_outputs_writes_only_the_csvs(tmp_path: Path, fake_run) -> None:
    assert main(["national", "coverage", "--out", str(tmp_path), "--no-outputs"]) == 0
    assert not any((tmp_path / name).exists() for name in NATIONAL_FILES.values())
