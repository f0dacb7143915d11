"""The users table's rows (store.users): a Scope as one row and back, change details, the frame.

Adding, changing and removing users on both backends, each change audited, is in
test_audited.py; here is the row itself. The districts are the official ones.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo import districts
from geo.errors import ParameterError
from store.scope import Scope
from store.users import USER_COLUMNS, change_detail, districts_text, scope_of_row, users_frame


@pytest.fixture(scope="module")
def kallio_osaalue() -> tuple[str, ...]:
    table = districts.hierarchy()
    return tuple(table.loc[table["peruspiiri_fi"] == "Kallio", "osaalue_code"].astype(str))


def test_a_scope_round_trips_through_its_row(kallio_osaalue: tuple[str, ...]) -> None:
    worker = Scope("anna@hel.fi", "youth_worker", kallio_osaalue)
    text = districts_text(worker)
    assert text == ",".join(sorted(kallio_osaalue)) and len(kallio_osaalue) >= 3
    assert scope_of_row("anna@hel.fi", "youth_worker", text) == worker
    city = Scope("johto@hel.fi", "viewer", None)
    assert districts_text(city) is None and scope_of_row("johto@hel.fi", "viewer", None) == city


def test_a_row_edited_outside_the_tool_is_refused_when_read() -> None:
    with pytest.raises(ParameterError, match="a youth worker sees only the districts"):
        scope_of_row("anna@hel.fi", "youth_worker", None)
    with pytest.raises(ParameterError, match="role was 'superuser'"):
        scope_of_row("anna@hel.fi", "superuser", None)


def test_change_details_say_before_and_after(kallio_osaalue: tuple[str, ...]) -> None:
    worker = Scope("anna@hel.fi", "youth_worker", kallio_osaalue)
    viewer = Scope("anna@hel.fi", "viewer", None)
    added = change_detail(worker, None, "anna@hel.fi")
    assert added == {
        "user": "anna@hel.fi",
        "change": "added",
        "role": "youth_worker",
        "districts": sorted(kallio_osaalue),
        "role_before": None,
        "districts_before": None,
    }
    changed = change_detail(viewer, worker, "anna@hel.fi")
    assert (changed["change"], changed["districts"], changed["districts_before"]) == (
        "changed",
        None,
        sorted(kallio_osaalue),
    )
    removed = change_detail(None, viewer, "anna@hel.fi")
    assert (removed["change"], removed["role"], removed["role_before"]) == ("removed", None, "viewer")


def test_users_frame_types_even_when_empty() -> None:
    empty = users_frame([])
    assert list(empty.columns) == list(USER_COLUMNS) and empty.empty
    stamp = pd.Timestamp("2026-05-01 08:00", tz="UTC")
    one = users_frame([("anna@hel.fi", "viewer", None, stamp.value // 1000, "root")])
    assert one["added_at"].iloc[0] == stamp and pd.isna(one["districts"].iloc[0])
    assert str(one["user_id"].dtype) == "string"
