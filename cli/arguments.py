"""Options several commands share, and turning them into the domain's inputs.

``cluster``, ``brief`` and ``evaluate`` read incidents, districts and filters the same way
(``add_analysis_arguments``, ``add_study_arguments``, ``selection_from_args``), and every
command that writes a shared file takes the same ``--lang --restricted --min-count``
(``add_sharing_arguments``). Flags are named here and nowhere in the domain packages.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import store
from briefing.permissions import export_detail
from briefing.privacy import DEFAULT_MIN_COUNT
from geo import districts, incidents, schema, settings
from geo.errors import HotspotsError
from geo.gazetteer import Register
from geo.geocoder import Geocoder
from geo.geocoding import available_register, geocoder_for
from geo.timeparse import local_day
from hotspots import grid as study_grid
from hotspots.analysis import Analysis, StudyArea
from hotspots.clustering import METHODS, ClusteringParams, clustering_from_text
from hotspots.parameters import DEFAULT_EPS_M, DEFAULT_MIN_SAMPLES, DEFAULT_WINDOW_DAYS
from hotspots.selection import Selection, districts_by_name
from hotspots.study import StudyData, helsinki_study, points_study
from i18n import LANGUAGES
from store import Scope

#: Help text of every ``--db``.
DB_HELP = f"store URL (default {settings.ENV_DB_URL} or sqlite:///data/incidents.sqlite)"
#: The operator's name when the operating system does not tell it.
OPERATOR_FALLBACK = "cli"


def operator_scope() -> Scope:
    """Return the scope the command line acts with: an admin over the whole city, named by the OS user.

    Whoever can run ``hotspots`` against a store holds its file or its database credentials
    anyway, so the command line does not ask for a role; it says who acted. Every change it
    makes (imports, user changes, deletions) is audited under the operating system's user
    name (``cli`` when there is none), lower-cased, white space and commas as ``_``.
    """
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor the password database
        name = ""
    name = re.sub(r"[\s,]+", "_", name.strip()) or OPERATOR_FALLBACK
    return Scope(name, "admin", None)


def add_part_arguments(parser: argparse.ArgumentParser) -> None:
    """``--sheet`` (XLSX) and ``--layer`` (GeoPackage): which table of a file to read."""
    parser.add_argument("--sheet", help="XLSX sheet to read (default: the first)")
    parser.add_argument("--layer", help="GeoPackage layer to read (default: the first)")


def add_register_arguments(parser: argparse.ArgumentParser, *, purpose: str) -> None:
    """``--register`` and ``--places``: a user's address register and place names, for ``purpose``."""
    parser.add_argument(
        "--register",
        metavar="REG",
        help="address register, CSV or GeoJSON with street_fi, street_sv, number, postcode, lon, lat, "
        f"{purpose} (default {settings.ENV_REGISTER})",
    )
    parser.add_argument(
        "--places",
        metavar="PLACES",
        help="place names for --register: CSV or GeoJSON with name_fi, name_sv, kind, lon, lat",
    )


def register_from_args(args: argparse.Namespace, *, official: bool) -> Register | None:
    """Return the register ``--register`` (or ``HOTSPOTS_REGISTER``) names, else the cached official one.

    With ``official`` False, or when no official copy is cached (nothing is downloaded
    here), None stands for "no register".
    """
    own = args.register is not None or settings.register_path() is not None
    if args.places and not own:
        raise HotspotsError("--places needs --register REG: place names are read with an address register")
    if own or official:
        return available_register(args.register, places=args.places)
    return None


def names_from_args(args: argparse.Namespace) -> Geocoder | None:
    """Return the geocoder that names hotspots by street (``register_from_args``), or None."""
    register = register_from_args(args, official=True)
    return geocoder_for(register) if register is not None else None


def study_from_args(args: argparse.Namespace, *, grid: study_grid.StudyGrid | None = None) -> StudyArea:
    """Return the study area of ``cluster`` and ``brief``: grid, register names, ``--precise-only``."""
    return StudyArea(grid=grid, names=names_from_args(args), precise_only=bool(args.precise_only))


def add_study_arguments(parser: argparse.ArgumentParser) -> None:
    """``--districts --cell --lon --lat --time --timezone`` (shared by cluster, brief and evaluate)."""
    parser.add_argument(
        "--districts",
        default="helsinki",
        help="helsinki (default), none (the 150 m cells holding incidents: any city, lon/lat) "
        "or a polygon file (the study area)",
    )
    parser.add_argument(
        "--cell", type=float, default=study_grid.DEFAULT_CELL_M, help="cell side in metres (150)"
    )
    parser.add_argument("--lon", default="lon", help="longitude column when --districts is not helsinki")
    parser.add_argument("--lat", default="lat", help="latitude column when --districts is not helsinki")
    parser.add_argument("--time", default="occurred_at", help="time column when --districts is not helsinki")
    parser.add_argument(
        "--timezone",
        default=schema.TIMEZONE,
        help=f"zone of naive times and of --since/--until when --districts is not helsinki "
        f"(default {schema.TIMEZONE})",
    )


def add_sharing_arguments(parser: argparse.ArgumentParser) -> None:
    """``--lang``, ``--restricted`` and ``--min-count``: how a shared file is written (brief, cluster)."""
    parser.add_argument("--lang", default="fi", choices=list(LANGUAGES), help="language (default fi)")
    parser.add_argument(
        "--restricted",
        action="store_true",
        help="include single incidents and exact counts; every page and the metadata say RESTRICTED",
    )
    parser.add_argument(
        "--min-count",
        type=int,
        default=DEFAULT_MIN_COUNT,
        help=f"counts below this are shown as <N (default {DEFAULT_MIN_COUNT})",
    )


def add_clustering_arguments(parser: argparse.ArgumentParser, *, methods: bool = True) -> None:
    """``--eps`` and ``--min-samples`` (a number or auto); with ``methods``, ``--method`` too."""
    if methods:
        parser.add_argument("--method", default="dbscan", choices=list(METHODS))
        parser.add_argument(
            "--window-days",
            type=float,
            default=DEFAULT_WINDOW_DAYS,
            help=f"st-dbscan time window (default {DEFAULT_WINDOW_DAYS:g})",
        )
    parser.add_argument(
        "--eps",
        default="auto",
        help=f"radius in metres, or auto (default): chosen by backtest on the period ({DEFAULT_EPS_M:g} "
        "when it has too few incidents)",
    )
    parser.add_argument(
        "--min-samples",
        default="auto",
        help=f"incidents in a radius for a core point, or auto (default; {DEFAULT_MIN_SAMPLES} as fallback)",
    )


def add_analysis_arguments(parser: argparse.ArgumentParser) -> None:
    """Input, clustering and filter options shared by ``cluster`` and ``brief``."""
    parser.add_argument("input", nargs="?", help="incident file (or use --db)")
    parser.add_argument("--db", help=DB_HELP)
    parser.add_argument("--crs", help="EPSG code of INPUT's x/y columns")
    add_clustering_arguments(parser)
    parser.add_argument("--since", help="first day, e.g. 2026-05-01 (Europe/Helsinki)")
    parser.add_argument("--until", help="day after the last, e.g. 2026-11-01")
    parser.add_argument("--category", action="append", choices=list(schema.CATEGORIES))
    parser.add_argument("--district", action="append", help="district name or code (fi/sv, any level)")
    parser.add_argument("--services", help="CSV of service points (name, lon/lat) for recommendations")
    parser.add_argument(
        "--precise-only",
        action="store_true",
        help="leave positions a register placed only by street, place or intersection (geocode_quality) "
        "out of the hotspots; they still count in the figures",
    )
    add_part_arguments(parser)


def clustering_from_args(args: argparse.Namespace) -> ClusteringParams:
    """Read ``--method --eps --min-samples --window-days`` as clustering parameters."""
    return clustering_from_text(args.method, args.eps, args.min_samples, args.window_days)


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``['Aika=occurred_at', ...]`` (source column = canonical field) -> ``{field: column}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column or not field:
            raise HotspotsError(
                f"--map was {pair!r} but is expected to be COLUMN=FIELD, "
                "e.g. --map 'Tapahtuma-aika=occurred_at'"
            )
        mapping[field.strip()] = column.strip()
    return mapping


def audit_export(args: argparse.Namespace, result: Analysis, path: Path, *, kind: str) -> None:
    """Record a file written from the store (``--db``) in that store's audit trail (``export``).

    A file made from an INPUT file is the operator's own and touches no store; one made
    from the store's incidents is recorded under ``operator_scope()`` with its name, kind,
    classification, filters and ``--min-count`` (``briefing.permissions.export_detail``).
    """
    if not getattr(args, "db", None):
        return
    detail = export_detail(
        result,
        file_name=path.name,
        kind=kind,
        restricted=bool(args.restricted),
        min_count=int(args.min_count),
        lang=args.lang,
    )
    with store.open_store(args.db) as db:
        db.record("export", scope=operator_scope(), detail=detail)


def load_incidents(args: argparse.Namespace) -> tuple[pd.DataFrame, str]:
    """Helsinki incidents from INPUT (imported in memory, rejects reported) or from the store."""
    if args.input and args.db:
        raise HotspotsError("give either INPUT or --db, not both")
    if args.input:
        path = Path(args.input)
        if not path.is_file():
            raise HotspotsError(f"input file {path} does not exist")
        result = incidents.import_incidents(
            path,
            crs=args.crs,
            file_name=path.name,
            sheet=getattr(args, "sheet", None),
            layer=getattr(args, "layer", None),
            register=register_from_args(args, official=True) if hasattr(args, "register") else None,
        )
        if result.report.rejected:
            print(
                f"note: {result.report.rejected} rows of {path.name} were rejected; "
                f"`hotspots import {path}` writes them with reasons",
                file=sys.stderr,
            )
        return result.incidents, path.name
    with store.open_store(args.db) as db:
        return db.query(scope=operator_scope()), db.url


def load_study(args: argparse.Namespace) -> StudyData:
    """Incidents and study area as ``--districts`` (and INPUT / ``--db``) describe them."""
    if not args.input and not args.db:
        raise HotspotsError("give an incident file INPUT (or --db)")
    choice = str(args.districts).strip()
    if choice.lower() == "helsinki":
        frame, origin = load_incidents(args)
        return helsinki_study(frame, origin)
    if args.db:
        raise HotspotsError("--db holds Helsinki data; use --districts helsinki with it, or give INPUT")
    data = points_study(
        Path(args.input),
        area=choice,
        cell_m=args.cell,
        lon=args.lon,
        lat=args.lat,
        time=args.time,
        timezone=args.timezone,
    )
    if data.note:
        print(f"note: {data.note} (name the columns with --lon, --lat and --time)", file=sys.stderr)
    return data


def selection_from_args(args: argparse.Namespace, *, timezone: str = schema.TIMEZONE) -> Selection:
    """Read the filters of ``cluster`` and ``brief`` as a Selection (dates in ``timezone``).

    ``--district`` names are resolved per level and the Selection applies the one district
    rule (``hotspots.selection.choose_districts``), the same as the app's filter.
    """
    chosen: dict[str, tuple[str, ...]] = {}
    if getattr(args, "district", None):
        chosen = districts_by_name(args.district, districts.hierarchy())
    return Selection(
        since=None if args.since is None else local_day(args.since, "--since", timezone),
        until=None if args.until is None else local_day(args.until, "--until", timezone),
        categories=tuple(args.category or ()),
        suurpiiri=chosen.get("suurpiiri", ()),
        peruspiiri=chosen.get("peruspiiri", ()),
        osaalue=chosen.get("osaalue", ()),
    )


def check_helsinki_only(args: argparse.Namespace, data: StudyData) -> None:
    """Refuse options that only Helsinki data have (district filter, canonical categories)."""
    if data.helsinki:
        return
    if getattr(args, "district", None):
        raise HotspotsError(
            "--district names Helsinki's districts; with --districts none or FILE leave it out"
        )
    if getattr(args, "category", None):
        raise HotspotsError(
            "--category filters Helsinki's canonical categories; with --districts none or FILE "
            "cut INPUT to the categories you want first"
        )
