"""Every clustering default and valid range, and the candidates each automatic choice tries.

Defaults for street-level incidents in Helsinki: ``eps_m = 150`` (a block and its street
corners: Helsinki's centre blocks are 80-150 m across) and ``min_samples = 10`` (ten
incidents in a period, the smallest group worth a patrol or outreach round). The
command line, the app, ``hotspots.clustering.ClusteringParams`` and the DBSCAN kernel
all take them from here.

Three searches choose parameters by backtest, each with its own candidates:

* the drawn hotspots (``hotspots.parameters.auto``, ``--eps auto --min-samples auto``):
  ``EPS_CANDIDATES_M`` x ``REFERENCE_MIN_SAMPLES`` scaled to the data's density;
* the backtest's ``dbscan-cells`` reference (``hotspots.parameters.search``):
  ``EPS_CANDIDATES_M`` x ``CELL_SEARCH_MIN_SAMPLES`` as they are, on half a training window;
* the forecast (``hotspots.forecast``): ``FORECAST_EPS_M`` x ``FORECAST_MIN_SAMPLES``
  scaled to the history's density.
"""

from __future__ import annotations

from typing import Final

#: Neighbourhood radius of DBSCAN and ST-DBSCAN, metres.
DEFAULT_EPS_M: Final = 150.0
#: Incidents within eps that make a core point (HDBSCAN: the smallest cluster).
DEFAULT_MIN_SAMPLES: Final = 10
#: Smallest min_samples anywhere (the kernel, ``ClusteringParams``, every automatic
#: choice): a pair. One incident alone is no concentration, and HDBSCAN's smallest cluster
#: needs two.
MIN_SAMPLES_FLOOR: Final = 2
#: Time window of ST-DBSCAN, days.
DEFAULT_WINDOW_DAYS: Final = 14.0

#: Candidate eps, metres, of the drawn hotspots' choice and of the ``dbscan-cells`` search.
EPS_CANDIDATES_M: Final = (100.0, 150.0, 200.0, 300.0)
#: min_samples the drawn hotspots' choice tries on a half period of
#: ``REFERENCE_DENSITY_KM2`` incidents per km² of the study area; denser data scale them up
#: (``hotspots.parameters.auto.min_samples_candidates``), and the floor is always tried.
REFERENCE_MIN_SAMPLES: Final = (3, 5, 10, 20, 45)
#: Incidents in the first half that ``REFERENCE_MIN_SAMPLES`` suit; with more, the
#: candidates grow in proportion (a neighbourhood count grows with the incidents).
HALF_WINDOW_REFERENCE: Final = 2500
#: Incidents per km² that ``REFERENCE_MIN_SAMPLES`` suit: ``HALF_WINDOW_REFERENCE`` over
#: Helsinki's 226 km² of land. A count in an eps-disc grows with the density, not with the
#: size of the city.
REFERENCE_DENSITY_KM2: Final = HALF_WINDOW_REFERENCE / 226.0
#: min_samples the backtest's ``dbscan-cells`` reference tries on the first half of each
#: training window, as they are (not scaled to the density: the windows of one backtest
#: share one data set), then scaled from the half to the whole window.
CELL_SEARCH_MIN_SAMPLES: Final = (2, 3, 5, 7, 10, 15, 20)
#: eps tried by the forecast. Tight and few: on held-out cities the elaborate choices of
#: one held-out horizon did not carry over to the next (``bench/heldout.py``), while the
#: tightest hotspots matched grid counts of the same history everywhere.
FORECAST_EPS_M: Final = (100.0, 150.0)
#: min_samples tried by the forecast at ``REFERENCE_DENSITY_KM2`` (scaled to the density;
#: the floor always).
FORECAST_MIN_SAMPLES: Final = (3, 10)
