"""The incident store: exact round trips, idempotent imports, conflicts, transactions,
filters checked against pandas, index use, schema versions and URLs.

Incidents are built on real addresses of central Helsinki (OpenStreetMap sample),
reprojected with ``geo.crs`` and tagged with the official districts by ``geo.districts``;
categories, sources and times come from a seeded generator.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import store
import store.base
from geo import crs, districts, schema
from geo.errors import StoreError
from store import SCHEMA_VERSION, IncidentFilter, Migration, SQLiteStore, open_store

PROJECT_DIR = Path(__file__).resolve().parents[1]
HELSINKI = ZoneInfo(schema.TIMEZONE)
#: Two real places just outside the city (Tapiola in Espoo, Tikkurila in Vantaa).
OUTSIDE_LONLAT = ((24.8055, 60.1756), (25.0441, 60.2925))
#: The 2024 daylight-saving changes in Helsinki, as UTC instants.
SPRING_FORWARD = pd.Timestamp("2024-03-31 01:00", tz="UTC")  # 03:00 EET -> 04:00 EEST
FALL_BACK = pd.Timestamp("2024-10-27 01:00", tz="UTC")  # 04:00 EEST -> 03:00 EET
RAW_LABELS = {
    "drug_dealing": "huumausainerikos",
    "assault": "pahoinpitely",
    "robbery": "ryöstö",
    "vandalism": "skadegörelse",
    "disturbance": "järjestyshäiriö",
}
DESCRIPTIONS = (
    "",
    "Nuorisoryhmä <b>huusi</b> & heitteli pulloja",
    "Ääkköset, 'lainausmerkit' ja \"tuplat\"",
    "kaksi\nriviä",
    None,
)
MEMORY = "sqlite:///:memory:"


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def places(shared_data_dir: Path) -> pd.DataFrame:
    """Real address points (plus two outside Helsinki) in EPSG:3067 with their districts."""
    path = shared_data_dir / "helsinki_osm_centre_sample" / "osm_centre_addresses.csv"
    if not path.is_file():
        pytest.skip(f"the OpenStreetMap address sample is not in {shared_data_dir}")
    addresses = pd.read_csv(path, dtype={"postcode": str})
    lon = np.r_[addresses["lon"].to_numpy(float), [p[0] for p in OUTSIDE_LONLAT]]
    lat = np.r_[addresses["lat"].to_numpy(float), [p[1] for p in OUTSIDE_LONLAT]]
    x_m, y_m = crs.to_metric(lon, lat, src=crs.WGS84)
    tags = districts.tag_points(x_m, y_m)
    return pd.concat([pd.DataFrame({"x_m": x_m, "y_m": y_m, "lon": lon, "lat": lat}), tags], axis=1)


def edge_microseconds() -> list[int]:
    """Instants a time filter must get right: both DST changes, one µs either side, the repeated hour."""
    out = [stamp.value // 1000 + delta for stamp in (SPRING_FORWARD, FALL_BACK) for delta in (-1, 0, 1)]
    out += [pd.Timestamp("2024-10-27 00:30", tz="UTC").value // 1000]  # first 03:30 local
    out += [pd.Timestamp("2024-10-27 01:30", tz="UTC").value // 1000]  # second 03:30 local
    return out


def make_incidents(places: pd.DataFrame, n: int, *, seed: int, prefix: str) -> pd.DataFrame:
    """``n`` canonical incidents at real addresses, times in 2023-2024 with the DST edges."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(places), n)
    pick[:2] = [len(places) - 2, len(places) - 1]  # the two places outside Helsinki
    start_us = pd.Timestamp("2023-01-01", tz="UTC").value // 1000
    micros = start_us + rng.integers(0, 2 * 365 * 86_400 * 10**6, n)
    edges = edge_microseconds()
    micros[2 : 2 + len(edges)] = edges
    micros[20:25] = micros[20]  # a tie: the id decides the order
    category = rng.choice(schema.CATEGORIES, n)
    raw = [RAW_LABELS.get(c, c) for c in category]
    severity = rng.integers(1, 6, n).astype(object)
    severity[rng.random(n) < 0.2] = None
    description = np.array(DESCRIPTIONS, dtype=object)[rng.integers(0, len(DESCRIPTIONS), n)]
    located = places.iloc[pick].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "id": [f"{prefix}-{i:05d}" for i in rng.permutation(n)],
            "occurred_at": pd.to_datetime(micros, unit="us", utc=True).tz_convert(schema.TIMEZONE),
            "category": category,
            "category_raw": raw,
            "source": rng.choice(schema.SOURCES, n),
            "severity": pd.array(severity, dtype="Int64"),
            "description": pd.array(description, dtype="string"),
            "synthetic": rng.random(n) < 0.15,
        }
    )
    frame = pd.concat([frame, located], axis=1)
    # Two incidents without a location (geocoding failed, kept for counts by time).
    frame.loc[n - 2 :, ["x_m", "y_m", "lon", "lat"]] = np.nan
    frame.loc[n - 2 :, "in_helsinki"] = False
    for name in schema.DISTRICT_COLUMNS[:-1]:
        frame.loc[n - 2 :, name] = pd.NA
    return schema.conform(frame)


def sorted_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    return schema.conform(frame).sort_values(["occurred_at", "id"], kind="stable", ignore_index=True)


def add(st: store.IncidentStore, frame: pd.DataFrame, name: str, **kwargs: Any) -> store.BatchResult:
    options: dict[str, Any] = {"content_hash": f"sha256-of-{name}", "rows_read": len(frame), "rejected": 0}
    options.update(kwargs)
    return st.add_batch(frame, file_name=name, **options)


@pytest.fixture(scope="module")
def incidents(places: pd.DataFrame) -> pd.DataFrame:
    return make_incidents(places, 3000, seed=20240527, prefix="pol")


@pytest.fixture(scope="module")
def filled(incidents: pd.DataFrame) -> Iterator[SQLiteStore]:
    """A store holding ``incidents``; tests must only read it."""
    st = open_store(MEMORY)
    assert isinstance(st, SQLiteStore)
    add(st, incidents, "police_2023_2024.csv")
    yield st
    st.close()


# --------------------------------------------------------------------------- round trip


def test_query_returns_exactly_what_was_added(filled: SQLiteStore, incidents: pd.DataFrame) -> None:
    got = filled.query()
    assert dict(got.dtypes.astype(str)) == schema.INCIDENT_DTYPES
    pd.testing.assert_frame_equal(got, sorted_canonical(incidents), check_exact=True)
    pd.testing.assert_frame_equal(got, schema.conform(got), check_exact=True)
    # the edge cases really are in the data
    assert got["description"].isna().any() and (got["description"] == "").any()
    outside = int((~incidents["in_helsinki"]).sum())
    assert got["severity"].isna().any() and outside >= 4 and (~got["in_helsinki"]).sum() == outside
    assert got["x_m"].isna().sum() == 2


def test_ties_in_time_are_ordered_by_id(filled: SQLiteStore) -> None:
    got = filled.query()
    tied = got[got["occurred_at"].duplicated(keep=False)]
    assert len(tied) >= 5
    for _, group in tied.groupby("occurred_at"):
        assert list(group["id"]) == sorted(group["id"])


def test_times_keep_microseconds_and_drop_nanoseconds(places: pd.DataFrame) -> None:
    frame = make_incidents(places, 50, seed=3, prefix="ns")
    micro = frame.copy()
    micro["occurred_at"] = micro["occurred_at"] + pd.to_timedelta(np.arange(50) * 7 + 1, unit="us")
    nano = micro.copy()
    nano["occurred_at"] = nano["occurred_at"] + pd.to_timedelta(999, unit="ns")
    with open_store(MEMORY) as st:
        add(st, nano, "nano.csv")
        got = st.query()
        pd.testing.assert_frame_equal(got, sorted_canonical(micro), check_exact=True)
        # same incidents at µs precision are duplicates, not conflicts
        result = add(st, micro, "micro.csv")
    assert (result.added, result.duplicates, result.n_conflicts) == (0, 50, 0)


def test_other_timezones_are_the_same_instants(places: pd.DataFrame) -> None:
    frame = make_incidents(places, 40, seed=4, prefix="utc")
    in_utc = frame.copy()
    in_utc["occurred_at"] = in_utc["occurred_at"].dt.tz_convert("UTC")
    with open_store(MEMORY) as st:
        add(st, in_utc, "utc.csv")
        pd.testing.assert_frame_equal(st.query(), sorted_canonical(frame), check_exact=True)


def test_input_frame_is_not_modified(places: pd.DataFrame) -> None:
    frame = make_incidents(places, 200, seed=5, prefix="keep")
    # extra column, other column order, a non-default index: all allowed, none touched
    given = frame.assign(extra="x").iloc[::-1, ::-1]
    given.index = given.index * 10 + 3
    before = given.copy(deep=True)
    with open_store(MEMORY) as st:
        add(st, given, "given.csv")
        got = st.query()
        got["category"] = "other"  # the result is the caller's to change
        pd.testing.assert_frame_equal(st.query(), sorted_canonical(frame), check_exact=True)
    pd.testing.assert_frame_equal(given, before, check_exact=True)


def test_empty_store_answers_with_the_canonical_schema() -> None:
    with open_store(MEMORY) as st:
        got = st.query()
        stats = st.stats()
        assert st.count() == 0
        assert len(st.batches()) == 0
    pd.testing.assert_frame_equal(got, schema.empty_incidents())
    assert stats.total == 0 and stats.first_occurred_at is None and stats.batches == 0
    assert set(stats.by_category.values()) == {0}


# --------------------------------------------------------------------------- duplicates, conflicts


def test_importing_the_same_file_twice_adds_nothing(places: pd.DataFrame) -> None:
    frame = make_incidents(places, 300, seed=6, prefix="twice")
    with open_store(MEMORY) as st:
        first = add(st, frame, "a.csv", note="first")
        before = st.query()
        again = add(st, frame, "a (copy).csv", content_hash="sha256-of-a.csv", note="again")
        assert st.count() == 300
        pd.testing.assert_frame_equal(st.query(), before)
        log = st.batches()
    assert (first.added, first.duplicates, first.n_conflicts, first.already_imported) == (300, 0, 0, False)
    assert again.already_imported and again.added == 0 and again.duplicate_of == first.batch_id
    assert again.batch_id == first.batch_id + 1
    assert list(log["duplicate_of"].isna()) == [True, False]
    assert list(log["note"]) == ["first", "again"]
    assert list(log["added"]) == [300, 0]


def test_same_rows_in_another_file_are_duplicates(places: pd.DataFrame) -> None:
    old = make_incidents(places, 300, seed=7, prefix="x")
    new = make_incidents(places, 100, seed=8, prefix="y")
    overlap = pd.concat([old.iloc[100:], new], ignore_index=True)
    with open_store(MEMORY) as st:
        add(st, old, "jan.csv")
        result = add(st, overlap, "jan_feb.csv")
        assert st.count() == 400
        pd.testing.assert_frame_equal(st.query(), sorted_canonical(pd.concat([old, new])), check_exact=True)
    counts = (result.added, result.duplicates, result.n_conflicts, result.already_imported)
    assert counts == (100, 200, 0, False)


def test_conflicts_are_reported_and_not_overwritten(places: pd.DataFrame) -> None:
    old = make_incidents(places, 200, seed=9, prefix="c")
    changed = old.copy()
    changed.loc[3, "category"] = next(c for c in schema.CATEGORIES if c != old.loc[3, "category"])
    changed.loc[50, "source"] = next(s for s in schema.SOURCES if s != old.loc[50, "source"])
    changed.loc[77, "description"] = "korjattu kuvaus"
    changed["x_m"] = changed["x_m"] + np.where(changed.index == 120, 5.0, 0.0)  # moved five metres
    changed["occurred_at"] = changed["occurred_at"] + pd.to_timedelta(
        np.where(changed.index == 150, 60, 0), unit="s"
    )
    # new district names only (a later district layer): not a change of the incident
    changed.loc[10, "osaalue_fi"] = "Uusi nimi"
    with open_store(MEMORY) as st:
        add(st, old, "v1.csv")
        result = add(st, changed, "v2.csv")
        got = st.query()
        log = st.batches()
    expected_rows = [3, 50, 77, 120, 150]
    assert list(result.conflicts["row"]) == expected_rows
    assert list(result.conflicts["id"]) == list(old.loc[expected_rows, "id"])
    assert (
        result.conflicts["reason"]
        .str.contains("already stored (batch 1) with different content", regex=False)
        .all()
    )
    assert dict(result.conflicts.dtypes.astype(str)) == {"row": "int64", "id": "string", "reason": "string"}
    assert result.added == 0 and result.duplicates == 200 - len(expected_rows)
    pd.testing.assert_frame_equal(got, sorted_canonical(old), check_exact=True)
    assert list(log["conflicts"]) == [0, len(expected_rows)]


def test_repeated_ids_within_one_file(places: pd.DataFrame) -> None:
    frame = make_incidents(places, 100, seed=10, prefix="r")
    same = frame.iloc[[5]]
    different = frame.iloc[[6]].assign(description="toinen versio")
    batch = pd.concat([frame, same, different], ignore_index=True)
    with open_store(MEMORY) as st:
        result = add(st, batch, "repeats.csv")
        got = st.query()
    assert (result.added, result.duplicates) == (100, 1)
    assert list(result.conflicts["row"]) == [101]
    assert "appears again in this file (first at row 6)" in result.conflicts["reason"].iloc[0]
    pd.testing.assert_frame_equal(got, sorted_canonical(frame), check_exact=True)


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
    }
    frame = schema.conform(pd.DataFrame([row]))
    path = tmp_path / "h.sqlite"
    with open_store(f"sqlite:///{path}") as st:
        add(st, frame, "one.csv")
    micros = int(pd.Timestamp("2024-05-27 20:15:00.000123", tz="UTC").value // 1000)
    coordinates = (385000.123, 6672000.457, 24.94145661, 60.17131985)
    plain = ("v1", micros, "assault", "pahoinpitely", "police", 3, None, *coordinates, False)
    with sqlite3.connect(path) as raw:
        stored = raw.execute("SELECT content_hash FROM incidents").fetchone()[0]
    assert stored == hashlib.sha256(repr(plain).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- transactions


def test_a_failing_insert_rolls_back_the_whole_batch(
    places: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_incidents(places, 300, seed=11, prefix="a")
    second = make_incidents(places, 600, seed=12, prefix="b")
    with open_store(MEMORY) as st:
        add(st, first, "a.csv")
        before, before_log = st.query(), st.batches()
        real_rows = store.base._incident_rows
        inserted: list[tuple[Any, ...]] = []

        def failing_rows(*args: Any) -> Iterator[tuple[Any, ...]]:
            for row in real_rows(*args):
                if len(inserted) == 300:
                    raise RuntimeError("disk unplugged")
                inserted.append(row)
                yield row

        monkeypatch.setattr(store.base, "_incident_rows", failing_rows)
        with pytest.raises(RuntimeError, match="disk unplugged"):
            add(st, second, "b.csv")
        assert len(inserted) == 300  # half of the batch reached SQLite before the failure
        assert st.count() == 300
        pd.testing.assert_frame_equal(st.query(), before, check_exact=True)
        pd.testing.assert_frame_equal(st.batches(), before_log)
        monkeypatch.undo()
        retry = add(st, second, "b.csv")
        assert (retry.added, retry.batch_id, retry.already_imported) == (600, 2, False)
        assert st.count() == 900


CRASH_SCRIPT = """
import os, sys
import pandas as pd
import store.base
frame = pd.read_pickle(sys.argv[2])
real_rows = store.base._incident_rows
def dying_rows(*args):
    for i, row in enumerate(real_rows(*args)):
        if i == len(frame) // 2:
            os._exit(17)  # the process dies: no rollback, no close
        yield row
store.base._incident_rows = dying_rows
st = store.open_store(sys.argv[1])
st.add_batch(frame, file_name="b.csv", content_hash="hash-b", rows_read=len(frame), rejected=0)
"""


def test_a_crashed_process_leaves_the_previous_state(places: pd.DataFrame, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    first = make_incidents(places, 200, seed=13, prefix="a")
    second = make_incidents(places, 400, seed=14, prefix="b")
    with open_store(url) as st:
        add(st, first, "a.csv")
        before, before_log = st.query(), st.batches()
    second.to_pickle(tmp_path / "second.pkl")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    done = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, url, str(tmp_path / "second.pkl")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 17, done.stderr
    with open_store(url) as st:
        pd.testing.assert_frame_equal(st.query(), before, check_exact=True)
        pd.testing.assert_frame_equal(st.batches(), before_log)
        assert add(st, second, "b.csv", content_hash="hash-b").added == 400


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
    ],
)
def test_rows_that_cannot_be_stored_stop_the_batch(
    places: pd.DataFrame, change: Callable[[pd.DataFrame], pd.DataFrame], message: str
) -> None:
    frame = change(make_incidents(places, 30, seed=15, prefix="bad"))
    with open_store(MEMORY) as st:
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
def test_batch_arguments_are_checked(places: pd.DataFrame, options: dict[str, Any], message: str) -> None:
    frame = make_incidents(places, 30, seed=16, prefix="arg")
    arguments: dict[str, Any] = {"file_name": "f.csv", "content_hash": "h", "rows_read": 30, "rejected": 0}
    arguments.update(options)
    with open_store(MEMORY) as st, pytest.raises(StoreError, match=message):
        st.add_batch(frame, **arguments)


def test_numpy_counts_are_accepted(places: pd.DataFrame) -> None:
    frame = make_incidents(places, 30, seed=16, prefix="np")
    with open_store(MEMORY) as st:
        st.add_batch(frame, file_name="n.csv", content_hash="h", rows_read=np.int64(31), rejected=np.int32(1))
        assert list(st.batches()[["rows_read", "rejected"]].iloc[0]) == [31, 1]


# --------------------------------------------------------------------------- filters


def pandas_filter(frame: pd.DataFrame, **filters: Any) -> pd.DataFrame:
    """The same filters done in pandas, as the reference."""
    f = sorted_canonical(frame)
    keep = pd.Series(True, index=f.index)

    def instant(value: datetime) -> pd.Timestamp:
        stamp = pd.Timestamp(value)
        return stamp.tz_localize(schema.TIMEZONE) if stamp.tzinfo is None else stamp

    if filters.get("since") is not None:
        keep &= f["occurred_at"] >= instant(filters["since"])
    if filters.get("until") is not None:
        keep &= f["occurred_at"] < instant(filters["until"])
    for key, column in (
        ("categories", "category"),
        ("sources", "source"),
        ("osaalue_codes", "osaalue_code"),
        ("peruspiiri_codes", "peruspiiri_code"),
        ("suurpiiri_codes", "suurpiiri_code"),
    ):
        if filters.get(key) is not None:
            keep &= f[column].isin(filters[key]).astype(bool)
    if filters.get("bbox_m") is not None:
        xmin, ymin, xmax, ymax = filters["bbox_m"]
        keep &= f["x_m"].between(xmin, xmax) & f["y_m"].between(ymin, ymax)
    if filters.get("include_synthetic") is False:
        keep &= ~f["synthetic"]
    return f[keep].reset_index(drop=True)


def quartile_box(frame: pd.DataFrame) -> tuple[float, float, float, float]:
    x, y = frame["x_m"], frame["y_m"]
    return (float(x.quantile(0.25)), float(y.quantile(0.3)), float(x.quantile(0.7)), float(y.quantile(0.8)))


def edge_box(frame: pd.DataFrame) -> tuple[float, float, float, float]:
    """A box whose four edges pass exactly through incident points (edges count as inside)."""
    xmin, ymin, xmax, ymax = quartile_box(frame)
    inside = frame[frame["x_m"].between(xmin, xmax) & frame["y_m"].between(ymin, ymax)]
    x, y = inside["x_m"], inside["y_m"]
    return (float(x.min()), float(y.min()), float(x.max()), float(y.max()))


FILTERS: dict[str, Callable[[pd.DataFrame], dict[str, Any]]] = {
    "since/until across spring DST, edges exact": lambda f: {
        "since": SPRING_FORWARD.tz_convert(HELSINKI).to_pydatetime(),
        "until": FALL_BACK.tz_convert(HELSINKI).to_pydatetime(),
    },
    "the repeated autumn hour, fold 0 to fold 1": lambda f: {
        "since": datetime(2024, 10, 27, 3, 30, tzinfo=HELSINKI, fold=0),
        "until": datetime(2024, 10, 27, 3, 30, tzinfo=HELSINKI, fold=1),
    },
    "naive datetimes are Helsinki wall time": lambda f: {
        "since": datetime(2024, 1, 1),
        "until": datetime(2024, 7, 1, 12, 0),
    },
    "since only, in UTC": lambda f: {"since": pd.Timestamp("2024-06-01 21:00", tz="UTC")},
    "until only": lambda f: {"until": datetime(2023, 5, 1, tzinfo=HELSINKI)},
    "categories": lambda f: {"categories": ["drug_dealing", "youth_violence", "gang_activity"]},
    "sources": lambda f: {"sources": ["youth_services", "school"]},
    "osaalue": lambda f: {"osaalue_codes": sorted(f["osaalue_code"].dropna().unique())[:2]},
    "peruspiiri": lambda f: {"peruspiiri_codes": sorted(f["peruspiiri_code"].dropna().unique())[-1:]},
    "suurpiiri": lambda f: {"suurpiiri_codes": sorted(f["suurpiiri_code"].dropna().unique())[:1]},
    "bbox": lambda f: {"bbox_m": quartile_box(f)},
    "bbox with points on its edges": lambda f: {"bbox_m": edge_box(f)},
    "no synthetic": lambda f: {"include_synthetic": False},
    "combined": lambda f: {
        "since": datetime(2023, 9, 1, tzinfo=HELSINKI),
        "categories": ["assault", "robbery", "weapons", "youth_violence"],
        "suurpiiri_codes": ["1"],
        "bbox_m": quartile_box(f),
        "include_synthetic": False,
    },
}


@pytest.mark.parametrize("label", list(FILTERS))
def test_filters_match_pandas(filled: SQLiteStore, incidents: pd.DataFrame, label: str) -> None:
    filters = FILTERS[label](incidents)
    expected = pandas_filter(incidents, **filters)
    assert 0 < len(expected) < len(incidents)
    pd.testing.assert_frame_equal(filled.query(IncidentFilter(**filters)), expected, check_exact=True)


def test_time_range_is_half_open_at_the_dst_instants(filled: SQLiteStore) -> None:
    got = filled.query(IncidentFilter(since=SPRING_FORWARD, until=FALL_BACK))
    assert got["occurred_at"].min() == SPRING_FORWARD
    assert got["occurred_at"].max() == FALL_BACK - pd.Timedelta(microseconds=1)
    hour = filled.query(
        IncidentFilter(
            since=datetime(2024, 10, 27, 3, 30, tzinfo=HELSINKI, fold=0),
            until=datetime(2024, 10, 27, 3, 30, tzinfo=HELSINKI, fold=1),
        ),
    )
    # 00:30Z is in, 01:30Z (the same wall time, an hour later) is out
    assert hour["occurred_at"].dt.tz_convert("UTC").min() == pd.Timestamp("2024-10-27 00:30", tz="UTC")
    assert hour["occurred_at"].max() < pd.Timestamp("2024-10-27 01:30", tz="UTC")
    assert filled.query(IncidentFilter(since=FALL_BACK, until=FALL_BACK)).empty


def test_edge_box_keeps_its_edge_points(filled: SQLiteStore, incidents: pd.DataFrame) -> None:
    box = edge_box(incidents)
    got = filled.query(IncidentFilter(bbox_m=box))
    assert (got["x_m"] == box[0]).any() and (got["x_m"] == box[2]).any()
    assert (got["y_m"] == box[1]).any() and (got["y_m"] == box[3]).any()


def test_empty_lists_keep_nothing(filled: SQLiteStore) -> None:
    assert filled.query(IncidentFilter(categories=[])).empty
    assert filled.query(IncidentFilter(osaalue_codes=[])).empty
    assert len(filled.query(IncidentFilter(categories=None))) == filled.count()


def test_concurrent_queries_from_threads(filled: SQLiteStore) -> None:
    wanted = [["assault"], ["robbery", "weapons"], ["other"], ["vandalism"]]
    serial = [filled.query(IncidentFilter(categories=c)) for c in wanted]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda c: filled.query(IncidentFilter(categories=c)), wanted))
    for one, other in zip(serial, parallel, strict=True):
        pd.testing.assert_frame_equal(one, other)


# --------------------------------------------------------------------------- indexes


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {"since": datetime(2024, 1, 1, tzinfo=HELSINKI), "until": datetime(2024, 2, 1, tzinfo=HELSINKI)},
            "USING INDEX incidents_occurred_at",
        ),
        ({"categories": ["assault", "robbery"]}, "USING INDEX incidents_category"),
        ({"sources": ["police"]}, "USING INDEX incidents_source"),
        ({"osaalue_codes": ["020"]}, "USING INDEX incidents_osaalue"),
        ({"peruspiiri_codes": ["101"]}, "USING INDEX incidents_peruspiiri"),
        ({"suurpiiri_codes": ["1", "3"]}, "USING INDEX incidents_suurpiiri"),
        (
            {"bbox_m": (385_500.0, 6_671_500.0, 386_000.0, 6_672_000.0)},
            "incidents_rtree VIRTUAL TABLE INDEX",
        ),
    ],
)
def test_queries_use_indexes(filled: SQLiteStore, filters: dict[str, Any], expected: str) -> None:
    plan = " | ".join(filled.query_plan(IncidentFilter(**filters)))
    assert expected in plan, plan
    assert "SCAN i " not in f"{plan} " and not plan.startswith("SCAN i")


def test_unfiltered_query_scans(filled: SQLiteStore) -> None:
    assert filled.query_plan() == ["SCAN i"]


def test_bbox_reads_incidents_by_primary_key(filled: SQLiteStore) -> None:
    plan = filled.query_plan(IncidentFilter(bbox_m=(385_500.0, 6_671_500.0, 386_000.0, 6_672_000.0)))
    assert any("SEARCH i USING INTEGER PRIMARY KEY" in step for step in plan), plan


# --------------------------------------------------------------------------- batches, stats


def test_batches_are_recorded_with_counts(places: pd.DataFrame) -> None:
    jan = make_incidents(places, 120, seed=17, prefix="jan")
    feb = make_incidents(places, 80, seed=18, prefix="feb")
    started = pd.Timestamp.now(tz="UTC")
    with open_store(MEMORY) as st:
        add(st, jan, "tammikuu.xlsx", rows_read=125, rejected=5, note="police export")
        add(
            st,
            pd.concat([jan.iloc[:20], feb]),
            "helmikuu.csv",
            content_hash="cafe01",
            rows_read=100,
            rejected=0,
        )
        log = st.batches()
    finished = pd.Timestamp.now(tz="UTC")
    assert list(log.columns) == list(store.base.BATCH_COLUMNS)
    assert list(log["batch_id"]) == [1, 2]
    assert list(log["file_name"]) == ["tammikuu.xlsx", "helmikuu.csv"]
    assert list(log["content_hash"]) == ["sha256-of-tammikuu.xlsx", "cafe01"]
    assert list(log["rows_read"]) == [125, 100]
    assert list(log["added"]) == [120, 80]
    assert list(log["duplicates"]) == [0, 20]
    assert list(log["rejected"]) == [5, 0]
    assert list(log["note"]) == ["police export", ""]
    assert str(log["imported_at"].dtype) == "datetime64[ns, UTC]"
    assert log["imported_at"].between(started, finished).all()


def test_stats_agree_with_pandas(filled: SQLiteStore, incidents: pd.DataFrame) -> None:
    stats = filled.stats()
    assert stats.total == len(incidents) == filled.count()
    assert stats.by_category == {c: int((incidents["category"] == c).sum()) for c in schema.CATEGORIES}
    assert stats.by_source == {s: int((incidents["source"] == s).sum()) for s in schema.SOURCES}
    assert stats.first_occurred_at == incidents["occurred_at"].min()
    assert stats.last_occurred_at == incidents["occurred_at"].max()
    assert stats.first_occurred_at is not None
    assert str(stats.first_occurred_at.tz) == schema.TIMEZONE
    assert stats.synthetic == int(incidents["synthetic"].sum())
    assert stats.batches == 1
    assert stats.schema_version == SCHEMA_VERSION == filled.schema_version


# --------------------------------------------------------------------------- files, versions


def test_file_store_reopened_gives_the_same_data(places: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "incidents.sqlite"
    frame = make_incidents(places, 500, seed=19, prefix="file")
    with open_store(f"sqlite:///{path}") as st:
        add(st, frame, "f.csv")
        before, log, stats = st.query(), st.batches(), st.stats()
    assert path.is_file()
    with open_store(f"sqlite:///{path}") as st:
        pd.testing.assert_frame_equal(st.query(), before, check_exact=True)
        pd.testing.assert_frame_equal(st.batches(), log)
        assert st.stats() == stats
        assert add(st, frame, "f.csv").already_imported
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def schema_version_in(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        return int(raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])


def test_new_store_carries_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite"
    with open_store(f"sqlite:///{path}") as st:
        assert st.schema_version == SCHEMA_VERSION
    assert schema_version_in(path) == SCHEMA_VERSION


def test_a_newer_store_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"schema version 99.*Upgrade helsinki-hotspots"):
        open_store(f"sqlite:///{path}")
    assert schema_version_in(path) == 99


def test_an_older_store_is_migrated(
    places: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite"
    frame = make_incidents(places, 100, seed=20, prefix="mig")
    with open_store(f"sqlite:///{path}") as st:
        add(st, frame, "m.csv")
        before = st.query()
    step = Migration(2, "index on severity", ("CREATE INDEX incidents_severity ON incidents (severity)",))
    monkeypatch.setattr(store.base, "MIGRATIONS", (*store.base.MIGRATIONS, step))
    with open_store(f"sqlite:///{path}") as st:
        assert st.schema_version == 2
        pd.testing.assert_frame_equal(st.query(), before, check_exact=True)
    assert schema_version_in(path) == 2
    with sqlite3.connect(path) as raw:
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "incidents_severity" in names
    monkeypatch.undo()  # back to this version of the tool: the store is now too new
    with pytest.raises(StoreError, match="newer version"):
        open_store(f"sqlite:///{path}")


def test_a_failing_migration_leaves_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite"
    open_store(f"sqlite:///{path}").close()
    broken = Migration(
        2, "broken step", ("CREATE INDEX ok_index ON incidents (lon)", "CREATE INDEX bad ON nowhere (x)")
    )
    monkeypatch.setattr(store.base, "MIGRATIONS", (*store.base.MIGRATIONS, broken))
    with pytest.raises(
        StoreError, match=r"to schema version 2 \(broken step\) failed.*left unchanged at version 1"
    ):
        open_store(f"sqlite:///{path}")
    assert schema_version_in(path) == 1
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'ok_index'").fetchone()[0] == 0


def test_migrations_must_be_numbered_without_gaps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.base, "MIGRATIONS", (*store.base.MIGRATIONS, Migration(3, "skips 2", ())))
    with pytest.raises(StoreError, match=r"without gaps, got \[1, 3\]"):
        open_store(MEMORY)


def test_files_that_are_not_stores_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(StoreError, match=r"not an incident store .*customers"):
        open_store(f"sqlite:///{other}")
    text = tmp_path / "notes.sqlite"
    text.write_text("these are not the incidents you are looking for\n" * 100)
    with pytest.raises(StoreError, match="cannot open the incident store"):
        open_store(f"sqlite:///{text}")


def test_closed_store_says_so() -> None:
    st = open_store(MEMORY)
    with st:
        assert st.count() == 0
    with pytest.raises(StoreError, match="is closed"):
        st.count()
    st.close()  # closing twice is fine


# --------------------------------------------------------------------------- URLs


def test_default_url_is_a_file_in_the_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTSPOTS_CACHE_DIR", str(tmp_path / "cache"))
    with open_store() as st:
        assert st.url == f"sqlite:///{tmp_path / 'cache' / 'incidents.sqlite'}"
    assert (tmp_path / "cache" / "incidents.sqlite").is_file()


def test_environment_url_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOTSPOTS_DB_URL", "sqlite:///stores/team.sqlite")
    with open_store() as st:
        assert isinstance(st, SQLiteStore) and st.path == Path("stores/team.sqlite")
    assert (tmp_path / "stores" / "team.sqlite").is_file()


def test_unreachable_postgresql_is_explained_without_password(monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 1 on the loopback refuses at once: the store must say which URL failed, without the password.
    for url in (
        "postgresql://analyst:s3cret@127.0.0.1:1/hotspots",
        "postgres://analyst:s3cret@127.0.0.1:1/h",
    ):
        with pytest.raises(StoreError, match="cannot open the incident store") as info:
            open_store(url)
        assert "s3cret" not in str(info.value) and "***" in str(info.value)
    monkeypatch.setenv("HOTSPOTS_DB_URL", "postgresql://analyst:s3cret@127.0.0.1:1/hotspots")
    with pytest.raises(StoreError, match="cannot open the incident store") as info:
        open_store()
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/hotspots", "not understood; the allowed forms are sqlite:///"),
        ("incidents.sqlite", "not understood"),
        ("sqlite://incidents.sqlite", "not understood"),
        ("sqlite:///", "names no file"),
        ("sqlite:///data/x.sqlite?mode=ro", "URL options"),
    ],
)
def test_unknown_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(url)
