"""The incident store: every imported incident kept once, with a log of the import batches.

``open_store()`` opens the store named by ``HOTSPOTS_DB_URL`` (default: an SQLite file
``incidents.sqlite`` in the cache folder). Every backend implements ``IncidentStore``; only
SQLite exists now, a PostgreSQL + PostGIS backend will follow behind the same interface.

Rules every backend keeps:

- An incident is identified by its ``id``. An id that is already stored is never
  overwritten: the same content again is a *duplicate* (skipped silently), different
  content is a *conflict* (skipped and reported, so the importer can write it to its
  rejects file).
- One call of ``add_batch`` is one transaction: a crash half way leaves the store as it
  was, with no trace of the batch.
- Every call of ``add_batch`` is recorded as a batch (time, file name, content hash,
  counts). A file whose content hash was imported before adds nothing and its rows are
  not even compared; the attempt is still recorded, with ``duplicate_of`` naming the
  first batch of that content, so the log shows every import that was tried.
- Whether two rows with one id are the same is decided by a per-incident content hash
  over the canonical columns except ``id`` and the district tags (a new district layer
  does not turn old incidents into conflicts).
- ``occurred_at`` is stored as UTC microseconds since the epoch (what PostgreSQL's
  ``timestamptz`` keeps too) and comes back as Europe/Helsinki time; finer parts of a
  timestamp are dropped on the way in.
- The schema carries a version; older stores are migrated on open, a store written by a
  newer version of the tool is refused.
"""

from __future__ import annotations

import abc
import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import numpy as np
import pandas as pd

from geo import schema, settings
from geo.errors import ParameterError, StoreError
from store.filters import IncidentFilter
from store.urls import SQLITE_PREFIX

#: The value of ``meta.application`` that marks an SQLite file as an incident store.
APPLICATION: Final = "helsinki-hotspots incident store"
#: Ids looked up per statement when comparing a batch with the store.
_LOOKUP_CHUNK: Final = 5_000
#: Columns of the conflicts frame of a ``BatchResult``.
CONFLICT_COLUMNS: Final = ("row", "id", "reason")
#: Columns of ``IncidentStore.batches()``.
BATCH_COLUMNS: Final = (
    "batch_id",
    "imported_at",
    "file_name",
    "content_hash",
    "rows_read",
    "added",
    "duplicates",
    "conflicts",
    "rejected",
    "note",
    "duplicate_of",
)
_HASH_COLUMNS: Final = tuple(name for name in schema.INCIDENT_COLUMNS if name != "id")
_BOOL_COLUMNS: Final = tuple(name for name, dtype in schema.INCIDENT_DTYPES.items() if dtype == "bool")
#: Database column of each canonical column (only ``occurred_at`` is renamed: it holds µs).
_DB_COLUMN: Final[dict[str, str]] = {
    name: ("occurred_at_us" if name == "occurred_at" else name) for name in schema.INCIDENT_DTYPES
}
#: Canonical columns kept as they are on each incident row.
_ROW_COLUMNS: Final = (*schema.INCIDENT_COLUMNS, "in_helsinki")
#: District codes and names, kept once per distinct combination in ``district_tags`` (reading
#: one integer per incident instead of nine strings is what keeps a 100k-row query fast).
_TAG_COLUMNS: Final = tuple(name for name in schema.DISTRICT_COLUMNS if name != "in_helsinki")
_NO_TAG: Final = (None,) * len(_TAG_COLUMNS)
#: District codes also kept on each incident, indexed for the district filters.
_CODE_COLUMNS: Final = ("osaalue_code", "peruspiiri_code", "suurpiiri_code")


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class Migration:
    """One step of the SQLite schema: the statements that lift a store to ``version``."""

    version: int
    description: str
    statements: tuple[str, ...]


_TAG_SQL = ",\n    ".join(f"{name} TEXT" for name in _TAG_COLUMNS)

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
    {_TAG_SQL}
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

#: Every schema step, oldest first; versions run 1, 2, 3 ... without gaps.
MIGRATIONS: tuple[Migration, ...] = (_V1,)
#: The schema version this code writes.
SCHEMA_VERSION: Final = MIGRATIONS[-1].version


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class BatchResult:
    """What one ``add_batch`` did.

    Attributes
    ----------
    batch_id
        Id of the batch row recorded for this call.
    added
        Incidents stored by this batch.
    duplicates
        Rows whose id was already stored (or repeated in this batch) with the same content.
    conflicts
        Rows whose id was already stored (or repeated in this batch) with different
        content; columns ``row`` (0-based position in the given frame), ``id``, ``reason``.
        The stored incident is kept.
    already_imported
        True when a batch with the same content hash existed: nothing was added or compared.
    duplicate_of
        The first batch with that content hash when ``already_imported``, else None.
    """

    batch_id: int
    added: int
    duplicates: int
    conflicts: pd.DataFrame = field(compare=False, repr=False)
    already_imported: bool = False
    duplicate_of: int | None = None

    @property
    def n_conflicts(self) -> int:
        """Number of conflicting rows."""
        return len(self.conflicts)


@dataclass(frozen=True)
class StoreStats:
    """Summary of a store's content.

    Attributes
    ----------
    total
        Incidents stored.
    by_category, by_source
        Incidents per canonical category / source, every canonical value present (0 if none).
    first_occurred_at, last_occurred_at
        Earliest and latest ``occurred_at`` (Europe/Helsinki), None in an empty store.
    batches
        Recorded import batches, including repeated imports that added nothing.
    schema_version
        Version of the store's schema.
    synthetic
        Incidents marked synthetic (demo data).
    """

    total: int
    by_category: dict[str, int]
    by_source: dict[str, int]
    first_occurred_at: pd.Timestamp | None
    last_occurred_at: pd.Timestamp | None
    batches: int
    schema_version: int
    synthetic: int


# --------------------------------------------------------------------------- interface


class IncidentStore(abc.ABC):
    """What every incident store backend offers (SQLite now, PostgreSQL + PostGIS later)."""

    @property
    @abc.abstractmethod
    def url(self) -> str:
        """The store's URL, with any password removed."""

    @property
    @abc.abstractmethod
    def schema_version(self) -> int:
        """Version of the store's schema."""

    @abc.abstractmethod
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
        """Store the incidents of one imported file in one transaction.

        Parameters
        ----------
        incidents
            Canonical incidents (``schema.INCIDENT_DTYPES``, district columns included).
            Not modified.
        file_name
            Name of the imported file, for the batch log.
        content_hash
            Hash of the file's bytes; a batch with a hash seen before adds nothing (it is
            recorded with ``duplicate_of`` and its rows are not checked).
        rows_read
            Rows the importer read from the file.
        rejected
            Rows the importer rejected before the store saw them.
        note
            Free text for the batch log.

        Returns
        -------
        BatchResult
            Counts, the conflicting rows and whether the file was imported before.

        Raises
        ------
        StoreError
            A row or an argument cannot be stored (the message names it); nothing is written.
        """

    def query(self, where: IncidentFilter | None = None) -> pd.DataFrame:
        """Return the incidents matching every condition of ``where``, in the canonical schema.

        Parameters
        ----------
        where
            Time range, categories, sources, district codes, box and whether synthetic
            incidents count (see ``IncidentFilter``); None returns every incident.

        Returns
        -------
        DataFrame
            ``schema.conform``-ed incidents sorted by ``occurred_at`` then ``id``.

        Raises
        ------
        ParameterError
            ``where`` is not an ``IncidentFilter``.
        """
        if where is None:
            where = IncidentFilter()
        if not isinstance(where, IncidentFilter):
            raise ParameterError(
                f"where must be an IncidentFilter, e.g. IncidentFilter(categories=['assault']), got {where!r}"
            )
        return self._query(where)

    @abc.abstractmethod
    def _query(self, flt: IncidentFilter) -> pd.DataFrame:
        """Return the incidents matching a checked filter (``query`` passes it)."""

    @abc.abstractmethod
    def batches(self) -> pd.DataFrame:
        """Return the import log, one row per ``add_batch`` call (``BATCH_COLUMNS``, oldest first)."""

    @abc.abstractmethod
    def stats(self) -> StoreStats:
        """Totals per category and source, time span, batch count and schema version."""

    @abc.abstractmethod
    def count(self) -> int:
        """Return the number of incidents stored."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection; further calls raise StoreError."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- conversion


def _content_hashes(frame: pd.DataFrame, occurred_us: np.ndarray) -> list[str]:
    """SHA-256 per row over the canonical columns except ``id`` and the district tags.

    Each row is hashed as the ``repr`` of a tuple of plain Python values (str, int, float,
    bool, None), which is unambiguous and stable across Python versions. Coordinates are
    compared at about a millimetre (``x_m``/``y_m`` rounded to 0.001 m, lon/lat to 1e-8
    degrees), so one incident reprojected by another library version is the same incident.
    """
    columns: list[list[Any]] = []
    for name in _HASH_COLUMNS:
        series = frame[name]
        if name == "occurred_at":
            columns.append(occurred_us.tolist())
        elif name in ("x_m", "y_m"):
            columns.append(np.round(series.to_numpy(np.float64), 3).tolist())
        elif name in ("lon", "lat"):
            columns.append(np.round(series.to_numpy(np.float64), 8).tolist())
        elif name in _BOOL_COLUMNS:
            columns.append(series.to_numpy(bool).tolist())
        else:
            columns.append(_objects(series))
    return [
        hashlib.sha256(repr(("v1", *row)).encode("utf-8")).hexdigest() for row in zip(*columns, strict=True)
    ]


def _objects(series: pd.Series) -> list[Any]:
    """Values of a string or nullable-integer column as Python objects, None for missing."""
    return [None if v is pd.NA else v for v in series.astype(object).tolist()]


def _db_values(series: pd.Series) -> list[Any]:
    """Python values SQLite can bind, None for missing (SQLite would store NaN as NULL anyway)."""
    dtype = schema.INCIDENT_DTYPES[str(series.name)]
    if dtype == "string":
        return _objects(series)
    if dtype == "float64":
        return [None if v != v else v for v in series.to_numpy(np.float64).tolist()]
    if dtype == "bool":
        return [int(v) for v in series.to_numpy(bool).tolist()]
    if dtype == "Int64":
        missing = series.isna().to_numpy()
        ints = series.to_numpy(dtype=np.int64, na_value=0).tolist()
        return [None if gone else v for v, gone in zip(ints, missing.tolist(), strict=True)]
    raise AssertionError(f"no database conversion for dtype {dtype}")  # pragma: no cover


def _incident_rows(
    frame: pd.DataFrame,
    occurred_us: np.ndarray,
    tag_ids: Sequence[int | None],
    hashes: Sequence[str],
    batch_id: int,
) -> Iterator[tuple[Any, ...]]:
    """Rows for ``INSERT INTO incidents``, in ``_INSERT_COLUMNS`` order."""
    columns: list[list[Any]] = []
    for name in (*_ROW_COLUMNS, *_CODE_COLUMNS):
        if name == "occurred_at":
            columns.append(occurred_us.tolist())
        else:
            columns.append(_db_values(frame[name]))
    columns.append(list(tag_ids))
    columns.append(list(hashes))
    columns.append([batch_id] * len(frame))
    return zip(*columns, strict=True)


_INSERT_COLUMNS: Final = (
    *(_DB_COLUMN[name] for name in _ROW_COLUMNS),
    *_CODE_COLUMNS,
    "district_tag",
    "content_hash",
    "batch_id",
)
_INSERT_SQL: Final = (
    f"INSERT INTO incidents ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
)
_RTREE_SQL: Final = (
    "INSERT INTO incidents_rtree SELECT pk, x_m, x_m, y_m, y_m FROM incidents "
    "WHERE pk > ? AND x_m IS NOT NULL AND y_m IS NOT NULL"
)
_SELECT_LIST: Final = ", ".join(
    [*(f"i.{_DB_COLUMN[name]}" for name in _ROW_COLUMNS), "coalesce(i.district_tag, 0)"]
)


def _tag_keys(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Return the district codes and names of each row as one tuple (None for missing)."""
    return list(zip(*(_objects(frame[name]) for name in _TAG_COLUMNS), strict=True))


def _tag_ids(conn: sqlite3.Connection, keys: Sequence[tuple[Any, ...]]) -> list[int | None]:
    """Id in ``district_tags`` of each key, adding new combinations; None when all are missing."""
    known: dict[tuple[Any, ...], int] = {
        tuple(row[1:]): int(row[0])
        for row in conn.execute(f"SELECT tag_id, {', '.join(_TAG_COLUMNS)} FROM district_tags")
    }
    insert = (
        f"INSERT INTO district_tags ({', '.join(_TAG_COLUMNS)}) VALUES ({', '.join('?' * len(_TAG_COLUMNS))})"
    )
    out: list[int | None] = []
    for key in keys:
        if key == _NO_TAG:
            out.append(None)
            continue
        tag = known.get(key)
        if tag is None:
            tag = int(conn.execute(insert, key).lastrowid or 0)
            known[key] = tag
        out.append(tag)
    return out


def _tag_lookup(conn: sqlite3.Connection) -> dict[str, np.ndarray]:
    """Per district column, its value for each tag id (position 0: no tag, all missing)."""
    rows = conn.execute(f"SELECT tag_id, {', '.join(_TAG_COLUMNS)} FROM district_tags").fetchall()
    size = 1 + max((int(row[0]) for row in rows), default=0)
    lookup = {name: np.full(size, None, dtype=object) for name in _TAG_COLUMNS}
    for row in rows:
        for name, value in zip(_TAG_COLUMNS, row[1:], strict=True):
            lookup[name][int(row[0])] = value
    return lookup


def _utc_microseconds(values: pd.Series) -> np.ndarray:
    """Epoch microseconds (UTC, floored) of a tz-aware datetime column; NaT must be excluded first."""
    nanoseconds = pd.DatetimeIndex(values).asi8
    return np.floor_divide(nanoseconds, 1000)


def _frame_from_rows(rows: list[tuple[Any, ...]], tags: dict[str, np.ndarray]) -> pd.DataFrame:
    """Canonical frame, sorted by time then id, from rows in ``_SELECT_LIST`` order.

    Columns are built in their canonical dtypes directly (``schema.conform`` would copy
    every column once more, a third of the time of a 100k-row read).
    """
    names = (*_ROW_COLUMNS, "district_tag")
    columns = [np.array(values, dtype=object) for values in zip(*rows, strict=True)]
    if not columns:
        columns = [np.empty(0, dtype=object) for _ in names]
    raw = dict(zip(names, columns, strict=True))
    micros = raw["occurred_at"].astype(np.int64)
    # Time, then id in code point order: deterministic, and cheaper than ORDER BY.
    order = np.lexsort((raw["id"].astype(str), micros))
    tag = raw["district_tag"].astype(np.int64)[order]
    data: dict[str, Any] = {}
    for name, dtype in schema.INCIDENT_DTYPES.items():
        if name in _TAG_COLUMNS:
            data[name] = pd.array(tags[name][tag], dtype="string")
        elif name == "occurred_at":
            data[name] = pd.to_datetime(micros[order], unit="us", utc=True).tz_convert(schema.TIMEZONE)
        elif dtype == "string":
            data[name] = pd.array(raw[name][order], dtype="string")
        elif dtype == "float64":
            data[name] = raw[name][order].astype(np.float64)
        elif dtype == "bool":
            data[name] = raw[name][order].astype(bool)
        elif dtype == "Int64":
            data[name] = pd.array(raw[name][order], dtype="Int64")
        else:  # pragma: no cover - a new canonical dtype needs a branch here
            raise AssertionError(f"no conversion from the database for column {name} ({dtype})")
    return pd.DataFrame(data)


def _select_sql(flt: IncidentFilter) -> tuple[str, list[Any]]:
    """Build the SQL and parameters for the incidents matching ``flt``."""
    where: list[str] = []
    params: list[Any] = []
    if flt.since_us is not None:
        where.append("i.occurred_at_us >= ?")
        params.append(flt.since_us)
    if flt.until_us is not None:
        where.append("i.occurred_at_us < ?")
        params.append(flt.until_us)
    for column, values in flt.listed.items():
        if values is None:
            continue
        if not values:
            where.append("0")
            continue
        where.append(f"i.{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)
    if flt.bbox_m is not None:
        xmin, ymin, xmax, ymax = flt.bbox_m
        where.append(
            "i.pk IN (SELECT pk FROM incidents_rtree"
            " WHERE x_max >= ? AND x_min <= ? AND y_max >= ? AND y_min <= ?)"
        )
        params.extend([xmin, xmax, ymin, ymax])
        where.append("i.x_m BETWEEN ? AND ? AND i.y_m BETWEEN ? AND ?")
        params.extend([xmin, xmax, ymin, ymax])
    if not flt.include_synthetic:
        where.append("i.synthetic = 0")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {_SELECT_LIST} FROM incidents AS i{clause}", params


# --------------------------------------------------------------------------- SQLite


def _check_migrations(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise StoreError(f"store migrations must be numbered 1, 2, 3 ... without gaps, got {versions}")


class SQLiteStore(IncidentStore):
    """Incident store in one SQLite file (or in memory).

    Opening applies the pragmas (WAL journal, ``synchronous=NORMAL``: a crash of the
    program never loses a committed batch) and migrates an older schema. One connection is
    shared by the threads of a process and guarded by a lock.

    Parameters
    ----------
    location
        Path of the database file (created with its folder when missing) or ``":memory:"``.
    """

    def __init__(self, location: str | PathLike[str]) -> None:
        self._lock = threading.RLock()
        self._memory = str(location) == ":memory:"
        self._path = None if self._memory else Path(location).expanduser()
        self._label = ":memory:" if self._path is None else str(self._path)
        self._conn: sqlite3.Connection | None = None
        try:
            if self._path is not None:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self._label, isolation_level=None, check_same_thread=False, timeout=settings.db_timeout_s()
            )
            self._apply_pragmas(self._conn)
            self._version = self._migrate(self._conn)
        except (sqlite3.Error, OSError) as exc:
            self._abandon()
            advice = (
                f"another program holds it: close that and try again (or raise {settings.ENV_DB_TIMEOUT_S})"
                if "locked" in str(exc)
                else "check that the folder is writable and the file is an incident store, or point "
                f"{settings.ENV_DB_URL} to another file"
            )
            raise StoreError(f"cannot open the incident store {self._label}: {exc}; {advice}.") from exc
        except StoreError:
            self._abandon()
            raise

    # -- set-up

    def _abandon(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _apply_pragmas(self, conn: sqlite3.Connection) -> None:
        if not self._memory:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB

    def _read_version(self, conn: sqlite3.Connection) -> int:
        """Return the schema version of the open database; 0 for an empty one."""
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            if tables:
                raise StoreError(
                    f"{self._label} is an SQLite database but not an incident store (it has the tables "
                    f"{sorted(tables)[:5]} and no 'meta' table); point {settings.ENV_DB_URL} to another file."
                )
            return 0
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != APPLICATION or not str(meta.get("schema_version", "")).isdigit():
            raise StoreError(
                f"{self._label} has a 'meta' table but is not an incident store of this tool "
                f"(application {meta.get('application')!r}, schema_version {meta.get('schema_version')!r}); "
                f"point {settings.ENV_DB_URL} to another file."
            )
        return int(meta["schema_version"])

    def _migrate(self, conn: sqlite3.Connection) -> int:
        """Bring the schema to the newest version in ``MIGRATIONS``; return that version."""
        migrations = MIGRATIONS
        _check_migrations(migrations)
        target = migrations[-1].version
        current = self._read_version(conn)
        if current > target:
            raise StoreError(
                f"the incident store {self._label} has schema version {current}, written by a newer "
                f"version of this tool (this one knows up to version {target}). Upgrade helsinki-hotspots "
                "to open it; the file was not changed."
            )
        if current == target:
            return current
        conn.execute("BEGIN IMMEDIATE")
        step = migrations[0]
        try:
            current = self._read_version(conn)  # another process may have migrated meanwhile
            for step in migrations[current:]:
                for statement in step.statements:
                    conn.execute(statement)
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("application", APPLICATION), ("schema_version", str(target))],
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(
                    f"migrating the incident store {self._label} to schema version {step.version} "
                    f"({step.description}) failed: {exc}. The store was left unchanged at version "
                    f"{current}; report this with the file's schema version."
                ) from exc
            raise
        return target

    # -- plumbing

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the incident store {self._label} is closed; open it again with open_store()")
        return self._conn

    @property
    def url(self) -> str:
        """``sqlite:///`` + the file path (or ``:memory:``)."""
        return f"{SQLITE_PREFIX}{self._label}"

    @property
    def path(self) -> Path | None:
        """The database file, None in memory."""
        return self._path

    @property
    def schema_version(self) -> int:
        """Version of the store's schema (``SCHEMA_VERSION`` once opened)."""
        return self._version

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._abandon()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"schema v{self._version}"
        return f"SQLiteStore({self._label!r}, {state})"

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
        rows_read, rejected = int(rows_read), int(rejected)  # numpy integers cannot be bound
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = self._add_batch_locked(
                    conn, incidents, file_name, content_hash, rows_read, rejected, note
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return result

    def _add_batch_locked(
        self,
        conn: sqlite3.Connection,
        incidents: pd.DataFrame,
        file_name: str,
        content_hash: str,
        rows_read: int,
        rejected: int,
        note: str,
    ) -> BatchResult:
        now_us = pd.Timestamp.now(tz="UTC").value // 1000
        previous = conn.execute(
            "SELECT min(batch_id) FROM batches WHERE content_hash = ? AND duplicate_of IS NULL",
            (content_hash,),
        ).fetchone()[0]
        if previous is not None:
            cursor = conn.execute(
                "INSERT INTO batches (imported_at_us, file_name, content_hash, rows_read, added, duplicates, "
                "conflicts, rejected, note, duplicate_of) VALUES (?, ?, ?, ?, 0, 0, 0, ?, ?, ?)",
                (now_us, file_name, content_hash, rows_read, rejected, note, previous),
            )
            return BatchResult(
                batch_id=int(cursor.lastrowid or 0),
                added=0,
                duplicates=0,
                conflicts=_conflict_frame([], [], []),
                already_imported=True,
                duplicate_of=int(previous),
            )
        # Checked inside the transaction, after the cheap test above: a file imported
        # before is recognised by its hash alone, and is not read again.
        frame = _conform_batch(incidents, file_name)
        occurred_us = _utc_microseconds(frame["occurred_at"])
        hashes = _content_hashes(frame, occurred_us)

        ids = frame["id"].to_numpy(dtype=object).tolist()
        stored = _stored_hashes(conn, sorted(set(ids)))
        new_rows, duplicates, conflicts = _classify(ids, hashes, stored)

        cursor = conn.execute(
            "INSERT INTO batches (imported_at_us, file_name, content_hash, rows_read, added, duplicates, "
            "conflicts, rejected, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_us,
                file_name,
                content_hash,
                rows_read,
                len(new_rows),
                duplicates,
                len(conflicts),
                rejected,
                note,
            ),
        )
        batch_id = int(cursor.lastrowid or 0)
        if new_rows:
            take = np.asarray(new_rows, dtype=np.int64)
            fresh = frame.iloc[take].reset_index(drop=True)
            # SQLite numbers a new row max(pk) + 1, so this batch's rows are those above it.
            last_pk = int(conn.execute("SELECT coalesce(max(pk), 0) FROM incidents").fetchone()[0])
            conn.executemany(
                _INSERT_SQL,
                _incident_rows(
                    fresh,
                    occurred_us[take],
                    _tag_ids(conn, _tag_keys(fresh)),
                    [hashes[i] for i in new_rows],
                    batch_id,
                ),
            )
            conn.execute(_RTREE_SQL, (last_pk,))
        return BatchResult(
            batch_id=batch_id,
            added=len(new_rows),
            duplicates=duplicates,
            conflicts=conflicts,
        )

    # -- reading

    def _query(self, flt: IncidentFilter) -> pd.DataFrame:
        """Incidents matching ``flt`` from SQLite (see ``IncidentStore.query``)."""
        sql, params = _select_sql(flt)
        with self._lock:
            conn = self._connection()
            rows = conn.execute(sql, params).fetchall()
            tags = _tag_lookup(conn)  # after the rows: every tag they name is committed
        # Sorting in numpy is twice as fast as ORDER BY, which sorts whole rows.
        return _frame_from_rows(rows, tags)

    def query_plan(self, where: IncidentFilter | None = None) -> list[str]:
        """Return SQLite's ``EXPLAIN QUERY PLAN`` lines for ``query(where)`` (to check index use).

        Parameters
        ----------
        where
            The filter of ``query``; None for every incident.

        Returns
        -------
        list of str
            The ``detail`` column of each plan step, e.g. ``SEARCH i USING INDEX ...``.
        """
        sql, params = _select_sql(IncidentFilter() if where is None else where)
        with self._lock:
            plan = self._connection().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return [str(row[-1]) for row in plan]

    def batches(self) -> pd.DataFrame:
        """Return the import log, oldest first (``BATCH_COLUMNS``; ``imported_at`` in UTC)."""
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    "SELECT batch_id, imported_at_us, file_name, content_hash, rows_read, added, duplicates, "
                    "conflicts, rejected, note, duplicate_of FROM batches ORDER BY batch_id"
                )
                .fetchall()
            )
        cols: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in BATCH_COLUMNS]
        data = dict(zip(BATCH_COLUMNS, cols, strict=True))
        out = pd.DataFrame(
            {
                "batch_id": np.array(data["batch_id"], dtype=np.int64),
                "imported_at": pd.to_datetime(
                    np.array(data["imported_at"], dtype=np.int64), unit="us", utc=True
                ),
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
        return out

    def stats(self) -> StoreStats:
        """Totals, time span, batch count and schema version of the store."""
        with self._lock:
            conn = self._connection()
            total, first_us, last_us, synthetic = conn.execute(
                "SELECT count(*), min(occurred_at_us), max(occurred_at_us), coalesce(sum(synthetic), 0) "
                "FROM incidents"
            ).fetchone()
            by_category = dict(conn.execute("SELECT category, count(*) FROM incidents GROUP BY category"))
            by_source = dict(conn.execute("SELECT source, count(*) FROM incidents GROUP BY source"))
            n_batches = conn.execute("SELECT count(*) FROM batches").fetchone()[0]

        def stamp(micros: int | None) -> pd.Timestamp | None:
            if micros is None:
                return None
            return pd.Timestamp(micros, unit="us", tz="UTC").tz_convert(schema.TIMEZONE)

        return StoreStats(
            total=int(total),
            by_category={name: int(by_category.get(name, 0)) for name in schema.CATEGORIES},
            by_source={name: int(by_source.get(name, 0)) for name in schema.SOURCES},
            first_occurred_at=stamp(first_us),
            last_occurred_at=stamp(last_us),
            batches=int(n_batches),
            schema_version=self._version,
            synthetic=int(synthetic),
        )

    def count(self) -> int:
        """Return the number of incidents stored."""
        with self._lock:
            return int(self._connection().execute("SELECT count(*) FROM incidents").fetchone()[0])


# --------------------------------------------------------------------------- batch checks


def _check_batch_arguments(
    file_name: str, content_hash: str, rows_read: object, rejected: object, note: str
) -> None:
    if not isinstance(file_name, str) or not file_name.strip():
        raise StoreError(f"file_name must name the imported file, got {file_name!r}")
    if not isinstance(content_hash, str) or not content_hash.strip():
        raise StoreError(
            f"content_hash of {file_name} must be the hash of the file's bytes (e.g. its SHA-256 hex), "
            f"got {content_hash!r}"
        )
    for name, value in (("rows_read", rows_read), ("rejected", rejected)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise StoreError(f"{name} of {file_name} must be a whole number >= 0, got {value!r}")
    if not isinstance(note, str):
        raise StoreError(f"note of {file_name} must be text, got {note!r}")


def _row_label(frame: pd.DataFrame, row: int) -> str:
    ident = frame["id"].iloc[row]
    return f"row {row}" if pd.isna(ident) else f"row {row} (id {ident!r})"


def _conform_batch(incidents: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Canonical copy of ``incidents``; StoreError naming the first row that cannot be stored."""
    try:
        frame = schema.conform(incidents)
    except (ValueError, TypeError) as exc:
        raise StoreError(
            f"the incidents of {file_name} are not in the canonical schema: {exc}. Read the file with "
            "the importer, which produces schema.INCIDENT_DTYPES columns."
        ) from exc
    ids = frame["id"]
    bad_id = ids.isna() | (ids.str.strip() == "")
    if bad_id.any():
        row = int(np.flatnonzero(bad_id.to_numpy(dtype=bool, na_value=True))[0])
        raise StoreError(f"{file_name}: row {row} has no id; every incident needs a stable id")
    when = frame["occurred_at"]
    if when.isna().any():
        row = int(np.flatnonzero(when.isna().to_numpy())[0])
        raise StoreError(
            f"{file_name}: {_row_label(frame, row)} has no occurred_at; every incident needs a time"
        )
    for column, allowed in (("category", schema.CATEGORIES), ("source", schema.SOURCES)):
        bad = ~frame[column].isin(allowed).to_numpy(dtype=bool, na_value=False)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise StoreError(
                f"{file_name}: {_row_label(frame, row)} has {column} {frame[column].iloc[row]!r}, which is "
                f"not canonical; allowed are {list(allowed)}. Map it with the importer's {column} labels."
            )
    severity = frame["severity"]
    bad_sev = (severity.notna() & ((severity < 1) | (severity > 5))).to_numpy(dtype=bool, na_value=False)
    if bad_sev.any():
        row = int(np.flatnonzero(bad_sev)[0])
        raise StoreError(
            f"{file_name}: {_row_label(frame, row)} has severity {severity.iloc[row]}; "
            "allowed are 1-5 or missing"
        )
    x = frame["x_m"].to_numpy(np.float64)
    y = frame["y_m"].to_numpy(np.float64)
    bad_xy = np.isinf(x) | np.isinf(y) | (np.isnan(x) != np.isnan(y))
    if bad_xy.any():
        row = int(np.flatnonzero(bad_xy)[0])
        raise StoreError(
            f"{file_name}: {_row_label(frame, row)} has x_m={x[row]}, y_m={y[row]}; coordinates must be "
            "finite EPSG:3067 metres (or both missing)"
        )
    return frame


def _stored_hashes(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[str, int]]:
    """Content hash and batch of each of ``ids`` already stored."""
    found: dict[str, tuple[str, int]] = {}
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        rows = conn.execute(
            f"SELECT id, content_hash, batch_id FROM incidents WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        for ident, digest, batch_id in rows:
            found[ident] = (digest, int(batch_id))
    return found


def _classify(
    ids: Sequence[str], hashes: Sequence[str], stored: dict[str, tuple[str, int]]
) -> tuple[list[int], int, pd.DataFrame]:
    """Rows to add, the number of duplicates and the conflicts frame of one batch.

    The first row of an id repeated in the batch counts; a stored incident is never
    replaced. Shared by ``SQLiteStore`` and ``store.postgis.PostGISStore``, so both say the same.
    """
    new_rows: list[int] = []
    duplicates = 0
    conflict_rows: list[int] = []
    conflict_ids: list[str] = []
    reasons: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    for row, (ident, digest) in enumerate(zip(ids, hashes, strict=True)):
        if ident in seen:
            first_row, first_digest = seen[ident]
            if digest == first_digest:
                duplicates += 1
            else:
                conflict_rows.append(row)
                conflict_ids.append(ident)
                reasons.append(
                    f"id {ident!r} appears again in this file (first at row {first_row}) with different "
                    "content; the first row was kept"
                )
            continue
        seen[ident] = (row, digest)
        if ident not in stored:
            new_rows.append(row)
            continue
        stored_digest, stored_batch = stored[ident]
        if digest == stored_digest:
            duplicates += 1
        else:
            conflict_rows.append(row)
            conflict_ids.append(ident)
            reasons.append(
                f"id {ident!r} is already stored (batch {stored_batch}) with different content; "
                "the stored incident was kept"
            )
    return new_rows, duplicates, _conflict_frame(conflict_rows, conflict_ids, reasons)


def _conflict_frame(rows: list[int], ids: list[str], reasons: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": np.array(rows, dtype=np.int64),
            "id": pd.array(ids, dtype="string"),
            "reason": pd.array(reasons, dtype="string"),
        }
    )
