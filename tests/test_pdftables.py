"""The PDF's tables (briefing.pdftables): counts, changes and percentages written the reader's way."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from briefing import pdftables
from hotspots import analysis
from i18n.numbers import NBSP
from tests.briefing_demo import demo_district_table, demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


@pytest.fixture(scope="module")
def district_table() -> pd.DataFrame:
    return demo_district_table()


def _cells(row: list[object]) -> list[str]:
    return [cell.getPlainText() for cell in row]  # type: ignore[attr-defined]


#: A signed whole per cent: "+485 %" / "-12 %" (fi, sv: no-break space) or "+485%" (en).
PERCENT = {
    "fi": re.compile(rf"^[+-]?\d{{1,3}}({NBSP}\d{{3}})*{NBSP}%$"),
    "sv": re.compile(rf"^[+-]?\d{{1,3}}({NBSP}\d{{3}})*{NBSP}%$"),
    "en": re.compile(r"^[+-]?\d{1,3}(,\d{3})*%$"),
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_district_change_is_a_percentage_with_its_sign_and_the_reader_s_percent_sign(
    district_table: pd.DataFrame, lang: str
) -> None:
    rows, has_rates = pdftables.district_rows(district_table, lang=lang, restricted=True, min_count=5)
    assert has_rates
    shown = 0
    for row, (_, raw) in zip(rows[1:], district_table.iterrows(), strict=True):
        cells = _cells(row)
        pct = raw["change_pct"]
        if pd.isna(pct) or not np.isfinite(pct):
            assert cells[4] == ""
            continue
        assert PERCENT[lang].match(cells[4]), cells[4]
        digits = int(re.sub(r"\D", "", cells[4]))
        assert digits == abs(round(pct)) and cells[4].startswith("-") == (round(pct) < 0)
        assert cells[4].startswith("+") == (round(pct) > 0)
        shown += 1
    assert shown >= 20


def test_district_rows_carry_counts_changes_and_rates_in_english(district_table: pd.DataFrame) -> None:
    rows, _ = pdftables.district_rows(district_table, lang="en", restricted=False, min_count=5)
    top = district_table.iloc[0]
    cells = _cells(rows[1])
    assert cells[0] == top["name_fi"]
    assert cells[1] == str(int(top["n"]))
    assert cells[2] == str(int(top["n_prev"]))
    assert cells[3] == (f"{int(top['change']):+,d}" if top["change"] else "0")
    assert cells[5] == f"{top['rate_per_1000']:.1f}"


def test_key_figures_group_thousands_and_sign_the_change_per_locale(result: analysis.Analysis) -> None:
    key = result.key
    assert key.incidents >= 1000 and key.change_pct is not None  # the demo has both
    fi = pdftables.key_figures(result, lang="fi", restricted=False, min_count=5)
    values = [cell._cellvalues[0][0].getPlainText() for cell in fi._cellvalues[0]]
    assert values[0] == f"{key.incidents:,}".replace(",", NBSP)
    assert values[2] == f"{key.change:+,}".replace(",", NBSP) + f" ({round(key.change_pct):+d}{NBSP}%)"
    en = pdftables.key_figures(result, lang="en", restricted=False, min_count=5)
    values = [cell._cellvalues[0][0].getPlainText() for cell in en._cellvalues[0]]
    assert values[0] == f"{key.incidents:,}"
    assert values[2] == f"{key.change:+,} ({round(key.change_pct):+d}%)"


def test_top_ten_says_no_clear_time_instead_of_a_whole_week_peak(result: analysis.Analysis) -> None:
    hotspots = result.hotspots.copy()
    hotspots["peak_times"] = [[]] * len(hotspots)  # hotspots.peaks finds no window in an even spread
    flat = replace(result, hotspots=hotspots)
    table = next(
        f
        for f in pdftables.top_hotspots(flat, lang="en", restricted=False, min_count=5)
        if hasattr(f, "_cellvalues")
    )
    peaks = [row[4].getPlainText() for row in table._cellvalues[1:]]
    assert peaks and set(peaks) == {"no clear time"}
