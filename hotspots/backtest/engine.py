"""The backtest run: every method's cell ranking in every window, scored at every budget.

``backtest`` trains each method on a window's training part (``hotspots.backtest.windows``),
lets it rank the study cells, fills each area budget in that order and scores the test
part (``hotspots.backtest.scoring``). What one window's methods share (the training
incidents, their clusterings, the engine's hotspot tables, the drawn hotspots) is
computed once, on first use (``_WindowRun``).

Methods (``METHODS``)
    ``dbscan`` (recommended)
        The hotspots the map draws (``hotspots.areas.areas_of``: street-scale unions of
        study cells under the size rule), built from the training window with eps,
        min_samples and the cell score chosen inside it exactly as the analysis chooses
        them (``hotspots.parameters.auto.choose_parameters``, with ``auto``), taken whole
        in rank order; the cells of the hotspot that crosses the budget's edge go by their
        score. What is scored is what the user sees.
    ``dbscan-cells``
        The cells of the training window's DBSCAN clusters (``hotspot_cells``) densest
        first, whatever their hotspot, by ``cell_scores`` (own count blended with the
        eps-disc density by a ``smoothing`` weight), then the other cells by the same
        score; eps, min_samples and smoothing chosen per budget
        (``hotspots.parameters.search.choose_clustering``). A reference: no map draws these.
    ``dbscan-ranked``
        The same cell shapes with the given eps/min_samples, whole hotspots in the
        engine's rank order (``hotspots.backtest.baselines.ranked_hotspots``, the window
        before the training window as the previous period); within the hotspot that
        crosses the budget's edge cells go by their training count.
    ``dbscan-concave`` / ``dbscan-hull``
        As ``dbscan-ranked`` with the whole clusters' concave hulls buffered by eps/2 (the
        engine's former outline) or plain convex hulls, rasterised (a cell counts when its
        centre lies inside). These three isolate the effect of the shape.
    ``hdbscan``
        scikit-learn's HDBSCAN (``min_cluster_size = min_samples``), cell shapes as
        ``dbscan-cells``, cells densest first by their training count, then the other cells.
    ``grid``, ``kde-rule``, ``kde-cv``, ``gistar``
        The usual alternatives (``hotspots.backtest.baselines``).
    ``random``
        A seeded random order (PAI about 1), for reference.
    ``best``
        The test period's own counts (PEI 1), the reference of PEI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo import districts as district_layers
from geo.errors import ParameterError
from hotspots import areas
from hotspots.backtest.baselines import (
    gistar_priority,
    kde_cell_counts,
    kde_cv,
    ranked_hotspots,
    rule_bandwidth_m,
)
from hotspots.backtest.scoring import Budget, area_budgets, equal_area, score_priority, top_hotspots_budget
from hotspots.backtest.windows import (
    DEFAULT_TEST_WINDOW,
    DEFAULT_TRAIN_WINDOW,
    Window,
    parse_window,
    rolling_windows,
)
from hotspots.clustering import ClusteringParams, cluster
from hotspots.grid import (
    DEFAULT_CELL_M,
    StudyGrid,
    cell_scores,
    dense_priority,
    disc_counts,
    helsinki_study_area,
    hotspot_cells,
    hotspot_priority,
    in_period,
    study_grid,
)
from hotspots.parameters.auto import choose_parameters
from hotspots.parameters.search import ParameterChoice, choose_clustering
from hotspots.selection import Selection
from hotspots.study import aware_times

Method = Literal[
    "dbscan",
    "dbscan-cells",
    "dbscan-ranked",
    "dbscan-concave",
    "dbscan-hull",
    "hdbscan",
    "grid",
    "kde-rule",
    "kde-cv",
    "gistar",
    "random",
    "best",
]
METHODS: Final[tuple[Method, ...]] = get_args(Method)
#: Methods of a default backtest (``best`` is always added as the reference of PEI).
DEFAULT_METHODS: Final[tuple[Method, ...]] = tuple(
    m for m in METHODS if m not in ("random", "best", "dbscan-ranked", "dbscan-concave", "dbscan-hull")
)
DEFAULT_AREA_SHARES: Final = (0.01, 0.03, 0.05)
_DBSCAN_FAMILY: Final = ("dbscan", "dbscan-cells", "dbscan-ranked", "dbscan-concave", "dbscan-hull")

#: Columns of ``backtest`` (one row per window, budget and method).
RESULT_COLUMNS: Final = (
    "window",
    "train_start",
    "test_start",
    "test_end",
    "budget",
    "method",
    "cells",
    "area_share",
    "area_km2",
    "n_train",
    "n_test",
    "hits",
    "best_hits",
    "hit_rate",
    "pai",
    "pei",
    "params",
)


@dataclass(frozen=True)
class BacktestParams:
    """What a backtest compares, validated on construction.

    Parameters
    ----------
    train_window, test_window
        Window lengths (``parse_window`` text: ``6M``, ``1M``, ``30D`` ...).
    area_shares
        Budgets as shares of the study area, each in (0, 1).
    n_hotspots
        Also a budget of the cells of the top ``n_hotspots`` hotspots of each window
        (``dbscan-ranked``, the given parameters); None for none.
    methods
        Methods to compare (``METHODS``); ``best`` is always added.
    cell_m
        Cell side in metres.
    clustering
        DBSCAN/HDBSCAN parameters (``method`` is set per method).
    auto_eps, auto_min_samples
        Choose eps / min_samples of the ``dbscan`` methods on each training window
        (``choose_clustering``), per budget.
    n_windows
        Most recent windows to run; None for all complete windows.
    seed
        Seed of the ``random`` method.
    area_params
        The size rule of the drawn hotspots (``dbscan``).
    equal_area
        When ``dbscan`` is compared and its hotspots cover less than a budget, every
        method fills only the area they cover (so all are judged on the same area).
    """

    train_window: str = DEFAULT_TRAIN_WINDOW
    test_window: str = DEFAULT_TEST_WINDOW
    area_shares: tuple[float, ...] = DEFAULT_AREA_SHARES
    n_hotspots: int | None = None
    methods: tuple[str, ...] = DEFAULT_METHODS
    cell_m: float = DEFAULT_CELL_M
    clustering: ClusteringParams = ClusteringParams()  # noqa: RUF009  (frozen dataclass)
    auto_eps: bool = False
    auto_min_samples: bool = False
    n_windows: int | None = None
    seed: int = 0
    area_params: areas.AreaParams = areas.AreaParams()  # noqa: RUF009  (frozen dataclass)
    equal_area: bool = True

    def __post_init__(self) -> None:
        parse_window(self.train_window, name="train_window")
        parse_window(self.test_window, name="test_window")
        if not self.area_shares and self.n_hotspots is None:
            raise ParameterError("give at least one budget: area_shares (e.g. 0.01,0.03,0.05) or n_hotspots")
        for share in self.area_shares:
            if not 0 < share < 1:
                raise ParameterError(
                    f"area shares must be in (0, 1), e.g. 0.01 for 1 % of the study area, got {share}"
                )
        if self.n_hotspots is not None and (int(self.n_hotspots) != self.n_hotspots or self.n_hotspots < 1):
            raise ParameterError(f"n_hotspots must be a whole number >= 1, got {self.n_hotspots}")
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ParameterError(f"methods {unknown or '()'} are unknown; choose from {list(METHODS)}")
        if not np.isfinite(self.cell_m) or self.cell_m <= 0:
            raise ParameterError(f"cell_m must be > 0 metres, got {self.cell_m}")
        if self.n_windows is not None and (int(self.n_windows) != self.n_windows or self.n_windows < 1):
            raise ParameterError(f"n_windows must be a whole number >= 1, got {self.n_windows}")


@dataclass(frozen=True)
class _Incidents:
    """The backtest's incidents without their geometry, with coordinates and times at hand."""

    frame: pd.DataFrame
    when: pd.Series
    x: NDArray[np.float64]
    y: NDArray[np.float64]

    @classmethod
    def of(cls, incidents: pd.DataFrame) -> _Incidents:
        """Check the columns the backtest needs and take them out once."""
        when = aware_times(incidents, "incidents")
        for column in ("x_m", "y_m"):
            if column not in incidents.columns:
                raise ParameterError(
                    f"incidents lack the column {column!r}; use prepare_points for lon/lat data"
                )
        frame = incidents.loc[:, [c for c in incidents.columns if c != "geometry"]]
        x = frame["x_m"].to_numpy(dtype=np.float64)
        y = frame["y_m"].to_numpy(dtype=np.float64)
        return cls(frame, when, x, y)


_Fit = tuple[NDArray[np.int64], dict[int, NDArray[np.int64]]]


@dataclass
class _WindowRun:
    """What one window's methods share (computed on first use)."""

    data: _Incidents
    window: Window
    grid: StudyGrid
    params: BacktestParams
    districts: gpd.GeoDataFrame | None
    train: NDArray[np.bool_] = field(init=False)
    train_counts: NDArray[np.float64] = field(init=False)
    test_counts: NDArray[np.float64] = field(init=False)
    choices: list[ParameterChoice] | None = None
    fits: dict[tuple[str, float, int], _Fit] = field(default_factory=dict)
    tables: dict[tuple[str, float, int], gpd.GeoDataFrame] = field(default_factory=dict)
    discs: dict[float, NDArray[np.float64]] = field(default_factory=dict)
    found: tuple[NDArray[np.float64], str] | None = None

    def __post_init__(self) -> None:
        data, window = self.data, self.window
        self.train = in_period(data.when, window.train_start, window.test_start)
        test = in_period(data.when, window.test_start, window.test_end)
        self.train_counts = self.grid.counts(data.x[self.train], data.y[self.train])
        self.test_counts = self.grid.counts(data.x[test], data.y[test])

    @property
    def current(self) -> pd.DataFrame:
        """Return the training incidents, index 0..n-1."""
        return self.data.frame.loc[self.train].reset_index(drop=True)

    def disc(self, eps_m: float) -> NDArray[np.float64]:
        """Return the training incidents within ``eps_m`` of each cell centre."""
        if eps_m not in self.discs:
            current = self.current
            self.discs[eps_m] = disc_counts(current["x_m"], current["y_m"], self.grid, eps_m=eps_m)
        return self.discs[eps_m]

    def choice(self, index: int | None) -> tuple[ClusteringParams, float, str]:
        """Return clustering, smoothing and note for budget ``index`` (None: the given parameters)."""
        base = replace(self.params.clustering, method="dbscan")
        auto = self.params.auto_eps or self.params.auto_min_samples
        if index is None:
            return base, 0.0, f"eps {base.eps_m:g} m, min_samples {base.min_samples}"
        if self.choices is None:
            self.choices = choose_clustering(
                self.data.frame,
                self.window,
                self.grid,
                area_shares=self.params.area_shares,
                base=base,
                auto_eps=self.params.auto_eps,
                auto_min_samples=self.params.auto_min_samples,
            )
        choice = self.choices[index]
        if not auto:
            note = (
                f"eps {base.eps_m:g} m, min_samples {base.min_samples}, "
                f"smoothing {choice.smoothing:g} (chosen)"
            )
            return base, choice.smoothing, note
        return choice.clustering, choice.smoothing, choice.reason

    def fit(self, clustering: ClusteringParams) -> _Fit:
        """Return the training window's cluster labels and each cluster's cells."""
        key = (clustering.method, clustering.eps_m, clustering.min_samples)
        if key not in self.fits:
            current = self.current
            labels = cluster(current, clustering)
            cells = hotspot_cells(
                current["x_m"],
                current["y_m"],
                labels,
                self.grid,
                eps_m=clustering.eps_m,
                min_samples=clustering.min_samples,
                disc=self.disc(clustering.eps_m),
            )
            self.fits[key] = (labels, cells)
        return self.fits[key]

    def ranked(self, clustering: ClusteringParams) -> gpd.GeoDataFrame:
        """Return the engine's hotspot table of a clustering, in rank order."""
        key = (clustering.method, clustering.eps_m, clustering.min_samples)
        if key not in self.tables:
            labels, _ = self.fit(clustering)
            self.tables[key] = ranked_hotspots(
                self.current,
                labels,
                self.grid,
                eps_m=clustering.eps_m,
                period=(self.window.train_start, self.window.test_start),
                previous=self.data.frame,
                districts=self.districts,
            )
        return self.tables[key]

    def drawn(self) -> tuple[NDArray[np.float64], str]:
        """Return the hotspots the map draws for the training window, whole, in rank order.

        The same pipeline as ``hotspots.analysis.analyse``: eps, min_samples and the cell
        score chosen on the training window (``hotspots.parameters.auto.choose_parameters``)
        when the backtest chooses, then ``areas.areas_of``.
        """
        if self.found is None:
            base = replace(self.params.clustering, method="dbscan")
            if self.params.auto_eps or self.params.auto_min_samples:
                choice = choose_parameters(
                    self.current,
                    Selection(since=self.window.train_start, until=self.window.test_start),
                    base,
                    auto_eps=self.params.auto_eps,
                    auto_min_samples=self.params.auto_min_samples,
                    grid=self.grid,
                    area_params=self.params.area_params,
                )
                base = choice.clustering
            found = areas.areas_of(self.current, self.grid, base, params=self.params.area_params)
            note = (
                f"{len(found)} hotspots ({found.area_km2.sum():.2f} km²), eps {base.eps_m:g} m, "
                f"min_samples {base.min_samples}, {base.basis} smoothed {base.smoothing:g}; "
                "drawn hotspots whole in rank order"
            )
            self.found = (areas.ranked_priority(found.cells, found.scores), note)
        return self.found

    def budgets(self, methods: Sequence[str]) -> list[Budget]:
        """Return the window's budgets: the area shares, the top hotspots' cells, at equal area."""
        params = self.params
        budgets = area_budgets(params.area_shares, self.grid.n_cells)
        if params.n_hotspots is not None:
            clustering, _, _ = self.choice(None)
            _, cells = self.fit(clustering)
            order = self.ranked(clustering)["label"].to_numpy(dtype=np.int64)[: params.n_hotspots]
            n_cells = sum(cells[int(label)].size for label in order)
            budgets.append(top_hotspots_budget(params.n_hotspots, n_cells))
        if params.equal_area and "dbscan" in methods:
            drawn, _ = self.drawn()
            budgets = equal_area(budgets, int(np.isfinite(drawn).sum()))
        return budgets

    def clustered_priority(self, method: str, budget_index: int | None) -> tuple[NDArray[np.float64], str]:
        """Return the cell priorities of a clustering method for one budget."""
        if method == "hdbscan":
            clustering = replace(self.params.clustering, method="hdbscan")
            _, cells = self.fit(clustering)
            scores = cell_scores(
                self.train_counts,
                self.disc(clustering.eps_m),
                eps_m=clustering.eps_m,
                cell_m=self.grid.cell_m,
                smoothing=0.0,
            )
            return dense_priority(cells, scores), (
                f"{len(cells)} hotspots, min_cluster_size {clustering.min_samples}; cells densest first"
            )
        if method == "dbscan":
            return self.drawn()
        if method == "dbscan-cells":
            clustering, smoothing, note = self.choice(budget_index)
            _, cells = self.fit(clustering)
            scores = cell_scores(
                self.train_counts,
                self.disc(clustering.eps_m),
                eps_m=clustering.eps_m,
                cell_m=self.grid.cell_m,
                smoothing=smoothing,
            )
            return dense_priority(
                cells, scores
            ), f"{len(cells)} hotspots, {note}; hotspot cells densest first"
        # Engine-ranked shapes use the given parameters: the map as the engine draws it.
        return self.ranked_priority(method)

    def ranked_priority(self, method: str) -> tuple[NDArray[np.float64], str]:
        """Return the cell priorities of ``dbscan-ranked``, ``-concave`` or ``-hull``."""
        clustering, _, _ = self.choice(None)
        labels, cells = self.fit(clustering)
        table = self.ranked(clustering)
        order = table["label"].to_numpy(dtype=np.int64)
        if method == "dbscan-ranked":
            shapes = [cells[int(label)] for label in order]
            shape = "hotspot cells"
        elif method == "dbscan-concave":
            shapes = [self.grid.cells_in(polygon) for polygon in table.geometry.values]
            shape = "concave hull + eps/2 buffer"
        else:
            xy = self.current[["x_m", "y_m"]].to_numpy(dtype=np.float64)
            shapes = [
                self.grid.cells_in(shapely.convex_hull(shapely.multipoints(xy[labels == label])))
                for label in order
            ]
            shape = "convex hull"
        return hotspot_priority(shapes, self.train_counts), (
            f"{len(order)} hotspots, eps {clustering.eps_m:g} m, min_samples {clustering.min_samples}; "
            f"{shape}, whole hotspots in the engine's rank order"
        )


def backtest(
    incidents: pd.DataFrame,
    *,
    params: BacktestParams = BacktestParams(),
    grid: StudyGrid | None = None,
    districts: gpd.GeoDataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    windows: Sequence[Window] | None = None,
) -> pd.DataFrame:
    """Run a rolling-origin backtest of hotspot methods at equal area.

    Parameters
    ----------
    incidents
        Incidents with ``x_m``/``y_m`` (metres, the grid's CRS) and aware ``occurred_at``;
        not changed.
    params
        Windows, budgets, methods and clustering.
    grid
        Study grid; default Helsinki's (``helsinki_study_area``) with ``params.cell_m``.
    districts
        Peruspiiri-like layer for the hotspot significance test; None with the default
        Helsinki grid loads the official peruspiiri, otherwise the study area is one
        district.
    progress
        Called with a line of text per window (for a CLI).
    windows
        The windows to run instead of the rolling-origin ones of ``params`` (e.g. one
        window: a period and the period of the same length before it); None for
        ``rolling_windows``.

    Returns
    -------
    DataFrame
        ``RESULT_COLUMNS``: one row per window, budget and method (``best`` included).
    """
    data = _Incidents.of(incidents)
    if grid is None:
        grid = study_grid(helsinki_study_area(), cell_m=params.cell_m)
        if districts is None:
            districts = district_layers.load_districts("peruspiiri")
    methods = list(dict.fromkeys([*params.methods, "best"]))
    rng = np.random.default_rng(params.seed)
    rows: list[dict[str, object]] = []
    for window in _windows_to_run(data.when, params, windows):
        run = _WindowRun(data, window, grid, params, districts)
        budgets = run.budgets(methods)
        rows.extend(_rows(run, methods, budgets, rng))
        if progress is not None:
            progress(
                f"window {window.label}: {int(run.train_counts.sum())} training, "
                f"{int(run.test_counts.sum())} test incidents"
            )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _windows_to_run(
    when: pd.Series, params: BacktestParams, windows: Sequence[Window] | None
) -> Sequence[Window]:
    """Return the given windows (checked) or the rolling-origin ones of ``params``."""
    if windows is None:
        windows = rolling_windows(
            when, train=params.train_window, test=params.test_window, n_windows=params.n_windows
        )
    elif any(not w.train_start < w.test_start < w.test_end for w in windows):
        raise ParameterError("each window must have train_start < test_start < test_end")
    if not windows:
        raise ParameterError(
            f"the incidents span no complete {params.train_window} + {params.test_window} window; "
            "use shorter windows (e.g. train_window and test_window 1M)"
        )
    return windows


def _rows(
    run: _WindowRun, methods: Sequence[str], budgets: Sequence[Budget], rng: np.random.Generator
) -> Iterator[dict[str, object]]:
    """Yield one result row per method and budget of one window (methods outside, budgets inside)."""
    window, grid = run.window, run.grid
    for method in methods:
        for budget in budgets:
            priority, note = _method_priority(method, run, budget, rng)
            score = score_priority(priority, run.test_counts, cells=budget.cells, n_cells=grid.n_cells)
            yield {
                "window": window.label,
                "train_start": window.train_start,
                "test_start": window.test_start,
                "test_end": window.test_end,
                "budget": budget.label,
                "method": method,
                "cells": score.cells,
                "area_share": score.area_share,
                "area_km2": score.cells * grid.cell_m**2 / 1e6,
                "n_train": int(run.train_counts.sum()),
                "n_test": int(run.test_counts.sum()),
                "hits": score.hits,
                "best_hits": score.best_hits,
                "hit_rate": score.hit_rate,
                "pai": score.pai,
                "pei": score.pei,
                "params": note,
            }


def _method_priority(
    method: str, run: _WindowRun, budget: Budget, rng: np.random.Generator
) -> tuple[NDArray[np.float64], str]:
    """Return one method's cell priorities in one window for one budget, and a note for the report."""
    grid, data = run.grid, run.data
    if method in (*_DBSCAN_FAMILY, "hdbscan"):
        return run.clustered_priority(method, budget.share_index)
    if method == "grid":
        return run.train_counts, "training counts per cell"
    if method == "kde-rule":
        x, y = data.x[run.train], data.y[run.train]
        h = rule_bandwidth_m(np.column_stack([x, y]), cell_m=grid.cell_m)
        return kde_cell_counts(x, y, grid, bandwidth_m=h), f"quartic, h {h:.0f} m (10-NN rule)"
    if method == "kde-cv":
        return kde_cv(data.x, data.y, data.when, run.window, grid, cells=budget.cells)
    if method == "gistar":
        return gistar_priority(run.train_counts, grid)
    if method == "random":
        return rng.random(grid.n_cells), f"seed {run.params.seed}"
    return run.test_counts, "the test period's own counts"
