"""The steps both database backends take, written once: ``DatabaseStore``.

``store.sqlite.SQLiteStore`` and ``store.postgis.PostGISStore`` subclass it. It opens and
migrates a store, imports a batch (log line, duplicate and conflict checks, new rows and
their district tags) and reads incidents, the batch log and the totals, keeping the rules
of ``store.base``. A backend supplies only what touches its SQL or its driver, through the
hooks below: how to connect, how a transaction begins, the parameter marker, how a time
column reads as microseconds, which index finds the incidents in a box ...
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Final, Generic, Protocol, TypeVar

import numpy as np
import pandas as pd

from geo import geocoding, schema
from geo.errors import StoreError
from store.audit import check_action, detail_json
from store.base import (
    APPLICATION,
    BATCH_COLUMNS,
    BatchResult,
    IncidentStore,
    Migration,
    StoreStats,
    _check_migrations,
)
from store.filters import IncidentFilter
from store.rows import (
    _ROW_COLUMNS,
    _TAG_COLUMNS,
    _BatchCounts,
    _BatchEntry,
    _classify,
    _conflict_frame,
    _conform_batch,
    _content_hashes,
    _frame_from_rows,
    _NewIncidents,
    _number_tags,
    _tag_keys,
    _tag_lookup,
    _utc_microseconds,
)
from store.scope import Scope, scoped_filter

_TAGS_SQL: Final = f"SELECT tag_id, {', '.join(_TAG_COLUMNS)} FROM district_tags"
_T = TypeVar("_T")


class _Connection(Protocol):
    """What the shared steps use of a driver's connection (sqlite3's and psycopg's both fit)."""

    def execute(self, query: str, params: Any = ..., /) -> Any:
        """Run one statement; return its cursor."""

    def cursor(self) -> Any:
        """Return a new cursor (for ``executemany``)."""

    def close(self) -> None:
        """Close the connection."""


_C = TypeVar("_C", bound=_Connection)


class DatabaseStore(IncidentStore, Generic[_C]):
    """An incident store in an SQL database: the steps both backends take.

    A subclass sets the class attributes, implements the hooks (each touches its SQL or
    its driver), sets up its own fields in ``__init__`` and then calls ``_open()``. One
    connection is shared by the threads of a process and guarded by ``_lock``.
    """

    #: The driver's parameter marker (``?`` for sqlite3, ``%s`` for psycopg).
    _PARAM: ClassVar[str]
    #: Errors met while opening that mean "cannot open this store" rather than a bug.
    _OPEN_ERRORS: ClassVar[tuple[type[Exception], ...]]
    #: The driver's base error class (a failing migration step raises one).
    _DRIVER_ERROR: ClassVar[type[Exception]]
    #: What the store is, in messages: "file" or "store".
    _UNIT: ClassVar[str]
    #: Advice when the database is not an incident store of this tool.
    _ELSEWHERE: ClassVar[str]
    #: The statement prefix that makes the database show its plan for a query.
    _EXPLAIN: ClassVar[str]
    #: Column (of ``incidents AS i``) the time filters compare with ``_time_bound`` values.
    _TIME_COLUMN: ClassVar[str]
    #: Statement that sets one ``meta`` key (parameters: key, value).
    _SET_META: ClassVar[str]
    #: What the name of a column holding a time ends in (``_us``: SQLite keeps microseconds).
    _STAMP_SUFFIX: ClassVar[str]

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._conn: _C | None = None
        self._version = 0

    # -- hooks: the driver

    @abc.abstractmethod
    def _connect(self) -> _C:
        """Open a new connection to the database."""

    @abc.abstractmethod
    def _prepare(self, conn: _C) -> None:
        """Set up a new connection before the schema is read (pragmas, schema, extensions)."""

    @abc.abstractmethod
    def _cannot_open(self, exc: Exception) -> str:
        """Return the message for an ``_OPEN_ERRORS`` error met while opening."""

    @abc.abstractmethod
    def _transaction(self, conn: _C) -> AbstractContextManager[None]:
        """Return a context that commits on success and rolls back on any error."""

    @property
    @abc.abstractmethod
    def _name(self) -> str:
        """The store as messages name it (a file path, or the URL without password)."""

    @property
    def _where(self) -> str:
        """What holds the store's tables, in messages (a file, or a schema of a database)."""
        return self._name

    @property
    def _within(self) -> str:
        """The phrase after "the incident store" that says where it is."""
        return self._where

    def _error_text(self, exc: BaseException) -> str:
        """Return a driver error's text fit to print."""
        return str(exc)

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Name the store and ``action`` in the driver's errors; here they pass unchanged."""
        yield

    def _read(self, action: str, read: Callable[[_C], _T]) -> _T:
        """Return ``read(connection)`` under the lock."""
        with self._lock, self._errors(action):
            return read(self._connection())

    def _fetch(self, conn: _C, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Return all rows of a query of incidents."""
        return list(conn.execute(sql, params).fetchall())

    # -- hooks: the schema

    @abc.abstractmethod
    def _migrations(self) -> tuple[Migration, ...]:
        """Every schema step of this backend, oldest first."""

    @abc.abstractmethod
    def _table_names(self, conn: _C) -> list[str]:
        """Return the sorted names of the tables where the store's tables would be."""

    @abc.abstractmethod
    def _not_a_store(self, names: list[str]) -> str:
        """Return the message for a database holding other tables and no ``meta``."""

    def _before_migration(self, conn: _C) -> None:
        """Make other processes wait while this one migrates (inside the transaction)."""

    # -- hooks: writing

    def _before_batch(self, conn: _C) -> None:
        """Make other writers wait while this batch is written (inside the transaction)."""

    def _after_batch(self, conn: _C, result: BatchResult) -> None:
        """Do what follows a committed batch."""

    @abc.abstractmethod
    def _insert_batch(self, conn: _C, entry: _BatchEntry, counts: _BatchCounts) -> int:
        """Write the batch log's line; return its batch id."""

    @abc.abstractmethod
    def _stored_rows(self, conn: _C, ids: list[str]) -> Iterable[tuple[str, str, int]]:
        """Return ``(id, content_hash, batch_id)`` of each of ``ids`` already stored."""

    @abc.abstractmethod
    def _insert_incidents(self, conn: _C, new: _NewIncidents) -> None:
        """Write the new incidents of a batch."""

    # -- hooks: reading

    @abc.abstractmethod
    def _micros(self, column: str) -> str:
        """Return SQL for a time column as UTC microseconds since the epoch."""

    @abc.abstractmethod
    def _time_bound(self, micros: int) -> Any:
        """Return the parameter compared with ``_TIME_COLUMN`` for a bound in microseconds."""

    @abc.abstractmethod
    def _in_list(self, column: str, values: Sequence[str]) -> tuple[str, list[Any]]:
        """Return the condition "``column`` is one of ``values``" and its parameters."""

    @abc.abstractmethod
    def _box_candidates(self, box: tuple[float, float, float, float]) -> tuple[str, list[Any]]:
        """Return the indexed condition that finds the incidents in and near ``box``, and its parameters."""

    # -- opening and closing

    def _open(self) -> None:
        """Connect, prepare and migrate; on any failure close again and raise StoreError."""
        try:
            self._conn = self._connect()
            self._prepare(self._conn)
            self._version = self._migrate(self._conn)
        except self._OPEN_ERRORS as exc:
            self._abandon()
            raise StoreError(self._cannot_open(exc)) from exc
        except StoreError:
            self._abandon()
            raise

    def _abandon(self) -> None:
        """Close the connection, if any."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> _C:
        """Return the open connection; StoreError once the store is closed."""
        if self._conn is None:
            raise StoreError(f"the incident store {self._name} is closed; open it again with open_store()")
        return self._conn

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._abandon()

    @property
    def schema_version(self) -> int:
        """Version of the store's schema (the newest migration's once opened)."""
        return self._version

    def _read_version(self, conn: _C) -> int:
        """Return the schema version of the store; 0 where there is no store yet."""
        names = self._table_names(conn)
        if "meta" not in names:
            if names:
                raise StoreError(self._not_a_store(names))
            return 0
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != APPLICATION or not str(meta.get("schema_version", "")).isdigit():
            raise StoreError(
                f"{self._where} has a 'meta' table but is not an incident store of this tool "
                f"(application {meta.get('application')!r}, schema_version {meta.get('schema_version')!r}); "
                f"{self._ELSEWHERE}."
            )
        return int(meta["schema_version"])

    def _migrate(self, conn: _C) -> int:
        """Bring the schema to the newest version in ``_migrations()``; return that version."""
        migrations = self._migrations()
        _check_migrations(migrations)
        target = migrations[-1].version
        current = self._read_version(conn)
        if current > target:
            raise StoreError(
                f"the incident store {self._within} has schema version {current}, written by a newer "
                f"version of this tool (this one knows up to version {target}). Upgrade helsinki-hotspots "
                f"to open it; the {self._UNIT} was not changed."
            )
        if current == target:
            return current
        step = migrations[0]
        began = False
        try:
            with self._transaction(conn):
                began = True
                self._before_migration(conn)
                current = self._read_version(conn)  # another process may have migrated meanwhile
                for step in migrations[current:]:
                    for statement in step.statements:
                        conn.execute(statement)
                conn.cursor().executemany(
                    self._SET_META, [("application", APPLICATION), ("schema_version", str(target))]
                )
        except self._DRIVER_ERROR as exc:
            if not began:  # busy or unreachable, not a failed step: opening says so
                raise
            raise StoreError(
                f"migrating the incident store {self._within} to schema version {step.version} "
                f"({step.description}) failed: {self._error_text(exc)}. The store was left unchanged at "
                f"version {current}; report this with the {self._UNIT}'s schema version."
            ) from exc
        return target

    # -- writing

    def _add_batch(self, incidents: pd.DataFrame, entry: _BatchEntry, scope: Scope) -> BatchResult:
        """Store a checked batch and its ``import`` audit row in one transaction, writers one at a time."""
        with self._lock:
            conn = self._connection()
            with self._errors(f"storing the batch {entry.file_name}"), self._transaction(conn):
                self._before_batch(conn)
                result = self._store_batch(conn, incidents, entry)
                detail = {
                    "batch_id": result.batch_id,
                    "file_name": entry.file_name,
                    "content_hash": entry.content_hash,
                    "rows_read": entry.rows_read,
                    "accepted": len(incidents),
                    "rejected": entry.rejected,
                    "added": result.added,
                    "duplicates": result.duplicates,
                    "conflicts": result.n_conflicts,
                    "already_imported": result.already_imported,
                    "duplicate_of": result.duplicate_of,
                }
                self._insert_audit(conn, "import", scope, detail)
            self._after_batch(conn, result)
        return result

    def _insert_audit(self, conn: _C, action: str, scope: Scope, detail: Mapping[str, Any]) -> int:
        """Append an audit row inside the caller's transaction; return its id."""
        now_us = pd.Timestamp.now(tz="UTC").value // 1000
        mark = self._PARAM
        row = conn.execute(
            f"INSERT INTO audit (at{self._STAMP_SUFFIX}, user_id, role, action, detail) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}) RETURNING audit_id",
            (self._time_bound(now_us), scope.user, scope.role, check_action(action), detail_json(detail)),
        ).fetchall()  # to the end: SQLite finishes a RETURNING statement only then
        return int(row[0][0])

    def _store_batch(self, conn: _C, incidents: pd.DataFrame, entry: _BatchEntry) -> BatchResult:
        """Log the batch and write its new incidents (inside the batch's transaction)."""
        previous = _scalar(
            conn,
            # A deleted batch's file is not "imported before": it may come in again.
            "SELECT min(batch_id) FROM batches "
            f"WHERE content_hash = {self._PARAM} AND duplicate_of IS NULL AND deleted_in IS NULL",
            (entry.content_hash,),
        )
        if previous is not None:
            batch_id = self._insert_batch(conn, entry, _BatchCounts(duplicate_of=int(previous)))
            return BatchResult(
                batch_id=batch_id,
                added=0,
                duplicates=0,
                conflicts=_conflict_frame([]),
                already_imported=True,
                duplicate_of=int(previous),
            )
        # Checked inside the transaction, after the cheap test above: a file imported
        # before is recognised by its hash alone, and is not read again.
        frame = _conform_batch(incidents, entry.file_name)
        occurred_us = _utc_microseconds(frame["occurred_at"])
        hashes = _content_hashes(frame, occurred_us)
        ids = frame["id"].to_numpy(dtype=object).tolist()
        stored = {
            ident: (digest, int(batch)) for ident, digest, batch in self._stored_rows(conn, sorted(set(ids)))
        }
        new_rows, duplicates, conflicts = _classify(ids, hashes, stored)
        counts = _BatchCounts(added=len(new_rows), duplicates=duplicates, conflicts=len(conflicts))
        batch_id = self._insert_batch(conn, entry, counts)
        if new_rows:
            take = np.asarray(new_rows, dtype=np.int64)
            fresh = frame.iloc[take].reset_index(drop=True)
            new = _NewIncidents(
                frame=fresh,
                rows=new_rows,
                occurred_us=occurred_us[take],
                tag_ids=self._tag_ids(conn, _tag_keys(fresh)),
                hashes=[hashes[i] for i in new_rows],
                batch_id=batch_id,
                file_name=entry.file_name,
            )
            self._insert_incidents(conn, new)
        return BatchResult(batch_id=batch_id, added=len(new_rows), duplicates=duplicates, conflicts=conflicts)

    def _tag_ids(self, conn: _C, keys: Sequence[tuple[Any, ...]]) -> list[int | None]:
        """Id in ``district_tags`` of each key, adding new combinations; None when all are missing.

        Runs under the batch's write lock, so numbering new tags after the largest id is safe.
        """
        known = {tuple(row[1:]): int(row[0]) for row in conn.execute(_TAGS_SQL).fetchall()}
        ids, added = _number_tags(known, keys)
        if added:
            columns = ("tag_id", *_TAG_COLUMNS)
            conn.cursor().executemany(
                f"INSERT INTO district_tags ({', '.join(columns)}) "
                f"VALUES ({', '.join([self._PARAM] * len(columns))})",
                added,
            )
        return ids

    # -- reading

    def _select_sql(self, where: IncidentFilter) -> tuple[str, list[Any]]:
        """Build the SQL and parameters for the incidents matching ``where``."""
        mark = self._PARAM
        clauses: list[str] = []
        params: list[Any] = []
        for operator, bound in ((">=", where.since_us), ("<", where.until_us)):
            if bound is not None:
                clauses.append(f"{self._TIME_COLUMN} {operator} {mark}")
                params.append(self._time_bound(bound))
        for column, values in where.listed.items():
            if values is not None:
                clause, values_params = self._in_list(f"i.{column}", values)
                clauses.append(clause)
                params.extend(values_params)
        if where.bbox_m is not None:
            xmin, ymin, xmax, ymax = where.bbox_m
            # The spatial index keeps float4 boxes rounded outwards: it finds candidates, the
            # comparison of the stored doubles decides, so points on an edge are inside and the
            # box may be a line or a point.
            clause, box_params = self._box_candidates(where.bbox_m)
            clauses.append(clause)
            params.extend(box_params)
            clauses.append(f"i.x_m BETWEEN {mark} AND {mark} AND i.y_m BETWEEN {mark} AND {mark}")
            params.extend([xmin, xmax, ymin, ymax])
        if not where.include_synthetic:
            clauses.append("NOT i.synthetic")
        columns = [self._micros(f"i.{c}") if c == "occurred_at" else f"i.{c}" for c in _ROW_COLUMNS]
        condition = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return (
            f"SELECT {', '.join(columns)}, coalesce(i.district_tag, 0) FROM incidents AS i{condition}",
            params,
        )

    def _query(self, where: IncidentFilter) -> pd.DataFrame:
        """Return the incidents matching ``where`` (see ``IncidentStore.query``)."""
        sql, params = self._select_sql(where)

        def read(conn: _C) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
            rows = self._fetch(conn, sql, params)
            return rows, conn.execute(_TAGS_SQL).fetchall()  # after the rows: their tags are committed

        rows, tags = self._read("reading incidents", read)
        # Sorting in numpy is twice as fast as ORDER BY, which sorts whole rows.
        return _frame_from_rows(rows, _tag_lookup(tags))

    def query_plan(self, where: IncidentFilter | None = None, *, scope: Scope | None = None) -> list[str]:
        """Return the database's plan for ``query(where, scope=scope)``, one line per step (index use).

        Parameters
        ----------
        where
            The filter of ``query``; None for every incident.
        scope
            The scope of ``query``; None plans the query without a scope's districts.

        Returns
        -------
        list of str
            SQLite: the ``detail`` of each ``EXPLAIN QUERY PLAN`` step, e.g. ``SEARCH i USING
            INDEX ...``; PostgreSQL: the ``EXPLAIN`` lines, e.g. ``Bitmap Index Scan on ...``.
        """
        checked = IncidentFilter() if where is None else where
        sql, params = self._select_sql(checked if scope is None else scoped_filter(checked, scope))
        rows = self._read(
            "explaining a query", lambda conn: conn.execute(self._EXPLAIN + sql, params).fetchall()
        )
        return [str(row[-1]) for row in rows]

    def batches(self) -> pd.DataFrame:
        """Return the import log, oldest first (``BATCH_COLUMNS``; ``imported_at`` in UTC)."""
        columns = [self._micros(c) if c == "imported_at" else c for c in BATCH_COLUMNS]
        sql = f"SELECT {', '.join(columns)} FROM batches ORDER BY batch_id"
        return _batch_frame(self._read("reading the batch log", lambda conn: conn.execute(sql).fetchall()))

    def stats(self) -> StoreStats:
        """Return totals, time span, batch count and schema version of the store (one snapshot)."""
        micros = self._micros("occurred_at")
        # Totals per category, source and position quality; the last row keeps the batch count
        # when there are no incidents.
        sql = (
            f"SELECT category, source, geocode_quality, count(*), min({micros}), max({micros}), "
            "sum(CASE WHEN synthetic THEN 1 ELSE 0 END), (SELECT count(*) FROM batches) "
            "FROM incidents GROUP BY category, source, geocode_quality "
            "UNION ALL SELECT NULL, NULL, NULL, 0, NULL, NULL, 0, (SELECT count(*) FROM batches)"
        )
        groups = self._read("reading the store's totals", lambda conn: conn.execute(sql).fetchall())
        return _stats_from_groups(groups, self._version)

    def count(self) -> int:
        """Return the number of incidents stored."""
        return int(
            self._read("counting incidents", lambda conn: _scalar(conn, "SELECT count(*) FROM incidents"))
        )


# --------------------------------------------------------------------------- helpers


def _scalar(conn: _Connection, query: str, params: Sequence[Any] = ()) -> Any:
    """Return the first column of the first row of ``query`` (aggregates always return one)."""
    row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def _stamp(micros: int | None) -> pd.Timestamp | None:
    """Europe/Helsinki timestamp of UTC epoch microseconds, None for None."""
    if micros is None:
        return None
    return pd.Timestamp(int(micros), unit="us", tz="UTC").tz_convert(schema.TIMEZONE)


def _batch_frame(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """``BATCH_COLUMNS`` frame from rows in that order (``imported_at`` as UTC µs)."""
    cols: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in BATCH_COLUMNS]
    data = dict(zip(BATCH_COLUMNS, cols, strict=True))
    return pd.DataFrame(
        {
            "batch_id": np.array(data["batch_id"], dtype=np.int64),
            "imported_at": pd.to_datetime(np.array(data["imported_at"], dtype=np.int64), unit="us", utc=True),
            "file_name": pd.array(data["file_name"], dtype="string"),
            "content_hash": pd.array(data["content_hash"], dtype="string"),
            **{
                name: np.array(data[name], dtype=np.int64)
                for name in ("rows_read", "added", "duplicates", "conflicts", "rejected")
            },
            "note": pd.array(data["note"], dtype="string"),
            "duplicate_of": pd.array(data["duplicate_of"], dtype="Int64"),
            "deleted_in": pd.array(data["deleted_in"], dtype="Int64"),
        }
    )


def _stats_from_groups(groups: Sequence[tuple[Any, ...]], version: int) -> StoreStats:
    """``StoreStats`` from rows (category, source, quality, count, first µs, last µs, synthetic, batches).

    A missing quality (a row stored before schema version 2) is the source's own position.
    """
    by_category = dict.fromkeys(schema.CATEGORIES, 0)
    by_source = dict.fromkeys(schema.SOURCES, 0)
    by_quality = dict.fromkeys(geocoding.PLACED_QUALITIES, 0)
    firsts: list[int] = []
    lasts: list[int] = []
    synthetic = 0
    for category, source, quality, n, first_us, last_us, n_synthetic, _ in groups:
        if category is None:
            continue
        by_category[category] = by_category.get(category, 0) + int(n)
        by_source[source] = by_source.get(source, 0) + int(n)
        quality = schema.SOURCE_QUALITY if quality is None else quality
        by_quality[quality] = by_quality.get(quality, 0) + int(n)
        firsts.append(int(first_us))
        lasts.append(int(last_us))
        synthetic += int(n_synthetic)
    return StoreStats(
        total=sum(by_category.values()),
        by_category=by_category,
        by_source=by_source,
        by_geocode_quality=by_quality,
        first_occurred_at=_stamp(min(firsts, default=None)),
        last_occurred_at=_stamp(max(lasts, default=None)),
        batches=int(groups[0][-1]),  # every row carries it
        schema_version=version,
        synthetic=synthetic,
    )
