"""The live map: which street map it gets (probed on a loopback server), and a choice that keeps the map."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import streamlit_folium
from streamlit.testing.v1 import AppTest

from geo import settings, tiles
from geo.districts import hierarchy, land_and_sea, load_districts
from geo.tiles import FetchOptions
from hotspots.selection import Selection
from tests.test_mapview import synthetic_incidents
from tests.tile_server import TileServer, tile_server
from views import assets, livemap
from views.assets import AssetUrls
from views.mapview import MapLayers, MapOptions, build_map, selection_layer

SMALL_BBOX = (24.93, 60.165, 24.96, 60.175)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TileServer]:
    with tile_server() as state:
        monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
        monkeypatch.delenv(settings.ENV_DATA_DIR, raising=False)
        monkeypatch.setenv(settings.ENV_TILES_URL, state.wms())
        monkeypatch.setenv(settings.ENV_TILES_ATTRIBUTION, "© Loopback")
        yield state


@pytest.fixture
def urls(tmp_path: Path) -> AssetUrls:
    return assets.install_static_assets(tmp_path / "static")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_reachable_source_is_used_directly(server: TileServer, urls: AssetUrls) -> None:
    state = livemap.basemap_state(urls)
    assert state.status == "remote" and state.basemap is not None
    assert state.basemap.url == server.wms() and state.basemap.attribution == "© Loopback"
    assert state.basemap.probe_url == tiles.tile_url(server.wms(), *tiles.PROBE_TILE)
    assert len(server.requests) == 1  # one probe, one tile


def test_fetched_tiles_are_served_by_the_app(server: TileServer, urls: AssetUrls) -> None:
    source = tiles.configured_source()
    assert source is not None
    report = tiles.fetch_tiles(source, FetchOptions(SMALL_BBOX, (12, 13), delay_s=0), sleep=lambda _: None)
    asked = len(server.requests)
    state = livemap.basemap_state(urls)
    assert state.status == "local" and state.basemap is not None and len(server.requests) == asked  # no probe
    basemap = state.basemap
    assert basemap.url == f"/app/static/tiles/{source.key}/{{z}}/{{x}}/{{y}}.png"
    assert (basemap.min_native_zoom, basemap.max_native_zoom) == (12, 13)
    assert basemap.bounds == pytest.approx(SMALL_BBOX)
    assert basemap.probe_url is not None and urls.static_dir is not None
    probe = urls.static_dir / basemap.probe_url.removeprefix(f"{urls.url_prefix}/")
    assert probe.is_file()  # the browser's first tile is one the app serves
    assert urls.static_dir is not None
    served = sorted(
        p.relative_to(urls.static_dir / "tiles" / source.key)
        for p in (urls.static_dir / "tiles").rglob("*.png")
    )
    assert served == sorted(p.relative_to(report.folder) for p in report.folder.rglob("*.png"))


def test_an_unreachable_source_is_reported_quickly(
    server: TileServer, urls: AssetUrls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.ENV_TILES_URL, f"http://127.0.0.1:{_closed_port()}/{{z}}/{{x}}/{{y}}.png")
    start = time.monotonic()
    state = livemap.basemap_state(urls)
    assert state == livemap.BasemapState(None, "unreachable") and time.monotonic() - start < 3
    livemap._shared_basemap_state.clear()
    basemap, note = livemap.basemap(urls, "fi")
    assert basemap is None and "Katukarttaa ei saatu" in note and "hotspots tiles fetch" in note
    assert "Street map not reachable" in livemap.basemap(urls, "en")[1]
    livemap._shared_basemap_state.clear()


def test_no_basemap_or_a_bad_setting(
    server: TileServer, urls: AssetUrls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.ENV_TILES_URL, "")
    assert livemap.basemap_state(urls) == livemap.BasemapState(None, "off")
    monkeypatch.setenv(settings.ENV_TILES_URL, "https://tiles.example.test/{s}/{z}/{x}/{y}.png")
    state = livemap.basemap_state(urls)
    assert state.status == "setting" and settings.ENV_TILES_URL in state.detail
    assert server.requests == []


def test_focus_is_the_chosen_districts() -> None:
    osaalue = load_districts("osaalue")
    kallio = livemap.focus_area(osaalue, hierarchy(), Selection(peruspiiri=("301",)))
    per = load_districts("peruspiiri")
    expected = per.loc[per["code"] == "301"].geometry.iloc[0]
    assert kallio is not None and shapely.symmetric_difference(kallio, expected).area < 1e-3 * expected.area
    assert livemap.focus_area(osaalue, hierarchy(), Selection()) is None


def _script_hash(m: object) -> str:
    """What streamlit-folium keys the map component by (its own functions): same hash, same map."""
    m.get_root().render()  # type: ignore[attr-defined]
    return streamlit_folium.generate_js_hash(streamlit_folium._get_map_string(m), "map", False)  # type: ignore[arg-type]


def test_choosing_a_hotspot_does_not_rebuild_the_map() -> None:
    split = land_and_sea(download=False)
    assert split is not None
    hotspots = gpd.GeoDataFrame(
        {"id": ["a", "b"], "rank": [1, 2], "n": [30, 20]},
        geometry=[
            shapely.Point(386_400, 6_672_300).buffer(200),
            shapely.Point(391_000, 6_678_500).buffer(200),
        ],
        crs=3067,
    )
    layers = MapLayers(
        districts=load_districts("peruspiiri").assign(v=1.0),
        value_column="v",
        value_label="v",
        hotspots=hotspots,
        incidents=synthetic_incidents(500),
        land=split[0],
        sea=split[1],
    )
    options = MapOptions(lang="fi", bounds_m=(380_000.0, 6_668_000.0, 400_000.0, 6_684_000.0))
    first, second = build_map(layers, options), build_map(layers, options)
    assert _script_hash(first) == _script_hash(second)  # rebuilt on a rerun, the same component
    chosen = [
        streamlit_folium._get_feature_group_string(selection_layer(i), build_map(layers, options))
        for i in ("a", "b")
    ]
    assert chosen[0] != chosen[1] and 'window.hsSelect("a"' in chosen[0]
    other = MapOptions(lang="fi", bounds_m=(385_000.0, 6_670_000.0, 388_000.0, 6_673_000.0))
    assert _script_hash(build_map(layers, other)) != _script_hash(first)  # another district: a new map


def test_draw_hands_the_choice_beside_the_map() -> None:
    def page() -> None:
        import geopandas as gpd
        import shapely

        from views import livemap, mapframe
        from views.mapview import MapLayers, build_map

        districts = gpd.GeoDataFrame(
            {"code": ["1"], "name_fi": ["A"], "name_sv": ["A"], "v": [1.0]},
            geometry=[shapely.box(385_000, 6_671_000, 387_000, 6_673_000)],
            crs=3067,
        )
        drawn = build_map(MapLayers(districts, "v", "v"))
        frame = mapframe.frame(drawn, key="map", height=300, returned_objects=livemap.RETURNED_OBJECTS)
        livemap.draw(frame, "x", key="map")

    at = AppTest.from_function(page, default_timeout=60)
    at.run()
    assert not at.exception
    [component] = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    assert 'window.hsSelect("x"' in args["feature_group"] and args["height"] == 300
