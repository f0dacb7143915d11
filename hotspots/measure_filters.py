"""Which recorded measures a view shows, and whether the data reach far enough for an effect.

The app's map shows the measures that ran during the period in view, the hotspot card
those whose area touches the hotspot, and the card reads a measure's effect only when the
incidents cover both of the periods ``hotspots.measures.periods`` compares; otherwise it
says which end is missing rather than reading a half-empty period as a fall.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
import shapely

from geo.schema import TIMEZONE
from hotspots.measures import EffectParams, Measure, RecordedMeasure, periods

Coverage = Literal["covered", "not_ended", "no_before"]
#: ``"covered"``: the data span both periods; ``"not_ended"``: the period from the start
#: reaches past the last day of data; ``"no_before"``: the period before begins before the
#: first day of data.
COVERAGES: Final[tuple[Coverage, ...]] = get_args(Coverage)


def _helsinki(value: object) -> pd.Timestamp:
    """Return ``value`` as a Europe/Helsinki timestamp; naive values are Helsinki wall-clock time."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        return stamp.tz_localize(TIMEZONE, ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert(TIMEZONE)


def overlapping(
    measures: Sequence[RecordedMeasure], *, since: object, until: object
) -> list[RecordedMeasure]:
    """Return the measures that ran at some time in ``[since, until)``, in the given order.

    Parameters
    ----------
    measures
        Recorded measures (e.g. ``IncidentStore.measures(scope=...)``).
    since, until
        The period, half-open; naive values are Helsinki wall-clock time, as for incidents.

    Returns
    -------
    list of RecordedMeasure
        Those with ``start < until`` and ``end > since``.
    """
    low, high = _helsinki(since), _helsinki(until)
    return [r for r in measures if r.measure.start < high and r.measure.end > low]


#: Overlap in m² above which a measure's area and a hotspot are at the same place: more than
#: a shared edge, or the float sliver two outlines drawn on one cell grid can leave.
TOUCH_M2: Final = 1.0


def touching(measures: Sequence[RecordedMeasure], area: shapely.Geometry) -> list[RecordedMeasure]:
    """Return the measures whose area shares more than a boundary with ``area``, in the given order.

    Parameters
    ----------
    measures
        Recorded measures; their areas are in EPSG:3067.
    area
        A polygon in EPSG:3067 metres, e.g. a hotspot's.

    Returns
    -------
    list of RecordedMeasure
        Those whose area and ``area`` overlap by more than ``TOUCH_M2`` (a shared edge
        alone does not count: a measure in the next block was not done here). The review
        links measures and hotspots by the same rule (``hotspots.review``).
    """
    if not measures:
        return []
    areas = np.asarray([r.measure.area for r in measures], dtype=object)
    overlap = shapely.area(shapely.intersection(areas, area)) > TOUCH_M2
    return [r for r, hit in zip(measures, overlap, strict=True) if hit]


def coverage(measure: Measure, *, first_day: date, last_day: date, params: EffectParams) -> Coverage:
    """Say whether incidents from ``first_day`` to ``last_day`` span the periods an effect compares.

    Parameters
    ----------
    measure
        The measure.
    first_day, last_day
        First and last day of the incidents, Helsinki calendar (``Loaded.days``).
    params
        The effect's parameters (their periods, ``hotspots.measures.periods``).

    Returns
    -------
    str
        One of ``COVERAGES``; ``"not_ended"`` wins when both ends are missing (waiting helps
        there, nothing helps the other).
    """
    before, after = periods(measure, params)
    data_end = _helsinki(pd.Timestamp(last_day) + pd.Timedelta(days=1))
    if after.end > data_end:
        return "not_ended"
    if before.start < _helsinki(pd.Timestamp(first_day)):
        return "no_before"
    return "covered"
