"""The ``hotspots`` command line: districts, demo data, import, store statistics, clustering."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from geo import schema, settings
from geo.errors import HotspotsError
from geo.store import driver_error_message
from hotspots import inputs
from hotspots.methods import METHODS
from hotspots.parameters import DEFAULT_EPS_M, DEFAULT_MIN_SAMPLES


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
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


def _cmd_districts(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        from geo import download

        for path in download.fetch_all(force=args.force):
            print(f"ok  {path}")
        return 0
    from geo import districts, population

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


def _cmd_demo(args: argparse.Namespace) -> int:
    from geo import demo

    path = demo.write_demo(Path(args.out), n=args.n, seed=args.seed)
    print(f"wrote {args.n} synthetic demo incidents (seed {args.seed}) to {path}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from geo import incidents, store

    path = Path(args.file)
    if not path.is_file():
        raise HotspotsError(
            f"input file {path} does not exist; give the path of a CSV, XLSX, GeoJSON, GPKG or Parquet file"
        )
    result = incidents.import_incidents(
        path,
        crs=args.crs,
        mapping=_parse_mapping(args.map or []),
        file_name=path.name,
        sheet=args.sheet,
        layer=args.layer,
    )
    report = result.report
    rejects_path = Path(args.rejects) if args.rejects else path.with_name(path.stem + ".rejects.csv")
    if len(result.rejects):
        # Written before the store commits: an unwritable place stops the import with
        # nothing added, never with the incidents stored and their rejects lost.
        incidents.write_rejects(result.rejects, rejects_path)
    with store.open_store(args.db) as db:
        batch = db.add_batch(
            result.incidents,
            file_name=path.name,
            content_hash=_content_hash(path),
            rows_read=report.rows_read,
            rejected=report.rejected,
        )
    if len(batch.conflicts):
        incidents.write_rejects(pd.concat([result.rejects, batch.conflicts], ignore_index=True), rejects_path)
    print(f"file:       {path}")
    print(f"read:       {report.rows_read} rows")
    if batch.already_imported:
        print("note:       this file was imported before (same content hash); nothing added")
    print(f"accepted:   {len(result.incidents)} rows ({batch.added} added to the store)")
    print(f"duplicates: {report.duplicates_in_file} in the file, {batch.duplicates} already in the store")
    print(f"rejected:   {report.rejected} rows, {len(batch.conflicts)} conflicting ids against the store")
    for line in report.notes():
        print(f"note:       {line}")
    if len(result.rejects) or len(batch.conflicts):
        print(f"rejects:    {rejects_path}")
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from geo import store

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
    return 0


def add_analysis_arguments(p: argparse.ArgumentParser) -> None:
    """Input, clustering and filter options shared by ``cluster`` and ``brief``."""
    p.add_argument("input", nargs="?", help="incident file (or use --db)")
    p.add_argument(
        "--db", help=f"store URL (default {settings.ENV_DB_URL} or sqlite:///data/incidents.sqlite)"
    )
    p.add_argument("--crs", help="EPSG code of INPUT's x/y columns")
    p.add_argument("--method", default="dbscan", choices=list(METHODS))
    p.add_argument(
        "--eps",
        default="auto",
        help=f"radius in metres, or auto (default): chosen by backtest on the period ({DEFAULT_EPS_M:g} "
        "when it has too few incidents)",
    )
    p.add_argument(
        "--min-samples",
        default="auto",
        help=f"incidents in a radius for a core point, or auto (default; {DEFAULT_MIN_SAMPLES} as fallback)",
    )
    p.add_argument("--window-days", type=float, default=14.0, help="st-dbscan time window (default 14)")
    p.add_argument("--since", help="first day, e.g. 2026-05-01 (Europe/Helsinki)")
    p.add_argument("--until", help="day after the last, e.g. 2026-11-01")
    p.add_argument("--category", action="append", choices=list(schema.CATEGORIES))
    p.add_argument("--district", action="append", help="district name or code (fi/sv, any level)")
    p.add_argument("--services", help="CSV of service points (name, lon/lat) for recommendations")
    inputs.add_part_arguments(p)


def _cmd_cluster(args: argparse.Namespace) -> int:
    from briefing import downloads  # the one aggregation of every shared output
    from hotspots import analysis, areas, forecast, methods
    from hotspots.recommendation import read_service_points

    data = inputs.load_study(args)
    inputs.check_helsinki_only(args, data)
    frame = data.incidents
    selection = inputs.selection_from_args(args, timezone=data.timezone)
    clustering = methods.clustering_from_text(args.method, args.eps, args.min_samples, args.window_days)
    services = read_service_points(Path(args.services)) if args.services else None
    if args.forecast:
        predicted = forecast.forecast_hotspots(
            frame,
            selection=selection,
            clustering=clustering,
            horizon=args.horizon,
            grid=data.grid,
            service_points=services,
        )
        result = predicted.analysis
        heading = f"forecast for {predicted.period_label}"
    else:
        result = analysis.analyse(
            frame, selection=selection, clustering=clustering, service_points=services, grid=data.grid
        )
        heading = ""
    path = downloads.write_hotspots(
        result, args.out, lang=args.lang, restricted=args.restricted, min_count=args.min_count
    )
    synthetic = (
        " (synthetic demo data)"
        if len(frame) and "synthetic" in frame.columns and bool(frame["synthetic"].all())
        else ""
    )
    print(f"{data.origin}{synthetic}: study area {data.where}")
    total_km2 = float(result.hotspots["area_km2"].sum()) if len(result.hotspots) else 0.0
    print(
        f"{len(result.current)} incidents selected, {len(result.hotspots)} hotspots "
        f"({total_km2:.2f} km² together){' ' + heading if heading else ''}"
    )
    if result.parameters is not None:
        print(f"parameters: {result.parameters.reason}")
    if result.parameters is None or "Size rule" not in result.parameters.reason:
        cell_m = result.found.grid.cell_m if result.found is not None else args.cell
        print(f"size rule: {areas.AreaParams().describe(cell_m)}")
    for _, row in result.hotspots.head(10).iterrows():
        head = (
            f"  {int(row['rank']):>2}. {row['id']:<5} n={int(row['n']):<5} "
            f"{float(row['area_km2']):.2f} km² {row['status'] if isinstance(row['status'], str) else '':<12}"
        )
        print(f"{head} {row['recommendation_en']}")
    if len(result.vanished):
        print(f"  vanished since the previous period: {len(result.vanished)}")
    kind = "RESTRICTED: exact counts and incidents" if args.restricted else "aggregated, safe to share"
    print(f"wrote {path} ({kind})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hotspots`` command."""
    parser = argparse.ArgumentParser(
        prog="hotspots",
        description="Helsinki safety hotspot map: districts, incidents, hotspots.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = f"store URL (default {settings.ENV_DB_URL} or sqlite:///data/incidents.sqlite)"

    p = sub.add_parser("districts", help="fetch or list the official Helsinki districts")
    p.add_argument("action", choices=["fetch", "list"])
    p.add_argument("--level", default="peruspiiri", choices=["suurpiiri", "peruspiiri", "osaalue"])
    p.add_argument("--force", action="store_true", help="download again even when cached")
    p.set_defaults(func=_cmd_districts)

    p = sub.add_parser("demo", help="write a synthetic, realistic demo incident file")
    p.add_argument("--out", required=True, help="output .csv, .geojson, .gpkg or .parquet")
    p.add_argument("--n", type=int, default=20_000, help="number of incidents (default 20000)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("import", help="import an incident file into the store")
    p.add_argument("file")
    p.add_argument("--crs", help="EPSG code of x/y columns: 3879, 3067 or 4326")
    p.add_argument("--map", action="append", metavar="COLUMN=FIELD", help="map a column to a canonical field")
    p.add_argument("--db", help=db_help)
    p.add_argument("--rejects", help="where to write rejected rows (default FILE.rejects.csv)")
    inputs.add_part_arguments(p)
    p.set_defaults(func=_cmd_import)

    from briefing import command as brief_command

    p = sub.add_parser("cluster", help="find, rank and export hotspots")
    add_analysis_arguments(p)
    p.add_argument(
        "--out", required=True, help="hotspots.geojson, .gpkg or .csv (aggregated: counts <5 hidden)"
    )
    brief_command.add_sharing_arguments(p)
    p.add_argument(
        "--forecast",
        action="store_true",
        help="rank hotspots for the period after the data, from all the history INPUT holds",
    )
    p.add_argument("--horizon", default="6M", help="length of the forecast period (default 6M)")
    inputs.add_study_arguments(p)
    p.set_defaults(func=_cmd_cluster)

    p = sub.add_parser("brief", help="a PDF briefing or a map picture (PNG) of the selection, safe to share")
    add_analysis_arguments(p)
    brief_command.add_arguments(p)
    p.set_defaults(func=brief_command.run)

    from hotspots import backtest_command

    p = sub.add_parser(
        "evaluate", help="backtest: how well last period's hotspots predict the next (hit rate, PAI, PEI)"
    )
    backtest_command.add_arguments(p)
    p.set_defaults(func=backtest_command.run)

    p = sub.add_parser("stats", help="summarise the incident store")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_stats)
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


if __name__ == "__main__":
    raise SystemExit(main())
