"""``hotspots demo``: write the synthetic, realistic demo incident file."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo import demo


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("demo", help="write a synthetic, realistic demo incident file")
    p.add_argument("--out", required=True, help="output .csv, .geojson, .gpkg or .parquet")
    p.add_argument("--n", type=int, default=20_000, help="number of incidents (default 20000)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write ``--n`` demo incidents to ``--out``."""
    path = demo.write_demo(Path(args.out), n=args.n, seed=args.seed)
    print(f"wrote {args.n} synthetic demo incidents (seed {args.seed}) to {path}")
    return 0
