"""The briefing's prediction check (briefing.prediction): the app's backtest window, in words."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from briefing import prediction
from briefing.prediction import HEADLINE_SHARE, briefing_check
from geo import districts
from hotspots import analysis
from hotspots.backtest.last_period import predictive_check
from hotspots.selection import Selection
from i18n.numbers import NBSP
from tests.briefing_demo import SINCE, UNTIL, demo_incidents, demo_kallio_result, demo_result


@pytest.fixture(scope="module")
def city() -> analysis.Analysis:
    return demo_result()


@pytest.fixture(scope="module")
def kallio() -> analysis.Analysis:
    return demo_kallio_result()


def test_the_check_on_the_analysis_own_periods_is_the_app_s_check_on_all_incidents(
    city: analysis.Analysis, kallio: analysis.Analysis
) -> None:
    osaalue = districts.load_districts("osaalue")
    for result in (city, kallio):
        check = briefing_check(result, osaalue=osaalue)
        assert check is not None and check.ok
        # What the app's tab computes from the whole incident table, at the same share.
        app = predictive_check(demo_incidents(), result, share=HEADLINE_SHARE, osaalue=osaalue)
        assert (check.n_train, check.n_test) == (app.n_train, app.n_test)
        assert np.allclose(check.table["hit_rate"], app.table["hit_rate"])
        assert (check.train_since, check.test_since) == (app.train_since, app.test_since)


def test_no_check_without_the_period_just_before_or_with_too_few_incidents(city: analysis.Analysis) -> None:
    year_before = analysis.analyse(
        demo_incidents(), selection=Selection(since=SINCE, until=UNTIL), compare_with="year_before"
    )
    assert year_before.previous_selection is not None
    assert briefing_check(year_before) is None  # its comparison period is not the training period
    assert briefing_check(replace(city, previous_selection=None)) is None
    few = analysis.analyse(
        demo_incidents(),
        selection=Selection(since=SINCE, until=UNTIL, peruspiiri=("301",), categories=("weapons",)),
    )
    assert 0 < len(few.current) < 20  # Kallio's weapons incidents: a real area, too few of them
    assert (
        predictive_check(
            demo_incidents(), few, share=HEADLINE_SHARE, osaalue=districts.load_districts("osaalue")
        ).status
        == "too_few_incidents"
    )
    assert briefing_check(few) is None


def test_headline_states_the_area_actually_covered_and_what_it_caught(kallio: analysis.Analysis) -> None:
    check = briefing_check(kallio)
    assert check is not None
    row, best = check.at_share("dbscan"), check.at_share("best")
    assert row is not None and best is not None
    share = 100 * float(row["area_km2"]) / check.study_area_km2
    fi = prediction.headline(check, "fi")
    assert f"{share:.1f}".replace(".", ",") + f"{NBSP}%" in fi
    assert f"{round(100 * float(row['hit_rate']))}{NBSP}%" in fi
    assert f"{round(100 * float(best['hit_rate']))}{NBSP}%" in fi
    en = prediction.headline(check, "en")
    assert en.startswith(f"Last period's hotspots covered {share:.1f}% of the area")
    assert f"{float(row['pai']):.1f} times the area's average density" in en
    assert "DBSCAN" not in en + fi + prediction.headline(check, "sv")


def test_the_table_has_one_row_per_distinct_area(city: analysis.Analysis, kallio: analysis.Analysis) -> None:
    small = briefing_check(kallio)
    assert small is not None
    rows = prediction.table_rows(small, "sv")
    distinct = small.table.loc[small.table["method"] == "dbscan", "cells"].nunique()
    assert len(rows) == 1 + distinct >= 3
    assert rows[0][0] == "Andel av området"
    assert all(re.fullmatch(rf"\d+,\d{NBSP}%", row[0]) for row in rows[1:])
    # The demo city's hotspots of last period cover less than 1 % of its land: every budget
    # is that one area, and the headline alone says it.
    large = briefing_check(city)
    assert large is not None
    assert large.table.loc[large.table["method"] == "dbscan", "cells"].nunique() == 1
    assert prediction.table_rows(large, "fi") == []


def test_note_names_both_periods_their_incidents_and_the_place(kallio: analysis.Analysis) -> None:
    check = briefing_check(kallio)
    assert check is not None
    text = prediction.note(check, "fi", place="Kallio")
    assert text.startswith(f"Jakson 1.11.2025–30.4.2026 ({check.n_train} tapahtumaa)")
    assert f"jakson 1.5.2026–31.10.2026 tapahtumilla ({check.n_test})" in text
    assert "Alue: Kallio" in text
