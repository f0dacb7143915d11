"""Basemap tiles: tile arithmetic against pyproj, the source setting, and the fetcher on a loopback server."""

from __future__ import annotations

import json
import math
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyproj import Transformer

from geo import settings, tiles
from geo.errors import ParameterError
from geo.tiles import FetchOptions, TileServiceError, TileSource
from tests.tile_server import TileServer, tile_server

TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
#: Central Helsinki, two zoom levels: 1 + 2 x 2 tiles or so, quick to serve.
SMALL_BBOX = (24.93, 60.165, 24.96, 60.175)


@pytest.fixture
def server() -> Iterator[TileServer]:
    with tile_server() as state:
        yield state


class Sleeps:
    """Records the pauses the fetcher takes instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def _tile_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.png"))


def test_tile_of_matches_pyproj_web_mercator() -> None:
    for lon, lat in [(24.9414, 60.1719), (25.2, 60.25), (24.8, 60.1)]:
        mx, my = TO_3857.transform(lon, lat)
        for zoom in (10, 12, 16):
            span = 2 * tiles._HALF_WORLD_M / 2**zoom
            expected = (
                math.floor((mx + tiles._HALF_WORLD_M) / span),
                math.floor((tiles._HALF_WORLD_M - my) / span),
            )
            assert tiles.tile_of(lon, lat, zoom) == expected
    assert tiles.tile_of(24.9414, 60.1719, 12) == tiles.PROBE_TILE[1:]


def test_wms_bbox_is_the_tiles_box_in_web_mercator() -> None:
    zoom, x, y = 14, 9326, 4742
    n = 2**zoom
    lon0, lon1 = x / n * 360 - 180, (x + 1) / n * 360 - 180
    lat0 = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    lat1 = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    (minx, maxx), (miny, maxy) = TO_3857.transform([lon0, lon1], [lat0, lat1])
    url = tiles.tile_url("http://h/wms?BBOX={bbox}&W=256", zoom, x, y)
    got = [float(v) for v in url.split("BBOX=")[1].split("&")[0].split(",")]
    assert got == pytest.approx([minx, miny, maxx, maxy], abs=0.01)
    assert tiles.tile_url("http://h/{z}/{x}/{y}.png", zoom, x, y) == f"http://h/{zoom}/{x}/{y}.png"
    assert tiles.tile_url("http://h/{z}/{x}/{-y}.png", 3, 1, 2) == "http://h/3/1/5.png"


def test_plan_covers_the_area_and_counts_what_it_lists() -> None:
    listed = list(tiles.plan(SMALL_BBOX, (12, 15)))
    assert len(listed) == tiles.plan_size(SMALL_BBOX, (12, 15)) == len(set(listed))
    west, south, east, north = SMALL_BBOX
    for zoom in range(12, 16):
        for lon, lat in [(west, south), (east, north), (west, north), (east, south)]:
            assert (zoom, *tiles.tile_of(lon, lat, zoom)) in listed
    assert [z for z, _, _ in listed] == sorted(z for z, _, _ in listed)  # low zoom first
    # The default: Helsinki at 10-16 fits under the default cap.
    assert 5_000 < tiles.plan_size(tiles.HELSINKI_BBOX, tiles.DEFAULT_ZOOMS) <= tiles.DEFAULT_MAX_TILES


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://h/{z}/{x}/{y}.png", "http"),
        ("https://h/{z}/{x}.png", r"needs \{z\}, \{x\} and \{y\}"),
        ("https://{s}.h/{z}/{x}/{y}.png", r"unknown placeholders \['s'\]"),
    ],
)
def test_bad_templates_are_named(url: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        tiles.check_template(url)


def test_the_city_map_is_the_default_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.ENV_TILES_URL, raising=False)
    monkeypatch.delenv(settings.ENV_TILES_ATTRIBUTION, raising=False)
    source = tiles.configured_source()
    assert source is not None and source.is_wms and "kartta.hel.fi" in source.url
    assert "Helsin" in source.attribution and "CC BY 4.0" in source.attribution
    monkeypatch.setenv(settings.ENV_TILES_URL, "")
    assert tiles.configured_source() is None
    monkeypatch.setenv(settings.ENV_TILES_URL, "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert tiles.configured_source() == TileSource(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"
    )
    monkeypatch.setenv(settings.ENV_TILES_URL, "https://tiles.example.org/{z}/{x}/{y}.png")
    with pytest.raises(ParameterError, match=settings.ENV_TILES_ATTRIBUTION):
        tiles.configured_source()
    monkeypatch.setenv(settings.ENV_TILES_ATTRIBUTION, "© Example")
    assert tiles.configured_source() == TileSource("https://tiles.example.org/{z}/{x}/{y}.png", "© Example")


def test_fetch_writes_every_tile_politely_and_resumes(server: TileServer, tmp_path: Path) -> None:
    source = TileSource(server.wms(), "© test")
    sleeps = Sleeps()
    planned = tiles.plan_size(SMALL_BBOX, (12, 14))
    report = tiles.fetch_tiles(
        source, FetchOptions(SMALL_BBOX, (12, 14), delay_s=0.25), root=tmp_path, sleep=sleeps
    )
    assert (report.planned, report.fetched, report.cached, report.missing) == (planned, planned, 0, 0)
    written = _tile_files(report.folder)
    assert len(written) == planned and all(p.read_bytes() == server.tile for p in written)
    assert not [p for p in report.folder.rglob("*") if ".part" in p.name]  # atomic: no leftovers
    assert len(server.requests) == planned and sleeps.calls == [0.25] * planned
    assert {r["agent"] for r in server.requests} == {tiles.USER_AGENT}
    # Each WMS request asks for exactly the box of the tile it is stored as.
    boxes = {tuple(r["query"]["BBOX"][0].split(",")) for r in server.requests}
    expected = {tuple(f"{v:.3f}" for v in tiles.tile_box_3857(*t)) for t in tiles.plan(SMALL_BBOX, (12, 14))}
    assert boxes == expected
    manifest = json.loads((report.folder / tiles.MANIFEST).read_text())
    assert manifest["url"] == source.url and manifest["count"] == planned
    # Run again: nothing is asked, everything is already cached.
    again = tiles.fetch_tiles(
        source, FetchOptions(SMALL_BBOX, (12, 14), delay_s=0.25), root=tmp_path, sleep=sleeps
    )
    assert (again.fetched, again.cached) == (0, planned) and len(server.requests) == planned
    # An interrupted run: two tiles lost, only those two are fetched.
    for path in written[:2]:
        path.unlink()
    resumed = tiles.fetch_tiles(
        source, FetchOptions(SMALL_BBOX, (12, 14), delay_s=0), root=tmp_path, sleep=sleeps
    )
    assert (resumed.fetched, resumed.cached) == (2, planned - 2) and len(server.requests) == planned + 2


def test_missing_busy_and_non_image_answers(server: TileServer, tmp_path: Path) -> None:
    source = TileSource(server.xyz(), "© test")
    listed = list(tiles.plan(SMALL_BBOX, (14, 14)))
    assert len(listed) >= 3
    paths = [f"/xyz/{z}/{x}/{y}.png" for z, x, y in listed]
    server.missing.add(paths[0])
    server.xml.add(paths[1])
    server.busy.add(paths[2])
    sleeps = Sleeps()
    report = tiles.fetch_tiles(
        source, FetchOptions(SMALL_BBOX, (14, 14), delay_s=0), root=tmp_path, sleep=sleeps
    )
    assert (report.fetched, report.missing) == (len(listed) - 2, 2)
    on_disk = {str(p.relative_to(report.folder)) for p in _tile_files(report.folder)}
    assert f"{listed[0][0]}/{listed[0][1]}/{listed[0][2]}.png" not in on_disk  # 404: nothing written
    assert f"{listed[1][0]}/{listed[1][1]}/{listed[1][2]}.png" not in on_disk  # an XML error is no tile
    assert f"{listed[2][0]}/{listed[2][1]}/{listed[2][2]}.png" in on_disk  # 503, waited, then served
    assert 1.0 in sleeps.calls  # the server's Retry-After was honoured
    assert sum(1 for r in server.requests if r["path"] == paths[2]) == 2


def test_too_many_tiles_or_a_no_bulk_source_are_refused_before_asking(
    server: TileServer, tmp_path: Path
) -> None:
    source = TileSource(server.xyz(), "© test")
    planned = tiles.plan_size(SMALL_BBOX, (12, 15))
    with pytest.raises(TileServiceError, match=f"needs {planned:,} tiles, more than the cap of 5"):
        tiles.fetch_tiles(source, FetchOptions(SMALL_BBOX, (12, 15), max_tiles=5), root=tmp_path)
    osm = TileSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors")
    with pytest.raises(TileServiceError, match="forbids downloading areas for offline use"):
        tiles.fetch_tiles(osm, FetchOptions(SMALL_BBOX, (12, 12)), root=tmp_path)
    with pytest.raises(ParameterError, match="zoom"):
        tiles.fetch_tiles(source, FetchOptions(SMALL_BBOX, (15, 12)), root=tmp_path)
    with pytest.raises(ParameterError, match="west < east"):
        tiles.fetch_tiles(source, FetchOptions((25.0, 60.1, 24.9, 60.2)), root=tmp_path)
    assert server.requests == [] and not any(tmp_path.rglob("*.png"))


def test_a_server_that_keeps_failing_stops_the_run_and_keeps_what_came(
    server: TileServer, tmp_path: Path
) -> None:
    source = TileSource(server.xyz(), "© test")
    first = tiles.fetch_tiles(
        source, FetchOptions(SMALL_BBOX, (12, 12), delay_s=0), root=tmp_path, sleep=Sleeps()
    )
    server.down = True
    with pytest.raises(
        TileServiceError, match=r"failed 20 times in a row.*run the command again later to resume"
    ):
        tiles.fetch_tiles(source, FetchOptions(zooms=(12, 14), delay_s=0), root=tmp_path, sleep=Sleeps())
    assert len(_tile_files(first.folder)) == first.fetched  # what was fetched before stays
    assert json.loads((first.folder / tiles.MANIFEST).read_text())["count"] == first.fetched


def test_reachable_only_when_an_image_comes_back(server: TileServer) -> None:
    assert tiles.reachable(TileSource(server.xyz(), "© test"))
    z, x, y = tiles.PROBE_TILE
    server.xml.add(f"/xyz/{z}/{x}/{y}.png")
    assert not tiles.reachable(TileSource(server.xyz(), "© test"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert not tiles.reachable(TileSource(f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png", "x"), timeout_s=1)


def test_cached_tiles_reads_the_manifest_of_the_same_source(server: TileServer, tmp_path: Path) -> None:
    source = TileSource(server.xyz(), "© test")
    assert tiles.cached_tiles(source, (tmp_path,)) is None
    report = tiles.fetch_tiles(
        source, FetchOptions(SMALL_BBOX, (12, 13), delay_s=0), root=tmp_path, sleep=Sleeps()
    )
    cache = tiles.cached_tiles(source, (tmp_path / "nothing", tmp_path))
    assert cache is not None
    assert (cache.folder, cache.min_zoom, cache.max_zoom, cache.count) == (
        report.folder,
        12,
        13,
        report.fetched,
    )
    assert cache.bbox == pytest.approx(SMALL_BBOX)
    other = TileSource(server.wms(), "© test")
    assert tiles.cached_tiles(other, (tmp_path,)) is None
    (report.folder / tiles.MANIFEST).write_text("{not json")
    assert tiles.cached_tiles(source, (tmp_path,)) is None
