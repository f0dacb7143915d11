"""A tile server on the loopback interface for the tiles tests: XYZ and WMS, with faults on request."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

WMS_EXCEPTION = (
    b'<?xml version="1.0"?><ServiceExceptionReport><ServiceException>bad</ServiceException>'
    b"</ServiceExceptionReport>"
)


def png(colour: tuple[int, int, int] = (200, 210, 220)) -> bytes:
    """A real 256 px PNG tile."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class TileServer:
    """What the server answered and what it will answer.

    ``missing`` paths get 404, ``busy`` paths get one 503 with Retry-After before a tile,
    ``xml`` paths get a WMS exception with status 200, ``down`` makes every answer a 500.
    """

    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    busy: set[str] = field(default_factory=set)
    xml: set[str] = field(default_factory=set)
    down: bool = False
    tile: bytes = field(default_factory=png)

    def xyz(self) -> str:
        return f"{self.base_url}/xyz/{{z}}/{{x}}/{{y}}.png"

    def wms(self) -> str:
        return (
            f"{self.base_url}/wms?SERVICE=WMS&REQUEST=GetMap&SRS=EPSG:3857&BBOX={{bbox}}&WIDTH=256&HEIGHT=256"
        )


def _handler(state: TileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            state.requests.append(
                {
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "agent": self.headers.get("User-Agent", ""),
                    "time": time.monotonic(),
                }
            )
            if state.down:
                self._answer(500, b"down", "text/plain")
            elif parts.path in state.missing:
                self._answer(404, b"no tile", "text/plain")
            elif parts.path in state.busy:
                state.busy.discard(parts.path)
                self._answer(503, b"busy", "text/plain", {"Retry-After": "1"})
            elif parts.path in state.xml:
                self._answer(200, WMS_EXCEPTION, "application/vnd.ogc.se_xml")
            else:
                self._answer(200, state.tile, "image/png")

        def _answer(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def tile_server() -> Iterator[TileServer]:
    """Run a ``TileServer`` on 127.0.0.1 for the duration of the block."""
    state = TileServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
