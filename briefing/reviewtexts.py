"""The review's words: headline sentences, where and when a measure ran, its result, the table rows.

Everything the review PDF (``review_pdf``) says, as plain strings in Finnish, Swedish or
English, apart from the layout: page 1's headlines (``headlines``) and one result per
measure (``result_text``: no quotient, no p-value), the rows of the changes, zone and
forecast tables, and a measure's effect in sentences (``effect_words``). Counts follow the
briefing's suppression rule (``texts.count_label``): below ``min_count`` they read
``<min_count`` and the changes next to them are left out, unless restricted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from briefing.pdf import BriefOptions
from briefing.reviewmaps import measure_label
from briefing.texts import change_text, count_label, period_text
from hotspots.comparison import STATUSES
from hotspots.measure_places import districts_text
from hotspots.review import MeasureReview, Review
from hotspots.selection import Selection
from i18n import category_label, format_date, format_number, format_percent, recommendation_text, t
from i18n.measures import ratio_change, reading_text, verdict_text

#: Hotspots in the change table and in the forecast table.
TOP_CHANGES: Final = 12
TOP_FORECAST: Final = 10
#: Vanished hotspots named on the changes page.
_VANISHED_NAMED: Final = 5
#: Places named in the forecast's headline.
_FORECAST_NAMED: Final = 3


def dates_text(since: pd.Timestamp, until: pd.Timestamp, lang: str) -> str:
    """Return the first and last day of ``[since, until)``: ``1.5.2026–31.10.2026``.

    Parameters
    ----------
    since, until
        The half-open period.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
    """
    return period_text(Selection(since=since.normalize(), until=until.normalize()), lang)


def _where(names: Sequence[str]) -> str:
    return ", ".join(names)


def district_name(row: pd.Series, lang: str) -> str:
    """Return the first osa-alue of a hotspot (``"Kallio"``): a place a reader knows, never an address.

    Parameters
    ----------
    row
        A row of a hotspot table, with ``osaalue_fi`` and ``osaalue_sv``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        Empty when the hotspot has no osa-alue.
    """
    column = "osaalue_sv" if lang == "sv" else "osaalue_fi"
    value = row.get(column)
    return str(value).split(", ")[0] if isinstance(value, str) and value else ""


def measure_where(item: MeasureReview, osaalue: gpd.GeoDataFrame, lang: str) -> str:
    """Return the osa-alue the measure's area lies in (two at most, largest share first).

    Parameters
    ----------
    item
        One of ``Review.measures``.
    osaalue
        The osa-alue layer in EPSG:3067 (``name_fi``, ``name_sv``).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        ``"Munkkiniemi"``, ``"Kallio, Sörnäinen"``; "Helsinki" when no osa-alue holds more
        than a tenth of the area. A measure recorded for districts is named by them
        (``"Kallio"``, not the two osa-alue that hold most of it).
    """
    if item.recorded.place_kind == "districts" and item.recorded.place_ref:
        return districts_text(item.recorded.place_ref, lang)
    area = item.recorded.measure.area
    geometries = np.asarray(osaalue.geometry.values, dtype=object)
    shares = shapely.area(shapely.intersection(geometries, area)) / max(area.area, 1.0)
    order = [i for i in np.argsort(-shares, kind="stable")[:2] if shares[i] > 0.1]
    column = "name_sv" if lang == "sv" else "name_fi"
    names = [str(osaalue[column].iloc[i]) for i in order]
    return _where(names) or t("brief.place_city", lang)


def measure_when(item: MeasureReview, lang: str) -> str:
    """Return the days a measure ran, as ``dates_text``."""
    measure = item.recorded.measure
    return dates_text(measure.start, measure.end, lang)


def measure_facts(item: MeasureReview, lang: str) -> str:
    """Return a measure's facts under its title: when, who led (and the partner), which categories.

    Parameters
    ----------
    item
        One of ``Review.measures``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The recorded facts; never the free-text note, which only restricted briefings show.
    """
    measure = item.recorded.measure
    categories = ", ".join(category_label(c, lang) for c in measure.categories)
    partner = t("review.partner", lang, partner=measure.partner) if measure.partner else ""
    return t(
        "review.measure_facts",
        lang,
        when=measure_when(item, lang),
        lead=t(f"lead.{measure.lead}", lang),
        partner=partner,
        categories=categories or t("review.categories_all", lang),
    )


def result_text(item: MeasureReview, lang: str) -> str:
    """Return a measure's result in plain words: fell/rose more than the surroundings, or why not.

    Parameters
    ----------
    item
        One of ``Review.measures``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        E.g. ``"incidents fell more than in the surrounding area (-40%); the problem seems
        to have moved to nearby streets"``; no quotient, no p-value.
    """
    effect = item.effect
    if effect is None:
        return t(f"review.verdict.{item.state}", lang, date=format_date(item.readable_from, lang))
    if effect.verdict in ("fell_more", "rose_more"):
        text = t(f"review.verdict.{effect.verdict}", lang, change=ratio_change(effect.ratio, lang))
    else:
        text = t(f"review.verdict.{effect.verdict}", lang)
    if effect.wdq_reading in ("displacement", "diffusion"):
        text += "; " + t(f"review.reading.{effect.wdq_reading}", lang)
    return text


def _headline_hotspots(review: Review, lang: str) -> list[str]:
    counts = review.status_counts()
    parts = ", ".join(
        f"{t(f'status.{s}', lang).lower()} {format_number(counts[s], lang)}" for s in STATUSES if counts[s]
    )
    lines = [
        t("review.headline.hotspots", lang, n=format_number(len(review.analysis.hotspots), lang), parts=parts)
    ]
    if counts["vanished"]:
        lines[0] += " " + t("review.headline.vanished", lang, n=format_number(counts["vanished"], lang))
    return lines


def _headline_incidents(review: Review, options: BriefOptions) -> str:
    lang, restricted, min_count = options.lang, options.restricted, options.min_count
    key = review.analysis.key
    n = count_label(key.incidents, lang, min_count=min_count, restricted=restricted)
    previous = count_label(key.incidents_previous, lang, min_count=min_count, restricted=restricted)
    change = change_text(review.analysis, lang, min_count=min_count, restricted=restricted)
    if change:
        return t("review.headline.incidents", lang, n=n, previous=previous, change=change)
    return t("review.headline.incidents_plain", lang, n=n, previous=previous)


def _headline_measures(review: Review, lang: str) -> str:
    if not review.measures:
        return t("review.headline.no_measures", lang)
    order = (
        "fell_more",
        "rose_more",
        "no_clear_difference",
        "too_few",
        "not_yet",
        "no_history",
        "no_control",
    )
    counts = review.outcome_counts()
    parts = ", ".join(
        t(f"review.outcome.{o}", lang, n=format_number(counts[o], lang)) for o in order if o in counts
    )
    text = t("review.headline.measures", lang, n=format_number(len(review.measures), lang), parts=parts)
    moved = sum(1 for m in review.measures if m.effect is not None and m.effect.wdq_reading == "displacement")
    if moved:
        text += " " + t("review.headline.displacement", lang, n=format_number(moved, lang))
    return text


def _headline_forecast(review: Review, lang: str) -> list[str]:
    if review.forecast is None:
        return [t("review.headline.no_forecast", lang)]
    table = review.forecast_table()
    if table.empty:
        return []
    named: dict[str, str] = {}  # the top places by name, once each (one district can hold several)
    for _, row in table.iterrows():
        place = district_name(row, lang)
        if place and place not in named:
            lead = t(f"lead.{row['lead']}", lang).lower()
            named[place] = t("review.place_lead", lang, place=place, lead=lead)
        if len(named) == _FORECAST_NAMED:
            break
    period = dates_text(review.forecast.since, review.forecast.until, lang)
    first = t(
        "review.headline.forecast",
        lang,
        period=period,
        n=format_number(len(table), lang),
        places=", ".join(named.values()),
    )
    leads = table.head(TOP_FORECAST)["lead"].value_counts()
    second = t(
        "review.headline.leads",
        lang,
        youth=format_number(int(leads.get("youth_work", 0)), lang),
        police=format_number(int(leads.get("police", 0)), lang),
        joint=format_number(int(leads.get("joint", 0)), lang),
    )
    return [first, second]


def headlines(review: Review, options: BriefOptions) -> list[str]:
    """Return page 1's headline sentences: hotspots, incidents, measures, forecast, leads.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result.
    options
        Language, disclosure and the suppression threshold.

    Returns
    -------
    list of str
        Four or five plain sentences (counts suppressed as in the tables).
    """
    lang = options.lang
    return [
        *_headline_hotspots(review, lang),
        _headline_incidents(review, options),
        _headline_measures(review, lang),
        *_headline_forecast(review, lang),
    ]


def hotspot_ranks(review: Review, ids: Sequence[str]) -> str:
    """Return hotspot ids as the ranks the maps number them by: ``"5, 8"``.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result.
    ids
        Current hotspots' ids; ids that are not current hotspots are left out.

    Returns
    -------
    str
    """
    table = review.analysis.hotspots
    rank_of = dict(zip(table["id"].astype(str), table["rank"].astype(int), strict=True))
    return ", ".join(str(rank_of[i]) for i in ids if i in rank_of)


def change_rows(review: Review, options: BriefOptions) -> list[list[str]]:
    """Return the changes table: rank, place, status, incidents now and before, measures there.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result.
    options
        Language, disclosure and the suppression threshold.

    Returns
    -------
    list of list of str
        The header row, then one row per hotspot, the top ``TOP_CHANGES``.
    """
    lang, restricted, min_count = options.lang, options.restricted, options.min_count
    header = [
        t("column.rank", lang),
        t("brief.column_where", lang),
        t("review.column.status", lang),
        t("column.incidents", lang),
        t("column.incidents_previous", lang),
        t("review.column.measures", lang),
    ]
    labels = {item.recorded.id: measure_label(i) for i, item in enumerate(review.measures)}
    rows = [header]
    for _, row in review.analysis.hotspots.head(TOP_CHANGES).iterrows():
        status = row.get("status")
        before = float(row.get("n_before", 0.0) or 0.0)
        here = ", ".join(labels[m.recorded.id] for m in review.measures_at(str(row["id"])))
        rows.append(
            [
                str(int(row["rank"])),
                district_name(row, lang),
                t(f"status.{status}", lang) if isinstance(status, str) else "",
                count_label(row["n"], lang, min_count=min_count, restricted=restricted),
                count_label(round(before), lang, min_count=min_count, restricted=restricted)
                if before > 0
                else "–",
                here,
            ]
        )
    return rows


def vanished_text(review: Review, lang: str) -> str:
    """Return the sentence naming where hotspots vanished, the largest first, once per place.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        Empty when no hotspot vanished.
    """
    vanished = review.analysis.vanished
    if vanished.empty:
        return ""
    largest = vanished.sort_values("n", ascending=False, kind="stable")
    names: list[str] = []
    for _, row in largest.iterrows():
        name = district_name(row, lang)
        if name and name not in names:
            names.append(name)
    items = ", ".join(names[:_VANISHED_NAMED])
    if len(names) > _VANISHED_NAMED:
        items = t("review.vanished_more", lang, items=items, n=len(names) - _VANISHED_NAMED)
    return t("review.vanished_list", lang, items=items)


def zone_rows(item: MeasureReview, options: BriefOptions) -> list[list[str]]:
    """Return a read measure's zones (target, ring, control): area, counts before and after, change.

    Parameters
    ----------
    item
        One of ``Review.measures`` with an ``effect``.
    options
        Language, disclosure and the suppression threshold.

    Returns
    -------
    list of list of str
        The header row, then one row per zone; a change is left out when a count beside it is suppressed.
    """
    lang, restricted, min_count = options.lang, options.restricted, options.min_count
    effect = item.effect
    assert effect is not None
    header = [
        t("review.column.zone", lang),
        t("column.area_km2", lang),
        t("review.column.before", lang),
        t("review.column.after", lang),
        t("brief.column_change_pct", lang),
    ]
    names = {
        "target": t("review.zone.target", lang),
        "buffer": t("review.zone.buffer", lang, buffer_m=round(effect.buffer_m)),
        "control": t("review.zone.control", lang),
    }
    rows = [header]
    for zone, row in effect.table().iterrows():
        shown = restricted or min(int(row["before"]), int(row["after"])) >= min_count
        change = row["change"]
        rows.append(
            [
                names[str(zone)],
                format_number(float(row["area_km2"]), lang, decimals=2),
                count_label(int(row["before"]), lang, min_count=min_count, restricted=restricted),
                count_label(int(row["after"]), lang, min_count=min_count, restricted=restricted),
                format_percent(100 * (float(change) - 1), lang, decimals=0, signed=True)
                if shown and math.isfinite(float(change))
                else "",
            ]
        )
    return rows


def effect_words(item: MeasureReview, options: BriefOptions) -> list[str]:
    """Return a measure's effect in sentences (``i18n.measures``), or why it cannot be read yet.

    Parameters
    ----------
    item
        One of ``Review.measures``.
    options
        Language, disclosure and the suppression threshold: a too-few count below
        ``min_count`` is not told.

    Returns
    -------
    list of str
        The verdict and the displacement reading, or one sentence saying why there is none.
    """
    lang = options.lang
    effect = item.effect
    if effect is None:
        if item.state == "not_yet":
            return [t("review.not_yet", lang, date=format_date(item.readable_from, lang))]
        if item.state == "no_history":
            return [t("review.no_history", lang, date=format_date(item.before.start, lang))]
        return [t("review.no_control", lang)]
    if effect.verdict == "too_few":
        target = count_label(
            effect.target_before + effect.target_after,
            lang,
            min_count=options.min_count,
            restricted=options.restricted,
        )
        return [t("measure.verdict.too_few", lang, target=target, min=effect.min_incidents)]
    return [verdict_text(effect, lang), reading_text(effect, lang)]


def forecast_rows(review: Review, options: BriefOptions) -> list[list[str]]:
    """Return the forecast table: rank, place, the hotspot there now, who should lead, what to do.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result.
    options
        Language, disclosure and the suppression threshold.

    Returns
    -------
    list of list of str
        The header row, then one row per predicted hotspot, the top ``TOP_FORECAST``.
    """
    lang = options.lang
    header = [
        t("column.rank", lang),
        t("brief.column_where", lang),
        t("review.column.now", lang),
        t("column.lead", lang),
        t("column.recommendation", lang),
    ]
    rows = [header]
    for _, row in review.forecast_table().head(TOP_FORECAST).iterrows():
        now = row["now_id"]
        rows.append(
            [
                str(int(row["rank"])),
                district_name(row, lang),
                hotspot_ranks(review, [now]) if isinstance(now, str) else t("review.now_new", lang),
                t(f"lead.{row['lead']}", lang),
                recommendation_text(row["recommendation"], lang),
            ]
        )
    return rows
