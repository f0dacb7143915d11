"""The live map in the page: its street map, the chosen area, and a map that a click does not rebuild.

The street map is decided once per ``BASEMAP_RECHECK_S`` for all sessions
(:func:`basemap_state`, cached): tiles fetched for offline use are served by the app
itself; else the configured source (the City of Helsinki's map by default) is used when
one short probe gets a tile; else the map is drawn without tiles and says so in the
interface language, instead of letting the browser fail on every tile.

:func:`draw` hands the map (rendered once per map for every session, ``views.mapframe``)
to streamlit-folium with the hotspot choice as a separate small layer
(``views.mapview.selection_layer``): the map's own script does not change when a hotspot
is chosen, so streamlit-folium keeps the map (and the popup the user opened) instead of
drawing it anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from geo import tiles
from geo.errors import HotspotsError
from hotspots.selection import Selection
from i18n import t
from views import mapframe
from views.assets import AssetUrls, install_tiles
from views.map_elements import Basemap
from views.mapframe import MapFrame
from views.mapview import selection_layer

#: Seconds before the street map's source is probed again (an unreachable one may return).
BASEMAP_RECHECK_S: Final = 600
#: What the map component sends back: only a clicked shape, so panning never reruns the page.
RETURNED_OBJECTS: Final = ("last_active_drawing",)


@dataclass(frozen=True)
class BasemapState:
    """The street map the page draws, and why.

    Attributes
    ----------
    basemap
        The tiles to draw; None for none.
    status
        ``"local"`` (fetched tiles served by the app), ``"remote"`` (the source answered),
        ``"unreachable"``, ``"off"`` (``HOTSPOTS_TILES_URL`` set empty) or ``"setting"``
        (a bad setting, named in ``detail``).
    detail
        The setting's problem, for ``"setting"``.
    """

    basemap: Basemap | None
    status: str
    detail: str = ""


def basemap_state(urls: AssetUrls, *, timeout_s: float = tiles.PROBE_TIMEOUT_S) -> BasemapState:
    """Decide the street map: the app's own copy, else the source when it answers, else none.

    Parameters
    ----------
    urls
        The app's installed assets (their static folder serves fetched tiles).
    timeout_s
        Seconds the probe of the source may take.

    Returns
    -------
    BasemapState
        What to draw and why.
    """
    try:
        source = tiles.configured_source()
    except HotspotsError as exc:
        return BasemapState(None, "setting", str(exc))
    if source is None:
        return BasemapState(None, "off")
    cache = tiles.cached_tiles(source)
    if cache is not None and urls.static_dir is not None:
        template = install_tiles(urls, cache)
        west, south, east, north = cache.bbox
        centre = tiles.tile_of((west + east) / 2, (south + north) / 2, cache.min_zoom)
        return BasemapState(
            Basemap(
                url=template,
                attribution=source.attribution,
                min_native_zoom=cache.min_zoom,
                max_native_zoom=cache.max_zoom,
                bounds=cache.bbox,
                probe_url=tiles.tile_url(template, cache.min_zoom, *centre),
            ),
            "local",
        )
    if tiles.reachable(source, timeout_s=timeout_s):
        probe = tiles.tile_url(source.url, *tiles.PROBE_TILE)
        return BasemapState(
            Basemap(url=source.url, attribution=source.attribution, probe_url=probe), "remote"
        )
    return BasemapState(None, "unreachable")


@st.cache_resource(ttl=BASEMAP_RECHECK_S, show_spinner=False)
def _shared_basemap_state(urls: AssetUrls) -> BasemapState:
    # One probe for every session until the entry expires.
    return basemap_state(urls)


def basemap(urls: AssetUrls, lang: str) -> tuple[Basemap | None, str]:
    """Return the street map to draw and the note the map shows about it (in ``lang``, "" for none).

    Parameters
    ----------
    urls
        The app's installed assets.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    tuple[Basemap | None, str]
        The tiles (None for none) and the note.
    """
    state = _shared_basemap_state(urls)
    if state.status == "unreachable":
        return None, t("map.note.tiles_unreachable", lang)
    if state.status == "setting":
        return None, t("map.note.tiles_setting", lang, error=state.detail)
    return state.basemap, ""


def focus_area(
    osaalue: gpd.GeoDataFrame, hierarchy: pd.DataFrame, selection: Selection
) -> shapely.Geometry | None:
    """Return the chosen districts as one shape (``Selection``'s rule), or None when none is chosen.

    Parameters
    ----------
    osaalue
        The osa-alue layer (EPSG:3067) with ``code``.
    hierarchy
        ``geo.districts.hierarchy()``.
    selection
        The page's selection.

    Returns
    -------
    shapely.Geometry or None
        The union of the chosen osa-alue (EPSG:3067).
    """
    if not selection.has_districts:
        return None
    codes = set(hierarchy.loc[selection.district_mask(hierarchy), "osaalue_code"])
    chosen = osaalue[osaalue["code"].isin(codes)]
    if chosen.empty:
        return None
    return shapely.union_all(chosen.geometry.to_numpy())


def draw(frame: MapFrame, selected: str | None, *, key: str) -> None:
    """Draw the map with the hotspot choice as a separate layer, so a click never rebuilds the map.

    Parameters
    ----------
    frame
        The map as ``views.mapframe`` rendered it (from ``views.mapview.build_map`` without
        ``selected_hotspot``, with ``RETURNED_OBJECTS``).
    selected
        The chosen hotspot's id, or None.
    key
        The component's session key (``views.ranking_table.MAP_KEY``: the click is read there).
    """
    mapframe.show(frame, key=key, feature_group=selection_layer(selected))
