"""``hotspots evaluate``: backtest hotspot methods on an incident file and print the table.

Helsinki is the default: INPUT is imported like ``hotspots import`` does (or read from
the store with ``--db``) and the study area is Helsinki's districts. With
``--districts none`` or a polygon file, INPUT can hold incidents anywhere: it is read as
a table with lon/lat (WGS84) and a time column, projected to a local metric CRS (the UTM
zone of the points, EPSG:3067 in Finland), and the study area is the 150 m cells holding
incidents or the polygons of the file (``cli.arguments``, shared with ``cluster``).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cli import arguments
from hotspots import evaluation
from hotspots.clustering import clustering_from_text


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` command to the ``hotspots`` sub-parsers."""
    parser = sub.add_parser(
        "evaluate", help="backtest: how well last period's hotspots predict the next (hit rate, PAI, PEI)"
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``evaluate`` arguments to ``parser``."""
    parser.add_argument("input", nargs="?", help="incident file (or use --db)")
    parser.add_argument("--db", help="store URL (Helsinki data only), instead of INPUT")
    parser.add_argument("--crs", help="EPSG code of INPUT's x/y columns (Helsinki import)")
    parser.add_argument(
        "--train-window", default=evaluation.DEFAULT_TRAIN_WINDOW, help="e.g. 6M (default), 1M, 30D"
    )
    parser.add_argument("--test-window", default=evaluation.DEFAULT_TEST_WINDOW, help="e.g. 6M (default), 1M")
    parser.add_argument(
        "--area",
        default="0.01,0.03,0.05",
        help="budgets as shares of the study area (default 0.01,0.03,0.05)",
    )
    parser.add_argument("--hotspots", type=int, help="also a budget of the top N hotspots' cells")
    parser.add_argument(
        "--methods",
        default=",".join(evaluation.DEFAULT_METHODS),
        help=f"comma-separated, of {', '.join(evaluation.METHODS)} or the groups "
        f"{', '.join(evaluation.METHOD_ALIASES)} (default: all but random)",
    )
    arguments.add_clustering_arguments(parser, methods=False)
    parser.add_argument("--windows", type=int, help="run only the N most recent windows")
    arguments.add_study_arguments(parser)
    arguments.add_part_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="seed of the random method")
    parser.add_argument("--out", help="write the per-window rows to this CSV")
    parser.add_argument(
        "--chart", help="write the altair chart (hit rate against area) to this .html or .json"
    )


def backtest_params(args: argparse.Namespace) -> evaluation.BacktestParams:
    """Return the ``BacktestParams`` the arguments describe (validated)."""
    given = clustering_from_text("dbscan", args.eps, args.min_samples)
    # The backtest chooses per window itself; its clustering carries the fixed values.
    clustering = replace(given, auto_eps=False, auto_min_samples=False)
    return evaluation.BacktestParams(
        train_window=args.train_window,
        test_window=args.test_window,
        area_shares=evaluation.parse_area_shares(args.area),
        n_hotspots=args.hotspots,
        methods=evaluation.parse_methods(args.methods),
        cell_m=args.cell,
        clustering=clustering,
        auto_eps=given.auto_eps,
        auto_min_samples=given.auto_min_samples,
        n_windows=args.windows,
        seed=args.seed,
    )


def load(args: argparse.Namespace) -> tuple[pd.DataFrame, evaluation.StudyGrid, gpd.GeoDataFrame | None, str]:
    """Incidents, study grid, district layer and a one-line description of the study area."""
    data = arguments.load_study(args)
    grid = data.grid
    if grid is None:
        grid = evaluation.study_grid(evaluation.helsinki_study_area(), cell_m=args.cell)
    return data.incidents, grid, data.districts, data.where


def run(args: argparse.Namespace) -> int:
    """Run ``hotspots evaluate``: print the table, write ``--out``/``--chart`` when asked."""
    params = backtest_params(args)
    frame, grid, layer, where = load(args)
    print(
        f"study area: {where}, {grid.n_cells} cells of {grid.cell_m:g} m ({grid.area_km2:.1f} km²); "
        f"windows {params.train_window} -> {params.test_window}",
        file=sys.stderr,
    )
    results = evaluation.backtest(
        frame, params=params, grid=grid, districts=layer, progress=lambda line: print(line, file=sys.stderr)
    )
    table = evaluation.summarise_backtest(results)
    print(evaluation.format_table(table))
    recommended = results.loc[results["method"] == "dbscan", ["window", "budget", "params"]]
    if len(recommended):
        print("\ndbscan parameters per window and budget:")
        for row in recommended.itertuples(index=False):
            print(f"  {row.window} {row.budget}: {row.params}")
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        results.to_csv(out, index=False)
        print(f"wrote {out}", file=sys.stderr)
    if args.chart:
        path = Path(args.chart)
        path.parent.mkdir(parents=True, exist_ok=True)
        evaluation.backtest_chart(results).save(str(path))
        print(f"wrote {path}", file=sys.stderr)
    return 0 if np.isfinite(table["hit_rate"]).any() else 1
