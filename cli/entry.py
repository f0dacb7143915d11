"""The ``hotspots`` entry: one sub-command per module, errors for people on one line.

``main`` builds the parser from the command modules (``districts``, ``gazetteer``, ``demo``,
``import``, ``geocode``, ``stats``, ``cluster``, ``brief``, ``evaluate``, ``tiles``, ``users``,
``audit``, ``batches``, ``retention``, ``measures``) and turns every
error a user can cause (bad files, broken stores, bad settings) into one line on standard
error, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import (
    audit,
    batches,
    brief,
    cluster,
    demo,
    districts,
    evaluate,
    gazetteer,
    geocode,
    importing,
    measures,
    retention,
    stats,
    tiles,
    users,
)
from geo import settings
from geo.errors import HotspotsError
from store import driver_error_message

#: The command modules, in the order ``hotspots --help`` lists them.
COMMANDS = (
    districts,
    gazetteer,
    tiles,
    demo,
    importing,
    geocode,
    cluster,
    brief,
    evaluate,
    stats,
    users,
    audit,
    batches,
    retention,
    measures,
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``hotspots`` command."""
    parser = argparse.ArgumentParser(
        prog="hotspots",
        description="Helsinki safety hotspot map: districts, incidents, hotspots.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; errors meant for people are printed without a traceback (exit 2)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except HotspotsError as exc:
        _error(str(exc))
        return 2
    except OSError as exc:
        _error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return 2
    except Exception as exc:
        # A store that breaks while it is used (damaged, locked by another program, the
        # server gone) is the user's environment, not a bug: one line, no traceback.
        message = driver_error_message(exc, getattr(args, "db", None) or settings.db_url())
        if message is None:
            raise
        _error(message)
        return 2


def _error(message: str) -> None:
    """One line on standard error (a server's message may span several)."""
    print("error: " + " ".join(message.split()), file=sys.stderr)
