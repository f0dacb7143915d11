"""The shared contract of every incident store (store.base, kept by store.database's steps).

What ``IncidentStore`` promises whatever the backend: exact round trips, idempotent
imports, duplicates and conflicts, filters checked against pandas, the batch log, the
totals, a closed store, and ``open_store`` routing URLs. Every check that uses a store
runs on each backend: SQLite in memory and PostGIS in a schema of its own (skipped
without a test server, see tests/postgres.py). tests/test_postgis.py also compares the two
backends' answers directly and imports the data helpers below. What only one backend does
is in tests/test_sqlite.py and tests/test_postgis.py.

Incidents are built on real addresses of central Helsinki (OpenStreetMap sample),
reprojected with ``geo.crs`` and tagged with the official districts by ``geo.districts``;
categories, sources, times and how each position was found (the source's own, or a
register's match of the address) come from a seeded generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import store
from geo import crs, districts, geocoding, schema
from geo.errors import StoreError
from store import (
    LOCAL_ANALYST,
    SCHEMA_VERSION,
    IncidentFilter,
    PostGISStore,
    SQLiteStore,
    open_store,
    postgis,
)
from store.base import BATCH_COLUMNS
from tests.postgres import scratch_schema, server_url

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
#: The contract holds for every backend (PostGIS: when the test server answers, see tests/postgres.py).
BACKENDS = ("sqlite", "postgis")
#: What the ``fresh`` fixture gives: a function that opens a new empty store.
Opener = Callable[[], store.IncidentStore]


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def places(shared_data_dir: Path) -> pd.DataFrame:
    """Real address points (plus two outside Helsinki) in EPSG:3067 with their districts.

    ``street`` and ``number`` are the address's text ('' for the two outside points).
    """
    path = shared_data_dir / "helsinki_osm_centre_sample" / "osm_centre_addresses.csv"
    if not path.is_file():
        pytest.skip(f"the OpenStreetMap address sample is not in {shared_data_dir}")
    addresses = pd.read_csv(path, dtype={"postcode": str, "housenumber": str}, keep_default_na=False)
    lon = np.r_[addresses["lon"].to_numpy(float), [p[0] for p in OUTSIDE_LONLAT]]
    lat = np.r_[addresses["lat"].to_numpy(float), [p[1] for p in OUTSIDE_LONLAT]]
    x_m, y_m = crs.to_metric(lon, lat, src=crs.WGS84)
    tags = districts.tag_points(x_m, y_m)
    text = {
        "street": [*addresses["street"], *[""] * len(OUTSIDE_LONLAT)],
        "number": [*addresses["housenumber"], *[""] * len(OUTSIDE_LONLAT)],
    }
    points = pd.DataFrame({"x_m": x_m, "y_m": y_m, "lon": lon, "lat": lat, **text})
    return pd.concat([points, tags], axis=1)


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
    return schema.conform(frame.assign(**placed_by(rng, located, n)), geocode=True)


def placed_by(rng: np.random.Generator, located: pd.DataFrame, n: int) -> dict[str, np.ndarray]:
    """How each position was found: mostly the source's own, else a register's match of the address.

    The rows without an address text (outside Helsinki) and the last two (without a
    location) are the source's own; a street-centre match names the street alone.
    """
    weights = np.array([0.7, 0.12, 0.06, 0.06, 0.03, 0.03])
    quality = rng.choice(np.array(geocoding.PLACED_QUALITIES, dtype=object), n, p=weights)
    own = (located["street"] == "").to_numpy() | (np.arange(n) >= n - 2)
    quality[own] = schema.SOURCE_QUALITY
    street = located["street"].to_numpy(dtype=object)
    address = (located["street"] + " " + located["number"]).to_numpy(dtype=object)
    match = np.where(quality == "street", street, address)
    match[quality == schema.SOURCE_QUALITY] = ""
    return {"geocode_quality": quality, "geocode_match": match}


def sorted_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """What a store's query answers for ``frame``: canonical and geocode columns, by time then id."""
    return schema.conform(frame, geocode=True).sort_values(
        ["occurred_at", "id"], kind="stable", ignore_index=True
    )


def add(st: store.IncidentStore, frame: pd.DataFrame, name: str, **kwargs: Any) -> store.BatchResult:
    options: dict[str, Any] = {
        "content_hash": f"sha256-of-{name}",
        "rows_read": len(frame),
        "rejected": 0,
        "scope": LOCAL_ANALYST,
    }
    options.update(kwargs)
    return st.add_batch(frame, file_name=name, **options)


@pytest.fixture(scope="module")
def incidents(places: pd.DataFrame) -> pd.DataFrame:
    return make_incidents(places, 3000, seed=20240527, prefix="pol")


def open_new(backend: str, stack: ExitStack) -> store.IncidentStore:
    """A new empty store of ``backend``; on PostGIS in a schema of its own, dropped by ``stack``."""
    if backend == "sqlite":
        return open_store(MEMORY)
    _, url = stack.enter_context(scratch_schema(server_url()))
    return open_store(url)


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest) -> Iterator[Opener]:
    """Opens new empty stores of each backend in turn (PostGIS is skipped without a server)."""
    with ExitStack() as stack:
        yield lambda: open_new(request.param, stack)


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest, incidents: pd.DataFrame) -> Iterator[store.IncidentStore]:
    """A store of each backend holding ``incidents``; tests must only read it."""
    with ExitStack() as stack:
        st = stack.enter_context(open_new(request.param, stack))
        add(st, incidents, "police_2023_2024.csv")
        yield st


# --------------------------------------------------------------------------- round trip


def test_query_returns_exactly_what_was_added(filled: store.IncidentStore, incidents: pd.DataFrame) -> None:
    got = filled.query(scope=LOCAL_ANALYST)
    assert dict(got.dtypes.astype(str)) == schema.LOCATED_DTYPES
    pd.testing.assert_frame_equal(got, sorted_canonical(incidents), check_exact=True)
    pd.testing.assert_frame_equal(got, schema.conform(got, geocode=True), check_exact=True)
    # every position quality is in the data, matches with them
    assert set(got["geocode_quality"]) == set(geocoding.PLACED_QUALITIES)
    placed = got["geocode_quality"] != schema.SOURCE_QUALITY
    assert (got["geocode_match"] != "").eq(placed).all()
    # the edge cases really are in the data
    assert got["description"].isna().any() and (got["description"] == "").any()
    outside = int((~incidents["in_helsinki"]).sum())
    assert got["severity"].isna().any() and outside >= 4 and (~got["in_helsinki"]).sum() == outside
    assert got["x_m"].isna().sum() == 2


def test_ties_in_time_are_ordered_by_id(filled: store.IncidentStore) -> None:
    got = filled.query(scope=LOCAL_ANALYST)
    tied = got[got["occurred_at"].duplicated(keep=False)]
    assert len(tied) >= 5
    for _, group in tied.groupby("occurred_at"):
        assert list(group["id"]) == sorted(group["id"])


def test_input_frame_is_not_modified(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 200, seed=5, prefix="keep")
    # extra column, other column order, a non-default index: all allowed, none touched
    given = frame.assign(extra="x").iloc[::-1, ::-1]
    given.index = given.index * 10 + 3
    before = given.copy(deep=True)
    with fresh() as st:
        add(st, given, "given.csv")
        got = st.query(scope=LOCAL_ANALYST)
        got["category"] = "other"  # the result is the caller's to change
        pd.testing.assert_frame_equal(
            st.query(scope=LOCAL_ANALYST), sorted_canonical(frame), check_exact=True
        )
    pd.testing.assert_frame_equal(given, before, check_exact=True)


def test_empty_store_answers_with_the_canonical_schema(fresh: Opener) -> None:
    with fresh() as st:
        got = st.query(scope=LOCAL_ANALYST)
        stats = st.stats()
        assert st.count() == 0
        assert len(st.batches()) == 0
    pd.testing.assert_frame_equal(got, schema.empty_incidents(geocode=True))
    assert stats.total == 0 and stats.first_occurred_at is None and stats.batches == 0
    assert set(stats.by_category.values()) == {0}


# --------------------------------------------------------------------------- duplicates, conflicts


def test_importing_the_same_file_twice_adds_nothing(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 300, seed=6, prefix="twice")
    with fresh() as st:
        first = add(st, frame, "a.csv", note="first")
        before = st.query(scope=LOCAL_ANALYST)
        again = add(st, frame, "a (copy).csv", content_hash="sha256-of-a.csv", note="again")
        assert st.count() == 300
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), before)
        log = st.batches()
    assert (first.added, first.duplicates, first.n_conflicts, first.already_imported) == (300, 0, 0, False)
    assert again.already_imported and again.added == 0 and again.duplicate_of == first.batch_id
    assert again.batch_id == first.batch_id + 1
    assert list(log["duplicate_of"].isna()) == [True, False]
    assert list(log["note"]) == ["first", "again"]
    assert list(log["added"]) == [300, 0]


def test_same_rows_in_another_file_are_duplicates(places: pd.DataFrame, fresh: Opener) -> None:
    old = make_incidents(places, 300, seed=7, prefix="x")
    new = make_incidents(places, 100, seed=8, prefix="y")
    overlap = pd.concat([old.iloc[100:], new], ignore_index=True)
    with fresh() as st:
        add(st, old, "jan.csv")
        result = add(st, overlap, "jan_feb.csv")
        assert st.count() == 400
        pd.testing.assert_frame_equal(
            st.query(scope=LOCAL_ANALYST), sorted_canonical(pd.concat([old, new])), check_exact=True
        )
    counts = (result.added, result.duplicates, result.n_conflicts, result.already_imported)
    assert counts == (100, 200, 0, False)


def test_conflicts_are_reported_and_not_overwritten(places: pd.DataFrame, fresh: Opener) -> None:
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
    with fresh() as st:
        add(st, old, "v1.csv")
        result = add(st, changed, "v2.csv")
        got = st.query(scope=LOCAL_ANALYST)
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


def test_repeated_ids_within_one_file(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 100, seed=10, prefix="r")
    same = frame.iloc[[5]]
    different = frame.iloc[[6]].assign(description="toinen versio")
    batch = pd.concat([frame, same, different], ignore_index=True)
    with fresh() as st:
        result = add(st, batch, "repeats.csv")
        got = st.query(scope=LOCAL_ANALYST)
    assert (result.added, result.duplicates) == (100, 1)
    assert list(result.conflicts["row"]) == [101]
    assert "appears again in this file (first at row 6)" in result.conflicts["reason"].iloc[0]
    pd.testing.assert_frame_equal(got, sorted_canonical(frame), check_exact=True)


# --------------------------------------------------------------------------- how positions were found


def test_frames_without_qualities_store_the_sources_positions(places: pd.DataFrame, fresh: Opener) -> None:
    # as the demo generator or an older caller gives incidents: no geocode columns at all
    bare = make_incidents(places, 200, seed=21, prefix="bare").drop(columns=list(schema.GEOCODE_COLUMNS))
    # and qualities missing on some rows of a frame that has them
    partly = make_incidents(places, 150, seed=22, prefix="partly")
    placed_rows = (partly["geocode_quality"] != schema.SOURCE_QUALITY).to_numpy(dtype=bool)
    gone = (np.arange(len(partly)) % 3 == 0) & placed_rows
    assert gone.sum() >= 10
    partly.loc[gone, list(schema.GEOCODE_COLUMNS)] = pd.NA
    with fresh() as st:
        add(st, bare, "bare.csv")
        add(st, partly, "partly.csv")
        got = st.query(scope=LOCAL_ANALYST).set_index("id")
        stats = st.stats()
    stored_bare = got.loc[bare["id"]]
    assert (stored_bare["geocode_quality"] == schema.SOURCE_QUALITY).all()
    assert (stored_bare["geocode_match"] == "").all()
    stored_partly = got.loc[partly["id"]]
    assert (stored_partly["geocode_quality"].to_numpy()[gone] == schema.SOURCE_QUALITY).all()
    kept = partly.loc[~gone, ["geocode_quality", "geocode_match"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(stored_partly.loc[~gone, kept.columns].reset_index(drop=True), kept)
    placed = int((partly["geocode_quality"].fillna(schema.SOURCE_QUALITY) != schema.SOURCE_QUALITY).sum())
    assert stats.total - stats.by_geocode_quality[schema.SOURCE_QUALITY] == placed > 0


def test_qualities_are_not_part_of_an_incidents_content(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 300, seed=23, prefix="q")
    assert (frame["geocode_quality"] != schema.SOURCE_QUALITY).sum() >= 50
    # the same incidents from a caller that does not know how they were placed, and with
    # every match text changed: duplicates, not conflicts, and the stored qualities stay
    without = frame.drop(columns=list(schema.GEOCODE_COLUMNS))
    renamed = frame.assign(geocode_match=frame["geocode_match"].str.upper())
    with fresh() as st:
        add(st, frame, "placed.csv")
        before = st.query(scope=LOCAL_ANALYST)
        results = [add(st, without, "own.csv"), add(st, renamed, "renamed.csv")]
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), before, check_exact=True)
    for result in results:
        assert (result.added, result.duplicates, result.n_conflicts) == (0, 300, 0)
    pd.testing.assert_frame_equal(before, sorted_canonical(frame), check_exact=True)


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
def test_filters_match_pandas(filled: store.IncidentStore, incidents: pd.DataFrame, label: str) -> None:
    filters = FILTERS[label](incidents)
    expected = pandas_filter(incidents, **filters)
    assert 0 < len(expected) < len(incidents)
    pd.testing.assert_frame_equal(
        filled.query(IncidentFilter(**filters), scope=LOCAL_ANALYST), expected, check_exact=True
    )


def test_time_range_is_half_open_at_the_dst_instants(filled: store.IncidentStore) -> None:
    got = filled.query(IncidentFilter(since=SPRING_FORWARD, until=FALL_BACK), scope=LOCAL_ANALYST)
    assert got["occurred_at"].min() == SPRING_FORWARD
    assert got["occurred_at"].max() == FALL_BACK - pd.Timedelta(microseconds=1)
    hour = filled.query(
        IncidentFilter(
            since=datetime(2024, 10, 27, 3, 30, tzinfo=HELSINKI, fold=0),
            until=datetime(2024, 10, 27, 3, 30, tzinfo=HELSINKI, fold=1),
        ),
        scope=LOCAL_ANALYST,
    )
    # 00:30Z is in, 01:30Z (the same wall time, an hour later) is out
    assert hour["occurred_at"].dt.tz_convert("UTC").min() == pd.Timestamp("2024-10-27 00:30", tz="UTC")
    assert hour["occurred_at"].max() < pd.Timestamp("2024-10-27 01:30", tz="UTC")
    assert filled.query(IncidentFilter(since=FALL_BACK, until=FALL_BACK), scope=LOCAL_ANALYST).empty


def test_edge_box_keeps_its_edge_points(filled: store.IncidentStore, incidents: pd.DataFrame) -> None:
    box = edge_box(incidents)
    got = filled.query(IncidentFilter(bbox_m=box), scope=LOCAL_ANALYST)
    assert (got["x_m"] == box[0]).any() and (got["x_m"] == box[2]).any()
    assert (got["y_m"] == box[1]).any() and (got["y_m"] == box[3]).any()
    # a millimetre inside on every side loses exactly the edge points
    inner = filled.query(
        IncidentFilter(bbox_m=(box[0] + 1e-3, box[1] + 1e-3, box[2] - 1e-3, box[3] - 1e-3)),
        scope=LOCAL_ANALYST,
    )
    on_edge = got["x_m"].isin(box[::2]) | got["y_m"].isin(box[1::2])
    assert len(inner) == len(got) - int(on_edge.sum()) and on_edge.sum() >= 4


def test_empty_lists_keep_nothing(filled: store.IncidentStore) -> None:
    assert filled.query(IncidentFilter(categories=[]), scope=LOCAL_ANALYST).empty
    assert filled.query(IncidentFilter(osaalue_codes=[]), scope=LOCAL_ANALYST).empty
    assert len(filled.query(IncidentFilter(categories=None), scope=LOCAL_ANALYST)) == filled.count()


def test_concurrent_queries_from_threads(filled: store.IncidentStore) -> None:
    wanted = [["assault"], ["robbery", "weapons"], ["other"], ["vandalism"]]
    serial = [filled.query(IncidentFilter(categories=c), scope=LOCAL_ANALYST) for c in wanted]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(
            pool.map(lambda c: filled.query(IncidentFilter(categories=c), scope=LOCAL_ANALYST), wanted)
        )
    for one, other in zip(serial, parallel, strict=True):
        pd.testing.assert_frame_equal(one, other)


# --------------------------------------------------------------------------- batches, stats


def test_batches_are_recorded_with_counts(places: pd.DataFrame, fresh: Opener) -> None:
    jan = make_incidents(places, 120, seed=17, prefix="jan")
    feb = make_incidents(places, 80, seed=18, prefix="feb")
    started = pd.Timestamp.now(tz="UTC")
    with fresh() as st:
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
    assert list(log.columns) == list(BATCH_COLUMNS)
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


def test_stats_agree_with_pandas(filled: store.IncidentStore, incidents: pd.DataFrame) -> None:
    stats = filled.stats()
    assert stats.total == len(incidents) == filled.count()
    assert stats.by_category == {c: int((incidents["category"] == c).sum()) for c in schema.CATEGORIES}
    assert stats.by_source == {s: int((incidents["source"] == s).sum()) for s in schema.SOURCES}
    quality = incidents["geocode_quality"]
    assert stats.by_geocode_quality == {q: int((quality == q).sum()) for q in geocoding.PLACED_QUALITIES}
    assert stats.first_occurred_at == incidents["occurred_at"].min()
    assert stats.last_occurred_at == incidents["occurred_at"].max()
    assert stats.first_occurred_at is not None
    assert str(stats.first_occurred_at.tz) == schema.TIMEZONE
    assert stats.synthetic == int(incidents["synthetic"].sum())
    assert stats.batches == 1
    newest = postgis.SCHEMA_VERSION if isinstance(filled, PostGISStore) else SCHEMA_VERSION
    assert stats.schema_version == newest == filled.schema_version


# --------------------------------------------------------------------------- closing


def test_closed_store_says_so(fresh: Opener) -> None:
    st = fresh()
    with st:
        assert st.count() == 0
    with pytest.raises(StoreError, match="is closed"):
        st.count()
    st.close()  # closing twice is fine


# --------------------------------------------------------------------------- opening by URL


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
