"""Timestamps as partners write them, parsed to Europe/Helsinki, with the DST rule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.timeparse import combine_date_time, localise, looks_like_time_of_day, parse_timestamps

HEL = ZoneInfo("Europe/Helsinki")


def hel(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> pd.Timestamp:
    """A Helsinki wall-clock time resolved by zoneinfo (the independent reference; fold=0)."""
    return pd.Timestamp(dt.datetime(year, month, day, hour, minute, second, us, tzinfo=HEL))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-28T14:30:15", hel(2026, 4, 28, 14, 30, 15)),
        ("2026-04-28 14:30", hel(2026, 4, 28, 14, 30)),
        ("2026-04-28T11:30:00Z", hel(2026, 4, 28, 14, 30)),
        ("2026-04-28T14:30:00+03:00", hel(2026, 4, 28, 14, 30)),
        ("2026-04-28T13:30:00+0200", hel(2026, 4, 28, 14, 30)),
        ("2026-04-28T06:30:00-05", hel(2026, 4, 28, 14, 30)),
        ("2026-01-15T14:30:00+02:00", hel(2026, 1, 15, 14, 30)),
        ("2026-04-28T14:30:15.250", hel(2026, 4, 28, 14, 30, 15, 250_000)),
        ("2026-04-28", hel(2026, 4, 28)),
        ("28.4.2026 14.30", hel(2026, 4, 28, 14, 30)),
        ("28.4.2026 klo 14:30", hel(2026, 4, 28, 14, 30)),
        ("28.4.2026 klo 14.30", hel(2026, 4, 28, 14, 30)),
        ("28.04.2026 14:30:15", hel(2026, 4, 28, 14, 30, 15)),
        ("28.4.2026 klo 9.05.07", hel(2026, 4, 28, 9, 5, 7)),
        ("28.04.2026", hel(2026, 4, 28)),
        ("  3.1.2026   klo 7.00 ", hel(2026, 1, 3, 7)),
        ("29.2.2028 12.00", hel(2028, 2, 29, 12)),
    ],
)
def test_accepted_forms(text: str, expected: pd.Timestamp) -> None:
    parsed = parse_timestamps(pd.Series([text]))
    assert parsed.times.dtype == "datetime64[ns, Europe/Helsinki]"
    assert parsed.times.iloc[0] == expected
    assert not parsed.unparsed[0] and not parsed.missing[0]


@pytest.mark.parametrize(
    "text",
    ["31.2.2026", "29.2.2027 12.00", "13.13.2026", "2026-04-28T24:00", "28.4.26", "abc", "14.30", "1.1.1026"],
)
def test_unparseable_is_nat_and_marked(text: str) -> None:
    parsed = parse_timestamps(pd.Series(["28.4.2026 14.30", text]))
    assert parsed.unparsed.tolist() == [False, True]
    assert pd.isna(parsed.times.iloc[1]) and not pd.isna(parsed.times.iloc[0])


def test_missing_is_not_unparseable() -> None:
    parsed = parse_timestamps(pd.Series(["", None, "  ", "1.5.2026"], dtype=object))
    assert parsed.missing.tolist() == [True, True, True, False]
    assert not parsed.unparsed.any()


def test_date_only_rows_are_marked() -> None:
    parsed = parse_timestamps(pd.Series(["1.5.2026", "1.5.2026 12.00", "2026-05-01"]))
    assert parsed.date_only.tolist() == [True, False, True]


def test_spring_forward_gap_moves_one_hour_forward_and_is_counted() -> None:
    # 29.3.2026 03:00-03:59 never shows on a Helsinki clock (03:00 EET -> 04:00 EEST).
    parsed = parse_timestamps(pd.Series(["29.3.2026 03.30", "29.3.2026 02.30", "29.3.2026 04.30"]))
    assert parsed.nonexistent.tolist() == [True, False, False]
    assert parsed.dst_adjusted == 1
    # Read with the offset before the gap (+02:00): 01:30 UTC, shown as 04:30 EEST.
    assert parsed.times.iloc[0] == pd.Timestamp("2026-03-29T01:30:00Z")
    assert parsed.times.iloc[0] == hel(2026, 3, 29, 3, 30)  # zoneinfo's fold=0 agrees
    assert parsed.times.iloc[0] == parsed.times.iloc[2]


def test_fall_back_hour_takes_the_first_occurrence_and_is_counted() -> None:
    # 25.10.2026 03:00-03:59 happens twice: first EEST (+03:00), then EET (+02:00).
    parsed = parse_timestamps(pd.Series(["25.10.2026 03.30", "25.10.2026 02.30", "2026-10-25T03:30+02:00"]))
    assert parsed.ambiguous.tolist() == [True, False, False]
    assert parsed.times.iloc[0] == pd.Timestamp("2026-10-25T00:30:00Z")
    # With an explicit offset the second occurrence is reachable and nothing is adjusted.
    assert parsed.times.iloc[2] == pd.Timestamp("2026-10-25T01:30:00Z")
    assert parsed.dst_adjusted == 1


def test_datetime_cells_and_columns() -> None:
    cells = pd.Series([dt.datetime(2026, 3, 29, 3, 30), "28.4.2026 14.30", None], dtype=object)
    parsed = parse_timestamps(cells)
    assert parsed.times.iloc[0] == pd.Timestamp("2026-03-29T01:30:00Z")
    assert parsed.nonexistent.tolist() == [True, False, False]
    assert parsed.missing.tolist() == [False, False, True]

    naive = pd.Series(pd.to_datetime(["2026-10-25 03:30", "2026-06-01 12:00"]))
    parsed = parse_timestamps(naive)
    assert parsed.ambiguous.tolist() == [True, False]
    assert parsed.times.iloc[1] == hel(2026, 6, 1, 12)

    aware = pd.Series(pd.to_datetime(["2026-06-01T09:00:00Z"], utc=True))
    parsed = parse_timestamps(aware)
    assert str(parsed.times.dtype) == "datetime64[ns, Europe/Helsinki]"
    assert parsed.times.iloc[0] == hel(2026, 6, 1, 12)


def test_localise_reports_both_edges() -> None:
    naive = pd.Series(pd.to_datetime(["2026-03-29 03:15", "2026-10-25 03:15", "2026-07-01 03:15"]))
    times, nonexistent, ambiguous = localise(naive)
    assert nonexistent.tolist() == [True, False, False]
    assert ambiguous.tolist() == [False, True, False]
    assert times.iloc[1].utcoffset() == dt.timedelta(hours=3)


def test_input_is_not_modified_and_index_kept() -> None:
    values = pd.Series(["28.4.2026 14.30", "bad"], index=[10, 20])
    before = values.copy()
    parsed = parse_timestamps(values)
    pd.testing.assert_series_equal(values, before)
    assert list(parsed.times.index) == [10, 20]


def test_pvm_and_klo_columns_combine() -> None:
    dates = pd.Series(["28.4.2026", "2026-04-29", dt.datetime(2026, 4, 30), None, "1.5.2026"], dtype=object)
    times = pd.Series(["klo 14.30", "9:05", dt.time(23, 59), "12.00", None], dtype=object)
    parsed = parse_timestamps(combine_date_time(dates, times))
    assert parsed.times.iloc[0] == hel(2026, 4, 28, 14, 30)
    assert parsed.times.iloc[1] == hel(2026, 4, 29, 9, 5)
    assert parsed.times.iloc[2] == hel(2026, 4, 30, 23, 59)
    assert parsed.missing[3]
    assert parsed.times.iloc[4] == hel(2026, 5, 1) and parsed.date_only[4]


def test_time_of_day_detection() -> None:
    assert looks_like_time_of_day(pd.Series(["14.30", "klo 9.05", "23:59:59", None]))
    assert not looks_like_time_of_day(pd.Series(["28.4.2026 14.30", "14.30"]))
    assert not looks_like_time_of_day(pd.Series(pd.to_datetime(["2026-01-01"])))


FORMATS = {
    "finnish": lambda t: f"{t.day}.{t.month}.{t.year} {t.hour}.{t.minute:02d}",
    "finnish_klo": lambda t: f"{t.day}.{t.month}.{t.year} klo {t.hour:02d}:{t.minute:02d}",
    "finnish_seconds": lambda t: (
        f"{t.day:02d}.{t.month:02d}.{t.year} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    ),
    "finnish_klo_seconds": lambda t: f"{t.day}.{t.month}.{t.year} klo {t.hour}.{t.minute:02d}.{t.second:02d}",
}


def _transition_utc(year: int, month: int) -> dt.datetime:
    """EU rule: clocks change at 01:00 UTC on the last Sunday of March and October."""
    last = dt.datetime(year, month, 31, 1, tzinfo=dt.UTC)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


# Instants anywhere, and instants within three hours of a daylight-saving change (where
# the rule matters). Up to 2037: pandas localises with the zone's transition table, which
# ends there.
near_transition = st.builds(
    lambda year, month, minutes: _transition_utc(year, month) + dt.timedelta(minutes=minutes),
    st.integers(2000, 2037),
    st.sampled_from([3, 10]),
    st.integers(-180, 180),
)
anywhere = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2037, 12, 31), timezones=st.just(dt.UTC)
)


@settings(max_examples=150, deadline=None)
@given(instant=st.one_of(anywhere, near_transition), style=st.sampled_from(sorted(FORMATS)))
def test_finnish_practice_parses_back_to_the_same_instant(instant: dt.datetime, style: str) -> None:
    has_seconds = "seconds" in style
    instant = instant.replace(microsecond=0, second=instant.second if has_seconds else 0)
    wall = instant.astimezone(HEL)
    parsed = parse_timestamps(pd.Series([FORMATS[style](wall)]))
    got = parsed.times.iloc[0]
    if parsed.ambiguous[0]:
        # The wall-clock text of the repeated autumn hour cannot say which; the rule takes the first.
        assert got == pd.Timestamp(wall.replace(fold=0))
        assert got in (pd.Timestamp(instant), pd.Timestamp(instant) - pd.Timedelta(hours=1))
    else:
        assert got == pd.Timestamp(instant)
    assert not parsed.nonexistent[0]  # a real wall-clock time is never in the gap


def test_many_rows_are_vectorised_and_match_element_wise() -> None:
    rng = np.random.default_rng(7)
    minutes = rng.integers(0, 3 * 365 * 24 * 60, size=20_000)
    instants = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(minutes, unit="min")
    local = instants.tz_convert("Europe/Helsinki")
    text = pd.Series(local.strftime("%d.%m.%Y klo %H.%M"))
    parsed = parse_timestamps(text)
    ok = ~parsed.ambiguous
    assert (parsed.times[ok].to_numpy() == instants[ok].to_numpy()).all()
    assert not parsed.unparsed.any()
