"""The whole map on the real districts: drawing order, names, escaping, one colour scale, sea, payload."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.geometry
from pyproj import Transformer

from geo import demo
from geo.districts import hierarchy, land_and_sea, load_districts
from hotspots.selection import Selection
from tests.test_map_areas import assert_no_overlap
from views import livemap, map_areas, map_layers, mapview
from views.map_elements import PANE_Z, Basemap, HotspotLayer, LabelLayer, MapChrome, SelectHotspot
from views.map_layers import MapInputError
from views.mapview import MapLayers, MapOptions, build_map, incidents_bounds

EVIL = "<script>alert(1)</script>"
EVIL_JS = "${alert(2)}`\\"
TO_WGS84 = Transformer.from_crs(3067, 4326, always_xy=True)
KALLIO_XY = (386_400.0, 6_675_500.0)  # a point in peruspiiri Kallio
LAND, SEA = land_and_sea(download=False) or (None, None)


def in_page(text: str) -> str:
    """How ``text`` is written inside JSON in the page (Jinja's htmlsafe tojson)."""
    return (
        json.dumps(text)[1:-1]
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def children(m: folium.Map, kind: type) -> list[Any]:
    return [child for child in m._children.values() if isinstance(child, kind)]


def geojson_layers(m: folium.Map) -> dict[str, folium.GeoJson]:
    return {child.layer_name: child for child in children(m, folium.GeoJson)}


def chrome(m: folium.Map) -> MapChrome:
    (found,) = children(m, MapChrome)
    return found


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    frame = load_districts("peruspiiri")
    # A value with thousands, and one district without data.
    frame["value"] = (np.arange(len(frame)) * 97 + 1000).astype(float)
    frame.loc[frame["name_fi"] == "Vironniemi", "value"] = np.nan
    return frame


@pytest.fixture(scope="module")
def hotspots() -> gpd.GeoDataFrame:
    centres = [(386_400.0, 6_672_300.0), (385_700.0, 6_675_100.0), (391_000.0, 6_678_500.0)]
    return gpd.GeoDataFrame(
        {
            "id": ["hs-a", "hs-b", "hs-c"],
            "rank": [1, 2, 3],
            "n": [1234, 80, 40],
            "district": ["Kluuvi", EVIL, "Vallila"],
            "top_category": ["drug_dealing", EVIL, "assault"],
            "categories": [{"drug_dealing": 740, "assault": 494}, EVIL_JS, {"assault": 40}],
            "peak_windows": ["pe–la 22–02", None, "ma 15–17"],
            "trend": ["kasvaa", "vakaa", "uusi"],
            "recommendation": ["Poliisin jalkapartio pe–la öisin", "Nuorisotyön jalkautuminen", EVIL],
        },
        geometry=[shapely.Point(c).buffer(350) for c in centres],
        crs=3067,
    )


def synthetic_incidents(n: int, seed: int = 7) -> pd.DataFrame:
    """Half in three tight clusters, half spread over the city; times in 2026."""
    rng = np.random.default_rng(seed)
    centres = np.array([[386_400.0, 6_672_300.0], [385_700.0, 6_675_100.0], [391_000.0, 6_678_500.0]])
    k = n // 2
    clustered = centres[rng.integers(0, 3, k)] + rng.normal(0, 150, (k, 2))
    spread = np.column_stack([rng.uniform(378_000, 403_000, n - k), rng.uniform(6_668_000, 6_685_000, n - k)])
    xy = np.vstack([clustered, spread])
    start = pd.Timestamp("2026-01-01", tz="Europe/Helsinki")
    return pd.DataFrame(
        {
            "x_m": xy[:, 0],
            "y_m": xy[:, 1],
            "category": rng.choice(["assault", "robbery", "drug_dealing"], n),
            "occurred_at": start + pd.to_timedelta(rng.integers(0, 180 * 86_400, n), unit="s"),
            "description": [f"tapaus {i}" for i in range(n)],
        }
    )


def full_layers(
    districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | None, incidents: pd.DataFrame
) -> MapLayers:
    return MapLayers(
        districts=districts,
        value_column="value",
        value_label="Tapahtumia",
        hotspots=hotspots,
        incidents=incidents,
        land=LAND,
        sea=SEA,
    )


@pytest.fixture(scope="module")
def map_fi(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> folium.Map:
    incidents = synthetic_incidents(300)
    incidents.loc[0, "description"] = EVIL
    incidents.loc[1, "category"] = EVIL
    return build_map(full_layers(districts, hotspots, incidents), MapOptions(lang="fi", show_incidents=True))


@pytest.fixture(scope="module")
def page_fi(map_fi: folium.Map) -> str:
    return str(map_fi.get_root().render())


def test_hotspots_are_drawn_above_everything_and_dots_below_them(map_fi: folium.Map, page_fi: str) -> None:
    created = dict(
        (name, int(z))
        for name, z in re.findall(r'createPane\("([^"]+)"\);\s*pane\.style\.zIndex = (\d+)', page_fi)
    )
    assert created == PANE_Z
    layers = geojson_layers(map_fi)
    pane_of = {name: layer.options.get("pane") for name, layer in layers.items()}
    assert pane_of["Tapahtumat"] == "hs-incidents" and pane_of["Alueet: Tapahtumia"] == "hs-areas"
    assert '"pane": "hs-incidents"' in page_fi  # the dots themselves, not only their group
    assert 'pane: "hs-hotspots"' in page_fi and 'pane: "hs-labels"' in page_fi
    z = created
    assert (
        z["hs-sea"] < z["hs-areas"] < z["hs-outlines"] < z["hs-names"] < z["hs-incidents"] < z["hs-hotspots"]
    )
    assert (
        z["hs-hotspots"] < z["hs-selection"] < z["hs-labels"] < 650
    )  # Leaflet's tooltips and popups stay on top
    # Panes let clicks through except on interactive shapes: a hotspot never blocks a district's tooltip.
    assert page_fi.count('pane.style.pointerEvents = "none"') == len(PANE_Z)


def test_district_names_follow_the_language(districts: gpd.GeoDataFrame, page_fi: str) -> None:
    m_sv = build_map(
        MapLayers(districts=districts, value_column="value", value_label="Händelser", land=LAND),
        MapOptions(lang="sv"),
    )
    page_sv = m_sv.get_root().render()
    assert in_page("Kallio") in page_fi and in_page("Berghäll") not in page_fi
    assert in_page("Berghäll") in page_sv and in_page("<b>Kallio</b>") not in page_sv
    tips = [f["properties"]["tip"] for f in geojson_layers(m_sv)["Områden: Händelser"].data["features"]]
    assert len(tips) == len(districts)
    (names,) = children(m_sv, LabelLayer)
    assert "Berghäll" in {item[2] for item in names.items} and len(names.items) == len(districts)


def test_values_are_formatted_and_missing_is_grey(districts: gpd.GeoDataFrame) -> None:
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="Tapahtumia", land=LAND),
        MapOptions(lang="fi"),
    )
    layer = geojson_layers(m)["Alueet: Tapahtumia"]
    tips = {f["id"]: f["properties"]["tip"] for f in layer.data["features"]}
    row = int(np.flatnonzero(districts["name_fi"] == "Kallio")[0])
    expected = f"{int(districts['value'].iloc[row]):,}".replace(",", "\u00a0")
    assert tips[f"d{row}"] == f"<b>Kallio</b><br>Tapahtumia: {expected}"
    empty = int(np.flatnonzero(districts["name_fi"] == "Vironniemi")[0])
    assert tips[f"d{empty}"].endswith("ei tietoa")
    assert layer.style_function({"id": f"d{empty}"})["fillColor"] == map_areas.NO_DATA_COLOUR
    assert layer.style_function({"id": f"d{row}"})["fillColor"] in map_areas.DISTRICT_COLOURS
    assert "ei tietoa" in chrome(m).legend


def test_one_colour_scale_with_classes_that_order_and_do_not_overlap(districts: gpd.GeoDataFrame) -> None:
    layers = full_layers(districts, None, synthetic_incidents(3000))
    m = build_map(layers, MapOptions(lang="en"))
    layer = geojson_layers(m)["Districts: Tapahtumia"]
    order = np.argsort(districts["value"].to_numpy())
    finite = [i for i in order if np.isfinite(districts["value"].iloc[i])]
    shades = [
        map_areas.DISTRICT_COLOURS.index(layer.style_function({"id": f"d{i}"})["fillColor"]) for i in finite
    ]
    assert shades == sorted(shades) and shades[0] == 0 and shades[-1] == len(map_areas.DISTRICT_COLOURS) - 1
    labels = re.findall(r'hs-swatch" style="background:#[0-9a-f]{6}"></span>([^<]+)</div>', chrome(m).legend)
    assert_no_overlap(labels[:-1])  # the last row is "no data"
    assert not any(name.startswith("Incident density") for name in geojson_layers(m))
    density = build_map(layers, MapOptions(lang="en", area_layer="density"))
    names = set(geojson_layers(density))
    assert "Incident density (250 m cells)" in names and "Districts: Tapahtumia" not in names
    density_labels = re.findall(
        r'hs-swatch" style="background:#[0-9a-f]{6}"></span>([^<]+)</div>', chrome(density).legend
    )
    assert_no_overlap(density_labels)


def test_chosen_district_is_outlined_and_alone_coloured(districts: gpd.GeoDataFrame) -> None:
    focus = livemap.focus_area(load_districts("osaalue"), hierarchy(), Selection(peruspiiri=("301",)))
    assert focus is not None
    layers = MapLayers(
        districts=districts, value_column="value", value_label="v", land=LAND, sea=SEA, focus=focus
    )
    m = build_map(layers, MapOptions(lang="fi", bounds_m=tuple(focus.bounds)))
    fill = geojson_layers(m)["Alueet: v"]
    assert [f["properties"]["tip"].split("<br>")[0] for f in fill.data["features"]] == ["<b>Kallio</b>"]
    outlines = geojson_layers(m)["Aluerajat"]
    styles = {f["id"]: outlines.style_function(f) for f in outlines.data["features"]}
    assert styles["focus"]["weight"] > 3 and styles["focus"]["color"] == map_areas.FOCUS_COLOUR
    assert len(styles) == len(districts)  # 33 others thin, the chosen one strong
    legend = chrome(m).legend
    value = f"{int(districts.loc[districts['name_fi'] == 'Kallio', 'value'].iloc[0]):,}".replace(
        ",", "\u00a0"
    )
    assert legend.count("hs-swatch") == 1 and f"</span>{value}</div>" in legend  # one district, its own class
    (names,) = children(m, LabelLayer)
    assert ["Kallio", 0, "hs-focus"] in [item[2:] for item in names.items]


def test_the_sea_is_drawn_only_without_a_street_map(districts: gpd.GeoDataFrame) -> None:
    layers = MapLayers(districts=districts, value_column="value", value_label="v", land=LAND, sea=SEA)
    bare = build_map(layers, MapOptions(lang="en"))
    sea = [layer for layer in children(bare, folium.GeoJson) if layer.options.get("pane") == "hs-sea"]
    assert len(sea) == 1
    drawn = shapely.geometry.shape(sea[0].data["features"][0]["geometry"])
    assert drawn.contains(shapely.Point(25.0, 60.1)) and not drawn.contains(shapely.Point(24.949, 60.1838))
    basemap = Basemap("https://tiles.example.test/{z}/{x}/{y}.png", "© Example")
    tiled = build_map(layers, MapOptions(lang="en", basemap=basemap))
    assert not [layer for layer in children(tiled, folium.GeoJson) if layer.options.get("pane") == "hs-sea"]
    page = tiled.get_root().render()
    assert page.count("L.tileLayer(") == 1 and "https://tiles.example.test/{z}/{x}/{y}.png" in page
    assert in_page("© Example") in page


def test_hotspots_have_numbers_colours_and_popups_in_the_language(map_fi: folium.Map, page_fi: str) -> None:
    (layer,) = children(map_fi, HotspotLayer)
    assert [label[2] for label in layer.labels] == [1, 2, 3]
    popups = {f["properties"]["hotspot_id"]: f["properties"] for f in layer.shapes["features"]}
    assert popups["hs-a"]["title"] == "Hotspot 1 · Kluuvi"
    rows = {layer.heads[k]: v for k, v in popups["hs-a"]["rows"]}
    assert rows["Tapahtumia"] == "1\u00a0234" and rows["Yleisin luokka"] == "Huumekauppa"
    assert rows["Luokat"] == "Huumekauppa 740, Pahoinpitely 494"  # words, not a Python dict
    assert rows["Suositus"] == "Poliisin jalkapartio pe–la öisin"
    assert (
        popups["hs-a"]["c"] == map_layers.HOTSPOT_COLOURS[0]
        and popups["hs-c"]["c"] == map_layers.HOTSPOT_COLOURS[-1]
    )
    assert "{&#x27;" not in page_fi and "{'drug_dealing'" not in page_fi
    assert "Napsauta numeroa" in chrome(map_fi).legend


def test_every_text_is_escaped(page_fi: str) -> None:
    # Neither raw nor as JSON that Leaflet would turn back into a tag.
    assert EVIL not in page_fi
    assert in_page(EVIL) not in page_fi
    assert in_page(html.escape(EVIL)) in page_fi
    # ${...}, backticks and backslashes are inert as HTML entities.
    assert in_page(EVIL_JS) not in page_fi
    assert in_page("&#36;{alert(2)}&#96;&#92;") in page_fi


def test_escaping_of_names_labels_and_notes(districts: gpd.GeoDataFrame) -> None:
    frame = districts.copy()
    frame["name_fi"] = frame["name_fi"].where(frame["name_fi"] != "Kallio", EVIL)
    places = pd.DataFrame({"name_fi": [EVIL], "name_sv": [""], "x_m": [386_000.0], "y_m": [6_672_000.0]})
    layers = MapLayers(districts=frame, value_column="value", value_label=EVIL, places=places)
    page = build_map(layers, MapOptions(lang="fi", note=EVIL)).get_root().render()
    assert EVIL not in page and in_page(EVIL) not in page
    assert in_page(html.escape(EVIL)) in page


def test_metric_scale_only_and_a_legend_that_folds(page_fi: str) -> None:
    assert "L.control.scale({metric: true, imperial: false" in page_fi
    assert "L.control.scale()" not in page_fi and "imperial: true" not in page_fi
    assert "hs-collapsed" in page_fi and "aria-expanded" in page_fi and in_page("Selite") in page_fi


def test_no_basemap_means_no_tile_request(page_fi: str, districts: gpd.GeoDataFrame) -> None:
    assert "L.tileLayer" not in page_fi
    assert re.findall(r"https?://", page_fi) == []
    with pytest.raises(MapInputError, match="attribution"):
        MapOptions(basemap=Basemap("https://x.test/{z}/{x}/{y}", " "))


def test_wgs84_only_at_the_edge(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    m = build_map(MapLayers(districts=districts, value_column="value", value_label="v", hotspots=hotspots))
    features = geojson_layers(m)["Alueet: v"].data["features"]
    coords = np.array(
        [xy for f in features for xy in shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))]
    )
    assert coords[:, 0].min() > 24.7 and coords[:, 0].max() < 25.3
    assert coords[:, 1].min() > 59.9 and coords[:, 1].max() < 60.35
    assert np.all(np.round(coords, 6) == coords)
    # Simplified (5 m) but still the same shape: fewer vertices, same area.
    assert len(coords) < 0.5 * districts.geometry.count_coordinates().sum()
    drawn = gpd.GeoSeries([shapely.geometry.shape(f["geometry"]) for f in features], crs=4326).to_crs(3067)
    assert abs(drawn.area.sum() / districts.area.sum() - 1) < 0.002
    # Each hotspot number sits inside its hotspot, reprojected back independently here.
    (layer,) = children(m, HotspotLayer)
    back = Transformer.from_crs(4326, 3067, always_xy=True)
    inside = [
        int(hotspots.geometry.contains(shapely.Point(back.transform(lon, lat))).sum())
        for lat, lon, *_ in layer.labels
    ]
    assert inside == [1, 1, 1]


def _fit_bounds(m: folium.Map) -> list[list[float]]:
    fits = [c for c in m._children.values() if type(c).__name__ == "FitBounds"]
    assert len(fits) == 1
    bounds: list[list[float]] = getattr(fits[0], "bounds")  # noqa: B009
    return bounds


def test_view_bounds_hotspot_or_helsinki(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    common: dict[str, Any] = {"districts": districts, "value_column": "value", "value_label": "v"}
    (s, w), (n, e) = _fit_bounds(
        build_map(MapLayers(**common), MapOptions(bounds_m=(385_000, 6_670_000, 387_000, 6_673_000)))
    )
    lon0, lat0 = TO_WGS84.transform(385_000, 6_670_000)
    lon1, lat1 = TO_WGS84.transform(387_000, 6_673_000)
    assert s == pytest.approx(min(lat0, lat1), abs=2e-4) and n == pytest.approx(max(lat0, lat1), abs=2e-4)
    assert w == pytest.approx(min(lon0, lon1), abs=2e-3) and e == pytest.approx(max(lon0, lon1), abs=2e-3)
    chosen = build_map(MapLayers(**common, hotspots=hotspots), MapOptions(selected_hotspot="hs-c"))
    (s, w), (n, e) = _fit_bounds(chosen)
    lon, lat = TO_WGS84.transform(391_000.0, 6_678_500.0)
    assert s < lat < n and w < lon < e and (n - s) < 0.02
    assert [c.hotspot_id for c in children(chosen, SelectHotspot)] == ["hs-c"]
    helsinki = _fit_bounds(
        build_map(MapLayers(**common, hotspots=hotspots), MapOptions(selected_hotspot="gone"))
    )
    assert helsinki == _fit_bounds(build_map(MapLayers(**common)))
    (s, w), (n, e) = helsinki
    lon, lat = TO_WGS84.transform(*KALLIO_XY)
    assert s < lat < n and w < lon < e and (e - w) > 0.4


def test_the_choice_travels_beside_the_map() -> None:
    group = mapview.selection_layer("hs-b")
    (select,) = [c for c in group._children.values() if isinstance(c, SelectHotspot)]
    assert select.hotspot_id == "hs-b" and group.control is False
    cleared = mapview.selection_layer(None)
    (select,) = [c for c in cleared._children.values() if isinstance(c, SelectHotspot)]
    assert select.hotspot_id is None


def test_incident_dots_only_when_asked(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    incidents = synthetic_incidents(120)
    incidents.loc[5, "x_m"] = np.nan
    layers = MapLayers(districts=districts, value_column="value", value_label="v", incidents=incidents)
    assert "Händelser" not in geojson_layers(build_map(layers, MapOptions(lang="sv")))
    m = build_map(layers, MapOptions(lang="sv", show_incidents=True))
    layer = geojson_layers(m)["Händelser"]
    assert isinstance(layer.marker, folium.CircleMarker) and len(layer.data["features"]) == 119
    assert layer.data["features"][0]["properties"]["k"] in {"Misshandel", "Rån", "Narkotikahandel"}
    assert "Händelser per kategori" in chrome(m).legend


def test_density_never_carries_descriptions(districts: gpd.GeoDataFrame) -> None:
    incidents = synthetic_incidents(5000)
    incidents["description"] = EVIL
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v", incidents=incidents),
        MapOptions(lang="en", area_layer="density"),
    )
    page = m.get_root().render()
    assert "alert(1)" not in page
    assert "cells with fewer than 5 are not shown" in chrome(m).legend


def test_payload_of_100k_incidents_stays_small(
    districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame
) -> None:
    incidents = demo.generate_demo(n=100_000)  # the app's six-month default view of the 100k demo
    recent = incidents[incidents["occurred_at"] >= demo.recent_start()]
    layers = full_layers(districts, hotspots, recent)
    default = len(build_map(layers, MapOptions(lang="fi")).get_root().render())
    density = len(build_map(layers, MapOptions(lang="fi", area_layer="density")).get_root().render())
    dots = len(build_map(layers, MapOptions(lang="fi", show_incidents=True)).get_root().render())
    assert default < 250_000, default  # districts, sea, names, hotspots: no grid, no dots
    assert default < density < default + 200_000, density  # the grid merged into one shape per class
    assert dots == pytest.approx(default, rel=0.02)  # too many dots: a note, not 25k markers


def test_inputs_are_not_mutated(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    incidents = synthetic_incidents(500)
    frames = (districts, hotspots, incidents)
    before = [frame.copy(deep=True) for frame in frames]
    for area in ("districts", "density"):
        build_map(
            full_layers(districts, hotspots, incidents),
            MapOptions(area_layer=area, show_incidents=True, selected_hotspot="hs-a"),
        )
    for frame, copy in zip(frames, before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)
    assert districts.crs == before[0].crs


def test_input_errors_name_the_problem(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    common: dict[str, Any] = {"value_column": "value", "value_label": "v"}
    with pytest.raises(MapInputError, match="'rate'"):
        build_map(MapLayers(districts=districts, value_column="rate", value_label="v"))
    with pytest.raises(MapInputError, match=r"districts\['name_fi'\] must hold numbers"):
        build_map(MapLayers(districts=districts, value_column="name_fi", value_label="v"))
    with pytest.raises(MapInputError, match="no CRS"):
        build_map(MapLayers(districts=districts.set_crs(None, allow_override=True), **common))
    with pytest.raises(MapInputError, match=r"\['rank'\]"):
        build_map(MapLayers(districts=districts, hotspots=hotspots.drop(columns="rank"), **common))
    with pytest.raises(MapInputError, match=r"hotspots\['rank'\].*'top'"):
        build_map(MapLayers(districts=districts, hotspots=hotspots.assign(rank=["1", "top", "3"]), **common))
    with pytest.raises(MapInputError, match="bounds_m"):
        build_map(MapLayers(districts=districts, **common), MapOptions(bounds_m=(5, 5, 1, 1)))
    with pytest.raises(MapInputError, match="area_layer"):
        MapOptions(area_layer="grid")  # type: ignore[arg-type]
    with pytest.raises(MapInputError, match="x_m/y_m"):
        build_map(
            MapLayers(districts=districts, incidents=pd.DataFrame({"a": [1]}), **common),
            MapOptions(show_incidents=True),
        )
    with pytest.raises(ValueError, match="lang"):
        build_map(MapLayers(districts=districts, **common), MapOptions(lang="de"))


def test_empty_hotspots_and_incidents_draw_only_the_geography(
    districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame
) -> None:
    layers = full_layers(districts, hotspots.iloc[0:0], synthetic_incidents(10).iloc[0:0])
    m = build_map(layers, MapOptions(lang="en", show_incidents=True))
    assert "Districts: Tapahtumia" in geojson_layers(m) and not children(m, HotspotLayer)
    m.get_root().render()


def test_the_map_opens_where_the_incidents_are() -> None:
    # 198 incidents on a 1 km square and two far off: the outer 1 % on each side are left out.
    xs = [386_000.0 + 1_000.0 * k / 197 for k in range(198)] + [370_000.0, 410_000.0]
    ys = [6_672_000.0 + 1_000.0 * k / 197 for k in range(198)] + [6_650_000.0, 6_700_000.0]
    incidents = pd.DataFrame({"x_m": xs, "y_m": ys})
    x0, y0, x1, y1 = mapview.incidents_bounds(incidents)
    assert 385_900 < x0 < 386_100 and 386_900 < x1 < 387_100
    assert 6_671_900 < y0 < 6_672_100 and 6_672_900 < y1 < 6_673_100
    assert mapview.incidents_bounds(incidents, outer=0.0) == (370_000.0, 6_650_000.0, 410_000.0, 6_700_000.0)


def test_a_single_incident_opens_the_map_on_its_blocks_not_on_a_point() -> None:
    one = pd.DataFrame({"x_m": [386_480.0], "y_m": [6_673_997.0]})
    x0, y0, x1, y1 = incidents_bounds(one)
    assert x1 - x0 == pytest.approx(500.0) and y1 - y0 == pytest.approx(500.0)
    assert (x0 + x1) / 2 == pytest.approx(386_480.0)
