"""``hotspots batches list|delete``: the store's import log, and deleting a file loaded by mistake.

``list`` prints one line per import (``IncidentStore.batches``): when, which file, rows
read, added, duplicates, conflicts, rejected, and whether it repeated an earlier file or
was deleted. ``delete ID`` removes the incidents that batch added (an admin's action, as
the command line acts: ``cli.arguments.operator_scope``) and records it in the audit
trail; the batch's line stays, marked, and its file may be imported again.
"""

from __future__ import annotations

import argparse

import pandas as pd

import store
from cli.arguments import DB_HELP, operator_scope
from geo import schema


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``batches`` command (``list``, ``delete``) to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("batches", help="list the import batches, or delete one loaded by mistake")
    actions = p.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list the import batches, oldest first")
    listing.add_argument("--db", help=DB_HELP)
    listing.set_defaults(func=run)
    delete = actions.add_parser(
        "delete", help="delete the incidents one batch added (recorded in the audit trail)"
    )
    delete.add_argument("batch_id", type=int, metavar="ID", help="the batch's id (`hotspots batches list`)")
    delete.add_argument("--db", help=DB_HELP)
    delete.set_defaults(func=run)


def _state(log: pd.DataFrame) -> list[str]:
    """Return what became of each batch: ``deleted (audit 12)``, ``repeats 3`` or ``stored``."""
    out = []
    for deleted, repeated in zip(log["deleted_in"], log["duplicate_of"], strict=True):
        if pd.notna(deleted):
            out.append(f"deleted (audit {int(deleted)})")
        elif pd.notna(repeated):
            out.append(f"repeats {int(repeated)}")
        else:
            out.append("stored")
    return out


def run(args: argparse.Namespace) -> int:
    """List the batches, or delete one and say how many incidents went."""
    if args.action == "delete":
        operator = operator_scope()
        with store.open_store(args.db) as db:
            deleted = db.delete_batch(args.batch_id, scope=operator)
            name = db.batches().set_index("batch_id").loc[args.batch_id, "file_name"]
        print(f"deleted batch {args.batch_id} ({name}): {deleted} incidents; recorded as {operator.user}")
        return 0
    with store.open_store(args.db) as db:
        log = db.batches()
        url = db.url
    if log.empty:
        print(f"no import batches in {url}")
        return 0
    table = pd.DataFrame(
        {
            "id": log["batch_id"],
            "imported (Helsinki)": log["imported_at"]
            .dt.tz_convert(schema.TIMEZONE)
            .dt.strftime("%Y-%m-%d %H:%M"),
            "file": log["file_name"],
            "read": log["rows_read"],
            "added": log["added"],
            "duplicates": log["duplicates"],
            "conflicts": log["conflicts"],
            "rejected": log["rejected"],
            "state": _state(log),
        }
    )
    print(table.to_string(index=False))
    return 0
