"""The map's scale bar and north arrow: how far, and which way is north.

Drawn on a map's axes in EPSG:3067 metres. The scale bar is a round length (1, 2 or 5
times a power of ten) near a fifth of the map's width, in km; the north arrow points to
true north, which in EPSG:3067 leans a degree or two from the grid's up.
"""

from __future__ import annotations

import math

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrow, Rectangle

from geo import crs
from i18n import format_number, t

Bounds = tuple[float, float, float, float]


def nice_length_m(span_m: float) -> float:
    """Return a round scale-bar length near a fifth of ``span_m``: 1, 2 or 5 times a power of ten."""
    target = span_m / 5
    power = 10 ** math.floor(math.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def north_angle_deg(x_m: float, y_m: float) -> float:
    """Return the angle in degrees from the grid's up to true north at a point, clockwise positive."""
    lon, lat = crs.to_wgs84([x_m], [y_m])
    nx, ny = crs.to_metric(lon, lat + 0.01, src=crs.WGS84)
    return float(math.degrees(math.atan2(float(nx[0]) - x_m, float(ny[0]) - y_m)))


def scale_bar(ax: Axes, bounds: Bounds, *, lang: str, fontsize: float) -> None:
    """Draw a two-part scale bar in the lower left corner, labelled in km the reader's way.

    Parameters
    ----------
    ax
        The map's axes, EPSG:3067 metres.
    bounds
        The map's frame (x0, y0, x1, y1).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``: ``0,5 km`` or ``0.5 km``.
    fontsize
        Base text size in points.
    """
    x0, y0, x1, y1 = bounds
    length = nice_length_m(x1 - x0)
    left, bottom = x0 + 0.03 * (x1 - x0), y0 + 0.035 * (y1 - y0)
    height = 0.008 * (y1 - y0)
    half = length / 2
    for i, face in enumerate(("#222222", "white")):
        ax.add_patch(
            Rectangle(
                (left + i * half, bottom), half, height, facecolor=face, edgecolor="#222222", lw=0.8, zorder=9
            )
        )
    label = f"{format_number(length / 1000, lang, decimals=0 if length >= 1000 else 1)} km"
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


def north_arrow(ax: Axes, bounds: Bounds, *, lang: str, fontsize: float) -> None:
    """Draw an arrow to true north in the upper right corner, with "N" (translated) at its tip.

    Parameters
    ----------
    ax
        The map's axes, EPSG:3067 metres.
    bounds
        The map's frame (x0, y0, x1, y1).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    fontsize
        Base text size in points.
    """
    x0, y0, x1, y1 = bounds
    angle = math.radians(north_angle_deg((x0 + x1) / 2, (y0 + y1) / 2))
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
