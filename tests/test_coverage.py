"""Radius coverage: hand-checkable layouts, brute force, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from geoplan.config import PlanConfig
from geoplan.coverage import compute_coverage, shares_by_group
from geoplan.io.rasters import read_population_raster
from geoplan.io.stations import read_stations
from geoplan.models import RadiusModel, covered_mask, radius_coverage_matrix
from geoplan.population import build_population_grid
from geoplan.sites import Sites

coords = arrays(float, st.tuples(st.integers(1, 15), st.just(2)), elements=st.floats(-5e3, 5e3))


@given(sites=coords, cells=coords, data=st.data())
def test_radius_matrix_equals_brute_force(sites, cells, data) -> None:
    radius = data.draw(arrays(float, len(sites), elements=st.floats(0, 4e3)))
    matrix = radius_coverage_matrix(sites, radius, cells).toarray()
    distance = np.linalg.norm(sites[:, None, :] - cells[None, :, :], axis=2)
    # points exactly on the circle may round either way; compare away from it
    clear = np.abs(distance - radius[:, None]) > 1e-6
    np.testing.assert_array_equal(matrix[clear], (distance <= radius[:, None])[clear])


@settings(max_examples=50)
@given(sites=coords, extra=coords, cells=coords)
def test_adding_sites_never_lowers_coverage(sites, extra, cells) -> None:
    radius = np.full(len(sites), 1000.0)
    before = covered_mask(radius_coverage_matrix(sites, radius, cells))
    both = np.vstack([sites, extra])
    after = covered_mask(radius_coverage_matrix(both, np.full(len(both), 1000.0), cells))
    assert (after >= before).all()


def test_empty_site_list_covers_nothing() -> None:
    matrix = radius_coverage_matrix(np.empty((0, 2)), np.empty(0), np.zeros((4, 2)))
    assert matrix.shape == (0, 4)
    assert not covered_mask(matrix).any()


def test_shares_by_group_sums() -> None:
    people, covered = shares_by_group(
        np.array([1.0, 2.0, 3.0, 4.0]),
        np.array([True, True, False, True]),
        np.array([0, 1, 1, 2]),
        4,
    )
    np.testing.assert_allclose(people, [1, 5, 4, 0])
    np.testing.assert_allclose(covered, [1, 2, 4, 0])


def test_radius_depends_on_site_environment() -> None:
    model = RadiusModel(PlanConfig(radius_urban_m=100, radius_suburban_m=200, radius_rural_m=300))
    sites = Sites(np.zeros(3), np.zeros(3), np.full(3, 30.0), np.array([0, 1, 2]))
    np.testing.assert_array_equal(model.max_range_m(sites), [100, 200, 300])
    assert "urban 100 m" in model.describe()


def test_tiny_layout_by_hand(tiny_communes, tiny_raster_file, tiny_stations_file, tiny_config):
    """A 300 m site at the centre of each 1 km commune covers the cells within 300 m.

    100 m cells centred at ±50, ±150, ±250 m from the site: a cell is in when
    dx² + dy² <= 300², which holds for all 36 but the four corners (250² + 250² >
    300²): 32 of the commune's 100 cells.
    """
    grid = build_population_grid(
        tiny_communes,
        read_population_raster(tiny_raster_file),
        PlanConfig(
            downscale_method="uniform",
            cell_size_m=100.0,
            radius_urban_m=300.0,
            radius_suburban_m=300.0,
            radius_rural_m=300.0,
        ),
    )
    sites = Sites.from_frame(read_stations(tiny_stations_file), grid, tiny_config)
    result = compute_coverage(grid, sites, RadiusModel(tiny_config))
    offsets = np.array([-250, -150, -50, 50, 150, 250])
    expected_cells = int((offsets[:, None] ** 2 + offsets[None, :] ** 2 <= 300**2).sum())
    assert expected_cells == 32
    np.testing.assert_allclose(result.communes["covered_share"], expected_cells / 100)
    assert result.covered_population == pytest.approx(3500 * 0.32)
    assert result.n_sites == 5
    assert result.communes["covered_population"].sum() == pytest.approx(result.covered_population)


def test_result_dict_shape(tiny_communes, tiny_raster_file, tiny_stations_file, tiny_config):
    grid = build_population_grid(
        tiny_communes, read_population_raster(tiny_raster_file), tiny_config
    )
    result = compute_coverage(
        grid, Sites.from_frame(read_stations(tiny_stations_file), grid), RadiusModel(tiny_config)
    )
    payload = result.to_dict()
    assert {
        "population_total",
        "covered_population",
        "covered_share",
        "n_sites",
        "communes",
    } <= payload.keys()
    assert [c["code"] for c in payload["communes"]] == ["00001", "00002", "00003"]
    assert 0.0 <= payload["covered_share"] <= 1.0
    assert "covered" in repr(result)


def test_rich_display_escapes_names(
    tiny_communes, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    tiny_communes.loc[0, "name"] = "<b>Một</b>"
    grid = build_population_grid(
        tiny_communes, read_population_raster(tiny_raster_file), tiny_config
    )
    result = compute_coverage(
        grid, Sites.from_frame(read_stations(tiny_stations_file), grid), RadiusModel(tiny_config)
    )
    page = result._repr_html_()
    assert "&lt;b&gt;Một&lt;/b&gt;" in page
    assert "<b>Một</b>" not in page
    assert "least-covered" in page
