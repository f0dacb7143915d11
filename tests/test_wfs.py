"""The WFS client: request URLs, one GET against a real loopback server, and answers that are not a layer."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from geo import wfs
from geo.errors import DownloadError

EXCEPTION_REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
  <ows:Exception exceptionCode="InvalidParameterValue" locator="typeName">
    <ows:ExceptionText>Feature type avoindata:Piirijako_x unknown</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>"""
HTML_500 = b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body></body></html>"
POINT = {
    "type": "Feature",
    "properties": {"tunnus": "1"},
    "geometry": {"type": "Point", "coordinates": [24.9, 60.2]},
}


class _Handler(BaseHTTPRequestHandler):
    """Answers by path: /ok a layer, /broken an HTTP 500 page, /report an OGC exception with 400."""

    seen: list[dict[str, str]] = []  # noqa: RUF012 - one list per test server, read by the test

    def do_GET(self) -> None:
        self.seen.append({"path": self.path, "agent": self.headers.get("User-Agent", "")})
        path = urlsplit(self.path).path
        status, body = {
            "/ok": (200, json.dumps({"type": "FeatureCollection", "features": [POINT]}).encode()),
            "/broken": (500, HTML_500),
            "/report": (400, EXCEPTION_REPORT),
        }.get(path, (404, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Handler,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_request_url_asks_for_geojson_in_the_named_crs() -> None:
    url = wfs.request_url("https://kartta.hel.fi/ws/wfs", "avoindata:Piirijako_osaalue", srs_name="EPSG:4326")
    base, _, query = url.partition("?")
    assert base == "https://kartta.hel.fi/ws/wfs"
    assert {k: v[0] for k, v in parse_qs(query).items()} == {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeName": "avoindata:Piirijako_osaalue",
        "outputFormat": "application/json",
        "srsName": "EPSG:4326",
    }
    with_query = wfs.request_url(
        "https://x.example/wfs?token=1", "a:b", srs_name="EPSG:3067", CQL_FILTER="kunta='091'"
    )
    assert with_query.startswith("https://x.example/wfs?token=1&service=WFS&")
    assert parse_qs(urlsplit(with_query).query)["CQL_FILTER"] == ["kunta='091'"]


def test_http_get_returns_the_body_and_says_who_asks(server: tuple[str, list[dict[str, str]]]) -> None:
    base, seen = server
    body = wfs.http_get(f"{base}/ok", timeout_s=5)
    assert wfs.parse_feature_collection(body, what="test")["features"] == [POINT]
    assert seen[0]["agent"] == wfs.USER_AGENT


def test_http_errors_say_what_the_server_said(server: tuple[str, list[dict[str, str]]]) -> None:
    base, _ = server
    with pytest.raises(
        DownloadError, match=r"answered HTTP 500 Internal Server Error: HTML page titled '500"
    ):
        wfs.http_get(f"{base}/broken", timeout_s=5)
    with pytest.raises(
        DownloadError, match=r"answered HTTP 400 .*: Feature type avoindata:Piirijako_x unknown"
    ):
        wfs.http_get(f"{base}/report", timeout_s=5)


def test_an_unreachable_host_is_a_download_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DownloadError, match=rf"could not reach http://127\.0\.0\.1:{port}/"):
        wfs.http_get(f"http://127.0.0.1:{port}/", timeout_s=2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"   ", "came back empty"),
        (EXCEPTION_REPORT, "answered with a WFS exception: Feature type avoindata:Piirijako_x unknown"),
        (HTML_500, "answered with XML/HTML instead of GeoJSON: HTML page titled '500 Internal Server Error'"),
        (b'{"type": "FeatureCollection", "features": [', "is not valid JSON .* the answer may be cut off"),
        (
            b'{"exceptions": [{"code": "x", "text": "bad layer"}]}',
            "answered with a WFS exception: .*bad layer",
        ),
        (json.dumps(POINT).encode(), "is JSON but not a GeoJSON FeatureCollection \\(type 'Feature'\\)"),
        (b'{"type": "FeatureCollection"}', "is a FeatureCollection without a 'features' list"),
        (
            b'{"type": "FeatureCollection", "features": []}',
            "is an empty FeatureCollection \\(0 features\\); the layer name may be wrong",
        ),
    ],
    ids=["empty", "exception", "html", "cut-off", "json-exception", "feature", "no-features", "no-feature"],
)
def test_answers_that_are_not_a_layer_say_what_came(body: bytes, message: str) -> None:
    with pytest.raises(DownloadError, match=rf"^the layer x {message}"):
        wfs.parse_feature_collection(body, what="the layer x")
