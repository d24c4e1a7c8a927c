"""The meeting map: offline, escaped, bilingual, never overwritten by surprise."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan.cli import main
from geoplan.errors import OutputExistsError
from geoplan.io.plan_folder import read_plan
from geoplan.outputs import coverage_map, layers, save_map
from geoplan.outputs.i18n import LABELS, fmt_int, fmt_pct, label
from geoplan.outputs.offline import external_urls, leaflet_assets
from geoplan.outputs.theme import phase_colours
from geoplan.scenario import Scenario, load_scenario
from geoplan.schema import LANGS
from tests._meeting import HOSTILE, new_site, write_plan_dir, write_stations

X0, Y0 = 600_000.0, 2_340_000.0


@pytest.fixture
def hostile_stations(tmp_path: Path) -> Path:
    points = gpd.GeoSeries.from_xy([X0 + 500, X0 + 1500], [Y0 + 500] * 2, crs="EPSG:32648")
    points = points.to_crs("EPSG:4326")
    rows = [
        {
            "site_id": HOSTILE,
            "operator": "{{ 7*7 }}",
            "band": "n78",  # an operator the carrier table does not know, on a known band
            "lon": points.x[0],
            "lat": points.y[0],
            "source": "synthetic",
        },
        {
            "site_id": "S2",
            "operator": "Viettel",
            "lon": points.x[1],
            "lat": points.y[1],
            "source": "synthetic",
        },
    ]
    folder = tmp_path / "{{ 6*7 }}"
    folder.mkdir()
    return write_stations(folder / f"{HOSTILE.replace('/', '')}.csv", rows)


@pytest.fixture
def scenario(tiny_communes_file, tiny_raster_file, hostile_stations, tiny_config) -> Scenario:
    return load_scenario(tiny_communes_file, tiny_raster_file, hostile_stations, tiny_config)


def _html(fmap, tmp_path: Path, name: str = "map.html") -> str:
    """The saved page with JavaScript's \\uXXXX escapes decoded (what the browser sees)."""
    text = save_map(fmap, tmp_path / name).read_text(encoding="utf-8")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)


def _hostile_plan(tmp_path: Path, scenario: Scenario):
    sites = [
        new_site(HOSTILE, 1, 105.96, 21.15, "00002", f"Hai {HOSTILE}"),
        new_site("N2", 2, 105.97, 21.15, "00003", "Ba", kind="upgrade"),
    ]
    return read_plan(write_plan_dir(tmp_path / "plan", scenario.coverage(), sites))


def test_map_is_offline_with_leaflet_inline(scenario: Scenario, tmp_path: Path) -> None:
    html = _html(scenario.map(), tmp_path)
    assert external_urls(html) == []
    assert not re.search(r"cdn(js)?\.|jsdelivr|unpkg|cloudflare", html.lower())
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()
    script, _style = leaflet_assets()
    assert script in html and "Leaflet 1.9.4" in html
    assert "images/layers.png" not in html and "data:image/png;base64," in html


def test_external_urls_finds_cdn_links() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.x/a.css"><script src=//cdn.y/b.js>'
        '</script><style>a{background:url("https://img/c.png")}</style>'
    )
    assert external_urls(page) == ["//cdn.y/b.js", "https://cdn.x/a.css", "https://img/c.png"]


def test_notebook_display_is_offline_too(scenario: Scenario) -> None:
    shown = scenario.map()._repr_html_()  # what Jupyter puts in the cell
    assert "<iframe" in shown and "Leaflet 1.9.4" in shown
    assert "jsdelivr" not in shown and "cdnjs" not in shown


def test_osm_layer_is_optional(scenario: Scenario, tmp_path: Path) -> None:
    with_osm = _html(scenario.map(), tmp_path, "a.html")
    without = _html(scenario.map(osm_layer=False), tmp_path, "b.html")
    assert "tile.openstreetmap.org" in with_osm
    assert "tile.openstreetmap.org" not in without


def test_user_strings_are_escaped(scenario: Scenario, tmp_path: Path) -> None:
    plan = _hostile_plan(tmp_path, scenario)
    html = _html(scenario.map(plan, lang="en"), tmp_path)
    assert "<img" not in html
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in html
    # user text is never evaluated as a (Jinja) template: braces are escaped too
    assert "<td>&#123;&#123; 7*7 &#125;&#125;</td>" in html
    assert ">49<" not in html and "{{" not in html
    # the file name of the stations is shown, escaped
    sources = re.search(r'<div class="geoplan-panel geoplan-sources">.*?</details></div>', html)
    assert sources is not None and "&lt;img src=x onerror=window.__pwned=1&gt;.csv" in sources[0]


def test_issue_example_site_name_and_title_escaped(scenario: Scenario, tmp_path: Path) -> None:
    name = "<img src=x onerror=alert(1)>"
    sites = [new_site(name, 1, 105.96, 21.15, "00002", name)]
    plan = read_plan(write_plan_dir(tmp_path / "plan", scenario.coverage(), sites))
    html = _html(scenario.map(plan, title=f"Họp {name}"), tmp_path)
    assert name not in html and "<img" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 4  # 2 tips, title, heading
    assert "<title>Họp &lt;img src=x onerror=alert(1)&gt;</title>" in html


@pytest.mark.parametrize("lang", LANGS)
def test_labels_follow_language(scenario: Scenario, tmp_path: Path, lang: str) -> None:
    plan = _hostile_plan(tmp_path, scenario)
    html = _html(scenario.map(plan, lang=lang), tmp_path)
    other = LANGS[1 - LANGS.index(lang)]
    for key in (
        "layer_communes",
        "layer_communes_after",
        "legend_share",
        "sources",
        "layer_hotspots",
        "layer_footprint",
        "layer_density",
    ):
        assert label(key, lang) in html
        assert label(key, other) not in html
    assert label("layer_phase", lang, phase=2) in html
    assert f"{label('layer_sites', lang)} ({label('synthetic', lang)})" in html


def test_title_date_scenario_and_attribution(scenario: Scenario, tmp_path: Path) -> None:
    result = scenario.coverage()
    day = dt.date(2026, 3, 9)
    html = _html(coverage_map(scenario, result, lang="vi", created=day), tmp_path)
    assert "<title>Vùng phủ sóng 5G — tỉnh Bắc Ninh</title>" in html
    assert "Ngày lập: 09/03/2026" in html and "2026-03-09" not in html
    assert fmt_pct(result.covered_share, "vi") in html
    assert "CC BY 4.0" in html and "MIT © 2025 Lam Ngoc Khuong" in html
    assert "(dữ liệu tổng hợp, không phải trạm thật)" in html
    # the model is named in the map's language, never by its code name
    assert result.model == "radius"
    assert "mô hình bán kính giả định:" in html and "mô hình radius" not in html
    english = _html(coverage_map(scenario, result, lang="en", created=day), tmp_path, "en.html")
    assert "Created: 2026-03-09" in english and "assumed-radius model:" in english


def test_one_tooltip_per_commune_with_diacritics(scenario: Scenario, tmp_path: Path) -> None:
    html = _html(scenario.map(lang="vi"), tmp_path)
    for name in ("Một", "Hai", "Ba"):
        assert f"<td>{name} (0000" in html
    assert html.count(f"<th>{label('commune', 'vi')}</th>") == 3


def test_refuses_to_overwrite(scenario: Scenario, tmp_path: Path) -> None:
    target = tmp_path / "m.html"
    target.write_text("keep", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="pass --overwrite"):
        save_map(scenario.map(), target)
    assert target.read_text(encoding="utf-8") == "keep"
    save_map(scenario.map(), target, overwrite=True)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".m.*"))  # no temporary file left


def test_same_inputs_give_the_same_bytes(scenario: Scenario, tmp_path: Path) -> None:
    day = dt.date(2026, 1, 2)
    first = save_map(scenario.map(created=day), tmp_path / "a.html").read_bytes()
    second = save_map(scenario.map(created=day), tmp_path / "b.html").read_bytes()
    assert first == second
    assert not re.search(rb"_[0-9a-f]{32}\b", first)  # no random element ids


def test_every_label_has_both_languages() -> None:
    for key, texts in LABELS.items():
        assert len(texts) == len(LANGS) and all(t.strip() for t in texts), key


@given(st.integers(min_value=0, max_value=10**12))
def test_number_formats_round_trip(value: int) -> None:
    assert int(fmt_int(value, "vi").replace(".", "")) == value
    assert int(fmt_int(value, "en").replace(",", "")) == value


@given(st.floats(min_value=0.0, max_value=1.0))
def test_percent_formats_agree(share: float) -> None:
    assert fmt_pct(share, "vi") == fmt_pct(share, "en").replace(".", ",")


# --------------------------------------------------------------------------- layers
@settings(max_examples=40)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 5))
def test_block_sum_keeps_the_total(rows: int, cols: int, factor: int) -> None:
    values = np.arange(rows * cols, dtype=float).reshape(rows, cols)
    blocks = layers.block_sum(values, factor)
    assert blocks.shape == (-(-rows // factor), -(-cols // factor))
    assert blocks.sum() == pytest.approx(values.sum())


def test_top_blocks_respects_minimum_and_order() -> None:
    people = np.array([[5.0, 900.0], [1500.0, 900.0]])
    assert layers.top_blocks(people, 5, 800.0).tolist() == [2, 1, 3]
    assert layers.top_blocks(people, 1, 800.0).tolist() == [2]


def test_footprint_matches_covered_cells(scenario: Scenario) -> None:
    result = scenario.coverage()
    footprint = layers.coverage_footprint(scenario.grid, result)
    area_m2 = footprint.to_crs("EPSG:32648").area.sum()
    covered_m2 = result.covered.sum() * scenario.grid.cell_size_m**2
    assert covered_m2 > 0
    assert area_m2 == pytest.approx(covered_m2, rel=0.08)


def test_hotspots_count_uncovered_people(scenario: Scenario) -> None:
    result = scenario.coverage()
    spots = layers.uncovered_hotspots(scenario.grid, result, n=50, min_people=0.0)
    uncovered = result.population_total - result.covered_population
    assert spots["uncovered_population"].sum() == pytest.approx(uncovered, rel=1e-9)
    assert spots["uncovered_population"].is_monotonic_decreasing


# --------------------------------------------------------------------------- CLI
def _cli_inputs(tiny_communes_file, tiny_raster_file, hostile_stations) -> list[str]:
    return [
        "--boundaries",
        str(tiny_communes_file),
        "--population",
        str(tiny_raster_file),
        "--stations",
        str(hostile_stations),
        "--cell-size-m",
        "100",
    ]


def test_cli_map_writes_and_refuses_overwrite(
    tmp_path, capsys, tiny_communes_file, tiny_raster_file, hostile_stations
) -> None:
    out = tmp_path / "m.html"
    args = [
        "map",
        *_cli_inputs(tiny_communes_file, tiny_raster_file, hostile_stations),
        "--lang",
        "en",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    assert "wrote map" in capsys.readouterr().out
    assert label("layer_communes", "en") in out.read_text(encoding="utf-8")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pass --overwrite" in err and "Traceback" not in err
    assert main([*args, "--overwrite"]) == 0


def test_cli_map_bad_plan_is_one_line(
    tmp_path, capsys, tiny_communes_file, tiny_raster_file, hostile_stations
) -> None:
    args = [
        "map",
        *_cli_inputs(tiny_communes_file, tiny_raster_file, hostile_stations),
        "--plan",
        str(tmp_path / "missing"),
        "--out",
        str(tmp_path / "m.html"),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("geoplan: error: ") and "plan folder not found" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "m.html").exists()


@pytest.mark.slow
def test_default_map_is_small_and_complete(tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    assert main(["map", "--out", str(out)]) == 0
    html = re.sub(
        r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), out.read_text(encoding="utf-8")
    )
    assert out.stat().st_size < 5_000_000
    assert external_urls(html) == []
    assert html.count("<th>Xã/phường</th>") == 99


# --------------------------------------------------------------------------- panes, controls
def _geojson_layers(html: str) -> dict[str, tuple[str | None, str | None]]:
    """JavaScript name of each GeoJSON layer -> (its pane, the CSS class of its shapes)."""
    found = {}
    for name in re.findall(r"var (geo_json_\d+) = L\.geoJson\(null", html):
        options = re.search(rf"var {name} = L\.geoJson\(null, \{{.*?\n\s*\}}\);", html, re.S)
        styler = re.search(rf"function {name}_styler\(feature\) \{{.*?\n\s*\}}\n", html, re.S)
        pane = re.search(r'"pane": "([\w-]+)"', options[0]) if options else None
        css = re.search(r'"className": "([\w-]+)"', styler[0]) if styler else None
        found[name] = (pane[1] if pane else None, css[1] if css else None)
    return found


def _pane_z(html: str) -> dict[str, int]:
    pairs = re.findall(
        r'(pane_\d+) = map_\d+\.createPane\(\s*"([\w-]+)"\);\s*\1\.style\.zIndex = (\d+)', html
    )
    return {pane: int(z) for _, pane, z in pairs}


def test_sites_sit_in_panes_above_every_polygon(scenario: Scenario, tmp_path: Path) -> None:
    html = _html(scenario.map(_hostile_plan(tmp_path, scenario)), tmp_path)
    z = _pane_z(html)
    assert len(z) == 5 and all(400 < v < 600 for v in z.values())  # over tiles, under tooltips
    layers_found = _geojson_layers(html)
    by_class = {css: pane for pane, css in layers_found.values()}
    assert set(by_class) >= {"geoplan-commune", "geoplan-commune-after", "geoplan-density",
                             "geoplan-footprint", "geoplan-hotspot", "geoplan-site",
                             "geoplan-new-site"}  # fmt: skip
    assert all(pane in z for pane in by_class.values()), layers_found
    polygons = [
        z[p] for css, p in by_class.items() if css not in ("geoplan-site", "geoplan-new-site")
    ]
    assert z[by_class["geoplan-site"]] > max(polygons)
    assert z[by_class["geoplan-new-site"]] > z[by_class["geoplan-site"]]
    # folium builds each circle marker from its style, so the style names the pane too
    for name, (pane, css) in layers_found.items():
        if css in ("geoplan-site", "geoplan-new-site"):
            styler = html[html.index(f"function {name}_styler") :][:2000]
            assert f'"pane": "{pane}"' in styler
    # panes let the page through: only the shapes in them take the pointer
    assert html.count(".style.pointerEvents = 'none'") == 5


def test_layer_list_is_collapsed_and_the_scale_metric(scenario: Scenario, tmp_path: Path) -> None:
    html = _html(scenario.map(), tmp_path)
    assert '"collapsed": true' in html and '"collapsed": false' not in html
    assert "L.control.scale({imperial: false, metric: true" in html
    assert "L.control.scale()" not in html  # folium's own (miles and km) is off


def _setup_call(html: str) -> tuple[dict[str, list[str]], dict]:
    """The legend groups and the options the page hands to ``geoplanSetup``."""
    call = re.search(r"geoplanSetup\(map_\d+, \{(.*?)\n\s*\}, (\{.*\})\);", html, re.S)
    assert call is not None
    groups = {
        key: re.findall(r"geo_json_\d+", members)
        for key, members in re.findall(r'"([\w-]+)": \[(.*?)\]', call[1])
    }
    return groups, json.loads(call[2])


def test_legend_entries_follow_their_layers(scenario: Scenario, tmp_path: Path) -> None:
    plan = _hostile_plan(tmp_path, scenario)
    html = _html(scenario.map(plan), tmp_path)
    groups, _options = _setup_call(html)
    layers_found = _geojson_layers(html)
    assert all(name in layers_found for members in groups.values() for name in members)
    keys = {
        k for entry in re.findall(r'data-geoplan-legend="([^"]*)"', html) for k in entry.split()
    }
    assert keys == set(groups)  # every entry is tied to layers, and every layer group has one
    assert {"share", "density", "sites", "hotspots", "phase-1", "phase-2"} <= keys
    # one chip per phase, in the phase's colour; the upgrade row follows phase 2 (an upgrade)
    chips = re.findall(
        r'data-geoplan-legend="phase-(\d)"><span class="dot" style="background:(#\w+)"', html
    )
    assert chips == [("1", phase_colours(2)[0]), ("2", phase_colours(2)[1])]
    assert 'data-geoplan-legend="phase-2"><span class="dot" style="background:#fff' in html


def test_commune_labels_sit_inside_their_communes(
    tiny_communes, tiny_raster_file, hostile_stations, tiny_config, tmp_path: Path
) -> None:
    communes = tiny_communes.assign(name=["Một", HOSTILE, "Ba {{ 7*7 }}"])
    path = tmp_path / "communes.geojson"
    communes.to_file(path)
    scenario = load_scenario(path, tiny_raster_file, hostile_stations, tiny_config)
    html = _html(scenario.map(), tmp_path)
    _groups, options = _setup_call(html)
    assert options["labelMinZoom"] == 11 and options["labelPane"] == "geoplan-labels"
    labels = options["labels"]
    assert [name for _, _, name in labels] == [
        "Một",
        "&lt;img src=x onerror=window.__pwned=1&gt;",
        "Ba &#123;&#123; 7*7 &#125;&#125;",
    ]
    for (lat, lon, _name), polygon in zip(labels, communes.geometry, strict=True):
        assert polygon.contains(shapely.Point(lon, lat))
    raw = (tmp_path / "map.html").read_text(encoding="utf-8")
    setup = raw[raw.index("geoplanSetup(map_") :]
    assert "<" not in setup.split("\n", 1)[1].split("</script>")[0]  # \u003c in the data


def test_first_view_fits_the_communes_and_near_sites(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config, tmp_path: Path
) -> None:
    # two of the five tiny sites are 50 km away: they must not shrink the province
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config)
    west, south, east, north = scenario.communes.to_crs("EPSG:4326").total_bounds
    _groups, options = _setup_call(_html(scenario.map(), tmp_path))
    assert np.array(options["bounds"]) == pytest.approx(
        np.array([[south, west], [north, east]]), abs=1e-5
    )
    near = gpd.GeoSeries.from_xy([X0 + 4000], [Y0 + 500], crs="EPSG:32648").to_crs("EPSG:4326")
    site = new_site("N1", 1, float(near.x[0]), float(near.y[0]), "00003", "Ba")
    plan = read_plan(write_plan_dir(tmp_path / "plan", scenario.coverage(), [site]))
    _groups, options = _setup_call(_html(scenario.map(plan), tmp_path, "plan.html"))
    assert options["bounds"][1][1] == pytest.approx(float(near.x[0]), abs=1e-5)
    assert np.array(options["bounds"][0]) == pytest.approx(np.array([south, west]), abs=1e-5)
