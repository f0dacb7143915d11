"""Help with DBSCAN parameters: the k-distance curve and a suggested eps and min_samples.

A suggestion starts from the rule of R's sfhotspot (``min_pts = min(n, 50, max(5,
ceil(sqrt(n))))``, eps = median distance to the (min_pts - 1)-th neighbour / sqrt(2)),
shown for reference, and does better: the median follows the background, not the
concentrations. For each candidate eps in a street-level range (50-400 m):

1. min_samples is the smallest count that a uniform background of the data's own density
   (incidents per occupied 250 m cell area) reaches in an eps-disc only with probability
   below ``background_alpha`` (Poisson tail), so random clumps do not become clusters;
2. the number of core points under that (eps, min_samples) is counted.

The suggestion is the smallest eps whose core count is within 95 % of the best one: the
tightest neighbourhood that still catches nearly every incident that stands out from
the background. Tight hotspots matter: they hold more of the next period's incidents
for the same area (see ``hotspots.backtest``). The defaults themselves are in
``hotspots.parameters.defaults``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.spatial import cKDTree

from geo.errors import ParameterError
from hotspots.parameters.defaults import DEFAULT_EPS_M

#: Street-level range for a suggested eps, metres.
EPS_RANGE_M: Final = (50.0, 400.0)
#: Side of the grid cells used to measure the area the points occupy, metres.
_OCCUPIED_CELL_M: Final = 250.0


@dataclass(frozen=True)
class ParameterSuggestion:
    """A suggested eps and min_samples with the numbers behind them.

    Attributes
    ----------
    eps_m, min_samples
        The suggestion.
    k
        Neighbour rank of the k-distance curve (``min_samples - 1`` of the sfhotspot rule).
    curve_m
        Sorted k-distances (ascending), subsampled to at most 400 values, for a chart.
    rule_eps_m, rule_min_samples
        What the sfhotspot rule alone gives.
    core_share
        Share of the points that are core under the suggestion.
    occupied_km2
        Area of the 250 m cells holding at least one point.
    background_per_eps_disc
        Incidents a uniform spread over ``occupied_km2`` puts in one eps-disc.
    """

    eps_m: float
    min_samples: int
    k: int
    curve_m: NDArray[np.float64]
    rule_eps_m: float
    rule_min_samples: int
    core_share: float
    occupied_km2: float
    background_per_eps_disc: float


def k_distances(xy: NDArray[np.float64], *, k: int) -> NDArray[np.float64]:
    """Distance from each point to its k-th nearest other point, sorted ascending.

    Parameters
    ----------
    xy
        (n, 2) coordinates in metres.
    k
        Neighbour rank, >= 1 (the point itself does not count).

    Returns
    -------
    ndarray
        n distances in metres (inf where fewer than k other points exist).
    """
    if k < 1:
        raise ParameterError(f"k must be >= 1, got {k}")
    points = np.asarray(xy, dtype=np.float64)
    if len(points) == 0:
        return np.empty(0)
    distances, _ = cKDTree(points).query(points, k=k + 1)
    return np.sort(np.atleast_2d(distances)[:, -1] if k + 1 > 1 else distances)


def suggest_parameters(
    xy: NDArray[np.float64], *, background_alpha: float = 0.001, max_points: int = 30_000, seed: int = 0
) -> ParameterSuggestion:
    """Suggest eps and min_samples for the points at hand, with the reasoning as numbers.

    Parameters
    ----------
    xy
        (n, 2) coordinates in metres (EPSG:3067).
    background_alpha
        Accepted probability that a uniform background alone reaches min_samples in one
        eps-disc, in (0, 0.5).
    max_points
        Larger inputs are subsampled (seeded) for the curve; densities are rescaled.
    seed
        Seed of that subsample.

    Returns
    -------
    ParameterSuggestion
    """
    if not 0 < background_alpha < 0.5:
        raise ParameterError(f"background_alpha must be in (0, 0.5), got {background_alpha}")
    points = np.asarray(xy, dtype=np.float64)
    n = len(points)
    if n < 3:
        raise ParameterError(f"parameter suggestions need at least 3 incidents, got {n}")
    rule_min = int(min(n, 50, max(5, math.ceil(math.sqrt(n)))))
    k = max(1, rule_min - 1)
    rng = np.random.default_rng(seed)
    sample = points if n <= max_points else points[rng.choice(n, max_points, replace=False)]
    fraction = len(sample) / n
    # Subsampling thins the points: distances scale with 1/sqrt(density).
    curve = k_distances(sample, k=k) * math.sqrt(fraction)
    finite = curve[np.isfinite(curve)]
    rule_eps = float(np.median(finite)) / math.sqrt(2) if len(finite) else DEFAULT_EPS_M
    cells = np.unique(np.floor(points / _OCCUPIED_CELL_M).astype(np.int64), axis=0)
    occupied_km2 = len(cells) * (_OCCUPIED_CELL_M / 1000.0) ** 2
    density_m2 = n / (occupied_km2 * 1e6)
    tree = cKDTree(sample)
    candidates = np.arange(EPS_RANGE_M[0], EPS_RANGE_M[1] + 1.0, 10.0)
    thresholds = np.empty(len(candidates), dtype=np.int64)
    core_counts = np.empty(len(candidates), dtype=np.int64)
    for i, eps in enumerate(candidates):
        per_disc = density_m2 * math.pi * eps**2
        # Smallest m with P(Poisson(per_disc) >= m) < alpha; never below 5.
        thresholds[i] = max(5, int(stats.poisson.isf(background_alpha, per_disc)) + 1)
        counts = tree.query_ball_point(sample, r=eps, return_length=True)
        core_counts[i] = int(np.count_nonzero(counts >= thresholds[i] * fraction))
    best = int(np.argmax(core_counts >= 0.95 * core_counts.max()))
    eps_m = float(candidates[best])
    step = max(1, math.ceil(len(curve) / 400))
    return ParameterSuggestion(
        eps_m=eps_m,
        min_samples=int(min(thresholds[best], n)),
        k=k,
        curve_m=curve[::step].copy(),
        rule_eps_m=rule_eps,
        rule_min_samples=rule_min,
        core_share=float(core_counts[best]) / len(sample),
        occupied_km2=occupied_km2,
        background_per_eps_disc=density_m2 * math.pi * eps_m**2,
    )
