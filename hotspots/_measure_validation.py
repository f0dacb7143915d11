"""Checks of a measure's fields and steps on its calendar, for ``hotspots.measures``.

The field checks live with the measure record in ``store.measure_records`` (the store keeps
measures and validates them on the way in and out); they are imported here so that the
effect's parameters are checked by the same rules. Private to ``hotspots.measures`` and
tested through it (``tests/test_measures.py``).
"""

from __future__ import annotations

import pandas as pd

from geo.schema import TIMEZONE
from store.measure_records import calendar_days, check_choice, checked_area, checked_categories, helsinki_time

__all__ = [
    "calendar_days",
    "check_choice",
    "checked_area",
    "checked_categories",
    "helsinki_time",
    "shift_days",
]


def shift_days(stamp: pd.Timestamp, days: float) -> pd.Timestamp:
    """Move ``stamp`` by ``days`` on the Helsinki wall clock (midnight stays midnight across DST)."""
    moved = stamp.tz_localize(None) + pd.Timedelta(days=days)
    return moved.tz_localize(TIMEZONE, ambiguous=True, nonexistent="shift_forward")
