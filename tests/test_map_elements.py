"""The map's own Leaflet pieces (views.map_elements): what they write into the page, escaped."""

from __future__ import annotations

import json
import re

import folium

from views.map_elements import (
    PANES,
    Basemap,
    BasemapLayer,
    HotspotLayer,
    LabelLayer,
    MapChrome,
    Panes,
    SelectHotspot,
)

EVIL_ID = '"); alert(1); ("'


def _page(*elements: object) -> str:
    m = folium.Map(location=[60.17, 24.94], zoom_start=12, tiles=None)
    for element in elements:
        element.add_to(m)  # type: ignore[attr-defined]
    return str(m.get_root().render())


def test_panes_are_created_bottom_to_top_and_let_clicks_through() -> None:
    page = _page(Panes())
    created = re.findall(
        r'createPane\("([^"]+)"\);\s*pane\.style\.zIndex = (\d+);\s*pane\.style\.pointerEvents = "none"', page
    )
    assert [(name, int(z)) for name, z in created] == list(PANES)
    assert [z for _, z in PANES] == sorted(z for _, z in PANES)


def test_labels_carry_their_zoom_and_stay_json() -> None:
    items = [[60.18, 24.95, "Kallio &amp; co", 11], [60.17, 24.94, "&lt;b&gt;", 0, "hs-focus"]]
    page = _page(LabelLayer(items, css_class="hs-district", name="Names"))
    data = re.search(r"var items = (\[.*?\]\]);", page)
    assert data is not None and json.loads(data.group(1)) == items
    assert "<b>" not in page.split("var items", 1)[1].split(";", 1)[0]  # JSON-escaped (\u003c), never a tag
    assert '"hs-names"' in page and "interactive: false" in page


def test_hotspot_numbers_open_the_hotspot_not_whatever_lies_below() -> None:
    shapes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "h0",
                "properties": {
                    "hotspot_id": EVIL_ID,
                    "tip": "Hotspot 1",
                    "title": "Hotspot 1",
                    "rows": [[0, "3"]],
                    "c": "#d7191c",
                },
                "geometry": {"type": "Point", "coordinates": [24.94, 60.17]},
            }
        ],
    }
    page = _page(
        HotspotLayer(
            shapes, [[60.17, 24.94, 1, 0, EVIL_ID, "Hotspot 1"]], heads=["Incidents"], name="Hotspots"
        )
    )
    assert (
        'byId[id].fire("click", {latlng: anchors[id]}, true)' in page
    )  # the number fires its hotspot's click
    assert 'pane: "hs-labels"' in page and 'pane: "hs-hotspots"' in page
    assert EVIL_ID not in page  # the id travels as JSON data, never as code or markup
    assert "Number(it[2])" in page and "window.hsSelect = function" in page


def test_select_hotspot_sends_the_id_as_data() -> None:
    page = _page(SelectHotspot(EVIL_ID), SelectHotspot(None))
    assert 'window.hsSelect("\\"); alert(1); (\\"", {reveal: true})' in page
    assert "window.hsSelect(null, {reveal: true})" in page


def test_basemap_of_a_wms_or_a_local_copy() -> None:
    wms = Basemap("https://maps.example.test/wms?BBOX={bbox}&SRS=EPSG:3857", "© City")
    page = _page(BasemapLayer(wms, name="Street map", failed_note="No street map"))
    assert 'url.replace("{bbox}"' in page and "20037508.342789244" in page
    assert '"attribution": "\\u00a9 City"' in page
    assert "failed >= 4 && loaded === 0" in page and 'window.hsNote("No street map")' in page
    assert "var probe = null;" in page  # no probe tile: the tiles join the map at once
    probe = "https://maps.example.test/p.png"
    probed = _page(BasemapLayer(Basemap(wms.url, "© City", probe_url=probe), name="S", failed_note="x"))
    assert f'var probe = "{probe}";' in probed and "image.onerror = giveUp" in probed
    local = Basemap("/app/static/tiles/abc/{z}/{x}/{y}.png", "© City", 10, 16, (24.78, 60.1, 25.27, 60.3))
    options = BasemapLayer(local, name="Street map", failed_note="x").options
    assert options["minNativeZoom"] == 10 and options["maxNativeZoom"] == 16
    assert options["bounds"] == [[60.1, 24.78], [60.3, 25.27]]


def test_chrome_scale_note_and_folding_legend() -> None:
    page = _page(
        MapChrome(
            legend="<h4>Hotspots</h4>",
            legend_title="Legend",
            note="Offline &amp; fine",
            background="#f3f1ec",
            close_label='Sulje "<b>"',
        )
    )
    assert "L.control.scale({metric: true, imperial: false" in page
    assert 'window.hsNote("Offline \\u0026amp; fine")' in page
    # The note can be put away; its button's name is set as an attribute, never parsed as HTML.
    assert 'close.setAttribute("aria-label", "Sulje \\"\\u003cb\\u003e\\"")' in page
    assert 'box.style.display = "none"' in page
    assert "hs-collapsed" in page and 'button.setAttribute("aria-expanded"' in page
    assert "button.textContent" in page  # the title is text, never parsed as HTML
    bare = _page(MapChrome(legend="", legend_title="Legend", note="", background="#fff", close_label="Close"))
    assert "hs-legend" not in bare.split("<script>", 1)[1].split("window.hsNote = function", 1)[1]
