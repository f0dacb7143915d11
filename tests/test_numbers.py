"""Numbers, percentages, p-values, areas and dates per language (``i18n.numbers``)."""

from __future__ import annotations

import pandas as pd
import pytest

import i18n
from geo.errors import ParameterError
from i18n.numbers import NBSP


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (12345.678, "fi", 1, "12\u00a0345,7"),
        (12345.678, "sv", 0, "12\u00a0346"),
        (12345.678, "en", 2, "12,345.68"),
        (-0.5, "en", 1, "-0.5"),
        (-0.04, "fi", 1, "0,0"),
        (43711, "fi", 0, "43\u00a0711"),
        (7, "fi", 0, "7"),
    ],
)
def test_format_number(value: float, lang: str, decimals: int, expected: str) -> None:
    assert i18n.format_number(value, lang, decimals=decimals) == expected


def test_format_number_rejects_negative_decimals() -> None:
    with pytest.raises(ParameterError, match="decimals"):
        i18n.format_number(1.0, "fi", decimals=-1)


@pytest.mark.parametrize(
    ("value", "lang", "signed", "expected"),
    [
        (485.0, "fi", False, f"485,0{NBSP}%"),
        (12.5, "sv", True, f"+12,5{NBSP}%"),
        (-3.25, "en", True, "-3.2%"),
        (0.0, "en", True, "0.0%"),
        (12.5, "en", False, "12.5%"),
    ],
)
def test_format_percent(value: float, lang: str, signed: bool, expected: str) -> None:
    assert i18n.format_percent(value, lang, signed=signed) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (3.1e-112, "fi", "alle 0,001"),
        (3.1e-112, "sv", "under 0,001"),
        (0.0004, "en", "below 0.001"),
        (0.0421, "fi", "0,042"),
        (0.5, "en", "0.500"),
        (float("nan"), "sv", "–"),
    ],
)
def test_format_p_never_prints_scientific_notation(value: float, lang: str, expected: str) -> None:
    assert i18n.format_p(value, lang) == expected


def test_format_area_keeps_two_decimals_for_street_scale_areas() -> None:
    assert i18n.format_area_km2(0.2249, "fi") == f"0,22{NBSP}km²"
    assert i18n.format_area_km2(214.6, "en") == f"214.6{NBSP}km²"


def test_format_date_and_datetime_per_language() -> None:
    stamp = pd.Timestamp("2025-06-03 18:05:59", tz="Europe/Helsinki")
    assert i18n.format_date(stamp, "fi") == "3.6.2025"
    assert i18n.format_date(stamp, "en") == "2025-06-03"
    assert i18n.format_datetime(stamp, "fi") == "3.6.2025 klo 18.05"
    assert i18n.format_datetime(stamp, "sv") == "3.6.2025 kl. 18.05"
    assert i18n.format_datetime(stamp, "en") == "2025-06-03 18:05"


@pytest.mark.parametrize(
    ("lang", "january", "december"), [("fi", "tammi", "joulu"), ("sv", "jan", "dec"), ("en", "Jan", "Dec")]
)
def test_month_names(lang: str, january: str, december: str) -> None:
    assert (i18n.month_name(1, lang), i18n.month_name(12, lang)) == (january, december)
    with pytest.raises(ParameterError, match="month"):
        i18n.month_name(13, lang)


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [(1646, "fi", 0, "+1\u00a0646"), (-52, "sv", 0, "-52"), (0, "en", 0, "0"), (0.04, "en", 1, "0.0"),
     (1.234, "en", 2, "+1.23"), (-1.0, "fi", 2, "-1,00")],
)  # fmt: skip
def test_signed_numbers_write_the_plus_of_a_rise_and_no_sign_on_zero(
    value: float, lang: str, decimals: int, expected: str
) -> None:
    assert i18n.format_number(value, lang, decimals=decimals, signed=True) == expected


def test_format_days_gives_the_first_and_last_day_of_a_half_open_period() -> None:
    start = pd.Timestamp("2026-05-01", tz="Europe/Helsinki")
    midnight = pd.Timestamp("2026-08-01", tz="Europe/Helsinki")
    assert i18n.format_days(start, midnight, "fi") == "1.5.2026 – 31.7.2026"
    assert i18n.format_days(start, midnight, "en", separator="–") == "2026-05-01–2026-07-31"
    # An end during a day includes that day.
    assert i18n.format_days(start, midnight + pd.Timedelta(hours=12), "sv") == "1.5.2026 – 1.8.2026"
