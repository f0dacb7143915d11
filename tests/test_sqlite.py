"""The SQLite store (store.sqlite): what only SQLite does, beyond the shared contract of
test_store_base.py: transactions against a failing insert or a killed process, the indexes its
query plans use, the WAL file, schema versions and migrations (a store written by version 1,
before the geocode columns, opened by this one), files that are not stores.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely

import store.sqlite
from geo import geocoding, schema
from geo.errors import StoreError
from store import LOCAL_ANALYST, SCHEMA_VERSION, IncidentFilter, Migration, SQLiteStore, open_store
from store.base import APPLICATION
from store.measure_records import Measure
from tests import test_store_base
from tests.test_store_base import HELSINKI, MEMORY, add, make_incidents, sorted_canonical

PROJECT_DIR = Path(__file__).resolve().parents[1]
#: test_store_base's module fixtures: real addresses with their districts, 3000 incidents at them.
places = test_store_base.places
incidents = test_store_base.incidents


@pytest.fixture(scope="module")
def filled(incidents: pd.DataFrame) -> Iterator[SQLiteStore]:
    """An SQLite store holding ``incidents``; tests must only read it."""
    with open_store(MEMORY) as st:
        assert isinstance(st, SQLiteStore)
        add(st, incidents, "police_2023_2024.csv")
        yield st


# --------------------------------------------------------------------------- transactions


def test_a_failing_insert_rolls_back_the_whole_batch(
    places: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_incidents(places, 300, seed=11, prefix="a")
    second = make_incidents(places, 600, seed=12, prefix="b")
    with open_store(MEMORY) as st:
        add(st, first, "a.csv")
        before, before_log = st.query(scope=LOCAL_ANALYST), st.batches()
        # No public seam reaches into the middle of a batch: the private row generator is
        # the one place where a failure can strike after half the rows went in.
        real_rows = store.sqlite._incident_rows
        inserted: list[tuple[Any, ...]] = []

        def failing_rows(*args: Any) -> Iterator[tuple[Any, ...]]:
            for row in real_rows(*args):
                if len(inserted) == 300:
                    raise RuntimeError("disk unplugged")
                inserted.append(row)
                yield row

        monkeypatch.setattr(store.sqlite, "_incident_rows", failing_rows)
        with pytest.raises(RuntimeError, match="disk unplugged"):
            add(st, second, "b.csv")
        assert len(inserted) == 300  # half of the batch reached SQLite before the failure
        assert st.count() == 300
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), before, check_exact=True)
        pd.testing.assert_frame_equal(st.batches(), before_log)
        monkeypatch.undo()
        retry = add(st, second, "b.csv")
        assert (retry.added, retry.batch_id, retry.already_imported) == (600, 2, False)
        assert st.count() == 900


#: Kills the importing process half way through the rows (through the private row generator:
#: no public seam reaches into the middle of a batch).
CRASH_SCRIPT = """
import os, sys
import pandas as pd
import store.sqlite
frame = pd.read_pickle(sys.argv[2])
real_rows = store.sqlite._incident_rows
def dying_rows(*args):
    for i, row in enumerate(real_rows(*args)):
        if i == len(frame) // 2:
            os._exit(17)  # the process dies: no rollback, no close
        yield row
store.sqlite._incident_rows = dying_rows
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


def test_a_crashed_process_leaves_the_previous_state(places: pd.DataFrame, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    first = make_incidents(places, 200, seed=13, prefix="a")
    second = make_incidents(places, 400, seed=14, prefix="b")
    with open_store(url) as st:
        add(st, first, "a.csv")
        before, before_log = st.query(scope=LOCAL_ANALYST), st.batches()
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
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), before, check_exact=True)
        pd.testing.assert_frame_equal(st.batches(), before_log)
        assert add(st, second, "b.csv", content_hash="hash-b").added == 400


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


def test_a_youth_worker_s_query_reads_only_her_districts_by_their_index(filled: SQLiteStore) -> None:
    worker = store.Scope("anna@hel.fi", "youth_worker", ("020", "040"))
    plan = " | ".join(filled.query_plan(scope=worker))
    assert "USING INDEX incidents_osaalue" in plan and not plan.startswith("SCAN i"), plan


def test_bbox_reads_incidents_by_primary_key(filled: SQLiteStore) -> None:
    plan = filled.query_plan(IncidentFilter(bbox_m=(385_500.0, 6_671_500.0, 386_000.0, 6_672_000.0)))
    assert any("SEARCH i USING INTEGER PRIMARY KEY" in step for step in plan), plan


# --------------------------------------------------------------------------- files, versions


def test_file_store_reopened_gives_the_same_data(places: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "incidents.sqlite"
    frame = make_incidents(places, 500, seed=19, prefix="file")
    with open_store(f"sqlite:///{path}") as st:
        add(st, frame, "f.csv")
        before, log, stats = st.query(scope=LOCAL_ANALYST), st.batches(), st.stats()
    assert path.is_file()
    with open_store(f"sqlite:///{path}") as st:
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), before, check_exact=True)
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
        before = st.query(scope=LOCAL_ANALYST)
    following = SCHEMA_VERSION + 1
    step = Migration(
        following, "index on severity", ("CREATE INDEX incidents_severity ON incidents (severity)",)
    )
    monkeypatch.setattr(store.sqlite, "MIGRATIONS", (*store.sqlite.MIGRATIONS, step))
    with open_store(f"sqlite:///{path}") as st:
        assert st.schema_version == following
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), before, check_exact=True)
    assert schema_version_in(path) == following
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
    following = SCHEMA_VERSION + 1
    broken = Migration(
        following,
        "broken step",
        ("CREATE INDEX ok_index ON incidents (lon)", "CREATE INDEX bad ON nowhere (x)"),
    )
    monkeypatch.setattr(store.sqlite, "MIGRATIONS", (*store.sqlite.MIGRATIONS, broken))
    failed = rf"to schema version {following} \(broken step\) failed"
    with pytest.raises(StoreError, match=rf"{failed}.*left unchanged at version {SCHEMA_VERSION};"):
        open_store(f"sqlite:///{path}")
    assert schema_version_in(path) == SCHEMA_VERSION
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'ok_index'").fetchone()[0] == 0


def test_migrations_must_be_numbered_without_gaps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    skipping = Migration(SCHEMA_VERSION + 2, "skips one", ())
    monkeypatch.setattr(store.sqlite, "MIGRATIONS", (*store.sqlite.MIGRATIONS, skipping))
    numbers = [*range(1, SCHEMA_VERSION + 1), SCHEMA_VERSION + 2]
    with pytest.raises(StoreError, match=rf"without gaps, got {re.escape(str(numbers))}"):
        open_store(MEMORY)


# --------------------------------------------------------------------------- version 1 stores


def write_old_store(path: Path, frame: pd.DataFrame, file_name: str, *, version: int = 1) -> None:
    """An SQLite store as ``version`` of this tool left it, holding ``frame`` imported from ``file_name``.

    The tables are made by that version's own statements (``MIGRATIONS[:version]``, never
    changed once released). The rows are written by today's code into a store of its own and
    copied over without the columns the old version did not have: every other value of a
    row, its content hash included, is written as that version wrote it. Version 1 never saw
    how positions were found, so ``frame`` goes into it without its geocode columns.
    """
    today = path.with_name(f"{path.stem}-today.sqlite")
    with open_store(f"sqlite:///{today}") as st:
        kept = frame if version >= 2 else frame.drop(columns=list(schema.GEOCODE_COLUMNS), errors="ignore")
        add(st, kept, file_name)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        for step in store.sqlite.MIGRATIONS[:version]:
            for statement in step.statements:
                raw.execute(statement)
        raw.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("application", APPLICATION), ("schema_version", str(version))],
        )
        raw.execute("ATTACH DATABASE ? AS today", (str(today),))
        # version 3 brought users and the audit trail: the import's audit row comes along
        copied = (
            "batches",
            "district_tags",
            "incidents_rtree",
            "incidents",
            *(("audit",) if version >= 3 else ()),
        )
        for table in copied:
            columns = ", ".join(row[1] for row in raw.execute(f"PRAGMA main.table_info({table})"))
            raw.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM today.{table}")
        raw.execute("DETACH DATABASE today")
    finally:
        raw.close()
    today.unlink()


def write_v1_store(path: Path, frame: pd.DataFrame, file_name: str) -> None:
    """An SQLite store as version 1 of this tool left it (``write_old_store``)."""
    write_old_store(path, frame, file_name, version=1)


def incident_columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as raw:
        return [row[1] for row in raw.execute("PRAGMA table_info(incidents)")]


def test_a_version_1_store_is_migrated_and_keeps_its_incidents(places: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    old = make_incidents(places, 400, seed=24, prefix="v1")
    assert (old["geocode_quality"] != schema.SOURCE_QUALITY).sum() >= 50
    write_v1_store(path, old, "2024.csv")
    assert schema_version_in(path) == 1
    assert not set(schema.GEOCODE_COLUMNS) & set(incident_columns(path))
    # what version 1 knew of these incidents: no qualities, so the source's own positions
    known = old.drop(columns=list(schema.GEOCODE_COLUMNS))
    url = f"sqlite:///{path}"
    with open_store(url) as st:
        assert st.schema_version == SCHEMA_VERSION == 4
        pd.testing.assert_frame_equal(
            st.query(scope=LOCAL_ANALYST), sorted_canonical(known), check_exact=True
        )
        box = (385_000.0, 6_671_000.0, 386_500.0, 6_672_500.0)  # the R*Tree came along
        inside = known["x_m"].between(box[0], box[2]) & known["y_m"].between(box[1], box[3])
        assert len(st.query(IncidentFilter(bbox_m=box), scope=LOCAL_ANALYST)) == int(inside.sum()) > 0
        stats = st.stats()
        assert stats.by_geocode_quality == {
            q: 400 if q == "source" else 0 for q in geocoding.PLACED_QUALITIES
        }
        # the same file again (another copy, so its rows are compared), now with its qualities
        again = add(st, old, "2024 (copy).csv")
        assert (again.added, again.duplicates, again.n_conflicts) == (0, 400, 0)
        new = make_incidents(places, 150, seed=25, prefix="v2")
        assert add(st, new, "2025.csv").added == 150
        assert add(st, new, "2025 (copy).csv").duplicates == 150
        got = st.query(scope=LOCAL_ANALYST)
    assert schema_version_in(path) == 4
    assert incident_columns(path)[-2:] == list(schema.GEOCODE_COLUMNS)
    pd.testing.assert_frame_equal(got, sorted_canonical(pd.concat([known, new])), check_exact=True)
    with sqlite3.connect(path) as raw:
        written = dict(
            raw.execute(
                "SELECT coalesce(geocode_quality, 'NULL') || ' / ' || coalesce(geocode_match, 'NULL'), "
                "count(*) FROM incidents WHERE geocode_quality IS NULL OR geocode_match IS NULL GROUP BY 1"
            ).fetchall()
        )
    # the rows stored before were not rewritten; a new row's quality is written out, even
    # the source's own, and its match is NULL when no register text was matched
    own = int((new["geocode_quality"] == schema.SOURCE_QUALITY).sum())
    assert written == {"NULL / NULL": 400, "source / NULL": own} and own > 50
    with open_store(url) as st:  # opening again migrates nothing
        assert st.schema_version == 4 and st.count() == 550


def test_a_failing_version_2_step_leaves_a_version_1_store_as_it_was(
    places: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "v1.sqlite"
    old = make_incidents(places, 50, seed=26, prefix="v1")
    write_v1_store(path, old, "2024.csv")
    with sqlite3.connect(path) as raw:  # someone's own column, named like the second new one
        raw.execute("ALTER TABLE incidents ADD COLUMN geocode_match TEXT")
    with pytest.raises(
        StoreError, match=r"to schema version 2 \(geocode_quality .*left unchanged at version 1"
    ):
        open_store(f"sqlite:///{path}")
    assert schema_version_in(path) == 1
    assert "geocode_quality" not in incident_columns(path)  # the first step was rolled back too


# --------------------------------------------------------------------------- version 2 stores


def table_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_version_2_store_gets_users_and_an_audit_trail_and_keeps_its_incidents(
    places: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "v2.sqlite"
    old = make_incidents(places, 300, seed=28, prefix="v2")
    write_old_store(path, old, "2025.csv", version=2)
    assert schema_version_in(path) == 2 and not {"users", "audit"} & table_names(path)
    admin = store.Scope("root", "admin", None)
    with open_store(f"sqlite:///{path}") as st:
        assert st.schema_version == SCHEMA_VERSION == 4
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), sorted_canonical(old), check_exact=True)
        log = st.batches()
        assert list(log["file_name"]) == ["2025.csv"] and log["deleted_in"].isna().all()
        assert st.users().empty and st.audit_log().empty  # nothing happened before version 3
        # the batch stored by version 2 can be deleted and its file imported again
        assert st.delete_batch(int(log["batch_id"].iloc[0]), scope=admin) == 300
        assert add(st, old, "2025.csv").added == 300
        assert list(st.audit_log()["action"]) == ["delete_batch", "import"]
    assert schema_version_in(path) == 4
    with sqlite3.connect(path) as raw, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM audit")


def test_a_failing_version_3_step_leaves_a_version_2_store_as_it_was(
    places: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "v2.sqlite"
    write_old_store(path, make_incidents(places, 40, seed=29, prefix="v2"), "2025.csv", version=2)
    with sqlite3.connect(path) as raw:  # someone's own table, named like the second new one
        raw.execute("CREATE TABLE audit (note TEXT)")
    with pytest.raises(
        StoreError, match=r"to schema version 3 \(users and roles, .*left unchanged at version 2"
    ):
        open_store(f"sqlite:///{path}")
    assert schema_version_in(path) == 2
    assert "users" not in table_names(path)  # the first statement was rolled back too
    with sqlite3.connect(path) as raw:
        assert "deleted_in" not in [row[1] for row in raw.execute("PRAGMA table_info(batches)")]


# --------------------------------------------------------------------------- version 3 stores


def test_a_version_3_store_gets_measures_and_keeps_its_incidents_users_and_audit(
    places: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "v3.sqlite"
    old = make_incidents(places, 300, seed=30, prefix="v3")
    write_old_store(path, old, "2025.csv", version=3)
    with sqlite3.connect(path) as raw:  # a youth worker of Kallio's Linjat, added by version 3
        raw.execute(
            "INSERT INTO users (user_id, role, districts, added_at_us, added_by) "
            "VALUES ('aino@hel.fi', 'youth_worker', '112', 1735682400000000, 'root')"
        )
    assert schema_version_in(path) == 3 and not {"measures", "measure_osaalue"} & table_names(path)
    with open_store(f"sqlite:///{path}") as st:
        assert st.schema_version == SCHEMA_VERSION == 4
        pd.testing.assert_frame_equal(st.query(scope=LOCAL_ANALYST), sorted_canonical(old), check_exact=True)
        assert list(st.batches()["file_name"]) == ["2025.csv"]
        assert list(st.audit_log()["action"]) == ["import"]
        aino = st.user("aino@hel.fi")
        assert aino == store.Scope("aino@hel.fi", "youth_worker", ("112",))
        assert st.measures(scope=LOCAL_ANALYST) == []
        area = shapely.Point(386_000.0, 6_673_600.0).buffer(100.0)  # in Linjat
        given = Measure(
            "outreach", "youth_work", area, pd.Timestamp("2025-09-01"), pd.Timestamp("2025-10-01")
        )
        assert st.add_measure(given, place_kind="drawn", place_ref="", osaalue=["112"], scope=aino) == 1
        assert [r.id for r in st.measures(scope=aino)] == [1]
        assert list(st.audit_log()["action"]) == ["import", "measure_add"]
    assert schema_version_in(path) == 4 and {"measures", "measure_osaalue"} <= table_names(path)


def test_a_failing_version_4_step_leaves_a_version_3_store_as_it_was(
    places: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "v3.sqlite"
    write_old_store(path, make_incidents(places, 40, seed=31, prefix="v3"), "2025.csv", version=3)
    with sqlite3.connect(path) as raw:  # someone's own table, named like the second new one
        raw.execute("CREATE TABLE measure_osaalue (note TEXT)")
    with pytest.raises(
        StoreError, match=r"to schema version 4 \(measures with their area, .*left unchanged at version 3"
    ):
        open_store(f"sqlite:///{path}")
    assert schema_version_in(path) == 3
    assert "measures" not in table_names(path)  # the first statement was rolled back too


def test_a_store_newer_than_version_4_is_refused(places: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "v5.sqlite"
    with open_store(f"sqlite:///{path}") as st:
        add(st, make_incidents(places, 30, seed=27, prefix="v5"), "a.csv")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"schema version 5, written by a newer version .* up to version 4"):
        open_store(f"sqlite:///{path}")
    assert schema_version_in(path) == 5


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
