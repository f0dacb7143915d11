"""The study grid: square cells over a study area, and what is counted on them.

Every method of the backtest, the automatic parameter choice and the hotspot areas share
these cells: ``StudyGrid`` (cells of ``DEFAULT_CELL_M`` whose centre lies in the study
area), the study areas themselves (Helsinki's land, the land of a selection's districts:
``study_area`` and ``study_grid_for``, the cells holding incidents, a polygon file),
counts per cell, DBSCAN's density at each cell centre, the cells of each cluster, and
``fill_budget``, which scores a cell ranking at an area budget.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from geo import crs as geo_crs
from geo import districts
from geo.districts import TERRITORIAL_SEA_CODE as TERRITORIAL_SEA_CODE
from geo.errors import InputFormatError, ParameterError
from hotspots.selection import Selection

DEFAULT_CELL_M: Final = 150.0


def in_period(when: pd.Series, start: pd.Timestamp, stop: pd.Timestamp) -> NDArray[np.bool_]:
    """Mask of the times in ``[start, stop)`` (missing times are outside)."""
    return ((when >= start) & (when < stop)).to_numpy(dtype=bool, na_value=False)


# --------------------------------------------------------------------------- study grid


@dataclass(frozen=True)
class StudyGrid:
    """Square cells over a study area (row-major ``(ny, nx)`` raster, metres).

    Attributes
    ----------
    x0_m, y0_m
        Lower-left corner of cell (0, 0).
    cell_m
        Cell side.
    nx, ny
        Raster size.
    mask
        (ny, nx) bool, True for study cells (centre inside the study area).
    crs
        EPSG code of the coordinates.
    """

    x0_m: float
    y0_m: float
    cell_m: float
    nx: int
    ny: int
    mask: NDArray[np.bool_] = field(repr=False)
    crs: str = geo_crs.METRIC

    @property
    def n_cells(self) -> int:
        """Number of study cells."""
        return int(self.mask.sum())

    @property
    def area_km2(self) -> float:
        """Study area as counted in cells, km²."""
        return self.n_cells * self.cell_m**2 / 1e6

    @property
    def study_index(self) -> NDArray[np.int64]:
        """Flat raster index of each study cell, in raster order."""
        return np.flatnonzero(self.mask.ravel())

    def flat_index(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.int64]:
        """Flat raster index of each point's cell; -1 outside the study cells."""
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            ix = np.floor((x - self.x0_m) / self.cell_m)
            iy = np.floor((y - self.y0_m) / self.cell_m)
        ok = np.isfinite(ix) & np.isfinite(iy) & (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        flat = np.full(x.shape, -1, dtype=np.int64)
        flat[ok] = iy[ok].astype(np.int64) * self.nx + ix[ok].astype(np.int64)
        inside = np.zeros(x.shape, dtype=bool)
        inside[ok] = self.mask.ravel()[flat[ok]]
        flat[~inside] = -1
        return flat

    def counts(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.float64]:
        """Points per study cell, in ``study_index`` order (points outside are dropped)."""
        flat = self.flat_index(x_m, y_m)
        raster = np.bincount(flat[flat >= 0], minlength=self.nx * self.ny).astype(np.float64)
        return raster[self.study_index]

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Centres of the study cells, in ``study_index`` order."""
        flat = self.study_index
        x = self.x0_m + (flat % self.nx + 0.5) * self.cell_m
        y = self.y0_m + (flat // self.nx + 0.5) * self.cell_m
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def cells_in(self, polygon: Any) -> NDArray[np.int64]:
        """Positions (in ``study_index`` order) of study cells whose centre lies in ``polygon``."""
        if polygon is None or shapely.is_empty(polygon):
            return np.empty(0, dtype=np.int64)
        bx0, by0, bx1, by1 = shapely.bounds(polygon)
        ix0 = max(0, math.floor((bx0 - self.x0_m) / self.cell_m - 0.5))
        ix1 = min(self.nx - 1, math.ceil((bx1 - self.x0_m) / self.cell_m - 0.5))
        iy0 = max(0, math.floor((by0 - self.y0_m) / self.cell_m - 0.5))
        iy1 = min(self.ny - 1, math.ceil((by1 - self.y0_m) / self.cell_m - 0.5))
        if ix1 < ix0 or iy1 < iy0:
            return np.empty(0, dtype=np.int64)
        mesh_x, mesh_y = np.meshgrid(np.arange(ix0, ix1 + 1), np.arange(iy0, iy1 + 1))
        gx, gy = mesh_x.ravel(), mesh_y.ravel()
        inside = shapely.contains_xy(
            polygon, self.x0_m + (gx + 0.5) * self.cell_m, self.y0_m + (gy + 0.5) * self.cell_m
        )
        flat = gy[inside] * self.nx + gx[inside]
        flat = flat[self.mask.ravel()[flat]]
        return self._position(flat)

    def _position(self, flat: NDArray[np.int64]) -> NDArray[np.int64]:
        return np.searchsorted(self.study_index, flat).astype(np.int64)

    def positions(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.int64]:
        """Position (in ``study_index`` order) of each point's study cell; -1 outside."""
        flat = self.flat_index(x_m, y_m)
        out = np.full(flat.shape, -1, dtype=np.int64)
        out[flat >= 0] = self._position(flat[flat >= 0])
        return out


def study_grid(area: Any, *, cell_m: float = DEFAULT_CELL_M, crs: str = geo_crs.METRIC) -> StudyGrid:
    """Cells of ``cell_m`` whose centres lie in ``area`` (a shapely polygon in metres).

    Parameters
    ----------
    area
        Study area polygon or multipolygon in ``crs``.
    cell_m
        Cell side in metres, > 0.
    crs
        EPSG code of ``area``.

    Returns
    -------
    StudyGrid
    """
    if not np.isfinite(cell_m) or cell_m <= 0:
        raise ParameterError(f"cell_m must be > 0 metres, got {cell_m}")
    if area is None or shapely.is_empty(area) or shapely.area(area) <= 0:
        raise ParameterError("the study area is empty; give a polygon with an area (or districts='none')")
    bx0, by0, bx1, by1 = shapely.bounds(area)
    x0 = math.floor(bx0 / cell_m) * cell_m
    y0 = math.floor(by0 / cell_m) * cell_m
    nx = max(1, math.ceil((bx1 - x0) / cell_m))
    ny = max(1, math.ceil((by1 - y0) / cell_m))
    if nx * ny > 25_000_000:
        raise ParameterError(
            f"the study area spans {nx} x {ny} cells of {cell_m} m; use larger cells (cell_m) "
            "or a smaller study area"
        )
    gx, gy = np.meshgrid(x0 + (np.arange(nx) + 0.5) * cell_m, y0 + (np.arange(ny) + 0.5) * cell_m)
    shapely.prepare(area)
    mask = shapely.contains_xy(area, gx.ravel(), gy.ravel()).reshape(ny, nx)
    if not mask.any():
        raise ParameterError(f"no {cell_m} m cell has its centre in the study area; use smaller cells")
    return StudyGrid(x0_m=x0, y0_m=y0, cell_m=float(cell_m), nx=nx, ny=ny, mask=mask, crs=crs)


def helsinki_study_area() -> Any:
    """Helsinki's land: the osa-alue without the territorial sea, cut to the shore, EPSG:3067.

    The district polygons include sea; ``geo.districts.on_land`` keeps land plus a
    75 m shore margin (all of the osa-alue when the land data are not available).
    """
    osaalue = districts.load_districts("osaalue")
    land = osaalue.loc[osaalue["code"].astype(str) != TERRITORIAL_SEA_CODE]
    return districts.on_land(shapely.union_all(np.asarray(land.geometry.values, dtype=object)))


#: Level -> column of the osa-alue layer (``geo.districts.load_districts("osaalue")``).
OSAALUE_LAYER_COLUMNS: Final[dict[str, str]] = {
    "suurpiiri": "suurpiiri_code",
    "peruspiiri": "peruspiiri_code",
    "osaalue": "code",
}


def study_area(selection: Selection, osaalue: gpd.GeoDataFrame) -> Any:
    """Return the osa-alue polygons the selection's district filter covers, as one polygon.

    Parameters
    ----------
    selection
        Its district choice decides (``Selection.district_mask``, the rule of
        ``hotspots.selection.apply``); no choice means all of Helsinki. The territorial sea
        is always left out.
    osaalue
        The osa-alue layer (``code``, ``peruspiiri_code``, ``suurpiiri_code``, polygons),
        EPSG:3067.

    Returns
    -------
    shapely geometry
        The union, EPSG:3067 metres.

    Raises
    ------
    ParameterError
        No osa-alue with a land area matches the filter.
    """
    codes = osaalue["code"].astype(str)
    # The territorial sea is never part of a youth worker's area, even when chosen.
    keep = (codes != TERRITORIAL_SEA_CODE).to_numpy(dtype=bool)
    keep &= selection.district_mask(osaalue, OSAALUE_LAYER_COLUMNS)
    polygons = osaalue.geometry.to_numpy()[keep]
    area = shapely.union_all(np.asarray(polygons, dtype=object)) if len(polygons) else None
    if area is not None and not shapely.is_empty(area):
        area = districts.on_land(area)  # the districts include sea; N % means N % of land
    if area is None or shapely.is_empty(area) or shapely.area(area) <= 0:
        raise ParameterError(
            f"the district filter {selection.chosen_districts} matches no osa-alue with a land area; "
            "choose other districts"
        )
    return area


@functools.lru_cache(maxsize=16)
def _district_grid(
    chosen: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], cell_m: float
) -> StudyGrid:
    suurpiiri, peruspiiri, osaalue = chosen
    if not (suurpiiri or peruspiiri or osaalue):
        return study_grid(helsinki_study_area(), cell_m=cell_m)
    # Only the district choice matters for the area.
    only = Selection(suurpiiri=suurpiiri, peruspiiri=peruspiiri, osaalue=osaalue)
    return study_grid(study_area(only, districts.load_districts("osaalue")), cell_m=cell_m)


def study_grid_for(selection: Selection, *, cell_m: float = DEFAULT_CELL_M) -> StudyGrid:
    """Return the study grid of a selection: its districts' osa-alue (``study_area``), or Helsinki's."""
    return _district_grid((selection.suurpiiri, selection.peruspiiri, selection.osaalue), float(cell_m))


def occupied_grid(
    x_m: ArrayLike, y_m: ArrayLike, *, cell_m: float = DEFAULT_CELL_M, crs: str = geo_crs.METRIC
) -> StudyGrid:
    """Return the cells of ``cell_m`` that hold at least one of the points: the land the incidents cover.

    For data without a study area of their own (another city's open data): sea, parks and
    fields that never see an incident are not counted in "N % of the area".
    """
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise ParameterError("no incident has finite coordinates; cannot make a study grid")
    if not np.isfinite(cell_m) or cell_m <= 0:
        raise ParameterError(f"cell_m must be > 0 metres, got {cell_m}")
    x0 = math.floor(float(x[ok].min()) / cell_m) * cell_m
    y0 = math.floor(float(y[ok].min()) / cell_m) * cell_m
    ix = np.floor((x[ok] - x0) / cell_m).astype(np.int64)
    iy = np.floor((y[ok] - y0) / cell_m).astype(np.int64)
    nx, ny = int(ix.max()) + 1, int(iy.max()) + 1
    if nx * ny > 25_000_000:
        raise ParameterError(
            f"the incidents span {nx} x {ny} cells of {cell_m} m; are they all in one city? "
            "Use larger cells or cut the data to one city"
        )
    mask = np.zeros(nx * ny, dtype=bool)
    mask[iy * nx + ix] = True
    return StudyGrid(x0_m=x0, y0_m=y0, cell_m=float(cell_m), nx=nx, ny=ny, mask=mask.reshape(ny, nx), crs=crs)


def read_study_area(path: str | Path, *, crs: str = geo_crs.METRIC) -> Any:
    """Union of the polygons in a vector file (GeoJSON, GeoPackage ...), in ``crs``."""
    file = Path(path)
    if not file.is_file():
        raise InputFormatError(f"study area file {file} does not exist; give a polygon file or 'none'")
    try:
        frame = gpd.read_file(file)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputFormatError(f"cannot read study area file {file}: {exc}") from exc
    if frame.crs is None:
        raise InputFormatError(f"study area file {file} has no CRS; save it with one (e.g. EPSG:4326)")
    polygons = frame.to_crs(crs).geometry
    polygons = polygons[polygons.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise InputFormatError(f"study area file {file} holds no polygons")
    return shapely.union_all(np.asarray(polygons.values, dtype=object))


# --------------------------------------------------------------------------- scoring


def cell_counts(
    grid: StudyGrid,
    x_m: ArrayLike,
    y_m: ArrayLike,
    occurred_at: pd.Series | None = None,
    *,
    basis: str = "incidents",
) -> NDArray[np.float64]:
    """Per study cell: incidents (``basis="incidents"``) or distinct local days with one (``"days"``).

    ``"days"`` counts a cell's burst of records on one day once; it needs ``occurred_at``
    (aware times; a missing time counts as a day of its own).
    """
    if basis == "incidents":
        return grid.counts(x_m, y_m)
    if basis != "days":
        raise ParameterError(f"basis was {basis!r} but is expected to be 'incidents' or 'days'")
    if occurred_at is None:
        raise ParameterError("basis 'days' needs the incidents' occurred_at")
    positions = grid.positions(x_m, y_m)
    when = pd.Series(occurred_at).reset_index(drop=True)
    day = when.dt.tz_localize(None) if isinstance(when.dtype, pd.DatetimeTZDtype) else when
    day_number = (day.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    missing = ~np.isfinite(day_number)
    day_number[missing] = -1.0 - np.arange(int(missing.sum()))  # each its own day
    ok = positions >= 0
    if not ok.any():
        return np.zeros(grid.n_cells)
    pairs = pd.DataFrame({"cell": positions[ok], "day": day_number[ok]}).drop_duplicates()
    return np.bincount(pairs["cell"].to_numpy(dtype=np.int64), minlength=grid.n_cells).astype(np.float64)


def fill_budget(priority: ArrayLike, test_counts: ArrayLike, *, cells: int) -> tuple[float, int]:
    """Test incidents caught by the ``cells`` highest-priority cells.

    Parameters
    ----------
    priority
        One value per study cell, higher first; NaN marks cells the method never chooses.
    test_counts
        Test incidents per study cell (same order).
    cells
        The budget in cells, >= 0.

    Returns
    -------
    hits : float
        Test incidents in the chosen cells. Cells tied at the edge of the budget count
        pro rata (the expected value of breaking the tie at random).
    used : int
        Cells chosen: ``cells``, or fewer when fewer cells are selectable.
    """
    p = np.asarray(priority, dtype=np.float64)
    t = np.asarray(test_counts, dtype=np.float64)
    if p.shape != t.shape:
        raise ParameterError(
            f"priority has shape {p.shape} but test_counts {t.shape}; give one value per cell"
        )
    if int(cells) != cells or cells < 0:
        raise ParameterError(f"cells must be a whole number >= 0, got {cells}")
    selectable = np.isfinite(p)
    p, t = p[selectable], t[selectable]
    if cells == 0 or p.size == 0:
        return 0.0, 0
    if p.size <= cells:
        return float(t.sum()), int(p.size)
    edge = np.partition(p, p.size - cells)[p.size - cells]  # the cells-th largest
    above = p > edge
    tied = p == edge
    free = cells - int(above.sum())
    hits = float(t[above].sum()) + free / int(tied.sum()) * float(t[tied].sum())
    return hits, int(cells)


def disc_counts(x_m: ArrayLike, y_m: ArrayLike, grid: StudyGrid, *, eps_m: float) -> NDArray[np.float64]:
    """Points within ``eps_m`` of each study cell's centre (DBSCAN's density at the centre)."""
    if not np.isfinite(eps_m) or eps_m <= 0:
        raise ParameterError(f"eps_m must be > 0 metres, got {eps_m}")
    xy = np.column_stack([np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64)])
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) == 0:
        return np.zeros(grid.n_cells)
    cx, cy = grid.centres()
    counts = cKDTree(xy).query_ball_point(np.column_stack([cx, cy]), r=eps_m, return_length=True)
    return np.asarray(counts, dtype=np.float64)


def hotspot_cells(
    x_m: ArrayLike,
    y_m: ArrayLike,
    labels: ArrayLike,
    grid: StudyGrid,
    *,
    eps_m: float,
    min_samples: int,
    disc: NDArray[np.float64] | None = None,
) -> dict[int, NDArray[np.int64]]:
    """Return the study cells of each cluster: cells its members occupy and its core cells.

    A *core cell* has at least ``min_samples`` points within ``eps_m`` of its centre (its
    centre would be a DBSCAN core point) and a member of the cluster within ``eps_m``;
    it goes to the cluster of its nearest member. Core cells fill the gaps inside a
    dense cluster that happen to be empty in one period, and nothing else: a cell in
    the empty space between two arms of a cluster is not dense, so not included.

    Parameters
    ----------
    x_m, y_m
        The clustered points (metres, the grid's CRS).
    labels
        Cluster label per point (-1 noise).
    grid
        Study grid.
    eps_m, min_samples
        The clustering parameters.
    disc
        ``disc_counts`` of the same points and eps, when already computed.

    Returns
    -------
    dict
        Cluster label -> positions (``study_index`` order) of its cells, sorted; a cell
        belongs to one cluster only.
    """
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    label_arr = np.asarray(labels, dtype=np.int64)
    if label_arr.shape != x.shape or x.shape != y.shape:
        raise ParameterError(f"labels ({label_arr.shape}) must hold one label per point ({x.shape})")
    member = label_arr >= 0
    if not member.any():
        return {}
    if disc is None:
        disc = disc_counts(x, y, grid, eps_m=eps_m)
    owner = np.full(grid.n_cells, -1, dtype=np.int64)
    cx, cy = grid.centres()
    dense = np.flatnonzero(disc >= min_samples)
    if dense.size:
        distance, nearest = cKDTree(np.column_stack([x[member], y[member]])).query(
            np.column_stack([cx[dense], cy[dense]]), distance_upper_bound=eps_m
        )
        near = np.isfinite(distance)
        owner[dense[near]] = label_arr[member][nearest[near]]
    positions = grid.positions(x[member], y[member])
    occupied = positions >= 0
    # Occupied cells go to the cluster with most members in them (ties: lowest label).
    cell_of, label_of = positions[occupied], label_arr[member][occupied]
    if cell_of.size:
        span = int(label_of.max()) + 1
        pairs, n = np.unique(cell_of * span + label_of, return_counts=True)
        cell_p, label_p = pairs // span, pairs % span
        order = np.lexsort((label_p, -n, cell_p))
        first = np.ones(order.size, dtype=bool)
        first[1:] = cell_p[order][1:] != cell_p[order][:-1]
        owner[cell_p[order][first]] = label_p[order][first]
    out: dict[int, NDArray[np.int64]] = {
        int(label): np.empty(0, dtype=np.int64) for label in np.unique(label_arr[member])
    }
    owned = np.flatnonzero(owner >= 0)
    if owned.size:
        by_label = np.argsort(owner[owned], kind="stable")  # cells stay ascending within a label
        labels_sorted, cells_sorted = owner[owned][by_label], owned[by_label]
        cuts = np.flatnonzero(np.diff(labels_sorted)) + 1
        for label, group in zip(labels_sorted[np.r_[0, cuts]], np.split(cells_sorted, cuts), strict=True):
            out[int(label)] = group.astype(np.int64)
    return out


def cell_scores(
    train_counts: NDArray[np.float64],
    disc: NDArray[np.float64],
    *,
    eps_m: float,
    cell_m: float,
    smoothing: float,
) -> NDArray[np.float64]:
    """Return the expected incidents per cell: ``(1 - w) * own count + w * eps-disc count per cell area``.

    ``w = smoothing`` in [0, 1]: 0 trusts each cell's own count (best where incidents
    repeat at the same addresses), 1 the density of DBSCAN's eps-disc around its centre
    (best where they scatter around a place). Exact ties go to the other term.
    """
    if not 0 <= smoothing <= 1:
        raise ParameterError(f"smoothing must be in [0, 1], got {smoothing}")
    disc_per_cell = disc * cell_m**2 / (math.pi * eps_m**2)
    score = (1 - smoothing) * train_counts + smoothing * disc_per_cell
    tie_break = disc_per_cell if smoothing < 0.5 else train_counts
    scale = float(np.max(tie_break)) + 1.0 if tie_break.size else 1.0
    return np.asarray(score + 1e-6 * tie_break / scale, dtype=np.float64)


def dense_priority(
    cells: Mapping[int, NDArray[np.int64]], scores: NDArray[np.float64], *, fill_rest: bool = True
) -> NDArray[np.float64]:
    """Priorities of hotspot cells, densest first whatever their hotspot.

    With ``fill_rest`` the other study cells follow, by the same score, so a budget larger
    than the hotspots is filled by the densest cells around and between them (a method
    that stopped at its hotspots would be judged on less area than the others);
    otherwise they are NaN (never chosen).
    """
    inside = np.zeros(scores.size, dtype=bool)
    for positions in cells.values():
        inside[positions] = True
    if not fill_rest:
        return np.where(inside, scores, np.nan)
    lift = float(np.ptp(scores)) + 1.0 if scores.size else 1.0
    return np.where(inside, scores + lift, scores)


def hotspot_priority(
    cells_by_rank: Sequence[NDArray[np.int64]], train_counts: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Cell priorities of ranked hotspots: whole hotspots in rank order, cells by training count.

    A cell in several hotspots belongs to the first; cells in none are NaN (never chosen).
    """
    n = train_counts.size
    priority = np.full(n, np.nan)
    scale = float(train_counts.max()) + 1.0 if n else 1.0
    total = len(cells_by_rank)
    for rank, cells in enumerate(cells_by_rank):
        positions = np.asarray(cells, dtype=np.int64)
        fresh = positions[np.isnan(priority[positions])]
        priority[fresh] = (total - rank) * scale + train_counts[fresh]
    return priority
