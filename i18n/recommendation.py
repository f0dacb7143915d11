"""Recommendations in words: who leads, where, when and what is near, in fi, sv and en.

``hotspots.recommendation.recommend`` decides (a ``Recommendation`` of codes, names and
distances); this module words it from the ``recommendation.*`` keys of the catalogues.
English uses the Finnish district names; Swedish the Swedish names of districts and of
service points where the data have them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from hotspots.placenames import place_name
from hotspots.recommendation import DistrictNames, NearbyService, Recommendation
from i18n.catalogue import LANGUAGES, catalogue, t
from i18n.weekdays import peak_times_text, peak_window_label

#: Text columns ``hotspot_texts`` returns.
TEXT_COLUMNS: Final = ("peak_windows", *(f"recommendation_{lang}" for lang in LANGUAGES))


def _join(items: Sequence[str], lang: str) -> str:
    """Join ``["a", "b", "c"]`` as ``"a, b and c"`` in ``lang``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('recommendation.and', lang)} {items[-1]}"


def _where(names: DistrictNames, lang: str, place: str) -> str:
    """Name the street or place, the osa-alue, their peruspiiri in brackets, or the hotspot."""
    extra = [name for name in names.peruspiiri if name not in names.osaalue]
    if not names.osaalue and not extra:
        return (
            t("recommendation.where.place_only", lang, place=place)
            if place
            else t("recommendation.where.unknown", lang)
        )
    text = ", ".join(names.osaalue or extra)
    if names.osaalue and extra:
        text += f" ({', '.join(extra)})"
    if place:
        return t("recommendation.where.place", lang, place=place, names=text)
    return t("recommendation.where", lang, names=text)


#: Service kinds a youth worker can go out from or meet young people at, in this order.
_YOUTH_KINDS: Final = ("youth_centre", "community_centre", "school", "college", "library")


def _partner(recommendation: Recommendation, lang: str) -> str:
    """Youth work's line when the police lead: outreach nearby, from the nearest youth service."""
    if recommendation.lead != "police":
        return ""
    services = recommendation.services or ()
    youth = [s for kind in _YOUTH_KINDS for s in services if s.kind == kind]
    if not youth:
        return t("recommendation.partner.police", lang)
    first = youth[0]
    name = (first.name_sv or first.name) if lang == "sv" else first.name
    return t("recommendation.partner.police_from", lang, name=name, kind=_kind(first.kind, lang))


def _kind(kind: str, lang: str) -> str:
    key = f"recommendation.kind.{kind}"
    return t(key if key in catalogue(lang) else "recommendation.kind.other", lang)


def _item(service: NearbyService, lang: str) -> str:
    name = (service.name_sv or service.name) if lang == "sv" else service.name
    return t(
        "recommendation.item", lang, name=name, kind=_kind(service.kind, lang), distance_m=service.distance_m
    )


def recommendation_text(recommendation: Recommendation, lang: str, *, place: str = "") -> str:
    """Word a hotspot's recommendation in one language.

    Parameters
    ----------
    recommendation
        From the ``recommendation`` column of ``hotspots.recommendation.recommend``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    place
        The hotspot's nearest street address or place in ``lang``
        (``hotspots.placenames.place_name``), named first; "" when unnamed or when a small
        count would let the address point at one incident's door.

    Returns
    -------
    str
        E.g. ``"Police lead: patrols at Kaivokatu 8 (Kluuvi); Fri-Sat 20-02. Youth work:
        outreach nearby before the peak, from Oodi (library). Nearest: Oodi (library,
        120 m)."``; not HTML-escaped.
    """
    names = recommendation.names_sv if lang == "sv" else recommendation.names_fi
    windows = [peak_window_label(window, lang) for window in recommendation.windows]
    when = t("recommendation.when", lang, windows=_join(windows, lang)) if windows else ""
    where = _where(names, lang, place)
    sentence = t(f"recommendation.lead.{recommendation.lead}", lang, where=where, when=when)
    sentence += _partner(recommendation, lang)
    services = recommendation.services
    if services is None:
        return sentence
    if not services:
        return sentence + t(
            "recommendation.nearest.none", lang, distance_m=round(recommendation.max_distance_m)
        )
    items = ", ".join(_item(service, lang) for service in services)
    return sentence + t("recommendation.nearest", lang, items=items)


def hotspot_texts(hotspots: pd.DataFrame) -> pd.DataFrame:
    """Word the hotspot table's texts for the exports: peak windows and the recommendations.

    Parameters
    ----------
    hotspots
        Table with ``peak_times`` and ``recommendation`` (``hotspots.analysis.analyse``),
        and ``place_fi``/``place_sv`` when named: the recommendations name them, so blank
        them first where a small count forbids.

    Returns
    -------
    DataFrame
        ``TEXT_COLUMNS``, same index as ``hotspots``: ``peak_windows`` in English (the
        exports' one language for it) and ``recommendation_fi``, ``recommendation_sv``,
        ``recommendation_en``.
    """
    texts = {
        f"recommendation_{lang}": pd.array(
            [
                recommendation_text(row["recommendation"], lang, place=place_name(row, lang))
                for _, row in hotspots.iterrows()
            ],
            dtype="string",
        )
        for lang in LANGUAGES
    }
    # A data column: no window is an empty cell, not words.
    windows = pd.array(
        [peak_times_text(w, "en") if w else "" for w in hotspots["peak_times"]], dtype="string"
    )
    return pd.DataFrame({"peak_windows": windows, **texts}, index=hotspots.index, columns=list(TEXT_COLUMNS))
