"""Basemap tiles under the map picture: XYZ tiles fetched, cached on disk, warped into EPSG:3067.

Tiles are optional and off by default: an XYZ URL template (``{z}/{x}/{y}``) draws them
under the districts, each 256 px tile warped into EPSG:3067 by its own affine transform
(within a tile the projection is affine to well under a metre). Tiles are cached on disk
under a hash of the template; when one cannot be had nothing is drawn, and the picture is
made from the districts alone.
"""

from __future__ import annotations

import hashlib
import io
import math
import urllib.request
from pathlib import Path
from typing import Final

import numpy as np
from matplotlib.axes import Axes
from matplotlib.transforms import Affine2D
from numpy.typing import NDArray
from PIL import Image

from geo import crs, files, settings

#: More tiles than this for one picture: the zoom level goes down one step.
_MAX_TILES: Final = 80
_USER_AGENT: Final = "helsinki-hotspots/0.1 (briefing map export)"


def _tile_xy(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    n = 2.0**zoom
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def _tile_lonlat(x: float, y: float, zoom: int) -> tuple[float, float]:
    n = 2.0**zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def fetch_tile(url_template: str, zoom: int, x: int, y: int, cache_dir: Path) -> NDArray[np.uint8] | None:
    """Return one tile as an RGBA array, from the disk cache or the tile server.

    Parameters
    ----------
    url_template
        XYZ URL template with ``{z}``, ``{x}`` and ``{y}`` (``https://`` or ``file://``).
    zoom, x, y
        The tile's zoom level and column and row at that zoom.
    cache_dir
        Cache folder; a fetched tile is stored under a hash of ``url_template``.

    Returns
    -------
    ndarray of uint8 or None
        Height x width x 4; None when the tile cannot be had or is not an image (and is
        then not cached either).
    """
    key = hashlib.sha256(url_template.encode("utf-8")).hexdigest()[:16]
    path = cache_dir / key / str(zoom) / str(x) / f"{y}.png"
    if not path.is_file():
        url = url_template.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))
        try:
            request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
            with urllib.request.urlopen(request, timeout=settings.http_timeout_s()) as response:
                content = response.read()
            Image.open(io.BytesIO(content)).verify()
        except (OSError, ValueError, Image.UnidentifiedImageError):
            return None
        files.write_bytes_atomically(path, content)
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGBA"))
    except (OSError, ValueError):
        return None


def _tile_grid(bounds: tuple[float, float, float, float], width_px: float) -> tuple[int, range, range]:
    """Zoom level and tile columns and rows that cover ``bounds`` at about one tile pixel per pixel."""
    x0, y0, x1, y1 = bounds
    lons, lats = crs.to_wgs84([x0, x1, x0, x1], [y0, y0, y1, y1])
    lat_mid = float(np.mean(lats))
    metres_per_px = (x1 - x0) / max(width_px, 1.0)
    zoom = int(
        np.clip(round(math.log2(156_543.034 * math.cos(math.radians(lat_mid)) / metres_per_px)), 0, 18)
    )
    while True:
        tx0, ty0 = _tile_xy(float(lons.min()), float(lats.max()), zoom)
        tx1, ty1 = _tile_xy(float(lons.max()), float(lats.min()), zoom)
        xs = range(math.floor(tx0), math.floor(tx1) + 1)
        ys = range(math.floor(ty0), math.floor(ty1) + 1)
        if len(xs) * len(ys) <= _MAX_TILES or zoom == 0:
            return zoom, xs, ys
        zoom -= 1


def _tile_affine(tx: int, ty: int, zoom: int, image: NDArray[np.uint8]) -> Affine2D:
    """Pixel (u right, v down) -> EPSG:3067, exact at three corners of the tile."""
    corners = [
        _tile_lonlat(tx, ty, zoom),
        _tile_lonlat(tx + 1, ty, zoom),
        _tile_lonlat(tx, ty + 1, zoom),
    ]
    cx, cy = crs.to_metric([c[0] for c in corners], [c[1] for c in corners], src=crs.WGS84)
    h, w = image.shape[:2]
    matrix = np.array(
        [
            [(cx[1] - cx[0]) / w, (cx[2] - cx[0]) / h, cx[0]],
            [(cy[1] - cy[0]) / w, (cy[2] - cy[0]) / h, cy[0]],
            [0.0, 0.0, 1.0],
        ]
    )
    return Affine2D(matrix)


def draw_tiles(
    ax: Axes,
    bounds: tuple[float, float, float, float],
    *,
    url_template: str,
    cache_dir: Path,
    width_px: float,
) -> bool:
    """Draw XYZ tiles under everything on ``ax``, or nothing when any tile is missing.

    Parameters
    ----------
    ax
        Map axes in EPSG:3067 metres.
    bounds
        The map's frame (x0, y0, x1, y1) in metres.
    url_template
        XYZ URL template (see ``fetch_tile``).
    cache_dir
        Tile cache folder.
    width_px
        Width of the map in pixels: picks the zoom level.

    Returns
    -------
    bool
        True when the tiles were drawn; False (nothing drawn) when any was unavailable.
    """
    zoom, xs, ys = _tile_grid(bounds, width_px)
    tiles: list[tuple[NDArray[np.uint8], Affine2D]] = []
    for tx in xs:
        for ty in ys:
            image = fetch_tile(url_template, zoom, tx, ty, cache_dir)
            if image is None:
                return False
            tiles.append((image, _tile_affine(tx, ty, zoom, image)))
    for image, affine in tiles:
        h, w = image.shape[:2]
        ax.imshow(
            image,
            extent=(0, w, h, 0),
            transform=affine + ax.transData,
            interpolation="bilinear",
            zorder=0,
        )
    return True
