"""The PostgreSQL + PostGIS store (store.postgis) behaves exactly like the SQLite store.

The shared contract (test_store_base.py) runs on PostGIS too; here the same incidents go into
both backends and the answers are compared (and, where test_store_base.py has one, with the
pandas reference), and what only PostgreSQL does is checked: the geometry column and its
GiST index, COPY, concurrent writers, schemas, dropped connections, roles and URLs. The
incidents are those of test_store_base.py: real central-Helsinki addresses tagged with the
official districts.

Needs a server (tests/postgres.py): ``eval "$(bash .ci/postgres.sh)"`` sets
``HOTSPOTS_TEST_PG_URL``. Without it (or when the server does not answer) these tests are
skipped, except the few that need no server. Each test works in a schema of its own,
dropped afterwards.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from psycopg import sql

import store
from geo import geocoding, schema
from geo.errors import StoreError
from store import LOCAL_ANALYST, IncidentFilter, SQLiteStore, open_store, postgis
from store.base import APPLICATION
from store.measure_records import Measure
from store.postgis import PostGISStore, libpq_url
from tests import test_store_base
from tests.postgres import admin, in_schema, scratch_schema, server_url, with_options
from tests.test_store_base import (
    FALL_BACK,
    FILTERS,
    HELSINKI,
    MEMORY,
    add,
    make_incidents,
    pandas_filter,
    sorted_canonical,
)

#: test_store_base's module fixture: real central-Helsinki addresses with their districts.
addresses = test_store_base.places
PROJECT_DIR = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- server and schemas


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test server's URL with PostGIS created in its database; skips without a server."""
    return server_url()


@pytest.fixture
def schema_url(pg_url: str) -> Iterator[str]:
    """Store URL of a fresh schema of this test's own."""
    with scratch_schema(pg_url) as (_, url):
        yield url


def pg_open(url: str) -> PostGISStore:
    st = open_store(url)
    assert isinstance(st, PostGISStore)
    return st


# --------------------------------------------------------------------------- both backends, filled


@pytest.fixture(scope="module")
def incidents(addresses: pd.DataFrame) -> pd.DataFrame:
    return make_incidents(addresses, 3000, seed=20240527, prefix="pol")


@pytest.fixture(scope="module")
def filled_url(pg_url: str) -> Iterator[str]:
    """URL of the schema that ``backends`` fills."""
    with scratch_schema(pg_url) as (_, url):
        yield url


@pytest.fixture(scope="module")
def backends(filled_url: str, incidents: pd.DataFrame) -> Iterator[tuple[PostGISStore, SQLiteStore]]:
    """The same incidents in a PostGIS and an SQLite store; tests must only read them."""
    with pg_open(filled_url) as pg, open_store(MEMORY) as sq:
        assert isinstance(sq, SQLiteStore)
        add(pg, incidents, "police_2023_2024.csv")
        add(sq, incidents, "police_2023_2024.csv")
        yield pg, sq


def test_query_returns_what_sqlite_returns(
    backends: tuple[PostGISStore, SQLiteStore], incidents: pd.DataFrame
) -> None:
    pg, sq = backends
    got = pg.query(scope=LOCAL_ANALYST)
    assert dict(got.dtypes.astype(str)) == schema.LOCATED_DTYPES
    pd.testing.assert_frame_equal(got, sq.query(scope=LOCAL_ANALYST), check_exact=True)
    pd.testing.assert_frame_equal(got, sorted_canonical(incidents), check_exact=True)
    assert (
        got["x_m"].isna().sum() == 2 and got["description"].isna().any() and (got["description"] == "").any()
    )


EXTRA_FILTERS: dict[str, Callable[[pd.DataFrame], dict[str, Any]]] = {
    "bbox that is a vertical line through points": lambda f: {
        "bbox_m": (
            float(f["x_m"].iloc[10]),
            float(f["y_m"].min()),
            float(f["x_m"].iloc[10]),
            float(f["y_m"].max()),
        )
    },
    "bbox that is one point": lambda f: {"bbox_m": (float(f["x_m"].iloc[11]), float(f["y_m"].iloc[11])) * 2},
    "bbox far from Helsinki": lambda f: {"bbox_m": (0.0, 0.0, 10.0, 10.0)},
    "empty categories": lambda f: {"categories": []},
    "empty osaalue codes": lambda f: {"osaalue_codes": []},
    "unknown district code": lambda f: {"peruspiiri_codes": ["999"]},
    "since equals until": lambda f: {"since": FALL_BACK, "until": FALL_BACK},
    "several levels at once": lambda f: {
        "suurpiiri_codes": sorted(f["suurpiiri_code"].dropna().unique())[:3],
        "peruspiiri_codes": sorted(f["peruspiiri_code"].dropna().unique())[:6],
        "osaalue_codes": sorted(f["osaalue_code"].dropna().unique())[:20],
        "sources": ["police", "resident"],
    },
}


@pytest.mark.parametrize("label", [*FILTERS, *EXTRA_FILTERS])
def test_filters_match_sqlite_and_pandas(
    backends: tuple[PostGISStore, SQLiteStore], incidents: pd.DataFrame, label: str
) -> None:
    pg, sq = backends
    filters = {**FILTERS, **EXTRA_FILTERS}[label](incidents)
    expected = pandas_filter(incidents, **filters)
    if label in FILTERS:
        assert 0 < len(expected) < len(incidents)
    got = pg.query(IncidentFilter(**filters), scope=LOCAL_ANALYST)
    pd.testing.assert_frame_equal(
        got, sq.query(IncidentFilter(**filters), scope=LOCAL_ANALYST), check_exact=True
    )
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_geometry_column_holds_the_points_in_epsg_3067(
    backends: tuple[PostGISStore, SQLiteStore], filled_url: str
) -> None:
    [(located, unlocated, total)] = in_schema(
        filled_url,
        "SELECT count(*) FILTER (WHERE ST_X(geom) = x_m AND ST_Y(geom) = y_m AND ST_SRID(geom) = 3067), "
        "count(*) FILTER (WHERE geom IS NULL AND x_m IS NULL), count(*) FROM incidents",
    )
    assert (located, unlocated, total) == (total - 2, 2, backends[0].count())


def test_stats_equal_sqlite(backends: tuple[PostGISStore, SQLiteStore], incidents: pd.DataFrame) -> None:
    pg, sq = backends
    got = pg.stats()
    assert got.schema_version == postgis.SCHEMA_VERSION == pg.schema_version
    assert dataclasses.replace(got, schema_version=0) == dataclasses.replace(sq.stats(), schema_version=0)
    assert got.total == len(incidents) == pg.count() and got.batches == 1
    assert got.first_occurred_at is not None and str(got.first_occurred_at.tz) == schema.TIMEZONE


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (
            {"since": datetime(2024, 1, 1, tzinfo=HELSINKI), "until": datetime(2024, 1, 15, tzinfo=HELSINKI)},
            "incidents_occurred_at",
        ),
        ({"bbox_m": (385_500.0, 6_671_500.0, 385_800.0, 6_671_800.0)}, "incidents_geom"),
        ({"osaalue_codes": ["020"]}, "incidents_osaalue"),
    ],
)
def test_queries_use_the_indexes(
    backends: tuple[PostGISStore, SQLiteStore], filters: dict[str, Any], index: str
) -> None:
    pg, _ = backends
    plan = "\n".join(pg.query_plan(IncidentFilter(**filters)))
    assert f"Index Scan on {index}" in plan or f"Index Scan using {index}" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_a_youth_worker_s_query_reads_only_her_districts_by_their_index(
    backends: tuple[PostGISStore, SQLiteStore],
) -> None:
    pg, _ = backends
    siltasaari = store.Scope("anna@hel.fi", "youth_worker", ("111",))  # 5 % of the rows, in Kallio
    plan = "\n".join(pg.query_plan(scope=siltasaari))
    assert "incidents_osaalue" in plan and "Seq Scan" not in plan, plan


def test_every_filter_column_has_its_index(schema_url: str) -> None:
    with pg_open(schema_url):
        pass
    indexes = dict(
        in_schema(schema_url, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'incidents'")
    )
    for name in ("occurred_at", "category", "source", "osaalue", "peruspiiri", "suurpiiri"):
        assert "USING btree" in indexes[f"incidents_{name}"]
    assert "USING gist (geom)" in indexes["incidents_geom"]


# --------------------------------------------------------------------------- imports


def changed_copy(old: pd.DataFrame) -> pd.DataFrame:
    """``old`` with five incidents edited (conflicts) and one renamed district (not a change)."""
    changed = old.copy()
    changed.loc[3, "category"] = next(c for c in schema.CATEGORIES if c != old.loc[3, "category"])
    changed.loc[50, "source"] = next(s for s in schema.SOURCES if s != old.loc[50, "source"])
    changed.loc[77, "description"] = "korjattu kuvaus"
    changed["x_m"] = changed["x_m"] + np.where(changed.index == 120, 5.0, 0.0)
    changed["occurred_at"] = changed["occurred_at"] + pd.to_timedelta(
        np.where(changed.index == 150, 60, 0), unit="s"
    )
    changed.loc[10, "osaalue_fi"] = "Uusi nimi"
    return changed


def import_story(st: store.IncidentStore, addresses: pd.DataFrame) -> list[store.BatchResult]:
    """A season of imports: new file, the same file again, an overlap, edits, repeats in one file."""
    old = make_incidents(addresses, 300, seed=7, prefix="x")
    new = make_incidents(addresses, 100, seed=8, prefix="y")
    edited = new.iloc[:5].assign(
        category=[next(c for c in schema.CATEGORIES if c != x) for x in new["category"][:5]]
    )
    repeats = pd.concat([new.iloc[:5], edited, new.iloc[:3]], ignore_index=True)
    return [
        add(st, old, "jan.csv", note="first"),
        add(st, old, "jan (copy).csv", content_hash="sha256-of-jan.csv", note="again"),
        add(
            st, pd.concat([old.iloc[100:], new], ignore_index=True), "jan_feb.csv", rows_read=420, rejected=20
        ),
        add(st, changed_copy(old), "jan_v2.csv"),
        add(st, repeats, "repeats.csv"),
        add(st, old, "jan (third copy).csv", content_hash="sha256-of-jan.csv"),
    ]


def test_imports_give_the_same_results_as_sqlite(addresses: pd.DataFrame, schema_url: str) -> None:
    with pg_open(schema_url) as pg, open_store(MEMORY) as sq:
        got, expected = import_story(pg, addresses), import_story(sq, addresses)
        pd.testing.assert_frame_equal(
            pg.query(scope=LOCAL_ANALYST), sq.query(scope=LOCAL_ANALYST), check_exact=True
        )
        log, expected_log = pg.batches(), sq.batches()
        assert pg.count() == sq.count() == 400
    for one, other in zip(got, expected, strict=True):
        assert one == other  # batch_id, added, duplicates, already_imported, duplicate_of
        pd.testing.assert_frame_equal(one.conflicts, other.conflicts)
    counts = [
        (r.batch_id, r.added, r.duplicates, r.n_conflicts, r.already_imported, r.duplicate_of) for r in got
    ]
    assert counts == [
        (1, 300, 0, 0, False, None),
        (2, 0, 0, 0, True, 1),
        (3, 100, 200, 0, False, None),
        (4, 0, 295, 5, False, None),
        (5, 0, 8, 5, False, None),
        (6, 0, 0, 0, True, 1),
    ]
    assert list(got[3].conflicts["row"]) == [3, 50, 77, 120, 150]
    assert got[4].conflicts["reason"].str.contains("appears again in this file").all()
    pd.testing.assert_frame_equal(log.drop(columns="imported_at"), expected_log.drop(columns="imported_at"))
    assert str(log["imported_at"].dtype) == "datetime64[ns, UTC]"
    assert log["imported_at"].is_monotonic_increasing


def test_import_times_come_from_the_server_clock(addresses: pd.DataFrame, schema_url: str) -> None:
    started = pd.Timestamp.now(tz="UTC")
    with pg_open(schema_url) as pg:
        add(pg, make_incidents(addresses, 30, seed=2, prefix="t"), "t.csv")
        stamp = pg.batches()["imported_at"].iloc[0]
    assert started - pd.Timedelta(seconds=5) <= stamp <= pd.Timestamp.now(tz="UTC") + pd.Timedelta(seconds=5)


def test_empty_store_answers_like_sqlite(schema_url: str) -> None:
    with pg_open(schema_url) as pg, open_store(MEMORY) as sq:
        pd.testing.assert_frame_equal(pg.query(scope=LOCAL_ANALYST), schema.empty_incidents(geocode=True))
        pd.testing.assert_frame_equal(pg.batches(), sq.batches())
        assert dataclasses.replace(pg.stats(), schema_version=0) == dataclasses.replace(
            sq.stats(), schema_version=0
        )
        assert pg.count() == 0


def test_a_failure_mid_batch_leaves_no_trace(
    addresses: pd.DataFrame,
    schema_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_incidents(addresses, 300, seed=11, prefix="a")
    second = make_incidents(addresses, 600, seed=12, prefix="b")
    second.loc[:, "osaalue_fi"] = second["osaalue_fi"] + " (uusi)"  # new district tags too
    with pg_open(schema_url) as pg:
        add(pg, first, "a.csv")
        before, before_log = pg.query(scope=LOCAL_ANALYST), pg.batches()
        tags_before = in_schema(schema_url, "SELECT count(*) FROM district_tags")
        # No public seam reaches into the middle of a COPY: the private row generator is
        # the one place where a failure can strike after half the rows went in.
        real_rows = postgis._incident_rows
        sent: list[tuple[Any, ...]] = []

        def failing_rows(*args: Any) -> Iterator[tuple[Any, ...]]:
            for row in real_rows(*args):
                if len(sent) == 300:
                    raise RuntimeError("network cable unplugged")
                sent.append(row)
                yield row

        monkeypatch.setattr(postgis, "_incident_rows", failing_rows)
        with pytest.raises(RuntimeError, match="network cable unplugged"):
            add(pg, second, "b.csv")
        assert len(sent) == 300  # half of the batch went into the COPY
        assert pg.count() == 300
        pd.testing.assert_frame_equal(pg.query(scope=LOCAL_ANALYST), before, check_exact=True)
        pd.testing.assert_frame_equal(pg.batches(), before_log)
        assert in_schema(schema_url, "SELECT count(*) FROM district_tags") == tags_before
        monkeypatch.undo()
        retry = add(pg, second, "b.csv")
        assert (retry.added, retry.batch_id, retry.already_imported) == (600, 2, False)
        pd.testing.assert_frame_equal(
            pg.query(scope=LOCAL_ANALYST), sorted_canonical(pd.concat([first, second])), check_exact=True
        )


#: Kills the importing process half way through the COPY (through the private row generator:
#: no public seam reaches into the middle of a batch).
CRASH_SCRIPT = """
import os, sys
import pandas as pd
import store
from store import postgis
frame = pd.read_pickle(sys.argv[2])
real_rows = postgis._incident_rows
def dying_rows(*args):
    for i, row in enumerate(real_rows(*args)):
        if i == len(frame) // 2:
            os._exit(17)  # the process dies mid-COPY: no rollback, no close
        yield row
postgis._incident_rows = dying_rows
st = store.open_store(sys.argv[1])
st.add_batch(
    frame,
    file_name="b.csv",
    content_hash="hash-b",
    rows_read=len(frame),
    rejected=0,
    scope=store.LOCAL_ANALYST,
)
"""


def test_a_crashed_process_leaves_the_previous_state(
    addresses: pd.DataFrame,
    schema_url: str,
    tmp_path: Path,
) -> None:
    first = make_incidents(addresses, 200, seed=13, prefix="a")
    second = make_incidents(addresses, 4000, seed=14, prefix="b")
    with pg_open(schema_url) as pg:
        add(pg, first, "a.csv")
        before, before_log = pg.query(scope=LOCAL_ANALYST), pg.batches()
    second.to_pickle(tmp_path / "second.pkl")
    done = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, schema_url, str(tmp_path / "second.pkl")],
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 17, done.stderr
    with pg_open(schema_url) as pg:
        pd.testing.assert_frame_equal(pg.query(scope=LOCAL_ANALYST), before, check_exact=True)
        pd.testing.assert_frame_equal(pg.batches(), before_log)
        assert add(pg, second, "b.csv", content_hash="hash-b").added == 4000


def test_concurrent_writers_import_a_file_once(addresses: pd.DataFrame, schema_url: str) -> None:
    frame = make_incidents(addresses, 2000, seed=21, prefix="w")
    with pg_open(schema_url) as one, pg_open(schema_url) as two, ThreadPoolExecutor(max_workers=2) as pool:
        same_file = sorted(pool.map(lambda st: add(st, frame, "w.csv"), (one, two)), key=lambda r: r.batch_id)
        # the same rows in two different files at once: added once, duplicates the other time
        other = make_incidents(addresses, 2000, seed=22, prefix="v")
        names = ("v1.csv", "v2.csv")
        same_rows = sorted(
            pool.map(lambda args: add(args[0], other, args[1]), zip((one, two), names, strict=True)),
            key=lambda r: r.batch_id,
        )
        assert one.count() == 4000
    assert [(r.batch_id, r.added, r.already_imported) for r in same_file] == [(1, 2000, False), (2, 0, True)]
    assert same_file[1].duplicate_of == 1
    assert [(r.batch_id, r.added, r.duplicates, r.n_conflicts) for r in same_rows] == [
        (3, 2000, 0, 0),
        (4, 0, 2000, 0),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: f.assign(category=f["category"].mask(f.index == 7, "huumausainerikos")),
            r"row 7 .*category 'huumausainerikos'.*allowed",
        ),
        (lambda f: f.assign(id=f["id"].mask(f.index == 4, pd.NA)), "row 4 has no id"),
        (
            lambda f: f.assign(description=f["description"].mask(f.index == 9, "ennen\x00jälkeen")),
            r"row 9 \(id 'nul-\d+'\) has a NUL character .* in description",
        ),
        (
            lambda f: f.assign(category_raw=f["category_raw"].mask(f.index == 29, "\x00")),
            r"row 29 .* NUL character .* in category_raw",
        ),
    ],
)
def test_rows_that_cannot_be_stored_stop_the_batch(
    addresses: pd.DataFrame,
    schema_url: str,
    change: Callable[[pd.DataFrame], pd.DataFrame],
    message: str,
) -> None:
    frame = change(make_incidents(addresses, 30, seed=15, prefix="nul"))
    with pg_open(schema_url) as pg:
        with pytest.raises(StoreError, match=message):
            add(pg, frame, "bad.csv")
        assert pg.count() == 0 and len(pg.batches()) == 0
        # the connection is usable again
        assert add(pg, make_incidents(addresses, 30, seed=15, prefix="ok"), "good.csv").added == 30


# --------------------------------------------------------------------------- versions and schemas


def meta(url: str) -> dict[str, str]:
    return dict(in_schema(url, "SELECT key, value FROM meta"))


def test_new_store_carries_the_schema_version(schema_url: str) -> None:
    with pg_open(schema_url) as pg:
        assert pg.schema_version == postgis.SCHEMA_VERSION
    assert meta(schema_url) == {
        "application": APPLICATION,
        "schema_version": str(postgis.SCHEMA_VERSION),
    }


def test_a_newer_store_is_refused_and_left_alone(schema_url: str) -> None:
    pg_open(schema_url).close()
    in_schema(schema_url, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"schema version 99.*Upgrade helsinki-hotspots"):
        open_store(schema_url)
    assert meta(schema_url)["schema_version"] == "99"


def test_an_older_store_is_migrated(
    addresses: pd.DataFrame,
    schema_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pg_open(schema_url) as pg:
        add(pg, make_incidents(addresses, 100, seed=20, prefix="mig"), "m.csv")
        before = pg.query(scope=LOCAL_ANALYST)
    following = postgis.SCHEMA_VERSION + 1
    step = store.Migration(
        following, "index on severity", ("CREATE INDEX incidents_severity ON incidents (severity)",)
    )
    monkeypatch.setattr(postgis, "MIGRATIONS", (*postgis.MIGRATIONS, step))
    with pg_open(schema_url) as pg:
        assert pg.schema_version == following
        pd.testing.assert_frame_equal(pg.query(scope=LOCAL_ANALYST), before, check_exact=True)
    assert meta(schema_url)["schema_version"] == str(following)
    assert in_schema(
        schema_url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'incidents_severity'"
    ) == [(1,)]
    monkeypatch.undo()
    with pytest.raises(StoreError, match="newer version"):
        open_store(schema_url)


def test_a_failing_migration_leaves_the_store_unchanged(
    schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg_open(schema_url).close()
    newest = postgis.SCHEMA_VERSION
    broken = store.Migration(
        newest + 1,
        "broken step",
        ("CREATE INDEX ok_index ON incidents (lon)", "CREATE INDEX bad ON nowhere (x)"),
    )
    monkeypatch.setattr(postgis, "MIGRATIONS", (*postgis.MIGRATIONS, broken))
    failed = rf"to schema version {newest + 1} \(broken step\) failed"
    with pytest.raises(StoreError, match=rf"{failed}.*unchanged at version {newest};"):
        open_store(schema_url)
    assert meta(schema_url)["schema_version"] == str(newest)
    assert in_schema(schema_url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ok_index'") == [(0,)]


def test_migrations_must_be_numbered_without_gaps(schema_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    newest = postgis.SCHEMA_VERSION
    skipping = store.Migration(newest + 2, "skips one", ())
    monkeypatch.setattr(postgis, "MIGRATIONS", (*postgis.MIGRATIONS, skipping))
    numbers = [*range(1, newest + 1), newest + 2]
    with pytest.raises(StoreError, match=rf"without gaps, got {re.escape(str(numbers))}"):
        open_store(schema_url)


# --------------------------------------------------------------------------- version 1 stores


def write_old_store(url: str, pg_url: str, frame: pd.DataFrame, file_name: str, *, version: int = 1) -> None:
    """A PostGIS store as ``version`` of this tool left it in ``url``'s schema, holding ``frame``.

    The tables are made by that version's own statements (``MIGRATIONS[:version]``, never
    changed once released). The rows are written by today's code into a store in a scratch
    schema and copied over without the columns the old version did not have (and without
    ``geom``, which the database computes): every other value, the content hash included, is
    what that version wrote. Version 1 never saw how positions were found, so ``frame`` goes
    into it without its geocode columns.
    """
    with scratch_schema(pg_url) as (today, today_url):
        with pg_open(today_url) as st:
            kept = (
                frame if version >= 2 else frame.drop(columns=list(schema.GEOCODE_COLUMNS), errors="ignore")
            )
            add(st, kept, file_name)
        with admin(url) as conn, conn.transaction():
            for step in postgis.MIGRATIONS[:version]:
                for statement in step.statements:
                    conn.execute(statement)
            conn.cursor().executemany(
                "INSERT INTO meta (key, value) VALUES (%s, %s)",
                [("application", APPLICATION), ("schema_version", str(version))],
            )
            for table in ("batches", "district_tags", "incidents"):
                names = conn.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s AND is_generated = 'NEVER' "
                    "ORDER BY ordinal_position",
                    (table,),
                ).fetchall()
                columns = sql.SQL(", ").join(sql.Identifier(name) for (name,) in names)
                conn.execute(
                    sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
                        sql.Identifier(table), columns, columns, sql.Identifier(today, table)
                    )
                )


def write_v1_store(url: str, pg_url: str, frame: pd.DataFrame, file_name: str) -> None:
    """A PostGIS store as version 1 of this tool left it (``write_old_store``)."""
    write_old_store(url, pg_url, frame, file_name, version=1)


def incident_columns(url: str) -> list[str]:
    rows = in_schema(
        url,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'incidents' ORDER BY ordinal_position",
    )
    return [name for (name,) in rows]


def test_a_version_1_store_is_migrated_and_keeps_its_incidents(
    addresses: pd.DataFrame, schema_url: str, pg_url: str
) -> None:
    old = make_incidents(addresses, 400, seed=24, prefix="v1")
    assert (old["geocode_quality"] != schema.SOURCE_QUALITY).sum() >= 50
    write_v1_store(schema_url, pg_url, old, "2024.csv")
    assert meta(schema_url)["schema_version"] == "1"
    assert not set(schema.GEOCODE_COLUMNS) & set(incident_columns(schema_url))
    # what version 1 knew of these incidents: no qualities, so the source's own positions
    known = old.drop(columns=list(schema.GEOCODE_COLUMNS))
    new = make_incidents(addresses, 150, seed=25, prefix="v2")
    with pg_open(schema_url) as pg, open_store(MEMORY) as sq:
        assert pg.schema_version == postgis.SCHEMA_VERSION == 4
        pd.testing.assert_frame_equal(
            pg.query(scope=LOCAL_ANALYST), sorted_canonical(known), check_exact=True
        )
        box = (385_000.0, 6_671_000.0, 386_500.0, 6_672_500.0)  # the GiST index on geom came along
        inside = known["x_m"].between(box[0], box[2]) & known["y_m"].between(box[1], box[3])
        assert len(pg.query(IncidentFilter(bbox_m=box), scope=LOCAL_ANALYST)) == int(inside.sum()) > 0
        stats = pg.stats()
        assert stats.by_geocode_quality == {
            q: 400 if q == "source" else 0 for q in geocoding.PLACED_QUALITIES
        }
        # the same file again (another copy, so its rows are compared), now with its qualities
        again = add(pg, old, "2024 (copy).csv")
        assert (again.added, again.duplicates, again.n_conflicts) == (0, 400, 0)
        assert add(pg, new, "2025.csv").added == 150
        assert add(pg, new, "2025 (copy).csv").duplicates == 150
        got = pg.query(scope=LOCAL_ANALYST)
        # the same history in SQLite answers the same, qualities aside
        add(sq, known, "2024.csv")
        add(sq, new, "2025.csv")
        pd.testing.assert_frame_equal(got, sq.query(scope=LOCAL_ANALYST), check_exact=True)
    assert meta(schema_url)["schema_version"] == "4"
    assert incident_columns(schema_url)[-2:] == list(schema.GEOCODE_COLUMNS)
    pd.testing.assert_frame_equal(got, sorted_canonical(pd.concat([known, new])), check_exact=True)
    nulls = in_schema(schema_url, "SELECT count(*) FROM incidents WHERE geocode_quality IS NULL")
    assert nulls == [(400,)]  # the rows stored before were not rewritten


def test_a_failing_version_2_step_leaves_a_version_1_store_as_it_was(
    addresses: pd.DataFrame, schema_url: str, pg_url: str
) -> None:
    write_v1_store(schema_url, pg_url, make_incidents(addresses, 50, seed=26, prefix="v1"), "2024.csv")
    in_schema(schema_url, "ALTER TABLE incidents ADD COLUMN geocode_match text")  # someone's own column
    with pytest.raises(StoreError, match=r"to schema version 2 \(geocode_quality .*unchanged at version 1;"):
        open_store(schema_url)
    assert meta(schema_url)["schema_version"] == "1"
    assert "geocode_quality" not in incident_columns(schema_url)  # the first step was rolled back too


# --------------------------------------------------------------------------- version 2 stores


def table_names(url: str) -> set[str]:
    return {
        name
        for (name,) in in_schema(url, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    }


def test_a_version_2_store_gets_users_and_an_audit_trail_and_keeps_its_incidents(
    addresses: pd.DataFrame, schema_url: str, pg_url: str
) -> None:
    old = make_incidents(addresses, 300, seed=28, prefix="v2")
    write_old_store(schema_url, pg_url, old, "2025.csv", version=2)
    assert meta(schema_url)["schema_version"] == "2" and not {"users", "audit"} & table_names(schema_url)
    admin = store.Scope("root", "admin", None)
    with pg_open(schema_url) as pg:
        assert pg.schema_version == postgis.SCHEMA_VERSION == 4
        pd.testing.assert_frame_equal(pg.query(scope=LOCAL_ANALYST), sorted_canonical(old), check_exact=True)
        log = pg.batches()
        assert list(log["file_name"]) == ["2025.csv"] and log["deleted_in"].isna().all()
        assert pg.users().empty and pg.audit_log().empty
        assert pg.delete_batch(int(log["batch_id"].iloc[0]), scope=admin) == 300
        assert add(pg, old, "2025.csv").added == 300
        assert list(pg.audit_log()["action"]) == ["delete_batch", "import"]
    assert meta(schema_url)["schema_version"] == "4"
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        in_schema(schema_url, "DELETE FROM audit")


def test_a_failing_version_3_step_leaves_a_version_2_store_as_it_was(
    addresses: pd.DataFrame, schema_url: str, pg_url: str
) -> None:
    write_old_store(
        schema_url, pg_url, make_incidents(addresses, 40, seed=29, prefix="v2"), "2025.csv", version=2
    )
    in_schema(schema_url, "CREATE TABLE audit (note text)")  # someone's own table, named like a new one
    with pytest.raises(StoreError, match=r"to schema version 3 \(users and roles, .*unchanged at version 2;"):
        open_store(schema_url)
    assert meta(schema_url)["schema_version"] == "2"
    assert "users" not in table_names(schema_url)  # the first statement was rolled back too
    columns = in_schema(
        schema_url,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'batches'",
    )
    assert ("deleted_in",) not in columns


# --------------------------------------------------------------------------- version 3 stores


def test_a_version_3_store_gets_measures_and_keeps_its_incidents_and_users(
    addresses: pd.DataFrame, schema_url: str, pg_url: str
) -> None:
    old = make_incidents(addresses, 300, seed=30, prefix="v3")
    write_old_store(schema_url, pg_url, old, "2025.csv", version=3)
    # a youth worker of Kallio's Linjat and an audit row, as version 3 wrote them
    in_schema(
        schema_url,
        "INSERT INTO users (user_id, role, districts, added_at, added_by) "
        "VALUES ('aino@hel.fi', 'youth_worker', '112', '2025-01-01 00:00+02', 'root'); "
        "INSERT INTO audit (at, user_id, role, action, detail) "
        "VALUES ('2025-01-01 00:00+02', 'root', 'admin', 'user_change', '{}')",
    )
    assert meta(schema_url)["schema_version"] == "3"
    assert not {"measures", "measure_osaalue"} & table_names(schema_url)
    with pg_open(schema_url) as pg:
        assert pg.schema_version == postgis.SCHEMA_VERSION == 4
        pd.testing.assert_frame_equal(pg.query(scope=LOCAL_ANALYST), sorted_canonical(old), check_exact=True)
        aino = pg.user("aino@hel.fi")
        assert aino == store.Scope("aino@hel.fi", "youth_worker", ("112",))
        assert pg.measures(scope=LOCAL_ANALYST) == []
        area = shapely.Point(386_000.0, 6_673_600.0).buffer(100.0)  # in Linjat
        given = Measure(
            "outreach", "youth_work", area, pd.Timestamp("2025-09-01"), pd.Timestamp("2025-10-01")
        )
        assert pg.add_measure(given, place_kind="drawn", place_ref="", osaalue=["112"], scope=aino) == 1
        assert [r.id for r in pg.measures(scope=aino)] == [1]
        assert list(pg.audit_log()["action"]) == ["user_change", "measure_add"]
    assert meta(schema_url)["schema_version"] == "4"
    # GIS tools read the area straight from the table, in metres
    assert in_schema(
        schema_url, "SELECT GeometryType(area), ST_SRID(area), round(ST_Area(area)) FROM measures"
    ) == [("MULTIPOLYGON", 3067, round(area.area))]


def test_a_failing_version_4_step_leaves_a_version_3_store_as_it_was(
    addresses: pd.DataFrame, schema_url: str, pg_url: str
) -> None:
    write_old_store(
        schema_url, pg_url, make_incidents(addresses, 40, seed=31, prefix="v3"), "2025.csv", version=3
    )
    in_schema(schema_url, "CREATE TABLE measure_osaalue (note text)")  # someone's own table
    with pytest.raises(
        StoreError, match=r"to schema version 4 \(measures with their area, .*unchanged at version 3;"
    ):
        open_store(schema_url)
    assert meta(schema_url)["schema_version"] == "3"
    assert "measures" not in table_names(schema_url)  # the first statement was rolled back too


def test_a_store_newer_than_version_4_is_refused(addresses: pd.DataFrame, schema_url: str) -> None:
    with pg_open(schema_url) as pg:
        add(pg, make_incidents(addresses, 30, seed=27, prefix="v5"), "a.csv")
    in_schema(schema_url, "UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"schema version 5, written by a newer version .* up to version 4"):
        open_store(schema_url)
    assert meta(schema_url)["schema_version"] == "5"


def test_schemas_that_are_not_stores_are_refused(schema_url: str) -> None:
    in_schema(schema_url, "CREATE TABLE customers (name text)")
    with pytest.raises(StoreError, match=r"holds other tables \(\['customers'\]\).*not an incident store"):
        open_store(schema_url)
    in_schema(schema_url, "DROP TABLE customers; CREATE TABLE meta (key text, value text)")
    with pytest.raises(StoreError, match="not an incident store of this tool"):
        open_store(schema_url)


def test_stores_in_two_schemas_are_separate(addresses: pd.DataFrame, pg_url: str) -> None:
    with (
        scratch_schema(pg_url) as (police, police_url),
        scratch_schema(pg_url) as (_, city_url),
        pg_open(police_url) as one,
        pg_open(city_url) as two,
    ):
        add(one, make_incidents(addresses, 50, seed=30, prefix="p"), "p.csv")
        assert (one.count(), two.count(), one.db_schema) == (50, 0, police)


def test_a_missing_schema_is_explained(pg_url: str) -> None:
    url = with_options(pg_url, options="-csearch_path=no_such_schema_here")
    with pytest.raises(StoreError, match=r"no schema of the search_path \(no_such_schema_here\)"):
        open_store(url)


# --------------------------------------------------------------------------- connections and URLs


def _password(url: str) -> str:
    return urlsplit(url).password or ""


def test_open_store_routes_every_postgresql_url_form(
    schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = _password(schema_url)
    rest = schema_url.split("://", 1)[1]
    for scheme in ("postgresql", "postgres", "postgresql+psycopg", "POSTGRESQL"):
        with open_store(f"{scheme}://{rest}") as st:
            assert isinstance(st, PostGISStore) and st.schema_version == postgis.SCHEMA_VERSION
            assert st.db_schema.startswith("test_")
            if password:
                assert password not in st.url and password not in repr(st) and "***" in st.url
    monkeypatch.setenv("HOTSPOTS_DB_URL", schema_url)
    with open_store() as st:
        assert isinstance(st, PostGISStore) and st.count() == 0


def test_a_dropped_connection_is_opened_again(addresses: pd.DataFrame, schema_url: str) -> None:
    name = f"hotspots_{uuid.uuid4().hex[:8]}"
    with pg_open(with_options(schema_url, application_name=name)) as pg:
        add(pg, make_incidents(addresses, 40, seed=31, prefix="r"), "r.csv")
        before = pg.query(scope=LOCAL_ANALYST)
        killed = in_schema(
            schema_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (name,),
        )
        assert killed == [(True,)]
        pd.testing.assert_frame_equal(pg.query(scope=LOCAL_ANALYST), before, check_exact=True)
        assert pg.count() == 40


def test_unreachable_server_is_explained_without_the_password() -> None:
    with pytest.raises(StoreError, match="cannot open the incident store") as info:
        open_store("postgresql://analyst:s3cret@127.0.0.1:1/hotspots?connect_timeout=3")
    assert "s3cret" not in str(info.value) and "analyst:***@127.0.0.1:1" in str(info.value)


def test_wrong_password_is_explained_without_it(pg_url: str) -> None:
    parts = urlsplit(pg_url)
    wrong = urlunsplit(
        parts._replace(netloc=f"{parts.username}:Wr0ngPa55@{parts.hostname}:{parts.port or 5432}")
    )
    with pytest.raises(StoreError, match="password authentication failed") as info:
        open_store(wrong)
    assert "Wr0ngPa55" not in str(info.value) and "***" in str(info.value)


def test_urls_that_are_not_postgresql_are_refused() -> None:
    with pytest.raises(StoreError, match="does not name PostgreSQL"):
        PostGISStore("mysql://analyst:s3cret@db/hotspots")
    assert libpq_url(" postgres://a@b/c ") == libpq_url("postgresql+psycopg://a@b/c") == "postgresql://a@b/c"


def test_a_server_without_postgis_is_explained(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same check as for a server without the PostGIS package: the extension is not available.
    monkeypatch.setattr(postgis, "EXTENSION", "postgis_that_is_not_installed")
    with scratch_schema(pg_url) as (_, url), pytest.raises(StoreError, match="Install PostGIS") as info:
        open_store(url)
    password = _password(pg_url)
    assert not password or password not in str(info.value)


def test_a_role_that_may_not_create_postgis_is_told_whom_to_ask(pg_url: str) -> None:
    with admin(pg_url) as conn:
        superuser, createdb = conn.execute(
            "SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone() or (False, False)
    if superuser or not createdb:
        pytest.skip(
            "needs a role that may create databases but is not a superuser (as .ci/postgres.sh makes)"
        )
    database = f"hotspots_noext_{uuid.uuid4().hex[:8]}"
    with admin(pg_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        url = urlunsplit(urlsplit(pg_url)._replace(path=f"/{database}"))
        with pytest.raises(
            StoreError, match=r"(?s)may not create it.*administrator to run CREATE EXTENSION postgis"
        ):
            open_store(url)
    finally:
        with admin(pg_url) as conn:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(database)))
