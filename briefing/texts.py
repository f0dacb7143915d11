"""What every export says about itself, in the reader's language.

The period, the filters, the clustering, the sources, the classification marking and the
counts as shown (suppressed below ``min_count``), shared by the picture, the PDF and the
data downloads so that they word each fact the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Final

import pandas as pd

from briefing.privacy import count_text
from geo import districts, schema
from geo.errors import HotspotsError
from hotspots.analysis import Analysis
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection
from i18n import (
    LANGUAGES,
    category_label,
    check_language,
    format_date,
    format_number,
    format_percent,
    source_label,
    t,
    weekday_label,
)
from i18n import format_datetime as i18n_format_datetime

#: The product name written into file metadata (Software, Creator, Producer).
SOFTWARE: Final = "helsinki-hotspots briefing"
#: District names a title spells out before "+ N more".
PLACES_NAMED: Final = 3


def is_synthetic(analysis: Analysis) -> bool:
    """Return True when every incident of both periods is synthetic demo data (and there are some).

    Parameters
    ----------
    analysis
        Analysis result: its current and comparison periods' incidents.

    Returns
    -------
    bool
        False when there are no incidents or any lacks the ``synthetic`` flag.
    """
    frames = [f for f in (analysis.current, analysis.previous) if len(f)]
    if not frames:
        return False
    return all("synthetic" in f.columns and bool(f["synthetic"].eq(True).all()) for f in frames)


def generation_time(generated_at: datetime | pd.Timestamp | None) -> pd.Timestamp:
    """Return the time a file states as generated: ``generated_at``, or now in Helsinki.

    The briefing, the review and the district files take ``generated_at`` so that a caller
    can make identical files; without it they are stamped now (Europe/Helsinki).
    """
    return pd.Timestamp.now(tz=schema.TIMEZONE) if generated_at is None else pd.Timestamp(generated_at)


def format_datetime(when: datetime | pd.Timestamp, lang: str) -> str:
    """Return date and minute in Europe/Helsinki: ``2.11.2026 klo 09.30``, ``2026-11-02 09:30``.

    ``i18n.format_datetime`` in Helsinki time, whatever zone ``when`` is in.

    Parameters
    ----------
    when
        A time; a naive one is taken as Helsinki time.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
    """
    stamp = pd.Timestamp(when)
    stamp = stamp.tz_localize(schema.TIMEZONE) if stamp.tzinfo is None else stamp.tz_convert(schema.TIMEZONE)
    return i18n_format_datetime(stamp, lang)


def period_text(selection: Selection | None, lang: str) -> str:
    """Return the period as readers say it: ``1.5.2026–31.10.2026`` (``until`` is exclusive).

    Parameters
    ----------
    selection
        The analysis' selection; None or one without dates is the open period.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        First and last day, or the translation of "all dates".
    """
    if selection is None or (selection.since is None and selection.until is None):
        return t("brief.period_open", lang)
    first = format_date(selection.since, lang) if selection.since is not None else ""
    last = format_date(selection.until - pd.Timedelta(days=1), lang) if selection.until is not None else ""
    return f"{first}–{last}"


def _district_names(level: str, codes: tuple[str, ...], lang: str) -> list[str]:
    try:
        layer = districts.load_districts(level)
    except (HotspotsError, OSError):  # names are a courtesy: the codes are right without them
        return list(codes)
    column = "name_sv" if lang == "sv" else "name_fi"
    names = dict(zip(layer["code"].astype(str), layer[column].astype(str), strict=True))
    return [names.get(code, code) for code in codes]


def chosen_names(
    selection: Selection, lang: str, *, district_names: Mapping[str, str] | None = None
) -> list[str]:
    """Return the names of the selection's chosen districts, coarsest level first.

    Parameters
    ----------
    selection
        The analysis' selection (empty list without a district choice).
    lang
        ``"sv"`` gives the Swedish names, ``"fi"`` and ``"en"`` the Finnish ones.
    district_names
        Code -> name; default the official layers' names (codes where those cannot be had).

    Returns
    -------
    list of str
    """
    return [
        name
        for level, codes in selection.chosen_districts.items()
        for name in (
            [district_names.get(c, c) for c in codes]
            if district_names is not None
            else _district_names(level, codes, lang)
        )
    ]


def place_text(
    selection: Selection | None, lang: str, *, district_names: Mapping[str, str] | None = None
) -> str:
    """Return where a briefing looks: the chosen districts (``"Kallio, Vallila"``) or the city.

    Parameters
    ----------
    selection
        The analysis' selection; None or one without districts is the whole city.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    district_names
        Code -> name; default the official layers' names.

    Returns
    -------
    str
        At most ``PLACES_NAMED`` names, then "+ N more" in ``lang``; ``"Helsinki"``
        (``"Helsingfors"`` in Swedish) without a district choice.
    """
    check_language(lang)
    if selection is None or not selection.has_districts:
        return t("brief.place_city", lang)
    names = chosen_names(selection, lang, district_names=district_names)
    if len(names) <= PLACES_NAMED:
        return ", ".join(names)
    return t("brief.place_more", lang, names=", ".join(names[:PLACES_NAMED]), n=len(names) - PLACES_NAMED)


def title_text(
    selection: Selection | None, lang: str, *, district_names: Mapping[str, str] | None = None
) -> str:
    """Return a briefing's title: what, where and when (``"Safety hotspots – Kallio, 2026-05-01–..."``).

    Parameters
    ----------
    selection
        The analysis' selection: its districts and period.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    district_names
        Code -> name; default the official layers' names.

    Returns
    -------
    str
        Plain text: callers escape it for their medium (PDF paragraphs, HTML).
    """
    return t(
        "brief.title",
        lang,
        place=place_text(selection, lang, district_names=district_names),
        period=period_text(selection, lang),
    )


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
            names = chosen_names(selection, lang, district_names=district_names)
            parts.append(t("brief.filter_districts", lang, items=", ".join(names)))
        if selection.hours:
            parts.append(t("brief.filter_hours", lang, items=_hour_runs(selection.hours)))
        if selection.weekdays:
            days = weekday_label(selection.weekdays, lang) if lang in LANGUAGES else ""
            parts.append(t("brief.filter_weekdays", lang, items=days))
    text = "; ".join(parts) if parts else t("brief.filters_none", lang)
    return t("brief.filters", lang, filters=text)


def method_text(clustering: ClusteringParams, lang: str) -> str:
    """Return the clustering in words: ``"Hotspots: DBSCAN, radius 150 m, at least 10 incidents"``.

    Parameters
    ----------
    clustering
        The analysis' clustering parameters.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
    """
    return t(
        "brief.method",
        lang,
        method=clustering.method.upper(),
        eps_m=format_number(clustering.eps_m, lang),
        min_samples=clustering.min_samples,
    )


def hotspot_definition(clustering: ClusteringParams, lang: str) -> str:
    """Return what a hotspot is, in plain words and with its two numbers, for readers without the method.

    Parameters
    ----------
    clustering
        The analysis' clustering parameters (radius and minimum count).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        ``"A hotspot is a place where incidents concentrate: at least 10 within 150 m of each other."``
    """
    return t(
        "brief.hotspot_definition",
        lang,
        eps_m=format_number(clustering.eps_m, lang),
        min_samples=format_number(clustering.min_samples, lang),
    )


def marking(lang: str, *, restricted: bool) -> str:
    """Return the classification marking: ``RESTRICTED`` (translated) or the aggregated note's title.

    Parameters
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    restricted
        The export is restricted.

    Returns
    -------
    str
        ``"KÄYTTÖ RAJOITETTU"``, ``"RESTRICTED"`` ... or ``"Koottu, jaettavissa"`` ...
    """
    return t("brief.restricted", lang) if restricted else t("brief.aggregated", lang)


def count_label(value: object, lang: str, *, min_count: int, restricted: bool) -> str:
    """Return a count as a reader sees it: ``"1 900"`` (grouped the reader's way), ``"<5"`` or ``""``.

    Parameters
    ----------
    value
        A count (int, float or missing).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``: how digits are grouped.
    min_count
        Counts below this are shown as ``"<min_count"`` unless ``restricted``.
    restricted
        Exact counts (restricted outputs).

    Returns
    -------
    str
        ``privacy.count_text`` with its digits grouped for ``lang``.
    """
    text = count_text(value, min_count=min_count, restricted=restricted)
    return format_number(int(text), lang) if text.isdigit() else text


def change_text(analysis: Analysis, lang: str, *, min_count: int, restricted: bool) -> str:
    """Return the change against the comparison period: ``"+318 (+30 %)"``, ``"-52 (-4%)"``.

    Parameters
    ----------
    analysis
        Analysis result: its key figures and whether it has a comparison period.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``: digit groups and the per cent sign.
    min_count
        Either period below this and not ``restricted``: empty (the change would tell the
        suppressed count).
    restricted
        Exact counts.

    Returns
    -------
    str
        The change, empty when suppressed, "no comparison period" without one.
    """
    key = analysis.key
    if analysis.previous_selection is None:
        return t("brief.no_comparison", lang)
    if not restricted and (key.incidents < min_count or key.incidents_previous < min_count):
        return ""
    sign = "+" if key.change > 0 else "-" if key.change < 0 else ""
    text = sign + format_number(abs(key.change), lang)
    if key.change_pct is not None and math.isfinite(key.change_pct):
        text += f" ({format_percent(key.change_pct, lang, decimals=0, signed=True)})"
    return text


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
