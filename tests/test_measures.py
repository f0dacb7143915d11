"""The effect of a measure on synthetic incidents whose counts are known by construction.

A 200 m x 200 m target is centred at (386000, 6672000) in EPSG:3067 (Kluuvi). Incidents
are drawn uniformly (fixed seeds) in square rings around the centre, by Chebyshev
distance ``max(|dx|, |dy|)``:

- target: [0, 95) m, inside the target;
- buffer: [120, 290) m, inside the 300 m ring (the farthest such point, a corner at
  (290, 290), is sqrt(2) * 190 = 269 m from the target's corner);
- control: [600, 1900) m, inside the 2 km control square and clear of the ring (400 m);
- outside: [2100, 2500) m, counted nowhere.

So every count below is the number of points asked for, and the expected ratio, interval,
p-value and WDQ are computed by hand from those numbers with the standard library only.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.districts import load_districts
from geo.errors import ParameterError
from hotspots import Effect, EffectParams, Measure, default_control, measure_effect
from hotspots.measures import periods

X0, Y0 = 386_000.0, 6_672_000.0
TARGET = shapely.box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100)
CONTROL = shapely.box(X0 - 2000, Y0 - 2000, X0 + 2000, Y0 + 2000)
RINGS = {"target": (0, 95), "buffer": (120, 290), "control": (600, 1900), "outside": (2100, 2500)}
START, END = (
    pd.Timestamp("2026-03-01", tz="Europe/Helsinki"),
    pd.Timestamp("2026-06-01", tz="Europe/Helsinki"),
)
BEFORE = (pd.Timestamp("2025-11-29", tz="Europe/Helsinki"), START)  # 92 days, the measure's length
AFTER = (START, END)


def _ring_points(rng: np.random.Generator, n: int, inner: float, outer: float) -> np.ndarray:
    """``n`` points uniform in the square ring ``inner <= max(|dx|, |dy|) < outer`` around the centre."""
    found = np.empty((0, 2))
    while len(found) < n:
        xy = rng.uniform(-outer, outer, (4 * n + 8, 2))
        chebyshev = np.abs(xy).max(axis=1)
        found = np.vstack([found, xy[(chebyshev >= inner) & (chebyshev < outer)]])
    return found[:n] + np.array([X0, Y0])


def _times(rng: np.random.Generator, n: int, period: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    seconds = rng.uniform(60, (period[1] - period[0]).total_seconds() - 60, n)
    return pd.Series(period[0] + pd.to_timedelta(seconds, unit="s"))


def _incidents(
    counts: dict[tuple[str, str], int], *, category: str = "drug_dealing", seed: int = 0
) -> pd.DataFrame:
    """Incidents with ``counts[(zone, period)]`` rows in each zone and period (before/after)."""
    rng = np.random.default_rng(seed)
    parts = []
    for (zone, period), n in counts.items():
        xy = _ring_points(rng, n, *RINGS[zone])
        when = _times(rng, n, BEFORE if period == "before" else AFTER)
        parts.append(
            pd.DataFrame({"x_m": xy[:, 0], "y_m": xy[:, 1], "occurred_at": when, "category": category})
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["occurred_at"] = frame["occurred_at"].dt.tz_convert("Europe/Helsinki")
    return frame


def _counts(t: tuple[int, int], b: tuple[int, int], c: tuple[int, int]) -> dict[tuple[str, str], int]:
    zones = {"target": t, "buffer": b, "control": c, "outside": (37, 41)}
    return {
        (zone, period): n
        for zone, pair in zones.items()
        for period, n in zip(("before", "after"), pair, strict=True)
    }


def _measure(**changes: object) -> Measure:
    fields: dict[str, object] = {
        "kind": "outreach",
        "lead": "youth_work",
        "area": TARGET,
        "start": START,
        "end": END,
        "categories": ("drug_dealing",),
    }
    return Measure(**(fields | changes))  # type: ignore[arg-type]


def _effect(incidents: pd.DataFrame, **params: object) -> Effect:
    return measure_effect(incidents, _measure(), control_area=CONTROL, params=EffectParams(**params))  # type: ignore[arg-type]


def _fisher_two_sided(table: list[list[int]]) -> float:
    """Fisher's exact test by hand: sum the hypergeometric tables no likelier than the observed one."""
    (a, b), (c, d) = table
    row, col, total = a + b, a + c, a + b + c + d

    def prob(k: int) -> float:
        return math.comb(row, k) * math.comb(total - row, col - k) / math.comb(total, col)

    observed = prob(a)
    support = range(max(0, col - (total - row)), min(row, col) + 1)
    return sum(p for p in map(prob, support) if p <= observed * (1 + 1e-7))


def test_target_falling_40_percent_against_flat_control_fell_more_than_control() -> None:
    effect = _effect(_incidents(_counts(t=(100, 60), b=(50, 50), c=(200, 200)), seed=1))
    assert (effect.target_before, effect.target_after) == (100, 60)
    assert (effect.buffer_before, effect.buffer_after) == (50, 50)
    assert (effect.control_before, effect.control_after) == (200, 200)
    assert effect.ratio == pytest.approx(0.6)
    # Hand: se = sqrt(1/60 + 1/100 + 1/200 + 1/200) = 0.19149; 0.6 * exp(-/+ 1.96 * se).
    z = NormalDist().inv_cdf(0.975)
    se = math.sqrt(1 / 60 + 1 / 100 + 1 / 200 + 1 / 200)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((0.6 * math.exp(-z * se), 0.6 * math.exp(z * se)))
    assert (effect.ci_low, effect.ci_high) == pytest.approx((0.4122, 0.8733), abs=1e-4)
    assert effect.ci_high < 1
    assert effect.p_value == pytest.approx(_fisher_two_sided([[60, 200], [100, 200]]), rel=1e-9)
    assert effect.p_value < 0.01
    assert effect.verdict == "fell_more"
    # The ring stayed flat with the control: a WDQ of 0, read as neither.
    assert effect.wdq == pytest.approx(0.0)
    assert effect.wdq_reading == "neither"


def test_a_rise_is_read_as_rose_more_and_a_small_change_as_no_clear_difference() -> None:
    rose = _effect(_incidents(_counts(t=(60, 100), b=(50, 50), c=(200, 200)), seed=2))
    assert rose.ratio == pytest.approx(100 / 60)
    assert (rose.verdict, rose.wdq_reading) == ("rose_more", "no_reduction")
    assert math.isnan(rose.wdq)
    small = _effect(_incidents(_counts(t=(100, 90), b=(50, 50), c=(200, 200)), seed=3))
    assert small.ratio == pytest.approx(0.9)
    assert small.ci_low < 1 < small.ci_high
    assert small.p_value == pytest.approx(_fisher_two_sided([[90, 200], [100, 200]]), rel=1e-9)
    assert (small.verdict, small.wdq_reading) == ("no_clear_difference", "no_reduction")


@pytest.mark.parametrize(
    ("buffer", "wdq", "reading"),
    [
        ((100, 150), -1.0, "displacement"),  # what left the target turned up in the ring
        ((100, 50), 1.0, "diffusion"),  # the ring fell as much as the target
        ((100, 100), 0.0, "neither"),
    ],
)
def test_the_weighted_displacement_quotient_reads_displacement_and_diffusion(
    buffer: tuple[int, int], wdq: float, reading: str
) -> None:
    effect = _effect(_incidents(_counts(t=(100, 50), b=buffer, c=(200, 200)), seed=4))
    # Hand (Bowers & Johnson 2003): SM = 50/200 - 100/200 = -0.25; DM = B_a/200 - 100/200.
    assert effect.success_measure == pytest.approx(-0.25)
    assert effect.displacement_measure == pytest.approx((buffer[1] - buffer[0]) / 200)
    assert effect.wdq == pytest.approx(wdq)
    assert effect.wdq_reading == reading
    assert effect.buffer_ratio == pytest.approx(buffer[1] / buffer[0])
    assert effect.buffer_p_value == pytest.approx(
        _fisher_two_sided([[buffer[1], 200], [buffer[0], 200]]), rel=1e-9
    )


def test_too_few_incidents_claims_no_ratio_and_no_verdict() -> None:
    effect = _effect(_incidents(_counts(t=(6, 2), b=(30, 30), c=(200, 200)), seed=5))
    assert (effect.target_before, effect.target_after) == (6, 2)
    assert effect.verdict == "too_few"
    assert effect.wdq_reading == "too_few"
    for value in (effect.ratio, effect.ci_low, effect.ci_high, effect.p_value, effect.wdq):
        assert math.isnan(value)
    # The threshold is a parameter: at min_incidents=2 the same counts are read (and say nothing clear).
    lenient = _effect(_incidents(_counts(t=(6, 2), b=(30, 30), c=(200, 200)), seed=5), min_incidents=2)
    assert lenient.ratio == pytest.approx(2 / 6)
    assert lenient.verdict == "no_clear_difference"


def test_a_quiet_ring_gives_a_verdict_but_no_displacement_reading() -> None:
    effect = _effect(_incidents(_counts(t=(100, 50), b=(3, 9), c=(200, 200)), seed=6))
    assert effect.verdict == "fell_more"
    assert effect.wdq_reading == "too_few"
    assert math.isnan(effect.wdq) and math.isnan(effect.buffer_ratio)
    # Without a reduction there is nothing to displace, whatever the ring holds.
    rose = _effect(_incidents(_counts(t=(50, 100), b=(3, 9), c=(200, 200)), seed=6))
    assert (rose.verdict, rose.wdq_reading) == ("rose_more", "no_reduction")


def test_only_the_targeted_categories_count_by_default() -> None:
    drugs = _incidents(_counts(t=(100, 60), b=(50, 50), c=(200, 200)), seed=7)
    # Assaults rise in the target: not what the measure targeted.
    assaults = _incidents(
        {
            ("target", "before"): 20,
            ("target", "after"): 120,
            ("control", "before"): 50,
            ("control", "after"): 50,
        },
        category="assault",
        seed=8,
    )
    incidents = pd.concat([drugs, assaults], ignore_index=True)
    targeted = _effect(incidents)
    assert targeted.categories == ("drug_dealing",)
    assert (targeted.target_before, targeted.target_after, targeted.control_after) == (100, 60, 200)
    assert targeted.verdict == "fell_more"
    everything = _effect(incidents, categories=())
    assert everything.categories == ()
    assert (everything.target_before, everything.target_after) == (120, 180)
    assert everything.ratio == pytest.approx((180 / 120) / (250 / 250))
    assert everything.verdict == "rose_more"
    chosen = _effect(incidents, categories=("assault",))
    assert (chosen.target_before, chosen.target_after) == (20, 120)
    # A measure that targets nothing in particular counts every category.
    broad = measure_effect(incidents, _measure(categories=()), control_area=CONTROL, params=EffectParams())
    assert (broad.target_before, broad.target_after) == (120, 180)


def test_periods_default_to_the_measures_length_and_take_given_days() -> None:
    measure = _measure()
    assert measure.length_days == 92
    before, after = periods(measure, EffectParams())
    assert (before.start, before.end, after.start, after.end) == (*BEFORE, *AFTER)
    before, after = periods(measure, EffectParams(before_days=30, after_days=180))
    assert before.days == 30 and after.days == 180 and before.end == after.start == START
    # Incidents after the measure's end are outside the default "after" period.
    incidents = _incidents(_counts(t=(100, 60), b=(50, 50), c=(200, 200)), seed=9)
    late = incidents.assign(occurred_at=incidents["occurred_at"] + pd.Timedelta(days=200))
    effect = _effect(pd.concat([incidents, late], ignore_index=True))
    assert (effect.target_before, effect.target_after) == (100, 60)


def test_the_table_gives_counts_rates_and_areas_per_zone() -> None:
    effect = _effect(_incidents(_counts(t=(100, 60), b=(50, 50), c=(200, 200)), seed=10))
    table = effect.table()
    assert list(table.index) == ["target", "buffer", "control"]
    assert table.loc["target", "area_km2"] == pytest.approx(0.04)
    # Ring: the 200 m square grown by 300 m with round corners, minus the square.
    ring_km2 = (4 * 200 * 300 + math.pi * 300**2) / 1e6
    assert table.loc["buffer", "area_km2"] == pytest.approx(ring_km2, rel=1e-3)
    assert table.loc["control", "area_km2"] == pytest.approx(16 - 0.04 - ring_km2, rel=1e-3)
    assert table.loc["target", "before_per_30d"] == pytest.approx(100 / 92 * 30)
    assert table.loc["target", "change"] == pytest.approx(0.6)
    assert table["before"].tolist() == [100, 50, 200]
    assert not effect.control_area.intersects(TARGET.buffer(299))


def test_the_input_frame_is_not_modified() -> None:
    incidents = _incidents(_counts(t=(100, 60), b=(50, 50), c=(200, 200)), seed=11)
    pristine = incidents.copy(deep=True)
    _effect(incidents)
    pd.testing.assert_frame_equal(incidents, pristine)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "leafleting"}, "kind"),
        ({"lead": "mayor"}, "lead"),
        ({"partner": 7}, "partner"),
        ({"note": None}, "note"),
        ({"area": shapely.Point(X0, Y0)}, "area"),
        ({"area": shapely.box(24.9, 60.1, 24.95, 60.2)}, "area"),  # lon/lat, not metres
        ({"start": "not a date"}, "start"),
        ({"end": START - pd.Timedelta(days=1)}, "end"),
        ({"categories": ("drugs",)}, "categories"),
        ({"categories": "drug_dealing"}, "categories"),
    ],
)
def test_a_bad_measure_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ParameterError, match=rf"^{field}\b"):
        _measure(**changes)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"buffer_m": 50}, "buffer_m"),
        ({"buffer_m": 1500}, "buffer_m"),
        ({"before_days": 0}, "before_days"),
        ({"after_days": -3}, "after_days"),
        ({"control": "nearby"}, "control"),
        ({"alpha": 1.0}, "alpha"),
        ({"min_incidents": 0}, "min_incidents"),
        ({"min_incidents": 2.5}, "min_incidents"),
        ({"categories": ("everything",)}, "categories"),
    ],
)
def test_bad_effect_params_are_refused_naming_the_field(params: dict[str, object], field: str) -> None:
    with pytest.raises(ParameterError, match=rf"^{field}\b"):
        EffectParams(**params)  # type: ignore[arg-type]


def test_a_measure_keeps_helsinki_time_and_reads_naive_dates_as_helsinki() -> None:
    measure = _measure(start="2026-03-01", end=pd.Timestamp("2026-05-31T21:00:00Z"))
    assert measure.start == START and str(measure.start.tz) == "Europe/Helsinki"
    assert measure.end == END and str(measure.end.tz) == "Europe/Helsinki"


def test_control_areas_that_leave_nothing_or_overlap_a_given_control_are_refused() -> None:
    incidents = _incidents(_counts(t=(100, 60), b=(50, 50), c=(200, 200)), seed=12)
    with pytest.raises(ParameterError, match=r"^control_area lies wholly inside"):
        measure_effect(incidents, _measure(), control_area=TARGET.buffer(250), params=EffectParams())
    with pytest.raises(ParameterError, match=r"^control_area overlaps"):
        measure_effect(incidents, _measure(), control_area=CONTROL, params=EffectParams(control="given"))
    far = shapely.box(X0 + 600, Y0 - 2000, X0 + 2000, Y0 + 2000)
    given = measure_effect(incidents, _measure(), control_area=far, params=EffectParams(control="given"))
    assert given.control_area.equals(far) and given.control_rule == "given"
    with pytest.raises(ParameterError, match="occurred_at"):
        _effect(incidents.drop(columns="occurred_at"))
    with pytest.raises(ParameterError, match="timezone-aware"):
        _effect(incidents.assign(occurred_at=incidents["occurred_at"].dt.tz_localize(None)))


def test_the_default_control_is_the_rest_of_the_surrounding_peruspiiri() -> None:
    layer = load_districts("peruspiiri")
    choice = default_control(_measure(), layer)
    holding = layer[layer.intersects(TARGET)]
    assert choice.reason == "surrounding_peruspiiri"
    assert choice.codes == tuple(sorted(holding["code"]))
    expected = shapely.union_all(holding.geometry.to_numpy()).difference(TARGET.buffer(300))
    assert choice.area.symmetric_difference(expected).area < 1.0
    assert not choice.area.intersects(TARGET.buffer(299))
    # A target covering its whole peruspiiri leaves nothing: its neighbours join.
    whole = holding.geometry.iloc[0]
    big = default_control(_measure(area=whole), layer)
    assert big.reason == "neighbouring_peruspiiri"
    assert len(big.codes) > len(choice.codes) and big.area.area > whole.area
    with pytest.raises(ParameterError, match=r"^buffer_m"):
        default_control(_measure(), layer, buffer_m=5)
