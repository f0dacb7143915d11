"""The sections of the page that ``app.py`` draws in order: data, analysis, ranking, map, tabs.

Each section draws with ``st.`` and gets what it shows from the cached functions of
``views.datasource`` and ``views.results``; when something the user can fix goes wrong it
says so and stops the page (never a traceback). The rules live in ``hotspots`` and in the
pure view modules (``mapview``, ``urlstate``, ``download_panel.export_files``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from briefing.privacy import DEFAULT_MIN_COUNT
from geo import schema
from geo.districts import land_and_sea
from geo.errors import HotspotsError
from hotspots.analysis import Analysis
from hotspots.backtest.last_period import PredictiveCheck
from hotspots.measures import RecordedMeasure
from hotspots.selection import Selection
from i18n import format_date, format_number, t
from i18n.problems import error_text
from store.scope import LOCAL_ANALYST, Scope
from views import (
    backtest_panel,
    card,
    controls,
    datasource,
    download_panel,
    livemap,
    mapframe,
    measure_panel,
    panels,
    ranking_table,
    results,
    review_panel,
    upload,
    urlstate,
    visibility,
)
from views.assets import AssetUrls
from views.mapview import MapLayers, MapOptions, build_map, incidents_bounds
from views.measure_draft import records_measures


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
    services
        The youth centres and schools the recommendations name (None without them).
    """

    request: results.Request
    result: Analysis
    hotspots: gpd.GeoDataFrame
    districts: pd.DataFrame
    has_population: bool
    scope: Scope = LOCAL_ANALYST
    services: datasource.ServicePoints | None = None


def district_hierarchy(lang: str) -> pd.DataFrame:
    """Return the official districts' hierarchy, or stop the page saying why it is missing."""
    try:
        return datasource.district_hierarchy()
    except HotspotsError as exc:
        st.error(t("msg.districts_unavailable", lang))
        upload.show_detail(str(exc), lang, where=st)
        st.stop()


def period_note(data: datasource.Loaded, start: date, end: date, lang: str) -> None:
    """Say how many of an uploaded file's incidents the chosen period leaves out (none silently).

    Parameters
    ----------
    data
        The incidents; only an upload (it has an import report) gets the note: the demo and
        the store are not one file a user expects to see whole.
    start, end
        The chosen period's first and last day.
    lang
        Interface language.
    """
    if data.report is None or data.count == 0:
        return
    days = data.incidents()["occurred_at"].dt.tz_convert(schema.TIMEZONE).dt.date
    shown = int(((days >= start) & (days <= end)).sum())
    if shown < data.count:
        st.sidebar.info(
            t(
                "msg.outside_period",
                lang,
                since=format_date(start, lang),
                until=format_date(end, lang),
                shown=format_number(shown, lang),
                total=format_number(data.count, lang),
            )
        )


def incidents(lang: str, scope: Scope = LOCAL_ANALYST) -> datasource.Loaded:
    """Return the incidents of the chosen source that ``scope`` may see, or stop the page saying why.

    The store is the default source once it holds incidents; a store that cannot be read
    is named in a warning and the demo data stay available. Only a scope that may upload
    is offered the upload.
    """
    state = datasource.store_state(datasource.default_store_url())
    if state.problem is not None:
        st.sidebar.warning(t("msg.store_unavailable", lang))
        upload.show_detail(state.problem, lang)
    source = controls.data_source(lang, store_has_data=state.count > 0, may_upload=scope.may_upload)
    loaded: datasource.Loaded | None
    try:
        if source == "upload" and scope.may_upload:
            loaded = upload.step(lang, scope)
        elif source == "store":
            loaded = datasource.store_data(state, scope=scope)
        else:
            loaded = datasource.demo_data(scope=scope)
    except HotspotsError as exc:
        st.error(t("msg.store_unavailable", lang))
        upload.show_detail(str(exc), lang, where=st)
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
    chosen = upload.file_uploader(t("sidebar.service_points", lang), lang, types=("csv",), key="services")
    if chosen is None:
        return None
    try:
        points = datasource.service_points(chosen.name, chosen.getvalue())
    except HotspotsError as exc:
        upload.show_error(exc, lang)
        return None
    st.sidebar.caption(t("msg.service_points_loaded", lang, n=format_number(len(points.points), lang)))
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
        text = error_text(exc, lang, fallback="error.analysis")
        st.error(t("msg.forecast_failed", lang, error=text) if request.view == "forecast" else text)
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
        services,
    )


def ranking(shown: Shown, selected: str | None, lang: str, data: datasource.Loaded) -> str | None:
    """Draw the ranking, the chosen hotspot's card and the vanished hotspots; return the choice.

    The card lists the measures done at the hotspot, with their effect on ``data``, and
    records new ones (``views.measure_panel``). The choice is None once the user cleared it
    on the card.
    """
    ranking_table.hotspot_table(shown.hotspots, lang, selected=selected, clustering=shown.result.clustering)

    def measures(chosen: gpd.GeoDataFrame) -> None:
        # Keyed, so a printed page keeps the card on one sheet without it (views.pagestyle).
        with st.container(key="card_measures"):
            measure_panel.hotspot_measures(chosen, data=data, scope=shown.scope, lang=lang)

    if card.hotspot_detail(
        shown.hotspots, selected, lang, aggregated=shown.scope.aggregated_only, below=measures
    ):
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
    """Draw the map and, under it, the clustering parameters used and the period's measures.

    The map opens on the chosen districts, else where the incidents are. It is built and
    rendered once per map (``views.mapframe``), and the chosen hotspot travels beside it
    (``livemap.draw``), so choosing one keeps the map.
    """
    _draw_map(
        shown,
        choice,
        hierarchy,
        _Hotspots(shown.request, shown.hotspots),
        selected=selected,
        lang=lang,
        asset_urls=asset_urls,
    )
    st.caption(panels.parameters_used(shown.result, lang) + " · " + t("msg.data_attribution", lang))
    measure_panel.measures_section(shown.request.selection, hierarchy, scope=shown.scope, lang=lang)


@dataclass(frozen=True, eq=False)
class _Hotspots:
    """The hotspots a map draws, and the request they were found for (part of the map's key)."""

    request: results.Request
    table: gpd.GeoDataFrame


def _build_map(
    shown: Shown,
    choice: controls.MapChoice,
    hierarchy: pd.DataFrame,
    hotspots: gpd.GeoDataFrame,
    options: MapOptions,
    measures: tuple[RecordedMeasure, ...] = (),
) -> folium.Map:
    """Build the map of ``hotspots`` over the districts, incidents and ``measures`` ``shown.scope`` allows."""
    selection = shown.request.selection
    osaalue = datasource.district_layer("osaalue")
    bounds = controls.district_bounds(
        osaalue, hierarchy, selection.suurpiiri, selection.peruspiiri, selection.osaalue
    )
    if bounds is None and len(shown.result.current):
        bounds = incidents_bounds(shown.result.current)
    figures = shown.districts[["code", "n", "n_prev", "rate_per_1000", "change"]]
    # A scoped user's map holds only her districts; for an aggregated scope no points and no
    # small counts. Others see every district's outline, the chosen ones coloured.
    how = "left" if shown.scope.osaalue is None else "inner"
    drawn = datasource.district_layer(choice.level).merge(figures, on="code", how=how)
    suppressed = t("map.suppressed", options.lang)
    split = land_and_sea(download=False)
    register = datasource.address_register()
    layers = MapLayers(
        districts=visibility.map_district_values(
            drawn, shown.scope, choice.value_column, suppressed=suppressed
        ),
        value_column=choice.value_column,
        value_label=t(f"map_value.{choice.value}", options.lang),
        hotspots=hotspots,
        incidents=shown.result.current if shown.scope.sees_points else None,
        land=split[0] if split is not None else None,
        sea=split[1] if split is not None else None,
        focus=livemap.focus_area(osaalue, hierarchy, selection),
        places=register.places if register is not None else None,
        measures=measures,
    )
    return build_map(layers, replace(options, bounds_m=bounds))


def _draw_map(
    shown: Shown,
    choice: controls.MapChoice,
    hierarchy: pd.DataFrame,
    hotspots: _Hotspots,
    *,
    selected: str | None,
    lang: str,
    asset_urls: AssetUrls,
    key: str = ranking_table.MAP_KEY,
) -> None:
    """Draw ``hotspots`` over the page's districts and incidents (the main map or the prediction's).

    The map is built and rendered on a cache miss only (``views.mapframe``), for every
    session: its key names everything it shows, the user's scope included, so a session
    never gets a map drawn for what another user may see.
    """
    basemap, note = livemap.basemap(asset_urls, lang) if choice.tiles else (None, "")
    main_map = key == ranking_table.MAP_KEY
    options = MapOptions(
        lang=lang,
        basemap=basemap,
        note=note,
        asset_urls=asset_urls,
        # The prediction's map: this period's incidents as density under last period's outlines.
        area_layer="density" if choice.areas == "density" or not main_map else "districts",
        show_incidents=choice.dots and main_map,
        draw=main_map and records_measures(shown.scope),
    )
    # What the map shows besides: the land and sea and the place names, once their data exist.
    extras = (land_and_sea(download=False) is not None, datasource.address_register() is not None)
    # The main map outlines the measures of its period; their version changes with each one saved.
    stored = measure_panel.current(shown.scope) if main_map else None
    measures = measure_panel.in_view(stored, shown.request.selection) if stored is not None else ()
    measures_version = stored.version if stored is not None else ""
    map_key = (key, shown.request, hotspots.request, shown.scope, choice, options, extras, measures_version)
    frame = mapframe.cached_frame(
        map_key,
        key,
        560 if main_map else 420,
        livemap.RETURNED_OBJECTS,
        lambda: _build_map(shown, choice, hierarchy, hotspots.table, options, measures),
    )
    # The click comes back in the session (ranking_table.chosen_hotspot reads it on the rerun).
    livemap.draw(frame, selected, key=key)


def predictive_map(
    shown: Shown,
    check: PredictiveCheck,
    data: datasource.Loaded,
    choice: controls.MapChoice,
    hierarchy: pd.DataFrame,
    *,
    lang: str,
    asset_urls: AssetUrls,
) -> None:
    """Draw last period's hotspots (the ones the check scored) over this period's incidents."""
    if not check.ok or check.train_since is None:
        return
    before = replace(
        shown.request,
        selection=replace(shown.request.selection, since=check.train_since, until=check.train_until),
        compare_with="none",
    )
    last = results.period_analysis(before, data, None)
    st.caption(t("predictive.map", lang))
    # As the main map: an aggregated scope gets no hotspot under the threshold.
    hotspots = visibility.shown_hotspots(results.localised_hotspots(before, lang, last), shown.scope, lang)
    _draw_map(
        shown,
        choice,
        hierarchy,
        _Hotspots(before, hotspots),
        selected=None,
        lang=lang,
        asset_urls=asset_urls,
        key="predictive_map",
    )


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


#: The tabs' codes (``urlstate.TABS``) and the catalogue keys of their labels.
TAB_LABELS: Final = dict(
    zip(
        urlstate.TABS,
        (
            "panel.district_table",
            "panel.charts",
            "panel.parameters",
            "panel.predictive",
            "panel.review",
            "panel.downloads",
        ),
        strict=True,
    )
)


def open_tab(lang: str) -> str:
    """Return the code of the open panel tab (``urlstate.TABS``), for the bookmark."""
    label = st.session_state.get("panel_tab")
    for code, key in TAB_LABELS.items():
        if label == t(key, lang):
            return code
    return urlstate.TABS[0]


def panel_tabs(
    shown: Shown,
    data: datasource.Loaded,
    choice: controls.MapChoice,
    *,
    selected: str | None,
    lang: str,
    hierarchy: pd.DataFrame,
    asset_urls: AssetUrls,
    tab: str = urlstate.TABS[0],
) -> None:
    """Draw the tabs under the map: districts, charts, parameters, backtest, review, downloads.

    Only the open tab runs: the district table (a data grid the browser draws even in a
    hidden tab), the charts, the backtest, the review and the downloads wait until asked for.
    ``tab`` (a code of ``urlstate.TABS``) is open on a session's first run.
    """
    tab_districts, tab_charts, tab_params, tab_predictive, tab_review, tab_downloads = st.tabs(
        [t(key, lang) for key in TAB_LABELS.values()],
        default=t(TAB_LABELS[tab], lang),
        key="panel_tab",
        on_change="rerun",
    )
    if tab_districts.open:
        with tab_districts:
            table = visibility.shown_district_table(shown.districts, shown.scope)
            panels.district_table(table, lang, has_population=shown.has_population)
    if tab_charts.open:
        with tab_charts:
            _charts(shown, selected, lang)
    with tab_params:  # a few lines of text, on the page from the start
        _parameters(shown.result, lang)
    if tab_predictive.open:
        with tab_predictive:
            backtest_panel.heading(lang)
            share = backtest_panel.budget_slider(lang)
            check = results.predictive_check(shown.request, share, data, shown.result)
            if backtest_panel.predictive_summary(shown.result, check, lang):
                predictive_map(shown, check, data, choice, hierarchy, lang=lang, asset_urls=asset_urls)
                backtest_panel.predictive_table(check, lang)
    if tab_review.open:
        with tab_review:
            stored = measure_panel.current(shown.scope)
            review_panel.review_tab(
                shown.request,
                data,
                shown.services,
                stored.items,
                measures_version=stored.version,
                lang=lang,
                scope=shown.scope,
            )
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
