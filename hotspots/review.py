"""The six-monthly review: the period against the one before, the measures and the next half-year.

Leadership meets every six months and asks three questions; ``review`` answers them in one
call, from the same domain functions the app and the CLI use:

1. *What changed?* ``analysis.analyse`` of the period with ``compare_with="previous"``:
   each hotspot's status against the previous period of equal length (new, persistent,
   intensifying, diminishing; ``hotspots.comparison``) and the previous hotspots that
   vanished.
2. *Did what we did help?* For every recorded measure that ran during the period
   (started before ``until`` and ended after ``since``): its control area
   (``measures.default_control``, the rest of its peruspiiri) and its effect
   (``measures.measure_effect``) against that control, with displacement into the
   buffer ring. A measure is linked to the current hotspots (and the vanished ones) its
   area overlaps, so a briefing can say "H3: outreach Mar-May, -40 % against control".
3. *Where next, and who leads?* ``forecast.forecast_hotspots`` of the period of the same
   length after the data, learnt from all the history up to ``until``; each predicted
   hotspot carries its lead (``recommendation.lead_for``) and recommendation.

When can a measure be read? Its effect compares ``[start - before_days, start)`` with
``[start, start + after_days)`` (``measures.periods``; both the measure's own length by
default). The review reads it only when the data cover both periods *as of the review*:

- ``"not_yet"``: the after period ends after ``until`` or after the day after the last
  incident. A review states what was known at the end of its period, so a measure that
  started in its last weeks waits for the next review (``MeasureReview.readable_from``
  says when it can be read) instead of being judged on half its after period.
- ``"no_history"``: the before period starts before the first day of the data: counts
  before would be too low by construction and the measure would look like a rise.
- ``"no_control"``: the measure's area lies outside every peruspiiri, so there is no
  default control area.
- ``"read"``: the effect was computed. Its verdict may still be ``"too_few"``
  (``measures.DEFAULT_MIN_INCIDENTS``): the data cover the periods, but too few incidents
  happened there to say anything.

Effects count every incident of the measure's targeted categories (``EffectParams``),
whatever the selection's category or district filter: the control area is the whole
surrounding peruspiiri, which a district filter could cut in half.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs
from geo.errors import ParameterError
from hotspots import analysis as analysis_module
from hotspots import comparison, forecast
from hotspots.clustering import ClusteringParams
from hotspots.measure_filters import TOUCH_M2, coverage, overlapping
from hotspots.measures import (
    ControlChoice,
    Effect,
    EffectParams,
    Measure,
    Period,
    RecordedMeasure,
    default_control,
    measure_effect,
    periods,
)
from hotspots.parameters import auto
from hotspots.ranking import RankingWeights
from hotspots.selection import Selection

MeasureState = Literal["read", "not_yet", "no_history", "no_control"]
#: What the review could do with a measure (see the module docstring).
MEASURE_STATES: Final[tuple[MeasureState, ...]] = get_args(MeasureState)
#: The statuses of a review's hotspots: the current ones' and the vanished.
REVIEW_STATUSES: Final = (*comparison.STATUSES, "vanished")


@dataclass(frozen=True)
class MeasureReview:
    """One recorded measure as the review reads it.

    Attributes
    ----------
    recorded
        The measure as the store keeps it.
    state
        ``MEASURE_STATES``: ``"read"`` (``effect`` is set), ``"not_yet"``, ``"no_history"``
        or ``"no_control"`` (see the module docstring).
    before, after
        The periods its effect compares (``measures.periods``).
    control
        Its control area and why (``default_control``); None for ``"no_control"``.
    effect
        Counts, ratio against control, verdict and displacement reading; None unless read.
    hotspot_ids
        Current hotspots (``H1`` ...) its area overlaps, by rank.
    vanished_ids
        Hotspots of the previous period that vanished and that its area overlaps, the
        largest (most incidents then) first.
    """

    recorded: RecordedMeasure
    state: MeasureState
    before: Period
    after: Period
    control: ControlChoice | None = field(repr=False)
    effect: Effect | None = field(repr=False)
    hotspot_ids: tuple[str, ...]
    vanished_ids: tuple[str, ...]

    @property
    def outcome(self) -> str:
        """The verdict code when read (``measures.VERDICTS``), else the state code."""
        return self.effect.verdict if self.effect is not None else self.state

    @property
    def readable_from(self) -> pd.Timestamp:
        """The first day on which the data could cover the after period: its end."""
        return self.after.end


@dataclass(frozen=True)
class Review:
    """The six-monthly situational picture: what changed, what measures did, what comes next.

    Attributes
    ----------
    since, until
        The period ``[since, until)`` in Europe/Helsinki.
    analysis
        The period's analysis against the previous period of equal length: its
        ``hotspots`` carry ``status``, its ``vanished`` the hotspots that went away,
        ``previous_selection`` the previous period.
    measures
        The measures that ran during the period, by start date.
    forecast
        The hotspots predicted for the period of the same length after the data (their
        ``lead`` and ``recommendation`` columns say who should act); None when the data
        hold too little history to forecast (``forecast_problem`` says why).
    forecast_problem
        The one-line reason there is no forecast, else None.
    effect_params
        How the measures' effects were read.
    data_start, data_end
        The first day of the data and the day after its last incident.
    """

    since: pd.Timestamp
    until: pd.Timestamp
    analysis: analysis_module.Analysis = field(repr=False)
    measures: tuple[MeasureReview, ...]
    forecast: forecast.Forecast | None = field(repr=False)
    forecast_problem: str | None
    effect_params: EffectParams
    data_start: pd.Timestamp
    data_end: pd.Timestamp

    @property
    def previous(self) -> Selection:
        """The previous period's selection (the same filters, the same length just before)."""
        previous = self.analysis.previous_selection
        assert previous is not None  # review() always compares with the previous period
        return previous

    def status_counts(self) -> dict[str, int]:
        """Return the hotspots per status (``REVIEW_STATUSES``), zeros included."""
        counts = (
            self.analysis.hotspots["status"].value_counts().to_dict() if len(self.analysis.hotspots) else {}
        )
        out = {status: int(counts.get(status, 0)) for status in comparison.STATUSES}
        out["vanished"] = len(self.analysis.vanished)
        return out

    def measures_at(self, hotspot_id: str) -> tuple[MeasureReview, ...]:
        """Return the measures whose area overlaps the current hotspot ``hotspot_id``."""
        return tuple(m for m in self.measures if hotspot_id in m.hotspot_ids)

    def forecast_table(self) -> gpd.GeoDataFrame:
        """Return the forecast's hotspots by rank, with ``now_id``: the current hotspot at that place.

        Returns
        -------
        GeoDataFrame
            A copy of the forecast's hotspot table (``lead``, ``recommendation`` ...) with
            ``now_id``, the current hotspot it overlaps most (``hotspots.comparison``'s
            matching rule), missing where none is a hotspot now; empty without a forecast.
        """
        if self.forecast is None:
            return gpd.GeoDataFrame({"now_id": pd.array([], dtype="string")}, geometry=[], crs=crs.METRIC)
        predicted = self.forecast.analysis.hotspots
        now = self.analysis.hotspots
        rows, cols, area = comparison.match_hotspots(
            np.asarray(predicted.geometry.values, dtype=object),
            np.asarray(now.geometry.values, dtype=object),
            min_overlap=comparison.ComparisonParams().min_overlap,
        )
        best: list[str | None] = [None] * len(predicted)
        ids = now["id"].astype(str).to_numpy()
        for i in np.lexsort((-area, rows))[::-1]:  # the largest overlap is written last
            best[int(rows[i])] = str(ids[cols[i]])
        out = predicted.copy()
        out["now_id"] = pd.array(best, dtype="string")
        return out

    def outcome_counts(self) -> dict[str, int]:
        """Return the measures per outcome (verdict when read, else state), only those present."""
        counts: dict[str, int] = {}
        for item in self.measures:
            counts[item.outcome] = counts.get(item.outcome, 0) + 1
        return counts


def _horizon(since: pd.Timestamp, until: pd.Timestamp) -> str:
    """Return the period's length as a forecast horizon: whole months as ``"6M"``, else days."""
    start, end = since.tz_localize(None), until.tz_localize(None)
    if start.day == end.day and start == start.normalize() and end == end.normalize():
        months = (end.year - start.year) * 12 + end.month - start.month
        if months > 0:
            return f"{months}M"
    return f"{max(1, round((end - start) / pd.Timedelta(days=1)))}D"


def _data_span(incidents: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first day of the data and the day after the last incident."""
    when = incidents["occurred_at"]
    return when.min().normalize(), when.max().normalize() + pd.Timedelta(days=1)


def _overlapping(
    area: shapely.Geometry, table: gpd.GeoDataFrame, *, by: str, ascending: bool
) -> tuple[str, ...]:
    """Return the ids of polygons overlapping ``area`` (``measure_filters.touching``'s rule), by ``by``."""
    if table.empty:
        return ()
    geometries = np.asarray(table.geometry.values, dtype=object)
    hit = shapely.area(shapely.intersection(geometries, area)) > TOUCH_M2
    chosen = table[hit].sort_values(by, ascending=ascending, kind="stable")
    return tuple(str(v) for v in chosen["id"])


#: The review's words for ``measure_filters.coverage``: what it can do with a measure.
_STATE_OF: Final[dict[str, MeasureState]] = {
    "covered": "read",
    "not_ended": "not_yet",
    "no_before": "no_history",
}


def _state(
    measure: Measure, params: EffectParams, *, until: pd.Timestamp, data: tuple[pd.Timestamp, pd.Timestamp]
) -> MeasureState:
    """``"read"`` when the data cover both periods as of ``until``, else why not.

    The one rule of ``hotspots.measure_filters.coverage`` (the hotspot card's too), with the
    data's end cut at the review's ``until``: a review states what was known then.
    """
    first, end = data
    last_day = (min(until, end) - pd.Timedelta(days=1)).date()
    return _STATE_OF[coverage(measure, first_day=first.date(), last_day=last_day, params=params)]


def _measure_review(
    recorded: RecordedMeasure,
    incidents: pd.DataFrame,
    *,
    result: analysis_module.Analysis,
    peruspiiri_layer: pd.DataFrame,
    params: EffectParams,
    until: pd.Timestamp,
    data: tuple[pd.Timestamp, pd.Timestamp],
) -> MeasureReview:
    """Read one measure: its control area, its effect when the data allow, its hotspots."""
    measure = recorded.measure
    before, after = periods(measure, params)
    try:
        control: ControlChoice | None = default_control(measure, peruspiiri_layer, buffer_m=params.buffer_m)
    except ParameterError:  # outside every peruspiiri: said in the briefing, not raised
        control = None
    state = "no_control" if control is None else _state(measure, params, until=until, data=data)
    effect = None
    if state == "read" and control is not None:
        effect = measure_effect(incidents, measure, control_area=control.area, params=params)
    return MeasureReview(
        recorded=recorded,
        state=state,
        before=before,
        after=after,
        control=control,
        effect=effect,
        hotspot_ids=_overlapping(measure.area, result.hotspots, by="rank", ascending=True),
        vanished_ids=_overlapping(measure.area, result.vanished, by="n", ascending=False),
    )


@dataclass(frozen=True, eq=False)  # eq=False: service points are a frame, with no single truth value
class ReviewSettings:
    """How the review's analyses run: the arguments ``analysis.analyse`` takes besides the period.

    Parameters
    ----------
    selection
        Other filters (categories, sources, districts, hours); its dates are replaced by
        the review's ``since``/``until``.
    clustering, weights, study
        As for ``analysis.analyse``; the forecast uses the same clustering and study area.
    service_points
        Youth centres, schools ... for the recommendations (``read_service_points``); None
        for none.
    parameters
        ``analysis.choose_parameters(...)`` when the caller already chose them (the app's
        city-wide choice): the review's hotspots are then the very ones its map draws.
    """

    selection: Selection = field(default_factory=Selection)
    clustering: ClusteringParams = field(default_factory=ClusteringParams)
    weights: RankingWeights = field(default_factory=RankingWeights)
    study: analysis_module.StudyArea = field(default_factory=analysis_module.StudyArea)
    service_points: pd.DataFrame | None = None
    parameters: auto.AutoChoice | None = None


def _forecast(
    incidents: pd.DataFrame, settings: ReviewSettings, *, until: pd.Timestamp, horizon: str
) -> tuple[forecast.Forecast | None, str | None]:
    """Forecast the next period from all the history before ``until``; None and why when it cannot."""
    try:
        predicted = forecast.forecast_hotspots(
            incidents,
            selection=replace(settings.selection, since=None, until=until),
            clustering=settings.clustering,
            horizon=horizon,
            service_points=settings.service_points,
            where=settings.study,
        )
    except ParameterError as exc:  # too little history: the review stands without a forecast
        return None, str(exc)
    return predicted, None


def _analysis(
    incidents: pd.DataFrame, chosen: Selection, settings: ReviewSettings
) -> analysis_module.Analysis:
    """Analyse the period against the previous one of equal length."""
    if incidents.empty:
        raise ParameterError("incidents hold no rows; import incidents before a review")
    return analysis_module.analyse(
        incidents,
        selection=chosen,
        clustering=settings.clustering,
        weights=settings.weights,
        service_points=settings.service_points,
        compare_with="previous",
        parameters=settings.parameters,
        study=settings.study,
    )


def review(
    incidents: pd.DataFrame,
    *,
    since: pd.Timestamp | str,
    until: pd.Timestamp | str,
    measures: Sequence[RecordedMeasure],
    peruspiiri_layer: pd.DataFrame,
    settings: ReviewSettings = ReviewSettings(),
    effect_params: EffectParams = EffectParams(),  # noqa: B008
) -> Review:
    """Build the six-monthly review of ``[since, until)`` (see the module docstring).

    One analysis of the period against the previous one, one effect per measure of the
    period, one forecast: at 100,000 incidents a few seconds (``bench/review.py``).

    Parameters
    ----------
    incidents
        Canonical incident table (``geo.schema``), all periods; not modified.
    since, until
        The period under review; naive values are Europe/Helsinki days.
    measures
        Recorded measures (``store.measures(...)``); those that did not run during the
        period are left out.
    peruspiiri_layer
        ``geo.districts.load_districts("peruspiiri")`` in EPSG:3067, for the control areas.
    settings
        Filters, clustering, ranking weights, study area and service points
        (``ReviewSettings``).
    effect_params
        How each measure's effect is read (buffer ring, periods, alpha, minimum counts).

    Returns
    -------
    Review

    Raises
    ------
    ParameterError
        ``since`` not before ``until``, no incidents at all, or a bad parameter of the
        analysis.
    """
    chosen = replace(settings.selection, since=since, until=until)
    assert chosen.since is not None and chosen.until is not None  # Selection parsed them
    result = _analysis(incidents, chosen, settings)
    data = _data_span(incidents)
    in_period = overlapping(measures, since=chosen.since, until=chosen.until)
    in_period.sort(key=lambda m: (m.measure.start, m.id))
    reviewed = tuple(
        _measure_review(
            m,
            incidents,
            result=result,
            peruspiiri_layer=peruspiiri_layer,
            params=effect_params,
            until=chosen.until,
            data=data,
        )
        for m in in_period
    )
    predicted, problem = _forecast(
        incidents, settings, until=chosen.until, horizon=_horizon(chosen.since, chosen.until)
    )
    return Review(
        since=chosen.since,
        until=chosen.until,
        analysis=result,
        measures=reviewed,
        forecast=predicted,
        forecast_problem=problem,
        effect_params=effect_params,
        data_start=data[0],
        data_end=data[1],
    )
