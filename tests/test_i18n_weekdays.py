"""Weekdays and peak windows in words (i18n.weekdays), in three languages."""

from __future__ import annotations

import pytest

from geo.errors import ParameterError
from hotspots.peaks import PeakWindow
from i18n import peak_times_text, peak_window_label, weekday_abbreviations, weekday_label


def test_weekday_labels_in_three_languages() -> None:
    assert weekday_label((6, 0), "en") == "Sun-Mon"
    assert weekday_label((0, 2, 4, 5), "en") == "Mon, Wed, Fri-Sat"
    assert weekday_label((0, 2, 4, 5), "fi") == "ma, ke, pe-la"
    assert weekday_label((4, 5, 6), "sv") == "fr-sö"
    assert weekday_label(range(7), "sv") == "varje dag"
    assert weekday_label((), "fi") == "joka päivä"  # no choice is every day
    assert weekday_label((3, 3, 2), "en") == "Wed-Thu"


def test_abbreviations_monday_first() -> None:
    assert weekday_abbreviations("en") == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert weekday_abbreviations("fi") == ("ma", "ti", "ke", "to", "pe", "la", "su")
    assert weekday_abbreviations("sv") == ("må", "ti", "on", "to", "fr", "lö", "sö")


def test_peak_windows_in_words() -> None:
    friday_night = PeakWindow((4, 5), 20, 2, 40)
    assert [peak_window_label(friday_night, lang) for lang in ("en", "fi", "sv")] == [
        "Fri-Sat 20-02",
        "pe-la 20-02",
        "fr-lö 20-02",
    ]
    times = [friday_night.as_dict(), PeakWindow(tuple(range(7)), 8, 14, 12).as_dict()]
    assert peak_times_text(times, "en") == "Fri-Sat 20-02, daily 08-14"
    assert (
        peak_times_text([], "fi") == "ei selvää huippuaikaa"
        and peak_times_text(None, "sv") == "ingen tydlig topptid"
    )
    with pytest.raises(ParameterError, match=r"'de'.*\['fi', 'sv', 'en'\]"):
        peak_window_label(friday_night, "de")


def test_whole_days_and_no_peak_in_words() -> None:
    def windows(*spans: tuple[tuple[int, ...], int, int]) -> list[dict[str, object]]:
        return [PeakWindow(days, start, end, 10).as_dict() for days, start, end in spans]

    assert peak_times_text(windows(((4, 5), 0, 24)), "fi") == "pe-la, koko päivän"
    assert peak_times_text(windows(((4, 5), 0, 24)), "en") == "Fri-Sat, all day"
    assert peak_times_text(windows((tuple(range(7)), 19, 1)), "sv") == "varje dag 19-01"
    assert peak_times_text([], "en") == "no clear time"
