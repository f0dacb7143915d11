"""The incident store in PostgreSQL + PostGIS, for a deployment shared by city and police.

``open_store("postgresql://user:password@host:5432/database")`` opens it. It keeps every
rule of ``store.base`` (read that module's docstring) with the same results as
``SQLiteStore``: the steps of opening, migrating, importing and reading are
``store.database.DatabaseStore``'s, those of users, the audit trail and deleting
``store.audited.AuditedStore``'s, those of measures ``store.measured.MeasuredStore``'s,
and the checks, hashes and conversions of rows are ``store.rows``'s. Only what touches
PostgreSQL and psycopg is here (tests/test_postgis.py compares the two backends' answers).

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

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar

import numpy as np
import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from geo import settings
from geo.errors import StoreError
from store.audit import APPEND_ONLY
from store.base import APPLICATION, BatchResult, Migration
from store.database import _scalar
from store.measured import MeasuredStore
from store.rows import _TAG_COLUMNS, _WRITE_COLUMNS, _BatchCounts, _BatchEntry, _incident_rows, _NewIncidents
from store.scope import ROLES
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


# --------------------------------------------------------------------------- schema

_TAG_DDL = ",\n    ".join(f"{name} text" for name in _TAG_COLUMNS)

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
    {_TAG_DDL}
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

# How each position was found (schema.GEOCODE_COLUMNS). Adding a nullable column without a
# default rewrites no rows; rows stored before keep NULL, which reads as the source's own
# position. The allowed values are checked on the way in (store.rows), as in SQLite.
_V2: Final = Migration(
    2,
    "geocode_quality and geocode_match on incidents (NULL for rows stored before: the source's position)",
    (
        "ALTER TABLE incidents ADD COLUMN geocode_quality text",
        "ALTER TABLE incidents ADD COLUMN geocode_match text",
    ),
)

_ROLES_SQL: Final = ", ".join(f"'{role}'" for role in ROLES)

# Users and the audit trail (store.users, store.audit). The audit table is append-only: the
# code has no statement that changes a row, and the triggers refuse UPDATE, DELETE and
# TRUNCATE whoever asks. Only the tables' owner or a superuser could disable them: a
# deployment that must guard the trail against the app itself gives the app a role that
# does not own the tables.
# The ids come from an identity column: a rolled back transaction may leave a gap.
_V3: Final = Migration(
    3,
    "users and roles, the append-only audit trail, deleted batches (deleted_in), an index on batch_id",
    (
        f"""CREATE TABLE users (
    user_id text PRIMARY KEY,
    role text NOT NULL CHECK (role IN ({_ROLES_SQL})),
    districts text,
    added_at timestamptz NOT NULL,
    added_by text NOT NULL,
    CHECK (role <> 'youth_worker' OR districts IS NOT NULL)
)""",
        """CREATE TABLE audit (
    audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    user_id text NOT NULL,
    role text NOT NULL,
    action text NOT NULL,
    detail text NOT NULL DEFAULT '{}'
)""",
        "CREATE INDEX audit_at ON audit (at)",
        "CREATE INDEX audit_user ON audit (user_id)",
        f"""CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$""",
        """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
        """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
        "ALTER TABLE batches ADD COLUMN deleted_in bigint REFERENCES audit (audit_id)",
        "CREATE INDEX incidents_batch ON incidents (batch_id)",
    ),
)

# Measures (store.measure_records): the area a MultiPolygon in EPSG:3067 with a GiST index,
# so GIS tools read it directly; the osa-alue it touches in a table of their own, so the
# scope's condition is an indexed lookup. Kinds, leads and place kinds are checked on the
# way in and out, as in SQLite. A removed measure stays, marked with its audit row.
_V4: Final = Migration(
    4,
    "measures with their area, dates and osa-alue (measure_osaalue), removed_in for removed ones",
    (
        f"""CREATE TABLE measures (
    measure_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    lead text NOT NULL,
    partner text NOT NULL DEFAULT '',
    categories text NOT NULL DEFAULT '',
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    note text NOT NULL DEFAULT '',
    place_kind text NOT NULL,
    place_ref text NOT NULL DEFAULT '',
    area geometry(MultiPolygon, {SRID}) NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    removed_in bigint REFERENCES audit (audit_id),
    CHECK (ends_at > starts_at)
)""",
        "CREATE INDEX measures_starts_at ON measures (starts_at)",
        "CREATE INDEX measures_area ON measures USING gist (area)",
        """CREATE TABLE measure_osaalue (
    measure_id bigint NOT NULL REFERENCES measures (measure_id),
    osaalue_code text NOT NULL,
    PRIMARY KEY (measure_id, osaalue_code)
)""",
        "CREATE INDEX measure_osaalue_code ON measure_osaalue (osaalue_code)",
    ),
)

#: Every schema step of the PostgreSQL store, oldest first; versions run 1, 2, 3 ... without gaps.
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4)
#: The schema version this code writes.
SCHEMA_VERSION: Final = MIGRATIONS[-1].version

#: Columns COPYed into ``incidents``, in the order of ``store.rows._incident_rows``.
_COPY_SQL: Final = f"COPY incidents ({', '.join(_WRITE_COLUMNS)}) FROM STDIN"
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
    for column, value in zip(_WRITE_COLUMNS, row, strict=True):
        if isinstance(value, str) and "\x00" in value:
            return f"a NUL character (\\x00) in {column}, which PostgreSQL cannot store; remove it"
    return "a value PostgreSQL cannot store"


def _copy_times(occurred_us: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC text of each microsecond count, as COPY reads a ``timestamptz``."""
    return np.datetime_as_string(occurred_us.astype("datetime64[us]"), unit="us", timezone="UTC")


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


class PostGISStore(MeasuredStore[_Connection]):
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

    _PARAM = "%s"
    _OPEN_ERRORS = (psycopg.Error,)
    _DRIVER_ERROR = psycopg.Error
    _UNIT = "store"
    _ELSEWHERE = "choose another schema or database"
    _EXPLAIN = "EXPLAIN "
    _TIME_COLUMN = "i.occurred_at"
    _SET_META = (
        "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
    )
    _STAMP_SUFFIX = ""
    _AREA_IN = f"ST_GeomFromWKB(%s, {SRID})"
    _AREA_OUT = "ST_AsBinary(m.area)"
    _CODES_OUT = "string_agg(c.osaalue_code, ',')"

    def __init__(self, url: str) -> None:
        super().__init__()
        text = url.strip()
        self._target = _Target(redact_url(text), text)
        self._conninfo = libpq_url(text)
        self._schema = ""
        self._analyzed_at = 0  # rows at this process's last ANALYZE
        self._open()

    @property
    def url(self) -> str:
        """The URL the store was opened with, the password replaced by ``***``."""
        return self._target.shown

    @property
    def db_schema(self) -> str:
        """The PostgreSQL schema that holds the store's tables."""
        return self._schema

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"schema {self._schema!r} v{self._version}"
        return f"PostGISStore({self._target.shown!r}, {state})"

    # -- the driver

    @property
    def _name(self) -> str:
        return self._target.shown

    @property
    def _where(self) -> str:
        return f"schema {self._schema!r} of {self._target.shown}"

    @property
    def _within(self) -> str:
        return f"in {self._where}"

    def _error_text(self, exc: BaseException) -> str:
        return self._target.scrub(exc)

    def _cannot_open(self, exc: Exception) -> str:
        return (
            f"cannot open the incident store {self._target.shown}: {self._target.scrub(exc)}. Check that "
            f"the server runs and the URL (host, port, database, user, password) is right, or point "
            f"{settings.ENV_DB_URL} to another store."
        )

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

    def _prepare(self, conn: _Connection) -> None:
        self._schema = self._current_schema(conn)
        self._ensure_postgis(conn)

    def _transaction(self, conn: _Connection) -> AbstractContextManager[Any]:
        return conn.transaction()

    def _connection(self) -> _Connection:
        conn = super()._connection()
        if conn.broken:
            conn.close()
            self._conn = None
            with self._errors("reconnecting"):
                self._conn = conn = self._connect()
        return conn

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

    def _fetch(self, conn: _Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with conn.cursor(binary=True) as cursor:
            return cursor.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn database errors into a StoreError naming the store and the action."""
        try:
            yield
        except psycopg.Error as exc:
            raise StoreError(
                f"{action} in the incident store {self._target.shown} failed: {self._target.scrub(exc)}. "
                "Nothing was changed; check that the server is reachable and try again."
            ) from exc

    # -- the schema

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

    def _migrations(self) -> tuple[Migration, ...]:
        return MIGRATIONS

    def _table_names(self, conn: _Connection) -> list[str]:
        return [row[0] for row in conn.execute(_OWN_RELATIONS_SQL).fetchall()]

    def _not_a_store(self, names: list[str]) -> str:
        return (
            f"schema {self._schema!r} of {self._target.shown} holds other tables ({names[:5]}) "
            "and no 'meta' table, so it is not an incident store; choose an empty or new schema with "
            "?options=-csearch_path%3Dname,public"
        )

    def _before_migration(self, conn: _Connection) -> None:
        # Two processes opening a new store at once: the second waits, then finds it made.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{APPLICATION} {self._schema}",))

    # -- writing

    def _before_batch(self, conn: _Connection) -> None:
        # Writers queue here (readers are not blocked), so the duplicate check, the batch ids
        # and the district tag ids see every batch committed before this one.
        conn.execute("LOCK TABLE batches IN SHARE ROW EXCLUSIVE MODE")

    def _after_batch(self, conn: _Connection, result: BatchResult) -> None:
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

    def _insert_batch(self, conn: _Connection, entry: _BatchEntry, counts: _BatchCounts) -> int:
        # Numbered here, not by a sequence: under the batch lock, and a rolled back batch leaves no gap.
        batch_id = int(_scalar(conn, "SELECT coalesce(max(batch_id), 0) + 1 FROM batches"))
        conn.execute(
            "INSERT INTO batches (batch_id, imported_at, file_name, content_hash, rows_read, added, "
            "duplicates, conflicts, rejected, note, duplicate_of) "
            "VALUES (%s, now(), %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                batch_id,
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
        return batch_id

    def _stored_rows(self, conn: _Connection, ids: list[str]) -> Iterable[tuple[str, str, int]]:
        return conn.execute(
            "SELECT id, content_hash, batch_id FROM incidents WHERE id = ANY(%b)", (ids,)
        ).fetchall()

    def _insert_incidents(self, conn: _Connection, new: _NewIncidents) -> None:
        rows = _incident_rows(new, _copy_times(new.occurred_us))
        with conn.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
            for position, row in enumerate(rows):
                try:
                    copy.write_row(row)
                except psycopg.DataError as exc:  # raised by psycopg before the row is sent
                    raise StoreError(
                        f"{new.file_name}: {new.label(position)} has {_text_error(row)} ({exc}); nothing "
                        "was stored. Fix the source file and import again."
                    ) from exc

    # -- reading

    def _micros(self, column: str) -> str:
        # Exact from PostgreSQL 14 on, where extract returns numeric, not double.
        return f"(extract(epoch FROM {column}) * 1000000)::bigint"

    def _time_bound(self, micros: int) -> Any:
        # A timestamptz parameter, so the index on occurred_at serves the comparison.
        return _EPOCH + timedelta(microseconds=micros)  # exact: no float on the way

    def _in_list(self, column: str, values: Sequence[str]) -> tuple[str, list[Any]]:
        if not values:
            return "false", []
        return f"{column} = ANY(%s)", [list(values)]

    def _box_candidates(self, box: tuple[float, float, float, float]) -> tuple[str, list[Any]]:
        return f"i.geom && ST_MakeEnvelope(%s, %s, %s, %s, {SRID})", list(box)
