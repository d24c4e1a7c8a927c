"""The meeting map in a real browser: headless Chromium with the network switched off.

One page load of the province's map with an 8-phase plan, on a projector's 1280×720:
it opens offline and escapes user text; no control (layer list, legend, title,
sources, scale, zoom) covers the province's centroid or any site; a site wins the
pointer over the communes whatever is ticked; the legend lists only visible layers;
the phases have distinct colours; commune names appear from zoom 11.

Needs the Debian packages chromium and chromium-driver (``bash .ci/install-browser``)
and selenium (dev extra); without them these tests are skipped with the reason.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from geoplan.cli import main
from geoplan.config import PlanConfig
from geoplan.outputs.i18n import label
from geoplan.outputs.theme import phase_colours
from geoplan.scenario import Scenario, load_scenario
from tests._meeting import HOSTILE, new_site, write_plan_dir

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
except ImportError:  # pragma: no cover - depends on the machine
    webdriver = None

#: A projector's screen, CSS pixels.
SCREEN = (1280, 720)
N_PHASES = 8

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None or webdriver is None,
        reason="headless Chromium not available: run `bash .ci/install-browser` "
        "(Debian chromium + chromium-driver) and install selenium (dev extra)",
    ),
]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={SCREEN[0]},{SCREEN[1]}",
    # every request that is not file:// goes to a closed local port
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)
ERROR_HOOK = """
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
window.addEventListener('unhandledrejection', e => window.__errors.push(String(e.reason)));
"""
OPEN_ALL_DETAILS = """
const map = Object.values(window).find(v => v instanceof L.Map);
const texts = [];
map.eachLayer(layer => {
  if (!layer.feature) return;
  const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
  for (const kind of ['mouseover', 'click']) {
    layer.fire(kind, {latlng: at}, true);
  }
  for (const el of document.querySelectorAll('.leaflet-tooltip, .leaflet-popup-content')) {
    texts.push(el.innerHTML);
  }
});
return texts;
"""
#: Tick the layers named in arguments[0] in the layer switcher; count the after-plan paths.
TICK_LAYERS = """
const count = () => ({
  footprint: document.querySelectorAll('path.geoplan-footprint-after').length,
  hotspots: document.querySelectorAll('path.geoplan-hotspot-after').length,
});
const before = count();
for (const row of document.querySelectorAll('.leaflet-control-layers-overlays label')) {
  if (arguments[0].includes(row.textContent.trim())) row.querySelector('input').click();
}
return [before, count()];
"""
#: The boxes of every visible control and of every site marker, and the centroid's pixel.
LAYOUT = """
const map = Object.values(window).find(v => v instanceof L.Map);
const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const at = map.latLngToContainerPoint(arguments[0]);
const origin = map.getContainer().getBoundingClientRect();
return {
  viewport: [window.innerWidth, window.innerHeight],
  zoom: map.getZoom(),
  controls: [...document.querySelectorAll('.leaflet-control')].filter(visible).map(el =>
    ({name: el.className, ...box(el.getBoundingClientRect())})),
  centroid: [origin.left + at.x, origin.top + at.y],
  sites: [...document.querySelectorAll('path.geoplan-site, path.geoplan-new-site')].map(el =>
    box(el.getBoundingClientRect())),
  expanded: document.querySelectorAll('.leaflet-control-layers-expanded').length,
  scale: [...document.querySelectorAll('.leaflet-control-scale-line')].map(el => el.textContent),
};
"""
#: Legend keys of the entries a person sees.
LEGEND_SHOWN = """
return [...document.querySelectorAll('.geoplan-legend [data-geoplan-legend]')]
  .filter(el => el.offsetParent !== null).map(el => el.dataset.geoplanLegend);
"""
#: At the centre of each site marker inside the map: the class of what the pointer hits.
HIT_AT_SITES = """
return [...document.querySelectorAll('path.geoplan-site, path.geoplan-new-site')].map(el => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  return hit ? (hit.getAttribute('class') || hit.tagName) : null;
});
"""
#: The centre of the first existing site that no other marker covers, and its site id.
FREE_SITE = """
const map = Object.values(window).find(v => v instanceof L.Map);
let found = null;
map.eachLayer(layer => {
  if (found || !layer.feature || !layer._path || !layer._path.classList.contains('geoplan-site'))
    return;
  const r = layer._path.getBoundingClientRect();
  const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
  if (document.elementFromPoint(x, y) === layer._path)
    found = [x, y, layer.feature.properties.tip.match(/<td>(.*?)<\\/td>/)[1]];
});
return found;
"""
#: The fill of each new tower (upgrades are white with a coloured ring) by its layer's name.
PHASE_FILLS = """
const map = Object.values(window).find(v => v instanceof L.Map);
const fills = {};
map.eachLayer(layer => {
  if (!layer.feature || layer.feature.properties.kind !== 'new_tower') return;
  fills[layer.options.fillColor] = (fills[layer.options.fillColor] || 0) + 1;
});
const paths = document.querySelectorAll('path.geoplan-new-site');
return [fills, [...paths].map(p => p.getAttribute('fill'))];
"""
#: Labels of communes in the page at the current zoom and at zoom 11.
LABELS_BY_ZOOM = """
const map = Object.values(window).find(v => v instanceof L.Map);
const before = document.querySelectorAll('.geoplan-label').length;
const zoom = map.getZoom();
map.setZoom(11, {animate: false});
const zoomed = document.querySelectorAll('.geoplan-label').length;
map.setZoom(zoom, {animate: false});
return [before, zoomed, document.querySelectorAll('.geoplan-label').length];
"""


@pytest.fixture
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="geoplan-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
        )
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ERROR_HOOK})
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": SCREEN[0], "height": SCREEN[1], "deviceScaleFactor": 1, "mobile": False},
        )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _plan_sites(scenario: Scenario) -> list[dict[str, object]]:
    """Two new sites in each of :data:`N_PHASES` phases, spread over the province."""
    communes = scenario.communes.sort_values("code").iloc[:: len(scenario.communes) // 16][:16]
    inside = communes.to_crs(scenario.config.work_crs).representative_point().to_crs("EPSG:4326")
    sites = []
    for i, (row, point) in enumerate(zip(communes.itertuples(), inside, strict=True)):
        site_id = HOSTILE if i == 0 else f"N-{i}"
        name = f"{row.name} {HOSTILE}" if i == 0 else row.name
        kind = "upgrade" if i == 1 else "new_tower"
        sites.append(new_site(site_id, i % N_PHASES + 1, point.x, point.y, row.code, name, kind))
    return sites


def _inside(point: tuple[float, float], box: dict[str, float], pad: float = 0.0) -> bool:
    x, y = point
    return (
        box["left"] - pad <= x <= box["right"] + pad
        and box["top"] - pad <= y <= box["bottom"] + pad
    )


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def _tick(browser: Any, names: list[str]) -> None:
    browser.execute_script(TICK_LAYERS, names)


def _check_layout(browser: Any, centroid: list[float], n_sites: int) -> None:
    """Nothing covers the centroid or a site; the layer list is shut; the scale is metric."""
    layout = browser.execute_script(LAYOUT, centroid)
    assert layout["viewport"] == list(SCREEN)
    assert 9 <= layout["zoom"] < 11  # the whole province, names not yet shown
    assert len(layout["sites"]) == n_sites
    width, height = SCREEN
    assert _inside(layout["centroid"], {"left": 0, "top": 0, "right": width, "bottom": height})
    names = " ".join(c["name"] for c in layout["controls"])
    for part in ("geoplan-title", "geoplan-legend", "geoplan-sources", "leaflet-control-layers",
                 "leaflet-control-scale", "leaflet-control-zoom"):  # fmt: skip
        assert part in names, f"no visible {part}"
    for control in layout["controls"]:
        assert not _inside(layout["centroid"], control, pad=20), control["name"]
        covered = [site for site in layout["sites"] if _overlap(site, control)]
        assert not covered, f"{control['name']} covers {len(covered)} sites"
    for site in layout["sites"]:  # every site is on screen at the first view
        assert 0 <= site["left"] and site["right"] <= width
        assert 0 <= site["top"] and site["bottom"] <= height
    assert layout["expanded"] == 0
    (scale,) = layout["scale"]
    assert scale.endswith((" km", " m")) and "mi" not in scale and "ft" not in scale


def _check_legend(browser: Any) -> None:
    """The legend shows the classes of the layers on the map, and follows the layer list."""
    phases = [f"phase-{p}" for p in range(1, N_PHASES + 1)]
    shown = browser.execute_script(LEGEND_SHOWN)
    assert set(shown) == {"share", "sites", " ".join(phases), *phases, "phase-2", "hotspots"}
    density = label("layer_density", "vi")
    _tick(browser, [density])
    assert browser.execute_script(LEGEND_SHOWN).count("density") == 6  # heading + 5 classes
    _tick(browser, [density])
    assert "density" not in browser.execute_script(LEGEND_SHOWN)


def _check_sites_on_top(browser: Any) -> None:
    """Ticking communes (after the plan, or today's again) never covers a site."""
    today, after = (label(k, "vi") for k in ("layer_communes", "layer_communes_after"))
    _tick(browser, [after])
    _tick(browser, [today])  # off
    _tick(browser, [today])  # on again: re-added last
    hits = browser.execute_script(HIT_AT_SITES)
    assert hits and all(h and ("geoplan-site" in h or "geoplan-new-site" in h) for h in hits), [
        h for h in hits if not h or "geoplan-commune" in h
    ][:5]
    # hovering an existing site with the mouse shows the site's tooltip, not the commune's
    target = browser.execute_script(FREE_SITE)
    ActionChains(browser).move_by_offset(int(target[0]), int(target[1])).perform()
    time.sleep(0.2)
    tips = browser.execute_script(
        "return [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.textContent.trim())"
    )
    assert len(tips) == 1 and tips[0].startswith(label("site", "vi") + target[2]), tips
    assert label("commune", "vi") not in tips[0]
    ActionChains(browser).move_by_offset(-int(target[0]), -int(target[1])).perform()
    _tick(browser, [after])  # back to today's view


def _check_phase_colours(browser: Any) -> None:
    fills, painted = browser.execute_script(PHASE_FILLS)
    expected = phase_colours(N_PHASES)
    assert sorted(fills) == sorted(expected)  # one colour per phase (phase 2's upgrade aside)
    assert set(painted) == {*expected, "#ffffff"}


@pytest.mark.slow
def test_map_renders_offline_in_chromium(browser: Any, tmp_path: Path) -> None:
    scenario = load_scenario(config=PlanConfig(coverage_model="radius"))
    result = scenario.coverage()
    sites = _plan_sites(scenario)
    plan_dir = write_plan_dir(tmp_path / "plan", result, sites)
    out = tmp_path / "map.html"
    assert main(["map", "--plan", str(plan_dir), "--model", "radius", "--out", str(out)]) == 0
    work = scenario.communes.to_crs(scenario.config.work_crs)
    centre = gpd.GeoSeries([work.union_all().centroid], crs=work.crs).to_crs("EPSG:4326")[0]

    browser.get(out.as_uri())
    state = browser.execute_script(
        "return {leaflet: typeof L === 'undefined' ? null : L.version,"
        " maps: document.querySelectorAll('.leaflet-container').length,"
        " communes: document.querySelectorAll('path.geoplan-commune').length,"
        " after: document.querySelectorAll('path.geoplan-commune-after').length,"
        " legend: document.querySelectorAll('.geoplan-legend .geoplan-legend-class').length,"
        " legendHeight: document.querySelector('.geoplan-legend').offsetHeight,"
        " newSites: document.querySelectorAll('path.geoplan-new-site').length,"
        " title: document.querySelector('.geoplan-title h1').textContent}"
    )
    assert state["leaflet"] == "1.9.4" and state["maps"] == 1
    assert state["communes"] == 99
    assert state["after"] == 0  # the after-plan layer starts switched off
    assert state["legend"] == 5 and state["legendHeight"] > 50
    assert state["newSites"] == len(sites)
    assert state["title"] == "Vùng phủ sóng 5G và trạm mới đề xuất — tỉnh Bắc Ninh"
    browser.save_screenshot(str(tmp_path / "map.png"))
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"

    _check_layout(browser, [centre.y, centre.x], len(scenario.stations) + len(sites))
    _check_legend(browser)
    _check_sites_on_top(browser)
    _check_phase_colours(browser)
    before, zoomed, back = browser.execute_script(LABELS_BY_ZOOM)
    assert (before, zoomed, back) == (0, 99, 0)

    texts = browser.execute_script(OPEN_ALL_DETAILS)
    hostile = [t for t in texts if "onerror" in t]
    assert hostile, "the hostile site's tooltip never opened"
    assert all("&lt;img src=x onerror=window.__pwned=1&gt;" in t for t in hostile)
    assert all("<img" not in t for t in texts)
    time.sleep(0.5)  # an injected <img src=x> would fail to load and run its handler by now
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script("return window.__errors") == []
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []

    # coverage after the plan: off at start, drawn when ticked
    names = [label(key, "vi") for key in ("layer_footprint_after", "layer_hotspots_after")]
    before, ticked = browser.execute_script(TICK_LAYERS, names)
    assert before == {"footprint": 0, "hotspots": 0}
    assert ticked["footprint"] > 0 and ticked["hotspots"] == 15
    assert {"footprint_after", "hotspots_after"} <= set(browser.execute_script(LEGEND_SHOWN))
