"""The PDF briefing: two A4 pages for leadership, in Finnish, Swedish or English.

Page 1: title, period, filters, the map, the key figures and the top ten hotspots with
their recommendation (who, where, when). Page 2: the district table (incidents, comparison
period, change, rate per 1,000 residents), the time charts (incidents per week,
hour x weekday) and the data sources. Every page carries the generated-at time, the page
number and, for restricted briefings, the RESTRICTED marking (translated).

Laid out with reportlab: text is real, selectable text in embedded DejaVu Sans (the font
matplotlib ships, so the PDF and the pictures match and every Finnish and Swedish letter
is there); the map and the charts are pictures drawn by matplotlib. The document is
reproducible: reportlab's ``invariant`` mode fixes the creation date and file id, and the
generated-at time is a parameter.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from briefing.charts import charts_figure
from briefing.downloads import district_figures
from briefing.mapimage import MapOptions, MapSize, map_figure
from briefing.privacy import (
    AGGREGATED,
    DEFAULT_MIN_COUNT,
    RESTRICTED,
    check_min_count,
    outline_cell_m,
    shareable_district_table,
)
from briefing.rendering import figure_png_bytes
from briefing.texts import (
    SOFTWARE,
    count_label,
    filters_text,
    format_datetime,
    is_synthetic,
    marking,
    method_text,
    period_text,
    place_text,
    source_lines,
    title_text,
)
from geo import schema, settings
from geo.districts import check_level
from hotspots.analysis import Analysis
from hotspots.placenames import place_name
from i18n import check_language, format_number, level_label, peak_times_text, recommendation_text, t

_FONT: Final = "BriefSans"
_FONT_BOLD: Final = "BriefSans-Bold"
_RED: Final = colors.HexColor("#b00020")
_GREY: Final = colors.HexColor("#555555")
_RULE: Final = colors.HexColor("#cccccc")
_HEAD_FILL: Final = colors.HexColor("#efece6")
_MARGIN: Final = 1.5 * cm
_CONTENT_WIDTH: Final = A4[0] - 2 * _MARGIN
_IMAGE_DPI: Final = 200
_TOP_N: Final = 10
#: Hotspots numbered on the PDF's map.
_NUMBERED: Final = 20
_TOP_MARGIN: Final = 1.4 * cm
_BOTTOM_MARGIN: Final = 1.5 * cm
#: Height of the text frame: page less margins less the frame's own 6 pt paddings.
_FRAME_HEIGHT: Final = A4[1] - _TOP_MARGIN - _BOTTOM_MARGIN - 12


def _height(flowables: list[Flowable]) -> float:
    """Height the flowables take in the text frame, spaces before and after included."""
    total = 0.0
    for flowable in flowables:
        _, height = flowable.wrap(_CONTENT_WIDTH, _FRAME_HEIGHT)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    """Register DejaVu Sans (regular, bold) from matplotlib's font folder with reportlab."""
    folder = Path(mpl.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(_FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(_FONT, normal=_FONT, bold=_FONT_BOLD, italic=_FONT, boldItalic=_FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("body", fontName=_FONT, fontSize=8.5, leading=11, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=_FONT_BOLD, fontSize=17, leading=21),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=_FONT_BOLD, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3
        ),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=_GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=_FONT_BOLD, fontSize=7.5, leading=9.2),
        "figure": ParagraphStyle("figure", parent=base, fontName=_FONT_BOLD, fontSize=13, leading=16),
        "alert": ParagraphStyle(
            "alert", parent=base, fontName=_FONT_BOLD, fontSize=9, leading=12, textColor=_RED
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """Return a paragraph of plain text (escaped: ``<5`` and ``&`` stay text)."""
    return Paragraph(escape(text), style)


def _image(png: bytes, width_pt: float, height_pt: float) -> Image:
    return Image(io.BytesIO(png), width=width_pt, height=height_pt)


# --------------------------------------------------------------------------- tables


def _key_figures(analysis: Analysis, *, lang: str, restricted: bool, min_count: int) -> Table:
    styles = _styles()
    key = analysis.key

    def count(value: int) -> str:
        return count_label(value, lang, min_count=min_count, restricted=restricted)

    change = t("brief.no_comparison", lang)
    if analysis.previous_selection is not None:
        small = not restricted and (key.incidents < min_count or key.incidents_previous < min_count)
        if small:
            change = ""
        else:
            change = _signed(key.change, lang)
            if key.change_pct is not None:
                change += f" ({format_number(key.change_pct, lang, decimals=0)} %)"
    cells = [
        (t("metric.incidents", lang), count(key.incidents)),
        (t("metric.incidents_previous", lang), count(key.incidents_previous)),
        (t("brief.key_change", lang), change),
        (
            f"{t('metric.hotspots', lang)} ({t('metric.significant_hotspots', lang).lower()} "
            f"{key.significant_hotspots})",
            str(key.hotspots),
        ),
    ]
    row = [[_p(value, styles["figure"]), _p(label, styles["small"])] for label, value in cells]
    table = Table(
        [[Table([[a], [b]], colWidths=[_CONTENT_WIDTH / 4 - 6]) for a, b in row]],
        colWidths=[_CONTENT_WIDTH / 4] * 4,
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _top_hotspots(analysis: Analysis, *, lang: str, restricted: bool, min_count: int) -> list[Flowable]:
    styles = _styles()
    hotspots = analysis.hotspots
    out: list[Flowable] = []
    if hotspots.empty:
        out.append(_p(t("msg.no_hotspots", lang), styles["body"]))
        return out
    top = hotspots.head(_TOP_N)
    out.append(_p(t("brief.top_hotspots", lang, n=len(top)), styles["h2"]))
    place = "osaalue_sv" if lang == "sv" else "osaalue_fi"
    header = [
        t("column.rank", lang),
        t("brief.column_where", lang),
        t("column.incidents", lang),
        t("column.trend", lang),
        t("column.peak_windows", lang),
        t("column.recommendation", lang),
    ]
    rows: list[list[Any]] = [[_p(h, styles["cell_bold"]) for h in header]]
    for _, row in top.iterrows():
        # The nearest address first ("Tallinnanaukio, Itäkeskus"), unless a small count would pin it down.
        street = place_name(row, lang) if restricted or int(row["n"]) >= min_count else ""
        names = ", ".join([*([street] if street else []), *str(row[place]).split(", ")[:3]])
        status = row.get("status")
        windows = peak_times_text(row["peak_times"], lang)
        rows.append(
            [
                _p(str(int(row["rank"])), styles["cell_bold"]),
                _p(names, styles["cell"]),
                _p(
                    count_label(row["n"], lang, min_count=min_count, restricted=restricted),
                    styles["cell"],
                ),
                _p(t(f"status.{status}", lang) if isinstance(status, str) else "", styles["cell"]),
                _p(windows, styles["cell"]),
                _p(recommendation_text(row["recommendation"], lang), styles["cell"]),
            ]
        )
    widths = [0.06, 0.19, 0.125, 0.11, 0.12, 0.395]
    table = Table(rows, colWidths=[w * _CONTENT_WIDTH for w in widths], repeatRows=1)
    table.setStyle(_table_style())
    out.append(table)
    if len(hotspots) > len(top):
        out.append(Spacer(1, 3))
        out.append(_p(t("brief.more_hotspots", lang, n=len(hotspots) - len(top)), styles["small"]))
    return out


def _table_style() -> TableStyle:
    return TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, 0), _HEAD_FILL),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )


def _signed(value: int, lang: str) -> str:
    """Return a change with its sign, grouped the reader's way: ``+1 646``, ``-52``, ``0``."""
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return sign + format_number(abs(value), lang)


def _number(value: object, lang: str, decimals: int = 0) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return format_number(float(value), lang, decimals=decimals)  # type: ignore[arg-type]


def _district_rows(
    table: pd.DataFrame, *, lang: str, restricted: bool, min_count: int
) -> tuple[list[list[Any]], bool]:
    styles = _styles()
    shown = table if restricted else shareable_district_table(table, min_count=min_count)
    name = "name_sv" if lang == "sv" else "name_fi"
    has_rates = bool(table["residents"].notna().any())
    header = [
        t("column.district", lang),
        t("column.incidents", lang),
        t("column.incidents_previous", lang),
        t("column.change", lang),
        t("brief.column_change_pct", lang),
        t("column.rate", lang),
    ]
    rows: list[list[Any]] = [[_p(h, styles["cell_bold"]) for h in header]]
    for (_, row), (_, raw) in zip(shown.iterrows(), table.iterrows(), strict=True):
        change = row["change"]
        rows.append(
            [
                _p(str(row[name]), styles["cell"]),
                _p(
                    count_label(raw["n"], lang, min_count=min_count, restricted=restricted),
                    styles["cell"],
                ),
                _p(
                    count_label(raw["n_prev"], lang, min_count=min_count, restricted=restricted),
                    styles["cell"],
                ),
                _p("" if pd.isna(change) else _signed(int(change), lang), styles["cell"]),
                _p(_number(row["change_pct"], lang), styles["cell"]),
                _p(_number(row["rate_per_1000"], lang, decimals=1), styles["cell"]),
            ]
        )
    return rows, has_rates


# --------------------------------------------------------------------------- document


class _Pages:
    """Header and footer of every page: marking, generated-at time, page number."""

    def __init__(self, *, lang: str, restricted: bool, synthetic: bool, generated: str) -> None:
        self.lang = lang
        self.restricted = restricted
        self.synthetic = synthetic
        self.generated = generated

    def __call__(self, canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        width, height = A4
        if self.restricted:
            text = marking(self.lang, restricted=True)
            canvas.setFillColor(_RED)
            canvas.setFont(_FONT_BOLD, 11)
            canvas.drawCentredString(width / 2, height - 0.9 * cm, text)
            canvas.drawCentredString(width / 2, 0.55 * cm, text)
        canvas.setFont(_FONT, 7)
        canvas.setFillColor(_GREY)
        left = t("brief.generated", self.lang, when=self.generated)
        if self.synthetic:
            left += " · " + t("brief.synthetic", self.lang)
        canvas.drawString(_MARGIN, 1.0 * cm, left)
        canvas.drawRightString(width - _MARGIN, 1.0 * cm, t("brief.page", self.lang, page=doc.page))
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
        size=MapSize(round(_CONTENT_WIDTH / 72 * _IMAGE_DPI), round(height_pt / 72 * _IMAGE_DPI), _IMAGE_DPI),
        restricted=options.restricted,
        min_count=options.min_count,
        density=options.density,
        tiles_url=options.tiles_url,
        tiles_attribution=options.tiles_attribution,
        tiles_cache_dir=options.tiles_cache_dir,
        panel=False,
        numbered=_NUMBERED,
    )


def _heading(analysis: Analysis, options: BriefOptions, *, synthetic: bool) -> list[Flowable]:
    """Title, markings, period (and comparison period), filters and method."""
    styles = _styles()
    lang = options.lang
    period = t("brief.period", lang, period=period_text(analysis.selection, lang))
    if analysis.previous_selection is not None:
        period += f" ({t('brief.comparison', lang, period=period_text(analysis.previous_selection, lang))})"
    head: list[Flowable] = [_p(title_text(analysis.selection, lang), styles["title"])]
    if options.restricted:
        head.append(
            _p(f"{marking(lang, restricted=True)}: {t('brief.restricted_note', lang)}", styles["alert"])
        )
    if synthetic:
        head.append(_p(t("brief.synthetic", lang), styles["alert"]))
    head += [
        _p(period, styles["body"]),
        _p(filters_text(analysis.selection, lang), styles["body"]),
        _p(method_text(analysis.clustering, lang), styles["small"]),
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
    styles = _styles()
    lang, restricted, min_count = options.lang, options.restricted, options.min_count
    head = _heading(analysis, options, synthetic=synthetic)
    numbered = _NUMBERED if bool((analysis.hotspots["rank"] > _NUMBERED).any()) else None
    below_map: list[Flowable] = [
        _p(_legend_line(lang, restricted=restricted, numbered=numbered), styles["small"]),
        Spacer(1, 4),
        _key_figures(analysis, lang=lang, restricted=restricted, min_count=min_count),
        *_top_hotspots(analysis, lang=lang, restricted=restricted, min_count=min_count),
    ]
    # The map takes what page 1 leaves, so that page 1 holds the top ten.
    map_height = float(np.clip(_FRAME_HEIGHT - _height(head + below_map) - 6, 6 * cm, 11.5 * cm))
    picture = map_figure(analysis, _map_options(options, map_height), osaalue=osaalue, peruspiiri=peruspiiri)
    map_png = figure_png_bytes(picture.figure, dpi=_IMAGE_DPI)
    return [*head, _image(map_png, _CONTENT_WIDTH, map_height), *below_map], picture.tiles_drawn


def _district_section(table: pd.DataFrame, options: BriefOptions) -> list[Flowable]:
    """Page 2's district table under its heading (with a note when rates are unavailable)."""
    styles = _styles()
    lang = options.lang
    rows, has_rates = _district_rows(
        table, lang=lang, restricted=options.restricted, min_count=options.min_count
    )
    section: list[Flowable] = [
        _p(t("brief.district_table", lang, level=level_label(options.level, lang)), styles["h2"])
    ]
    if not has_rates:
        section.append(_p(t("msg.population_unavailable", lang), styles["small"]))
    widths = [0.28, 0.12, 0.20, 0.12, 0.13, 0.15]
    district = Table(rows, colWidths=[w * _CONTENT_WIDTH for w in widths], repeatRows=1)
    district.setStyle(_table_style())
    section.append(district)
    return section


def _source_notes(
    analysis: Analysis,
    options: BriefOptions,
    *,
    synthetic: bool,
    population: bool,
    tiles_drawn: bool,
    generated: str,
) -> list[Flowable]:
    """List the data sources, the RESTRICTED or aggregation note and the generated-at time."""
    styles = _styles()
    lang = options.lang
    notes = [_p(t("brief.sources", lang), styles["h2"])]
    lines = source_lines(
        lang,
        origin=options.origin,
        synthetic=synthetic,
        population=population,
        tiles_attribution=options.tiles_attribution if tiles_drawn else None,
    )
    notes += [_p(line, styles["small"]) for line in lines]
    if options.restricted:
        notes.append(
            _p(f"{marking(lang, restricted=True)}: {t('brief.restricted_note', lang)}", styles["alert"])
        )
    else:
        study_cell = analysis.found.grid.cell_m if analysis.found is not None else None
        cell = format_number(outline_cell_m(analysis.clustering.eps_m, study_cell), lang)
        notes.append(
            _p(t("brief.aggregated_note", lang, min_count=options.min_count, cell_m=cell), styles["small"])
        )
    notes.append(_p(t("brief.generated", lang, when=generated), styles["small"]))
    return notes


def _second_page(
    analysis: Analysis,
    table: pd.DataFrame,
    options: BriefOptions,
    *,
    synthetic: bool,
    tiles_drawn: bool,
    generated: str,
) -> list[Flowable]:
    """Page 2: the district table, the time charts and the sources."""
    styles = _styles()
    page2 = [*_district_section(table, options), _p(t("brief.charts", options.lang), styles["h2"])]
    notes = _source_notes(
        analysis,
        options,
        synthetic=synthetic,
        population=bool(table["residents"].notna().any()),
        tiles_drawn=tiles_drawn,
        generated=generated,
    )
    # Charts shrink (to a floor) so that a 34-row table, the charts and the sources share page 2.
    charts_height = float(np.clip(_FRAME_HEIGHT - _height(page2 + notes) - 6, 5 * cm, 7.2 * cm))
    charts = charts_figure(
        analysis,
        lang=options.lang,
        restricted=options.restricted,
        min_count=options.min_count,
        width_in=_CONTENT_WIDTH / 72,
        height_in=charts_height / 72,
        dpi=_IMAGE_DPI,
    )
    charts_png = figure_png_bytes(charts, dpi=_IMAGE_DPI)
    return [*page2, _image(charts_png, _CONTENT_WIDTH, charts_height), *notes]


def _document_bytes(
    story: list[Flowable], analysis: Analysis, options: BriefOptions, *, synthetic: bool, generated: str
) -> bytes:
    """Lay out the pages with their header and footer and the document's metadata."""
    lang, restricted = options.lang, options.restricted
    classification = RESTRICTED if restricted else AGGREGATED
    title = t(
        "brief.document_title",
        lang,
        place=place_text(analysis.selection, lang),
        period=period_text(analysis.selection, lang),
    )
    if restricted:
        title = f"{marking(lang, restricted=True)} – {title}"
    buffer = io.BytesIO()
    pages = _Pages(lang=lang, restricted=restricted, synthetic=synthetic, generated=generated)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_TOP_MARGIN,
        bottomMargin=_BOTTOM_MARGIN,
        title=title,
        subject=f"{classification}: {marking(lang, restricted=restricted)}",
        keywords=", ".join([classification, marking(lang, restricted=restricted), "Helsinki", "hotspots"]),
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
        Time stated as "generated"; default now (Europe/Helsinki). Pass one for identical files.
    osaalue, peruspiiri
        District layers; default the official ones.

    Returns
    -------
    bytes
        The PDF file.
    """
    options = BriefOptions() if options is None else options
    synthetic = is_synthetic(analysis)
    when = pd.Timestamp.now(tz=schema.TIMEZONE) if generated_at is None else pd.Timestamp(generated_at)
    generated = format_datetime(when, options.lang)
    table = district_table if district_table is not None else district_figures(analysis, level=options.level)
    first, tiles_drawn = _first_page(
        analysis, options, synthetic=synthetic, osaalue=osaalue, peruspiiri=peruspiiri
    )
    second = _second_page(
        analysis, table, options, synthetic=synthetic, tiles_drawn=tiles_drawn, generated=generated
    )
    return _document_bytes(
        [*first, PageBreak(), *second], analysis, options, synthetic=synthetic, generated=generated
    )


def _legend_line(lang: str, *, restricted: bool, numbered: int | None = None) -> str:
    parts = [f"■ {t('brief.legend_hotspot', lang)}", f"— {t('brief.legend_districts', lang)}"]
    if numbered is not None:
        parts.append(f"□ {t('brief.legend_other_hotspots', lang, n=numbered)}")
    if restricted:
        parts.append(f"• {t('brief.legend_incident', lang)}")
    parts.append(t("map.attribution.districts", lang))
    return "   ".join(parts)
