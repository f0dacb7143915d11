"""Weekdays and peak windows in words: ``"Fri-Sat 20-02"``, ``"pe-la 20-02"``, ``"fr-lö 20-02"``.

The abbreviations are the catalogues' ``weekday.short.0`` (Monday) .. ``weekday.short.6``.
``hotspots.peaks`` finds the windows; this module only names them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from hotspots.peaks import HOURS, PeakWindow
from i18n.catalogue import t

_DAYS: Final = 7


def weekday_abbreviations(lang: str) -> tuple[str, ...]:
    """Return the seven weekday abbreviations of ``lang``, Monday first (``"Mon"`` ... ``"Sun"``)."""
    return tuple(t(f"weekday.short.{day}", lang) for day in range(_DAYS))


def weekday_label(weekdays: Iterable[int], lang: str) -> str:
    """Name weekdays as runs: ``(4, 5)`` -> ``"Fri-Sat"``, ``(6, 0)`` -> ``"Sun-Mon"``, all -> ``"daily"``.

    Runs wrap around the week; several runs are comma-separated (``"Mon, Fri-Sat"``).

    Parameters
    ----------
    weekdays
        Days, Monday = 0; order and repeats do not matter. None at all means every day.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The runs in ``lang``.
    """
    names = weekday_abbreviations(lang)
    days = sorted({int(d) for d in weekdays})
    if not days or len(days) == _DAYS:
        return t("weekday.every_day", lang)
    present = set(days)
    # A run starts at a day whose previous day (cyclically) is absent.
    starts = [d for d in days if (d - 1) % _DAYS not in present]
    runs: list[str] = []
    for start in starts:
        end = start
        while (end + 1) % _DAYS in present:
            end = (end + 1) % _DAYS
        runs.append(names[start] if end == start else f"{names[start]}-{names[end]}")
    return ", ".join(runs)


def peak_window_label(window: PeakWindow, lang: str) -> str:
    """Name a peak window: its weekdays and hours, ``"Fri-Sat 20-02"``, or ``"Fri-Sat, all day"``."""
    days = weekday_label(window.weekdays, lang)
    if len(window.hours) == HOURS:
        return t("peak.all_day", lang, days=days)
    return f"{days} {window.start_hour:02d}-{window.end_hour:02d}"


def peak_times_text(peak_times: Sequence[Mapping[str, Any]] | None, lang: str) -> str:
    """Name a hotspot's peak windows, comma-separated.

    Parameters
    ----------
    peak_times
        One value of the hotspot table's ``peak_times`` column (``PeakWindow.as_dict`` of
        each window), or None.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        E.g. ``"Fri-Sat 20-02, Wed 14-20"``; "no clear time" in ``lang`` without windows
        (the incidents spread over the week and the day: no shift to plan around).
    """
    if not peak_times:
        return t("peak.no_clear_time", lang)
    return ", ".join(peak_window_label(PeakWindow.from_dict(window), lang) for window in (peak_times or []))
