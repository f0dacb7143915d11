"""The picture's side panel: key figures, legend, ranked hotspots and sources, as a reader sees them."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from briefing.cartography import RESTRICTED_RED, MapLegend
from briefing.panel import PanelText, draw_panel
from briefing.texts import change_text
from hotspots import analysis
from i18n import peak_times_text
from tests.briefing_demo import demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


def _panel(result: analysis.Analysis, legend: MapLegend, text: PanelText) -> Axes:
    figure = Figure(figsize=(12.8, 7.2), dpi=50)
    ax = figure.add_axes((0.69, 0.01, 0.30, 0.9))
    draw_panel(ax, result, legend, text, width_pt=0.30 * 12.8 * 72, height_pt=0.9 * 7.2 * 72, fontsize=9.0)
    return ax


def test_panel_suppresses_counts_lists_the_top_ranks_and_ends_with_the_sources(
    result: analysis.Analysis,
) -> None:
    big = 2 * len(result.current)  # a threshold above every count
    sources = ("Incidents: demo.csv", "Districts © City of Helsinki, CC BY 4.0")
    text = PanelText(
        lang="en", restricted=False, min_count=big, max_listed=3, synthetic=True, attributions=sources
    )
    ax = _panel(result, MapLegend(others=20), text)
    lines = [artist.get_text() for artist in ax.texts]
    assert lines[0] == "Key figures"
    assert f"Incidents: <{big}" in lines
    assert str(len(result.current)) not in " ".join(lines)
    listed = [i for i, line in enumerate(lines) if line[:1].isdigit() and ". " in line[:4]]
    assert [int(lines[i].split(".")[0]) for i in listed] == [1, 2, 3]
    # Each hotspot's details follow its name: the count suppressed like every other.
    assert all(f"<{big}" in lines[i + 1] for i in listed)
    assert "Other hotspots (rank over 20)" in lines
    # At the foot, top down: synthetic data (bold, red), the aggregation note, the sources.
    foot = sorted(ax.texts, key=lambda a: a.get_position()[1])[:5]
    words = [a.get_text().replace("\n", " ") for a in reversed(foot)]
    assert words[0] == "Synthetic demo data"
    assert foot[-1].get_color() == RESTRICTED_RED and foot[-1].get_fontweight() == "bold"
    assert f"counts below {big} shown as <{big}" in words[1]
    assert words[2] == "Hotspots: DBSCAN, radius 150 m, at least 10 incidents"  # the small print
    assert words[3:] == list(sources)


def test_restricted_panel_counts_exactly_and_explains_density_and_points(result: analysis.Analysis) -> None:
    density = (np.array([1.0, 3.0, 4.0, 9.0]), ["#ffffb2", "#fecc5c", "#fd8d3c"])
    text = PanelText(lang="en", restricted=True, min_count=5, max_listed=10, synthetic=False, attributions=())
    ax = _panel(result, MapLegend(density=density, points=True), text)
    lines = [artist.get_text() for artist in ax.texts]
    assert f"Incidents: {len(result.current):,}" in lines
    assert [line for line in lines if line in ("1–2", "3", "4–8")] == ["1–2", "3", "4–8"]
    assert "cells with fewer than 5 are not shown" not in lines  # restricted: nothing suppressed
    assert "Single incident" in lines
    assert not any(line.startswith("Other hotspots") for line in lines)
    assert "Contains individual incidents" in " ".join(lines)


def test_panel_speaks_plainly_and_gives_each_hotspot_its_peak_time(result: analysis.Analysis) -> None:
    text = PanelText(lang="fi", restricted=False, min_count=5, max_listed=10, synthetic=True, attributions=())
    ax = _panel(result, MapLegend(), text)
    texts = sorted(ax.texts, key=lambda a: -a.get_position()[1])
    foot_top = max(a.get_position()[1] for a in ax.texts if a.get_va() == "bottom")
    body = " ".join(a.get_text().replace("\n", " ") for a in texts if a.get_va() == "top")
    foot = " ".join(a.get_text().replace("\n", " ") for a in texts if a.get_va() == "bottom")
    # No method jargon above the small print; the parameters are in it.
    assert "DBSCAN" not in body.upper()
    assert "vähintään 10 tapahtumaa enintään 150 metrin päässä toisistaan" in body
    assert "DBSCAN, säde 150 m" in foot and foot_top < 0.5
    # Every listed hotspot names its peak time, or says there is no clear one.
    for _, row in result.hotspots.head(10).iterrows():
        assert f"Huippuajat: {peak_times_text(row['peak_times'], 'fi')}" in body, row["rank"]
    assert "ma-su 00-24" not in body
    assert f"Muutos vertailujaksoon: {change_text(result, 'fi', min_count=5, restricted=False)}" in body
