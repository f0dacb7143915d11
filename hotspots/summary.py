"""Hotspots as a table: one row per cluster with its polygon, counts, times and districts.

``summarise_hotspots`` turns clustered incidents (a label per row, -1 = noise) into a
GeoDataFrame in EPSG:3067. What each column means and how it is computed:

id / label
    With the engine's areas (``polygons`` given, ``hotspots.areas``): ``H{label + 1}``,
    the label being the area's place in the densest-first order, so a hotspot keeps its
    id in a district view. Otherwise ``H1``, ``H2``, ... in ascending cluster label order.
    ``label`` joins incidents back to their hotspot.
polygon
    The engine's areas: the union of the hotspot's study cells (``polygons``). Without
    them (the backtest's shape comparison), the concave hull (``shapely.concave_hull``,
    ``concave_ratio`` 0.3) of the members buffered by ``buffer_eps_ratio * eps_m`` (half
    of eps by default); single points and collinear clusters become discs or strips.
intensity_km2
    The rank key: the areas' expected incidents per km² (``density_km2`` without areas).
score
    Severity-weighted count: the sum of the members' severities (1-5), a missing severity
    counting as ``default_severity`` (3, the middle). ``mean_severity = score / n``.
share
    ``n`` over all incidents of the period (``background``).
centroid_x_m / centroid_y_m
    Mean of the members' coordinates (it may lie outside an L-shaped polygon; a map
    label belongs at ``point_on_surface``).
first_date / last_date
    Local dates (midnight, Europe/Helsinki) of the first and the last incident.
peak_windows / peak_times
    Up to ``max_windows`` time windows of ``window_hours`` consecutive local hours (6 by
    default; windows may cross midnight) that stand out from an even spread, with their
    weekdays; algorithm in ``peak_windows``. ``peak_times`` holds the structured form
    (``weekdays`` with Monday = 0, ``start_hour``, ``end_hour`` exclusive, ``n``),
    ``peak_windows`` the English labels (``"Fri-Sat 20-02"``); other languages come from
    ``PeakWindow.label``.
districts
    ``osaalue_fi`` ... ``peruspiiri_sv``: names of the districts the members are tagged
    with, comma-joined, most incidents first (ties by Finnish name); incidents outside
    Helsinki add no name.
n_prev / change
    ``n_prev`` counts the incidents of the previous period (``previous``) inside the
    polygon; ``change = n - n_prev``. Members and "current incidents inside the polygon"
    differ only for a rare noise point inside the buffer.
significance
    ``expected``, ``p_local``, ``p_value``, ``p_adjusted``, ``significant`` from
    ``hotspots.significance``: the count against the period's own district background,
    corrected for DBSCAN's search over the map and for the number of hotspots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from geo import crs, schema
from geo.errors import ParameterError
from hotspots.areas import cell_union
from hotspots.grid import StudyGrid
from hotspots.significance import SIGNIFICANCE_COLUMNS, SignificanceParams, hotspot_significance

#: Weekday abbreviations, Monday first, per language.
WEEKDAY_ABBREVIATIONS: Final[dict[str, tuple[str, ...]]] = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("må", "ti", "on", "to", "fr", "lö", "sö"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
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
    "peak_windows",
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
_HOURS: Final = 24
_DAYS: Final = 7


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
    window_hours
        Length of a peak window in hours, 1-23.
    max_windows
        Most peak windows per hotspot, >= 1.
    secondary_window_ratio
        A further window is reported when it holds at least this share of the first
        window's incidents, in (0, 1].
    weekday_lift
        A weekday is named only when it holds at least this many times its even share
        (1/7) of the window's incidents, >= 1 (1.2 names all five of a Mon-Fri pattern).
    peak_alpha
        Level of the binomial tests that keep chance peaks out, in (0, 1) (see
        ``peak_windows``).
    """

    buffer_eps_ratio: float = 0.5
    concave_ratio: float = 0.3
    default_severity: float = 3.0
    window_hours: int = 6
    max_windows: int = 2
    secondary_window_ratio: float = 0.5
    weekday_lift: float = 1.2
    peak_alpha: float = 0.01

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
        if int(self.window_hours) != self.window_hours or not 1 <= self.window_hours < _HOURS:
            raise ParameterError(f"window_hours must be a whole number in 1..23, got {self.window_hours}")
        if int(self.max_windows) != self.max_windows or self.max_windows < 1:
            raise ParameterError(f"max_windows must be a whole number >= 1, got {self.max_windows}")
        if not 0 < self.secondary_window_ratio <= 1:
            raise ParameterError(
                f"secondary_window_ratio must be in (0, 1], got {self.secondary_window_ratio}"
            )
        if not np.isfinite(self.weekday_lift) or self.weekday_lift < 1:
            raise ParameterError(f"weekday_lift must be >= 1, got {self.weekday_lift}")
        if not 0 < self.peak_alpha < 1:
            raise ParameterError(f"peak_alpha must be in (0, 1), got {self.peak_alpha}")


@dataclass(frozen=True)
class PeakWindow:
    """A recurring time window: these weekdays, from ``start_hour`` to ``end_hour``.

    ``end_hour`` is exclusive, in 1..24, and smaller than ``start_hour`` when the window
    crosses midnight (20-02); ``0-24`` is the whole day. A weekday is the day the window
    *starts* on: Saturday 01:00 belongs to Friday's 20-02 window.
    """

    weekdays: tuple[int, ...]
    start_hour: int
    end_hour: int
    n: int

    def label(self, lang: str = "en") -> str:
        """``"Fri-Sat 20-02"`` (en), ``"pe-la 20-02"`` (fi), ``"fr-lö 20-02"`` (sv)."""
        if lang not in WEEKDAY_ABBREVIATIONS:
            raise ParameterError(
                f"lang was {lang!r} but is expected to be one of {list(WEEKDAY_ABBREVIATIONS)}"
            )
        return f"{weekday_label(self.weekdays, lang)} {self.start_hour:02d}-{self.end_hour:02d}"

    @property
    def hours(self) -> tuple[int, ...]:
        """Hours of day (0-23) in the window, in order from its start."""
        width = (self.end_hour - self.start_hour) % _HOURS or _HOURS
        return tuple((self.start_hour + i) % _HOURS for i in range(width))

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form: ``weekdays`` (Monday = 0), ``start_hour``, ``end_hour``, ``n``."""
        return {
            "weekdays": list(self.weekdays),
            "start_hour": self.start_hour,
            "end_hour": self.end_hour,
            "n": self.n,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PeakWindow:
        """Inverse of ``as_dict``."""
        return cls(
            weekdays=tuple(int(d) for d in data["weekdays"]),
            start_hour=int(data["start_hour"]),
            end_hour=int(data["end_hour"]),
            n=int(data["n"]),
        )


def weekday_label(weekdays: Sequence[int], lang: str = "en") -> str:
    """Weekdays as runs: ``(4, 5)`` -> ``"Fri-Sat"``, ``(6, 0)`` -> ``"Sun-Mon"``, all -> ``"Mon-Sun"``.

    Runs wrap around the week; several runs are comma-separated (``"Mon, Fri-Sat"``).
    """
    names = WEEKDAY_ABBREVIATIONS[lang]
    days = sorted({int(d) for d in weekdays})
    if not days or len(days) == _DAYS:
        return f"{names[0]}-{names[6]}"
    present = set(days)
    # A run starts at a day whose previous day (cyclically) is absent.
    starts = [d for d in days if (d - 1) % _DAYS not in present]
    runs: list[str] = []
    for start in starts:
        end = start
        while (end + 1) % _DAYS in present:
            end = (end + 1) % _DAYS
        runs.append(names[start] if end == start else f"{names[start]}-{names[end]}")
    return ", ".join(runs)


def _window_days(grid: NDArray[np.float64], start: int, width: int, params: SummaryParams) -> tuple[int, ...]:
    """Weekdays clearly above their even share of a window's incidents; all seven when none are."""
    window = (start + np.arange(width)) % _HOURS
    # Hours after midnight (below the start hour) belong to the window of the previous day.
    by_day = np.zeros(_DAYS)
    for hour in window:
        by_day += np.roll(grid[:, hour], -1) if hour < start else grid[:, hour]
    total = by_day.sum()
    if total <= 0:
        return tuple(range(_DAYS))
    even = total / _DAYS
    chi_square = float(((by_day - even) ** 2).sum() / even)
    if chi_square < stats.chi2.isf(params.peak_alpha, _DAYS - 1):  # days not uneven
        return tuple(range(_DAYS))
    named = np.flatnonzero(by_day >= params.weekday_lift * total / _DAYS)
    return tuple(int(d) for d in named) if named.size else tuple(range(_DAYS))


def _middle_of_ties(starts: NDArray[np.int64]) -> int:
    """Return the middle start of the first run of consecutive (mod 24) tied starts."""
    tied = set(starts.tolist())
    first = int(starts[0])
    while (first - 1) % _HOURS in tied and (first - 1) % _HOURS != int(starts[0]):
        first = (first - 1) % _HOURS  # a run may wrap past midnight
    run = [first]
    while (run[-1] + 1) % _HOURS in tied and len(run) < len(tied):
        run.append((run[-1] + 1) % _HOURS)
    return run[(len(run) - 1) // 2]


def peak_windows(counts: ArrayLike, *, params: SummaryParams = SummaryParams()) -> list[PeakWindow]:
    """Top recurring time windows of one hotspot from its weekday x hour counts.

    Algorithm (``w = window_hours``, ``n`` incidents, ``alpha = peak_alpha``):

    1. Hour profile: incidents per local hour of day, summed over weekdays. The count of
       every run of ``w`` consecutive hours (24 runs, wrapping midnight) is computed.
    2. The first window is the run with the most incidents; when consecutive runs tie
       (a 4-hour burst fits in three 6-hour runs), the middle one. It is a peak only
       when a binomial test against an even spread over the day
       (``P(X >= count | n, w/24) < alpha/24``, Bonferroni over the 24 runs) says so.
    3. Further windows, up to ``max_windows``, are the best runs not overlapping the
       chosen ones that pass the same test and hold at least ``secondary_window_ratio``
       of the first window's incidents.
    4. Weekdays of a window: each incident in it counts for the day the window started
       (Saturday 01:00 -> Friday for 20-02). When a chi-square test says the seven day
       counts are uneven (p < alpha), the days holding at least ``weekday_lift`` x their
       even share (1/7) are named; otherwise, or when no day is, the window is daily
       (``"Mon-Sun"``).
    5. Without a peak hour window, one whole-day window ``0-24`` is returned, its days
       chosen as in 4.

    Parameters
    ----------
    counts
        (7, 24) incident counts, weekday (Monday = 0) x local hour.
    params
        Window length and the thresholds above.

    Returns
    -------
    list of PeakWindow
        Strongest first; empty when there are no incidents.
    """
    grid = np.asarray(counts, dtype=np.float64)
    if grid.shape != (_DAYS, _HOURS):
        raise ParameterError(f"counts must have shape (7, 24) (weekday x hour), got {grid.shape}")
    width = int(params.window_hours)
    hours = grid.sum(axis=0)
    n = float(hours.sum())
    if n <= 0:
        return []
    members = (np.arange(_HOURS)[:, None] + np.arange(width)[None, :]) % _HOURS  # (start, hours)
    sums = hours[members].sum(axis=1)
    passes = stats.binom.sf(sums - 1, n, width / _HOURS) < params.peak_alpha / _HOURS
    free = np.ones(_HOURS, dtype=bool)  # hours not yet in a chosen window
    chosen: list[PeakWindow] = []
    for _ in range(int(params.max_windows)):
        allowed = free[members].all(axis=1) & passes
        if chosen:
            allowed &= sums >= params.secondary_window_ratio * chosen[0].n
        if not allowed.any():
            break
        start = _middle_of_ties(np.flatnonzero(allowed & (sums == sums[allowed].max())))
        free[members[start]] = False
        end = (start + width - 1) % _HOURS + 1
        chosen.append(PeakWindow(_window_days(grid, start, width, params), start, end, round(sums[start])))
    if not chosen:
        chosen.append(PeakWindow(_window_days(grid, 0, _HOURS, params), 0, _HOURS, round(n)))
    return chosen


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
    from hotspots.selection import Selection

    before = Selection(since=period[0], until=period[1]).previous()
    when = _local_times(previous["occurred_at"], "previous")
    keep = (when >= before.since) & (when < before.until)
    return previous.loc[keep.to_numpy(dtype=bool, na_value=False)]


def _points_in(polygons: NDArray[Any], frame: pd.DataFrame) -> NDArray[np.int64]:
    """Rows of ``frame`` inside each polygon (boundary included)."""
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


def summarise_hotspots(
    incidents: pd.DataFrame,
    labels: ArrayLike,
    *,
    eps_m: float,
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    previous: pd.DataFrame | None = None,
    background: pd.DataFrame | None = None,
    districts: gpd.GeoDataFrame | None = None,
    params: SummaryParams = SummaryParams(),
    significance: SignificanceParams = SignificanceParams(),  # noqa: B008  (frozen dataclass)
    polygons: ArrayLike | None = None,
    intensity_km2: ArrayLike | None = None,
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
    period
        ``(since, until)`` of the current period. When given, ``previous`` may hold more
        than the previous period: only its incidents in the period of the same length just
        before (``hotspots.selection.Selection.previous``) are counted.
    previous
        Incidents of the previous period (same filters) for ``n_prev``; None leaves
        ``n_prev`` and ``change`` missing.
    background
        All incidents of the period under the same filters, for ``share`` and the
        significance test; default ``incidents``.
    districts
        Peruspiiri layer for the significance test; default
        ``geo.districts.load_districts("peruspiiri")``.
    params
        Polygon and peak-time settings (``SummaryParams``).
    significance
        Level and correction of the background test (``SignificanceParams``).
    polygons
        The hotspots' outlines, one per label 0, 1, ... (``hotspots.areas``: unions of
        study cells); the labels then name hotspots ``H{label + 1}``. None draws the
        concave hull of each cluster buffered by ``buffer_eps_ratio * eps_m`` and numbers
        the clusters ``H1``, ``H2`` ... in label order.
    intensity_km2
        The hotspots' rank key, one per label (``HotspotAreas.intensity_km2``); default
        ``density_km2``.
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
    label_arr = np.asarray(labels)
    if label_arr.ndim != 1 or label_arr.size != len(incidents):
        raise ParameterError(
            f"labels must hold one label per incident ({len(incidents)}), got shape {label_arr.shape}"
        )
    if label_arr.size and not np.issubdtype(label_arr.dtype, np.integer):
        raise ParameterError(f"labels must be integers (-1 = noise), got dtype {label_arr.dtype}")
    label_arr = label_arr.astype(np.int64)
    background = incidents if background is None else background
    when_all = _local_times(incidents["occurred_at"], "incidents")

    member_rows = np.flatnonzero(label_arr >= 0)
    uniq, inverse = np.unique(label_arr[member_rows], return_inverse=True)
    inverse = inverse.astype(np.int64)
    k = uniq.size
    # Members grouped by hotspot (stable), as shapely.multipoints needs.
    order = np.argsort(inverse, kind="stable")
    member_rows, inverse = member_rows[order], inverse[order]
    members = incidents.iloc[member_rows]

    xy = members[["x_m", "y_m"]].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        row = int(member_rows[np.flatnonzero(bad)[0]])
        raise ParameterError(
            f"incident row {row} has label {label_arr[row]} but no finite x_m/y_m; "
            "cluster only incidents with coordinates"
        )
    n = np.bincount(inverse, minlength=k).astype(np.int64)
    severity = (
        members["severity"].astype("Float64").fillna(params.default_severity).to_numpy(dtype=np.float64)
    )
    score = np.bincount(inverse, weights=severity, minlength=k).astype(np.float64)
    centroid_x = np.bincount(inverse, weights=xy[:, 0], minlength=k) / np.maximum(n, 1)
    centroid_y = np.bincount(inverse, weights=xy[:, 1], minlength=k) / np.maximum(n, 1)

    given = None if polygons is None else np.asarray(polygons, dtype=object)
    if given is not None:
        if k and (uniq.min() < 0 or uniq.max() >= given.size):
            raise ParameterError(
                f"labels run to {int(uniq.max())} but {given.size} polygons were given; give one per label"
            )
        shapes = given[uniq] if k else np.empty(0, dtype=object)
        ids = [f"H{int(label) + 1}" for label in uniq]
    elif k:
        hulls = shapely.concave_hull(shapely.multipoints(xy, indices=inverse), ratio=params.concave_ratio)
        shapes = np.asarray(shapely.buffer(hulls, params.buffer_eps_ratio * eps_m, quad_segs=8), dtype=object)
        ids = [f"H{i + 1}" for i in range(k)]
    else:
        shapes = np.empty(0, dtype=object)
        ids = []
    polygons = shapes
    area_km2 = shapely.area(polygons) / 1e6 if k else np.empty(0)
    if intensity_km2 is not None and k:
        intensity = np.asarray(intensity_km2, dtype=np.float64)[uniq]
    else:
        intensity = n / area_km2 if k else np.empty(0)

    categories, category_names = _count_matrix(inverse, members["category"], k, "other")
    category_dicts, category_mix, top_category = _mix(categories, category_names)
    sources, source_names = _count_matrix(inverse, members["source"], k, "other")
    source_dicts, source_mix, _ = _mix(sources, source_names)

    when = when_all.iloc[member_rows]
    timed = when.notna().to_numpy(dtype=bool)
    cell = (
        inverse[timed] * (_DAYS * _HOURS)
        + when[timed].dt.weekday.to_numpy(dtype=np.int64) * _HOURS
        + when[timed].dt.hour.to_numpy(dtype=np.int64)
    )
    grids = np.bincount(cell, minlength=k * _DAYS * _HOURS).reshape(k, _DAYS, _HOURS)
    windows = [peak_windows(grid, params=params) for grid in grids]
    span = when.groupby(inverse).agg(["min", "max"]).reindex(range(k)).astype(when_all.dtype)

    osa_fi, osa_sv = _district_names(inverse, members["osaalue_fi"], members["osaalue_sv"], k)
    per_fi, per_sv = _district_names(inverse, members["peruspiiri_fi"], members["peruspiiri_sv"], k)

    if previous is not None:
        _check_columns(previous, "previous", ("occurred_at", "x_m", "y_m"))
        n_prev = pd.array(_points_in(polygons, _previous_in_period(previous, period)), dtype="Int64")
    else:
        n_prev = pd.array([pd.NA] * k, dtype="Int64")
    if k:
        if districts is None:
            from geo.districts import load_districts

            districts = load_districts("peruspiiri")
        tests = hotspot_significance(polygons, n, background, districts=districts, params=significance)
    else:
        tests = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in SIGNIFICANCE_COLUMNS[:-1]})
        tests["significant"] = pd.Series(dtype=bool)
    total = len(background)

    table = pd.DataFrame(
        {
            "id": pd.array(ids, dtype="string"),
            "label": uniq.astype(np.int64),
            "n": n,
            "score": score,
            "mean_severity": score / np.maximum(n, 1),
            "area_km2": area_km2,
            "density_km2": n / area_km2 if k else np.empty(0),
            "intensity_km2": intensity,
            "share": n / total if total else np.full(k, np.nan),
            "categories": pd.Series(category_dicts, dtype=object),
            "category_mix": pd.array(category_mix, dtype="string"),
            "top_category": pd.array(top_category, dtype="string"),
            "sources": pd.Series(source_dicts, dtype=object),
            "source_mix": pd.array(source_mix, dtype="string"),
            "first_date": span["min"].dt.normalize().reset_index(drop=True),
            "last_date": span["max"].dt.normalize().reset_index(drop=True),
            "peak_windows": pd.Series([[w.label("en") for w in ws] for ws in windows], dtype=object),
            "peak_times": pd.Series([[w.as_dict() for w in ws] for ws in windows], dtype=object),
            "osaalue_fi": pd.array(osa_fi, dtype="string"),
            "osaalue_sv": pd.array(osa_sv, dtype="string"),
            "peruspiiri_fi": pd.array(per_fi, dtype="string"),
            "peruspiiri_sv": pd.array(per_sv, dtype="string"),
            "n_prev": n_prev,
            "change": pd.Series(n, dtype="Int64") - pd.Series(n_prev, dtype="Int64"),
            "expected": tests["expected"].to_numpy(dtype=np.float64),
            "p_local": tests["p_local"].to_numpy(dtype=np.float64),
            "p_value": tests["p_value"].to_numpy(dtype=np.float64),
            "p_adjusted": tests["p_adjusted"].to_numpy(dtype=np.float64),
            "significant": tests["significant"].to_numpy(dtype=bool),
            "centroid_x_m": centroid_x,
            "centroid_y_m": centroid_y,
        }
    )
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(polygons, crs=crs_code), crs=crs_code)


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
