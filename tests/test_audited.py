"""Scopes, users, the audit trail and deleting data (store.audited), on every backend.

Each check runs on SQLite and on PostGIS (skipped without a test server, see
tests/postgres.py). The incidents are test_store_base's: real central-Helsinki addresses
tagged with the official districts. A user's districts are chosen by name and resolved to
osa-alue with the project's one district rule (``hotspots.selection``), as the CLI does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest

import store
from geo import districts
from geo.errors import ParameterError, StoreError
from hotspots.selection import Selection, districts_by_name
from store import LOCAL_ANALYST, IncidentFilter, Scope, ScopeError, open_store
from tests import test_store_base
from tests.postgres import in_schema, scratch_schema, server_url
from tests.test_store_base import Opener, add, make_incidents, sorted_canonical

#: test_store_base's fixtures: real central-Helsinki addresses with their districts, 3000
#: incidents at them, a filled store and new empty stores of each backend.
places = test_store_base.places
incidents = test_store_base.incidents
filled = test_store_base.filled
fresh = test_store_base.fresh

ADMIN = Scope("root", "admin", None)


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


def osaalue_of(names: list[str], hierarchy: pd.DataFrame) -> tuple[str, ...]:
    """The osa-alue a district choice covers, by the one district rule."""
    chosen = Selection(**districts_by_name(names, hierarchy))
    return tuple(hierarchy.loc[chosen.district_mask(hierarchy), "osaalue_code"].astype(str))


def details(log: pd.DataFrame) -> list[dict[str, object]]:
    return [json.loads(text) for text in log["detail"]]


# --------------------------------------------------------------------------- scopes


def test_a_youth_worker_gets_only_her_districts_whatever_her_filter_asks(
    filled: store.IncidentStore, incidents: pd.DataFrame, hierarchy: pd.DataFrame
) -> None:
    kallio = osaalue_of(["Kallio"], hierarchy)
    worker = Scope("anna@hel.fi", "youth_worker", kallio)
    mine = incidents[incidents["osaalue_code"].isin(kallio).to_numpy(dtype=bool, na_value=False)]
    assert 50 < len(mine) < len(incidents) / 5  # most of the data lie elsewhere
    got = filled.query(scope=worker)
    expected = sorted_canonical(mine).assign(description=pd.NA).astype({"description": "string"})
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # asking for other districts, at any level, by a box or by time, never widens her scope
    kamppi = osaalue_of(["Kamppi"], hierarchy)
    for where in (
        IncidentFilter(osaalue_codes=kamppi),
        IncidentFilter(peruspiiri_codes=["103"]),
        IncidentFilter(suurpiiri_codes=["1"]),
        IncidentFilter(osaalue_codes=[*kamppi, *kallio], peruspiiri_codes=["103"]),
    ):
        assert filled.query(where, scope=worker).empty, where
    both = filled.query(IncidentFilter(osaalue_codes=[*kamppi, *kallio]), scope=worker)
    assert len(both) == len(mine) and set(both["osaalue_code"]) <= set(kallio)
    analyst = filled.query(scope=Scope("olli@poliisi.fi", "analyst", kallio))
    pd.testing.assert_frame_equal(analyst, sorted_canonical(mine), check_exact=True)


def test_an_osa_alue_code_is_never_read_as_the_peruspiiri_of_the_same_code(
    filled: store.IncidentStore, incidents: pd.DataFrame, hierarchy: pd.DataFrame
) -> None:
    # osa-alue 101 is Vilhonvuori (in Kallio); peruspiiri 101 is Vironniemi, where many are
    assert hierarchy.set_index("osaalue_code").loc["101", "osaalue_fi"] == "Vilhonvuori"
    assert (incidents["peruspiiri_code"] == "101").sum() > 500
    got = filled.query(scope=Scope("anna@hel.fi", "youth_worker", ("101",)))
    assert len(got) == int((incidents["osaalue_code"] == "101").sum())


def test_a_whole_city_viewer_sees_every_row_but_no_description(
    filled: store.IncidentStore, incidents: pd.DataFrame
) -> None:
    got = filled.query(scope=Scope("johto@hel.fi", "viewer", None))
    assert len(got) == len(incidents)  # those outside Helsinki and without a place too
    assert got["description"].isna().all() and incidents["description"].notna().sum() > 1000
    assert got.drop(columns="description").equals(
        filled.query(scope=LOCAL_ANALYST).drop(columns="description")
    )


def test_query_needs_a_scope(filled: store.IncidentStore) -> None:
    with pytest.raises(TypeError, match="scope"):
        filled.query()  # type: ignore[call-arg]
    with pytest.raises(ParameterError, match=r"scope must be a store\.scope\.Scope"):
        filled.query(scope="admin")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- imports


def test_only_analysts_and_admins_import_and_each_import_is_audited(
    places: pd.DataFrame, fresh: Opener
) -> None:
    frame = make_incidents(places, 60, seed=50, prefix="imp")
    with fresh() as st:
        with pytest.raises(
            ScopeError, match=r"^only an analyst or an admin may import .* anna@hel\.fi is a youth"
        ):
            add(st, frame, "a.csv", scope=Scope("anna@hel.fi", "youth_worker", ("104",)))
        assert st.count() == 0 and st.batches().empty and st.audit_log().empty
        analyst = Scope("Olli@Poliisi.fi", "analyst", None)
        first = add(st, frame, "a.csv", scope=analyst, rows_read=64, rejected=4)
        again = add(st, frame, "a (copy).csv", scope=analyst)
        log = st.audit_log()
    assert list(log["action"]) == ["import", "import"]
    assert list(log["user_id"]) == ["olli@poliisi.fi"] * 2 and list(log["role"]) == ["analyst"] * 2
    assert log["at"].is_monotonic_increasing and str(log["at"].dt.tz) == "UTC"
    one, two = details(log)
    assert one == {
        "batch_id": first.batch_id,
        "file_name": "a.csv",
        "content_hash": "sha256-of-a.csv",
        "rows_read": 64,
        "accepted": 60,
        "rejected": 4,
        "added": 60,
        "duplicates": 0,
        "conflicts": 0,
        "already_imported": False,
        "duplicate_of": None,
    }
    assert (two["batch_id"], two["added"], two["duplicates"]) == (again.batch_id, 0, 60)


def test_a_batch_that_fails_leaves_no_audit_row(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 40, seed=51, prefix="bad")
    frame.loc[7, "category"] = "shoplifting"  # not canonical: the batch is refused
    with fresh() as st:
        with pytest.raises(StoreError, match="category"):
            add(st, frame, "bad.csv")
        assert st.count() == 0 and st.batches().empty and st.audit_log().empty


# --------------------------------------------------------------------------- users


def test_an_admin_adds_changes_and_removes_users_each_change_audited(
    fresh: Opener, hierarchy: pd.DataFrame
) -> None:
    kallio = osaalue_of(["Kallio"], hierarchy)
    worker = Scope("Anna@Hel.fi", "youth_worker", kallio)
    with fresh() as st:
        assert st.users().empty and st.user("anna@hel.fi") is None
        st.put_user(worker, by=ADMIN)
        st.put_user(Scope("boss@hel.fi", "admin", None), by=ADMIN)
        assert st.user("ANNA@hel.fi") == worker
        st.put_user(Scope("anna@hel.fi", "viewer", None), by="boss@hel.fi")  # a stored admin, by id
        users = st.users()
        st.remove_user("anna@HEL.fi", by=ADMIN)
        assert st.user("anna@hel.fi") is None and list(st.users()["user_id"]) == ["boss@hel.fi"]
        log = st.audit_log(action="user_change")
    assert list(users["user_id"]) == ["anna@hel.fi", "boss@hel.fi"]
    assert list(users["role"]) == ["viewer", "admin"] and users["districts"].isna().all()
    assert list(users["added_by"]) == ["boss@hel.fi", "root"]
    assert list(log["user_id"]) == ["root", "root", "boss@hel.fi", "root"]
    assert [d["change"] for d in details(log)] == ["added", "added", "changed", "removed"]
    changed = details(log)[2]
    assert changed["districts_before"] == list(kallio) and changed["role_before"] == "youth_worker"
    assert (changed["role"], changed["districts"]) == ("viewer", None)


def test_nobody_but_an_admin_changes_users(fresh: Opener) -> None:
    with fresh() as st:
        st.put_user(Scope("olli@poliisi.fi", "analyst", None), by=ADMIN)
        before = (st.users(), st.audit_log())
        for by in (Scope("olli@poliisi.fi", "analyst", None), "olli@poliisi.fi"):
            with pytest.raises(
                ScopeError, match=r"^only an admin may change users; olli@poliisi\.fi is an analyst"
            ):
                st.put_user(Scope("olli@poliisi.fi", "admin", None), by=by)
        with pytest.raises(ScopeError, match=r"stranger@hel\.fi is not a user of this store"):
            st.remove_user("olli@poliisi.fi", by="stranger@hel.fi")
        with pytest.raises(StoreError, match=r"no user nobody@hel\.fi; `hotspots users list`"):
            st.remove_user("nobody@hel.fi", by=ADMIN)
        pd.testing.assert_frame_equal(st.users(), before[0])
        pd.testing.assert_frame_equal(st.audit_log(), before[1])


# --------------------------------------------------------------------------- the trail


def test_record_and_audit_log_filters(fresh: Opener) -> None:
    worker = Scope("anna@hel.fi", "youth_worker", ("104",))
    with fresh() as st:
        first = st.record("sign_in", scope=worker, detail={"provider": "entra"})
        export = {"file_name": "hotspots-kallio.geojson", "kind": "geojson", "classification": "aggregated"}
        st.record("export", scope=worker, detail={**export, "min_count": 5, "filters": {"osaalue": ["104"]}})
        st.record("sign_in", scope=LOCAL_ANALYST, detail={})
        everything = st.audit_log()
        mine = st.audit_log(user="ANNA@hel.fi")
        exports = st.audit_log(action="export")
        later = st.audit_log(since=everything["at"].iloc[1].to_pydatetime())
        future = st.audit_log(since="2999-01-01")
    assert (
        list(everything["audit_id"]) == sorted(everything["audit_id"])
        and everything["audit_id"].iloc[0] == first
    )
    assert list(mine["action"]) == ["sign_in", "export"] and list(exports["user_id"]) == ["anna@hel.fi"]
    assert details(exports)[0]["filters"] == {"osaalue": ["104"]} and details(exports)[0]["min_count"] == 5
    assert list(later["audit_id"]) == list(everything["audit_id"].iloc[1:]) and future.empty
    assert list(everything.columns) == ["audit_id", "at", "user_id", "role", "action", "detail"]


def test_record_refuses_unknown_actions_and_details_that_are_not_json(fresh: Opener) -> None:
    with fresh() as st:
        with pytest.raises(ParameterError, match=r"audit action was 'download' but is expected to be one of"):
            st.record("download", scope=LOCAL_ANALYST, detail={})
        with pytest.raises(ParameterError, match="not text, a number, a time"):
            st.record("export", scope=LOCAL_ANALYST, detail={"frame": pd.DataFrame()})
        assert st.audit_log().empty


# --------------------------------------------------------------------------- deleting data


def test_an_admin_deletes_a_batch_and_may_import_the_same_file_again(
    places: pd.DataFrame, fresh: Opener
) -> None:
    wrong = make_incidents(places, 120, seed=52, prefix="wrong")
    right = make_incidents(places, 80, seed=53, prefix="right")
    with fresh() as st:
        mistake = add(st, wrong, "wrong.csv")
        add(st, right, "right.csv")
        with pytest.raises(
            ScopeError, match=r"^only an admin may delete a batch; olli@poliisi\.fi is an analyst"
        ):
            st.delete_batch(mistake.batch_id, scope=Scope("olli@poliisi.fi", "analyst", None))
        assert st.count() == 200
        assert st.delete_batch(mistake.batch_id, scope=ADMIN) == 120
        pd.testing.assert_frame_equal(
            st.query(scope=LOCAL_ANALYST), sorted_canonical(right), check_exact=True
        )
        log = st.batches()
        audit = st.audit_log(action="delete_batch")
        with pytest.raises(StoreError, match=rf"batch {mistake.batch_id} \(wrong\.csv\) was deleted already"):
            st.delete_batch(mistake.batch_id, scope=ADMIN)
        with pytest.raises(StoreError, match=r"no batch 99; `hotspots batches list`"):
            st.delete_batch(99, scope=ADMIN)
        # the same file again (same content hash): not "imported before", its rows come back
        again = add(st, wrong, "wrong.csv")
        assert (again.added, again.already_imported) == (120, False)
        assert st.count() == 200
    assert list(log["deleted_in"].isna()) == [False, True]
    assert int(log["deleted_in"].iloc[0]) == int(audit["audit_id"].iloc[0])
    assert details(audit) == [{"batch_id": mistake.batch_id, "file_name": "wrong.csv", "deleted": 120}]
    assert list(audit["user_id"]) == ["root"]


def test_retention_counts_then_deletes_what_is_older_and_audits_it(
    places: pd.DataFrame, fresh: Opener
) -> None:
    frame = make_incidents(places, 300, seed=54, prefix="ret")
    cutoff = pd.Timestamp("2024-01-01", tz="Europe/Helsinki")
    older = int((frame["occurred_at"] < cutoff).sum())
    assert 50 < older < 250
    with fresh() as st:
        add(st, frame, "2023_2024.csv")
        with pytest.raises(ScopeError, match=r"^only an admin may delete incidents by retention"):
            st.delete_older_than("2024-01-01", scope=Scope("johto@hel.fi", "viewer", None), dry_run=True)
        assert st.delete_older_than("2024-01-01", scope=ADMIN, dry_run=True) == older
        assert st.count() == 300 and st.audit_log(action="retention").empty
        assert st.delete_older_than("2024-01-01", scope=ADMIN) == older
        kept = st.query(scope=LOCAL_ANALYST)
        audit = st.audit_log(action="retention")
    pd.testing.assert_frame_equal(
        kept, sorted_canonical(frame[frame["occurred_at"] >= cutoff]), check_exact=True
    )
    assert details(audit) == [{"cutoff": "2024-01-01T00:00:00+02:00", "deleted": older}]


# --------------------------------------------------------------------------- append-only


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "audited.sqlite"
    with open_store(f"sqlite:///{path}") as st:
        st.record("sign_in", scope=LOCAL_ANALYST, detail={})
    yield path


@pytest.mark.parametrize("statement", ["UPDATE audit SET role = 'admin'", "DELETE FROM audit"])
def test_sqlite_refuses_to_change_the_audit_trail(sqlite_file: Path, statement: str) -> None:
    with sqlite3.connect(sqlite_file) as raw:
        with pytest.raises(sqlite3.IntegrityError, match="the audit trail is append-only"):
            raw.execute(statement)
        assert raw.execute("SELECT role FROM audit").fetchall() == [("analyst",)]


@pytest.fixture
def postgis_url() -> Iterator[str]:
    with scratch_schema(server_url()) as (_, url):
        with open_store(url) as st:
            st.record("sign_in", scope=LOCAL_ANALYST, detail={})
        yield url


@pytest.mark.parametrize(
    "statement", ["UPDATE audit SET role = 'admin'", "DELETE FROM audit", "TRUNCATE audit CASCADE"]
)
def test_postgresql_refuses_to_change_the_audit_trail(postgis_url: str, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="the audit trail is append-only"):
        in_schema(postgis_url, statement)
    assert in_schema(postgis_url, "SELECT role FROM audit") == [("analyst",)]
