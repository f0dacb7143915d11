"""The time charts: every week of the period, small counts never drawn as numbers, hours x weekdays."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.patches import Rectangle

from briefing.charts import charts_figure
from hotspots import analysis
from tests.briefing_demo import demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


def _bars(figure_axes: object) -> list[Rectangle]:
    return [p for p in figure_axes.patches if isinstance(p, Rectangle)]  # type: ignore[attr-defined]


def test_restricted_charts_count_every_incident_once(result: analysis.Analysis) -> None:
    figure = charts_figure(result, lang="en", restricted=True)
    weekly, grid, _ = figure.axes
    bars = _bars(weekly)
    # 1.5.2026 is a Friday: its week starts 27.4.; 31.10.2026 is a Saturday: 27 weeks in all.
    assert len(bars) == 27
    assert sum(bar.get_height() for bar in bars) == len(result.current)
    meshes = [c for c in grid.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1  # restricted: no grey layer for small cells
    cells = meshes[0].get_array()
    assert cells.shape == (7, 24) and int(cells.sum()) == len(result.current)
    assert grid.get_yticklabels()[0].get_text() == "Mon"


def test_weeks_and_cells_below_the_threshold_are_grey_not_numbers(result: analysis.Analysis) -> None:
    big = 2 * len(result.current)
    figure = charts_figure(result, lang="fi", min_count=big)
    weekly, grid, _ = figure.axes
    bars = _bars(weekly)
    assert len(bars) == 27
    assert {bar.get_height() for bar in bars} == {float(big)}  # every week drawn up to the threshold
    assert {bar.get_facecolor()[:3] for bar in bars} == {(0.8, 0.8, 0.8)}  # #cccccc
    shown, grey = (c for c in grid.collections if isinstance(c, QuadMesh))
    assert np.ma.count(shown.get_array()) == 0  # no cell coloured by its count
    assert np.ma.count(grey.get_array()) == 7 * 24  # every cell is below it: all grey
