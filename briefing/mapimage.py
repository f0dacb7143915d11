"""The map picture: district boundaries and names, numbered hotspots, optional density.

Drawn with matplotlib's Agg renderer in EPSG:3067 metres, without pyplot (no global figure
state). The picture states its title, period, filters, legend, scale bar, north arrow (true
north, which in EPSG:3067 leans a degree or two from the grid's up), data attribution and,
when the incidents are synthetic, "synthetic demo data". Output is deterministic: the
same inputs give byte-identical PNG files (fixed ``Software`` key, no timestamps).

Aggregated pictures (the default) show the shareable hotspot outlines
(``privacy.shareable_outlines``) and, optionally, incident density in grid cells whose
counts below ``min_count`` are one neutral colour. Restricted pictures show the hotspot
polygons and every incident as a point, and say ``RESTRICTED`` (translated) on the picture
and in the PNG's text chunks.

Basemap tiles are optional and off by default: ``tiles_url`` (an XYZ template) draws them
under the districts, each 256 px tile warped into EPSG:3067 by its own affine transform
(within a tile the projection is affine to well under a metre). Tiles are cached on disk;
when one cannot be had the picture is drawn from the districts alone.
"""

from __future__ import annotations

import hashlib
import io
import math
import textwrap
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrow, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D
from numpy.typing import NDArray
from PIL import Image

from briefing import SOFTWARE, filters_text, is_synthetic, marking, method_text, period_text, source_lines
from briefing.privacy import (
    AGGREGATED,
    DEFAULT_MIN_COUNT,
    RESTRICTED,
    check_min_count,
    count_text,
    outline_cell_m,
    shareable_outlines,
)
from geo import crs, files, settings
from geo import districts as district_layers
from geo.errors import ParameterError
from hotspots.analysis import Analysis
from hotspots.grid import TERRITORIAL_SEA_CODE, study_area
from i18n import check_language, format_number, t


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


#: Named sizes: slides (1920 x 1080) and print (A4 landscape at 300 dpi).
SIZES: Final[dict[str, MapSize]] = {
    "slides": MapSize(1920, 1080, 150),
    "a4": MapSize(3508, 2480, 300),
}
#: Osa-alue code of the territorial sea; left out of the default extent.

#: Below this extent width (metres) districts are named at osa-alue level.
_OSAALUE_NAMES_BELOW_M: Final = 12_000.0
_HOTSPOT_FILL: Final = "#e34a33"
_HOTSPOT_EDGE: Final = "#99000d"
_DISTRICT_FILL: Final = "#f3f1ec"
_SEA_FILL: Final = "#dce9f2"
_DENSITY_COLOURS: Final = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
_RESTRICTED_RED: Final = "#b00020"
_TILE_PX: Final = 256
_MAX_TILES: Final = 80
_USER_AGENT: Final = "helsinki-hotspots/0.1 (briefing map export)"
_RC: Final[dict[str, Any]] = {
    "font.family": "DejaVu Sans",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.hashsalt": "helsinki-hotspots",
    "axes.unicode_minus": True,
}


@contextmanager
def style() -> Iterator[None]:
    """Return the fixed matplotlib settings for every briefing figure (fonts, Type 42 text)."""
    with mpl.rc_context(_RC):  # type: ignore[arg-type]
        yield


def resolve_size(size: str | MapSize) -> MapSize:
    """``"slides"``, ``"a4"`` or a ``MapSize``."""
    if isinstance(size, MapSize):
        return size
    if size not in SIZES:
        raise ParameterError(f"size was {size!r} but is expected to be one of {list(SIZES)}")
    return SIZES[size]


# --------------------------------------------------------------------------- geometry


def _ring_path(coords: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    codes[0] = MplPath.MOVETO
    codes[-1] = MplPath.CLOSEPOLY
    return coords, codes


def geometry_path(geom: shapely.Geometry) -> MplPath | None:
    """Return a matplotlib path (holes included) of a polygon or multipolygon in its own coordinates."""
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


def _extent(
    analysis: Analysis, osaalue: gpd.GeoDataFrame, outlines: NDArray[np.object_], *, restricted: bool
) -> tuple[float, float, float, float]:
    """Bounds of the chosen districts' land (or Helsinki's), grown to hold every hotspot.

    District polygons reach far out to sea, so the frame is their land (the shore cut plus
    75 m, ``hotspots.grid.study_area``). An aggregated picture never frames on incident
    positions: its edge would move with a lone incident and locate it. A restricted one,
    which shows the incidents anyway, follows where they are (all but the outermost 0.5 %).
    """
    current = analysis.current
    x = current["x_m"].to_numpy(dtype=np.float64) if len(current) else np.empty(0)
    y = current["y_m"].to_numpy(dtype=np.float64) if len(current) else np.empty(0)
    keep = np.isfinite(x) & np.isfinite(y)
    if restricted and not analysis.selection.has_districts and keep.sum() >= 2:
        x0, x1 = (float(v) for v in np.quantile(x[keep], [0.005, 0.995]))
        y0, y1 = (float(v) for v in np.quantile(y[keep], [0.005, 0.995]))
    else:
        try:
            land = study_area(analysis.selection, osaalue)
            x0, y0, x1, y1 = (float(v) for v in shapely.bounds(land))
        except ParameterError:  # only the territorial sea chosen: show it
            x0, y0, x1, y1 = (float(v) for v in osaalue.total_bounds)
    present = [g for g in outlines if g is not None and not shapely.is_empty(g)]
    if present:
        hx0, hy0, hx1, hy1 = shapely.total_bounds(np.asarray(present, dtype=object))
        x0, y0, x1, y1 = min(x0, hx0), min(y0, hy0), max(x1, hx1), max(y1, hy1)
    pad = 0.03 * max(x1 - x0, y1 - y0, 1000.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _fit_aspect(
    bounds: tuple[float, float, float, float], aspect: float
) -> tuple[float, float, float, float]:
    """Grow the shorter side so that width / height equals ``aspect`` (the axes' shape)."""
    x0, y0, x1, y1 = bounds
    width, height = x1 - x0, y1 - y0
    if width / height < aspect:
        grow = (aspect * height - width) / 2
        return x0 - grow, y0, x1 + grow, y1
    grow = (width / aspect - height) / 2
    return x0, y0 - grow, x1, y1 + grow


def _nice_length_m(span_m: float) -> float:
    """Return a round scale-bar length near a fifth of ``span_m``: 1, 2 or 5 times a power of ten."""
    target = span_m / 5
    power = 10 ** math.floor(math.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def _north_angle_deg(x_m: float, y_m: float) -> float:
    """Angle in degrees from the grid's up to true north at a point, clockwise positive."""
    lon, lat = crs.to_wgs84([x_m], [y_m])
    nx, ny = crs.to_metric(lon, lat + 0.01, src=crs.WGS84)
    return float(math.degrees(math.atan2(float(nx[0]) - x_m, float(ny[0]) - y_m)))


# --------------------------------------------------------------------------- tiles


def _tile_xy(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    n = 2.0**zoom
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def _tile_lonlat(x: float, y: float, zoom: int) -> tuple[float, float]:
    n = 2.0**zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def _fetch_tile(url_template: str, zoom: int, x: int, y: int, cache_dir: Path) -> NDArray[np.uint8] | None:
    """One tile as an RGBA array, from the disk cache or the tile server; None when unavailable."""
    key = hashlib.sha256(url_template.encode("utf-8")).hexdigest()[:16]
    path = cache_dir / key / str(zoom) / str(x) / f"{y}.png"
    if not path.is_file():
        url = url_template.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))
        try:
            request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
            with urllib.request.urlopen(request, timeout=settings.http_timeout_s()) as response:
                content = response.read()
            Image.open(io.BytesIO(content)).verify()
        except (OSError, ValueError, Image.UnidentifiedImageError):
            return None
        files.write_bytes_atomically(path, content)
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGBA"))
    except (OSError, ValueError):
        return None


def _draw_tiles(
    ax: Axes,
    bounds: tuple[float, float, float, float],
    *,
    url_template: str,
    cache_dir: Path,
    width_px: float,
) -> bool:
    """Draw XYZ tiles under everything; False (nothing drawn) when any tile is missing."""
    x0, y0, x1, y1 = bounds
    lons, lats = crs.to_wgs84([x0, x1, x0, x1], [y0, y0, y1, y1])
    lat_mid = float(np.mean(lats))
    metres_per_px = (x1 - x0) / max(width_px, 1.0)
    zoom = int(
        np.clip(round(math.log2(156_543.034 * math.cos(math.radians(lat_mid)) / metres_per_px)), 0, 18)
    )
    while True:
        tx0, ty0 = _tile_xy(float(lons.min()), float(lats.max()), zoom)
        tx1, ty1 = _tile_xy(float(lons.max()), float(lats.min()), zoom)
        xs = range(math.floor(tx0), math.floor(tx1) + 1)
        ys = range(math.floor(ty0), math.floor(ty1) + 1)
        if len(xs) * len(ys) <= _MAX_TILES or zoom == 0:
            break
        zoom -= 1
    tiles: list[tuple[NDArray[np.uint8], Affine2D]] = []
    for tx in xs:
        for ty in ys:
            image = _fetch_tile(url_template, zoom, tx, ty, cache_dir)
            if image is None:
                return False
            corners = [
                _tile_lonlat(tx, ty, zoom),
                _tile_lonlat(tx + 1, ty, zoom),
                _tile_lonlat(tx, ty + 1, zoom),
            ]
            cx, cy = crs.to_metric([c[0] for c in corners], [c[1] for c in corners], src=crs.WGS84)
            h, w = image.shape[:2]
            # Pixel (u right, v down) -> EPSG:3067, exact at three corners of the tile.
            matrix = np.array(
                [
                    [(cx[1] - cx[0]) / w, (cx[2] - cx[0]) / h, cx[0]],
                    [(cy[1] - cy[0]) / w, (cy[2] - cy[0]) / h, cy[0]],
                    [0.0, 0.0, 1.0],
                ]
            )
            tiles.append((image, Affine2D(matrix)))
    for image, affine in tiles:
        h, w = image.shape[:2]
        ax.imshow(
            image,
            extent=(0, w, h, 0),
            transform=affine + ax.transData,
            interpolation="bilinear",
            zorder=0,
        )
    return True


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class _Content:
    """What one map shows, computed once for the picture and the PDF."""

    bounds: tuple[float, float, float, float]
    outlines: NDArray[np.object_]
    ranks: NDArray[np.int64]
    osaalue: gpd.GeoDataFrame
    peruspiiri: gpd.GeoDataFrame


def _content(
    analysis: Analysis,
    *,
    restricted: bool,
    osaalue: gpd.GeoDataFrame | None,
    peruspiiri: gpd.GeoDataFrame | None,
) -> _Content:
    osa = district_layers.load_districts("osaalue") if osaalue is None else osaalue.to_crs(crs.METRIC)
    per = (
        district_layers.load_districts("peruspiiri") if peruspiiri is None else peruspiiri.to_crs(crs.METRIC)
    )
    hotspots = analysis.hotspots
    polygons = np.asarray(hotspots.geometry.values, dtype=object)
    outlines = polygons if restricted else shareable_outlines(polygons, eps_m=analysis.clustering.eps_m)
    ranks = hotspots["rank"].to_numpy(dtype=np.int64) if len(hotspots) else np.empty(0, dtype=np.int64)
    return _Content(_extent(analysis, osa, outlines, restricted=restricted), outlines, ranks, osa, per)


def _density(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    bounds: tuple[float, float, float, float],
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


def _draw_map(
    ax: Axes,
    analysis: Analysis,
    content: _Content,
    *,
    lang: str,
    restricted: bool,
    min_count: int,
    density: bool,
    density_cell_m: float,
    tiles_drawn: bool,
    fontsize: float,
    numbered: int,
) -> dict[str, Any]:
    """Districts, density, points and numbered hotspots on ``ax``; returns what the legend needs."""
    x0, y0, x1, y1 = content.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="white", edgecolor="none", zorder=-1))
    osa = content.osaalue
    sea = osa["code"].astype(str) == TERRITORIAL_SEA_CODE
    alpha = 0.35 if tiles_drawn else 1.0
    for geoms, face in ((osa.geometry[~sea], _DISTRICT_FILL), (osa.geometry[sea], _SEA_FILL)):
        paths = _paths(list(geoms))
        if paths:
            ax.add_collection(
                PathCollection(
                    paths, facecolor=face, edgecolor="#b8b4aa", linewidth=0.35, alpha=alpha, zorder=1
                )
            )
    per_paths = _paths(list(content.peruspiiri.geometry))
    ax.add_collection(
        PathCollection(per_paths, facecolor="none", edgecolor="#6b6558", linewidth=0.8, zorder=2)
    )

    legend: dict[str, Any] = {}
    current = analysis.current
    x = current["x_m"].to_numpy(dtype=np.float64) if len(current) else np.empty(0)
    y = current["y_m"].to_numpy(dtype=np.float64) if len(current) else np.empty(0)
    if density and x.size:
        ex, ey, counts = _density(x, y, content.bounds, cell_m=density_cell_m)
        floor = 1 if restricted else min_count
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
        legend["density"] = (edges, colours)
    if restricted and x.size:
        ax.scatter(x, y, s=1.2, c="#222222", alpha=0.55, linewidths=0, zorder=4, rasterized=True)
        legend["points"] = True

    # District names: peruspiiri for the whole city, osa-alue when zoomed in.
    zoomed = (x1 - x0) < _OSAALUE_NAMES_BELOW_M
    named = content.osaalue[~sea] if zoomed else content.peruspiiri
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

    order = np.argsort(-content.ranks, kind="stable")  # rank 1 drawn last, on top
    for i in order:
        path = geometry_path(content.outlines[i])
        if path is None:
            continue
        top = content.ranks[i] <= numbered
        ax.add_patch(
            PathPatch(path, facecolor=_HOTSPOT_FILL, edgecolor="none", alpha=0.45 if top else 0.2, zorder=6)
        )
        ax.add_patch(
            PathPatch(
                path, facecolor="none", edgecolor=_HOTSPOT_EDGE, linewidth=1.1 if top else 0.5, zorder=6
            )
        )
    if (content.ranks > numbered).any():
        legend["others"] = numbered
    if content.ranks.size:
        # Numbers for the top ``numbered`` only: a city-wide map of 150 hotspots is otherwise
        # a cloud of labels; the rest keep their outline, paler.
        by_rank = np.argsort(content.ranks, kind="stable")
        by_rank = by_rank[content.ranks[by_rank] <= numbered]
        anchors = shapely.point_on_surface(content.outlines[by_rank])
        xy = np.column_stack([shapely.get_x(anchors), shapely.get_y(anchors)])
        bbox = ax.get_window_extent()
        metres_per_pt = (x1 - x0) / max(bbox.width * 72.0 / ax.figure.dpi, 1.0)
        spots = _label_positions(xy, min_sep=fontsize * 1.9 * metres_per_pt)
        for (px, py), (lx, ly), rank in zip(xy, spots, content.ranks[by_rank], strict=True):
            if (lx, ly) != (px, py):
                ax.plot([px, lx], [py, ly], color=_HOTSPOT_EDGE, linewidth=0.8, zorder=7)
            ax.text(
                lx,
                ly,
                str(int(rank)),
                fontsize=fontsize * 0.8,
                fontweight="bold",
                color="white",
                ha="center",
                va="center",
                zorder=8,
                bbox={
                    "boxstyle": "circle,pad=0.25",
                    "facecolor": _HOTSPOT_EDGE,
                    "edgecolor": "white",
                    "linewidth": 0.8,
                },
            )
    _scale_bar(ax, content.bounds, fontsize=fontsize)
    _north_arrow(ax, content.bounds, lang=lang, fontsize=fontsize)
    return legend


def _scale_bar(ax: Axes, bounds: tuple[float, float, float, float], *, fontsize: float) -> None:
    x0, y0, x1, y1 = bounds
    length = _nice_length_m(x1 - x0)
    left, bottom = x0 + 0.03 * (x1 - x0), y0 + 0.035 * (y1 - y0)
    height = 0.008 * (y1 - y0)
    half = length / 2
    for i, face in enumerate(("#222222", "white")):
        ax.add_patch(
            Rectangle(
                (left + i * half, bottom), half, height, facecolor=face, edgecolor="#222222", lw=0.8, zorder=9
            )
        )
    label = f"{format_number(length / 1000, 'en', decimals=0 if length >= 1000 else 1)} km"
    for i, text in enumerate(("0", "", label)):
        if text:
            ax.text(
                left + i * half,
                bottom + 1.8 * height,
                text,
                fontsize=fontsize * 0.7,
                ha="center",
                va="bottom",
                path_effects=[patheffects.withStroke(linewidth=2.0, foreground="white")],
                zorder=9,
            )


def _north_arrow(ax: Axes, bounds: tuple[float, float, float, float], *, lang: str, fontsize: float) -> None:
    x0, y0, x1, y1 = bounds
    angle = math.radians(_north_angle_deg((x0 + x1) / 2, (y0 + y1) / 2))
    size = 0.06 * (y1 - y0)
    cx, cy = x1 - 0.05 * (x1 - x0), y1 - 0.12 * (y1 - y0)
    dx, dy = size * math.sin(angle), size * math.cos(angle)
    ax.add_patch(
        FancyArrow(
            cx - dx / 2,
            cy - dy / 2,
            dx,
            dy,
            width=size * 0.12,
            head_width=size * 0.4,
            head_length=size * 0.4,
            length_includes_head=True,
            facecolor="#222222",
            edgecolor="white",
            linewidth=0.6,
            zorder=9,
        )
    )
    ax.text(
        cx + 0.62 * dx,
        cy + 0.62 * dy,
        t("brief.north", lang),
        fontsize=fontsize,
        fontweight="bold",
        ha="center",
        va="bottom",
        path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        zorder=9,
    )


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

    def swatch(self, label: str, *, size: float, draw: Any) -> None:
        box_h = size * 1.1 / self.height_pt
        box_w = size * 1.6 / self.width_pt
        draw(self.ax, 0.0, self.y - box_h, box_w, box_h)
        self.ax.text(
            box_w + 8 / self.width_pt, self.y - box_h / 2, label, fontsize=size, va="center", ha="left"
        )
        self.y -= size * 1.55 / self.height_pt


def _rect(face: str, edge: str = "none", alpha: float = 1.0, lw: float = 0.0) -> Any:
    def draw(ax: Axes, x: float, y: float, w: float, h: float) -> None:
        ax.add_patch(Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, alpha=alpha, linewidth=lw))

    return draw


def _dot(ax: Axes, x: float, y: float, w: float, h: float) -> None:
    ax.add_patch(Circle((x + w / 2, y + h / 2), h / 5, facecolor="#222222"))


def _panel(
    ax: Axes,
    analysis: Analysis,
    content: _Content,
    legend: dict[str, Any],
    *,
    lang: str,
    restricted: bool,
    min_count: int,
    synthetic: bool,
    attributions: list[str],
    width_pt: float,
    height_pt: float,
    fontsize: float,
    max_listed: int,
) -> None:
    col = _Column(ax, width_pt=width_pt, height_pt=height_pt)
    key = analysis.key
    figures = [
        f"{t('metric.incidents', lang)}: {_count(key.incidents, lang, min_count, restricted)}",
        f"{t('metric.hotspots', lang)}: {key.hotspots} ({t('metric.significant_hotspots', lang).lower()} "
        f"{key.significant_hotspots})",
    ]
    if analysis.previous_selection is not None:
        before = _count(key.incidents_previous, lang, min_count, restricted)
        figures.append(f"{t('metric.incidents_previous', lang)}: {before}")
    col.text(t("panel.key_figures", lang), size=fontsize, weight="bold")
    for line in figures:
        col.text(line, size=fontsize * 0.85)
    col.gap(fontsize * 0.6)
    col.text(filters_text(analysis.selection, lang), size=fontsize * 0.8)
    col.text(method_text(analysis.clustering, lang), size=fontsize * 0.8)
    col.gap(fontsize * 0.6)

    col.text(t("map.legend.hotspots", lang), size=fontsize, weight="bold")
    col.swatch(
        t("brief.legend_hotspot", lang),
        size=fontsize * 0.8,
        draw=_rect(_HOTSPOT_FILL, _HOTSPOT_EDGE, 0.6, 1.0),
    )
    col.swatch(
        t("brief.legend_districts", lang),
        size=fontsize * 0.8,
        draw=_rect(_DISTRICT_FILL, "#6b6558", 1.0, 0.8),
    )
    if "density" in legend:
        edges, colours = legend["density"]
        col.text(t("map.legend.density", lang), size=fontsize * 0.8)
        for low, high, colour in zip(edges[:-1], edges[1:], colours, strict=False):
            span = f"{int(low)}" if int(high) - 1 == int(low) else f"{int(low)}–{int(high) - 1}"
            col.swatch(span, size=fontsize * 0.75, draw=_rect(colour, alpha=0.75))
        if not restricted:
            col.text(t("map.legend.suppressed", lang, min_count=min_count), size=fontsize * 0.7)
    if "others" in legend:
        col.swatch(
            t("brief.legend_other_hotspots", lang, n=legend["others"]),
            size=fontsize * 0.8,
            draw=_rect(_HOTSPOT_FILL, _HOTSPOT_EDGE, 0.25, 0.5),
        )
    if legend.get("points"):
        col.swatch(t("brief.legend_incident", lang), size=fontsize * 0.8, draw=_dot)
    col.gap(fontsize * 0.6)

    hotspots = analysis.hotspots
    if len(hotspots):
        shown = min(max_listed, len(hotspots))
        col.text(t("panel.ranking_table", lang), size=fontsize, weight="bold")
        place = "osaalue_sv" if lang == "sv" else "osaalue_fi"
        for _, row in hotspots.head(shown).iterrows():
            names = ", ".join(str(row[place]).split(", ")[:2])
            n_text = count_text(row["n"], min_count=min_count, restricted=restricted)
            status = t(f"status.{row['status']}", lang) if isinstance(row.get("status"), str) else ""
            lead = t(f"lead.{row['lead']}", lang)
            col.text(f"{int(row['rank'])}. {names} – {lead}, {n_text} ({status})", size=fontsize * 0.75)
    else:
        col.text(t("msg.no_hotspots", lang), size=fontsize * 0.8)

    # Sources and notes sit at the bottom of the panel.
    notes: list[tuple[str, str, str]] = []
    if synthetic:
        notes.append((t("brief.synthetic", lang), "bold", _RESTRICTED_RED))
    if restricted:
        notes.append((t("brief.restricted_note", lang), "normal", _RESTRICTED_RED))
    else:
        study_cell = analysis.found.grid.cell_m if analysis.found is not None else None
        cell = format_number(outline_cell_m(analysis.clustering.eps_m, study_cell), lang)
        notes.append(
            (t("brief.aggregated_note", lang, min_count=min_count, cell_m=cell), "normal", "#444444")
        )
    notes.extend((line, "normal", "#444444") for line in attributions)
    chars = max(12, int(width_pt / (0.55 * fontsize * 0.7)))
    wrapped = [(textwrap.fill(text, width=chars, break_long_words=False), w, c) for text, w, c in notes]
    y = 0.005
    for text, weight, colour in reversed(wrapped):
        ax.text(
            0,
            y,
            text,
            fontsize=fontsize * 0.7,
            fontweight=weight,
            color=colour,
            va="bottom",
            ha="left",
            linespacing=1.2,
        )
        y += (text.count("\n") + 1) * fontsize * 0.7 * 1.3 / height_pt + 0.004


def _count(value: int, lang: str, min_count: int, restricted: bool) -> str:
    text = count_text(value, min_count=min_count, restricted=restricted)
    return text if text.startswith("<") or not text else format_number(int(text), lang)


@dataclass(frozen=True)
class MapPicture:
    """A rendered map: the figure, whether tiles were drawn and the PNG text chunks."""

    figure: Figure
    tiles_drawn: bool
    metadata: dict[str, str]


def map_figure(
    analysis: Analysis,
    *,
    lang: str = "fi",
    size: str | MapSize = "slides",
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    density: bool = False,
    density_cell_m: float = 250.0,
    tiles_url: str | None = None,
    tiles_attribution: str = settings.DEFAULT_TILES_ATTRIBUTION,
    tiles_cache_dir: Path | None = None,
    origin: str | None = None,
    panel: bool = True,
    max_listed: int = 10,
    numbered: int = 20,
    osaalue: gpd.GeoDataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
) -> MapPicture:
    """Draw the map of one analysis as a matplotlib figure (Agg, no pyplot).

    Parameters
    ----------
    analysis
        ``hotspots.analysis.analyse(...)`` result.
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
    osaalue, peruspiiri
        District layers; default the official ones (``geo.districts.load_districts``).

    Returns
    -------
    MapPicture
    """
    check_language(lang)
    min_count = check_min_count(min_count)
    picture = resolve_size(size)
    if not np.isfinite(density_cell_m) or density_cell_m <= 0:
        raise ParameterError(f"density_cell_m must be > 0 metres, got {density_cell_m}")
    if isinstance(numbered, bool) or not isinstance(numbered, int) or numbered < 0:
        raise ParameterError(
            f"numbered must be a whole number >= 0 (hotspots numbered on the map), got {numbered!r}"
        )
    synthetic = is_synthetic(analysis)
    content = _content(analysis, restricted=restricted, osaalue=osaalue, peruspiiri=peruspiiri)
    width_in, height_in = picture.inches
    fontsize = 9.0 * min(width_in / 12.8, height_in / 7.2) ** 0.5
    with style():
        fig = Figure(figsize=(width_in, height_in), dpi=picture.dpi, facecolor="white")
        if panel:
            title_h = 0.11 if restricted else 0.085
            map_rect = (0.01, 0.01, 0.66, 0.98 - title_h)
        else:
            title_h = 0.0
            map_rect = (0.0, 0.0, 1.0, 1.0)
        ax = fig.add_axes(map_rect)
        aspect = (map_rect[2] * width_in) / (map_rect[3] * height_in)
        content = _Content(
            _fit_aspect(content.bounds, aspect),
            content.outlines,
            content.ranks,
            content.osaalue,
            content.peruspiiri,
        )
        tiles_drawn = False
        if tiles_url:
            tiles_drawn = _draw_tiles(
                ax,
                content.bounds,
                url_template=tiles_url,
                cache_dir=tiles_cache_dir or settings.cache_dir() / "tiles",
                width_px=map_rect[2] * picture.width_px,
            )
        legend = _draw_map(
            ax,
            analysis,
            content,
            lang=lang,
            restricted=restricted,
            min_count=min_count,
            density=density,
            density_cell_m=density_cell_m,
            tiles_drawn=tiles_drawn,
            fontsize=fontsize,
            numbered=numbered,
        )
        attributions = source_lines(
            lang,
            origin=origin,
            synthetic=synthetic,
            tiles_attribution=tiles_attribution if tiles_drawn else None,
        )
        if panel:
            title = t("brief.title", lang)
            fig.text(0.01, 0.985, title, fontsize=fontsize * 1.9, fontweight="bold", va="top", ha="left")
            period = t("brief.period", lang, period=period_text(analysis.selection, lang))
            if analysis.previous_selection is not None:
                period += (
                    f" ({t('brief.comparison', lang, period=period_text(analysis.previous_selection, lang))})"
                )
            fig.text(
                0.01, 0.985 - fontsize * 2.6 / (72 * height_in), period, fontsize=fontsize * 1.05, va="top"
            )
            if restricted or synthetic:
                words = [marking(lang, restricted=True)] if restricted else []
                words += [t("brief.synthetic", lang).upper()] if synthetic else []
                fig.text(
                    0.99,
                    0.985,
                    "  ·  ".join(words),
                    fontsize=fontsize * (1.6 if restricted else 1.1),
                    fontweight="bold",
                    color=_RESTRICTED_RED,
                    va="top",
                    ha="right",
                    bbox={
                        "facecolor": "white",
                        "edgecolor": _RESTRICTED_RED,
                        "linewidth": 1.5,
                        "boxstyle": "square,pad=0.3",
                    },
                )
            panel_rect = (0.69, 0.01, 0.30, 0.97 - title_h)
            side = fig.add_axes(panel_rect)
            _panel(
                side,
                analysis,
                content,
                legend,
                lang=lang,
                restricted=restricted,
                min_count=min_count,
                synthetic=synthetic,
                attributions=attributions,
                width_pt=panel_rect[2] * width_in * 72,
                height_pt=panel_rect[3] * height_in * 72,
                fontsize=fontsize,
                max_listed=max_listed,
            )
        elif restricted:
            ax.text(
                0.5,
                0.98,
                marking(lang, restricted=True),
                transform=ax.transAxes,
                fontsize=fontsize * 1.6,
                fontweight="bold",
                color=_RESTRICTED_RED,
                ha="center",
                va="top",
                zorder=10,
                bbox={"facecolor": "white", "edgecolor": _RESTRICTED_RED, "boxstyle": "square,pad=0.3"},
            )
    metadata = png_metadata(
        analysis, lang=lang, restricted=restricted, synthetic=synthetic, attributions=attributions
    )
    return MapPicture(fig, tiles_drawn, metadata)


def png_metadata(
    analysis: Analysis, *, lang: str, restricted: bool, synthetic: bool, attributions: Sequence[str]
) -> dict[str, str]:
    """PNG text chunks: title, description (period, filters), sources, classification, software."""
    description = "; ".join(
        [
            t("brief.period", lang, period=period_text(analysis.selection, lang)),
            filters_text(analysis.selection, lang),
        ]
    )
    classification = RESTRICTED if restricted else AGGREGATED
    meta = {
        "Title": f"{t('brief.title', lang)} {period_text(analysis.selection, lang)}",
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


def figure_png_bytes(figure: Figure, *, dpi: int, metadata: dict[str, str] | None = None) -> bytes:
    """Render a figure to PNG bytes with the given text chunks and nothing time-dependent."""
    buffer = io.BytesIO()
    with style():
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": SOFTWARE, **(metadata or {})})
    return buffer.getvalue()


def map_png_bytes(
    analysis: Analysis,
    *,
    lang: str = "fi",
    size: str | MapSize = "slides",
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    density: bool = False,
    density_cell_m: float = 250.0,
    tiles_url: str | None = None,
    tiles_attribution: str = settings.DEFAULT_TILES_ATTRIBUTION,
    tiles_cache_dir: Path | None = None,
    origin: str | None = None,
) -> bytes:
    """Return the map picture (title bar, map, side panel) as PNG bytes, for downloads and the CLI.

    Parameters
    ----------
    analysis
        ``hotspots.analysis.analyse(...)`` result.
    lang, size, restricted, min_count, density, density_cell_m
        As in ``map_figure``.
    tiles_url, tiles_attribution, tiles_cache_dir, origin
        As in ``map_figure``.

    Returns
    -------
    bytes
        A PNG file; identical bytes for identical inputs.
    """
    picture = map_figure(
        analysis,
        lang=lang,
        size=size,
        restricted=restricted,
        min_count=min_count,
        density=density,
        density_cell_m=density_cell_m,
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        tiles_cache_dir=tiles_cache_dir,
        origin=origin,
    )
    return figure_png_bytes(picture.figure, dpi=resolve_size(size).dpi, metadata=picture.metadata)
