"""How every briefing figure is rendered: fixed matplotlib settings and reproducible PNG bytes.

Figures are drawn with matplotlib's Agg renderer without pyplot (no global figure state),
in DejaVu Sans with Type 42 fonts, so the pictures match the PDF's text. PNG files carry a
fixed ``Software`` key and nothing time-dependent: the same figure gives identical bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import matplotlib as mpl
from matplotlib.figure import Figure

from briefing.texts import SOFTWARE

_RC: Final[dict[str, Any]] = {
    "font.family": "DejaVu Sans",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.hashsalt": "helsinki-hotspots",
    "axes.unicode_minus": True,
    # Names and file names are text, never TeX: "$5$" in a file name must not become maths.
    "text.parse_math": False,
}


@contextmanager
def style() -> Iterator[None]:
    """Apply the fixed matplotlib settings of every briefing figure (fonts, Type 42 text) in a block.

    Returns
    -------
    contextmanager
        ``with style(): ...`` draws or saves with DejaVu Sans and Type 42 fonts; the
        previous settings return after the block.
    """
    with mpl.rc_context(_RC):  # type: ignore[arg-type]
        yield


def figure_png_bytes(figure: Figure, *, dpi: int, metadata: dict[str, str] | None = None) -> bytes:
    """Render a figure to PNG bytes with the given text chunks and nothing time-dependent.

    Parameters
    ----------
    figure
        A matplotlib figure (``map_figure(...).figure``, ``charts_figure(...)``).
    dpi
        Resolution of the file: pixels = inches x dpi.
    metadata
        PNG text chunks (title, classification ...); ``Software`` is always set.

    Returns
    -------
    bytes
        A PNG file; identical bytes for an identical figure.
    """
    buffer = io.BytesIO()
    with style():
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": SOFTWARE, **(metadata or {})})
    return buffer.getvalue()
