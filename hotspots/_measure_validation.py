"""Checks of a measure's fields: each message names the field, the bad value and the fix.

Private to ``hotspots.measures`` and tested through it (``tests/test_measures.py``).
"""

from __future__ import annotations

import pandas as pd
import shapely

from geo import crs
from geo.errors import ParameterError
from geo.schema import CATEGORIES, TIMEZONE


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Raise a ParameterError naming ``name`` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ParameterError(f"{name} was {value!r} but is expected to be one of {list(allowed)}")


def helsinki_time(name: str, value: object) -> pd.Timestamp:
    """Return ``value`` in Europe/Helsinki; naive values are Helsinki wall-clock time (geo.timeparse)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT or not isinstance(stamp, pd.Timestamp):
        raise ParameterError(f"{name} must be a date or timestamp such as '2026-05-01', got {value!r}")
    if stamp.tzinfo is None:
        return stamp.tz_localize(TIMEZONE, ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert(TIMEZONE)


def calendar_days(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Return the days from ``start`` to ``end`` on the wall clock, so 1 March to 1 June is 92."""
    return (end.tz_localize(None) - start.tz_localize(None)) / pd.Timedelta(days=1)


def shift_days(stamp: pd.Timestamp, days: float) -> pd.Timestamp:
    """Move ``stamp`` by ``days`` on the Helsinki wall clock (midnight stays midnight across DST)."""
    moved = stamp.tz_localize(None) + pd.Timedelta(days=days)
    return moved.tz_localize(TIMEZONE, ambiguous=True, nonexistent="shift_forward")


def checked_area(name: str, area: object) -> shapely.Geometry:
    """Check a non-empty polygonal area in EPSG:3067 metres in the Helsinki region; make it valid."""
    if not isinstance(area, shapely.Polygon | shapely.MultiPolygon) or area.is_empty:
        raise ParameterError(
            f"{name} must be a non-empty shapely Polygon or MultiPolygon in EPSG:3067, "
            f"got {type(area).__name__}"
        )
    x0, y0, x1, y1 = area.bounds
    guessed = crs.guess_crs([x0, x1], [y0, y1])
    if guessed != crs.METRIC:
        raise ParameterError(
            f"{name} must be in EPSG:3067 metres in the Helsinki region, but its bounds "
            f"{tuple(round(v, 3) for v in area.bounds)} look like {guessed or 'another CRS'}; "
            "reproject it with geo.crs.transform first"
        )
    valid = shapely.make_valid(area) if not area.is_valid else area
    if valid.area <= 0:
        raise ParameterError(f"{name} has no area; draw a polygon, not a line or a point")
    return valid


def checked_categories(name: str, value: object) -> tuple[str, ...]:
    """Return ``value`` as a tuple of canonical categories, each once, or raise."""
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise ParameterError(f"{name} must be a tuple of categories such as ('drug_dealing',), got {value!r}")
    unknown = [c for c in value if c not in CATEGORIES]
    if unknown or len(set(value)) != len(value):
        raise ParameterError(
            f"{name} was {value!r} but each must appear once and be one of {list(CATEGORIES)}"
        )
    return tuple(value)
