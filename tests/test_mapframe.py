"""The map frame: what st_folium would send the browser, rendered once per map and shared.

On the real peruspiiri layer with analysed demo incidents (the app's own map). The
comparison with ``st_folium`` itself catches a streamlit-folium update that changes what
its component expects.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from geo import demo
from geo.districts import load_districts
from hotspots import analysis
from hotspots.selection import Selection
from views import mapframe
from views.mapview import MapLayers, MapOptions, build_map, selection_layer
from views.panels import localised_hotspots

RETURNED = ("last_active_drawing",)


@pytest.fixture(scope="module")
def layers() -> MapLayers:
    incidents = demo.generate_demo(n=2000, seed=5)
    result = analysis.analyse(incidents, selection=Selection(since=demo.recent_start()))
    assert len(result.hotspots) > 0
    figures = result.current.groupby("peruspiiri_code").size().rename("n").reset_index()
    districts = load_districts("peruspiiri").merge(
        figures.rename(columns={"peruspiiri_code": "code"}), on="code", how="left"
    )
    return MapLayers(
        districts=districts,
        value_column="n",
        value_label="n",
        hotspots=localised_hotspots(result.hotspots, "fi"),
        incidents=result.current,
    )


def _build(layers: MapLayers, lang: str = "fi") -> folium.Map:
    return build_map(layers, MapOptions(lang=lang))


@pytest.mark.parametrize("returned", [RETURNED, ("last_active_drawing", "bounds", "zoom")])
def test_the_frame_holds_exactly_what_st_folium_sends(
    layers: MapLayers, returned: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: dict[str, Any] = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    streamlit_folium.st_folium(
        _build(layers), key="map", height=560, use_container_width=True, returned_objects=list(returned),
        render=False,
    )  # fmt: skip
    made = mapframe.frame(_build(layers), key="map", height=560, returned_objects=returned)
    assert made.component_key == sent.pop("key")
    assert callable(sent.pop("on_change"))
    assert made.args == sent
    assert "hs-rank" in made.args["script"]  # the hotspots' labels are in it


def test_a_choice_travels_beside_the_frame_as_st_folium_sends_it(
    layers: MapLayers, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs))
    streamlit_folium.st_folium(
        _build(layers), key="map", height=560, use_container_width=True, returned_objects=list(RETURNED),
        feature_group_to_add=selection_layer("hs-7"), render=False,
    )  # fmt: skip
    made = mapframe.frame(_build(layers), key="map", height=560, returned_objects=RETURNED)
    mapframe.show(made, key="map", feature_group=selection_layer("hs-7"))
    ours, theirs = sent.pop(), sent.pop()
    assert ours["feature_group"] == theirs["feature_group"] and 'hsSelect("hs-7"' in ours["feature_group"]
    assert ours["script"] == theirs["script"] and ours["key"] == theirs["key"]
    mapframe.show(made, key="map", feature_group=selection_layer("hs-8"))
    assert sent.pop()["key"] == ours["key"]  # another choice, the same map in the browser


def test_the_same_map_gives_the_same_script_and_another_map_another(layers: MapLayers) -> None:
    first = mapframe.frame(_build(layers), key="map", height=560, returned_objects=RETURNED)
    again = mapframe.frame(_build(layers), key="map", height=560, returned_objects=RETURNED)
    swedish = mapframe.frame(_build(layers, "sv"), key="map", height=560, returned_objects=RETURNED)
    # The browser keeps its map while the key stays, and draws anew when the map changes.
    assert (again.args, again.component_key) == (first.args, first.component_key)
    assert swedish.args["script"] != first.args["script"]
    assert swedish.component_key != first.component_key


def test_a_map_is_built_once_per_key_and_each_caller_gets_its_own_copy(layers: MapLayers) -> None:
    mapframe.cached_frame.clear()
    built: list[str] = []

    def build(lang: str) -> folium.Map:
        built.append(lang)
        return _build(layers, lang)

    first = mapframe.cached_frame(("fi", 1), "map", 560, RETURNED, lambda: build("fi"))
    first.args["script"] = "changed by one session"
    again = mapframe.cached_frame(("fi", 1), "map", 560, RETURNED, lambda: build("fi"))
    other = mapframe.cached_frame(("sv", 1), "map", 560, RETURNED, lambda: build("sv"))
    assert built == ["fi", "sv"]
    assert again.args["script"] != "changed by one session"
    assert again.args["script"] != other.args["script"]
    mapframe.cached_frame.clear()


SHOW = """
import folium
import streamlit as st
from views import mapframe
m = folium.Map(location=[60.17, 24.94], zoom_start=12, tiles=None)
folium.CircleMarker([60.17, 24.94], radius=5, tooltip="Kallio").add_to(m)
frame = mapframe.frame(m, key="map", height=300, returned_objects=("last_active_drawing",))
st.session_state["component_key"] = frame.component_key
mapframe.show(frame, key="map")
"""


def test_show_draws_streamlit_folium_component_with_the_frame() -> None:
    at = AppTest.from_string(SHOW, default_timeout=60).run()
    assert not at.exception
    [component] = at.get("component_instance")
    assert component.proto.component_name == "streamlit_folium.st_folium"
    args = json.loads(component.proto.json_args)
    assert "L.circleMarker" in args["script"] and args["height"] == 300
    assert at.session_state["component_key"] in component.proto.id
