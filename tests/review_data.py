"""Planted incidents and measures for the six-monthly review, with answers known by construction.

The background is the demo (``geo.demo``, 3,000 incidents, seed 2026) without any
``weapons`` incident; planted rows are demo rows moved to known places and times and
re-tagged with their real districts (``geo.districts.tag_points``). The review period is
May-October 2026 (``SINCE``, ``UNTIL``); the previous period November 2025-April 2026.

Hotspots (``assault``, 150 rows in a 50 m Gaussian per half-year where present):

- Kaarela (peruspiiri 205): in both periods -> ``persistent``;
- Tuomarinkylä (403): only in the review period -> ``new``;
- Haaga (203): only in the previous period -> vanished.

Measures (``weapons``, the only weapons rows of the data, so every count is the number
planted), each a 200 m square around a point of its peruspiiri, running 1 June-1 August
2026 (61 days: before is 1 April-1 June, after 1 June-1 August):

- Munkkiniemi (202), outreach: target 100 -> 60, ring 50 -> 50, control 200 -> 200: the
  target fell 40 % against a flat control;
- Pitäjänmäki (204), patrol: target 100 -> 50, ring 100 -> 150, control 200 -> 200: the
  problem moved into the ring (WDQ -1);
- Länsi-Pakila (402), school work: target 6 -> 2, control 200 -> 200: too few;
- Puistola (505), an event 1 October-1 December 2026: its after period ends after the
  data, not yet readable;
- Jakomäki (506), environment, January-March 2025: ended before the period, left out.

Control counts are drawn inside each measure's default control area (the rest of its
peruspiiri beyond the 300 m ring), ring counts inside the ring.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import shapely

from geo import demo, districts, schema
from hotspots.clustering import ClusteringParams
from hotspots.measures import Measure, RecordedMeasure, default_control
from hotspots.review import Review, ReviewSettings, review

SINCE, UNTIL = "2026-05-01", "2026-11-01"
TZ = "Europe/Helsinki"
#: Fixed parameters: the planted places are hotspots whatever the automatic choice would do.
CLUSTERING = ClusteringParams(eps_m=150.0, min_samples=12, auto_eps=False, auto_min_samples=False)
PREVIOUS = ("2025-11-01", "2026-05-01")
CURRENT = ("2026-05-01", "2026-10-30")
MEASURE_BEFORE = ("2026-04-01", "2026-06-01")
MEASURE_AFTER = ("2026-06-01", "2026-08-01")
#: Peruspiiri code of each planted place.
PLACES = {
    "persistent": "205",
    "new": "403",
    "vanished": "203",
    "fell": "202",
    "moved": "204",
    "too_few": "402",
    "not_yet": "505",
    "earlier": "506",
}


def _anchor(code: str) -> tuple[float, float]:
    """A point on the land of the peruspiiri ``code`` (its representative point), EPSG:3067."""
    layer = districts.load_districts("peruspiiri")
    land = districts.on_land(layer.loc[layer["code"].astype(str) == code, "geometry"].iloc[0])
    point = land.representative_point()
    return float(point.x), float(point.y)


def target_area(place: str) -> shapely.Polygon:
    """The 200 m square of a planted measure."""
    x, y = _anchor(PLACES[place])
    return shapely.box(x - 100, y - 100, x + 100, y + 100)


def _inside(area: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniform inside ``area`` (rejection from its bounds)."""
    shapely.prepare(area)
    x0, y0, x1, y1 = area.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        xy = rng.uniform((x0, y0), (x1, y1), (4 * n + 16, 2))
        found = np.vstack([found, xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]])
    return found[:n]


def _times(n: int, period: tuple[str, str], rng: np.random.Generator) -> pd.Series:
    start, stop = pd.Timestamp(period[0], tz=TZ), pd.Timestamp(period[1], tz=TZ)
    seconds = rng.uniform(3600, (stop - start).total_seconds() - 3600, n)
    return pd.Series(start + pd.to_timedelta(seconds, unit="s"))


def _rows(
    template: pd.DataFrame, xy: np.ndarray, when: pd.Series, category: str, rng: np.random.Generator
) -> pd.DataFrame:
    """Demo rows moved to ``xy`` and ``when``, re-tagged with their districts."""
    picked = template.iloc[rng.integers(0, len(template), len(xy))].reset_index(drop=True)
    tags = districts.tag_points(xy[:, 0], xy[:, 1])
    frame = picked.assign(x_m=xy[:, 0], y_m=xy[:, 1], occurred_at=when.to_numpy(), category=category)
    for column in tags.columns:
        frame[column] = tags[column].to_numpy()
    return frame


def _blob(
    place: str, n: int, period: tuple[str, str], template: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    x, y = _anchor(PLACES[place])
    xy = np.column_stack([rng.normal(x, 50.0, n), rng.normal(y, 50.0, n)])
    return _rows(template, xy, _times(n, period, rng), "assault", rng)


def measure_of(place: str, kind: str, lead: str, start: str, end: str) -> Measure:
    """The planted measure at ``place`` (a 200 m square), targeting weapons."""
    return Measure(
        kind=kind,  # type: ignore[arg-type]
        lead=lead,  # type: ignore[arg-type]
        area=target_area(place),
        start=pd.Timestamp(start, tz=TZ),
        end=pd.Timestamp(end, tz=TZ),
        partner="Aseeton nuoruus ry" if kind == "school_ngo" else "",
        categories=("weapons",),
        note="Iltapartio perjantaisin",
    )


def _zones(
    place: str, counts: dict[str, tuple[int, int]], template: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Weapons rows in a measure's target, ring and control, before and after."""
    target = target_area(place)
    ring = target.buffer(300.0).difference(target)
    control = default_control(
        measure_of(place, "other", "other", *MEASURE_AFTER), districts.load_districts("peruspiiri")
    )
    areas = {"target": target, "buffer": ring, "control": districts.on_land(control.area)}
    parts = []
    for zone, pair in counts.items():
        for n, period in zip(pair, (MEASURE_BEFORE, MEASURE_AFTER), strict=True):
            if n:
                parts.append(
                    _rows(template, _inside(areas[zone], n, rng), _times(n, period, rng), "weapons", rng)
                )
    return pd.concat(parts, ignore_index=True)


@lru_cache(maxsize=1)
def review_incidents() -> pd.DataFrame:
    """The background and every planted row, as one canonical table sorted by time."""
    rng = np.random.default_rng(16)
    background = demo.generate_demo(n=3000, seed=2026)
    background = background[background["category"] != "weapons"].reset_index(drop=True)
    parts = [
        background,
        _blob("persistent", 150, PREVIOUS, background, rng),
        _blob("persistent", 150, CURRENT, background, rng),
        _blob("new", 150, CURRENT, background, rng),
        _blob("vanished", 150, PREVIOUS, background, rng),
        _zones("fell", {"target": (100, 60), "buffer": (50, 50), "control": (200, 200)}, background, rng),
        _zones("moved", {"target": (100, 50), "buffer": (100, 150), "control": (200, 200)}, background, rng),
        _zones("too_few", {"target": (6, 2), "buffer": (0, 0), "control": (200, 200)}, background, rng),
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame["id"] = pd.array([f"review-{i}" for i in range(len(frame))], dtype="string")
    frame = frame.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    return schema.conform(frame)


def recorded_measures() -> tuple[RecordedMeasure, ...]:
    """The five planted measures as the store would return them."""
    plan = [
        ("fell", "outreach", "youth_work", *MEASURE_AFTER),
        ("moved", "patrol", "police", *MEASURE_AFTER),
        ("too_few", "school_ngo", "school", *MEASURE_AFTER),
        ("not_yet", "event", "joint", "2026-10-01", "2026-12-01"),
        ("earlier", "environment", "other", "2025-01-01", "2025-03-01"),
    ]
    return tuple(
        RecordedMeasure(
            id=i + 1,
            measure=measure_of(place, kind, lead, start, end),
            place_kind="drawn",
            place_ref="",
            osaalue=(),
            recorded_by="analyst",
            recorded_at=pd.Timestamp("2026-05-02 10:00", tz=TZ),
        )
        for i, (place, kind, lead, start, end) in enumerate(plan)
    )


@lru_cache(maxsize=1)
def planted_review() -> Review:
    """The review of May-October 2026 over the planted incidents and measures (built once a run)."""
    return review(
        review_incidents(),
        since=SINCE,
        until=UNTIL,
        measures=recorded_measures(),
        peruspiiri_layer=districts.load_districts("peruspiiri"),
        settings=ReviewSettings(clustering=CLUSTERING),
    )
