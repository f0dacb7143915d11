"""Drawing an area on the live map (views.draw_tool): the button's script and the area read back."""

from __future__ import annotations

from typing import Any

import folium
import pytest
import shapely

from geo import crs
from views.draw_tool import DRAWN_PROPERTY, DrawArea, drawn_area, drawn_feature

#: Around Karhupuisto in Kallio, lon/lat.
KALLIO = [(24.9480, 60.1830), (24.9530, 60.1830), (24.9530, 60.1855), (24.9480, 60.1855)]


def _feature(corners: list[tuple[float, float]], **properties: Any) -> dict[str, Any]:
    ring = [list(c) for c in [*corners, corners[0]]]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_the_button_hands_a_closed_area_to_streamlit_folium_as_leaflet_draw_would() -> None:
    m = folium.Map()
    DrawArea(title='Draw "here" </script>', hint="Click the corners").add_to(m)
    html = m.get_root().render()
    assert 'map.fire("draw:created", {layer: area, layerType: "polygon"})' in html
    assert f'"{DRAWN_PROPERTY}": 1' in html
    # Texts go in as JSON strings: a quote or a closing tag cannot end the script.
    assert '</script>"' not in html and '"Draw \\"here\\" \\u003c/script\\u003e"' in html
    assert ".hs-drawing .leaflet-interactive { pointer-events: none" in html


def test_only_a_drawn_area_is_read_from_the_map_state() -> None:
    drawn = _feature(KALLIO, **{DRAWN_PROPERTY: 1})
    assert drawn_feature({"last_active_drawing": drawn}) == drawn
    hotspot = _feature(KALLIO, hotspot_id="H3")
    assert drawn_feature({"last_active_drawing": hotspot}) is None
    for state in (None, {}, {"last_active_drawing": None}, {"last_active_drawing": "x"}, ["x"]):
        assert drawn_feature(state) is None


def test_a_drawn_area_comes_back_in_metres() -> None:
    area, problem = drawn_area(_feature(KALLIO))
    assert problem is None and area is not None
    x, y = crs.to_metric([24.9505], [60.18425], src=crs.WGS84)
    assert area.contains(shapely.Point(x[0], y[0]))
    assert 75_000 < area.area < 80_000  # 278 m x 278 m


def test_a_self_crossing_outline_keeps_the_parts_it_encloses() -> None:
    bowtie = [KALLIO[0], KALLIO[2], KALLIO[1], KALLIO[3]]
    area, problem = drawn_area(_feature(bowtie))
    assert problem is None and area is not None and area.is_valid
    whole, _ = drawn_area(_feature(KALLIO))
    assert whole is not None and 0.4 * whole.area < area.area < 0.6 * whole.area


@pytest.mark.parametrize(
    ("feature", "problem"),
    [
        (
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[24.9, 60.1], [24.95, 60.2]]},
            },
            "not_area",
        ),
        ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "nonsense"}}, "not_area"),
        ({"type": "Feature"}, "not_area"),
        (_feature([(24.95, 60.18), (24.95001, 60.18), (24.95001, 60.18001)]), "too_small"),
        (_feature([(24.6, 60.1), (25.3, 60.1), (25.3, 60.4), (24.6, 60.4)]), "too_large"),
        (_feature([(2.35, 48.85), (2.36, 48.85), (2.36, 48.86)]), "outside"),
    ],
)
def test_a_shape_that_cannot_be_a_measures_area_says_why(feature: dict[str, Any], problem: str) -> None:
    assert drawn_area(feature) == (None, problem)
