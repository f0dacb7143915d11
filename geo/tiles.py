"""Basemap tiles: where they come from, whether the server answers, and a copy kept for offline use.

A tile source is a URL template of 256 px Web Mercator (EPSG:3857) tiles, either XYZ
(``{z}``, ``{x}``, ``{y}``; ``{-y}`` for TMS row order) or a WMS GetMap request whose
``{bbox}`` is the tile's EPSG:3857 box (how the City of Helsinki's open map service, a
GeoServer WMS, is used as tiles). :func:`configured_source` reads the source from
``geo.settings``; :func:`reachable` asks the server for one tile over central Helsinki with
a short timeout; :func:`fetch_tiles` copies the tiles of an area and zoom range into the
cache for offline use, politely: one request at a time with a pause between them, a user
agent naming the project, a cap on the number of tiles, tiles already cached skipped (an
interrupted run resumes), every file written atomically. A ``manifest.json`` beside the
tiles says what was fetched; :func:`cached_tiles` reads it so the map asks only for tiles
that exist.

The cache layout is ``<cache>/tiles/<sha256(url)[:16]>/<z>/<x>/<y>.png``, the layout the
briefing's map picture already uses, so tiles fetched here serve both.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from geo import files, settings
from geo.errors import DownloadError, ParameterError

#: Sent with every tile request so the publisher can tell who is asking.
USER_AGENT: Final = "helsinki-hotspots/0.1 (Helsinki safety hotspot map; basemap tiles)"
#: Helsinki's mainland, islands and near sea, lon/lat (west, south, east, north).
HELSINKI_BBOX: Final = (24.78, 60.10, 25.27, 60.30)
#: Zoom levels a street map of Helsinki needs: the whole city (10) to a few blocks (16).
DEFAULT_ZOOMS: Final = (10, 16)
#: More tiles than this in one ``fetch_tiles`` call is refused unless the caller raises it.
DEFAULT_MAX_TILES: Final = 10_000
#: Seconds between two requests: a tile server is a shared public service.
DEFAULT_DELAY_S: Final = 0.5
#: A probe gives up after this many seconds, so an offline page is not held up.
PROBE_TIMEOUT_S: Final = 2.0
#: The tile a probe asks for: zoom 12 over the railway station.
PROBE_TILE: Final = (12, 2331, 1185)
MANIFEST: Final = "manifest.json"
#: Tile servers whose terms forbid downloading areas for offline use.
NO_BULK_HOSTS: Final = ("tile.openstreetmap.org",)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_XYZ: Final = frozenset({"z", "x", "y", "-y"})
_HALF_WORLD_M: Final = 20_037_508.342789244
_MAX_ZOOM: Final = 20
_IMAGE_MAGIC: Final = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")
_RETRIES: Final = 3
_GIVE_UP_AFTER: Final = 20


class TileServiceError(DownloadError):
    """Tiles cannot be had from a source: it is unreachable, refuses, or may not be bulk-copied."""


@dataclass(frozen=True)
class TileSource:
    """A tile URL template and the attribution its licence requires.

    Attributes
    ----------
    url
        XYZ template (``{z}/{x}/{y}``, or ``{-y}``) or WMS GetMap template with ``{bbox}``.
    attribution
        Text the map must show with the tiles (HTML allowed: the deployer's setting).
    """

    url: str
    attribution: str

    @property
    def key(self) -> str:
        """Folder name of the source's tiles in the cache."""
        return hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:16]

    @property
    def is_wms(self) -> bool:
        """True when tiles are WMS GetMap requests (``{bbox}``)."""
        return "{bbox}" in self.url


@dataclass(frozen=True)
class TileCache:
    """Tiles of one source on disk, as the manifest written by :func:`fetch_tiles` describes them.

    Attributes
    ----------
    folder
        ``<root>/<key>``, holding ``<z>/<x>/<y>.png``.
    min_zoom, max_zoom
        Zoom levels fetched.
    bbox
        Area fetched, lon/lat (west, south, east, north).
    count
        Tiles on disk when the manifest was written.
    """

    folder: Path
    min_zoom: int
    max_zoom: int
    bbox: tuple[float, float, float, float]
    count: int


@dataclass(frozen=True)
class FetchReport:
    """What :func:`fetch_tiles` did.

    Attributes
    ----------
    planned
        Tiles covering the area at the zoom levels.
    fetched, cached, missing
        Tiles downloaded now, found in the cache already, and not served (HTTP 404 or
        not an image).
    folder
        Where the tiles are.
    """

    planned: int
    fetched: int
    cached: int
    missing: int
    folder: Path


@dataclass(frozen=True)
class FetchOptions:
    """Which tiles a fetch copies and how politely; checked when made.

    Attributes
    ----------
    bbox
        West, south, east, north in degrees (default Helsinki).
    zooms
        First and last zoom level, inclusive (default 10-16).
    max_tiles
        A fetch needing more tiles is refused before any request.
    delay_s
        Pause between two requests, seconds.

    Raises
    ------
    ParameterError
        A bad area, zoom range, cap or pause.
    """

    bbox: tuple[float, float, float, float] = HELSINKI_BBOX
    zooms: tuple[int, int] = DEFAULT_ZOOMS
    max_tiles: int = DEFAULT_MAX_TILES
    delay_s: float = DEFAULT_DELAY_S

    def __post_init__(self) -> None:
        object.__setattr__(self, "bbox", check_bbox(self.bbox))
        object.__setattr__(self, "zooms", check_zooms(self.zooms))
        if int(self.max_tiles) < 1:
            raise ParameterError(f"max_tiles must be >= 1, got {self.max_tiles}")
        if not float(self.delay_s) >= 0:
            raise ParameterError(f"delay_s must be >= 0 seconds, got {self.delay_s}")


def check_template(url: str, *, name: str = settings.ENV_TILES_URL) -> str:
    """Return ``url`` if it is a usable tile template, else raise naming what is wrong.

    Parameters
    ----------
    url
        ``http(s)://`` (or ``file://``) template with ``{z}``, ``{x}`` and ``{y}`` (or
        ``{-y}``), or with ``{bbox}``.
    name
        The setting or argument it came from, for the message.

    Returns
    -------
    str
        ``url``, stripped.

    Raises
    ------
    ParameterError
        Another scheme, an unknown placeholder, or neither the XYZ set nor ``{bbox}``.
    """
    text = url.strip()
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme not in ("http", "https", "file"):
        raise ParameterError(f"{name} must be an http(s) URL template, got {url!r}")
    found = set(_PLACEHOLDER.findall(text))
    unknown = sorted(found - _XYZ - {"bbox"})
    if unknown:
        raise ParameterError(
            f"{name} has unknown placeholders {unknown} in {url!r}; use {{z}}, {{x}}, {{y}} "
            "(or {-y}) for XYZ tiles, or {bbox} for a WMS GetMap request in EPSG:3857"
        )
    xyz = {"z", "x"} <= found and bool(found & {"y", "-y"})
    if not xyz and "bbox" not in found:
        raise ParameterError(
            f"{name} needs {{z}}, {{x}} and {{y}} (XYZ tiles) or {{bbox}} (WMS in EPSG:3857), got {url!r}"
        )
    return text


def configured_source() -> TileSource | None:
    """Return the map's tile source from ``HOTSPOTS_TILES_URL`` and ``HOTSPOTS_TILES_ATTRIBUTION``.

    Returns
    -------
    TileSource or None
        The configured source (the City of Helsinki's map when unset); None when
        ``HOTSPOTS_TILES_URL`` is set empty (no basemap).

    Raises
    ------
    ParameterError
        The URL is not a tile template, or a custom URL lacks its attribution.
    """
    url = settings.map_tiles_url()
    if not url:
        return None
    url = check_template(url)
    attribution = settings.tiles_attribution(url)
    if not attribution:
        raise ParameterError(
            f"{settings.ENV_TILES_ATTRIBUTION} must name the provider of the tiles at {url} "
            "(e.g. '© OpenStreetMap contributors'): tile licences require it"
        )
    return TileSource(url, attribution)


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """Return the column and row of the Web Mercator tile holding a point.

    Parameters
    ----------
    lon, lat
        WGS84 degrees.
    zoom
        Zoom level.

    Returns
    -------
    tuple[int, int]
        ``(x, y)``, clipped to the tiles that exist at ``zoom``.
    """
    n = 2**zoom
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return min(max(math.floor(x), 0), n - 1), min(max(math.floor(y), 0), n - 1)


def tile_box_3857(zoom: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return a tile's box in EPSG:3857 metres (minx, miny, maxx, maxy)."""
    span = 2.0 * _HALF_WORLD_M / 2**zoom
    minx = -_HALF_WORLD_M + x * span
    maxy = _HALF_WORLD_M - y * span
    return minx, maxy - span, minx + span, maxy


def tile_url(template: str, zoom: int, x: int, y: int) -> str:
    """Return the request URL of one tile.

    Parameters
    ----------
    template
        XYZ or ``{bbox}`` template (see :func:`check_template`).
    zoom, x, y
        The tile.

    Returns
    -------
    str
        The URL.
    """
    values = {"z": str(zoom), "x": str(x), "y": str(y), "-y": str(2**zoom - 1 - y)}
    if "{bbox}" in template:
        values["bbox"] = ",".join(f"{v:.3f}" for v in tile_box_3857(zoom, x, y))
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def check_bbox(bbox: tuple[float, ...], *, name: str = "bbox") -> tuple[float, float, float, float]:
    """Return ``bbox`` as (west, south, east, north) degrees, or raise naming the problem."""
    values = tuple(float(v) for v in bbox)
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ParameterError(f"{name} must be four numbers west,south,east,north in degrees, got {bbox!r}")
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        raise ParameterError(
            f"{name} must be west,south,east,north with west < east and south < north "
            f"(degrees, e.g. {','.join(map(str, HELSINKI_BBOX))}), got {bbox!r}"
        )
    return west, south, east, north


def check_zooms(zooms: tuple[int, int], *, name: str = "zoom") -> tuple[int, int]:
    """Return ``(first, last)`` zoom levels, or raise naming the allowed range."""
    first, last = int(zooms[0]), int(zooms[1])
    if not 0 <= first <= last <= _MAX_ZOOM:
        raise ParameterError(
            f"{name} must be FIRST-LAST with 0 <= FIRST <= LAST <= {_MAX_ZOOM}, got {zooms!r}"
        )
    return first, last


def plan(bbox: tuple[float, float, float, float], zooms: tuple[int, int]) -> Iterator[tuple[int, int, int]]:
    """Yield ``(zoom, x, y)`` of every tile covering ``bbox`` at each zoom level, lowest zoom first.

    Parameters
    ----------
    bbox
        West, south, east, north in degrees.
    zooms
        First and last zoom level (inclusive).

    Yields
    ------
    tuple[int, int, int]
        A tile.
    """
    west, south, east, north = check_bbox(bbox)
    first, last = check_zooms(zooms)
    for zoom in range(first, last + 1):
        x0, y0 = tile_of(west, north, zoom)
        x1, y1 = tile_of(east, south, zoom)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield zoom, x, y


def plan_size(bbox: tuple[float, float, float, float], zooms: tuple[int, int]) -> int:
    """Return how many tiles :func:`plan` yields, without listing them."""
    west, south, east, north = check_bbox(bbox)
    first, last = check_zooms(zooms)
    total = 0
    for zoom in range(first, last + 1):
        x0, y0 = tile_of(west, north, zoom)
        x1, y1 = tile_of(east, south, zoom)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total


def tile_path(folder: Path, zoom: int, x: int, y: int) -> Path:
    """Return where a tile lives under a source's cache folder."""
    return folder / str(zoom) / str(x) / f"{y}.png"


def source_folder(source: TileSource, root: Path | None = None) -> Path:
    """Return the cache folder of a source's tiles (``<cache>/tiles/<key>`` by default)."""
    base = root if root is not None else settings.cache_dir() / "tiles"
    return base / source.key


def is_image(content: bytes) -> bool:
    """Return True when ``content`` starts like a PNG, JPEG, GIF or WebP file."""
    return content.startswith(_IMAGE_MAGIC)


def _get(url: str, timeout_s: float) -> tuple[int, bytes, float | None]:
    """One GET: status, body and the Retry-After seconds (None when absent or not a number)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status), response.read(), None
    except urllib.error.HTTPError as exc:
        retry = exc.headers.get("Retry-After") if exc.headers else None
        seconds = float(retry) if retry is not None and retry.strip().isdigit() else None
        return int(exc.code), b"", seconds


def reachable(source: TileSource, *, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Return True when the source serves an image for a tile over central Helsinki.

    Parameters
    ----------
    source
        The tile source.
    timeout_s
        Seconds before the probe gives up (short: it runs while a page waits).

    Returns
    -------
    bool
        False when the server cannot be reached, answers with an error, or returns
        something other than an image (a WMS exception, a captive portal's page).
    """
    try:
        status, content, _ = _get(tile_url(source.url, *PROBE_TILE), timeout_s)
    except (OSError, ValueError):
        return False
    return status == 200 and is_image(content)


def cached_tiles(source: TileSource, roots: tuple[Path, ...] | None = None) -> TileCache | None:
    """Return the tiles of ``source`` fetched for offline use, or None when there are none.

    Parameters
    ----------
    source
        The tile source.
    roots
        Folders holding ``<key>/`` tile folders, first match wins; default the
        ``tiles/`` folder of ``HOTSPOTS_DATA_DIR`` (when set), then of the cache.

    Returns
    -------
    TileCache or None
        What the manifest describes; None without a readable manifest (tiles cached by
        a briefing export alone are scattered and are not offered to the map).
    """
    if roots is None:
        data = settings.data_dir()
        roots = (*((data / "tiles",) if data is not None else ()), settings.cache_dir() / "tiles")
    for root in roots:
        folder = root / source.key
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            west, south, east, north = (float(v) for v in manifest["bbox"])
            cache = TileCache(
                folder=folder,
                min_zoom=int(manifest["min_zoom"]),
                max_zoom=int(manifest["max_zoom"]),
                bbox=(west, south, east, north),
                count=int(manifest["count"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if cache.count > 0 and manifest.get("url") == source.url:
            return cache
    return None


def check_fetch(source: TileSource, options: FetchOptions) -> int:
    """Return how many tiles a fetch would ask for, or raise why it may not run.

    Parameters
    ----------
    source
        Where the tiles would come from.
    options
        The area, zoom levels and cap.

    Returns
    -------
    int
        Tiles covering the area at the zoom levels.

    Raises
    ------
    TileServiceError
        The source's terms forbid bulk copies, or the area needs more tiles than the cap.
    """
    host = (urllib.parse.urlsplit(source.url).hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in NO_BULK_HOSTS):
        raise TileServiceError(
            f"{host}'s tile usage policy forbids downloading areas for offline use; "
            f"fetch the City of Helsinki's map (leave {settings.ENV_TILES_URL} unset) or set "
            f"{settings.ENV_TILES_URL} to a service whose terms allow it"
        )
    planned = plan_size(options.bbox, options.zooms)
    if planned > options.max_tiles:
        first, last = options.zooms
        raise TileServiceError(
            f"zoom {first}-{last} over {options.bbox} needs {planned:,} tiles, more than the cap of "
            f"{options.max_tiles:,}; narrow --zoom or --bbox, or raise --max-tiles "
            "if the service's terms allow"
        )
    return planned


def _fetch_one(url: str, target: Path, *, timeout_s: float, sleep: Callable[[float], None]) -> bool | None:
    """Fetch one tile into ``target``: True when written, False when not served, None on failure."""
    for attempt in range(_RETRIES):
        try:
            status, content, retry_after = _get(url, timeout_s)
        except (OSError, ValueError):
            status, content, retry_after = 0, b"", None
        if status == 200 and is_image(content):
            files.write_bytes_atomically(target, content)
            return True
        if status in (200, 204, 404):
            return False  # served, but no image: nothing to keep for this tile
        if attempt + 1 < _RETRIES:
            sleep(min(retry_after if retry_after is not None else 2.0 * (attempt + 1), 60.0))
    return None


def _write_manifest(
    folder: Path, source: TileSource, bbox: tuple[float, ...], zooms: tuple[int, int], count: int
) -> None:
    manifest = {
        "url": source.url,
        "attribution": source.attribution,
        "bbox": list(bbox),
        "min_zoom": zooms[0],
        "max_zoom": zooms[1],
        "count": count,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    files.write_bytes_atomically(folder / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))


def fetch_tiles(
    source: TileSource,
    options: FetchOptions | None = None,
    *,
    root: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Copy the tiles of an area into the cache for offline use, within the service's terms.

    Parameters
    ----------
    source
        Where the tiles come from.
    options
        Area, zoom levels, cap and pause; default ``FetchOptions()`` (Helsinki, 10-16).
    root
        Folder holding the sources' tile folders; default ``<cache>/tiles``.
    progress
        Called as ``progress(done, planned)`` after each tile.
    sleep
        The pause (tests pass a recorder).

    Returns
    -------
    FetchReport
        Counts and the folder; ``manifest.json`` there describes the tiles.

    Raises
    ------
    TileServiceError
        The source's terms forbid bulk copies, the area is over the cap, or the server
        failed many times in a row (the tiles fetched so far are kept: run again to resume).
    """
    options = FetchOptions() if options is None else options
    planned = check_fetch(source, options)
    bbox, zooms = options.bbox, options.zooms
    folder = source_folder(source, root)
    fetched = cached = missing = failures = 0
    for done, (zoom, x, y) in enumerate(plan(bbox, zooms), start=1):
        target = tile_path(folder, zoom, x, y)
        if target.is_file():
            cached += 1
        else:
            url = tile_url(source.url, zoom, x, y)
            result = _fetch_one(url, target, timeout_s=settings.http_timeout_s(), sleep=sleep)
            failures = 0 if result is not None else failures + 1
            fetched += result is True
            missing += result is not True
            if failures >= _GIVE_UP_AFTER:
                _write_manifest(folder, source, bbox, zooms, fetched + cached)
                raise TileServiceError(
                    f"the tile server at {urllib.parse.urlsplit(source.url).netloc} failed {failures} times "
                    f"in a row; {fetched + cached:,} tiles are in {folder}: "
                    "run the command again later to resume"
                )
            sleep(options.delay_s)
        if progress is not None:
            progress(done, planned)
    _write_manifest(folder, source, bbox, zooms, fetched + cached)
    return FetchReport(planned=planned, fetched=fetched, cached=cached, missing=missing, folder=folder)
