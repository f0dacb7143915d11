"""Which measures a view shows (hotspots.measure_filters): period overlap, place, data coverage."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import shapely

from geo.districts import load_districts
from hotspots.measure_filters import COVERAGES, coverage, overlapping, touching
from hotspots.measures import EffectParams, Measure, RecordedMeasure


@pytest.fixture(scope="module")
def linjat() -> shapely.Geometry:
    layer = load_districts("osaalue")
    return layer.loc[layer["code"] == "112", "geometry"].iloc[0]  # Linjat, in Kallio


def _recorded(number: int, area: shapely.Geometry, start: str, end: str) -> RecordedMeasure:
    measure = Measure(kind="outreach", lead="youth_work", area=area, start=start, end=end)
    return RecordedMeasure(
        id=number,
        measure=measure,
        place_kind="drawn",
        place_ref="",
        osaalue=("301",),
        recorded_by="local",
        recorded_at=pd.Timestamp("2026-01-01", tz="Europe/Helsinki"),
    )


def test_a_measure_is_in_a_period_when_their_half_open_spans_share_a_moment(linjat: shapely.Geometry) -> None:
    may = _recorded(1, linjat, "2026-05-01", "2026-06-01")  # [1 May, 1 June)
    june = _recorded(2, linjat, "2026-06-01", "2026-07-01")
    winter = _recorded(3, linjat, "2025-12-01", "2026-03-01")
    measures = [may, june, winter]
    assert overlapping(measures, since="2026-06-01", until="2026-06-02") == [june]  # May ended at midnight
    assert overlapping(measures, since="2026-05-31", until="2026-06-01") == [may]  # June had not begun
    assert (
        overlapping(measures, since=pd.Timestamp("2026-01-01"), until=pd.Timestamp("2027-01-01")) == measures
    )
    assert overlapping(measures, since="2026-03-01", until="2026-05-01") == []
    assert [m.id for m in measures] == [1, 2, 3]  # the input is not reordered


def test_a_measure_touches_a_hotspot_when_their_areas_overlap_not_when_they_only_share_an_edge(
    linjat: shapely.Geometry,
) -> None:
    x0, y0, _, _ = linjat.bounds
    inside = linjat.representative_point().buffer(50)
    here = _recorded(1, inside, "2026-05-01", "2026-06-01")
    box = shapely.box(*inside.bounds)
    _, by0, bx1, by1 = box.bounds
    beside = _recorded(2, shapely.box(bx1, by0, bx1 + 100, by1), "2026-05-01", "2026-06-01")
    far = _recorded(3, shapely.box(x0 - 3000, y0 - 3000, x0 - 2000, y0 - 2000), "2026-05-01", "2026-06-01")
    assert touching([here, beside, far], box) == [here]
    assert touching([far, here], linjat) == [here]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), "covered"),
        (date(2026, 3, 1), date(2026, 5, 31), "covered"),  # exactly: March-April before, May after
        (date(2026, 3, 1), date(2026, 5, 30), "not_ended"),  # one day short of the period after
        (date(2026, 3, 2), date(2026, 5, 31), "no_before"),  # one day short of the period before
        (date(2026, 4, 1), date(2026, 5, 1), "not_ended"),  # both short: waiting helps first
    ],
)
def test_coverage_says_which_end_of_the_data_is_missing(
    linjat: shapely.Geometry, first: date, last: date, expected: str
) -> None:
    measure = Measure(kind="patrol", lead="police", area=linjat, start="2026-05-01", end="2026-06-01")
    params = EffectParams(before_days=61)  # 1 March to 1 May
    assert coverage(measure, first_day=first, last_day=last, params=params) == expected
    assert expected in COVERAGES
