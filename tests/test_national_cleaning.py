"""Topology cleaning of commune polygons (issue 17): hand-made cases and invariants."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from geoplan.io import national

CRS = "EPSG:32648"
X0, Y0 = 600_000.0, 2_340_000.0


def _frame(codes: list[str], geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs=CRS)


def _area(clean: gpd.GeoDataFrame, code: str) -> float:
    return float(clean.loc[clean["code"] == code].area.iloc[0])


def test_overlap_goes_to_the_lower_code() -> None:
    # b (code 2) overlaps a (code 1) by a 100 m × 1000 m strip: a keeps it
    a = box(X0, Y0, X0 + 1000, Y0 + 1000)
    b = box(X0 + 900, Y0, X0 + 2000, Y0 + 1000)
    clean, report = national.clean_topology(_frame(["2", "1"], [b, a]), CRS)
    assert list(clean["code"]) == ["1", "2"]
    assert _area(clean, "1") == pytest.approx(1_000_000)
    assert _area(clean, "2") == pytest.approx(1_000_000)  # 1100 m × 1000 m less the strip
    assert report.overlap_pairs_before == 1
    assert report.overlap_area_before_m2 == pytest.approx(100_000)
    assert report.overlap_area_after_m2 == 0.0


def test_enclosed_sliver_goes_to_the_neighbour_with_the_longest_border() -> None:
    # three units around a 10 m × 400 m gap: c borders it along 400 m, a and b along 10 m
    a = box(X0, Y0, X0 + 1000, Y0 + 300)  # south, below the gap
    gap_top = Y0 + 700
    b = box(X0, gap_top, X0 + 1000, Y0 + 1000)  # north, above it
    c = Polygon([(X0, Y0 + 300), (X0 + 500, Y0 + 300), (X0 + 500, gap_top), (X0, gap_top)])
    d = box(X0 + 510, Y0 + 300, X0 + 1000, gap_top)  # east: 10 m of gap between c and d
    clean, report = national.clean_topology(_frame(["a", "b", "c", "d"], [a, b, c, d]), CRS)
    assert report.holes_filled >= 1
    assert report.holes_area_m2 == pytest.approx(10 * 400)
    # c and d share the two 400 m sides; the tie goes to the lower code (c)
    assert _area(clean, "c") == pytest.approx(500 * 400 + 10 * 400)
    assert _area(clean, "d") == pytest.approx(490 * 400)
    union = shapely.union_all(clean.geometry.values)
    assert union.geom_type == "Polygon" and not list(union.interiors)


def test_thin_inlet_between_two_units_is_filled_but_a_bay_of_one_is_not() -> None:
    # a and b leave a 6 m wide, 300 m deep inlet open to the north between them
    a = box(X0, Y0, X0 + 500, Y0 + 1000)
    b = box(X0 + 506, Y0, X0 + 1000, Y0 + 1000)
    floor = box(X0 + 500, Y0, X0 + 506, Y0 + 700)  # the inlet's bottom belongs to c
    c = floor
    # a bay 20 m wide cut into a alone (only a touches it): it stays open
    a = a.difference(box(X0 + 100, Y0 + 900, X0 + 120, Y0 + 1000))
    clean, report = national.clean_topology(_frame(["a", "b", "c"], [a, b, c]), CRS)
    assert report.inlets_filled >= 1
    assert report.inlets_area_m2 == pytest.approx(6 * 300)
    total = float(clean.area.sum())
    assert total == pytest.approx(1000 * 1000 - 20 * 100)


def test_an_island_of_another_unit_inside_a_gap_stays_its_own() -> None:
    # a ring-shaped unit around a lake that holds a small island of unit z
    outer = box(X0, Y0, X0 + 1000, Y0 + 1000)
    ring = outer.difference(box(X0 + 300, Y0 + 300, X0 + 700, Y0 + 700))
    island = box(X0 + 450, Y0 + 450, X0 + 550, Y0 + 550)
    z_main = box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000)
    clean, _ = national.clean_topology(
        _frame(["r", "z"], [ring, shapely.MultiPolygon([island, z_main])]), CRS
    )
    assert _area(clean, "z") == pytest.approx(10_000 + 1_000_000)
    assert _area(clean, "r") == pytest.approx(1_000_000 - 10_000)  # the lake is filled


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_jittered_grid_becomes_an_exact_coverage(seed: int) -> None:
    """A 3 × 3 grid of squares with corners moved by up to 3 m (overlaps and slivers)
    cleans to units that share every border: no overlap, no hole, nothing lost."""
    rng = np.random.default_rng(seed)
    corners = rng.uniform(-3, 3, size=(4, 4, 2))
    corners[[0, -1], :, :] = 0.0  # keep the outline straight
    corners[:, [0, -1], :] = 0.0
    geoms, codes = [], []
    for i in range(3):
        for j in range(3):
            pts = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            ring = [
                (
                    X0 + 1000 * x + corners[x, y, 0] + rng.uniform(-1, 1),
                    Y0 + 1000 * y + corners[x, y, 1] + rng.uniform(-1, 1),
                )
                for x, y in pts
            ]
            geoms.append(shapely.make_valid(Polygon(ring)))
            codes.append(f"{i}{j}")
    clean, report = national.clean_topology(_frame(codes, geoms), CRS)
    cleaned = clean.geometry.values
    assert shapely.is_valid(cleaned).all()
    assert shapely.coverage_is_valid(cleaned)
    assert national.overlap_area_m2(cleaned)[1] == pytest.approx(0.0, abs=1e-6)
    union = shapely.union_all(cleaned)
    assert union.geom_type == "Polygon" and not list(union.interiors)
    # every square keeps its place: its centre is still in it
    centres = [
        shapely.Point(X0 + 1000 * i + 500, Y0 + 1000 * j + 500) for i in range(3) for j in range(3)
    ]
    assert all(g.contains(c) for g, c in zip(cleaned, centres, strict=True))
    assert report.overlap_area_after_m2 == pytest.approx(0.0, abs=1e-6)


def test_simplify_keeps_shared_borders_shared() -> None:
    wiggle = [(X0 + 10 * k, Y0 + 500 + (2 if k % 2 else -2)) for k in range(101)]
    south = Polygon([(X0, Y0), (X0 + 1000, Y0), *wiggle[::-1]])
    north = Polygon([*wiggle, (X0 + 1000, Y0 + 1000), (X0, Y0 + 1000)])
    simple = national.simplify_units(np.array([south, north], dtype=object), 10.0)
    assert (
        shapely.get_num_coordinates(simple).sum()
        < shapely.get_num_coordinates(np.array([south, north], dtype=object)).sum()
    )
    assert national.overlap_area_m2(simple)[1] == pytest.approx(0.0, abs=1e-6)
    assert shapely.union_all(simple).area == pytest.approx(1_000_000, rel=1e-3)
