"""Do the hotspots predict? A rolling-origin backtest with hit rate, PAI and PEI at equal area.

A hotspot map earns its place when the places it marks in one period hold the incidents of
the next. The backtest measures that for the hotspots the map draws and for the usual
alternatives, each given exactly the same area.

Windows
    Rolling origin: train on ``train`` (default six months), test on the ``test`` window
    right after it (default six months); the origin steps back by ``test`` from the end of
    the data (the day after the last incident), so the last window ends with the data.
    Only windows whose training part starts on or after the first incident's day count.
Study area and grid
    Square cells of ``cell_m`` (150 m) over the study area; a cell belongs to the study
    area when its centre lies inside it. Helsinki's study area is the union of the
    official osa-alue polygons without the territorial sea ('Aluemeri'), cut to the
    shore; elsewhere a polygon file, or (``--districts none``) the cells that hold an
    incident (``hotspots.grid.occupied_grid``). Incidents outside the study cells are
    not counted at all.
Equal area
    A budget is a share of the study cells (``area_shares``, rounded to whole cells) or
    the cells of the top ``n_hotspots`` hotspots (``dbscan-ranked``'s shapes and order).
    Every method ranks the study cells in its own order and fills the budget in that
    order; cells tied at the
    edge of the budget share the remaining cells pro rata (the expected value of
    breaking the tie at random), so every method uses exactly the budget. The
    whole-hotspot methods (``dbscan``, ``dbscan-ranked``, ``-concave``, ``-hull``) stop
    when they run out of hotspots before the budget is full; their ``area_share`` shows
    what they used. With ``equal_area`` (the default) and ``dbscan`` compared, every
    method then fills only the area the drawn hotspots cover.
Measures (``N`` test incidents in the study area, ``a`` cells chosen of ``A`` study cells)
    ``hit_rate = hits / N``; ``pai = hit_rate / (a / A)`` (predictive accuracy index,
    Chainey et al. 2008: 1 is what random cells score on average); ``pei = hits /
    best_hits`` (predictive efficiency index, Hunt 2016), ``best_hits`` being what the
    test period's own top ``a`` cells hold, so a method that is given the test period
    scores exactly 1.

Methods (``METHODS``)
    ``dbscan`` (recommended)
        The hotspots the map draws (``hotspots.areas.areas_of``: street-scale unions of
        study cells under the size rule), built from the training window with eps,
        min_samples and the cell score chosen inside it exactly as the analysis chooses
        them (``hotspots.parameters.auto.choose_parameters``, with ``auto``), taken whole in rank
        order; the cells of the hotspot that crosses the budget's edge go by their
        score. What is scored is what the user sees.
    ``dbscan-cells``
        The cells of the training window's DBSCAN clusters (``hotspot_cells``) densest
        first, whatever their hotspot, by ``cell_scores`` (own count blended with the
        eps-disc density by a ``smoothing`` weight), then the other cells by the same
        score; eps, min_samples and smoothing chosen per budget (``choose_clustering``).
        A reference: no map draws these.
    ``dbscan-ranked``
        The same cell shapes with the given eps/min_samples, whole hotspots in the
        engine's rank order (``hotspots.summary.summarise_hotspots`` +
        ``hotspots.ranking.rank_hotspots``, the window before the training window as
        the previous period); within the hotspot that crosses the budget's edge cells
        go by their training count.
    ``dbscan-concave`` / ``dbscan-hull``
        As ``dbscan-ranked`` with the whole clusters' concave hulls buffered by eps/2 (the
        engine's former outline) or plain convex hulls, rasterised (a cell counts when its
        centre lies inside). These three isolate the effect of the shape.
    ``hdbscan``
        scikit-learn's HDBSCAN (``min_cluster_size = min_samples``), cell shapes as
        ``dbscan-cells``, cells densest first by their training count, then the other cells.
    ``grid``
        Training incidents per cell.
    ``kde-rule`` / ``kde-cv``
        Quartic-kernel density of the training incidents integrated over each cell
        (points binned to thirds of a cell, then convolved). ``kde-rule``: the bandwidth
        is the mean distance from a training incident to its 10th nearest neighbour
        (the k-nearest-neighbour rule of Williamson et al. 1998), at least one cell.
        ``kde-cv``: the bandwidth of ``KDE_BANDWIDTHS_CELLS`` that, fitted on the first
        half of the training window, caught most of its second half at the budget.
    ``gistar``
        Getis-Ord Gi* z-scores of the training counts (binary weights: the cell and its
        eight neighbours inside the study area; equal to ``esda.G_Local(star=True)``);
        hot cells with a Benjamini-Hochberg FDR-adjusted one-sided p-value below 0.05
        come first by z, then the other cells by z.
    ``random``
        A seeded random order (PAI about 1), for reference.
    ``best``
        The test period's own counts (PEI 1), the reference of PEI.

Parameters of ``dbscan-cells`` (``choose_clustering``)
    On each training window the same backtest runs inside it: the window is split at
    its middle, every candidate (``EPS_CANDIDATES_M`` x ``MIN_SAMPLES_CANDIDATES`` with
    ``auto``, x ``SMOOTHING_CANDIDATES``) clusters the first half and is scored on the
    second half at each budget; the best hit rate wins (ties: the larger min_samples,
    the smaller eps, the smaller smoothing), and the final hotspots are clustered on
    the whole training window with it, min_samples scaled by the ratio of the
    window's incidents to its first half's (a count in an eps-disc grows with time).
    The choice, and what the given parameters caught, are reported in ``params``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import signal, stats
from scipy.spatial import cKDTree

from geo.errors import ParameterError
from hotspots import areas, ranking, summary
from hotspots.clustering import ClusteringParams, cluster
from hotspots.grid import DEFAULT_CELL_M as DEFAULT_CELL_M
from hotspots.grid import TERRITORIAL_SEA_CODE as TERRITORIAL_SEA_CODE
from hotspots.grid import StudyGrid as StudyGrid
from hotspots.grid import cell_scores as cell_scores
from hotspots.grid import dense_priority as dense_priority
from hotspots.grid import disc_counts as disc_counts
from hotspots.grid import fill_budget as fill_budget
from hotspots.grid import helsinki_study_area as helsinki_study_area
from hotspots.grid import hotspot_cells as hotspot_cells
from hotspots.grid import hotspot_priority as hotspot_priority
from hotspots.grid import in_period as in_period
from hotspots.grid import read_study_area as read_study_area
from hotspots.grid import study_grid as study_grid
from hotspots.parameters.auto import choose_parameters
from hotspots.parameters.search import ParameterChoice, choose_clustering
from hotspots.selection import Selection
from hotspots.significance import adjust_p_values
from hotspots.study import aware_times

if TYPE_CHECKING:
    import altair as alt

Method = Literal[
    "dbscan",
    "dbscan-cells",
    "dbscan-ranked",
    "dbscan-concave",
    "dbscan-hull",
    "hdbscan",
    "grid",
    "kde-rule",
    "kde-cv",
    "gistar",
    "random",
    "best",
]
METHODS: Final[tuple[Method, ...]] = get_args(Method)
#: Methods of a default backtest (``best`` is always added as the reference of PEI).
DEFAULT_METHODS: Final[tuple[Method, ...]] = tuple(
    m for m in METHODS if m not in ("random", "best", "dbscan-ranked", "dbscan-concave", "dbscan-hull")
)
#: Short names accepted by ``parse_methods`` for groups of methods.
METHOD_ALIASES: Final[dict[str, tuple[Method, ...]]] = {
    "kde": ("kde-rule", "kde-cv"),
    "dbscan-shapes": ("dbscan", "dbscan-cells", "dbscan-ranked", "dbscan-concave", "dbscan-hull"),
}
DEFAULT_AREA_SHARES: Final = (0.01, 0.03, 0.05)
DEFAULT_TRAIN_WINDOW: Final = "6M"
DEFAULT_TEST_WINDOW: Final = "6M"
#: Candidate KDE bandwidths of ``kde-cv``, in cells.
KDE_BANDWIDTHS_CELLS: Final = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
#: Neighbour rank of the KDE bandwidth rule (Williamson et al. 1998).
KDE_RULE_K: Final = 10
#: Sub-cells per cell side when binning points for the KDE.
_KDE_SUBCELLS: Final = 3
#: FDR level of the Gi* hot cells.
GISTAR_ALPHA: Final = 0.05
_WINDOW_PATTERN: Final = re.compile(r"^\s*(\d+)\s*([DWMY])\s*$", re.IGNORECASE)

#: Columns of ``backtest`` (one row per window, budget and method).
RESULT_COLUMNS: Final = (
    "window",
    "train_start",
    "test_start",
    "test_end",
    "budget",
    "method",
    "cells",
    "area_share",
    "area_km2",
    "n_train",
    "n_test",
    "hits",
    "best_hits",
    "hit_rate",
    "pai",
    "pei",
    "params",
)
#: Columns of ``summarise_backtest`` (one row per budget and method).
SUMMARY_COLUMNS: Final = (
    "budget",
    "method",
    "windows",
    "area_share",
    "hit_rate",
    "hit_rate_sd",
    "hit_rate_min",
    "hit_rate_max",
    "pai",
    "pai_sd",
    "pei",
    "pei_sd",
)


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class WindowSpan:
    """A window length in calendar months and days (``"6M"`` is six calendar months)."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0:
            raise ParameterError(f"a window cannot be negative, got {self.months} months {self.days} days")

    @property
    def label(self) -> str:
        """``"6M"``, ``"30D"`` or ``"1M2D"``."""
        parts = [f"{self.months}M" if self.months else "", f"{self.days}D" if self.days else ""]
        return "".join(parts)

    def times(self, k: int) -> WindowSpan:
        """Repeat the span ``k`` times (``k >= 0``)."""
        return WindowSpan(self.months * k, self.days * k)

    def plus(self, other: WindowSpan) -> WindowSpan:
        """Return the sum of two spans."""
        return WindowSpan(self.months + other.months, self.days + other.days)

    def before(self, stamp: pd.Timestamp) -> pd.Timestamp:
        """``stamp`` minus this span on the wall clock."""
        if self.months == 0 and self.days == 0:
            return stamp
        return stamp - pd.DateOffset(months=self.months, days=self.days)


def parse_window(text: str, *, name: str = "window") -> WindowSpan:
    """``"6M"`` -> six months, ``"1M"``, ``"2W"`` (14 days), ``"30D"``, ``"1Y"`` (12 months).

    Raises
    ------
    ParameterError
        For anything else; the message names ``name`` and the accepted forms.
    """
    match = _WINDOW_PATTERN.match(str(text))
    if not match or int(match.group(1)) == 0:
        raise ParameterError(
            f"{name} was {text!r} but is expected to be a positive count and a unit D, W, M or Y, "
            "e.g. 6M (six months), 1M, 2W or 30D"
        )
    count, unit = int(match.group(1)), match.group(2).upper()
    if unit == "D":
        return WindowSpan(days=count)
    if unit == "W":
        return WindowSpan(days=7 * count)
    if unit == "M":
        return WindowSpan(months=count)
    return WindowSpan(months=12 * count)


@dataclass(frozen=True)
class Window:
    """One backtest window: train on [train_start, test_start), test on [test_start, test_end)."""

    train_start: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp

    @property
    def label(self) -> str:
        """``"2025-10-31..2026-04-30 -> 2026-10-31"``."""
        fmt = "%Y-%m-%d"
        return (
            f"{self.train_start.strftime(fmt)}..{self.test_start.strftime(fmt)} -> "
            f"{self.test_end.strftime(fmt)}"
        )


def rolling_windows(
    occurred_at: pd.Series,
    *,
    train: WindowSpan | str = DEFAULT_TRAIN_WINDOW,
    test: WindowSpan | str = DEFAULT_TEST_WINDOW,
    n_windows: int | None = None,
) -> list[Window]:
    """Rolling-origin windows over the span of ``occurred_at``, most recent first.

    Parameters
    ----------
    occurred_at
        Timezone-aware incident times.
    train, test
        Window lengths (``WindowSpan`` or text for ``parse_window``).
    n_windows
        Keep at most this many (the most recent); None keeps every complete window.

    Returns
    -------
    list of Window
        Test windows end at the day after the last incident and step back by ``test``;
        a window is complete when its training part starts on or after the first
        incident's day.
    """
    train_span = train if isinstance(train, WindowSpan) else parse_window(train, name="train window")
    test_span = test if isinstance(test, WindowSpan) else parse_window(test, name="test window")
    if n_windows is not None and (int(n_windows) != n_windows or n_windows < 1):
        raise ParameterError(f"n_windows must be a whole number >= 1 or None, got {n_windows}")
    when = occurred_at.dropna()
    if when.empty:
        return []
    first = when.min().normalize()
    end = when.max().normalize() + pd.Timedelta(days=1)
    end = pd.Timestamp(end.tz_localize(None)).tz_localize(
        when.dt.tz, nonexistent="shift_forward", ambiguous=True
    )
    windows: list[Window] = []
    k = 0
    while n_windows is None or len(windows) < n_windows:
        test_end = test_span.times(k).before(end)
        test_start = test_span.times(k + 1).before(end)
        train_start = test_span.times(k + 1).plus(train_span).before(end)
        if train_start < first:
            break
        windows.append(Window(train_start=train_start, test_start=test_start, test_end=test_end))
        k += 1
    return windows


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


# --------------------------------------------------------------------------- hotspots


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
        period=period,
        previous=summary.foreign_frame(previous, layer_code),
        districts=districts,
        crs_code=grid.crs,
    )
    return ranking.rank_hotspots(table)


# --------------------------------------------------------------------------- backtest


@dataclass(frozen=True)
class BacktestParams:
    """What a backtest compares, validated on construction.

    Parameters
    ----------
    train_window, test_window
        Window lengths (``parse_window`` text: ``6M``, ``1M``, ``30D`` ...).
    area_shares
        Budgets as shares of the study area, each in (0, 1).
    n_hotspots
        Also a budget of the cells of the top ``n_hotspots`` hotspots of each window
        (``dbscan-ranked``, the given parameters); None for none.
    methods
        Methods to compare (``METHODS``); ``best`` is always added.
    cell_m
        Cell side in metres.
    clustering
        DBSCAN/HDBSCAN parameters (``method`` is set per method).
    auto_eps, auto_min_samples
        Choose eps / min_samples of the ``dbscan`` methods on each training window
        (``choose_clustering``), per budget.
    n_windows
        Most recent windows to run; None for all complete windows.
    seed
        Seed of the ``random`` method.
    area_params
        The size rule of the drawn hotspots (``dbscan``).
    equal_area
        When ``dbscan`` is compared and its hotspots cover less than a budget, every
        method fills only the area they cover (so all are judged on the same area).
    """

    train_window: str = DEFAULT_TRAIN_WINDOW
    test_window: str = DEFAULT_TEST_WINDOW
    area_shares: tuple[float, ...] = DEFAULT_AREA_SHARES
    n_hotspots: int | None = None
    methods: tuple[str, ...] = DEFAULT_METHODS
    cell_m: float = DEFAULT_CELL_M
    clustering: ClusteringParams = ClusteringParams()  # noqa: RUF009  (frozen dataclass)
    auto_eps: bool = False
    auto_min_samples: bool = False
    n_windows: int | None = None
    seed: int = 0
    area_params: areas.AreaParams = areas.AreaParams()  # noqa: RUF009  (frozen dataclass)
    equal_area: bool = True

    def __post_init__(self) -> None:
        parse_window(self.train_window, name="train_window")
        parse_window(self.test_window, name="test_window")
        if not self.area_shares and self.n_hotspots is None:
            raise ParameterError("give at least one budget: area_shares (e.g. 0.01,0.03,0.05) or n_hotspots")
        for share in self.area_shares:
            if not 0 < share < 1:
                raise ParameterError(
                    f"area shares must be in (0, 1), e.g. 0.01 for 1 % of the study area, got {share}"
                )
        if self.n_hotspots is not None and (int(self.n_hotspots) != self.n_hotspots or self.n_hotspots < 1):
            raise ParameterError(f"n_hotspots must be a whole number >= 1, got {self.n_hotspots}")
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ParameterError(f"methods {unknown or '()'} are unknown; choose from {list(METHODS)}")
        if not np.isfinite(self.cell_m) or self.cell_m <= 0:
            raise ParameterError(f"cell_m must be > 0 metres, got {self.cell_m}")
        if self.n_windows is not None and (int(self.n_windows) != self.n_windows or self.n_windows < 1):
            raise ParameterError(f"n_windows must be a whole number >= 1, got {self.n_windows}")


def parse_methods(text: str) -> tuple[str, ...]:
    """``"dbscan,kde,grid"`` -> ``("dbscan", "kde-rule", "kde-cv", "grid")`` (groups expanded)."""
    out: list[str] = []
    for raw in str(text).split(","):
        name = raw.strip().lower()
        if not name:
            continue
        for item in METHOD_ALIASES.get(name, (name,)):
            if item not in METHODS:
                raise ParameterError(
                    f"method {name!r} is unknown; choose from {list(METHODS)} "
                    f"or the groups {list(METHOD_ALIASES)}"
                )
            if item not in out:
                out.append(item)
    if not out:
        raise ParameterError(f"--methods was {text!r}; name at least one of {list(METHODS)}")
    return tuple(out)


def parse_area_shares(text: str) -> tuple[float, ...]:
    """``"0.01,0.03,0.05"`` or ``"1%,3%,5%"`` -> ``(0.01, 0.03, 0.05)``."""
    shares: list[float] = []
    for raw in str(text).split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            value = float(item[:-1]) / 100 if item.endswith("%") else float(item)
        except ValueError:
            raise ParameterError(
                f"--area was {text!r}; give shares of the study area such as 0.01,0.03,0.05 or 1%,3%,5%"
            ) from None
        if not 0 < value < 1:
            raise ParameterError(f"area share {item} is outside (0, 1); e.g. 0.05 or 5% for five per cent")
        shares.append(value)
    if not shares:
        raise ParameterError(f"--area was {text!r}; give at least one share such as 0.03")
    return tuple(shares)


def _share_label(share: float) -> str:
    return f"{share:.0%}" if abs(share * 100 - round(share * 100)) < 1e-9 else f"{share:.1%}"


_DBSCAN_FAMILY: Final = ("dbscan", "dbscan-cells", "dbscan-ranked", "dbscan-concave", "dbscan-hull")


@dataclass
class _WindowRun:
    """What one window's methods share (computed on first use)."""

    incidents: pd.DataFrame
    window: Window
    grid: StudyGrid
    params: BacktestParams
    districts: gpd.GeoDataFrame | None
    train: NDArray[np.bool_]
    train_counts: NDArray[np.float64]
    choices: list[ParameterChoice] | None = None
    fits: dict[tuple[str, float, int], tuple[NDArray[np.int64], dict[int, NDArray[np.int64]]]] = field(
        default_factory=dict
    )
    tables: dict[tuple[str, float, int], gpd.GeoDataFrame] = field(default_factory=dict)
    discs: dict[float, NDArray[np.float64]] = field(default_factory=dict)
    found: tuple[NDArray[np.float64], str] | None = None

    @property
    def current(self) -> pd.DataFrame:
        return self.incidents.loc[self.train].reset_index(drop=True)

    def disc(self, eps_m: float) -> NDArray[np.float64]:
        if eps_m not in self.discs:
            current = self.current
            self.discs[eps_m] = disc_counts(current["x_m"], current["y_m"], self.grid, eps_m=eps_m)
        return self.discs[eps_m]

    def choice(self, index: int | None) -> tuple[ClusteringParams, float, str]:
        """Clustering, smoothing and note for budget ``index`` (None: the given parameters)."""
        base = replace(self.params.clustering, method="dbscan")
        auto = self.params.auto_eps or self.params.auto_min_samples
        if index is None:
            return base, 0.0, f"eps {base.eps_m:g} m, min_samples {base.min_samples}"
        if self.choices is None:
            self.choices = choose_clustering(
                self.incidents,
                self.window,
                self.grid,
                area_shares=self.params.area_shares,
                base=base,
                auto_eps=self.params.auto_eps,
                auto_min_samples=self.params.auto_min_samples,
            )
        choice = self.choices[index]
        if not auto:
            note = (
                f"eps {base.eps_m:g} m, min_samples {base.min_samples}, "
                f"smoothing {choice.smoothing:g} (chosen)"
            )
            return base, choice.smoothing, note
        return choice.clustering, choice.smoothing, choice.reason

    def fit(self, clustering: ClusteringParams) -> tuple[NDArray[np.int64], dict[int, NDArray[np.int64]]]:
        key = (clustering.method, clustering.eps_m, clustering.min_samples)
        if key not in self.fits:
            current = self.current
            labels = cluster(current, clustering)
            cells = hotspot_cells(
                current["x_m"],
                current["y_m"],
                labels,
                self.grid,
                eps_m=clustering.eps_m,
                min_samples=clustering.min_samples,
                disc=self.disc(clustering.eps_m),
            )
            self.fits[key] = (labels, cells)
        return self.fits[key]

    def ranked(self, clustering: ClusteringParams) -> gpd.GeoDataFrame:
        key = (clustering.method, clustering.eps_m, clustering.min_samples)
        if key not in self.tables:
            labels, _ = self.fit(clustering)
            self.tables[key] = ranked_hotspots(
                self.current,
                labels,
                self.grid,
                eps_m=clustering.eps_m,
                period=(self.window.train_start, self.window.test_start),
                previous=self.incidents,
                districts=self.districts,
            )
        return self.tables[key]

    def drawn(self) -> tuple[NDArray[np.float64], str]:
        """Return the hotspots the map draws for the training window, whole, in rank order.

        The same pipeline as ``hotspots.analysis.analyse``: eps, min_samples and the cell
        score chosen on the training window (``hotspots.parameters.auto.choose_parameters``) when the
        backtest chooses, then ``areas.areas_of``.
        """
        if self.found is None:
            base = replace(self.params.clustering, method="dbscan")
            if self.params.auto_eps or self.params.auto_min_samples:
                choice = choose_parameters(
                    self.current,
                    Selection(since=self.window.train_start, until=self.window.test_start),
                    base,
                    auto_eps=self.params.auto_eps,
                    auto_min_samples=self.params.auto_min_samples,
                    grid=self.grid,
                    area_params=self.params.area_params,
                )
                base = choice.clustering
            found = areas.areas_of(self.current, self.grid, base, params=self.params.area_params)
            note = (
                f"{len(found)} hotspots ({found.area_km2.sum():.2f} km²), eps {base.eps_m:g} m, "
                f"min_samples {base.min_samples}, {base.basis} smoothed {base.smoothing:g}; "
                "drawn hotspots whole in rank order"
            )
            self.found = (areas.ranked_priority(found.cells, found.scores), note)
        return self.found

    def priority(self, method: str, budget_index: int | None) -> tuple[NDArray[np.float64], str]:
        """Cell priorities of a clustering method for one budget."""
        if method == "hdbscan":
            clustering = replace(self.params.clustering, method="hdbscan")
            _, cells = self.fit(clustering)
            scores = cell_scores(
                self.train_counts,
                self.disc(clustering.eps_m),
                eps_m=clustering.eps_m,
                cell_m=self.grid.cell_m,
                smoothing=0.0,
            )
            return dense_priority(cells, scores), (
                f"{len(cells)} hotspots, min_cluster_size {clustering.min_samples}; cells densest first"
            )
        if method == "dbscan":
            return self.drawn()
        # Engine-ranked shapes use the given parameters: the map as the engine draws it.
        clustering, smoothing, note = self.choice(budget_index if method == "dbscan-cells" else None)
        labels, cells = self.fit(clustering)
        if method == "dbscan-cells":
            scores = cell_scores(
                self.train_counts,
                self.disc(clustering.eps_m),
                eps_m=clustering.eps_m,
                cell_m=self.grid.cell_m,
                smoothing=smoothing,
            )
            return dense_priority(
                cells, scores
            ), f"{len(cells)} hotspots, {note}; hotspot cells densest first"
        table = self.ranked(clustering)
        order = table["label"].to_numpy(dtype=np.int64)
        if method == "dbscan-ranked":
            shapes = [cells[int(label)] for label in order]
            shape = "hotspot cells"
        elif method == "dbscan-concave":
            shapes = [self.grid.cells_in(polygon) for polygon in table.geometry.values]
            shape = "concave hull + eps/2 buffer"
        else:
            current = self.current
            xy = current[["x_m", "y_m"]].to_numpy(dtype=np.float64)
            shapes = [
                self.grid.cells_in(shapely.convex_hull(shapely.multipoints(xy[labels == label])))
                for label in order
            ]
            shape = "convex hull"
        return hotspot_priority(shapes, self.train_counts), (
            f"{len(order)} hotspots, eps {clustering.eps_m:g} m, min_samples {clustering.min_samples}; "
            f"{shape}, whole hotspots in the engine's rank order"
        )


def backtest(
    incidents: pd.DataFrame,
    *,
    params: BacktestParams = BacktestParams(),
    grid: StudyGrid | None = None,
    districts: gpd.GeoDataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    windows: Sequence[Window] | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of hotspot methods at equal area.

    Parameters
    ----------
    incidents
        Incidents with ``x_m``/``y_m`` (metres, the grid's CRS) and aware ``occurred_at``;
        not changed.
    params
        Windows, budgets, methods and clustering.
    grid
        Study grid; default Helsinki's (``helsinki_study_area``) with ``params.cell_m``.
    districts
        Peruspiiri-like layer for the hotspot significance test; None with the default
        Helsinki grid loads the official peruspiiri, otherwise the study area is one
        district.
    progress
        Called with a line of text per window (for a CLI).
    windows
        The windows to run instead of the rolling-origin ones of ``params`` (e.g. one
        window: a period and the period of the same length before it); None for
        ``rolling_windows``.

    Returns
    -------
    DataFrame
        ``RESULT_COLUMNS``: one row per window, budget and method (``best`` included).
    """
    when = aware_times(incidents, "incidents")
    for column in ("x_m", "y_m"):
        if column not in incidents.columns:
            raise ParameterError(f"incidents lack the column {column!r}; use prepare_points for lon/lat data")
    if grid is None:
        grid = study_grid(helsinki_study_area(), cell_m=params.cell_m)
        if districts is None:
            from geo import districts as district_layers

            districts = district_layers.load_districts("peruspiiri")
    frame = incidents.loc[:, [c for c in incidents.columns if c != "geometry"]]
    x = frame["x_m"].to_numpy(dtype=np.float64)
    y = frame["y_m"].to_numpy(dtype=np.float64)
    if windows is None:
        windows = rolling_windows(
            when, train=params.train_window, test=params.test_window, n_windows=params.n_windows
        )
    elif any(not w.train_start < w.test_start < w.test_end for w in windows):
        raise ParameterError("each window must have train_start < test_start < test_end")
    if not windows:
        raise ParameterError(
            f"the incidents span no complete {params.train_window} + {params.test_window} window; "
            "use shorter windows (e.g. --train-window 1M --test-window 1M)"
        )
    methods = list(dict.fromkeys([*params.methods, "best"]))
    rng = np.random.default_rng(params.seed)
    rows: list[dict[str, object]] = []
    for window in windows:
        train = in_period(when, window.train_start, window.test_start)
        test = in_period(when, window.test_start, window.test_end)
        train_counts = grid.counts(x[train], y[train])
        test_counts = grid.counts(x[test], y[test])
        n_test = float(test_counts.sum())
        run = _WindowRun(frame, window, grid, params, districts, train, train_counts)
        budgets: list[tuple[str, int, int | None]] = [
            (_share_label(share), max(1, round(share * grid.n_cells)), i)
            for i, share in enumerate(params.area_shares)
        ]
        if params.n_hotspots is not None:
            clustering, _, _ = run.choice(None)
            _, cells = run.fit(clustering)
            order = run.ranked(clustering)["label"].to_numpy(dtype=np.int64)[: params.n_hotspots]
            n_cells = sum(cells[int(label)].size for label in order)
            budgets.append((f"top {params.n_hotspots} hotspots", max(1, n_cells), None))
        if params.equal_area and "dbscan" in methods:
            drawn, _ = run.drawn()
            budgets = [
                (budget, min(cells, max(1, int(np.isfinite(drawn).sum()))), index)
                for budget, cells, index in budgets
            ]
        for method in methods:
            for budget, cells_budget, index in budgets:
                priority, note = _method_priority(
                    method, run, x, y, when, test_counts, index, cells_budget, rng
                )
                hits, used = fill_budget(priority, test_counts, cells=cells_budget)
                best_hits, _ = fill_budget(test_counts, test_counts, cells=cells_budget)
                share = used / grid.n_cells
                hit_rate = hits / n_test if n_test else float("nan")
                rows.append(
                    {
                        "window": window.label,
                        "train_start": window.train_start,
                        "test_start": window.test_start,
                        "test_end": window.test_end,
                        "budget": budget,
                        "method": method,
                        "cells": used,
                        "area_share": share,
                        "area_km2": used * grid.cell_m**2 / 1e6,
                        "n_train": int(train_counts.sum()),
                        "n_test": int(n_test),
                        "hits": hits,
                        "best_hits": best_hits,
                        "hit_rate": hit_rate,
                        "pai": hit_rate / share if share > 0 else float("nan"),
                        "pei": hits / best_hits if best_hits > 0 else float("nan"),
                        "params": note,
                    }
                )
        if progress is not None:
            progress(
                f"window {window.label}: {int(train_counts.sum())} training, {int(n_test)} test incidents"
            )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _method_priority(
    method: str,
    run: _WindowRun,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    when: pd.Series,
    test_counts: NDArray[np.float64],
    budget_index: int | None,
    cells: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], str]:
    """One method's cell priorities in one window for one budget."""
    train, grid = run.train, run.grid
    if method in (*_DBSCAN_FAMILY, "hdbscan"):
        return run.priority(method, budget_index)
    if method == "grid":
        return run.train_counts, "training counts per cell"
    if method == "kde-rule":
        h = rule_bandwidth_m(np.column_stack([x[train], y[train]]), cell_m=grid.cell_m)
        return kde_cell_counts(x[train], y[train], grid, bandwidth_m=h), f"quartic, h {h:.0f} m (10-NN rule)"
    if method == "kde-cv":
        return _kde_cv(x, y, when, run.window, grid, cells=cells)
    if method == "gistar":
        z, p = gistar(run.train_counts, grid)
        q = adjust_p_values(np.where(z > 0, p, np.nan), method="bh")
        hot = np.isfinite(q) & (q < GISTAR_ALPHA)
        lift = float(np.ptp(z)) + 1.0 if z.size else 1.0
        return np.where(hot, z + lift, z), f"{int(hot.sum())} hot cells at FDR {GISTAR_ALPHA:g}, then by z"
    if method == "random":
        return rng.random(grid.n_cells), f"seed {run.params.seed}"
    return test_counts, "the test period's own counts"


def _kde_cv(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    when: pd.Series,
    window: Window,
    grid: StudyGrid,
    *,
    cells: int,
) -> tuple[NDArray[np.float64], str]:
    """KDE of the training window with the bandwidth that predicted its own second half best."""
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


def summarise_backtest(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread over windows per budget and method.

    Parameters
    ----------
    results
        Output of ``backtest``.

    Returns
    -------
    DataFrame
        ``SUMMARY_COLUMNS``, budgets in their order of appearance, methods by mean hit
        rate (best first) within a budget.
    """
    missing = [
        c for c in ("budget", "method", "area_share", "hit_rate", "pai", "pei") if c not in results.columns
    ]
    if missing:
        raise ParameterError(f"results lack the columns {missing}; pass the output of backtest()")
    grouped = results.groupby(["budget", "method"], sort=False)
    table = grouped.agg(
        windows=("hit_rate", "size"),
        area_share=("area_share", "mean"),
        hit_rate=("hit_rate", "mean"),
        hit_rate_sd=("hit_rate", "std"),
        hit_rate_min=("hit_rate", "min"),
        hit_rate_max=("hit_rate", "max"),
        pai=("pai", "mean"),
        pai_sd=("pai", "std"),
        pei=("pei", "mean"),
        pei_sd=("pei", "std"),
    ).reset_index()
    order = {budget: i for i, budget in enumerate(dict.fromkeys(results["budget"]))}
    table["_budget"] = table["budget"].map(order)
    table = table.sort_values(["_budget", "hit_rate"], ascending=[True, False], kind="stable")
    return table.drop(columns="_budget").reset_index(drop=True).loc[:, list(SUMMARY_COLUMNS)]


def format_table(summary_table: pd.DataFrame) -> str:
    """Return the summary as a Markdown table (percentages, ± the standard deviation over windows)."""

    def pct(value: float, sd: float) -> str:
        return f"{value:.1%}" + (f" ± {sd:.1%}" if np.isfinite(sd) else "")

    def num(value: float, sd: float) -> str:
        return f"{value:.2f}" + (f" ± {sd:.2f}" if np.isfinite(sd) else "")

    lines = [
        "| budget | method | windows | area | hit rate | PAI | PEI |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary_table.itertuples(index=False):
        lines.append(
            f"| {row.budget} | {row.method} | {row.windows} | {row.area_share:.2%} | "
            f"{pct(row.hit_rate, row.hit_rate_sd)} | {num(row.pai, row.pai_sd)} | "
            f"{num(row.pei, row.pei_sd)} |"
        )
    return "\n".join(lines)


def backtest_chart(results: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Altair chart: hit rate against area share, one line per method, bars for the spread."""
    import altair as alt

    table = summarise_backtest(results)
    table = table.assign(low=table["hit_rate_min"], high=table["hit_rate_max"])
    base = alt.Chart(table).encode(
        x=alt.X("area_share:Q", title="share of the study area", axis=alt.Axis(format="%")),
        color=alt.Color("method:N", title="method"),
    )
    lines = base.mark_line(point=True).encode(
        y=alt.Y("hit_rate:Q", title="next-period incidents caught", axis=alt.Axis(format="%")),
        tooltip=[
            "method",
            "budget",
            alt.Tooltip("hit_rate:Q", format=".1%"),
            alt.Tooltip("pai:Q", format=".2f"),
            alt.Tooltip("pei:Q", format=".2f"),
            "windows",
        ],
    )
    spread = base.mark_errorbar().encode(y="low:Q", y2="high:Q")
    return alt.layer(lines, spread).properties(title="Hotspot backtest: hit rate at equal area")
