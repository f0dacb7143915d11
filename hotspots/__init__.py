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
- ``backtest``: do the hotspots predict? hit rate, PAI, PEI at equal area (the package:
  ``hotspots.backtest.backtest(incidents, params=BacktestParams(...))``)
- ``figures``, ``export``, ``study``: district figures, shareable columns, studies anywhere
"""

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
from hotspots.parameters import DEFAULT_EPS_M, DEFAULT_MIN_SAMPLES
from hotspots.parameters.suggest import ParameterSuggestion, suggest_parameters
from hotspots.ranking import RankingWeights, rank_hotspots
from hotspots.selection import PRESETS, Selection, apply, choose_districts
from hotspots.study import StudyData, read_points

__all__ = [
    "DEFAULT_EPS_M",
    "DEFAULT_MIN_SAMPLES",
    "METHODS",
    "PRESETS",
    "Analysis",
    "AreaParams",
    "BacktestParams",
    "ClusteringParams",
    "DbscanResult",
    "Forecast",
    "HotspotAreas",
    "ParameterSuggestion",
    "RankingWeights",
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
    "district_table",
    "forecast_hotspots",
    "helsinki_study_area",
    "key_figures",
    "occupied_grid",
    "predictive_check",
    "rank_hotspots",
    "read_points",
    "study_grid",
    "suggest_parameters",
    "summarise_backtest",
]
