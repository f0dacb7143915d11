"""Exact DBSCAN in metres on a grid, with the result of scikit-learn's ``DBSCAN``.

Points are binned into square cells of side ``eps_m / sqrt(2)`` and sorted by cell, so the
neighbours of a point lie in the 5 x 5 block of cells around its own. Three facts keep the
work far below scikit-learn's per-point neighbour lists:

* a cell whose points all lie within ``eps_m`` of each other ("complete"; checked exactly
  from its bounding box, true for nearly every cell of that side) and that holds at least
  ``min_samples`` (weight) is all core without counting;
* elsewhere a point's neighbourhood weight is counted only until it reaches
  ``min_samples``, and whole cells are added or skipped from their bounding boxes;
* clusters come from union-find over core points, and two neighbouring complete cells
  need a single core pair within ``eps_m`` to be joined.

Exactness: squared distances are ``dx * dx + dy * dy`` compared with ``eps_m * eps_m``,
the arithmetic of scikit-learn's KD-tree, and every bounding-box shortcut is a
monotone bound of that same arithmetic, so points exactly ``eps_m`` apart are neighbours
here exactly when they are for scikit-learn. Core points, noise and clusters are the
same; clusters are numbered in the order of their smallest core point index (as
scikit-learn numbers them) and a border point within ``eps_m`` of several clusters goes
to the lowest-numbered one (the one scikit-learn's expansion reaches first), so labels
agree with ``DBSCAN(eps=eps_m, min_samples=min_samples).fit(xy).labels_`` element by
element. Two caveats: fractional weights summed in another order can round differently
exactly at ``min_samples`` (as in any implementation); and for fewer than 12
points scikit-learn switches to a matrix-product distance whose rounding at exactly
``eps_m`` can differ from the direct one for non-integer coordinates.

This module validates the input and drives the compiled kernels: the grid index in
``hotspots._dbscan_cells``, core points and clusters in ``hotspots._dbscan_clusters``.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geo.errors import ParameterError
from hotspots._dbscan_cells import (
    cell_coords,
    cell_stats,
    cells,
    counting_order,
    gather,
    neighbour_ranges,
    neighbour_ranges_dense,
)
from hotspots._dbscan_clusters import (
    connect,
    core_boxes,
    core_flags,
    cores_first,
    label_borders,
    label_cores,
    scatter,
)
from hotspots.parameters.defaults import MIN_SAMPLES_FLOOR

#: Largest extent of the points, in cells, for which cell indices stay exact enough.
_MAX_CELLS_PER_AXIS: Final = 2.0**40
#: Cells searched on each side of a point's own cell (5 x 5 block).
_REACH: Final = 2


@dataclass(frozen=True)
class DbscanResult:
    """Labels and core flags of one DBSCAN run (read-only arrays).

    Attributes
    ----------
    labels
        (n,) int64 cluster label per point; -1 is noise. Clusters are numbered 0, 1, ...
        in the order of their smallest core point index.
    is_core
        (n,) bool, True for core points.
    """

    labels: NDArray[np.int64]
    is_core: NDArray[np.bool_]

    @property
    def n_clusters(self) -> int:
        """Number of clusters (noise not counted)."""
        return int(self.labels.max()) + 1 if self.labels.size else 0


def dbscan(
    xy: ArrayLike,
    *,
    eps_m: float,
    min_samples: int,
    sample_weight: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """Cluster projected points with DBSCAN; the labels of scikit-learn's ``DBSCAN``.

    Parameters
    ----------
    xy
        (n, 2) finite coordinates in metres (EPSG:3067 or EPSG:3879). Not modified.
    eps_m
        Neighbourhood radius in metres; points at distance ``<= eps_m`` are neighbours and
        every point is its own neighbour.
    min_samples
        A point is core when its neighbourhood holds at least this many points (or this much
        weight), itself included. A whole number >= 2 (``MIN_SAMPLES_FLOOR``).
    sample_weight
        Optional (n,) finite non-negative weights, e.g. severities; default 1 per point.

    Returns
    -------
    ndarray
        (n,) int64 labels, -1 for noise, clusters numbered from 0 in the order of their
        smallest core point index.

    Raises
    ------
    ParameterError
        When ``xy``, ``eps_m``, ``min_samples`` or ``sample_weight`` is out of range.
    """
    labels, _ = _run(xy, eps_m=eps_m, min_samples=min_samples, sample_weight=sample_weight)
    return labels


def dbscan_core(
    xy: ArrayLike,
    *,
    eps_m: float,
    min_samples: int,
    sample_weight: ArrayLike | None = None,
) -> DbscanResult:
    """DBSCAN labels together with the core flags; parameters as in :func:`dbscan`.

    Parameters
    ----------
    xy
        (n, 2) finite coordinates in metres.
    eps_m
        Neighbourhood radius in metres (``> 0``).
    min_samples
        Neighbourhood size (or weight) that makes a point core, a whole number >= 2.
    sample_weight
        Optional (n,) finite non-negative weights.

    Returns
    -------
    DbscanResult
        ``labels`` and ``is_core``, both read-only.
    """
    labels, is_core = _run(xy, eps_m=eps_m, min_samples=min_samples, sample_weight=sample_weight)
    labels.flags.writeable = False
    is_core.flags.writeable = False
    return DbscanResult(labels=labels, is_core=is_core)


# --- validation -------------------------------------------------------------------------


def _is_real(dtype: np.dtype[Any]) -> bool:
    """Integer or floating dtype (booleans are not numbers of metres or weights)."""
    return dtype != np.bool_ and (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating))


def _check_xy(xy: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(xy)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ParameterError(
            f"xy must be an (n, 2) array of x/y coordinates in metres, got shape {arr.shape}; "
            "pass the x_m and y_m columns, e.g. frame[['x_m', 'y_m']].to_numpy()"
        )
    if not _is_real(arr.dtype):
        raise ParameterError(f"xy must hold real numbers (metres), got dtype {arr.dtype}")
    out = np.ascontiguousarray(arr, dtype=np.float64)
    finite = np.isfinite(out).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ParameterError(
            f"xy row {row} is not finite ({float(out[row, 0])!r}, {float(out[row, 1])!r}); "
            f"{int((~finite).sum())} rows lack coordinates: geocode or drop them before clustering"
        )
    return out


def _check_eps(eps_m: float) -> float:
    if isinstance(eps_m, bool | np.bool_) or not isinstance(eps_m, int | float | np.integer | np.floating):
        raise ParameterError(f"eps_m must be a number > 0 metres, got {eps_m!r}")
    value = float(eps_m)
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"eps_m must be > 0 metres and finite, got {eps_m!r}")
    return value


def _check_min_samples(min_samples: int) -> int:
    wanted = f"min_samples must be a whole number >= {MIN_SAMPLES_FLOOR}"
    if isinstance(min_samples, bool | np.bool_):
        raise ParameterError(f"{wanted}, got {min_samples!r}")
    try:
        value = operator.index(min_samples)
    except TypeError:
        raise ParameterError(f"{wanted}, got {min_samples!r}") from None
    if value < MIN_SAMPLES_FLOOR:
        raise ParameterError(f"{wanted}, got {value}")
    return value


def _check_weights(sample_weight: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if sample_weight is None:
        return np.ones(n, dtype=np.float64)
    arr = np.asarray(sample_weight)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ParameterError(
            f"sample_weight must have one value per point: shape ({n},), got shape {arr.shape}"
        )
    if not _is_real(arr.dtype):
        raise ParameterError(f"sample_weight must hold real numbers, got dtype {arr.dtype}")
    out = np.asarray(arr, dtype=np.float64)
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"sample_weight must be finite and >= 0, got {float(out[row])!r} at row {row}; "
            "use 0 to leave a point out of the neighbourhood counts"
        )
    return out


# --- driver -----------------------------------------------------------------------------


def _run(
    xy: ArrayLike, *, eps_m: float, min_samples: int, sample_weight: ArrayLike | None
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    eps = _check_eps(eps_m)
    need = _check_min_samples(min_samples)
    pts = _check_xy(xy)
    n = pts.shape[0]
    weights = _check_weights(sample_weight, n)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.bool_)

    cell_m = eps / math.sqrt(2.0)
    low = pts.min(axis=0)
    extent_m = float((pts.max(axis=0) - low).max())
    if not extent_m / cell_m <= _MAX_CELLS_PER_AXIS:
        raise ParameterError(
            f"eps_m={eps!r} is too small for points spread over {extent_m:.6g} metres "
            f"(more than {_MAX_CELLS_PER_AXIS:.3g} cells across); use a larger eps_m or "
            "cluster smaller areas separately"
        )
    cx, cy = cell_coords(pts, float(low[0]), float(low[1]), cell_m)
    columns, rows = int(cx.max()) + 1, int(cy.max()) + 1
    dense = columns * rows <= 4 * n + 4096
    # Cells spread far apart (few points, small eps): a comparison sort beats a sparse count.
    order = counting_order(cx, cy, rows, columns * rows) if dense else np.lexsort((cy, cx)).astype(np.int64)

    px, py, pw, scx, scy = gather(pts, weights, cx, cy, order)
    starts, ccx, ccy = cells(scx, scy)
    if dense:
        lo, hi = neighbour_ranges_dense(ccx, ccy, columns, rows, _REACH)
    else:
        lo, hi = neighbour_ranges(ccx, ccy, _REACH)
    eps2 = eps * eps  # the rounding of scikit-learn's ``r * r``
    box, wsum, complete = cell_stats(px, py, pw, starts, eps2)
    core = core_flags(px, py, pw, starts, lo, hi, box, wsum, complete, eps2, float(need))

    perm, ncore = cores_first(core, starts)
    px, py, orig = px[perm], py[perm], order[perm]
    core_box = core_boxes(px, py, starts, ncore)
    parent = connect(px, py, starts, ncore, complete, core_box, lo, hi, eps2)
    lab, cell_min = label_cores(parent, orig, starts, ncore)
    label_borders(lab, px, py, starts, ncore, complete, core_box, cell_min, lo, hi, eps2)
    return scatter(lab, orig, starts, ncore)
