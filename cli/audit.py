"""``hotspots audit``: the store's audit trail, oldest first, as a table on standard output.

Each row says when (Helsinki time), who (user id and role), what (``sign_in``, ``import``,
``export``, ``delete_batch``, ``retention``, ``user_change``) and the particulars as JSON
(``store.audit``). ``--since``, ``--user`` and ``--action`` narrow it. Reading the trail
changes nothing and is not itself recorded.
"""

from __future__ import annotations

import argparse

import store
from cli.arguments import DB_HELP
from geo import schema
from store.audit import ACTIONS


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``audit`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser(
        "audit", help="list the audit trail: sign-ins, imports, exports, deletions, role changes"
    )
    p.add_argument("--since", help="only rows from this day on, e.g. 2026-05-01 (Europe/Helsinki)")
    p.add_argument("--user", help="only this user's rows (e-mail address or sign-in subject)")
    p.add_argument("--action", choices=list(ACTIONS), help="only this action")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the audit rows that match, one a line: id, time, user, role, action, detail."""
    with store.open_store(args.db) as db:
        log = db.audit_log(since=args.since, user=args.user, action=args.action)
        url = db.url
    if log.empty:
        print(f"no audit rows in {url} match")
        return 0
    at = log["at"].dt.tz_convert(schema.TIMEZONE).dt.strftime("%Y-%m-%d %H:%M:%S")
    columns = [
        ("id", log["audit_id"].astype(str).tolist(), ">"),
        ("at (Helsinki)", at.tolist(), "<"),
        ("user", log["user_id"].tolist(), "<"),
        ("role", log["role"].tolist(), "<"),
        ("action", log["action"].tolist(), "<"),
    ]
    widths = [max(len(title), *(len(value) for value in values)) for title, values, _ in columns]

    def line(cells: list[str]) -> str:
        return "  ".join(
            f"{cell:{align}{width}}"
            for cell, (_, _, align), width in zip(cells, columns, widths, strict=True)
        )

    print(line([title for title, _, _ in columns]) + "  detail")
    for i, detail in enumerate(log["detail"]):
        print(line([values[i] for _, values, _ in columns]) + f"  {detail}")
    return 0
