"""Draw an area on the live map, for a measure that is neither a hotspot nor whole districts.

Leaflet.draw is not among the map's own assets (the app serves every script itself, and
folium's Draw plugin loads it from a CDN), so ``DrawArea`` is a small tool of our own: a
button in the map's corner; while it is pressed each click adds a corner, a double click,
Enter or a click on the first corner closes the area, Escape cancels. The closed area is
handed to streamlit-folium as Leaflet.draw would hand it (the map's ``draw:created``
event), so it arrives in the page's map state as ``last_active_drawing``, marked with the
property ``DRAWN_PROPERTY`` (a hotspot's click carries ``hotspot_id`` instead).
``drawn_area`` reads it back in EPSG:3067 metres, or says in one line why it cannot be used.

While drawing, hotspots and other shapes let clicks through (they would otherwise open
their popups and choose a hotspot).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import shapely
from folium.elements import MacroElement
from jinja2 import Template

from geo import crs
from geo.errors import ParameterError
from hotspots.measure_files import to_metric

#: Property that marks a drawn area in the map state.
DRAWN_PROPERTY: Final = "hs_drawn"
#: Smallest area taken, m² (a double click on one spot is no area).
MIN_AREA_M2: Final = 100.0
#: Largest area taken, m²: Helsinki's land is about 214 km²; a measure is local.
MAX_AREA_M2: Final = 50e6
#: Outline of the area drawn (and of the corners while drawing).
DRAW_COLOUR: Final = "#1b5e20"

_CSS: Final = """
.hs-drawing, .hs-drawing .leaflet-interactive { cursor: crosshair !important; }
.hs-drawing .leaflet-interactive { pointer-events: none !important; }
.hs-draw a { font-size: 18px; font-weight: bold; }
.hs-draw a[aria-pressed="true"] { background: #1b5e20; color: #fff; }
.hs-draw-hint { display: none; background: #fff; padding: 4px 8px; max-width: 220px;
  font: 12px/1.3 sans-serif; border-top: 1px solid #ccc; }
.hs-drawing .hs-draw-hint { display: block; }
"""


class DrawArea(MacroElement):
    """The map's draw button (see the module).

    Parameters
    ----------
    title
        The button's tooltip, e.g. "Draw an area for a measure" (plain text).
    hint
        The line shown while drawing: how to add corners, close and cancel (plain text).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            var container = map.getContainer();
            var style = {color: {{ this.colour|tojson }}, weight: 2, dashArray: "6 4", interactive: false};
            var drawing = false, points = [], line = null, drawn = null, button = null;
            function clear() {
                points = [];
                if (line) { map.removeLayer(line); line = null; }
            }
            function stop() {
                drawing = false;
                clear();
                L.DomUtil.removeClass(container, "hs-drawing");
                map.doubleClickZoom.enable();
                button.setAttribute("aria-pressed", "false");
            }
            function start() {
                clear();
                if (drawn) { map.removeLayer(drawn); drawn = null; }
                drawing = true;
                L.DomUtil.addClass(container, "hs-drawing");
                map.doubleClickZoom.disable();
                button.setAttribute("aria-pressed", "true");
            }
            function finish() {
                // A double click also clicks twice on its spot: keep one corner there.
                var corners = points.filter(function (p, i) { return i === 0 || !p.equals(points[i - 1]); });
                if (corners.length < 3) { return; }
                var area = L.polygon(corners, Object.assign({fillOpacity: 0.12}, style));
                area.feature = {type: "Feature", properties: { {{ this.drawn_property|tojson }}: 1 }};
                stop();
                drawn = area.addTo(map);
                map.fire("draw:created", {layer: area, layerType: "polygon"});
            }
            var Tool = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function () {
                    var bar = L.DomUtil.create("div", "leaflet-bar hs-draw");
                    button = L.DomUtil.create("a", "", bar);
                    button.href = "#";
                    button.setAttribute("role", "button");
                    button.setAttribute("aria-pressed", "false");
                    button.title = {{ this.title|tojson }};
                    button.setAttribute("aria-label", {{ this.title|tojson }});
                    button.textContent = "\\u270E";
                    var hint = L.DomUtil.create("div", "hs-draw-hint", bar);
                    hint.textContent = {{ this.hint|tojson }};
                    L.DomEvent.disableClickPropagation(bar);
                    L.DomEvent.on(button, "click", function (e) {
                        L.DomEvent.preventDefault(e);
                        if (drawing) { stop(); } else { start(); }
                    });
                    return bar;
                }
            });
            map.addControl(new Tool());
            map.on("click", function (e) {
                if (!drawing) { return; }
                if (points.length >= 3 && map.latLngToContainerPoint(points[0])
                        .distanceTo(e.containerPoint) < 8) { finish(); return; }
                points.push(e.latlng);
                if (line) { line.setLatLngs(points); } else { line = L.polyline(points, style).addTo(map); }
            });
            map.on("dblclick", function () { if (drawing) { finish(); } });
            L.DomEvent.on(document, "keydown", function (e) {
                if (!drawing) { return; }
                if (e.key === "Escape") { stop(); }
                if (e.key === "Enter") { finish(); }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, title: str, hint: str) -> None:
        super().__init__()
        self._name = "DrawArea"
        self.css = _CSS
        self.colour = DRAW_COLOUR
        self.drawn_property = DRAWN_PROPERTY
        self.title = title
        self.hint = hint


def drawn_feature(state: object) -> Mapping[str, Any] | None:
    """Return the area drawn on the map from streamlit-folium's map state, or None.

    Parameters
    ----------
    state
        The map component's session value (a dict with ``last_active_drawing``), or anything.

    Returns
    -------
    Mapping or None
        The GeoJSON feature of the last area drawn; None when the last thing picked on the
        map was not a drawn area (a hotspot, nothing).
    """
    drawing = state.get("last_active_drawing") if isinstance(state, Mapping) else None
    if not isinstance(drawing, Mapping):
        return None
    properties = drawing.get("properties")
    return drawing if isinstance(properties, Mapping) and properties.get(DRAWN_PROPERTY) else None


#: Why a drawn shape cannot be a measure's area: codes for ``i18n`` (``measure.drawn.<code>``).
PROBLEMS: Final = ("not_area", "outside", "too_small", "too_large")


def drawn_area(feature: Mapping[str, Any]) -> tuple[shapely.Geometry | None, str | None]:
    """Return a drawn feature's polygon in EPSG:3067 metres, or why it cannot be a measure's area.

    Parameters
    ----------
    feature
        From ``drawn_feature``: a GeoJSON Polygon in WGS84 lon/lat.

    Returns
    -------
    tuple
        ``(area, None)`` with a valid area (a self-crossing outline is repaired into the
        parts it encloses), or ``(None, problem)`` with a code of ``PROBLEMS``: not a
        polygon, outside the Helsinki region, smaller than ``MIN_AREA_M2``, larger than
        ``MAX_AREA_M2``.
    """
    geometry = feature.get("geometry")
    if not isinstance(geometry, Mapping) or geometry.get("type") != "Polygon":
        return None, "not_area"
    try:
        lonlat = shapely.geometry.shape(geometry)
    except (TypeError, ValueError, AttributeError, IndexError, shapely.errors.ShapelyError):
        return None, "not_area"
    try:
        metric = shapely.make_valid(to_metric(lonlat, crs.WGS84, "the drawn area"))
    except ParameterError:
        return None, "outside"
    if metric.is_empty or metric.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return None, "not_area"
    parts = shapely.get_parts(metric)  # a repaired outline may hold lines: keep what encloses area
    metric = shapely.union_all(parts[shapely.area(parts) > 0])
    if metric.area < MIN_AREA_M2:
        return None, "too_small"
    if metric.area > MAX_AREA_M2:
        return None, "too_large"
    return metric, None
