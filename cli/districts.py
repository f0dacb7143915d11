"""``hotspots districts fetch|list``: download the official open data, or list one district level."""

from __future__ import annotations

import argparse

import pandas as pd

from geo import districts, download, population
from geo.districts import LEVELS


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``districts`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("districts", help="fetch or list the official Helsinki districts")
    p.add_argument("action", choices=["fetch", "list"])
    p.add_argument("--level", default="peruspiiri", choices=list(LEVELS))
    p.add_argument("--force", action="store_true", help="download again even when cached")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fetch every dataset into the cache, or print the level's districts with residents."""
    if args.action == "fetch":
        for path in download.fetch_all(force=args.force):
            print(f"ok  {path}")
        return 0
    frame = districts.load_districts(args.level)
    residents = population.residents_by_district(args.level).set_index("code")
    table = pd.DataFrame(
        {
            "code": frame["code"],
            "name_fi": frame["name_fi"],
            "name_sv": frame["name_sv"],
            "suurpiiri": frame["suurpiiri_code"],
            "area_km2": frame["area_km2"].round(2),
            "residents": frame["code"].map(residents["residents"]).round(0).astype("Int64"),
            "young_13_24": frame["code"].map(residents["young_residents"]).round(0).astype("Int64"),
        }
    )
    if args.level == "osaalue":
        table.insert(3, "peruspiiri", frame["peruspiiri_code"])
    print(table.to_string(index=False))
    return 0
