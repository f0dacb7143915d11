"""A measure's effect in words (``i18n.measures``): the hand-checkable cases of test_measures, worded."""

from __future__ import annotations

import pytest

from i18n import t
from i18n.measures import effect_text, reading_text, verdict_text
from tests.test_measures import _counts, _effect, _incidents


def test_a_40_percent_fall_is_worded_with_its_interval_in_three_languages() -> None:
    effect = _effect(_incidents(_counts(t=(100, 60), b=(50, 50), c=(200, 200)), seed=1))
    assert verdict_text(effect, "en") == (
        "Against the control area, incidents in the target area changed by -40% "
        "(95% interval -59% to -13%, p = 0.009): a clear fall."
    )
    fi = verdict_text(effect, "fi")
    assert "kohdealueella -40\u00a0%" in fi and "p = 0,009" in fi and fi.endswith("selvä lasku.")
    assert "-59\u00a0% … -13\u00a0%" in verdict_text(effect, "sv")


@pytest.mark.parametrize(("buffer", "reading"), [((100, 150), "displacement"), ((100, 50), "diffusion")])
def test_displacement_and_diffusion_are_named_with_the_quotient(
    buffer: tuple[int, int], reading: str
) -> None:
    effect = _effect(_incidents(_counts(t=(100, 50), b=buffer, c=(200, 200)), seed=4))
    wdq = "-1.00" if reading == "displacement" else "+1.00"
    assert reading_text(effect, "en") == t(f"measure.reading.{reading}", "en", wdq=wdq, buffer_m=300)
    assert wdq.replace(".", ",") in reading_text(effect, "fi")


def test_too_few_incidents_say_so_and_claim_no_number() -> None:
    effect = _effect(_incidents(_counts(t=(6, 2), b=(30, 30), c=(200, 200)), seed=5))
    text = effect_text(effect, "en")
    assert text.startswith("Too few incidents to say anything: 8 in the target area")
    assert "%" not in text and "WDQ" not in text


def test_too_few_incidents_can_hold_back_the_exact_count_for_an_aggregated_reader() -> None:
    effect = _effect(_incidents(_counts(t=(3, 1), b=(30, 30), c=(200, 200)), seed=5))
    assert verdict_text(effect, "en").startswith("Too few incidents to say anything: 4 in the target area")
    held = effect_text(effect, "fi", target_text="<5")
    assert held.startswith(t("measure.verdict.too_few", "fi", target="<5", min=10))
    assert " 4 " not in held
