"""``hotspots batches``: the import log, and deleting a file loaded by mistake (audited)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import store
from tests.cli_run import count, run


def test_a_file_loaded_by_mistake_is_deleted_and_can_come_in_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    right, wrong = tmp_path / "right.csv", tmp_path / "wrong.csv"
    assert run(capsys, "demo", "--out", str(right), "--n", "800", "--seed", "1")[0] == 0
    assert run(capsys, "demo", "--out", str(wrong), "--n", "500", "--seed", "2")[0] == 0
    assert run(capsys, "import", str(right), "--db", db)[0] == 0
    assert run(capsys, "import", str(wrong), "--db", db)[0] == 0
    code, out, err = run(capsys, "batches", "list", "--db", db)
    assert code == 0, err
    listed = [line.split() for line in out.splitlines()[1:]]
    assert [(row[0], row[3], row[5], row[-1]) for row in listed] == [
        ("1", "right.csv", "800", "stored"),
        ("2", "wrong.csv", "500", "stored"),
    ]
    code, out, err = run(capsys, "batches", "delete", "2", "--db", db)
    assert code == 0, err
    assert out.startswith("deleted batch 2 (wrong.csv): 500 incidents")
    assert count(run(capsys, "stats", "--db", db)[1], "incidents:") == 800
    code, _, err = run(capsys, "batches", "delete", "2", "--db", db)
    assert code == 2 and "was deleted already" in err
    code, out, _ = run(capsys, "import", str(wrong), "--db", db)  # no longer "imported before"
    assert code == 0 and "imported before" not in out and "(500 added to the store)" in out
    code, out, _ = run(capsys, "batches", "list", "--db", db)
    with store.open_store(db) as st:
        audit = st.audit_log(action="delete_batch")
        stored = st.query(scope=store.LOCAL_ANALYST)
    states = [line.split(maxsplit=9)[-1] for line in out.splitlines()[1:]]
    assert states == ["stored", f"deleted (audit {int(audit['audit_id'].iloc[0])})", "stored"]
    assert len(audit) == 1 and len(stored) == 1300
    assert set(stored["id"]) == set(pd.read_csv(right)["id"]) | set(pd.read_csv(wrong)["id"])


def test_deleting_an_unknown_batch_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "batches", "delete", "7", "--db", f"sqlite:///{tmp_path / 's.sqlite'}")
    assert code == 2 and err.strip() == "error: the store has no batch 7; `hotspots batches list` lists them"
    code, out, _ = run(capsys, "batches", "list", "--db", f"sqlite:///{tmp_path / 's.sqlite'}")
    assert code == 0 and out.startswith("no import batches in ")
