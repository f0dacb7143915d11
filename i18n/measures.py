"""A measure's effect in words (``hotspots.measures``), in Finnish, Swedish and English.

``effect_text`` gives the two sentences a leadership briefing or the hotspot card shows:
what happened in the target against the control (with the relative change and its 95 %
interval, or that the data are too few to say anything), and what happened around it
(displacement, diffusion of benefit, or neither). The domain returns codes and numbers;
this module only words them.
"""

from __future__ import annotations

import math

from hotspots.measures import Effect
from i18n.catalogue import t
from i18n.numbers import format_number, format_p, format_percent


def ratio_change(ratio: float, lang: str) -> str:
    """``0.6`` -> ``-40 %``: a ratio against control as a signed change, whole per cent."""
    return format_percent(100 * (ratio - 1), lang, decimals=0, signed=True)


def verdict_text(effect: Effect, lang: str, *, target_text: str | None = None) -> str:
    """Return the target's sentence: fell or rose more than control (with the interval), or why not.

    Parameters
    ----------
    effect
        From ``hotspots.measures.measure_effect``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    target_text
        How to write the target's count when the data are too few, e.g. ``"<5"`` for a
        user who sees only aggregates (``briefing.privacy.count_text``); default the number.

    Returns
    -------
    str
        E.g. ``"Against the control area, incidents in the target area changed by -40% (95%
        interval -59% to -13%, p = 0.009): a clear fall."``; no number when the counts are
        too few.
    """
    if effect.verdict == "too_few" or not math.isfinite(effect.ratio):
        return t(
            "measure.verdict.too_few",
            lang,
            target=target_text if target_text is not None else effect.target_before + effect.target_after,
            min=effect.min_incidents,
        )
    return t(
        f"measure.verdict.{effect.verdict}",
        lang,
        change=ratio_change(effect.ratio, lang),
        low=ratio_change(effect.ci_low, lang),
        high=ratio_change(effect.ci_high, lang),
        p=format_p(effect.p_value, lang),
    )


def reading_text(effect: Effect, lang: str) -> str:
    """Return the surroundings' sentence: displacement, diffusion of benefit, neither, or why not.

    Parameters
    ----------
    effect
        From ``hotspots.measures.measure_effect``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The reading of the weighted displacement quotient (Bowers & Johnson 2003) in words,
        with the quotient when one was computed.
    """
    wdq = effect.wdq
    number = format_number(wdq, lang, decimals=2, signed=True) if math.isfinite(wdq) else ""
    return t(f"measure.reading.{effect.wdq_reading}", lang, wdq=number, buffer_m=round(effect.buffer_m))


def effect_text(effect: Effect, lang: str, *, target_text: str | None = None) -> str:
    """Return both sentences, the target's first (``target_text`` as in ``verdict_text``)."""
    return f"{verdict_text(effect, lang, target_text=target_text)} {reading_text(effect, lang)}"
