"""Users, the audit trail and deleting data, written once for both database backends.

``AuditedStore`` adds to ``store.database.DatabaseStore`` what schema version 3 brought:
the ``users`` table (``store.users``), the append-only ``audit`` table (``store.audit``)
and the two ways an admin deletes incidents (one import batch, or everything older than a
retention cutoff). Every change is made in one transaction together with the audit row
that records it, so the trail never misses a change nor records one that did not happen.
``store.sqlite.SQLiteStore`` and ``store.postgis.PostGISStore`` subclass it; the SQL here
uses only their hooks (parameter marker, time columns, transactions, the writers' lock).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd

from geo import schema
from geo.errors import ParameterError, StoreError
from store.audit import audit_frame, check_action, detail_json, since_microseconds, user_condition
from store.database import _C, DatabaseStore
from store.filters import IncidentFilter
from store.scope import Scope, ScopeError, normalise_user, require_admin
from store.users import change_detail, districts_text, scope_of_row, users_frame

_T = TypeVar("_T")


def _batch_number(batch_id: object) -> int:
    """Return ``batch_id`` as an int; ParameterError unless it is a whole number >= 1."""
    if isinstance(batch_id, bool) or not isinstance(batch_id, int) or batch_id < 1:
        raise ParameterError(
            f"batch_id must be a whole number >= 1 (`hotspots batches list`), got {batch_id!r}"
        )
    return int(batch_id)


def _cutoff_microseconds(cutoff: datetime | date | str) -> int:
    """Return a retention cutoff as UTC microseconds (a date or naive time is Helsinki time)."""
    try:
        stamp = pd.Timestamp(cutoff)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"cutoff must be a date or a time such as 2021-01-01, got {cutoff!r}") from exc
    bound = IncidentFilter(until=stamp.to_pydatetime()).until_us
    if bound is None:
        raise ParameterError(f"cutoff must be a date or a time such as 2021-01-01, got {cutoff!r}")
    return bound


class AuditedStore(DatabaseStore[_C]):
    """A database store with users, an append-only audit trail and audited deletion (see the module)."""

    # -- steps

    def _write(self, action: str, step: Callable[[_C], _T]) -> _T:
        """Return ``step(connection)`` run in one transaction, writers one at a time."""
        with self._lock:
            conn = self._connection()
            with self._errors(action), self._transaction(conn):
                self._before_batch(conn)  # deletions and imports queue behind each other
                return step(conn)

    def _stored_user(self, conn: _C, user_id: str) -> Scope | None:
        """Return the scope the users table grants ``user_id`` (already normalised), None if none."""
        row = conn.execute(
            f"SELECT role, districts FROM users WHERE user_id = {self._PARAM}", (user_id,)
        ).fetchone()
        return None if row is None else scope_of_row(user_id, row[0], row[1])

    def _actor(self, conn: _C, by: str | Scope) -> Scope:
        """Return the acting admin's scope; ScopeError unless ``by`` is an admin."""
        if isinstance(by, Scope):
            require_admin(by, "change users")
            return by
        ident = normalise_user(by)
        actor = self._stored_user(conn, ident)
        if actor is None:
            raise ScopeError(
                f"only an admin may change users; {ident} is not a user of this store. Pass the "
                "admin's Scope, or add them first (`hotspots users add USER --role admin`)."
            )
        require_admin(actor, "change users")
        return actor

    # -- users

    def users(self) -> pd.DataFrame:
        """Return every user, sorted by user id (see ``IncidentStore.users``)."""
        added_at = self._micros("added_at")
        sql = f"SELECT user_id, role, districts, {added_at}, added_by FROM users ORDER BY user_id"
        return users_frame(self._read("reading the users", lambda conn: conn.execute(sql).fetchall()))

    def user(self, user_id: str) -> Scope | None:
        """Return the scope granted to ``user_id``, None for a stranger (see ``IncidentStore.user``)."""
        ident = normalise_user(user_id)
        return self._read("looking up a user", lambda conn: self._stored_user(conn, ident))

    def put_user(self, scope: Scope, *, by: str | Scope) -> None:
        """Add or change a user, audited in the same transaction (see ``IncidentStore.put_user``)."""
        if not isinstance(scope, Scope):
            raise ParameterError(
                f"put_user takes the user's Scope, e.g. Scope('anna@hel.fi', 'viewer', None), got {scope!r}"
            )
        mark = self._PARAM

        def change(conn: _C) -> None:
            actor = self._actor(conn, by)
            before = self._stored_user(conn, scope.user)
            now = self._time_bound(pd.Timestamp.now(tz="UTC").value // 1000)
            values = (scope.role, districts_text(scope), now, actor.user, scope.user)
            if before is None:
                conn.execute(
                    f"INSERT INTO users (role, districts, added_at{self._STAMP_SUFFIX}, added_by, user_id) "
                    f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
                    values,
                )
            else:
                conn.execute(
                    f"UPDATE users SET role = {mark}, districts = {mark}, "
                    f"added_at{self._STAMP_SUFFIX} = {mark}, added_by = {mark} WHERE user_id = {mark}",
                    values,
                )
            self._insert_audit(conn, "user_change", actor, change_detail(scope, before, scope.user))

        self._write(f"changing the user {scope.user}", change)

    def remove_user(self, user_id: str, *, by: str | Scope) -> None:
        """Remove a user, audited in the same transaction (see ``IncidentStore.remove_user``)."""
        ident = normalise_user(user_id)

        def change(conn: _C) -> None:
            actor = self._actor(conn, by)
            before = self._stored_user(conn, ident)
            if before is None:
                raise StoreError(f"the store has no user {ident}; `hotspots users list` lists them")
            conn.execute(f"DELETE FROM users WHERE user_id = {self._PARAM}", (ident,))
            self._insert_audit(conn, "user_change", actor, change_detail(None, before, ident))

        self._write(f"removing the user {ident}", change)

    # -- the audit trail

    def record(self, action: str, *, scope: Scope, detail: Mapping[str, Any]) -> int:
        """Append an audit row and return its id (see ``IncidentStore.record``)."""
        if not isinstance(scope, Scope):
            raise ParameterError(f"record takes the acting user's Scope, got {scope!r}")
        check_action(action)
        plain = dict(detail) if isinstance(detail, Mapping) else detail
        detail_json(plain)  # refused before a transaction begins
        with self._lock:
            conn = self._connection()
            with self._errors(f"recording {action} in the audit trail"), self._transaction(conn):
                return self._insert_audit(conn, action, scope, plain)

    def audit_log(
        self,
        *,
        since: datetime | date | str | None = None,
        user: str | None = None,
        action: str | None = None,
    ) -> pd.DataFrame:
        """Return the audit trail, oldest first (see ``IncidentStore.audit_log``)."""
        mark = self._PARAM
        clauses: list[str] = []
        params: list[Any] = []
        bound = since_microseconds(since)
        if bound is not None:
            clauses.append(f"at{self._STAMP_SUFFIX} >= {mark}")
            params.append(self._time_bound(bound))
        who = user_condition(user)
        if who is not None:
            clauses.append(f"user_id = {mark}")
            params.append(who)
        if action is not None:
            clauses.append(f"action = {mark}")
            params.append(check_action(action))
        condition = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = (
            f"SELECT audit_id, {self._micros('at')}, user_id, role, action, detail FROM audit{condition} "
            "ORDER BY audit_id"
        )
        return audit_frame(
            self._read("reading the audit trail", lambda conn: conn.execute(sql, params).fetchall())
        )

    # -- deleting data

    def delete_batch(self, batch_id: int, *, scope: Scope) -> int:
        """Delete a batch's incidents, audited (see ``IncidentStore.delete_batch``)."""
        require_admin(scope, "delete a batch")
        number = _batch_number(batch_id)
        mark = self._PARAM

        def delete(conn: _C) -> int:
            row = conn.execute(
                f"SELECT file_name, deleted_in FROM batches WHERE batch_id = {mark}", (number,)
            ).fetchone()
            if row is None:
                raise StoreError(f"the store has no batch {number}; `hotspots batches list` lists them")
            if row[1] is not None:
                raise StoreError(f"batch {number} ({row[0]}) was deleted already (audit row {row[1]})")
            deleted = int(conn.execute(f"DELETE FROM incidents WHERE batch_id = {mark}", (number,)).rowcount)
            detail = {"batch_id": number, "file_name": row[0], "deleted": deleted}
            audit_id = self._insert_audit(conn, "delete_batch", scope, detail)
            conn.execute(
                f"UPDATE batches SET deleted_in = {mark} WHERE batch_id = {mark}", (audit_id, number)
            )
            return deleted

        return self._write(f"deleting batch {number}", delete)

    def delete_older_than(self, cutoff: datetime | date | str, *, scope: Scope, dry_run: bool = False) -> int:
        """Delete (or count) the incidents before ``cutoff``, audited (see ``IncidentStore``)."""
        require_admin(scope, "delete incidents by retention")
        bound = _cutoff_microseconds(cutoff)
        condition = f"occurred_at{self._STAMP_SUFFIX} < {self._PARAM}"
        params = (self._time_bound(bound),)
        if dry_run:
            sql = f"SELECT count(*) FROM incidents WHERE {condition}"
            return int(
                self._read("counting old incidents", lambda conn: conn.execute(sql, params).fetchone()[0])
            )
        when = pd.Timestamp(bound, unit="us", tz="UTC").tz_convert(schema.TIMEZONE)

        def delete(conn: _C) -> int:
            deleted = int(conn.execute(f"DELETE FROM incidents WHERE {condition}", params).rowcount)
            self._insert_audit(conn, "retention", scope, {"cutoff": when.isoformat(), "deleted": deleted})
            return deleted

        return self._write("deleting old incidents", delete)
