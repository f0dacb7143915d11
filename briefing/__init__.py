"""Briefing exports: the map picture, the PDF briefing and the data downloads, safe to share.

Modules: ``privacy`` (suppression, shareable outlines, markings), ``mapimage`` (PNG map),
``pdf`` (two-page PDF briefing), ``downloads`` (GeoJSON, GeoPackage, CSV, XLSX as bytes),
``command`` (the ``hotspots brief`` command). None of them imports Streamlit.

This module holds what every export says about itself, in the reader's language: the
period, the filters, the clustering, the sources and the classification marking.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

import pandas as pd

from geo import schema
from geo.errors import HotspotsError
from hotspots.analysis import Analysis
from hotspots.methods import ClusteringParams
from hotspots.selection import Selection
from hotspots.summary import WEEKDAY_ABBREVIATIONS, weekday_label
from i18n import category_label, check_language, format_number, source_label, t

#: The product name written into file metadata (Software, Creator, Producer).
SOFTWARE: Final = "helsinki-hotspots briefing"


def is_synthetic(analysis: Analysis) -> bool:
    """Return True when every incident of both periods is synthetic demo data (and there are some)."""
    frames = [f for f in (analysis.current, analysis.previous) if len(f)]
    if not frames:
        return False
    return all("synthetic" in f.columns and bool(f["synthetic"].eq(True).all()) for f in frames)


def format_date(stamp: pd.Timestamp, lang: str) -> str:
    """``1.5.2026`` in Finnish and Swedish, ``2026-05-01`` in English."""
    check_language(lang)
    if lang == "en":
        return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"
    return f"{stamp.day}.{stamp.month}.{stamp.year}"


def format_datetime(when: datetime | pd.Timestamp, lang: str) -> str:
    """Date and minute in Europe/Helsinki: ``2.11.2026 klo 09.30``, ``2026-11-02 09:30``."""
    stamp = pd.Timestamp(when)
    stamp = stamp.tz_localize(schema.TIMEZONE) if stamp.tzinfo is None else stamp.tz_convert(schema.TIMEZONE)
    if lang == "fi":
        return f"{format_date(stamp, lang)} klo {stamp.hour:02d}.{stamp.minute:02d}"
    if lang == "sv":
        return f"{format_date(stamp, lang)} kl. {stamp.hour:02d}.{stamp.minute:02d}"
    return f"{format_date(stamp, lang)} {stamp.hour:02d}:{stamp.minute:02d}"


def period_text(selection: Selection | None, lang: str) -> str:
    """Return the period as readers say it: ``1.5.2026–31.10.2026`` (``until`` is exclusive)."""
    if selection is None or (selection.since is None and selection.until is None):
        return t("brief.period_open", lang)
    first = format_date(selection.since, lang) if selection.since is not None else ""
    last = format_date(selection.until - pd.Timedelta(days=1), lang) if selection.until is not None else ""
    return f"{first}–{last}"


def _district_names(level: str, codes: tuple[str, ...], lang: str) -> list[str]:
    from geo import districts

    try:
        layer = districts.load_districts(level)
    except (HotspotsError, OSError):  # names are a courtesy: the codes are right without them
        return list(codes)
    column = "name_sv" if lang == "sv" else "name_fi"
    names = dict(zip(layer["code"].astype(str), layer[column].astype(str), strict=True))
    return [names.get(code, code) for code in codes]


def _hour_runs(hours: tuple[int, ...]) -> str:
    """``(18, 19, 20, 21)`` -> ``"18-22"``; runs comma-joined."""
    present = sorted(set(hours))
    runs: list[str] = []
    start = prev = present[0]
    for hour in [*present[1:], None]:
        if hour is not None and hour == prev + 1:
            prev = hour
            continue
        runs.append(f"{start:02d}-{(prev + 1) % 24:02d}")
        if hour is not None:
            start = prev = hour
    return ", ".join(runs)


def filters_text(
    selection: Selection | None, lang: str, *, district_names: Mapping[str, str] | None = None
) -> str:
    """Return the selection's filters in words: categories, sources, districts, hours, weekdays.

    Parameters
    ----------
    selection
        The analysis' selection.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    district_names
        Code -> name for the chosen districts; default the official layer's names.

    Returns
    -------
    str
        ``"Filters: ..."`` in ``lang``, or the translation of "no filters".
    """
    check_language(lang)
    parts: list[str] = []
    if selection is not None:
        if selection.categories:
            items = ", ".join(category_label(c, lang) for c in selection.categories)
            parts.append(t("brief.filter_categories", lang, items=items))
        if selection.sources:
            items = ", ".join(source_label(s, lang) for s in selection.sources)
            parts.append(t("brief.filter_sources", lang, items=items))
        if selection.has_districts:
            names = [
                name
                for level, codes in selection.chosen_districts.items()
                for name in (
                    [district_names.get(c, c) for c in codes]
                    if district_names is not None
                    else _district_names(level, codes, lang)
                )
            ]
            parts.append(t("brief.filter_districts", lang, items=", ".join(names)))
        if selection.hours:
            parts.append(t("brief.filter_hours", lang, items=_hour_runs(selection.hours)))
        if selection.weekdays:
            days = weekday_label(selection.weekdays, lang) if lang in WEEKDAY_ABBREVIATIONS else ""
            parts.append(t("brief.filter_weekdays", lang, items=days))
    text = "; ".join(parts) if parts else t("brief.filters_none", lang)
    return t("brief.filters", lang, filters=text)


def method_text(clustering: ClusteringParams, lang: str) -> str:
    """``"Hotspots: dbscan, radius 150 m, at least 10 incidents"`` in ``lang``."""
    return t(
        "brief.method",
        lang,
        method=clustering.method.upper(),
        eps_m=format_number(clustering.eps_m, lang),
        min_samples=clustering.min_samples,
    )


def marking(lang: str, *, restricted: bool) -> str:
    """Return the classification marking: ``RESTRICTED`` (translated) or the aggregated note's title."""
    return t("brief.restricted", lang) if restricted else t("brief.aggregated", lang)


def source_lines(
    lang: str,
    *,
    origin: str | None = None,
    synthetic: bool = False,
    population: bool = False,
    tiles_attribution: str | None = None,
) -> list[str]:
    """List the data sources and attributions, one line each, in ``lang``.

    Parameters
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    origin
        Where the incidents came from (file name, store URL without credentials).
    synthetic
        The incidents are synthetic demo data.
    population
        Rates per 1,000 residents are shown (HSY population grid).
    tiles_attribution
        The basemap's attribution when tiles were drawn.

    Returns
    -------
    list of str
    """
    lines: list[str] = []
    if synthetic:
        lines.append(t("brief.source_incidents", lang, origin=t("brief.synthetic", lang)))
    elif origin:
        lines.append(t("brief.source_incidents", lang, origin=origin))
    lines.append(t("map.attribution.districts", lang))
    if population:
        lines.append(t("brief.source_population", lang))
    if tiles_attribution:
        lines.append(t("brief.source_tiles", lang, attribution=tiles_attribution))
    return lines
