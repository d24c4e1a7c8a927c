"""The map's best-server RSRP overlay (issue 16): classes, legend, and the run's own RSRP."""

from __future__ import annotations

import base64
import html as html_lib
import io
import re
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from pyproj import Transformer

from geoplan.config import PlanConfig
from geoplan.coverage import combine_coverage, compute_coverage
from geoplan.outputs import coverage_map, layers, save_map
from geoplan.outputs.i18n import LABELS, fmt_pct, label
from geoplan.results import CoverageResult
from geoplan.scenario import Scenario, load_scenario

#: (cell row, cell column, RSRP in dBm, expected class): one per class, two on a bound.
HAND_CELLS = [
    (4, 3, -120.0, 0),  # < -110
    (4, 9, -110.0, 1),  # on the bound: -110 counts as covered, class -110..-100
    (4, 15, -95.0, 2),
    (4, 21, -85.5, 3),
    (4, 27, -80.0, 4),  # on the bound: >= -80
]
TO_MERCATOR = Transformer.from_crs("EPSG:32648", layers.WEB_MERCATOR, always_xy=True)
FROM_DEGREES = Transformer.from_crs("EPSG:4326", layers.WEB_MERCATOR, always_xy=True)


@pytest.fixture
def scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config) -> Scenario:
    return load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config)


def _hand_rsrp(scenario: Scenario) -> np.ndarray:
    """RSRP per cell: NaN (beyond reach), but each 3×3 block of :data:`HAND_CELLS` set."""
    grid = scenario.grid
    rows, cols = np.divmod(scenario.grid.cells().flat_index, grid.shape[1])
    rsrp = np.full(rows.size, np.nan)
    for row, col, value, _ in HAND_CELLS:
        near = (abs(rows - row) <= 1) & (abs(cols - col) <= 1)
        assert near.sum() == 9, "the block lies inside the province"
        rsrp[near] = value
    return rsrp


def _pixel(image: np.ndarray, bounds: list[list[float]], x_m: float, y_m: float) -> np.ndarray:
    """The RGBA of the overlay's pixel under a work-CRS point."""
    (south, west), (north, east) = bounds
    left, bottom = FROM_DEGREES.transform(west, south)
    right, top = FROM_DEGREES.transform(east, north)
    x, y = TO_MERCATOR.transform(x_m, y_m)
    col = int((x - left) / (right - left) * image.shape[1])
    row = int((top - y) / (top - bottom) * image.shape[0])
    return image[row, col]


def _rgba(colour: str) -> list[int]:
    return [int(colour[k : k + 2], 16) for k in (1, 3, 5)] + [180]


def test_rsrp_classes_by_hand() -> None:
    values = np.array([-140.0, -110.0001, -110.0, -100.0, -90.5, -80.0, -44.0, np.nan])
    codes = layers.class_codes(values, layers.RSRP_BREAKS_DBM)
    assert codes.tolist() == [0, 0, 1, 2, 2, 4, 4, layers.NO_CLASS]
    assert len(layers.RSRP_COLOURS) == len(layers.RSRP_BREAKS_DBM) - 1


def test_overlay_pixels_at_hand_set_cells_have_their_class(scenario: Scenario) -> None:
    grid, cells = scenario.grid, scenario.grid.cells()
    image, bounds = layers.class_overlay(grid, cells.flat_index, _hand_rsrp(scenario),
                                         layers.RSRP_BREAKS_DBM, layers.RSRP_COLOURS)  # fmt: skip
    for row, col, _, expected in HAND_CELLS:
        x_m, y_m = grid.transform @ (col + 0.5, row + 0.5)
        assert _pixel(image, bounds, x_m, y_m).tolist() == _rgba(layers.RSRP_COLOURS[expected])
    x_m, y_m = grid.transform @ (6.5, 4.5)  # between two blocks: beyond reach, transparent
    assert _pixel(image, bounds, x_m, y_m)[3] == 0
    shown = {tuple(p) for p in image.reshape(-1, 4) if p[3]}
    assert shown == {tuple(_rgba(c)) for c in layers.RSRP_COLOURS}  # five classes, no other


def _images(html: str) -> list[np.ndarray]:
    found = re.findall(r'"data:image/png;base64,([^"]+)"', html)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(b))).convert("RGBA")) for b in found]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_shows_the_runs_rsrp_off_at_start_with_a_legend(
    scenario: Scenario, tmp_path, lang: str
) -> None:
    today = scenario.coverage()
    assert today.best_rsrp_dbm.size == 0  # the radius model has no RSRP: no overlay
    plain = save_map(coverage_map(scenario, today, lang=lang), tmp_path / "plain.html")
    assert _images(plain.read_text(encoding="utf-8")) == []
    result = replace(today, best_rsrp_dbm=_hand_rsrp(scenario))
    html = save_map(coverage_map(scenario, result, lang=lang), tmp_path / "m.html").read_text(
        encoding="utf-8"
    )
    html = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), html)
    (image,) = _images(html)
    expected, _ = layers.class_overlay(scenario.grid, result.cells.flat_index,
                                       result.best_rsrp_dbm, layers.RSRP_BREAKS_DBM,
                                       layers.RSRP_COLOURS)  # fmt: skip
    np.testing.assert_array_equal(image, expected)  # the page shows exactly these classes
    name = label("layer_rsrp", lang)
    assert name in html
    # in the layer switcher, and not added to the map at start
    overlay = re.search(r"var (image_overlay_\w+) = L\.imageOverlay", html)
    assert overlay is not None
    assert f"{overlay[1]}.addTo(" not in html
    assert '"pane": "geoplan-overlays"' in html  # above the communes, under the sites
    rows = [html_lib.unescape(re.sub(r"<[^>]+>", "", row))
            for row in re.findall(r'data-geoplan-legend="rsrp">(.*?)</div>', html)]  # fmt: skip
    assert rows[0] == label("legend_rsrp", lang, reliability=fmt_pct(0.9, lang, digits=0))
    assert rows[1:] == [
        "< −110", "−110 – −100", "−100 – −90", "−90 – −80", "≥ −80"
    ]  # fmt: skip


def test_rsrp_labels_in_both_languages() -> None:
    for key in ("layer_rsrp", "legend_rsrp"):
        vi, en = LABELS[key]
        assert vi and en and vi != en
        assert "RSRP" in vi and "RSRP" in en
    assert (
        "{reliability}" in LABELS["legend_rsrp"][0] and "{reliability}" in LABELS["legend_rsrp"][1]
    )


def test_the_coverage_run_keeps_the_best_servers_rsrp(
    tiny_communes_file, tiny_raster_file, tiny_stations_file
) -> None:
    config = PlanConfig(cell_size_m=100.0, dem_paths=("flat",))
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file, config)
    result = scenario.coverage()
    model = scenario.model()
    best = model.best_server(scenario.sites(), scenario.grid.cells())  # the GeoTIFF's numbers
    np.testing.assert_array_equal(result.best_rsrp_dbm, best.rsrp_dbm)
    reached = np.isfinite(result.best_rsrp_dbm)
    assert reached.any()
    # covered at the design reliability exactly where the best server reaches -110 dBm
    assert (result.layers["signal"].covered == (result.best_rsrp_dbm >= -110.0)).all()
    # split the sites in two: the combined best server is the better of the two parts
    sites = scenario.sites()
    parts = [_coverage_of(scenario, sites.take(np.array(rows))) for rows in ([0, 2, 4], [1, 3])]
    combined = combine_coverage(scenario.grid, parts)
    np.testing.assert_allclose(combined.best_rsrp_dbm, result.best_rsrp_dbm)


def _coverage_of(scenario: Scenario, sites) -> CoverageResult:
    return compute_coverage(scenario.grid, sites, scenario.model())
