"""What a cell says: text, numbers with either decimal mark, yes/no flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from geo.cells import as_flags, as_numbers, as_text
from geo.incidents import import_incidents


def test_numbers_are_read_with_either_decimal_mark_and_thousands_groups() -> None:
    readable = ["60,1699", "6.672.123,45", "6,672,123.45", "6 672 123,45", "25\u00a0496\u00a0123,45"]
    readable += ["\u221212,5", "1e3"]
    cells = pd.Series([*readable, "abc", "", None, "12,5 m"], dtype=object)
    before = cells.copy()
    numbers, bad, decimal_comma = as_numbers(cells)
    np.testing.assert_array_equal(
        numbers,
        [60.1699, 6672123.45, 6672123.45, 6672123.45, 25496123.45, -12.5, 1000.0] + [np.nan] * 4,
    )
    assert bad.tolist() == [False] * 7 + [True, False, False, True]
    assert decimal_comma
    pd.testing.assert_series_equal(cells, before)


def test_numeric_cells_pass_and_infinities_are_bad() -> None:
    numbers, bad, decimal_comma = as_numbers(pd.Series([1.5, np.inf, np.nan, -2.0]))
    np.testing.assert_array_equal(numbers, [1.5, np.nan, np.nan, -2.0])
    assert bad.tolist() == [False, True, False, False] and not decimal_comma
    _, _, grouped = as_numbers(pd.Series(["6,672,123.45"]))
    assert not grouped  # a comma that groups thousands is not a decimal comma


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_a_number_written_the_finnish_way_reads_back(value: float) -> None:
    written = f"{value:.6f}"
    numbers, bad, decimal_comma = as_numbers(pd.Series([written.replace(".", ",")]))
    assert numbers[0] == float(written) and not bad[0] and decimal_comma


def test_text_is_stripped_blank_is_missing_and_whole_floats_lose_their_point() -> None:
    assert as_text(pd.Series([" a ", "  ", None, "b"])).tolist() == ["a", pd.NA, pd.NA, "b"]
    assert as_text(pd.Series([1200.0, 3.0, np.nan])).tolist() == ["1200", "3", pd.NA]
    assert as_text(pd.Series([1.5, 2.0])).tolist() == ["1.5", "2.0"]
    times = pd.Series(pd.to_datetime(["2026-06-01 14:30", None]))
    assert as_text(times).tolist() == ["2026-06-01T14:30:00", pd.NA]
    assert str(as_text(pd.Series([1, 2])).dtype).startswith("string")


def test_flags_read_yes_in_three_languages() -> None:
    words = pd.Series(["true", "Kyllä", "ja", "X", "1", "no", "ei", "", None, "false"])
    assert as_flags(words).tolist() == [True] * 5 + [False] * 5
    assert as_flags(pd.Series([True, False, pd.NA], dtype="boolean")).tolist() == [True, False, False]
    assert as_flags(pd.Series([], dtype=object)).tolist() == []


def test_comma_separated_with_quoted_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "pilkku.csv"
    path.write_text(
        "id,aika,luokka,lat,lon\n"
        'K1,2026-06-01 12:00,Katukauppa,"60,1699","24,9384"\n'
        "K2,2026-06-01 12:05,Huumekauppa,60.1701,24.9390\n",
        encoding="utf-8",
    )
    result = import_incidents(path)
    assert result.report.delimiter == "," and result.report.decimal_comma
    np.testing.assert_allclose(result.incidents["lat"], [60.1699, 60.1701], atol=1e-9)
