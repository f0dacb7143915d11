"""Translations: one catalogue per language (fi, sv, en); domain code returns codes, this renders them.

``catalogue``: ``t(key, lang, **fmt)`` fills a template from ``i18n/locales/<lang>.json``;
the label helpers name categories, sources and district levels; ``numbers``: numbers,
percentages, p-values, areas, dates and months the way each language writes them.
``measures``: a measure's effect in words (``effect_text``). ``weekdays``: weekdays and peak windows
(``weekday_label``, ``peak_window_label``, ``peak_times_text``). ``recommendation``: a
hotspot's recommendation in words (``recommendation_text``) and the exports' text columns
(``hotspot_texts``). ``problems``: what went wrong with a user's file, in words (``error_text``,
``reject_reason``, ``field_label``).
"""

from i18n.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    catalogue,
    category_label,
    check_language,
    level_label,
    placeholders,
    source_label,
    t,
)
from i18n.measures import effect_text
from i18n.numbers import (
    format_area_km2,
    format_date,
    format_datetime,
    format_days,
    format_number,
    format_p,
    format_percent,
    month_name,
)
from i18n.problems import error_text, field_label, reject_reason
from i18n.recommendation import hotspot_texts, recommendation_text
from i18n.weekdays import peak_times_text, peak_window_label, weekday_abbreviations, weekday_label

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "catalogue",
    "category_label",
    "check_language",
    "effect_text",
    "error_text",
    "field_label",
    "format_area_km2",
    "format_date",
    "format_datetime",
    "format_days",
    "format_number",
    "format_p",
    "format_percent",
    "hotspot_texts",
    "level_label",
    "month_name",
    "peak_times_text",
    "peak_window_label",
    "placeholders",
    "recommendation_text",
    "reject_reason",
    "source_label",
    "t",
    "weekday_abbreviations",
    "weekday_label",
]
