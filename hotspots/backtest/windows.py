"""Backtest windows: rolling origin, train on one period and test on the one right after it.

Train on ``train`` (default six months), test on the ``test`` window right after it
(default six months); the origin steps back by ``test`` from the end of the data (the day
after the last incident), so the last window ends with the data. Only windows whose
training part starts on or after the first incident's day count. Lengths are calendar
months and days (``WindowSpan``), written ``6M``, ``1M``, ``2W``, ``30D`` or ``1Y``
(``parse_window``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import pandas as pd

from geo.errors import ParameterError

DEFAULT_TRAIN_WINDOW: Final = "6M"
DEFAULT_TEST_WINDOW: Final = "6M"
_WINDOW_PATTERN: Final = re.compile(r"^\s*(\d+)\s*([DWMY])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class WindowSpan:
    """A window length in calendar months and days (``"6M"`` is six calendar months)."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0:
            raise ParameterError(f"a window cannot be negative, got {self.months} months {self.days} days")

    @property
    def label(self) -> str:
        """``"6M"``, ``"30D"`` or ``"1M2D"``."""
        parts = [f"{self.months}M" if self.months else "", f"{self.days}D" if self.days else ""]
        return "".join(parts)

    def times(self, k: int) -> WindowSpan:
        """Repeat the span ``k`` times (``k >= 0``)."""
        return WindowSpan(self.months * k, self.days * k)

    def plus(self, other: WindowSpan) -> WindowSpan:
        """Return the sum of two spans."""
        return WindowSpan(self.months + other.months, self.days + other.days)

    def before(self, stamp: pd.Timestamp) -> pd.Timestamp:
        """``stamp`` minus this span on the wall clock."""
        if self.months == 0 and self.days == 0:
            return stamp
        return stamp - pd.DateOffset(months=self.months, days=self.days)


def parse_window(text: str, *, name: str = "window") -> WindowSpan:
    """``"6M"`` -> six months, ``"1M"``, ``"2W"`` (14 days), ``"30D"``, ``"1Y"`` (12 months).

    Raises
    ------
    ParameterError
        For anything else; the message names ``name`` and the accepted forms.
    """
    match = _WINDOW_PATTERN.match(str(text))
    if not match or int(match.group(1)) == 0:
        raise ParameterError(
            f"{name} was {text!r} but is expected to be a positive count and a unit D, W, M or Y, "
            "e.g. 6M (six months), 1M, 2W or 30D"
        )
    count, unit = int(match.group(1)), match.group(2).upper()
    if unit == "D":
        return WindowSpan(days=count)
    if unit == "W":
        return WindowSpan(days=7 * count)
    if unit == "M":
        return WindowSpan(months=count)
    return WindowSpan(months=12 * count)


@dataclass(frozen=True)
class Window:
    """One backtest window: train on [train_start, test_start), test on [test_start, test_end)."""

    train_start: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp

    @property
    def label(self) -> str:
        """``"2025-10-31..2026-04-30 -> 2026-10-31"``."""
        fmt = "%Y-%m-%d"
        return (
            f"{self.train_start.strftime(fmt)}..{self.test_start.strftime(fmt)} -> "
            f"{self.test_end.strftime(fmt)}"
        )


def rolling_windows(
    occurred_at: pd.Series,
    *,
    train: WindowSpan | str = DEFAULT_TRAIN_WINDOW,
    test: WindowSpan | str = DEFAULT_TEST_WINDOW,
    n_windows: int | None = None,
) -> list[Window]:
    """Rolling-origin windows over the span of ``occurred_at``, most recent first.

    Parameters
    ----------
    occurred_at
        Timezone-aware incident times.
    train, test
        Window lengths (``WindowSpan`` or text for ``parse_window``).
    n_windows
        Keep at most this many (the most recent); None keeps every complete window.

    Returns
    -------
    list of Window
        Test windows end at the day after the last incident and step back by ``test``;
        a window is complete when its training part starts on or after the first
        incident's day.
    """
    train_span = train if isinstance(train, WindowSpan) else parse_window(train, name="train window")
    test_span = test if isinstance(test, WindowSpan) else parse_window(test, name="test window")
    if n_windows is not None and (int(n_windows) != n_windows or n_windows < 1):
        raise ParameterError(f"n_windows must be a whole number >= 1 or None, got {n_windows}")
    when = occurred_at.dropna()
    if when.empty:
        return []
    first = when.min().normalize()
    end = when.max().normalize() + pd.Timedelta(days=1)
    end = pd.Timestamp(end.tz_localize(None)).tz_localize(
        when.dt.tz, nonexistent="shift_forward", ambiguous=True
    )
    windows: list[Window] = []
    k = 0
    while n_windows is None or len(windows) < n_windows:
        test_end = test_span.times(k).before(end)
        test_start = test_span.times(k + 1).before(end)
        train_start = test_span.times(k + 1).plus(train_span).before(end)
        if train_start < first:
            break
        windows.append(Window(train_start=train_start, test_start=test_start, test_end=test_end))
        k += 1
    return windows
