"""Peak windows (hotspots.peaks): hand-made weekday x hour profiles with known answers.

The windows are compared as data and, for readability, as their English and Finnish labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import schema
from geo.errors import ParameterError
from hotspots import peaks
from hotspots.peaks import PeakParams, PeakWindow, peak_windows
from i18n import peak_window_label


def test_peak_windows_on_hand_made_profiles() -> None:
    night = np.zeros((7, 24))
    night[4, 22] = night[4, 23] = night[5, 0] = night[5, 1] = 10  # Friday night into Saturday
    (window,) = peak_windows(night)
    # 20-02, 21-03 and 22-04 hold all 40; the middle one is chosen. Saturday 00-02 is Friday night.
    assert window == PeakWindow((4,), 21, 3, 40)
    assert [peak_window_label(window, lang) for lang in ("en", "fi", "sv")] == [
        "Fri 21-03",
        "pe 21-03",
        "fr 21-03",
    ]
    even = np.full((7, 24), 5.0)
    assert peak_windows(even) == []  # spread over every hour of every day: no clear time
    two = np.zeros((7, 24))
    two[0:5, 8:11] = 8  # school mornings Mon-Fri
    two[5, 21:24] = 25  # Saturday nights
    got = peak_windows(two, params=PeakParams(window_hours=3))
    assert [peak_window_label(w, "en") for w in got] == [
        "Mon-Fri 08-11",
        "Sat 21-24",
    ]  # 120 then 75 incidents
    assert peak_windows(np.zeros((7, 24))) == []
    with pytest.raises(ParameterError, match="shape"):
        peak_windows(np.zeros((24, 7)))


def test_windows_round_trip_through_their_dicts_and_list_their_hours() -> None:
    assert PeakWindow.from_dict(PeakWindow((1, 3), 6, 12, 9).as_dict()) == PeakWindow((1, 3), 6, 12, 9)
    assert PeakWindow((4,), 22, 2, 5).hours == (22, 23, 0, 1)
    assert PeakWindow((0,), 0, 24, 5).hours == tuple(range(24))


def test_weekly_counts_by_group_weekday_and_hour() -> None:
    when = pd.Series(
        pd.to_datetime(["2025-01-10 21:30", "2025-01-10 21:59", "2025-01-11 01:00", None]).tz_localize(
            schema.TIMEZONE
        )
    )
    got = peaks.weekly_counts(np.array([0, 1, 1, 1]), when, 2)
    assert got.shape == (2, 7, 24) and got.sum() == 3  # the missing time is not counted
    assert got[0, 4, 21] == 1 and got[1, 4, 21] == 1 and got[1, 5, 1] == 1


def test_peak_params_name_the_parameter() -> None:
    with pytest.raises(ParameterError, match="window_hours"):
        PeakParams(window_hours=24)
    with pytest.raises(ParameterError, match=r"max_windows must be a whole number >= 1, got 0"):
        PeakParams(max_windows=0)
    with pytest.raises(ParameterError, match="weekday_lift"):
        PeakParams(weekday_lift=0.5)
    with pytest.raises(ParameterError, match="peak_alpha"):
        PeakParams(peak_alpha=1.0)
