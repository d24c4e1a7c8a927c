"""The national data and any province by name or code (issue 17)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.candidates import build_candidates, default_upgrades, upgrade_candidates
from geoplan.config import PlanConfig
from geoplan.errors import ConfigError, InputError
from geoplan.io import national
from geoplan.io.boundaries import read_communes
from geoplan.io.datainfo import data_inventory
from geoplan.io.embedded import DEFAULT_COMMUNES, DEFAULT_STATIONS
from geoplan.io.plan_folder import read_plan, write_plan
from geoplan.io.stations import read_stations
from geoplan.planning import inputs_record, planning_arrays
from geoplan.scenario import load_plan_scenario, load_scenario
from geoplan.synthetic import operator_site_counts, stations_like_bac_ninh

#: Largest relative area difference between a Bắc Ninh unit of the national file and the
#: shipped one (both cleaned the same way; the national one also gives up its border
#: overlaps to lower-coded neighbours in Hà Nội and was simplified by 10 m).
BAC_NINH_UNIT_AREA_TOLERANCE = 0.005
BAC_NINH_TOTAL_AREA_TOLERANCE = 0.0005


@pytest.fixture(scope="module")
def provinces() -> list[national.Province]:
    return national.read_provinces()


def test_34_provinces_3321_units_with_the_official_totals(provinces) -> None:
    assert len(provinces) == 34
    assert sum(p.n_units for p in provinces) == 3321
    assert sum(p.population for p in provinces) == 113_700_256
    hanoi = next(p for p in provinces if p.code == "01")
    units = national.read_units("01")
    assert len(units) == hanoi.n_units == 126
    assert units["population"].sum() == hanoi.population == 8_807_523
    assert units["code"].is_unique and set(national.UNIT_COLUMNS) <= set(units.columns)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Thái Nguyên", "19"),
        ("thai nguyen", "19"),
        ("  THAI   NGUYEN ", "19"),
        (19, "19"),
        ("19", "19"),
        ("4", "04"),
        ("Đắk Lắk", "66"),
        ("dak lak", "66"),
        ("TP. Hồ Chí Minh", "79"),
        ("ho chi minh", "79"),
        ("hcm", "79"),
        ("Huế", "46"),
        ("Bắc Ninh", "24"),
    ],
)
def test_find_province_by_name_or_code(provinces, query, code) -> None:
    assert national.find_province(query, provinces).code == code


@pytest.mark.parametrize(
    ("query", "suggested"),
    [("thai nguen", "Thái Nguyên (19)"), ("Ha Noy", "Hà Nội (01)"), ("Quang Nin", "Quảng Ninh")],
)
def test_unknown_province_is_one_line_with_close_matches(provinces, query, suggested) -> None:
    with pytest.raises(InputError, match="no such province") as err:
        national.find_province(query, provinces)
    assert suggested in str(err.value) and "\n" not in str(err.value)


def test_unknown_code_is_refused(provinces) -> None:
    with pytest.raises(InputError, match="'99': no such province"):
        national.find_province("99", provinces)


def test_each_province_in_the_utm_zone_of_its_centroid(provinces) -> None:
    # zone 48N covers 102-108 E, zone 49N 108-114 E
    for p in provinces:
        assert p.work_crs == ("EPSG:32649" if p.lon >= 108 else "EPSG:32648")
    zones = {p.work_crs for p in provinces}
    assert zones == {"EPSG:32648", "EPSG:32649"}
    assert national.find_province("Hà Nội", provinces).work_crs == "EPSG:32648"


def test_bac_ninh_in_the_national_file_agrees_with_the_shipped_one() -> None:
    shipped = read_communes(DEFAULT_COMMUNES).set_index("code")
    ours = national.read_units(national.BAC_NINH_CODE).set_index("code")
    assert sorted(ours.index) == sorted(shipped.index) and len(ours) == 99
    pd.testing.assert_series_equal(
        ours["population"].reindex(shipped.index), shipped["population"], check_names=False
    )
    area_shipped = shipped.to_crs("EPSG:32648").area
    area_ours = ours.to_crs("EPSG:32648").area.reindex(area_shipped.index)
    relative = (area_ours - area_shipped).abs() / area_shipped
    assert relative.max() < BAC_NINH_UNIT_AREA_TOLERANCE
    assert abs(area_ours.sum() / area_shipped.sum() - 1) < BAC_NINH_TOTAL_AREA_TOLERANCE


def test_every_cell_around_bac_ninh_lies_in_at_most_one_unit() -> None:
    """Cell centres every 500 m over Bắc Ninh and its six neighbours' border zone."""
    frames = [national.read_units(c) for c in ("24", "01", "19", "20", "22", "31", "33")]
    units = gpd.GeoDataFrame(pd.concat(frames), crs="EPSG:4326").to_crs("EPSG:32648")
    left, bottom, right, top = read_communes().to_crs("EPSG:32648").buffer(5000).total_bounds
    xs, ys = np.meshgrid(np.arange(left, right, 500.0), np.arange(bottom, top, 500.0))
    points = shapely.points(xs.ravel(), ys.ravel())
    hit, _ = shapely.STRtree(units.geometry.values).query(points, predicate="within")
    counts = np.bincount(hit, minlength=points.size)
    assert counts.max() == 1
    assert (counts == 1).sum() > 0.6 * points.size  # the test did look at land


def test_shipped_units_are_valid_and_do_not_overlap() -> None:
    units = pd.concat([national.read_units(c) for c in ("46", "48", "56")])
    geoms = gpd.GeoSeries(units.geometry.values, crs="EPSG:4326").to_crs("EPSG:32649").values
    assert shapely.is_valid(geoms).all()
    pairs, area = national.overlap_area_m2(geoms)
    assert area < 1.0 * max(pairs, 1)  # rounding to 6 decimals: under 1 m² a pair


def test_offshore_special_zones_are_off_the_grid_and_reported() -> None:
    khanh_hoa = national.province_data("Khánh Hòa")
    assert list(khanh_hoa.offshore["name"]) == ["Trường Sa"]
    assert len(khanh_hoa.communes) + len(khanh_hoa.offshore) == khanh_hoa.province.n_units
    assert len(national.province_data("Huế").offshore) == 0


def test_synthetic_sites_follow_bac_ninh_per_person(provinces) -> None:
    hue = national.province_data("46")
    expected = round(290 * hue.communes["population"].sum() / 3_619_443)
    assert hue.n_synthetic_sites == expected


def test_bac_ninh_rules_reproduce_the_shipped_synthetic_set() -> None:
    """The spacing factor and rules used for other provinces give, on Bắc Ninh's own
    grid, exactly its shipped 290 sites: they are the calibrated ones, not re-tuned."""
    scenario = load_scenario(config=PlanConfig(coverage_model="radius"))
    again = stations_like_bac_ninh(scenario.grid, 290, scenario.config)
    shipped = read_stations(DEFAULT_STATIONS)
    columns = ["site_id", "operator", "lon", "lat", "band", "azimuths_deg", "environment"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(again[columns]).reset_index(drop=True),
        pd.DataFrame(shipped[columns]).reset_index(drop=True),
        check_dtype=False,
    )
    counts = again["operator"].value_counts().to_dict()
    assert counts == operator_site_counts(290)


def test_load_scenario_for_another_province_in_its_zone_scaled_to_official() -> None:
    config = PlanConfig(coverage_model="radius", cell_size_m=500.0)
    scenario = load_scenario(province="Lai Châu", config=config)
    data = national.province_data("12")
    assert scenario.config.work_crs == data.province.work_crs == "EPSG:32648"
    assert scenario.grid.crs == "EPSG:32648"
    assert scenario.grid.population.sum() == pytest.approx(data.communes["population"].sum())
    assert scenario.grid.scale_factor == pytest.approx(
        data.communes["population"].sum() / scenario.grid.source_total_in_province
    )
    assert scenario.stations_synthetic
    assert len(scenario.stations) == data.n_synthetic_sites
    assert set(scenario.stations["operator"]) <= {"Viettel", "VNPT", "MobiFone"}
    inside = shapely.union_all(data.communes.geometry.values).buffer(0.01)
    assert shapely.contains(inside, scenario.stations.geometry.values).all()


def test_zone_49_province_is_gridded_in_zone_49() -> None:
    province = national.find_province("Khánh Hòa")
    assert province.work_crs == "EPSG:32649"
    scenario = load_scenario(
        province="khanh hoa", config=PlanConfig(coverage_model="radius", cell_size_m=1000.0)
    )
    assert scenario.grid.crs == "EPSG:32649"
    assert scenario.grid.population.sum() == pytest.approx(2_243_553 - 153)  # Trường Sa off


def test_bac_ninh_by_name_is_the_default_data() -> None:
    config = PlanConfig(coverage_model="radius", cell_size_m=500.0)
    default, named = load_scenario(config=config), load_scenario(province="bac ninh", config=config)
    assert named.sources == default.sources
    assert len(named.stations) == 290
    assert named.grid.population.sum() == pytest.approx(default.grid.population.sum())


def test_province_with_boundaries_is_refused() -> None:
    with pytest.raises(ConfigError, match="--province and --boundaries"):
        load_scenario(boundaries=DEFAULT_COMMUNES, province="19")


def test_data_info_lists_the_national_files() -> None:
    entries = {e.kind: e for e in data_inventory()}
    assert entries["national boundaries"].path == national.NATIONAL_UNITS
    assert entries["national population"].path == national.NATIONAL_POPULATION
    assert "Vietnam" in entries["national boundaries"].title
    assert entries["national population"].size_bytes < 15e6


def test_worldpop_by_cell_centre_counts_each_cell_once(tiny_communes, tiny_raster_file) -> None:
    # 500 m cells of 10 people; each 1 km commune holds four cell centres
    people = national.worldpop_by_unit(tiny_communes, tiny_raster_file)
    assert people.to_dict() == {"00001": 40.0, "00002": 40.0, "00003": 40.0}


def test_worldpop_of_bac_ninh_by_cell_centre_matches_its_provenance() -> None:
    # geoplan/data/population/PROVENANCE.md: 2,744,335 people by cell centre in the
    # province outline, counted when staging; the 99 units' borders differ from that
    # outline by rounding, which moves a cell centre or two (tens of people)
    people = national.worldpop_by_unit(read_communes(), national.NATIONAL_POPULATION)
    assert people.sum() == pytest.approx(2_744_335, rel=1e-4)


def test_data_info_gives_each_national_file_its_own_licence() -> None:
    entries = {e.kind: e for e in data_inventory()}
    assert entries["national boundaries"].licence.startswith("MIT")
    assert entries["national population"].licence.startswith("CC BY 4.0")


def test_a_province_plan_records_and_remakes_its_generated_sites(tmp_path) -> None:
    """``geoplan plan --province`` then ``geoplan map --plan``: the synthetic sites have no
    file, so the plan records them by operator and the map makes them again."""
    config = PlanConfig(coverage_model="radius", cell_size_m=2000.0)
    scenario = load_scenario(province="12", config=config)
    write_plan(scenario.plan(max_sites=3, solver="greedy"), tmp_path)
    plan = read_plan(tmp_path)
    record = plan.summary.inputs
    counts = scenario.stations["operator"].value_counts().to_dict()
    assert record["province"] == "12" and record["stations"]["operator_sites"] == counts
    loaded = load_plan_scenario(plan, province="lai chau")
    assert loaded.province == "12" and loaded.stations.to_csv() == scenario.stations.to_csv()
    assert loaded.grid.population.sum() == pytest.approx(scenario.grid.population.sum())
    with pytest.raises(InputError, match="made for province 12"):
        load_plan_scenario(plan, province="19")


def test_the_4g_layer_is_bac_ninhs_only_another_province_gets_no_upgrades() -> None:
    """Bắc Ninh's synthetic 4G layer gives Bắc Ninh its 3,667 upgrade candidates; its
    towers on the border fall in Thái Nguyên's (19) 2 km cells, yet Thái Nguyên gets no
    upgrade candidate and records no 4G layer."""
    config = PlanConfig(coverage_model="radius", cell_size_m=2000.0)
    thai_nguyen = load_scenario(province="19", config=config)
    assert thai_nguyen.stations_synthetic and thai_nguyen.sites_4g is None
    layer = upgrade_candidates(thai_nguyen.stations, thai_nguyen.config)  # Bắc Ninh's towers
    offered = build_candidates(
        thai_nguyen.grid, thai_nguyen.grid.cells(), thai_nguyen.model(), config, upgrades=layer
    )
    assert (offered.frame["kind"] == "upgrade").any()
    _, _, candidates, _ = planning_arrays(thai_nguyen, thai_nguyen.model())
    assert len(candidates) and "upgrade" not in set(candidates.frame["kind"])
    assert "sites_4g" not in inputs_record(thai_nguyen)
    bac_ninh = load_scenario(province="24", config=config)
    upgrades = default_upgrades(bac_ninh.stations, bac_ninh.config, bac_ninh.sites_4g)
    assert upgrades is not None and len(upgrades) == 3667
    assert inputs_record(bac_ninh)["sites_4g"]["path"].endswith("bacninh_4g_sites_synthetic.csv")


def test_data_info_of_another_province_lists_no_bac_ninh_file(tmp_path) -> None:
    stations = tmp_path / "s.csv"
    stations.write_text("site_id,lon,lat\nA,103.4,22.4\n", encoding="utf-8")
    kinds = [e.kind for e in data_inventory(province="lai chau")]
    assert kinds == ["national boundaries", "national population"]
    given = data_inventory(stations=stations, province=12)
    assert given[0].kind == "stations" and given[0].path == stations
    assert "4g sites" in {e.kind for e in data_inventory(province="24")}
