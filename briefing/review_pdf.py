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

The words and table rows come from ``reviewtexts``, the maps from ``reviewmaps``; this
module lays them out. Shares ``pdf``'s page furniture (marking, generated-at time, page
numbers), fonts, tables and metadata (a real creation date). Aggregated by default like every briefing: counts
below ``min_count`` are ``<min_count`` (and the changes next to them left out), no
incident descriptions, no incident points, hotspot outlines on the shareable grid, a
measure's free-text note only when restricted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table
from reportlab.platypus.tables import TableStyle

from briefing.mapimage import MapOptions, MapSize, map_figure
from briefing.pdf import (
    FRAME_HEIGHT,
    IMAGE_DPI,
    MAP_TEXT_PT,
    BriefOptions,
    document_bytes,
    png_image,
    story_height,
)
from briefing.pdftables import CONTENT_WIDTH, paragraph, styles, table_style
from briefing.privacy import outline_cell_m
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
from briefing.reviewtexts import (
    TOP_CHANGES,
    TOP_FORECAST,
    change_rows,
    dates_text,
    effect_words,
    forecast_rows,
    headlines,
    hotspot_ranks,
    measure_facts,
    measure_when,
    measure_where,
    result_text,
    vanished_text,
    zone_rows,
)
from briefing.texts import (
    generation_time,
    is_synthetic,
    marking,
    method_text,
    period_text,
    place_text,
    source_lines,
)
from geo import districts as district_layers
from hotspots.comparison import STATUSES, ComparisonParams
from hotspots.review import MeasureReview, Review
from i18n import format_number, format_percent, t

#: Height of page 1's map, of the status page's map and of a measure's map.
_SUMMARY_MAP_H: Final = 12.5 * cm
_STATUS_MAP_H: Final = 11.0 * cm
_MEASURE_MAP_H: Final = 7.2 * cm
_MEASURE_MAP_W: Final = 0.47 * CONTENT_WIDTH
_FORECAST_MAP_H: Final = 12.0 * cm


# --------------------------------------------------------------------------- pieces


def _swatch(colour: str, text: str, *, glyph: str = "■") -> str:
    """Return a legend entry as reportlab markup: a coloured glyph and escaped text."""
    return f'<font color="{colour}">{glyph}</font> {escape(text)}'


def _legend(entries: list[str], *, stacked: bool = False) -> Paragraph:
    """Return legend entries in one line (or one per line when ``stacked``) of small text."""
    return Paragraph(("<br/>" if stacked else "&nbsp;&nbsp;&nbsp;").join(entries), styles()["small"])


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
            where=measure_where(item, osaalue, lang),
            when=measure_when(item, lang),
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
        below.append(_cells(change_rows(review, options), (0.07, 0.3, 0.16, 0.14, 0.17, 0.16)))
        if len(review.analysis.hotspots) > TOP_CHANGES:
            below.append(
                paragraph(
                    t("brief.more_hotspots", lang, n=len(review.analysis.hotspots) - TOP_CHANGES),
                    style["small"],
                )
            )
    vanished = vanished_text(review, lang)
    if vanished:
        below += [Spacer(1, 3), paragraph(vanished, style["body"])]
    room = FRAME_HEIGHT - story_height(head + below) - 8
    height = float(np.clip(room, 7 * cm, _STATUS_MAP_H))
    return [*head, maps.status(CONTENT_WIDTH, height), *below]


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
    title = t(
        "review.measure_title",
        lang,
        label=measure_label(index),
        kind=t(f"measure.kind.{item.recorded.measure.kind}", lang),
        where=measure_where(item, osaalue, lang),
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
    body = Table(
        [[[maps.measure(item), legend], _effect_column(item, review, options)]],
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
    facts = paragraph(measure_facts(item, lang), style["small"])
    return KeepTogether([paragraph(title, style["h2"]), facts, Spacer(1, 3), body, Spacer(1, 8)])


def _effect_column(item: MeasureReview, review: Review, options: BriefOptions) -> list[Flowable]:
    """Return the text beside a measure's map: zone counts, periods, effect, linked hotspots, note."""
    style = styles()
    lang = options.lang
    side: list[Flowable] = []
    if item.effect is not None:
        side.append(_cells(zone_rows(item, options), (0.155, 0.09, 0.075, 0.075, 0.105)))
        side.append(Spacer(1, 3))
        side.append(
            paragraph(
                t(
                    "review.compared",
                    lang,
                    before=dates_text(item.before.start, item.before.end, lang),
                    after=dates_text(item.after.start, item.after.end, lang),
                ),
                style["small"],
            )
        )
    side += [Spacer(1, 3), *(paragraph(text, style["body"]) for text in effect_words(item, options))]
    if item.hotspot_ids:
        side.append(
            paragraph(
                t("review.linked", lang, ids=hotspot_ranks(review, item.hotspot_ids)),
                style["small"],
            )
        )
    if item.vanished_ids:
        side.append(paragraph(t("review.linked_vanished", lang), style["small"]))
    note = item.recorded.measure.note
    if options.restricted and note:
        side.append(paragraph(t("review.note", lang, note=note), style["small"]))
    return side


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


def _forecast_page(review: Review, options: BriefOptions, maps: _Maps) -> list[Flowable]:
    style = styles()
    lang = options.lang
    head: list[Flowable] = [paragraph(t("review.forecast", lang), style["h2"])]
    if review.forecast is None:
        return [PageBreak(), *head, paragraph(t("review.headline.no_forecast", lang), style["body"])]
    period = dates_text(review.forecast.since, review.forecast.until, lang)
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
        _cells(forecast_rows(review, options), (0.07, 0.18, 0.1, 0.13, 0.52)),
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
    synthetic = is_synthetic(review.analysis)
    when = generation_time(generated_at)
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
    return document_bytes(
        story,
        review.analysis.selection,
        options,
        title_key="review.document_title",
        keyword="review",
        synthetic=synthetic,
        when=when,
    )
