"""The map's own Leaflet pieces: panes in drawing order, compact label layers, hotspots, basemap, chrome.

folium draws one JavaScript statement block per marker, which for hundreds of names and
numbers would make the page large; these elements write their data once as JSON and loop
over it in the browser. Every text they carry is HTML-escaped by the caller
(``views.map_layers.escape``) and JSON-encoded here with Jinja's ``tojson``, so it is inert
inside the page's ``<script>``.

Drawing order is set by Leaflet panes (``PANES``): sea, district colours, outlines, names,
measures (dashed outlines, under the hotspots so that these stay the lead), incidents,
then the hotspots, the chosen hotspot's outline and the hotspot numbers on top of
everything but tooltips and popups. Each pane lets pointer events through except on
its interactive shapes, so a hotspot above a district never blocks the district's tooltip
elsewhere. The hotspots register themselves in the page (``window.hsSelect``), so the
choice of a hotspot can be shown in the browser without rebuilding the map: a click on a
hotspot or its number opens its popup and outlines it at once, and
:class:`SelectHotspot` (sent by the app as a small separate layer) does the same for a
choice made in the ranking table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from folium.elements import MacroElement
from folium.map import Layer
from folium.template import Template

#: Leaflet panes (name, z-index), bottom to top. Leaflet's own: tiles 200, overlays 400,
#: markers 600, tooltips 650, popups 700.
PANES: Final[tuple[tuple[str, int], ...]] = (
    ("hs-sea", 250),
    ("hs-areas", 300),
    ("hs-outlines", 410),
    ("hs-names", 420),
    ("hs-measures", 430),
    ("hs-incidents", 450),
    ("hs-hotspots", 620),
    ("hs-selection", 630),
    ("hs-labels", 640),
)
PANE_Z: Final[dict[str, int]] = dict(PANES)

CSS: Final = """
.leaflet-container { font: 12px/1.35 system-ui, sans-serif; }
.hs-legend { background: rgba(255,255,255,0.94); padding: 4px 8px 6px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); max-width: 220px; max-height: 45vh; overflow-y: auto; color: #222; }
.hs-legend button.hs-toggle { border: none; background: none; font: bold 12px system-ui, sans-serif;
  cursor: pointer; padding: 2px 0; color: #222; }
.hs-legend.hs-collapsed .hs-legend-body { display: none; }
.hs-legend h4 { margin: 5px 0 2px; font-size: 12px; }
.hs-legend .hs-row { display: flex; align-items: center; gap: 6px; }
.hs-legend .hs-swatch { width: 14px; height: 10px; border: 1px solid #777; flex: none; }
.hs-legend .hs-dot { width: 9px; height: 9px; border-radius: 5px; border: 1px solid #fff; flex: none; }
.hs-legend .hs-ramp { height: 9px; border: 1px solid #777; margin: 2px 0; }
.hs-legend .hs-ends { display: flex; justify-content: space-between; gap: 8px; }
.hs-legend .hs-muted { color: #555; }
.hs-note { background: rgba(255,248,225,0.95); border: 1px solid #c9a227; border-radius: 4px;
  padding: 4px 22px 4px 8px; max-width: 260px; color: #3d3000; position: relative; }
.hs-note-close { position: absolute; top: 1px; right: 3px; border: none; background: none;
  font: 16px/1 system-ui, sans-serif; color: #3d3000; cursor: pointer; padding: 2px; }
.hs-label-icon { background: none; border: none; }
.hs-label { position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  pointer-events: none; text-align: center; }
.hs-district { font: 600 11px/1.1 system-ui, sans-serif; color: #37424d; letter-spacing: 0.02em;
  text-shadow: 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.hs-district.hs-focus { font-size: 13px; color: #111; }
.hs-place { font: italic 11px/1.1 system-ui, sans-serif; color: #4b4b4b;
  text-shadow: 0 0 2px #fff, 0 0 3px #fff; }
.hs-rank-icon { background: none; border: none; }
.hs-rank { width: 24px; height: 24px; border-radius: 12px; background: #fff; border: 2px solid #7a0000;
  color: #7a0000; font: bold 12px/20px system-ui, sans-serif; text-align: center; box-sizing: border-box;
  box-shadow: 0 1px 3px rgba(0,0,0,0.45); cursor: pointer; }
.hs-rank.hs-chosen { background: #7a0000; color: #fff; }
.hs-popup th { text-align: left; padding-right: 8px; vertical-align: top; font-weight: 600; }
.hs-popup td { vertical-align: top; }
.hs-popup .hs-title { font-weight: 700; font-size: 13px; margin-bottom: 3px; }
"""


class Panes(MacroElement):
    """Create ``PANES`` on the map; every pane passes pointer events on except on interactive shapes."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            {%- for name, z in this.panes %}
            var pane = map.createPane({{ name|tojson }});
            pane.style.zIndex = {{ z }};
            pane.style.pointerEvents = "none";
            {%- endfor %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Panes"
        self.panes = PANES


class LabelLayer(Layer):
    """Text labels drawn as non-interactive DivIcons, each shown from its own zoom level on.

    Parameters
    ----------
    items
        ``[lat, lon, html, min_zoom]`` per label; ``html`` already escaped.
    css_class
        Class of every label (``hs-district``, ``hs-place``; a fifth item adds one).
    name
        Name in the layer control.
    pane
        Leaflet pane.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
            var items = {{ this.items|tojson }};
            var group = L.layerGroup();
            var markers = items.map(function (it) {
                var cls = {{ this.css_class|tojson }} + (it.length > 4 ? " " + it[4] : "");
                return L.marker([it[0], it[1]], {
                    icon: L.divIcon({
                        className: "hs-label-icon", iconSize: [0, 0],
                        html: '<div class="hs-label ' + cls + '">' + it[2] + "</div>"
                    }),
                    interactive: false, keyboard: false, pane: {{ this.pane|tojson }}
                });
            });
            function update() {
                var z = map.getZoom();
                markers.forEach(function (marker, i) {
                    var show = z >= items[i][3];
                    if (show && !group.hasLayer(marker)) { group.addLayer(marker); }
                    if (!show && group.hasLayer(marker)) { group.removeLayer(marker); }
                });
            }
            map.on("zoomend", update);
            map.whenReady(update);
            return group;
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, items: list[list[Any]], *, css_class: str, name: str, pane: str = "hs-names") -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "LabelLayer"
        self.items = items
        self.css_class = css_class
        self.pane = pane


class HotspotLayer(Layer):
    """Hotspot polygons with popups and tooltips, their numbers, and the choice shown in the browser.

    Parameters
    ----------
    shapes
        GeoJSON FeatureCollection: ``properties`` ``hotspot_id``, ``tip`` and ``title``
        (escaped HTML), ``rows`` (``[head index, escaped value]``) and ``c`` (fill colour).
    labels
        ``[lat, lon, rank, min_zoom, hotspot_id, title]`` per number (``title`` plain text,
        set as a DOM property, never parsed as HTML).
    heads
        Popup row labels (escaped), indexed by the rows.
    name
        Name in the layer control.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
            var byId = {}, anchors = {}, labels = {}, heads = {{ this.heads|tojson }};
            function popup(p) {
                var rows = p.rows.map(function (r) {
                    return "<tr><th>" + heads[r[0]] + "</th><td>" + r[1] + "</td></tr>";
                });
                return '<div class="hs-popup"><div class="hs-title">' + p.title + "</div><table>"
                    + rows.join("") + "</table></div>";
            }
            var group = L.featureGroup();
            // The numbers sit in a plain layer group: a click on one must not reach the
            // feature group as a click on a shape (streamlit-folium would send the number's
            // point instead of the hotspot it opens).
            var numbers = L.layerGroup();
            group.addLayer(numbers);
            L.geoJSON({{ this.shapes|tojson }}, {
                pane: "hs-hotspots",
                style: function (feature) {
                    var c = feature.properties.c;
                    return {fillColor: c, fillOpacity: 0.6, color: {{ this.outline|tojson }}, weight: 2.5};
                },
                onEachFeature: function (feature, layer) {
                    var id = feature.properties.hotspot_id;
                    byId[id] = layer;
                    layer.bindPopup(popup(feature.properties), {maxWidth: 340, autoPanPadding: [30, 30]});
                    layer.bindTooltip(feature.properties.tip, {sticky: true, direction: "top"});
                    layer.on("click", function () { window.hsSelect(id, {}); });
                    group.addLayer(layer);
                }
            });
            {{ this.labels|tojson }}.forEach(function (it) {
                var id = it[4];
                anchors[id] = L.latLng(it[0], it[1]);
                var marker = L.marker(anchors[id], {
                    icon: L.divIcon({
                        className: "hs-rank-icon", iconSize: [24, 24], iconAnchor: [12, 12],
                        html: '<div class="hs-rank">' + Number(it[2]) + "</div>"
                    }),
                    pane: "hs-labels", zIndexOffset: -it[2], riseOnHover: true, title: it[5]
                });
                marker.on("click", function () {
                    if (byId[id]) { byId[id].fire("click", {latlng: anchors[id]}, true); }
                });
                labels[id] = [marker, it[3]];
            });
            function mark(id, chosen) {
                var element = labels[id] && labels[id][0].getElement();
                if (element && element.firstChild) {
                    element.firstChild.classList.toggle("hs-chosen", chosen);
                }
            }
            function update() {
                var z = map.getZoom();
                Object.keys(labels).forEach(function (id) {
                    var show = z >= labels[id][1] || id === window.hsChosen;
                    if (show && !numbers.hasLayer(labels[id][0])) { numbers.addLayer(labels[id][0]); }
                    if (!show && numbers.hasLayer(labels[id][0])) { numbers.removeLayer(labels[id][0]); }
                });
                if (window.hsChosen) { mark(window.hsChosen, true); }
            }
            map.on("zoomend", update);
            map.whenReady(update);
            window.hsSelect = function (id, opts) {
                opts = opts || {};
                if (window.hsOutline) { map.removeLayer(window.hsOutline); window.hsOutline = null; }
                if (window.hsChosen) { mark(window.hsChosen, false); }
                window.hsChosen = id && byId[id] ? id : null;
                update();
                if (!window.hsChosen) { return; }
                var layer = byId[id];
                window.hsOutline = L.geoJSON(layer.toGeoJSON(), {pane: "hs-selection", interactive: false,
                    style: {color: "#000000", weight: 5, opacity: 0.9, fill: false}}).addTo(map);
                mark(id, true);
                var open = map._popup && map.hasLayer(map._popup) && map._popup._source === layer;
                if (!opts.reveal || open) { return; }
                var bounds = layer.getBounds();
                var show = function () { layer.openPopup(anchors[id] || bounds.getCenter()); };
                if (map.getBounds().contains(bounds) && map.getZoom() >= 14) { show(); return; }
                map.once("moveend", show);
                map.flyToBounds(bounds, {maxZoom: 15, padding: [60, 60], duration: 0.6});
            };
            return group;
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        shapes: dict[str, Any],
        labels: list[list[Any]],
        *,
        heads: list[str],
        name: str,
        outline: str = "#7a0000",
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "HotspotLayer"
        self.shapes = shapes
        self.labels = labels
        self.heads = heads
        self.outline = outline


class SelectHotspot(MacroElement):
    """Show a hotspot as chosen: outline it and, when it is not open already, fly to it and open its popup.

    Parameters
    ----------
    hotspot_id
        The hotspot; None clears the choice.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.hsSelect) { window.hsSelect({{ this.hotspot_id|tojson }}, {reveal: true}); }
        {% endmacro %}
        """
    )

    def __init__(self, hotspot_id: str | None) -> None:
        super().__init__()
        self._name = "SelectHotspot"
        self.hotspot_id = hotspot_id


@dataclass(frozen=True)
class Basemap:
    """Street map tiles under the map.

    Attributes
    ----------
    url
        XYZ template (``{z}/{x}/{y}``, ``{-y}``) or WMS GetMap template with ``{bbox}``
        (EPSG:3857); a path such as ``/app/static/tiles/...`` for the app's own copy.
    attribution
        What the tile licence requires the map to show (the deployer's text, may hold HTML).
    min_native_zoom, max_native_zoom
        Zoom levels the tiles exist for (a local copy); other zooms scale them.
    bounds
        Lon/lat box (west, south, east, north) outside which no tile is asked for.
    probe_url
        One tile the browser loads first; the tiles are drawn only when it comes.
    """

    url: str
    attribution: str
    min_native_zoom: int | None = None
    max_native_zoom: int | None = None
    bounds: tuple[float, float, float, float] | None = None
    probe_url: str | None = None


class BasemapLayer(Layer):
    """The tiles of a :class:`Basemap`, drawn once a first tile came; else a note says why there are none.

    Parameters
    ----------
    basemap
        Where the tiles are.
    name
        Name in the layer control.
    failed_note
        Shown in the map (escaped HTML) when the browser gets no tile.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
            var url = {{ this.basemap.url|tojson }};
            var options = {{ this.options|tojson }};
            if (options.bounds) { options.bounds = L.latLngBounds(options.bounds); }
            var layer = L.tileLayer(url, options);
            if (url.indexOf("{bbox}") >= 0) {
                layer.getTileUrl = function (c) {
                    var half = 20037508.342789244, span = 2 * half / Math.pow(2, c.z);
                    var minx = -half + c.x * span, maxy = half - c.y * span;
                    var box = [minx, maxy - span, minx + span, maxy].map(function (v) {
                        return v.toFixed(3);
                    });
                    return url.replace("{bbox}", box.join(","));
                };
            }
            // The tiles join the map only after one tile came: a browser that cannot reach
            // the source asks once, not for every tile in view, and the note says why.
            var holder = L.layerGroup(), loaded = 0, failed = 0;
            function giveUp() {
                if (holder.hasLayer(layer)) { holder.removeLayer(layer); }
                if (window.hsNote) { window.hsNote({{ this.failed_note|tojson }}); }
            }
            layer.on("tileload", function () { loaded += 1; });
            layer.on("tileerror", function () {
                failed += 1;
                if (failed >= 4 && loaded === 0) { giveUp(); }
            });
            var probe = {{ this.basemap.probe_url|tojson }};
            if (probe) {
                var image = new Image();
                image.onload = function () { holder.addLayer(layer); };
                image.onerror = giveUp;
                image.src = probe;
            } else {
                holder.addLayer(layer);
            }
            return holder;
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, basemap: Basemap, *, name: str, failed_note: str) -> None:
        super().__init__(name=name, overlay=False, control=True, show=True)
        self._name = "BasemapLayer"
        self.basemap = basemap
        self.failed_note = failed_note
        options: dict[str, Any] = {"attribution": basemap.attribution, "maxZoom": 19, "tileSize": 256}
        if basemap.min_native_zoom is not None:
            options["minNativeZoom"] = basemap.min_native_zoom
        if basemap.max_native_zoom is not None:
            options["maxNativeZoom"] = basemap.max_native_zoom
        if basemap.bounds is not None:
            west, south, east, north = basemap.bounds
            options["bounds"] = [[south, west], [north, east]]
        self.options = options


class MapChrome(MacroElement):
    """Page CSS, background, metric scale bar, the legend (a button folds it) and notes in the map.

    Parameters
    ----------
    legend
        Legend body (escaped HTML); none drawn when empty.
    legend_title
        The legend button's text (plain text: it is set as text, never parsed as HTML).
    note
        A note shown in the map at once (escaped HTML), e.g. why there is no street map. A
        button in its corner puts it away.
    close_label
        The name of that button (plain text, set as an attribute).
    background
        Colour under everything (the land where no tile or shape is drawn).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            map.getContainer().style.background = {{ this.background|tojson }};
            L.control.scale({metric: true, imperial: false, maxWidth: 120}).addTo(map);
            var notes = null;
            window.hsNote = function (html) {
                if (!notes) {
                    notes = L.control({position: "bottomleft"});
                    notes.onAdd = function () {
                        var div = L.DomUtil.create("div", "hs-note");
                        L.DomEvent.disableClickPropagation(div);
                        return div;
                    };
                    notes.addTo(map);
                }
                // The note's text, and a button that puts it away (it can cover hotspots).
                var box = notes.getContainer();
                box.innerHTML = '<span class="hs-note-text"></span>'
                    + '<button type="button" class="hs-note-close">\u00d7</button>';
                box.querySelector(".hs-note-text").innerHTML = html;
                var close = box.querySelector(".hs-note-close");
                close.setAttribute("aria-label", {{ this.close_label|tojson }});
                close.title = {{ this.close_label|tojson }};
                L.DomEvent.on(close, "click", function () { box.style.display = "none"; });
                box.style.display = "";
            };
            {%- if this.note %}
            window.hsNote({{ this.note|tojson }});
            {%- endif %}
            {%- if this.legend %}
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "hs-legend");
                div.innerHTML = '<button type="button" class="hs-toggle" aria-expanded="true"></button>'
                    + '<div class="hs-legend-body"></div>';
                var button = div.querySelector("button");
                button.textContent = {{ this.legend_title|tojson }} + " \\u25BE";
                div.querySelector(".hs-legend-body").innerHTML = {{ this.legend|tojson }};
                L.DomEvent.on(button, "click", function () {
                    var folded = div.classList.toggle("hs-collapsed");
                    button.setAttribute("aria-expanded", folded ? "false" : "true");
                    button.textContent = {{ this.legend_title|tojson }} + (folded ? " \\u25B8" : " \\u25BE");
                });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            {%- endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, *, legend: str, legend_title: str, note: str, background: str, close_label: str
    ) -> None:
        super().__init__()
        self._name = "MapChrome"
        self.css = CSS
        self.legend = legend
        self.legend_title = legend_title
        self.note = note
        self.close_label = close_label
        self.background = background
