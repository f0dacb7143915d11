"""Benchmark of the app in a real browser: fresh sessions, parallel sessions, changes, payload.

Usage: ``python -m bench.browser [--incidents 100000] [--repeats 5]``. Starts
``streamlit run app.py`` on a free port (demo data: the store is a new empty SQLite file;
``--incidents`` sets ``HOTSPOTS_DEMO_N``, else the app's default), then drives headless
Debian Chromium (``/usr/bin/chromium``; ``playwright install`` is never needed) with
Playwright for Python and prints, against the targets of issue 15:

* a fresh browser session to a settled map on a warm server (wall time), the server's CPU
  time per fresh session (``/proc/PID/stat`` of the server before and after) and the
  browser's CPU time (the Chromium processes, read the same way);
* four fresh sessions opened together (each one's wall time);
* language, district, hotspot and tab changes to a settled map;
* the bytes the server sends over the websocket per rerun.

"Settled": Streamlit's app root says its script is not running (``data-test-script-state``
is ``notRunning``), and the map's iframe holds a Leaflet map whose vector layers are
drawn (paths projected on screen), their count unchanged over two polls. After a change
that redraws the map, the settled map must be a new Leaflet map (the old one is marked
before the change). The machine's load average is printed: other work on the same cores
slows every row.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from i18n import LANGUAGES, level_label, t

ROOT: Final = Path(__file__).resolve().parents[1]
CHROMIUM: Final = os.environ.get("HOTSPOTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: Final[ViewportSize] = {"width": 1440, "height": 900}
POLL_S: Final = 0.05
TIMEOUT_S: Final = 180.0
#: Seconds after a change within which its rerun must have begun.
NO_RERUN_S: Final = 20.0

#: The script state of Streamlit's app root, and whether a rerun was seen since the last reset.
SCRIPT_STATE_JS: Final = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return {state: null, sawRunning: false};
  if (!window.__benchObserver) {
    window.__benchSawRunning = false;
    window.__benchObserver = new MutationObserver(records => {
      for (const r of records) if (r.oldValue !== 'notRunning') window.__benchSawRunning = true;
      if (app.getAttribute('data-test-script-state') !== 'notRunning') window.__benchSawRunning = true;
    });
    window.__benchObserver.observe(
      app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  }
  return {state: app.getAttribute('data-test-script-state'), sawRunning: window.__benchSawRunning};
}"""
RESET_RUNNING_JS: Final = "() => { window.__benchSawRunning = false; }"

#: Leaflet maps in a frame: drawn vector paths and rank labels, and whether the map was marked.
MAP_STATE_JS: Final = """(mark) => {
  if (typeof L === 'undefined') return [];
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map);
  return maps.map(k => {
    const m = window[k];
    if (mark) m.__benchMarked = true;
    let paths = 0;
    m.eachLayer(layer => {
      const shown = layer._parts ? layer._parts.length > 0 : !!layer._point;
      if (layer instanceof L.Path && layer._renderer && shown) paths++;
    });
    return {marked: !!m.__benchMarked, paths: paths, ranks: document.querySelectorAll('.hs-rank').length};
  });
}"""

#: Fires Leaflet's click on the n-th hotspot polygon (as a user's click would); returns its id.
CLICK_HOTSPOT_JS: Final = """(n) => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map);
  if (maps.length === 0) return null;
  const found = [];
  window[maps[0]].eachLayer(layer => {
    const props = layer.feature && layer.feature.properties;
    if (props && props.hotspot_id && layer.getBounds) found.push(layer);
  });
  if (found.length === 0) return null;
  const layer = found[n % found.length];
  layer.fire('click', {latlng: layer.getBounds().getCenter(), layer: layer}, true);
  return layer.feature.properties.hotspot_id;
}"""

#: Targets of issue 15 (seconds; None: reported only).
TARGET_FRESH_S: Final = 3.0
TARGET_SERVER_CPU_S: Final = 0.5
TARGET_PARALLEL_S: Final = 6.0
TARGET_CHANGE_S: Final = 1.0


# --------------------------------------------------------------------------- pure helpers


def cpu_seconds_from_stat(stat: str, ticks_per_s: float, *, children: bool = False) -> float:
    """Return the CPU time (user + system) in a ``/proc/PID/stat`` line, in seconds.

    The command name (field 2) may hold spaces and parentheses, so the fields are counted
    after its last ``)``. ``children`` adds the time of the waited-for children.
    """
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    used = int(fields[11]) + int(fields[12])
    if children:
        used += int(fields[13]) + int(fields[14])
    return used / ticks_per_s


def parent_of_stat(stat: str) -> int:
    """Return the parent process id (field 4) of a ``/proc/PID/stat`` line."""
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def descendants(parents: dict[int, int], root: int) -> set[int]:
    """Return every process below ``root`` in a ``{pid: parent pid}`` table (``root`` excluded)."""
    below: set[int] = set()
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid and child not in below]
        below.update(children)
        frontier.extend(children)
    return below


def verdict(value: float | None, target: float | None) -> str:
    """Return ``PASS``/``FAIL`` of ``value < target``; ``-`` without a target or a value."""
    if value is None or target is None:
        return "-"
    return "PASS" if value < target else "FAIL"


@dataclass
class Row:
    """One line of the result table: a measurement's samples and its target.

    ``each`` judges the worst sample against the target (every one of the parallel
    sessions must meet it), else the median.
    """

    name: str
    samples: list[float]
    target: float | None = None
    unit: str = "s"
    note: str = ""
    each: bool = False

    @property
    def median(self) -> float | None:
        """Median of the samples; None without samples."""
        return statistics.median(self.samples) if self.samples else None

    @property
    def worst(self) -> float | None:
        """Largest sample; None without samples."""
        return max(self.samples) if self.samples else None

    @property
    def verdict(self) -> str:
        """``PASS``, ``FAIL``, or ``-`` for a row without a target."""
        return verdict(self.worst if self.each else self.median, self.target)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value / 1e3:,.0f} kB" if unit == "B" else f"{value:.2f} {unit}"


def table(rows: Sequence[Row]) -> str:
    """Return the rows as a Markdown table: samples, median, worst, target and verdict."""
    lines = [
        "| measurement | n | median | worst | target | verdict | note |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        target = "-" if row.target is None else f"< {row.target:g} {row.unit}"
        target += " (each)" if row.each and row.target is not None else ""
        lines.append(
            f"| {row.name} | {len(row.samples)} | {_number(row.median, row.unit)} | "
            f"{_number(row.worst, row.unit)} | {target} | {row.verdict} | {row.note} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """Return a TCP port on the loopback interface that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stat(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process ended between the listing and the read
        return None


def process_cpu_s(pid: int) -> float:
    """Return the CPU time the process ``pid`` (all its threads) has used, in seconds."""
    stat = _stat(pid)
    return 0.0 if stat is None else cpu_seconds_from_stat(stat, os.sysconf("SC_CLK_TCK"))


def browser_cpu_s(*, exclude: int) -> float:
    """Return the CPU time of the Chromium processes this benchmark started, in seconds.

    Counts every process below this one except the server's tree (``exclude``), with the
    time of the children they have already waited for (closed renderers).
    """
    stats = {
        int(p.name): s for p in Path("/proc").iterdir() if p.name.isdigit() and (s := _stat(int(p.name)))
    }
    parents = {pid: parent_of_stat(stat) for pid, stat in stats.items()}
    mine = descendants(parents, os.getpid()) - descendants(parents, exclude) - {exclude}
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(
        cpu_seconds_from_stat(stats[pid], ticks, children=True) for pid in mine if "chrom" in stats[pid]
    )


@contextlib.contextmanager
def running_app(
    incidents: int | None, log: Path, *, script: Path = ROOT / "app.py"
) -> Iterator[tuple[str, int]]:
    """Start ``streamlit run`` of ``script`` (the app) on demo data; yield its URL and server pid."""
    port = free_port()
    env = dict(os.environ)
    folder = tempfile.mkdtemp(prefix="bench-browser-")
    env["HOTSPOTS_DB_URL"] = f"sqlite:///{folder}/empty.sqlite"  # empty store: the demo data
    if incidents is not None:
        env["HOTSPOTS_DEMO_N"] = str(incidents)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            _wait_healthy(url, process)
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"streamlit ended with code {process.returncode}; see its log")
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "_stcore/health", timeout=2) as reply:
            if reply.read().strip() == b"ok":
                return
        time.sleep(0.3)
    raise SystemExit("streamlit did not answer /_stcore/health within 120 s")


def wait_server_idle(pid: int, *, quiet_s: float = 0.3, limit_s: float = 5.0) -> float:
    """Wait until the server uses (almost) no CPU for ``quiet_s``; return its CPU time then."""
    deadline = time.monotonic() + limit_s
    before = process_cpu_s(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = process_cpu_s(pid)
        if now - before < 0.02:
            return now
        before = now
    return before


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages as text."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (on {os.cpu_count()} cores)"


# --------------------------------------------------------------------------- the browser


@dataclass
class Session:
    """One browser page on the app, with the websocket bytes it received so far."""

    page: Page
    received: list[int] = field(default_factory=lambda: [0])

    def script_state(self) -> dict[str, Any]:
        """Return Streamlit's script state and whether a rerun was seen since the last reset."""
        try:
            return dict(self.page.evaluate(SCRIPT_STATE_JS))
        except PlaywrightError:  # navigating: no document yet
            return {"state": None, "sawRunning": False}

    def maps(self, *, mark: bool = False) -> list[dict[str, Any]]:
        """Return the Leaflet maps in the page's frames (optionally marking them as old)."""
        found: list[dict[str, Any]] = []
        for frame in self.page.frames:
            if "streamlit_folium" not in frame.url:
                continue
            with contextlib.suppress(PlaywrightError):  # the frame went away mid-rerun
                found.extend(frame.evaluate(MAP_STATE_JS, mark))
        return found


def open_session(context: BrowserContext) -> Session:
    """Open a page in ``context`` that counts the websocket bytes the server sends it."""
    page = context.new_page()
    session = Session(page)

    def count(payload: str | bytes) -> None:
        session.received[0] += len(payload)

    page.on("websocket", lambda ws: ws.on("framereceived", count))
    return session


@dataclass
class _Progress:
    """The settled-map check of one session, fed one poll at a time.

    ``script_done`` is when Streamlit first said the script is not running (the server's
    part is over), ``settled`` when the map settled (the browser's part too).
    """

    new_map: bool
    need_rerun: bool
    received_before: int = 0
    last_paths: int = -1
    first_seen: float = 0.0
    script_done: float | None = None
    settled: float | None = None

    def poll(self, session: Session, now: float) -> bool:
        """Look once; return True once the map settled (at the first of two equal polls)."""
        state = session.script_state()
        # A quick rerun may never show "running" (React commits both states at once); the
        # messages it sent say it ran all the same.
        reran = state["sawRunning"] or session.received[0] > self.received_before
        if state["state"] != "notRunning" or (self.need_rerun and not reran):
            self.last_paths, self.script_done = -1, None
            return False
        self.script_done = now if self.script_done is None else self.script_done
        drawn = [m for m in session.maps() if m["paths"] > 0 and not (self.new_map and m["marked"])]
        paths = max((m["paths"] for m in drawn), default=0)
        if paths > 0 and paths == self.last_paths:
            self.settled = self.first_seen
            return True
        self.last_paths, self.first_seen = (paths, now) if paths > 0 else (-1, now)
        return False


def wait_settled(
    sessions: Sequence[Session], *, new_map: bool, need_rerun: bool, received: int = 0
) -> list[_Progress]:
    """Poll every session until its map settled; return when (``time.perf_counter``) each part ended.

    ``need_rerun``: the script must have run again since the session had ``received``
    websocket bytes (a change's rerun).
    """
    progress = [_Progress(new_map, need_rerun, received) for _ in sessions]
    start = time.perf_counter()
    deadline = start + TIMEOUT_S
    while any(p.settled is None for p in progress):
        if need_rerun and time.perf_counter() > start + NO_RERUN_S and sessions[0].received[0] == received:
            state = sessions[0].script_state()
            if state["state"] == "notRunning" and not state["sawRunning"]:
                raise NoRerunError(f"nothing ran in {NO_RERUN_S} s after the change")
        if time.perf_counter() > deadline:
            waiting = [
                (s.script_state(), s.maps()) for s, p in zip(sessions, progress, strict=True) if not p.settled
            ]
            raise TimeoutError(
                f"{len(waiting)} of {len(sessions)} maps did not settle in {TIMEOUT_S} s: {waiting}"
            )
        for session, check in zip(sessions, progress, strict=True):
            if check.settled is None:
                check.poll(session, time.perf_counter())
        time.sleep(POLL_S)
    return progress


class NoRerunError(RuntimeError):
    """A change that should rerun the script did not (a click that did not reach a widget)."""


@dataclass
class Fresh:
    """One fresh session: wall times (to the script's end, to the map), CPU, websocket bytes."""

    script_s: float
    wall_s: float
    server_cpu_s: float
    browser_cpu_s: float
    received: int


def fresh_session(
    browser: Browser, url: str, server: int, *, returning: BrowserContext | None = None
) -> Fresh:
    """Open the app in a new Streamlit session and wait for a settled map.

    A new browser context by default (a first visit: no cache, no cookies); with
    ``returning``, a new tab in that context (a returning user: the browser has cached the
    app's scripts, the server still starts a new session).
    """
    server_before = wait_server_idle(server)
    browser_before = browser_cpu_s(exclude=server)
    context = browser.new_context(viewport=VIEWPORT) if returning is None else returning
    session = open_session(context)
    try:
        start = time.perf_counter()
        session.page.goto(url, wait_until="commit")
        progress = wait_settled([session], new_map=False, need_rerun=False)[0]
        browser_after = browser_cpu_s(exclude=server)
        server_after = wait_server_idle(server)
        return Fresh(
            script_s=(progress.script_done or start) - start,
            wall_s=_settled(progress) - start,
            server_cpu_s=server_after - server_before,
            browser_cpu_s=browser_after - browser_before,
            received=session.received[0],
        )
    finally:
        session.page.close()
        if returning is None:
            context.close()


def _settled(progress: _Progress) -> float:
    assert progress.settled is not None and progress.script_done is not None  # wait_settled's promise
    return progress.settled


def together(browser: Browser, url: str, count: int) -> tuple[list[float], list[float]]:
    """Open ``count`` fresh sessions at once; return each one's time to its script's end and map."""
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(count)]
    try:
        sessions = [open_session(context) for context in contexts]
        starts = []
        for session in sessions:
            starts.append(time.perf_counter())
            session.page.goto(url, wait_until="commit")
        ends = wait_settled(sessions, new_map=False, need_rerun=False)
        scripts = [
            end.script_done - start for start, end in zip(starts, ends, strict=True) if end.script_done
        ]
        return scripts, [_settled(end) - start for start, end in zip(starts, ends, strict=True)]
    finally:
        for context in contexts:
            context.close()


@dataclass
class Change:
    """One change: seconds to a settled map, websocket bytes, whether the map was drawn anew."""

    seconds: float
    received: int
    redrawn: bool


def timed_change(session: Session, action: Callable[[], object], *, new_map: bool) -> Change:
    """Do ``action`` on a settled page and wait for the settled map (a new one if ``new_map``)."""
    session.maps(mark=True)
    session.page.evaluate(RESET_RUNNING_JS)
    before = session.received[0]
    start = time.perf_counter()
    action()
    settled = _settled(wait_settled([session], new_map=new_map, need_rerun=True, received=before)[0])
    redrawn = any(not m["marked"] for m in session.maps())
    return Change(settled - start, session.received[0] - before, redrawn)


def _change_rows(session: Session, repeats: int) -> list[Row]:
    """Language, district, hotspot and tab changes on one settled page, ``repeats`` times each."""
    page = session.page
    rows = {name: Row(f"{name} change to settled map", [], TARGET_CHANGE_S) for name in CHANGES}
    sizes = {name: Row(f"websocket bytes per {name} change", [], unit="B") for name in CHANGES}

    redrawn = dict.fromkeys(CHANGES, 0)

    missed = dict.fromkeys(CHANGES, 0)

    def record(name: str, action: Callable[[], object], *, new_map: bool = True) -> None:
        try:
            change = timed_change(session, action, new_map=new_map)
        except NoRerunError:
            missed[name] += 1
            return
        rows[name].samples.append(change.seconds)
        sizes[name].samples.append(change.received)
        redrawn[name] += change.redrawn

    for _ in range(repeats):
        for code in ("sv", "en", "fi"):
            page.get_by_role("combobox", name="Kieli / Språk / Language").click()
            record("language", page.get_by_role("option", name=LANGUAGES[code], exact=True).click)
    sidebar = page.get_by_test_id("stSidebar")
    district = sidebar.get_by_role("combobox", name=level_label("peruspiiri", "fi"), exact=True)
    for _ in range(repeats):
        district.click()
        page.keyboard.type("Kallio")
        option = page.get_by_role("option", name=re.compile(r"^Kallio \(")).first
        chip = option.inner_text().strip()
        record("district", option.click)
        page.keyboard.press("Escape")
        record("district", sidebar.get_by_role("button", name=f"Remove {chip}").click)
    for i in range(repeats):  # the choice travels beside the map: the same map settles
        record("hotspot", partial(click_hotspot, session, i), new_map=False)
    for _ in range(repeats):
        for key in ("panel.charts", "panel.parameters", "panel.district_table"):
            record("tab", page.get_by_role("tab", name=t(key, "fi")).click, new_map=False)
    for name, row in rows.items():
        row.note = f"map drawn anew {redrawn[name]} of {len(row.samples)} times"
        row.note += f"; {missed[name]} changes did not rerun" if missed[name] else ""
    return [*rows.values(), *sizes.values()]


CHANGES: Final = ("language", "district", "hotspot", "tab")


def click_hotspot(session: Session, n: int) -> None:
    """Click the ``n``-th hotspot on the map (as Leaflet's click on its polygon)."""
    for frame in session.page.frames:
        if "streamlit_folium" in frame.url:
            with contextlib.suppress(PlaywrightError):
                if frame.evaluate(CLICK_HOTSPOT_JS, n):
                    return
    raise RuntimeError("no hotspot polygon to click on the map")


def _session_rows(browser: Browser, url: str, server: int, repeats: int) -> list[Row]:
    """Fresh sessions: the first (cold server), first visits and returning browsers."""
    cold = fresh_session(browser, url, server)  # the first session fills the server's caches
    first = [fresh_session(browser, url, server) for _ in range(repeats)]
    known = browser.new_context(viewport=VIEWPORT)
    fresh_session(browser, url, server, returning=known)  # fills this browser's cache
    again = [fresh_session(browser, url, server, returning=known) for _ in range(repeats)]
    known.close()
    return [
        Row("first session after start (cold server)", [cold.wall_s],
            note=f"server CPU {cold.server_cpu_s:.1f} s"),
        Row("fresh session: script finished, first visit", [f.script_s for f in first],
            note="the server's part"),
        Row("fresh session to settled map, first visit", [f.wall_s for f in first], TARGET_FRESH_S),
        Row("fresh session to settled map, returning browser", [f.wall_s for f in again], TARGET_FRESH_S,
            note="scripts in the browser's cache"),
        Row("server CPU per fresh session", [f.server_cpu_s for f in first + again], TARGET_SERVER_CPU_S),
        Row("browser CPU per fresh session, first visit", [f.browser_cpu_s for f in first]),
        Row("browser CPU per fresh session, returning", [f.browser_cpu_s for f in again]),
        Row("websocket bytes per fresh session", [float(f.received) for f in first], unit="B"),
    ]  # fmt: skip


def measure(url: str, server: int, *, repeats: int, parallel: int) -> list[Row]:
    """Run every measurement against the app at ``url`` (server process ``server``)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rows = _session_rows(browser, url, server, repeats)
            groups = [together(browser, url, parallel) for _ in range(max(1, repeats // 2))]
            name = f"{parallel} fresh sessions opened together"
            rows += [
                Row(f"{name}: script finished", [s for scripts, _ in groups for s in scripts],
                    note="the server's part"),
                Row(f"{name}: settled map", [s for _, maps in groups for s in maps], TARGET_PARALLEL_S,
                    each=True),
            ]  # fmt: skip
            context = browser.new_context(viewport=VIEWPORT)
            session = open_session(context)
            session.page.goto(url, wait_until="commit")
            wait_settled([session], new_map=False, need_rerun=False)
            rows += _change_rows(session, repeats)
            context.close()
        finally:
            browser.close()
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Start the app, measure it in Chromium and print the table; 1 when a row fails."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=None, help="demo incidents (default: the app's)")
    parser.add_argument("--repeats", type=int, default=5, help="samples per row (default 5)")
    parser.add_argument("--parallel", type=int, default=4, help="sessions opened together (default 4)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}: apt-get install chromium (never `playwright install`)")
        return 2
    log = Path(tempfile.mkdtemp(prefix="bench-browser-log-")) / "streamlit.log"
    print(f"load average before: {load_average()}")
    with running_app(args.incidents, log) as (url, server):
        rows = measure(url, server, repeats=args.repeats, parallel=args.parallel)
    size = "the app's default" if args.incidents is None else f"{args.incidents:,}"
    print(f"demo incidents: {size}; server log: {log}")
    print(f"load average after: {load_average()}")
    print()
    print(table(rows))
    return 1 if any(row.verdict == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
