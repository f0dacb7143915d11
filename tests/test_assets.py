"""The map's files come from installed packages and are served by the app: no CDN link survives."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import branca.colormap
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from branca.element import Element
from folium.elements import JSCSSMixin

from geo.districts import load_districts
from geo.tiles import TileCache
from views import assets, map_areas, mapview
from views.assets import AssetUrls, MapAssetsError
from views.map_elements import Basemap
from views.mapview import MapLayers, MapOptions

SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)", re.IGNORECASE)
LINK_HREF = re.compile(r"<link\b[^>]*\bhref=[\"']([^\"']+)", re.IGNORECASE)
ANY_URL = re.compile(r"https?://[^\s\"'<>)\\]+", re.IGNORECASE)


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    frame = load_districts("peruspiiri")
    frame["value"] = np.arange(len(frame), dtype=float) * 10
    return frame


@pytest.fixture(scope="module")
def hotspots() -> gpd.GeoDataFrame:
    centres = [(386_400.0, 6_672_300.0), (385_700.0, 6_675_100.0)]
    return gpd.GeoDataFrame(
        {"id": ["h1", "h2"], "rank": [1, 2], "n": [90, 40], "recommendation": ["patrol", "outreach"]},
        geometry=[shapely.Point(c).buffer(300) for c in centres],
        crs=3067,
    )


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> AssetUrls:
    return assets.install_static_assets(tmp_path_factory.mktemp("static"))


def _links(page: str) -> list[str]:
    return SCRIPT_SRC.findall(page) + LINK_HREF.findall(page)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _streamlit_folium_links(m: folium.Map) -> list[str]:
    """The js/css links st_folium hands to its frontend (see its source, checked below)."""
    links: list[str] = []
    for element in _walk(m):
        links += [href for _, href in getattr(element, "default_css", [])]
        links += [src for _, src in getattr(element, "default_js", [])]
    return links


def test_xstatic_packages_are_installed_with_the_files() -> None:
    urls = assets.package_asset_urls()
    assert len(urls.files) == sum(len(p.files) for p in assets.PACKAGES)
    for url, path in urls.files:
        assert path.is_file() and path.stat().st_size > 0, url
        assert "site-packages" in path.parts or "dist-packages" in path.parts
    assert "1.9" in urls.leaflet_js  # the version is part of the URL, so caches renew on upgrade


def test_install_copies_every_file_byte_for_byte(tmp_path: Path) -> None:
    urls = assets.install_static_assets(tmp_path / "static")
    originals = dict(assets.package_asset_urls().files)
    for url, path in urls.files:
        assert url.startswith("/app/static/vendor/")
        assert path == tmp_path / "static" / url.removeprefix("/app/static/")
        assert path.read_bytes() == originals[url].read_bytes()
    assert {urls.leaflet_js, urls.leaflet_css, urls.markercluster_js} <= dict(urls.files).keys()


def test_install_is_idempotent_and_repairs(tmp_path: Path) -> None:
    first = assets.install_static_assets(tmp_path)
    stamps = {url: path.stat().st_mtime_ns for url, path in first.files}
    second = assets.install_static_assets(tmp_path)
    assert second == first
    assert {url: path.stat().st_mtime_ns for url, path in second.files} == stamps  # nothing rewritten
    leaflet = first.path_for(first.leaflet_js)
    original = leaflet.read_bytes()
    leaflet.write_bytes(b"broken")
    first.path_for(first.markercluster_js).unlink()
    assets.install_static_assets(tmp_path)
    assert leaflet.read_bytes() == original
    assert first.path_for(first.markercluster_js).is_file()
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]  # no temporary files left


def test_fetched_tiles_are_linked_into_the_static_folder_once(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "tiles" / "0123456789abcdef"
    tiles_written = {}
    for z, x, y in [(12, 2331, 1185), (12, 2332, 1185), (13, 4663, 2370)]:
        path = folder / str(z) / str(x) / f"{y}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([z, x % 256, y % 256]))
        tiles_written[path.relative_to(folder)] = path.read_bytes()
    cache = TileCache(folder=folder, min_zoom=12, max_zoom=13, bbox=(24.9, 60.1, 25.0, 60.2), count=3)
    urls = assets.install_static_assets(tmp_path / "static")
    assert urls.static_dir == tmp_path / "static" and urls.url_prefix == assets.DEFAULT_URL_PREFIX
    template = assets.install_tiles(urls, cache)
    assert template == "/app/static/tiles/0123456789abcdef/{z}/{x}/{y}.png"
    served = tmp_path / "static" / "tiles" / "0123456789abcdef"
    assert {p.relative_to(served): p.read_bytes() for p in served.rglob("*.png")} == tiles_written
    before = {p: p.stat().st_mtime_ns for p in served.rglob("*.png")}
    assets.install_tiles(urls, cache)  # again: nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in served.rglob("*.png")} == before
    assert not list(served.rglob("*.part"))
    with pytest.raises(MapAssetsError, match="install_static_assets"):
        assets.install_tiles(assets.package_asset_urls(), cache)


def test_url_prefix_must_be_a_local_path(tmp_path: Path) -> None:
    assert assets.package_asset_urls(url_prefix="/static/").leaflet_js.startswith("/static/vendor/")
    with pytest.raises(MapAssetsError, match="url_prefix"):
        assets.install_static_assets(tmp_path, url_prefix="https://cdn.example.com")


def test_stylesheet_images_resolve_beside_the_copies(urls: AssetUrls) -> None:
    css_urls = [url for url, _ in urls.files if url.endswith(".css")]
    for css_url in css_urls:
        css = urls.path_for(css_url).read_text(encoding="utf-8")
        for ref in re.findall(r"url\(['\"]?([^'\")#]+)['\"]?\)", css):
            assert urls.path_for(css_url.rsplit("/", 1)[0] + "/" + ref).is_file(), ref


def test_stock_folium_map_is_localised(urls: AssetUrls) -> None:
    class_js = list(folium.Map.default_js)
    m = folium.Map(tiles=None)
    page_before = m.get_root().render()
    assert any(link.startswith("https://") for link in _links(page_before))  # folium's defaults are CDNs
    assets.localise_map(m, urls)
    page = m.get_root().render()
    served = dict(urls.files)
    assert _links(page) and all(link in served for link in _links(page))
    assert ANY_URL.findall(page) == []
    assert "bootstrap" not in page and "awesome" not in page
    assert "jquery" not in page.lower()  # no script of the map calls it
    assert folium.Map.default_js == class_js  # only the instance changed


def test_marker_cluster_plugin_gets_local_files(urls: AssetUrls) -> None:
    m = folium.Map(tiles=None)
    cluster = folium.plugins.MarkerCluster().add_to(m)
    folium.CircleMarker([60.17, 24.94], radius=3).add_to(cluster)
    assets.localise_map(m, urls)
    links = _links(m.get_root().render())
    assert urls.markercluster_js in links and urls.markercluster_default_css in links
    assert links.index(urls.leaflet_js) < links.index(urls.markercluster_js)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        (lambda: folium.Marker([60.17, 24.94], icon=folium.Icon(color="red")), "folium.Icon"),
        (lambda: branca.colormap.LinearColormap(["red", "blue"]), "colormap"),
        (lambda: folium.plugins.Fullscreen(), "cdn.jsdelivr.net|https://"),
    ],
)
def test_elements_that_need_the_internet_are_refused(urls: AssetUrls, element: object, message: str) -> None:
    m = folium.Map(tiles=None)
    m.add_child(element())  # type: ignore[operator]
    with pytest.raises(MapAssetsError, match=message):
        assets.localise_map(m, urls)


def test_streamlit_folium_reads_the_lists_we_localise() -> None:
    spec = importlib.util.find_spec("streamlit_folium")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    # st_folium walks the map and reads each element's default_js/default_css instance value.
    assert 'getattr(elem, "default_js", [])' in source
    assert 'getattr(elem, "default_css", [])' in source
    assert "isinstance(fig, folium.elements.JSCSSMixin)" in source


def test_built_map_loads_only_served_files(
    urls: AssetUrls, districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame
) -> None:
    incidents = pd.DataFrame({"x_m": [386_400.0, 386_450.0], "y_m": [6_672_300.0, 6_672_320.0]})
    m = mapview.build_map(
        MapLayers(
            districts=districts,
            value_column="value",
            value_label="Tapahtumia",
            hotspots=hotspots,
            incidents=incidents,
        ),
        MapOptions(
            lang="fi",
            basemap=Basemap(
                "https://tiles.example.test/{z}/{x}/{y}.png",
                '&copy; <a href="https://example.test/copyright">Example</a>',
            ),
            show_incidents=True,
            asset_urls=urls,
        ),
    )
    page = m.get_root().render()
    served = dict(urls.files)
    links = _links(page)
    assert links and all(link in served and served[link].is_file() for link in links)
    assert set(ANY_URL.findall(page)) == {
        "https://tiles.example.test/{z}/{x}/{y}.png",
        "https://example.test/copyright",
    }
    collected = _streamlit_folium_links(m)
    assert collected and all(link in served for link in collected)
    assert not [link for link in links + collected if "jquery" in link.lower()]
    mixins = [e for e in _walk(m) if isinstance(e, JSCSSMixin)]
    assert mixins and all(e.default_js is not folium.Map.default_js for e in mixins)


def test_standalone_page_inlines_everything(districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> None:
    m = mapview.build_map(
        MapLayers(districts=districts, value_column="value", value_label="Count", hotspots=hotspots),
        MapOptions(lang="en"),
    )
    page = assets.standalone_html(m)
    assert _links(page) == []
    assert (
        ANY_URL.findall(re.sub(r"<script>.*?</script>|<style>.*?</style>", "", page, flags=re.DOTALL)) == []
    )
    assert "Leaflet 1.9" in page or '"1.9.3"' in page  # Leaflet's code is in the page
    assert "jQuery" not in page  # folium links it, no script of the map calls it
    assert "data:image/png;base64," in page  # layer-control icons inlined
    assert "sourceMappingURL" not in page
    # Each inlined script ends where it should: an HTML parser sees the same script elements
    # as in the page with links.
    assert _script_elements(page) == _script_elements(m.get_root().render()) >= 3


def _script_elements(page: str) -> int:
    counts = {"start": 0, "end": 0}

    class Counter(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            counts["start"] += tag == "script"

        def handle_endtag(self, tag: str) -> None:
            counts["end"] += tag == "script"

    Counter().feed(page)
    assert counts["start"] == counts["end"]
    return counts["start"]


def test_standalone_refuses_a_file_it_does_not_serve(urls: AssetUrls) -> None:
    m = folium.Map(tiles=None)
    figure = m.get_root()
    assert isinstance(figure, folium.Figure)
    figure.header.add_child(folium.JavascriptLink("/app/static/other/thing.js"), name="thing")
    with pytest.raises(MapAssetsError, match=r"thing\.js"):
        assets.standalone_html(m, urls=urls)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_standalone_map_draws_in_a_browser_without_network(
    tmp_path: Path, districts: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame
) -> None:
    from PIL import Image

    top = hotspots.iloc[[0]]
    x, y = top.geometry.iloc[0].centroid.coords[0]
    m = mapview.build_map(
        MapLayers(districts=districts, value_column="value", value_label="n", hotspots=top),
        MapOptions(lang="fi", bounds_m=(x - 1_500, y - 1_000, x + 1_500, y + 1_000)),
    )
    page = tmp_path / "map.html"
    page.write_text(assets.standalone_html(m), encoding="utf-8")
    shot = tmp_path / "map.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--proxy-server=127.0.0.1:9",  # any request for the internet fails at once
            "--virtual-time-budget=4000",
            f"--screenshot={shot}",
            "--window-size=800,600",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    height, width, _ = image.shape
    # Inside the hotspot (300 m radius; the view is 3 km wide): rank 1 is red over the district.
    r, g, b = image[height // 2 + 30, width // 2 + 30]
    assert r > 180 and r - g > 60 and r - b > 60, (r, g, b)
    # Districts drew elsewhere: the background colour is not what fills the page.
    background = np.array([int(map_areas.LAND_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
    share_background = np.mean(np.all(np.abs(image - background) <= 2, axis=2))
    share_white = np.mean(np.all(image >= 250, axis=2))
    assert share_background < 0.5 and share_white < 0.5, (share_background, share_white)
