"""The map on the real peruspiiri layer: names, hotspots, escaping, points vs density, payload."""

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
from pyproj import Transformer

from geo.districts import load_districts
from views import map_layers, mapview
from views.map_layers import MapInputError
from views.mapview import MapLayers, MapOptions, build_map, incidents_bounds

EVIL = "<script>alert(1)</script>"
EVIL_JS = "${alert(2)}`\\"
TO_WGS84 = Transformer.from_crs(3067, 4326, always_xy=True)
KALLIO_XY = (386_400.0, 6_675_500.0)  # a point in peruspiiri Kallio


def in_page(text: str) -> str:
    """How folium writes ``text`` inside JSON in the page (Jinja's htmlsafe tojson)."""
    return (
        json.dumps(text)[1:-1]
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def geojson_layers(m: folium.Map) -> dict[str, folium.GeoJson]:
    return {child.layer_name: child for child in m._children.values() if isinstance(child, folium.GeoJson)}


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
            "top_category": ["drug_dealing", EVIL, "assault"],
            "categories": ["drug_dealing 60 %, assault 40 %", EVIL_JS, "assault 100 %"],
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


@pytest.fixture(scope="module")
def page_fi(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> str:
    incidents = synthetic_incidents(300)
    incidents.loc[0, "description"] = EVIL
    incidents.loc[1, "category"] = EVIL
    m = build_map(
        MapLayers(
            districts=districts,
            value_column="value",
            value_label="Tapahtumia",
            hotspots=hotspots,
            incidents=incidents,
        ),
        MapOptions(lang="fi"),
    )
    return str(m.get_root().render())


def test_district_names_follow_the_language(districts: gpd.GeoDataFrame, page_fi: str) -> None:
    m_sv = build_map(
        MapLayers(districts=districts, value_column="value", value_label="Händelser"), MapOptions(lang="sv")
    )
    page_sv = m_sv.get_root().render()
    assert in_page("Kallio") in page_fi and in_page("Berghäll") not in page_fi
    assert in_page("Berghäll") in page_sv and in_page("<b>Kallio</b>") not in page_sv
    tips = [f["properties"]["tip"] for f in geojson_layers(m_sv)["Områden: Händelser"].data["features"]]
    assert len(tips) == len(districts)


def test_values_are_formatted_and_missing_is_grey(districts: gpd.GeoDataFrame) -> None:
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="Tapahtumia"), MapOptions(lang="fi")
    )
    layer = geojson_layers(m)["Alueet: Tapahtumia"]
    tips = {f["id"]: f["properties"]["tip"] for f in layer.data["features"]}
    row = int(np.flatnonzero(districts["name_fi"] == "Kallio")[0])
    expected = f"{int(districts['value'].iloc[row]):,}".replace(",", "\u00a0")
    assert tips[f"d{row}"] == f"<b>Kallio</b><br>Tapahtumia: {expected}"
    empty = int(np.flatnonzero(districts["name_fi"] == "Vironniemi")[0])
    assert tips[f"d{empty}"].endswith("ei tietoa")
    style = layer.style_function({"id": f"d{empty}"})
    assert style["fillColor"] == map_layers.NO_DATA_COLOUR
    other = layer.style_function({"id": f"d{row}"})
    assert other["fillColor"] in map_layers.DISTRICT_COLOURS
    page = m.get_root().render()
    assert in_page("ei tietoa") in page


def test_choropleth_classes_order_the_values(districts: gpd.GeoDataFrame) -> None:
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v"), MapOptions(lang="en")
    )
    layer = geojson_layers(m)["Districts: v"]
    order = np.argsort(districts["value"].to_numpy())
    finite = [i for i in order if np.isfinite(districts["value"].iloc[i])]
    shades = [
        map_layers.DISTRICT_COLOURS.index(layer.style_function({"id": f"d{i}"})["fillColor"]) for i in finite
    ]
    assert shades == sorted(shades) and shades[0] == 0 and shades[-1] == len(map_layers.DISTRICT_COLOURS) - 1


def test_hotspots_have_rank_labels_colours_and_popups(hotspots: gpd.GeoDataFrame, page_fi: str) -> None:
    for rank in (1, 2, 3):
        assert in_page(f'<div class="hs-rank">{rank}</div>') in page_fi
    assert in_page("Poliisin jalkapartio pe–la öisin") in page_fi
    assert in_page("Huumekauppa") in page_fi  # top category translated
    assert in_page("1\u00a0234") in page_fi  # count formatted


def test_rank_one_is_red_and_the_last_yellow(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v", hotspots=hotspots),
        MapOptions(lang="en"),
    )
    layer = geojson_layers(m)["Hotspots"]
    by_rank = {}
    for feature in layer.data["features"]:
        rank = int(re.search(r"Hotspot (\d+)", feature["properties"]["tip"]).group(1))  # type: ignore[union-attr]
        by_rank[rank] = layer.style_function(feature)["fillColor"]
    assert by_rank[1] == map_layers.HOTSPOT_COLOURS[0]
    assert by_rank[3] == map_layers.HOTSPOT_COLOURS[-1]
    assert by_rank[2] not in (by_rank[1], by_rank[3])


def test_every_text_is_escaped(page_fi: str) -> None:
    # Neither raw nor as JSON that Leaflet would turn back into a tag.
    assert EVIL not in page_fi
    assert in_page(EVIL) not in page_fi
    assert in_page(html.escape(EVIL)) in page_fi
    # ${...}, backticks and backslashes are inert as HTML entities.
    assert in_page(EVIL_JS) not in page_fi
    assert in_page("&#36;{alert(2)}&#96;&#92;") in page_fi


def test_escaping_of_names_and_labels(districts: gpd.GeoDataFrame) -> None:
    frame = districts.copy()
    frame["name_fi"] = frame["name_fi"].where(frame["name_fi"] != "Kallio", EVIL)
    m = build_map(MapLayers(districts=frame, value_column="value", value_label=EVIL), MapOptions(lang="fi"))
    page = m.get_root().render()
    assert EVIL not in page and in_page(EVIL) not in page
    assert in_page(html.escape(EVIL)) in page


def test_no_tiles_means_no_tile_layer_but_everything_else(
    districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame, page_fi: str
) -> None:
    assert "L.tileLayer" not in page_fi
    assert re.findall(r"https?://", page_fi) == []
    assert "L.control.scale()" in page_fi and "L.control.layers" in page_fi
    assert in_page(mapview.BACKGROUND_COLOUR) in page_fi or mapview.BACKGROUND_COLOUR in page_fi
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v", hotspots=hotspots),
        MapOptions(
            lang="en", tiles_url="https://tiles.example.test/{z}/{x}/{y}.png", tiles_attribution="© Example"
        ),
    )
    page = m.get_root().render()
    assert page.count("L.tileLayer") == 1 and "https://tiles.example.test/{z}/{x}/{y}.png" in page
    assert set(geojson_layers(m)) == {"Districts: v", "Hotspots"}


def test_tiles_need_an_attribution(districts: gpd.GeoDataFrame) -> None:
    with pytest.raises(MapInputError, match="tiles_attribution"):
        build_map(
            MapLayers(districts=districts, value_column="value", value_label="v"),
            MapOptions(tiles_url="https://x.test/{z}/{x}/{y}"),
        )


def test_wgs84_only_at_the_edge(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v", hotspots=hotspots),
        MapOptions(lang="en"),
    )
    coords = np.array(
        [
            xy
            for feature in geojson_layers(m)["Districts: v"].data["features"]
            for xy in shapely.get_coordinates(shapely.geometry.shape(feature["geometry"]))
        ]
    )
    assert coords[:, 0].min() > 24.7 and coords[:, 0].max() < 25.3
    assert coords[:, 1].min() > 59.9 and coords[:, 1].max() < 60.35
    assert np.all(np.round(coords, 6) == coords)
    # Simplified (5 m) but still the same shape: fewer vertices, same area.
    original = districts.geometry.count_coordinates().sum()
    assert len(coords) < 0.5 * original
    drawn = gpd.GeoSeries(
        [shapely.geometry.shape(f["geometry"]) for f in geojson_layers(m)["Districts: v"].data["features"]],
        crs=4326,
    ).to_crs(3067)
    assert abs(drawn.area.sum() / districts.area.sum() - 1) < 0.002
    # Each rank label sits inside its hotspot, reprojected back independently here.
    (labels,) = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    markers = [c for c in labels._children.values() if isinstance(c, folium.Marker)]
    back = Transformer.from_crs(4326, 3067, always_xy=True)
    locations = [mk.location for mk in markers if mk.location is not None]
    points = [shapely.Point(back.transform(lon, lat)) for lat, lon in locations]
    inside = [int(hotspots.geometry.contains(point).sum()) for point in points]
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
    (s, w), (n, e) = _fit_bounds(
        build_map(MapLayers(**common, hotspots=hotspots), MapOptions(selected_hotspot="hs-c"))
    )
    lon, lat = TO_WGS84.transform(391_000.0, 6_678_500.0)
    assert s < lat < n and w < lon < e and (n - s) < 0.02
    helsinki = _fit_bounds(
        build_map(MapLayers(**common, hotspots=hotspots), MapOptions(selected_hotspot="gone"))
    )
    assert helsinki == _fit_bounds(build_map(MapLayers(**common)))
    (s, w), (n, e) = helsinki
    lon, lat = TO_WGS84.transform(*KALLIO_XY)
    assert s < lat < n and w < lon < e and (e - w) > 0.4


def test_selected_hotspot_is_outlined(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v", hotspots=hotspots),
        MapOptions(selected_hotspot="hs-b"),
    )
    layer = geojson_layers(m)["Hotspotit"]
    weights = {
        re.search(r"\d+", f["properties"]["tip"]).group(0): layer.style_function(f)["weight"]  # type: ignore[union-attr]
        for f in layer.data["features"]
    }
    assert weights == {"1": 2, "2": 4, "3": 2}


def test_few_incidents_are_points_with_popups(districts: gpd.GeoDataFrame) -> None:
    incidents = synthetic_incidents(120)
    incidents.loc[5, "x_m"] = np.nan
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v", incidents=incidents),
        MapOptions(lang="sv"),
    )
    layer = geojson_layers(m)["Händelser"]
    assert isinstance(layer.marker, folium.CircleMarker)
    features = layer.data["features"]
    assert len(features) == 119
    first = features[0]["properties"]
    assert first["k"] in {"Misshandel", "Rån", "Narkotikahandel"}
    assert first["t"] == incidents["occurred_at"].iloc[0].strftime("%Y-%m-%d %H:%M")
    assert first["d"] == "tapaus 0"


def test_many_incidents_become_density_cells_without_small_ones(districts: gpd.GeoDataFrame) -> None:
    # Known answer: three 250 m cells holding 7, 3 and 12 incidents.
    cells = {(1546, 26_690): 7, (1546, 26_691): 3, (1550, 26_700): 12}
    xs, ys = [], []
    for (ix, iy), count in cells.items():
        xs += [ix * 250 + 10 + 20 * k for k in range(count)]
        ys += [iy * 250 + 125] * count
    incidents = pd.DataFrame({"x_m": xs, "y_m": ys, "description": EVIL})
    m = build_map(
        MapLayers(districts=districts, value_column="value", value_label="v", incidents=incidents),
        MapOptions(lang="en", exact_points_max=10),
    )
    layer = geojson_layers(m)["Incident density (250 m cells)"]
    tips = {f["properties"]["tip"]: f["geometry"] for f in layer.data["features"]}
    # The cell of 3 is not drawn at all: a "<5" cell would mark where a lone incident is.
    assert set(tips) == {"Incidents in cell: 7", "Incidents in cell: 12"}
    page = m.get_root().render()
    assert "alert(1)" not in page  # descriptions never reach the density layer
    assert in_page("cells with fewer than 5 are not shown") in page


def test_payload_of_100k_incidents_stays_small(
    districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame
) -> None:
    incidents = synthetic_incidents(100_000)
    m = build_map(
        MapLayers(
            districts=districts, value_column="value", value_label="v", hotspots=hotspots, incidents=incidents
        )
    )
    size = len(m.get_root().render())
    assert size < 3_000_000, size
    layer = geojson_layers(m)["Tapahtumatiheys (250 m ruudut)"]
    counted = 0
    for feature in layer.data["features"]:
        match = re.search(r": (\d[\d\u00a0]*)$", feature["properties"]["tip"])
        if match:
            n_cells = shapely.get_num_geometries(shapely.geometry.shape(feature["geometry"]))
            counted += int(match.group(1).replace("\u00a0", "")) * n_cells
    assert 90_000 < counted <= 100_000  # only the suppressed cells' incidents are not counted


def test_exact_points_page_stays_small(districts: gpd.GeoDataFrame) -> None:
    m = build_map(
        MapLayers(
            districts=districts, value_column="value", value_label="v", incidents=synthetic_incidents(2000)
        )
    )
    assert len(m.get_root().render()) < 1_500_000


def test_inputs_are_not_mutated(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    incidents = synthetic_incidents(500)
    frames = (districts, hotspots, incidents)
    before = [frame.copy(deep=True) for frame in frames]
    for limit in (10, 5000):
        build_map(
            MapLayers(
                districts=districts,
                value_column="value",
                value_label="v",
                hotspots=hotspots,
                incidents=incidents,
            ),
            MapOptions(exact_points_max=limit, selected_hotspot="hs-a"),
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
    with pytest.raises(MapInputError, match="x_m/y_m"):
        build_map(
            MapLayers(
                districts=districts, value_column="value", value_label="v", incidents=pd.DataFrame({"a": [1]})
            )
        )
    with pytest.raises(ValueError, match="lang"):
        build_map(
            MapLayers(districts=districts, value_column="value", value_label="v"), MapOptions(lang="de")
        )


def test_empty_hotspots_and_incidents_draw_only_districts(
    districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame
) -> None:
    m = build_map(
        MapLayers(
            districts=districts,
            value_column="value",
            value_label="v",
            hotspots=hotspots.iloc[0:0],
            incidents=synthetic_incidents(10).iloc[0:0],
        ),
        MapOptions(lang="en"),
    )
    assert set(geojson_layers(m)) == {"Districts: v"}
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
