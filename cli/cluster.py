"""``hotspots cluster``: find, rank and export hotspots, for the period or as a forecast.

The file is written by ``briefing.downloads.write_hotspots``, the one aggregation every
shared output goes through: the same bytes as the app's download. A file made from the
store (``--db``) is recorded in its audit trail (``export``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from briefing import downloads
from cli import arguments
from hotspots import analysis, areas, forecast, placenames
from hotspots.recommendation import read_service_points
from i18n import recommendation_text


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``cluster`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("cluster", help="find, rank and export hotspots")
    arguments.add_analysis_arguments(p)
    p.add_argument(
        "--out", required=True, help="hotspots.geojson, .gpkg or .csv (aggregated: counts <5 hidden)"
    )
    arguments.add_sharing_arguments(p)
    p.add_argument(
        "--forecast",
        action="store_true",
        help="rank hotspots for the period after the data, from all the history INPUT holds",
    )
    p.add_argument("--horizon", default="6M", help="length of the forecast period (default 6M)")
    arguments.add_study_arguments(p)
    arguments.add_register_arguments(p, purpose="to name each hotspot by its nearest address or place")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Analyse (or forecast) the selection, write ``--out`` and print the top ten."""
    data = arguments.load_study(args)
    arguments.check_helsinki_only(args, data)
    frame = data.incidents
    selection = arguments.selection_from_args(args, timezone=data.timezone)
    clustering = arguments.clustering_from_args(args)
    services = read_service_points(Path(args.services)) if args.services else None
    where = arguments.study_from_args(args, grid=data.grid)
    if args.forecast:
        predicted = forecast.forecast_hotspots(
            frame,
            selection=selection,
            clustering=clustering,
            horizon=args.horizon,
            service_points=services,
            where=where,
        )
        result = predicted.analysis
        heading = f"forecast for {predicted.period_label}"
    else:
        result = analysis.analyse(
            frame,
            selection=selection,
            clustering=clustering,
            service_points=services,
            study=where,
        )
        heading = ""
    path = downloads.write_hotspots(
        result,
        args.out,
        scope=arguments.operator_scope(),
        lang=args.lang,
        restricted=args.restricted,
        min_count=args.min_count,
    )
    kinds = {".gpkg": "gpkg", ".csv": "hotspots_csv"}
    arguments.audit_export(args, result, path, kind=kinds.get(path.suffix.lower(), "geojson"))
    synthetic = (
        " (synthetic demo data)"
        if len(frame) and "synthetic" in frame.columns and bool(frame["synthetic"].all())
        else ""
    )
    print(f"{data.origin}{synthetic}: study area {data.where}")
    _print_hotspots(result, heading, cell_m=args.cell)
    kind = "RESTRICTED: exact counts and incidents" if args.restricted else "aggregated, safe to share"
    print(f"wrote {path} ({kind})")
    return 0


def _print_hotspots(result: analysis.Analysis, heading: str, *, cell_m: float) -> None:
    """Print the counts, the parameters and their reason, and the ten first hotspots."""
    total_km2 = float(result.hotspots["area_km2"].sum()) if len(result.hotspots) else 0.0
    print(
        f"{len(result.current)} incidents selected, {len(result.hotspots)} hotspots "
        f"({total_km2:.2f} km² together){' ' + heading if heading else ''}"
    )
    if result.parameters is not None:
        print(f"parameters: {result.parameters.reason}")
    if result.parameters is None or "Size rule" not in result.parameters.reason:
        cell = result.found.grid.cell_m if result.found is not None else cell_m
        print(f"size rule: {areas.AreaParams().describe(cell)}")
    for _, row in result.hotspots.head(10).iterrows():
        head = (
            f"  {int(row['rank']):>2}. {row['id']:<5} n={int(row['n']):<5} "
            f"{float(row['area_km2']):.2f} km² {row['status'] if isinstance(row['status'], str) else '':<12}"
        )
        street = placenames.place_name(row, "en")
        print(f"{head} {street + ': ' if street else ''}{recommendation_text(row['recommendation'], 'en')}")
    if len(result.vanished):
        print(f"  vanished since the previous period: {len(result.vanished)}")
