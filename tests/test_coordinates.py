"""Coordinates to metres: the CRS given, declared, named or guessed; swapped axes; bad cells."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import crs, reading
from geo.columns import CoordinateColumns
from geo.coordinates import CRS_CHOICES, Positions, check_crs, read_positions
from geo.errors import ColumnMappingError, ParameterError
from geo.incidents import import_incidents
from tests import messy

XY = CoordinateColumns("xy", "x", "y")


def _positions(
    frame: pd.DataFrame, coords: CoordinateColumns = XY, crs_given: str | None = None
) -> Positions:
    raw = reading.from_frame(frame)
    return read_positions(raw.frame, coords, raw=raw, crs_given=crs_given, name="t.csv")


# --------------------------------------------------------------------------- crs=


def test_check_crs_takes_the_three_in_any_spelling_and_names_them_otherwise() -> None:
    assert check_crs(3879) == crs.GK25
    assert check_crs(" 3067 ") == crs.METRIC
    assert check_crs("epsg:4326") == crs.WGS84
    assert set(CRS_CHOICES) == {crs.GK25, crs.METRIC, crs.WGS84}
    assert check_crs(None) is None and check_crs("  ") is None
    for bad in (2393, "EPSG:2393", "gk25"):
        with pytest.raises(
            ParameterError, match=r"^crs was .* expected to be one of 3879 \(ETRS-GK25\), 3067"
        ):
            check_crs(bad)


# --------------------------------------------------------------------------- reading the numbers


def test_gk25_text_with_decimal_commas_is_guessed_and_projected(addresses: pd.DataFrame) -> None:
    east, north = crs.transform(addresses["lon"], addresses["lat"], src=crs.WGS84, dst=crs.GK25)
    frame = pd.DataFrame(
        {"x": [messy.decimal_comma(v) for v in east], "y": [messy.decimal_comma(v) for v in north]}
    )
    before = frame.copy()
    pos = _positions(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert pos.crs == crs.GK25 and pos.guessed and not pos.swapped and pos.decimal_comma
    assert pos.reason.startswith("from the coordinate values (e.g. ")
    assert pos.fields == ("x", "y") and pos.columns == ("x", "y") and pos.notes == ()
    x_m, y_m = crs.transform(addresses["lon"], addresses["lat"], src=crs.WGS84, dst=crs.METRIC)
    # Written with 2 decimals: within a centimetre.
    assert np.abs(pos.x_m - x_m).max() < 0.01 and np.abs(pos.y_m - y_m).max() < 0.01
    assert pos.present.all()


def test_missing_unparseable_and_unprojectable_cells_place_no_point() -> None:
    frame = pd.DataFrame({"lon": ["24,94", "abc", "", "500"], "lat": ["60,17", "60,17", "60,17", "500"]})
    pos = _positions(frame, CoordinateColumns("lonlat", "lon", "lat"))
    assert pos.crs == crs.WGS84 and not pos.guessed and pos.reason == "columns 'lon'/'lat' are named lon/lat"
    assert pos.bad_first.tolist() == [False, True, False, False]
    assert pos.present.tolist() == [True, False, False, True]
    assert pos.first_raw.tolist()[:2] == ["24,94", "abc"]
    # Far outside the CRS: no metres, so not placed in Helsinki.
    assert np.isfinite(pos.x_m).tolist() == [True, False, False, False]


def test_a_declared_crs_is_used_and_overridden_only_when_asked(addresses: pd.DataFrame) -> None:
    layer = gpd.GeoDataFrame(
        {"aika": ["1.6.2026 12.00"] * 5},
        geometry=gpd.points_from_xy(addresses["lon"].iloc[:5], addresses["lat"].iloc[:5]),
        crs=crs.WGS84,
    ).to_crs(crs.METRIC)
    geometry = CoordinateColumns("geometry", None, None)
    declared = _positions(layer, geometry)
    assert declared.crs == crs.METRIC and declared.reason == "declared by the file" and declared.notes == ()
    np.testing.assert_allclose(declared.x_m, layer.geometry.x, atol=1e-9)
    asked = _positions(layer, geometry, crs_given=crs.GK25)
    assert asked.crs == crs.GK25 and asked.reason == "given explicitly"
    assert asked.notes == ("the file declares EPSG:3067; read as EPSG:3879 as asked",)


def test_an_address_only_file_has_no_coordinates() -> None:
    frame = pd.DataFrame({"osoite": ["Mannerheimintie 1", "Hämeentie 2"]})
    pos = _positions(frame, CoordinateColumns("none", None, None))
    assert pos.crs == crs.METRIC and pos.reason == "no coordinate columns" and not pos.present.any()


def test_the_crs_question_names_the_parameter_not_a_flag() -> None:
    frame = pd.DataFrame({"x": ["1200"], "y": ["3400"]})
    with pytest.raises(ColumnMappingError) as caught:
        _positions(frame)
    message = str(caught.value)
    assert message.startswith(
        "t.csv: cannot tell the CRS of columns 'x'/'y' from their values (e.g. 1200 / 3400)"
    )
    assert "give the CRS of the x/y columns: crs=3879 (ETRS-GK25), 3067 (ETRS-TM35FIN) or 4326" in message
    assert "CLI" not in message and "--" not in message


# --------------------------------------------------------------------------- through the import


def test_crs_is_guessed_and_reported_or_taken_as_given(addresses: pd.DataFrame) -> None:
    frame = messy.tm35_frame(addresses)
    guessed = import_incidents(frame)
    assert guessed.report.crs == crs.METRIC and guessed.report.crs_guessed
    assert guessed.report.accepted == len(frame)
    given = import_incidents(frame, crs=3067)
    assert given.report.crs == crs.METRIC and not given.report.crs_guessed
    pd.testing.assert_frame_equal(guessed.incidents, given.incidents)
    np.testing.assert_allclose(given.incidents["lon"], addresses["lon"], atol=1e-6)


def test_unguessable_coordinates_ask_for_crs() -> None:
    frame = pd.DataFrame({"aika": ["1.6.2026 12.00"], "luokka": ["ryöstö"], "x": ["1200"], "y": ["3400"]})
    with pytest.raises(ColumnMappingError, match=r"crs=3879"):
        import_incidents(frame)
    with pytest.raises(ParameterError, match=r"crs was 'EPSG:2393'"):
        import_incidents(frame, crs="EPSG:2393")


def test_swapped_gk25_axes_are_detected(addresses: pd.DataFrame) -> None:
    east, north = crs.transform(addresses["lon"], addresses["lat"], src=crs.WGS84, dst=crs.GK25)
    # Geodetic convention: 'x' is the northing, 'y' the easting.
    frame = pd.DataFrame(
        {
            "pvm": ["12.5.2026 klo 18.00"] * len(east),
            "rikosnimike": ["pahoinpitely"] * len(east),
            "x": north,
            "y": east,
        }
    )
    for crs_arg in (None, 3879):
        result = import_incidents(frame, crs=crs_arg)
        assert result.report.axes_swapped and result.report.crs == crs.GK25
        assert result.report.crs_guessed == (crs_arg is None)
        assert any("swapped" in note for note in result.report.notes())
        np.testing.assert_allclose(result.incidents["lon"], addresses["lon"], atol=1e-7)
        np.testing.assert_allclose(result.incidents["lat"], addresses["lat"], atol=1e-7)
    straight = import_incidents(frame.rename(columns={"x": "y", "y": "x"}))
    assert not straight.report.axes_swapped
