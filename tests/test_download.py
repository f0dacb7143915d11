"""Downloads against a real HTTP server on 127.0.0.1 that answers like the publishers' WFS.

The server serves the official copies (``shared_data_dir``) keyed on ``typeName``, wrapped in
a GeoServer envelope, and can be told to answer badly: cut-off JSON, empty collections,
HTML error pages, OGC exception reports, or nothing at all until the client gives up.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely import affinity
from shapely.geometry import mapping, shape

from geo import download, opendata
from geo.districts import load_districts
from geo.errors import DataUnavailableError, DownloadError

EXCEPTION_REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
  <ows:Exception exceptionCode="InvalidParameterValue" locator="typeName">
    <ows:ExceptionText>Feature type avoindata:Piirijako_peruspiiri unknown</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>"""
HTML_500 = (
    b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1></body></html>"
)


@dataclass
class Answer:
    body: bytes
    status: int = 200
    content_type: str = "application/json;charset=UTF-8"
    delay_s: float = 0.0


@dataclass
class FakeWFS:
    """What the server answers per typeName, and what it was asked."""

    base_url: str
    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler(wfs: FakeWFS) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            wfs.requests.append({"query": query, "user_agent": self.headers.get("User-Agent", "")})
            answer = wfs.answers.get(query.get("typeName", ""), Answer(b"no such layer", 404, "text/plain"))
            if answer.delay_s:
                wfs.release.wait(answer.delay_s)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        del request, client_address  # a client that timed out closes its socket; not an error here


@pytest.fixture
def wfs() -> Iterator[FakeWFS]:
    server = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    fake = FakeWFS(base_url=f"http://127.0.0.1:{server.server_address[1]}/geoserver/wfs")
    server.RequestHandlerClass = _handler(fake)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty cache and an empty HOTSPOTS_DATA_DIR: every dataset must come from the server."""
    cache_dir = tmp_path / "cache"
    empty = tmp_path / "no_copies"
    empty.mkdir()
    monkeypatch.setenv("HOTSPOTS_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(empty))
    monkeypatch.delenv("HOTSPOTS_WFS_URL", raising=False)
    monkeypatch.delenv("HOTSPOTS_HTTP_TIMEOUT_S", raising=False)
    return cache_dir


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _copy(shared: Path, key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared / opendata.dataset(key).relpath).read_text(encoding="utf-8"))
    return data


def _envelope(features: list[dict[str, Any]], srs: str = "urn:ogc:def:crs:EPSG::4326") -> bytes:
    """A GeoServer GetFeature answer around ``features``."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": features,
            "totalFeatures": len(features),
            "numberMatched": len(features),
            "numberReturned": len(features),
            "timeStamp": "2024-02-05T10:00:00.000Z",
            "crs": {"type": "name", "properties": {"name": srs}},
        }
    ).encode("utf-8")


def _swapped(coords: Any) -> Any:
    if isinstance(coords[0], int | float):
        return [coords[1], coords[0]]
    return [_swapped(c) for c in coords]


def _lat_lon(features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for feature in features:
        geometry = {**feature["geometry"], "coordinates": _swapped(feature["geometry"]["coordinates"])}
        out.append({**feature, "geometry": geometry})
    return out


def _serve_districts(wfs: FakeWFS, shared: Path, keys: tuple[str, ...] = opendata.DISTRICT_KEYS) -> None:
    for key in keys:
        wfs.answers[opendata.dataset(key).layer] = Answer(_envelope(_copy(shared, key)["features"]))


@pytest.mark.parametrize("key", opendata.DISTRICT_KEYS)
def test_fetch_writes_the_official_features_in_lon_lat(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path, key: str
) -> None:
    _serve_districts(wfs, shared_data_dir, (key,))
    path = download.fetch(key, base_url=wfs.base_url, timeout_s=10)
    assert path == cache / opendata.dataset(key).relpath
    written = json.loads(path.read_text(encoding="utf-8"))
    assert set(written) == {"type", "features"}  # no crs member, no WFS envelope
    assert written["features"] == _copy(shared_data_dir, key)["features"]
    assert _files(cache) == [path]
    query = wfs.requests[-1]["query"]
    assert query["service"] == "WFS" and query["version"] == "2.0.0" and query["request"] == "GetFeature"
    assert query["typeName"] == opendata.dataset(key).layer
    assert query["outputFormat"] == "application/json" and query["srsName"] == "EPSG:4326"
    assert wfs.requests[-1]["user_agent"].startswith("helsinki-hotspots/")


def test_downloaded_layers_are_what_load_districts_reads(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve_districts(wfs, shared_data_dir)
    monkeypatch.setenv("HOTSPOTS_WFS_URL", wfs.base_url)
    peruspiiri = load_districts("peruspiiri")  # no copy anywhere: require() downloads it
    assert len(peruspiiri) == 34
    assert (cache / opendata.dataset("peruspiiri").relpath).is_file()
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(shared_data_dir))
    reference = load_districts("peruspiiri")
    assert_geodataframe_equal(peruspiiri, reference)


def test_lat_lon_answer_is_written_lon_lat(wfs: FakeWFS, cache: Path, shared_data_dir: Path) -> None:
    features = _copy(shared_data_dir, "suurpiiri")["features"]
    wfs.answers[opendata.dataset("suurpiiri").layer] = Answer(_envelope(_lat_lon(features)))
    path = download.fetch("suurpiiri", base_url=wfs.base_url, timeout_s=10)
    assert json.loads(path.read_text(encoding="utf-8"))["features"] == features


def _truncated(shared: Path) -> bytes:
    body = _envelope(_copy(shared, "peruspiiri")["features"])
    return body[: len(body) // 2]


def _without_swedish_name(shared: Path) -> bytes:
    features = _copy(shared, "peruspiiri")["features"]
    broken = {
        **features[5],
        "properties": {k: v for k, v in features[5]["properties"].items() if k != "nimi_se"},
    }
    return _envelope([*features[:5], broken, *features[6:]])


def _shifted_to_the_equator(shared: Path) -> bytes:
    features = _copy(shared, "peruspiiri")["features"]
    geoms = [affinity.translate(shape(f["geometry"]), yoff=-60) for f in features]
    moved = [{**f, "geometry": mapping(g)} for f, g in zip(features, geoms, strict=True)]
    return json.dumps({"type": "FeatureCollection", "features": moved}).encode("utf-8")


BROKEN_ANSWERS = {
    "truncated JSON": (lambda s: Answer(_truncated(s)), r"not valid JSON .*cut off"),
    "empty collection": (lambda s: Answer(_envelope([])), r"empty FeatureCollection \(0 features\)"),
    "empty body": (lambda s: Answer(b""), r"came back empty"),
    "HTML 500": (
        lambda s: Answer(HTML_500, 500, "text/html"),
        r"HTTP 500 .*'500 Internal Server Error'",
    ),
    "HTML page with 200": (lambda s: Answer(HTML_500, 200, "text/html"), r"HTML instead of GeoJSON"),
    "ExceptionReport": (
        lambda s: Answer(EXCEPTION_REPORT, 200, "application/xml"),
        r"WFS exception: Feature type avoindata:Piirijako_peruspiiri unknown",
    ),
    "ExceptionReport with 400": (
        lambda s: Answer(EXCEPTION_REPORT, 400, "application/xml"),
        r"HTTP 400 .*Feature type avoindata:Piirijako_peruspiiri unknown",
    ),
    "33 of 34 districts": (
        lambda s: Answer(_envelope(_copy(s, "peruspiiri")["features"][:33])),
        r"33 features, expected 34 peruspiiri",
    ),
    "missing nimi_se": (
        lambda s: Answer(_without_swedish_name(s)),
        r"feature 5 .*lacks the properties \['nimi_se'\]",
    ),
    "points": (
        lambda s: Answer(
            _envelope(
                [
                    {**f, "geometry": {"type": "Point", "coordinates": [24.9, 60.2]}}
                    for f in _copy(s, "peruspiiri")["features"]
                ]
            )
        ),
        r"geometry 'Point', expected Polygon or MultiPolygon",
    ),
    "not Helsinki": (lambda s: Answer(_shifted_to_the_equator(s)), r"not the Helsinki region in EPSG:4326"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_ANSWERS))
def test_broken_answer_raises_and_writes_nothing(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path, case: str
) -> None:
    make, message = BROKEN_ANSWERS[case]
    wfs.answers[opendata.dataset("peruspiiri").layer] = make(shared_data_dir)
    with pytest.raises(DownloadError, match=message) as info:
        download.fetch("peruspiiri", base_url=wfs.base_url, timeout_s=10)
    assert "Piirijako_peruspiiri" in str(info.value)  # names the layer (or its URL)
    assert _files(cache) == []


def test_timeout_raises_and_writes_nothing(wfs: FakeWFS, cache: Path, shared_data_dir: Path) -> None:
    layer = opendata.dataset("suurpiiri").layer
    wfs.answers[layer] = Answer(_envelope(_copy(shared_data_dir, "suurpiiri")["features"]), delay_s=5.0)
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"timed out after 0\.5 s"):
        download.fetch("suurpiiri", base_url=wfs.base_url, timeout_s=0.5)
    assert time.monotonic() - started < 3.0
    assert _files(cache) == []


def test_failed_forced_download_keeps_the_good_cache_file(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path
) -> None:
    _serve_districts(wfs, shared_data_dir, ("osaalue",))
    path = download.fetch("osaalue", base_url=wfs.base_url, timeout_s=10)
    good = path.read_bytes()
    wfs.answers[opendata.dataset("osaalue").layer] = Answer(_envelope([]))
    with pytest.raises(DownloadError):
        download.fetch("osaalue", base_url=wfs.base_url, timeout_s=10, force=True)
    assert path.read_bytes() == good
    assert _files(cache) == [path]


def test_cached_file_is_returned_without_asking_the_server(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path
) -> None:
    _serve_districts(wfs, shared_data_dir, ("suurpiiri",))
    first = download.fetch("suurpiiri", base_url=wfs.base_url, timeout_s=10)
    mtime = first.stat().st_mtime_ns
    asked = len(wfs.requests)
    assert download.fetch("suurpiiri", base_url=wfs.base_url, timeout_s=10) == first
    assert len(wfs.requests) == asked
    download.fetch("suurpiiri", base_url=wfs.base_url, timeout_s=10, force=True)
    assert len(wfs.requests) == asked + 1
    assert first.stat().st_mtime_ns >= mtime


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/geoserver/wfs"


def test_require_without_copy_and_unreachable_server_says_how_to_get_the_data(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTSPOTS_WFS_URL", _closed_port_url())
    monkeypatch.setenv("HOTSPOTS_HTTP_TIMEOUT_S", "2")
    with pytest.raises(DataUnavailableError) as info:
        download.require("osaalue")
    message = str(info.value)
    assert "HOTSPOTS_DATA_DIR" in message and "hotspots districts fetch" in message
    assert "could not reach" in message
    assert _files(cache) == []


def test_timeout_must_be_positive(cache: Path) -> None:
    with pytest.raises(ValueError, match=r"timeout_s must be > 0 seconds, got 0"):
        download.fetch("suurpiiri", base_url=_closed_port_url(), timeout_s=0)


# --- population sources --------------------------------------------------------------------


def _grid_copy(shared: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(shared / opendata.dataset("population_grid").relpath)


@lru_cache(maxsize=4)
def _hsy_answer(shared: Path, *, swap_axes: bool) -> bytes:
    """The grid copy in HSY's field names, plus 40 cells moved 40 km west (Espoo, not Helsinki)."""
    copy = _grid_copy(shared)
    outside = copy.iloc[:40].copy()
    outside["id"] = [f"Vaestotietoruudukko_2021.{900000 + n}" for n in range(len(outside))]
    outside["geometry"] = outside.geometry.translate(xoff=-40_000)
    served = pd.concat([copy, outside], ignore_index=True)
    served = served.rename(columns={"inhabitants": "asukkaita", "occupancy_rate": "asvaljyys"})
    features = json.loads(served.set_index("id").to_json(drop_id=False))["features"]
    if swap_axes:
        features = _lat_lon(features)
    return _envelope(features, "urn:ogc:def:crs:EPSG::3879")


@pytest.mark.parametrize("swap_axes", [False, True], ids=["east-north", "north-east"])
def test_population_grid_is_cut_to_helsinki_and_written_as_the_copy(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch, swap_axes: bool
) -> None:
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(shared_data_dir))  # the osa-alue layer for the cut
    ds = opendata.dataset("population_grid")
    copy = _grid_copy(shared_data_dir)
    wfs.answers[ds.layer] = Answer(_hsy_answer(shared_data_dir, swap_axes=swap_axes))
    path = download.fetch("population_grid", base_url=wfs.base_url, timeout_s=30)
    assert path == cache / ds.relpath
    assert pyogrio.list_layers(path)[:, 0].tolist() == [download.POPULATION_GRID_LAYER]
    written = gpd.read_file(path)
    assert written.crs == "EPSG:3879"
    assert_geodataframe_equal(written, copy)
    assert int(written["inhabitants"].sum()) == int(copy["inhabitants"].sum())
    assert wfs.requests[-1]["query"]["srsName"] == "EPSG:3879"


def _paavo_copy(shared: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(shared / opendata.dataset("paavo").relpath)


@lru_cache(maxsize=2)
def _paavo_answer(shared: Path) -> bytes:
    """The Paavo copy in Statistics Finland's field names and EPSG:3067, plus 3 Espoo areas."""
    copy = _paavo_copy(shared)
    to_source = {target: source for source, target in download.PAAVO_COLUMNS.items()}
    served = copy.drop(columns=["pop_age_13_17", "pop_age_13_24"]).rename(columns=to_source).to_crs(3067)
    served["kunta"] = "091"
    espoo = served.iloc[:3].copy()
    espoo["kunta"] = "049"
    espoo["postinumeroalue"] = ["02100", "02600", "02700"]
    espoo["geometry"] = espoo.geometry.translate(xoff=-15_000)
    served = pd.concat([served, espoo], ignore_index=True)
    features = json.loads(served.to_json())["features"]
    return _envelope(features, "urn:ogc:def:crs:EPSG::3067")


def test_paavo_keeps_helsinki_and_renames_fields_like_the_copy(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path
) -> None:
    ds = opendata.dataset("paavo")
    copy = _paavo_copy(shared_data_dir)
    wfs.answers[ds.layer] = Answer(_paavo_answer(shared_data_dir))
    path = download.fetch("paavo", base_url=wfs.base_url, timeout_s=30)
    written = gpd.read_file(path)
    assert written.crs == "EPSG:4326"
    assert list(written.columns) == list(copy.columns)
    assert written["postal_code"].tolist() == sorted(copy["postal_code"])
    pd.testing.assert_frame_equal(
        written.drop(columns="geometry"), copy.drop(columns="geometry"), check_dtype=False
    )
    assert written.geom_equals_exact(copy.geometry, tolerance=2e-6).all()
    assert int(written["pop_age_13_24"].sum()) == int(copy["pop_age_13_24"].sum())
    query = wfs.requests[-1]["query"]
    assert query["CQL_FILTER"] == "kunta='091'" and query["srsName"] == "EPSG:3067"


def test_paavo_without_helsinki_areas_is_an_error(wfs: FakeWFS, cache: Path, shared_data_dir: Path) -> None:
    data = json.loads(_paavo_answer(shared_data_dir))
    for feature in data["features"]:
        feature["properties"]["kunta"] = "049"
    wfs.answers[opendata.dataset("paavo").layer] = Answer(json.dumps(data).encode("utf-8"))
    with pytest.raises(DownloadError, match=r"no postal code area has kunta '091'"):
        download.fetch("paavo", base_url=wfs.base_url, timeout_s=30)
    assert _files(cache) == []


def test_fetch_all_fills_an_empty_cache_from_one_server(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path
) -> None:
    _serve_districts(wfs, shared_data_dir)
    grid_layer = opendata.dataset("population_grid").layer
    wfs.answers[grid_layer] = Answer(_hsy_answer(shared_data_dir, swap_axes=False))
    wfs.answers[opendata.dataset("paavo").layer] = Answer(_paavo_answer(shared_data_dir))
    paths = download.fetch_all(
        wfs_url=wfs.base_url, hsy_wfs_url=wfs.base_url, statfi_wfs_url=wfs.base_url, timeout_s=30
    )
    assert paths == [
        cache / opendata.dataset(key).relpath for key in (*opendata.DISTRICT_KEYS, "population_grid", "paavo")
    ]
    assert _files(cache) == sorted(paths)
    asked = len(wfs.requests)
    assert (
        download.fetch_all(wfs_url=wfs.base_url, hsy_wfs_url=wfs.base_url, statfi_wfs_url=wfs.base_url)
        == paths
    )
    assert len(wfs.requests) == asked


def test_a_write_that_fails_half_way_keeps_the_previous_file(
    wfs: FakeWFS, cache: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(shared_data_dir))
    grid_layer = opendata.dataset("population_grid").layer
    wfs.answers[grid_layer] = Answer(_hsy_answer(shared_data_dir, swap_axes=False))
    path = download.fetch("population_grid", base_url=wfs.base_url, timeout_s=30)
    good = path.read_bytes()

    def disk_full(self: gpd.GeoDataFrame, filename: Path, **kwargs: Any) -> None:
        Path(filename).write_bytes(b"SQLite format 3\x00 half a GeoPackage")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", disk_full)
    with pytest.raises(DownloadError, match=r"cannot write the cache file .*No space left.*previous file"):
        download.fetch("population_grid", base_url=wfs.base_url, timeout_s=30, force=True)
    assert path.read_bytes() == good
    assert _files(cache) == [path]
