"""Coverage after a plan: ``Scenario.after`` and the map's after-plan footprint and hotspots.

Units run on the tiny fixtures (three 1 km communes, here with ten times the people;
300 m radii; one synthetic site in the centre of each commune and two far outside);
one end-to-end test plans the shipped province to 80%.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import geoplan
from geoplan.io.columns import STATION_COLUMNS, STATION_DEFAULTS
from geoplan.io.plan_folder import read_plan, write_plan
from geoplan.models import RadioModel
from geoplan.outputs import coverage_map, layers, save_map
from geoplan.outputs.i18n import label
from geoplan.radio.link_budget import LinkBudget
from geoplan.results import CoverageResult, Plan
from geoplan.scenario import Scenario, load_scenario
from geoplan.schema import LANGS, PLANNED
from tests._meeting import new_site, write_plan_dir, write_stations
from tests.conftest import WORK_CRS, X0, Y0

DAY = dt.date(2026, 1, 2)
#: The layers of a map without a plan, in order (the map before coverage after plans existed).
LAYERS_WITHOUT_PLAN = [
    "layer_osm",
    "layer_density",
    "layer_footprint",
    "layer_communes",
    "layer_hotspots",
    "layer_sites",
]
AFTER_KEYS = ("layer_footprint_after", "layer_hotspots_after")
AFTER_CLASSES = ("geoplan-footprint-after", "geoplan-hotspot-after")


@pytest.fixture
def synthetic_stations_file(tmp_path: Path) -> Path:
    """The five tiny sites (see ``tiny_stations_file``), marked synthetic."""
    points = gpd.GeoSeries.from_xy(
        [X0 + 500, X0 + 1500, X0 + 2500, X0 + 50_000, X0 - 50_000], [Y0 + 500] * 5, crs=WORK_CRS
    ).to_crs("EPSG:4326")
    rows = [
        {"site_id": f"S{i + 1}", "operator": "Viettel", "lon": p.x, "lat": p.y,
         "antenna_height_m": 25.0, "source": "synthetic"}
        for i, p in enumerate(points)
    ]  # fmt: skip
    return write_stations(tmp_path / "stations.csv", rows)


@pytest.fixture
def crowded_communes_file(tmp_path: Path, tiny_communes: gpd.GeoDataFrame) -> Path:
    """The three tiny communes with ten times the people, so 1 km hotspots (>= 1,000
    uncovered people) remain after a plan."""
    path = tmp_path / "crowded.geojson"
    tiny_communes.assign(population=tiny_communes["population"] * 10).to_file(path)
    return path


@pytest.fixture
def scenario(crowded_communes_file, tiny_raster_file, synthetic_stations_file, tiny_config):
    config = replace(tiny_config, candidate_clusters=8, candidate_min_population=1.0)
    return load_scenario(crowded_communes_file, tiny_raster_file, synthetic_stations_file, config)


@pytest.fixture
def plan_result(scenario: Scenario) -> Plan:
    return scenario.plan(target=0.9, solver="greedy")


def _html(fmap, tmp_path: Path, name: str = "map.html") -> str:
    """The saved page with JavaScript's \\uXXXX escapes decoded (what the browser sees)."""
    text = save_map(fmap, tmp_path / name).read_text(encoding="utf-8")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)


def _overlays(html: str) -> dict[str, bool]:
    """Layer name -> shown at start, in the order of the layer switcher."""
    block = re.search(r"overlays :  \{(.*?)\n\s*\},", html, re.S)
    assert block is not None, "no layer control in the page"
    pairs = re.findall(r'"(.*?)" : (\w+),', block[1])
    return {name: f"{var}.addTo(map_" in html for name, var in pairs}


def _key_of(name: str, lang: str) -> str:
    """The label key of a layer name (site and phase layers carry a suffix)."""
    keys = [*LAYERS_WITHOUT_PLAN, *AFTER_KEYS, "layer_communes_after"]
    found = [k for k in keys if name == label(k, lang) or name.startswith(label(k, lang) + " (")]
    return found[0] if found else name


# --------------------------------------------------------------------------- Scenario.after
def test_after_adds_planned_sites_beside_todays(scenario: Scenario, plan_result: Plan) -> None:
    after = scenario.after(plan_result)
    n_old, n_new = len(scenario.stations), len(plan_result.new_sites)
    assert n_new > 0 and len(after.stations) == n_old + n_new
    old = after.stations.iloc[:n_old]
    pd.testing.assert_frame_equal(
        pd.DataFrame(old[list(STATION_COLUMNS)]),
        pd.DataFrame(scenario.stations[list(STATION_COLUMNS)]),
    )
    new = after.stations.iloc[n_old:]
    assert new["site_id"].tolist() == plan_result.new_sites["site_id"].tolist()
    assert (new["source"] == PLANNED).all() and (new["operator"] == PLANNED).all()
    assert new["phase"].tolist() == plan_result.new_sites["phase"].tolist()
    assert not new[list(STATION_COLUMNS)].isna().any().any()
    assert (new["antenna_height_m"] == STATION_DEFAULTS["antenna_height_m"]).all()
    assert after.stations.crs == "EPSG:4326"
    # the existing sites stay synthetic; a scenario holding planned sites is not "synthetic"
    assert scenario.stations_synthetic and not after.stations_synthetic
    assert len(scenario.stations) == n_old  # the scenario itself is unchanged


def test_after_never_lowers_any_commune(scenario: Scenario, plan_result: Plan) -> None:
    today = scenario.coverage().communes.set_index("code")
    after = scenario.after(plan_result).coverage().communes.set_index("code")
    assert (after["covered_population"] >= today["covered_population"] - 1e-9).all()
    assert after["covered_population"].sum() > today["covered_population"].sum()


def _assert_matches_plan(after: CoverageResult, plan: Plan) -> None:
    """The optimiser's claim, recomputed: province share and people per commune (the
    optimiser counts people covered at the design reliability)."""
    assert after.reliable_share == pytest.approx(plan.summary.achieved_share, abs=1e-6)
    assert after.covered_share == pytest.approx(plan.summary.achieved_expected_share, abs=1e-6)
    claimed = plan.communes.set_index("code")["covered_population_after"]
    computed = after.communes.set_index("code")["reliable_population"]
    assert np.abs(computed - claimed.reindex(computed.index)).max() <= 0.5  # claimed is rounded


def test_after_covers_what_the_plan_claims(scenario: Scenario, plan_result: Plan) -> None:
    assert plan_result.summary.achieved_share >= 0.9
    _assert_matches_plan(scenario.after(plan_result).coverage(), plan_result)


def test_plan_folder_gives_the_same_coverage_as_the_fresh_plan(
    scenario: Scenario, plan_result: Plan, tmp_path: Path
) -> None:
    write_plan(plan_result, tmp_path / "plan")
    from_folder = scenario.after(read_plan(tmp_path / "plan")).coverage()
    fresh = scenario.after(plan_result).coverage()
    assert np.array_equal(from_folder.covered, fresh.covered)


def test_planned_sites_keep_their_candidates_antenna(scenario: Scenario, tmp_path: Path) -> None:
    """User candidates (e.g. 4G towers to upgrade) bring their own antenna height, and
    under the radio model, where height matters, the plan's share is met only with it."""
    xs, ys = np.meshgrid(np.arange(X0 + 150, X0 + 3000, 300), np.arange(Y0 + 150, Y0 + 1000, 300))
    towers = gpd.GeoSeries.from_xy(xs.ravel(), ys.ravel(), crs=WORK_CRS).to_crs("EPSG:4326")
    heights = {f"T{i}": 18.0 + 6 * (i % 5) for i in range(len(towers))}
    rows = [
        {"candidate_id": tower_id, "lon": p.x, "lat": p.y, "antenna_height_m": height}
        for (tower_id, height), p in zip(heights.items(), towers, strict=True)
    ]
    candidates = write_stations(tmp_path / "towers.csv", rows)
    only_towers = replace(scenario, config=replace(scenario.config, candidate_clusters=0,
                                                   candidate_min_population=1e12,
                                                   upgrade_candidates=False))  # fmt: skip
    # a strict threshold, so that a site reaches a few hundred metres of the tiny communes
    radio = RadioModel(only_towers.config, budget=LinkBudget(rsrp_threshold_dbm=-80.0))
    plan = only_towers.plan(max_sites=6, solver="greedy", candidates=candidates, model=radio)
    after = only_towers.after(plan)
    new = after.stations.iloc[len(scenario.stations) :]
    assert len(new) == 6 and (new["kind"] == "upgrade").all()
    assert new["antenna_height_m"].tolist() == [heights[i] for i in new["site_id"]]
    assert new["antenna_height_m"].nunique() > 1
    _assert_matches_plan(after.coverage(radio), plan)
    # the same sites at the default height cover another share: the height is what matters
    default_height = after.stations.assign(antenna_height_m=STATION_DEFAULTS["antenna_height_m"])
    other = only_towers.with_stations(default_height).coverage(radio)
    assert other.covered_share != pytest.approx(plan.summary.achieved_share, abs=1e-6)


def test_empty_plan_changes_nothing(scenario: Scenario, tmp_path: Path) -> None:
    plan = read_plan(write_plan_dir(tmp_path / "plan", scenario.coverage(), [], gain_share=0.0))
    after = scenario.after(plan)
    assert len(after.stations) == len(scenario.stations)
    assert np.array_equal(after.coverage().covered, scenario.coverage().covered)


# --------------------------------------------------------------------------- hotspots
def test_hotspots_after_hold_fewer_uncovered_people(scenario: Scenario, plan_result: Plan) -> None:
    today = scenario.coverage()
    after = scenario.after(plan_result).coverage()
    spots_today = layers.uncovered_hotspots(scenario.grid, today, n=50, min_people=0.0)
    spots_after = layers.uncovered_hotspots(scenario.grid, after, n=50, min_people=0.0)
    people_today = spots_today["uncovered_population"].to_numpy()
    people_after = spots_after["uncovered_population"].to_numpy()
    assert people_after.sum() < people_today.sum()
    assert people_after.sum() == pytest.approx(after.population_total - after.covered_population)
    # each block loses people, so the k-th worst block after is no worse than the k-th today
    assert (people_after <= people_today[: people_after.size] + 1e-9).all()


# --------------------------------------------------------------------------- the map
def test_map_without_plan_has_todays_layers_only(scenario: Scenario, tmp_path: Path) -> None:
    for lang in LANGS:
        html = _html(scenario.map(lang=lang, created=DAY), tmp_path, f"{lang}.html")
        assert [_key_of(name, lang) for name in _overlays(html)] == LAYERS_WITHOUT_PLAN
        for key in AFTER_KEYS:
            assert label(key, lang) not in html
        assert not any(css in html for css in AFTER_CLASSES)


@pytest.mark.parametrize("lang", LANGS)
def test_map_with_plan_shows_coverage_after_off_at_start(
    scenario: Scenario, plan_result: Plan, tmp_path: Path, lang: str
) -> None:
    html = _html(scenario.map(plan_result, lang=lang, created=DAY), tmp_path)
    shown = {_key_of(name, lang): on for name, on in _overlays(html).items()}
    assert shown["layer_footprint_after"] is False
    assert shown["layer_hotspots_after"] is False
    assert shown["layer_communes_after"] is False
    # today's layers as they were
    assert shown["layer_footprint"] is False and shown["layer_hotspots"] is True
    assert shown["layer_communes"] is True and shown["layer_sites"] is True
    other = LANGS[1 - LANGS.index(lang)]
    for key in AFTER_KEYS:
        assert label(key, lang) in html and label(key, other) not in html
    for css in AFTER_CLASSES:
        assert f'"className": "{css}"' in html
    n_after = len(layers.uncovered_hotspots(scenario.grid, scenario.after(plan_result).coverage()))
    assert n_after > 0
    assert html.count(label("hotspot_after_text", lang, people="").strip()) == n_after
    # the existing sites are still called synthetic, on the layer and in the title
    assert f"{label('layer_sites', lang)} ({label('synthetic', lang)})" in _overlays(html)
    assert label("synthetic_suffix", lang).strip() in html


def test_map_footprint_after_covers_more(
    scenario: Scenario, plan_result: Plan, tmp_path: Path
) -> None:
    """The after-plan footprint layer holds the covered cells of ``scenario.after(plan)``."""
    after = scenario.after(plan_result).coverage()
    area_m2 = layers.coverage_footprint(scenario.grid, after).to_crs(WORK_CRS).area.sum()
    assert area_m2 == pytest.approx(after.covered.sum() * scenario.grid.cell_size_m**2, rel=0.08)
    assert after.covered.sum() > scenario.coverage().covered.sum()


def test_map_warns_when_the_plan_claims_other_coverage(
    scenario: Scenario, plan_result: Plan, tmp_path: Path, caplog
) -> None:
    with caplog.at_level(logging.WARNING, logger="geoplan.outputs.maps"):
        scenario.map(plan_result)
    assert not caplog.records
    site = new_site("N1", 1, 105.96, 21.15, "00002", "Hai")  # far away; the folder claims +30%
    folder = write_plan_dir(tmp_path / "plan", scenario.coverage(), [site], gain_share=0.3)
    with caplog.at_level(logging.WARNING, logger="geoplan.outputs.maps"):
        scenario.map(read_plan(folder))
    assert "another model or other stations" in caplog.text


# --------------------------------------------------------------------------- shipped data
@pytest.mark.slow
def test_province_after_80_percent_plan(tmp_path: Path) -> None:
    scenario = geoplan.load_scenario(config=geoplan.PlanConfig(coverage_model="radius"))
    today = scenario.coverage()
    plan = scenario.plan(target=0.8, solver="greedy")
    after = scenario.coverage_after(plan, today.model)
    _assert_matches_plan(after, plan)
    gained = after.communes["covered_population"] - today.communes["covered_population"]
    assert (gained >= -1e-6).all()
    spots_today = layers.uncovered_hotspots(scenario.grid, today)
    spots_after = layers.uncovered_hotspots(scenario.grid, after)
    assert spots_after["uncovered_population"].sum() < spots_today["uncovered_population"].sum()
    html = _html(coverage_map(scenario, today, plan, after, lang="en", created=DAY), tmp_path)
    names = _overlays(html)
    assert names[label("layer_footprint_after", "en")] is False
    assert names[label("layer_hotspots_after", "en")] is False
    assert html.count("still not covered after the plan") == len(spots_after)
