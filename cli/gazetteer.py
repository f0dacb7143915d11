"""``hotspots gazetteer fetch``: download the official address register and place names once.

After this the geocoder works offline (``hotspots geocode``); ``--force`` downloads again
(a failed download keeps the cached files).
"""

from __future__ import annotations

import argparse

from geo import registerlayers


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``gazetteer`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("gazetteer", help="fetch the official address register and place names")
    p.add_argument("action", choices=["fetch"])
    p.add_argument("--force", action="store_true", help="download again even when cached")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fetch both register layers into the cache and print where they are."""
    for path in registerlayers.fetch_register(force=args.force):
        print(f"ok  {path}")
    return 0
