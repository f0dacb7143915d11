"""The PDF briefing's text styles and tables: key figures, the top ten, the districts.

Shared by ``pdf`` (which lays out the pages) and checked on their own: every number in
them is written the reader's way (``i18n.numbers``: ``1 389``, ``+30 %``, ``1,389``,
``+30%``), every count below ``min_count`` as ``<5`` unless restricted, and every text
cell is escaped (``<5`` and ``&`` stay text). Text is DejaVu Sans (matplotlib's font), so
the PDF's text and its pictures match and every Finnish and Swedish letter is there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

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
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from briefing import prediction
from briefing.privacy import shareable_district_table
from briefing.texts import change_text, count_label
from hotspots.analysis import Analysis
from hotspots.backtest.last_period import PredictiveCheck
from hotspots.placenames import place_name
from i18n import format_number, format_percent, peak_times_text, recommendation_text, t

FONT: Final = "BriefSans"
FONT_BOLD: Final = "BriefSans-Bold"
RED: Final = colors.HexColor("#b00020")
GREY: Final = colors.HexColor("#555555")
_RULE: Final = colors.HexColor("#cccccc")
_HEAD_FILL: Final = colors.HexColor("#efece6")
#: Left and right page margins; the text, the map and the tables are as wide as what is left.
MARGIN: Final = 1.5 * cm
CONTENT_WIDTH: Final = A4[0] - 2 * MARGIN
#: Hotspots in the top-ten table.
TOP_N: Final = 10


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold) from matplotlib's font folder with reportlab."""
    folder = Path(mpl.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def styles() -> dict[str, ParagraphStyle]:
    """Return the briefing's paragraph styles by name (title, h2, body, small, cell, figure, alert).

    Returns
    -------
    dict of str to ParagraphStyle
        In DejaVu Sans, registered with reportlab on first use.
    """
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3
        ),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.2),
        "figure": ParagraphStyle("figure", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16),
        "alert": ParagraphStyle(
            "alert", parent=base, fontName=FONT_BOLD, fontSize=9, leading=12, textColor=RED
        ),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """Return a paragraph of plain text (escaped: ``<5`` and ``&`` stay text)."""
    return Paragraph(escape(text), style)


# --------------------------------------------------------------------------- tables


def key_figures(analysis: Analysis, *, lang: str, restricted: bool, min_count: int) -> Table:
    """Return page 1's four key figures: incidents, comparison period, change, hotspots.

    Parameters
    ----------
    analysis
        Analysis result: its ``key`` figures.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    restricted
        Exact counts; otherwise counts below ``min_count`` are ``<min_count`` and the change
        beside such a count is left out.
    min_count
        Suppression threshold.

    Returns
    -------
    Table
        One row of four cells, each a big figure over its label.
    """
    style = styles()
    key = analysis.key

    def count(value: int) -> str:
        return count_label(value, lang, min_count=min_count, restricted=restricted)

    change = change_text(analysis, lang, min_count=min_count, restricted=restricted)
    cells = [
        (t("metric.incidents", lang), count(key.incidents)),
        (t("metric.incidents_previous", lang), count(key.incidents_previous)),
        (t("brief.key_change", lang), change),
        (
            f"{t('metric.hotspots', lang)} ({t('metric.significant_hotspots', lang).lower()} "
            f"{format_number(key.significant_hotspots, lang)})",
            format_number(key.hotspots, lang),
        ),
    ]
    row = [[paragraph(value, style["figure"]), paragraph(label, style["small"])] for label, value in cells]
    table = Table(
        [[Table([[a], [b]], colWidths=[CONTENT_WIDTH / 4 - 6]) for a, b in row]],
        colWidths=[CONTENT_WIDTH / 4] * 4,
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def top_hotspots(analysis: Analysis, *, lang: str, restricted: bool, min_count: int) -> list[Flowable]:
    """Return page 1's top ten: heading, one row per hotspot (where, count, trend, peak times, advice).

    Parameters
    ----------
    analysis
        Analysis result: its ranked hotspots.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    restricted
        Exact counts and every hotspot's street; otherwise a hotspot below ``min_count``
        shows ``<min_count`` and no street (it could point at one incident's door).
    min_count
        Suppression threshold.

    Returns
    -------
    list of Flowable
        The heading and table, a note of further hotspots, or "no hotspots".
    """
    style = styles()
    hotspots = analysis.hotspots
    out: list[Flowable] = []
    if hotspots.empty:
        out.append(paragraph(t("msg.no_hotspots", lang), style["body"]))
        return out
    top = hotspots.head(TOP_N)
    out.append(paragraph(t("brief.top_hotspots", lang, n=len(top)), style["h2"]))
    place = "osaalue_sv" if lang == "sv" else "osaalue_fi"
    header = [
        t("column.rank", lang),
        t("brief.column_where", lang),
        t("column.incidents", lang),
        t("column.trend", lang),
        t("column.peak_windows", lang),
        t("column.recommendation", lang),
    ]
    rows: list[list[Any]] = [[paragraph(h, style["cell_bold"]) for h in header]]
    for _, row in top.iterrows():
        # The nearest address first ("Tallinnanaukio, Itäkeskus"), unless a small count would pin it down.
        street = place_name(row, lang) if restricted or int(row["n"]) >= min_count else ""
        names = ", ".join([*([street] if street else []), *str(row[place]).split(", ")[:3]])
        status = row.get("status")
        windows = peak_times_text(row["peak_times"], lang)
        rows.append(
            [
                paragraph(str(int(row["rank"])), style["cell_bold"]),
                paragraph(names, style["cell"]),
                paragraph(
                    count_label(row["n"], lang, min_count=min_count, restricted=restricted),
                    style["cell"],
                ),
                paragraph(t(f"status.{status}", lang) if isinstance(status, str) else "", style["cell"]),
                paragraph(windows, style["cell"]),
                paragraph(recommendation_text(row["recommendation"], lang, place=street), style["cell"]),
            ]
        )
    widths = [0.06, 0.19, 0.125, 0.11, 0.12, 0.395]
    table = Table(rows, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
    table.setStyle(table_style())
    out.append(table)
    if len(hotspots) > len(top):
        out.append(Spacer(1, 3))
        out.append(paragraph(t("brief.more_hotspots", lang, n=len(hotspots) - len(top)), style["small"]))
    return out


def table_style() -> TableStyle:
    """Return the tables' look: a shaded header row, thin rules, tight padding."""
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


def _finite(value: object) -> float | None:
    """Return a table value as a float, None when it is missing or not finite (no comparison)."""
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if np.isfinite(number) else None


def _number(value: object, lang: str, decimals: int = 0) -> str:
    number = _finite(value)
    return "" if number is None else format_number(number, lang, decimals=decimals)


def _percent(value: object, lang: str) -> str:
    """Return a change in per cent, signed, with the reader's % (``+485 %``, ``-12%``); empty when unknown."""
    number = _finite(value)
    return "" if number is None else format_percent(number, lang, decimals=0, signed=True)


def district_rows(
    table: pd.DataFrame, *, lang: str, restricted: bool, min_count: int
) -> tuple[list[list[Any]], bool]:
    """Return page 2's district rows: name, incidents, comparison, change, change %, rate.

    Parameters
    ----------
    table
        ``hotspots.figures.district_table`` output; not changed.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``: names (Swedish in ``"sv"``) and number formats.
    restricted
        Exact counts; otherwise ``privacy.shareable_district_table`` blanks what a small
        count would give away.
    min_count
        Suppression threshold.

    Returns
    -------
    rows, has_rates
        Header and one row of paragraphs per district; whether any rate could be computed.
    """
    style = styles()
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
    rows: list[list[Any]] = [[paragraph(h, style["cell_bold"]) for h in header]]
    for (_, row), (_, raw) in zip(shown.iterrows(), table.iterrows(), strict=True):
        change = row["change"]
        rows.append(
            [
                paragraph(str(row[name]), style["cell"]),
                paragraph(
                    count_label(raw["n"], lang, min_count=min_count, restricted=restricted),
                    style["cell"],
                ),
                paragraph(
                    count_label(raw["n_prev"], lang, min_count=min_count, restricted=restricted),
                    style["cell"],
                ),
                paragraph(
                    "" if pd.isna(change) else format_number(int(change), lang, signed=True), style["cell"]
                ),
                paragraph(_percent(row["change_pct"], lang), style["cell"]),
                paragraph(_number(row["rate_per_1000"], lang, decimals=1), style["cell"]),
            ]
        )
    return rows, has_rates


def prediction_section(
    check: PredictiveCheck, lang: str, *, place: str, table: bool = True
) -> list[Flowable]:
    """Return page 2's prediction check: heading, one headline sentence, a small table, the periods.

    Parameters
    ----------
    check
        An ``ok`` check (``prediction.briefing_check``).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    place
        Where: the chosen districts or the city (``texts.place_text``).
    table
        With the table of budgets (when they differ); False where the page has no room.

    Returns
    -------
    list of Flowable
    """
    style = styles()
    section: list[Flowable] = [
        paragraph(t("brief.prediction_title", lang), style["h2"]),
        paragraph(prediction.headline(check, lang), style["body"]),
    ]
    rows = prediction.table_rows(check, lang) if table else []
    if rows:
        cells = [
            [paragraph(text, style["cell_bold" if i == 0 else "cell"]) for text in row]
            for i, row in enumerate(rows)
        ]
        budgets = Table(cells, colWidths=[w * CONTENT_WIDTH for w in (0.2, 0.16, 0.3, 0.34)], repeatRows=1)
        budgets.setStyle(table_style())
        section += [Spacer(1, 3), budgets]
    return [*section, Spacer(1, 2), paragraph(prediction.note(check, lang, place=place), style["small"])]
