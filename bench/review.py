"""Benchmark: the six-monthly review and its PDF at 100,000 incidents with five measures.

Usage: ``python bench/review.py [--n 100000]``. Generates the demo (``geo.demo``, seed
2026), places five measures as 300 m squares on the first five demo concentrations (real
busy places: the central railway station, Kamppi, ...), four running inside May-October
2026 and one still running at its end, then times:

* ``hotspots.review.review`` for May-October 2026 (the analysis against the half-year
  before, five effects, the forecast of the next half-year), a first call (numba kernels
  compiled, district layers read) and a second one;
* ``briefing.review_pdf.review_pdf_bytes`` in Finnish (every map drawn, the PDF laid out).

It prints the times, the share the review takes of the analysis alone (its reference in
the same run) and what the review found. Needs the open data (``HOTSPOTS_DATA_DIR`` or
the cache).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402  (after the path: the project's packages below)
import shapely  # noqa: E402

from briefing.pdf import BriefOptions  # noqa: E402
from briefing.review_pdf import review_pdf_bytes  # noqa: E402
from geo import crs, demo, districts  # noqa: E402
from geo.demo_profiles import DEMO_CONCENTRATIONS  # noqa: E402
from hotspots import analysis  # noqa: E402
from hotspots.measures import Measure, RecordedMeasure  # noqa: E402
from hotspots.review import Review, review  # noqa: E402
from hotspots.selection import Selection  # noqa: E402

SINCE, UNTIL = "2026-05-01", "2026-11-01"
TZ = "Europe/Helsinki"
#: (kind, lead, start, end) of the five measures, one per concentration.
PLAN = (
    ("patrol", "police", "2026-05-15", "2026-07-15"),
    ("outreach", "youth_work", "2026-06-01", "2026-08-01"),
    ("environment", "joint", "2026-06-15", "2026-08-15"),
    ("school_ngo", "ngo", "2026-08-01", "2026-09-15"),
    ("event", "joint", "2026-10-01", "2026-12-01"),
)
T = TypeVar("T")


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def measures() -> list[RecordedMeasure]:
    """Five measures on the first five demo concentrations, 300 m squares."""
    out = []
    for i, (place, (kind, lead, start, end)) in enumerate(zip(DEMO_CONCENTRATIONS, PLAN, strict=False)):
        x, y = crs.to_metric([place.lon], [place.lat], src=crs.WGS84)
        cx, cy = float(x[0]), float(y[0])
        measure = Measure(
            kind=kind,  # type: ignore[arg-type]
            lead=lead,  # type: ignore[arg-type]
            area=shapely.box(cx - 150, cy - 150, cx + 150, cy + 150),
            start=pd.Timestamp(start, tz=TZ),
            end=pd.Timestamp(end, tz=TZ),
        )
        out.append(
            RecordedMeasure(
                id=i + 1,
                measure=measure,
                place_kind="drawn",
                place_ref=place.name,
                osaalue=(),
                recorded_by="bench",
                recorded_at=pd.Timestamp(start, tz=TZ),
            )
        )
    return out


def main() -> int:
    """Run the benchmark and print its times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="demo incidents (default 100000)")
    args = parser.parse_args()
    incidents, generate_s = _timed(lambda: demo.generate_demo(n=args.n, seed=2026))
    layer = districts.load_districts("peruspiiri")
    planned = measures()

    def run() -> Review:
        return review(incidents, since=SINCE, until=UNTIL, measures=planned, peruspiiri_layer=layer)

    _, first_s = _timed(run)
    result, review_s = _timed(run)
    _, analysis_s = _timed(lambda: analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL)))
    content, pdf_s = _timed(lambda: review_pdf_bytes(result, BriefOptions(lang="fi")))
    print(f"incidents: {len(incidents):,} (demo generated in {generate_s:.1f} s)")
    print(f"review, first call (compiles, reads layers): {first_s:.1f} s")
    print(f"review: {review_s:.2f} s = {review_s / analysis_s:.1f} x the analysis alone ({analysis_s:.2f} s)")
    print(f"review PDF (fi): {pdf_s:.2f} s, {len(content) / 1e6:.1f} MB")
    print(f"review + PDF: {review_s + pdf_s:.1f} s")
    print(f"hotspots: {result.status_counts()}; measures: {result.outcome_counts()}")
    if result.forecast is not None:
        print(f"forecast {result.forecast.period_label}: {len(result.forecast.analysis.hotspots)} hotspots")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
