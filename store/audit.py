"""The audit trail's rows: which actions are recorded, their details as JSON, the table read back.

Every store keeps an ``audit`` table (schema version 3) that the code only ever appends
to: there is no method that changes or deletes a row, and the database refuses it too
(SQLite: ``BEFORE UPDATE/DELETE`` triggers that abort; PostgreSQL: a trigger on UPDATE,
DELETE and TRUNCATE that raises). One row says who (the user id and role of the acting
``Scope``), when (UTC), what (``action``) and the particulars (``detail``, a JSON object):

``sign_in``
    A user signed in to the app (written by the app).
``import``
    A file went into the store: batch id, file name, rows read, accepted, rejected,
    added, duplicates, conflicts, whether it was imported before (written by
    ``add_batch`` in the batch's own transaction).
``export``
    A file left the tool: file name, kind, aggregated or restricted, the filters,
    ``min_count`` (written by the app's download buttons and the CLI).
``delete_batch``
    An admin deleted an import batch's incidents: batch id, file name, incidents deleted.
``retention``
    An admin deleted the incidents older than a cutoff: the cutoff, incidents deleted.
``user_change``
    An admin added a user, changed a role or districts, or removed a user: the user,
    the role and districts before and after.
``measure_add``, ``measure_remove``
    A measure was recorded or removed (schema version 4, ``store.measure_records``): its
    id, kind, lead, partner, dates, categories, place, osa-alue and area, and the length
    of its note (never the note itself).

This module is pure: the SQL that writes and reads the table is ``store.audited``'s.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.errors import ParameterError
from store.filters import IncidentFilter
from store.scope import normalise_user

#: Every action the trail records, in the order of the module docstring.
ACTIONS: Final = (
    "sign_in",
    "import",
    "export",
    "delete_batch",
    "retention",
    "user_change",
    "measure_add",
    "measure_remove",
)
#: Columns of ``IncidentStore.audit_log()``.
AUDIT_COLUMNS: Final = ("audit_id", "at", "user_id", "role", "action", "detail")
#: What the database says when something tries to change or delete an audit row.
APPEND_ONLY: Final = "the audit trail is append-only: its rows cannot be changed or deleted"
#: Longest detail kept, in characters of JSON (filters and file names fit many times over).
MAX_DETAIL_CHARS: Final = 20_000


def check_action(action: object) -> str:
    """Return ``action`` when it is one of ``ACTIONS``; ParameterError naming them otherwise."""
    if action not in ACTIONS:
        raise ParameterError(f"audit action was {action!r} but is expected to be one of {list(ACTIONS)}")
    return str(action)


def _plain(value: Any, where: str) -> Any:
    """Return a JSON-ready value: numpy scalars as Python, times as ISO 8601, sequences as lists."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or isinstance(value, bool | int | str):
        return None if value is pd.NA else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, Sequence | set | frozenset | np.ndarray) and not isinstance(
        value, bytes | bytearray
    ):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(items)]
    raise ParameterError(
        f"an audit detail holds a {type(value).__name__} at {where}, which is not text, a number, "
        "a time, a list or a mapping of them; record what identifies the action instead"
    )


def detail_json(detail: Mapping[str, Any]) -> str:
    """Return ``detail`` as the JSON text an audit row keeps (keys sorted, UTF-8 characters kept).

    Parameters
    ----------
    detail
        A mapping of text keys to text, numbers, booleans, None, times (written ISO 8601),
        lists and mappings of them; numpy scalars are written as numbers.

    Returns
    -------
    str
        A JSON object.

    Raises
    ------
    ParameterError
        ``detail`` is not a mapping, holds another kind of value, or is longer than
        ``MAX_DETAIL_CHARS`` as JSON.
    """
    if not isinstance(detail, Mapping):
        raise ParameterError(f"an audit detail must be a mapping (a dict), got {detail!r}")
    text = json.dumps(_plain(detail, "detail"), ensure_ascii=False, sort_keys=True, allow_nan=False)
    if len(text) > MAX_DETAIL_CHARS:
        raise ParameterError(
            f"an audit detail has {len(text)} characters of JSON, more than {MAX_DETAIL_CHARS}; "
            "record what identifies the action (file name, filters), not the data"
        )
    return text


def since_microseconds(since: dt.datetime | dt.date | str | None) -> int | None:
    """Return a ``since`` bound of ``audit_log`` as UTC microseconds (naive and dates: Helsinki time).

    Parameters
    ----------
    since
        A datetime, a date (its first moment) or ISO 8601 text; None for no bound.

    Returns
    -------
    int or None
        The first microsecond not before the bound.

    Raises
    ------
    ParameterError
        The value is not a time.
    """
    if since is None:
        return None
    try:
        stamp = pd.Timestamp(since)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"since must be a date or a time such as 2026-05-01, got {since!r}") from exc
    return IncidentFilter(since=stamp.to_pydatetime()).since_us


def user_condition(user: str | None) -> str | None:
    """Return the user id ``audit_log(user=...)`` compares with (lower-cased), None for every user."""
    return None if user is None else normalise_user(user)


def audit_frame(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """Return ``AUDIT_COLUMNS`` rows (``at`` as UTC microseconds) as the audit log's frame.

    Parameters
    ----------
    rows
        ``(audit_id, at_us, user_id, role, action, detail)`` tuples, oldest first.

    Returns
    -------
    DataFrame
        ``audit_id`` int64, ``at`` UTC timestamps, the rest as strings (``detail`` the JSON text).
    """
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in AUDIT_COLUMNS]
    data = dict(zip(AUDIT_COLUMNS, columns, strict=True))
    return pd.DataFrame(
        {
            "audit_id": np.array(data["audit_id"], dtype=np.int64),
            "at": pd.to_datetime(np.array(data["at"], dtype=np.int64), unit="us", utc=True),
            **{name: pd.array(data[name], dtype="string") for name in AUDIT_COLUMNS[2:]},
        }
    )
