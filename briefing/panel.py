"""The side panel of the map picture: key figures, filters, legend, ranked hotspots, sources.

Written top-down into its own axes (coordinates in axes fractions), wrapped to the panel's
width; the sources and the aggregation or RESTRICTED note sit at the bottom.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.patches import Circle, Rectangle

from briefing.cartography import (
    CHOSEN_EDGE,
    DISTRICT_EDGE,
    DISTRICT_FILL,
    HOTSPOT_EDGE,
    HOTSPOT_FILL,
    RESTRICTED_RED,
    MapLegend,
)
from briefing.privacy import outline_cell_m
from briefing.texts import (
    change_text,
    count_label,
    filters_text,
    hotspot_definition,
    method_text,
    place_text,
)
from hotspots.analysis import Analysis
from hotspots.placenames import place_name
from i18n import format_number, peak_times_text, t

#: Draws a legend symbol into (x, y, width, height) of an axes.
_Symbol = Callable[[Axes, float, float, float, float], None]


class _Column:
    """Writes lines top-down into an axes (coordinates in axes fractions)."""

    def __init__(self, ax: Axes, *, width_pt: float, height_pt: float, top: float = 0.99) -> None:
        self.ax = ax
        self.width_pt = width_pt
        self.height_pt = height_pt
        self.y = top
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)

    def gap(self, points: float) -> None:
        self.y -= points / self.height_pt

    def text(
        self, text: str, *, size: float, weight: str = "normal", color: str = "#222222", indent: float = 0.0
    ) -> None:
        chars = max(12, int((self.width_pt * (1 - indent)) / (0.55 * size)))
        wrapped = textwrap.fill(text, width=chars, break_long_words=False) or " "
        lines = wrapped.count("\n") + 1
        self.ax.text(
            indent,
            self.y,
            wrapped,
            fontsize=size,
            fontweight=weight,
            color=color,
            va="top",
            ha="left",
            linespacing=1.25,
        )
        self.y -= lines * size * 1.3 / self.height_pt

    def swatch(self, label: str, *, size: float, draw: _Symbol) -> None:
        box_h = size * 1.1 / self.height_pt
        box_w = size * 1.6 / self.width_pt
        draw(self.ax, 0.0, self.y - box_h, box_w, box_h)
        self.ax.text(
            box_w + 8 / self.width_pt, self.y - box_h / 2, label, fontsize=size, va="center", ha="left"
        )
        self.y -= size * 1.55 / self.height_pt


def _rect(face: str, edge: str = "none", alpha: float = 1.0, lw: float = 0.0) -> _Symbol:
    def draw(ax: Axes, x: float, y: float, w: float, h: float) -> None:
        ax.add_patch(Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, alpha=alpha, linewidth=lw))

    return draw


def _dot(ax: Axes, x: float, y: float, w: float, h: float) -> None:
    ax.add_patch(Circle((x + w / 2, y + h / 2), h / 5, facecolor="#222222"))


@dataclass(frozen=True)
class PanelText:
    """What the side panel says and for whom.

    Attributes
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    restricted
        Exact counts and the RESTRICTED note; otherwise counts below ``min_count`` suppressed.
    min_count
        Suppression threshold, >= 1.
    max_listed
        Hotspots listed, in rank order.
    synthetic
        The incidents are synthetic demo data: said at the bottom, in red.
    attributions
        Source lines (``texts.source_lines``), at the bottom.
    """

    lang: str
    restricted: bool
    min_count: int
    max_listed: int
    synthetic: bool
    attributions: tuple[str, ...]

    def count(self, value: object) -> str:
        """Return a count as this panel shows it (``texts.count_label``)."""
        return count_label(value, self.lang, min_count=self.min_count, restricted=self.restricted)


def _key_figures(col: _Column, analysis: Analysis, text: PanelText, fontsize: float) -> None:
    lang, key = text.lang, analysis.key
    significant = t("metric.significant_hotspots", lang).lower()
    figures = [
        f"{t('metric.incidents', lang)}: {text.count(key.incidents)}",
        f"{t('metric.hotspots', lang)}: {format_number(key.hotspots, lang)} "
        f"({significant} {format_number(key.significant_hotspots, lang)})",
    ]
    if analysis.previous_selection is not None:
        figures.append(f"{t('metric.incidents_previous', lang)}: {text.count(key.incidents_previous)}")
        change = change_text(analysis, lang, min_count=text.min_count, restricted=text.restricted)
        if change:
            figures.append(f"{t('brief.key_change', lang)}: {change}")
    col.text(t("panel.key_figures", lang), size=fontsize, weight="bold")
    for line in figures:
        col.text(line, size=fontsize * 0.85)
    col.gap(fontsize * 0.6)
    col.text(filters_text(analysis.selection, lang), size=fontsize * 0.8)
    # What a hotspot is, in words: the method's name and parameters are in the small print.
    col.text(hotspot_definition(analysis.clustering, lang), size=fontsize * 0.8)
    col.gap(fontsize * 0.6)


def _legend(col: _Column, analysis: Analysis, legend: MapLegend, text: PanelText, fontsize: float) -> None:
    lang = text.lang
    col.text(t("map.legend.hotspots", lang), size=fontsize, weight="bold")
    col.swatch(
        t("brief.legend_hotspot", lang),
        size=fontsize * 0.8,
        draw=_rect(HOTSPOT_FILL, HOTSPOT_EDGE, 0.6, 1.0),
    )
    col.swatch(
        t("brief.legend_districts", lang),
        size=fontsize * 0.8,
        draw=_rect(DISTRICT_FILL, DISTRICT_EDGE, 1.0, 0.8),
    )
    if legend.chosen:
        col.swatch(
            t("brief.legend_chosen", lang, place=place_text(analysis.selection, lang)),
            size=fontsize * 0.8,
            draw=_rect("none", CHOSEN_EDGE, 1.0, 2.0),
        )
    if legend.density is not None:
        edges, colours = legend.density
        col.text(t("map.legend.density", lang), size=fontsize * 0.8)
        for low, high, colour in zip(edges[:-1], edges[1:], colours, strict=False):
            span = f"{int(low)}" if int(high) - 1 == int(low) else f"{int(low)}–{int(high) - 1}"
            col.swatch(span, size=fontsize * 0.75, draw=_rect(colour, alpha=0.75))
        if not text.restricted:
            col.text(t("map.legend.suppressed", lang, min_count=text.min_count), size=fontsize * 0.7)
    if legend.others is not None:
        col.swatch(
            t("brief.legend_other_hotspots", lang, n=legend.others),
            size=fontsize * 0.8,
            draw=_rect(HOTSPOT_FILL, HOTSPOT_EDGE, 0.25, 0.5),
        )
    if legend.points:
        col.swatch(t("brief.legend_incident", lang), size=fontsize * 0.8, draw=_dot)
    col.gap(fontsize * 0.6)


def _hotspot_list(col: _Column, analysis: Analysis, text: PanelText, fontsize: float) -> None:
    """Each listed hotspot on two lines: rank and place; count, trend, peak time and who leads."""
    lang, hotspots = text.lang, analysis.hotspots
    if not len(hotspots):
        col.text(t("msg.no_hotspots", lang), size=fontsize * 0.8)
        return
    shown = min(text.max_listed, len(hotspots))
    col.text(t("panel.ranking_table", lang), size=fontsize, weight="bold")
    place = "osaalue_sv" if lang == "sv" else "osaalue_fi"
    for _, row in hotspots.head(shown).iterrows():
        # The nearest street first, unless a small count would pin it down (as in the PDF).
        street = place_name(row, lang) if text.restricted or int(row["n"]) >= text.min_count else ""
        names = ", ".join([*([street] if street else []), *str(row[place]).split(", ")[:2]])
        status = t(f"status.{row['status']}", lang) if isinstance(row.get("status"), str) else ""
        details = [
            f"{t('column.incidents', lang)} {text.count(row['n'])}",
            *([status] if status else []),
            f"{t('column.peak_windows', lang)}: {peak_times_text(row['peak_times'], lang)}",
            t(f"lead.{row['lead']}", lang),
        ]
        col.gap(fontsize * 0.15)
        col.text(f"{int(row['rank'])}. {names}", size=fontsize * 0.78, weight="bold")
        col.text(" · ".join(details), size=fontsize * 0.72, indent=0.04)


def _notes(ax: Axes, analysis: Analysis, text: PanelText, *, col: _Column, fontsize: float) -> None:
    """Write the sources and notes bottom up from the panel's foot."""
    lang = text.lang
    notes: list[tuple[str, str, str]] = []
    if text.synthetic:
        notes.append((t("brief.synthetic", lang), "bold", RESTRICTED_RED))
    if text.restricted:
        notes.append((t("brief.restricted_note", lang), "normal", RESTRICTED_RED))
    else:
        study_cell = analysis.found.grid.cell_m if analysis.found is not None else None
        cell = format_number(outline_cell_m(analysis.clustering.eps_m, study_cell), lang)
        notes.append(
            (t("brief.aggregated_note", lang, min_count=text.min_count, cell_m=cell), "normal", "#444444")
        )
    notes.append((method_text(analysis.clustering, lang), "normal", "#444444"))
    notes.extend((line, "normal", "#444444") for line in text.attributions)
    chars = max(12, int(col.width_pt / (0.55 * fontsize * 0.7)))
    wrapped = [(textwrap.fill(note, width=chars, break_long_words=False), w, c) for note, w, c in notes]
    y = 0.005
    for note, weight, colour in reversed(wrapped):
        ax.text(
            0,
            y,
            note,
            fontsize=fontsize * 0.7,
            fontweight=weight,
            color=colour,
            va="bottom",
            ha="left",
            linespacing=1.2,
        )
        y += (note.count("\n") + 1) * fontsize * 0.7 * 1.3 / col.height_pt + 0.004


def draw_panel(
    ax: Axes,
    analysis: Analysis,
    legend: MapLegend,
    text: PanelText,
    *,
    width_pt: float,
    height_pt: float,
    fontsize: float,
) -> None:
    """Write the side panel: key figures, filters and method, legend, hotspot list, sources.

    Parameters
    ----------
    ax
        The panel's axes (its frame is hidden).
    analysis
        Analysis result.
    legend
        What the map drew (``cartography.draw_map``).
    text
        What the panel says and for whom.
    width_pt, height_pt
        The panel's size in points: where lines wrap and how far each one moves down.
    fontsize
        Base text size in points.
    """
    col = _Column(ax, width_pt=width_pt, height_pt=height_pt)
    _key_figures(col, analysis, text, fontsize)
    _legend(col, analysis, legend, text, fontsize)
    _hotspot_list(col, analysis, text, fontsize)
    _notes(ax, analysis, text, col=col, fontsize=fontsize)
