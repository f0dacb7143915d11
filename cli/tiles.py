"""``hotspots tiles fetch``: copy Helsinki's basemap tiles into the cache, for a map that works offline.

The tiles come from the map's configured source (``HOTSPOTS_TILES_URL``, by default the
City of Helsinki's own map), one request at a time with a pause between them, at most
``--max-tiles``; tiles already cached are skipped, so an interrupted run resumes. The app
then serves them itself (``views.assets``); the briefing's picture reads the same cache.
"""

from __future__ import annotations

import argparse
import sys

from geo import settings, tiles
from geo.errors import ParameterError


def _zooms(text: str) -> tuple[int, int]:
    """``"10-16"`` or ``"14"`` -> (first, last)."""
    first, _, last = text.partition("-")
    try:
        return tiles.check_zooms((int(first), int(last or first)), name="--zoom")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--zoom must be FIRST-LAST such as 10-16, got {text!r}") from exc


def _bbox(text: str) -> tuple[float, float, float, float]:
    """``"24.9,60.15,25.0,60.2"`` -> (west, south, east, north)."""
    try:
        return tiles.check_bbox(tuple(float(v) for v in text.split(",")), name="--bbox")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``tiles`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("tiles", help="fetch the basemap tiles of Helsinki for offline use")
    p.add_argument("action", choices=["fetch"])
    first, last = tiles.DEFAULT_ZOOMS
    p.add_argument(
        "--zoom", type=_zooms, default=tiles.DEFAULT_ZOOMS, help=f"zoom levels (default {first}-{last})"
    )
    west, south, east, north = tiles.HELSINKI_BBOX
    p.add_argument(
        "--bbox",
        type=_bbox,
        default=tiles.HELSINKI_BBOX,
        metavar="W,S,E,N",
        help=f"area in degrees (default Helsinki: {west},{south},{east},{north})",
    )
    p.add_argument(
        "--max-tiles",
        type=int,
        default=tiles.DEFAULT_MAX_TILES,
        help=f"refuse areas needing more tiles (default {tiles.DEFAULT_MAX_TILES:,})",
    )
    p.add_argument(
        "--delay",
        type=float,
        default=tiles.DEFAULT_DELAY_S,
        help=f"seconds between requests (default {tiles.DEFAULT_DELAY_S})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fetch the tiles, printing progress to standard error and the result to standard output."""
    source = tiles.configured_source()
    if source is None:
        raise ParameterError(
            f"{settings.ENV_TILES_URL} is set empty (no basemap), so there is nothing to fetch; "
            "unset it for the City of Helsinki's map or set a tile URL"
        )
    options = tiles.FetchOptions(
        bbox=args.bbox, zooms=args.zoom, max_tiles=args.max_tiles, delay_s=args.delay
    )
    planned = tiles.check_fetch(source, options)
    print(
        f"fetching up to {planned:,} tiles (zoom {args.zoom[0]}-{args.zoom[1]}) from "
        f"{source.url.split('?')[0]}, one every {args.delay:g} s; cached tiles are skipped",
        file=sys.stderr,
    )

    def progress(done: int, total: int) -> None:
        if done % 200 == 0 or done == total:
            print(f"  {done:,}/{total:,}", file=sys.stderr)

    report = tiles.fetch_tiles(source, options, progress=progress)
    print(
        f"tiles: {report.fetched:,} fetched, {report.cached:,} already cached, "
        f"{report.missing:,} not served, of {report.planned:,}"
    )
    print(f"ok  {report.folder}")
    return 0
