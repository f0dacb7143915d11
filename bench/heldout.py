"""Benchmark: do the *exported* hotspots predict the next period on other cities' real data?

Run ``python -m bench.heldout`` (``--cities chicago,west_yorkshire``; ``--windows N``).
For each city (``bench.cities``: real open crime data shipped in registry packages) and
each backtest window:

1. the training period is written to a CSV (lon, lat, occurred_at, category), exactly as a
   user would hand it over, and ``hotspots cluster TRAIN.csv --districts none`` runs on it
   (in-process, the same ``main`` as the command); its GeoJSON export is read back;
2. the exported polygons are put back on the 150 m cells (they are unions of those
   cells) of the *study area*: the cells that hold any incident of either period;
3. the hotspots, whole in their exported rank order (the cells of the one crossing the
   budget's edge by training count), fill 1 %, 3 % and 5 % of the study area; grid counts
   and quartic KDE (k-NN rule bandwidth and the best cross-validated one) fill **the same
   area** (what the hotspots cover, when that is less than the budget); ``best`` is the
   test period's own top cells;
4. ``--forecast``: ``hotspots cluster HISTORY.csv --districts none --forecast`` on all the
   history before the test period, against grid counts of the last half-year and of the
   whole history, at the same area.

Nothing is tuned here: the command's defaults run as a user would run them. Tables are
printed as Markdown (hit rate in %, mean over windows).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bench.cities import CITIES, DEFAULT_CACHE, load_city
from cli import main as hotspots_main
from geo.crs import local_metric_crs
from hotspots import backtest
from hotspots import grid as study
from hotspots.study import prepare_points

SHARES: Final = (0.01, 0.03, 0.05)


@dataclass(frozen=True)
class Plan:
    """How one city is backtested: window lengths and how many of the latest windows."""

    train: str
    test: str
    windows: int


PLANS: Final[dict[str, Plan]] = {
    "chicago": Plan("6M", "6M", 3),
    "toronto": Plan("6M", "6M", 4),
    "west_yorkshire": Plan("1Y", "1Y", 2),
}


def _run_cli(args: Sequence[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = hotspots_main(list(args))
    if code != 0:
        raise RuntimeError(f"hotspots {' '.join(args)} exited {code}: {out.getvalue()}")
    return out.getvalue()


def _export_cells(path: Path, grid: study.StudyGrid) -> list[NDArray[np.int64]]:
    """Cells of each exported hotspot, in exported rank order."""
    table = gpd.read_file(path)
    if table.empty:
        return []
    table = table.sort_values("rank").to_crs(grid.crs)
    # The outlines are unions of cells: a cell is in when its centre is.
    return [grid.cells_in(geom) for geom in table.geometry.values]


def _write(frame: pd.DataFrame, path: Path) -> None:
    out = frame.loc[:, ["lon", "lat", "occurred_at", "category"]].copy()
    out["occurred_at"] = out["occurred_at"].map(lambda t: t.isoformat())
    out.to_csv(path, index=False)


def _fill(priority: NDArray[np.float64], test: NDArray[np.float64], cells: int) -> float:
    hits, _ = study.fill_budget(priority, test, cells=cells)
    return hits


def _kde_best(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    when: pd.Series,
    window: backtest.Window,
    grid: study.StudyGrid,
    cells: int,
) -> NDArray[np.float64]:
    priority, _ = backtest.kde_cv(x, y, when, window, grid, cells=cells)
    return priority


def _cluster(frame: pd.DataFrame, stem: Path, timezone: str, *options: str) -> Path:
    """Write ``frame`` as ``STEM.csv``, run ``hotspots cluster`` on it; return ``STEM.geojson``."""
    _write(frame, stem.with_suffix(".csv"))
    out = stem.with_suffix(".geojson")
    argv = ["cluster", str(stem.with_suffix(".csv")), "--districts", "none", "--timezone", timezone]
    _run_cli([*argv, *options, "--out", str(out)])
    return out


def backtest_city(name: str, frame: pd.DataFrame, plan: Plan, *, forecast: bool) -> pd.DataFrame:
    """One row per window and budget: ours, grid, KDE, best (and the forecast's)."""
    city = CITIES[name]
    metric = local_metric_crs(frame["lon"], frame["lat"])
    points, _ = prepare_points(frame, timezone=city.timezone, metric_crs=metric)
    when = points["occurred_at"]
    x = points["x_m"].to_numpy(dtype=np.float64)
    y = points["y_m"].to_numpy(dtype=np.float64)
    windows = backtest.rolling_windows(when, train=plan.train, test=plan.test, n_windows=plan.windows)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for window in windows:
            train = study.in_period(when, window.train_start, window.test_start)
            test = study.in_period(when, window.test_start, window.test_end)
            grid = study.occupied_grid(x[train | test], y[train | test], crs=metric)
            train_counts = grid.counts(x[train], y[train])
            test_counts = grid.counts(x[test], y[test])
            n_test = float(test_counts.sum())
            started = time.perf_counter()
            exported = _cluster(frame.loc[train], folder / "train", city.timezone)
            seconds = time.perf_counter() - started
            ours = study.hotspot_priority(_export_cells(exported, grid), train_counts)
            predicted: NDArray[np.float64] | None = None
            history_counts = grid.counts(x[when < window.test_start], y[when < window.test_start])
            if forecast:
                history = (when < window.test_start).to_numpy(dtype=bool)
                try:
                    exported = _cluster(
                        frame.loc[history],
                        folder / "forecast",
                        city.timezone,
                        "--forecast",
                        "--horizon",
                        plan.test,
                    )
                    predicted = study.hotspot_priority(_export_cells(exported, grid), history_counts)
                except RuntimeError as exc:
                    print(f"  {name} {window.label}: no forecast ({str(exc)[:120]})")
            h = backtest.rule_bandwidth_m(np.column_stack([x[train], y[train]]), cell_m=grid.cell_m)
            kde_rule = backtest.kde_cell_counts(x[train], y[train], grid, bandwidth_m=h)
            for share in SHARES:
                budget = max(1, round(share * grid.n_cells))
                cells = min(budget, int(np.isfinite(ours).sum()))
                row: dict[str, object] = {
                    "city": name,
                    "window": window.label,
                    "budget": f"{share:.0%}",
                    "area_share": cells / grid.n_cells,
                    "seconds": seconds,
                    "ours": _fill(ours, test_counts, cells) / n_test,
                    "grid": _fill(train_counts, test_counts, cells) / n_test,
                    "kde_rule": _fill(kde_rule, test_counts, cells) / n_test,
                    "kde_cv": _fill(_kde_best(x, y, when, window, grid, cells), test_counts, cells) / n_test,
                    "best": _fill(test_counts, test_counts, cells) / n_test,
                }
                if predicted is not None:
                    f_cells = min(budget, int(np.isfinite(predicted).sum()))
                    row["forecast_share"] = f_cells / grid.n_cells
                    row["forecast"] = _fill(predicted, test_counts, f_cells) / n_test
                    row["grid_last"] = _fill(train_counts, test_counts, f_cells) / n_test
                    row["grid_all"] = _fill(history_counts, test_counts, f_cells) / n_test
                rows.append(row)
            print(
                f"  {name} {window.label}: {int(train.sum())} train, {int(n_test)} test, "
                f"cluster {seconds:.1f} s"
            )
    return pd.DataFrame(rows)


def _markdown(table: pd.DataFrame, columns: Sequence[str]) -> str:
    head = "| city | budget | windows | area | " + " | ".join(columns) + " |"
    lines = [head, "| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in columns) + " |"]
    for (city, budget), group in table.groupby(["city", "budget"], sort=False):
        cells = " | ".join(f"{100 * group[c].mean():.1f}" for c in columns)
        lines.append(
            f"| {city} | {budget} | {len(group)} | {100 * group['area_share'].mean():.2f} % | {cells} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", default="chicago,west_yorkshire,toronto")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--no-forecast", action="store_true")
    args = parser.parse_args()
    tables = []
    for name in [c.strip() for c in args.cities.split(",") if c.strip()]:
        frame = load_city(name, args.cache_dir)
        tables.append(backtest_city(name, frame, PLANS[name], forecast=not args.no_forecast))
    table = pd.concat(tables, ignore_index=True)
    print("\n### This period's exported hotspots against grid counts and KDE at the same area (hit rate %)\n")
    print(_markdown(table, ["ours", "grid", "kde_rule", "kde_cv", "best"]))
    wins = table.assign(kde=table[["kde_rule", "kde_cv"]].max(axis=1))
    summary = wins.groupby(["city", "budget"], sort=False)[["ours", "grid", "kde"]].mean()
    print("\nours / grid, ours / best KDE (mean over windows):")
    for (city, budget), row in summary.iterrows():
        print(f"  {city} {budget}: {row['ours'] / row['grid']:.3f}, {row['ours'] / row['kde']:.3f}")
    if "forecast" in table.columns:
        both = table.dropna(subset=["forecast"]).assign(area_share=lambda t: t["forecast_share"])
        print(
            "\n### --forecast hotspots against grid counts of the last period and of all history "
            "(hit rate %)\n"
        )
        print(_markdown(both, ["forecast", "grid_last", "grid_all", "best"]))
    print(json.dumps({"rows": len(table)}))


if __name__ == "__main__":
    main()
