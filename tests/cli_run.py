"""Running the ``hotspots`` command in-process, for the CLI tests."""

from __future__ import annotations

import pytest

import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``hotspots ARGV``; return the exit status, standard output and standard error."""
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def count(out: str, label: str) -> int:
    """The number after ``label:`` in the command's report."""
    line = next(line for line in out.splitlines() if line.startswith(label))
    return int(line.split(":", 1)[1].split()[0])
