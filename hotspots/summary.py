"""Hotspots as a table: one row per cluster with its polygon, counts, times and districts.

``summarise_hotspots`` turns clustered incidents (a label per row, -1 = noise) into a
GeoDataFrame in EPSG:3067. What each column means and how it is computed:

id / label
    With the engine's areas (``areas`` given, ``hotspots.areas``): ``H{label + 1}``,
    the label being the area's place in the densest-first order, so a hotspot keeps its
    id in a district view. Otherwise ``H1``, ``H2``, ... in ascending cluster label order.
    ``label`` joins incidents back to their hotspot.
polygon
    The engine's areas: the union of the hotspot's study cells (``areas``). Without
    them (the backtest's shape comparison), the concave hull (``shapely.concave_hull``,
    ``concave_ratio`` 0.3) of the members buffered by ``buffer_eps_ratio * eps_m`` (half
    of eps by default); single points and collinear clusters become discs or strips.
intensity_km2
    The rank key: the areas' expected incidents per km² (``density_km2`` without areas).
score
    Severity-weighted count: the sum of the members' severities (1-5), a missing severity
    counting as ``default_severity`` (3, the middle). ``mean_severity = score / n``.
share
    ``n`` over all incidents of the period (``Baseline.background``).
centroid_x_m / centroid_y_m
    Mean of the members' coordinates (it may lie outside an L-shaped polygon; a map
    label belongs at ``point_on_surface``).
first_date / last_date
    Local dates (midnight, Europe/Helsinki) of the first and the last incident.
peak_times
    Up to ``max_windows`` time windows of ``window_hours`` consecutive local hours (6 by
    default; windows may cross midnight) that stand out from an even spread, with their
    weekdays (``hotspots.peaks``), as ``PeakWindow.as_dict``: ``weekdays`` with Monday = 0,
    ``start_hour``, ``end_hour`` exclusive, ``n``. ``i18n.peak_times_text`` words them
    (``"Fri-Sat 20-02"``).
districts
    ``osaalue_fi`` ... ``peruspiiri_sv``: names of the districts the members are tagged
    with, comma-joined, most incidents first (ties by Finnish name); incidents outside
    Helsinki add no name.
n_prev / change
    ``n_prev`` counts the incidents of the previous period (``Baseline.previous``) inside the
    polygon; ``change = n - n_prev``. Members and "current incidents inside the polygon"
    differ only for a rare noise point inside the buffer.
significance
    ``expected``, ``p_local``, ``p_value``, ``p_adjusted``, ``significant`` from
    ``hotspots.significance``: the count against the period's own district background,
    corrected for DBSCAN's search over the map and for the number of hotspots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from geo import crs, schema
from geo.districts import load_districts
from geo.errors import ParameterError
from hotspots.areas import HotspotAreas, cell_union
from hotspots.grid import StudyGrid
from hotspots.peaks import PeakParams, peak_windows, weekly_counts
from hotspots.selection import Selection
from hotspots.significance import SIGNIFICANCE_COLUMNS, SignificanceParams, hotspot_significance

#: Incident columns the summary reads.
REQUIRED_COLUMNS: Final = (
    "occurred_at",
    "category",
    "source",
    "severity",
    "x_m",
    "y_m",
    "osaalue_fi",
    "osaalue_sv",
    "peruspiiri_fi",
    "peruspiiri_sv",
)
#: Columns of the hotspot table, in order (geometry last).
HOTSPOT_COLUMNS: Final = (
    "id",
    "label",
    "n",
    "score",
    "mean_severity",
    "area_km2",
    "density_km2",
    "intensity_km2",
    "share",
    "categories",
    "category_mix",
    "top_category",
    "sources",
    "source_mix",
    "first_date",
    "last_date",
    "peak_times",
    "osaalue_fi",
    "osaalue_sv",
    "peruspiiri_fi",
    "peruspiiri_sv",
    "n_prev",
    "change",
    "expected",
    "p_local",
    "p_value",
    "p_adjusted",
    "significant",
    "centroid_x_m",
    "centroid_y_m",
    "geometry",
)


@dataclass(frozen=True)
class SummaryParams:
    """How hotspot polygons and peak times are made, validated on construction.

    Parameters
    ----------
    buffer_eps_ratio
        Buffer around the concave hull as a share of ``eps_m``, >= 0.25 (privacy floor).
    concave_ratio
        ``shapely.concave_hull`` ratio in [0, 1]: 0 hugs the points, 1 is the convex hull.
    default_severity
        Severity given to incidents without one, in [1, 5].
    peaks
        How the peak windows are found (``hotspots.peaks.PeakParams``).
    """

    buffer_eps_ratio: float = 0.5
    concave_ratio: float = 0.3
    default_severity: float = 3.0
    peaks: PeakParams = field(default_factory=PeakParams)

    def __post_init__(self) -> None:
        if not np.isfinite(self.buffer_eps_ratio) or self.buffer_eps_ratio < 0.25:
            raise ParameterError(
                f"buffer_eps_ratio must be >= 0.25 (a quarter of eps; less would outline single "
                f"incidents), got {self.buffer_eps_ratio}"
            )
        if not 0 <= self.concave_ratio <= 1:
            raise ParameterError(f"concave_ratio must be in [0, 1], got {self.concave_ratio}")
        if not 1 <= self.default_severity <= 5:
            raise ParameterError(f"default_severity must be in [1, 5], got {self.default_severity}")


@dataclass(frozen=True, eq=False)  # eq=False: frames have no single truth value to compare
class Baseline:
    """What the hotspots are measured against: the previous period and the period's background.

    Parameters
    ----------
    previous
        Incidents of the previous period (same filters) for ``n_prev``; None leaves
        ``n_prev`` and ``change`` missing.
    period
        ``(since, until)`` of the current period. When given, ``previous`` may hold more
        than the previous period: only its incidents in the period of the same length just
        before (``hotspots.selection.Selection.previous``) are counted.
    background
        All incidents of the period under the same filters, for ``share`` and the
        significance test; None: the clustered incidents.
    districts
        Peruspiiri layer for the significance test; None:
        ``geo.districts.load_districts("peruspiiri")``.
    significance
        Level and correction of the background test (``SignificanceParams``).
    """

    previous: pd.DataFrame | None = None
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None
    background: pd.DataFrame | None = None
    districts: gpd.GeoDataFrame | None = None
    significance: SignificanceParams = field(default_factory=SignificanceParams)


def _local_times(when: pd.Series, name: str) -> pd.Series:
    if not isinstance(when.dtype, pd.DatetimeTZDtype):
        raise ParameterError(
            f"{name}.occurred_at must be timezone-aware (Europe/Helsinki), got dtype {when.dtype}; "
            "import incidents through geo so naive times are localised"
        )
    return when.dt.tz_convert(schema.TIMEZONE)


def _check_columns(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{name} lacks the columns {missing}; pass the canonical incident table (geo.schema) "
            "tagged with geo.districts.tag_points"
        )


def _mix(
    matrix: NDArray[np.int64], names: Sequence[str]
) -> tuple[list[dict[str, int]], list[str], list[str]]:
    """Per row: {name: count} most first (ties by name), its text form and the top name."""
    order = sorted(range(len(names)), key=lambda j: names[j])
    dicts: list[dict[str, int]] = []
    texts: list[str] = []
    tops: list[str] = []
    for row in matrix:
        ranked = sorted((j for j in order if row[j] > 0), key=lambda j: -row[j])  # stable: name order on ties
        mix = {names[j]: int(row[j]) for j in ranked}
        dicts.append(mix)
        texts.append(", ".join(f"{name} {count}" for name, count in mix.items()))
        tops.append(next(iter(mix), ""))
    return dicts, texts, tops


def _count_matrix(
    inverse: NDArray[np.int64], values: pd.Series, k: int, fill: str
) -> tuple[NDArray[np.int64], list[str]]:
    codes, uniques = pd.factorize(values.astype("string").fillna(fill), sort=True)
    width = len(uniques)
    flat = np.bincount(inverse * width + codes, minlength=k * width) if width else np.zeros(0, np.int64)
    return flat.reshape(k, width), [str(u) for u in uniques]


def _district_names(
    inverse: NDArray[np.int64], fi: pd.Series, sv: pd.Series, k: int
) -> tuple[list[str], list[str]]:
    """Comma-joined fi and sv names per hotspot, most incidents first, ties by fi name."""
    fi_s = fi.astype("string")
    codes, uniques = pd.factorize(fi_s, sort=True)  # NA -> -1
    sv_of = pd.Series(sv.astype("string").to_numpy(), index=codes).groupby(level=0).first()
    width = len(uniques)
    known = codes >= 0
    matrix = np.bincount(inverse[known] * width + codes[known], minlength=k * width).reshape(k, width)
    out_fi: list[str] = []
    out_sv: list[str] = []
    for row in matrix:
        ranked = sorted(np.flatnonzero(row).tolist(), key=lambda j: -row[j])
        out_fi.append(", ".join(str(uniques[j]) for j in ranked))
        out_sv.append(
            ", ".join(str(sv_of.get(j)) if pd.notna(sv_of.get(j)) else str(uniques[j]) for j in ranked)
        )
    return out_fi, out_sv


def _previous_in_period(
    previous: pd.DataFrame, period: tuple[pd.Timestamp, pd.Timestamp] | None
) -> pd.DataFrame:
    if period is None:
        return previous
    before = Selection(since=period[0], until=period[1]).previous()
    when = _local_times(previous["occurred_at"], "previous")
    keep = (when >= before.since) & (when < before.until)
    return previous.loc[keep.to_numpy(dtype=bool, na_value=False)]


def _points_in(polygons: NDArray[Any], frame: pd.DataFrame) -> NDArray[np.int64]:
    """Count the rows of ``frame`` inside each polygon (boundary included)."""
    x = frame["x_m"].to_numpy(dtype=np.float64)
    y = frame["y_m"].to_numpy(dtype=np.float64)
    finite = np.isfinite(x) & np.isfinite(y)
    counts = np.zeros(polygons.size, dtype=np.int64)
    if polygons.size == 0 or not finite.any():
        return counts
    # Points sorted by x: each polygon tests only the slice inside its bounding box.
    order = np.argsort(x[finite], kind="stable")
    xs, ys = x[finite][order], y[finite][order]
    shapely.prepare(polygons)
    for i, (x0, y0, x1, y1) in enumerate(shapely.bounds(polygons)):
        lo, hi = int(np.searchsorted(xs, x0, side="left")), int(np.searchsorted(xs, x1, side="right"))
        near = np.flatnonzero((ys[lo:hi] >= y0) & (ys[lo:hi] <= y1)) + lo
        counts[i] = int(shapely.intersects_xy(polygons[i], xs[near], ys[near]).sum())
    return counts


@dataclass(frozen=True)
class _Clusters:
    """The clustered incidents grouped by hotspot (stable), as ``shapely.multipoints`` needs."""

    labels: NDArray[np.int64]  # the distinct cluster labels, ascending: hotspot i has labels[i]
    groups: NDArray[np.int64]  # hotspot (0..k-1) of each member
    rows: NDArray[np.int64]  # row of each member in the incidents
    members: pd.DataFrame
    xy: NDArray[np.float64]

    @property
    def k(self) -> int:
        return int(self.labels.size)


def _clusters(incidents: pd.DataFrame, labels: ArrayLike) -> _Clusters:
    """Group the incidents with a label >= 0 by label; check the labels and the members' coordinates."""
    label_arr = np.asarray(labels)
    if label_arr.ndim != 1 or label_arr.size != len(incidents):
        raise ParameterError(
            f"labels must hold one label per incident ({len(incidents)}), got shape {label_arr.shape}"
        )
    if label_arr.size and not np.issubdtype(label_arr.dtype, np.integer):
        raise ParameterError(f"labels must be integers (-1 = noise), got dtype {label_arr.dtype}")
    label_arr = label_arr.astype(np.int64)
    member_rows = np.flatnonzero(label_arr >= 0)
    uniq, inverse = np.unique(label_arr[member_rows], return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    member_rows, inverse = member_rows[order], inverse.astype(np.int64)[order]
    members = incidents.iloc[member_rows]
    xy = members[["x_m", "y_m"]].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        row = int(member_rows[np.flatnonzero(bad)[0]])
        raise ParameterError(
            f"incident row {row} has label {label_arr[row]} but no finite x_m/y_m; "
            "cluster only incidents with coordinates"
        )
    return _Clusters(uniq.astype(np.int64), inverse, member_rows, members, xy)


def _outlines(
    clusters: _Clusters, *, eps_m: float, params: SummaryParams, areas: HotspotAreas | None
) -> tuple[NDArray[np.object_], list[str]]:
    """Return each hotspot's polygon and id: the areas' cells, else the buffered concave hull."""
    k = clusters.k
    if areas is not None:
        given = areas.polygons
        if k and (clusters.labels.min() < 0 or clusters.labels.max() >= given.size):
            raise ParameterError(
                f"labels run to {int(clusters.labels.max())} but {given.size} polygons were given; "
                "give one per label"
            )
        shapes = given[clusters.labels] if k else np.empty(0, dtype=object)
        return shapes, [f"H{int(label) + 1}" for label in clusters.labels]
    if not k:
        return np.empty(0, dtype=object), []
    points = shapely.multipoints(clusters.xy, indices=clusters.groups)
    hulls = shapely.concave_hull(points, ratio=params.concave_ratio)
    shapes = np.asarray(shapely.buffer(hulls, params.buffer_eps_ratio * eps_m, quad_segs=8), dtype=object)
    return shapes, [f"H{i + 1}" for i in range(k)]


def _size_columns(
    clusters: _Clusters, shapes: NDArray[np.object_], *, params: SummaryParams, areas: HotspotAreas | None
) -> dict[str, Any]:
    """Return ``n``, ``score`` ... ``intensity_km2`` and the centroid of each hotspot."""
    k, groups = clusters.k, clusters.groups
    n = np.bincount(groups, minlength=k).astype(np.int64)
    severity = clusters.members["severity"].astype("Float64").fillna(params.default_severity)
    score = np.bincount(groups, weights=severity.to_numpy(dtype=np.float64), minlength=k).astype(np.float64)
    area_km2 = shapely.area(shapes) / 1e6 if k else np.empty(0)
    density = n / area_km2 if k else np.empty(0)
    intensity = areas.intensity_km2[clusters.labels] if areas is not None and k else density
    return {
        "n": n,
        "score": score,
        "mean_severity": score / np.maximum(n, 1),
        "area_km2": area_km2,
        "density_km2": density,
        "intensity_km2": np.asarray(intensity, dtype=np.float64),
        "centroid_x_m": np.bincount(groups, weights=clusters.xy[:, 0], minlength=k) / np.maximum(n, 1),
        "centroid_y_m": np.bincount(groups, weights=clusters.xy[:, 1], minlength=k) / np.maximum(n, 1),
    }


def _mix_columns(clusters: _Clusters) -> dict[str, Any]:
    """Return the category and source mixes of each hotspot and its top category."""
    k, groups, members = clusters.k, clusters.groups, clusters.members
    categories, category_names = _count_matrix(groups, members["category"], k, "other")
    category_dicts, category_mix, top_category = _mix(categories, category_names)
    sources, source_names = _count_matrix(groups, members["source"], k, "other")
    source_dicts, source_mix, _ = _mix(sources, source_names)
    return {
        "categories": pd.Series(category_dicts, dtype=object),
        "category_mix": pd.array(category_mix, dtype="string"),
        "top_category": pd.array(top_category, dtype="string"),
        "sources": pd.Series(source_dicts, dtype=object),
        "source_mix": pd.array(source_mix, dtype="string"),
    }


def _time_columns(clusters: _Clusters, when_all: pd.Series, params: SummaryParams) -> dict[str, Any]:
    """Return the first and last local date and the peak windows of each hotspot."""
    k = clusters.k
    when = when_all.iloc[clusters.rows]
    windows = [peak_windows(grid, params=params.peaks) for grid in weekly_counts(clusters.groups, when, k)]
    span = when.groupby(clusters.groups).agg(["min", "max"]).reindex(range(k)).astype(when_all.dtype)
    return {
        "first_date": span["min"].dt.normalize().reset_index(drop=True),
        "last_date": span["max"].dt.normalize().reset_index(drop=True),
        "peak_times": pd.Series([[w.as_dict() for w in ws] for ws in windows], dtype=object),
    }


def _district_columns(clusters: _Clusters) -> dict[str, Any]:
    """Return the names of each hotspot's osa-alue and peruspiiri in Finnish and Swedish."""
    k, groups, members = clusters.k, clusters.groups, clusters.members
    osa_fi, osa_sv = _district_names(groups, members["osaalue_fi"], members["osaalue_sv"], k)
    per_fi, per_sv = _district_names(groups, members["peruspiiri_fi"], members["peruspiiri_sv"], k)
    return {
        "osaalue_fi": pd.array(osa_fi, dtype="string"),
        "osaalue_sv": pd.array(osa_sv, dtype="string"),
        "peruspiiri_fi": pd.array(per_fi, dtype="string"),
        "peruspiiri_sv": pd.array(per_sv, dtype="string"),
    }


def _baseline_columns(
    shapes: NDArray[np.object_], n: NDArray[np.int64], background: pd.DataFrame, baseline: Baseline
) -> dict[str, Any]:
    """Return the trend against the previous period and the significance test of each hotspot."""
    k = n.size
    if baseline.previous is not None:
        _check_columns(baseline.previous, "previous", ("occurred_at", "x_m", "y_m"))
        before = _previous_in_period(baseline.previous, baseline.period)
        n_prev = pd.array(_points_in(shapes, before), dtype="Int64")
    else:
        n_prev = pd.array([pd.NA] * k, dtype="Int64")
    if k:
        districts = load_districts("peruspiiri") if baseline.districts is None else baseline.districts
        tests = hotspot_significance(shapes, n, background, districts=districts, params=baseline.significance)
    else:
        tests = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in SIGNIFICANCE_COLUMNS[:-1]})
        tests["significant"] = pd.Series(dtype=bool)
    columns: dict[str, Any] = {
        "n_prev": n_prev,
        "change": pd.Series(n, dtype="Int64") - pd.Series(n_prev, dtype="Int64"),
    }
    for name in SIGNIFICANCE_COLUMNS:
        columns[name] = tests[name].to_numpy(dtype=bool if name == "significant" else np.float64)
    return columns


def summarise_hotspots(
    incidents: pd.DataFrame,
    labels: ArrayLike,
    *,
    eps_m: float,
    baseline: Baseline = Baseline(),
    params: SummaryParams = SummaryParams(),
    areas: HotspotAreas | None = None,
    crs_code: str = crs.METRIC,
) -> gpd.GeoDataFrame:
    """One row per cluster: polygon, counts, severity, categories, times, districts, trend, test.

    Parameters
    ----------
    incidents
        Canonical incident table (``geo.schema``) tagged with districts; EPSG:3067 ``x_m``/``y_m``.
    labels
        Cluster label per row of ``incidents`` (-1 = noise).
    eps_m
        The clustering radius in metres; the polygon buffer is ``buffer_eps_ratio * eps_m``.
    baseline
        What the hotspots are measured against: the previous period (``n_prev``,
        ``change``) and the period's background (``share``, the significance test).
    params
        Polygon and peak-time settings (``SummaryParams``).
    areas
        The engine's hotspot areas (``hotspots.areas``), one per label 0, 1, ...: their
        outlines (unions of study cells) and intensities; the labels then name hotspots
        ``H{label + 1}``. None draws the concave hull of each cluster buffered by
        ``buffer_eps_ratio * eps_m``, numbers the clusters ``H1``, ``H2`` ... in label
        order and ranks by ``density_km2``.
    crs_code
        CRS of ``x_m``/``y_m`` and the polygons (EPSG:3067 for Helsinki).

    Returns
    -------
    GeoDataFrame
        ``HOTSPOT_COLUMNS`` in EPSG:3067, one row per cluster in ascending label order,
        ids ``H1``, ``H2``, ... in that order; no rows (same columns) when nothing is clustered.
    """
    if not np.isfinite(eps_m) or eps_m <= 0:
        raise ParameterError(f"eps_m must be > 0 metres, got {eps_m}")
    _check_columns(incidents, "incidents", REQUIRED_COLUMNS)
    clusters = _clusters(incidents, labels)
    background = incidents if baseline.background is None else baseline.background
    when_all = _local_times(incidents["occurred_at"], "incidents")
    shapes, ids = _outlines(clusters, eps_m=eps_m, params=params, areas=areas)
    sizes = _size_columns(clusters, shapes, params=params, areas=areas)
    n = sizes["n"]
    columns = {
        "id": pd.array(ids, dtype="string"),
        "label": clusters.labels,
        **sizes,
        "share": n / len(background) if len(background) else np.full(clusters.k, np.nan),
        **_mix_columns(clusters),
        **_time_columns(clusters, when_all, params),
        **_district_columns(clusters),
        **_baseline_columns(shapes, n, background, baseline),
    }
    table = pd.DataFrame({name: columns[name] for name in HOTSPOT_COLUMNS[:-1]})
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(shapes, crs=crs_code), crs=crs_code)


#: District code of a study area that has no districts of its own (data outside Helsinki).
STUDY_DISTRICT_CODE: Final = "study"
_FOREIGN_DEFAULTS: Final[dict[str, object]] = {
    "category": "other",
    "source": "other",
    "severity": pd.NA,
    "osaalue_fi": pd.NA,
    "osaalue_sv": pd.NA,
    "peruspiiri_fi": pd.NA,
    "peruspiiri_sv": pd.NA,
}


def foreign_frame(frame: pd.DataFrame, layer_code: str | None = STUDY_DISTRICT_CODE) -> pd.DataFrame:
    """Return a copy with every column the summary reads; data from elsewhere get neutral values.

    Missing categories and sources become ``other``, severities and district names
    missing; with ``layer_code`` every incident lies in that one district (the study area,
    ``study_district``), the background of the significance test.
    """
    out = frame.copy()
    for name, value in _FOREIGN_DEFAULTS.items():
        if name not in out.columns:
            dtype = "Int64" if name == "severity" else "string"
            out[name] = pd.Series([value] * len(out), index=out.index, dtype=dtype)
    if layer_code is not None:
        out["peruspiiri_code"] = pd.Series([layer_code] * len(out), index=out.index, dtype="string")
    return out


def study_district(grid: StudyGrid) -> gpd.GeoDataFrame:
    """Return the study cells as one district (``STUDY_DISTRICT_CODE``), for data without districts."""
    area = cell_union(grid, np.arange(grid.n_cells))
    return gpd.GeoDataFrame({"code": [STUDY_DISTRICT_CODE]}, geometry=[area], crs=grid.crs)
