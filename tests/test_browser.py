"""One real browser: `streamlit run app.py` on demo data in headless Debian Chromium, offline.

Every request that is not to the app itself is blocked, so a CDN dependency would leave
the map blank and fail this test. Skips (with the reason) where /usr/bin/chromium or the
playwright package is missing; .ci/run installs both.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("HOTSPOTS_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "out"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Reads the Leaflet map inside the streamlit-folium iframe: zoom and drawn shapes.
MAP_STATE_JS = """() => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map);
  if (maps.length === 0) return null;
  const m = window[maps[0]];
  let polygons = 0;
  m.eachLayer(layer => {
    if (layer instanceof L.Polygon && layer._parts && layer._parts.length) polygons++;
  });
  const note = document.querySelector('.hs-note');
  return {zoom: m.getZoom(), polygons: polygons, ranks: document.querySelectorAll('.hs-rank').length,
          center: [m.getCenter().lat, m.getCenter().lng], note: note ? note.textContent : null,
          tiles: document.querySelectorAll('.leaflet-tile').length};
}"""

# Whether a hotspot's number and its outline are what a user sees at their place (nothing
# on top of them: no dot, no district, no legend), and which number lies fully uncovered.
HOTSPOT_VISIBLE_JS = """() => {
  const labels = Array.from(document.querySelectorAll('.hs-rank'));
  let free = -1;
  labels.forEach((label, i) => {
    const r = label.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;  // the number is a disc: test inside it
    const spots = [[cx, cy], [cx - 6, cy], [cx + 6, cy], [cx, cy - 6], [cx, cy + 6]];
    const onTop = spots.every(([x, y]) => {
      const el = document.elementFromPoint(x, y);
      return el && label.contains(el);
    });
    if (free < 0 && onTop && r.width > 0) free = i;
  });
  let outlineOnTop = false, stroke = null;
  document.querySelectorAll('.leaflet-hs-hotspots-pane path').forEach(path => {
    const b = path.getBoundingClientRect();
    stroke = stroke || getComputedStyle(path).stroke;
    for (let i = 1; i < 8 && !outlineOnTop; i++) for (let j = 1; j < 8 && !outlineOnTop; j++) {
      const el = document.elementFromPoint(b.left + b.width * i / 8, b.top + b.height * j / 8);
      if (el === path) outlineOnTop = true;
    }
  });
  return {labels: labels.length, free: free, freeText: free >= 0 ? labels[free].textContent : null,
          outlineOnTop: outlineOnTop, stroke: stroke};
}"""

# The popup open in the map, if any: its title.
POPUP_JS = """() => {
  const popup = document.querySelector('.leaflet-popup .hs-popup .hs-title');
  return popup && popup.getBoundingClientRect().height > 0 ? popup.textContent : null;
}"""

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: .ci/run installs Debian chromium ({CHROMIUM})")
        pytest.skip(f"no Debian chromium at {CHROMIUM}: `apt-get install chromium` (CI installs it)")
    pytest.importorskip(
        "playwright.sync_api", reason="playwright (Python) is not installed: pip install -e '.[dev]'"
    )
    port = _free_port()
    env = dict(os.environ)
    env["HOTSPOTS_DB_URL"] = f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite'}"
    # A street map server that does not answer: the map must say so, not fail tile by tile.
    env["HOTSPOTS_TILES_URL"] = f"http://127.0.0.1:{_free_port()}/{{z}}/{{x}}/{{y}}.png"
    env["HOTSPOTS_TILES_ATTRIBUTION"] = "© nobody"
    log = (tmp_path_factory.mktemp("log") / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 120 s")
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_map_draws_offline_switches_language_and_zooms_to_a_district(app_url: str) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Page, Route, sync_playwright

    blocked: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    def map_states(page: Page) -> list[dict[str, object]]:
        # While Streamlit reruns, an old and a new map iframe can briefly coexist.
        states = []
        for frame in page.frames:
            if "streamlit_folium" not in frame.url:
                continue
            try:
                state = frame.evaluate(MAP_STATE_JS)
            except PlaywrightError:  # the frame went away mid-rerun
                continue
            if state:
                states.append(state)
        return states

    def drawn_state(page: Page, *, wait_for_zoom_above: int | None = None) -> dict[str, object]:
        deadline = time.monotonic() + 120
        states: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            states = map_states(page)
            for state in states:
                drawn = int(state["polygons"]) > 0 and int(state["ranks"]) > 0  # type: ignore[call-overload]
                zoom = int(state["zoom"])  # type: ignore[call-overload]
                if drawn and (wait_for_zoom_above is None or zoom > wait_for_zoom_above):
                    return state
            page.wait_for_timeout(500)
        raise AssertionError(f"the map did not draw: {states}")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.route("**/*", only_local)
            page.goto(app_url, timeout=120_000)
            page.get_by_text("Helsingin turvallisuuden hotspot-kartta").wait_for(timeout=120_000)
            first = drawn_state(page)
            assert int(first["polygons"]) >= 34  # type: ignore[call-overload]  # districts + hotspots
            # No street map to be had: one line in the map says so, in Finnish; no tile is asked for.
            assert str(first["note"]).startswith("Katukarttaa ei saatu") and first["tiles"] == 0, first

            # Language: pick svenska in the sidebar.
            page.get_by_role("combobox", name="Kieli / Språk / Language").click()
            page.get_by_role("option", name="svenska").click()
            page.get_by_text("Helsingfors hotspotkarta", exact=False).first.wait_for(timeout=60_000)

            # District: Berghäll (Kallio) in the peruspiiri multiselect.
            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_role("combobox", name="Distrikt", exact=True).click()
            page.keyboard.type("Berghäll")
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            zoomed = drawn_state(page, wait_for_zoom_above=int(first["zoom"]))  # type: ignore[call-overload]
            assert int(zoomed["zoom"]) > int(first["zoom"])  # type: ignore[call-overload]
            lat, lon = zoomed["center"]  # type: ignore[misc]
            assert 60.17 < lat < 60.20 and 24.93 < lon < 24.98, zoomed
            assert "peruspiiri=301" in page.url and "lang=sv" in page.url

            # The hotspots lead: a number and an outline are visible, nothing drawn on top of them.
            frame = next(f for f in page.frames if "streamlit_folium" in f.url)
            seen = frame.evaluate(HOTSPOT_VISIBLE_JS)
            assert seen["labels"] > 0 and seen["free"] >= 0 and seen["outlineOnTop"], seen
            assert seen["stroke"] not in (None, "none"), seen

            # Clicking a number opens that hotspot's popup and chooses it (its card appears
            # beside the table); the map is not rebuilt, so the popup is still open 3 s later.
            frame.evaluate("() => { window.hsSameMap = true; }")
            number = str(seen["freeText"])
            frame.locator(".hs-rank").nth(int(seen["free"])).click()
            title = None
            for _ in range(20):
                title = frame.evaluate(POPUP_JS)
                if title:
                    break
                page.wait_for_timeout(100)
            assert title is not None and title.split(" · ")[0] == f"Hotspot {number}", title
            page.get_by_text(re.compile(rf"^Vald hotspot {number}\b")).first.wait_for(timeout=60_000)
            page.wait_for_timeout(3000)
            assert frame.evaluate("() => window.hsSameMap === true")  # the same map, not a new one
            assert frame.evaluate(POPUP_JS) == title
            ARTIFACTS.mkdir(exist_ok=True)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "browser_test.png"), full_page=True)
        finally:
            browser.close()
    # Only the app's own origin was ever needed: nothing was blocked that the page required.
    assert not [u for u in blocked if "leaflet" in u or "jquery" in u or "cdn" in u], blocked
