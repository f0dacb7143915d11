"""The ``hotspots`` entry: every error a user can cause is one line, exit 2; ``python -m cli``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_run import run


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cluster", "nope.csv", "--out", "x.geojson"], "does not exist"),
        (["import", "missing.csv"], "does not exist"),
        (["import", "x.csv", "--map", "novalue"], "COLUMN=FIELD"),
    ],
)
def test_errors_are_one_line_without_traceback(
    argv: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "--help"], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0
    for command in ("districts", "demo", "import", "stats", "cluster"):
        assert command in done.stdout
