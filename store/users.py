"""The users table's rows: a ``Scope`` as one row, and the table read back.

Every store keeps a ``users`` table (schema version 3): one row per user id (an e-mail
address or an OpenID Connect subject, lower-cased) with the role, the osa-alue codes the
user may see (comma-separated, NULL for the whole city), and when and by whom the current
role was given. The app looks a signed-in user up in it (``IncidentStore.user``); admins
change it through ``put_user`` and ``remove_user``, which audit every change in the same
transaction. This module is pure: the SQL is ``store.audited``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from store.scope import Scope

#: Columns of ``IncidentStore.users()``.
USER_COLUMNS: Final = ("user_id", "role", "districts", "added_at", "added_by")
#: How the osa-alue codes of a scope are joined in the ``districts`` column.
SEPARATOR: Final = ","


def districts_text(scope: Scope) -> str | None:
    """Return the ``districts`` value of a scope's row: codes joined by commas, None for the whole city."""
    return None if scope.osaalue is None else SEPARATOR.join(scope.osaalue)


def scope_of_row(user_id: str, role: str, districts: str | None) -> Scope:
    """Return the Scope a users row grants (the row's values as stored).

    Raises
    ------
    ParameterError
        The row breaks a rule of ``Scope`` (a store edited outside this tool).
    """
    codes = None if districts is None else tuple(districts.split(SEPARATOR))
    return Scope(user_id, role, codes)  # type: ignore[arg-type]  # Scope checks the role


def change_detail(scope: Scope | None, before: Scope | None, user_id: str) -> dict[str, Any]:
    """Return the detail of a ``user_change`` audit row: the user, and role and districts before and after.

    Parameters
    ----------
    scope
        The user's new scope; None when the user is removed.
    before
        The user's scope before the change; None when the user is new.
    user_id
        The user changed.

    Returns
    -------
    dict
        ``{"user", "change" ("added", "changed", "removed"), "role", "districts",
        "role_before", "districts_before"}``; districts as lists of codes, None for the city.
    """
    change = "removed" if scope is None else "added" if before is None else "changed"
    return {
        "user": user_id,
        "change": change,
        "role": None if scope is None else scope.role,
        "districts": None if scope is None or scope.osaalue is None else list(scope.osaalue),
        "role_before": None if before is None else before.role,
        "districts_before": None if before is None or before.osaalue is None else list(before.osaalue),
    }


def users_frame(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """Return ``USER_COLUMNS`` rows (``added_at`` as UTC microseconds) as the users frame.

    Parameters
    ----------
    rows
        ``(user_id, role, districts, added_at_us, added_by)`` tuples, sorted by user id.

    Returns
    -------
    DataFrame
        ``added_at`` as UTC timestamps, the rest as strings (``districts`` missing for the
        whole city).
    """
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in USER_COLUMNS]
    data = dict(zip(USER_COLUMNS, columns, strict=True))
    return pd.DataFrame(
        {
            "user_id": pd.array(data["user_id"], dtype="string"),
            "role": pd.array(data["role"], dtype="string"),
            "districts": pd.array(data["districts"], dtype="string"),
            "added_at": pd.to_datetime(np.array(data["added_at"], dtype=np.int64), unit="us", utc=True),
            "added_by": pd.array(data["added_by"], dtype="string"),
        }
    )
