"""The map picture: its composition, sizes, markings and PNG bytes.

A title bar (title, period, markings), the map (``cartography``, over optional basemap
tiles from ``basemap``) and a side panel (``panel``: key figures, filters, legend, ranked
hotspots, sources), drawn with matplotlib's Agg renderer in EPSG:3067 metres
(``rendering``). The picture states its title, period, filters, legend, scale bar, north
arrow, data attribution and, when the incidents are synthetic, "synthetic demo data".
Output is deterministic: the same inputs give byte-identical PNG files (fixed ``Software``
key, no timestamps).

Aggregated pictures (the default) show the shareable hotspot outlines and, optionally,
incident density; restricted pictures show the hotspot polygons and every incident as a
point, and say ``RESTRICTED`` (translated) on the picture and in the PNG's text chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from briefing.basemap import draw_tiles
from briefing.cartography import RESTRICTED_RED, Bounds, MapStyle, draw_map, map_content
from briefing.panel import PanelText, draw_panel
from briefing.privacy import AGGREGATED, DEFAULT_MIN_COUNT, RESTRICTED, check_min_count
from briefing.rendering import figure_png_bytes, style
from briefing.texts import (
    SOFTWARE,
    filters_text,
    is_synthetic,
    marking,
    period_text,
    source_lines,
    title_text,
)
from geo import settings
from geo.errors import ParameterError
from hotspots.analysis import Analysis
from i18n import check_language, t


@dataclass(frozen=True)
class MapSize:
    """Pixel size and resolution of a picture."""

    width_px: int
    height_px: int
    dpi: int

    def __post_init__(self) -> None:
        if min(self.width_px, self.height_px, self.dpi) < 1:
            raise ParameterError(f"picture size and dpi must be >= 1, got {self}")

    @property
    def inches(self) -> tuple[float, float]:
        """Figure size in inches."""
        return self.width_px / self.dpi, self.height_px / self.dpi


#: Least and most of the picture's width the map takes beside the panel.
MAP_SHARE: Final = (0.45, 0.64)
#: Named sizes: slides (1920 x 1080) and print (A4 landscape at 300 dpi).
SIZES: Final[dict[str, MapSize]] = {
    "slides": MapSize(1920, 1080, 150),
    "a4": MapSize(3508, 2480, 300),
}


def resolve_size(size: str | MapSize) -> MapSize:
    """Return the ``MapSize`` of ``"slides"``, ``"a4"`` or a ``MapSize``.

    Parameters
    ----------
    size
        A name in ``SIZES`` or a ``MapSize``.

    Returns
    -------
    MapSize
    """
    if isinstance(size, MapSize):
        return size
    if size not in SIZES:
        raise ParameterError(f"size was {size!r} but is expected to be one of {list(SIZES)}")
    return SIZES[size]


@dataclass(frozen=True)
class MapOptions:
    """What the map picture shows, for whom, and how big; checked when made.

    Attributes
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    size
        ``"slides"`` (1920 x 1080 px), ``"a4"`` (A4 landscape, 300 dpi) or a ``MapSize``.
    restricted
        Show every incident as a point, exact counts and the RESTRICTED marking.
    min_count
        Counts below this are suppressed (aggregated pictures), >= 1.
    density
        Shade incident density in ``density_cell_m`` cells.
    density_cell_m
        Side of a density cell in metres, > 0.
    tiles_url
        XYZ tile URL template (``{z}/{x}/{y}``) for a basemap; None for none (default).
    tiles_attribution
        Attribution of the tiles, stated when they are drawn.
    tiles_cache_dir
        Where tiles are cached; default ``<cache>/tiles``.
    origin
        Where the incidents came from, for the sources line.
    panel
        With the title bar and the side panel (key figures, filters, legend, list, sources);
        False draws the map alone (the PDF states those in text).
    max_listed
        Hotspots listed in the panel.
    numbered
        Hotspots numbered on the map (the top ranks); the others are drawn paler, unnumbered.
    text_pt
        Base text size in points (rank numbers are 0.9 of it); default grows with the
        picture (9 pt on slides). The PDF sets it for print: 1 pt in the figure is 1 pt on
        the page.
    """

    lang: str = "fi"
    size: str | MapSize = "slides"
    restricted: bool = False
    min_count: int = DEFAULT_MIN_COUNT
    density: bool = False
    density_cell_m: float = 250.0
    tiles_url: str | None = None
    tiles_attribution: str = settings.DEFAULT_TILES_ATTRIBUTION
    tiles_cache_dir: Path | None = None
    origin: str | None = None
    panel: bool = True
    max_listed: int = 10
    numbered: int = 20
    text_pt: float | None = None

    def __post_init__(self) -> None:
        check_language(self.lang)
        if self.text_pt is not None and not (np.isfinite(self.text_pt) and self.text_pt > 0):
            raise ParameterError(f"text_pt must be > 0 points, got {self.text_pt}")
        object.__setattr__(self, "min_count", check_min_count(self.min_count))
        resolve_size(self.size)
        if not np.isfinite(self.density_cell_m) or self.density_cell_m <= 0:
            raise ParameterError(f"density_cell_m must be > 0 metres, got {self.density_cell_m}")
        numbered = self.numbered
        if isinstance(numbered, bool) or not isinstance(numbered, int) or numbered < 0:
            raise ParameterError(
                f"numbered must be a whole number >= 0 (hotspots numbered on the map), got {numbered!r}"
            )

    @property
    def map_size(self) -> MapSize:
        """The picture's size in pixels and its resolution."""
        return resolve_size(self.size)


@dataclass(frozen=True)
class MapPicture:
    """A rendered map: the figure, whether tiles were drawn and the PNG text chunks."""

    figure: Figure
    tiles_drawn: bool
    metadata: dict[str, str]


def _draw_basemap(ax: Axes, bounds: Bounds, options: MapOptions, *, width_px: float) -> bool:
    """Draw the optional tiles under the map; True when they were drawn."""
    if not options.tiles_url:
        return False
    cache_dir = options.tiles_cache_dir or settings.cache_dir() / "tiles"
    return draw_tiles(ax, bounds, url_template=options.tiles_url, cache_dir=cache_dir, width_px=width_px)


def _map_style(options: MapOptions, *, fontsize: float, tiles_drawn: bool) -> MapStyle:
    return MapStyle(
        lang=options.lang,
        restricted=options.restricted,
        min_count=options.min_count,
        density=options.density,
        density_cell_m=options.density_cell_m,
        numbered=options.numbered,
        fontsize=fontsize,
        tiles_drawn=tiles_drawn,
    )


def _panel_text(options: MapOptions, *, synthetic: bool, attributions: Sequence[str]) -> PanelText:
    return PanelText(
        lang=options.lang,
        restricted=options.restricted,
        min_count=options.min_count,
        max_listed=options.max_listed,
        synthetic=synthetic,
        attributions=tuple(attributions),
    )


def _title_bar(
    fig: Figure, analysis: Analysis, options: MapOptions, *, synthetic: bool, fontsize: float
) -> None:
    """Title and period top left; RESTRICTED and synthetic-data markings top right."""
    lang, restricted = options.lang, options.restricted
    width_in, height_in = options.map_size.inches
    title = title_text(analysis.selection, lang)
    words = [marking(lang, restricted=True)] if restricted else []
    words += [t("brief.synthetic", lang).upper()] if synthetic else []
    marking_pt = fontsize * (1.6 if restricted else 1.1)
    # Markings stack (one per line) at the right; the title takes the width they leave, and
    # a long list of districts shrinks it rather than running under them.
    marking_w_pt = max((len(word) for word in words), default=0) * 0.72 * marking_pt + 2 * marking_pt
    room_pt = 0.96 * width_in * 72 - marking_w_pt
    fig.text(
        0.01,
        0.985,
        title,
        fontsize=min(fontsize * 1.9, room_pt / (0.62 * max(len(title), 1))),
        fontweight="bold",
        va="top",
        ha="left",
    )
    period = t("brief.period", lang, period=period_text(analysis.selection, lang))
    if analysis.previous_selection is not None:
        period += f" ({t('brief.comparison', lang, period=period_text(analysis.previous_selection, lang))})"
    fig.text(0.01, 0.985 - fontsize * 2.6 / (72 * height_in), period, fontsize=fontsize * 1.05, va="top")
    if words:
        fig.text(
            0.99,
            0.985,
            "\n".join(words),
            fontsize=marking_pt,
            fontweight="bold",
            color=RESTRICTED_RED,
            va="top",
            ha="right",
            multialignment="right",
            bbox={
                "facecolor": "white",
                "edgecolor": RESTRICTED_RED,
                "linewidth": 1.5,
                "boxstyle": "square,pad=0.3",
            },
        )


def _map_rect(
    bounds: Bounds, picture: MapSize, *, title_h: float, panel: bool
) -> tuple[float, float, float, float]:
    """Return the map's axes in figure fractions: as wide as its frame asks, the panel beside it.

    A fixed two-thirds width left a tall city (Helsinki with its islands) with empty bands
    beside it and the panel cramped; the map now takes the width its frame needs (between
    ``MAP_SHARE`` bounds) and the panel the rest.
    """
    if not panel:
        return (0.0, 0.0, 1.0, 1.0)
    width_in, height_in = picture.inches
    x0, y0, x1, y1 = bounds
    height = 0.98 - title_h
    wanted = (x1 - x0) / max(y1 - y0, 1.0) * height * height_in / width_in
    return (0.01, 0.01, float(np.clip(wanted, *MAP_SHARE)), height)


def _restricted_stamp(ax: Axes, lang: str, *, fontsize: float) -> None:
    """RESTRICTED on the map itself, when there is no title bar to say it."""
    ax.text(
        0.5,
        0.98,
        marking(lang, restricted=True),
        transform=ax.transAxes,
        fontsize=fontsize * 1.6,
        fontweight="bold",
        color=RESTRICTED_RED,
        ha="center",
        va="top",
        zorder=10,
        bbox={"facecolor": "white", "edgecolor": RESTRICTED_RED, "boxstyle": "square,pad=0.3"},
    )


def map_figure(
    analysis: Analysis,
    options: MapOptions | None = None,
    *,
    osaalue: gpd.GeoDataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
) -> MapPicture:
    """Draw the map of one analysis as a matplotlib figure (Agg, no pyplot).

    Parameters
    ----------
    analysis
        ``hotspots.analysis.analyse(...)`` result.
    options
        What the picture shows and how big (``MapOptions``); default ``MapOptions()``.
    osaalue, peruspiiri
        District layers; default the official ones (``geo.districts.load_districts``).

    Returns
    -------
    MapPicture
    """
    options = MapOptions() if options is None else options
    picture = options.map_size
    synthetic = is_synthetic(analysis)
    content = map_content(analysis, restricted=options.restricted, osaalue=osaalue, peruspiiri=peruspiiri)
    width_in, height_in = picture.inches
    fontsize = options.text_pt or 9.0 * min(width_in / 12.8, height_in / 7.2) ** 0.5
    with style():
        fig = Figure(figsize=(width_in, height_in), dpi=picture.dpi, facecolor="white")
        title_h = (0.11 if options.restricted else 0.085) if options.panel else 0.0
        map_rect = _map_rect(content.bounds, picture, title_h=title_h, panel=options.panel)
        ax = fig.add_axes(map_rect)
        content = content.fitted((map_rect[2] * width_in) / (map_rect[3] * height_in))
        tiles_drawn = _draw_basemap(ax, content.bounds, options, width_px=map_rect[2] * picture.width_px)
        legend = draw_map(
            ax, analysis, content, _map_style(options, fontsize=fontsize, tiles_drawn=tiles_drawn)
        )
        attributions = source_lines(
            options.lang,
            origin=options.origin,
            synthetic=synthetic,
            tiles_attribution=options.tiles_attribution if tiles_drawn else None,
        )
        if options.panel:
            _title_bar(fig, analysis, options, synthetic=synthetic, fontsize=fontsize)
            left = map_rect[0] + map_rect[2] + 0.025
            panel_rect = (left, 0.01, 0.99 - left, 0.97 - title_h)
            draw_panel(
                fig.add_axes(panel_rect),
                analysis,
                legend,
                _panel_text(options, synthetic=synthetic, attributions=attributions),
                width_pt=panel_rect[2] * width_in * 72,
                height_pt=panel_rect[3] * height_in * 72,
                fontsize=fontsize,
            )
        elif options.restricted:
            _restricted_stamp(ax, options.lang, fontsize=fontsize)
    metadata = png_metadata(
        analysis,
        lang=options.lang,
        restricted=options.restricted,
        synthetic=synthetic,
        attributions=attributions,
    )
    return MapPicture(fig, tiles_drawn, metadata)


def png_metadata(
    analysis: Analysis, *, lang: str, restricted: bool, synthetic: bool, attributions: Sequence[str]
) -> dict[str, str]:
    """Return the PNG text chunks: title, description (period, filters), sources, classification, software.

    Parameters
    ----------
    analysis
        Analysis result: its period and filters.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    restricted
        Classification RESTRICTED, with a warning chunk; otherwise AGGREGATED.
    synthetic
        Add a disclaimer chunk: the incidents are synthetic demo data.
    attributions
        Source lines, joined into the ``Source`` chunk.

    Returns
    -------
    dict of str to str
    """
    description = "; ".join(
        [
            t("brief.period", lang, period=period_text(analysis.selection, lang)),
            filters_text(analysis.selection, lang),
        ]
    )
    classification = RESTRICTED if restricted else AGGREGATED
    meta = {
        "Title": title_text(analysis.selection, lang),
        "Description": description,
        "Source": " / ".join(attributions),
        "Software": SOFTWARE,
        "Classification": f"{classification} ({marking(lang, restricted=restricted)})",
    }
    if restricted:
        meta["Warning"] = f"{RESTRICTED}: {t('brief.restricted_note', lang)}"
    if synthetic:
        meta["Disclaimer"] = t("brief.synthetic", lang)
    return meta


def map_png_bytes(analysis: Analysis, options: MapOptions | None = None) -> bytes:
    """Return the map picture (title bar, map, side panel) as PNG bytes, for downloads and the CLI.

    Parameters
    ----------
    analysis
        ``hotspots.analysis.analyse(...)`` result.
    options
        As in ``map_figure``.

    Returns
    -------
    bytes
        A PNG file; identical bytes for identical inputs.
    """
    options = MapOptions() if options is None else options
    picture = map_figure(analysis, options)
    return figure_png_bytes(picture.figure, dpi=options.map_size.dpi, metadata=picture.metadata)
