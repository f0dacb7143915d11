"""The map's scale bar and north arrow (briefing.mapscale): round lengths, true north, locale labels."""

from __future__ import annotations

import math

import pytest
from matplotlib.figure import Figure

from briefing import mapscale
from geo import crs


@pytest.mark.parametrize(
    ("span_m", "expected"), [(24_000.0, 2000.0), (30_000.0, 5000.0), (3_300.0, 500.0), (900.0, 100.0)]
)
def test_scale_length_is_round_and_at_most_a_fifth_of_the_width(span_m: float, expected: float) -> None:
    assert mapscale.nice_length_m(span_m) == expected


def test_north_leans_from_the_grid_as_the_projection_says() -> None:
    # Helsinki (24.94 E) lies west of EPSG:3067's central meridian (27 E): grid north turns
    # west of true north there, so true north is clockwise of the grid's up, by the
    # meridian convergence atan(tan(27 - lon) sin(lat)).
    x, y = crs.to_metric([24.94], [60.17], src=crs.WGS84)
    angle = mapscale.north_angle_deg(float(x[0]), float(y[0]))
    expected = math.degrees(math.atan(math.tan(math.radians(27 - 24.94)) * math.sin(math.radians(60.17))))
    assert angle == pytest.approx(expected, abs=0.05)
    assert 1 < angle < 3


@pytest.mark.parametrize(("lang", "label"), [("fi", "0,5 km"), ("sv", "0,5 km"), ("en", "0.5 km")])
def test_scale_bar_label_is_written_the_reader_s_way(lang: str, label: str) -> None:
    ax = Figure(figsize=(4, 3)).add_axes((0, 0, 1, 1))
    bounds = (385_000.0, 6_672_000.0, 388_300.0, 6_674_500.0)
    mapscale.scale_bar(ax, bounds, lang=lang, fontsize=9.0)
    mapscale.north_arrow(ax, bounds, lang=lang, fontsize=9.0)
    texts = [text.get_text() for text in ax.texts]
    assert label in texts and "0" in texts
    assert {"fi": "P", "sv": "N", "en": "N"}[lang] in texts
