"""The briefing package front: what a notebook user imports from ``briefing``."""

from __future__ import annotations

import briefing
from briefing import privacy


def test_the_front_offers_what_a_notebook_user_needs() -> None:
    for name in briefing.__all__:
        assert getattr(briefing, name) is not None, name
    for name in ("map_figure", "map_png_bytes", "brief_pdf_bytes", "write_hotspots", "DEFAULT_MIN_COUNT"):
        assert name in briefing.__all__, name
    assert briefing.DEFAULT_MIN_COUNT == privacy.DEFAULT_MIN_COUNT
