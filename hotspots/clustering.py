"""Clustering methods behind one interface: DBSCAN, HDBSCAN and spatio-temporal DBSCAN.

* ``dbscan``: our exact grid DBSCAN (``hotspots.dbscan_kernel``), eps in metres.
* ``hdbscan``: scikit-learn's HDBSCAN, for data whose density varies (a busy centre and
  quiet suburbs); ``min_samples`` doubles as the smallest cluster size.
* ``st-dbscan``: neighbours are incidents within ``eps_m`` *and* within ``window_days``
  of each other, for "what flared up recently" (Birant & Kut 2007, one eps per axis).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from geo.errors import ParameterError
from hotspots.dbscan_kernel import dbscan
from hotspots.parameters.defaults import (
    DEFAULT_EPS_M,
    DEFAULT_MIN_SAMPLES,
    DEFAULT_WINDOW_DAYS,
    MIN_SAMPLES_FLOOR,
)

Method = Literal["dbscan", "hdbscan", "st-dbscan"]
METHODS: Final[tuple[Method, ...]] = get_args(Method)
#: What a hotspot cell's score counts: incidents, or distinct days with an incident (a
#: burst of records on one day counts once; places where incidents recur count most).
Basis = Literal["incidents", "days"]
BASES: Final[tuple[Basis, ...]] = get_args(Basis)


@dataclass(frozen=True)
class ClusteringParams:
    """Parameters of one clustering run, validated on construction.

    Parameters
    ----------
    method
        ``"dbscan"``, ``"hdbscan"`` or ``"st-dbscan"``.
    eps_m
        Neighbourhood radius in metres (dbscan, st-dbscan).
    min_samples
        Incidents (severity weights are not used) needed in a neighbourhood for a core point.
    window_days
        Time window of st-dbscan in days.
    auto_eps, auto_min_samples
        Let ``hotspots.analysis.analyse`` choose eps / min_samples for the selected period
        by backtest (``hotspots.parameters.auto``); ``eps_m`` / ``min_samples`` are then the
        fallback, and the analysis' ``clustering`` holds what was used. The choice also
        sets ``smoothing`` and ``basis``.
    smoothing
        Weight of DBSCAN's eps-disc density in a hotspot cell's score, in [0, 1]
        (``hotspots.grid.cell_scores``).
    basis
        What a cell's score counts: ``"incidents"`` or ``"days"`` (distinct days with an
        incident).
    """

    method: Method = "dbscan"
    eps_m: float = DEFAULT_EPS_M
    min_samples: int = DEFAULT_MIN_SAMPLES
    window_days: float = DEFAULT_WINDOW_DAYS
    auto_eps: bool = False
    auto_min_samples: bool = False
    smoothing: float = 0.0
    basis: Basis = "incidents"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ParameterError(f"method was {self.method!r} but is expected to be one of {list(METHODS)}")
        if not np.isfinite(self.eps_m) or self.eps_m <= 0:
            raise ParameterError(f"eps_m must be > 0 metres, got {self.eps_m}")
        if int(self.min_samples) != self.min_samples or self.min_samples < MIN_SAMPLES_FLOOR:
            raise ParameterError(
                f"min_samples must be a whole number >= {MIN_SAMPLES_FLOOR}, got {self.min_samples}"
            )
        if not np.isfinite(self.window_days) or self.window_days <= 0:
            raise ParameterError(f"window_days must be > 0 days, got {self.window_days}")
        if not 0 <= self.smoothing <= 1:
            raise ParameterError(f"smoothing must be in [0, 1], got {self.smoothing}")
        if self.basis not in BASES:
            raise ParameterError(f"basis was {self.basis!r} but is expected to be one of {list(BASES)}")


def _number_or_auto(value: object, name: str, kind: type[float] | type[int]) -> float | int | None:
    """``"auto"`` -> None; a number (text or not) -> the number; anything else raises."""
    text = str(value).strip().lower()
    if text == "auto":
        return None
    try:
        return kind(text)
    except ValueError:
        raise ParameterError(
            f"{name} was {value!r} but is expected to be auto or a number such as 150"
        ) from None


def clustering_from_text(
    method: str = "dbscan",
    eps: object = "auto",
    min_samples: object = "auto",
    window_days: float = DEFAULT_WINDOW_DAYS,
) -> ClusteringParams:
    """Parameters as a command line gives them: eps and min_samples a number or ``"auto"``.

    ``"auto"`` sets ``auto_eps`` / ``auto_min_samples`` with the default value as fallback.
    """
    eps_m = _number_or_auto(eps, "eps", float)
    count = _number_or_auto(min_samples, "min_samples", int)
    defaults = ClusteringParams()
    return ClusteringParams(
        method=method,  # type: ignore[arg-type]
        eps_m=float(eps_m) if eps_m is not None else defaults.eps_m,
        min_samples=int(count) if count is not None else defaults.min_samples,
        window_days=float(window_days),
        auto_eps=eps_m is None,
        auto_min_samples=count is None,
    )


def _xy(incidents: pd.DataFrame) -> NDArray[np.float64]:
    return incidents[["x_m", "y_m"]].to_numpy(dtype=np.float64)


def st_dbscan(
    xy: NDArray[np.float64], days: NDArray[np.float64], *, eps_m: float, window_days: float, min_samples: int
) -> NDArray[np.int64]:
    """DBSCAN whose neighbours are within ``eps_m`` in space and ``window_days`` in time.

    Parameters
    ----------
    xy
        (n, 2) coordinates in metres.
    days
        (n,) times in days (any origin).
    eps_m, window_days, min_samples
        See ``ClusteringParams``.

    Returns
    -------
    ndarray
        Labels, -1 for noise, clusters numbered from 0 by their first point.
    """
    from sklearn.cluster import DBSCAN

    n = len(xy)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    pairs = cKDTree(xy).query_pairs(r=eps_m, output_type="ndarray")
    close = np.abs(days[pairs[:, 0]] - days[pairs[:, 1]]) <= window_days
    i, j = pairs[close, 0], pairs[close, 1]
    # Stored entries are the neighbours; a tiny distance marks them (0 would be dropped).
    data = np.full(2 * len(i), 0.5)
    graph = sparse.csr_matrix((data, (np.r_[i, j], np.r_[j, i])), shape=(n, n))
    labels = DBSCAN(eps=1.0, min_samples=min_samples, metric="precomputed").fit_predict(graph)
    return _renumber(labels)


def _renumber(labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Clusters numbered 0, 1, ... in the order of their first point; noise stays -1."""
    out = np.full(len(labels), -1, dtype=np.int64)
    clustered = labels >= 0
    if clustered.any():
        _, first = np.unique(labels[clustered], return_index=True)
        order = np.argsort(first)
        mapping = np.empty(order.size, dtype=np.int64)
        mapping[order] = np.arange(order.size)
        _, inverse = np.unique(labels[clustered], return_inverse=True)
        out[clustered] = mapping[inverse]
    return out


def cluster(incidents: pd.DataFrame, params: ClusteringParams) -> NDArray[np.int64]:
    """Cluster incidents (EPSG:3067 ``x_m``/``y_m``, ``occurred_at``) with ``params``.

    Returns
    -------
    ndarray
        One label per row of ``incidents``; -1 is noise.
    """
    xy = _xy(incidents)
    if params.method == "dbscan":
        return _renumber(np.asarray(dbscan(xy, eps_m=params.eps_m, min_samples=params.min_samples)))
    if params.method == "hdbscan":
        from sklearn.cluster import HDBSCAN

        if len(xy) < params.min_samples:
            return np.full(len(xy), -1, dtype=np.int64)
        model = HDBSCAN(min_cluster_size=params.min_samples, min_samples=params.min_samples, copy=True)
        return _renumber(model.fit_predict(xy).astype(np.int64))
    epoch = incidents["occurred_at"].dt.tz_convert("UTC").astype("int64").to_numpy()
    days = epoch / 86_400e9
    return st_dbscan(
        xy, days, eps_m=params.eps_m, window_days=params.window_days, min_samples=params.min_samples
    )
