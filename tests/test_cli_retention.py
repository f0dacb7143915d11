"""``hotspots retention``: count, then delete, the incidents older than a period (audited)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import store
from cli.retention import cutoff
from geo import schema
from geo.errors import ParameterError
from tests.cli_run import run


def test_the_cutoff_counts_calendar_units_back_from_the_start_of_today() -> None:
    today = pd.Timestamp("2026-03-31 15:20", tz=schema.TIMEZONE)
    assert cutoff("5y", today=today) == pd.Timestamp("2021-03-31", tz=schema.TIMEZONE)
    assert cutoff("1m", today=today) == pd.Timestamp("2026-02-28", tz=schema.TIMEZONE)
    assert cutoff("90D", today=today) == pd.Timestamp("2025-12-31", tz=schema.TIMEZONE)
    for bad in ("5", "5 years", "0y", "-1y", "y"):
        with pytest.raises(ParameterError, match=r"5y \(years\), 18m \(months\) or 90d \(days\)"):
            cutoff(bad, today=today)


def test_a_dry_run_counts_and_yes_deletes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    demo_csv = tmp_path / "demo.csv"
    assert run(capsys, "demo", "--out", str(demo_csv), "--n", "1500", "--seed", "6")[0] == 0
    assert run(capsys, "import", str(demo_csv), "--db", db)[0] == 0
    with store.open_store(db) as st:
        when = st.query(scope=store.LOCAL_ANALYST)["occurred_at"]
    older = int((when < cutoff("1y")).sum())
    assert 0 < older < len(when)
    code, out, err = run(capsys, "retention", "--older-than", "1y", "--db", db)
    assert code == 0, err
    assert out.startswith(f"{older} incidents occurred before ") and "nothing deleted" in out
    with store.open_store(db) as st:
        assert st.count() == 1500 and st.audit_log(action="retention").empty
    code, out, err = run(capsys, "retention", "--older-than", "1y", "--yes", "--db", db)
    assert code == 0, err
    assert out.startswith(f"deleted {older} incidents")
    with store.open_store(db) as st:
        assert st.count() == 1500 - older
        assert len(st.audit_log(action="retention")) == 1
    code, _, err = run(capsys, "retention", "--older-than", "five years", "--db", db)
    assert code == 2 and err.startswith("error: --older-than was 'five years'")
