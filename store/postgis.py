"""The incident store in PostgreSQL + PostGIS, for a deployment shared by city and police.

``open_store("postgresql://user:password@host:5432/database")`` opens it. It keeps every
rule of ``store.base`` (read that module's docstring) with the same results as
``SQLiteStore``: validation of frames and filters, content hashing and the conversion of
rows into the canonical frame are ``store.base``'s own functions. Only what touches SQL is
here, plus the sorting of a batch into new rows, duplicates and conflicts, which mirrors
``SQLiteStore.add_batch`` (tests/test_postgis.py compares the two backends' answers).

What PostgreSQL adds:

- ``occurred_at`` is a ``timestamptz`` (microseconds, like the SQLite integer) and every
  located incident has a generated ``geom geometry(Point, 3067)`` column with a GiST
  index, so GIS tools (QGIS, ogr2ogr) can read the tables directly.
- The tables live in the connection's current schema: the first schema of its
  ``search_path`` that exists. Several stores can share one database, e.g.
  ``postgresql://analyst@db/hotspots?options=-csearch_path%3Dpolice,public`` (PostGIS
  itself is usually in ``public``, which must stay on the path).
- PostGIS is created in the database on first open when the role may do it (it needs a
  superuser, or a database administrator runs ``CREATE EXTENSION postgis`` once).
- Writers from several processes or machines are serialised by a table lock on
  ``batches`` for the duration of one ``add_batch``; readers are never blocked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar, cast

import numpy as np
import pandas as pd
import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from geo import schema, settings
from geo.errors import StoreError
from store.base import (
    _CODE_COLUMNS,
    _NO_TAG,
    _ROW_COLUMNS,
    _TAG_COLUMNS,
    APPLICATION,
    BATCH_COLUMNS,
    BatchResult,
    IncidentStore,
    Migration,
    StoreStats,
    _check_batch_arguments,
    _check_migrations,
    _classify,
    _conflict_frame,
    _conform_batch,
    _content_hashes,
    _frame_from_rows,
    _incident_rows,
    _row_label,
    _tag_keys,
    _tag_lookup,
    _utc_microseconds,
)
from store.filters import IncidentFilter
from store.urls import names_postgresql, redact_url, scrub_secrets

#: URL form ``PostGISStore`` understands (``postgres://`` and ``postgresql+psycopg://`` too).
URL_FORM: Final = "postgresql://user:password@host:5432/database"
#: The extension the store needs in its database.
EXTENSION: Final = "postgis"
#: EPSG code of the ``geom`` column: ETRS-TM35FIN metres, as ``x_m``/``y_m``.
SRID: Final = 3067
#: Oldest server whose ``extract(epoch ...)`` is exact to the microsecond (numeric, not double).
MIN_SERVER_VERSION: Final = 140000
#: add_batch analyses the table when it added at least 1/ANALYZE_SHARE of the rows last analysed.
ANALYZE_SHARE: Final = 10
#: Seconds to wait for the server unless the URL sets ``connect_timeout``.
DEFAULT_CONNECT_TIMEOUT_S: Final = 10
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_T = TypeVar("_T")


def _micros_sql(column: str) -> str:
    """Return SQL for a ``timestamptz`` column as UTC microseconds since the epoch (exact from PG 14 on)."""
    return f"(extract(epoch FROM {column}) * 1000000)::bigint"


# --------------------------------------------------------------------------- schema

_TAG_SQL = ",\n    ".join(f"{name} text" for name in _TAG_COLUMNS)

# incidents.batch_id and incidents.district_tag name rows of batches and district_tags but
# carry no foreign keys: PostgreSQL checks those row by row, which made a 100k-row COPY a
# third slower. Only add_batch writes incidents, in the transaction that writes their batch
# and tags, under the batch lock.
_V1: Final = Migration(
    1,
    "incidents, import batches, btree indexes on time/category/source/districts, GiST index on geom",
    (
        "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
        """CREATE TABLE batches (
    batch_id bigint PRIMARY KEY CHECK (batch_id > 0),
    imported_at timestamptz NOT NULL,
    file_name text NOT NULL,
    content_hash text NOT NULL,
    rows_read bigint NOT NULL CHECK (rows_read >= 0),
    added bigint NOT NULL CHECK (added >= 0),
    duplicates bigint NOT NULL CHECK (duplicates >= 0),
    conflicts bigint NOT NULL CHECK (conflicts >= 0),
    rejected bigint NOT NULL CHECK (rejected >= 0),
    note text NOT NULL DEFAULT '',
    duplicate_of bigint REFERENCES batches (batch_id)
)""",
        "CREATE INDEX batches_content_hash ON batches (content_hash)",
        f"""CREATE TABLE district_tags (
    tag_id integer PRIMARY KEY CHECK (tag_id > 0),
    {_TAG_SQL}
)""",
        f"""CREATE TABLE incidents (
    id text PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    category text NOT NULL,
    category_raw text,
    source text NOT NULL,
    severity smallint CHECK (severity BETWEEN 1 AND 5),
    description text,
    x_m double precision,
    y_m double precision,
    lon double precision,
    lat double precision,
    synthetic boolean NOT NULL,
    in_helsinki boolean NOT NULL,
    osaalue_code text,
    peruspiiri_code text,
    suurpiiri_code text,
    district_tag integer,
    content_hash text NOT NULL,
    batch_id bigint NOT NULL,
    geom geometry(Point, {SRID}) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x_m, y_m), {SRID})) STORED,
    CHECK ((x_m IS NULL) = (y_m IS NULL))
)""",
        "CREATE INDEX incidents_occurred_at ON incidents (occurred_at)",
        "CREATE INDEX incidents_category ON incidents (category)",
        "CREATE INDEX incidents_source ON incidents (source)",
        "CREATE INDEX incidents_osaalue ON incidents (osaalue_code)",
        "CREATE INDEX incidents_peruspiiri ON incidents (peruspiiri_code)",
        "CREATE INDEX incidents_suurpiiri ON incidents (suurpiiri_code)",
        "CREATE INDEX incidents_geom ON incidents USING gist (geom)",
    ),
)

#: Every schema step of the PostgreSQL store, oldest first; versions run 1, 2, 3 ... without gaps.
MIGRATIONS: tuple[Migration, ...] = (_V1,)
#: The schema version this code writes.
SCHEMA_VERSION: Final = MIGRATIONS[-1].version

#: Columns COPYed into ``incidents``, in the order of ``store.base._incident_rows``.
_COPY_COLUMNS: Final = (*_ROW_COLUMNS, *_CODE_COLUMNS, "district_tag", "content_hash", "batch_id")
_COPY_SQL: Final = f"COPY incidents ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
#: Row columns in the order ``store.base._frame_from_rows`` reads them.
_SELECT_LIST: Final = ", ".join(
    [
        *(_micros_sql("i.occurred_at") if name == "occurred_at" else f"i.{name}" for name in _ROW_COLUMNS),
        "coalesce(i.district_tag, 0)",
    ]
)
_BATCH_SELECT: Final = (
    f"SELECT batch_id, {_micros_sql('imported_at')}, file_name, content_hash, rows_read, added, "
    "duplicates, conflicts, rejected, note, duplicate_of FROM batches ORDER BY batch_id"
)
#: Totals per category and source in one snapshot; the last row keeps the batch count
#: when there are no incidents.
_STATS_SQL: Final = (
    f"SELECT category, source, count(*), min({_micros_sql('occurred_at')}), "
    f"max({_micros_sql('occurred_at')}), count(*) FILTER (WHERE synthetic), "
    "(SELECT count(*) FROM batches) FROM incidents GROUP BY category, source "
    "UNION ALL SELECT NULL, NULL, 0, NULL, NULL, 0, (SELECT count(*) FROM batches)"
)
#: Tables, views and sequences of the current schema that no extension owns (PostGIS puts
#: ``spatial_ref_sys`` and its views beside the store when both are in ``public``).
_OWN_RELATIONS_SQL: Final = """SELECT c.relname FROM pg_class AS c
WHERE c.relnamespace = current_schema()::regnamespace
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend AS d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
ORDER BY c.relname"""


# --------------------------------------------------------------------------- pure parts


def libpq_url(url: str) -> str:
    """Return the URL as libpq reads it (``postgres://``, ``postgresql+driver://`` -> ``postgresql://``).

    Parameters
    ----------
    url
        ``postgresql://``, ``postgres://`` or ``postgresql+psycopg://`` URL.

    Returns
    -------
    str
        The same URL with the scheme ``postgresql``.

    Raises
    ------
    StoreError
        The URL does not name PostgreSQL; the message shows it with the password redacted.
    """
    text = url.strip()
    _, separator, rest = text.partition("://")
    if not separator or not names_postgresql(text):
        raise StoreError(
            f"store URL {redact_url(text)!r} does not name PostgreSQL; write it as {URL_FORM} "
            f"(in {settings.ENV_DB_URL} or the url argument)."
        )
    return f"postgresql://{rest}"


def _text_error(row: tuple[Any, ...]) -> str:
    """Name the column of a COPY row that holds a NUL character, which PostgreSQL text cannot."""
    for column, value in zip(_COPY_COLUMNS, row, strict=True):
        if isinstance(value, str) and "\x00" in value:
            return f"a NUL character (\\x00) in {column}, which PostgreSQL cannot store; remove it"
    return "a value PostgreSQL cannot store"


def _copy_times(occurred_us: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC text of each microsecond count, as COPY reads a ``timestamptz``."""
    return np.datetime_as_string(occurred_us.astype("datetime64[us]"), unit="us", timezone="UTC")


def _instant(micros: int) -> datetime:
    """Return the UTC datetime of an epoch microsecond count (exact: no float on the way)."""
    return _EPOCH + timedelta(microseconds=micros)


def _select_sql(flt: IncidentFilter) -> tuple[str, list[Any]]:
    """Build the SQL and parameters for the incidents matching ``flt``."""
    where: list[str] = []
    params: list[Any] = []
    if flt.since_us is not None:
        where.append("i.occurred_at >= %s")
        params.append(_instant(flt.since_us))
    if flt.until_us is not None:
        where.append("i.occurred_at < %s")
        params.append(_instant(flt.until_us))
    for column, values in flt.listed.items():
        if values is None:
            continue
        if not values:
            where.append("false")
            continue
        where.append(f"i.{column} = ANY(%s)")
        params.append(list(values))
    if flt.bbox_m is not None:
        xmin, ymin, xmax, ymax = flt.bbox_m
        # The GiST index keeps float4 boxes rounded outwards (half a metre at Helsinki's
        # northings): && finds candidates, the comparison of the stored doubles decides, so
        # points on an edge are inside and the box may be a line or a point.
        where.append(f"i.geom && ST_MakeEnvelope(%s, %s, %s, %s, {SRID})")
        params.extend([xmin, ymin, xmax, ymax])
        where.append("i.x_m BETWEEN %s AND %s AND i.y_m BETWEEN %s AND %s")
        params.extend([xmin, xmax, ymin, ymax])
    if not flt.include_synthetic:
        where.append("NOT i.synthetic")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {_SELECT_LIST} FROM incidents AS i{clause}", params


def _batch_frame(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """``BATCH_COLUMNS`` frame from rows of ``_BATCH_SELECT`` (``imported_at`` as UTC µs)."""
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
        }
    )


def _stamp(micros: int | None) -> pd.Timestamp | None:
    """Europe/Helsinki timestamp of UTC epoch microseconds, None for None."""
    if micros is None:
        return None
    return pd.Timestamp(int(micros), unit="us", tz="UTC").tz_convert(schema.TIMEZONE)


# --------------------------------------------------------------------------- the store


_Connection = psycopg.Connection[Any]


@dataclass(frozen=True)
class _Target:
    """Where the store lives, for messages: the redacted URL and the password to scrub."""

    shown: str
    url: str = field(repr=False)

    def scrub(self, error: BaseException) -> str:
        """Return the error's text without any password (libpq may quote the connection string)."""
        return scrub_secrets(str(error).strip(), self.url)


class PostGISStore(IncidentStore):
    """Incident store in a PostgreSQL database with PostGIS (see the module docstring).

    Opening connects, creates PostGIS in the database when it is missing and the role may,
    and creates or migrates the store's tables in the current schema. One connection is
    shared by the threads of a process and guarded by a lock; a connection broken by a
    server restart is opened again on the next call.

    Parameters
    ----------
    url
        ``postgresql://user:password@host:port/database`` (``postgres://`` and
        ``postgresql+psycopg://`` work too); libpq options such as ``sslmode``,
        ``connect_timeout`` or ``options=-csearch_path%3Dschema,public`` go in the query.
    """

    def __init__(self, url: str) -> None:
        self._lock = threading.RLock()
        text = url.strip()
        self._target = _Target(redact_url(text), text)
        self._conninfo = libpq_url(text)
        self._conn: _Connection | None = None
        self._schema = ""
        self._version = 0
        self._analyzed_at = 0  # rows at this process's last ANALYZE
        try:
            conn = self._connect()
            self._conn = conn
            self._schema = self._current_schema(conn)
            self._ensure_postgis(conn)
            self._version = self._migrate(conn)
        except psycopg.Error as exc:
            self._abandon()
            raise StoreError(
                f"cannot open the incident store {self._target.shown}: {self._target.scrub(exc)}. Check that "
                f"the server runs and the URL (host, port, database, user, password) is right, or point "
                f"{settings.ENV_DB_URL} to another store."
            ) from exc
        except StoreError:
            self._abandon()
            raise

    # -- set-up

    def _connect(self) -> _Connection:
        try:
            params: dict[str, Any] = conninfo_to_dict(self._conninfo)
        except psycopg.Error as exc:
            raise StoreError(
                f"store URL {self._target.shown!r} is not a valid PostgreSQL URL: {self._target.scrub(exc)}. "
                f"Write it as {URL_FORM}."
            ) from exc
        params.setdefault("connect_timeout", str(DEFAULT_CONNECT_TIMEOUT_S))
        params.setdefault("application_name", "helsinki-hotspots")
        conn = psycopg.connect(autocommit=True, **params)
        # Each statement of add_batch must see what the writer before it committed.
        conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
        if conn.info.server_version < MIN_SERVER_VERSION:
            conn.close()
            raise StoreError(
                f"the server of {self._target.shown} runs PostgreSQL {conn.info.server_version // 10000}; "
                "the incident store needs PostgreSQL 14 or newer. Upgrade the server or use an SQLite store."
            )
        return conn

    def _abandon(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _current_schema(self, conn: _Connection) -> str:
        name = _scalar(conn, "SELECT current_schema()")
        if name is None:
            path = _scalar(conn, "SHOW search_path")
            raise StoreError(
                f"no schema of the search_path ({path}) of {self._target.shown} exists; create the schema "
                "(CREATE SCHEMA name) or name an existing one with ?options=-csearch_path%3Dname,public"
            )
        return str(name)

    def _ensure_postgis(self, conn: _Connection) -> None:
        """Create PostGIS in the database when it is missing; StoreError when that is impossible."""
        if _scalar(conn, "SELECT count(*) FROM pg_extension WHERE extname = %s", (EXTENSION,)) == 0:
            available = _scalar(
                conn, "SELECT count(*) FROM pg_available_extensions WHERE name = %s", (EXTENSION,)
            )
            if available == 0:
                raise StoreError(
                    f"the PostgreSQL server of {self._target.shown} does not have PostGIS installed. Install "
                    "PostGIS on the server (Debian: apt-get install postgresql-postgis; .ci/postgres.sh does "
                    "it) and open the store again."
                )
            try:
                with conn.transaction():
                    conn.execute(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}")
            except pg_errors.InsufficientPrivilege as exc:
                raise StoreError(
                    f"PostGIS is installed on the server of {self._target.shown} but not created in its "
                    f"database, and the user {conn.info.user!r} may not create it "
                    f"({self._target.scrub(exc)}). "
                    f"Ask the database administrator to run CREATE EXTENSION {EXTENSION}; in database "
                    f"{conn.info.dbname!r} once."
                ) from exc
        if _scalar(conn, "SELECT to_regtype('geometry')") is None:
            where = _scalar(
                conn,
                "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = %s",
                (EXTENSION,),
            )
            raise StoreError(
                f"PostGIS is in schema {where!r} of {self._target.shown}, which is not on the search_path; "
                f"add it, e.g. ?options=-csearch_path%3D{self._schema},{where}"
            )

    def _read_version(self, conn: _Connection) -> int:
        """Return the schema version of the store in the current schema; 0 for a schema without one."""
        names = [row[0] for row in conn.execute(_OWN_RELATIONS_SQL).fetchall()]
        if "meta" not in names:
            if names:
                raise StoreError(
                    f"schema {self._schema!r} of {self._target.shown} holds other tables ({names[:5]}) "
                    "and no 'meta' table, so it is not an incident store; choose an empty or new schema with "
                    "?options=-csearch_path%3Dname,public"
                )
            return 0
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != APPLICATION or not str(meta.get("schema_version", "")).isdigit():
            raise StoreError(
                f"schema {self._schema!r} of {self._target.shown} has a 'meta' table but is not an incident "
                f"store of this tool (application {meta.get('application')!r}, schema_version "
                f"{meta.get('schema_version')!r}); choose another schema or database."
            )
        return int(meta["schema_version"])

    def _migrate(self, conn: _Connection) -> int:
        """Bring the schema to the newest version in ``MIGRATIONS``; return that version."""
        migrations = MIGRATIONS
        _check_migrations(migrations)
        target = migrations[-1].version
        current = self._read_version(conn)
        if current > target:
            raise StoreError(
                f"the incident store in schema {self._schema!r} of {self._target.shown} has schema version "
                f"{current}, written by a newer version of this tool (this one knows up to version "
                f"{target}). Upgrade helsinki-hotspots to open it; the store was not changed."
            )
        if current == target:
            return current
        step = migrations[0]
        try:
            with conn.transaction():
                # Two processes opening a new store at once: the second waits, then finds it made.
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{APPLICATION} {self._schema}",))
                current = self._read_version(conn)
                for step in migrations[current:]:
                    for statement in step.statements:
                        conn.execute(statement)
                conn.cursor().executemany(
                    "INSERT INTO meta (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    [("application", APPLICATION), ("schema_version", str(target))],
                )
        except psycopg.Error as exc:
            raise StoreError(
                f"migrating the incident store in schema {self._schema!r} of {self._target.shown} to schema "
                f"version {step.version} ({step.description}) failed: {self._target.scrub(exc)}. The store "
                f"was left unchanged at version {current}; report this with the store's schema version."
            ) from exc
        return target

    # -- plumbing

    def _connection(self) -> _Connection:
        if self._conn is None:
            raise StoreError(
                f"the incident store {self._target.shown} is closed; open it again with open_store()"
            )
        if self._conn.broken:
            self._conn.close()
            self._conn = None
            with self._errors("reconnecting"):
                self._conn = self._connect()
        return self._conn

    def _read(self, action: str, read: Callable[[_Connection], _T]) -> _T:
        """``read(connection)`` under the lock; once more on a new connection if the server dropped it."""
        with self._lock, self._errors(action):
            conn = self._connection()
            try:
                return read(conn)
            except psycopg.OperationalError:
                if not conn.broken:
                    raise
            # A restarted server or an idle timeout: reading again is safe, writing is not.
            return read(self._connection())

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn database errors into a StoreError naming the store and the action."""
        try:
            yield
        except psycopg.Error as exc:
            raise StoreError(
                f"{action} in the incident store {self._target.shown} failed: {self._target.scrub(exc)}. "
                "Nothing was changed; check that the server is reachable and try again."
            ) from exc

    @property
    def url(self) -> str:
        """The URL the store was opened with, the password replaced by ``***``."""
        return self._target.shown

    @property
    def db_schema(self) -> str:
        """The PostgreSQL schema that holds the store's tables."""
        return self._schema

    @property
    def schema_version(self) -> int:
        """Version of the store's schema (``SCHEMA_VERSION`` once opened)."""
        return self._version

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._abandon()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"schema {self._schema!r} v{self._version}"
        return f"PostGISStore({self._target.shown!r}, {state})"

    # -- writing

    def add_batch(
        self,
        incidents: pd.DataFrame,
        *,
        file_name: str,
        content_hash: str,
        rows_read: int | np.integer[Any],
        rejected: int | np.integer[Any],
        note: str = "",
    ) -> BatchResult:
        """Store the incidents of one imported file in one transaction (see ``IncidentStore``)."""
        _check_batch_arguments(file_name, content_hash, rows_read, rejected, note)
        rows_read, rejected = int(rows_read), int(rejected)
        with self._lock:
            conn = self._connection()
            with self._errors(f"storing the batch {file_name}"), conn.transaction():
                result = self._add_batch_locked(
                    conn, incidents, file_name, content_hash, rows_read, rejected, note
                )
            if result.added and result.added * ANALYZE_SHARE >= self._analyzed_at:
                # Fresh statistics let the planner pick the indexes right after a large import
                # (autovacuum gets there too, but up to minutes later); PostgreSQL skips the
                # step with a notice for a role that does not own the table.
                try:
                    conn.execute("ANALYZE incidents")
                    rows = _scalar(conn, "SELECT reltuples FROM pg_class WHERE oid = 'incidents'::regclass")
                    self._analyzed_at = max(int(rows or 0), result.added)
                except psycopg.Error:
                    pass  # the batch is committed; statistics only speed up planning
        return result

    def _add_batch_locked(
        self,
        conn: _Connection,
        incidents: pd.DataFrame,
        file_name: str,
        content_hash: str,
        rows_read: int,
        rejected: int,
        note: str,
    ) -> BatchResult:
        # Writers queue here (readers are not blocked), so the duplicate check, the batch ids
        # and the district tag ids below see every batch committed before this one.
        conn.execute("LOCK TABLE batches IN SHARE ROW EXCLUSIVE MODE")
        batch_id = int(_scalar(conn, "SELECT coalesce(max(batch_id), 0) + 1 FROM batches"))
        previous = _scalar(
            conn,
            "SELECT min(batch_id) FROM batches WHERE content_hash = %s AND duplicate_of IS NULL",
            (content_hash,),
        )
        insert_batch = (
            "INSERT INTO batches (batch_id, imported_at, file_name, content_hash, rows_read, added, "
            "duplicates, conflicts, rejected, note, duplicate_of) "
            "VALUES (%s, now(), %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        if previous is not None:
            conn.execute(
                insert_batch,
                (batch_id, file_name, content_hash, rows_read, 0, 0, 0, rejected, note, previous),
            )
            return BatchResult(
                batch_id=batch_id,
                added=0,
                duplicates=0,
                conflicts=_conflict_frame([], [], []),
                already_imported=True,
                duplicate_of=int(previous),
            )
        frame = _conform_batch(incidents, file_name)
        occurred_us = _utc_microseconds(frame["occurred_at"])
        hashes = _content_hashes(frame, occurred_us)
        ids = frame["id"].to_numpy(dtype=object).tolist()
        stored = {
            ident: (digest, int(batch))
            for ident, digest, batch in conn.execute(
                "SELECT id, content_hash, batch_id FROM incidents WHERE id = ANY(%b)", (list(set(ids)),)
            ).fetchall()
        }
        new_rows, duplicates, conflicts = _classify(ids, hashes, stored)
        conn.execute(
            insert_batch,
            (
                batch_id,
                file_name,
                content_hash,
                rows_read,
                len(new_rows),
                duplicates,
                len(conflicts),
                rejected,
                note,
                None,
            ),
        )
        if new_rows:
            take = np.asarray(new_rows, dtype=np.int64)
            fresh = frame.iloc[take].reset_index(drop=True)
            tag_ids = _tag_ids(conn, _tag_keys(fresh))
            rows = _incident_rows(
                fresh, _copy_times(occurred_us[take]), tag_ids, [hashes[i] for i in new_rows], batch_id
            )
            with conn.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
                for position, row in enumerate(rows):
                    try:
                        copy.write_row(row)
                    except psycopg.DataError as exc:  # raised by psycopg before the row is sent
                        raise StoreError(
                            f"{file_name}: {_row_label(frame, new_rows[position])} has {_text_error(row)} "
                            f"({exc}); nothing was stored. Fix the source file and import again."
                        ) from exc
        return BatchResult(batch_id=batch_id, added=len(new_rows), duplicates=duplicates, conflicts=conflicts)

    # -- reading

    def _query(self, flt: IncidentFilter) -> pd.DataFrame:
        """Incidents matching ``flt`` from PostgreSQL (see ``IncidentStore.query``)."""
        sql, params = _select_sql(flt)

        def read(conn: _Connection) -> tuple[list[tuple[Any, ...]], dict[str, np.ndarray]]:
            with conn.cursor(binary=True) as cursor:
                rows = cursor.execute(sql, params).fetchall()
            # After the rows: every tag they name is committed. The helper only runs one
            # parameterless SELECT, which a psycopg connection answers like sqlite3's.
            return rows, _tag_lookup(cast(Any, conn))

        rows, tags = self._read("reading incidents", read)
        return _frame_from_rows(rows, tags)

    def query_plan(self, where: IncidentFilter | None = None) -> list[str]:
        """PostgreSQL's ``EXPLAIN`` lines for ``query(where)`` (to check index use).

        Parameters
        ----------
        where
            The filter of ``query``; None for every incident.

        Returns
        -------
        list of str
            One line per plan node, e.g. ``Bitmap Index Scan on incidents_geom``.
        """
        sql, params = _select_sql(IncidentFilter() if where is None else where)
        rows = self._read(
            "explaining a query", lambda conn: conn.execute("EXPLAIN " + sql, params).fetchall()
        )
        return [str(row[0]) for row in rows]

    def batches(self) -> pd.DataFrame:
        """Return the import log, oldest first (``BATCH_COLUMNS``; ``imported_at`` in UTC)."""
        rows = self._read("reading the batch log", lambda conn: conn.execute(_BATCH_SELECT).fetchall())
        return _batch_frame(rows)

    def stats(self) -> StoreStats:
        """Totals, time span, batch count and schema version of the store (one snapshot)."""
        groups = self._read("reading the store's totals", lambda conn: conn.execute(_STATS_SQL).fetchall())
        by_category = dict.fromkeys(schema.CATEGORIES, 0)
        by_source = dict.fromkeys(schema.SOURCES, 0)
        firsts: list[int] = []
        lasts: list[int] = []
        synthetic = 0
        for category, source, n, first_us, last_us, n_synthetic, _ in groups:
            if category is None:
                continue
            by_category[category] = by_category.get(category, 0) + int(n)
            by_source[source] = by_source.get(source, 0) + int(n)
            firsts.append(int(first_us))
            lasts.append(int(last_us))
            synthetic += int(n_synthetic)
        return StoreStats(
            total=sum(by_category.values()),
            by_category=by_category,
            by_source=by_source,
            first_occurred_at=_stamp(min(firsts, default=None)),
            last_occurred_at=_stamp(max(lasts, default=None)),
            batches=int(groups[0][-1]),  # every row carries it
            schema_version=self._version,
            synthetic=synthetic,
        )

    def count(self) -> int:
        """Return the number of incidents stored."""
        return int(
            self._read("counting incidents", lambda conn: _scalar(conn, "SELECT count(*) FROM incidents"))
        )


# --------------------------------------------------------------------------- SQL helpers


def _scalar(conn: _Connection, query: str, params: Sequence[Any] = ()) -> Any:
    """Return the first column of the first row of ``query`` (aggregates always return one)."""
    row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def _tag_ids(conn: _Connection, keys: Sequence[tuple[Any, ...]]) -> list[int | None]:
    """Id in ``district_tags`` of each key, adding new combinations; None when all are missing.

    Runs under the batch lock, so numbering new tags after the largest id is safe.
    """
    known: dict[tuple[Any, ...], int] = {
        tuple(row[1:]): int(row[0])
        for row in conn.execute(f"SELECT tag_id, {', '.join(_TAG_COLUMNS)} FROM district_tags").fetchall()
    }
    next_id = max(known.values(), default=0) + 1
    added: list[tuple[Any, ...]] = []
    out: list[int | None] = []
    for key in keys:
        if key == _NO_TAG:
            out.append(None)
            continue
        tag = known.get(key)
        if tag is None:
            tag = next_id
            next_id += 1
            known[key] = tag
            added.append((tag, *key))
        out.append(tag)
    if added:
        columns = ("tag_id", *_TAG_COLUMNS)
        conn.cursor().executemany(
            f"INSERT INTO district_tags ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
            added,
        )
    return out
