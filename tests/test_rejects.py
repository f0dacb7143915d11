"""Rejects: one line per refused field, in row order, with the reader's broken lines; CSV for people."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.incidents import ImportResult
from geo.rejects import (
    REASON_COLUMNS,
    REASONS,
    REJECT_COLUMNS,
    Rejects,
    empty_rejects,
    reasons,
    rejects_csv,
    write_rejects,
)


def test_lines_come_in_row_order_and_a_row_counts_once() -> None:
    rows = np.array([2, 3, 4, 5])
    rejects = Rejects(rows, pd.Series(["a", "b", "c", "d"], dtype="string"))
    values = pd.Series(["x1", "x2", "x3", "x4"], dtype="string")
    rejects.add(np.array([False, True, False, True]), "lat", "Leveys", values, "unparseable_coordinate")
    rejects.add(
        np.array([False, True, True, False]),
        "id",
        None,
        values,
        "id_conflict",
        row=np.array([9, 8, 7, 6]),
    )
    rejects.add(np.zeros(4, dtype=bool), "severity", "Vakavuus", values, "bad_severity")
    assert rejects.rows.tolist() == [False, True, True, True]
    table = rejects.table()
    assert tuple(table.columns) == REJECT_COLUMNS + REASON_COLUMNS
    assert table[["row", "field", "column", "value", "reason"]].values.tolist() == [
        [3, "lat", "Leveys", "x2", "unparseable coordinate"],
        [3, "id", "", "x2", "duplicate id with different content than row 8"],
        [4, "id", "", "x3", "duplicate id with different content than row 7"],
        [5, "lat", "Leveys", "x4", "unparseable coordinate"],
    ]
    # The code and the parameters travel with each line, for a translation at the edge.
    assert table["reason_code"].tolist() == [
        "unparseable_coordinate",
        "id_conflict",
        "id_conflict",
        "unparseable_coordinate",
    ]
    assert [json.loads(p) for p in table["reason_params"]] == [{}, {"row": 8}, {"row": 7}, {}]
    assert table.dtypes.astype(str).tolist() == ["int64"] + ["string"] * 7


def test_every_reason_is_its_template_filled_and_an_unknown_code_is_refused() -> None:
    texts, params = reasons("outside_helsinki", 2, lon=np.array([24.5, 25.123456]), lat=60.25)
    assert texts.tolist() == [
        "outside Helsinki (lon 24.50000, lat 60.25000)",
        "outside Helsinki (lon 25.12346, lat 60.25000)",
    ]
    assert [json.loads(p) for p in params] == [{"lon": 24.5, "lat": 60.25}, {"lon": 25.123456, "lat": 60.25}]
    assert reasons("missing_date", 1)[0].tolist() == [REASONS["missing_date"]]
    with pytest.raises(KeyError, match="not one of"):
        reasons("missing coordinate", 1)


def test_broken_lines_join_by_row_and_nothing_is_an_empty_table() -> None:
    assert empty_rejects().dtypes.astype(str).to_dict() == dict(
        zip(REJECT_COLUMNS + REASON_COLUMNS, ["int64"] + ["string"] * 7, strict=True)
    )
    rejects = Rejects(np.array([2, 3, 5]), pd.Series(["a", "b", "c"], dtype="string"))
    pd.testing.assert_frame_equal(rejects.table(), empty_rejects())
    texts, params = reasons("row_fields", 1, fields=5, header=4, delimiter="semicolon")
    bad_rows = pd.DataFrame(
        {
            "row": [4],
            "value": ["1;2;3;4;5"],
            "reason": texts,
            "reason_code": "row_fields",
            "reason_params": params,
        }
    )
    only_bad = rejects.table(bad_rows)
    assert only_bad[["row", "field", "value", "reason_code"]].values.tolist() == [
        [4, "row", "1;2;3;4;5", "row_fields"]
    ]
    assert only_bad["id"].isna().all()
    rejects.add(np.array([True, False, True]), "lat", "lat", "", "missing_coordinate")
    assert rejects.table(bad_rows)["row"].tolist() == [2, 4, 5]


def test_the_csv_neutralises_formulas_and_keeps_finnish_letters() -> None:
    frame = empty_rejects()
    frame.loc[0] = [7, '=HYPERLINK("x")', "category", "Luokka", "ääkköset", "unknown", "x", "{}"]
    content = rejects_csv(frame).decode("utf-8-sig")
    assert "ääkköset" in content and "\n7," in content
    assert ",=HYPERLINK" not in content


def test_write_rejects_round_trip(messy_result: ImportResult, tmp_path: Path) -> None:
    path = write_rejects(messy_result, tmp_path / "rejects.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(back.columns) == REJECT_COLUMNS  # the reason codes stay in the app
    assert back["row"].astype(int).tolist() == messy_result.rejects["row"].tolist()
    assert back["reason"].tolist() == messy_result.rejects["reason"].tolist()
    # The CLI passes the frame (with the store's conflicts appended) rather than the result.
    write_rejects(messy_result.rejects, tmp_path / "frame.csv")
    assert (tmp_path / "frame.csv").read_bytes() == path.read_bytes()
