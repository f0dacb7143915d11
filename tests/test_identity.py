"""Incident ids: the source's id, else a content hash that survives a re-import; repeats and conflicts."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from geo.identity import RowContent, identify
from geo.incidents import ImportResult, import_incidents
from tests import messy


@pytest.fixture(scope="module")
def clean(addresses: pd.DataFrame) -> pd.DataFrame:
    return messy.clean_frame(addresses.iloc[:25].reset_index(drop=True), seed=13)


def _content(n: int, **changes: object) -> RowContent:
    """``n`` rows saying the same: a robbery reported by the police, 28.4.2026 14:30 in Helsinki."""
    text = {
        "occurred_at_raw": "28.4.2026 14.30",
        "label": "ryöstö",
        "x_raw": "385000,04",
        "y_raw": "6672000",
        "source": "police",
        "description": None,
        "severity_raw": "3",
        "address": None,
    }
    columns = {name: pd.Series([value] * n, dtype="string") for name, value in text.items()}
    fields: dict[str, object] = {
        **columns,
        "occurred_at": pd.Series(pd.to_datetime(["2026-04-28 14:30"] * n).tz_localize("Europe/Helsinki")),
        "x_m": np.full(n, 385000.04),
        "y_m": np.full(n, 6672000.0),
    }
    fields.update(changes)
    return RowContent(**fields)  # type: ignore[arg-type]


def test_a_row_without_an_id_gets_the_documented_content_hash() -> None:
    content = _content(2)
    ids = identify(
        pd.Series(["", "POL-1"], dtype="string").mask(lambda s: s == ""), content, np.array([2, 3])
    )
    # UTC time, label, x and y in decimetres, source, description: joined by a unit separator.
    parts = ["2026-04-28T11:30:00.000000Z", "ryöstö", "3850000", "66720000", "police", ""]
    expected = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    assert ids.ids.tolist() == [expected, "POL-1"]
    assert not ids.exact_duplicate.any() and not ids.conflict.any()


def test_unparsed_cells_make_the_hash_from_their_text() -> None:
    content = _content(2, occurred_at=pd.Series(pd.to_datetime([None, None]).tz_localize("Europe/Helsinki")))
    content_other = _content(
        2,
        occurred_at=pd.Series(pd.to_datetime([None, None]).tz_localize("Europe/Helsinki")),
        occurred_at_raw=pd.Series(["28.4.2026 14.30", "huomenna"], dtype="string"),
    )
    no_id = pd.Series([pd.NA, pd.NA], dtype="string")
    same = identify(no_id, content, np.array([2, 3]))
    other = identify(no_id, content_other, np.array([2, 3]))
    assert same.ids.iloc[0] == same.ids.iloc[1] == other.ids.iloc[0] != other.ids.iloc[1]


def test_later_rows_with_an_earlier_id_are_duplicates_or_conflicts() -> None:
    content = _content(4, severity_raw=pd.Series(["3", "3", "5", "3"], dtype="string"))
    given = pd.Series(["A", "A", "A", "B"], dtype="string")
    ids = identify(given, content, np.array([2, 3, 4, 5]))
    assert ids.exact_duplicate.tolist() == [False, True, False, False]
    assert ids.conflict.tolist() == [False, False, True, False]  # severity differs: not the same report
    assert ids.first_row.tolist() == [2, 2, 2, 5]
    assert ids.ids.tolist() == ["A", "A", "A", "B"]


# --------------------------------------------------------------------------- through the import


def test_reimport_gives_the_same_ids_and_rows(export: messy.MessyExport, messy_result: ImportResult) -> None:
    again = import_incidents(messy_result.incidents.drop(columns=["id"]))
    # Without the id column the ids are content hashes: stable across runs, 16 hex digits.
    assert again.incidents["id"].str.fullmatch(r"[0-9a-f]{16}").all()
    third = import_incidents(messy_result.incidents.drop(columns=["id"]))
    assert again.incidents["id"].tolist() == third.incidents["id"].tolist()
    assert again.report.accepted == messy_result.report.accepted


def test_exact_duplicates_without_ids_are_counted_not_rejected(clean: pd.DataFrame) -> None:
    frame = pd.concat([clean, clean.iloc[[3, 3, 7]]], ignore_index=True)
    result = import_incidents(frame)
    assert result.report.duplicates_in_file == 3
    assert result.report.accepted == len(clean) and result.report.rejected == 0
    assert result.incidents["id"].is_unique
