"""The map: ``build_map`` puts the layers together, served with the app's own assets; where it opens.

``build_map`` is pure (no Streamlit) and returns a ``folium.Map`` whose every script and
stylesheet is one of the app's own files (``views.assets``). What it draws is a
``MapLayers`` (frames in EPSG:3067 metres), how it draws them a ``MapOptions``; the map
reprojects to WGS84 itself, and ``views.map_layers`` makes each layer (escaping every text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.elements import MacroElement
from folium.template import Template

import i18n
from geo import crs
from i18n import t
from views.assets import AssetUrls, localise_map, package_asset_urls
from views.map_layers import (
    MapInputError,
    choropleth_layer,
    escape,
    hotspot_layers,
    incident_layer,
    metric_frame,
)

#: Helsinki's mainland and inner islands in EPSG:3067 (minx, miny, maxx, maxy): the default view.
HELSINKI_BOUNDS_M: Final = (377_000.0, 6_665_000.0, 404_000.0, 6_686_000.0)
BACKGROUND_COLOUR: Final = "#eef1f3"
#: Margin around a chosen hotspot when the map zooms to it.
SELECTED_MARGIN_M: Final = 250.0

_HOTSPOT_COLUMNS: Final = ("id", "rank", "n")
_CSS: Final = """
.hs-legend { background: rgba(255,255,255,0.92); padding: 6px 9px; font: 12px/1.35 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35); max-width: 240px; color: #222; }
.hs-legend h4 { margin: 4px 0 3px; font-size: 12px; }
.hs-legend .hs-row { display: flex; align-items: center; gap: 6px; }
.hs-legend .hs-swatch { width: 16px; height: 11px; border: 1px solid #777; flex: none; }
.hs-legend .hs-ramp { height: 10px; border: 1px solid #777; margin: 2px 0; }
.hs-legend .hs-ends { display: flex; justify-content: space-between; gap: 8px; }
.hs-rank-icon { background: none; border: none; }
.hs-rank { width: 24px; height: 24px; border-radius: 12px; background: #fff; border: 2px solid #7a0000;
  color: #7a0000; font: bold 12px/24px sans-serif; text-align: center; box-sizing: border-box;
  line-height: 20px; box-shadow: 0 1px 3px rgba(0,0,0,0.4); }
.hs-popup th { text-align: left; padding-right: 8px; vertical-align: top; font-weight: 600; }
.hs-popup td { vertical-align: top; }
"""


class _MapDecor(MacroElement):
    """Page CSS, the map's background colour and the legend as a Leaflet control."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.getContainer().style.background = {{ this.background|tojson }};
            {%- if this.legend %}
            var {{ this.get_name() }} = L.control({position: "bottomright"});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "hs-legend");
                div.innerHTML = {{ this.legend|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *, css: str, legend: str, background: str) -> None:
        super().__init__()
        self._name = "MapDecor"
        self.css = css
        self.legend = legend
        self.background = background


def _check_bounds(bounds_m: Sequence[float]) -> tuple[float, float, float, float]:
    values = tuple(float(v) for v in bounds_m)
    if len(values) != 4 or not all(np.isfinite(values)) or values[0] >= values[2] or values[1] >= values[3]:
        raise MapInputError(
            f"bounds_m must be (minx, miny, maxx, maxy) in EPSG:3067 metres with min < max, got {bounds_m!r}"
        )
    return values[0], values[1], values[2], values[3]


@dataclass(frozen=True, eq=False)
class MapLayers:
    """What the map draws; every frame in EPSG:3067 metres.

    Attributes
    ----------
    districts
        Districts with ``code``, ``name_fi``, ``name_sv``, geometry and ``value_column``.
    value_column
        Numeric column that colours the districts; None/NaN draws grey "no data".
    value_label
        Already translated name of the value (legend and tooltips).
    hotspots
        Hotspot polygons with ``id``, ``rank``, ``n`` and optionally ``top_category``,
        ``categories``, ``peak_windows``, ``trend`` or ``status``, ``recommendation``
        (strings); rank 1 is drawn red, the last yellow.
    incidents
        Incidents with ``x_m``/``y_m`` (or ``lon``/``lat``) and optionally ``category``,
        ``occurred_at``, ``description``.
    """

    districts: gpd.GeoDataFrame
    value_column: str
    value_label: str
    hotspots: gpd.GeoDataFrame | None = None
    incidents: pd.DataFrame | None = None


@dataclass(frozen=True)
class MapOptions:
    """How the map draws its layers; checked when made.

    Attributes
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"`` (English uses the Finnish district names).
    tiles_url
        XYZ tile URL template; empty or None draws no basemap.
    tiles_attribution
        Attribution of the tiles (HTML allowed: it is the deployer's configuration);
        required with ``tiles_url``.
    selected_hotspot
        Hotspot ``id`` to outline and zoom to; an id not on the map is ignored.
    bounds_m
        ``(minx, miny, maxx, maxy)`` in EPSG:3067 to zoom to; wins over ``selected_hotspot``.
    exact_points_max
        Up to this many incidents are drawn as points with popups; more are drawn as
        counts per grid cell (no descriptions, small page).
    density_cell_m
        Side of a density cell in metres.
    min_cell_count
        Cells with fewer incidents are not drawn (they would locate lone incidents).
    asset_urls
        Where the browser loads Leaflet and the rest; default :func:`views.assets.package_asset_urls`.

    Raises
    ------
    MapInputError
        A value is out of range, or tiles lack their attribution.
    """

    lang: str = i18n.DEFAULT_LANGUAGE
    tiles_url: str | None = None
    tiles_attribution: str = ""
    selected_hotspot: str | None = None
    bounds_m: tuple[float, float, float, float] | None = None
    exact_points_max: int = 2000
    density_cell_m: float = 250.0
    min_cell_count: int = 5
    asset_urls: AssetUrls | None = None

    def __post_init__(self) -> None:
        i18n.check_language(self.lang)
        if self.exact_points_max < 0:
            raise MapInputError(f"exact_points_max must be >= 0, got {self.exact_points_max}")
        if not self.density_cell_m > 0:
            raise MapInputError(f"density_cell_m must be > 0 metres, got {self.density_cell_m}")
        if self.min_cell_count < 1:
            raise MapInputError(f"min_cell_count must be >= 1, got {self.min_cell_count}")
        if self.tiles_url and not self.tiles_attribution.strip():
            raise MapInputError(
                "tiles_attribution must name the tile provider when tiles_url is set "
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


def build_map(layers: MapLayers, options: MapOptions | None = None) -> folium.Map:
    """Build the hotspot map: districts by value, hotspots by rank, incidents.

    Parameters
    ----------
    layers
        What to draw (EPSG:3067 frames); the frames are not changed.
    options
        Language, basemap, chosen hotspot, view and density settings; default ``MapOptions()``.

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

    m = folium.Map(location=centre, zoom_start=11, tiles=None, control_scale=True, prefer_canvas=True)
    if options.tiles_url:
        folium.TileLayer(
            tiles=options.tiles_url,
            attr=options.tiles_attribution,
            name=escape(t("map.layer.basemap", lang)),
            overlay=False,
        ).add_to(m)

    legends: list[str] = []
    choropleth, legend = choropleth_layer(districts, layers.value_column, layers.value_label, lang)
    if choropleth is not None:
        choropleth.add_to(m)
    legends.append(legend)

    if layers.incidents is not None and len(layers.incidents) > 0:
        points, legend = incident_layer(
            layers.incidents,
            lang=lang,
            exact_points_max=options.exact_points_max,
            cell_m=options.density_cell_m,
            min_count=options.min_cell_count,
        )
        if points is not None:
            points.add_to(m)
        legends.append(legend)

    if hotspots is not None:
        selected = None if options.selected_hotspot is None else str(options.selected_hotspot)
        polygons, labels, legend = hotspot_layers(hotspots, lang, selected)
        if polygons is not None and labels is not None:
            polygons.add_to(m)
            labels.add_to(m)
        legends.append(legend)

    m.fit_bounds(box)
    folium.LayerControl(collapsed=True).add_to(m)
    _MapDecor(
        css=_CSS, legend="".join(part for part in legends if part), background=BACKGROUND_COLOUR
    ).add_to(m)
    urls = options.asset_urls if options.asset_urls is not None else package_asset_urls()
    return localise_map(m, urls)
