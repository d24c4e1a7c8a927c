"""Population grid: downscaling keeps totals; rescaling reaches the official figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from geoplan.config import PlanConfig
from geoplan.errors import DataMismatchError
from geoplan.io.boundaries import read_communes
from geoplan.io.rasters import read_population_raster
from geoplan.numerics import (
    classify_environment,
    downscale_sum_preserving,
    rescale_to_totals,
    window_density_per_km2,
)
from geoplan.population import build_population_grid

counts = arrays(float, st.integers(1, 12), elements=st.floats(0, 1e5))


@given(source=counts, data=st.data())
def test_downscale_keeps_every_source_total(source: np.ndarray, data: st.DataObject) -> None:
    n_target = data.draw(st.integers(source.size, 200))
    index = data.draw(arrays(np.int64, n_target, elements=st.integers(-1, source.size - 1)))
    index[: source.size] = np.arange(source.size)  # every source cell gets a target
    weights = data.draw(arrays(float, n_target, elements=st.floats(0, 10)))
    for w in (None, weights):
        out = downscale_sum_preserving(source, index, w)
        sums = np.bincount(index[index >= 0], weights=out[index >= 0], minlength=source.size)
        np.testing.assert_allclose(sums, source, rtol=1e-9, atol=1e-6)
        assert (out[index < 0] == 0).all()
        assert (out >= 0).all()


def test_downscale_follows_weights_within_a_cell() -> None:
    out = downscale_sum_preserving(np.array([12.0]), np.array([0, 0, 0]), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(out, [2.0, 4.0, 6.0])


def test_downscale_treats_nodata_as_empty() -> None:
    out = downscale_sum_preserving(np.array([np.nan, 4.0]), np.array([0, 1, 1]))
    np.testing.assert_allclose(out, [0.0, 2.0, 2.0])


@given(
    values=arrays(float, 30, elements=st.floats(0, 1e4)),
    group=arrays(np.int64, 30, elements=st.integers(-1, 3)),
    totals=arrays(float, 4, elements=st.floats(0, 1e6)),
)
def test_rescale_reaches_every_group_total(values, group, totals) -> None:
    scaled, _ = rescale_to_totals(values, group, totals)
    present = np.bincount(group[group >= 0], minlength=4) > 0
    sums = np.bincount(group[group >= 0], weights=scaled[group >= 0], minlength=4)
    np.testing.assert_allclose(sums[present], totals[present], rtol=1e-9, atol=1e-6)
    assert (scaled[group < 0] == 0).all()


def test_classify_environment_thresholds() -> None:
    codes = classify_environment(np.array([1500.0, 1499.9, 300.0, 299.9]), 1500, 300)
    assert codes.tolist() == [0, 1, 1, 2]


def test_window_density_ignores_cells_outside() -> None:
    population = np.zeros((5, 5))
    population[:, :2] = 1.0  # 1 person per 100 m cell = 100 people/km²
    inside = population > 0
    density = window_density_per_km2(population, inside, 100.0, 300.0)
    np.testing.assert_allclose(density[inside], 100.0)


def test_tiny_grid_matches_official_totals(tiny_communes, tiny_raster_file, tiny_config) -> None:
    grid = build_population_grid(
        tiny_communes, read_population_raster(tiny_raster_file), tiny_config
    )
    cells = grid.cells()
    assert len(cells) == 300  # three 1 km² communes of 100 m cells
    sums = np.bincount(cells.commune, weights=cells.population, minlength=3)
    np.testing.assert_allclose(sums, [1000, 2000, 500])
    # 12 raster cells (500 m) lie in the 3 km × 1 km province: 120 people before rescaling
    assert grid.source_total_in_province == pytest.approx(120.0)
    assert grid.scale_factor == pytest.approx(3500 / 120)


def test_uniform_downscale_of_flat_raster_is_flat(tiny_communes, tiny_raster_file) -> None:
    config = PlanConfig(downscale_method="uniform")
    grid = build_population_grid(tiny_communes, read_population_raster(tiny_raster_file), config)
    cells = grid.cells()
    for commune, total in enumerate([1000, 2000, 500]):
        np.testing.assert_allclose(cells.population[cells.commune == commune], total / 100)


def test_raster_elsewhere_is_refused(tiny_communes, tmp_path) -> None:
    from affine import Affine

    from tests.conftest import write_raster

    far = Affine(500.0, 0.0, 100_000.0, 0.0, -500.0, 1_000_000.0)
    path = write_raster(tmp_path / "far.tif", np.ones((4, 4)), far, "EPSG:32648")
    with pytest.raises(DataMismatchError, match="does not overlap"):
        build_population_grid(tiny_communes, read_population_raster(path), PlanConfig())


@pytest.mark.slow
def test_province_grid_sums_to_official_figures() -> None:
    communes = read_communes()
    grid = build_population_grid(communes, read_population_raster())
    assert grid.population.sum() == pytest.approx(3_619_443, rel=1e-9)
    sums = np.bincount(
        grid.commune_index[grid.commune_index >= 0],
        weights=grid.population[grid.commune_index >= 0],
        minlength=99,
    )
    np.testing.assert_allclose(sums, communes["population"].to_numpy(float), rtol=1e-9)
    # WorldPop 2020 is low against the 2025 register (PROVENANCE: factor about 1.27–1.32)
    assert 1.2 < grid.scale_factor < 1.4
