"""Parameter choice in one place: defaults, suggestions and the choices made by backtest.

* ``defaults``: every clustering default and valid range (eps 150 m, min_samples 10, the
  floor of min_samples) and the candidates of each search; re-exported here.
* ``suggest``: the k-distance curve and a suggested eps / min_samples (the app's help).
* ``auto``: eps, min_samples and the cell score of the drawn hotspots, chosen by a
  split-half backtest inside the selected period (``choose_parameters``).
* ``search``: the backtest's ``dbscan-cells`` reference, chosen per budget inside each
  training window (``choose_clustering``).

Only the defaults are re-exported: the DBSCAN kernel and ``hotspots.clustering`` read them
from here, so importing this package must stay as light as they are (no scipy.stats from
``suggest``) and must not import ``auto`` or ``search``, which cluster. Import those by
their module path (``from hotspots.parameters.auto import choose_parameters``).
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

__all__ = [
    "CELL_SEARCH_MIN_SAMPLES",
    "DEFAULT_EPS_M",
    "DEFAULT_MIN_SAMPLES",
    "DEFAULT_WINDOW_DAYS",
    "EPS_CANDIDATES_M",
    "FORECAST_EPS_M",
    "FORECAST_MIN_SAMPLES",
    "HALF_WINDOW_REFERENCE",
    "MIN_SAMPLES_FLOOR",
    "REFERENCE_DENSITY_KM2",
    "REFERENCE_MIN_SAMPLES",
]
