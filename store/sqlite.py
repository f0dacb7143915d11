"""The incident store in one SQLite file (or in memory): the default, with no set-up.

``open_store("sqlite:///path/incidents.sqlite")`` opens it (``open_store()`` opens the
default file). It keeps every rule of ``store.base`` (read that module's docstring); the
steps are ``store.database.DatabaseStore``'s and, for users, the audit trail and deleting,
``store.audited.AuditedStore``'s, for measures ``store.measured.MeasuredStore``'s. Only
what touches SQLite is here: the schema with its R*Tree on x_m/y_m and the audit trail's
triggers, the pragmas, and the SQL of writing and filtering.

A crash of the program never loses a committed batch (WAL journal,
``synchronous=NORMAL``). Writers from several processes are serialised by SQLite's own
write lock (``BEGIN IMMEDIATE``), waiting up to ``HOTSPOTS_DB_TIMEOUT_S`` for it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Final

import pandas as pd

from geo import settings
from store.audit import APPEND_ONLY
from store.base import Migration
from store.measured import MeasuredStore
from store.rows import _TAG_COLUMNS, _WRITE_COLUMNS, _BatchCounts, _BatchEntry, _incident_rows, _NewIncidents
from store.scope import ROLES
from store.urls import SQLITE_PREFIX

#: Ids looked up per statement when comparing a batch with the store (SQLite limits parameters).
_LOOKUP_CHUNK: Final = 5_000


# --------------------------------------------------------------------------- schema

_TAG_DDL = ",\n    ".join(f"{name} TEXT" for name in _TAG_COLUMNS)

_V1: Final = Migration(
    1,
    "incidents, import batches, indexes on time/category/source/districts, R*Tree on x_m/y_m",
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE batches (
    batch_id INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at_us INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    rows_read INTEGER NOT NULL CHECK (rows_read >= 0),
    added INTEGER NOT NULL CHECK (added >= 0),
    duplicates INTEGER NOT NULL CHECK (duplicates >= 0),
    conflicts INTEGER NOT NULL CHECK (conflicts >= 0),
    rejected INTEGER NOT NULL CHECK (rejected >= 0),
    note TEXT NOT NULL DEFAULT '',
    duplicate_of INTEGER REFERENCES batches (batch_id)
)""",
        "CREATE INDEX batches_content_hash ON batches (content_hash)",
        f"""CREATE TABLE district_tags (
    tag_id INTEGER PRIMARY KEY,
    {_TAG_DDL}
)""",
        """CREATE TABLE incidents (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    occurred_at_us INTEGER NOT NULL,
    category TEXT NOT NULL,
    category_raw TEXT,
    source TEXT NOT NULL,
    severity INTEGER CHECK (severity BETWEEN 1 AND 5),
    description TEXT,
    x_m REAL,
    y_m REAL,
    lon REAL,
    lat REAL,
    synthetic INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
    in_helsinki INTEGER NOT NULL CHECK (in_helsinki IN (0, 1)),
    osaalue_code TEXT,
    peruspiiri_code TEXT,
    suurpiiri_code TEXT,
    district_tag INTEGER REFERENCES district_tags (tag_id),
    content_hash TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batches (batch_id)
)""",
        "CREATE INDEX incidents_occurred_at ON incidents (occurred_at_us)",
        "CREATE INDEX incidents_category ON incidents (category)",
        "CREATE INDEX incidents_source ON incidents (source)",
        "CREATE INDEX incidents_osaalue ON incidents (osaalue_code)",
        "CREATE INDEX incidents_peruspiiri ON incidents (peruspiiri_code)",
        "CREATE INDEX incidents_suurpiiri ON incidents (suurpiiri_code)",
        # R*Tree keeps 32-bit floats rounded outwards: it finds candidates, the exact
        # comparison on x_m/y_m decides. add_batch fills it in bulk after the rows (an
        # insert trigger per row made a 100k import three times slower).
        "CREATE VIRTUAL TABLE incidents_rtree USING rtree (pk, x_min, x_max, y_min, y_max)",
        """CREATE TRIGGER incidents_rtree_delete AFTER DELETE ON incidents
BEGIN
    DELETE FROM incidents_rtree WHERE pk = OLD.pk;
END""",
    ),
)

# How each position was found (schema.GEOCODE_COLUMNS). Rows stored before keep NULL, which
# reads as the source's own position; the allowed values are checked on the way in
# (store.rows), not by a CHECK, so a new quality needs no migration.
_V2: Final = Migration(
    2,
    "geocode_quality and geocode_match on incidents (NULL for rows stored before: the source's position)",
    (
        "ALTER TABLE incidents ADD COLUMN geocode_quality TEXT",
        "ALTER TABLE incidents ADD COLUMN geocode_match TEXT",
    ),
)

_ROLES_SQL: Final = ", ".join(f"'{role}'" for role in ROLES)

# Users and the audit trail (store.users, store.audit). The audit table is append-only: the
# code has no statement that changes a row, and these triggers refuse one from anywhere
# else that goes through SQLite (whoever can write the file can still replace it: the trail
# guards against mistakes and the app, not against the file's owner).
_V3: Final = Migration(
    3,
    "users and roles, the append-only audit trail, deleted batches (deleted_in), an index on batch_id",
    (
        f"""CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ({_ROLES_SQL})),
    districts TEXT,
    added_at_us INTEGER NOT NULL,
    added_by TEXT NOT NULL,
    CHECK (role <> 'youth_worker' OR districts IS NOT NULL)
)""",
        """CREATE TABLE audit (
    audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_us INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
)""",
        "CREATE INDEX audit_at ON audit (at_us)",
        "CREATE INDEX audit_user ON audit (user_id)",
        f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, '{APPEND_ONLY} (UPDATE refused)');
END""",
        f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, '{APPEND_ONLY} (DELETE refused)');
END""",
        "ALTER TABLE batches ADD COLUMN deleted_in INTEGER REFERENCES audit (audit_id)",
        "CREATE INDEX incidents_batch ON incidents (batch_id)",
    ),
)

# Measures (store.measure_records): the area as WKB of a MultiPolygon in EPSG:3067, the
# osa-alue it touches in a table of their own so the scope's condition is an indexed
# lookup. Kinds, leads and place kinds are checked on the way in and out, not by a CHECK,
# so a new kind needs no migration. A removed measure stays, marked with its audit row.
_V4: Final = Migration(
    4,
    "measures with their area, dates and osa-alue (measure_osaalue), removed_in for removed ones",
    (
        """CREATE TABLE measures (
    measure_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    lead TEXT NOT NULL,
    partner TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',
    starts_at_us INTEGER NOT NULL,
    ends_at_us INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    place_kind TEXT NOT NULL,
    place_ref TEXT NOT NULL DEFAULT '',
    area BLOB NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at_us INTEGER NOT NULL,
    removed_in INTEGER REFERENCES audit (audit_id),
    CHECK (ends_at_us > starts_at_us)
)""",
        "CREATE INDEX measures_starts_at ON measures (starts_at_us)",
        """CREATE TABLE measure_osaalue (
    measure_id INTEGER NOT NULL REFERENCES measures (measure_id),
    osaalue_code TEXT NOT NULL,
    PRIMARY KEY (measure_id, osaalue_code)
)""",
        "CREATE INDEX measure_osaalue_code ON measure_osaalue (osaalue_code)",
    ),
)

#: Every schema step of the SQLite store, oldest first; versions run 1, 2, 3 ... without gaps.
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4)
#: The schema version this code writes.
SCHEMA_VERSION: Final = MIGRATIONS[-1].version


_INSERT_COLUMNS: Final = tuple("occurred_at_us" if name == "occurred_at" else name for name in _WRITE_COLUMNS)
_INSERT_SQL: Final = (
    f"INSERT INTO incidents ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
)
_RTREE_SQL: Final = (
    "INSERT INTO incidents_rtree SELECT pk, x_m, x_m, y_m, y_m FROM incidents "
    "WHERE pk > ? AND x_m IS NOT NULL AND y_m IS NOT NULL"
)


# --------------------------------------------------------------------------- the store


class SQLiteStore(MeasuredStore[sqlite3.Connection]):
    """Incident store in one SQLite file (or in memory).

    Opening applies the pragmas (WAL journal, ``synchronous=NORMAL``: a crash of the
    program never loses a committed batch) and migrates an older schema. One connection is
    shared by the threads of a process and guarded by a lock.

    Parameters
    ----------
    location
        Path of the database file (created with its folder when missing) or ``":memory:"``.
    """

    _PARAM = "?"
    _OPEN_ERRORS = (sqlite3.Error, OSError)
    _DRIVER_ERROR = sqlite3.Error
    _UNIT = "file"
    _ELSEWHERE = f"point {settings.ENV_DB_URL} to another file"
    _EXPLAIN = "EXPLAIN QUERY PLAN "
    _TIME_COLUMN = "i.occurred_at_us"
    _SET_META = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
    _STAMP_SUFFIX = "_us"
    _AREA_IN = "?"
    _AREA_OUT = "m.area"
    _CODES_OUT = "group_concat(c.osaalue_code, ',')"

    def __init__(self, location: str | PathLike[str]) -> None:
        super().__init__()
        self._memory = str(location) == ":memory:"
        self._path = None if self._memory else Path(location).expanduser()
        self._label = ":memory:" if self._path is None else str(self._path)
        self._open()

    @property
    def url(self) -> str:
        """``sqlite:///`` + the file path (or ``:memory:``)."""
        return f"{SQLITE_PREFIX}{self._label}"

    @property
    def path(self) -> Path | None:
        """The database file, None in memory."""
        return self._path

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"schema v{self._version}"
        return f"SQLiteStore({self._label!r}, {state})"

    # -- the driver

    @property
    def _name(self) -> str:
        return self._label

    def _connect(self) -> sqlite3.Connection:
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(
            self._label, isolation_level=None, check_same_thread=False, timeout=settings.db_timeout_s()
        )

    def _prepare(self, conn: sqlite3.Connection) -> None:
        if not self._memory:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB

    def _cannot_open(self, exc: Exception) -> str:
        advice = (
            f"another program holds it: close that and try again (or raise {settings.ENV_DB_TIMEOUT_S})"
            if "locked" in str(exc)
            else "check that the folder is writable and the file is an incident store, or point "
            f"{settings.ENV_DB_URL} to another file"
        )
        return f"cannot open the incident store {self._label}: {exc}; {advice}."

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        # IMMEDIATE takes the write lock at once: another writer waits here, not half way.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # -- the schema

    def _migrations(self) -> tuple[Migration, ...]:
        return MIGRATIONS

    def _table_names(self, conn: sqlite3.Connection) -> list[str]:
        return sorted(row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))

    def _not_a_store(self, names: list[str]) -> str:
        return (
            f"{self._label} is an SQLite database but not an incident store (it has the tables "
            f"{names[:5]} and no 'meta' table); point {settings.ENV_DB_URL} to another file."
        )

    # -- writing

    def _insert_batch(self, conn: sqlite3.Connection, entry: _BatchEntry, counts: _BatchCounts) -> int:
        now_us = pd.Timestamp.now(tz="UTC").value // 1000
        cursor = conn.execute(
            "INSERT INTO batches (imported_at_us, file_name, content_hash, rows_read, added, duplicates, "
            "conflicts, rejected, note, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_us,
                entry.file_name,
                entry.content_hash,
                entry.rows_read,
                counts.added,
                counts.duplicates,
                counts.conflicts,
                entry.rejected,
                entry.note,
                counts.duplicate_of,
            ),
        )
        return int(cursor.lastrowid or 0)

    def _stored_rows(self, conn: sqlite3.Connection, ids: list[str]) -> Iterable[tuple[str, str, int]]:
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            clause, params = self._in_list("id", ids[start : start + _LOOKUP_CHUNK])
            yield from conn.execute(
                f"SELECT id, content_hash, batch_id FROM incidents WHERE {clause}", params
            )

    def _insert_incidents(self, conn: sqlite3.Connection, new: _NewIncidents) -> None:
        # SQLite numbers a new row max(pk) + 1, so this batch's rows are those above it.
        last_pk = int(conn.execute("SELECT coalesce(max(pk), 0) FROM incidents").fetchone()[0])
        conn.executemany(_INSERT_SQL, _incident_rows(new, new.occurred_us))
        conn.execute(_RTREE_SQL, (last_pk,))

    # -- reading

    def _micros(self, column: str) -> str:
        return f"{column}_us"  # the column holds them

    def _time_bound(self, micros: int) -> Any:
        return micros

    def _in_list(self, column: str, values: Sequence[str]) -> tuple[str, list[Any]]:
        if not values:
            return "0", []
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)

    def _box_candidates(self, box: tuple[float, float, float, float]) -> tuple[str, list[Any]]:
        xmin, ymin, xmax, ymax = box
        return (
            "i.pk IN (SELECT pk FROM incidents_rtree"
            " WHERE x_max >= ? AND x_min <= ? AND y_max >= ? AND y_min <= ?)",
            [xmin, xmax, ymin, ymax],
        )
