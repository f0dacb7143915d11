"""``hotspots retention --older-than 5y [--yes]``: delete the incidents older than a retention period.

Without ``--yes`` it only counts them (a dry run: nothing is deleted or recorded); with it
the incidents that occurred before the cutoff are deleted and the deletion is recorded in
the audit trail (an admin's action, as the command line acts:
``cli.arguments.operator_scope``). The cutoff is the start of today in Helsinki minus the
period: ``5y`` years, ``18m`` months, ``90d`` days.
"""

from __future__ import annotations

import argparse
import re

import pandas as pd

import store
from cli.arguments import DB_HELP, operator_scope
from geo import schema
from geo.errors import ParameterError

_PERIOD = re.compile(r"^\s*(\d+)\s*([ymd])\s*$", re.IGNORECASE)
_UNITS = {"y": "years", "m": "months", "d": "days"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``retention`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("retention", help="delete incidents older than a period (dry run without --yes)")
    p.add_argument(
        "--older-than", required=True, metavar="PERIOD", help="5y (years), 18m (months) or 90d (days)"
    )
    p.add_argument("--yes", action="store_true", help="delete them (without it, only count them)")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(func=run)


def cutoff(period: str, *, today: pd.Timestamp | None = None) -> pd.Timestamp:
    """Return the start of today in Helsinki minus ``period`` (``5y``, ``18m``, ``90d``).

    Parameters
    ----------
    period
        A whole number of years, months or days, at least 1.
    today
        The day to count back from; default today in Helsinki.

    Returns
    -------
    Timestamp
        Midnight in Helsinki, that many calendar years, months or days before ``today``.

    Raises
    ------
    ParameterError
        ``period`` is not of that form.
    """
    match = _PERIOD.match(period)
    if match is None or int(match.group(1)) < 1:
        raise ParameterError(
            f"--older-than was {period!r} but is expected to be a whole number and a unit: "
            "5y (years), 18m (months) or 90d (days)"
        )
    day = pd.Timestamp.now(tz=schema.TIMEZONE) if today is None else today.tz_convert(schema.TIMEZONE)
    start = day.tz_localize(None).normalize() - pd.DateOffset(
        **{_UNITS[match.group(2).lower()]: int(match.group(1))}
    )
    return pd.Timestamp(start).tz_localize(schema.TIMEZONE, nonexistent="shift_forward", ambiguous=True)


def run(args: argparse.Namespace) -> int:
    """Count (or with ``--yes`` delete) the incidents before the cutoff and say so."""
    before = cutoff(args.older_than)
    day = before.strftime("%Y-%m-%d")
    operator = operator_scope()
    with store.open_store(args.db) as db:
        if not args.yes:
            n = db.delete_older_than(before, scope=operator, dry_run=True)
            print(f"{n} incidents occurred before {day} (older than {args.older_than}); nothing deleted.")
            print("Run again with --yes to delete them (recorded in the audit trail).")
            return 0
        n = db.delete_older_than(before, scope=operator)
    print(f"deleted {n} incidents that occurred before {day}; recorded as {operator.user}")
    return 0
