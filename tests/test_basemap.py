"""Basemap tiles: fetched by URL template, cached on disk, drawn under the districts, or left out."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from briefing import basemap, mapimage
from briefing.mapimage import MapOptions, MapSize
from briefing.rendering import figure_png_bytes
from hotspots import analysis
from tests.briefing_demo import demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


def test_tile_fetch_reads_url_template_and_caches_on_disk(tmp_path: Path) -> None:
    # A local tile server stand-in: file:// URLs go through the same urllib fetch as https.
    server = tmp_path / "server"
    (server / "3" / "4").mkdir(parents=True)
    Image.new("RGB", (256, 256), (40, 200, 40)).save(server / "3" / "4" / "2.png")
    (server / "3" / "4" / "3.png").write_bytes(b"<html>rate limited</html>")
    template = server.as_uri() + "/{z}/{x}/{y}.png"
    cache = tmp_path / "cache"
    tile = basemap.fetch_tile(template, 3, 4, 2, cache)
    assert tile is not None and tile.shape == (256, 256, 4) and tuple(tile[0, 0]) == (40, 200, 40, 255)
    (server / "3" / "4" / "2.png").unlink()
    again = basemap.fetch_tile(template, 3, 4, 2, cache)  # now only the cache has it
    assert again is not None and np.array_equal(again, tile)
    assert basemap.fetch_tile(template, 3, 4, 5, cache) is None  # missing
    assert basemap.fetch_tile(template, 3, 4, 3, cache) is None  # not an image: not cached either
    assert len(list(cache.rglob("*.png"))) == 1


def test_map_draws_tiles_under_the_districts_and_credits_them(
    result: analysis.Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int, int]] = []

    def green(url: str, zoom: int, x: int, y: int, cache_dir: Path) -> np.ndarray:
        asked.append((zoom, x, y))
        tile = np.zeros((256, 256, 4), dtype=np.uint8)
        tile[..., 1], tile[..., 3] = 200, 255
        return tile

    monkeypatch.setattr(basemap, "fetch_tile", green)
    picture = mapimage.map_figure(
        result,
        MapOptions(lang="en", size=MapSize(640, 360, 60), tiles_url="https://tiles.example/{z}/{x}/{y}.png"),
    )
    assert picture.tiles_drawn
    assert "Basemap: © OpenStreetMap contributors" in picture.metadata["Source"]
    zooms = {z for z, _, _ in asked}
    assert len(zooms) == 1 and 9 <= zooms.pop() <= 14  # city-scale zoom for a 640 px map
    xs, ys = {x for _, x, _ in asked}, {y for _, _, y in asked}
    assert len(asked) == len(xs) * len(ys)  # a full rectangle of tiles
    content = figure_png_bytes(picture.figure, dpi=60)
    pixels = np.asarray(Image.open(io.BytesIO(content)).convert("RGB")).astype(int)
    map_part = pixels[60:340, 10:400].reshape(-1, 3)
    greenish = (map_part[:, 1] > map_part[:, 0] + 40) & (map_part[:, 1] > map_part[:, 2] + 40)
    assert greenish.mean() > 0.3


def test_map_without_reachable_tiles_is_drawn_from_districts(
    result: analysis.Analysis, tmp_path: Path
) -> None:
    picture = mapimage.map_figure(
        result,
        MapOptions(
            lang="en",
            size=MapSize(480, 270, 50),
            tiles_url=(tmp_path / "nowhere").as_uri() + "/{z}/{x}/{y}.png",
            tiles_cache_dir=tmp_path / "cache",
        ),
    )
    assert not picture.tiles_drawn
    assert "Basemap" not in picture.metadata["Source"]
    assert len(figure_png_bytes(picture.figure, dpi=50)) > 1000
