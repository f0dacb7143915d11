"""The sidebar: language, data, district filter, categories, period, time, clustering.

Each function draws its widgets and returns plain data (codes, tuples, ``Selection`` parts,
``ClusteringParams``); no analysis happens here. Every choice widget's options are codes,
labelled by ``format_func`` in the page's language, and ``relabel`` keeps them across a
language switch. ``hour_window`` and ``district_bounds`` are pure. The upload step is
``views.upload``.

The everyday controls (language, data source, districts, categories, period) are always
drawn; the rarely used ones (view, comparison, time of day, clustering, map options) only
when asked for (``drawn``, from ``views.more_settings``), and otherwise return the values
they had (``more_settings.kept``), else the bookmarked ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import pandas as pd
import streamlit as st

from geo import schema
from hotspots.clustering import METHODS, ClusteringParams
from hotspots.selection import PRESETS, Selection
from i18n import LANGUAGES, catalogue, category_label, level_label, source_label, t
from views import urlstate
from views.more_settings import keep, kept

DATA_SOURCES = ("demo", "store", "upload")
MAP_VALUES = urlstate.MAP_VALUES

#: Keys of the widgets whose options are codes, shown by ``format_func`` in the page's
#: language (and key prefixes, ending in "_", of such widgets made per preset or per file).
#: Streamlit keeps a choice in the browser as its *label*: after a language switch the
#: browser would go on showing the old language's label, and send it back on the next
#: rerun, where it no longer names an option and the choice falls back to its default.
#: ``relabel`` re-sets these widgets' codes when the language changes, so Streamlit sends
#: every label anew; the session holds codes, never labels.
CODED_KEYS: Final = frozenset(
    {
        "preset", "comparison", "view", "method", "map_level", "map_value", "data_source",
        "sources", "weekdays", "f_suurpiiri", "f_peruspiiri", "f_osaalue", "upload_crs",
        "budget_share", "dl_size", "map_areas",
    }
)  # fmt: skip
#: The measure forms' choices (kind, lead, categories: ``views.measure_panel``).
MEASURE_CHOICE_PREFIX: Final = "measure_choice_"
CODED_PREFIXES: Final = ("categories_", "colmap_", MEASURE_CHOICE_PREFIX)
#: Widgets whose value is a catalogue text itself (``st.tabs`` keeps the open tab's label),
#: with the prefix of the catalogue keys their texts come from.
LABELLED_KEYS: Final = {"panel_tab": "panel."}


def is_coded(key: str) -> bool:
    """Say whether the widget ``key`` holds codes that ``relabel`` keeps across a language switch."""
    return key in CODED_KEYS or key.startswith(CODED_PREFIXES)


def _text_key(label: object, prefix: str) -> str | None:
    """Return the catalogue key (under ``prefix``) whose text is ``label`` in any language."""
    for lang in LANGUAGES:
        for key, text in catalogue(lang).items():
            if key.startswith(prefix) and text == label:
                return key
    return None


def relabel() -> None:
    """Re-set every coded widget's value after a language switch (``language``'s callback).

    Runs before the script, while the widgets still read the previous run's labels: each
    value read here is a code, and setting it makes Streamlit send the browser the label
    in the new language instead of keeping the old one (see ``CODED_KEYS``).
    """
    lang = str(st.session_state["lang"])
    for key in list(st.session_state.keys()):
        name = str(key)
        if is_coded(name):
            st.session_state[name] = st.session_state[name]
        elif name in LABELLED_KEYS:
            text_key = _text_key(st.session_state[name], LABELLED_KEYS[name])
            if text_key is not None:
                st.session_state[name] = t(text_key, lang)


def language(url: urlstate.UrlState) -> str:
    """Draw the language picker (starting from the URL); return the language code."""
    codes = list(LANGUAGES)
    return str(
        st.sidebar.selectbox(
            "Kieli / Språk / Language",
            codes,
            index=codes.index(url.lang),
            format_func=lambda code: LANGUAGES[code],
            key="lang",
            on_change=relabel,
        )
    )


def data_source(lang: str, *, store_has_data: bool, may_upload: bool = True) -> str:
    """Draw the data source choice: demo, store or upload (the store once it holds data).

    The upload is offered only to a user who may upload (``store.scope.Scope.may_upload``).
    """
    return str(
        st.sidebar.radio(
            t("sidebar.data_source", lang),
            DATA_SOURCES if may_upload else tuple(s for s in DATA_SOURCES if s != "upload"),
            index=1 if store_has_data else 0,
            format_func=lambda key: t(f"data_source.{key}", lang),
            key="data_source",
        )
    )


def district_filter(
    lang: str, url: urlstate.UrlState, hierarchy: pd.DataFrame
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Draw suurpiiri, then peruspiiri, then osa-alue (multi-select); each narrows the next."""
    st.sidebar.subheader(t("sidebar.district_filter", lang))
    st.sidebar.caption(t("sidebar.district_filter_help", lang))
    suffix = "_sv" if lang == "sv" else "_fi"

    def pick(level: str, rows: pd.DataFrame, remembered: tuple[str, ...]) -> list[str]:
        rows = rows.drop_duplicates(f"{level}_code").sort_values(f"{level}_code")
        names = dict(zip(rows[f"{level}_code"], rows[level + suffix], strict=True))
        return st.sidebar.multiselect(
            level_label(level, lang),
            list(names),
            default=[c for c in remembered if c in names],
            format_func=lambda code: f"{names[code]} ({code})",
            placeholder=t("sidebar.all", lang),
            key=f"f_{level}",
        )

    chosen_suur = pick("suurpiiri", hierarchy, url.suurpiiri)
    per = hierarchy[hierarchy["suurpiiri_code"].isin(chosen_suur)] if chosen_suur else hierarchy
    chosen_per = pick("peruspiiri", per, url.peruspiiri)
    osa = hierarchy[hierarchy["peruspiiri_code"].isin(chosen_per)] if chosen_per else per
    chosen_osa = pick("osaalue", osa, url.osaalue)
    return tuple(chosen_suur), tuple(chosen_per), tuple(chosen_osa)


def categories(lang: str, url: urlstate.UrlState) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Draw the category preset, categories and sources; return the three choices."""
    presets = list(urlstate.PRESET_KEYS)
    preset = str(
        st.sidebar.selectbox(
            t("sidebar.preset", lang),
            presets,
            index=presets.index(url.preset),
            format_func=lambda key: t(f"preset.{key}", lang),
            key="preset",
        )
    )
    default = list(
        PRESETS.get(preset, ()) if url.categories is None or preset != url.preset else url.categories
    )
    chosen = st.sidebar.multiselect(
        t("sidebar.categories", lang),
        list(schema.CATEGORIES),
        default=default,
        format_func=lambda c: category_label(c, lang),
        placeholder=t("sidebar.all", lang),
        key=f"categories_{preset}",
    )
    sources = st.sidebar.multiselect(
        t("sidebar.sources", lang),
        list(schema.SOURCES),
        default=list(url.sources),
        format_func=lambda s: source_label(s, lang),
        placeholder=t("sidebar.all", lang),
        key="sources",
    )
    return preset, tuple(chosen), tuple(sources)


#: How the date range is written, as ``i18n.format_date`` writes days (Streamlit's own formats).
DATE_FORMATS: Final = {"fi": "DD.MM.YYYY", "sv": "DD.MM.YYYY", "en": "YYYY-MM-DD"}


def period(lang: str, url: urlstate.UrlState, *, first: date, last: date) -> tuple[date, date]:
    """Draw the date range of the current period (default: the bookmarked or the last six months).

    The range is written the language's way. Streamlit makes a new widget when the
    format changes, so the chosen range is kept in the session and the new widget
    starts from it: a language switch keeps the dates.
    """
    default_start = max(first, (pd.Timestamp(last) - pd.DateOffset(months=6)).date() + timedelta(days=1))
    bounds = f"{first}_{last}"
    remembered = st.session_state.get("period_chosen")
    if url.since is not None and url.until is not None and "period_chosen" not in st.session_state:
        # A bookmark opened: its period, clipped to the data (later data sets start afresh).
        default_start = min(max(url.since, first), last)
        last_day = max(min(url.until, last), default_start)
    else:
        last_day = last
    start, end = remembered[1] if remembered and remembered[0] == bounds else (default_start, last_day)
    shape = DATE_FORMATS[lang]
    value = st.sidebar.date_input(
        t("sidebar.date_range", lang),
        value=(start, end),
        min_value=first,
        max_value=last,
        format=shape,
        key=f"period_{bounds}_{shape.replace('.', '').replace('-', '')}",
    )
    if isinstance(value, tuple) and len(value) == 2:
        st.session_state["period_chosen"] = (bounds, (value[0], value[1]))
        return value[0], value[1]
    # While the user is between the two clicks of a range, keep the range before.
    return start, end


def comparison(lang: str, url: urlstate.UrlState, *, drawn: bool = True) -> str:
    """Draw which period the current one is compared with (default: the bookmarked, else the one before).

    Not ``drawn``: return the value it had, else the bookmarked one.
    """
    keys = {"previous": "comparison.previous_period", "year_before": "comparison.same_period_last_year",
            "none": "comparison.none"}  # fmt: skip
    chosen = kept("comparison", url.compare)
    if drawn:
        chosen = str(
            st.sidebar.selectbox(
                t("sidebar.comparison_period", lang),
                list(keys),
                index=list(keys).index(chosen),
                format_func=lambda key: t(keys[key], lang),
                key="comparison",
            )
        )
    return keep("comparison", chosen)


#: What the map shows: the chosen period, or the forecast for the half-year after the data.
VIEWS: Final = urlstate.VIEWS


def view(lang: str, url: urlstate.UrlState, *, drawn: bool = True) -> str:
    """Draw the view choice: ``"period"`` (where was it) or ``"forecast"`` (where will it be).

    Not ``drawn``: return the value it had, else the bookmarked one.
    """
    chosen = kept("view", url.view)
    if drawn:
        chosen = str(
            st.sidebar.radio(
                t("sidebar.view", lang),
                list(VIEWS),
                index=list(VIEWS).index(chosen),
                format_func=lambda key: t(f"view.{key}", lang),
                key="view",
                help=t("help.view", lang),
            )
        )
    return keep("view", chosen)


def hour_window(start: int, end: int) -> tuple[int, ...]:
    """Return the hours from ``start`` up to ``end`` (not included), wrapping past midnight.

    Parameters
    ----------
    start
        First hour, 0-23.
    end
        Hour after the last one, 1-24; ``end <= start`` means the window wraps past midnight.

    Returns
    -------
    tuple[int, ...]
        The hours, in order from ``start``; ``()`` (every hour) for the whole day 0-24.
    """
    if start == 0 and end == 24:
        return ()
    if start < end:
        return tuple(range(start, end))
    return tuple(range(start, 24)) + tuple(range(0, end))


def hour_bounds(hours: tuple[int, ...]) -> tuple[int, int]:
    """Return ``(start, end)`` of an hour window: the inverse of :func:`hour_window`.

    ``()`` (every hour) is ``(0, 24)``; ``(20, 21, 22, 23, 0, 1)`` is ``(20, 2)``.
    """
    return (0, 24) if not hours else (hours[0], hours[-1] + 1)


def time_of_day(
    lang: str, url: urlstate.UrlState, *, drawn: bool = True
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Draw the hours (a window that may wrap past midnight) and weekdays; return both.

    Not ``drawn``: return the values they had, else the bookmarked ones.
    """
    start, end = kept("hour_from", url.hours[0]), kept("hour_to", url.hours[1])
    weekdays = kept("weekdays", list(url.weekdays))
    if drawn:
        st.sidebar.subheader(t("sidebar.time_of_day", lang))
        left, right = st.sidebar.columns(2)
        start = int(
            left.number_input(
                t("sidebar.hour_from", lang), min_value=0, max_value=23, value=start, step=1, key="hour_from"
            )
        )
        end = int(
            right.number_input(
                t("sidebar.hour_to", lang), min_value=1, max_value=24, value=end, step=1, key="hour_to"
            )
        )
        st.sidebar.caption(t("sidebar.time_of_day_help", lang))
        weekdays = st.sidebar.multiselect(
            t("sidebar.weekday", lang),
            list(range(7)),
            default=weekdays,
            format_func=lambda d: t(f"weekday.{d}", lang),
            placeholder=t("sidebar.all", lang),
            key="weekdays",
        )
    hours = hour_window(keep("hour_from", start), keep("hour_to", end))
    return hours, tuple(int(d) for d in keep("weekdays", list(weekdays)))


def clustering(
    lang: str, url: urlstate.UrlState, *, suggestion: tuple[float, int] | None, drawn: bool = True
) -> ClusteringParams:
    """Draw the clustering method and parameters, with plain-language help.

    ``suggestion`` (eps, min_samples) replaces the parameters. Not ``drawn``: return the
    values they had, else the bookmarked ones.
    """
    method = kept("method", url.method)
    auto_chosen = kept("auto_params", url.auto)
    eps, min_samples = kept("eps_m", url.eps_m), kept("min_samples", url.min_samples)
    window = kept("window", 14)
    if drawn:
        st.sidebar.subheader(t("sidebar.clustering", lang))
        st.sidebar.caption(t("help.clustering", lang))
        methods: list[str] = list(METHODS)
        method = str(
            st.sidebar.selectbox(
                t("sidebar.clustering_method", lang),
                methods,
                index=methods.index(method),
                format_func=lambda key: t(f"method.{key}", lang),
                key="method",
            )
        )
        if suggestion is not None:
            st.session_state["eps_m"], st.session_state["min_samples"] = (
                int(suggestion[0]),
                int(suggestion[1]),
            )
            st.session_state["auto_params"] = False  # the user asked for these values
        auto_chosen = bool(
            st.sidebar.checkbox(
                t("sidebar.auto_params", lang),
                value=auto_chosen,
                help=t("help.auto_params", lang),
                key="auto_params",
                disabled=method != "dbscan",
            )
        )
    auto = keep("auto_params", auto_chosen) and keep("method", method) == "dbscan"
    if drawn:
        eps = st.sidebar.slider(
            t("sidebar.eps_m", lang),
            25,
            500,
            value=eps,
            step=5,
            help=t("help.eps_m", lang),
            key="eps_m",
            disabled=auto,
        )
        min_samples = st.sidebar.slider(
            t("sidebar.min_samples", lang),
            3,
            100,
            value=min_samples,
            help=t("help.min_samples", lang),
            key="min_samples",
            disabled=auto,
        )
        if method == "st-dbscan":
            window = st.sidebar.slider(
                t("sidebar.window_days", lang),
                1,
                90,
                value=window,
                help=t("help.window_days", lang),
                key="window",
            )
    eps, min_samples, window = keep("eps_m", eps), keep("min_samples", min_samples), keep("window", window)
    return ClusteringParams(
        method=method,  # type: ignore[arg-type]
        eps_m=float(eps),
        min_samples=int(min_samples),
        window_days=float(window),
        auto_eps=auto,
        auto_min_samples=auto,
    )


@dataclass(frozen=True)
class MapChoice:
    """What the map's district layer shows, and whether it loads a basemap.

    Attributes
    ----------
    level
        ``"suurpiiri"``, ``"peruspiiri"`` or ``"osaalue"``.
    value
        One of ``MAP_VALUES``: the count, the rate per 1,000 residents or the change.
    tiles
        Load the configured street basemap.
    areas
        What colours the land: ``"districts"`` (the choropleth) or ``"density"`` (the grid).
    dots
        Draw the incidents as dots (below the hotspots).
    """

    level: str
    value: str
    tiles: bool
    areas: str = "districts"
    dots: bool = False

    @property
    def value_column(self) -> str:
        """The district table's column that colours the map."""
        return {"count": "n", "rate": "rate_per_1000", "change": "change"}[self.value]


def map_options(lang: str, url: urlstate.UrlState, *, drawn: bool = True) -> MapChoice:
    """Draw the district level and value of the choropleth, and whether to load tiles.

    Not ``drawn``: return the values they had, else the bookmarked ones.
    """
    level, value = kept("map_level", url.level), kept("map_value", url.value)
    areas, tiles, dots = kept("map_areas", url.areas), kept("tiles", url.tiles), kept("dots", url.dots)
    if drawn:
        levels = list(urlstate.MAP_LEVELS)
        level = str(
            st.sidebar.selectbox(
                t("sidebar.district_level", lang),
                levels,
                index=levels.index(level),
                format_func=lambda key: level_label(key, lang),
                key="map_level",
            )
        )
        value = str(
            st.sidebar.selectbox(
                t("sidebar.map_value", lang),
                list(MAP_VALUES),
                index=list(MAP_VALUES).index(value),
                help=t("help.rates", lang),
                format_func=lambda key: t(f"map_value.{key}", lang),
                key="map_value",
            )
        )
        areas = str(
            st.sidebar.selectbox(
                t("sidebar.map_areas", lang),
                list(urlstate.AREA_LAYERS),
                index=list(urlstate.AREA_LAYERS).index(areas),
                format_func=lambda key: t(f"map_areas.{key}", lang),
                key="map_areas",
            )
        )
        tiles = bool(st.sidebar.checkbox(t("sidebar.show_tiles", lang), value=tiles, key="tiles"))
        dots = bool(st.sidebar.checkbox(t("sidebar.show_dots", lang), value=dots, key="dots"))
    return MapChoice(
        keep("map_level", level),
        keep("map_value", value),
        keep("tiles", tiles),
        keep("map_areas", areas),
        keep("dots", dots),
    )


def bookmark(
    lang: str,
    selection: Selection,
    preset: str,
    request: Any,
    choice: MapChoice,
    *,
    hotspot: str,
    tab: str,
) -> urlstate.UrlState:
    """Return what the page shows as a bookmark (``urlstate``): every filter, the map, the choice.

    Parameters
    ----------
    lang
        Interface language.
    selection
        The sidebar's filters (``until`` is the day after the last).
    preset
        The category preset; categories equal to its own are left out of the URL.
    request
        ``views.results.Request`` of the page: view, comparison and clustering.
    choice
        The map's colouring and basemap.
    hotspot, tab
        The chosen hotspot's id ("" for none) and the open tab's code.

    Returns
    -------
    UrlState
    """
    clustering = request.clustering
    since, until = selection.since, selection.until
    return urlstate.UrlState(
        lang=lang,
        suurpiiri=selection.suurpiiri,
        peruspiiri=selection.peruspiiri,
        osaalue=selection.osaalue,
        preset=preset,
        categories=None if selection.categories == PRESETS.get(preset, ()) else selection.categories,
        sources=selection.sources,
        since=None if since is None else pd.Timestamp(since).date(),
        until=None if until is None else (pd.Timestamp(until) - pd.Timedelta(days=1)).date(),
        compare=request.compare_with,
        view=request.view,
        hours=hour_bounds(selection.hours),
        weekdays=selection.weekdays,
        method=clustering.method,
        auto=clustering.auto_eps,
        eps_m=int(clustering.eps_m),
        min_samples=int(clustering.min_samples),
        level=choice.level,
        value=choice.value,
        tiles=choice.tiles,
        areas=choice.areas,
        dots=choice.dots,
        hotspot=hotspot,
        tab=tab,
    )


def district_bounds(
    osaalue: pd.DataFrame,
    hierarchy: pd.DataFrame,
    suurpiiri: tuple[str, ...],
    peruspiiri: tuple[str, ...],
    osaalue_codes: tuple[str, ...],
) -> tuple[float, float, float, float] | None:
    """Return the EPSG:3067 bounds of the chosen districts (``Selection``'s rule), None for none."""
    choice = Selection(suurpiiri=suurpiiri, peruspiiri=peruspiiri, osaalue=osaalue_codes)
    if not choice.has_districts:
        return None
    codes = set(hierarchy.loc[choice.district_mask(hierarchy), "osaalue_code"])
    chosen = osaalue[osaalue["code"].isin(codes)]
    if chosen.empty:
        return None
    x0, y0, x1, y1 = chosen.total_bounds
    return float(x0), float(y0), float(x1), float(y1)
