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
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from geo.errors import ParameterError
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
    cx, cy = _cell_coords(pts, float(low[0]), float(low[1]), cell_m)
    columns, rows = int(cx.max()) + 1, int(cy.max()) + 1
    dense = columns * rows <= 4 * n + 4096
    # Cells spread far apart (few points, small eps): a comparison sort beats a sparse count.
    order = _counting_order(cx, cy, rows, columns * rows) if dense else np.lexsort((cy, cx)).astype(np.int64)

    px, py, pw, scx, scy = _gather(pts, weights, cx, cy, order)
    starts, ccx, ccy = _cells(scx, scy)
    if dense:
        lo, hi = _neighbour_ranges_dense(ccx, ccy, columns, rows, _REACH)
    else:
        lo, hi = _neighbour_ranges(ccx, ccy, _REACH)
    eps2 = eps * eps  # the rounding of scikit-learn's ``r * r``
    box, wsum, complete = _cell_stats(px, py, pw, starts, eps2)
    core = _core_flags(px, py, pw, starts, lo, hi, box, wsum, complete, eps2, float(need))

    perm, ncore = _cores_first(core, starts)
    px, py, orig = px[perm], py[perm], order[perm]
    core_box = _core_boxes(px, py, starts, ncore)
    parent = _connect(px, py, starts, ncore, complete, core_box, lo, hi, eps2)
    lab, cell_min = _label_cores(parent, orig, starts, ncore)
    _label_borders(lab, px, py, starts, ncore, complete, core_box, cell_min, lo, hi, eps2)
    return _scatter(lab, orig, starts, ncore)


# --- kernels (positions are in cell-sorted order) -------------------------------------


@njit(cache=True)
def _cell_coords(
    pts: NDArray[np.float64], x0: float, y0: float, cell_m: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Grid column and row of each point (cells of side ``cell_m`` from the lower left)."""
    n = pts.shape[0]
    cx = np.empty(n, dtype=np.int64)
    cy = np.empty(n, dtype=np.int64)
    for i in range(n):
        cx[i] = np.int64(np.floor((pts[i, 0] - x0) / cell_m))
        cy[i] = np.int64(np.floor((pts[i, 1] - y0) / cell_m))
    return cx, cy


@njit(cache=True)
def _counting_order(
    cx: NDArray[np.int64], cy: NDArray[np.int64], rows: int, ncells: int
) -> NDArray[np.int64]:
    """Stable order of the points by cell (column, then row), by counting."""
    n = cx.size
    offsets = np.zeros(ncells + 1, dtype=np.int64)
    for i in range(n):
        offsets[cx[i] * rows + cy[i] + 1] += 1
    for k in range(ncells):
        offsets[k + 1] += offsets[k]
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        key = cx[i] * rows + cy[i]
        order[offsets[key]] = i
        offsets[key] += 1
    return order


@njit(cache=True)
def _gather(
    pts: NDArray[np.float64],
    weights: NDArray[np.float64],
    cx: NDArray[np.int64],
    cy: NDArray[np.int64],
    order: NDArray[np.int64],
) -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]
]:
    """Coordinates, weights and cells in cell order."""
    n = order.size
    px = np.empty(n, dtype=np.float64)
    py = np.empty(n, dtype=np.float64)
    pw = np.empty(n, dtype=np.float64)
    scx = np.empty(n, dtype=np.int64)
    scy = np.empty(n, dtype=np.int64)
    for k in range(n):
        i = order[k]
        px[k] = pts[i, 0]
        py[k] = pts[i, 1]
        pw[k] = weights[i]
        scx[k] = cx[i]
        scy[k] = cy[i]
    return px, py, pw, scx, scy


@njit(cache=True)
def _cells(
    cx: NDArray[np.int64], cy: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Start position of each cell (plus the end) and its cell coordinates."""
    n = cx.size
    count = 1
    for i in range(1, n):
        if cx[i] != cx[i - 1] or cy[i] != cy[i - 1]:
            count += 1
    starts = np.empty(count + 1, dtype=np.int64)
    ccx = np.empty(count, dtype=np.int64)
    ccy = np.empty(count, dtype=np.int64)
    c = 0
    starts[0] = 0
    ccx[0] = cx[0]
    ccy[0] = cy[0]
    for i in range(1, n):
        if cx[i] != cx[i - 1] or cy[i] != cy[i - 1]:
            c += 1
            starts[c] = i
            ccx[c] = cx[i]
            ccy[c] = cy[i]
    starts[count] = n
    return starts, ccx, ccy


@njit(cache=True)
def _lower_bound(ccx: NDArray[np.int64], ccy: NDArray[np.int64], qx: int, qy: int) -> int:
    """First cell whose (x, y) cell coordinates are not below (qx, qy)."""
    lo = 0
    hi = ccx.size
    while lo < hi:
        mid = (lo + hi) >> 1
        if ccx[mid] < qx or (ccx[mid] == qx and ccy[mid] < qy):
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _neighbour_ranges(
    ccx: NDArray[np.int64], ccy: NDArray[np.int64], reach: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each cell and column offset, the run of cells within ``reach`` rows."""
    ncell = ccx.size
    width = 2 * reach + 1
    lo = np.empty((ncell, width), dtype=np.int64)
    hi = np.empty((ncell, width), dtype=np.int64)
    for c in range(ncell):
        for k in range(width):
            qx = ccx[c] + k - reach
            lo[c, k] = _lower_bound(ccx, ccy, qx, ccy[c] - reach)
            hi[c, k] = _lower_bound(ccx, ccy, qx, ccy[c] + reach + 1)
    return lo, hi


@njit(cache=True)
def _neighbour_ranges_dense(
    ccx: NDArray[np.int64], ccy: NDArray[np.int64], columns: int, rows: int, reach: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """As :func:`_neighbour_ranges`, by lookup in a table over the whole grid (no search)."""
    ncell = ccx.size
    total = columns * rows
    first = np.empty(total + 1, dtype=np.int64)  # first cell whose key is >= the index
    first[total] = ncell
    c = ncell - 1
    for key in range(total - 1, -1, -1):
        if c >= 0 and ccx[c] * rows + ccy[c] == key:
            first[key] = c
            c -= 1
        else:
            first[key] = first[key + 1]
    width = 2 * reach + 1
    lo = np.zeros((ncell, width), dtype=np.int64)
    hi = np.zeros((ncell, width), dtype=np.int64)
    for c in range(ncell):
        y_lo = max(ccy[c] - reach, 0)
        y_hi = min(ccy[c] + reach, rows - 1)
        for k in range(width):
            q = ccx[c] + k - reach
            if 0 <= q < columns:
                lo[c, k] = first[q * rows + y_lo]
                hi[c, k] = first[q * rows + y_hi + 1]
    return lo, hi


@njit(cache=True)
def _cell_stats(
    px: NDArray[np.float64],
    py: NDArray[np.float64],
    pw: NDArray[np.float64],
    starts: NDArray[np.int64],
    eps2: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Bounding box (min x, max x, min y, max y), weight and completeness of each cell."""
    ncell = starts.size - 1
    box = np.empty((ncell, 4), dtype=np.float64)
    wsum = np.zeros(ncell, dtype=np.float64)
    complete = np.zeros(ncell, dtype=np.bool_)
    for c in range(ncell):
        s0 = starts[c]
        x_lo = px[s0]
        x_hi = px[s0]
        y_lo = py[s0]
        y_hi = py[s0]
        total = 0.0
        for i in range(s0, starts[c + 1]):
            x_lo = min(x_lo, px[i])
            x_hi = max(x_hi, px[i])
            y_lo = min(y_lo, py[i])
            y_hi = max(y_hi, py[i])
            total += pw[i]
        box[c, 0] = x_lo
        box[c, 1] = x_hi
        box[c, 2] = y_lo
        box[c, 3] = y_hi
        wsum[c] = total
        # Rounded differences are monotone, so no pair inside is farther than the diagonal.
        dx = x_hi - x_lo
        dy = y_hi - y_lo
        complete[c] = dx * dx + dy * dy <= eps2
    return box, wsum, complete


@njit(cache=True)
def _near_sq(xi: float, yi: float, box: NDArray[np.float64], d: int) -> float:
    """Lower bound of the squared distance from a point to the points of box ``d``."""
    dx = 0.0
    if xi < box[d, 0]:
        dx = box[d, 0] - xi
    elif xi > box[d, 1]:
        dx = xi - box[d, 1]
    dy = 0.0
    if yi < box[d, 2]:
        dy = box[d, 2] - yi
    elif yi > box[d, 3]:
        dy = yi - box[d, 3]
    return dx * dx + dy * dy


@njit(cache=True)
def _far_sq(xi: float, yi: float, box: NDArray[np.float64], d: int) -> float:
    """Upper bound of the squared distance from a point to the points of box ``d``."""
    dx = max(xi - box[d, 0], box[d, 1] - xi)
    dy = max(yi - box[d, 2], box[d, 3] - yi)
    return dx * dx + dy * dy


@njit(cache=True)
def _core_flags(
    px: NDArray[np.float64],
    py: NDArray[np.float64],
    pw: NDArray[np.float64],
    starts: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    box: NDArray[np.float64],
    wsum: NDArray[np.float64],
    complete: NDArray[np.bool_],
    eps2: float,
    need: float,
) -> NDArray[np.bool_]:
    """Core flag per point: neighbourhood weight reaches ``need`` (counting stops there)."""
    ncell = starts.size - 1
    core = np.zeros(px.size, dtype=np.bool_)
    width = lo.shape[1]
    for c in range(ncell):
        if complete[c] and wsum[c] >= need:
            core[starts[c] : starts[c + 1]] = True
            continue
        for i in range(starts[c], starts[c + 1]):
            xi = px[i]
            yi = py[i]
            acc = wsum[c] if complete[c] else 0.0
            t = 0
            while t < width and acc < need:
                # Own column first, then outwards: the nearest cells fill the count soonest.
                k = (width // 2) + ((t + 1) // 2) * (1 if t % 2 == 0 else -1)
                for d in range(lo[c, k], hi[c, k]):
                    if d == c and complete[c]:
                        continue
                    if _near_sq(xi, yi, box, d) > eps2:
                        continue
                    if _far_sq(xi, yi, box, d) <= eps2:
                        acc += wsum[d]
                    else:
                        for j in range(starts[d], starts[d + 1]):
                            dx = xi - px[j]
                            dy = yi - py[j]
                            if dx * dx + dy * dy <= eps2:
                                acc += pw[j]
                    if acc >= need:
                        break
                t += 1
            core[i] = acc >= need
    return core


@njit(cache=True)
def _cores_first(
    core: NDArray[np.bool_], starts: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Permutation putting each cell's core points first (stable), and cores per cell."""
    ncell = starts.size - 1
    perm = np.empty(core.size, dtype=np.int64)
    ncore = np.zeros(ncell, dtype=np.int64)
    for c in range(ncell):
        out = starts[c]
        for i in range(starts[c], starts[c + 1]):
            if core[i]:
                perm[out] = i
                out += 1
        ncore[c] = out - starts[c]
        for i in range(starts[c], starts[c + 1]):
            if not core[i]:
                perm[out] = i
                out += 1
    return perm, ncore


@njit(cache=True)
def _core_boxes(
    px: NDArray[np.float64], py: NDArray[np.float64], starts: NDArray[np.int64], ncore: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Bounding box of each cell's core points (unused for cells without cores)."""
    ncell = starts.size - 1
    box = np.zeros((ncell, 4), dtype=np.float64)
    for c in range(ncell):
        s0 = starts[c]
        if ncore[c] == 0:
            continue
        box[c, 0] = px[s0]
        box[c, 1] = px[s0]
        box[c, 2] = py[s0]
        box[c, 3] = py[s0]
        for i in range(s0 + 1, s0 + ncore[c]):
            box[c, 0] = min(box[c, 0], px[i])
            box[c, 1] = max(box[c, 1], px[i])
            box[c, 2] = min(box[c, 2], py[i])
            box[c, 3] = max(box[c, 3], py[i])
    return box


@njit(cache=True)
def _find(parent: NDArray[np.int64], i: int) -> int:
    """Root of ``i`` with path halving."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True)
def _union(parent: NDArray[np.int64], a: int, b: int) -> None:
    """Join the sets of ``a`` and ``b`` under the smaller root."""
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra < rb:
        parent[rb] = ra
    elif rb < ra:
        parent[ra] = rb


@njit(cache=True)
def _boxes_apart(box: NDArray[np.float64], c: int, d: int, eps2: float) -> bool:
    """Return True when no point of box ``c`` can be within eps of a point of box ``d``."""
    dx = max(0.0, box[d, 0] - box[c, 1], box[c, 0] - box[d, 1])
    dy = max(0.0, box[d, 2] - box[c, 3], box[c, 2] - box[d, 3])
    return dx * dx + dy * dy > eps2


@njit(cache=True)
def _connect(
    px: NDArray[np.float64],
    py: NDArray[np.float64],
    starts: NDArray[np.int64],
    ncore: NDArray[np.int64],
    complete: NDArray[np.bool_],
    core_box: NDArray[np.float64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    eps2: float,
) -> NDArray[np.int64]:
    """Union-find forest over core points: cores within eps of each other share a root."""
    ncell = starts.size - 1
    parent = np.arange(px.size, dtype=np.int64)
    width = lo.shape[1]
    for c in range(ncell):
        s0 = starts[c]
        e0 = s0 + ncore[c]
        if complete[c]:
            for i in range(s0 + 1, e0):
                parent[i] = s0
        else:
            for i in range(s0, e0):
                for j in range(i + 1, e0):
                    dx = px[i] - px[j]
                    dy = py[i] - py[j]
                    if dx * dx + dy * dy <= eps2:
                        _union(parent, i, j)
    for c in range(ncell):
        if ncore[c] == 0:
            continue
        s0 = starts[c]
        e0 = s0 + ncore[c]
        for k in range(width):
            for d in range(max(lo[c, k], c + 1), hi[c, k]):
                if ncore[d] == 0 or _boxes_apart(core_box, c, d, eps2):
                    continue
                s1 = starts[d]
                e1 = s1 + ncore[d]
                if complete[c] and complete[d]:
                    # One core pair joins the two cells; look only while they are apart.
                    if _find(parent, s0) == _find(parent, s1):
                        continue
                    joined = False
                    for i in range(s0, e0):
                        if _near_sq(px[i], py[i], core_box, d) > eps2:
                            continue
                        for j in range(s1, e1):
                            dx = px[i] - px[j]
                            dy = py[i] - py[j]
                            if dx * dx + dy * dy <= eps2:
                                _union(parent, s0, s1)
                                joined = True
                                break
                        if joined:
                            break
                else:
                    for i in range(s0, e0):
                        if _near_sq(px[i], py[i], core_box, d) > eps2:
                            continue
                        for j in range(s1, e1):
                            dx = px[i] - px[j]
                            dy = py[i] - py[j]
                            if dx * dx + dy * dy <= eps2 and _find(parent, i) != _find(parent, j):
                                _union(parent, i, j)
    return parent


@njit(cache=True)
def _label_cores(
    parent: NDArray[np.int64], orig: NDArray[np.int64], starts: NDArray[np.int64], ncore: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Cluster labels of the cores, numbered by each cluster's smallest original index.

    Returns the labels (-1 for the non-core positions, filled later) and, per cell, the
    smallest label among its cores (large when it has none).
    """
    n = parent.size
    ncell = starts.size - 1
    big = np.iinfo(np.int64).max
    first = np.full(n, big, dtype=np.int64)
    nroot = 0
    for c in range(ncell):
        for i in range(starts[c], starts[c] + ncore[c]):
            r = _find(parent, i)
            if first[r] == big:
                nroot += 1
            first[r] = min(first[r], orig[i])
    roots = np.empty(nroot, dtype=np.int64)
    keys = np.empty(nroot, dtype=np.int64)
    m = 0
    for i in range(n):
        if first[i] != big:
            roots[m] = i
            keys[m] = first[i]
            m += 1
    rank = np.argsort(keys)
    root_label = np.full(n, -1, dtype=np.int64)
    for label in range(nroot):
        root_label[roots[rank[label]]] = label
    lab = np.full(n, -1, dtype=np.int64)
    cell_min = np.full(ncell, big, dtype=np.int64)
    for c in range(ncell):
        for i in range(starts[c], starts[c] + ncore[c]):
            lab[i] = root_label[_find(parent, i)]
            cell_min[c] = min(cell_min[c], lab[i])
    return lab, cell_min


@njit(cache=True)
def _label_borders(
    lab: NDArray[np.int64],
    px: NDArray[np.float64],
    py: NDArray[np.float64],
    starts: NDArray[np.int64],
    ncore: NDArray[np.int64],
    complete: NDArray[np.bool_],
    core_box: NDArray[np.float64],
    cell_min: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    eps2: float,
) -> None:
    """Give each non-core point the smallest label among the cores within eps (else -1)."""
    ncell = starts.size - 1
    big = np.iinfo(np.int64).max
    width = lo.shape[1]
    for c in range(ncell):
        for i in range(starts[c] + ncore[c], starts[c + 1]):
            xi = px[i]
            yi = py[i]
            best = big
            for k in range(width):
                for d in range(lo[c, k], hi[c, k]):
                    if ncore[d] == 0 or cell_min[d] >= best:
                        continue
                    if _near_sq(xi, yi, core_box, d) > eps2:
                        continue
                    s1 = starts[d]
                    if complete[d]:
                        # All cores of a complete cell share one label: any one within eps will do.
                        if _far_sq(xi, yi, core_box, d) <= eps2:
                            best = cell_min[d]
                            continue
                        for j in range(s1, s1 + ncore[d]):
                            dx = xi - px[j]
                            dy = yi - py[j]
                            if dx * dx + dy * dy <= eps2:
                                best = cell_min[d]
                                break
                    else:
                        for j in range(s1, s1 + ncore[d]):
                            if lab[j] < best:
                                dx = xi - px[j]
                                dy = yi - py[j]
                                if dx * dx + dy * dy <= eps2:
                                    best = lab[j]
            lab[i] = best if best != big else -1


@njit(cache=True)
def _scatter(
    lab: NDArray[np.int64], orig: NDArray[np.int64], starts: NDArray[np.int64], ncore: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Labels and core flags back in the caller's point order."""
    labels = np.empty(lab.size, dtype=np.int64)
    is_core = np.zeros(lab.size, dtype=np.bool_)
    for c in range(starts.size - 1):
        for k in range(starts[c], starts[c + 1]):
            labels[orig[k]] = lab[k]
            is_core[orig[k]] = k < starts[c] + ncore[c]
    return labels, is_core
