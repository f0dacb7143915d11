"""Measures in the store, written once for both database backends: ``MeasuredStore``.

``MeasuredStore`` adds to ``store.audited.AuditedStore`` what schema version 4 brought: the
``measures`` table and its ``measure_osaalue`` codes (``store.measure_records`` says what a
row holds and who may change it). Recording measures (one, or a whole file's with
``add_measures``) and removing one are each one transaction together with the audit rows
that record them: a failure half way leaves nothing stored and nothing audited. Reading
is one statement, the measures with their osa-alue codes aggregated, so it sees one
state of the store; it applies the scope's districts in the SQL, as ``query`` does for
incidents. ``store.sqlite.SQLiteStore`` and ``store.postgis.PostGISStore`` subclass it and
say only how an area goes in and comes out (``_AREA_IN``, ``_AREA_OUT``: WKB in both
directions, so the two give the same answers) and how codes are aggregated (``_CODES_OUT``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pandas as pd

from geo.errors import ParameterError, StoreError
from store.audited import AuditedStore
from store.base import _check_scope
from store.database import _C
from store.measure_records import (
    Measure,
    MeasureEntry,
    PlaceKind,
    RecordedMeasure,
    check_may_record,
    check_may_remove,
    helsinki_time,
    measure_detail,
    measure_number,
    micros,
    recorded_measure,
)
from store.scope import Scope, ScopeError

#: The columns of ``measures`` that make a row, in the order ``MeasureEntry.values`` gives them.
_WRITTEN = (
    "kind",
    "lead",
    "partner",
    "categories",
    "starts_at",
    "ends_at",
    "note",
    "place_kind",
    "place_ref",
)


class MeasuredStore(AuditedStore[_C]):
    """A database store that keeps measures as well (see the module)."""

    #: SQL that turns the WKB parameter into the stored area.
    _AREA_IN: ClassVar[str]
    #: SQL that reads ``m.area`` back as WKB.
    _AREA_OUT: ClassVar[str]
    #: SQL aggregate joining ``c.osaalue_code`` of a group with commas (any order).
    _CODES_OUT: ClassVar[str]

    def _stamp_column(self, name: str) -> str:
        """Return the column holding the time ``name`` (SQLite: ``name_us``, PostGIS: ``name``)."""
        return f"{name}{self._STAMP_SUFFIX}"

    def _select(self) -> str:
        """Return the columns ``store.measure_records.recorded_measure`` reads, of ``measures AS m``."""
        micros_of = self._micros
        return (
            "m.measure_id, m.kind, m.lead, m.partner, m.categories, "
            f"{micros_of('m.starts_at')}, {micros_of('m.ends_at')}, m.note, m.place_kind, m.place_ref, "
            f"{self._AREA_OUT}, m.recorded_by, {micros_of('m.recorded_at')}"
        )

    # -- writing

    def add_measure(
        self,
        measure: Measure,
        *,
        place_kind: PlaceKind,
        place_ref: str,
        osaalue: Sequence[str],
        scope: Scope,
    ) -> int:
        """Record a measure, audited in the same transaction (see ``IncidentStore.add_measure``)."""
        _check_scope(scope)
        entry = MeasureEntry.checked(measure, place_kind, place_ref, osaalue)
        return self.add_measures([entry], scope=scope)[0]

    def add_measures(self, items: Sequence[MeasureEntry], *, scope: Scope) -> list[int]:
        """Record measures, each audited, all in one transaction (see ``IncidentStore.add_measures``)."""
        _check_scope(scope)
        entries = _checked_entries(items, scope)
        if not entries:
            return []
        mark = self._PARAM
        columns = [self._stamp_column(c) if c in ("starts_at", "ends_at") else c for c in _WRITTEN]
        columns += ["area", "recorded_by", self._stamp_column("recorded_at")]
        marks = [mark] * len(_WRITTEN) + [self._AREA_IN, mark, mark]
        now = self._time_bound(micros(pd.Timestamp.now(tz="UTC")))
        sql = f"INSERT INTO measures ({', '.join(columns)}) VALUES ({', '.join(marks)}) RETURNING measure_id"

        def add_one(conn: _C, entry: MeasureEntry) -> int:
            values = list(entry.values())
            values[4:6] = [self._time_bound(us) for us in values[4:6]]  # start and end, as the backend's time
            row = conn.execute(sql, (*values, scope.user, now)).fetchall()
            measure_id = int(row[0][0])
            if entry.osaalue:
                conn.cursor().executemany(
                    f"INSERT INTO measure_osaalue (measure_id, osaalue_code) VALUES ({mark}, {mark})",
                    [(measure_id, code) for code in entry.osaalue],
                )
            detail = measure_detail(
                measure_id, entry.measure, entry.place_kind, entry.place_ref, entry.osaalue
            )
            self._insert_audit(conn, "measure_add", scope, detail)
            return measure_id

        action = "recording a measure" if len(entries) == 1 else f"recording {len(entries)} measures"
        return self._write(action, lambda conn: [add_one(conn, entry) for entry in entries])

    def remove_measure(self, measure_id: int, *, scope: Scope) -> None:
        """Remove a measure, audited in the same transaction (see ``IncidentStore.remove_measure``)."""
        _check_scope(scope)
        number = measure_number(measure_id)
        mark = self._PARAM

        def remove(conn: _C) -> None:
            row = conn.execute(
                f"SELECT {self._select()}, m.removed_in FROM measures AS m WHERE m.measure_id = {mark}",
                (number,),
            ).fetchone()
            if row is None:
                raise StoreError(f"the store has no measure {number}; `hotspots measures list` lists them")
            if row[-1] is not None:
                raise StoreError(
                    f"measure {number} was removed already (audit row {row[-1]}); "
                    "`hotspots measures list` lists those in place"
                )
            codes = [
                code
                for (code,) in conn.execute(
                    "SELECT osaalue_code FROM measure_osaalue "
                    f"WHERE measure_id = {mark} ORDER BY osaalue_code",
                    (number,),
                ).fetchall()
            ]
            found = recorded_measure(row[:-1], codes, note=True)
            check_may_remove(scope, number, found.recorded_by)
            detail = measure_detail(number, found.measure, found.place_kind, found.place_ref, codes)
            audit_id = self._insert_audit(conn, "measure_remove", scope, detail)
            conn.execute(
                f"UPDATE measures SET removed_in = {mark} WHERE measure_id = {mark}", (audit_id, number)
            )

        self._write(f"removing measure {number}", remove)

    # -- reading

    def _conditions(
        self, since: pd.Timestamp | None, until: pd.Timestamp | None, scope: Scope
    ) -> tuple[str, list[Any]]:
        """Return the WHERE clause over ``measures AS m`` for a period and a scope, and its parameters."""
        mark = self._PARAM
        clauses = ["m.removed_in IS NULL"]
        params: list[Any] = []
        bounds = {
            name: None if value is None else helsinki_time(name, value)
            for name, value in (("since", since), ("until", until))
        }
        if bounds["since"] is not None and bounds["until"] is not None and bounds["until"] <= bounds["since"]:
            raise ParameterError(
                f"until must be after since, got since {bounds['since']} and until {bounds['until']}"
            )
        if bounds["since"] is not None:  # half-open periods overlap when each starts before the other ends
            clauses.append(f"m.{self._stamp_column('ends_at')} > {mark}")
            params.append(self._time_bound(micros(bounds["since"])))
        if bounds["until"] is not None:
            clauses.append(f"m.{self._stamp_column('starts_at')} < {mark}")
            params.append(self._time_bound(micros(bounds["until"])))
        if scope.osaalue is not None:
            inside, codes = self._in_list("mine.osaalue_code", scope.osaalue)
            clauses.append(
                "EXISTS (SELECT 1 FROM measure_osaalue AS mine "
                f"WHERE mine.measure_id = m.measure_id AND {inside})"
            )
            params.extend(codes)
        return " AND ".join(clauses), params

    def measures(
        self, *, scope: Scope, since: pd.Timestamp | None = None, until: pd.Timestamp | None = None
    ) -> list[RecordedMeasure]:
        """Return the measures in place in a period, inside the scope (see ``IncidentStore.measures``)."""
        _check_scope(scope)
        where, params = self._conditions(since, until, scope)
        # One statement, so the rows and their codes are one state of the store (a writer
        # committing between two queries cannot give a measure another measure's codes).
        codes_sql = f"SELECT {self._CODES_OUT} FROM measure_osaalue AS c WHERE c.measure_id = m.measure_id"
        sql = (
            f"SELECT {self._select()}, ({codes_sql}) FROM measures AS m WHERE {where} "
            f"ORDER BY m.{self._stamp_column('starts_at')}, m.measure_id"
        )
        rows = self._read("reading the measures", lambda conn: conn.execute(sql, params).fetchall())
        return [
            recorded_measure(
                row[:-1],
                sorted(str(row[-1]).split(",")) if row[-1] else [],
                note=not scope.aggregated_only or row[11] == scope.user,
            )
            for row in rows
        ]


def _checked_entries(items: Sequence[MeasureEntry], scope: Scope) -> list[MeasureEntry]:
    """Return the items checked, and may ``scope`` record each; the error names the item when several."""
    if isinstance(items, MeasureEntry) or not isinstance(items, Sequence):
        raise ParameterError(
            f"items must be a list of store.measure_records.MeasureEntry, got {type(items).__name__}"
        )
    entries: list[MeasureEntry] = []
    for i, item in enumerate(items):
        try:
            if not isinstance(item, MeasureEntry):
                raise ParameterError(
                    f"items must hold store.measure_records.MeasureEntry, got {type(item).__name__}"
                )
            entry = MeasureEntry.checked(item.measure, item.place_kind, item.place_ref, item.osaalue)
            check_may_record(scope, entry.osaalue)
        except (ParameterError, ScopeError) as exc:
            if len(items) == 1:
                raise
            message = f"measure {i + 1} of {len(items)}: {exc}; nothing was recorded"
            raise type(exc)(message, code=exc.code, **exc.params) from exc
        entries.append(entry)
    return entries
