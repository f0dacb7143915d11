"""The ``hotspots`` command line: the front door for scripts, schedulers and analysts.

``hotspots <command> --help`` documents each command; ``main`` is the console script.
"""

from cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
