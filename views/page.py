"""The sections of the page that ``app.py`` draws in order: data, analysis, ranking, map, tabs.

Each section draws with ``st.`` and gets what it shows from the cached functions of
``views.datasource`` and ``views.results``; when something the user can fix goes wrong it
says so and stops the page (never a traceback). The rules live in ``hotspots`` and in the
pure view modules (``mapview``, ``urlstate``, ``download_panel.export_files``).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from briefing.privacy import DEFAULT_MIN_COUNT
from geo import settings
from geo.errors import HotspotsError
from hotspots.analysis import Analysis
from hotspots.selection import Selection
from i18n import t
from store.scope import LOCAL_ANALYST, Scope
from views import backtest_panel, controls, datasource, download_panel, panels, results, visibility
from views.assets import AssetUrls
from views.mapview import MapLayers, MapOptions, build_map, incidents_bounds


@dataclass(frozen=True, eq=False)
class Shown:
    """One analysis as the page shows it.

    Attributes
    ----------
    request
        What it was computed from (the cache key of everything below).
    result
        The analysis (of the period, or of the forecast's history).
    hotspots
        Its hotspot table with the display columns in the page's language.
    districts
        The district figures at the map's level.
    has_population
        Residents were known, so ``districts`` has rates.
    scope
        What the user may see: ``hotspots`` and ``districts`` are already cut to it
        (``views.visibility``), the sections below read what else it allows.
    """

    request: results.Request
    result: Analysis
    hotspots: gpd.GeoDataFrame
    districts: pd.DataFrame
    has_population: bool
    scope: Scope = LOCAL_ANALYST


def district_hierarchy(lang: str) -> pd.DataFrame:
    """Return the official districts' hierarchy, or stop the page saying why it is missing."""
    try:
        return datasource.district_hierarchy()
    except HotspotsError as exc:
        st.error(t("msg.districts_unavailable", lang, error=str(exc)))
        st.stop()


def _upload(lang: str, scope: Scope) -> datasource.Loaded | None:
    """Draw the upload step (file, CRS, part, column mapping) and return the imported incidents."""
    upload = st.sidebar.file_uploader(
        t("sidebar.upload_file", lang),
        type=["csv", "xlsx", "geojson", "json", "gpkg", "parquet"],
        key="upload",
    )
    crs_choice = st.sidebar.selectbox(
        t("sidebar.upload_crs", lang),
        ["auto", "3879", "3067", "4326"],
        format_func=lambda c: t("sidebar.upload_crs_guess", lang) if c == "auto" else f"EPSG:{c}",
    )
    if upload is None:
        return None
    try:
        part_names = datasource.upload_parts(upload.name, upload.getvalue())
    except HotspotsError as exc:
        st.sidebar.error(t("msg.import_failed", lang, error=str(exc)))
        return None
    part = (
        st.sidebar.selectbox(t("upload.part", lang), part_names, key="upload_part")
        if len(part_names) > 1
        else None
    )
    mapping = controls.column_mapping(lang, upload.name, upload.getvalue(), part)
    crs = None if crs_choice == "auto" else crs_choice
    precise = st.sidebar.checkbox(
        t("upload.precise_only", lang), key="upload_precise", help=t("upload.precise_help", lang)
    )
    try:
        loaded = datasource.uploaded_data(
            upload.name, upload.getvalue(), crs, mapping, part, precise, scope=scope
        )
    except HotspotsError as exc:
        st.sidebar.error(t("msg.import_failed", lang, error=str(exc)))
        return None
    panels.import_report(loaded.report, loaded.rejects, lang)
    return loaded


def incidents(lang: str, scope: Scope = LOCAL_ANALYST) -> datasource.Loaded:
    """Return the incidents of the chosen source that ``scope`` may see, or stop the page saying why.

    The store is the default source once it holds incidents; a store that cannot be read
    is named in a warning and the demo data stay available. Only a scope that may upload
    is offered the upload.
    """
    state = datasource.store_state(datasource.default_store_url())
    if state.problem is not None:
        st.sidebar.warning(t("msg.store_unavailable", lang, error=state.problem))
    source = controls.data_source(lang, store_has_data=state.count > 0, may_upload=scope.may_upload)
    loaded: datasource.Loaded | None
    try:
        if source == "upload" and scope.may_upload:
            loaded = _upload(lang, scope)
        elif source == "store":
            loaded = datasource.store_data(state, scope=scope)
        else:
            loaded = datasource.demo_data(scope=scope)
    except HotspotsError as exc:
        st.error(t("msg.store_unavailable", lang, error=str(exc)))
        st.stop()
    if loaded is None:
        st.info(t("msg.upload_prompt", lang))
        st.stop()
    if loaded.synthetic:
        st.warning(t("msg.synthetic_demo", lang), icon="⚠️")
    if loaded.count == 0:
        st.info(t("msg.empty_selection", lang))
        st.stop()
    return loaded


def suggestion(lang: str, data: datasource.Loaded, selection: Selection) -> tuple[float, int] | None:
    """Draw the "suggest parameters" button; return eps and min_samples when it was pressed.

    The suggestion is also kept in the session for the parameters tab.
    """
    if not st.sidebar.button(t("sidebar.suggest_parameters", lang)):
        return None
    suggested = results.suggestion(data.version, selection, data)
    if suggested is None:
        return None
    st.session_state["suggestion"] = suggested
    return suggested.eps_m, suggested.min_samples


def service_points(lang: str) -> datasource.ServicePoints | None:
    """Draw the upload of youth centres and schools; return them for the recommendations."""
    upload = st.sidebar.file_uploader(t("sidebar.service_points", lang), type=["csv"], key="services")
    if upload is None:
        return None
    try:
        points = datasource.service_points(upload.name, upload.getvalue())
    except HotspotsError as exc:
        st.sidebar.error(str(exc))
        return None
    st.sidebar.caption(t("msg.service_points_loaded", lang, n=len(points.points)))
    return points


def analysis(
    request: results.Request,
    data: datasource.Loaded,
    services: datasource.ServicePoints | None,
    *,
    level: str,
    lang: str,
    scope: Scope = LOCAL_ANALYST,
) -> Shown:
    """Draw the key figures of the analysis and return what the rest of the page shows.

    Stops the page with the reason when the analysis (or the forecast) cannot be made. The
    hotspots and districts returned are those ``scope`` may see (``views.visibility``).
    """
    try:
        result, predicted = results.shown_analysis(request, data, services)
    except HotspotsError as exc:
        forecasting = request.view == "forecast"
        st.error(t("msg.forecast_failed", lang, error=str(exc)) if forecasting else str(exc))
        st.stop()
    panels.key_figures(result, lang, aggregated=scope.aggregated_only)
    if predicted is not None:
        panels.forecast_note(predicted, lang)
    if result.current.empty:
        st.info(t("msg.empty_selection", lang))
    districts, has_population = results.district_figures(request, level, result)
    hotspots = results.localised_hotspots(request, lang, result)
    hierarchy = datasource.district_hierarchy()
    return Shown(
        request,
        result,
        visibility.shown_hotspots(hotspots, scope, lang),
        visibility.scope_rows(districts, scope, hierarchy, level=level),
        has_population,
        scope,
    )


def ranking(shown: Shown, selected: str | None, lang: str) -> str | None:
    """Draw the ranking, the chosen hotspot's card and the vanished hotspots; return the choice.

    The choice is None once the user cleared it on the card.
    """
    panels.hotspot_table(shown.hotspots, lang, selected=selected)
    if panels.hotspot_detail(shown.hotspots, selected, lang):
        selected = None
        st.session_state["selected_hotspot"] = None
    panels.vanished_table(shown.result.vanished, lang)
    return selected


def hotspot_map(
    shown: Shown,
    choice: controls.MapChoice,
    hierarchy: pd.DataFrame,
    *,
    selected: str | None,
    lang: str,
    asset_urls: AssetUrls,
) -> None:
    """Draw the map and, under it, the clustering parameters used.

    The map opens on the chosen districts, else where the incidents are. It is built anew
    on each rerun on purpose: folium adds to a map's figure every time it is rendered, so
    a cached ``folium.Map`` would grow (and slow) with each rerun.
    """
    selection = shown.request.selection
    osaalue = datasource.district_layer("osaalue")
    bounds = controls.district_bounds(
        osaalue, hierarchy, selection.suurpiiri, selection.peruspiiri, selection.osaalue
    )
    if bounds is None and len(shown.result.current):
        bounds = incidents_bounds(shown.result.current)
    figures = shown.districts[["code", "n", "n_prev", "rate_per_1000", "change"]]
    # Only the scope's districts, and for an aggregated scope no points and no small counts.
    drawn = datasource.district_layer(choice.level).merge(figures, on="code", how="inner")
    suppressed = t("map.suppressed", lang)
    layers = MapLayers(
        districts=visibility.map_district_values(
            drawn, shown.scope, choice.value_column, suppressed=suppressed
        ),
        value_column=choice.value_column,
        value_label=t(f"map_value.{choice.value}", lang),
        hotspots=shown.hotspots,
        incidents=shown.result.current if shown.scope.sees_points else None,
    )
    options = MapOptions(
        lang=lang,
        tiles_url=settings.tiles_url() if choice.tiles else None,
        tiles_attribution=settings.DEFAULT_TILES_ATTRIBUTION,
        selected_hotspot=selected,
        bounds_m=bounds if selected is None else None,
        asset_urls=asset_urls,
    )
    # The click comes back in the session (panels.chosen_hotspot reads it on the rerun).
    st_folium(
        build_map(layers, options),
        key=panels.MAP_KEY,
        height=560,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        render=False,
    )
    st.caption(panels.parameters_used(shown.result, lang) + " · " + t("msg.data_attribution", lang))


def _charts(shown: Shown, selected: str | None, lang: str) -> None:
    members = panels.hotspot_members(shown.result, shown.hotspots, selected)
    small = DEFAULT_MIN_COUNT if shown.scope.aggregated_only else None  # not drawn for aggregated scopes
    if members is None:
        panels.charts(shown.result.current, lang, title=t("chart.for_selection", lang), min_count=small)
    else:
        rows, rank = members
        panels.charts(rows, lang, title=t("chart.for_hotspot", lang, rank=rank), min_count=small)


def _parameters(result: Analysis, lang: str) -> None:
    panels.parameter_choice(result, lang)
    stored = st.session_state.get("suggestion")
    if stored is not None:
        panels.parameter_help(stored, lang)
    else:
        st.caption(t("param.press_suggest", lang))


def panel_tabs(
    shown: Shown, data: datasource.Loaded, choice: controls.MapChoice, *, selected: str | None, lang: str
) -> None:
    """Draw the tabs under the map: districts, charts, parameters, backtest, downloads.

    Only the open tab runs: the charts, the backtest and the downloads wait until asked for.
    """
    tab_districts, tab_charts, tab_params, tab_predictive, tab_downloads = st.tabs(
        [
            t("panel.district_table", lang),
            t("panel.charts", lang),
            t("panel.parameters", lang),
            t("panel.predictive", lang),
            t("panel.downloads", lang),
        ],
        key="panel_tab",
        on_change="rerun",
    )
    with tab_districts:
        table = visibility.shown_district_table(shown.districts, shown.scope)
        panels.district_table(table, lang, has_population=shown.has_population)
    if tab_charts.open:
        with tab_charts:
            _charts(shown, selected, lang)
    with tab_params:
        _parameters(shown.result, lang)
    if tab_predictive.open:
        with tab_predictive:
            share = backtest_panel.budget_slider(lang)
            check = results.predictive_check(shown.request, share, data, shown.result)
            backtest_panel.predictive_panel(shown.result, check, lang)
    if tab_downloads.open:
        with tab_downloads:
            download_panel.downloads_panel(
                shown.result,
                shown.districts,
                lang=lang,
                level=choice.level,
                tiles=choice.tiles,
                origin=data.origin,
                scope=shown.scope,
            )
