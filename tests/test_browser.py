"""One real browser: `streamlit run app.py` on demo data in headless Debian Chromium, offline.

Every request that is not to the app itself is blocked, so a CDN dependency would leave
the map blank and fail this test. Skips (with the reason) where /usr/bin/chromium or the
playwright package is missing; .ci/run installs both.

The sign-in walk (issue 12) starts the test identity provider (``tests.oidc_provider``) on
the loopback interface and the app with a temporary ``secrets.toml`` (``--secrets.files``,
so the repository's own ``.streamlit`` stays untouched), signs in through the real redirect
flow as the Kallio youth worker and then as an analyst, and checks what each sees.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import store
from geo import demo, districts
from hotspots.selection import Selection, apply
from i18n import LANGUAGES, t
from store.scope import LOCAL_ANALYST
from tests import oidc_provider

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

# The printed layout of the map and the ranking's block: its height, and the two columns.
PRINT_JS = """() => {
  const block = document.querySelector('.st-key-map_and_ranking');
  const [map, ranking] = block.querySelectorAll(':scope > * > * > [data-testid="stColumn"]');
  const a = map.getBoundingClientRect(), b = ranking.getBoundingClientRect();
  const frame = map.querySelector('iframe'), grid = ranking.querySelector('[data-testid="stDataFrame"]');
  return {height: block.getBoundingClientRect().height, side_by_side: b.left >= a.right && b.top === a.top,
          map: frame ? frame.getBoundingClientRect().height : 0,
          grid: grid ? grid.getBoundingClientRect().height : 0, ranking_text: ranking.innerText};
}"""

# Streamlit's script state, as its app root shows it ("notRunning" once a rerun is done).
SCRIPT_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app ? app.getAttribute('data-test-script-state') : null;
}"""

# Counts the incident points (CircleMarkers) on the Leaflet map.
POINTS_JS = """() => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map);
  if (maps.length === 0) return null;
  let points = 0;
  window[maps[0]].eachLayer(layer => { if (layer instanceof L.CircleMarker) points++; });
  return points;
}"""

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _require_browser() -> None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: .ci/run installs Debian chromium ({CHROMIUM})")
        pytest.skip(f"no Debian chromium at {CHROMIUM}: `apt-get install chromium` (CI installs it)")
    pytest.importorskip(
        "playwright.sync_api", reason="playwright (Python) is not installed: pip install -e '.[dev]'"
    )


@contextmanager
def _streamlit(port: int, *, store_url: str, secrets_file: Path, log_file: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` from the repository on ``port``; its secrets from ``secrets_file``."""
    env = dict(os.environ)
    env["HOTSPOTS_DB_URL"] = store_url
    # A street map server that does not answer: the map must say so, not fail tile by tile.
    env["HOTSPOTS_TILES_URL"] = f"http://127.0.0.1:{_free_port()}/{{z}}/{{x}}/{{y}}.png"
    env["HOTSPOTS_TILES_ATTRIBUTION"] = "© nobody"
    log = log_file.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--secrets.files", str(secrets_file)],
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
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    folder = tmp_path_factory.mktemp("local")
    store_url = f"sqlite:///{folder / 'store.sqlite'}"
    # A secrets file that does not exist: local mode, whatever ~/.streamlit holds.
    with _streamlit(
        _free_port(),
        store_url=store_url,
        secrets_file=folder / "no-secrets.toml",
        log_file=folder / "streamlit.log",
    ) as url:
        _LOCAL_STORES[url + "/"] = store_url
        yield url + "/"


#: The store of each local-mode app (``app_url``), by its address.
_LOCAL_STORES: dict[str, str] = {}


def _store_of(url: str) -> str:
    return _LOCAL_STORES[url]


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
            # The note can be put away (it can cover hotspots), by a button named in Finnish.
            noted = next(f for f in page.frames if "streamlit_folium" in f.url)
            noted.get_by_role("button", name=t("map.note_close", "fi")).click()
            assert noted.locator(".hs-note").is_hidden()

            # At 1440 x 900 with the sidebar open, the ranking beside the map reads without
            # scrolling sideways: its grid is no wider than the room it is given.
            page.set_viewport_size({"width": 1440, "height": 900})
            page.wait_for_timeout(1000)
            ranking = page.get_by_test_id("stDataFrame").first.locator(".dvn-scroller").first
            wide, room = ranking.evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert wide <= room, (wide, room)
            page.set_viewport_size({"width": 1500, "height": 1100})

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

            # The chosen hotspot is in the bookmark; a new page on that URL restores all of it.
            page.wait_for_url(re.compile(r"hotspot=H\d+"), timeout=60_000)
            bookmark = page.url
            assert "lang=sv" in bookmark and "peruspiiri=301" in bookmark
            again = browser.new_page(viewport={"width": 1500, "height": 1100})
            again.route("**/*", only_local)
            again.goto(bookmark, timeout=120_000)
            again.get_by_text(re.compile(rf"^Vald hotspot {number}\b")).first.wait_for(timeout=120_000)
            _only_language(again, "sv")

            # Printed (A4 landscape, 8 mm margins: 1062 x 733 CSS px), the map, the ranking and
            # the chosen hotspot's card sit side by side on one sheet, the title and key figures
            # on the sheet before: two pages.
            again.set_viewport_size({"width": 1062, "height": 733})
            again.emulate_media(media="print")

            def frame_drawn(page: Page) -> bool:
                return any(int(state["polygons"]) > 0 for state in map_states(page))  # type: ignore[call-overload]

            def printable(box: dict[str, Any]) -> bool:  # the map and the grid drawn, on one sheet
                drawn = box["map"] >= 500 and box["grid"] >= 300
                return bool(drawn and box["height"] <= 733 and box["side_by_side"])

            for _ in range(40):  # the resize redraws the map and the grid
                box = again.evaluate(PRINT_JS)
                if printable(box) and frame_drawn(again):
                    break
                again.wait_for_timeout(500)
            assert printable(box) and frame_drawn(again), box
            assert t("panel.selected_hotspot", "sv", rank=number) in box["ranking_text"], box
            printed = again.pdf(format="A4", landscape=True, print_background=True)
            assert len(re.findall(rb"/Type\s*/Page(?!s)", printed)) == 2
            again.emulate_media(media="screen")
            again.set_viewport_size({"width": 1500, "height": 1100})

            # The map picture names the district (in the page's language) in its file name.
            again.get_by_role("tab", name=t("panel.downloads", "sv")).click()
            again.get_by_role("button", name=t("download.png", "sv")).wait_for(timeout=120_000)
            _script_idle(again)
            with again.expect_download(timeout=180_000) as event:
                again.get_by_role("button", name=t("download.png", "sv")).click()
            assert "berghall" in event.value.suggested_filename, event.value.suggested_filename
            assert event.value.suggested_filename.endswith(".png")
            again.close()
            ARTIFACTS.mkdir(exist_ok=True)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "browser_test.png"), full_page=True)
        finally:
            browser.close()
    # Only the app's own origin was ever needed: nothing was blocked that the page required.
    assert not [u for u in blocked if "leaflet" in u or "jquery" in u or "cdn" in u], blocked


def test_an_area_drawn_on_the_map_becomes_a_measure_outlined_there(app_url: str) -> None:
    """The draw button works in a real browser: corners clicked, closed by a double click,
    offered in the measures section, saved, and then outlined on the map as a measure."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(app_url + "?lang=en", timeout=120_000)
            page.get_by_text(t("app.title", "en")).first.wait_for(timeout=120_000)
            _map_drawn(page)
            frame = next(f for f in page.frames if "streamlit_folium" in f.url)
            frame.locator(".hs-draw a").click()
            assert frame.locator(".hs-drawing").count() == 1  # drawing: clicks go to the map
            box = frame.locator(".leaflet-container").bounding_box()
            assert box is not None
            x, y = box["width"] / 2, box["height"] / 2
            for dx, dy in ((-40, -30), (40, -30), (40, 30)):
                frame.locator(".leaflet-container").click(position={"x": x + dx, "y": y + dy})
            frame.locator(".leaflet-container").dblclick(position={"x": x - 40, "y": y + 30})
            assert frame.locator(".hs-drawing").count() == 0  # closed
            heading = re.compile(r"^Record a measure for the area you drew")
            page.get_by_text(heading).first.wait_for(timeout=60_000)
            # In the period shown (the demo's last half-year), so the map outlines it once saved.
            # Streamlit's date field is segmented (year, month, day): type into its first segment.
            for label, day in (("measure.form.start", "20260601"), ("measure.form.end", "20260731")):
                group = page.get_by_role("group", name=t(label, "en"), exact=True).last
                group.get_by_role("spinbutton").first.click()
                page.keyboard.type(day)
                page.keyboard.press("Tab")
            page.get_by_role("button", name=t("measure.form.submit", "en")).first.click()
            page.get_by_text(t("measure.saved", "en", id=1)).first.wait_for(timeout=60_000)
            with store.open_store(_store_of(app_url)) as db:
                (recorded,) = db.measures(scope=LOCAL_ANALYST)
            assert recorded.place_kind == "drawn" and recorded.osaalue
            # 80 px x 60 px at the map's first zoom: some hundreds of metres a side.
            assert 10_000 < recorded.measure.area.area < 20e6, recorded.measure.area.area
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                frames = [f for f in page.frames if "streamlit_folium" in f.url]
                with contextlib.suppress(PlaywrightError):  # the old map's frame went away mid-rerun
                    if any(f.locator(".leaflet-hs-measures-pane path").count() for f in frames):
                        break
                page.wait_for_timeout(500)
            else:
                raise AssertionError("the recorded measure was not outlined on the map")
        finally:
            browser.close()


# --------------------------------------------------------------------------- sign-in walk


@dataclass(frozen=True)
class SignedInApp:
    """The app with sign-in on, its identity provider and its store."""

    url: str
    provider: oidc_provider.Provider
    store_url: str
    downloads: Path


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedInApp]:
    _require_browser()
    folder = tmp_path_factory.mktemp("signin")
    port = _free_port()
    app = f"http://127.0.0.1:{port}"
    provider = oidc_provider.Provider(redirect_uris=(f"{app}/oauth2callback",))
    with oidc_provider.serve(provider):
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            oidc_provider.secrets_toml(provider, app_url=app, cookie_secret=secrets.token_hex(32)),
            encoding="utf-8",
        )
        store_url = f"sqlite:///{folder / 'store.sqlite'}"
        with _streamlit(port, store_url=store_url, secrets_file=secrets_file, log_file=folder / "log.txt"):
            yield SignedInApp(app, provider, store_url, folder / "downloads")


def _points(page: Any) -> int | None:
    from playwright.sync_api import Error as PlaywrightError

    counts = []
    for frame in page.frames:
        if "streamlit_folium" not in frame.url:
            continue
        try:
            count = frame.evaluate(POINTS_JS)
        except PlaywrightError:
            continue
        if count is not None:
            counts.append(int(count))
    return max(counts) if counts else None


def _map_drawn(page: Any) -> int:
    """Wait until the map is drawn; return its incident points."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        points = _points(page)
        if points is not None:
            page.wait_for_timeout(1500)  # a rerun may still replace the map
            return int(_points(page) or 0)
        page.wait_for_timeout(500)
    raise AssertionError("the map did not draw")


def _sign_in(page: Any, app: SignedInApp, email: str) -> None:
    """Sign in through the real redirect flow: app -> provider's page -> pick the user -> app."""
    page.goto(app.url + "/", timeout=120_000)
    page.get_by_role("button", name=t("auth.sign_in", "fi")).click(timeout=120_000)
    page.wait_for_url(f"{app.provider.issuer}/authorize**", timeout=60_000)
    person = app.provider.user(email)
    page.get_by_role("button", name=f"{person.name} ({person.email})").click()
    page.wait_for_url(f"{app.url}/**", timeout=60_000)
    signed_in = t("auth.signed_in_as", "fi", name=person.name, role="").removesuffix("()").strip()
    page.get_by_text(signed_in, exact=False).wait_for(timeout=120_000)


# The district table's rows as the grid's accessible table holds them (the grid itself is a canvas).
ROWS_JS = """e => Array.from(e.querySelectorAll('tr'))
  .map(r => Array.from(r.querySelectorAll('td')).map(c => c.textContent)).filter(r => r.length)"""


def _district_rows(page: Any, *, count: int) -> list[list[str]]:
    """Return the district table's rows once it has ``count`` of them (the code column's table)."""
    header = t("column.code", "fi")
    deadline = time.monotonic() + 120
    rows: list[list[str]] = []
    while time.monotonic() < deadline:
        for grid in page.get_by_test_id("stDataFrame").all():
            if header in (grid.text_content() or ""):
                rows = grid.evaluate(ROWS_JS)
                if len(rows) == count:
                    return rows
        page.wait_for_timeout(500)
    raise AssertionError(f"the district table did not show {count} rows: {rows}")


def _more_settings(page: Any, lang: str = "fi") -> None:
    """Switch "More settings" on (the rarely used controls), unless a bookmark opened it already."""
    sidebar = page.get_by_test_id("stSidebar")
    label = t("sidebar.more_settings", lang)
    if not sidebar.get_by_label(label, exact=True).is_checked():
        sidebar.get_by_text(label, exact=True).click()
    sidebar.get_by_role("combobox", name=t("sidebar.district_level", lang)).wait_for(timeout=120_000)


def _open_downloads(page: Any, lang: str = "fi") -> None:
    page.get_by_role("tab", name=t("panel.downloads", lang)).click()
    page.get_by_text(t("download.intro", lang)[:40], exact=False).wait_for(timeout=120_000)


def _only_language(page: Any, lang: str) -> None:
    """Assert the page speaks only ``lang``: no other language's sidebar and tab words, its numbers.

    Finnish and Swedish write ``1 234`` (never ``1,234``), English ``1,234`` (never ``1 234``).
    """
    body = page.locator("body").inner_text()
    for key in ("sidebar.data_source", "sidebar.categories", "panel.downloads", "metric.incidents"):
        for other in set(LANGUAGES) - {lang}:
            assert t(key, other) not in body, (key, other)
    foreign_number = r"\d\u00a0\d{3}\b" if lang == "en" else r"\d,\d{3}\b"
    assert not re.search(foreign_number, body), lang


def _script_idle(page: Any) -> None:
    """Wait until Streamlit's script is not running: a click during a rerun can be lost."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if page.evaluate(SCRIPT_STATE_JS) == "notRunning":
            return
        page.wait_for_timeout(200)
    raise AssertionError("the page's script did not finish")


def _download(page: Any, label: str, folder: Path) -> Path:
    page.get_by_role("button", name=label).wait_for(timeout=120_000)
    _script_idle(page)  # the button is drawn by the rerun that is still finishing
    with page.expect_download(timeout=120_000) as event:
        page.get_by_role("button", name=label).click()
    target = folder / event.value.suggested_filename
    event.value.save_as(target)
    return target


def _kallio_counts() -> dict[str, int]:
    """What the youth worker's default view counts per Kallio osa-alue, worked out apart from the app.

    Her data are the demo's Kallio incidents; the period is the last six months of them
    (``views.controls.period``'s default), ending on their last day.
    """
    incidents = demo.generate_demo(n=20_000, seed=2026)
    kallio = incidents[incidents["peruspiiri_code"] == "301"]
    first, last = kallio["occurred_at"].min().date(), kallio["occurred_at"].max().date()
    start = max(first, (pd.Timestamp(last) - pd.DateOffset(months=6)).date() + pd.Timedelta(days=1))
    chosen = apply(
        kallio, Selection(since=pd.Timestamp(start), until=pd.Timestamp(last) + pd.Timedelta(days=1))
    )
    return {str(code): int(n) for code, n in chosen["osaalue_code"].value_counts().items()}


def _youth_worker_walk(page: Any, app: SignedInApp) -> None:
    """Sign in as the Kallio youth worker: no points, only Kallio, aggregated downloads, "<5"."""
    _sign_in(page, app, "nea.nuorisotyo@hel.example")
    assert _map_drawn(page) == 0  # no incident points for an aggregated scope
    page.get_by_text(t("auth.aggregated_only", "fi")).wait_for()
    # The rarely used controls are drawn only when asked for.
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_role("combobox", name=t("sidebar.district_level", "fi")).count() == 0
    _more_settings(page)

    # An edited URL naming another district (Vallila, 302) and asking for the incident dots
    # still shows only Kallio, and no dots.
    page.goto(app.url + "/?peruspiiri=302&dots=1", timeout=120_000)  # dots asked for, too
    page.wait_for_url(re.compile(r"peruspiiri=301"), timeout=120_000)
    assert _map_drawn(page) == 0
    assert page.get_by_test_id("stSidebar").get_by_text("Vallila").count() == 0
    # A new page on a link asking for a rarely used control opens with "More settings" on.
    assert (
        page.get_by_test_id("stSidebar")
        .get_by_label(t("sidebar.more_settings", "fi"), exact=True)
        .is_checked()
    )
    assert [row[:2] for row in _district_rows(page, count=1)] == [["Kallio", "301"]]
    _finnish_map_path(page, app)
    hierarchy = districts.hierarchy()
    kallio = set(hierarchy.loc[hierarchy["peruspiiri_code"] == "301", "osaalue_code"])

    # At osa-alue level: Kallio's seven, small counts as <5 (worked out apart from the app).
    _more_settings(page)
    page.get_by_role("combobox", name=t("sidebar.district_level", "fi")).click()
    page.keyboard.type(t("level.osaalue", "fi"))
    page.keyboard.press("Enter")
    page.wait_for_timeout(2000)
    rows = _district_rows(page, count=7)
    assert {row[1] for row in rows} == kallio
    expected = _kallio_counts()
    for row in rows:  # name, code, incidents, previous, change, ...
        count = expected.get(row[1], 0)
        assert row[2] == ("<5" if count < 5 else str(count)), (row, count)
    assert any(row[2] == "<5" for row in rows), rows

    # Downloads: aggregated only; the district figures name Kallio's osa-alue alone, the same way.
    _open_downloads(page)
    assert page.get_by_text(t("download.restricted", "fi")).count() == 0
    assert page.get_by_text(t("download.aggregated_only", "fi")).count() == 1
    assert page.get_by_role("button", name=t("download.incidents_csv", "fi")).count() == 0
    saved = _download(page, t("download.districts_csv", "fi"), app.downloads)
    assert "RESTRICTED" not in saved.name and "kallio" in saved.name
    shown = {
        row["code"]: row["n"] for row in csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig")))
    }
    assert set(shown) == kallio
    for code, text in shown.items():
        count = expected.get(code, 0)
        assert text == ("<5" if count < 5 else str(count)), (code, text, count)
    assert "<5" in shown.values(), shown

    page.get_by_role("button", name=t("auth.sign_out", "fi")).click()
    page.get_by_role("button", name=t("auth.sign_in", "fi")).wait_for(timeout=120_000)


def _finnish_map_path(page: Any, app: SignedInApp) -> None:
    """Her path on Kallio's map in Finnish: click a number, get the card, bookmark it, take the PNG."""
    _only_language(page, "fi")
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    seen = frame.evaluate(HOTSPOT_VISIBLE_JS)
    assert seen["labels"] > 0 and seen["free"] >= 0, seen
    number = str(seen["freeText"])
    frame.locator(".hs-rank").nth(int(seen["free"])).click()
    card = re.compile(rf"^{t('panel.selected_hotspot', 'fi', rank=number)}\b")
    page.get_by_text(card).first.wait_for(timeout=60_000)
    # The bookmark brings back the district and the chosen hotspot.
    page.wait_for_url(re.compile(r"hotspot=H\d+"), timeout=60_000)
    page.goto(page.url, timeout=120_000)
    page.get_by_text(card).first.wait_for(timeout=120_000)
    assert "peruspiiri=301" in page.url
    # The map picture: Kallio in its name.
    _open_downloads(page)
    picture = _download(page, t("download.png", "fi"), app.downloads)
    assert "kallio" in picture.name and picture.suffix == ".png", picture.name
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.get_by_role("tab", name=t("panel.district_table", "fi")).click()  # back to the districts


def _analyst_walk(page: Any, app: SignedInApp) -> None:
    """Sign in as the analyst, in English: Kallio's incidents as points, the restricted download offered."""
    _sign_in(page, app, "aki.analyytikko@hel.example")
    page.goto(app.url + "/?peruspiiri=301&dots=1&lang=en", timeout=120_000)  # incident dots asked for
    page.get_by_text("Helsinki safety hotspot map").first.wait_for(timeout=120_000)
    assert _map_drawn(page) > 0
    _only_language(page, "en")
    _open_downloads(page, "en")
    page.get_by_text(t("download.restricted", "en")).click()
    page.get_by_role("button", name=t("download.incidents_csv", "en")).wait_for(timeout=120_000)
    saved = _download(page, t("download.incidents_csv", "en"), app.downloads)
    assert saved.name.startswith("RESTRICTED-")


def test_sign_in_walk_youth_worker_then_analyst_each_sees_what_the_role_allows(
    signed_in_app: SignedInApp,
) -> None:
    from playwright.sync_api import sync_playwright

    app = signed_in_app
    app.downloads.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for walk in (_youth_worker_walk, _analyst_walk):
                context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
                walk(context.new_page(), app)
                context.close()
        finally:
            browser.close()
    # The audit trail: both sign-ins and both exports, in the store and as `hotspots audit` lists it.
    with store.open_store(app.store_url) as db:
        log = db.audit_log()
    sign_ins = log[log["action"] == "sign_in"]
    assert set(sign_ins["user_id"]) == {"nea.nuorisotyo@hel.example", "aki.analyytikko@hel.example"}
    exports = log[log["action"] == "export"]
    # Hers: the map picture and the district figures, aggregated; his: the restricted points.
    assert exports["user_id"].tolist() == ["nea.nuorisotyo@hel.example"] * 2 + ["aki.analyytikko@hel.example"]
    assert exports["detail"].str.contains("RESTRICTED").tolist() == [False, False, True]
    listing = subprocess.run(
        [sys.executable, "-m", "cli", "audit", "--db", app.store_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    for user in ("nea.nuorisotyo@hel.example", "aki.analyytikko@hel.example"):
        assert user in listing.stdout
    assert "export" in listing.stdout and "sign_in" in listing.stdout
