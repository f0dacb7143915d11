"""``hotspots tiles fetch`` against a loopback tile server: fetch, resume, refuse, one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import settings, tiles
from geo.tiles import TileSource
from tests.cli_run import count, run
from tests.tile_server import TileServer, tile_server

BBOX = "24.93,60.165,24.96,60.175"


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TileServer]:
    with tile_server() as state:
        monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
        monkeypatch.setenv(settings.ENV_TILES_URL, state.xyz())
        monkeypatch.setenv(settings.ENV_TILES_ATTRIBUTION, "© Loopback")
        yield state


def test_fetch_then_run_again_asks_nothing(server: TileServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "tiles", "fetch", "--zoom", "12-14", "--bbox", BBOX, "--delay", "0")
    assert code == 0, err
    planned = tiles.plan_size((24.93, 60.165, 24.96, 60.175), (12, 14))
    assert count(out, "tiles") == planned and f"of {planned}" in out
    assert "fetching up to" in err and f"{planned}/{planned}" in err
    folder = Path(out.splitlines()[-1].split(maxsplit=1)[1])
    assert len(list(folder.rglob("*.png"))) == planned
    cache = tiles.cached_tiles(TileSource(server.xyz(), "© Loopback"))
    assert cache is not None and (cache.min_zoom, cache.max_zoom) == (12, 14)
    asked = len(server.requests)
    code, out, _ = run(capsys, "tiles", "fetch", "--zoom", "12-14", "--bbox", BBOX, "--delay", "0")
    assert code == 0 and f"0 fetched, {planned} already cached" in out
    assert len(server.requests) == asked


def test_over_the_cap_is_one_line_and_asks_nothing(
    server: TileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "tiles", "fetch", "--zoom", "10-16", "--max-tiles", "100")
    assert code == 2 and out == ""
    assert err.startswith("error: zoom 10-16 over") and "cap of 100" in err and err.count("\n") == 1
    assert server.requests == []


def test_osm_and_an_empty_setting_are_refused(
    server: TileServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(settings.ENV_TILES_URL, "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    code, _, err = run(capsys, "tiles", "fetch", "--zoom", "12-12", "--bbox", BBOX)
    assert code == 2 and "tile usage policy forbids downloading areas" in err and err.count("\n") == 1
    monkeypatch.setenv(settings.ENV_TILES_URL, "")
    code, _, err = run(capsys, "tiles", "fetch")
    assert code == 2 and "set empty (no basemap)" in err


@pytest.mark.parametrize("argv", [["--zoom", "16-10"], ["--zoom", "ten"], ["--bbox", "1,2,3"]])
def test_bad_arguments_stop_before_any_request(
    server: TileServer, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "tiles", "fetch", *argv)
    assert stopped.value.code == 2
    assert "--zoom" in capsys.readouterr().err or "--bbox" in capsys.readouterr().err
    assert server.requests == []
