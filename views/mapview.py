"""The map: ``build_map`` puts the layers together, served with the app's own assets; where it opens.

``build_map`` is pure (no Streamlit) and returns a ``folium.Map`` whose every script and
stylesheet is one of the app's own files (``views.assets``). What it draws is a
``MapLayers`` (frames and shapes in EPSG:3067 metres), how it draws them a ``MapOptions``;
the map reprojects to WGS84 itself. Bottom to top: a street map where one is reachable
(else the sea in blue-grey on neutral land), one colour scale for areas (the districts in
view by a value, or the incidents' density), district outlines with the chosen area's
drawn strongly, district and place names, the measures' areas dashed, incident dots when
asked for, and the hotspots with their numbers above everything (``views.map_elements.PANES``).

The app keeps the hotspot choice out of the map itself: it sends
:func:`selection_layer` beside the map, so choosing a hotspot never rebuilds the map and
an open popup stays open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import i18n
from geo import crs
from hotspots.measures import RecordedMeasure
from i18n import t
from views import map_areas
from views.assets import AssetUrls, localise_map, package_asset_urls
from views.draw_tool import DrawArea
from views.map_elements import Basemap, BasemapLayer, LabelLayer, MapChrome, Panes, SelectHotspot
from views.map_layers import MapInputError, escape, hotspot_layer, incident_layer, incident_xy, metric_frame
from views.measure_layer import measure_layer

#: Helsinki's mainland and inner islands in EPSG:3067 (minx, miny, maxx, maxy): the default view.
HELSINKI_BOUNDS_M: Final = (377_000.0, 6_665_000.0, 404_000.0, 6_686_000.0)
#: Margin around a chosen hotspot when a standalone map opens on it.
SELECTED_MARGIN_M: Final = 250.0
#: Place names are written within this distance of the view the map opens on.
PLACE_MARGIN_M: Final = 2_000.0
AREA_LAYERS: Final = ("districts", "density")
_HOTSPOT_COLUMNS: Final = ("id", "rank", "n")


def _check_bounds(bounds_m: Sequence[float]) -> tuple[float, float, float, float]:
    values = tuple(float(v) for v in bounds_m)
    if len(values) != 4 or not all(np.isfinite(values)) or values[0] >= values[2] or values[1] >= values[3]:
        raise MapInputError(
            f"bounds_m must be (minx, miny, maxx, maxy) in EPSG:3067 metres with min < max, got {bounds_m!r}"
        )
    return values[0], values[1], values[2], values[3]


@dataclass(frozen=True, eq=False)
class MapLayers:
    """What the map draws; every frame and shape in EPSG:3067 metres.

    Attributes
    ----------
    districts
        Districts with ``code``, ``name_fi``, ``name_sv``, geometry, ``value_column`` and
        optionally ``level`` (names are written from a zoom that suits the level).
    value_column
        Numeric column that colours the districts; None/NaN draws grey "no data".
    value_label
        Already translated name of the value (legend and tooltips).
    hotspots
        Hotspot polygons with ``id``, ``rank``, ``n`` and optionally ``place``,
        ``district``, ``top_category``, ``categories``, ``peak_windows``, ``trend`` or
        ``status``, ``recommendation``; rank 1 is drawn red, the last yellow.
    incidents
        Incidents with ``x_m``/``y_m`` (or ``lon``/``lat``) and optionally ``category``,
        ``occurred_at``, ``description``.
    land, sea
        Helsinki's land and the sea inside the districts (``geo.districts.land_and_sea``):
        district colours stay on land and, without a street map, the sea is drawn.
    focus
        The chosen area (union of the chosen districts): outlined strongly, and only the
        districts in it are coloured. None when no district is chosen.
    places
        Place names (``name_fi``, ``name_sv``, ``x_m``, ``y_m``; ``geo.gazetteer``) written
        on the map from street zoom on.
    measures
        Recorded measures to outline (``views.measure_layer``), already cut to the user's
        scope and the period in view.
    """

    districts: gpd.GeoDataFrame
    value_column: str
    value_label: str
    hotspots: gpd.GeoDataFrame | None = None
    incidents: pd.DataFrame | None = None
    land: shapely.Geometry | None = None
    sea: shapely.Geometry | None = None
    focus: shapely.Geometry | None = None
    places: pd.DataFrame | None = None
    measures: tuple[RecordedMeasure, ...] = ()


@dataclass(frozen=True)
class MapOptions:
    """How the map draws its layers; checked when made.

    Attributes
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"`` (English uses the Finnish district names).
    basemap
        Street map tiles; None draws the sea and names instead.
    note
        A short note shown in the map (plain text, escaped here), e.g. why no street map is shown.
    area_layer
        ``"districts"`` colours the districts by their value, ``"density"`` the incidents
        per grid cell: one colour scale at a time.
    show_incidents
        Draw the incidents as dots (at most ``exact_points_max``) with a category legend.
    selected_hotspot
        Hotspot ``id`` to open the map on, outlined with its popup open (standalone pages;
        the app sends :func:`selection_layer` instead, so the map is not rebuilt).
    bounds_m
        ``(minx, miny, maxx, maxy)`` in EPSG:3067 to open on; wins over ``selected_hotspot``.
    exact_points_max
        Up to this many incidents are drawn as dots with popups; more are not drawn.
    density_cell_m
        Side of a density cell in metres.
    min_cell_count
        Cells with fewer incidents are not drawn (they would locate lone incidents).
    asset_urls
        Where the browser loads Leaflet and the rest; default :func:`views.assets.package_asset_urls`.
    draw
        Offer the button that draws an area for a measure (``views.draw_tool``): for the
        main map of a user who may record measures.

    Raises
    ------
    MapInputError
        A value is out of range, or a basemap lacks its attribution.
    """

    lang: str = i18n.DEFAULT_LANGUAGE
    basemap: Basemap | None = None
    note: str = ""
    area_layer: Literal["districts", "density"] = "districts"
    show_incidents: bool = False
    selected_hotspot: str | None = None
    bounds_m: tuple[float, float, float, float] | None = None
    exact_points_max: int = 2000
    density_cell_m: float = 250.0
    min_cell_count: int = 5
    asset_urls: AssetUrls | None = None
    draw: bool = False

    def __post_init__(self) -> None:
        i18n.check_language(self.lang)
        if self.area_layer not in AREA_LAYERS:
            raise MapInputError(f"area_layer must be one of {list(AREA_LAYERS)}, got {self.area_layer!r}")
        if self.exact_points_max < 0:
            raise MapInputError(f"exact_points_max must be >= 0, got {self.exact_points_max}")
        if not self.density_cell_m > 0:
            raise MapInputError(f"density_cell_m must be > 0 metres, got {self.density_cell_m}")
        if self.min_cell_count < 1:
            raise MapInputError(f"min_cell_count must be >= 1, got {self.min_cell_count}")
        if self.basemap is not None and not self.basemap.attribution.strip():
            raise MapInputError(
                "the basemap's attribution must name the tile provider "
                "(e.g. '© OpenStreetMap contributors'); tile licences require it"
            )
        if self.bounds_m is not None:
            object.__setattr__(self, "bounds_m", _check_bounds(self.bounds_m))


def _view(hotspots: gpd.GeoDataFrame | None, options: MapOptions) -> tuple[float, float, float, float]:
    """EPSG:3067 box the map opens on: the given bounds, else the chosen hotspot, else Helsinki."""
    if options.bounds_m is not None:
        return options.bounds_m
    if options.selected_hotspot is not None and hotspots is not None:
        chosen = hotspots[hotspots["id"].astype(str) == str(options.selected_hotspot)]
        if not chosen.empty and not chosen.geometry.is_empty.all():
            x0, y0, x1, y1 = chosen.geometry.total_bounds
            margin = SELECTED_MARGIN_M
            return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    return HELSINKI_BOUNDS_M


#: Smallest side of the box the map opens on, metres (a few blocks around a single incident).
MIN_BOX_M: Final = 500.0


def incidents_bounds(incidents: pd.DataFrame, *, outer: float = 0.01) -> tuple[float, float, float, float]:
    """Return the box where the incidents are, so the map opens there and not on the sea area.

    Parameters
    ----------
    incidents
        Incidents with ``x_m`` and ``y_m`` (EPSG:3067), at least one.
    outer
        Share of the incidents left out on each side (a few far-off points would widen the
        box to the whole city).

    Returns
    -------
    tuple[float, float, float, float]
        ``(minx, miny, maxx, maxy)`` in EPSG:3067 metres.
    """
    x, y = incidents["x_m"], incidents["y_m"]
    low, high = outer, 1 - outer
    x0, y0, x1, y1 = (
        float(x.quantile(low)),
        float(y.quantile(low)),
        float(x.quantile(high)),
        float(y.quantile(high)),
    )
    # One incident (or several at one door) is a point, not a box: open on its street block.
    pad_x, pad_y = max(0.0, MIN_BOX_M - (x1 - x0)) / 2, max(0.0, MIN_BOX_M - (y1 - y0)) / 2
    return x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y


def _latlon_box(bounds_m: tuple[float, float, float, float]) -> list[list[float]]:
    x0, y0, x1, y1 = bounds_m
    lon, lat = crs.to_wgs84([x0, x0, x1, x1], [y0, y1, y0, y1])
    return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]


def _areas(m: folium.Map, layers: MapLayers, options: MapOptions, districts: gpd.GeoDataFrame) -> str:
    """Draw the sea, the one colour scale for areas, outlines and names; return the legend section."""
    lang = options.lang
    if options.basemap is None and layers.sea is not None:
        sea = map_areas.sea_layer(layers.sea)
        if sea is not None:
            sea.add_to(m)
    shapes = map_areas.district_shapes(districts, land=layers.land, focus=layers.focus)
    legend = ""
    if options.area_layer == "districts":
        opacity = 0.45 if options.basemap is not None else 0.7
        fill, legend = map_areas.choropleth_layer(
            shapes, layers.value_column, layers.value_label, lang, opacity=opacity
        )
        if fill is not None:
            fill.add_to(m)
    elif layers.incidents is not None and len(layers.incidents):
        x, y = incident_xy(layers.incidents)
        keep = np.isfinite(x) & np.isfinite(y)
        cells, legend = map_areas.density_layer(
            x[keep], y[keep], cell_m=options.density_cell_m, min_count=options.min_cell_count, lang=lang
        )
        if cells is not None:
            cells.add_to(m)
    focus = layers.focus
    if focus is not None and layers.land is not None:
        focus = shapely.intersection(focus, layers.land)
    map_areas.outline_layer(shapes, focus, lang, coloured=options.area_layer == "districts").add_to(m)
    names = map_areas.district_labels(shapes, lang)
    LabelLayer(names, css_class="hs-district", name=escape(t("map.layer.district_names", lang))).add_to(m)
    if layers.places is not None and len(layers.places):
        x0, y0, x1, y1 = _view(None, options)
        box = (x0 - PLACE_MARGIN_M, y0 - PLACE_MARGIN_M, x1 + PLACE_MARGIN_M, y1 + PLACE_MARGIN_M)
        places = map_areas.place_labels(layers.places, lang, box)
        LabelLayer(places, css_class="hs-place", name=escape(t("map.layer.place_names", lang))).add_to(m)
    return legend


def build_map(layers: MapLayers, options: MapOptions | None = None) -> folium.Map:
    """Build the hotspot map: geography under, hotspots on top.

    Parameters
    ----------
    layers
        What to draw (EPSG:3067); the frames are not changed.
    options
        Language, basemap, area colouring, incident dots, view; default ``MapOptions()``.

    Returns
    -------
    folium.Map
        A map whose scripts and stylesheets are all the app's own files.

    Raises
    ------
    MapInputError
        A frame lacks a column, has no CRS or non-numeric values.
    """
    options = MapOptions() if options is None else options
    lang = options.lang
    districts = metric_frame(layers.districts, "districts", ("name_fi", "name_sv", layers.value_column))
    hotspots = None
    if layers.hotspots is not None:
        hotspots = metric_frame(layers.hotspots, "hotspots", _HOTSPOT_COLUMNS)
    box = _latlon_box(_view(hotspots, options))
    centre = [(box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2]

    m = folium.Map(
        location=centre, zoom_start=11, tiles=None, control_scale=False, prefer_canvas=False, max_zoom=19
    )
    Panes().add_to(m)
    if options.basemap is not None:
        failed = escape(t("map.note.tiles_failed", lang))
        BasemapLayer(options.basemap, name=escape(t("map.layer.basemap", lang)), failed_note=failed).add_to(m)
    legends = [_areas(m, layers, options, districts)]
    outlined, legend = measure_layer(layers.measures, lang)
    if outlined is not None:
        outlined.add_to(m)
        legends.append(legend)
    if options.show_incidents and layers.incidents is not None and len(layers.incidents):
        dots, legend = incident_layer(layers.incidents, lang=lang, exact_points_max=options.exact_points_max)
        if dots is not None:
            dots.add_to(m)
        legends.append(legend)
    if hotspots is not None:
        drawn, legend = hotspot_layer(hotspots, lang)
        if drawn is not None:
            drawn.add_to(m)
            legends.insert(0, legend)  # the lead layer leads the legend too
    if options.selected_hotspot is not None:
        SelectHotspot(str(options.selected_hotspot)).add_to(m)
    m.fit_bounds(box)
    if options.draw:
        DrawArea(title=t("map.draw.title", lang), hint=t("map.draw.hint", lang)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    MapChrome(
        legend="".join(part for part in legends if part),
        legend_title=t("map.legend.title", lang),
        note=escape(options.note),
        background=map_areas.LAND_COLOUR,
        close_label=t("map.note_close", lang),
    ).add_to(m)
    urls = options.asset_urls if options.asset_urls is not None else package_asset_urls()
    return localise_map(m, urls)


def selection_layer(hotspot_id: str | None) -> folium.FeatureGroup:
    """Return the small layer that shows a hotspot choice on a map already drawn.

    The app passes it to ``st_folium(feature_group_to_add=...)``: streamlit-folium adds it
    to the map in the browser without rebuilding the map, so a popup the user opened stays
    open. It outlines the hotspot and, unless its popup is open already (it was clicked on
    the map), flies to it and opens the popup.

    Parameters
    ----------
    hotspot_id
        The chosen hotspot; None clears the choice.

    Returns
    -------
    folium.FeatureGroup
        Not listed in the layer control.
    """
    group = folium.FeatureGroup(name="selection", control=False)
    SelectHotspot(hotspot_id).add_to(group)
    return group
