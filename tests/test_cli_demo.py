"""``hotspots demo``: a synthetic file the importer reads back whole, the same for the same seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import import_incidents
from tests.cli_run import run


def test_demo_file_round_trips_and_repeats_for_a_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    code, out, err = run(capsys, "demo", "--out", str(first), "--n", "400", "--seed", "9")
    assert code == 0, err
    assert out.strip() == f"wrote 400 synthetic demo incidents (seed 9) to {first}"
    assert run(capsys, "demo", "--out", str(second), "--n", "400", "--seed", "9")[0] == 0
    assert first.read_bytes() == second.read_bytes()
    result = import_incidents(first)
    assert len(result.incidents) == 400 and result.report.rejected == 0
    assert result.incidents["synthetic"].all()
