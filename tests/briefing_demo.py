"""One demo analysis shared by the briefing tests (made once per test run, never modified).

5,000 synthetic incidents over the real districts (``geo.demo``, seed 2026), analysed for
May-October 2026 by the same ``hotspots.analysis.analyse`` the app and the CLI use, so
expected values come from that analysis (recommendations, ranks, district table), never
typed in. ``demo_kallio_result`` is the same with the district filter Kallio.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from briefing import downloads
from geo import demo, districts
from hotspots import analysis
from hotspots.selection import Selection, districts_by_name

SINCE, UNTIL = "2026-05-01", "2026-11-01"
GENERATED = pd.Timestamp("2026-11-02 09:30", tz="Europe/Helsinki")


@lru_cache(maxsize=1)
def demo_incidents() -> pd.DataFrame:
    """Return the 5,000 demo incidents (seed 2026)."""
    return demo.generate_demo(n=5000, seed=2026)


@lru_cache(maxsize=1)
def demo_result() -> analysis.Analysis:
    """Return the analysis of May-October 2026 (the comparison period is the half-year before)."""
    return analysis.analyse(demo_incidents(), selection=Selection(since=SINCE, until=UNTIL))


@lru_cache(maxsize=1)
def demo_district_table() -> pd.DataFrame:
    """Return the peruspiiri table of ``demo_result`` with the official layers and residents."""
    return downloads.district_figures(demo_result(), level="peruspiiri")


@lru_cache(maxsize=1)
def demo_kallio_result() -> analysis.Analysis:
    """Return the same period's analysis with the district filter Kallio (peruspiiri 301)."""
    kallio = districts_by_name(["Kallio"], districts.hierarchy())
    return analysis.analyse(demo_incidents(), selection=Selection(since=SINCE, until=UNTIL, **kallio))
