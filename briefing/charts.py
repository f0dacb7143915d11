"""The briefing's time charts: incidents per week (with the comparison period) and hour x weekday.

Counts below ``min_count`` are not drawn as numbers: a week below it is a grey hatched
bar up to the threshold, a grid cell below it is grey (unless restricted), and the
comparison period's line breaks where its week is below it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from briefing.privacy import DEFAULT_MIN_COUNT, check_min_count
from briefing.rendering import style
from geo import schema
from hotspots.analysis import Analysis
from i18n import t, weekday_abbreviations


def _weekly(frame: pd.DataFrame, since: pd.Timestamp | None, until: pd.Timestamp | None) -> pd.Series:
    """Incidents per local week (Monday start), every week of the period included."""
    local = frame["occurred_at"].dt.tz_convert(schema.TIMEZONE).dt.tz_localize(None)
    weeks = local.dt.to_period("W-SUN").dt.start_time
    counts = weeks.value_counts().sort_index()
    first = since.tz_localize(None) if since is not None else (counts.index.min() if len(counts) else None)
    last = (until - pd.Timedelta(days=1)).tz_localize(None) if until is not None else None
    if last is None and len(counts):
        last = counts.index.max()
    if first is None or last is None:
        return counts.astype("int64")
    index = pd.period_range(first, last, freq="W-SUN").start_time
    return counts.reindex(index, fill_value=0).astype("int64")


def _short_date(stamp: pd.Timestamp, lang: str) -> str:
    return f"{stamp.day}.{stamp.month}." if lang != "en" else f"{stamp.month:02d}-{stamp.day:02d}"


def _weekly_chart(ax: Axes, analysis: Analysis, *, lang: str, floor: int, min_count: int) -> None:
    """Bars per week, grey up to the threshold where suppressed, and the comparison period's steps."""
    current = analysis.current
    selection = analysis.selection
    weekly = _weekly(current, selection.since, selection.until) if len(current) else pd.Series(dtype="int64")
    positions = np.arange(len(weekly))
    values = weekly.to_numpy(dtype=np.float64)
    small = values < floor
    ax.bar(positions[~small], values[~small], width=0.85, color="#d95f0e", label=t("metric.incidents", lang))
    if small.any():
        ax.bar(
            positions[small],
            np.full(int(small.sum()), float(min_count)),
            width=0.85,
            color="#cccccc",
            hatch="///",
            edgecolor="#999999",
            linewidth=0,
            label=t("map.legend.suppressed", lang, min_count=min_count),
        )
    previous_selection = analysis.previous_selection
    if previous_selection is not None and len(analysis.previous):
        before = _weekly(analysis.previous, previous_selection.since, previous_selection.until)
        line = before.to_numpy(dtype=np.float64)[: len(weekly)]
        line = np.where(line < floor, np.nan, line)
        ax.step(
            np.arange(len(line)),
            line,
            where="mid",
            color="#444444",
            linewidth=1.0,
            label=t("metric.incidents_previous", lang),
        )
    ax.set_title(t("brief.weekly", lang), fontsize=8, loc="left")
    ticks = positions[:: max(1, len(positions) // 6)]
    ax.set_xticks(ticks)
    ax.set_xticklabels([_short_date(weekly.index[i], lang) for i in ticks], fontsize=6.5)
    ax.tick_params(axis="y", labelsize=6.5)
    ax.set_xlabel(t("chart.week", lang), fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    if len(weekly):
        # Head room above the bars keeps the legend off them.
        ax.set_ylim(0, max(float(values.max()), float(min_count)) * 1.3)
        ax.legend(fontsize=6, frameon=False, loc="upper left", ncol=2)


def _hour_weekday_chart(
    fig: Figure, ax: Axes, cbar: Axes, current: pd.DataFrame, *, lang: str, floor: int, restricted: bool
) -> None:
    """Incidents per local hour and weekday; cells below the threshold grey, or blank when restricted."""
    grid = np.zeros((7, 24), dtype=np.int64)
    if len(current):
        local = current["occurred_at"].dt.tz_convert(schema.TIMEZONE)
        np.add.at(grid, (local.dt.weekday.to_numpy(), local.dt.hour.to_numpy()), 1)
    shown = np.ma.masked_where(grid < floor, grid)
    mesh = ax.pcolormesh(np.arange(25), np.arange(8), shown, cmap="YlOrRd", vmin=floor)
    if not restricted:
        low = np.ma.masked_where(grid >= floor, grid)
        ax.pcolormesh(np.arange(25), np.arange(8), low, cmap=ListedColormap(["#dddddd"]))
    ax.invert_yaxis()
    ax.set_yticks(np.arange(7) + 0.5)
    ax.set_yticklabels(weekday_abbreviations(lang), fontsize=6.5)
    ax.set_xticks(np.arange(0, 25, 6))
    ax.set_xticklabels([str(h) for h in range(0, 25, 6)], fontsize=6.5)
    ax.set_xlabel(t("chart.hour", lang), fontsize=7)
    ax.set_title(t("chart.hour_weekday", lang), fontsize=8, loc="left")
    colorbar = fig.colorbar(mesh, cax=cbar)
    colorbar.ax.tick_params(labelsize=6)


def charts_figure(
    analysis: Analysis,
    *,
    lang: str,
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    width_in: float = 7.1,
    height_in: float = 2.7,
    dpi: int = 200,
) -> Figure:
    """Draw incidents per week (with the comparison period) and an hour x weekday grid.

    Counts below ``min_count`` are not drawn as numbers: a week below it is a grey bar up
    to the threshold, a grid cell below it is grey (unless ``restricted``).

    Parameters
    ----------
    analysis
        Analysis result.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    restricted
        Draw exact small counts.
    min_count
        Suppression threshold, >= 1.
    width_in, height_in
        Figure size in inches.
    dpi
        The figure's resolution (the PDF's pictures: 200).

    Returns
    -------
    Figure
    """
    min_count = check_min_count(min_count)
    floor = 1 if restricted else min_count
    with style():
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
        left = fig.add_axes((0.07, 0.2, 0.46, 0.68))
        right = fig.add_axes((0.62, 0.2, 0.31, 0.68))
        cbar = fig.add_axes((0.945, 0.2, 0.012, 0.68))
        _weekly_chart(left, analysis, lang=lang, floor=floor, min_count=min_count)
        _hour_weekday_chart(fig, right, cbar, analysis.current, lang=lang, floor=floor, restricted=restricted)
    return fig
