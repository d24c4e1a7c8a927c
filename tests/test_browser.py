"""The meeting map in a real browser: headless Chromium with the network switched off.

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

import pytest

from geoplan.cli import main
from geoplan.outputs.i18n import label
from geoplan.scenario import load_scenario
from tests._meeting import HOSTILE, new_site, write_plan_dir

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:  # pragma: no cover - depends on the machine
    webdriver = None

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
    "--window-size=1400,900",
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
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.slow
def test_map_renders_offline_in_chromium(browser: Any, tmp_path: Path) -> None:
    scenario = load_scenario()
    result = scenario.coverage()
    sites = [
        new_site(HOSTILE, 1, 106.10, 21.20, "07246", f"Xuân Lương {HOSTILE}"),
        new_site("N-2", 2, 106.50, 21.30, "07333", "Quang Trung", kind="upgrade"),
    ]
    plan_dir = write_plan_dir(tmp_path / "plan", result, sites)
    out = tmp_path / "map.html"
    assert main(["map", "--plan", str(plan_dir), "--out", str(out)]) == 0

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
    assert state["newSites"] == 2
    assert state["title"] == "Vùng phủ sóng 5G và trạm mới đề xuất — tỉnh Bắc Ninh"
    browser.save_screenshot(str(tmp_path / "map.png"))
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"

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
