"""The main panels: key figures, hotspot ranking and card, district table, charts, parameters.

Also the import report of an upload and the hotspot choice that the table and the map share
(``newest_pick``, ``localised_hotspots``, ``hotspot_members`` and ``parameters_used`` are pure).
"""

from __future__ import annotations

import math
from typing import Final

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from briefing.privacy import DEFAULT_MIN_COUNT, suppressed_label
from geo.rejects import rejects_csv
from hotspots import areas
from hotspots.analysis import Analysis
from hotspots.clustering import ClusteringParams
from hotspots.forecast import Forecast
from hotspots.grid import DEFAULT_CELL_M
from hotspots.parameters import auto
from hotspots.parameters.suggest import ParameterSuggestion
from hotspots.placenames import place_name
from i18n import category_label, format_date, format_number, peak_times_text, recommendation_text, t


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
        delta = f"{key.change:+d}" + (f" ({pct:+.0f} %)" if pct is not None else "")

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
        ", ".join(f"{category_label(c, lang)} {n}" for c, n in (mix or {}).items())
        for mix in out["categories"]
    ]
    out["lead_text"] = [t(f"lead.{lead}", lang) for lead in out["lead"]]
    out["peak_text"] = [peak_times_text(windows, lang) for windows in out["peak_times"]]
    # The map's popup reads ``peak_windows`` and ``categories`` as display strings.
    out["peak_windows"] = out["peak_text"]
    return out


#: Session keys of the hotspot choice: the table widget (versioned), the map component.
TABLE_KEY: Final = "hotspot_table"
MAP_KEY: Final = "map"


def newest_pick(
    previous: str | None,
    *,
    table_pick: str | None,
    last_table_pick: str | None,
    map_pick: str | None,
    last_map_pick: str | None,
) -> tuple[str | None, bool]:
    """Return the hotspot chosen now, from the newest of a table row pick and a map click.

    Returns the choice and whether it came from the map (the table must then drop its
    own, older row selection). A row unticked in the table clears the choice.
    """
    if map_pick is not None and map_pick != last_map_pick:
        return map_pick, True
    if table_pick != last_table_pick:
        return table_pick, False
    return previous, False


def _table_key() -> str:
    return f"{TABLE_KEY}_{st.session_state.get('hotspot_table_version', 0)}"


def _table_pick(hotspots: gpd.GeoDataFrame) -> str | None:
    state = st.session_state.get(_table_key())
    rows = list(((state or {}).get("selection") or {}).get("rows") or [])
    if not rows or rows[0] >= len(hotspots):
        return None
    return str(hotspots["id"].iloc[int(rows[0])])


def _map_pick() -> str | None:
    state = st.session_state.get(MAP_KEY)
    drawing = (state or {}).get("last_active_drawing") if isinstance(state, dict) else None
    hotspot = ((drawing or {}).get("properties") or {}).get("hotspot_id")
    return str(hotspot) if hotspot else None


def chosen_hotspot(hotspots: gpd.GeoDataFrame) -> str | None:
    """Return the hotspot chosen in the table or on the map, read before either is drawn.

    Both widgets keep their last value in the session; reading them first lets the map,
    the table highlight and the card agree within the same rerun. A map click resets the
    table's own selection (a new widget key) so the two never disagree.
    """
    table_pick, map_pick = _table_pick(hotspots), _map_pick()
    chosen, from_map = newest_pick(
        st.session_state.get("selected_hotspot"),
        table_pick=table_pick,
        last_table_pick=st.session_state.get("last_table_pick"),
        map_pick=map_pick,
        last_map_pick=st.session_state.get("last_map_pick"),
    )
    st.session_state["last_map_pick"] = map_pick
    if from_map:
        st.session_state["hotspot_table_version"] = st.session_state.get("hotspot_table_version", 0) + 1
        table_pick = None
    st.session_state["last_table_pick"] = table_pick
    if chosen is not None and chosen not in set(hotspots["id"].astype(str)):
        chosen = None  # a hotspot of an earlier selection
    st.session_state["selected_hotspot"] = chosen
    return chosen


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


def hotspot_table(hotspots: gpd.GeoDataFrame, lang: str, *, selected: str | None) -> None:
    """Draw the ranking; the chosen hotspot's row is highlighted, picking a row chooses it."""
    st.subheader(t("panel.ranking_table", lang))
    st.caption(t("help.ranking", lang))
    if hotspots.empty:
        st.info(t("msg.no_hotspots", lang))
        return None
    view = pd.DataFrame(
        {
            t("column.rank", lang): hotspots["rank"].astype(int),
            t("column.hotspot", lang): hotspots["id"],
            t("column.incidents", lang): hotspots["n"].astype(int),
            t("column.per_km2", lang): [format_number(v, lang) for v in hotspots["intensity_km2"]],
            t("column.area_km2", lang): [format_number(v, lang, decimals=2) for v in hotspots["area_km2"]],
            t("column.incidents_previous", lang): hotspots["n_prev"],
            t("column.trend", lang): hotspots["trend"],
            t("column.place", lang): hotspots["place"],
            t("column.district", lang): hotspots["district"],
            t("column.top_category", lang): [category_label(c, lang) for c in hotspots["top_category"]],
            t("column.peak_windows", lang): hotspots["peak_text"],
            t("column.significant", lang): hotspots["significant"],
            t("column.lead", lang): hotspots["lead_text"],
            t("column.recommendation", lang): hotspots["recommendation"],
        }
    )
    marked = (hotspots["id"].astype(str) == (selected or "")).to_numpy()

    def highlight(row: pd.Series) -> list[str]:
        style = "background-color: #fde68a; font-weight: 600" if marked[int(row.name)] else ""
        return [style] * len(row)

    st.dataframe(
        view.reset_index(drop=True).style.apply(highlight, axis=1),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=_table_key(),
    )


def vanished_table(vanished: gpd.GeoDataFrame, lang: str) -> None:
    """Draw the hotspots of the comparison period that are gone now."""
    if vanished.empty:
        return
    suffix = "sv" if lang == "sv" else "fi"
    st.caption(t("panel.vanished", lang))
    st.dataframe(
        pd.DataFrame(
            {
                t("column.district", lang): vanished[f"osaalue_{suffix}"],
                t("column.incidents_previous", lang): vanished["n"].astype(int),
                t("column.top_category", lang): [category_label(c, lang) for c in vanished["top_category"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def district_table(table: pd.DataFrame, lang: str, *, has_population: bool) -> None:
    """Draw the count, rate per 1,000 residents and change per district."""
    st.subheader(t("panel.district_table", lang))
    if not has_population:
        st.info(t("msg.population_unavailable", lang))
    name = "name_sv" if lang == "sv" else "name_fi"
    st.dataframe(
        pd.DataFrame(
            {
                t("column.district", lang): table[name],
                t("column.code", lang): table["code"],
                t("column.incidents", lang): table["n"],
                t("column.incidents_previous", lang): table["n_prev"],
                t("column.change", lang): table["change"],
                t("column.residents", lang): table["residents"].round(0),
                t("column.rate", lang): table["rate_per_1000"].round(1),
                t("column.rate_young", lang): table["rate_per_1000_young"].round(1),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def charts(incidents: pd.DataFrame, lang: str, *, title: str, min_count: int | None = None) -> None:
    """Draw the weekly counts by category and an hour-by-weekday grid.

    ``min_count`` (a user who sees only aggregates): counts below it are not drawn.
    """
    st.subheader(title)
    if incidents.empty:
        st.info(t("msg.empty_selection", lang))
        return
    local = incidents["occurred_at"]
    week = local.dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    weekly = (
        pd.DataFrame({"week": week, "category": [category_label(c, lang) for c in incidents["category"]]})
        .groupby(["week", "category"], as_index=False)
        .size()
    )
    cells = (
        pd.DataFrame({"weekday": local.dt.weekday.to_numpy(), "hour": local.dt.hour.to_numpy()})
        .value_counts()
        .rename("n")
        .reindex(pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"]), fill_value=0)
        .reset_index()
    )
    if min_count is not None:
        weekly["size"] = weekly["size"].where(weekly["size"] >= min_count)
        cells["n"] = cells["n"].where(cells["n"] >= min_count)
        st.caption(t("msg.privacy_suppressed", lang, min_count=min_count))
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(weekly)
        .mark_area()
        .encode(
            x=alt.X("week:T", title=t("chart.week", lang)),
            y=alt.Y("size:Q", stack=True, title=t("metric.incidents", lang)),
            color=alt.Color("category:N", title=t("sidebar.categories", lang)),
            tooltip=["week:T", "category:N", "size:Q"],
        )
        .properties(height=280, title=t("chart.weekly", lang)),
        width="stretch",
    )
    cells["day"] = [t(f"weekday.{d}", lang) for d in cells["weekday"]]
    order = [t(f"weekday.{d}", lang) for d in range(7)]
    right.altair_chart(
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("chart.hour", lang)),
            y=alt.Y("day:N", sort=order, title=None),
            color=alt.Color("n:Q", scale=alt.Scale(scheme="orangered"), title=t("metric.incidents", lang)),
            tooltip=["day:N", "hour:O", "n:Q"],
        )
        .properties(height=280, title=t("chart.hour_weekday", lang)),
        width="stretch",
    )


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
            x=alt.X("rank:Q", title=t("chart.kdist_rank", lang, k=suggestion.k)),
            y=alt.Y("distance_m:Q", title=t("chart.kdist_distance", lang)),
        )
        .properties(height=220)
        + rule,
        width="stretch",
    )


def import_report(report: object, rejects: pd.DataFrame | None, lang: str) -> None:
    """Show what an upload's import did, with the rejected rows to download."""
    accepted = int(getattr(report, "accepted", 0))
    rejected = int(getattr(report, "rejected", 0))
    duplicates = int(getattr(report, "duplicates_in_file", 0))
    st.sidebar.success(
        t("msg.import_summary", lang, accepted=accepted, rejected=rejected, duplicates=duplicates)
    )
    if getattr(report, "crs_guessed", False):
        st.sidebar.info(t("msg.crs_guessed", lang, crs=getattr(report, "crs", "")))
    qualities = getattr(report, "position_qualities", ())
    if qualities:
        counts = ", ".join(f"{t(f'quality.{quality}', lang)} {rows}" for quality, rows in qualities)
        st.sidebar.info(t("msg.position_qualities", lang, counts=counts))
    if rejects is not None and len(rejects):
        st.sidebar.warning(t("msg.import_rejected_rows", lang, n=rejected))
        st.sidebar.dataframe(rejects.head(200), hide_index=True)
        st.sidebar.download_button(
            t("upload.download_rejects", lang),
            rejects_csv(rejects),
            file_name="rejects.csv",
            mime="text/csv",
        )


def hotspot_detail(hotspots: gpd.GeoDataFrame, selected: str | None, lang: str) -> bool:
    """Draw a card for the chosen hotspot; return True when the user cleared the choice."""
    if not selected or hotspots.empty:
        return False
    chosen = hotspots[hotspots["id"] == selected]
    if chosen.empty:
        return False
    row = chosen.iloc[0]
    with st.container(border=True):
        st.markdown(f"**{t('panel.selected_hotspot', lang, rank=int(row['rank']))}** · {row['district']}")
        st.write(row["recommendation"])
        st.caption(f"{t('column.peak_windows', lang)}: {row['peak_text']} · {row['category_text']}")
        first, last = row["first_date"], row["last_date"]
        st.caption(f"{t('detail.period', lang)}: {first:%d.%m.%Y} – {last:%d.%m.%Y}")
        st.caption(
            t(
                "detail.significance",
                lang,
                expected=format_number(float(row["expected"]), lang, decimals=1),
                p=f"{float(row['p_adjusted']):.2g}",
            )
        )
        services = row.get("nearest_services") or []
        if len(services):
            listed = ", ".join(f"{name} ({distance:.0f} m)" for name, _, distance in services)
            st.caption(f"{t('detail.nearest', lang)}: {listed}")
        return bool(st.button(t("detail.clear", lang), key="clear_hotspot"))


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
    return f"{format_number(100 * share, lang, decimals=1)}\u00a0%"


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
