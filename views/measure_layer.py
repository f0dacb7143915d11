"""The measures on the map: dashed outlines under the hotspots, with what, who, when and where.

Pure (no Streamlit), like ``views.map_layers``: it takes recorded measures (areas in
EPSG:3067) and returns a folium layer in WGS84 with its legend section. The outlines are
dashed and dark green, a colour neither the hotspots (red to yellow), the district scale
(greens to blues, light), the density cells (purples) nor the district outlines (grey) use,
and they lie in their own pane under the incidents and hotspots (``views.map_elements.PANES``),
so a hotspot stays the first thing the eye finds. Every text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import folium
import numpy as np

from hotspots.measures import RecordedMeasure
from i18n import t
from views.map_layers import escape, feature, geometries_wgs84
from views.measure_texts import measure_rows

MEASURE_COLOUR: Final = "#1a7f37"
MEASURE_DASH: Final = "6 4"
#: Outline simplification, metres: invisible at street zoom.
SIMPLIFY_M: Final = 2.0
PANE: Final = "hs-measures"
#: Popup fields (GeoJSON property names), in the order of ``views.measure_texts.ROW_KEYS``.
FIELDS: Final = ("kind", "lead", "period", "place")

STYLE: Final[dict[str, Any]] = {
    "color": MEASURE_COLOUR,
    "weight": 2.5,
    "opacity": 0.95,
    "dashArray": MEASURE_DASH,
    "fill": True,
    "fillColor": MEASURE_COLOUR,
    "fillOpacity": 0.06,
}


def measure_legend(lang: str) -> str:
    """Return the legend's measures section: a dashed sample and its name."""
    sample = (
        f'<span class="hs-swatch" style="background:transparent;border:2px dashed {MEASURE_COLOUR}"></span>'
    )
    return (
        f"<h4>{escape(t('map.legend.measures', lang))}</h4>"
        f'<div class="hs-row">{sample}{escape(t("map.legend.measure_area", lang))}</div>'
    )


def measure_layer(measures: Sequence[RecordedMeasure], lang: str) -> tuple[folium.GeoJson | None, str]:
    """Return the measures as dashed outlines with popups, and the legend section.

    Parameters
    ----------
    measures
        Recorded measures, areas in EPSG:3067 (already cut to what the user may see and to
        the period in view).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    tuple[folium.GeoJson | None, str]
        The layer (None when there is no measure) and the legend's HTML. Each measure's
        tooltip names its kind; its popup its kind, lead (+ partner), first and last day
        and place, escaped.
    """
    if not measures:
        return None, ""
    drawn = geometries_wgs84(
        np.asarray([r.measure.area for r in measures], dtype=object), simplify_m=SIMPLIFY_M
    )
    features: list[dict[str, Any]] = []
    for recorded, geom in zip(measures, drawn, strict=True):
        rows = measure_rows(recorded, lang)
        properties = {field: escape(value) for field, (_, value) in zip(FIELDS, rows, strict=True)}
        features.append(feature(f"m{recorded.id}", geom, properties))
    aliases = [escape(label) for label, _ in measure_rows(measures[0], lang)]
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.measures", lang)),
        style_function=lambda _: dict(STYLE),
        highlight_function=lambda _: {"weight": 4, "fillOpacity": 0.15},
        tooltip=folium.GeoJsonTooltip(fields=["kind"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=list(FIELDS), aliases=aliases, max_width=320, localize=False),
        pane=PANE,
    )
    return layer, measure_legend(lang)
