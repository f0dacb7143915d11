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
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from cli import arguments
from geo.errors import ParameterError
from hotspots import backtest
from hotspots.clustering import clustering_from_text
from hotspots.grid import StudyGrid, helsinki_study_area, study_grid

#: Short names ``--methods`` accepts for groups of methods.
METHOD_ALIASES: Final[dict[str, tuple[backtest.Method, ...]]] = {
    "kde": ("kde-rule", "kde-cv"),
    "dbscan-shapes": ("dbscan", "dbscan-cells", "dbscan-ranked", "dbscan-concave", "dbscan-hull"),
}


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
        "--train-window", default=backtest.DEFAULT_TRAIN_WINDOW, help="e.g. 6M (default), 1M, 30D"
    )
    parser.add_argument("--test-window", default=backtest.DEFAULT_TEST_WINDOW, help="e.g. 6M (default), 1M")
    parser.add_argument(
        "--area",
        default="0.01,0.03,0.05",
        help="budgets as shares of the study area (default 0.01,0.03,0.05)",
    )
    parser.add_argument("--hotspots", type=int, help="also a budget of the top N hotspots' cells")
    parser.add_argument(
        "--methods",
        default=",".join(backtest.DEFAULT_METHODS),
        help=f"comma-separated, of {', '.join(backtest.METHODS)} or the groups "
        f"{', '.join(METHOD_ALIASES)} (default: all but random)",
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


def backtest_params(args: argparse.Namespace) -> backtest.BacktestParams:
    """Return the ``BacktestParams`` the arguments describe (validated)."""
    given = clustering_from_text("dbscan", args.eps, args.min_samples)
    # The backtest chooses per window itself; its clustering carries the fixed values.
    clustering = replace(given, auto_eps=False, auto_min_samples=False)
    return backtest.BacktestParams(
        train_window=args.train_window,
        test_window=args.test_window,
        area_shares=parse_area_shares(args.area),
        n_hotspots=args.hotspots,
        methods=parse_methods(args.methods),
        cell_m=args.cell,
        clustering=clustering,
        auto_eps=given.auto_eps,
        auto_min_samples=given.auto_min_samples,
        n_windows=args.windows,
        seed=args.seed,
    )


def parse_methods(text: str) -> tuple[str, ...]:
    """Read ``--methods``: ``"dbscan,kde,grid"`` -> ``("dbscan", "kde-rule", "kde-cv", "grid")``.

    Parameters
    ----------
    text
        Comma-separated method names (``hotspots.backtest.METHODS``) or groups (``METHOD_ALIASES``).

    Returns
    -------
    tuple of str
        The methods, groups expanded, each once, in the order given.
    """
    out: list[str] = []
    for raw in str(text).split(","):
        name = raw.strip().lower()
        if not name:
            continue
        for item in METHOD_ALIASES.get(name, (name,)):
            if item not in backtest.METHODS:
                raise ParameterError(
                    f"method {name!r} is unknown; choose from {list(backtest.METHODS)} "
                    f"or the groups {list(METHOD_ALIASES)}"
                )
            if item not in out:
                out.append(item)
    if not out:
        raise ParameterError(f"--methods was {text!r}; name at least one of {list(backtest.METHODS)}")
    return tuple(out)


def parse_area_shares(text: str) -> tuple[float, ...]:
    """Read ``--area``: ``"0.01,0.03,0.05"`` or ``"1%,3%,5%"`` -> ``(0.01, 0.03, 0.05)``.

    Parameters
    ----------
    text
        Comma-separated shares of the study area, as fractions or per cents.

    Returns
    -------
    tuple of float
        The shares, each in (0, 1).
    """
    shares: list[float] = []
    for raw in str(text).split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            value = float(item[:-1]) / 100 if item.endswith("%") else float(item)
        except ValueError:
            raise ParameterError(
                f"--area was {text!r}; give shares of the study area such as 0.01,0.03,0.05 or 1%,3%,5%"
            ) from None
        if not 0 < value < 1:
            raise ParameterError(f"area share {item} is outside (0, 1); e.g. 0.05 or 5% for five per cent")
        shares.append(value)
    if not shares:
        raise ParameterError(f"--area was {text!r}; give at least one share such as 0.03")
    return tuple(shares)


def load(args: argparse.Namespace) -> tuple[pd.DataFrame, StudyGrid, gpd.GeoDataFrame | None, str]:
    """Incidents, study grid, district layer and a one-line description of the study area."""
    data = arguments.load_study(args)
    grid = data.grid
    if grid is None:
        grid = study_grid(helsinki_study_area(), cell_m=args.cell)
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
    results = backtest.backtest(
        frame, params=params, grid=grid, districts=layer, progress=lambda line: print(line, file=sys.stderr)
    )
    table = backtest.summarise_backtest(results)
    print(backtest.format_table(table))
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
        backtest.backtest_chart(results).save(str(path))
        print(f"wrote {path}", file=sys.stderr)
    return 0 if np.isfinite(table["hit_rate"]).any() else 1
