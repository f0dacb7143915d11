"""``hotspots stats``: what the store holds, by category and source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_run import count, run


def test_stats_of_an_empty_and_a_filled_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, out, err = run(capsys, "stats", "--db", db)
    assert code == 0, err
    assert count(out, "incidents:") == 0
    assert "period:" not in out

    demo_csv = tmp_path / "demo.csv"
    assert run(capsys, "demo", "--out", str(demo_csv), "--n", "600", "--seed", "4")[0] == 0
    assert run(capsys, "import", str(demo_csv), "--db", db)[0] == 0
    code, out, err = run(capsys, "stats", "--db", db)
    assert code == 0, err
    assert count(out, "incidents:") == 600
    assert "(600 synthetic) in 1 import batches" in out
    demo = pd.read_csv(demo_csv)
    lines = out.split("by category:")[1].split("by source:")[0].split()
    by_category = dict(zip(lines[::2], map(int, lines[1::2]), strict=True))
    assert by_category == demo["category"].value_counts().to_dict()
    first, last = out.split("period:")[1].split("\n")[0].split(" .. ")
    assert pd.Timestamp(first.strip()) <= pd.Timestamp(last.strip())
