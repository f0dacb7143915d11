"""The review's maps: hotspots coloured by their change, and each measure with its zones.

Both are the briefing's own map (``cartography``: land and sea, districts, numbered hotspot
outlines, scale bar, north arrow) with the review's layers on top:

- ``status_figure``: each hotspot filled by its status against the previous period
  (``STATUS_COLOURS``), the vanished ones as dashed grey outlines, and the measures of the
  period as navy outlines labelled ``M1``, ``M2`` ...;
- ``measure_figure``: one measure, framed on its control area: the target filled navy
  (above the hotspots' numbers, so that it is never hidden),
  the buffer ring hatched purple, the control area (the rest of the peruspiiri) shaded
  green, the hotspots numbered as on the other maps.

Aggregated maps (the default) draw the shareable outlines of current and vanished hotspots
(``privacy.shareable_outlines``), never incident points; restricted ones draw the
polygons and every incident of the period, like ``mapimage``. A measure's area is what
partners recorded, not where incidents were, and is drawn as it is.
"""

from __future__ import annotations

import dataclasses
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from briefing.basemap import draw_tiles
from briefing.cartography import (
    FRAME_MARGIN,
    HOTSPOT_FILL,
    Bounds,
    MapStyle,
    draw_map,
    geometry_path,
    map_content,
)
from briefing.mapimage import MapOptions, MapPicture
from briefing.privacy import shareable_outlines
from briefing.rendering import style
from geo import districts as district_layers
from geo import settings
from hotspots.review import MeasureReview, Review

#: Fill per status: new purple, intensifying red, persistent orange, diminishing blue
#: (ColorBrewer's diverging PuOr/RdBu ends, told apart also in grey print by lightness).
STATUS_COLOURS: Final[dict[str, str]] = {
    "new": "#7b3294",
    "intensifying": "#d7191c",
    "persistent": "#f49d37",
    "diminishing": "#2c7bb6",
}
#: Dashed outline of the previous period's hotspots that vanished.
VANISHED_EDGE: Final = "#6f6f6f"
#: A measure's target area, its buffer ring and its control area.
TARGET_COLOUR: Final = "#08306b"
RING_COLOUR: Final = "#6a51a3"
CONTROL_COLOUR: Final = "#31a354"
#: Least half-width of a measure map's frame around its target, metres.
_MEASURE_REACH_M: Final = 1200.0


def measure_label(index: int) -> str:
    """Return the short name a measure has on the review's maps and tables: ``M1``, ``M2`` ..."""
    return f"M{index + 1}"


def _figure(options: MapOptions) -> tuple[Figure, Axes]:
    width_in, height_in = options.map_size.inches
    fig = Figure(figsize=(width_in, height_in), dpi=options.map_size.dpi, facecolor="white")
    return fig, fig.add_axes((0.0, 0.0, 1.0, 1.0))


def _tiles(ax: Axes, bounds: Bounds, options: MapOptions) -> bool:
    """Draw the optional basemap; True when it was drawn."""
    if not options.tiles_url:
        return False
    cache_dir = options.tiles_cache_dir or settings.cache_dir() / "tiles"
    return draw_tiles(
        ax, bounds, url_template=options.tiles_url, cache_dir=cache_dir, width_px=options.map_size.width_px
    )


def _map_style(options: MapOptions, *, tiles_drawn: bool, fills: tuple[str, ...] | None) -> MapStyle:
    return MapStyle(
        lang=options.lang,
        restricted=options.restricted,
        min_count=options.min_count,
        density=options.density,
        density_cell_m=options.density_cell_m,
        numbered=options.numbered,
        fontsize=options.text_pt or 9.0,
        tiles_drawn=tiles_drawn,
        fills=fills,
    )


def _outline(ax: Axes, geometry: shapely.Geometry, **patch: object) -> None:
    path = geometry_path(geometry)
    if path is not None:
        ax.add_patch(PathPatch(path, **patch))


def _label(ax: Axes, geometry: shapely.Geometry, text: str, *, fontsize: float) -> None:
    """Write a measure's ``M1`` beside the top right corner of its area, in navy with a white halo."""
    _, _, x1, y1 = geometry.bounds
    ax.text(
        x1,
        y1,
        text,
        fontsize=fontsize,
        fontweight="bold",
        color=TARGET_COLOUR,
        ha="left",
        va="bottom",
        zorder=9,
        path_effects=[patheffects.withStroke(linewidth=2.4, foreground="white")],
    )


def status_figure(
    review: Review,
    options: MapOptions,
    *,
    osaalue: gpd.GeoDataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
    measures: bool = True,
) -> MapPicture:
    """Draw the period's hotspots coloured by status, the vanished ones, and the measures.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result.
    options
        Size, language, disclosure, basemap and numbering (``mapimage.MapOptions``; the
        panel is never drawn: the PDF says what it would).
    osaalue, peruspiiri
        District layers; default the official ones.
    measures
        Outline the measures of the period and label them ``M1`` ...

    Returns
    -------
    MapPicture
        The figure and whether tiles were drawn (metadata empty: the PDF carries its own).
    """
    result = review.analysis
    with style():
        fig, ax = _figure(options)
        width_in, height_in = options.map_size.inches
        content = map_content(result, restricted=options.restricted, osaalue=osaalue, peruspiiri=peruspiiri)
        content = content.fitted(width_in / height_in)
        tiles_drawn = _tiles(ax, content.bounds, options)
        statuses = (
            result.hotspots["status"].astype("string").fillna("").tolist() if len(result.hotspots) else []
        )
        fills = tuple(STATUS_COLOURS.get(s, HOTSPOT_FILL) for s in statuses)
        draw_map(ax, result, content, _map_style(options, tiles_drawn=tiles_drawn, fills=fills))
        gone = np.asarray(result.vanished.geometry.values, dtype=object)
        if gone.size and not options.restricted:
            gone = shareable_outlines(gone, eps_m=result.clustering.eps_m)
        for geometry in gone:
            if geometry is not None and not shapely.is_empty(geometry):
                _outline(
                    ax,
                    geometry,
                    facecolor="none",
                    edgecolor=VANISHED_EDGE,
                    linewidth=0.9,
                    linestyle="--",
                    zorder=5,
                )
        if measures:
            fontsize = 0.9 * (options.text_pt or 9.0)
            for i, item in enumerate(review.measures):
                area = item.recorded.measure.area
                _outline(ax, area, facecolor="none", edgecolor=TARGET_COLOUR, linewidth=1.6, zorder=7)
                _label(ax, area, measure_label(i), fontsize=fontsize)
    return MapPicture(fig, tiles_drawn, {})


def _measure_bounds(item: MeasureReview, buffer_m: float) -> Bounds:
    """Return the frame: the control area's land and the target's ring, with the frame margin."""
    target = item.recorded.measure.area
    parts = [target.buffer(max(buffer_m, _MEASURE_REACH_M))]
    if item.control is not None:
        parts.append(district_layers.on_land(item.control.area))
    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(parts, dtype=object))
    pad = FRAME_MARGIN * max(x1 - x0, y1 - y0)
    return float(x0 - pad), float(y0 - pad), float(x1 + pad), float(y1 + pad)


def measure_figure(
    review: Review,
    item: MeasureReview,
    options: MapOptions,
    *,
    osaalue: gpd.GeoDataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
) -> MapPicture:
    """Draw one measure: target, buffer ring and control area over the districts and hotspots.

    Parameters
    ----------
    review
        ``hotspots.review.review(...)`` result: its hotspots and buffer width.
    item
        One of ``review.measures``.
    options
        As in ``status_figure``.
    osaalue, peruspiiri
        District layers; default the official ones.

    Returns
    -------
    MapPicture
    """
    result = review.analysis
    target = item.recorded.measure.area
    buffer_m = review.effect_params.buffer_m
    with style():
        fig, ax = _figure(options)
        width_in, height_in = options.map_size.inches
        content = map_content(result, restricted=options.restricted, osaalue=osaalue, peruspiiri=peruspiiri)
        bounds = _measure_bounds(item, buffer_m)
        content = dataclasses.replace(content, bounds=bounds).fitted(width_in / height_in)
        tiles_drawn = _tiles(ax, content.bounds, options)
        draw_map(ax, result, content, _map_style(options, tiles_drawn=tiles_drawn, fills=None))
        if item.control is not None:
            land = district_layers.on_land(item.control.area)
            _outline(ax, land, facecolor=CONTROL_COLOUR, edgecolor="none", alpha=0.18, zorder=4)
            _outline(ax, land, facecolor="none", edgecolor=CONTROL_COLOUR, linewidth=1.3, zorder=4)
        ring = target.buffer(buffer_m).difference(target)
        _outline(
            ax,
            ring,
            facecolor="none",
            edgecolor=RING_COLOUR,
            hatch="////",
            linewidth=0.9,
            alpha=0.9,
            zorder=7,
        )
        _outline(
            ax, target, facecolor=TARGET_COLOUR, edgecolor=TARGET_COLOUR, alpha=0.75, linewidth=1.5, zorder=9
        )
    return MapPicture(fig, tiles_drawn, {})
