"""``hotspots users``: add, grant, remove and list users through the command line, each change audited.

Districts are named as a city admin would name them (Kallio, Berghäll, Linjat, codes) and
checked against the official hierarchy with the one district rule. Round trips run on an
SQLite file, and on PostGIS when the test server answers (tests/postgres.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import store
from cli.users import osaalue_codes
from geo import districts
from store import Scope
from tests.cli_run import run
from tests.postgres import scratch_schema, server_url


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


@pytest.fixture(params=["sqlite", "postgis"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    with scratch_schema(server_url()) as (_, url):
        yield url


def test_districts_at_any_level_become_osa_alue_codes(hierarchy: pd.DataFrame) -> None:
    kallio = set(hierarchy.loc[hierarchy["peruspiiri_fi"] == "Kallio", "osaalue_code"])
    assert set(osaalue_codes(["Kallio"], hierarchy) or ()) == kallio
    assert osaalue_codes(["Berghäll"], hierarchy) == osaalue_codes(["301"], hierarchy)
    linjat = tuple(hierarchy.loc[hierarchy["osaalue_fi"] == "Linjat", "osaalue_code"])
    assert osaalue_codes(["Kallio", "Linjat"], hierarchy) == linjat  # a district inside another narrows it
    assert osaalue_codes(None, hierarchy) is None


def test_add_grant_list_remove_round_trip(
    db: str, capsys: pytest.CaptureFixture[str], hierarchy: pd.DataFrame
) -> None:
    code, out, err = run(
        capsys,
        "users",
        "add",
        "Anna.Virtanen@Hel.fi",
        "--role",
        "youth_worker",
        "--district",
        "Kallio",
        "--db",
        db,
    )
    assert code == 0, err
    assert out.startswith("added anna.virtanen@hel.fi: youth_worker, osa-alue ") and "Linjat" in out
    assert run(capsys, "users", "add", "johto@hel.fi", "--role", "viewer", "--db", db)[0] == 0
    linjat = str(hierarchy.loc[hierarchy["osaalue_fi"] == "Linjat", "osaalue_code"].iloc[0])  # in Kallio
    code, out, err = run(
        capsys,
        "users",
        "grant",
        "anna.virtanen@hel.fi",
        "--role",
        "youth_worker",
        "--district",
        "Vuosaari",
        "--district",
        linjat,
        "--db",
        db,
    )
    assert code == 0, err
    code, out, err = run(capsys, "users", "list", "--db", db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["user", "role", "osa-alue", "since", "by"] and len(lines) == 3
    assert "johto@hel.fi" in lines[2] and "(whole city)" in lines[2]
    with store.open_store(db) as st:
        anna = st.user("anna.virtanen@hel.fi")
        changes = st.audit_log(action="user_change")
    vuosaari = hierarchy.loc[hierarchy["peruspiiri_fi"] == "Vuosaari", "osaalue_code"]
    assert anna is not None and set(anna.osaalue or ()) == set(vuosaari) | {linjat}
    assert len(changes) == 3 and set(changes["role"]) == {"admin"}
    assert [json.loads(d)["change"] for d in changes["detail"]] == ["added", "added", "changed"]
    code, out, err = run(capsys, "users", "remove", "ANNA.virtanen@hel.fi", "--db", db)
    assert code == 0, err
    assert out.startswith("removed anna.virtanen@hel.fi (was youth_worker")
    with store.open_store(db) as st:
        assert list(st.users()["user_id"]) == ["johto@hel.fi"]
        assert len(st.audit_log(action="user_change")) == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "anna@hel.fi", "--role", "youth_worker"], "a youth worker needs at least one --district"),
        (["add", "anna@hel.fi", "--role", "viewer", "--district", "Kallo"], "did you mean Kallio"),
        (["add", "anna virtanen", "--role", "viewer"], "white space, a comma"),
        (["grant", "nobody@hel.fi", "--role", "viewer"], "not a user of this store; use `users add`"),
        (["remove", "nobody@hel.fi"], "no user nobody@hel.fi"),
    ],
)
def test_mistakes_are_one_line_and_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, _, err = run(capsys, "users", *argv, "--db", db)
    assert code == 2 and err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    with store.open_store(db) as st:
        assert st.users().empty and st.audit_log().empty


def test_adding_a_user_twice_says_to_grant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert run(capsys, "users", "add", "olli@poliisi.fi", "--role", "analyst", "--db", db)[0] == 0
    code, _, err = run(capsys, "users", "add", "olli@poliisi.fi", "--role", "admin", "--db", db)
    assert code == 2 and "already a user (analyst, the whole city); use `users grant`" in err
    with store.open_store(db) as st:
        assert st.user("olli@poliisi.fi") == Scope("olli@poliisi.fi", "analyst", None)
