"""When a hotspot is busy: recurring weekday x hour windows that stand out from an even spread.

``peak_windows`` reads one hotspot's (7, 24) weekday x local-hour counts (``weekly_counts``
makes them for every hotspot at once) and returns up to ``max_windows`` ``PeakWindow``:
the weekdays and the hours (``start_hour`` to ``end_hour``, exclusive, possibly across
midnight) of each. The windows are plain data; ``i18n`` words them in each language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from geo.errors import ParameterError

HOURS: Final = 24
DAYS: Final = 7


@dataclass(frozen=True)
class PeakParams:
    """How peak windows are found, validated on construction.

    Parameters
    ----------
    window_hours
        Length of a peak window in hours, 1-23.
    max_windows
        Most peak windows per hotspot, >= 1.
    secondary_window_ratio
        A further window is reported when it holds at least this share of the first
        window's incidents, in (0, 1].
    weekday_lift
        A weekday is named only when it holds at least this many times its even share
        (1/7) of the window's incidents, >= 1 (1.2 names all five of a Mon-Fri pattern).
    peak_alpha
        Level of the binomial tests that keep chance peaks out, in (0, 1) (see
        ``peak_windows``).
    """

    window_hours: int = 6
    max_windows: int = 2
    secondary_window_ratio: float = 0.5
    weekday_lift: float = 1.2
    peak_alpha: float = 0.01

    def __post_init__(self) -> None:
        if int(self.window_hours) != self.window_hours or not 1 <= self.window_hours < HOURS:
            raise ParameterError(f"window_hours must be a whole number in 1..23, got {self.window_hours}")
        if int(self.max_windows) != self.max_windows or self.max_windows < 1:
            raise ParameterError(f"max_windows must be a whole number >= 1, got {self.max_windows}")
        if not 0 < self.secondary_window_ratio <= 1:
            raise ParameterError(
                f"secondary_window_ratio must be in (0, 1], got {self.secondary_window_ratio}"
            )
        if not np.isfinite(self.weekday_lift) or self.weekday_lift < 1:
            raise ParameterError(f"weekday_lift must be >= 1, got {self.weekday_lift}")
        if not 0 < self.peak_alpha < 1:
            raise ParameterError(f"peak_alpha must be in (0, 1), got {self.peak_alpha}")


@dataclass(frozen=True)
class PeakWindow:
    """A recurring time window: these weekdays, from ``start_hour`` to ``end_hour``.

    ``end_hour`` is exclusive, in 1..24, and smaller than ``start_hour`` when the window
    crosses midnight (20-02); ``0-24`` is the whole day. A weekday is the day the window
    *starts* on: Saturday 01:00 belongs to Friday's 20-02 window.
    """

    weekdays: tuple[int, ...]
    start_hour: int
    end_hour: int
    n: int

    @property
    def hours(self) -> tuple[int, ...]:
        """Hours of day (0-23) in the window, in order from its start."""
        width = (self.end_hour - self.start_hour) % HOURS or HOURS
        return tuple((self.start_hour + i) % HOURS for i in range(width))

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form: ``weekdays`` (Monday = 0), ``start_hour``, ``end_hour``, ``n``."""
        return {
            "weekdays": list(self.weekdays),
            "start_hour": self.start_hour,
            "end_hour": self.end_hour,
            "n": self.n,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PeakWindow:
        """Inverse of ``as_dict``."""
        return cls(
            weekdays=tuple(int(d) for d in data["weekdays"]),
            start_hour=int(data["start_hour"]),
            end_hour=int(data["end_hour"]),
            n=int(data["n"]),
        )


def weekly_counts(groups: NDArray[np.int64], when: pd.Series, k: int) -> NDArray[np.int64]:
    """Count incidents per group, weekday (Monday = 0) and local hour.

    Parameters
    ----------
    groups
        Group (hotspot) index in 0..k-1 per incident.
    when
        Local (Europe/Helsinki) times of the same incidents; missing times are not counted.
    k
        Number of groups.

    Returns
    -------
    ndarray
        Shape (k, 7, 24).
    """
    timed = when.notna().to_numpy(dtype=bool)
    cell = (
        groups[timed] * (DAYS * HOURS)
        + when[timed].dt.weekday.to_numpy(dtype=np.int64) * HOURS
        + when[timed].dt.hour.to_numpy(dtype=np.int64)
    )
    return np.bincount(cell, minlength=k * DAYS * HOURS).reshape(k, DAYS, HOURS)


def _window_days(grid: NDArray[np.float64], start: int, width: int, params: PeakParams) -> tuple[int, ...]:
    """Weekdays clearly above their even share of a window's incidents; all seven when none are."""
    window = (start + np.arange(width)) % HOURS
    # Hours after midnight (below the start hour) belong to the window of the previous day.
    by_day = np.zeros(DAYS)
    for hour in window:
        by_day += np.roll(grid[:, hour], -1) if hour < start else grid[:, hour]
    total = by_day.sum()
    if total <= 0:
        return tuple(range(DAYS))
    even = total / DAYS
    chi_square = float(((by_day - even) ** 2).sum() / even)
    if chi_square < stats.chi2.isf(params.peak_alpha, DAYS - 1):  # days not uneven
        return tuple(range(DAYS))
    named = np.flatnonzero(by_day >= params.weekday_lift * total / DAYS)
    return tuple(int(d) for d in named) if named.size else tuple(range(DAYS))


def _middle_of_ties(starts: NDArray[np.int64]) -> int:
    """Return the middle start of the first run of consecutive (mod 24) tied starts."""
    tied = set(starts.tolist())
    first = int(starts[0])
    while (first - 1) % HOURS in tied and (first - 1) % HOURS != int(starts[0]):
        first = (first - 1) % HOURS  # a run may wrap past midnight
    run = [first]
    while (run[-1] + 1) % HOURS in tied and len(run) < len(tied):
        run.append((run[-1] + 1) % HOURS)
    return run[(len(run) - 1) // 2]


def peak_windows(counts: ArrayLike, *, params: PeakParams = PeakParams()) -> list[PeakWindow]:
    """Top recurring time windows of one hotspot from its weekday x hour counts.

    Algorithm (``w = window_hours``, ``n`` incidents, ``alpha = peak_alpha``):

    1. Hour profile: incidents per local hour of day, summed over weekdays. The count of
       every run of ``w`` consecutive hours (24 runs, wrapping midnight) is computed.
    2. The first window is the run with the most incidents; when consecutive runs tie
       (a 4-hour burst fits in three 6-hour runs), the middle one. It is a peak only
       when a binomial test against an even spread over the day
       (``P(X >= count | n, w/24) < alpha/24``, Bonferroni over the 24 runs) says so.
    3. Further windows, up to ``max_windows``, are the best runs not overlapping the
       chosen ones that pass the same test and hold at least ``secondary_window_ratio``
       of the first window's incidents.
    4. Weekdays of a window: each incident in it counts for the day the window started
       (Saturday 01:00 -> Friday for 20-02). When a chi-square test says the seven day
       counts are uneven (p < alpha), the days holding at least ``weekday_lift`` x their
       even share (1/7) are named; otherwise, or when no day is, the window is daily
       (``"Mon-Sun"``).
    5. Without a peak hour window, one whole-day window ``0-24`` is returned when some
       days stand out as in 4; when none do, there is no peak and no window.

    Parameters
    ----------
    counts
        (7, 24) incident counts, weekday (Monday = 0) x local hour.
    params
        Window length and the thresholds above.

    Returns
    -------
    list of PeakWindow
        Strongest first; empty when there are no incidents or they spread evenly over
        the week and the day (no clear time).
    """
    grid = np.asarray(counts, dtype=np.float64)
    if grid.shape != (DAYS, HOURS):
        raise ParameterError(f"counts must have shape (7, 24) (weekday x hour), got {grid.shape}")
    width = int(params.window_hours)
    hours = grid.sum(axis=0)
    n = float(hours.sum())
    if n <= 0:
        return []
    members = (np.arange(HOURS)[:, None] + np.arange(width)[None, :]) % HOURS  # (start, hours)
    sums = hours[members].sum(axis=1)
    passes = stats.binom.sf(sums - 1, n, width / HOURS) < params.peak_alpha / HOURS
    free = np.ones(HOURS, dtype=bool)  # hours not yet in a chosen window
    chosen: list[PeakWindow] = []
    for _ in range(int(params.max_windows)):
        allowed = free[members].all(axis=1) & passes
        if chosen:
            allowed &= sums >= params.secondary_window_ratio * chosen[0].n
        if not allowed.any():
            break
        start = _middle_of_ties(np.flatnonzero(allowed & (sums == sums[allowed].max())))
        free[members[start]] = False
        end = (start + width - 1) % HOURS + 1
        chosen.append(PeakWindow(_window_days(grid, start, width, params), start, end, round(sums[start])))
    if not chosen:
        days = _window_days(grid, 0, HOURS, params)
        if len(days) < DAYS:  # every hour of every day is no peak: no window at all
            chosen.append(PeakWindow(days, 0, HOURS, round(n)))
    return chosen
