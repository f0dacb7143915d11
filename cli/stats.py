"""``hotspots stats``: what the incident store holds."""

from __future__ import annotations

import argparse

import store
from cli.arguments import DB_HELP
from geo import geocoding


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``stats`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("stats", help="summarise the incident store")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the store's counts by category and source (and geocode quality, when any was geocoded)."""
    with store.open_store(args.db) as db:
        stats = db.stats()
        url = db.url
    print(f"store:      {url} (schema v{stats.schema_version})")
    print(f"incidents:  {stats.total} ({stats.synthetic} synthetic) in {stats.batches} import batches")
    if stats.total:
        print(f"period:     {stats.first_occurred_at} .. {stats.last_occurred_at}")
        for title, counts in (("category", stats.by_category), ("source", stats.by_source)):
            print(f"by {title}:")
            for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                print(f"  {name:<18} {count:>8}")
    qualities = stats.by_geocode_quality
    if stats.total > qualities.get(geocoding.SOURCE_QUALITY, 0):
        # Best first, as the import prints them: how far each position can be trusted.
        print("by geocode quality:")
        for name, count in qualities.items():
            print(f"  {name:<18} {count:>8}")
    return 0
