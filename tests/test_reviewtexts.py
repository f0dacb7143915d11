"""The review's words on the planted review (``tests.review_data``), whose answers are known.

Munkkiniemi's outreach fell 40 % against a flat control, Pitäjänmäki's patrol fell 50 %
with the problem moving into the ring, Länsi-Pakila's school work had 6 -> 2 incidents
(too few), Puistola's event ends after the data (not yet readable); four hotspots
vanished around Haaga, Kannelmäki and Myllypuro.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import shapely

from briefing.pdf import BriefOptions
from briefing.reviewtexts import (
    TOP_CHANGES,
    TOP_FORECAST,
    change_rows,
    dates_text,
    district_name,
    effect_words,
    forecast_rows,
    headlines,
    hotspot_ranks,
    measure_facts,
    measure_when,
    measure_where,
    result_text,
    vanished_text,
    zone_rows,
)
from geo import districts
from hotspots.measures import RecordedMeasure
from hotspots.review import MeasureReview, Review
from i18n import t
from tests import review_data as data

EN = BriefOptions(lang="en")


@pytest.fixture(scope="module")
def result() -> Review:
    return data.planted_review()


@pytest.fixture(scope="module")
def osaalue() -> pd.DataFrame:
    return districts.load_districts("osaalue")


def _moved(item: MeasureReview, area: shapely.Geometry) -> MeasureReview:
    measure = dataclasses.replace(item.recorded.measure, area=area)
    recorded: RecordedMeasure = dataclasses.replace(item.recorded, measure=measure)
    return dataclasses.replace(item, recorded=recorded)


def test_dates_are_the_first_and_last_day_of_a_half_open_period() -> None:
    since, until = (
        pd.Timestamp("2026-05-01", tz="Europe/Helsinki"),
        pd.Timestamp("2026-11-01", tz="Europe/Helsinki"),
    )
    assert dates_text(since, until, "en") == "2026-05-01–2026-10-31"
    assert dates_text(since, until, "fi") == "1.5.2026–31.10.2026"


def test_a_measure_is_placed_in_the_osa_alue_holding_its_area(result: Review, osaalue: pd.DataFrame) -> None:
    item = result.measures[0]
    centre = item.recorded.measure.area.centroid
    holding = osaalue[osaalue.contains(centre)]
    assert len(holding) == 1
    assert measure_where(item, osaalue, "fi") == holding["name_fi"].iloc[0]
    assert measure_where(item, osaalue, "sv") == holding["name_sv"].iloc[0]
    # Out at sea, beyond every osa-alue: the city, not an empty place.
    at_sea = _moved(item, shapely.box(370_000, 6_640_000, 370_200, 6_640_200))
    assert measure_where(at_sea, osaalue, "en") == t("brief.place_city", "en")


def test_a_measure_on_a_border_names_both_osa_alue_largest_share_first(
    result: Review, osaalue: pd.DataFrame
) -> None:
    first, second = osaalue.geometry.iloc[0], None
    for geometry in osaalue.geometry.iloc[1:]:
        if first.touches(geometry) and first.intersection(geometry).length > 300:
            second = geometry
            break
    assert second is not None
    border = first.intersection(second)
    point = border.interpolate(border.length / 2) if hasattr(border, "interpolate") else border.centroid
    square = shapely.box(point.x - 100, point.y - 100, point.x + 100, point.y + 100)
    text = measure_where(_moved(result.measures[0], square), osaalue, "fi")
    names = text.split(", ")
    assert len(names) == 2
    shares = {
        name: square.intersection(osaalue.loc[osaalue["name_fi"] == name].geometry.iloc[0]).area
        for name in names
    }
    assert shares[names[0]] >= shares[names[1]] > 0.1 * square.area


def test_results_in_plain_words(result: Review) -> None:
    fell, moved, too_few, not_yet = result.measures
    assert result_text(fell, "en") == "incidents fell more than in the surrounding area (-40%)"
    assert result_text(moved, "en") == (
        "incidents fell more than in the surrounding area (-50%); "
        "the problem seems to have moved to nearby streets"
    )
    assert result_text(too_few, "en") == "too few incidents to judge"
    assert result_text(not_yet, "en") == "can be judged from 2026-12-01"
    for item in result.measures:
        assert "WDQ" not in result_text(item, "en") and "p =" not in result_text(item, "en")


def test_effect_words_give_the_statistics_or_say_why_there_are_none(result: Review) -> None:
    fell, moved, too_few, not_yet = result.measures
    words = effect_words(fell, EN)
    assert len(words) == 2 and "-40%" in words[0] and "neither displacement nor diffusion" in words[1]
    assert "the problem moved (WDQ -1.00)" in effect_words(moved, EN)[1]
    assert effect_words(too_few, EN) == [t("measure.verdict.too_few", "en", target="8", min=10)]
    # Aggregated with a high threshold, the 8 incidents are not told.
    assert "<20" in effect_words(too_few, BriefOptions(lang="en", min_count=20))[0]
    assert effect_words(not_yet, EN) == [t("review.not_yet", "en", date="2026-12-01")]


def test_facts_name_when_who_and_what_but_never_the_note(result: Review) -> None:
    school = result.measures[2]
    facts = measure_facts(school, "en")
    assert (
        facts.startswith(measure_when(school, "en")) and measure_when(school, "en") == "2026-06-01–2026-07-31"
    )
    assert "School" in facts and "Aseeton nuoruus ry" in facts and "Weapons offence" in facts
    assert "Iltapartio" not in facts
    everything = dataclasses.replace(school.recorded.measure, categories=(), partner="")
    plain = dataclasses.replace(school, recorded=dataclasses.replace(school.recorded, measure=everything))
    assert t("review.categories_all", "en") in measure_facts(plain, "en")
    assert "partner" not in measure_facts(plain, "en")


def test_zone_rows_suppress_small_counts_and_the_changes_beside_them(result: Review) -> None:
    rows = zone_rows(result.measures[2], EN)
    assert rows[0] == ["Area", "area km²", "Before", "During", "Change %"]
    assert [row[0] for row in rows[1:]] == ["Target area", "300 m ring", "Control area"]
    assert rows[1][2:] == ["6", "<5", ""]
    assert rows[3][2:] == ["200", "200", "0%"]
    restricted = zone_rows(result.measures[2], BriefOptions(lang="en", restricted=True))
    assert restricted[1][2:] == ["6", "2", "-67%"]
    assert zone_rows(result.measures[0], EN)[1][2:] == ["100", "60", "-40%"]


def test_change_rows_list_the_top_hotspots_with_their_status_and_measures(result: Review) -> None:
    rows = change_rows(result, EN)
    hotspots = result.analysis.hotspots
    assert len(rows) == 1 + min(TOP_CHANGES, len(hotspots))
    assert [row[0] for row in rows[1:]] == [str(r) for r in hotspots["rank"].head(TOP_CHANGES)]
    for row, (_, hotspot) in zip(rows[1:], hotspots.head(TOP_CHANGES).iterrows(), strict=False):
        assert row[1] == district_name(hotspot, "en")
        assert row[2] == t(f"status.{hotspot['status']}", "en")
        if hotspot["status"] == "new":
            assert row[4] == "–"  # nothing there before
    labels = {f"M{i + 1}": item for i, item in enumerate(result.measures)}
    by_id = {str(h["id"]): row for row, (_, h) in zip(rows[1:], hotspots.iterrows(), strict=False)}
    for label, item in labels.items():
        for hotspot_id in item.hotspot_ids:
            if hotspot_id in by_id:
                assert label in by_id[hotspot_id][5].split(", ")
    assert sum(bool(row[5]) for row in rows[1:]) >= 2  # M1 and M2 lie on listed hotspots


def test_hotspot_ranks_follow_the_maps_numbers(result: Review) -> None:
    hotspots = result.analysis.hotspots
    ids = [str(i) for i in hotspots["id"].iloc[[4, 1]]]
    expected = ", ".join(str(int(r)) for r in hotspots["rank"].iloc[[4, 1]])
    assert hotspot_ranks(result, [*ids, "no-such-hotspot"]) == expected


def test_forecast_rows_name_who_leads_and_what_to_do(result: Review) -> None:
    rows = forecast_rows(result, EN)
    table = result.forecast_table()
    assert len(rows) == 1 + min(TOP_FORECAST, len(table)) > 1
    first = table.iloc[0]
    assert rows[1][3] == t(f"lead.{first['lead']}", "en")
    assert rows[1][2] == (
        hotspot_ranks(result, [first["now_id"]])
        if isinstance(first["now_id"], str)
        else t("review.now_new", "en")
    )


def test_vanished_places_are_named_once_largest_first(result: Review) -> None:
    text = vanished_text(result, "en")
    assert text == t("review.vanished_list", "en", items="Etelä-Haaga, Myllypuro, Kannelmäki, Pohjois-Haaga")
    none = dataclasses.replace(result.analysis, vanished=result.analysis.vanished.iloc[:0])
    assert vanished_text(dataclasses.replace(result, analysis=none), "en") == ""


def test_headlines_count_hotspots_measures_and_forecast(result: Review) -> None:
    sentences = headlines(result, EN)
    assert len(sentences) == 5
    counts = result.status_counts()
    assert sentences[0].startswith(f"{len(result.analysis.hotspots)} hotspots in the period")
    assert f"new {counts['new']}" in sentences[0]
    assert "2 cut incidents more than in the surrounding area" in sentences[2]
    assert "At 1 of them the problem seems to have moved" in sentences[2]
    empty = dataclasses.replace(result, measures=())
    assert headlines(empty, EN)[2] == t("review.headline.no_measures", "en")
