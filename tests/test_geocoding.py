"""Geocoding inside the import (``geo.geocoding``), with the OSM centre sample as the register."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import geocoding, settings
from geo.gazetteer import Register
from geo.rejects import Rejects
from tests import osm_register


@pytest.fixture(scope="module")
def register(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Register:
    return osm_register.load(shared_data_dir, tmp_path_factory.mktemp("register"))


def _truth(register: Register, street: str, number: str) -> tuple[float, float]:
    a = register.addresses
    row = a[(a["street_fi"] == street) & (a["number"] == number)].iloc[0]
    return float(row["x_m"]), float(row["y_m"])


def test_locate_addresses_places_only_rows_without_coordinates(register: Register) -> None:
    address = pd.Series(["Kaivokatu 8", "Kaivokatu 8", "KAIVOKATU 8", pd.NA, "Xyzzykatu 3"], dtype="string")
    given = np.array([True, False, False, True, False])
    points = geocoding.locate_addresses(address, given, register)
    assert points.asked.tolist() == [False, True, True, False, True]
    assert points.found.tolist() == [False, True, True, False, False]
    assert points.quality.tolist() == ["source", "exact", "exact", "source", "none"]
    assert points.match.tolist() == ["", "Kaivokatu 8", "Kaivokatu 8", "", ""]
    x_m, y_m = _truth(register, "Kaivokatu", "8")
    assert points.x_m[1] == pytest.approx(x_m) and points.y_m[2] == pytest.approx(y_m)
    assert np.isnan(points.x_m[0]) and np.isnan(points.x_m[4])


def test_locate_addresses_without_register_places_nothing() -> None:
    address = pd.Series(["Kaivokatu 8", pd.NA], dtype="string")
    points = geocoding.locate_addresses(address, np.array([False, False]), None)
    assert points.asked.tolist() == [True, False]
    assert not points.found.any()
    assert points.quality.tolist() == ["none", "none"]


def test_closest_names_suggest_the_register_spelling(register: Register) -> None:
    assert geocoding.closest_names("Mannerheimintiee 5, 00100 Helsinki", register)[0] == "Mannerheimintie"
    assert "Alexandersgatan" in geocoding.closest_names("Alexandersgatn 3", register)
    assert geocoding.closest_names("Qwxzv 3", register) == []


def test_add_rejects_names_the_reason_per_row(register: Register) -> None:
    address = pd.Series(["Kaivokatu 8", "Kaivokuja 3", pd.NA], dtype="string")
    points = geocoding.locate_addresses(address, np.array([False, False, True]), register)
    rejects = Rejects(np.array([2, 3, 4]), pd.Series(["a", "b", "c"], dtype="string"))
    live = np.ones(3, dtype=bool)
    only = geocoding.add_rejects(
        rejects, live, points, address=address, column="osoite", in_helsinki=points.found, register=register
    )
    assert only.tolist() == [True, True, False]
    table = rejects.table(pd.DataFrame())
    assert table["row"].tolist() == [3]
    assert table["reason"].iloc[0].startswith("address not found; closest register names: Kaivokatu")
    without = Rejects(np.array([2, 3, 4]), pd.Series(["a", "b", "c"], dtype="string"))
    geocoding.add_rejects(
        without, live, points, address=address, column="osoite", in_helsinki=points.found, register=None
    )
    assert without.table(pd.DataFrame())["reason"].tolist() == [geocoding.NO_REGISTER_REASON] * 2
    assert "--register" in geocoding.NO_REGISTER_REASON


def test_quality_counts_over_accepted_rows(register: Register) -> None:
    address = pd.Series(["Kaivokatu 8", "Kaivokatu", "Qwxzv 3", pd.NA], dtype="string")
    points = geocoding.locate_addresses(address, np.array([False, False, False, True]), register)
    counts = geocoding.quality_counts(points, np.array([True, True, False, True]))
    assert counts == (("source", 1), ("exact", 1), ("street", 1), ("none", 1))


def test_geocoder_is_built_once_per_register(register: Register) -> None:
    assert geocoding.geocoder_for(register) is geocoding.geocoder_for(register)


def test_precise_positions_leave_out_what_a_register_placed_roughly() -> None:
    # what an accepted row (and a stored incident) can carry: every quality but the geocoder's miss
    placed = ("source", "exact", "interpolated", "street", "place", "intersection")
    assert placed == geocoding.PLACED_QUALITIES
    frame = pd.DataFrame({"id": list("abcdef"), "geocode_quality": [*placed]})
    before = frame.copy()
    kept = geocoding.precise_positions(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert kept["geocode_quality"].tolist() == ["source", "exact", "interpolated"]
    plain = pd.DataFrame({"id": ["a"]})
    assert geocoding.precise_positions(plain) is not plain and len(geocoding.precise_positions(plain)) == 1


def test_available_register_is_the_named_file_or_the_setting(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, place_file = osm_register.write_register(addresses, places, tmp_path)
    named = geocoding.available_register(register_file, places=place_file)
    assert named is not None and len(named.addresses) == len(addresses) and len(named.places) == len(places)
    monkeypatch.setenv(settings.ENV_REGISTER, str(register_file))
    from_setting = geocoding.available_register()
    assert from_setting is not None and len(from_setting.addresses) == len(addresses)


def test_a_register_is_read_once_per_version_of_its_files(shared_data_dir: Path, tmp_path: Path) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, place_file = osm_register.write_register(addresses, places, tmp_path)
    first = geocoding.available_register(register_file, places=place_file)
    assert geocoding.available_register(register_file, places=place_file) is first  # not read again
    osm_register.write_register(addresses.iloc[:50], places, tmp_path)
    os.utime(register_file, ns=(1, 1))
    second = geocoding.available_register(register_file, places=place_file)
    assert second is not first and second is not None and first is not None
    assert len(second.addresses) < len(first.addresses)
