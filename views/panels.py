"""The main panels: key figures, district and vanished tables, charts, parameters.

The ranking beside the map and the hotspot choice it shares with the map are in
``views.ranking_table``. Pure: ``localised_hotspots``, ``hotspot_members``,
``parameters_used``, the charts (``weekly_chart``, ``hour_weekday_chart``) and
``localised_numbers``, which shows a table's numbers the language's way while they stay
numbers (sorting by value).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from briefing.privacy import DEFAULT_MIN_COUNT, suppressed_label
from hotspots import areas
from hotspots.analysis import Analysis
from hotspots.clustering import ClusteringParams
from hotspots.forecast import Forecast
from hotspots.grid import DEFAULT_CELL_M
from hotspots.parameters import auto
from hotspots.parameters.suggest import ParameterSuggestion
from hotspots.placenames import place_name
from i18n import (
    category_label,
    format_date,
    format_number,
    format_percent,
    peak_times_text,
    recommendation_text,
    t,
)
from views import axes


def _number_text(value: float, *, lang: str, decimals: int, sign: bool) -> str:
    number = float(value)
    return format_number(number, lang, decimals=decimals, signed=sign)


def key_figures(analysis: Analysis, lang: str, *, aggregated: bool = False) -> None:
    """Draw the incidents, hotspots and change against the comparison period.

    ``aggregated`` (a user who sees only aggregates): a count below the threshold is
    written "<5" and its change is not shown (``briefing.privacy``).
    """
    key = analysis.key
    cols = st.columns(4)
    delta = None
    small = aggregated and min(key.incidents, key.incidents_previous) < DEFAULT_MIN_COUNT
    if analysis.previous_selection is not None and not small:
        pct = key.change_pct
        percent = f" ({format_percent(pct, lang, decimals=0, signed=True)})" if pct is not None else ""
        delta = format_number(key.change, lang, signed=True) + percent

    def count(value: int) -> str:
        if aggregated and value < DEFAULT_MIN_COUNT:
            return suppressed_label(DEFAULT_MIN_COUNT)
        return format_number(value, lang)

    cols[0].metric(t("metric.incidents", lang), count(key.incidents), delta, delta_color="inverse")
    cols[1].metric(t("metric.incidents_previous", lang), count(key.incidents_previous))
    cols[2].metric(t("metric.hotspots", lang), format_number(key.hotspots, lang))
    cols[3].metric(t("metric.significant_hotspots", lang), format_number(key.significant_hotspots, lang))


def localised_hotspots(hotspots: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    """Return the hotspot table with the display columns the map and tables use, in ``lang``."""
    out = hotspots.copy()
    suffix = "sv" if lang == "sv" else "fi"
    out["district"] = out[f"osaalue_{suffix}"].astype("string")
    out["place"] = pd.array([place_name(row, lang) for _, row in out.iterrows()], dtype="string")
    out["trend"] = [t(f"status.{s}", lang) if isinstance(s, str) else "" for s in out.get("status", [])]
    out["recommendation"] = [
        recommendation_text(r, lang, place=str(place))
        for r, place in zip(out["recommendation"], out["place"].fillna(""), strict=True)
    ]
    out["category_text"] = [
        ", ".join(f"{category_label(c, lang)} {format_number(n, lang)}" for c, n in (mix or {}).items())
        for mix in out["categories"]
    ]
    out["lead_text"] = [t(f"lead.{lead}", lang) for lead in out["lead"]]
    out["peak_text"] = [peak_times_text(windows, lang) for windows in out["peak_times"]]
    # The map's popup reads ``peak_windows`` and ``categories`` as display strings.
    out["peak_windows"] = out["peak_text"]
    return out


def hotspot_members(
    result: Analysis, hotspots: gpd.GeoDataFrame, selected: str | None
) -> tuple[pd.DataFrame, int] | None:
    """Return the incidents of the chosen hotspot and its rank; None when none is chosen.

    Parameters
    ----------
    result
        The analysis the hotspots come from.
    hotspots
        Its hotspot table (``id``, ``label``, ``rank``).
    selected
        The chosen hotspot's ``id``; an id not in ``hotspots`` chooses none.

    Returns
    -------
    tuple[DataFrame, int] | None
        The rows of ``result.current`` in the hotspot, and its rank.
    """
    chosen = hotspots[hotspots["id"] == selected] if selected else hotspots.iloc[0:0]
    if chosen.empty:
        return None
    members = result.current[result.labels == int(chosen["label"].iloc[0])]
    return members, int(chosen["rank"].iloc[0])


def localised_numbers(
    frame: pd.DataFrame,
    lang: str,
    *,
    decimals: Mapping[str, int] | None = None,
    signed_columns: tuple[str, ...] = (),
) -> Styler:
    """Return ``frame`` styled to show its numbers the way ``lang`` writes them; they stay numbers.

    The table shows ``1 234,5`` (fi, sv) or ``1,234.5`` (en) while its columns keep their
    numbers, so a click on a header still sorts by value. Whole numbers by default,
    ``decimals`` per column otherwise; ``signed_columns`` show ``+`` before a rise; a
    missing value is a dash.

    Parameters
    ----------
    frame
        The table, with a fresh 0..n-1 index (the styling addresses rows by position).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    decimals
        Digits after the decimal separator, by column; others numeric columns get none.
    signed_columns
        Columns of changes.

    Returns
    -------
    Styler
        ``frame.style`` with a formatter for every numeric column; yes/no in ``lang`` for
        a column of booleans.
    """
    formats: dict[str, Callable[[float], str]] = {}
    yes, no = t("text.yes", lang), t("text.no", lang)
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            formats[column] = lambda v: yes if v else no
            continue
        if not pd.api.types.is_numeric_dtype(series):
            continue
        places = (decimals or {}).get(column, 0)
        formats[column] = partial(_number_text, lang=lang, decimals=places, sign=column in signed_columns)
    return frame.style.format(formats, na_rep="–")


def vanished_table(vanished: gpd.GeoDataFrame, lang: str) -> None:
    """Draw the hotspots of the comparison period that are gone now, when the user opens them.

    Folded under a heading that counts them: a table is a data grid the browser draws on a
    canvas, a sizeable part of a fresh session's browser CPU (``bench/browser.py``), and
    this one is read rarely. Opening it reruns the page with the table drawn.
    """
    if vanished.empty:
        return
    label = t("panel.vanished", lang, n=format_number(len(vanished), lang))
    folded = st.expander(label, key="vanished_open", on_change="rerun")
    if not folded.open:
        return
    suffix = "sv" if lang == "sv" else "fi"
    table = pd.DataFrame(
        {
            t("column.district", lang): vanished[f"osaalue_{suffix}"],
            t("column.incidents_previous", lang): vanished["n"].astype(int),
            t("column.top_category", lang): [category_label(c, lang) for c in vanished["top_category"]],
        }
    )
    folded.dataframe(
        localised_numbers(table.reset_index(drop=True), lang),
        hide_index=True,
        width="stretch",
    )


def _counts(series: pd.Series, lang: str) -> np.ndarray:
    """Return counts as numbers (sortable), or as text when some are held back as ``"<5"``."""
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float).to_numpy()
    texts = [format_number(int(v), lang) if str(v).isdigit() else str(v) for v in series.fillna("–")]
    return np.array(texts, dtype=object)


def district_table(table: pd.DataFrame, lang: str, *, has_population: bool) -> None:
    """Draw the count, rate per 1,000 residents and change per district."""
    st.subheader(t("panel.district_table", lang))
    if not has_population:
        st.info(t("msg.population_unavailable", lang))
    name = "name_sv" if lang == "sv" else "name_fi"
    view = pd.DataFrame(
        {
            t("column.district", lang): table[name].to_numpy(),
            t("column.code", lang): table["code"].to_numpy(),
            t("column.incidents", lang): _counts(table["n"], lang),
            t("column.incidents_previous", lang): _counts(table["n_prev"], lang),
            t("column.change", lang): table["change"].astype(float).to_numpy(),
            t("column.residents", lang): table["residents"].astype(float).to_numpy(),
            t("column.rate", lang): table["rate_per_1000"].astype(float).to_numpy(),
            t("column.rate_young", lang): table["rate_per_1000_young"].astype(float).to_numpy(),
        }
    )
    decimals = {t("column.rate", lang): 1, t("column.rate_young", lang): 1}
    st.dataframe(
        localised_numbers(view, lang, decimals=decimals, signed_columns=(t("column.change", lang),)),
        hide_index=True,
        width="stretch",
    )


def weekly_chart(incidents: pd.DataFrame, lang: str, *, min_count: int | None = None) -> alt.Chart:
    """Return the weekly counts by category as an area chart, its axes and tooltips in ``lang``.

    ``min_count`` (a user who sees only aggregates): counts below it are not drawn.
    """
    week = incidents["occurred_at"].dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    weekly = (
        pd.DataFrame({"week": week, "category": [category_label(c, lang) for c in incidents["category"]]})
        .groupby(["week", "category"], as_index=False)
        .size()
    )
    if min_count is not None:
        weekly = weekly[weekly["size"] >= min_count]
    # Tooltips show text written in the language; the axes rewrite Vega's own labels.
    weekly["week_text"] = [format_date(w, lang) for w in weekly["week"]]
    weekly["size_text"] = [format_number(n, lang) for n in weekly["size"]]
    incidents_title = t("metric.incidents", lang)
    return (
        alt.Chart(weekly)
        .mark_area()
        .encode(
            x=alt.X(
                "week:T",
                title=t("chart.week", lang),
                axis=alt.Axis(labelExpr=axes.month_labels(lang), tickCount="month"),
            ),
            y=alt.Y(
                "size:Q", stack=True, title=incidents_title, axis=alt.Axis(labelExpr=axes.number_labels(lang))
            ),
            color=alt.Color("category:N", title=t("sidebar.categories", lang)),
            tooltip=[
                alt.Tooltip("week_text:N", title=t("chart.week", lang)),
                alt.Tooltip("category:N", title=t("sidebar.categories", lang)),
                alt.Tooltip("size_text:N", title=incidents_title),
            ],
        )
        .properties(height=280, title=t("chart.weekly", lang))
    )


def hour_weekday_chart(incidents: pd.DataFrame, lang: str, *, min_count: int | None = None) -> alt.Chart:
    """Return the incidents per hour and weekday as a grid, its legend and tooltips in ``lang``.

    ``min_count`` (a user who sees only aggregates): cells below it are left empty.
    """
    local = incidents["occurred_at"]
    cells = (
        pd.DataFrame({"weekday": local.dt.weekday.to_numpy(), "hour": local.dt.hour.to_numpy()})
        .value_counts()
        .rename("n")
        .reindex(pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"]), fill_value=0)
        .reset_index()
    )
    if min_count is not None:
        cells = cells[cells["n"] >= min_count]
    cells["day"] = [t(f"weekday.{d}", lang) for d in cells["weekday"]]
    cells["n_text"] = [format_number(n, lang) for n in cells["n"]]
    order = [t(f"weekday.{d}", lang) for d in range(7)]
    incidents_title = t("metric.incidents", lang)
    return (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("chart.hour", lang)),
            y=alt.Y("day:N", sort=order, title=None),
            color=alt.Color(
                "n:Q",
                scale=alt.Scale(scheme="orangered"),
                title=incidents_title,
                legend=alt.Legend(labelExpr=axes.number_labels(lang)),
            ),
            tooltip=[
                alt.Tooltip("day:N", title=t("sidebar.weekday", lang)),
                alt.Tooltip("hour:O", title=t("chart.hour", lang)),
                alt.Tooltip("n_text:N", title=incidents_title),
            ],
        )
        .properties(height=280, title=t("chart.hour_weekday", lang))
    )


def charts(incidents: pd.DataFrame, lang: str, *, title: str, min_count: int | None = None) -> None:
    """Draw the weekly counts by category and an hour-by-weekday grid.

    ``min_count`` (a user who sees only aggregates): counts below it are not drawn.
    """
    st.subheader(title)
    if incidents.empty:
        st.info(t("msg.empty_selection", lang))
        return
    if min_count is not None:
        st.caption(t("msg.privacy_suppressed", lang, min_count=min_count))
    left, right = st.columns(2)
    left.altair_chart(weekly_chart(incidents, lang, min_count=min_count), width="stretch")
    right.altair_chart(hour_weekday_chart(incidents, lang, min_count=min_count), width="stretch")


def parameter_help(suggestion: ParameterSuggestion, lang: str) -> None:
    """Draw the k-distance curve and the reasoning behind the suggested parameters."""
    st.markdown(
        t(
            "param.reasoning",
            lang,
            eps=format_number(suggestion.eps_m, lang),
            min_samples=suggestion.min_samples,
            rule_eps=format_number(suggestion.rule_eps_m, lang),
            rule_min=suggestion.rule_min_samples,
            background=format_number(suggestion.background_per_eps_disc, lang, decimals=1),
            core_pct=format_number(100 * suggestion.core_share, lang, decimals=1),
        )
    )
    curve = pd.DataFrame(
        {"rank": np.arange(len(suggestion.curve_m)), "distance_m": suggestion.curve_m}
    ).replace([np.inf], np.nan)
    rule = alt.Chart(pd.DataFrame({"eps": [suggestion.eps_m]})).mark_rule(color="red").encode(y="eps:Q")
    st.altair_chart(
        alt.Chart(curve)
        .mark_line()
        .encode(
            x=alt.X(
                "rank:Q",
                title=t("chart.kdist_rank", lang, k=suggestion.k),
                axis=alt.Axis(labelExpr=axes.number_labels(lang)),
            ),
            y=alt.Y(
                "distance_m:Q",
                title=t("chart.kdist_distance", lang),
                axis=alt.Axis(labelExpr=axes.number_labels(lang)),
            ),
        )
        .properties(height=220)
        + rule,
        width="stretch",
    )


def parameters_used(result: Analysis, lang: str) -> str:
    """Return ``"Hotspots: radius 300 m, at least 13 incidents (chosen automatically)"``."""
    clustering = result.clustering
    text = t(
        "param.used", lang, eps=format_number(clustering.eps_m, lang), min_samples=clustering.min_samples
    )
    if result.parameters is not None and result.parameters.chosen:
        text += " " + t("param.used_auto", lang)
    return text


def _percent(share: float, lang: str) -> str:
    return format_percent(100 * share, lang, decimals=1)


def forecast_note(predicted: Forecast, lang: str) -> None:
    """Say what the forecast view shows: for when, from how much history."""
    last = predicted.since - pd.Timedelta(days=1)
    st.info(
        t(
            "msg.forecast",
            lang,
            since=format_date(predicted.since, lang),
            until=format_date(predicted.until - pd.Timedelta(days=1), lang),
            history=t(f"history.{predicted.history}", lang),
            last=format_date(last, lang),
        )
    )


def size_rule(result: Analysis, lang: str) -> None:
    """Draw the rule that keeps hotspots street-scale (``hotspots.areas.AreaParams``)."""
    rule = areas.AreaParams()
    cell_m = result.found.grid.cell_m if result.found is not None else DEFAULT_CELL_M
    st.markdown(
        t(
            "param.size_rule",
            lang,
            max_km2=format_number(rule.max_area_km2, lang, decimals=2),
            side=format_number(round(math.sqrt(rule.max_area_km2) * 1000, -1), lang),
            cells=rule.max_cells(cell_m),
            cell=format_number(cell_m, lang),
            total=_percent(rule.max_total_share, lang),
            min_n=rule.min_incidents,
        )
    )


def parameter_choice(result: Analysis, lang: str) -> None:
    """Draw how eps and min_samples came about (when chosen automatically) and the size rule."""
    size_rule(result, lang)
    choice = result.parameters
    if choice is None or not (result.clustering.auto_eps or result.clustering.auto_min_samples):
        return
    if not choice.chosen:
        st.markdown(
            t(
                "param.auto_kept",
                lang,
                minimum=auto.MIN_INCIDENTS,
                eps=format_number(choice.clustering.eps_m, lang),
                min_samples=choice.clustering.min_samples,
            )
        )
        return
    defaults = choice.given or ClusteringParams()
    st.markdown(
        t(
            "param.auto_chosen",
            lang,
            eps=format_number(choice.clustering.eps_m, lang),
            min_samples=choice.clustering.min_samples,
            share=_percent(choice.area_share, lang),
            hit=_percent(choice.hit_rate, lang),
            default_eps=format_number(defaults.eps_m, lang),
            default_min=defaults.min_samples,
            default_hit=_percent(choice.default_hit_rate, lang),
        )
    )
