"""Parameter choice in one place: defaults, suggestions and the choices made by backtest.

* ``defaults``: every clustering default and valid range (eps 150 m, min_samples 10, the
  floor of min_samples) and the candidates of each search.
* ``suggest``: the k-distance curve and a suggested eps / min_samples (the app's help).
* ``auto``: eps, min_samples and the cell score of the drawn hotspots, chosen by a
  split-half backtest inside the selected period (``choose_parameters``).
* ``search``: the backtest's ``dbscan-cells`` reference, chosen per budget inside each
  training window (``choose_clustering``).

This package re-exports ``defaults`` and ``suggest``. ``auto`` and ``search`` cluster
(``hotspots.clustering``), which itself takes its defaults from here, so they are imported
by their module path (``from hotspots.parameters.auto import choose_parameters``);
re-exporting them here would make importing the defaults import the clustering that
needs them.
"""

from hotspots.parameters.defaults import (
    CELL_SEARCH_MIN_SAMPLES,
    DEFAULT_EPS_M,
    DEFAULT_MIN_SAMPLES,
    DEFAULT_WINDOW_DAYS,
    EPS_CANDIDATES_M,
    FORECAST_EPS_M,
    FORECAST_MIN_SAMPLES,
    HALF_WINDOW_REFERENCE,
    MIN_SAMPLES_FLOOR,
    REFERENCE_DENSITY_KM2,
    REFERENCE_MIN_SAMPLES,
)
from hotspots.parameters.suggest import EPS_RANGE_M, ParameterSuggestion, k_distances, suggest_parameters

__all__ = [
    "CELL_SEARCH_MIN_SAMPLES",
    "DEFAULT_EPS_M",
    "DEFAULT_MIN_SAMPLES",
    "DEFAULT_WINDOW_DAYS",
    "EPS_CANDIDATES_M",
    "EPS_RANGE_M",
    "FORECAST_EPS_M",
    "FORECAST_MIN_SAMPLES",
    "HALF_WINDOW_REFERENCE",
    "MIN_SAMPLES_FLOOR",
    "REFERENCE_DENSITY_KM2",
    "REFERENCE_MIN_SAMPLES",
    "ParameterSuggestion",
    "k_distances",
    "suggest_parameters",
]
