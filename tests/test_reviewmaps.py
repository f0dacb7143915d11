"""The review's maps on the planted review (``tests.review_data``): what each one draws, and where.

The figures are read back from matplotlib's artists: each hotspot's fill colour against
its status, the vanished outlines dashed, the measures outlined and labelled ``M1`` ...,
and for one measure its target, ring and control area with the frame around them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import PathPatch

from briefing.mapimage import MapOptions, MapSize
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
from geo import districts
from hotspots.review import Review
from tests import review_data as data

OPTIONS = MapOptions(lang="en", size=MapSize(900, 600, 100), panel=False, numbered=12, text_pt=8.0)


@pytest.fixture(scope="module")
def result() -> Review:
    return data.planted_review()


def _axes(picture_figure: object) -> Axes:
    axes = picture_figure.axes  # type: ignore[attr-defined]
    assert len(axes) == 1
    return axes[0]


def _patches(ax: Axes) -> list[PathPatch]:
    return [p for p in ax.patches if isinstance(p, PathPatch)]


def _face(patch: PathPatch) -> str:
    return to_hex(patch.get_facecolor()[:3])


def _edge(patch: PathPatch) -> str:
    return to_hex(patch.get_edgecolor()[:3])


def _bounds(patch: PathPatch) -> tuple[float, float, float, float]:
    box = patch.get_path().get_extents()
    return box.x0, box.y0, box.x1, box.y1


def _filled(patch: PathPatch) -> bool:
    return patch.get_fill() and patch.get_facecolor()[3] > 0


def test_measures_are_labelled_m1_m2_in_review_order() -> None:
    assert [measure_label(i) for i in range(3)] == ["M1", "M2", "M3"]
    assert measure_label(11) == "M12"


def test_status_map_fills_each_hotspot_by_its_status(result: Review) -> None:
    picture = status_figure(result, OPTIONS)
    assert picture.tiles_drawn is False and picture.metadata == {}
    ax = _axes(picture.figure)
    fills = [_face(p) for p in _patches(ax) if _filled(p) and p.get_zorder() == 6]
    counts = result.status_counts()
    for status, colour in STATUS_COLOURS.items():
        assert fills.count(colour) == counts[status], status
    assert len(fills) == len(result.analysis.hotspots)


def test_status_map_dashes_the_vanished_and_outlines_and_labels_the_measures(result: Review) -> None:
    ax = _axes(status_figure(result, OPTIONS).figure)
    patches = _patches(ax)
    dashed = [p for p in patches if _edge(p) == VANISHED_EDGE and p.get_linestyle() == "--"]
    assert len(dashed) == len(result.analysis.vanished) == 9
    assert not any(_filled(p) for p in dashed)
    outlines = [p for p in patches if _edge(p) == TARGET_COLOUR and p.get_zorder() == 7]
    areas = [item.recorded.measure.area.bounds for item in result.measures]
    np.testing.assert_allclose([_bounds(p) for p in outlines], areas)
    labels = [text for text in ax.texts if text.get_color() == TARGET_COLOUR]
    # The measure of 2025 did not run in the period; the others are labelled beside their
    # area's top right corner.
    assert [text.get_text() for text in labels] == ["M1", "M2", "M3", "M4"]
    np.testing.assert_allclose([text.get_position() for text in labels], [(a[2], a[3]) for a in areas])


def test_status_map_without_measures_draws_none(result: Review) -> None:
    ax = _axes(status_figure(result, OPTIONS, measures=False).figure)
    assert not [p for p in _patches(ax) if _edge(p) == TARGET_COLOUR]
    assert not [t for t in ax.texts if t.get_text().startswith("M") and t.get_color() == TARGET_COLOUR]


def test_measure_map_draws_target_ring_and_control_framed_around_them(result: Review) -> None:
    item = result.measures[0]
    assert item.control is not None
    target = item.recorded.measure.area
    buffer_m = result.effect_params.buffer_m
    ax = _axes(measure_figure(result, item, OPTIONS).figure)
    patches = _patches(ax)
    filled_target = [p for p in patches if _filled(p) and _face(p) == TARGET_COLOUR]
    assert len(filled_target) == 1
    assert _bounds(filled_target[0]) == pytest.approx(target.bounds)
    # Above the hotspots' numbers: drawn at their height or higher, and after them.
    numbers = [t for t in ax.texts if t.get_text().isdigit()]
    assert numbers and filled_target[0].get_zorder() >= max(t.get_zorder() for t in numbers)
    order = ax.get_children()
    assert order.index(filled_target[0]) > max(order.index(t) for t in numbers)
    rings = [p for p in patches if p.get_hatch() == "////"]
    assert len(rings) == 1 and _edge(rings[0]) == RING_COLOUR
    assert _bounds(rings[0]) == pytest.approx(target.buffer(buffer_m).bounds, abs=0.5)
    land = districts.on_land(item.control.area)
    control = [p for p in patches if _face(p) == CONTROL_COLOUR or _edge(p) == CONTROL_COLOUR]
    assert len(control) == 2  # a pale fill and its edge
    for patch in control:
        assert _bounds(patch) == pytest.approx(land.bounds)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lx0, ly0, lx1, ly1 = land.bounds
    reach = target.buffer(1200.0).bounds
    assert x0 < min(lx0, reach[0]) and y0 < min(ly0, reach[1])
    assert x1 > max(lx1, reach[2]) and y1 > max(ly1, reach[3])
    assert (x1 - x0) / (y1 - y0) == pytest.approx(900 / 600, rel=1e-6)  # fitted to the picture


def test_measure_map_without_a_control_area_still_frames_the_target(result: Review) -> None:
    item = dataclasses.replace(result.measures[2], control=None, effect=None, state="no_control")
    target = item.recorded.measure.area
    ax = _axes(measure_figure(result, item, OPTIONS).figure)
    patches = _patches(ax)
    assert not [p for p in patches if _face(p) == CONTROL_COLOUR or _edge(p) == CONTROL_COLOUR]
    assert len([p for p in patches if _filled(p) and _face(p) == TARGET_COLOUR]) == 1
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    centre = shapely.centroid(target)
    # The frame is the target's 1,200 m reach with the margin: centred on it, a few km wide.
    assert (x0 + x1) / 2 == pytest.approx(centre.x, abs=1.0)
    assert (y0 + y1) / 2 == pytest.approx(centre.y, abs=1.0)
    assert 2400 < min(x1 - x0, y1 - y0) < 4000
    assert np.isfinite([x0, x1, y0, y1]).all()
