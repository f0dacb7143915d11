"""``hotspots districts list``: the official districts with their residents."""

from __future__ import annotations

import pytest

from geo import load_districts
from tests.cli_run import run


def test_peruspiiri_list_names_every_district_with_residents(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "districts", "list", "--level", "peruspiiri")
    assert code == 0, err
    header, *rows = out.strip().splitlines()
    assert header.split() == [
        "code",
        "name_fi",
        "name_sv",
        "suurpiiri",
        "area_km2",
        "residents",
        "young_13_24",
    ]
    layer = load_districts("peruspiiri")
    assert len(rows) == len(layer) == 34
    kallio = next(row for row in rows if row.split()[0] == "301")
    assert "Kallio" in kallio and "Berghäll" in kallio
    assert int(kallio.split()[-2]) > 20_000  # residents of Kallio's basic district


def test_osaalue_list_adds_the_peruspiiri_column(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "districts", "list", "--level", "osaalue")
    assert code == 0
    assert out.splitlines()[0].split()[:4] == ["code", "name_fi", "name_sv", "peruspiiri"]
    linjat = next(line for line in out.splitlines() if line.split()[0] == "112")
    assert "Linjat" in linjat and " 301 " in linjat
