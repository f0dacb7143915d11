"""Do the hotspots predict? A rolling-origin backtest with hit rate, PAI and PEI at equal area.

A hotspot map earns its place when the places it marks in one period hold the incidents of
the next. The backtest measures that for the hotspots the map draws and for the usual
alternatives, each given exactly the same area.

``windows``
    Rolling origin: train on one period, test on the one right after it
    (``rolling_windows``, ``parse_window``).
Study area and grid
    Square cells of ``cell_m`` (150 m) over the study area (``hotspots.grid``); a cell
    belongs to the study area when its centre lies inside it. Helsinki's study area is
    the union of the official osa-alue polygons without the territorial sea
    ('Aluemeri'), cut to the shore; elsewhere a polygon file, or the cells that hold an
    incident (``hotspots.grid.occupied_grid``). Incidents outside the study cells are not
    counted at all.
``scoring``
    Budgets at equal area and the measures: hit rate, PAI (Chainey et al. 2008) and PEI
    (Hunt 2016).
``engine``
    ``BacktestParams`` and ``backtest``: every method's cell ranking in every window,
    scored at every budget; the methods are listed there.
``baselines``
    The alternatives: grid counts, KDE (rule and cross-validated bandwidth), Gi*, and the
    engine's ranked hotspots.
``report``
    ``summarise_backtest``, ``format_table`` and ``backtest_chart``.
``last_period``
    The app's question, "did last period's hotspots predict this one?": one window
    (``predictive_check``) and the hotspots that fit in an area budget.

The parameters of the ``dbscan`` methods are chosen inside each training window by
``hotspots.parameters.auto`` (the drawn hotspots) and ``hotspots.parameters.search``
(the ``dbscan-cells`` reference).
"""

from hotspots.backtest.baselines import (
    GISTAR_ALPHA,
    KDE_BANDWIDTHS_CELLS,
    gistar,
    gistar_priority,
    kde_cell_counts,
    kde_cv,
    ranked_hotspots,
    rule_bandwidth_m,
)
from hotspots.backtest.engine import (
    DEFAULT_AREA_SHARES,
    DEFAULT_METHODS,
    METHODS,
    RESULT_COLUMNS,
    BacktestParams,
    Method,
    backtest,
)
from hotspots.backtest.last_period import (
    PREDICTIVE_METHODS,
    BudgetFit,
    PredictiveCheck,
    budget_shares,
    hotspots_in_budget,
    predictive_check,
)
from hotspots.backtest.report import SUMMARY_COLUMNS, backtest_chart, format_table, summarise_backtest
from hotspots.backtest.scoring import Budget, Score, area_budgets, score_priority
from hotspots.backtest.windows import (
    DEFAULT_TEST_WINDOW,
    DEFAULT_TRAIN_WINDOW,
    Window,
    WindowSpan,
    parse_window,
    rolling_windows,
)

__all__ = [
    "DEFAULT_AREA_SHARES",
    "DEFAULT_METHODS",
    "DEFAULT_TEST_WINDOW",
    "DEFAULT_TRAIN_WINDOW",
    "GISTAR_ALPHA",
    "KDE_BANDWIDTHS_CELLS",
    "METHODS",
    "PREDICTIVE_METHODS",
    "RESULT_COLUMNS",
    "SUMMARY_COLUMNS",
    "BacktestParams",
    "Budget",
    "BudgetFit",
    "Method",
    "PredictiveCheck",
    "Score",
    "Window",
    "WindowSpan",
    "area_budgets",
    "backtest",
    "backtest_chart",
    "budget_shares",
    "format_table",
    "gistar",
    "gistar_priority",
    "hotspots_in_budget",
    "kde_cell_counts",
    "kde_cv",
    "parse_window",
    "predictive_check",
    "ranked_hotspots",
    "rolling_windows",
    "rule_bandwidth_m",
    "score_priority",
    "summarise_backtest",
]
