"""Rejects: one line per refused field, in row order, with the reader's broken lines; CSV for people."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.incidents import ImportResult
from geo.rejects import REJECT_COLUMNS, Rejects, empty_rejects, rejects_csv, write_rejects


def test_lines_come_in_row_order_and_a_row_counts_once() -> None:
    rows = np.array([2, 3, 4, 5])
    rejects = Rejects(rows, pd.Series(["a", "b", "c", "d"], dtype="string"))
    values = pd.Series(["x1", "x2", "x3", "x4"], dtype="string")
    rejects.add(np.array([False, True, False, True]), "lat", "Leveys", values, "unparseable coordinate")
    rejects.add(
        np.array([False, True, True, False]),
        "occurred_at",
        None,
        values,
        np.array(list("pqrs"), dtype=object),
    )
    rejects.add(np.zeros(4, dtype=bool), "severity", "Vakavuus", values, "never")
    assert rejects.rows.tolist() == [False, True, True, True]
    table = rejects.table()
    assert tuple(table.columns) == REJECT_COLUMNS
    assert table[["row", "field", "column", "value", "reason"]].values.tolist() == [
        [3, "lat", "Leveys", "x2", "unparseable coordinate"],
        [3, "occurred_at", "", "x2", "q"],
        [4, "occurred_at", "", "x3", "r"],
        [5, "lat", "Leveys", "x4", "unparseable coordinate"],
    ]
    assert table.dtypes.astype(str).tolist() == ["int64"] + ["string"] * 5


def test_broken_lines_join_by_row_and_nothing_is_an_empty_table() -> None:
    assert empty_rejects().dtypes.astype(str).to_dict() == dict(
        zip(REJECT_COLUMNS, ["int64"] + ["string"] * 5, strict=True)
    )
    rejects = Rejects(np.array([2, 3, 5]), pd.Series(["a", "b", "c"], dtype="string"))
    pd.testing.assert_frame_equal(rejects.table(), empty_rejects())
    bad_rows = pd.DataFrame({"row": [4], "value": ["1;2;3;4;5"], "reason": ["5 fields but the header has 4"]})
    only_bad = rejects.table(bad_rows)
    assert only_bad[["row", "field", "value"]].values.tolist() == [[4, "row", "1;2;3;4;5"]]
    assert only_bad["id"].isna().all()
    rejects.add(np.array([True, False, True]), "lat", "lat", "", "missing coordinate")
    assert rejects.table(bad_rows)["row"].tolist() == [2, 4, 5]


def test_the_csv_neutralises_formulas_and_keeps_finnish_letters() -> None:
    frame = empty_rejects()
    frame.loc[0] = [7, '=HYPERLINK("x")', "category", "Luokka", "ääkköset", "unknown"]
    content = rejects_csv(frame).decode("utf-8-sig")
    assert "ääkköset" in content and "\n7," in content
    assert ",=HYPERLINK" not in content


def test_write_rejects_round_trip(messy_result: ImportResult, tmp_path: Path) -> None:
    path = write_rejects(messy_result, tmp_path / "rejects.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(back.columns) == REJECT_COLUMNS
    assert back["row"].astype(int).tolist() == messy_result.rejects["row"].tolist()
    assert back["reason"].tolist() == messy_result.rejects["reason"].tolist()
    # The CLI passes the frame (with the store's conflicts appended) rather than the result.
    write_rejects(messy_result.rejects, tmp_path / "frame.csv")
    assert (tmp_path / "frame.csv").read_bytes() == path.read_bytes()
