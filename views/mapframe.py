"""The map as the browser receives it: streamlit-folium's arguments, made once per map and shared.

``st_folium`` renders its ``folium.Map`` on every call (folium turns every layer's script
into a Jinja template and renders it: about 0.2 s of server CPU per rerun at 20k incidents),
and every session rendered the same map again. What it sends to the browser depends only on
what the map shows, so ``frame`` renders it once, ``cached_frame`` keeps it per map key for
every session (``st.cache_data``) and ``show`` hands it to streamlit-folium's component as
``st_folium`` would. The same map gives the same script, and streamlit-folium names its
component after a hash of the script, so a rerun that leaves the map as it was keeps the
browser's map as it is (no new iframe, no redraw).

``frame`` is pure and calls streamlit-folium's own helpers in ``st_folium``'s order; a test
compares its arguments with ``st_folium``'s, so an update of streamlit-folium that changes
them fails there, not in the page.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium
from branca.element import Element
from folium.elements import JSCSSMixin


@dataclass(frozen=True)
class MapFrame:
    """What streamlit-folium's component receives for one map.

    Attributes
    ----------
    args
        The component's keyword arguments (script, header, html, links, size, defaults),
        as ``st_folium(m, height=..., use_container_width=True, returned_objects=...)``
        passes them.
    component_key
        The component's key: streamlit-folium's hash of the script and the caller's key.
    """

    args: dict[str, Any]
    component_key: str


def _bounds(m: folium.Map) -> dict[str, dict[str, float | None]]:
    (south, west), (north, east) = m.get_bounds()
    return {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _links(m: folium.Map) -> tuple[list[str], list[str]]:
    """Return the stylesheets and scripts the map's elements load, each once, in order."""
    css: list[str] = []
    js: list[str] = []
    for element in _walk(m):
        if isinstance(element, JSCSSMixin):
            css += [href for _, href in element.default_css]
            js += [src for _, src in element.default_js]
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def frame(m: folium.Map, *, key: str, height: int, returned_objects: Sequence[str]) -> MapFrame:
    """Render ``m`` once into the arguments of streamlit-folium's component.

    Parameters
    ----------
    m
        The map (``views.mapview.build_map``); rendered, so not to be rendered again.
    key
        The session-state key that receives the map's events (``st_folium``'s ``key``).
    height
        Height of the map in pixels; the width follows the column.
    returned_objects
        The events sent back to the app (``st_folium``'s ``returned_objects``).

    Returns
    -------
    MapFrame
        The component's arguments and key.
    """
    m.render()
    html = streamlit_folium._get_html(m)
    header = streamlit_folium._get_header(m)
    script = streamlit_folium._get_map_string(m)
    # The map's bounds walk every coordinate: only when they are asked for.
    everything: dict[str, Any] = {"zoom": m.options.get("zoom")}
    if "bounds" in returned_objects:
        everything["bounds"] = _bounds(m)
    css_links, js_links = _links(m)
    args = {
        "script": script,
        "header": header,
        "html": html,
        "id": streamlit_folium.get_full_id(m),
        "height": height,
        "width": None,
        "returned_objects": list(returned_objects),
        "default": {name: everything.get(name) for name in returned_objects},
        "zoom": None,
        "center": None,
        "feature_group": None,
        "return_on_hover": False,
        "layer_control": None,
        "pixelated": False,
        "css_links": css_links,
        "js_links": js_links,
        "wrap_longitude": False,
    }
    return MapFrame(args=args, component_key=streamlit_folium.generate_js_hash(script, key, False))


@st.cache_data(show_spinner=False, max_entries=32)
def cached_frame(
    map_key: Hashable,
    key: str,
    height: int,
    returned_objects: tuple[str, ...],
    _build: Callable[[], folium.Map],
) -> MapFrame:
    """Return the frame of the map ``_build`` makes, made once per ``map_key`` for every session.

    Parameters
    ----------
    map_key
        Names everything the map shows (the analysis request, language, chosen hotspot,
        map options): two calls with the same key must draw the same map.
    key, height, returned_objects
        As in :func:`frame`.
    _build
        Builds the map on a cache miss (not hashed).

    Returns
    -------
    MapFrame
        Each caller gets its own copy.
    """
    return frame(_build(), key=key, height=height, returned_objects=returned_objects)


def _feature_group(group: folium.FeatureGroup) -> str:
    """Return the script that adds ``group`` to a map already drawn (``st_folium``'s own).

    The group is rendered on a map of its own whose name streamlit-folium replaces with the
    browser's (``map_div``), so a cached frame needs no map object.
    """
    return str(streamlit_folium._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0))


def show(map_frame: MapFrame, *, key: str, feature_group: folium.FeatureGroup | None = None) -> object:
    """Draw the map: streamlit-folium's component with the frame's arguments.

    As ``st_folium`` does, the map's events are copied to ``st.session_state[key]`` when
    they change (the app reads the clicked hotspot there on the rerun).

    Parameters
    ----------
    map_frame
        From :func:`cached_frame` or :func:`frame`.
    key
        The session-state key of the map's events (the one the frame was made with).
    feature_group
        A small layer added to the map in the browser without drawing the map anew
        (``st_folium``'s ``feature_group_to_add``): it may change from rerun to rerun.

    Returns
    -------
    object
        The component's value: the events listed in the frame's ``returned_objects``.
    """

    def copy_events() -> None:
        st.session_state[key] = st.session_state.get(map_frame.component_key, {})

    args = dict(map_frame.args)
    if feature_group is not None:
        args["feature_group"] = _feature_group(feature_group)
    return streamlit_folium._component_func(**args, key=map_frame.component_key, on_change=copy_events)
