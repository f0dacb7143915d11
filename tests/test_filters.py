"""Store filters (store.filters.IncidentFilter): checked and normalised once, when made.

Whether a store applies them right is the shared contract (test_store_base.py checks every
filter against pandas); here is what a filter is before any store sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from geo import schema
from geo.errors import ParameterError
from store import LOCAL_ANALYST, IncidentFilter, open_store
from tests.test_store_base import FALL_BACK, MEMORY


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"categories": "assault"}, r"categories must be a list .* \['assault'\]"),
        ({"categories": ["assault", "pahoinpitely"]}, r"unknown values \['pahoinpitely'\]"),
        ({"sources": ["poliisi"]}, "sources has unknown values"),
        ({"bbox_m": (1.0, 2.0, 3.0)}, "bbox_m must be four numbers"),
        ({"bbox_m": (386_000.0, 6_672_000.0, 385_000.0, 6_673_000.0)}, "xmin <= xmax"),
        ({"since": datetime(2024, 2, 1), "until": datetime(2024, 1, 1)}, "must not be after"),
        ({"since": datetime(2024, 10, 27, 3, 30)}, "ambiguous or does not exist"),
        ({"since": "last tuesday"}, "since must be a date and time"),
        ({"until": datetime(2024, 3, 31, 3, 30)}, "ambiguous or does not exist"),
    ],
)
def test_bad_filters_are_explained(filters: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        IncidentFilter(**filters)


def test_values_are_normalised_when_made() -> None:
    categories = ["assault", "robbery"]
    flt = IncidentFilter(
        since=datetime(2024, 1, 1),  # naive: Helsinki wall time, 22:00 UTC the day before
        until=pd.Timestamp("2024-06-01 00:00:00.000000001", tz="UTC"),
        categories=categories,
        osaalue_codes=["020"],
        bbox_m=(385_000, 6_671_000, 386_000, 6_672_000),  # type: ignore[arg-type]
        include_synthetic=0,  # type: ignore[arg-type]
    )
    categories.append("other")  # the caller's list is not the filter's
    assert flt.categories == ("assault", "robbery") and flt.osaalue_codes == ("020",)
    assert flt.sources is None and flt.listed["source"] is None
    assert flt.listed["category"] == ("assault", "robbery")
    assert flt.bbox_m == (385_000.0, 6_671_000.0, 386_000.0, 6_672_000.0)
    assert all(isinstance(v, float) for v in flt.bbox_m)
    assert flt.include_synthetic is False
    assert flt.since_us == pd.Timestamp("2023-12-31 22:00", tz="UTC").value // 1000
    # a bound between two microseconds keeps the first whole one after it
    assert flt.until_us == pd.Timestamp("2024-06-01", tz="UTC").value // 1000 + 1


def test_bounds_far_in_the_future_are_exact() -> None:
    # pandas keeps such a time in seconds: nanoseconds would overflow after 2262
    far = IncidentFilter(since="2999-01-01")  # type: ignore[arg-type]
    midnight_in_helsinki = datetime(2998, 12, 31, 22, tzinfo=UTC)
    assert far.since_us == (midnight_in_helsinki - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )


def test_equal_conditions_make_equal_filters() -> None:
    one = IncidentFilter(categories=["assault"], since=FALL_BACK)
    other = IncidentFilter(categories=("assault",), since=FALL_BACK)
    assert one == other and hash(one) == hash(other)
    assert IncidentFilter() == IncidentFilter(categories=None)
    assert IncidentFilter(categories=[]) != IncidentFilter()  # keeps nothing vs everything
    assert set(IncidentFilter(categories=schema.CATEGORIES).listed) == {
        "category",
        "source",
        "osaalue_code",
        "peruspiiri_code",
        "suurpiiri_code",
    }


def test_query_takes_only_a_filter() -> None:
    with open_store(MEMORY) as st, pytest.raises(ParameterError, match="where must be an IncidentFilter"):
        st.query({"categories": ["assault"]}, scope=LOCAL_ANALYST)  # type: ignore[arg-type]
