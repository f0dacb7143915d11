"""The PDF briefing: two A4 pages for leadership, in Finnish, Swedish or English.

Page 1: title, period, filters, the map, the key figures and the top ten hotspots with
their recommendation (who, where, when). Page 2: the district table (incidents, comparison
period, change, rate per 1,000 residents), whether last period's hotspots predicted this
period (``prediction``, when the data allow), the time charts (incidents per week,
hour x weekday) and the data sources. Every page carries the generated-at time, the page
number and, for restricted briefings, the RESTRICTED marking (translated).

Laid out with reportlab: text is real, selectable text in embedded DejaVu Sans (the font
matplotlib ships, so the PDF and the pictures match and every Finnish and Swedish letter
is there); the map and the charts are pictures drawn by matplotlib. The document is
reproducible: reportlab's ``invariant`` mode fixes the file id, and the creation date in
the metadata is the generated-at time (a parameter, default now), never invariant mode's
2000-01-01.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, PageBreak, SimpleDocTemplate, Spacer, Table

from briefing.charts import charts_figure
from briefing.downloads import district_figures
from briefing.mapimage import MapOptions, MapSize, map_figure
from briefing.pdftables import (
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    GREY,
    MARGIN,
    RED,
    district_rows,
    key_figures,
    paragraph,
    prediction_section,
    styles,
    table_style,
    top_hotspots,
)
from briefing.prediction import briefing_check
from briefing.privacy import AGGREGATED, DEFAULT_MIN_COUNT, RESTRICTED, check_min_count, outline_cell_m
from briefing.rendering import figure_png_bytes
from briefing.texts import (
    SOFTWARE,
    filters_text,
    format_datetime,
    generation_time,
    hotspot_definition,
    is_synthetic,
    marking,
    method_text,
    period_text,
    place_text,
    source_lines,
    title_text,
)
from geo import districts as district_layers
from geo import schema, settings
from geo.districts import check_level
from geo.errors import HotspotsError
from hotspots.analysis import Analysis
from hotspots.backtest.last_period import PredictiveCheck
from hotspots.selection import Selection
from i18n import check_language, format_number, level_label, t

IMAGE_DPI: Final = 200
#: Hotspots numbered on the PDF's map.
_NUMBERED: Final = 20
#: The map's base text size for print: the picture is placed at 100 %, so its rank numbers
#: (0.9 of this, bold, white in a dark disc) are 8 pt on the page, legible on A4.
MAP_TEXT_PT: Final = 9.0
TOP_MARGIN: Final = 1.4 * cm
BOTTOM_MARGIN: Final = 1.5 * cm
#: The least height of page 2's charts.
_CHARTS_FLOOR: Final = 4.5 * cm
#: Height of the text frame: page less margins less the frame's own 6 pt paddings.
FRAME_HEIGHT: Final = A4[1] - TOP_MARGIN - BOTTOM_MARGIN - 12


def story_height(flowables: list[Flowable]) -> float:
    """Return the height the flowables take in the text frame, spaces before and after included.

    Wrapped at the frame's own width (its 6 pt paddings off): wrapped wider, a paragraph
    counts fewer lines than it gets, and page 1's last line spilled onto a third page.
    """
    total = 0.0
    for flowable in flowables:
        _, height = flowable.wrap(CONTENT_WIDTH - 12, FRAME_HEIGHT)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def png_image(png: bytes, width_pt: float, height_pt: float) -> Image:
    """Return PNG bytes as a picture of the given size on the page."""
    return Image(io.BytesIO(png), width=width_pt, height=height_pt)


# --------------------------------------------------------------------------- document


class PageFurniture:
    """Header and footer of every page: marking, generated-at time, page number (pass as onPage)."""

    def __init__(self, *, lang: str, restricted: bool, synthetic: bool, when: pd.Timestamp) -> None:
        self.lang = lang
        self.restricted = restricted
        self.synthetic = synthetic
        self.generated = format_datetime(when, lang)
        self.created = pdf_date(when)

    def __call__(self, canvas: Canvas, doc: Any) -> None:
        """Draw the marking, the generated-at line and the page number on one page."""
        # Invariant mode would stamp 2000-01-01: the metadata carry the generated-at time.
        canvas.setDateFormatter(lambda *_: self.created)
        canvas.saveState()
        width, height = A4
        if self.restricted:
            text = marking(self.lang, restricted=True)
            canvas.setFillColor(RED)
            canvas.setFont(FONT_BOLD, 11)
            canvas.drawCentredString(width / 2, height - 0.9 * cm, text)
            canvas.drawCentredString(width / 2, 0.55 * cm, text)
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        left = t("brief.generated", self.lang, when=self.generated)
        if self.synthetic:
            left += " · " + t("brief.synthetic", self.lang)
        canvas.drawString(MARGIN, 1.0 * cm, left)
        canvas.drawRightString(width - MARGIN, 1.0 * cm, t("brief.page", self.lang, page=doc.page))
        canvas.restoreState()


@dataclass(frozen=True)
class BriefOptions:
    """What the PDF briefing shows and for whom; checked when made.

    Attributes
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    restricted
        Show incidents as points and exact counts; every page and the metadata say RESTRICTED.
    min_count
        Counts below this are shown as ``"<min_count"`` (aggregated briefings), >= 1.
    level
        District level of the page-2 table (``"peruspiiri"``: 34 rows).
    origin
        Where the incidents came from (file name or store), stated under sources.
    density
        Shade incident density on the map.
    tiles_url, tiles_attribution, tiles_cache_dir
        Optional basemap (see ``mapimage.MapOptions``).
    """

    lang: str = "fi"
    restricted: bool = False
    min_count: int = DEFAULT_MIN_COUNT
    level: str = "peruspiiri"
    origin: str | None = None
    density: bool = False
    tiles_url: str | None = None
    tiles_attribution: str = settings.DEFAULT_TILES_ATTRIBUTION
    tiles_cache_dir: Path | None = None

    def __post_init__(self) -> None:
        check_language(self.lang)
        object.__setattr__(self, "min_count", check_min_count(self.min_count))
        check_level(self.level)


def _map_options(options: BriefOptions, height_pt: float) -> MapOptions:
    """Page 1's map: the content width, ``height_pt`` high, without the picture's panel."""
    return MapOptions(
        lang=options.lang,
        size=MapSize(round(CONTENT_WIDTH / 72 * IMAGE_DPI), round(height_pt / 72 * IMAGE_DPI), IMAGE_DPI),
        restricted=options.restricted,
        min_count=options.min_count,
        density=options.density,
        tiles_url=options.tiles_url,
        tiles_attribution=options.tiles_attribution,
        tiles_cache_dir=options.tiles_cache_dir,
        panel=False,
        numbered=_NUMBERED,
        text_pt=MAP_TEXT_PT,
    )


def _heading(analysis: Analysis, options: BriefOptions, *, synthetic: bool) -> list[Flowable]:
    """Title, markings, period (and comparison period), filters and method."""
    style = styles()
    lang = options.lang
    period = t("brief.period", lang, period=period_text(analysis.selection, lang))
    if analysis.previous_selection is not None:
        period += f" ({t('brief.comparison', lang, period=period_text(analysis.previous_selection, lang))})"
    head: list[Flowable] = [paragraph(title_text(analysis.selection, lang), style["title"])]
    if options.restricted:
        head.append(
            paragraph(f"{marking(lang, restricted=True)}: {t('brief.restricted_note', lang)}", style["alert"])
        )
    if synthetic:
        head.append(paragraph(t("brief.synthetic", lang), style["alert"]))
    head += [
        paragraph(period, style["body"]),
        paragraph(filters_text(analysis.selection, lang), style["body"]),
        paragraph(hotspot_definition(analysis.clustering, lang), style["small"]),
        Spacer(1, 4),
    ]
    return head


def _first_page(
    analysis: Analysis,
    options: BriefOptions,
    *,
    synthetic: bool,
    osaalue: gpd.GeoDataFrame | None,
    peruspiiri: gpd.GeoDataFrame | None,
) -> tuple[list[Flowable], bool]:
    """Page 1: heading, map, legend, key figures and the top ten; and whether tiles were drawn."""
    style = styles()
    lang, restricted, min_count = options.lang, options.restricted, options.min_count
    head = _heading(analysis, options, synthetic=synthetic)
    numbered = _NUMBERED if bool((analysis.hotspots["rank"] > _NUMBERED).any()) else None
    below_map: list[Flowable] = [
        paragraph(_legend_line(analysis, lang, restricted=restricted, numbered=numbered), style["small"]),
        Spacer(1, 4),
        key_figures(analysis, lang=lang, restricted=restricted, min_count=min_count),
        *top_hotspots(analysis, lang=lang, restricted=restricted, min_count=min_count),
    ]
    # The map takes what page 1 leaves, so that page 1 holds the top ten.
    map_height = float(np.clip(FRAME_HEIGHT - story_height(head + below_map) - 6, 6 * cm, 11.5 * cm))
    picture = map_figure(analysis, _map_options(options, map_height), osaalue=osaalue, peruspiiri=peruspiiri)
    map_png = figure_png_bytes(picture.figure, dpi=IMAGE_DPI)
    return [*head, png_image(map_png, CONTENT_WIDTH, map_height), *below_map], picture.tiles_drawn


def _chosen_rows(table: pd.DataFrame, selection: Selection, level: str) -> pd.DataFrame:
    """Rows of the districts the selection touches; the whole table without a district choice.

    With Kallio chosen, 33 other basic districts hold nothing by construction: listing
    them as "<5" would fill page 2 and leave no room for what matters.
    """
    if not selection.has_districts:
        return table
    try:
        hierarchy = district_layers.hierarchy()
    except (HotspotsError, OSError):  # the full table is right, only longer
        return table
    touched = set(hierarchy.loc[selection.district_mask(hierarchy), f"{level}_code"].astype(str))
    return table[table["code"].astype(str).isin(touched)]


def _district_section(table: pd.DataFrame, options: BriefOptions, selection: Selection) -> list[Flowable]:
    """Page 2's district table under its heading (with a note when rates are unavailable)."""
    style = styles()
    lang = options.lang
    rows, has_rates = district_rows(
        _chosen_rows(table, selection, options.level),
        lang=lang,
        restricted=options.restricted,
        min_count=options.min_count,
    )
    section: list[Flowable] = [
        paragraph(t("brief.district_table", lang, level=level_label(options.level, lang)), style["h2"])
    ]
    if not has_rates:
        section.append(paragraph(t("msg.population_unavailable", lang), style["small"]))
    widths = [0.28, 0.12, 0.20, 0.12, 0.13, 0.15]
    district = Table(rows, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
    district.setStyle(table_style())
    section.append(district)
    return section


def _source_notes(
    analysis: Analysis,
    options: BriefOptions,
    *,
    synthetic: bool,
    population: bool,
    tiles_drawn: bool,
) -> list[Flowable]:
    """List the method and data sources in one paragraph, then the RESTRICTED or aggregation note.

    The generated-at time is in every page's footer.
    """
    style = styles()
    lang = options.lang
    notes = [paragraph(t("brief.sources", lang), style["h2"])]
    lines = source_lines(
        lang,
        origin=options.origin,
        synthetic=synthetic,
        population=population,
        tiles_attribution=options.tiles_attribution if tiles_drawn else None,
    )
    notes.append(paragraph(" · ".join([method_text(analysis.clustering, lang), *lines]), style["small"]))
    if options.restricted:
        notes.append(
            paragraph(f"{marking(lang, restricted=True)}: {t('brief.restricted_note', lang)}", style["alert"])
        )
    else:
        study_cell = analysis.found.grid.cell_m if analysis.found is not None else None
        cell = format_number(outline_cell_m(analysis.clustering.eps_m, study_cell), lang)
        notes.append(
            paragraph(
                t("brief.aggregated_note", lang, min_count=options.min_count, cell_m=cell), style["small"]
            )
        )
    return notes


def _second_page(
    analysis: Analysis,
    table: pd.DataFrame,
    options: BriefOptions,
    *,
    synthetic: bool,
    tiles_drawn: bool,
    check: PredictiveCheck | None,
) -> list[Flowable]:
    """Page 2: the district table, the prediction check (when it can answer), the charts, the sources."""
    style = styles()
    charts_title = paragraph(t("brief.charts", options.lang), style["h2"])
    notes = _source_notes(
        analysis,
        options,
        synthetic=synthetic,
        population=bool(table["residents"].notna().any()),
        tiles_drawn=tiles_drawn,
    )
    page2 = [*_district_section(table, options, analysis.selection)]
    if check is not None:
        place = place_text(analysis.selection, options.lang)
        section = prediction_section(check, options.lang, place=place)
        if story_height([*page2, *section, charts_title, *notes]) + _CHARTS_FLOOR + 6 > FRAME_HEIGHT:
            section = prediction_section(check, options.lang, place=place, table=False)  # the headline fits
        page2 += section
    page2.append(charts_title)
    # Charts shrink (to a floor) so that a 34-row table, the charts and the sources share page 2.
    charts_height = float(np.clip(FRAME_HEIGHT - story_height(page2 + notes) - 6, _CHARTS_FLOOR, 7.2 * cm))
    charts = charts_figure(
        analysis,
        lang=options.lang,
        restricted=options.restricted,
        min_count=options.min_count,
        width_in=CONTENT_WIDTH / 72,
        height_in=charts_height / 72,
        dpi=IMAGE_DPI,
    )
    charts_png = figure_png_bytes(charts, dpi=IMAGE_DPI)
    return [*page2, png_image(charts_png, CONTENT_WIDTH, charts_height), *notes]


def pdf_date(when: pd.Timestamp) -> str:
    """Return a time as a PDF date, ``D:20261102093000+02'00'``, in Helsinki time."""
    stamp = when.tz_localize(schema.TIMEZONE) if when.tzinfo is None else when.tz_convert(schema.TIMEZONE)
    minutes = int(stamp.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"D:{stamp:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def document_bytes(
    story: list[Flowable],
    selection: Selection,
    options: BriefOptions,
    *,
    title_key: str,
    keyword: str,
    synthetic: bool,
    when: pd.Timestamp,
) -> bytes:
    """Lay out an A4 document with its header and footer and its metadata (briefing and review).

    Parameters
    ----------
    story
        The pages' flowables.
    selection
        What the document is about: its place and period name it.
    options
        Language and disclosure.
    title_key
        Catalogue key of the title (``place`` and ``period`` filled in).
    keyword
        What kind of document, in the metadata's keywords (``"hotspots"``, ``"review"``).
    synthetic, when
        Whether the data are the demo's (said on every page), and the creation time.

    Returns
    -------
    bytes
        The PDF file.
    """
    lang, restricted = options.lang, options.restricted
    classification = RESTRICTED if restricted else AGGREGATED
    title = t(title_key, lang, place=place_text(selection, lang), period=period_text(selection, lang))
    if restricted:
        title = f"{marking(lang, restricted=True)} – {title}"
    buffer = io.BytesIO()
    pages = PageFurniture(lang=lang, restricted=restricted, synthetic=synthetic, when=when)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        subject=f"{classification}: {marking(lang, restricted=restricted)}",
        keywords=", ".join([classification, marking(lang, restricted=restricted), "Helsinki", keyword]),
        author=SOFTWARE,
        creator=SOFTWARE,
        producer=SOFTWARE,
        lang=lang,
        invariant=1,
    )
    doc.build(story, onFirstPage=pages, onLaterPages=pages)
    return buffer.getvalue()


def brief_pdf_bytes(
    analysis: Analysis,
    options: BriefOptions | None = None,
    *,
    district_table: pd.DataFrame | None = None,
    generated_at: datetime | pd.Timestamp | None = None,
    osaalue: gpd.GeoDataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
) -> bytes:
    """Return the two-page PDF briefing of one analysis.

    Parameters
    ----------
    analysis
        ``hotspots.analysis.analyse(...)`` result.
    options
        What the briefing shows and for whom (``BriefOptions``); default ``BriefOptions()``.
    district_table
        A ready ``hotspots.figures.district_table`` of ``options.level`` (the app has one);
        default computed with ``downloads.district_figures``.
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
    synthetic = is_synthetic(analysis)
    when = generation_time(generated_at)
    table = district_table if district_table is not None else district_figures(analysis, level=options.level)
    first, tiles_drawn = _first_page(
        analysis, options, synthetic=synthetic, osaalue=osaalue, peruspiiri=peruspiiri
    )
    second = _second_page(
        analysis,
        table,
        options,
        synthetic=synthetic,
        tiles_drawn=tiles_drawn,
        check=briefing_check(analysis, osaalue=osaalue),
    )
    story = [*first, PageBreak(), *second]
    return document_bytes(
        story,
        analysis.selection,
        options,
        title_key="brief.document_title",
        keyword="hotspots",
        synthetic=synthetic,
        when=when,
    )


def _legend_line(analysis: Analysis, lang: str, *, restricted: bool, numbered: int | None = None) -> str:
    parts = [f"■ {t('brief.legend_hotspot', lang)}", f"— {t('brief.legend_districts', lang)}"]
    if analysis.selection.has_districts:
        parts.append(f"▭ {t('brief.legend_chosen', lang, place=place_text(analysis.selection, lang))}")
    if numbered is not None:
        parts.append(f"□ {t('brief.legend_other_hotspots', lang, n=numbered)}")
    if restricted:
        parts.append(f"• {t('brief.legend_incident', lang)}")
    parts.append(t("map.attribution.districts", lang))
    return "   ".join(parts)
