"""Which column is which: Finnish, Swedish and English headers, explicit mappings, and the
choices one file leaves open (a date + clock-time pair, which coordinates, missing fields)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo import crs, reading
from geo.columns import detect_columns, match_columns
from geo.errors import ColumnMappingError
from geo.incidents import import_incidents
from tests import messy


def _match(frame: pd.DataFrame, **options: object) -> tuple[dict[str, str], str, tuple[str, ...]]:
    match = match_columns(reading.from_frame(frame), name="test.csv", **options)  # type: ignore[arg-type]
    return dict(match.mapping), match.coordinates.kind, match.notes


# --------------------------------------------------------------------------- names


def test_finnish_swedish_and_english_headers_name_their_fields() -> None:
    finnish = ["Tunnus", "Pvm", "Klo", "Rikosnimike", "Ilmoittaja", "Leveysaste", "Pituusaste", "Lisätiedot"]
    assert detect_columns(finnish) == {
        "id": "Tunnus",
        "date": "Pvm",
        "time": "Klo",
        "category": "Rikosnimike",
        "source": "Ilmoittaja",
        "lat": "Leveysaste",
        "lon": "Pituusaste",
        "description": "Lisätiedot",
    }
    swedish = ["Ärende", "Tidpunkt", "Kategori", "Källa", "Allvarlighet", "Beskrivning", "Adress", "E", "N"]
    assert detect_columns(swedish) == {
        "id": "Ärende",
        "occurred_at": "Tidpunkt",
        "category": "Kategori",
        "source": "Källa",
        "severity": "Allvarlighet",
        "description": "Beskrivning",
        "address": "Adress",
        "x": "E",
        "y": "N",
    }
    english = ["Case number", "Date and time", "Incident type", "Reported by", "Latitude", "Longitude"]
    assert detect_columns(english) == {
        "id": "Case number",
        "occurred_at": "Date and time",
        "category": "Incident type",
        "source": "Reported by",
        "lat": "Latitude",
        "lon": "Longitude",
    }
    assert detect_columns([*finnish, "synteettinen"])["synthetic"] == "synteettinen"


def test_a_word_of_a_longer_name_matches_only_when_no_name_matches_outright() -> None:
    assert detect_columns(["aika", "luokka", "Tapahtuman kuvaus"])["description"] == "Tapahtuman kuvaus"
    both = detect_columns(["aika", "luokka", "kuvaus", "Tapahtuman kuvaus"])
    assert both["description"] == "kuvaus"
    assert "Tapahtuman kuvaus" not in both.values()


def test_a_mapped_column_is_not_matched_again() -> None:
    found = detect_columns(["aika", "pvm", "lat"], {"occurred_at": "pvm"})
    assert found == {"occurred_at": "pvm", "lat": "lat"}


def test_one_column_for_two_fields_is_refused_with_the_fix() -> None:
    with pytest.raises(ColumnMappingError) as caught:
        detect_columns(["Kuvaus ja aika", "luokka", "lat", "lon"])
    message = str(caught.value)
    assert "'Kuvaus ja aika' matches both 'occurred_at' and 'description'" in message
    assert "map another column to 'description' (mapping={'description': 'column'})" in message
    assert "CLI" not in message and "--" not in message


def test_explicit_mapping_overrides_detection(addresses: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "Havaittu": ["2026-06-01T21:00:00+03:00"] * 3,
            "Mitä": ["Katukauppa", "töhryt", "asukaspalaute"],
            "P": addresses["lat"].iloc[:3].to_numpy(),
            "I": addresses["lon"].iloc[:3].to_numpy(),
        }
    )
    with pytest.raises(ColumnMappingError, match=r"occurred_at"):
        import_incidents(frame)
    mapping = {"occurred_at": "Havaittu", "category": "Mitä", "lat": "P", "lon": "I"}
    result = import_incidents(frame, mapping=mapping)
    assert result.report.accepted == 3
    assert result.incidents["category"].tolist() == ["drug_dealing", "vandalism", "resident_concern"]
    assert result.report.column_mapping == {**mapping}


def test_mapping_errors_name_the_problem(addresses: pd.DataFrame) -> None:
    frame = messy.tm35_frame(addresses)
    with pytest.raises(ColumnMappingError, match=r"'Leveys'.*columns are \['Tapahtuma-aika'"):
        import_incidents(frame, mapping={"lat": "Leveys"})
    with pytest.raises(ColumnMappingError, match=r"'latitude', which is not one of"):
        import_incidents(frame, mapping={"latitude": "y"})


def test_ambiguous_columns_list_candidates_and_the_fix(addresses: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "aika": ["1.6.2026 12.00"] * 2,
            "luokka": ["ryöstö"] * 2,
            "lat": addresses["lat"].iloc[:2].to_numpy(),
            "Latitude": addresses["lat"].iloc[:2].to_numpy(),
            "lon": addresses["lon"].iloc[:2].to_numpy(),
        }
    )
    with pytest.raises(ColumnMappingError, match=r"'lat', 'Latitude'.*mapping=\{'lat': 'column'\}"):
        import_incidents(frame)
    assert import_incidents(frame, mapping={"lat": "Latitude"}).report.accepted == 2


# --------------------------------------------------------------------------- one file's choices


def test_a_date_column_and_a_clock_column_make_one_time() -> None:
    frame = pd.DataFrame(
        {"pvm": ["1.6.2026"], "aika": ["14.30"], "luokka": ["ryöstö"], "lat": [60.17], "lon": [24.94]}
    )
    mapping, kind, _ = _match(frame)
    assert mapping["date"] == "pvm" and mapping["time"] == "aika" and "occurred_at" not in mapping
    assert kind == "lonlat"
    full = frame.assign(aika=["1.6.2026 14.30"])
    with pytest.raises(ColumnMappingError, match=r"several columns could be 'occurred_at': 'aika', 'pvm'"):
        _match(full)
    # An explicit timestamp column makes the detected date and clock columns redundant.
    mapping, _, _ = _match(full, mapping={"occurred_at": "aika"})
    assert mapping["occurred_at"] == "aika" and "date" not in mapping and "time" not in mapping


def test_lon_lat_win_over_x_y_unless_a_metric_crs_is_given(addresses: pd.DataFrame) -> None:
    frame = messy.tm35_frame(addresses).assign(lon=addresses["lon"], lat=addresses["lat"])
    mapping, kind, notes = _match(frame)
    assert kind == "lonlat" and "x" not in mapping and "y" not in mapping
    assert notes == ("both 'lon'/'lat' and 'x'/'y' present; used 'lon'/'lat'",)
    mapping, kind, notes = _match(frame, crs_given=crs.METRIC)
    assert kind == "xy" and "lon" not in mapping and "lat" not in mapping
    assert notes == ("both 'lon'/'lat' and 'x'/'y' present; used 'x'/'y'",)


def test_a_point_geometry_wins_over_coordinate_columns(addresses: pd.DataFrame) -> None:
    layer = gpd.GeoDataFrame(
        {"aika": ["1.6.2026 12.00"] * 3, "luokka": ["ryöstö"] * 3, "lat": addresses["lat"].iloc[:3]},
        geometry=gpd.points_from_xy(addresses["lon"].iloc[:3], addresses["lat"].iloc[:3]),
        crs=crs.WGS84,
    )
    mapping, kind, _ = _match(layer)
    assert kind == "geometry" and mapping["geometry"] == "geometry" and "lat" not in mapping


def test_an_address_column_alone_is_a_location() -> None:
    frame = pd.DataFrame({"aika": ["1.6.2026 12.00"], "luokka": ["ryöstö"], "osoite": ["Mannerheimintie 1"]})
    mapping, kind, _ = _match(frame)
    assert kind == "none" and mapping["address"] == "osoite"


def test_missing_fields_are_named_with_the_columns_and_the_fix() -> None:
    frame = pd.DataFrame({"kuvaus": ["jotain"], "lat": [60.17]})
    with pytest.raises(ColumnMappingError) as caught:
        _match(frame.drop(columns=["lat"]))
    message = str(caught.value)
    assert message.startswith("test.csv: no column found for occurred_at, category, location")
    assert "The columns are ['kuvaus']" in message
    assert (
        "mapping={'occurred_at': 'column', 'category': 'column', 'lon': 'column', 'lat': 'column'}" in message
    )
    assert "CLI" not in message and "--" not in message
    with pytest.raises(ColumnMappingError) as half:
        _match(frame.assign(aika=["1.6.2026 12.00"], luokka=["ryöstö"]))
    assert "found the 'lat' column 'lat' but no 'lon' column; map a column to 'lon'" in str(half.value)
