"""``hotspots gazetteer fetch``: the register downloaded once from a paging server, then offline."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from geo import settings
from tests.cli_run import run
from tests.test_registerlayers import PagingWFS, handler_for, official_layers


@pytest.fixture
def server(shared_data_dir: Path) -> Iterator[PagingWFS]:
    state = PagingWFS(layers=official_layers(shared_data_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/wfs"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_once_then_the_cache_answers(
    server: PagingWFS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(settings.ENV_WFS_URL, server.base_url)
    code, out, err = run(capsys, "gazetteer", "fetch")
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()] == ["ok", "ok"]
    assert all(Path(line.split(maxsplit=1)[1]).is_file() for line in out.splitlines())
    asked = len(server.requests)
    assert asked >= 2
    assert run(capsys, "gazetteer", "fetch")[0] == 0
    assert len(server.requests) == asked  # cached: nothing asked again


def test_fetch_without_a_server_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(settings.ENV_WFS_URL, f"http://127.0.0.1:{port}/wfs")
    code, out, err = run(capsys, "gazetteer", "fetch")
    assert code == 2 and out == ""
    assert err.startswith("error: could not reach http://127.0.0.1:") and err.count("\n") == 1
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.csv"))
