"""The map on its axes: districts, numbered hotspots, density classes, what the legend is told."""

from __future__ import annotations

import io

import numpy as np
import pytest
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath
from PIL import Image

from briefing import cartography, mapimage, privacy
from briefing.cartography import MapLegend, MapStyle
from briefing.mapimage import MapOptions
from briefing.rendering import figure_png_bytes
from geo import districts
from hotspots import analysis
from hotspots.grid import study_area
from tests.briefing_demo import demo_kallio_result, demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


def test_png_shows_every_hotspot_numbered_by_rank(result: analysis.Analysis) -> None:
    picture = mapimage.map_figure(result, MapOptions(lang="en", size="slides"))
    content = figure_png_bytes(picture.figure, dpi=150, metadata=picture.metadata)
    pixels = np.asarray(Image.open(io.BytesIO(content)).convert("RGB"))
    map_axes = picture.figure.axes[0]
    labels = {a.get_text(): a for a in map_axes.texts if a.get_bbox_patch() is not None}
    assert set(labels) == {str(int(r)) for r in result.hotspots["rank"] if r <= 20}  # the top 20 are numbered
    assert len(labels) == min(20, len(result.hotspots)) >= 5
    height = pixels.shape[0]
    for rank, artist in labels.items():
        x, y = artist.get_window_extent().get_points().mean(axis=0)
        row, col = round(height - y), round(x)
        patch = pixels[row - 8 : row + 9, col - 8 : col + 9].reshape(-1, 3).astype(int)
        # The number's disc is the hotspot edge colour (#99000d); its digit is white.
        dark_red = (abs(patch - np.array([0x99, 0x00, 0x0D])).sum(axis=1) < 40).sum()
        white = (patch.min(axis=1) > 235).sum()
        assert dark_red > 40 and white > 5, rank
    # Every label sits on (or is tied by a leader line to) its hotspot's outline.
    outlines = privacy.shareable_outlines(result.hotspots.geometry.values, eps_m=result.clustering.eps_m)
    for outline, rank in zip(outlines, result.hotspots["rank"], strict=True):
        if str(int(rank)) not in labels:
            continue
        x, y = labels[str(int(rank))].get_position()
        left, right = map_axes.get_xlim()
        assert shapely.distance(outline, shapely.Point(x, y)) < 0.08 * (right - left)


def test_geometry_path_keeps_holes_and_leaves_out_lines_and_points() -> None:
    square = shapely.box(0, 0, 100, 100)
    holed = square.difference(shapely.box(40, 40, 60, 60))
    path = cartography.geometry_path(holed)
    assert path is not None
    # One closed ring for the outside and one for the hole, each with its own vertices.
    assert list(path.codes).count(MplPath.MOVETO) == 2 and list(path.codes).count(MplPath.CLOSEPOLY) == 2
    rings = [np.asarray(holed.exterior.coords), np.asarray(holed.interiors[0].coords)]
    assert np.array_equal(path.vertices, np.concatenate(rings))
    mixed = shapely.GeometryCollection([holed, shapely.LineString([(0, 0), (5, 5)]), shapely.Point(1, 1)])
    mixed_path = cartography.geometry_path(mixed)
    assert mixed_path is not None and len(mixed_path.vertices) == len(path.vertices)
    assert cartography.geometry_path(shapely.LineString([(0, 0), (1, 1)])) is None
    assert cartography.geometry_path(shapely.Polygon()) is None


def _drawn(result: analysis.Analysis, *, restricted: bool, numbered: int) -> tuple[Axes, MapLegend]:
    figure = Figure(figsize=(8, 6), dpi=50)
    ax = figure.add_axes((0, 0, 1, 1))
    content = cartography.map_content(result, restricted=restricted).fitted(8 / 6)
    style = MapStyle(
        lang="sv",
        restricted=restricted,
        min_count=5,
        density=True,
        density_cell_m=250.0,
        numbered=numbered,
        fontsize=9.0,
        tiles_drawn=False,
    )
    return ax, cartography.draw_map(ax, result, content, style)


def test_draw_map_tells_the_legend_what_it_drew(result: analysis.Analysis) -> None:
    assert len(result.hotspots) > 5
    ax, legend = _drawn(result, restricted=False, numbered=5)
    assert legend.others == 5 and not legend.points
    assert legend.density is not None
    edges, colours = legend.density
    assert edges[0] == 5 and len(colours) == len(edges) - 1  # classes start at the threshold
    numbers = sorted(int(text.get_text()) for text in ax.texts if text.get_bbox_patch() is not None)
    assert numbers == [1, 2, 3, 4, 5]
    # District names in the reader's language: Swedish here.
    names = {text.get_text() for text in ax.texts}
    assert "Estnäs" in names or "Ulrikasborg" in names
    restricted_ax, restricted_legend = _drawn(result, restricted=True, numbered=1000)
    assert restricted_legend.points and restricted_legend.others is None
    assert restricted_legend.density is not None and restricted_legend.density[0][0] == 1
    assert len([t for t in restricted_ax.texts if t.get_bbox_patch() is not None]) == len(result.hotspots)


def test_aggregated_content_frames_the_land_and_holds_every_outline(result: analysis.Analysis) -> None:
    content = cartography.map_content(result, restricted=False)
    x0, y0, x1, y1 = content.bounds
    outlines = shapely.total_bounds(content.outlines)
    assert x0 <= outlines[0] and y0 <= outlines[1] and x1 >= outlines[2] and y1 >= outlines[3]
    assert list(content.ranks) == list(result.hotspots["rank"])
    wide = content.fitted(3.0)
    wx0, wy0, wx1, wy1 = wide.bounds
    assert (wx1 - wx0) / (wy1 - wy0) == pytest.approx(3.0)
    # Only the shorter side grows, evenly on both sides: the frame keeps its centre.
    if (x1 - x0) / (y1 - y0) < 3.0:
        assert (wy0, wy1) == (y0, y1) and wx0 < x0 and wx1 > x1
    else:
        assert (wx0, wx1) == (x0, x1) and wy0 < y0 and wy1 > y1
    assert (wx0 + wx1, wy0 + wy1) == pytest.approx((x0 + x1, y0 + y1))


@pytest.mark.parametrize("restricted", [False, True])
@pytest.mark.parametrize("where", ["city", "kallio"])
def test_the_frame_holds_the_whole_study_area_with_a_margin(
    result: analysis.Analysis, restricted: bool, where: str
) -> None:
    shown = result if where == "city" else demo_kallio_result()
    land = study_area(shown.selection, districts.load_districts("osaalue"))
    lx0, ly0, lx1, ly1 = shapely.bounds(land)
    x0, y0, x1, y1 = cartography.map_content(shown, restricted=restricted).bounds
    margin = 0.02 * max(lx1 - lx0, ly1 - ly0)
    # Never cropped: Lauttasaari, Östersundom and the outer islands are in the city's frame.
    assert x0 <= lx0 - margin and y0 <= ly0 - margin and x1 >= lx1 + margin and y1 >= ly1 + margin
    if where == "city":
        lauttasaari = districts.on_land(
            districts.load_districts("peruspiiri").set_index("name_fi").geometry["Lauttasaari"]
        )
        assert shapely.contains(shapely.box(x0, y0, x1, y1), lauttasaari)
    else:
        # Kallio's frame is Kallio's, not the city's.
        assert (x1 - x0) < 0.3 * (403_000 - 379_000)


def test_sea_inside_the_districts_is_drawn_as_sea_and_the_chosen_area_outlined(
    result: analysis.Analysis,
) -> None:
    picture = mapimage.map_figure(result, MapOptions(lang="fi", size="slides"))
    pixels = np.asarray(Image.open(io.BytesIO(figure_png_bytes(picture.figure, dpi=150))).convert("RGB"))
    ax = picture.figure.axes[0]
    osa = districts.load_districts("osaalue")
    shore = districts.shore_area()
    assert shore is not None
    # Water inside Helsinki's land districts (not the territorial sea): harbours, bays, sounds.
    land_districts = osa[osa["code"] != "533"]
    water = shapely.get_parts(shapely.difference(shapely.union_all(land_districts.geometry.values), shore))
    water = [w for w in water if shapely.area(w) > 1e6]
    assert len(water) >= 3
    sea = np.array([0xDC, 0xE9, 0xF2])
    height = pixels.shape[0]
    blue = 0
    for part in water:
        point = shapely.point_on_surface(part)
        px, py = ax.transData.transform((point.x, point.y))
        if not (0 <= px < pixels.shape[1] and 0 <= py < height):
            continue
        blue += int(np.abs(pixels[round(height - py), round(px)].astype(int) - sea).sum() < 12)
    assert blue >= 0.8 * len(water)
    assert not cartography.map_content(result, restricted=False).chosen
    kallio = cartography.map_content(demo_kallio_result(), restricted=False)
    assert kallio.chosen is not None and shapely.area(kallio.chosen) > 1e6
    _, legend = _drawn(demo_kallio_result(), restricted=False, numbered=5)
    assert legend.chosen
