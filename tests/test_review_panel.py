"""The Review tab's pure parts: the measures' and the forecast's rows, and plain text in Markdown."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geo import districts
from hotspots.review import Review, ReviewSettings, review
from i18n import t
from tests import review_data as data
from views import review_panel


@pytest.fixture(scope="module")
def result() -> Review:
    return review(
        data.review_incidents(),
        since=data.SINCE,
        until=data.UNTIL,
        measures=data.recorded_measures(),
        peruspiiri_layer=districts.load_districts("peruspiiri"),
        settings=ReviewSettings(clustering=data.CLUSTERING),
    )


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_each_measure_of_the_period_is_a_row_with_its_result_in_words(result: Review, lang: str) -> None:
    rows = review_panel.measure_rows(result, lang)
    assert len(rows) == len(result.measures) >= 3
    assert rows[t("review.column.measure", lang)].tolist() == [f"M{i}" for i in range(1, len(rows) + 1)]
    results = rows[t("review.column.result", lang)].tolist()
    # The planted 40 % drop reads as a fall against the surroundings, with its change.
    fell = t("review.verdict.fell_more", lang, change="").split("(")[0]
    assert any(r.startswith(fell) and "40" in r for r in results), results
    assert any(r == t("review.verdict.too_few", lang) for r in results), results
    kinds = {t(f"measure.kind.{item.recorded.measure.kind}", lang) for item in result.measures}
    assert set(rows[t("review.column.kind", lang)]) == kinds
    assert not any("note" in str(c).lower() for c in rows.columns)  # the free-text note stays out


def test_the_forecast_rows_name_districts_leads_and_the_hotspot_there_now(result: Review) -> None:
    rows = review_panel.forecast_rows(result, "fi")
    assert 0 < len(rows) <= review_panel.FORECAST_ROWS
    assert rows[t("column.rank", "fi")].tolist() == sorted(rows[t("column.rank", "fi")].tolist())
    leads = {t(f"lead.{code}", "fi") for code in ("youth_work", "police", "joint")}
    assert set(rows[t("column.lead", "fi")]) <= leads
    assert all(name and not any(ch.isdigit() for ch in name) for name in rows[t("review.column.place", "fi")])
    ranks_now = {str(r) for r in result.analysis.hotspots["rank"]} | {t("review.now_new", "fi")}
    assert set(rows[t("review.column.now", "fi")]) <= ranks_now


def test_a_forecast_that_could_not_be_made_gives_no_rows(result: Review) -> None:
    assert review_panel.forecast_rows(replace(result, forecast=None), "en").empty


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[Kallio](http://example.org)", r"\[Kallio\]\(http://example\.org\)"),
        ("**bold** _it_ `code` # x", r"\*\*bold\*\* \_it\_ \`code\` \# x"),
        ("Kaivokatu 8, Kluuvi", r"Kaivokatu 8, Kluuvi"),
    ],
)
def test_plain_text_is_not_read_as_markdown(text: str, shown: str) -> None:
    assert review_panel.plain(text) == shown
