"""Reading plain points tables: times with and without offsets, projection to a local metric CRS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import ParameterError
from hotspots.study import aware_times, parse_times, prepare_points


def test_prepare_points_projects_and_localises_without_changing_the_input() -> None:
    raw = pd.DataFrame(
        {
            "lon": [-79.38, -79.40, 200.0],
            "lat": [43.65, 43.70, 1.0],
            "when": ["2021-01-01 10:00", "2021-01-02 00:00", "x"],
        }
    )
    before = raw.copy()
    frame, metric = prepare_points(raw, occurred_at="when", timezone="America/Toronto")
    pd.testing.assert_frame_equal(raw, before)
    assert metric == "EPSG:32617"
    assert len(frame) == 2  # the row without a time (and an impossible lon) is dropped
    assert str(frame["occurred_at"].dt.tz) == "America/Toronto"
    # 5.6 km between the two points, as on the ground.
    gap = np.hypot(*np.diff(frame[["x_m", "y_m"]].to_numpy(), axis=0)[0])
    assert 5_000 < gap < 6_500
    with pytest.raises(ParameterError, match="pass timezone="):
        prepare_points(raw, occurred_at="when")


def test_times_keep_their_offsets_across_daylight_saving_and_localise_the_rest() -> None:
    text = pd.Series(
        [
            "2022-03-14T01:30:00-05:00",  # after Toronto's spring change: EDT offset -04:00 would differ
            "2022-03-12T01:30:00-05:00",
            "2022-06-01 12:00",
            "2022-03-13 02:30",  # in Toronto's spring gap: moves forward
            "not a time",
            "2022-01-01T06:00:00Z",
        ]
    )
    when = parse_times(text, timezone="America/Toronto")
    assert str(when.dt.tz) == "America/Toronto"
    utc = when.dt.tz_convert("UTC")
    assert utc.iloc[0] == pd.Timestamp("2022-03-14 06:30", tz="UTC")
    assert utc.iloc[1] == pd.Timestamp("2022-03-12 06:30", tz="UTC")
    assert when.iloc[2] == pd.Timestamp("2022-06-01 12:00", tz="America/Toronto")
    assert when.iloc[3] == pd.Timestamp("2022-03-13 03:00", tz="America/Toronto")
    assert pd.isna(when.iloc[4])
    assert utc.iloc[5] == pd.Timestamp("2022-01-01 06:00", tz="UTC")
    with pytest.raises(ParameterError, match="column 'seen' holds times without a time zone"):
        parse_times(pd.Series(["2022-06-01 12:00"]), timezone=None, name="seen")


def test_aware_times_are_required_of_an_incident_frame() -> None:
    aware = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-01-01 10:00"]).tz_localize("Europe/Helsinki")})
    assert aware_times(aware, "incidents").equals(aware["occurred_at"])
    with pytest.raises(ParameterError, match=r"incidents\.occurred_at must hold timezone-aware times"):
        aware_times(aware.assign(occurred_at=aware["occurred_at"].dt.tz_localize(None)), "incidents")
    with pytest.raises(ParameterError, match="lacks the column 'occurred_at'"):
        aware_times(pd.DataFrame({"x_m": [1.0]}), "incidents")
