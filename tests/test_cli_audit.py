"""``hotspots audit``: every import, export, deletion and role change, listed from the store.

The round trip runs the commands a city admin would (import a partner's file, add a user,
write hotspots from the store, delete a batch) and reads them back, filtered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import store
from tests.cli_run import run


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    demo_csv = tmp_path / "demo.csv"
    assert run(capsys, "demo", "--out", str(demo_csv), "--n", "3000", "--seed", "8")[0] == 0
    assert run(capsys, "import", str(demo_csv), "--db", url)[0] == 0
    return url


def rows(out: str) -> list[list[str]]:
    """The table's rows after the header, split into id, date, time, user, role, action, detail."""
    return [line.split(maxsplit=6) for line in out.splitlines()[1:]]


def test_every_action_of_the_command_line_is_listed(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            capsys,
            "users",
            "add",
            "anna@hel.fi",
            "--role",
            "youth_worker",
            "--district",
            "Kallio",
            "--db",
            db,
        )[0]
        == 0
    )
    out_path = tmp_path / "hotspots.geojson"
    code, _, err = run(
        capsys, "cluster", "--db", db, "--district", "Kallio", "--out", str(out_path), "--min-count", "7"
    )
    assert code == 0, err
    assert run(capsys, "batches", "delete", "1", "--db", db)[0] == 0
    code, out, err = run(capsys, "audit", "--db", db)
    assert code == 0, err
    assert out.splitlines()[0].split() == ["id", "at", "(Helsinki)", "user", "role", "action", "detail"]
    table = rows(out)
    assert [row[5] for row in table] == ["import", "user_change", "export", "delete_batch"]
    assert {row[4] for row in table} == {"admin"}
    export = json.loads(table[2][6])
    assert export["file_name"] == "hotspots.geojson" and export["kind"] == "geojson"
    assert (export["classification"], export["min_count"]) == ("AGGREGATED", 7)
    assert export["filters"]["peruspiiri"] == ["301"]
    assert json.loads(table[0][6])["rows_read"] == 3000


def test_filters_narrow_the_listing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with store.open_store(db) as st:
        st.record("sign_in", scope=store.Scope("anna@hel.fi", "youth_worker", ("101",)), detail={})
    code, out, _ = run(capsys, "audit", "--user", "ANNA@hel.fi", "--db", db)
    assert code == 0 and [row[5] for row in rows(out)] == ["sign_in"]
    code, out, _ = run(capsys, "audit", "--action", "import", "--db", db)
    assert code == 0 and [row[5] for row in rows(out)] == ["import"]
    code, out, _ = run(capsys, "audit", "--since", "2999-01-01", "--db", db)
    assert code == 0 and out.startswith("no audit rows in ")
    code, _, err = run(capsys, "audit", "--since", "eilen", "--db", db)
    assert code == 2 and "since must be a date or a time" in err
