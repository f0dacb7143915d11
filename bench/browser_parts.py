"""Where a fresh session's browser CPU goes: the app with one section left out at a time.

Usage: ``python -m bench.browser_parts [--incidents 100000] [--repeats 5]``. For each
variant it starts ``streamlit run`` on the demo data (as ``bench.browser`` does), opens
fresh browser sessions in headless Debian Chromium and prints the median CPU time of the
Chromium processes from the first request until the page is quiet, against the full app
in the same run:

* Streamlit's own page with only a title (the floor any Streamlit page pays);
* the app without the map, without the ranking (and its card), without the tabs under
  the map, without six of the sidebar's widgets (districts, preset, categories, sources);
* the app.

A variant is the app's own script run with one of ``views.page``'s sections replaced by a
no-op (written to a temporary file, see ``variant_script``): nothing in the app changes.
"Quiet": Streamlit's script is not running and the browser used under 20 ms of CPU in the
last half second. The numbers say which sections are worth making cheaper and where the
floor is: four fresh sessions opened together on 2 cores, browsers included, need at
least ``4 x (browser + server CPU) / 2`` seconds each.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from playwright.sync_api import Browser, sync_playwright

from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SCRIPT_STATE_JS,
    VIEWPORT,
    browser_cpu_s,
    load_average,
    running_app,
)

#: Variant name -> the lines that switch a section off before the app's script runs.
VARIANTS: Final[dict[str, str]] = {
    "the app": "",
    "without the map": "page.hotspot_map = lambda *args, **kwargs: None",
    "without the ranking and card": "page.ranking = lambda shown, selected, lang, data: selected",
    "without the tabs under the map": "page.panel_tabs = lambda *args, **kwargs: None",
    # Six of the sidebar's widgets: the three district levels, preset, categories, sources.
    "without the district and category filters": (
        "controls.district_filter = lambda lang, url, tree: (url.suurpiiri, url.peruspiiri, url.osaalue)\n"
        "controls.categories = lambda lang, url: (url.preset, tuple(url.categories or ()), url.sources)"
    ),
}
#: Streamlit's page with nothing but a title: what every Streamlit page costs the browser.
BARE_PAGE: Final = 'import streamlit as st\nst.set_page_config(layout="wide")\nst.title("Hotspots")\n'
#: Browser CPU seconds per half second below which the page counts as quiet.
QUIET_CPU_S: Final = 0.02
LIMIT_S: Final = 60.0


def variant_script(switch_off: str) -> str:
    """Return a script that runs ``app.py`` after ``switch_off`` (Python lines) replaced a section."""
    app = ROOT / "app.py"
    return (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from views import controls, page\n"
        f"{switch_off}\n"
        f"exec(compile(open({str(app)!r}).read(), {str(app)!r}, 'exec'), "
        f"{{'__name__': '__main__', '__file__': {str(app)!r}}})\n"
    )


def quiet_session_cpu(browser: Browser, url: str, server: int) -> float:
    """Open ``url`` in a fresh browser context; return the browser's CPU seconds until quiet."""
    before = browser_cpu_s(exclude=server)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + LIMIT_S
        while time.monotonic() < deadline:
            state = page.evaluate(SCRIPT_STATE_JS)["state"]
            if state == "notRunning" and page.get_by_test_id("stMain").count():
                break
            time.sleep(0.05)
        last = browser_cpu_s(exclude=server)
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = browser_cpu_s(exclude=server)
            if now - last < QUIET_CPU_S:
                return now - before
            last = now
        raise SystemExit(f"{url}: the page was not quiet within {LIMIT_S:.0f} s")
    finally:
        context.close()


def measure(script: Path, incidents: int | None, repeats: int, log: Path) -> list[float]:
    """Start ``script``; return the browser CPU of ``repeats`` fresh sessions after one warm-up."""
    with running_app(incidents, log, script=script) as (url, server), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            quiet_session_cpu(browser, url, server)  # the server's caches warm up
            return [quiet_session_cpu(browser, url, server) for _ in range(repeats)]
        finally:
            browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every variant and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=None, help="demo incidents (default: the app's)")
    parser.add_argument("--repeats", type=int, default=5, help="fresh sessions per variant (default 5)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-browser-parts-"))
    print(f"load average before: {load_average()}")
    scripts = {"Streamlit's page with a title only": BARE_PAGE}
    scripts.update({name: variant_script(lines) for name, lines in VARIANTS.items()})
    medians: dict[str, float] = {}
    for number, (name, text) in enumerate(scripts.items()):
        script = folder / f"variant_{number}.py"
        script.write_text(text)
        samples = measure(script, args.incidents, args.repeats, folder / f"variant_{number}.log")
        medians[name] = statistics.median(samples)
        print(f"  {name}: {', '.join(f'{s:.2f}' for s in samples)} s", flush=True)
    print(f"load average after: {load_average()}; logs in {folder}")
    full = medians["the app"]
    print()
    print("| page | browser CPU per fresh session (median) | against the app |")
    print("| --- | ---: | ---: |")
    for name, value in medians.items():
        print(f"| {name} | {value:.2f} s | {value - full:+.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
