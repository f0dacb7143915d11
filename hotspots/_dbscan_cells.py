"""The grid index of the DBSCAN kernel (``hotspots.dbscan_kernel``), compiled with numba.

Points are binned into square cells of side ``eps_m / sqrt(2)`` and sorted by cell, so the
neighbours of a point lie in the 5 x 5 block of cells around its own. These kernels build
that index (each point's cell, the points in cell order, each cell's first point and
coordinates, the range of neighbour cells per column) and the bounds the kernel prunes
with: each cell's bounding box, weight and completeness, and the nearest and farthest a
point can be from a box. Positions are in cell-sorted order; arrays are flat, by design.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True)
def cell_coords(
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
def counting_order(cx: NDArray[np.int64], cy: NDArray[np.int64], rows: int, ncells: int) -> NDArray[np.int64]:
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
def gather(
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
def cells(
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
def neighbour_ranges(
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
def neighbour_ranges_dense(
    ccx: NDArray[np.int64], ccy: NDArray[np.int64], columns: int, rows: int, reach: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """As :func:`neighbour_ranges`, by lookup in a table over the whole grid (no search)."""
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
def cell_stats(
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
def near_sq(xi: float, yi: float, box: NDArray[np.float64], d: int) -> float:
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
def far_sq(xi: float, yi: float, box: NDArray[np.float64], d: int) -> float:
    """Upper bound of the squared distance from a point to the points of box ``d``."""
    dx = max(xi - box[d, 0], box[d, 1] - xi)
    dy = max(yi - box[d, 2], box[d, 3] - yi)
    return dx * dx + dy * dy
