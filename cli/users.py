"""``hotspots users add|grant|remove|list``: who may use the app, with which role and districts.

The store keeps one row per user (``store.users``): the e-mail address or sign-in subject,
the role (admin, analyst, youth_worker, viewer) and the osa-alue the user may see (none:
the whole city). Districts are named at any level, in Finnish or Swedish or by code
(``--district Kallio --district Linjat --district 503``) and resolved with the one
district rule of the app's filter (``hotspots.selection``: a district named inside another
narrows it), then kept as osa-alue codes. A youth worker needs at least one.

The command line acts as an admin named by the operating system user
(``cli.arguments.operator_scope``): whoever can run it against the store holds the store's
file or credentials anyway. Every change is written to the audit trail with it.
"""

from __future__ import annotations

import argparse

import pandas as pd

import store
from cli.arguments import DB_HELP, operator_scope
from geo import districts, schema
from geo.errors import HotspotsError
from hotspots.measure_places import district_osaalue
from store import ROLES, Scope


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``users`` command (``add``, ``grant``, ``remove``, ``list``) to the sub-parsers."""
    p = sub.add_parser("users", help="who may use the app: roles and districts (add, grant, remove, list)")
    actions = p.add_subparsers(dest="action", required=True)
    for name, text in (
        ("add", "add a user with a role (and districts)"),
        ("grant", "change a user's role and districts"),
    ):
        q = actions.add_parser(name, help=text)
        q.add_argument("user", help="e-mail address or sign-in subject (kept lower-cased)")
        q.add_argument("--role", required=True, choices=list(ROLES))
        q.add_argument(
            "--district",
            action="append",
            metavar="NAME_OR_CODE",
            help="a district the user may see, any level, fi/sv name or code; repeat for more "
            "(a youth worker needs one; none: the whole city)",
        )
        q.add_argument("--db", help=DB_HELP)
        q.set_defaults(func=run)
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("user")
    remove.add_argument("--db", help=DB_HELP)
    remove.set_defaults(func=run)
    listing = actions.add_parser("list", help="list the users with their roles and districts")
    listing.add_argument("--db", help=DB_HELP)
    listing.set_defaults(func=run)


def osaalue_codes(names: list[str] | None, hierarchy: pd.DataFrame) -> tuple[str, ...] | None:
    """Return the osa-alue codes a list of district names or codes covers (None for no names).

    Parameters
    ----------
    names
        Names (fi or sv) or codes at any level; a district named inside another narrows it.
    hierarchy
        ``geo.districts.hierarchy()``.

    Returns
    -------
    tuple of str or None
        The osa-alue codes, sorted; None when no district was named (the whole city).

    Raises
    ------
    ParameterError
        A name matches no Helsinki district (the message suggests close names).
    """
    if not names:
        return None
    return district_osaalue(names, hierarchy)


def describe(scope: Scope, hierarchy: pd.DataFrame | None) -> str:
    """Return a scope in words: ``youth_worker, osa-alue 101 Vilhonvuori, 102 Kalasatama``."""
    if scope.osaalue is None:
        return f"{scope.role}, the whole city"
    names = (
        {}
        if hierarchy is None
        else dict(zip(hierarchy["osaalue_code"], hierarchy["osaalue_fi"], strict=True))
    )
    shown = ", ".join(f"{code} {names[code]}" if code in names else code for code in scope.osaalue)
    return f"{scope.role}, osa-alue {shown}"


def _hierarchy() -> pd.DataFrame | None:
    """Return the cached district hierarchy for names in messages; None when it is not cached."""
    try:
        return districts.hierarchy(download=False)
    except HotspotsError:
        return None


def run(args: argparse.Namespace) -> int:
    """Carry out ``users ACTION`` against the store and print what changed."""
    if args.action == "list":
        return _list(args)
    operator = operator_scope()
    with store.open_store(args.db) as db:
        before = db.user(args.user)
        if args.action == "remove":
            db.remove_user(args.user, by=operator)
            assert before is not None  # remove_user refused a stranger
            print(
                f"removed {before.user} (was {describe(before, _hierarchy())}); recorded as {operator.user}"
            )
            return 0
        codes = None
        hierarchy = _hierarchy()
        if args.district:
            hierarchy = districts.hierarchy()  # downloaded when missing: the names need it
            codes = osaalue_codes(args.district, hierarchy)
        if args.role == "youth_worker" and not codes:
            raise HotspotsError(
                "a youth worker needs at least one --district NAME_OR_CODE "
                "(any level, e.g. Kallio, 301, Linjat)"
            )
        if args.action == "add" and before is not None:
            raise HotspotsError(
                f"{before.user} is already a user ({describe(before, hierarchy)}); use `users grant`"
            )
        if args.action == "grant" and before is None:
            raise HotspotsError(f"{args.user.strip().lower()} is not a user of this store; use `users add`")
        scope = Scope(args.user, args.role, codes)
        db.put_user(scope, by=operator)
    was = "" if before is None else f" (was {describe(before, hierarchy)})"
    verb = "added" if before is None else "changed"
    print(f"{verb} {scope.user}: {describe(scope, hierarchy)}{was}; recorded as {operator.user}")
    return 0


def _list(args: argparse.Namespace) -> int:
    """Print the users, one a line, with role, districts and when and by whom they were given."""
    with store.open_store(args.db) as db:
        users = db.users()
        url = db.url
    if users.empty:
        print(f"no users in {url}; add one with `hotspots users add USER --role ROLE`")
        return 0
    table = pd.DataFrame(
        {
            "user": users["user_id"],
            "role": users["role"],
            "osa-alue": users["districts"].fillna("(whole city)").str.replace(",", " ", regex=False),
            "since": users["added_at"].dt.tz_convert(schema.TIMEZONE).dt.strftime("%Y-%m-%d %H:%M"),
            "by": users["added_by"],
        }
    )
    print(table.to_string(index=False))
    return 0
