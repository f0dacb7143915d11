"""The six-monthly review as a PDF for the leadership meeting, in Finnish, Swedish or English.

Page 1 is the one-page summary: title with period and area, four or five headline
sentences (the hotspots and how they changed, the incidents, the measures and their
results in words, the forecast's top places and who should lead), a small map of the
hotspots coloured by change with the measures outlined, and one line per measure. Then:

- *How the hotspots changed*: the map coloured by status with the vanished hotspots
  dashed, the counts per status and the top hotspots with their change and measures;
- *The measures and their effect*: per measure, a map of its target, buffer ring and
  control area with a legend, the counts per zone before and during (``Effect.table``),
  and the effect in words (``i18n.measures``); measures not yet readable say when;
- *The next half-year*: the forecast's map and its top places with who should lead and
  the recommendation.

Shares ``pdf``'s page furniture (marking, generated-at time, page numbers), fonts, tables
and metadata (a real creation date). Aggregated by default like every briefing: counts
below ``min_count`` are ``<min_count`` (and the changes next to them left out), no
incident descriptions, no incident points, hotspot outlines on the shareable grid, a
measure's free-text note only when restricted.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Final
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus.tables import TableStyle

from briefing.mapimage import MapOptions, MapSize, map_figure
from briefing.pdf import (
    BOTTOM_MARGIN,
    FRAME_HEIGHT,
    IMAGE_DPI,
    MAP_TEXT_PT,
    TOP_MARGIN,
    BriefOptions,
    PageFurniture,
    png_image,
    story_height,
)
from briefing.pdftables import CONTENT_WIDTH, MARGIN, paragraph, styles, table_style
from briefing.privacy import AGGREGATED, RESTRICTED, outline_cell_m
from briefing.rendering import figure_png_bytes
from briefing.reviewmaps import (
    CONTROL_COLOUR,
    RING_COLOUR,
    STATUS_COLOURS,
    TARGET_COLOUR,
    VANISHED_EDGE,
    measure_figure,
    measure_label,
    status_figure,
)
from briefing.texts import (
    SOFTWARE,
    change_text,
    count_label,
    is_synthetic,
    marking,
    method_text,
    period_text,
    place_text,
    source_lines,
)
from geo import districts as district_layers
from geo import schema
from hotspots.comparison import STATUSES, ComparisonParams
from hotspots.review import MeasureReview, Review
from hotspots.selection import Selection
from i18n import category_label, format_date, format_number, format_percent, recommendation_text, t
from i18n.measures import reading_text, verdict_text

#: Hotspots in the change table and in the forecast table.
TOP_CHANGES: Final = 12
TOP_FORECAST: Final = 10
#: Vanished hotspots named on the changes page.
_VANISHED_NAMED: Final = 5
#: Places named in the forecast's headline.
_FORECAST_NAMED: Final = 3
#: Height of page 1's map, of the status page's map and of a measure's map.
_SUMMARY_MAP_H: Final = 12.5 * cm
_STATUS_MAP_H: Final = 11.0 * cm
_MEASURE_MAP_H: Final = 7.2 * cm
_MEASURE_MAP_W: Final = 0.47 * CONTENT_WIDTH
_FORECAST_MAP_H: Final = 12.0 * cm


# --------------------------------------------------------------------------- words


def _period(since: pd.Timestamp, until: pd.Timestamp, lang: str) -> str:
    """``1.5.2026–31.10.2026``: first and last day of ``[since, until)``."""
    return period_text(Selection(since=since.normalize(), until=until.normalize()), lang)


def _where(names: Sequence[str]) -> str:
    return ", ".join(names)


def _district_name(row: pd.Series, lang: str) -> str:
    """Return the first osa-alue of a hotspot (``"Kallio"``): a place a reader knows, never an address."""
    column = "osaalue_sv" if lang == "sv" else "osaalue_fi"
    value = row.get(column)
    return str(value).split(", ")[0] if isinstance(value, str) and value else ""


def _measure_where(item: MeasureReview, osaalue: gpd.GeoDataFrame, lang: str) -> str:
    """Return the osa-alue the measure's area lies in (two at most, largest share first)."""
    area = item.recorded.measure.area
    geometries = np.asarray(osaalue.geometry.values, dtype=object)
    shares = shapely.area(shapely.intersection(geometries, area)) / max(area.area, 1.0)
    order = [i for i in np.argsort(-shares, kind="stable")[:2] if shares[i] > 0.1]
    column = "name_sv" if lang == "sv" else "name_fi"
    names = [str(osaalue[column].iloc[i]) for i in order]
    return _where(names) or t("brief.place_city", lang)


def _measure_when(item: MeasureReview, lang: str) -> str:
    measure = item.recorded.measure
    return _period(measure.start, measure.end, lang)


def _change(ratio: float, lang: str) -> str:
    return format_percent(100 * (ratio - 1), lang, decimals=0, signed=True)


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
        text = t(f"review.verdict.{effect.verdict}", lang, change=_change(effect.ratio, lang))
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
        place = _district_name(row, lang)
        if place and place not in named:
            lead = t(f"lead.{row['lead']}", lang).lower()
            named[place] = t("review.place_lead", lang, place=place, lead=lead)
        if len(named) == _FORECAST_NAMED:
            break
    period = _period(review.forecast.since, review.forecast.until, lang)
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


# --------------------------------------------------------------------------- pieces


def _swatch(colour: str, text: str, *, glyph: str = "■") -> str:
    """Return a legend entry as reportlab markup: a coloured glyph and escaped text."""
    return f'<font color="{colour}">{glyph}</font> {escape(text)}'


def _legend(entries: list[str], *, stacked: bool = False) -> Paragraph:
    """Return legend entries in one line (or one per line when ``stacked``) of small text."""
    return Paragraph(("<br/>" if stacked else "&nbsp;&nbsp;&nbsp;").join(entries), styles()["small"])


def _ranks(review: Review, ids: Sequence[str]) -> str:
    """Return hotspot ids as the ranks the maps number them by: ``"5, 8"``."""
    table = review.analysis.hotspots
    rank_of = dict(zip(table["id"].astype(str), table["rank"].astype(int), strict=True))
    return ", ".join(str(rank_of[i]) for i in ids if i in rank_of)


def _map_options(options: BriefOptions, width_pt: float, height_pt: float) -> MapOptions:
    return MapOptions(
        lang=options.lang,
        size=MapSize(round(width_pt / 72 * IMAGE_DPI), round(height_pt / 72 * IMAGE_DPI), IMAGE_DPI),
        restricted=options.restricted,
        min_count=options.min_count,
        tiles_url=options.tiles_url,
        tiles_attribution=options.tiles_attribution,
        tiles_cache_dir=options.tiles_cache_dir,
        panel=False,
        numbered=TOP_CHANGES,
        text_pt=MAP_TEXT_PT,
    )


def _status_legend(review: Review, lang: str, *, measures: bool) -> Paragraph:
    entries = [_swatch(STATUS_COLOURS[s], t(f"status.{s}", lang)) for s in STATUSES]
    entries.append(_swatch(VANISHED_EDGE, t("review.legend.vanished", lang), glyph="▭"))
    if measures and review.measures:
        entries.append(_swatch(TARGET_COLOUR, t("review.legend.measure", lang), glyph="□"))
    entries.append(escape(t("map.attribution.districts", lang)))
    return _legend(entries)


class _Maps:
    """Draws the review's maps once per PDF, with its layers, and says whether tiles were drawn."""

    def __init__(
        self,
        review: Review,
        options: BriefOptions,
        osaalue: gpd.GeoDataFrame | None,
        peruspiiri: gpd.GeoDataFrame | None,
    ) -> None:
        self.review, self.options = review, options
        self.osaalue, self.peruspiiri = osaalue, peruspiiri
        self.tiles_drawn = False

    def status(self, width_pt: float, height_pt: float) -> Flowable:
        picture = status_figure(
            self.review,
            _map_options(self.options, width_pt, height_pt),
            osaalue=self.osaalue,
            peruspiiri=self.peruspiiri,
        )
        self.tiles_drawn |= picture.tiles_drawn
        return png_image(figure_png_bytes(picture.figure, dpi=IMAGE_DPI), width_pt, height_pt)

    def measure(self, item: MeasureReview) -> Flowable:
        picture = measure_figure(
            self.review,
            item,
            _map_options(self.options, _MEASURE_MAP_W, _MEASURE_MAP_H),
            osaalue=self.osaalue,
            peruspiiri=self.peruspiiri,
        )
        self.tiles_drawn |= picture.tiles_drawn
        return png_image(figure_png_bytes(picture.figure, dpi=IMAGE_DPI), _MEASURE_MAP_W, _MEASURE_MAP_H)

    def forecast(self, width_pt: float, height_pt: float) -> Flowable:
        assert self.review.forecast is not None
        options = _map_options(self.options, width_pt, height_pt)
        picture = map_figure(
            self.review.forecast.analysis, options, osaalue=self.osaalue, peruspiiri=self.peruspiiri
        )
        self.tiles_drawn |= picture.tiles_drawn
        return png_image(figure_png_bytes(picture.figure, dpi=IMAGE_DPI), width_pt, height_pt)


def _cells(rows: list[list[str]], widths: Sequence[float]) -> Table:
    """Return a table of escaped text, bold header row, the briefing's look."""
    style = styles()
    body = [
        [paragraph(text, style["cell_bold" if i == 0 else "cell"]) for text in row]
        for i, row in enumerate(rows)
    ]
    table = Table(body, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
    table.setStyle(table_style())
    return table


# --------------------------------------------------------------------------- pages


def _title(review: Review, options: BriefOptions, *, synthetic: bool) -> list[Flowable]:
    style = styles()
    lang = options.lang
    selection = review.analysis.selection
    head: list[Flowable] = [
        paragraph(
            t("review.title", lang, place=place_text(selection, lang), period=period_text(selection, lang)),
            style["title"],
        )
    ]
    if options.restricted:
        head.append(
            paragraph(f"{marking(lang, restricted=True)}: {t('brief.restricted_note', lang)}", style["alert"])
        )
    if synthetic:
        head.append(paragraph(t("brief.synthetic", lang), style["alert"]))
    head.append(
        paragraph(
            t(
                "review.period",
                lang,
                period=period_text(selection, lang),
                previous=period_text(review.previous, lang),
            ),
            style["body"],
        )
    )
    return head


def _measure_lines(review: Review, options: BriefOptions, osaalue: gpd.GeoDataFrame) -> list[Flowable]:
    style = styles()
    lang = options.lang
    if not review.measures:
        return []
    out: list[Flowable] = [paragraph(t("review.measures_short", lang), style["h2"])]
    for i, item in enumerate(review.measures):
        line = t(
            "review.measure_line",
            lang,
            label=measure_label(i),
            kind=t(f"measure.kind.{item.recorded.measure.kind}", lang),
            where=_measure_where(item, osaalue, lang),
            when=_measure_when(item, lang),
            result=result_text(item, lang),
        )
        out.append(paragraph(line, style["body"]))
    return out


def _summary_page(
    review: Review, options: BriefOptions, maps: _Maps, osaalue: gpd.GeoDataFrame, *, synthetic: bool
) -> list[Flowable]:
    style = styles()
    lang = options.lang
    bullets = [Paragraph(escape(text), style["body"], bulletText="•") for text in headlines(review, options)]
    head = [
        *_title(review, options, synthetic=synthetic),
        Spacer(1, 4),
        paragraph(t("review.summary", lang), style["h2"]),
        *bullets,
        Spacer(1, 6),
    ]
    below = [
        _status_legend(review, lang, measures=True),
        Spacer(1, 2),
        *_measure_lines(review, options, osaalue),
    ]
    room = FRAME_HEIGHT - story_height(head + below) - 8
    height = float(np.clip(room, 5 * cm, _SUMMARY_MAP_H))
    return [*head, maps.status(CONTENT_WIDTH, height), *below]


def _change_rows(review: Review, options: BriefOptions) -> list[list[str]]:
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
                _district_name(row, lang),
                t(f"status.{status}", lang) if isinstance(status, str) else "",
                count_label(row["n"], lang, min_count=min_count, restricted=restricted),
                count_label(round(before), lang, min_count=min_count, restricted=restricted)
                if before > 0
                else "–",
                here,
            ]
        )
    return rows


def _vanished_line(review: Review, options: BriefOptions) -> list[Flowable]:
    lang = options.lang
    vanished = review.analysis.vanished
    if vanished.empty:
        return []
    largest = vanished.sort_values("n", ascending=False, kind="stable")
    names: list[str] = []
    for _, row in largest.iterrows():
        name = _district_name(row, lang)
        if name and name not in names:
            names.append(name)
    items = ", ".join(names[:_VANISHED_NAMED])
    if len(names) > _VANISHED_NAMED:
        items = t("review.vanished_more", lang, items=items, n=len(names) - _VANISHED_NAMED)
    return [Spacer(1, 3), paragraph(t("review.vanished_list", lang, items=items), styles()["body"])]


def _changes_page(review: Review, options: BriefOptions, maps: _Maps) -> list[Flowable]:
    style = styles()
    lang = options.lang
    change = format_percent(100 * ComparisonParams().change_ratio, lang, decimals=0)
    counts = review.status_counts()
    status_line = t(
        "review.status_counts",
        lang,
        parts=", ".join(
            f"{t(f'status.{s}', lang).lower()} {format_number(counts[s], lang)}"
            for s in (*STATUSES, "vanished")
        ),
    )
    head = [
        paragraph(t("review.changes", lang), style["h2"]),
        paragraph(
            t("review.changes_intro", lang, previous=period_text(review.previous, lang), change=change),
            style["small"],
        ),
        Spacer(1, 3),
    ]
    below: list[Flowable] = [
        _status_legend(review, lang, measures=True),
        Spacer(1, 3),
        paragraph(status_line, style["body"]),
        Spacer(1, 3),
    ]
    if len(review.analysis.hotspots):
        below.append(
            paragraph(
                t("review.top_changes", lang, n=min(TOP_CHANGES, len(review.analysis.hotspots))), style["h2"]
            )
        )
        below.append(_cells(_change_rows(review, options), (0.07, 0.3, 0.16, 0.14, 0.17, 0.16)))
        if len(review.analysis.hotspots) > TOP_CHANGES:
            below.append(
                paragraph(
                    t("brief.more_hotspots", lang, n=len(review.analysis.hotspots) - TOP_CHANGES),
                    style["small"],
                )
            )
    below += _vanished_line(review, options)
    room = FRAME_HEIGHT - story_height(head + below) - 8
    height = float(np.clip(room, 7 * cm, _STATUS_MAP_H))
    return [*head, maps.status(CONTENT_WIDTH, height), *below]


def _zone_rows(item: MeasureReview, options: BriefOptions) -> list[list[str]]:
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


def _effect_words(item: MeasureReview, options: BriefOptions) -> list[str]:
    """Return the effect sentences of ``i18n.measures``; a too-few count below min_count is not told."""
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


def _measure_section(
    index: int,
    item: MeasureReview,
    review: Review,
    options: BriefOptions,
    maps: _Maps,
    osaalue: gpd.GeoDataFrame,
) -> Flowable:
    style = styles()
    lang = options.lang
    measure = item.recorded.measure
    kind = t(f"measure.kind.{measure.kind}", lang)
    title = t(
        "review.measure_title",
        lang,
        label=measure_label(index),
        kind=kind,
        where=_measure_where(item, osaalue, lang),
    )
    categories = ", ".join(category_label(c, lang) for c in measure.categories) or t(
        "review.categories_all", lang
    )
    partner = t("review.partner", lang, partner=measure.partner) if measure.partner else ""
    facts = t(
        "review.measure_facts",
        lang,
        when=_measure_when(item, lang),
        lead=t(f"lead.{measure.lead}", lang),
        partner=partner,
        categories=categories,
    )
    buffer_m = round(review.effect_params.buffer_m)
    legend = _legend(
        [
            _swatch(TARGET_COLOUR, t("review.legend.target", lang)),
            _swatch(RING_COLOUR, t("review.legend.ring", lang, buffer_m=buffer_m), glyph="▨"),
            _swatch(CONTROL_COLOUR, t("review.legend.control", lang)),
        ],
        stacked=True,
    )
    side: list[Flowable] = []
    if item.effect is not None:
        side.append(_cells(_zone_rows(item, options), (0.15, 0.08, 0.075, 0.075, 0.12)))
        side.append(Spacer(1, 3))
        side.append(
            paragraph(
                t(
                    "review.compared",
                    lang,
                    before=_period(item.before.start, item.before.end, lang),
                    after=_period(item.after.start, item.after.end, lang),
                ),
                style["small"],
            )
        )
    side += [Spacer(1, 3), *(paragraph(text, style["body"]) for text in _effect_words(item, options))]
    if item.hotspot_ids:
        side.append(
            paragraph(
                t("review.linked", lang, ids=_ranks(review, item.hotspot_ids)),
                style["small"],
            )
        )
    if item.vanished_ids:
        side.append(paragraph(t("review.linked_vanished", lang), style["small"]))
    if options.restricted and measure.note:
        side.append(paragraph(t("review.note", lang, note=measure.note), style["small"]))
    body = Table(
        [[[maps.measure(item), legend], side]],
        colWidths=[_MEASURE_MAP_W + 6, CONTENT_WIDTH - _MEASURE_MAP_W - 6],
    )
    body.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 6),
            ]
        )
    )
    return KeepTogether(
        [paragraph(title, style["h2"]), paragraph(facts, style["small"]), Spacer(1, 3), body, Spacer(1, 8)]
    )


def _measures_pages(
    review: Review, options: BriefOptions, maps: _Maps, osaalue: gpd.GeoDataFrame
) -> list[Flowable]:
    if not review.measures:
        return []
    style = styles()
    lang = options.lang
    intro = t(
        "review.measures_intro",
        lang,
        buffer_m=round(review.effect_params.buffer_m),
        min=review.effect_params.min_incidents,
    )
    out: list[Flowable] = [
        PageBreak(),
        paragraph(t("review.measures_heading", lang), style["h2"]),
        paragraph(intro, style["small"]),
        Spacer(1, 6),
    ]
    out += [
        _measure_section(i, item, review, options, maps, osaalue) for i, item in enumerate(review.measures)
    ]
    return [*out, paragraph(t("review.wdq_note", lang), style["small"])]


def _forecast_rows(review: Review, options: BriefOptions) -> list[list[str]]:
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
                _district_name(row, lang),
                _ranks(review, [now]) if isinstance(now, str) else t("review.now_new", lang),
                t(f"lead.{row['lead']}", lang),
                recommendation_text(row["recommendation"], lang),
            ]
        )
    return rows


def _forecast_page(review: Review, options: BriefOptions, maps: _Maps) -> list[Flowable]:
    style = styles()
    lang = options.lang
    head: list[Flowable] = [paragraph(t("review.forecast", lang), style["h2"])]
    if review.forecast is None:
        return [PageBreak(), *head, paragraph(t("review.headline.no_forecast", lang), style["body"])]
    period = _period(review.forecast.since, review.forecast.until, lang)
    head += [paragraph(t("review.forecast_intro", lang, period=period), style["small"]), Spacer(1, 3)]
    table = review.forecast_table()
    below: list[Flowable] = [
        _legend(
            [
                _swatch("#e34a33", t("brief.legend_hotspot", lang)),
                escape(t("map.attribution.districts", lang)),
            ]
        ),
        Spacer(1, 4),
        _cells(_forecast_rows(review, options), (0.07, 0.18, 0.1, 0.13, 0.52)),
    ]
    if len(table) > TOP_FORECAST:
        below.append(paragraph(t("review.more_forecast", lang, n=len(table) - TOP_FORECAST), style["small"]))
    room = FRAME_HEIGHT - story_height(head + below) - 8
    height = float(np.clip(room, 6 * cm, _FORECAST_MAP_H))
    return [PageBreak(), *head, maps.forecast(CONTENT_WIDTH, height), *below]


def _notes(review: Review, options: BriefOptions, *, synthetic: bool, tiles_drawn: bool) -> list[Flowable]:
    style = styles()
    lang = options.lang
    lines = source_lines(
        lang,
        origin=options.origin,
        synthetic=synthetic,
        tiles_attribution=options.tiles_attribution if tiles_drawn else None,
    )
    notes: list[Flowable] = [
        Spacer(1, 6),
        paragraph(t("brief.sources", lang), style["h2"]),
        paragraph(" · ".join([method_text(review.analysis.clustering, lang), *lines]), style["small"]),
    ]
    if options.restricted:
        notes.append(
            paragraph(f"{marking(lang, restricted=True)}: {t('brief.restricted_note', lang)}", style["alert"])
        )
    else:
        study = review.analysis.found.grid.cell_m if review.analysis.found is not None else None
        cell = format_number(outline_cell_m(review.analysis.clustering.eps_m, study), lang)
        notes.append(
            paragraph(
                t("brief.aggregated_note", lang, min_count=options.min_count, cell_m=cell), style["small"]
            )
        )
    return notes


def _layers(osaalue: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    return district_layers.load_districts("osaalue") if osaalue is None else osaalue


def review_pdf_bytes(
    review: Review,
    options: BriefOptions | None = None,
    *,
    generated_at: datetime | pd.Timestamp | None = None,
    osaalue: gpd.GeoDataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
) -> bytes:
    """Return the six-monthly review as a PDF: a one-page summary, then changes, measures, forecast.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result.
    options
        Language, disclosure (``restricted``), suppression threshold, origin and basemap
        (``pdf.BriefOptions``; ``level`` and ``density`` are not used); default
        ``BriefOptions()``.
    generated_at
        Time stated as "generated" and as the file's creation date; default now
        (Europe/Helsinki). Pass one for identical files.
    osaalue, peruspiiri
        District layers; default the official ones.

    Returns
    -------
    bytes
        The PDF file.
    """
    options = BriefOptions() if options is None else options
    lang, restricted = options.lang, options.restricted
    synthetic = is_synthetic(review.analysis)
    when = pd.Timestamp.now(tz=schema.TIMEZONE) if generated_at is None else pd.Timestamp(generated_at)
    layer = _layers(osaalue)
    maps = _Maps(review, options, layer, peruspiiri)
    story = [
        *_summary_page(review, options, maps, layer, synthetic=synthetic),
        PageBreak(),
        *_changes_page(review, options, maps),
        *_measures_pages(review, options, maps, layer),
        *_forecast_page(review, options, maps),
    ]
    story += _notes(review, options, synthetic=synthetic, tiles_drawn=maps.tiles_drawn)
    selection = review.analysis.selection
    title = t(
        "review.document_title", lang, place=place_text(selection, lang), period=period_text(selection, lang)
    )
    classification = RESTRICTED if restricted else AGGREGATED
    if restricted:
        title = f"{marking(lang, restricted=True)} – {title}"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        subject=f"{classification}: {marking(lang, restricted=restricted)}",
        keywords=", ".join([classification, marking(lang, restricted=restricted), "Helsinki", "review"]),
        author=SOFTWARE,
        creator=SOFTWARE,
        producer=SOFTWARE,
        lang=lang,
        invariant=1,
    )
    pages = PageFurniture(lang=lang, restricted=restricted, synthetic=synthetic, when=when)
    doc.build(story, onFirstPage=pages, onLaterPages=pages)
    return buffer.getvalue()
