"""Placing a measure (hotspots.measure_places) on the official districts of ../shared/data.

Kallio is a peruspiiri of seven osa-alue and also the name of one of them (the larger
counts); Linjat is one of its osa-alue; Harju is the next osa-alue north-west.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import districts
from geo.errors import ParameterError
from hotspots.measure_places import (
    SLIVER_M2,
    district_osaalue,
    districts_area,
    districts_place,
    districts_text,
    drawn_place,
    osaalue_touched,
)

KALLIO = ("101", "102", "103", "104", "111", "112", "113")


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    return districts.load_districts("osaalue")


def polygon(layer: gpd.GeoDataFrame, code: str) -> shapely.Geometry:
    return layer.loc[layer["code"] == code, "geometry"].iloc[0]


def test_kallio_at_any_level_and_language(hierarchy: pd.DataFrame) -> None:
    assert district_osaalue(["Kallio"], hierarchy) == KALLIO
    assert district_osaalue(["berghäll"], hierarchy) == KALLIO  # Swedish, any case
    assert district_osaalue(["Kallio", "Linjat"], hierarchy) == ("112",)  # named inside: narrows
    assert district_osaalue(["Linjat", "Harju"], hierarchy) == ("112", "121")  # side by side: add up
    with pytest.raises(ParameterError, match=r"district 'Kalio' is not a Helsinki .*did you mean Kallio"):
        district_osaalue(["Kalio"], hierarchy)
    with pytest.raises(ParameterError, match=r"give the districts as a list"):
        district_osaalue("Kallio", hierarchy)


def test_the_area_of_kallio_touches_exactly_its_osa_alue(
    hierarchy: pd.DataFrame, layer: gpd.GeoDataFrame
) -> None:
    place = districts_place(["Kallio"], hierarchy=hierarchy, osaalue_layer=layer)
    assert (place.place_kind, place.osaalue) == ("districts", KALLIO)
    assert place.place_ref == "Kallio (Berghäll)"  # names people know; the codes are in osaalue
    both = districts_place(["Vallila", "Kallio"], hierarchy=hierarchy, osaalue_layer=layer)
    assert set(both.place_ref.split(", ")) == {"Kallio (Berghäll)", "Vallila (Vallgård)"}
    assert set(districts_text(both.place_ref, "sv").split(", ")) == {"Berghäll", "Vallgård"}
    assert set(districts_text(both.place_ref, "fi").split(", ")) == {"Kallio", "Vallila"}
    assert districts_text("Kruununhaka (Kronohagen), Pasila", "en") == "Kruununhaka, Pasila"
    expected = sum(polygon(layer, code).area for code in KALLIO)
    assert place.area.area == pytest.approx(expected, rel=1e-9)
    # the neighbours share borders with Kallio, but only along lines: no sliver counts
    assert osaalue_touched(place.area, layer) == KALLIO
    assert osaalue_touched(districts_area(("112", "121"), layer), layer) == ("112", "121")
    with pytest.raises(ParameterError, match=r"osa-alue codes \['999'\] are not in the osa-alue layer"):
        districts_area(("112", "999"), layer)


def test_a_drawn_area_counts_only_what_it_overlaps_more_than_a_sliver(layer: gpd.GeoDataFrame) -> None:
    linjat, harju = polygon(layer, "112"), polygon(layer, "121")
    border = shapely.line_merge(linjat.boundary.intersection(harju.boundary))
    middle = border.interpolate(0.5, normalized=True)
    assert drawn_place(middle.buffer(60.0), osaalue_layer=layer).osaalue == ("112", "121")
    # a square inside Linjat that grazes Harju: the overlap is under the sliver, then over it
    inside = linjat.representative_point().buffer(50.0)
    assert osaalue_touched(inside, layer) == ("112",)
    grazing = shapely.intersection(middle.buffer(60.0), harju).buffer(0)  # all in Harju
    small = shapely.union(inside, shapely.box(*middle.buffer(4.0).bounds))  # ~64 m² into Harju
    assert 0 < shapely.intersection(small, harju).area < SLIVER_M2
    assert "121" not in osaalue_touched(small, layer) and grazing.area > SLIVER_M2
    assert "121" in osaalue_touched(shapely.union(inside, grazing), layer)
    place = drawn_place(inside, osaalue_layer=layer)
    assert (place.place_kind, place.place_ref, place.osaalue) == ("drawn", "", ("112",))


def test_an_area_outside_every_osa_alue_touches_none(layer: gpd.GeoDataFrame) -> None:
    tapiola = shapely.Point(378_900.0, 6_671_700.0).buffer(200.0)  # Espoo
    assert osaalue_touched(tapiola, layer) == ()
    with pytest.raises(ParameterError, match=r"area must be in EPSG:3067 metres"):
        osaalue_touched(shapely.Point(24.94, 60.17).buffer(0.001), layer)
    with pytest.raises(ParameterError, match=r"osaalue_layer must be the osa-alue layer"):
        osaalue_touched(tapiola, layer.to_crs(4326))


def test_the_layer_is_not_modified(layer: gpd.GeoDataFrame) -> None:
    before = layer.copy()
    osaalue_touched(polygon(layer, "112").buffer(300.0), layer)
    pd.testing.assert_frame_equal(
        pd.DataFrame(layer.drop(columns="geometry")), pd.DataFrame(before.drop(columns="geometry"))
    )
    assert layer.geometry.geom_equals_exact(before.geometry, 0.0).all()
