"""A recorded measure in words: its kind, who leads, when and where, in the interface language.

Pure (no Streamlit): the map's popup (``views.measure_layer``), the hotspot card and the
list of measures (``views.measure_panel``) all write a measure with these, so they read
alike. Texts are plain; whoever puts them into HTML escapes them.
"""

from __future__ import annotations

from typing import Final

from hotspots.measure_places import districts_text
from hotspots.measures import RecordedMeasure
from i18n import format_days, t

#: Rows of a measure's description: catalogue key of the label, in order.
ROW_KEYS: Final = ("measure.field.kind", "measure.field.lead", "measure.field.period", "measure.field.place")


def kind_label(kind: str, lang: str) -> str:
    """Name a measure kind (``hotspots.measures.MEASURE_KINDS``) in ``lang``."""
    return t(f"measure.kind.{kind}", lang)


def lead_label(lead: str, lang: str) -> str:
    """Name who leads (``hotspots.measures.LEADS``) in ``lang``."""
    return t(f"lead.{lead}", lang)


def lead_text(recorded: RecordedMeasure, lang: str) -> str:
    """Return who leads, with the partner when one is named: ``"Youth work + Helsinki Mission"``."""
    lead = lead_label(recorded.measure.lead, lang)
    partner = recorded.measure.partner.strip()
    return f"{lead} + {partner}" if partner else lead


def period_text(recorded: RecordedMeasure, lang: str) -> str:
    """Return the measure's first and last day: ``"1.5.2026 – 31.7.2026"`` (the end is exclusive)."""
    return format_days(recorded.measure.start, recorded.measure.end, lang)


def place_text(recorded: RecordedMeasure, lang: str) -> str:
    """Return where the measure was: the hotspot or the districts it was recorded for, or "drawn area"."""
    ref = recorded.place_ref.strip()
    if recorded.place_kind == "hotspot":
        return t("measure.place.hotspot", lang, ref=ref)
    if recorded.place_kind == "districts":
        return t("measure.place.districts", lang, ref=districts_text(ref, lang))
    return t("measure.place.drawn", lang)


def measure_rows(recorded: RecordedMeasure, lang: str) -> list[tuple[str, str]]:
    """Return ``(label, value)`` rows that describe a measure: kind, lead, period, place.

    Parameters
    ----------
    recorded
        The measure as the store keeps it.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    list of tuple of str
        Labels and values in ``lang``, plain text (not escaped).
    """
    values = (
        kind_label(recorded.measure.kind, lang),
        lead_text(recorded, lang),
        period_text(recorded, lang),
        place_text(recorded, lang),
    )
    return [(t(key, lang), value) for key, value in zip(ROW_KEYS, values, strict=True)]


def measure_line(recorded: RecordedMeasure, lang: str) -> str:
    """Return the measure in one line: ``"Outreach · Youth work + NGO · 1.5.2026 – 31.7.2026"``."""
    parts = (kind_label(recorded.measure.kind, lang), lead_text(recorded, lang), period_text(recorded, lang))
    return " · ".join(parts)
