"""The six-monthly review on planted data (``tests.review_data``): statuses, measures, forecast."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest
import shapely

from geo import districts
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.measures import Measure, RecordedMeasure
from hotspots.recommendation import lead_for
from hotspots.review import Review, ReviewSettings, _horizon, review
from hotspots.selection import Selection
from tests import review_data as data

TZ = "Europe/Helsinki"


def _review(**changes: object) -> Review:
    arguments: dict[str, object] = {
        "since": data.SINCE,
        "until": data.UNTIL,
        "measures": data.recorded_measures(),
        "peruspiiri_layer": districts.load_districts("peruspiiri"),
        "settings": ReviewSettings(clustering=data.CLUSTERING),
    }
    return review(data.review_incidents(), **(arguments | changes))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def result() -> Review:
    return _review()


def _hotspot_at(table: pd.DataFrame, place: str) -> pd.DataFrame:
    x, y = data._anchor(data.PLACES[place])
    return table[shapely.contains_xy(table.geometry.values, x, y)]


def test_the_period_is_compared_with_the_half_year_before(result: Review) -> None:
    assert result.since == pd.Timestamp("2026-05-01", tz=TZ)
    assert result.until == pd.Timestamp("2026-11-01", tz=TZ)
    assert result.previous.since == pd.Timestamp("2025-11-01", tz=TZ)
    assert result.previous.until == result.since


def test_planted_places_get_their_status(result: Review) -> None:
    hotspots = result.analysis.hotspots
    assert _hotspot_at(hotspots, "persistent")["status"].tolist() == ["persistent"]
    assert _hotspot_at(hotspots, "new")["status"].tolist() == ["new"]
    # Haaga's place was a hotspot only before: no current hotspot there, a vanished one.
    assert _hotspot_at(hotspots, "vanished").empty
    assert len(_hotspot_at(result.analysis.vanished, "vanished")) == 1
    counts = result.status_counts()
    assert counts["vanished"] == len(result.analysis.vanished) >= 1
    assert sum(counts[s] for s in ("new", "persistent", "intensifying", "diminishing")) == len(hotspots)


def test_measures_of_the_period_are_read_and_the_earlier_one_left_out(result: Review) -> None:
    assert [m.recorded.id for m in result.measures] == [1, 2, 3, 4]
    assert [m.state for m in result.measures] == ["read", "read", "read", "not_yet"]
    assert result.outcome_counts() == {"fell_more": 2, "too_few": 1, "not_yet": 1}


def test_a_target_falling_40_percent_against_a_flat_control_shows_it(result: Review) -> None:
    fell = result.measures[0]
    assert fell.control is not None and fell.control.codes == ("202",)
    assert fell.control.reason == "surrounding_peruspiiri"
    effect = fell.effect
    assert effect is not None
    counts = (effect.target_before, effect.target_after, effect.buffer_before, effect.buffer_after)
    assert counts == (100, 60, 50, 50)
    assert (effect.control_before, effect.control_after) == (200, 200)
    assert effect.ratio == pytest.approx(0.6)
    assert effect.verdict == "fell_more"
    assert effect.wdq_reading == "neither"  # the ring stayed as flat as the control


def test_incidents_moving_into_the_ring_read_as_displacement(result: Review) -> None:
    effect = result.measures[1].effect
    assert effect is not None
    assert (effect.target_before, effect.target_after) == (100, 50)
    assert (effect.buffer_before, effect.buffer_after) == (100, 150)
    # Hand: (150/200 - 100/200) / (50/200 - 100/200) = 0.25 / -0.25.
    assert effect.wdq == pytest.approx(-1.0)
    assert effect.wdq_reading == "displacement"


def test_too_few_incidents_give_no_number(result: Review) -> None:
    few = result.measures[2]
    assert few.state == "read" and few.outcome == "too_few"
    assert few.effect is not None and math.isnan(few.effect.ratio)


def test_a_measure_whose_after_period_outruns_the_data_is_not_yet_readable(result: Review) -> None:
    later = result.measures[3]
    assert later.effect is None and later.outcome == "not_yet"
    assert later.readable_from == pd.Timestamp("2026-12-01", tz=TZ)  # 61 days after 1 October
    assert later.control is not None  # the map can still show where it is


def test_measures_are_linked_to_the_hotspots_their_area_overlaps(result: Review) -> None:
    moved = result.measures[1]
    at_target = _hotspot_at(result.analysis.hotspots, "moved")
    assert len(at_target) == 1
    hotspot = str(at_target["id"].iloc[0])
    assert hotspot in moved.hotspot_ids
    assert moved in result.measures_at(hotspot)
    # Ranked order, and nothing beyond the measure's own square.
    ranks = result.analysis.hotspots.set_index("id").loc[list(moved.hotspot_ids), "rank"].tolist()
    assert ranks == sorted(ranks)
    square = data.target_area("moved")
    linked = result.analysis.hotspots[result.analysis.hotspots["id"].isin(moved.hotspot_ids)]
    assert all(g.intersection(square).area > 1.0 for g in linked.geometry)
    assert result.measures[2].hotspot_ids == ()  # 8 incidents in two months make no hotspot


def test_a_measure_over_a_vanished_hotspot_is_linked_to_it() -> None:
    x, y = data._anchor(data.PLACES["vanished"])
    recorded = data.recorded_measures()[0]
    at_haaga = replace(
        recorded,
        id=9,
        measure=replace(recorded.measure, area=shapely.box(x - 100, y - 100, x + 100, y + 100)),
    )
    result = _review(measures=[at_haaga])
    vanished = result.analysis.vanished
    at_anchor = str(_hotspot_at(vanished, "vanished")["id"].iloc[0])
    linked = result.measures[0].vanished_ids
    assert linked[0] == at_anchor  # the planted place, the largest of them
    square = at_haaga.measure.area
    overlapping = vanished[[g.intersection(square).area > 1.0 for g in vanished.geometry]]
    assert set(linked) == set(overlapping["id"].astype(str))
    assert result.measures[0].hotspot_ids == ()


def test_no_history_and_no_control_are_stated_not_raised() -> None:
    recorded = data.recorded_measures()[0]
    long_ago = replace(
        recorded,
        id=7,
        measure=replace(recorded.measure, start=pd.Timestamp("2024-11-15", tz=TZ)),
    )
    espoo = RecordedMeasure(
        id=8,
        measure=Measure(
            kind="patrol",
            lead="police",
            area=shapely.box(374_000, 6_677_000, 374_200, 6_677_200),  # Leppävaara, Espoo
            start=pd.Timestamp("2026-06-01", tz=TZ),
            end=pd.Timestamp("2026-07-01", tz=TZ),
        ),
        place_kind="drawn",
        place_ref="",
        osaalue=(),
        recorded_by="analyst",
        recorded_at=pd.Timestamp("2026-06-01", tz=TZ),
    )
    result = _review(measures=[espoo, long_ago])
    assert [(m.recorded.id, m.state) for m in result.measures] == [(7, "no_history"), (8, "no_control")]
    assert all(m.effect is None for m in result.measures)
    assert result.measures[1].control is None


def test_the_forecast_covers_the_next_half_year_with_a_lead_per_hotspot(result: Review) -> None:
    predicted = result.forecast
    assert predicted is not None and result.forecast_problem is None
    # The day after the last incident (30 October), six months on.
    assert predicted.since == pd.Timestamp("2026-10-31", tz=TZ)
    assert predicted.until == pd.Timestamp("2027-04-30", tz=TZ)
    table = result.forecast_table()
    assert len(table) == len(predicted.analysis.hotspots) > 0
    for _, row in table.iterrows():
        assert row["lead"] == lead_for(row["categories"])
        assert row["recommendation"].lead == row["lead"]
    # The persistent place is expected to stay, at the current hotspot there.
    now = _hotspot_at(result.analysis.hotspots, "persistent")["id"].iloc[0]
    assert _hotspot_at(table, "persistent")["now_id"].tolist() == [now]


def test_too_little_history_leaves_the_review_without_a_forecast_and_says_why() -> None:
    recent = data.review_incidents()
    recent = recent[recent["occurred_at"] >= pd.Timestamp("2026-05-01", tz=TZ)].reset_index(drop=True)
    result = review(
        recent,
        since=data.SINCE,
        until=data.UNTIL,
        measures=[],
        peruspiiri_layer=districts.load_districts("peruspiiri"),
        settings=ReviewSettings(clustering=data.CLUSTERING),
    )
    assert result.forecast is None and result.forecast_table().empty
    assert result.forecast_problem is not None and "history" in result.forecast_problem
    assert len(result.analysis.hotspots) > 0


def test_the_review_does_not_change_its_input() -> None:
    incidents = data.review_incidents()
    before = incidents.copy()
    _review(measures=data.recorded_measures()[:1])
    pd.testing.assert_frame_equal(incidents, before)


@pytest.mark.parametrize(
    ("since", "until", "horizon"),
    [
        ("2026-05-01", "2026-11-01", "6M"),
        ("2026-01-01", "2026-04-01", "3M"),
        ("2026-05-01", "2026-05-15", "14D"),
    ],
)
def test_the_forecast_horizon_is_the_period_length(since: str, until: str, horizon: str) -> None:
    assert _horizon(pd.Timestamp(since, tz=TZ), pd.Timestamp(until, tz=TZ)) == horizon


def test_a_reversed_period_is_one_clear_error() -> None:
    with pytest.raises(ParameterError, match="since must be before until"):
        _review(since=data.UNTIL, until=data.SINCE)


def test_given_parameters_make_the_review_find_the_hotspots_the_map_draws() -> None:
    """The app passes its own parameter choice: the review's hotspots are then the map's, one for one."""
    incidents = data.review_incidents()
    clustering = replace(data.CLUSTERING, auto_eps=True, auto_min_samples=True)
    period = Selection(since=data.SINCE, until=data.UNTIL)
    choice = analysis.choose_parameters(incidents, period, clustering)
    # Another choice than the review would make itself: a wider eps, as a different period's choice.
    other = replace(choice, clustering=replace(choice.clustering, eps_m=choice.clustering.eps_m * 2))
    drawn = analysis.analyse(incidents, selection=period, clustering=clustering, parameters=other)
    reviewed = _review(settings=ReviewSettings(clustering=clustering, parameters=other))
    assert reviewed.analysis.parameters == other
    assert reviewed.analysis.hotspots["id"].tolist() == drawn.hotspots["id"].tolist()
    assert reviewed.analysis.hotspots["n"].tolist() == drawn.hotspots["n"].tolist()
    own = _review(settings=ReviewSettings(clustering=clustering))
    assert own.analysis.hotspots["n"].tolist() != drawn.hotspots["n"].tolist()
