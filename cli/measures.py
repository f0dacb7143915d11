"""``hotspots measures add|list|remove|import``: what was done where and when, kept in the store.

``add`` records one measure on districts (``--districts Kallio,503``, any level, fi/sv
name or code, by the one district rule) or on an area drawn in a GeoJSON file
(``--area``); ``import`` records every row of a CSV or GeoJSON file
(``hotspots.measure_files``), all or nothing: a file with a bad row stores nothing, unless
``--skip-bad``, and the bad rows go to a rejects CSV beside it either way; the good rows
are stored in one transaction (``add_measures``), so a store failure stores none. ``list`` prints
the measures in place in a period as a table, or writes CSV or GeoJSON (WGS84 at the edge);
``remove ID`` takes one out (the store keeps it on record, marked with its audit row).

The command line acts as an admin named by the operating system user
(``cli.arguments.operator_scope``), like ``users`` and ``batches``; every change is audited
under that name, and so is a list written to a file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

import store
from cli.arguments import DB_HELP, operator_scope
from geo import districts, files, schema
from geo.categories import canonical_category
from geo.crs import METRIC, WGS84
from geo.errors import HotspotsError
from geo.rejects import write_rejects
from geo.spreadsheet import neutralise_frame
from geo.timeparse import local_day
from hotspots.measure_files import MeasureFile, first_problem, read_area, read_measures
from hotspots.measure_places import Place, districts_place, drawn_place
from store.measure_records import (
    LEADS,
    MEASURE_KINDS,
    Measure,
    MeasureEntry,
    RecordedMeasure,
    measure_kind,
    measure_lead,
)

#: ``list --format`` choices.
FORMATS = ("table", "csv", "geojson")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``measures`` command (``add``, ``list``, ``remove``, ``import``) to the sub-parsers."""
    p = sub.add_parser(
        "measures", help="measures taken: what was done where and when (add, list, remove, import)"
    )
    actions = p.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="record a measure on districts or a drawn area")
    add.add_argument("--kind", required=True, help=f"{', '.join(MEASURE_KINDS)} (or a fi/sv/en word for it)")
    add.add_argument("--lead", required=True, help=f"{', '.join(LEADS)} (or a fi/sv/en word for it)")
    add.add_argument("--partner", default="", help="the partner, free text (at most 200 characters)")
    add.add_argument(
        "--from", dest="start", required=True, help="first day, e.g. 2026-05-01 (Europe/Helsinki)"
    )
    add.add_argument("--until", required=True, help="day after the last, e.g. 2026-08-01")
    add.add_argument("--note", default="", help="a short note (at most 1000 characters)")
    add.add_argument("--categories", default="", help="targeted categories, comma-separated (default: all)")
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--districts", help="district names or codes, any level, comma-separated")
    where.add_argument("--area", help="GeoJSON file of the area (WGS84, or EPSG:3067/3879 by its crs)")
    add.add_argument("--db", help=DB_HELP)
    add.set_defaults(func=run)
    listing = actions.add_parser("list", help="list the measures in place, by start")
    listing.add_argument("--since", help="only measures running on or after this day")
    listing.add_argument("--until", help="only measures running before this day")
    listing.add_argument("--format", default="table", choices=FORMATS)
    listing.add_argument("--out", help="write to this file (csv, geojson) instead of standard output")
    listing.add_argument("--db", help=DB_HELP)
    listing.set_defaults(func=run)
    remove = actions.add_parser("remove", help="remove a measure (kept on record in the audit trail)")
    remove.add_argument(
        "measure_id", type=int, metavar="ID", help="the measure's id (`hotspots measures list`)"
    )
    remove.add_argument("--db", help=DB_HELP)
    remove.set_defaults(func=run)
    importing = actions.add_parser("import", help="record the measures of a CSV or GeoJSON file")
    importing.add_argument("file")
    importing.add_argument(
        "--skip-bad", action="store_true", help="record the good rows even when some are bad"
    )
    importing.add_argument("--rejects", help="where to write the bad rows (default FILE.rejects.csv)")
    importing.add_argument("--db", help=DB_HELP)
    importing.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``measures ACTION``."""
    if args.action == "add":
        return _add(args)
    if args.action == "import":
        return _import(args)
    if args.action == "remove":
        operator = operator_scope()
        with store.open_store(args.db) as db:
            db.remove_measure(args.measure_id, scope=operator)
        print(f"removed measure {args.measure_id}; kept on record in the audit trail as {operator.user}'s")
        return 0
    return _list(args)


# --------------------------------------------------------------------------- add and import


def _categories(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for label in (item.strip() for item in text.replace(";", ",").split(",")):
        if not label:
            continue
        code = canonical_category(label)
        if code is None:
            raise HotspotsError(
                f"--categories: {label!r} is not a category; use {', '.join(schema.CATEGORIES)} "
                "or the labels incident files use (e.g. pahoinpitely)"
            )
        found.extend([] if code in found else [code])
    return tuple(found)


def _place(args: argparse.Namespace) -> Place:
    layer = districts.load_districts("osaalue")
    if args.districts is not None:
        names = [name.strip() for name in args.districts.split(",") if name.strip()]
        if not names:
            raise HotspotsError("--districts names no district; give e.g. --districts Kallio,503")
        return districts_place(names, hierarchy=districts.hierarchy(), osaalue_layer=layer)
    path = Path(args.area)
    if not path.is_file():
        raise HotspotsError(f"--area file {path} does not exist; give a GeoJSON file of the measure's area")
    return drawn_place(read_area(path), osaalue_layer=layer)


def _choice(flag: str, text: str, found: str | None, codes: tuple[str, ...]) -> str:
    if found is None:
        raise HotspotsError(
            f"{flag} {text!r} is not known; use one of {', '.join(codes)} or its fi/sv/en name"
        )
    return found


def _add(args: argparse.Namespace) -> int:
    operator = operator_scope()
    place = _place(args)
    start = local_day(args.start, "--from", schema.TIMEZONE)
    end = local_day(args.until, "--until", schema.TIMEZONE)
    if end <= start:
        raise HotspotsError(
            f"--until {args.until} is not after --from {args.start}; --until is the day after the "
            "last day, e.g. --from 2026-05-01 --until 2026-08-01 for May to July"
        )
    measure = Measure(
        kind=_choice("--kind", args.kind, measure_kind(args.kind), MEASURE_KINDS),  # type: ignore[arg-type]
        lead=_choice("--lead", args.lead, measure_lead(args.lead), LEADS),  # type: ignore[arg-type]
        area=place.area,
        start=start,
        end=end,
        partner=args.partner,
        categories=_categories(args.categories),
        note=args.note,
    )
    with store.open_store(args.db) as db:
        ident = db.add_measure(
            measure,
            place_kind=place.place_kind,
            place_ref=place.place_ref,
            osaalue=place.osaalue,
            scope=operator,
        )
    print(f"recorded measure {ident}: {_summary(measure, place)}; recorded as {operator.user}")
    return 0


def _summary(measure: Measure, place: Place) -> str:
    partner = f" with {measure.partner}" if measure.partner else ""
    where = f"districts {place.place_ref}" if place.place_kind == "districts" else "a drawn area"
    touched = ", ".join(place.osaalue) or "none"
    categories = ", ".join(measure.categories) or "all categories"
    return (
        f"{measure.kind} led by {measure.lead}{partner}, {_day(measure.start)} until {_day(measure.end)}, "
        f"on {where} of {measure.area.area / 1e6:.3f} km² (osa-alue {touched}), {categories}"
    )


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise HotspotsError(f"measure file {path} does not exist; give a CSV or GeoJSON file of measures")
    operator = operator_scope()
    result = read_measures(
        path, hierarchy=districts.hierarchy(), osaalue_layer=districts.load_districts("osaalue")
    )
    rejects_path = Path(args.rejects) if args.rejects else path.with_name(path.stem + ".rejects.csv")
    if len(result.rejects):
        write_rejects(result.rejects, rejects_path)  # before anything is stored: nothing silently lost
        if not args.skip_bad:
            raise HotspotsError(
                f"{path.name}: {result.bad_rows} of {result.rows_read} rows are bad, so nothing was "
                f"recorded; first: {first_problem(result)}. Fix them (all are in {rejects_path}) "
                "or pass --skip-bad"
            )
    ids = _record(result, args.db, operator)
    print(f"file:       {path}")
    print(f"read:       {result.rows_read} rows")
    print(f"recorded:   {len(ids)} measures" + (f" (ids {ids[0]}-{ids[-1]})" if ids else ""))
    print(f"rejected:   {result.bad_rows} rows")
    if len(result.rejects):
        print(f"rejects:    {rejects_path}")
    return 0


def _record(result: MeasureFile, url: str | None, operator: store.Scope) -> list[int]:
    """Record the file's good rows in one transaction: a store failure half way records none."""
    entries = [
        MeasureEntry(row.measure, row.place.place_kind, row.place.place_ref, row.place.osaalue)
        for row in result.measures
    ]
    with store.open_store(url) as db:
        return db.add_measures(entries, scope=operator)


# --------------------------------------------------------------------------- list


def _day(stamp: pd.Timestamp) -> str:
    """Return a Helsinki day, with the time when it is not midnight."""
    return stamp.strftime("%Y-%m-%d" if stamp == stamp.normalize() else "%Y-%m-%d %H:%M")


def _place_text(recorded: RecordedMeasure) -> str:
    if recorded.place_kind == "drawn":
        return f"drawn (osa-alue {', '.join(recorded.osaalue) or 'none'})"
    return f"{recorded.place_kind} {recorded.place_ref}"


def measures_frame(measures: list[RecordedMeasure]) -> gpd.GeoDataFrame:
    """Return the measures as a table with their areas (EPSG:3067), one row each, in list order."""
    return gpd.GeoDataFrame(
        {
            "id": [r.id for r in measures],
            "from": [_day(r.measure.start) for r in measures],
            "until": [_day(r.measure.end) for r in measures],
            "kind": [r.measure.kind for r in measures],
            "lead": [r.measure.lead for r in measures],
            "partner": [r.measure.partner for r in measures],
            "categories": [",".join(r.measure.categories) for r in measures],
            "place": [_place_text(r) for r in measures],
            "osaalue": [",".join(r.osaalue) for r in measures],
            "note": [r.measure.note for r in measures],
            "recorded_by": [r.recorded_by for r in measures],
            "recorded_at": [r.recorded_at.isoformat() for r in measures],
        },
        geometry=[r.measure.area for r in measures],
        crs=METRIC,
    )


def _list(args: argparse.Namespace) -> int:
    operator = operator_scope()
    since = None if args.since is None else local_day(args.since, "--since", schema.TIMEZONE)
    until = None if args.until is None else local_day(args.until, "--until", schema.TIMEZONE)
    with store.open_store(args.db) as db:
        found = db.measures(scope=operator, since=since, until=until)
        url = db.url
        frame = measures_frame(found)
        if args.format == "table":
            if not found:
                print(f"no measures in {url} for that period")
                return 0
            shown = ["id", "from", "until", "kind", "lead", "partner", "place", "recorded_by"]
            print(pd.DataFrame(frame[shown]).to_string(index=False))
            return 0
        if args.format == "csv":
            content = neutralise_frame(pd.DataFrame(frame.drop(columns="geometry"))).to_csv(index=False)
            data = content.encode("utf-8-sig")
        else:
            data = frame.to_crs(WGS84).to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
        if args.out is None:
            sys.stdout.write(data.decode("utf-8-sig"))
            return 0
        target = files.write_bytes_atomically(Path(args.out), data)
        detail = {"file_name": target.name, "kind": f"measures-{args.format}", "measures": len(found)}
        db.record("export", scope=operator, detail=detail)
    print(f"wrote {len(found)} measures to {target}")
    return 0
