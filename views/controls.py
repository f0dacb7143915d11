"""The sidebar: language, data, district filter, categories, period, time, clustering.

Each function draws its widgets and returns plain data (codes, tuples, ``Selection`` parts,
``ClusteringParams``); no analysis happens here. ``hour_window`` and ``district_bounds``
are pure.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from geo import reading, schema
from geo.columns import detect_columns
from geo.errors import HotspotsError
from hotspots.clustering import METHODS, ClusteringParams
from hotspots.selection import PRESETS, Selection
from i18n import LANGUAGES, category_label, level_label, source_label, t
from views import urlstate

DATA_SOURCES = ("demo", "store", "upload")
MAP_VALUES = ("count", "rate", "change")


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
    default = list(PRESETS.get(preset, ()))
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
        default=[],
        format_func=lambda s: source_label(s, lang),
        placeholder=t("sidebar.all", lang),
        key="sources",
    )
    return preset, tuple(chosen), tuple(sources)


def period(lang: str, *, first: date, last: date) -> tuple[date, date]:
    """Draw the date range of the current period (default: the last six months of the data)."""
    default_start = max(first, (pd.Timestamp(last) - pd.DateOffset(months=6)).date() + timedelta(days=1))
    value = st.sidebar.date_input(
        t("sidebar.date_range", lang),
        value=(default_start, last),
        min_value=first,
        max_value=last,
        key=f"period_{first}_{last}",
    )
    if isinstance(value, tuple) and len(value) == 2:
        return value[0], value[1]
    # While the user is between the two clicks of a range, keep the default.
    return default_start, last


def comparison(lang: str) -> str:
    """Draw which period the current one is compared with (default: the one just before)."""
    keys = {"previous": "comparison.previous_period", "year_before": "comparison.same_period_last_year",
            "none": "comparison.none"}  # fmt: skip
    return str(
        st.sidebar.selectbox(
            t("sidebar.comparison_period", lang),
            list(keys),
            format_func=lambda key: t(keys[key], lang),
            key="comparison",
        )
    )


#: What the map shows: the chosen period, or the forecast for the half-year after the data.
VIEWS: Final = ("period", "forecast")


def view(lang: str) -> str:
    """Draw the view choice: ``"period"`` (where was it) or ``"forecast"`` (where will it be)."""
    return str(
        st.sidebar.radio(
            t("sidebar.view", lang),
            list(VIEWS),
            format_func=lambda key: t(f"view.{key}", lang),
            key="view",
            help=t("help.view", lang),
        )
    )


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


def time_of_day(lang: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Draw the hours (a window that may wrap past midnight) and weekdays; return both."""
    st.sidebar.subheader(t("sidebar.time_of_day", lang))
    left, right = st.sidebar.columns(2)
    start = int(
        left.number_input(
            t("sidebar.hour_from", lang), min_value=0, max_value=23, value=0, step=1, key="hour_from"
        )
    )
    end = int(
        right.number_input(
            t("sidebar.hour_to", lang), min_value=1, max_value=24, value=24, step=1, key="hour_to"
        )
    )
    st.sidebar.caption(t("sidebar.time_of_day_help", lang))
    hours = hour_window(start, end)
    weekdays = st.sidebar.multiselect(
        t("sidebar.weekday", lang),
        list(range(7)),
        default=[],
        format_func=lambda d: t(f"weekday.{d}", lang),
        placeholder=t("sidebar.all", lang),
        key="weekdays",
    )
    return hours, tuple(int(d) for d in weekdays)


def clustering(lang: str, *, suggestion: tuple[float, int] | None) -> ClusteringParams:
    """Draw the clustering method and parameters, with plain-language help."""
    st.sidebar.subheader(t("sidebar.clustering", lang))
    st.sidebar.caption(t("help.clustering", lang))
    method = str(
        st.sidebar.selectbox(
            t("sidebar.clustering_method", lang),
            list(METHODS),
            format_func=lambda key: t(f"method.{key}", lang),
            key="method",
        )
    )
    if suggestion is not None:
        st.session_state["eps_m"], st.session_state["min_samples"] = int(suggestion[0]), int(suggestion[1])
        st.session_state["auto_params"] = False  # the user asked for these values
    auto = (
        bool(
            st.sidebar.checkbox(
                t("sidebar.auto_params", lang),
                value=True,
                help=t("help.auto_params", lang),
                key="auto_params",
                disabled=method != "dbscan",
            )
        )
        and method == "dbscan"
    )
    eps = st.sidebar.slider(
        t("sidebar.eps_m", lang),
        25,
        500,
        value=150,
        step=5,
        help=t("help.eps_m", lang),
        key="eps_m",
        disabled=auto,
    )
    min_samples = st.sidebar.slider(
        t("sidebar.min_samples", lang),
        3,
        100,
        value=10,
        help=t("help.min_samples", lang),
        key="min_samples",
        disabled=auto,
    )
    window = 14
    if method == "st-dbscan":
        window = st.sidebar.slider(
            t("sidebar.window_days", lang), 1, 90, value=14, help=t("help.window_days", lang), key="window"
        )
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
    """

    level: str
    value: str
    tiles: bool

    @property
    def value_column(self) -> str:
        """The district table's column that colours the map."""
        return {"count": "n", "rate": "rate_per_1000", "change": "change"}[self.value]


def map_options(lang: str) -> MapChoice:
    """Draw the district level and value of the choropleth, and whether to load tiles."""
    levels = ["suurpiiri", "peruspiiri", "osaalue"]
    level = str(
        st.sidebar.selectbox(
            t("sidebar.district_level", lang),
            levels,
            index=1,
            format_func=lambda key: level_label(key, lang),
            key="map_level",
        )
    )
    value = str(
        st.sidebar.selectbox(
            t("sidebar.map_value", lang),
            list(MAP_VALUES),
            help=t("help.rates", lang),
            format_func=lambda key: t(f"map_value.{key}", lang),
            key="map_value",
        )
    )
    tiles = bool(st.sidebar.checkbox(t("sidebar.show_tiles", lang), value=False, key="tiles"))
    return MapChoice(level, value, tiles)


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


MAPPED_FIELDS = ("id", "occurred_at", "category", "source", "severity", "description", "lon", "lat", "x", "y")


@st.cache_data(show_spinner=False, max_entries=4)
def _upload_columns(name: str, content: bytes, part: str | None) -> tuple[list[str], dict[str, str], str]:
    """Return an upload's columns and what detection makes of them (or why it failed)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(content)
        try:
            is_sheet = reading.file_format(path) == "xlsx"
            table = reading.read_table(
                path, sheet=part if is_sheet else None, layer=None if is_sheet else part
            )
        except HotspotsError as exc:
            return [], {}, str(exc)
    columns = [str(c) for c in table.frame.columns if not str(c).startswith("__geometry")]
    try:
        return columns, detect_columns(columns), ""
    except HotspotsError as exc:
        return columns, {}, str(exc)


def column_mapping(
    lang: str, name: str, content: bytes, part: str | None = None
) -> tuple[tuple[str, str], ...]:
    """Return the column-mapping step of an upload: detected columns, each changeable."""
    columns, detected, problem = _upload_columns(name, content, part)
    with st.sidebar.expander(t("upload.mapping", lang), expanded=bool(problem)):
        st.caption(t("upload.mapping_help", lang))
        if problem:
            st.warning(problem)
        chosen: list[tuple[str, str]] = []
        auto = t("upload.field_auto", lang)
        for field_name in MAPPED_FIELDS:
            options = [auto, *columns]
            default = detected.get(field_name)
            pick = st.selectbox(
                field_name,
                options,
                index=options.index(default) if default in options else 0,
                key=f"map_{name}_{field_name}",
            )
            if pick != auto and pick != default:
                chosen.append((field_name, str(pick)))
    return tuple(chosen)
