"""Half-year against half-year: which hotspots are new, persistent, intensifying, diminishing.

Matching: a current hotspot ``C`` and a previous hotspot ``P`` are the same place when
their polygons overlap by at least ``min_overlap`` (0.3) of the *smaller* polygon's area
(intersection over the smaller area, not IoU: a hotspot that grew from one block to three
still contains its old self, and IoU would call that a new place).

Counts: a previous hotspot matched by several current ones (it split) shares its count
among them in proportion to the overlap areas; a current hotspot matched by several
previous ones (they merged) adds up their shares. That gives ``n_before`` per current
hotspot, and with ``r = n / n_before``:

* ``new``: no previous hotspot matches;
* ``intensifying``: ``r > 1 + change_ratio`` (grew by more than 25 % by default);
* ``diminishing``: ``r < 1 - change_ratio`` (a faded concentration that is still a
  cluster, only weaker);
* ``persistent``: otherwise.

Previous hotspots that no current hotspot matches are returned separately as vanished.
Both periods should have the same length and the same filters (``Selection.previous``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.errors import ParameterError

STATUSES: Final = ("new", "persistent", "intensifying", "diminishing")
#: Columns each hotspot table needs.
COMPARE_COLUMNS: Final = ("id", "n", "geometry")


@dataclass(frozen=True)
class ComparisonParams:
    """Thresholds of the period comparison, validated on construction.

    Parameters
    ----------
    min_overlap
        Intersection over the smaller polygon's area needed for a match, in (0, 1].
    change_ratio
        Relative change in count beyond which a matched hotspot is intensifying or
        diminishing, in (0, 1).
    """

    min_overlap: float = 0.3
    change_ratio: float = 0.25

    def __post_init__(self) -> None:
        if not 0 < self.min_overlap <= 1:
            raise ParameterError(f"min_overlap must be in (0, 1], got {self.min_overlap}")
        if not 0 < self.change_ratio < 1:
            raise ParameterError(f"change_ratio must be in (0, 1), got {self.change_ratio}")


def match_hotspots(
    current: NDArray[np.object_], previous: NDArray[np.object_], *, min_overlap: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Pairs of overlapping polygons, by intersection over the smaller area.

    Parameters
    ----------
    current, previous
        Polygons in one projected CRS.
    min_overlap
        Smallest accepted intersection over the smaller area.

    Returns
    -------
    tuple of ndarray
        ``(current_index, previous_index, intersection_area)`` of the matching pairs.
    """
    if current.size == 0 or previous.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0)
    prev_idx, cur_idx = shapely.STRtree(previous).query(current, predicate="intersects")[::-1]
    if cur_idx.size == 0:
        return cur_idx.astype(np.int64), prev_idx.astype(np.int64), np.empty(0)
    area = shapely.area(shapely.intersection(current[cur_idx], previous[prev_idx]))
    smaller = np.minimum(shapely.area(current[cur_idx]), shapely.area(previous[prev_idx]))
    keep = area >= min_overlap * np.maximum(smaller, 1e-12)
    keep &= area > 0
    return cur_idx[keep].astype(np.int64), prev_idx[keep].astype(np.int64), area[keep]


def _check(frame: gpd.GeoDataFrame, name: str) -> None:
    missing = [c for c in COMPARE_COLUMNS if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{name} lacks the columns {missing}; pass a table from hotspots.summary.summarise_hotspots"
        )
    if frame.crs is not None and not frame.crs.is_projected:
        raise ParameterError(f"{name} must be in metres (EPSG:3067), got {frame.crs.to_string()}")


def compare_periods(
    current: gpd.GeoDataFrame,
    previous: gpd.GeoDataFrame,
    *,
    params: ComparisonParams = ComparisonParams(),
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Class each current hotspot against the previous period and list the vanished ones.

    Parameters
    ----------
    current, previous
        Hotspot tables of two periods of the same length (``id``, ``n``, polygons), same CRS.
    params
        Overlap and change thresholds (see the module docstring).

    Returns
    -------
    current : GeoDataFrame
        A copy with ``status`` (``STATUSES``), ``matched_previous_id`` (the previous hotspot
        with the largest overlap, missing for new ones), ``matched_previous_ids`` (all,
        comma-joined) and ``n_before`` (previous incidents allocated to it, 0 for new).
    vanished : GeoDataFrame
        Copies of the previous hotspots nothing matches, with ``status`` ``"vanished"``.
    """
    _check(current, "current")
    _check(previous, "previous")
    if current.crs is not None and previous.crs is not None and current.crs != previous.crs:
        raise ParameterError(
            "current and previous must share a CRS, got "
            f"{current.crs.to_string()} and {previous.crs.to_string()}"
        )
    cur_geoms = np.asarray(current.geometry.values, dtype=object)
    prev_geoms = np.asarray(previous.geometry.values, dtype=object)
    cur_idx, prev_idx, area = match_hotspots(cur_geoms, prev_geoms, min_overlap=params.min_overlap)

    prev_n = previous["n"].to_numpy(dtype=np.float64)
    matched_area = np.bincount(prev_idx, weights=area, minlength=len(previous))
    allocated = prev_n[prev_idx] * area / np.maximum(matched_area[prev_idx], 1e-12)
    n_before = np.bincount(cur_idx, weights=allocated, minlength=len(current))
    n_now = current["n"].to_numpy(dtype=np.float64)
    matched = np.bincount(cur_idx, minlength=len(current)) > 0

    status = np.full(len(current), "persistent", dtype=object)
    status[~matched] = "new"
    ratio = n_now / np.maximum(n_before, 1e-12)
    status[matched & (ratio > 1 + params.change_ratio)] = "intensifying"
    status[matched & (ratio < 1 - params.change_ratio)] = "diminishing"

    prev_ids = previous["id"].astype(str).to_numpy()
    best: list[str | None] = [None] * len(current)
    every: list[str | None] = [None] * len(current)
    order = np.lexsort((prev_ids[prev_idx], -area, cur_idx))  # per current: largest overlap first
    groups: dict[int, list[str]] = {}
    for i in order:
        groups.setdefault(int(cur_idx[i]), []).append(str(prev_ids[prev_idx[i]]))
    for c, ids in groups.items():
        best[c], every[c] = ids[0], ", ".join(ids)

    out = current.copy()
    out["status"] = pd.array(status.tolist(), dtype="string")
    out["matched_previous_id"] = pd.array(best, dtype="string")
    out["matched_previous_ids"] = pd.array(every, dtype="string")
    out["n_before"] = n_before
    vanished = previous.iloc[np.flatnonzero(np.bincount(prev_idx, minlength=len(previous)) == 0)].copy()
    vanished["status"] = pd.array(["vanished"] * len(vanished), dtype="string")
    return out, vanished
