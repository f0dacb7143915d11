"""Rendering: every briefing figure in the same fonts, and PNG bytes that do not change run to run."""

from __future__ import annotations

import io

import matplotlib as mpl
from matplotlib.figure import Figure
from PIL import Image

from briefing.rendering import figure_png_bytes, style
from briefing.texts import SOFTWARE


def _figure() -> Figure:
    with style():
        figure = Figure(figsize=(2, 1), dpi=50)
        ax = figure.add_axes((0.1, 0.1, 0.8, 0.8))
        ax.plot([0, 1, 2], [2, 0, 1])
        ax.set_title("Ääkköset −1")
    return figure


def test_png_bytes_are_identical_twice_and_carry_software_but_no_time() -> None:
    first = figure_png_bytes(_figure(), dpi=100, metadata={"Title": "Testi"})
    second = figure_png_bytes(_figure(), dpi=100, metadata={"Title": "Testi"})
    assert first == second
    with Image.open(io.BytesIO(first)) as image:
        assert image.size == (200, 100)  # inches x dpi of the file, not of the figure
        chunks = dict(image.text)
    assert chunks == {"Software": SOFTWARE, "Title": "Testi"}


def test_style_fixes_fonts_only_inside_its_block() -> None:
    before = mpl.rcParams["pdf.fonttype"]
    with style():
        assert mpl.rcParams["font.family"] == ["DejaVu Sans"]
        assert mpl.rcParams["pdf.fonttype"] == 42 and mpl.rcParams["axes.unicode_minus"]
    assert mpl.rcParams["pdf.fonttype"] == before
