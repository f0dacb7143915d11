"""Benchmark of the app: rerun time after filter changes (AppTest) and map payload size.

Usage: ``python bench/app.py [--n 100000]``. Prints the first-run time, the median rerun
time of each interaction, and the size of the map page sent to the browser, against the
targets of issue 4 (rerun < 1 s, map payload < 3 MB at 100k incidents).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(action: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def _map_payload(n: int) -> tuple[int, float, float]:
    """What streamlit-folium ships to the browser for the default view: incidents, MB, seconds."""
    from geo import demo
    from hotspots import analysis
    from hotspots.selection import Selection
    from views import datasource
    from views.mapview import MapLayers, MapOptions, build_map
    from views.panels import localised_hotspots

    incidents = demo.generate_demo(n=n)
    since = demo.recent_start()
    result = analysis.analyse(incidents, selection=Selection(since=since, until=demo.demo_period()[1]))
    layer = datasource.district_layer("peruspiiri").assign(n=0.0)
    start = time.perf_counter()
    m = build_map(
        MapLayers(
            districts=layer,
            value_column="n",
            value_label="n",
            hotspots=localised_hotspots(result.hotspots, "fi"),
            incidents=result.current,
        ),
        MapOptions(lang="fi"),
    )
    html = m.get_root().render()
    build_s = time.perf_counter() - start
    return len(result.current), len(html.encode("utf-8")) / 1e6, build_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="demo incidents (default 100000)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ["HOTSPOTS_DEMO_N"] = str(args.n)
    folder = tempfile.mkdtemp()
    os.environ["HOTSPOTS_DB_URL"] = f"sqlite:///{folder}/empty.sqlite"

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    if at.exception:
        print(at.exception[0].message)
        return 1

    presets = ["youth_work", "policing", "none"]
    districts = [["301"], ["704"], []]
    state = {"i": 0}

    def change_preset() -> None:
        at.sidebar.selectbox(key="preset").set_value(presets[state["i"] % 3]).run()
        state["i"] += 1

    def change_district() -> None:
        at.sidebar.multiselect(key="f_peruspiiri").set_value(districts[state["i"] % 3]).run()
        state["i"] += 1

    def change_language() -> None:
        at.sidebar.selectbox(key="lang").set_value(["sv", "en", "fi"][state["i"] % 3]).run()
        state["i"] += 1

    def rerun_unchanged() -> None:
        at.run()

    rows = []
    # Warm every combination once (first computation of each selection), then time cached reruns.
    for name, action in [
        ("category preset", change_preset),
        ("district filter", change_district),
        ("language", change_language),
        ("rerun, nothing changed", rerun_unchanged),
    ]:
        cold_times = _timed(action, 3)
        warm_times = _timed(action, args.repeats * 3)
        rows.append((name, statistics.median(cold_times), statistics.median(warm_times)))

    n_shown, size_mb, build_s = _map_payload(args.n)

    print(f"incidents: {args.n:,}; in the default six-month view: {n_shown:,}")
    print(f"first run (demo generation, districts, population, numba compile): {first:.1f} s")
    print()
    print("| interaction | first time (s) | cached rerun, median (s) | target |")
    print("| --- | --- | --- | --- |")
    for name, cold, warm in rows:
        print(f"| {name} | {cold:.2f} | {warm:.2f} | < 1 s ({warm / 1.0:.0%} of target) |")
    print()
    print(f"map payload: {size_mb:.2f} MB ({size_mb / 3:.0%} of the 3 MB target), built in {build_s:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
