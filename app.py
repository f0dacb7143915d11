"""Helsinki safety hotspot map: the Streamlit entry. Reads widgets, calls pure functions, draws.

Run: ``make run`` (or ``streamlit run app.py``). Everything the map needs is served by the
app itself from ``static/`` (copied from installed packages at start-up): no CDN.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import settings
from geo.errors import HotspotsError
from hotspots import analysis, autoparams, figures, forecast, parameters, predictive
from hotspots.methods import ClusteringParams
from hotspots.selection import Selection
from hotspots.selection import apply as apply_selection
from i18n import t
from views import assets, backtest_panel, controls, datasource, download_panel, panels, urlstate
from views.mapview import MapLayers, MapOptions, build_map

STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner=False)
def _asset_urls() -> assets.AssetUrls:
    return assets.install_static_assets(STATIC_DIR)


@st.cache_resource(show_spinner=False, max_entries=16)
def _analysis(
    key: str,
    _incidents: pd.DataFrame,
    selection: Selection,
    clustering: ClusteringParams,
    compare_with: str,
    services_key: str,
    _services: pd.DataFrame | None,
    _parameters: autoparams.AutoChoice,
) -> analysis.Analysis:
    # ``key`` and ``services_key`` name the data sets, so 100k rows are never hashed on a rerun;
    # ``_parameters`` follows from the data, the selection and ``clustering``.
    del key, services_key
    return analysis.analyse(
        _incidents,
        selection=selection,
        clustering=clustering,
        compare_with=compare_with,
        service_points=_services,
        parameters=_parameters,
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _forecast(
    key: str,
    _incidents: pd.DataFrame,
    selection: Selection,
    clustering: ClusteringParams,
    services_key: str,
    _services: pd.DataFrame | None,
) -> forecast.Forecast:
    # Where will it be: the half-year after the data, from all the history it holds.
    del key, services_key
    return forecast.forecast_hotspots(
        _incidents, selection=selection, clustering=clustering, service_points=_services
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _parameters(
    key: str, _incidents: pd.DataFrame, selection: Selection, clustering: ClusteringParams
) -> autoparams.AutoChoice:
    # Chosen city-wide (the district filter is ignored), so a district change reuses it.
    del key
    return analysis.choose_parameters(_incidents, selection, clustering)


@st.cache_resource(show_spinner=False, max_entries=4)
def _suggestion(key: str, _incidents: pd.DataFrame) -> parameters.ParameterSuggestion:
    del key
    return parameters.suggest_parameters(_incidents[["x_m", "y_m"]].to_numpy())


def _map(
    key: str,
    _result: analysis.Analysis,
    _hotspots: pd.DataFrame,
    _table: pd.DataFrame,
    *,
    lang: str,
    level: str,
    value: str,
    tiles: bool,
    selected: str | None,
    bounds: tuple[float, float, float, float] | None,
) -> folium.Map:
    """Return the map for one analysis and view.

    Built anew on each rerun on purpose: folium adds to a map's figure every time it is
    rendered, so a cached ``folium.Map`` grows (and slows) with each rerun.
    """
    del key
    layer = datasource.district_layer(level).merge(
        _table[["code", "n", "rate_per_1000", "change"]], on="code", how="left"
    )
    return build_map(
        MapLayers(
            districts=layer,
            value_column={"count": "n", "rate": "rate_per_1000", "change": "change"}[value],
            value_label=t(f"map_value.{value}", lang),
            hotspots=_hotspots,
            incidents=_result.current,
        ),
        MapOptions(
            lang=lang,
            tiles_url=settings.tiles_url() if tiles else None,
            tiles_attribution=settings.DEFAULT_TILES_ATTRIBUTION,
            selected_hotspot=selected,
            bounds_m=bounds if selected is None else None,
            asset_urls=_asset_urls(),
        ),
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _localised(key: str, _result: analysis.Analysis, lang: str) -> pd.DataFrame:
    del key
    return panels.localised_hotspots(_result.hotspots, lang)


@st.cache_resource(show_spinner=False, max_entries=32)
def _predictive(
    key: str, _incidents: pd.DataFrame, _result: analysis.Analysis, share: float
) -> predictive.PredictiveCheck:
    del key
    return predictive.predictive_check(
        _incidents, _result, share=share, osaalue=datasource.district_layer("osaalue")
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _district_figures_cached(key: str, _result: analysis.Analysis, level: str) -> tuple[pd.DataFrame, bool]:
    del key
    return _district_figures(_result, level)


def _district_figures(result: analysis.Analysis, level: str) -> tuple[pd.DataFrame, bool]:
    residents = datasource.residents(level)
    table = figures.district_table(
        result.current,
        result.previous,
        districts=datasource.district_layer(level),
        level=level,
        residents=residents,
    )
    return table, residents is not None


def _service_points(lang: str) -> tuple[str, pd.DataFrame | None]:
    """Return optional youth centres and schools for the recommendations: (cache key, points)."""
    upload = st.sidebar.file_uploader(t("sidebar.service_points", lang), type=["csv"], key="services")
    if upload is None:
        return "", None
    try:
        key, points = datasource.service_points(upload.name, upload.getvalue())
    except HotspotsError as exc:
        st.sidebar.error(str(exc))
        return "", None
    st.sidebar.caption(t("msg.service_points_loaded", lang, n=len(points)))
    return key, points


def _upload(lang: str) -> datasource.Loaded | None:
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
    try:
        loaded = datasource.uploaded_data(
            upload.name, upload.getvalue(), None if crs_choice == "auto" else crs_choice, mapping, part
        )
    except HotspotsError as exc:
        st.sidebar.error(t("msg.import_failed", lang, error=str(exc)))
        return None
    panels.import_report(loaded.report, loaded.rejects, lang)
    return loaded


def main() -> None:
    st.set_page_config(page_title="Helsinki hotspots", page_icon="🗺️", layout="wide")
    url = urlstate.read(st.query_params.to_dict())
    lang = controls.language(url)
    st.title(t("app.title", lang))
    st.caption(t("app.subtitle", lang))

    try:
        hierarchy = datasource.district_hierarchy()
    except HotspotsError as exc:
        st.error(t("msg.districts_unavailable", lang, error=str(exc)))
        st.stop()

    store_url = datasource.default_store_url()
    in_store, store_problem = datasource.store_count(store_url)
    if store_problem is not None:
        st.sidebar.warning(t("msg.store_unavailable", lang, error=store_problem))
    source = controls.data_source(lang, store_has_data=in_store > 0)
    loaded: datasource.Loaded | None
    try:
        if source == "upload":
            loaded = _upload(lang)
        elif source == "store":
            loaded = datasource.store_data(store_url)
        else:
            loaded = datasource.demo_data()
    except HotspotsError as exc:
        st.error(t("msg.store_unavailable", lang, error=str(exc)))
        st.stop()
    if loaded is None:
        st.info(t("msg.upload_prompt", lang))
        st.stop()
    if loaded.synthetic:
        st.warning(t("msg.synthetic_demo", lang), icon="⚠️")
    data = loaded.incidents
    if data.empty:
        st.info(t("msg.empty_selection", lang))
        st.stop()

    suur, per, osa = controls.district_filter(lang, url, hierarchy)
    preset, categories, sources = controls.categories(lang, url)
    first, last = data["occurred_at"].min().date(), data["occurred_at"].max().date()
    start, end = controls.period(lang, first=first, last=last)
    view = controls.view(lang)
    compare_with = controls.comparison(lang)
    hours, weekdays = controls.time_of_day(lang)
    state = urlstate.UrlState(lang=lang, suurpiiri=suur, peruspiiri=per, osaalue=osa, preset=preset)
    urlstate.write(st.query_params, state)

    selection = Selection(
        since=pd.Timestamp(start),
        until=pd.Timestamp(end) + pd.Timedelta(days=1),
        categories=categories,
        sources=sources,
        suurpiiri=suur,
        peruspiiri=per,
        osaalue=osa,
        hours=hours,
        weekdays=weekdays,
    )
    suggestion = None
    suggest = st.sidebar.button(t("sidebar.suggest_parameters", lang))
    if suggest:
        scoped = apply_selection(data, selection)
        if len(scoped) >= 3:
            suggestion = _suggestion(f"{loaded.key}-{selection}", scoped)
            st.session_state["suggestion"] = suggestion
    clustering = controls.clustering(
        lang, suggestion=(suggestion.eps_m, suggestion.min_samples) if suggestion else None
    )
    level, value, tiles = controls.map_options(lang)
    services_key, services = _service_points(lang)

    predicted: forecast.Forecast | None = None
    try:
        if view == "forecast":
            history = replace(selection, since=None, until=None)
            predicted = _forecast(loaded.key, data, history, clustering, services_key, services)
            result = predicted.analysis
        else:
            city = selection.citywide()
            chosen = _parameters(loaded.key, data, city, clustering)
            result = _analysis(
                loaded.key, data, selection, clustering, compare_with, services_key, services, chosen
            )
    except HotspotsError as exc:
        st.error(t("msg.forecast_failed", lang, error=str(exc)) if view == "forecast" else str(exc))
        st.stop()

    panels.key_figures(result, lang)
    if predicted is not None:
        panels.forecast_note(predicted, lang)
    if result.current.empty:
        st.info(t("msg.empty_selection", lang))
    result_key = f"{loaded.key}|{view}|{selection}|{clustering}|{compare_with}|{services_key}"
    hotspots = _localised(result_key, result, lang)
    table, has_population = _district_figures_cached(result_key, result, level)

    selected = panels.chosen_hotspot(hotspots)
    map_col, table_col = st.columns([3, 2])
    with table_col:
        panels.hotspot_table(hotspots, lang, selected=selected)
        if panels.hotspot_detail(hotspots, selected, lang):
            selected = None
            st.session_state["selected_hotspot"] = None
        panels.vanished_table(result.vanished, lang)
    with map_col:
        bounds = controls.district_bounds(datasource.district_layer("osaalue"), hierarchy, suur, per, osa)
        if bounds is None and len(result.current):
            # Open on where the incidents are, not on Helsinki's sea area.
            x, y = result.current["x_m"], result.current["y_m"]
            bounds = (
                float(x.quantile(0.01)),
                float(y.quantile(0.01)),
                float(x.quantile(0.99)),
                float(y.quantile(0.99)),
            )
        m = _map(
            result_key,
            result,
            hotspots,
            table,
            lang=lang,
            level=level,
            value=value,
            tiles=tiles,
            selected=selected,
            bounds=bounds,
        )
        # The click comes back in the session (panels.chosen_hotspot reads it on the rerun).
        st_folium(
            m,
            key=panels.MAP_KEY,
            height=560,
            use_container_width=True,
            returned_objects=["last_active_drawing"],
            render=False,
        )
        st.caption(panels.parameters_used(result, lang) + " · " + t("msg.data_attribution", lang))

    tab_districts, tab_charts, tab_params, tab_predictive, tab_downloads = st.tabs(
        [
            t("panel.district_table", lang),
            t("panel.charts", lang),
            t("panel.parameters", lang),
            t("panel.predictive", lang),
            t("panel.downloads", lang),
        ],
        key="panel_tab",
        on_change="rerun",  # only the open tab runs: the backtest and charts wait until asked for
    )
    with tab_districts:
        panels.district_table(table, lang, has_population=has_population)
    if tab_charts.open:
        with tab_charts:
            chosen = hotspots[hotspots["id"] == selected] if selected else hotspots.iloc[0:0]
            if len(chosen):
                members = result.current[result.labels == int(chosen["label"].iloc[0])]
                rank = int(chosen["rank"].iloc[0])
                panels.charts(members, lang, title=t("chart.for_hotspot", lang, rank=rank))
            else:
                panels.charts(result.current, lang, title=t("chart.for_selection", lang))
    with tab_params:
        panels.parameter_choice(result, lang)
        stored = st.session_state.get("suggestion")
        if stored is not None:
            panels.parameter_help(stored, lang)
        else:
            st.caption(t("param.press_suggest", lang))
    if tab_predictive.open:
        with tab_predictive:
            share = backtest_panel.budget_slider(lang)
            backtest_panel.predictive_panel(result, _predictive(result_key, data, result, share), lang)
    if tab_downloads.open:
        with tab_downloads:
            download_panel.downloads_panel(
                result, table, lang=lang, level=level, tiles=tiles, origin=loaded.origin
            )


main()
