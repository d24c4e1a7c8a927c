"""Colours: CIELAB and CIEDE2000 against published values; phase colours stay distinct."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex

from geoplan.io.plan_folder import read_plan
from geoplan.outputs import figures, theme
from geoplan.outputs.tables import kml_document
from geoplan.scenario import load_scenario
from tests._meeting import new_site, write_plan_dir

#: Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula: implementation
#: notes, supplementary test data", Table 1: pairs 1, 2, 3, 7, 13, 17, 25 and 34.
SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0009), 7.1792),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]
#: Plans checked: 1 to 20 phases (the default plans have 8; the demo's 80% plan 33).
MAX_PHASES_CHECKED = 20
#: Two symbols read as different colours on a map from about ΔE00 = 10 (1 is barely visible).
MIN_DELTA_E = 20.0
#: The ramp of longer plans: each phase a visible step lighter than the one before.
MIN_RAMP_STEP = 2.0


def _lab(colours: list[str]) -> np.ndarray:
    return theme.rgb_to_lab(theme.hex_to_rgb(colours))


def _min_pairwise(colours: list[str]) -> float:
    lab = _lab(colours)
    return min(
        float(theme.delta_e2000(lab[i], lab[j]))
        for i, j in itertools.combinations(range(len(colours)), 2)
    )


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_PAIRS)
def test_delta_e2000_matches_the_published_test_data(lab1, lab2, expected) -> None:
    forward = theme.delta_e2000(np.array(lab1), np.array(lab2))
    backward = theme.delta_e2000(np.array(lab2), np.array(lab1))
    assert float(forward) == pytest.approx(expected, abs=1e-4)
    assert float(backward) == pytest.approx(expected, abs=1e-4)


def test_lab_of_primaries_and_white() -> None:
    # CIELAB (D65) of sRGB white, red and blue, as tabulated by Lindbloom's calculator
    lab = _lab(["#ffffff", "#ff0000", "#0000ff", "#000000"])
    assert lab[0] == pytest.approx([100.0, 0.0, 0.0], abs=1e-3)
    assert lab[1] == pytest.approx([53.2408, 80.0925, 67.2032], abs=1e-3)
    assert lab[2] == pytest.approx([32.2970, 79.1875, -107.8602], abs=1e-3)
    assert lab[3] == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


@pytest.mark.parametrize("n", range(1, MAX_PHASES_CHECKED + 1))
def test_phase_colours_are_pairwise_distinct(n: int) -> None:
    colours = theme.phase_colours(n)
    assert len(colours) == n and len(set(colours)) == n
    assert all(theme.phase_colour(p, n) == colours[p - 1] for p in range(1, n + 1))
    if n == 1:
        return
    if n <= theme.MAX_QUALITATIVE_PHASES:  # a colour of its own for each phase
        assert _min_pairwise(colours) >= MIN_DELTA_E
    else:  # a ramp: lighter phase by phase, each step visible
        lab = _lab(colours)
        assert (np.diff(lab[:, 0]) > 0).all()
        steps = theme.delta_e2000(lab[:-1], lab[1:])
        assert steps.min() >= MIN_RAMP_STEP


def test_phase_seven_and_eight_no_longer_repeat_one_and_two() -> None:
    colours = theme.phase_colours(8)
    assert colours[:6] == list(theme.PHASE_SEED)  # phases 1-6 keep their old colours
    lab = _lab(colours)
    for later, earlier in ((6, 0), (7, 1)):
        assert float(theme.delta_e2000(lab[later], lab[earlier])) >= MIN_DELTA_E


def test_phase_colours_keep_clear_of_the_map() -> None:
    avoid = _lab(list(theme.PHASE_AVOID))
    generated = theme.PHASE_COLOURS[len(theme.PHASE_SEED) :]
    assert theme.delta_e2000(_lab(list(generated))[:, None], avoid[None]).min() >= MIN_DELTA_E
    ramp = _lab(theme.phase_colours(40))
    assert theme.delta_e2000(ramp[:, None], avoid[None]).min() >= 10.0


def test_written_out_colours_are_the_generators() -> None:
    generated = theme.distinct_colours(
        len(theme.PHASE_COLOURS), theme.PHASE_SEED, theme.PHASE_AVOID
    )
    assert generated == list(theme.PHASE_COLOURS)
    assert len(theme.PHASE_COLOURS) == theme.MAX_QUALITATIVE_PHASES


@pytest.mark.parametrize("n", [13, 33, 60, 200])
def test_long_plans_follow_the_ramp(n: int) -> None:
    colours = theme.phase_colours(n)
    assert len(set(colours)) == n  # still all different
    assert colours[0] == theme.phase_ramp(2)[0] and colours[-1] == theme.phase_ramp(2)[1]
    assert (np.diff(_lab(colours)[:, 0]) > 0).all()  # dark first, light last


def test_short_plans_keep_their_colours() -> None:
    for n in range(1, theme.MAX_QUALITATIVE_PHASES + 1):
        assert theme.phase_colours(n) == list(theme.PHASE_COLOURS[:n])
    assert theme.phase_colours(0) == []
    with pytest.raises(ValueError, match="not a phase of a 8-phase plan"):
        theme.phase_colour(9, 8)
    with pytest.raises(ValueError, match="not a phase"):
        theme.phase_colour(0, 8)


def test_lab_round_trip_and_ramp_by_hand() -> None:
    rgb = np.array([[0, 0, 0], [255, 255, 255], [8, 48, 107], [253, 174, 97]])
    assert (theme.lab_to_rgb(theme.rgb_to_lab(rgb)) == rgb).all()
    # first and last anchors of the ramp, by the LCh -> Lab formula a = C cos h, b = C sin h
    for (lightness, chroma, hue), colour in zip(
        (theme.PHASE_RAMP_LCH[0], theme.PHASE_RAMP_LCH[-1]), theme.phase_ramp(2), strict=True
    ):
        lab = _lab([colour])[0]
        expected = [lightness, chroma * np.cos(np.radians(hue)), chroma * np.sin(np.radians(hue))]
        assert lab == pytest.approx(expected, abs=0.6)  # 8-bit rounding


def test_distinct_colours_greedy_by_hand() -> None:
    """The second colour is the candidate farthest from the first and the avoided one."""
    rgb, lab = theme._candidates()
    taken = _lab(["#000000", "#ffffff"])
    nearest = theme.delta_e2000(lab[:, None, :], taken[None, :, :]).min(axis=1)
    expected = theme.rgb_to_hex(rgb[[int(np.argmax(nearest))]])[0]
    assert theme.distinct_colours(2, ["#000000"], ["#ffffff"]) == ["#000000", expected]
    assert theme.distinct_colours(1, ["#000000"]) == ["#000000"]


# --------------------------------------------------------------------------- one look everywhere
@pytest.fixture
def plan_of(tmp_path: Path, tiny_communes_file, tiny_raster_file, tiny_config):
    """A tiny scenario and a plan of one site in each of ``n`` phases."""
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, None, tiny_config)

    def make(n: int):
        sites = [
            new_site(f"N{p}", p, 105.95 + 0.001 * p, 21.15, "00002", "Hai") for p in range(1, n + 1)
        ]
        folder = write_plan_dir(tmp_path / f"plan{n}", scenario.coverage(), sites)
        return scenario, read_plan(folder)

    return make


@pytest.mark.parametrize("n_phases", [8, 15])
def test_kml_and_figures_use_the_phase_colours(plan_of, n_phases: int) -> None:
    scenario, plan = plan_of(n_phases)
    expected = theme.phase_colours(n_phases)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.fromstring(kml_document(plan.new_sites, "x"))
    kml = [c.text or "" for c in root.iterfind(".//k:Style/k:IconStyle/k:color", ns)]
    assert [f"#{c[6:8]}{c[4:6]}{c[2:4]}" for c in kml] == expected  # aabbggrr
    curve = figures.figure_curve(plan, lang="en")
    dots = [to_hex(c.get_facecolor()[0]) for c in curve.axes[0].collections]
    assert dots == expected
    mapped = figures.figure_coverage_map(scenario.communes, scenario.coverage(), plan=plan)
    legend = mapped.axes[0].get_legend()
    triangles = [h for h in legend.legend_handles if getattr(h, "get_marker", None)]
    assert [to_hex(h.get_markerfacecolor()) for h in triangles if h.get_marker() == "^"] == expected
