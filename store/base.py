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

Who sees and does what (``store.scope``, schema version 3):

- ``query`` takes the user's ``Scope`` (a required keyword, so no caller can forget it):
  rows outside the scope's districts never leave the store (the condition is part of the
  SQL), and a scope that sees only aggregates gets no descriptions.
- ``add_batch`` takes the importing user's scope: only analysts and admins import, and
  the import is written to the audit trail in the batch's own transaction.
- Users and their roles are kept in the store (``users``, ``user``, ``put_user``,
  ``remove_user``); only an admin changes them, and every change is audited in the same
  transaction.
- The audit trail (``record``, ``audit_log``; ``store.audit``) is append-only: no method
  changes or deletes a row, and the database refuses it too.
- Only an admin deletes data: one import batch (``delete_batch``), or every incident older
  than a cutoff (``delete_older_than``); each deletion is audited in its own transaction.
  A deleted batch no longer counts as "imported before": the same file can be imported
  again.

Measures (``store.measure_records``, schema version 4): what partners did where and when
is kept next to the incidents. ``add_measure`` (``add_measures`` for several at once),
``measures`` and ``remove_measure`` take the user's scope like ``query``; recording and
removing are audited in their own transaction (all of ``add_measures`` in one), and a
removed measure stays in the table, marked with its audit row.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Final, Self

import numpy as np
import pandas as pd

from geo.errors import ParameterError, StoreError
from store.filters import IncidentFilter
from store.measure_records import Measure, MeasureEntry, PlaceKind, RecordedMeasure
from store.rows import _BatchEntry
from store.scope import ROLE_WORDS, Scope, ScopeError, scoped_filter, without_descriptions

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
    "deleted_in",
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
        scope: Scope,
    ) -> BatchResult:
        """Store the incidents of one imported file in one transaction, and audit it there.

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
        scope
            Who imports: an analyst or an admin. The ``import`` audit row names this user
            and holds the batch id, file name, rows read, accepted, rejected, added,
            duplicates and conflicts; it is written in the batch's transaction, so a
            batch is never stored without its audit row, nor audited without being stored.

        Returns
        -------
        BatchResult
            Counts, the conflicting rows and whether the file was imported before.

        Raises
        ------
        ScopeError
            ``scope`` may not import (a youth worker or a viewer); nothing is written.
        StoreError
            A row or an argument cannot be stored (the message names it), e.g. a
            ``geocode_quality`` outside ``geo.geocoding.PLACED_QUALITIES``; nothing is written.
        """
        _check_scope(scope)
        if not scope.may_upload:
            raise ScopeError(
                f"only an analyst or an admin may import into the store; {scope.user} is "
                f"{ROLE_WORDS[scope.role]}. Ask an analyst to import the file."
            )
        entry = _BatchEntry.checked(file_name, content_hash, rows_read, rejected, note)
        return self._add_batch(incidents, entry, scope)

    @abc.abstractmethod
    def _add_batch(self, incidents: pd.DataFrame, entry: _BatchEntry, scope: Scope) -> BatchResult:
        """Store a batch whose arguments ``add_batch`` checked, with its ``import`` audit row."""

    def query(self, where: IncidentFilter | None = None, *, scope: Scope) -> pd.DataFrame:
        """Return the incidents matching every condition of ``where`` inside ``scope``, canonically.

        Parameters
        ----------
        where
            Time range, categories, sources, district codes, box and whether synthetic
            incidents count (see ``IncidentFilter``); None returns every incident the scope
            may see.
        scope
            The user's scope (required: no caller may forget it). Only incidents whose
            ``osaalue_code`` is one of the scope's leave the store (``store.scope.scoped_filter``
            puts the condition into the SQL; district codes in ``where`` are intersected with
            the scope's, so asking for another district returns nothing). A whole-city scope
            sees every incident, those outside Helsinki too. For a scope that sees only
            aggregates (youth worker, viewer) the ``description`` column comes back empty.

        Returns
        -------
        DataFrame
            ``schema.conform(..., geocode=True)``-ed incidents (``schema.LOCATED_DTYPES``: the
            canonical columns, then ``geocode_quality`` and ``geocode_match``, ``source`` and
            '' for the source's own positions) sorted by ``occurred_at`` then ``id``.

        Raises
        ------
        ParameterError
            ``where`` is not an ``IncidentFilter`` or ``scope`` not a ``Scope``.
        """
        _check_scope(scope)
        if where is None:
            where = IncidentFilter()
        if not isinstance(where, IncidentFilter):
            raise ParameterError(
                f"where must be an IncidentFilter, e.g. IncidentFilter(categories=['assault']), got {where!r}"
            )
        rows = self._query(scoped_filter(where, scope))
        return without_descriptions(rows) if scope.aggregated_only else rows

    @abc.abstractmethod
    def _query(self, where: IncidentFilter) -> pd.DataFrame:
        """Return the incidents matching a checked filter (``query`` passes it)."""

    @abc.abstractmethod
    def batches(self) -> pd.DataFrame:
        """Return the import log, one row per ``add_batch`` call (``BATCH_COLUMNS``, oldest first).

        ``deleted_in`` is the audit id of the ``delete_batch`` that deleted the batch's
        incidents, missing for a batch that was not deleted (the line itself stays).
        """

    @abc.abstractmethod
    def stats(self) -> StoreStats:
        """Totals per category and source, time span, batch count and schema version."""

    @abc.abstractmethod
    def count(self) -> int:
        """Return the number of incidents stored."""

    # -- users

    @abc.abstractmethod
    def users(self) -> pd.DataFrame:
        """Return every user the store knows, sorted by user id (``store.users.USER_COLUMNS``).

        ``districts`` holds the osa-alue codes joined by commas (missing: the whole city);
        ``added_at`` (UTC) and ``added_by`` say when and by whom the current role was given.
        """

    @abc.abstractmethod
    def user(self, user_id: str) -> Scope | None:
        """Return the scope the store grants ``user_id`` (compared lower-cased), None for a stranger."""

    @abc.abstractmethod
    def put_user(self, scope: Scope, *, by: str | Scope) -> None:
        """Add a user, or change a user's role and districts, and audit it in the same transaction.

        Parameters
        ----------
        scope
            The user (``scope.user``) and what they may see from now on.
        by
            The acting admin: their ``Scope`` (which must be an admin's), or the user id of
            an admin in this store's users table. The ``user_change`` audit row names them
            and holds the role and districts before and after.

        Raises
        ------
        ScopeError
            ``by`` is not an admin (or not a user of the store); nothing is written.
        """

    @abc.abstractmethod
    def remove_user(self, user_id: str, *, by: str | Scope) -> None:
        """Remove a user, and audit it in the same transaction (as ``put_user``).

        Parameters
        ----------
        user_id
            The user to remove (compared lower-cased).
        by
            The acting admin, as in ``put_user``.

        Raises
        ------
        ScopeError
            ``by`` is not an admin; nothing is written.
        StoreError
            The store has no such user.
        """

    # -- the audit trail

    @abc.abstractmethod
    def record(self, action: str, *, scope: Scope, detail: Mapping[str, Any]) -> int:
        """Append one row to the audit trail (``store.audit``) and return its id.

        For the actions the store does not write itself (``sign_in``, ``export``); the
        store's own changes (``import``, ``delete_batch``, ``retention``, ``user_change``)
        are audited by the methods that make them, inside their transactions.

        Parameters
        ----------
        action
            One of ``store.audit.ACTIONS``.
        scope
            Who acted: the row keeps the user id and role.
        detail
            The particulars, kept as JSON (``store.audit.detail_json``).

        Raises
        ------
        ParameterError
            An unknown action, or a detail that cannot be kept as JSON.
        """

    @abc.abstractmethod
    def audit_log(
        self,
        *,
        since: datetime | date | str | None = None,
        user: str | None = None,
        action: str | None = None,
    ) -> pd.DataFrame:
        """Return the audit trail, oldest first (``store.audit.AUDIT_COLUMNS``; ``at`` in UTC).

        Parameters
        ----------
        since
            Only rows at or after this time (a date or naive time is Helsinki time).
        user
            Only this user's rows (compared lower-cased).
        action
            Only this action (one of ``store.audit.ACTIONS``).
        """

    # -- deleting data

    @abc.abstractmethod
    def delete_batch(self, batch_id: int, *, scope: Scope) -> int:
        """Delete the incidents an import batch added, audit it, and return how many were deleted.

        In one transaction: the batch's incidents are deleted, a ``delete_batch`` audit
        row is written (batch id, file name, incidents deleted) and the batch's line in the
        log is marked with it (``deleted_in``). The line stays; its content hash no longer
        counts as "imported before", so the same file can be imported again. Incidents that
        a later file repeated belong to this batch and go too.

        Parameters
        ----------
        batch_id
            The batch (``batches()``).
        scope
            Who deletes: an admin.

        Raises
        ------
        ScopeError
            ``scope`` is not an admin's: "only an admin may delete a batch; ...".
        StoreError
            No such batch, or it was deleted already.
        """

    @abc.abstractmethod
    def delete_older_than(self, cutoff: datetime | date | str, *, scope: Scope, dry_run: bool = False) -> int:
        """Delete every incident that occurred before ``cutoff`` (retention), audited; return how many.

        Parameters
        ----------
        cutoff
            Incidents with ``occurred_at`` before it go; a date or naive time is Helsinki time.
        scope
            Who deletes: an admin (for a dry run too).
        dry_run
            Only count them: nothing is deleted and nothing audited.

        Raises
        ------
        ScopeError
            ``scope`` is not an admin's.
        ParameterError
            ``cutoff`` is not a time.
        """

    # -- measures

    @abc.abstractmethod
    def add_measure(
        self, measure: Measure, *, place_kind: PlaceKind, place_ref: str, osaalue: Sequence[str], scope: Scope
    ) -> int:
        """Record a measure and its ``measure_add`` audit row in one transaction; return its id.

        The one-item case of ``add_measures``.

        Parameters
        ----------
        measure
            What was done, where (EPSG:3067) and when (``store.measure_records.Measure``).
        place_kind, place_ref
            How the place was given (``PLACE_KINDS``) and what it was called (a hotspot's id
            and name, district codes, or '' for a drawn area).
        osaalue
            Osa-alue codes the area touches (``hotspots.measure_places.osaalue_touched``);
            who may see the measure follows them. May be empty (an area outside the districts).
        scope
            Who records: an admin or an analyst anywhere, a youth worker only when every code
            of ``osaalue`` is one of theirs (and there is one), a viewer never.

        Raises
        ------
        ScopeError
            ``scope`` may not record this measure; nothing is written.
        ParameterError
            An argument is malformed (the message names it).
        """

    @abc.abstractmethod
    def add_measures(self, items: Sequence[MeasureEntry], *, scope: Scope) -> list[int]:
        """Record several measures and their ``measure_add`` audit rows in ONE transaction.

        All or nothing: every item is checked and the scope's right to record it tested
        before anything is written, and a failure while writing (a broken connection, a
        full disk) rolls back every measure, its osa-alue codes and its audit row.
        ``add_measure`` is the one-item case.

        Parameters
        ----------
        items
            The measures with their places: ``MeasureEntry(measure, place_kind, place_ref,
            osaalue)``, each field as ``add_measure`` takes it.
        scope
            Who records, as for ``add_measure``; the same rule for every item.

        Returns
        -------
        list of int
            The new ids, in the order of ``items``; empty (and nothing audited) for none.

        Raises
        ------
        ScopeError
            ``scope`` may not record one of them; the message names it (``measure 3 of
            5: ...``) and nothing is written.
        ParameterError
            An item is malformed (the message names the item and the field).
        """

    @abc.abstractmethod
    def measures(
        self, *, scope: Scope, since: pd.Timestamp | None = None, until: pd.Timestamp | None = None
    ) -> list[RecordedMeasure]:
        """Return the measures in place whose ``[start, end)`` overlaps ``[since, until)``.

        Parameters
        ----------
        scope
            The reader's scope: a scope with districts sees only the measures touching at
            least one of its osa-alue (the condition is SQL). A scope that sees only
            aggregates gets the note only of the measures its user recorded.
        since, until
            Bounds of the period (None: open); naive times and dates are Helsinki time.

        Returns
        -------
        list of RecordedMeasure
            Ordered by start, then id; areas as MultiPolygons in EPSG:3067.
        """

    @abc.abstractmethod
    def remove_measure(self, measure_id: int, *, scope: Scope) -> None:
        """Remove a measure, audited (``measure_remove``) in the same transaction.

        The row stays, marked with the audit row (``removed_in``), and leaves ``measures()``.

        Parameters
        ----------
        measure_id
            The measure's id (``measures()``, ``hotspots measures list``).
        scope
            Who removes: an admin or an analyst any measure, a youth worker only their own.

        Raises
        ------
        ScopeError
            ``scope`` may not remove it; nothing is changed.
        StoreError
            No such measure, or it was removed already.
        """

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


def _check_scope(scope: object) -> None:
    """Raise ParameterError unless ``scope`` is a ``store.scope.Scope``."""
    if not isinstance(scope, Scope):
        raise ParameterError(
            f"scope must be a store.scope.Scope, e.g. Scope('anna@hel.fi', 'analyst', None), got {scope!r}"
        )
