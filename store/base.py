"""The incident store: every imported incident kept once, with a log of the import batches.

``open_store()`` opens the store named by ``HOTSPOTS_DB_URL`` (default: an SQLite file
``incidents.sqlite`` in the cache folder). Every backend implements ``IncidentStore``:
``store.sqlite.SQLiteStore`` and ``store.postgis.PostGISStore``. Both are built on
``store.database.DatabaseStore``, which takes the steps of opening, migrating, importing a
batch and reading once for both and asks the backend only for what touches its SQL or
its driver.

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
  does not turn old incidents into conflicts). How a position was found
  (``geocode_quality``, ``geocode_match``) is kept with each incident but is not part of
  its content either: the same file imported again is the same incidents.
- ``occurred_at`` is stored as UTC microseconds since the epoch (what PostgreSQL's
  ``timestamptz`` keeps too) and comes back as Europe/Helsinki time; finer parts of a
  timestamp are dropped on the way in.
- The schema carries a version; older stores are migrated on open, a store written by a
  newer version of the tool is refused.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self

import numpy as np
import pandas as pd

from geo.errors import ParameterError, StoreError
from store.filters import IncidentFilter
from store.rows import _BatchEntry

#: The value of ``meta.application`` that marks a database (or schema) as an incident store.
APPLICATION: Final = "helsinki-hotspots incident store"
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


# --------------------------------------------------------------------------- schema steps


@dataclass(frozen=True)
class Migration:
    """One step of a store's schema: the statements that lift a store to ``version``."""

    version: int
    description: str
    statements: tuple[str, ...]


def _check_migrations(migrations: Sequence[Migration]) -> None:
    """Raise StoreError unless the steps are numbered 1, 2, 3 ... without gaps."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise StoreError(f"store migrations must be numbered 1, 2, 3 ... without gaps, got {versions}")


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
    by_geocode_quality
        Incidents per position quality (``geo.geocoding.PLACED_QUALITIES``, every one present):
        ``source`` for the source's own coordinates (and every incident stored before the
        qualities were kept), else how a register placed it.
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
    by_geocode_quality: dict[str, int]
    first_occurred_at: pd.Timestamp | None
    last_occurred_at: pd.Timestamp | None
    batches: int
    schema_version: int
    synthetic: int


# --------------------------------------------------------------------------- interface


class IncidentStore(abc.ABC):
    """What every incident store backend offers (SQLite, PostgreSQL + PostGIS)."""

    @property
    @abc.abstractmethod
    def url(self) -> str:
        """The store's URL, with any password removed."""

    @property
    @abc.abstractmethod
    def schema_version(self) -> int:
        """Version of the store's schema."""

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
            Canonical incidents (``schema.INCIDENT_DTYPES``, district columns included), with
            or without ``schema.GEOCODE_COLUMNS`` (as the importer gives them with a register);
            without them, or where a quality is missing, the position is the source's own
            (``source``). Not modified.
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
            A row or an argument cannot be stored (the message names it), e.g. a
            ``geocode_quality`` outside ``geo.geocoding.PLACED_QUALITIES``; nothing is written.
        """
        entry = _BatchEntry.checked(file_name, content_hash, rows_read, rejected, note)
        return self._add_batch(incidents, entry)

    @abc.abstractmethod
    def _add_batch(self, incidents: pd.DataFrame, entry: _BatchEntry) -> BatchResult:
        """Store a batch whose arguments ``add_batch`` checked."""

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
            ``schema.conform(..., geocode=True)``-ed incidents (``schema.LOCATED_DTYPES``: the
            canonical columns, then ``geocode_quality`` and ``geocode_match``, ``source`` and
            '' for the source's own positions) sorted by ``occurred_at`` then ``id``.

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
    def _query(self, where: IncidentFilter) -> pd.DataFrame:
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
