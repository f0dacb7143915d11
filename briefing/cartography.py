"""The map on its axes: land and sea, districts, density, incidents, numbered hotspots.

Drawn in EPSG:3067 metres. ``map_content`` decides what one map shows (its frame: the
chosen districts' whole land with a margin; the hotspot outlines and ranks; the district
layers cut to the land, over the water of Helsinki's districts); ``draw_map`` draws it,
with the scale bar and north arrow of ``mapscale``, and returns what the legend has to
explain. Rank numbers are sized from the base text size (``MapStyle.fontsize``), which the
PDF sets for print.

Aggregated maps (the default) show the shareable hotspot outlines
(``privacy.shareable_outlines``) and, optionally, incident density in grid cells; cells
with counts below ``min_count`` are not drawn. Their frame never follows incident positions.
Restricted maps show the hotspot polygons and every incident as a point.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from numpy.typing import NDArray

from briefing.mapscale import north_arrow, scale_bar
from briefing.privacy import shareable_outlines
from geo import crs
from geo import districts as district_layers
from geo.errors import ParameterError
from hotspots.analysis import Analysis
from hotspots.grid import TERRITORIAL_SEA_CODE, study_area

#: Hotspot fill and edge (the numbers' discs are the edge colour).
HOTSPOT_FILL: Final = "#e34a33"
HOTSPOT_EDGE: Final = "#99000d"
#: Land districts' fill and the basic districts' (peruspiiri) boundaries.
DISTRICT_FILL: Final = "#f3f1ec"
DISTRICT_EDGE: Final = "#6b6558"
#: The outline of the chosen districts.
CHOSEN_EDGE: Final = "#2b2b2b"
#: The RESTRICTED marking and the synthetic-data warning.
RESTRICTED_RED: Final = "#b00020"
_OSAALUE_EDGE: Final = "#b8b4aa"
_SEA_FILL: Final = "#dce9f2"
_DENSITY_COLOURS: Final = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
#: Rank numbers' size as a share of the base text size (the PDF's base is set for print).
NUMBER_SCALE: Final = 0.9
#: Margin around the study area, as a share of the frame's longer side.
FRAME_MARGIN: Final = 0.04
#: Below this extent width (metres) districts are named at osa-alue level.
_OSAALUE_NAMES_BELOW_M: Final = 12_000.0

Bounds = tuple[float, float, float, float]


# --------------------------------------------------------------------------- geometry


def _ring_path(coords: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    codes[0] = MplPath.MOVETO
    codes[-1] = MplPath.CLOSEPOLY
    return coords, codes


def geometry_path(geom: shapely.Geometry) -> MplPath | None:
    """Return a matplotlib path (holes included) of a polygon or multipolygon in its own coordinates.

    Parameters
    ----------
    geom
        A polygon or multipolygon; other parts (points, lines) are left out.

    Returns
    -------
    matplotlib.path.Path or None
        None for a missing or empty geometry, or one without polygons.
    """
    if geom is None or shapely.is_empty(geom):
        return None
    parts = shapely.get_parts(geom)
    vertices: list[NDArray[np.float64]] = []
    codes: list[NDArray[np.uint8]] = []
    for part in parts:
        if not isinstance(part, shapely.Polygon):
            continue
        for ring in (part.exterior, *part.interiors):
            v, c = _ring_path(np.asarray(ring.coords, dtype=np.float64)[:, :2])
            vertices.append(v)
            codes.append(c)
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _paths(geoms: Sequence[Any]) -> list[MplPath]:
    return [p for p in (geometry_path(g) for g in geoms) if p is not None]


# --------------------------------------------------------------------------- content


def _study_land(analysis: Analysis, osaalue: gpd.GeoDataFrame) -> Any | None:
    """Return the land of the chosen districts (Helsinki's without a choice); None when it has none."""
    try:
        return study_area(analysis.selection, osaalue)
    except ParameterError:  # only the territorial sea chosen
        return None


def _extent(
    analysis: Analysis,
    osaalue: gpd.GeoDataFrame,
    outlines: NDArray[np.object_],
    *,
    land: Any | None,
    restricted: bool,
) -> Bounds:
    """Bounds of the chosen districts' land (or Helsinki's) and every hotspot, with a margin.

    District polygons reach far out to sea, so the frame is their land (the shore cut plus
    75 m, ``hotspots.grid.study_area``): the whole of it, islands and Lauttasaari included,
    never cropped. An aggregated picture never frames on incident positions: its edge would
    move with a lone incident and locate it. A restricted one, which shows the incidents
    anyway, grows to hold where they are (all but the outermost 0.5 %).
    """
    if land is not None:
        x0, y0, x1, y1 = (float(v) for v in shapely.bounds(land))
    else:  # only the territorial sea chosen: show it
        x0, y0, x1, y1 = (float(v) for v in osaalue.total_bounds)
    present = [g for g in outlines if g is not None and not shapely.is_empty(g)]
    if present:
        hx0, hy0, hx1, hy1 = shapely.total_bounds(np.asarray(present, dtype=object))
        x0, y0, x1, y1 = min(x0, hx0), min(y0, hy0), max(x1, hx1), max(y1, hy1)
    current = analysis.current
    if restricted and len(current) >= 2:
        x = current["x_m"].to_numpy(dtype=np.float64)
        y = current["y_m"].to_numpy(dtype=np.float64)
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.sum() >= 2:
            qx0, qx1 = (float(v) for v in np.quantile(x[keep], [0.005, 0.995]))
            qy0, qy1 = (float(v) for v in np.quantile(y[keep], [0.005, 0.995]))
            x0, y0, x1, y1 = min(x0, qx0), min(y0, qy0), max(x1, qx1), max(y1, qy1)
    pad = FRAME_MARGIN * max(x1 - x0, y1 - y0, 1000.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _on_land(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a district layer cut to the land (the shore plus 75 m), the territorial sea left out.

    The official districts reach far out to sea; drawn whole, the water between the shore
    and the outer islands looks like empty land. Without land data the layer is returned
    as it is (and the territorial sea is drawn as sea, ``_sea``).
    """
    shore = district_layers.shore_area()
    if shore is None:
        return layer
    kept = layer[layer["code"].astype(str) != TERRITORIAL_SEA_CODE]
    land = shapely.intersection(np.asarray(kept.geometry.values, dtype=object), shore)
    out = kept.set_geometry(gpd.GeoSeries(land, index=kept.index, crs=kept.crs))
    return out[~shapely.is_empty(land)]


def _fit_aspect(bounds: Bounds, aspect: float) -> Bounds:
    """Grow the shorter side so that width / height equals ``aspect`` (the axes' shape)."""
    x0, y0, x1, y1 = bounds
    width, height = x1 - x0, y1 - y0
    if width / height < aspect:
        grow = (aspect * height - width) / 2
        return x0 - grow, y0, x1 + grow, y1
    grow = (width / aspect - height) / 2
    return x0, y0 - grow, x1, y1 + grow


@dataclass(frozen=True)
class MapContent:
    """What one map shows, computed once for the picture and the PDF.

    Attributes
    ----------
    bounds
        The frame (x0, y0, x1, y1) in EPSG:3067 metres.
    outlines
        One hotspot outline per hotspot: shareable outlines, or the polygons when restricted.
    ranks
        The hotspots' ranks, in the same order.
    osaalue, peruspiiri
        District layers in EPSG:3067, cut to the land (whole when there are no land data).
    sea
        The whole osa-alue layer: drawn as water under the land, so that the sea inside
        Helsinki's districts reads as sea and the land beyond the city stays blank.
    chosen
        The chosen districts' land, outlined on the map; None without a district choice.
    """

    bounds: Bounds
    outlines: NDArray[np.object_]
    ranks: NDArray[np.int64]
    osaalue: gpd.GeoDataFrame
    peruspiiri: gpd.GeoDataFrame
    sea: gpd.GeoDataFrame
    chosen: Any | None

    def fitted(self, aspect: float) -> MapContent:
        """Return the same content framed to width / height ``aspect`` (the axes' shape)."""
        return dataclasses.replace(self, bounds=_fit_aspect(self.bounds, aspect))


def map_content(
    analysis: Analysis,
    *,
    restricted: bool,
    osaalue: gpd.GeoDataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
) -> MapContent:
    """Decide what the map of one analysis shows: its frame, its hotspot outlines, its districts.

    Parameters
    ----------
    analysis
        ``hotspots.analysis.analyse(...)`` result.
    restricted
        Exact hotspot polygons and a frame grown to hold the incidents; otherwise the
        shareable outlines. Either frame holds the chosen districts' whole land.
    osaalue, peruspiiri
        District layers; default the official ones (``geo.districts.load_districts``).

    Returns
    -------
    MapContent
    """
    osa = district_layers.load_districts("osaalue") if osaalue is None else osaalue.to_crs(crs.METRIC)
    per = (
        district_layers.load_districts("peruspiiri") if peruspiiri is None else peruspiiri.to_crs(crs.METRIC)
    )
    hotspots = analysis.hotspots
    polygons = np.asarray(hotspots.geometry.values, dtype=object)
    outlines = polygons if restricted else shareable_outlines(polygons, eps_m=analysis.clustering.eps_m)
    ranks = hotspots["rank"].to_numpy(dtype=np.int64) if len(hotspots) else np.empty(0, dtype=np.int64)
    land = _study_land(analysis, osa)
    bounds = _extent(analysis, osa, outlines, land=land, restricted=restricted)
    chosen = land if analysis.selection.has_districts else None
    return MapContent(bounds, outlines, ranks, _on_land(osa), _on_land(per), osa, chosen)


def _density(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    bounds: Bounds,
    *,
    cell_m: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Count incidents per grid cell aligned to multiples of ``cell_m``: x edges, y edges, counts (ny, nx)."""
    x0, y0, x1, y1 = bounds
    ex = np.arange(math.floor(x0 / cell_m), math.ceil(x1 / cell_m) + 1) * cell_m
    ey = np.arange(math.floor(y0 / cell_m), math.ceil(y1 / cell_m) + 1) * cell_m
    keep = np.isfinite(x) & np.isfinite(y)
    counts, _, _ = np.histogram2d(y[keep], x[keep], bins=(ey, ex))
    return ex.astype(np.float64), ey.astype(np.float64), np.asarray(counts, dtype=np.int64)


def _density_classes(counts: NDArray[np.int64], *, min_count: int) -> NDArray[np.float64]:
    """Class boundaries for shown cells: ``min_count`` up, at most five classes."""
    shown = counts[counts >= min_count]
    if shown.size == 0:
        return np.array([min_count, min_count + 1], dtype=np.float64)
    edges = np.unique(np.ceil(np.quantile(shown, [0.0, 0.4, 0.7, 0.9, 0.97])).astype(np.int64))
    edges = np.unique(np.concatenate([[min_count], edges[edges > min_count]]))
    return np.append(edges, shown.max() + 1).astype(np.float64)


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class MapStyle:
    """How ``draw_map`` draws: language, disclosure, density, numbering, text size, basemap.

    Attributes
    ----------
    lang
        Language of the district names and the north arrow.
    restricted
        Draw every incident as a point and density cells from one incident up.
    min_count
        Density cells below this are not drawn (aggregated maps).
    density
        Shade incident density in ``density_cell_m`` cells.
    density_cell_m
        Side of a density cell in metres.
    numbered
        Hotspots numbered (the top ranks); the others are drawn paler, unnumbered.
    fontsize
        Base text size in points.
    tiles_drawn
        A basemap lies under the map: the districts are drawn translucent.
    fills
        One fill colour per hotspot, in the content's order (the review colours them by
        status); None draws every hotspot in ``HOTSPOT_FILL``.
    """

    lang: str
    restricted: bool
    min_count: int
    density: bool
    density_cell_m: float
    numbered: int
    fontsize: float
    tiles_drawn: bool
    fills: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MapLegend:
    """What the map drew that a legend has to explain.

    Attributes
    ----------
    density
        Class edges and their colours when density was shaded, else None.
    points
        Incidents were drawn as points.
    others
        Hotspots beyond this rank were drawn paler and unnumbered, else None.
    chosen
        The chosen districts were outlined.
    """

    density: tuple[NDArray[np.float64], list[str]] | None = None
    points: bool = False
    others: int | None = None
    chosen: bool = False


def _label_positions(points: NDArray[np.float64], min_sep: float) -> NDArray[np.float64]:
    """Move labels off each other: a label closer than ``min_sep`` to a placed one is pushed out."""
    placed: list[NDArray[np.float64]] = []
    directions = [(math.cos(a), math.sin(a)) for a in np.radians([45, 135, 225, 315, 90, 0, 180, 270])]
    for point in points:
        spot = point
        if any(np.hypot(*(spot - p)) < min_sep for p in placed):
            for step in (1.1, 1.6, 2.2):
                candidates = [point + step * min_sep * np.array(d) for d in directions]
                free = [c for c in candidates if all(np.hypot(*(c - p)) >= min_sep for p in placed)]
                if free:
                    spot = free[0]
                    break
        placed.append(np.asarray(spot, dtype=np.float64))
    return np.asarray(placed, dtype=np.float64).reshape(-1, 2)


def _sea(content: MapContent) -> pd.Series:
    return content.osaalue["code"].astype(str) == TERRITORIAL_SEA_CODE


def _draw_frame(ax: Axes, bounds: Bounds) -> None:
    x0, y0, x1, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="white", edgecolor="none", zorder=-1))


def _draw_districts(ax: Axes, content: MapContent, *, tiles_drawn: bool) -> None:
    """Water under the land (without tiles), the osa-alue on land, the peruspiiri boundaries."""
    if not tiles_drawn:
        water = _paths(list(content.sea.geometry))
        ax.add_collection(PathCollection(water, facecolor=_SEA_FILL, edgecolor="none", zorder=1))
    osa = content.osaalue
    sea = _sea(content)
    alpha = 0.35 if tiles_drawn else 1.0
    for geoms, face in ((osa.geometry[~sea], DISTRICT_FILL), (osa.geometry[sea], _SEA_FILL)):
        paths = _paths(list(geoms))
        if paths:
            ax.add_collection(
                PathCollection(
                    paths, facecolor=face, edgecolor=_OSAALUE_EDGE, linewidth=0.35, alpha=alpha, zorder=1
                )
            )
    per_paths = _paths(list(content.peruspiiri.geometry))
    ax.add_collection(
        PathCollection(per_paths, facecolor="none", edgecolor=DISTRICT_EDGE, linewidth=0.8, zorder=2)
    )
    chosen = geometry_path(content.chosen)
    if chosen is not None:
        ax.add_patch(PathPatch(chosen, facecolor="none", edgecolor=CHOSEN_EDGE, linewidth=2.2, zorder=2))


def _draw_density(
    ax: Axes, x: NDArray[np.float64], y: NDArray[np.float64], bounds: Bounds, map_style: MapStyle
) -> tuple[NDArray[np.float64], list[str]]:
    """Shade density cells from the threshold up; return the class edges and colours."""
    ex, ey, counts = _density(x, y, bounds, cell_m=map_style.density_cell_m)
    floor = 1 if map_style.restricted else map_style.min_count
    edges = _density_classes(counts, min_count=floor)
    colours = list(_DENSITY_COLOURS[: len(edges) - 1]) or [_DENSITY_COLOURS[0]]
    shown = np.ma.masked_where(counts < floor, counts)
    ax.pcolormesh(
        ex,
        ey,
        shown,
        cmap=ListedColormap(colours),
        norm=BoundaryNorm(edges, len(colours)),
        alpha=0.75,
        zorder=3,
    )
    # Cells below the threshold are not drawn at all: a shaded "<5" cell would mark
    # where a lone incident is.
    return edges, colours


def _draw_names(ax: Axes, content: MapContent, *, lang: str, fontsize: float) -> None:
    """District names: peruspiiri for the whole city, osa-alue when zoomed in."""
    x0, y0, x1, y1 = content.bounds
    zoomed = (x1 - x0) < _OSAALUE_NAMES_BELOW_M
    named = content.osaalue[~_sea(content)] if zoomed else content.peruspiiri
    name_column = "name_sv" if lang == "sv" else "name_fi"
    anchors = shapely.point_on_surface(np.asarray(named.geometry.values, dtype=object))
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for anchor, name in zip(anchors, named[name_column].astype(str), strict=True):
        ax_, ay_ = anchor.x, anchor.y
        if x0 < ax_ < x1 and y0 < ay_ < y1:
            ax.text(
                ax_,
                ay_,
                name,
                fontsize=fontsize * 0.62,
                color="#4a463d",
                ha="center",
                va="center",
                path_effects=halo,
                zorder=5,
            )


def _draw_hotspots(
    ax: Axes, content: MapContent, *, numbered: int, fills: tuple[str, ...] | None = None
) -> None:
    """Hotspot outlines, rank 1 on top; those beyond ``numbered`` paler; filled by ``fills`` when given."""
    if fills is not None and len(fills) != len(content.outlines):
        raise ParameterError(
            f"fills must hold one colour per hotspot ({len(content.outlines)}), got {len(fills)}"
        )
    order = np.argsort(-content.ranks, kind="stable")  # rank 1 drawn last, on top
    for i in order:
        path = geometry_path(content.outlines[i])
        if path is None:
            continue
        top = content.ranks[i] <= numbered
        face = HOTSPOT_FILL if fills is None else fills[i]
        strength = (0.45 if top else 0.2) if fills is None else (0.75 if top else 0.4)
        ax.add_patch(PathPatch(path, facecolor=face, edgecolor="none", alpha=strength, zorder=6))
        ax.add_patch(
            PathPatch(path, facecolor="none", edgecolor=HOTSPOT_EDGE, linewidth=1.1 if top else 0.5, zorder=6)
        )


def _draw_numbers(
    ax: Axes, content: MapContent, *, numbered: int, fontsize: float, fills: tuple[str, ...] | None = None
) -> None:
    """Rank numbers in discs for the top ``numbered`` hotspots, pushed apart with leader lines.

    The discs take the hotspots' ``fills`` when given (a small hotspot's colour is then
    readable at city scale), else the hotspot edge colour.

    Numbers for the top ``numbered`` only: a city-wide map of 150 hotspots is otherwise a
    cloud of labels; the rest keep their outline, paler.
    """
    x0, _, x1, _ = content.bounds
    by_rank = np.argsort(content.ranks, kind="stable")
    by_rank = by_rank[content.ranks[by_rank] <= numbered]
    anchors = shapely.point_on_surface(content.outlines[by_rank])
    xy = np.column_stack([shapely.get_x(anchors), shapely.get_y(anchors)])
    bbox = ax.get_window_extent()
    metres_per_pt = (x1 - x0) / max(bbox.width * 72.0 / ax.figure.dpi, 1.0)
    number_pt = NUMBER_SCALE * fontsize
    spots = _label_positions(xy, min_sep=number_pt * 2.2 * metres_per_pt)
    discs = [HOTSPOT_EDGE if fills is None else fills[i] for i in by_rank]
    for (px, py), (lx, ly), rank, disc in zip(xy, spots, content.ranks[by_rank], discs, strict=True):
        if (lx, ly) != (px, py):
            ax.plot([px, lx], [py, ly], color=disc, linewidth=0.8, zorder=7)
        ax.text(
            lx,
            ly,
            str(int(rank)),
            fontsize=number_pt,
            fontweight="bold",
            color="white",
            ha="center",
            va="center",
            zorder=8,
            bbox={
                "boxstyle": "circle,pad=0.25",
                "facecolor": disc,
                "edgecolor": "white",
                "linewidth": 0.8,
            },
        )


def draw_map(ax: Axes, analysis: Analysis, content: MapContent, map_style: MapStyle) -> MapLegend:
    """Draw districts, density, points, numbered hotspots, scale bar and north arrow on ``ax``.

    Parameters
    ----------
    ax
        Axes to draw on; its limits and aspect are set to ``content.bounds``.
    analysis
        Analysis result: its current incidents for density and points.
    content
        What the map shows (``map_content``), framed to the axes' shape.
    map_style
        How it is drawn.

    Returns
    -------
    MapLegend
        What the legend has to explain.
    """
    _draw_frame(ax, content.bounds)
    _draw_districts(ax, content, tiles_drawn=map_style.tiles_drawn)
    current = analysis.current
    x = current["x_m"].to_numpy(dtype=np.float64) if len(current) else np.empty(0)
    y = current["y_m"].to_numpy(dtype=np.float64) if len(current) else np.empty(0)
    density = None
    if map_style.density and x.size:
        density = _draw_density(ax, x, y, content.bounds, map_style)
    points = bool(map_style.restricted and x.size)
    if points:
        ax.scatter(x, y, s=1.2, c="#222222", alpha=0.55, linewidths=0, zorder=4, rasterized=True)
    _draw_names(ax, content, lang=map_style.lang, fontsize=map_style.fontsize)
    _draw_hotspots(ax, content, numbered=map_style.numbered, fills=map_style.fills)
    if content.ranks.size:
        _draw_numbers(
            ax, content, numbered=map_style.numbered, fontsize=map_style.fontsize, fills=map_style.fills
        )
    scale_bar(ax, content.bounds, lang=map_style.lang, fontsize=map_style.fontsize)
    north_arrow(ax, content.bounds, lang=map_style.lang, fontsize=map_style.fontsize)
    others = map_style.numbered if (content.ranks > map_style.numbered).any() else None
    return MapLegend(density=density, points=points, others=others, chosen=content.chosen is not None)
