"""The alternatives a hotspot map is compared with, each a priority per study cell.

``grid``
    Training incidents per cell (``StudyGrid.counts``).
``kde-rule`` / ``kde-cv``
    Quartic-kernel density of the training incidents integrated over each cell (points
    binned to thirds of a cell, then convolved: ``kde_cell_counts``). ``kde-rule``: the
    bandwidth is the mean distance from a training incident to its 10th nearest neighbour
    (the k-nearest-neighbour rule of Williamson et al. 1998, ``rule_bandwidth_m``), at
    least one cell. ``kde-cv`` (``kde_cv``): the bandwidth of ``KDE_BANDWIDTHS_CELLS`` that,
    fitted on the first half of the training window, caught most of its second half at
    the budget.
``gistar``
    Getis-Ord Gi* z-scores of the training counts (``gistar``: binary weights, the cell and
    its eight neighbours inside the study area; equal to ``esda.G_Local(star=True)``); hot
    cells with a Benjamini-Hochberg FDR-adjusted one-sided p-value below ``GISTAR_ALPHA``
    come first by z, then the other cells by z (``gistar_priority``).
ranked cells (``dbscan-ranked``, ``-concave``, ``-hull``)
    The engine's hotspot table of a clustering, in the engine's rank order
    (``ranked_hotspots``: ``summarise_hotspots`` + ``rank_hotspots``), whose shapes the
    backtest rasterises.
"""

from __future__ import annotations

import math
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import signal, stats
from scipy.spatial import cKDTree

from geo.errors import ParameterError
from hotspots import ranking, summary
from hotspots.backtest.windows import Window
from hotspots.grid import StudyGrid, fill_budget, in_period
from hotspots.significance import adjust_p_values

#: Candidate KDE bandwidths of ``kde-cv``, in cells.
KDE_BANDWIDTHS_CELLS: Final = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
#: Neighbour rank of the KDE bandwidth rule (Williamson et al. 1998).
KDE_RULE_K: Final = 10
#: Sub-cells per cell side when binning points for the KDE.
_KDE_SUBCELLS: Final = 3
#: FDR level of the Gi* hot cells.
GISTAR_ALPHA: Final = 0.05


# --------------------------------------------------------------------------- KDE


def rule_bandwidth_m(xy: NDArray[np.float64], *, cell_m: float, k: int = KDE_RULE_K) -> float:
    """Mean distance to the k-th nearest neighbour (Williamson et al. 1998), at least ``cell_m``."""
    points = np.asarray(xy, dtype=np.float64)
    if len(points) <= k:
        return float(cell_m) * 4.0
    distances, _ = cKDTree(points).query(points, k=k + 1)
    return max(float(cell_m), float(np.mean(distances[:, -1])))


def _quartic_kernel(radius_sub: float) -> NDArray[np.float64]:
    """Quartic (biweight) kernel on sub-cell centres, radius in sub-cells, summing to 1."""
    reach = max(0, math.floor(radius_sub))
    offsets = np.arange(-reach, reach + 1, dtype=np.float64)
    d2 = (offsets[None, :] ** 2 + offsets[:, None] ** 2) / max(radius_sub, 1e-9) ** 2
    kernel = np.where(d2 < 1, (1 - d2) ** 2, 0.0)
    if kernel.sum() <= 0:
        kernel = np.ones((1, 1))
    return np.asarray(kernel / kernel.sum(), dtype=np.float64)


def kde_cell_counts(
    x_m: ArrayLike, y_m: ArrayLike, grid: StudyGrid, *, bandwidth_m: float
) -> NDArray[np.float64]:
    """Quartic-kernel density of the points integrated over each study cell (expected counts).

    Points are binned to ``1/3`` of a cell, the bins convolved with the kernel (radius
    ``bandwidth_m``) and summed back to cells; density spilling outside the study cells
    is lost, as it would be for any method.
    """
    if not np.isfinite(bandwidth_m) or bandwidth_m <= 0:
        raise ParameterError(f"bandwidth_m must be > 0 metres, got {bandwidth_m}")
    s = _KDE_SUBCELLS
    sub = grid.cell_m / s
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ix = np.floor((x - grid.x0_m) / sub)
        iy = np.floor((y - grid.y0_m) / sub)
    ok = np.isfinite(ix) & np.isfinite(iy) & (ix >= 0) & (ix < grid.nx * s) & (iy >= 0) & (iy < grid.ny * s)
    raster = np.zeros((grid.ny * s, grid.nx * s))
    np.add.at(raster, (iy[ok].astype(np.int64), ix[ok].astype(np.int64)), 1.0)
    kernel = _quartic_kernel(bandwidth_m / sub)
    smooth = signal.fftconvolve(raster, kernel, mode="same") if kernel.size > 1 else raster
    smooth = np.clip(smooth, 0.0, None)  # FFT round-off leaves tiny negatives
    cells = smooth.reshape(grid.ny, s, grid.nx, s).sum(axis=(1, 3))
    return np.asarray(cells.ravel()[grid.study_index], dtype=np.float64)


def kde_cv(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    when: pd.Series,
    window: Window,
    grid: StudyGrid,
    *,
    cells: int,
) -> tuple[NDArray[np.float64], str]:
    """Return the KDE of the training window with the bandwidth that predicted its own second half best.

    Parameters
    ----------
    x, y
        Every incident's coordinates, metres (the grid's CRS).
    when
        Every incident's aware time.
    window
        The backtest window; only its training part is used.
    grid
        Study grid.
    cells
        The budget in cells the bandwidths are compared at.

    Returns
    -------
    priority : ndarray
        Expected training incidents per study cell (``kde_cell_counts``).
    note : str
        The chosen bandwidth, for the report.
    """
    middle = window.train_start + (window.test_start - window.train_start) / 2
    first = in_period(when, window.train_start, middle)
    second = in_period(when, middle, window.test_start)
    inner_test = grid.counts(x[second], y[second])
    scores = []
    for factor in KDE_BANDWIDTHS_CELLS:
        h = factor * grid.cell_m
        hits, _ = fill_budget(
            kde_cell_counts(x[first], y[first], grid, bandwidth_m=h), inner_test, cells=cells
        )
        scores.append(hits)
    best = int(np.argmax(scores))  # ties: the narrowest
    h = KDE_BANDWIDTHS_CELLS[best] * grid.cell_m
    train = in_period(when, window.train_start, window.test_start)
    return kde_cell_counts(x[train], y[train], grid, bandwidth_m=h), f"quartic, h {h:.0f} m (cross-validated)"


# --------------------------------------------------------------------------- Gi*


def gistar(
    counts: ArrayLike, grid: StudyGrid, *, radius_cells: int = 1
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Getis-Ord Gi* z-scores and one-sided p-values of per-cell counts.

    Binary weights: a study cell's neighbours are the study cells within ``radius_cells``
    steps in x and y (the 3 x 3 block for 1), itself included (the "star"). With ``n``
    study cells, mean ``m`` and standard deviation ``s`` (population) of the counts,
    ``W_i`` neighbours and neighbour sum ``S_i``:
    ``z_i = (S_i - m W_i) / (s sqrt((n W_i - W_i**2) / (n - 1)))``, the statistic
    ``esda.G_Local(star=True)`` computes; ``p_i = 1 - Phi(z_i)``.

    Returns
    -------
    z, p : ndarray
        Per study cell, in ``study_index`` order; z is 0 and p 0.5 where undefined.
    """
    values = np.asarray(counts, dtype=np.float64)
    if values.shape != (grid.n_cells,):
        raise ParameterError(
            f"counts must hold one value per study cell ({grid.n_cells}), got {values.shape}"
        )
    if int(radius_cells) != radius_cells or radius_cells < 1:
        raise ParameterError(f"radius_cells must be a whole number >= 1, got {radius_cells}")
    raster = np.zeros(grid.nx * grid.ny)
    raster[grid.study_index] = values
    raster2 = raster.reshape(grid.ny, grid.nx)
    mask = grid.mask.astype(np.float64)
    box = np.ones((2 * radius_cells + 1, 2 * radius_cells + 1))
    # Direct (not FFT) convolution keeps the sums exact integers.
    neighbour_sum = signal.convolve2d(raster2, box, mode="same").ravel()[grid.study_index]
    neighbours = np.rint(signal.convolve2d(mask, box, mode="same").ravel()[grid.study_index])
    n = float(grid.n_cells)
    mean = float(values.mean()) if n else 0.0
    sd = float(values.std()) if n else 0.0
    spread = n * neighbours - neighbours**2
    z = np.zeros_like(values)
    ok = (sd > 0) & (spread > 0) & (n > 1)
    z[ok] = (neighbour_sum[ok] - mean * neighbours[ok]) / (sd * np.sqrt(spread[ok] / (n - 1)))
    p = stats.norm.sf(z)
    return z, np.asarray(p, dtype=np.float64)


def gistar_priority(counts: NDArray[np.float64], grid: StudyGrid) -> tuple[NDArray[np.float64], str]:
    """Return Gi* cell priorities: FDR-significant hot cells first by z, then the others by z.

    Parameters
    ----------
    counts
        Training incidents per study cell.
    grid
        Study grid.

    Returns
    -------
    priority : ndarray
        One value per study cell, higher first.
    note : str
        How many cells were hot, for the report.
    """
    z, p = gistar(counts, grid)
    q = adjust_p_values(np.where(z > 0, p, np.nan), method="bh")
    hot = np.isfinite(q) & (q < GISTAR_ALPHA)
    lift = float(np.ptp(z)) + 1.0 if z.size else 1.0
    return np.where(hot, z + lift, z), f"{int(hot.sum())} hot cells at FDR {GISTAR_ALPHA:g}, then by z"


# --------------------------------------------------------------------------- ranked hotspots


def ranked_hotspots(
    incidents: pd.DataFrame,
    labels: ArrayLike,
    grid: StudyGrid,
    *,
    eps_m: float,
    period: tuple[pd.Timestamp, pd.Timestamp],
    previous: pd.DataFrame,
    districts: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    """Return the engine's hotspot table of clustered incidents, sorted by the engine's rank.

    Parameters
    ----------
    incidents
        The clustered (training) incidents.
    labels
        Cluster label per row.
    grid
        Study grid (its cells make the single district of foreign data).
    eps_m
        Clustering radius (the engine's polygon buffer is half of it).
    period
        ``(since, until)`` of the training window.
    previous
        Incidents that hold the window before it (for the trend term).
    districts
        Peruspiiri-like layer (``code``, polygons) for the significance test; None makes
        the study area one district, for data outside Helsinki.

    Returns
    -------
    GeoDataFrame
        ``summarise_hotspots`` + ``rank_hotspots`` output.
    """
    layer_code = None
    if districts is None:
        layer_code = summary.STUDY_DISTRICT_CODE
        districts = summary.study_district(grid)
    table = summary.summarise_hotspots(
        summary.foreign_frame(incidents, layer_code).reset_index(drop=True),
        np.asarray(labels, dtype=np.int64),
        eps_m=eps_m,
        baseline=summary.Baseline(
            previous=summary.foreign_frame(previous, layer_code), period=period, districts=districts
        ),
        crs_code=grid.crs,
    )
    return ranking.rank_hotspots(table)
