"""Backtest windows: rolling origin and window lengths."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import ParameterError
from hotspots.backtest.windows import Window, WindowSpan, parse_window, rolling_windows
from tests.planted import TZ


def test_rolling_windows_end_with_the_data_and_step_back() -> None:
    when = pd.Series(
        pd.to_datetime(["2024-10-31 00:12", "2025-06-01 12:00", "2026-10-30 23:49"]).tz_localize(TZ)
    )
    windows = rolling_windows(when, train="6M", test="6M")
    assert [w.test_end.strftime("%Y-%m-%d") for w in windows] == ["2026-10-31", "2026-04-30", "2025-10-31"]
    assert [w.train_start.strftime("%Y-%m-%d") for w in windows] == ["2025-10-31", "2025-04-30", "2024-10-31"]
    assert windows[0].test_start == pd.Timestamp("2026-04-30", tz=TZ)
    monthly = rolling_windows(when, train="1M", test="1M", n_windows=3)
    assert [w.test_start.strftime("%Y-%m-%d") for w in monthly] == ["2026-09-30", "2026-08-31", "2026-07-31"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6X", "'6X' but is expected to be a positive count"),
        ("0M", "e.g. 6M"),
    ],
)
def test_window_lengths_are_validated_with_messages(text: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        parse_window(text)


def test_window_lengths_in_days_weeks_months_and_years() -> None:
    assert parse_window("2W") == WindowSpan(days=14)
    assert parse_window("1y") == WindowSpan(months=12)


def test_spans_add_repeat_and_step_back_on_the_wall_clock() -> None:
    six = WindowSpan(months=6)
    assert six.label == "6M" and WindowSpan(months=1, days=2).label == "1M2D"
    assert six.times(2) == WindowSpan(months=12)
    assert six.plus(WindowSpan(days=3)) == WindowSpan(months=6, days=3)
    # Across the autumn clock change: the same wall-clock time, another UTC offset.
    stamp = pd.Timestamp("2026-11-01 00:00", tz=TZ)
    assert six.before(stamp) == pd.Timestamp("2026-05-01 00:00", tz=TZ)
    assert WindowSpan().before(stamp) is stamp
    with pytest.raises(ParameterError, match="a window cannot be negative"):
        WindowSpan(months=-1)


def test_window_label_and_the_number_of_windows() -> None:
    window = Window(
        train_start=pd.Timestamp("2025-10-31", tz=TZ),
        test_start=pd.Timestamp("2026-04-30", tz=TZ),
        test_end=pd.Timestamp("2026-10-31", tz=TZ),
    )
    assert window.label == "2025-10-31..2026-04-30 -> 2026-10-31"
    when = pd.Series(pd.to_datetime(["2026-01-01", "2026-10-30"]).tz_localize(TZ))
    assert rolling_windows(when, train="6M", test="6M") == []  # not one complete window
    assert rolling_windows(when.iloc[0:0], train="1M", test="1M") == []
    with pytest.raises(ParameterError, match="n_windows must be a whole number >= 1 or None, got 0"):
        rolling_windows(when, n_windows=0)
