"""The Review tab's pure parts: the measures' and the forecast's rows, and plain text in Markdown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import store
from briefing.reviewtexts import TOP_FORECAST
from geo import demo, districts
from hotspots import measure_places
from hotspots.comparison import STATUSES
from hotspots.measures import Measure
from hotspots.review import Review, ReviewSettings, review
from i18n import t
from store.scope import LOCAL_ANALYST
from tests import review_data as data
from tests.test_auth import PROVIDER, _claims
from views import review_panel

APP = str(Path(__file__).resolve().parents[1] / "app.py")


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
    rows = review_panel.measure_rows(result, lang, districts.load_districts("osaalue"))
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
    rows[t("column.rank", "fi")] = rows[t("column.rank", "fi")].astype(int)
    assert 0 < len(rows) <= TOP_FORECAST
    assert rows[t("column.rank", "fi")].tolist() == sorted(rows[t("column.rank", "fi")].tolist())
    leads = {t(f"lead.{code}", "fi") for code in ("youth_work", "police", "joint")}
    assert set(rows[t("column.lead", "fi")]) <= leads
    assert all(name and not any(ch.isdigit() for ch in name) for name in rows[t("brief.column_where", "fi")])
    ranks_now = {str(r) for r in result.analysis.hotspots["rank"]} | {t("review.now_new", "fi")}
    assert set(rows[t("review.column.now", "fi")]) <= ranks_now


def test_a_forecast_that_could_not_be_made_gives_no_rows(result: Review) -> None:
    assert review_panel.forecast_rows(replace(result, forecast=None), "en").empty


def test_the_review_tab_reviews_the_hotspots_the_map_draws_with_the_stored_measures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("HOTSPOTS_DB_URL", url)
    osaalue = districts.load_districts("osaalue")
    codes = measure_places.district_osaalue(["Kallio"], districts.hierarchy())
    _, stop = demo.demo_period()
    start = stop - pd.Timedelta(days=120)  # 45 days before and after, inside the period and the data
    measure = Measure(
        kind="outreach",
        lead="youth_work",
        area=measure_places.districts_area(codes, osaalue),
        start=start,
        end=start + pd.Timedelta(days=45),
        partner="Kallion nuorisotalo",
    )
    with store.open_store(url) as db:
        db.add_measure(
            measure, place_kind="districts", place_ref=",".join(codes), osaalue=codes, scope=LOCAL_ANALYST
        )
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params.update({"lang": "en", "tab": "review"})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    tab = next(tab for tab in at.tabs if tab.label == t("panel.review", "en"))
    assert tab.subheader[0].value.startswith("Six-monthly review: ")
    # The statuses count the very hotspots of the ranking beside the map.
    ranking = at.dataframe[0].value
    counts = {m.label: int(str(m.value).replace(",", "")) for m in tab.metric}
    assert sum(counts[t(f"status.{s}", "en")] for s in STATUSES) == len(ranking)
    measures = tab.dataframe[0].value
    assert measures[t("review.column.kind", "en")].tolist() == [t("measure.kind.outreach", "en")]
    assert measures[t("review.column.lead", "en")].tolist() == ["Youth work (Kallion nuorisotalo)"]
    result = measures[t("review.column.result", "en")].iloc[0]
    verdicts = [
        t(f"review.verdict.{v}", "en", change="") for v in ("no_clear_difference", "too_few", "fell_more")
    ]
    assert any(result.startswith(v.split("(")[0]) for v in verdicts), result
    # The measure's target, ring and control on a map, with its counts per zone beside it.
    assert len(tab.get("image")) == 1
    zones = tab.dataframe[1].value[t("measure.column.zone", "en")].tolist()
    assert zones == [t(f"measure.zone.{z}", "en") for z in ("target", "buffer", "control")]
    assert [b.proto.label for b in tab.get("download_button")] == [t("review.download", "en")]
    assert at.query_params["tab"] == "review"  # bookmarkable


def test_the_review_waits_until_its_tab_is_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    tab = next(tab for tab in at.tabs if tab.label == t("panel.review", "fi"))
    assert not tab.subheader and not tab.metric  # a closed tab computes nothing


@pytest.mark.parametrize(
    ("claims", "lang"),
    [
        (_claims("johto@hel.example", ["hotspots-viewer"]), "fi"),
        (_claims("nea.nuorisotyo@hel.example", ["hotspots-youth-worker"], hotspots_districts=["301"]), "sv"),
    ],
)
def test_leadership_and_youth_workers_get_the_review_aggregated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claims: dict[str, object], lang: str
) -> None:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=240)
    at.secrets["auth"] = PROVIDER
    at.user = claims
    at.query_params.update({"lang": lang, "tab": "review"})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    tab = next(tab for tab in at.tabs if tab.label == t("panel.review", lang))
    assert tab.subheader and len(tab.metric) == len(STATUSES) + 1
    headlines = " ".join(m.value for m in tab.markdown)
    # The headline sentences are the PDF's: here, that no measure was recorded in the period.
    assert t("review.headline.no_measures", lang).rstrip(".") in headlines.replace("\\", "")
    assert [b.proto.label for b in tab.get("download_button")] == [t("review.download", lang)]
