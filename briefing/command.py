"""The ``hotspots brief`` command: a PDF briefing or a map picture of one selection.

``add_arguments`` adds the options to a sub-parser and ``run`` carries them out; the
incidents are loaded and filtered with the ``cluster`` command's own helpers, so both
commands read the same filters the same way::

    hotspots brief demo.csv --since 2026-05-01 --until 2026-11-01 --out briefing.pdf --lang fi
    hotspots brief --db sqlite:///data/incidents.sqlite --out map.png --size a4 --density
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from briefing import is_synthetic, safe_origin
from briefing.privacy import DEFAULT_MIN_COUNT, check_min_count
from geo import files, settings
from geo.districts import LEVELS
from geo.errors import ParameterError
from views.i18n import LANGUAGES, t

#: Output formats by suffix.
OUTPUTS: Final = (".pdf", ".png")


def add_sharing_arguments(parser: argparse.ArgumentParser) -> None:
    """``--lang``, ``--restricted`` and ``--min-count``: how a shared file is written (brief, cluster)."""
    parser.add_argument("--lang", default="fi", choices=list(LANGUAGES), help="language (default fi)")
    parser.add_argument(
        "--restricted",
        action="store_true",
        help="include single incidents and exact counts; every page and the metadata say RESTRICTED",
    )
    parser.add_argument(
        "--min-count",
        type=int,
        default=DEFAULT_MIN_COUNT,
        help=f"counts below this are shown as <N (default {DEFAULT_MIN_COUNT})",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``brief`` output options to ``parser`` (the filters come from the ``cluster`` command).

    Parameters
    ----------
    parser
        The ``brief`` sub-parser.
    """
    parser.add_argument("--out", required=True, help="briefing.pdf (two A4 pages) or map.png (the picture)")
    add_sharing_arguments(parser)
    parser.add_argument(
        "--size", default="slides", choices=["slides", "a4"], help="PNG size: slides 1920x1080, a4 at 300 dpi"
    )
    parser.add_argument("--density", action="store_true", help="shade incident density in 250 m cells")
    parser.add_argument(
        "--tiles", action="store_true", help=f"draw basemap tiles from {settings.ENV_TILES_URL} (cached)"
    )
    parser.add_argument(
        "--level", default="peruspiiri", choices=list(LEVELS), help="district level of the PDF's table"
    )


def run(args: argparse.Namespace) -> int:
    """Load, filter and analyse the incidents, then write the briefing or the picture.

    Parameters
    ----------
    args
        Parsed ``brief`` options (``add_arguments``).

    Returns
    -------
    int
        0 on success; errors meant for people are raised as ``HotspotsError``.
    """
    from briefing import mapimage, pdf
    from hotspots import analysis, methods
    from hotspots.inputs import load_incidents, selection_from_args
    from hotspots.recommendation import read_service_points

    target = Path(args.out)
    suffix = target.suffix.lower()
    if suffix not in OUTPUTS:
        raise ParameterError(
            f"--out was {target.name!r} but is expected to end in one of {list(OUTPUTS)}: "
            ".pdf for the briefing, .png for the map picture"
        )
    min_count = check_min_count(args.min_count)
    clustering = methods.clustering_from_text(args.method, args.eps, args.min_samples, args.window_days)
    frame, origin = load_incidents(args)
    selection = selection_from_args(args)
    services = read_service_points(Path(args.services)) if args.services else None
    result = analysis.analyse(frame, selection=selection, clustering=clustering, service_points=services)
    tiles_url = (settings.tiles_url() or None) if args.tiles else None
    origin = safe_origin(origin)

    tiles_missing = False
    if suffix == ".pdf":
        content = pdf.brief_pdf_bytes(
            result,
            lang=args.lang,
            restricted=args.restricted,
            min_count=min_count,
            level=args.level,
            origin=origin,
            density=args.density,
            tiles_url=tiles_url,
        )
    else:
        picture = mapimage.map_figure(
            result,
            lang=args.lang,
            size=args.size,
            restricted=args.restricted,
            min_count=min_count,
            density=args.density,
            tiles_url=tiles_url,
            origin=origin,
        )
        tiles_missing = tiles_url is not None and not picture.tiles_drawn
        content = mapimage.figure_png_bytes(
            picture.figure, dpi=mapimage.resolve_size(args.size).dpi, metadata=picture.metadata
        )
    files.write_bytes_atomically(target, content)

    synthetic = " (synthetic demo data)" if is_synthetic(result) else ""
    kind = "RESTRICTED" if args.restricted else f"aggregated, counts below {min_count} suppressed"
    print(f"{origin}{synthetic}: {len(result.current)} incidents selected, {len(result.hotspots)} hotspots")
    if result.parameters is not None:
        print(f"parameters: {result.parameters.reason}")
    if tiles_missing:
        print(f"note: {t('brief.tiles_unavailable', 'en')}", file=sys.stderr)
    print(f"wrote {target} ({kind})")
    return 0
