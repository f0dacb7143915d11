"""Incident rows on their way into a store (store.rows): the checks that stop a batch, the
checked batch arguments, the documented content hash and the microsecond times.

Run through the public store, on each backend, with the incidents of test_store_base.py.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from geo import schema
from geo.errors import StoreError
from store import LOCAL_ANALYST, open_store
from tests import test_store_base
from tests.test_store_base import Opener, add, make_incidents, sorted_canonical

#: test_store_base's fixtures: real central-Helsinki addresses with their districts, and new
#: empty stores of each backend.
places = test_store_base.places
fresh = test_store_base.fresh


def test_content_hash_is_sha256_of_plain_values(tmp_path: Path) -> None:
    """The per-incident hash is documented data: SHA-256 of the repr of plain Python values."""
    x_m, y_m = 385_000.12345, 6_672_000.45678
    lon, lat = 24.941456612, 60.171319849
    row = {
        "id": "poliisi-2024-0001",
        "occurred_at": pd.Timestamp("2024-05-27 23:15:00.000123", tz=schema.TIMEZONE),
        "category": "assault",
        "category_raw": "pahoinpitely",
        "source": "police",
        "severity": 3,
        "description": None,
        "x_m": x_m,
        "y_m": y_m,
        "lon": lon,
        "lat": lat,
        "synthetic": False,
        **{name: None for name in schema.DISTRICT_COLUMNS[:-1]},
        "in_helsinki": False,
        # kept beside the incident, but not part of its content
        "geocode_quality": "interpolated",
        "geocode_match": "Kaivokatu 9",
    }
    frame = schema.conform(pd.DataFrame([row]), geocode=True)
    path = tmp_path / "h.sqlite"
    with open_store(f"sqlite:///{path}") as st:
        add(st, frame, "one.csv")
    micros = int(pd.Timestamp("2024-05-27 20:15:00.000123", tz="UTC").value // 1000)
    coordinates = (385000.123, 6672000.457, 24.94145661, 60.17131985)
    plain = ("v1", micros, "assault", "pahoinpitely", "police", 3, None, *coordinates, False)
    with sqlite3.connect(path) as raw:
        stored, quality, match = raw.execute(
            "SELECT content_hash, geocode_quality, geocode_match FROM incidents"
        ).fetchone()
    assert stored == hashlib.sha256(repr(plain).encode("utf-8")).hexdigest()
    assert (quality, match) == ("interpolated", "Kaivokatu 9")


def test_times_keep_microseconds_and_drop_nanoseconds(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 50, seed=3, prefix="ns")
    micro = frame.copy()
    micro["occurred_at"] = micro["occurred_at"] + pd.to_timedelta(np.arange(50) * 7 + 1, unit="us")
    nano = micro.copy()
    nano["occurred_at"] = nano["occurred_at"] + pd.to_timedelta(999, unit="ns")
    with fresh() as st:
        add(st, nano, "nano.csv")
        got = st.query(scope=LOCAL_ANALYST)
        pd.testing.assert_frame_equal(got, sorted_canonical(micro), check_exact=True)
        # same incidents at µs precision are duplicates, not conflicts
        result = add(st, micro, "micro.csv")
    assert (result.added, result.duplicates, result.n_conflicts) == (0, 50, 0)


def test_other_timezones_are_the_same_instants(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 40, seed=4, prefix="utc")
    in_utc = frame.copy()
    in_utc["occurred_at"] = in_utc["occurred_at"].dt.tz_convert("UTC")
    with fresh() as st:
        add(st, in_utc, "utc.csv")
        pd.testing.assert_frame_equal(
            st.query(scope=LOCAL_ANALYST), sorted_canonical(frame), check_exact=True
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="source"), "source"),
        (
            lambda f: f.assign(category=f["category"].mask(f.index == 7, "huumausainerikos")),
            r"row 7 .*category 'huumausainerikos'.*allowed",
        ),
        (lambda f: f.assign(source=f["source"].mask(f.index == 3, "poliisi")), r"row 3 .*'poliisi'"),
        (lambda f: f.assign(id=f["id"].mask(f.index == 4, pd.NA)), "row 4 has no id"),
        (lambda f: f.assign(id=f["id"].mask(f.index == 5, "  ")), "row 5 has no id"),
        (lambda f: f.assign(occurred_at=f["occurred_at"].mask(f.index == 8)), r"row 8 .*occurred_at"),
        (lambda f: f.assign(severity=f["severity"].mask(f.index == 9, 9)), r"row 9 .*severity 9"),
        (lambda f: f.assign(x_m=f["x_m"].mask(f.index == 11, np.inf)), r"row 11 .*x_m=inf"),
        (lambda f: f.assign(y_m=f["y_m"].mask(f.index == 12, np.nan)), r"row 12 .*both missing"),
        # "none" is the geocoder's miss: such a row has no position and the importer rejects it
        (
            lambda f: f.assign(geocode_quality=f["geocode_quality"].mask(f.index == 13, "none")),
            r"^bad\.csv: row 13 \(id '[^']+'\) has geocode_quality 'none', which is not canonical; "
            r"allowed are \['source', 'exact', 'interpolated', 'street', 'place', 'intersection'\]\. "
            r"Leave it missing",
        ),
        (
            lambda f: f.assign(geocode_quality=f["geocode_quality"].mask(f.index == 14, "GPS")),
            r"row 14 .*'GPS'",
        ),
    ],
)
def test_rows_that_cannot_be_stored_stop_the_batch(
    places: pd.DataFrame, change: Callable[[pd.DataFrame], pd.DataFrame], message: str, fresh: Opener
) -> None:
    frame = change(make_incidents(places, 30, seed=15, prefix="bad"))
    with fresh() as st:
        with pytest.raises(StoreError, match=message):
            add(st, frame, "bad.csv")
        assert st.count() == 0 and len(st.batches()) == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"file_name": " "}, "file_name"),
        ({"content_hash": ""}, "content_hash"),
        ({"rows_read": -1}, "rows_read .* >= 0, got -1"),
        ({"rejected": 1.5}, "rejected"),
    ],
)
def test_batch_arguments_are_checked(
    places: pd.DataFrame, options: dict[str, Any], message: str, fresh: Opener
) -> None:
    frame = make_incidents(places, 30, seed=16, prefix="arg")
    arguments: dict[str, Any] = {
        "file_name": "f.csv",
        "content_hash": "h",
        "rows_read": 30,
        "rejected": 0,
        "scope": LOCAL_ANALYST,
    }
    arguments.update(options)
    with fresh() as st, pytest.raises(StoreError, match=message):
        st.add_batch(frame, **arguments)


def test_numpy_counts_are_accepted(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 30, seed=16, prefix="np")
    with fresh() as st:
        st.add_batch(
            frame,
            file_name="n.csv",
            content_hash="h",
            rows_read=np.int64(31),
            rejected=np.int32(1),
            scope=LOCAL_ANALYST,
        )
        assert list(st.batches()[["rows_read", "rejected"]].iloc[0]) == [31, 1]
