"""The audit trail's rows (store.audit): actions, details as JSON, bounds, the frame read back.

Writing and reading the table on both backends, and the database refusing changes, are in
test_audited.py; here is what a row holds before a database sees it.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from geo.errors import ParameterError
from store.audit import (
    ACTIONS,
    AUDIT_COLUMNS,
    MAX_DETAIL_CHARS,
    audit_frame,
    check_action,
    detail_json,
    since_microseconds,
    user_condition,
)


def test_the_actions_of_the_issue_are_the_trail_s() -> None:
    assert set(ACTIONS) == {
        "sign_in",
        "import",
        "export",
        "delete_batch",
        "retention",
        "user_change",
        "measure_add",  # issue 16: measures recorded and removed
        "measure_remove",
    }
    assert check_action("export") == "export"
    with pytest.raises(ParameterError, match=r"audit action was 'EXPORT' but is expected to be one of \["):
        check_action("EXPORT")


def test_an_export_detail_is_kept_as_sorted_json_with_its_filters() -> None:
    detail = {
        "file_name": "hotspots-kallio-2026-05-01_2026-10-31-fi.geojson",
        "kind": "geojson",
        "classification": "aggregated",
        "min_count": np.int64(5),
        "filters": {"since": pd.Timestamp("2026-05-01", tz="Europe/Helsinki"), "osaalue": ("101", "104")},
        "categories": {"drug_dealing", "assault"},
        "share": np.float64(0.25),
        "missing": float("nan"),
        "day": date(2026, 5, 1),
        "note": "Berghäll <b>",
    }
    text = detail_json(detail)
    assert list(json.loads(text)) == sorted(detail)  # keys sorted
    assert json.loads(text) == {
        "file_name": "hotspots-kallio-2026-05-01_2026-10-31-fi.geojson",
        "kind": "geojson",
        "classification": "aggregated",
        "min_count": 5,
        "filters": {"since": "2026-05-01T00:00:00+03:00", "osaalue": ["101", "104"]},
        "categories": ["assault", "drug_dealing"],
        "share": 0.25,
        "missing": None,
        "day": "2026-05-01T00:00:00",
        "note": "Berghäll <b>",
    }
    assert "Berghäll" in text  # kept as UTF-8, not escaped


@pytest.mark.parametrize(
    ("detail", "message"),
    [
        ([("file", "a.csv")], "must be a mapping"),
        (
            {"rows": pd.DataFrame({"a": [1]})},
            r"^an audit detail holds a DataFrame at detail\.rows, which is not text, a number",
        ),
        ({"blob": b"\x00\x01"}, r"holds a bytes at detail\.blob, which is not text"),
        ({"text": "x" * (MAX_DETAIL_CHARS + 1)}, "more than 20000; record what identifies the action"),
    ],
)
def test_details_that_cannot_be_kept_are_refused(detail: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        detail_json(detail)  # type: ignore[arg-type]


def test_since_is_helsinki_time_unless_it_says_otherwise() -> None:
    assert since_microseconds(None) is None
    winter = pd.Timestamp("2026-01-01 00:00", tz="Europe/Helsinki").value // 1000
    assert since_microseconds("2026-01-01") == winter
    assert since_microseconds(date(2026, 1, 1)) == winter
    assert since_microseconds(datetime(2026, 1, 1)) == winter
    assert since_microseconds("2025-12-31T22:00:00+00:00") == winter
    with pytest.raises(ParameterError, match="since must be a date or a time such as 2026-05-01"):
        since_microseconds("last tuesday")


def test_user_condition_compares_ids_as_the_store_keeps_them() -> None:
    assert user_condition(None) is None
    assert user_condition(" Anna@Hel.FI ") == "anna@hel.fi"


def test_audit_frame_types_even_when_empty() -> None:
    empty = audit_frame([])
    assert list(empty.columns) == list(AUDIT_COLUMNS) and empty.empty
    assert str(empty["at"].dtype) == "datetime64[ns, UTC]" and str(empty["audit_id"].dtype) == "int64"
    stamp = pd.Timestamp("2026-05-01 12:00", tz="UTC")
    one = audit_frame([(7, stamp.value // 1000, "anna@hel.fi", "youth_worker", "export", "{}")])
    assert one["at"].iloc[0] == stamp and one["detail"].iloc[0] == "{}" and one["audit_id"].iloc[0] == 7
