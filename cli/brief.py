"""The ``hotspots brief`` command: a PDF briefing or a map picture of one selection.

``register`` adds the command and ``run`` carries it out; the incidents are loaded and
filtered with the helpers ``cluster`` uses (``cli.arguments``), so both commands read
the same filters the same way::

    hotspots brief demo.csv --since 2026-05-01 --until 2026-11-01 --out briefing.pdf --lang fi
    hotspots brief --db sqlite:///data/incidents.sqlite --out map.png --size a4 --density
    hotspots brief --db URL --review --since 2026-05-01 --until 2026-11-01 --out review.pdf

``--review`` writes the six-monthly review instead (``cli.review``), with the measures of
the store and of ``--measures FILE``. A file made from the store (``--db``) is recorded in
its audit trail (``export``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from briefing import is_synthetic, mapimage, pdf, rendering
from briefing.privacy import check_min_count
from cli import arguments, review
from geo import files, settings
from geo.districts import LEVELS
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.recommendation import read_service_points
from i18n import t
from store import redact_url

#: Output formats by suffix.
OUTPUTS: Final = (".pdf", ".png")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``brief`` command to the ``hotspots`` sub-parsers."""
    parser = sub.add_parser(
        "brief", help="a PDF briefing or a map picture (PNG) of the selection, safe to share"
    )
    arguments.add_analysis_arguments(parser)
    parser.add_argument("--out", required=True, help="briefing.pdf (two A4 pages) or map.png (the picture)")
    arguments.add_sharing_arguments(parser)
    arguments.add_register_arguments(parser, purpose="to name each hotspot by its nearest address or place")
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
    parser.add_argument(
        "--review",
        action="store_true",
        help="the six-monthly review PDF of --since..--until: changes, measures and their effect, forecast",
    )
    parser.add_argument(
        "--measures",
        metavar="FILE",
        help="with --review: measures from a CSV or GeoJSON file (as `measures import` reads), "
        "besides those in --db",
    )
    parser.set_defaults(func=run)


def _target(args: argparse.Namespace) -> Path:
    """Return ``--out`` when it names a briefing or a picture; refuse ``--review``'s own options."""
    if args.measures:
        raise ParameterError("--measures is read by the review only: add --review, or leave --measures out")
    target = Path(args.out)
    if target.suffix.lower() not in OUTPUTS:
        raise ParameterError(
            f"--out was {target.name!r} but is expected to end in one of {list(OUTPUTS)}: "
            ".pdf for the briefing, .png for the map picture"
        )
    return target


def run(args: argparse.Namespace) -> int:
    """Load, filter and analyse the incidents, then write the briefing or the picture (or the review).

    Parameters
    ----------
    args
        Parsed ``brief`` options (``register``).

    Returns
    -------
    int
        0 on success; errors meant for people are raised as ``HotspotsError``.
    """
    if args.review:
        return review.run(args)
    target = _target(args)
    suffix = target.suffix.lower()
    min_count = check_min_count(args.min_count)
    clustering = arguments.clustering_from_args(args)
    frame, origin = arguments.load_incidents(args)
    selection = arguments.selection_from_args(args)
    services = read_service_points(Path(args.services)) if args.services else None
    result = analysis.analyse(
        frame,
        selection=selection,
        clustering=clustering,
        service_points=services,
        study=arguments.study_from_args(args),
    )
    tiles_url = (settings.tiles_url() or None) if args.tiles else None
    origin = redact_url(origin, shareable=True)

    tiles_missing = False
    if suffix == ".pdf":
        content = pdf.brief_pdf_bytes(
            result,
            pdf.BriefOptions(
                lang=args.lang,
                restricted=args.restricted,
                min_count=min_count,
                level=args.level,
                origin=origin,
                density=args.density,
                tiles_url=tiles_url,
            ),
        )
    else:
        picture = mapimage.map_figure(
            result,
            mapimage.MapOptions(
                lang=args.lang,
                size=args.size,
                restricted=args.restricted,
                min_count=min_count,
                density=args.density,
                tiles_url=tiles_url,
                origin=origin,
            ),
        )
        tiles_missing = tiles_url is not None and not picture.tiles_drawn
        content = rendering.figure_png_bytes(
            picture.figure, dpi=mapimage.resolve_size(args.size).dpi, metadata=picture.metadata
        )
    files.write_bytes_atomically(target, content)
    arguments.audit_export(args, result, target, kind=suffix.lstrip("."))

    synthetic = " (synthetic demo data)" if is_synthetic(result) else ""
    kind = "RESTRICTED" if args.restricted else f"aggregated, counts below {min_count} suppressed"
    print(f"{origin}{synthetic}: {len(result.current)} incidents selected, {len(result.hotspots)} hotspots")
    if result.parameters is not None:
        print(f"parameters: {result.parameters.reason}")
    if tiles_missing:
        print(f"note: {t('brief.tiles_unavailable', 'en')}", file=sys.stderr)
    print(f"wrote {target} ({kind})")
    return 0
