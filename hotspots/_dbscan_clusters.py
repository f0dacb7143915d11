"""Core points, clusters and labels of the DBSCAN kernel (``hotspots.dbscan_kernel``), with numba.

On the grid index of ``hotspots._dbscan_cells``: core flags (a point's neighbourhood weight
counted only until it reaches ``min_samples``; complete cells with enough weight are all
core), union-find over core points (two neighbouring complete cells need a single core
pair within eps), cluster numbers by each cluster's smallest core index, border points to
the lowest-numbered cluster within eps, and the labels back in the caller's order.
Positions are in cell-sorted order; arrays are flat, by design.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from hotspots._dbscan_cells import far_sq, near_sq


@njit(cache=True)
def core_flags(  # noqa: PLR0913  (numba kernel: flat arrays in, no objects)
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
                    if near_sq(xi, yi, box, d) > eps2:
                        continue
                    if far_sq(xi, yi, box, d) <= eps2:
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
def cores_first(
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
def core_boxes(
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
def connect(  # noqa: C901, PLR0913  (numba kernel: flat arrays, one fused pass over cell pairs)
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
                        if near_sq(px[i], py[i], core_box, d) > eps2:
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
                        if near_sq(px[i], py[i], core_box, d) > eps2:
                            continue
                        for j in range(s1, e1):
                            dx = px[i] - px[j]
                            dy = py[i] - py[j]
                            if dx * dx + dy * dy <= eps2 and _find(parent, i) != _find(parent, j):
                                _union(parent, i, j)
    return parent


@njit(cache=True)
def label_cores(
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
def label_borders(  # noqa: C901, PLR0913  (numba kernel: flat arrays, one fused pass)
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
                    if near_sq(xi, yi, core_box, d) > eps2:
                        continue
                    s1 = starts[d]
                    if complete[d]:
                        # All cores of a complete cell share one label: any one within eps will do.
                        if far_sq(xi, yi, core_box, d) <= eps2:
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
def scatter(
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
