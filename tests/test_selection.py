"""Selections (filters, periods, district choices) on tagged, generated incidents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import crs, districts, schema
from geo.errors import ParameterError
from hotspots import selection
from hotspots.selection import Selection, choose_districts


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 3000
    lon = rng.uniform(24.90, 25.10, n)
    lat = rng.uniform(60.16, 60.26, n)
    x, y = crs.to_metric(lon, lat, src=crs.WGS84)
    start = pd.Timestamp("2025-09-01", tz=schema.TIMEZONE)
    seconds = rng.integers(0, 400 * 86400, n)
    frame = pd.DataFrame(
        {
            "id": [f"t{i}" for i in range(n)],
            "occurred_at": start + pd.to_timedelta(seconds, unit="s"),
            "category": rng.choice(schema.CATEGORIES, n),
            "category_raw": pd.NA,
            "source": rng.choice(schema.SOURCES, n),
            "severity": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "description": pd.NA,
            "x_m": x,
            "y_m": y,
            "lon": lon,
            "lat": lat,
            "synthetic": True,
        }
    )
    tags = districts.tag_points(x, y)
    return schema.conform(pd.concat([frame, tags], axis=1))


def test_apply_matches_plain_pandas_filters(incidents: pd.DataFrame) -> None:
    sel = selection.Selection(
        since="2026-01-01",
        until="2026-07-01",
        categories=selection.PRESETS["youth_work"],
        peruspiiri=("301", "101"),
        hours=tuple(range(18, 24)),
        weekdays=(4, 5),
    )
    got = selection.apply(incidents, sel)
    t = incidents["occurred_at"]
    expected = incidents[
        (t >= pd.Timestamp("2026-01-01", tz=schema.TIMEZONE))
        & (t < pd.Timestamp("2026-07-01", tz=schema.TIMEZONE))
        & incidents["category"].isin(selection.PRESETS["youth_work"])
        & incidents["peruspiiri_code"].isin(["301", "101"])
        & t.dt.hour.between(18, 23)
        & t.dt.weekday.isin([4, 5])
    ].reset_index(drop=True)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected)


def test_most_detailed_district_choice_wins(incidents: pd.DataFrame) -> None:
    kallio = selection.apply(incidents, selection.Selection(peruspiiri=("301",)))
    linjat = selection.apply(incidents, selection.Selection(peruspiiri=("301",), osaalue=("112",)))
    assert set(linjat["osaalue_code"]) <= {"112"}
    assert 0 < len(linjat) < len(kallio)


def test_apply_does_not_mutate(incidents: pd.DataFrame) -> None:
    before = incidents.copy()
    selection.apply(incidents, selection.Selection(categories=("assault",)))
    pd.testing.assert_frame_equal(incidents, before)


def test_previous_period_of_whole_months_and_of_days() -> None:
    sel = selection.Selection(since="2026-05-01", until="2026-11-01")
    prev = sel.previous()
    assert prev.since == pd.Timestamp("2025-11-01", tz=schema.TIMEZONE)
    assert prev.until == sel.since
    sel = selection.Selection(since="2026-03-20", until="2026-04-03")
    assert sel.previous().since == pd.Timestamp("2026-03-06", tz=schema.TIMEZONE)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"categories": ("theft",)}, "categories .'theft'. are not canonical"),
        ({"hours": (24,)}, "hours must be in 0..23"),
        ({"weekdays": (7,)}, "weekdays must be in 0..6"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since must be before until"),
        ({"since": "yesterday-ish"}, "since must be a date"),
    ],
)
def test_bad_selection_names_the_parameter(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        selection.Selection(**kwargs)  # type: ignore[arg-type]


def test_comparison_periods() -> None:
    sel = selection.Selection(since="2026-05-01", until="2026-11-01", categories=("assault",))
    year = sel.comparison("year_before")
    assert year is not None
    assert (year.since, year.until) == (
        pd.Timestamp("2025-05-01", tz=schema.TIMEZONE),
        pd.Timestamp("2025-11-01", tz=schema.TIMEZONE),
    )
    assert year.categories == ("assault",)
    assert sel.comparison("previous") == sel.previous()
    assert sel.comparison("none") is None
    assert selection.Selection().comparison("previous") is None
    with pytest.raises(ParameterError, match="comparison was 'last_week'"):
        sel.comparison("last_week")


def test_a_finer_choice_inside_a_district_narrows_it_and_side_by_side_choices_add_up() -> None:
    table = districts.hierarchy()
    osa_of = table.groupby("peruspiiri_code")["osaalue_code"].apply(set)
    mellunmaki = table.loc[table["osaalue_fi"] == "Mellunmäki"].iloc[0]
    # Kallio (301) and its osa-alue Linjat (112): Linjat.
    assert choose_districts(table, peruspiiri=["301"], osaalue=["112"]) == {
        "suurpiiri": (),
        "peruspiiri": (),
        "osaalue": ("112",),
    }
    # Kallio and an osa-alue elsewhere: all of Kallio and that osa-alue.
    both = choose_districts(table, peruspiiri=["301"], osaalue=[mellunmaki["osaalue_code"]])
    assert both["peruspiiri"] == ("301",)
    chosen = Selection(**both)
    covered = set(table.loc[chosen.district_mask(table), "osaalue_code"])
    assert covered == osa_of["301"] | {mellunmaki["osaalue_code"]}
    # Keskinen suurpiiri (3) with Kallio inside: Kallio; Selection applies the rule itself.
    assert Selection(suurpiiri=("3",), peruspiiri=("301",)).chosen_districts == {"peruspiiri": ("301",)}
    with pytest.raises(ParameterError, match=r"osaalue codes \['999'\]"):
        choose_districts(table, osaalue=["999"])
