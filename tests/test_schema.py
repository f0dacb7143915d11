"""The canonical incident table: its columns and dtypes, and conform() as the one way into it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import schema


def _row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "POL-1",
        "occurred_at": pd.Timestamp("2026-06-01T22:10", tz=schema.TIMEZONE),
        "category": "robbery",
        "category_raw": "ryöstö",
        "source": "police",
        "severity": 3.0,
        "description": None,
        "x_m": 385_800.0,
        "y_m": 6_672_300.0,
        "lon": 24.94,
        "lat": 60.17,
        "synthetic": False,
        **{name: None for name in schema.DISTRICT_COLUMNS},
        "in_helsinki": True,
    }
    row.update(changes)
    return row


def test_the_categories_and_sources_are_the_architectures() -> None:
    assert schema.CATEGORIES == (
        "drug_dealing",
        "youth_violence",
        "gang_activity",
        "assault",
        "robbery",
        "weapons",
        "vandalism",
        "disturbance",
        "resident_concern",
        "other",
    )
    assert schema.SOURCES == (
        "police",
        "youth_services",
        "child_protection",
        "school",
        "ngo",
        "resident",
        "other",
    )
    assert tuple(schema.INCIDENT_DTYPES) == schema.INCIDENT_COLUMNS + schema.DISTRICT_COLUMNS


def test_an_empty_table_has_every_column_and_dtype() -> None:
    empty = schema.empty_incidents()
    assert len(empty) == 0
    assert empty.dtypes.astype(str).to_dict() == schema.INCIDENT_DTYPES


def test_conform_orders_casts_and_drops_without_touching_its_input() -> None:
    given = pd.DataFrame([_row(), _row(id="POL-2", severity=np.nan)], index=[7, 3])
    given = given[list(reversed(given.columns))].assign(extra="not canonical")
    before = given.copy(deep=True)
    out = schema.conform(given)
    pd.testing.assert_frame_equal(given, before)
    assert list(out.columns) == list(schema.INCIDENT_DTYPES)
    assert out.dtypes.astype(str).to_dict() == schema.INCIDENT_DTYPES
    assert out.index.tolist() == [0, 1]
    assert out["severity"].tolist() == [3, pd.NA]
    pd.testing.assert_frame_equal(schema.conform(out), out)


def test_conform_names_missing_columns() -> None:
    frame = pd.DataFrame([_row()]).drop(columns=["lon", "osaalue_code"])
    with pytest.raises(ValueError, match=r"lacks the canonical columns \['lon', 'osaalue_code'\]"):
        schema.conform(frame)


def test_geocode_columns_follow_the_canonical_ones_and_stay_out_of_them() -> None:
    assert schema.GEOCODE_COLUMNS == ("geocode_quality", "geocode_match")
    assert not set(schema.GEOCODE_COLUMNS) & set(schema.INCIDENT_DTYPES)
    assert list(schema.LOCATED_DTYPES) == [*schema.INCIDENT_DTYPES, *schema.GEOCODE_COLUMNS]
    empty = schema.empty_incidents(geocode=True)
    assert len(empty) == 0 and empty.dtypes.astype(str).to_dict() == schema.LOCATED_DTYPES
    given = pd.DataFrame([_row(geocode_quality="street", geocode_match="Kaivokatu")])
    assert list(schema.conform(given).columns) == list(schema.INCIDENT_DTYPES)  # dropped unless asked


def test_conform_with_geocode_fills_the_sources_own_positions_without_touching_its_input() -> None:
    placed = [
        _row(id="A", geocode_quality="exact", geocode_match="Kaivokatu 8"),
        _row(id="B", geocode_quality=None, geocode_match=None),  # the file's own coordinates
        _row(id="C", geocode_quality="street", geocode_match="Kaivokatu"),
    ]
    given = pd.DataFrame(placed, index=[5, 1, 9]).iloc[::-1]
    before = given.copy(deep=True)
    out = schema.conform(given, geocode=True)
    pd.testing.assert_frame_equal(given, before)
    assert out.dtypes.astype(str).to_dict() == schema.LOCATED_DTYPES
    assert out["id"].tolist() == ["C", "B", "A"]  # each value stays on its own row
    assert out["geocode_quality"].tolist() == ["street", schema.SOURCE_QUALITY, "exact"]
    assert out["geocode_match"].tolist() == ["Kaivokatu", "", "Kaivokatu 8"]
    pd.testing.assert_frame_equal(schema.conform(out, geocode=True), out)
    # a frame without the columns (the demo generator, older callers): every position its source's own
    bare = schema.conform(pd.DataFrame([_row(), _row(id="POL-2")]), geocode=True)
    assert bare["geocode_quality"].tolist() == [schema.SOURCE_QUALITY] * 2
    assert bare["geocode_match"].tolist() == ["", ""]
