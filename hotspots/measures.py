"""Did a measure work? Its effect against a control area, and displacement into a buffer ring.

A *measure* is what partners did somewhere for a while: outreach, patrols, school or NGO
work, an environmental change such as lighting, an event (the record ``Measure`` and the
store's ``RecordedMeasure`` are ``store.measure_records``'s, re-exported here). Its
*effect* compares incidents of the targeted categories before the measure with those from
its start on, in three disjoint zones (EPSG:3067 metres):

- **target** ``T``: the measure's area;
- **buffer ring** ``B``: everything within ``buffer_m`` of the target, minus the target,
  where a displaced problem would turn up first (or a benefit spill over);
- **control** ``C``: a comparison area minus the target and the ring, which shares the
  city-wide and seasonal trends and the recording practice but not the measure.

Periods are half-open: *before* is ``[start - before_days, start)``, *after* is
``[start, start + after_days)``, in days of the Helsinki calendar (a daylight-saving day
counts as one, so midnight stays midnight). Both default to the measure's own length, so
by default "after" is the measure's running time. Unequal lengths cancel in every ratio
below.

The effect against control is ``ratio = (T_a / T_b) / (C_a / C_b)``; below 1 the target
fared better than the control. It is the inverse of Farrington & Welsh's relative effect
size, the standard in crime-prevention evaluation (theirs is above 1 for a desirable
effect; the variance of its logarithm is the same). Its confidence interval is log-normal,
``exp(log ratio ± z * sqrt(1/T_a + 1/T_b + 1/C_a + 1/C_b))`` with ``z`` the normal
quantile of ``1 - alpha/2``. The test is exact: conditional on the margins of the 2 x 2
table ``[[T_a, C_a], [T_b, C_b]]``, the target's share of target + control counts before
and after is compared with Fisher's exact test (the conditional binomial test of two
Poisson ratios; its sample odds ratio *is* ``ratio``). The verdict follows the exact
test, not the approximate interval: ``"fell_more"`` / ``"rose_more"`` than control when
``p < alpha``, else ``"no_clear_difference"``, and ``"too_few"`` (no ratio, no p-value)
when any of ``T_b, T_a, C_b, C_a`` is below ``min_incidents``: a verdict is never read
from noise.

Displacement is read with the weighted displacement quotient of Bowers & Johnson (2003)::

    WDQ = (B_a/C_a - B_b/C_b) / (T_a/C_a - T_b/C_b)

The denominator is the *success measure* (how much the target improved relative to the
control), the numerator the *buffer displacement measure*. Bowers & Johnson compute the
WDQ only when the success measure is negative, i.e. the measure reduced incidents
relative to control; otherwise there is nothing to displace. We are stricter: the
reduction must also pass the exact test (verdict ``"fell_more"``), since a WDQ over a
chance dip divides by noise. The reading (``READINGS``): ``"displacement"`` (WDQ < 0,
the ring rose relative to control), ``"diffusion"`` of benefit (WDQ > 0, the ring fell
too), ``"neither"`` when the ring's own change against control does not pass the same
exact test (the WDQ is then near 0 within noise), ``"no_reduction"`` when the target did
not fall, and ``"too_few"`` when the target, control or ring counts are too few. By
Bowers & Johnson's scale, WDQ < -1 means more displaced than prevented, and WDQ > 1 a
diffusion larger than the direct effect.

Both interval and tests take the counts as Poisson. Crime counts are often overdispersed
(incidents come in runs: one group, one evening, several reports), and the interval is
then too narrow; the ``min_incidents`` floor and the exact test keep the verdict
cautious, but a borderline ``p`` deserves a look at the incidents themselves.

Control area. ``default_control`` takes the peruspiiri that the target lies in, minus the
target and its ring. It is in the same police and youth-services district, shares the
target's trends, seasons and recording practice, is large enough for stable counts, and
is cut clear of the ring so that displacement cannot contaminate it (Bowers & Johnson's
condition on a control). Its weakness: a hotspot is chosen *because* its counts were
high, and high counts tend to fall back by themselves (regression to the mean), which a
surrounding control does not mimic. For that, pass as ``control_area`` other hotspots
with similar counts before and set ``EffectParams(control="given")``.

References
----------
Bowers, K. J. & Johnson, S. D. (2003). Measuring the geographical displacement and
diffusion of benefit effects of crime prevention activity. *Journal of Quantitative
Criminology* 19(3), 275-301.

Farrington, D. P. & Welsh, B. C. (2002). *Effects of improved street lighting on
crime: a systematic review*. Home Office Research Study 251, London.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
import shapely
from scipy import stats

from geo import crs
from geo.errors import ParameterError
from hotspots._measure_validation import (
    calendar_days,
    check_choice,
    checked_area,
    checked_categories,
    shift_days,
)
from store.measure_records import (
    LEADS,
    MEASURE_KINDS,
    PLACE_KINDS,
    Lead,
    Measure,
    MeasureKind,
    PlaceKind,
    RecordedMeasure,
)

#: ``"surrounding"``: the control is the given area minus target and ring; ``"given"``:
#: the control area is used as it is and must stay clear of target and ring.
__all__ = [
    "BUFFER_RANGE_M",
    "CONTROL_RULES",
    "DEFAULT_BUFFER_M",
    "DEFAULT_MIN_INCIDENTS",
    "LEADS",
    "MEASURE_KINDS",
    "PLACE_KINDS",
    "READINGS",
    "VERDICTS",
    "ControlChoice",
    "ControlReason",
    "ControlRule",
    "Effect",
    "EffectParams",
    "Lead",
    "Measure",
    "MeasureKind",
    "Period",
    "PlaceKind",
    "Reading",
    "RecordedMeasure",
    "Verdict",
    "default_control",
    "measure_effect",
    "periods",
]

ControlRule = Literal["surrounding", "given"]
CONTROL_RULES: Final[tuple[ControlRule, ...]] = get_args(ControlRule)
Verdict = Literal["fell_more", "rose_more", "no_clear_difference", "too_few"]
VERDICTS: Final[tuple[Verdict, ...]] = get_args(Verdict)
Reading = Literal["displacement", "diffusion", "neither", "no_reduction", "too_few"]
READINGS: Final[tuple[Reading, ...]] = get_args(Reading)
ControlReason = Literal["surrounding_peruspiiri", "neighbouring_peruspiiri"]

DEFAULT_BUFFER_M: Final = 300.0
BUFFER_RANGE_M: Final = (100.0, 1000.0)
#: Fewest incidents in each of target and control, before and after, for a verdict. At
#: 10 a count's Poisson relative error is 1/sqrt(10) = 32 % and its skewness 0.32, about
#: where the log-normal interval starts to hold; with all four counts at 10 the 95 %
#: interval still spans a factor of exp(1.96 * sqrt(0.4)) = 3.4 either way, so fewer
#: could only ever say "no clear difference" or rest on one or two incidents.
DEFAULT_MIN_INCIDENTS: Final = 10
#: Overlap in m² of a "given" control with target + ring that counts as a sliver.
_SLIVER_M2: Final = 1.0


def _positive_days(name: str, value: float | None) -> None:
    if value is not None and (not np.isfinite(value) or value <= 0):
        raise ParameterError(f"{name} must be > 0 days or None (the measure's length), got {value}")


@dataclass(frozen=True)
class EffectParams:
    """How a measure's effect is read, validated on construction.

    Parameters
    ----------
    buffer_m
        Width of the buffer ring around the target in metres, in [100, 1000].
    before_days, after_days
        Length of the periods before the start and from the start on, in days; None (the
        default) takes the measure's own length.
    control
        ``"surrounding"`` (the control area minus target and ring, for the surrounding
        peruspiiri of ``default_control``) or ``"given"`` (used as it is, e.g. other
        hotspots with similar counts before; it must stay clear of target and ring).
    alpha
        Level of the exact test, in (0, 1); the interval is at ``1 - alpha``.
    min_incidents
        Fewest incidents in each of target and control, before and after, for a verdict
        (and in the ring, for a displacement reading); a whole number >= 1. See
        ``DEFAULT_MIN_INCIDENTS`` for why 10.
    categories
        Categories to count; None (the default) the measure's targeted ones, an empty
        tuple all.
    """

    buffer_m: float = DEFAULT_BUFFER_M
    before_days: float | None = None
    after_days: float | None = None
    control: ControlRule = "surrounding"
    alpha: float = 0.05
    min_incidents: int = DEFAULT_MIN_INCIDENTS
    categories: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        low, high = BUFFER_RANGE_M
        if not np.isfinite(self.buffer_m) or not low <= self.buffer_m <= high:
            raise ParameterError(f"buffer_m must be in [{low:g}, {high:g}] metres, got {self.buffer_m}")
        _positive_days("before_days", self.before_days)
        _positive_days("after_days", self.after_days)
        check_choice("control", self.control, CONTROL_RULES)
        if not 0 < self.alpha < 1:
            raise ParameterError(f"alpha must be in (0, 1), got {self.alpha}")
        if int(self.min_incidents) != self.min_incidents or self.min_incidents < 1:
            raise ParameterError(f"min_incidents must be a whole number >= 1, got {self.min_incidents}")
        if self.categories is not None:
            object.__setattr__(self, "categories", checked_categories("categories", self.categories))


@dataclass(frozen=True)
class Period:
    """A half-open period ``[start, end)`` in Europe/Helsinki."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def days(self) -> float:
        """Length in days of the Helsinki calendar."""
        return calendar_days(self.start, self.end)


def periods(measure: Measure, params: EffectParams) -> tuple[Period, Period]:
    """Return the periods before and from the start of ``measure`` that ``params`` compare.

    Parameters
    ----------
    measure
        The measure.
    params
        ``before_days`` / ``after_days``; None takes the measure's length.

    Returns
    -------
    tuple of Period
        ``(before, after)``: ``[start - before_days, start)`` and ``[start, start + after_days)``.
    """
    before_days = params.before_days or measure.length_days
    after_days = params.after_days or measure.length_days
    before = Period(shift_days(measure.start, -before_days), measure.start)
    return before, Period(measure.start, shift_days(measure.start, after_days))


@dataclass(frozen=True)
class Effect:
    """The effect of a measure: counts, the ratio against control and the displacement reading.

    Counts are ``<zone>_<period>`` with zones target, buffer (the ring), control and
    periods before, after. Ratios, interval, p-values and the WDQ are NaN wherever the
    module docstring says no number is claimed. ``verdict`` (``VERDICTS``) and
    ``wdq_reading`` (``READINGS``) are codes for ``i18n`` to word.
    """

    before: Period
    after: Period
    categories: tuple[str, ...]
    buffer_m: float
    control_rule: ControlRule
    alpha: float
    min_incidents: int
    target_area: shapely.Geometry = field(repr=False)
    buffer_area: shapely.Geometry = field(repr=False)
    control_area: shapely.Geometry = field(repr=False)
    target_before: int
    target_after: int
    buffer_before: int
    buffer_after: int
    control_before: int
    control_after: int
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    verdict: Verdict
    buffer_ratio: float
    buffer_p_value: float
    success_measure: float
    displacement_measure: float
    wdq: float
    wdq_reading: Reading

    def table(self) -> pd.DataFrame:
        """Tabulate counts and rates per zone.

        Returns
        -------
        DataFrame
            Indexed by zone (target, buffer, control): ``area_km2``, ``before``, ``after``,
            ``before_per_30d``, ``after_per_30d`` and ``change`` (the after rate over the
            before rate, NaN when nothing happened before). The control's area includes
            any water in its districts; counts are unaffected.
        """
        zones = ("target", "buffer", "control")
        areas = (self.target_area, self.buffer_area, self.control_area)
        before = np.array([getattr(self, f"{z}_before") for z in zones], dtype=np.float64)
        after = np.array([getattr(self, f"{z}_after") for z in zones], dtype=np.float64)
        rate_before = before / self.before.days * 30
        rate_after = after / self.after.days * 30
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(before > 0, rate_after / rate_before, np.nan)
        return pd.DataFrame(
            {
                "area_km2": [a.area / 1e6 for a in areas],
                "before": before.astype(np.int64),
                "after": after.astype(np.int64),
                "before_per_30d": rate_before,
                "after_per_30d": rate_after,
                "change": change,
            },
            index=pd.Index(zones, name="zone"),
        )


def _zones(
    measure: Measure, control_area: shapely.Geometry, params: EffectParams
) -> tuple[shapely.Geometry, shapely.Geometry, shapely.Geometry]:
    """Return target, buffer ring and control, disjoint, by the control rule of ``params``."""
    target = measure.area
    reach = target.buffer(params.buffer_m)
    ring = reach.difference(target)
    given = checked_area("control_area", control_area)
    if params.control == "given":
        overlap = given.intersection(reach).area
        if overlap > _SLIVER_M2:
            raise ParameterError(
                f"control_area overlaps the target and its {params.buffer_m:g} m ring by "
                f"{overlap:.0f} m²; with control='given' pass an area clear of them, or use "
                "control='surrounding' to cut them out"
            )
    control = given.difference(reach)
    if control.area <= 0:
        raise ParameterError(
            "control_area lies wholly inside the target and its buffer ring; pass a wider "
            "area, e.g. default_control(measure, peruspiiri_layer).area"
        )
    return target, ring, control


def _counts(
    incidents: pd.DataFrame, zones: tuple[shapely.Geometry, ...], before: Period, after: Period
) -> np.ndarray:
    """(zone, period) counts: rows target, ring, control; columns before, after."""
    x = incidents["x_m"].to_numpy(dtype=np.float64)
    y = incidents["y_m"].to_numpy(dtype=np.float64)
    target, ring, control = zones
    for geometry in zones:  # a spatial index cached on the geometry; its value is unchanged
        shapely.prepare(geometry)
    in_target = shapely.intersects_xy(target, x, y)
    in_ring = ~in_target & shapely.intersects_xy(ring, x, y)
    in_control = ~in_target & ~in_ring & shapely.intersects_xy(control, x, y)
    when = incidents["occurred_at"]
    is_before = ((when >= before.start) & (when < before.end)).to_numpy(dtype=bool)
    is_after = ((when >= after.start) & (when < after.end)).to_numpy(dtype=bool)
    return np.array(
        [
            [int((zone & is_before).sum()), int((zone & is_after).sum())]
            for zone in (in_target, in_ring, in_control)
        ]
    )


def _against_control(
    before: int, after: int, control_before: int, control_after: int, alpha: float
) -> tuple[float, float, float, float]:
    """Return the ratio ``(a/b)/(ca/cb)``, its log-normal interval and Fisher's exact two-sided p."""
    ratio = (after / before) / (control_after / control_before)
    se = math.sqrt(1 / after + 1 / before + 1 / control_after + 1 / control_before)
    z = float(stats.norm.ppf(1 - alpha / 2))
    table = [[after, control_after], [before, control_before]]
    p_value = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    return ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se), p_value


def _verdict(counts: np.ndarray, params: EffectParams) -> tuple[Verdict, tuple[float, float, float, float]]:
    """Return the target's verdict and (ratio, ci_low, ci_high, p), NaN when too few."""
    (t_b, t_a), _, (c_b, c_a) = counts.tolist()
    if min(t_b, t_a, c_b, c_a) < params.min_incidents:
        return "too_few", (math.nan, math.nan, math.nan, math.nan)
    ratio, low, high, p_value = _against_control(t_b, t_a, c_b, c_a, params.alpha)
    if p_value >= params.alpha:
        return "no_clear_difference", (ratio, low, high, p_value)
    return ("fell_more" if ratio < 1 else "rose_more"), (ratio, low, high, p_value)


def _displacement(counts: np.ndarray, verdict: Verdict, params: EffectParams) -> dict[str, Any]:
    """Compute Bowers & Johnson's success and displacement measures, the WDQ and its reading."""
    (t_b, t_a), (b_b, b_a), (c_b, c_a) = counts.tolist()
    out: dict[str, Any] = dict.fromkeys(
        ("buffer_ratio", "buffer_p_value", "success_measure", "displacement_measure", "wdq"), math.nan
    )
    if min(c_b, c_a) > 0:
        out["success_measure"] = t_a / c_a - t_b / c_b
        out["displacement_measure"] = b_a / c_a - b_b / c_b
    if verdict == "too_few":
        return out | {"wdq_reading": "too_few"}
    ring_counted = min(b_b, b_a) >= params.min_incidents
    if ring_counted:
        ratio, _, _, p_value = _against_control(b_b, b_a, c_b, c_a, params.alpha)
        out |= {"buffer_ratio": ratio, "buffer_p_value": p_value}
    if verdict != "fell_more":  # Bowers & Johnson: nothing to displace without a reduction
        return out | {"wdq_reading": "no_reduction"}
    if not ring_counted:
        return out | {"wdq_reading": "too_few"}
    out["wdq"] = out["displacement_measure"] / out["success_measure"] + 0.0  # -0.0 reads as 0
    if out["buffer_p_value"] >= params.alpha:
        return out | {"wdq_reading": "neither"}
    return out | {"wdq_reading": "displacement" if out["wdq"] < 0 else "diffusion"}


def _checked_incidents(incidents: pd.DataFrame, categories: tuple[str, ...]) -> pd.DataFrame:
    """Return the rows of the counted categories; raise naming a missing column."""
    needed = ["x_m", "y_m", "occurred_at"] + (["category"] if categories else [])
    missing = [c for c in needed if c not in incidents.columns]
    if missing:
        raise ParameterError(
            f"incidents lack the columns {missing}; pass incidents with x_m/y_m in EPSG:3067, "
            "a timezone-aware occurred_at and category (geo.incidents)"
        )
    if not isinstance(incidents["occurred_at"].dtype, pd.DatetimeTZDtype):
        raise ParameterError(
            f"incidents' occurred_at must be timezone-aware timestamps, got {incidents['occurred_at'].dtype}"
        )
    return incidents[incidents["category"].isin(categories)] if categories else incidents


def measure_effect(
    incidents: pd.DataFrame, measure: Measure, *, control_area: shapely.Geometry, params: EffectParams
) -> Effect:
    """Read the effect of ``measure`` on incidents in its area against control, with displacement.

    See the module docstring for the method, its references and the reading of the
    verdict and the WDQ.

    Parameters
    ----------
    incidents
        Incidents with ``x_m``, ``y_m`` (EPSG:3067), timezone-aware ``occurred_at`` and
        ``category``; not modified. Rows outside the zones or periods are ignored.
    measure
        The measure; its area is the target.
    control_area
        Polygon(s) in EPSG:3067 to compare with, e.g. ``default_control(...).area`` (the
        rest of the surrounding peruspiiri). With ``params.control == "surrounding"`` the
        target and the ring are cut out of it; with ``"given"`` it must be clear of them.
    params
        Buffer width, periods, control rule, alpha, minimum counts and categories.

    Returns
    -------
    Effect
        Counts, ratio with interval, exact p-value, WDQ, codes and the periods used.

    Raises
    ------
    ParameterError
        A missing column, a naive ``occurred_at``, or a control area that leaves nothing
        (or, with ``"given"``, overlaps target and ring).
    """
    categories = measure.categories if params.categories is None else params.categories
    counted = _checked_incidents(incidents, categories)
    target, ring, control = _zones(measure, control_area, params)
    before, after = periods(measure, params)
    counts = _counts(counted, (target, ring, control), before, after)
    verdict, (ratio, ci_low, ci_high, p_value) = _verdict(counts, params)
    (t_b, t_a), (b_b, b_a), (c_b, c_a) = counts.tolist()
    return Effect(
        before=before,
        after=after,
        categories=categories,
        buffer_m=float(params.buffer_m),
        control_rule=params.control,
        alpha=params.alpha,
        min_incidents=int(params.min_incidents),
        target_area=target,
        buffer_area=ring,
        control_area=control,
        target_before=t_b,
        target_after=t_a,
        buffer_before=b_b,
        buffer_after=b_a,
        control_before=c_b,
        control_after=c_a,
        ratio=ratio,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        verdict=verdict,
        **_displacement(counts, verdict, params),
    )


@dataclass(frozen=True)
class ControlChoice:
    """A control area and why it was chosen.

    Parameters
    ----------
    area
        The control polygon(s) in EPSG:3067, clear of the target and its ring.
    codes
        Peruspiiri codes it is made of.
    reason
        ``"surrounding_peruspiiri"``: the rest of the peruspiiri the target lies in;
        ``"neighbouring_peruspiiri"``: those plus their neighbours, because the rest
        alone was smaller than the target.
    """

    area: shapely.Geometry = field(repr=False)
    codes: tuple[str, ...]
    reason: ControlReason


def default_control(
    measure: Measure, peruspiiri_layer: pd.DataFrame, *, buffer_m: float = DEFAULT_BUFFER_M
) -> ControlChoice:
    """Choose the rest of the peruspiiri around a measure's target as its control area.

    Why this control: see the module docstring (same district, trends and recording;
    clear of the ring; not a guard against regression to the mean).

    Parameters
    ----------
    measure
        The measure.
    peruspiiri_layer
        ``geo.districts.load_districts("peruspiiri")``: ``code`` and ``geometry`` in EPSG:3067.
    buffer_m
        Width of the ring to keep clear, as in ``EffectParams``.

    Returns
    -------
    ControlChoice
        The peruspiiri the target overlaps, minus the target and everything within
        ``buffer_m`` of it; when that is smaller than the target, their neighbours join.

    Raises
    ------
    ParameterError
        The layer is not in EPSG:3067, or the target lies outside every peruspiiri.
    """
    EffectParams(buffer_m=buffer_m)  # validates buffer_m with the one rule
    layer_crs = getattr(peruspiiri_layer, "crs", None)
    if layer_crs is not None and str(layer_crs).upper() != crs.METRIC:
        raise ParameterError(f"peruspiiri_layer must be in {crs.METRIC}, got {layer_crs}")
    geometries = np.asarray(peruspiiri_layer["geometry"].to_numpy(), dtype=object)
    codes = peruspiiri_layer["code"].astype(str).to_numpy()
    target = measure.area
    reach = target.buffer(buffer_m)
    chosen = shapely.area(shapely.intersection(geometries, target)) > _SLIVER_M2
    if not chosen.any():
        raise ParameterError("the measure's area lies outside every peruspiiri; pass control_area yourself")
    reason: ControlReason = "surrounding_peruspiiri"
    control = shapely.union_all(geometries[chosen]).difference(reach)
    if control.area < target.area:
        chosen = shapely.intersects(geometries, shapely.union_all(geometries[chosen]).buffer(1.0))
        reason = "neighbouring_peruspiiri"
        control = shapely.union_all(geometries[chosen]).difference(reach)
    if control.area <= 0:
        raise ParameterError(
            "the measure's area covers its peruspiiri and their neighbours; pass control_area"
        )
    return ControlChoice(area=control, codes=tuple(sorted(codes[chosen])), reason=reason)
