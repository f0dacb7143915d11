"""What the points mean: DBSCAN in metres, the hotspot object, parameter choice, ranking, backtest.

The public API for a notebook or a script; everything else is an internal module::

    from geo import generate_demo
    from hotspots import Selection, analyse, dbscan

    incidents = generate_demo(n=5_000, seed=1)
    labels = dbscan(incidents[["x_m", "y_m"]].to_numpy(), eps_m=150, min_samples=10)
    result = analyse(incidents, selection=Selection(since="2026-05-01", until="2026-11-01"))
    result.hotspots[["id", "rank", "n", "area_km2"]]

Modules, by concept:

- ``dbscan_kernel``: exact DBSCAN on a grid, scikit-learn's labels at a fraction of the time
- ``clustering``: the clustering methods behind one interface (DBSCAN, HDBSCAN, ST-DBSCAN)
- ``parameters``: defaults, suggestions and the backtest's own choice of eps / min_samples
- ``selection``: which incidents an analysis looks at; the one district rule
- ``grid``: the study grid and what is counted on it
- ``areas``: the hotspot object's shape, street-scale areas of study cells
- ``summary``, ``peaks``, ``significance``: a hotspot's counts, times, districts, test
- ``ranking``, ``recommendation``, ``comparison``: order, who acts when, change since before
- ``analysis``: one run from incidents to the ranked hotspot table (app, CLI, exports)
- ``forecast``: hotspots for the period after the data
- ``measures``: what was done where and when, and its effect against a control area, with
  displacement into a buffer ring (the weighted displacement quotient)
- ``review``: the six-monthly review (``hotspots.review.review``): the period against the
  one before, the measures' effects and the forecast of the next period with who leads
- ``backtest``: do the hotspots predict? hit rate, PAI, PEI at equal area (the package:
  ``hotspots.backtest.backtest(incidents, params=BacktestParams(...))``)
- ``figures``, ``export``, ``study``: district figures, shareable columns, studies anywhere
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from hotspots import backtest
    from hotspots.analysis import Analysis, StudyArea, analyse, choose_parameters
    from hotspots.areas import AreaParams, HotspotAreas, areas_of
    from hotspots.backtest import BacktestParams, predictive_check, summarise_backtest
    from hotspots.clustering import METHODS, ClusteringParams, cluster
    from hotspots.comparison import compare_periods
    from hotspots.dbscan_kernel import DbscanResult, dbscan, dbscan_core
    from hotspots.figures import district_table, key_figures
    from hotspots.forecast import Forecast, forecast_hotspots
    from hotspots.grid import StudyGrid, helsinki_study_area, occupied_grid, study_grid
    from hotspots.measures import (
        LEADS,
        MEASURE_KINDS,
        ControlChoice,
        Effect,
        EffectParams,
        Measure,
        default_control,
        measure_effect,
    )
    from hotspots.parameters import DEFAULT_EPS_M, DEFAULT_MIN_SAMPLES
    from hotspots.parameters.suggest import ParameterSuggestion, suggest_parameters
    from hotspots.ranking import RankingWeights, rank_hotspots
    from hotspots.review import MeasureReview, Review, ReviewSettings
    from hotspots.selection import PRESETS, Selection, apply, choose_districts
    from hotspots.study import StudyData, read_points

#: Public name -> the module that defines it (a subpackage maps to itself).
_EXPORTS: dict[str, str] = {
    "Analysis": "hotspots.analysis",
    "AreaParams": "hotspots.areas",
    "BacktestParams": "hotspots.backtest",
    "ClusteringParams": "hotspots.clustering",
    "ControlChoice": "hotspots.measures",
    "Effect": "hotspots.measures",
    "EffectParams": "hotspots.measures",
    "LEADS": "hotspots.measures",
    "MEASURE_KINDS": "hotspots.measures",
    "Measure": "hotspots.measures",
    "default_control": "hotspots.measures",
    "measure_effect": "hotspots.measures",
    "DEFAULT_EPS_M": "hotspots.parameters",
    "DEFAULT_MIN_SAMPLES": "hotspots.parameters",
    "DbscanResult": "hotspots.dbscan_kernel",
    "Forecast": "hotspots.forecast",
    "HotspotAreas": "hotspots.areas",
    "METHODS": "hotspots.clustering",
    "PRESETS": "hotspots.selection",
    "ParameterSuggestion": "hotspots.parameters.suggest",
    "RankingWeights": "hotspots.ranking",
    "MeasureReview": "hotspots.review",
    "Review": "hotspots.review",
    "ReviewSettings": "hotspots.review",
    "Selection": "hotspots.selection",
    "StudyArea": "hotspots.analysis",
    "StudyData": "hotspots.study",
    "StudyGrid": "hotspots.grid",
    "analyse": "hotspots.analysis",
    "backtest": "hotspots.backtest",
    "apply": "hotspots.selection",
    "areas_of": "hotspots.areas",
    "choose_districts": "hotspots.selection",
    "choose_parameters": "hotspots.analysis",
    "cluster": "hotspots.clustering",
    "compare_periods": "hotspots.comparison",
    "dbscan": "hotspots.dbscan_kernel",
    "dbscan_core": "hotspots.dbscan_kernel",
    "district_table": "hotspots.figures",
    "forecast_hotspots": "hotspots.forecast",
    "helsinki_study_area": "hotspots.grid",
    "key_figures": "hotspots.figures",
    "occupied_grid": "hotspots.grid",
    "predictive_check": "hotspots.backtest",
    "rank_hotspots": "hotspots.ranking",
    "read_points": "hotspots.study",
    "study_grid": "hotspots.grid",
    "suggest_parameters": "hotspots.parameters.suggest",
    "summarise_backtest": "hotspots.backtest",
}

__all__ = [
    "DEFAULT_EPS_M",
    "DEFAULT_MIN_SAMPLES",
    "LEADS",
    "MEASURE_KINDS",
    "METHODS",
    "PRESETS",
    "Analysis",
    "AreaParams",
    "BacktestParams",
    "ClusteringParams",
    "ControlChoice",
    "DbscanResult",
    "Effect",
    "EffectParams",
    "Forecast",
    "HotspotAreas",
    "Measure",
    "MeasureReview",
    "ParameterSuggestion",
    "RankingWeights",
    "Review",
    "ReviewSettings",
    "Selection",
    "StudyArea",
    "StudyData",
    "StudyGrid",
    "analyse",
    "apply",
    "areas_of",
    "backtest",
    "choose_districts",
    "choose_parameters",
    "cluster",
    "compare_periods",
    "dbscan",
    "dbscan_core",
    "default_control",
    "district_table",
    "forecast_hotspots",
    "helsinki_study_area",
    "key_figures",
    "measure_effect",
    "occupied_grid",
    "predictive_check",
    "rank_hotspots",
    "read_points",
    "study_grid",
    "suggest_parameters",
    "summarise_backtest",
]


def __getattr__(name: str) -> Any:
    """Load a public name on first use, so ``hotspots.dbscan`` stays as light as the kernel."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'hotspots' has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    value = module if module.__name__ == f"hotspots.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
