"""The hotspot object's shape: street-scale areas made of study-grid cells.

A hotspot is a place a patrol or an outreach pair can cover in an evening. DBSCAN says
*which* incidents concentrate; this module turns its clusters into areas that the map
draws, the table ranks, every export shares and the backtest scores, all the same object:

1. **Cells of a cluster** (``study.hotspot_cells``): the study cells its members
   occupy and its core cells (dense cells next to a member).
2. **Cell score**: expected incidents per cell, the cell's own count blended with the
   eps-disc density around its centre (``study.cell_scores``, weight ``smoothing``,
   chosen by backtest with eps and min_samples).
3. **Hot cells**: the cluster cells, densest first (``GROW_FACTOR`` times the cap below).
   A city-wide DBSCAN cluster (at a normal year's volume everything is density-connected)
   therefore never becomes a city-sized hotspot: only its densest cells are hot.
4. **Street-scale pieces** (the size rule): hot cells are grown into areas from their peaks,
   densest first, like a watershed: a cell joins the neighbouring area (4 neighbours sharing a
   side, same DBSCAN cluster) with the highest peak that still has room and whose peak it matches
   (at least ``peak_ratio`` of it, so an area holds cells of like density; an area with
   fewer than ``min_incidents`` takes any neighbour), or starts a new area. No area grows
   beyond ``max_area_km2`` (0.25 km², about 500 m across, by default). An area keeps every
   incident of its cells; one with fewer than ``min_incidents`` is dropped.
5. **Order and cap**: by intensity, the mean cell score per km², densest first, areas are
   kept while all together cover at most ``max_total_share`` of the study area (5 % by
   default; an area that would overflow it is skipped for smaller ones). Taken in that
   order, the areas fill any area budget with the places that hold the most incidents.

The outline is the union of the area's cells: its vertices lie on the fixed study grid,
never on incidents, so it is safe to share, and a cell is what the backtest counts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from numba import njit
from numpy.typing import ArrayLike, NDArray

from geo.errors import ParameterError
from hotspots import grid as study
from hotspots.clustering import ClusteringParams, cluster

#: Largest hotspot, km²: about 500 m x 500 m, a few blocks (the street-scale rule).
DEFAULT_MAX_AREA_KM2: Final = 0.25
#: All hotspots together cover at most this share of the study area.
DEFAULT_MAX_TOTAL_SHARE: Final = 0.05
#: Fewest incidents in a hotspot (also the smallest count an aggregated export shows).
DEFAULT_MIN_INCIDENTS: Final = 5
#: Cells grown into areas: this many times the cap, so areas that stay too small to show
#: can be replaced by the next densest ones.
GROW_FACTOR: Final = 3
#: A cell joins an area while its score is at least this share of the area's peak.
DEFAULT_PEAK_RATIO: Final = 0.7


@dataclass(frozen=True)
class AreaParams:
    """The size rule of hotspot areas, validated on construction.

    Parameters
    ----------
    max_area_km2
        Largest hotspot in km² (> 0); at least one study cell is always allowed.
    max_total_share
        Share of the study area all hotspots together may cover, in (0, 1].
    min_incidents
        Fewest incidents in a hotspot's cells, >= 1.
    peak_ratio
        A cell joins an area only while its score is at least this share of the area's
        peak, in [0, 1]: an area holds cells of like density, so areas taken densest
        first fill a budget almost as well as single cells would.
    """

    max_area_km2: float = DEFAULT_MAX_AREA_KM2
    max_total_share: float = DEFAULT_MAX_TOTAL_SHARE
    min_incidents: int = DEFAULT_MIN_INCIDENTS
    peak_ratio: float = DEFAULT_PEAK_RATIO

    def __post_init__(self) -> None:
        if not np.isfinite(self.max_area_km2) or self.max_area_km2 <= 0:
            raise ParameterError(f"max_area_km2 must be > 0 km², got {self.max_area_km2}")
        if not 0 < self.max_total_share <= 1:
            raise ParameterError(
                "max_total_share must be in (0, 1], e.g. 0.05 for 5 % of the area, "
                f"got {self.max_total_share}"
            )
        if int(self.min_incidents) != self.min_incidents or self.min_incidents < 1:
            raise ParameterError(f"min_incidents must be a whole number >= 1, got {self.min_incidents}")
        if not 0 <= self.peak_ratio <= 1:
            raise ParameterError(f"peak_ratio must be in [0, 1], got {self.peak_ratio}")

    def max_cells(self, cell_m: float) -> int:
        """Most cells of ``cell_m`` in one hotspot (at least one)."""
        return max(1, int(np.floor(self.max_area_km2 * 1e6 / cell_m**2 + 1e-9)))

    def describe(self, cell_m: float) -> str:
        """Return the size rule in one English sentence (CLI and reports)."""
        return (
            f"each hotspot at most {self.max_area_km2:g} km² ({self.max_cells(cell_m)} cells of "
            f"{cell_m:g} m), all together at most {self.max_total_share:.0%} of the study area, "
            f"at least {self.min_incidents} incidents each"
        )


@dataclass(frozen=True)
class HotspotAreas:
    """Hotspot areas of one period, densest first.

    Attributes
    ----------
    grid
        The study grid the cells belong to.
    cells
        Per hotspot, the positions (``grid.study_index`` order) of its cells, sorted.
    intensity_km2
        Per hotspot, its mean cell score per km² (the order key).
    scores
        Cell score of every study cell.
    """

    grid: study.StudyGrid
    cells: tuple[NDArray[np.int64], ...]
    intensity_km2: NDArray[np.float64]
    scores: NDArray[np.float64] = field(repr=False)

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def area_km2(self) -> NDArray[np.float64]:
        """Area of each hotspot, km²."""
        size = np.array([c.size for c in self.cells], dtype=np.float64)
        return size * self.grid.cell_m**2 / 1e6

    def labels(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.int64]:
        """Hotspot index (0 = densest) of each point's cell; -1 outside every hotspot."""
        lookup = np.full(self.grid.n_cells + 1, -1, dtype=np.int64)
        for index, positions in enumerate(self.cells):
            lookup[positions] = index
        positions = self.grid.positions(x_m, y_m)
        return lookup[np.where(positions >= 0, positions, self.grid.n_cells)]

    @functools.cached_property
    def polygons(self) -> NDArray[np.object_]:
        """Outline of each hotspot: the union of its cells (EPSG of the grid, metres); made once."""
        return np.asarray([cell_union(self.grid, c) for c in self.cells], dtype=object)


def cell_union(grid: study.StudyGrid, positions: ArrayLike) -> Any:
    """Return the union of study cells as one (multi)polygon whose vertices lie on the grid."""
    flat = grid.study_index[np.asarray(positions, dtype=np.int64)]
    if flat.size == 0:
        return shapely.Polygon()
    ix, iy = flat % grid.nx, flat // grid.nx
    x0 = grid.x0_m + ix * grid.cell_m
    y0 = grid.y0_m + iy * grid.cell_m
    boxes = shapely.box(x0, y0, x0 + grid.cell_m, y0 + grid.cell_m)
    # Collinear corners of merged cells add nothing but vertices.
    return shapely.simplify(shapely.coverage_union_all(boxes), 0.0)


@njit(cache=True)
def _grow(
    hot_flat: NDArray[np.int64],
    hot_owner: NDArray[np.int64],
    hot_score: NDArray[np.float64],
    hot_count: NDArray[np.float64],
    shape: tuple[int, int],
    max_cells: int,
    peak_ratio: float,
    min_incidents: float,
) -> NDArray[np.int64]:
    """Area of each hot cell (raster index ``hot_flat``, densest first); see the module text.

    Areas are numbered in the order of their peaks, so the lowest neighbouring number is
    the highest peak. ``shape`` is the raster's ``(nx, ny)``.
    """
    nx, ny = shape
    raster_region = np.full(nx * ny, -1, dtype=np.int64)
    n_hot = hot_flat.size
    region_of = np.empty(n_hot, dtype=np.int64)
    owner = np.empty(n_hot, dtype=np.int64)
    peak = np.empty(n_hot, dtype=np.float64)
    size = np.zeros(n_hot, dtype=np.int64)
    total = np.zeros(n_hot, dtype=np.float64)
    n_regions = 0
    for h in range(n_hot):
        flat = hot_flat[h]
        ix = flat % nx
        iy = flat // nx
        best = -1
        for k in range(4):
            xx = ix + (1 if k == 0 else -1 if k == 1 else 0)
            yy = iy + (1 if k == 2 else -1 if k == 3 else 0)
            if xx < 0 or xx >= nx or yy < 0 or yy >= ny:
                continue
            region = raster_region[yy * nx + xx]
            if region < 0 or (best >= 0 and region >= best):
                continue
            if owner[region] != hot_owner[h] or size[region] >= max_cells:
                continue
            # Like density, unless the area still holds too few incidents to show.
            if hot_score[h] >= peak_ratio * peak[region] or total[region] < min_incidents:
                best = region
        if best < 0:
            best = n_regions
            owner[best] = hot_owner[h]
            peak[best] = hot_score[h]
            n_regions += 1
        region_of[h] = best
        size[best] += 1
        total[best] += hot_count[h]
        raster_region[flat] = best
    return region_of


def hotspot_areas(
    scores: NDArray[np.float64],
    counts: NDArray[np.float64],
    cluster_cells: Mapping[int, NDArray[np.int64]],
    grid: study.StudyGrid,
    *,
    params: AreaParams = AreaParams(),
) -> HotspotAreas:
    """Cut the clusters' cells into street-scale hotspot areas (steps 3-5 of the module text).

    Parameters
    ----------
    scores
        Cell score of every study cell (``study.cell_scores``).
    counts
        Incidents in every study cell (``grid.counts``).
    cluster_cells
        DBSCAN label -> positions of the cluster's cells (``study.hotspot_cells``).
    grid
        Study grid.
    params
        The size rule.

    Returns
    -------
    HotspotAreas
        Densest first (ties: more incidents, then the lower cell position).
    """
    owner = np.full(grid.n_cells, -1, dtype=np.int64)
    for label, positions in cluster_cells.items():
        owner[positions] = label
    candidates = np.flatnonzero(owner >= 0)
    # Densest first; ties by position so the same data give the same areas.
    candidates = candidates[np.lexsort((candidates, -scores[candidates]))]
    limit = max(1, int(np.floor(params.max_total_share * grid.n_cells + 1e-9)))
    # Grown over more than the cap: areas too small to show drop out, and the next densest
    # areas take their place until the cap is full.
    hot = candidates[: GROW_FACTOR * limit]
    region_of = _grow(
        grid.study_index[hot],
        owner[hot],
        scores[hot],
        counts[hot],
        (grid.nx, grid.ny),
        params.max_cells(grid.cell_m),
        float(params.peak_ratio),
        float(params.min_incidents),
    )
    return _within_cap(hot, region_of, scores, counts, grid, params=params, limit=limit)


def _within_cap(
    hot: NDArray[np.int64],
    region_of: NDArray[np.int64],
    scores: NDArray[np.float64],
    counts: NDArray[np.float64],
    grid: study.StudyGrid,
    *,
    params: AreaParams,
    limit: int,
) -> HotspotAreas:
    """Order the grown areas densest first and keep those that fit the cap of ``limit`` cells."""
    cell_km2 = grid.cell_m**2 / 1e6
    k = int(region_of.max()) + 1 if region_of.size else 0
    sizes = np.bincount(region_of, minlength=k)
    by_region = np.argsort(region_of, kind="stable")
    flat = hot[by_region]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = np.bincount(region_of, weights=counts[hot], minlength=k)
    intensity = np.bincount(region_of, weights=scores[hot], minlength=k) / np.maximum(sizes, 1) / cell_km2
    first = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, region_of, hot)
    # Densest first (ties: more incidents, then the lower cell), areas too small to show out.
    order = np.lexsort((first, -n, -intensity))
    order = order[n[order] >= params.min_incidents]
    chosen: list[int] = []
    used = 0
    for region in order.tolist():
        if used + int(sizes[region]) <= limit:
            chosen.append(region)
            used += int(sizes[region])
    picked = np.asarray(chosen, dtype=np.int64)
    return HotspotAreas(
        grid=grid,
        cells=tuple(np.sort(flat[starts[r] : starts[r + 1]]) for r in chosen),
        intensity_km2=intensity[picked].astype(np.float64),
        scores=scores,
    )


def areas_of(
    incidents: pd.DataFrame,
    grid: study.StudyGrid,
    clustering: ClusteringParams,
    *,
    params: AreaParams = AreaParams(),
    labels: NDArray[np.int64] | None = None,
) -> HotspotAreas:
    """Cluster ``incidents`` (``x_m``, ``y_m``, aware ``occurred_at``) and cut them into hotspot areas.

    The one way every part of the tool turns a period's incidents into hotspots: the
    analysis (map, table, exports), the automatic parameter choice and the backtest.

    Parameters
    ----------
    incidents
        The period's incidents, metres in the grid's CRS; not changed.
    grid
        Study grid.
    clustering
        eps, min_samples, smoothing and basis as used (already chosen).
    params
        The size rule.
    labels
        ``clustering.cluster(incidents, clustering)`` when already computed.

    Returns
    -------
    HotspotAreas
    """
    x = incidents["x_m"].to_numpy(dtype=np.float64)
    y = incidents["y_m"].to_numpy(dtype=np.float64)
    found = np.asarray(cluster(incidents, clustering) if labels is None else labels, dtype=np.int64)
    eps_m = clustering.eps_m
    counts = grid.counts(x, y)
    basis = (
        study.cell_counts(grid, x, y, incidents["occurred_at"], basis="days")
        if clustering.basis == "days"
        else counts
    )
    disc = study.disc_counts(x, y, grid, eps_m=eps_m)
    scores = study.cell_scores(basis, disc, eps_m=eps_m, cell_m=grid.cell_m, smoothing=clustering.smoothing)
    cells = study.hotspot_cells(x, y, found, grid, eps_m=eps_m, min_samples=clustering.min_samples, disc=disc)
    return hotspot_areas(scores, counts, cells, grid, params=params)


def ranked_priority(
    cells_by_rank: Sequence[NDArray[np.int64]], scores: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Cell priorities of hotspots taken whole in rank order (cells by score inside each).

    ``study.fill_budget`` with these priorities takes the first hotspot, then the
    second ..., and the cells of the hotspot that crosses the budget's edge densest
    first; cells outside every hotspot are NaN (never taken). This is how the backtest
    scores the hotspots the map draws.
    """
    return study.hotspot_priority(cells_by_rank, scores)
