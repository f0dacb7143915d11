"""What the page computes from the incidents, each under ``st.cache_data``.

Every function is keyed by small hashable values: a ``Request`` (the versions of the data
and of the service points, see ``views.datasource``, and the widget values) or the part of
it the result depends on. The data sets are passed as ``_``-prefixed arguments, which
Streamlit does not hash: a rerun with 100k incidents hashes a few short strings and
dataclasses, not the rows, and the rows are read from the cache only on a miss. Each caller gets its own
copy of a result, so no session can change what another one sees. Nothing is drawn here;
the rules are ``hotspots``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots import analysis, backtest, figures, forecast, review
from hotspots.clustering import ClusteringParams
from hotspots.measures import RecordedMeasure
from hotspots.parameters import auto
from hotspots.parameters.suggest import ParameterSuggestion, suggest_parameters
from hotspots.selection import Selection
from hotspots.selection import apply as apply_selection
from store.scope import Scope
from views import datasource, panels, visibility


@dataclass(frozen=True)
class Request:
    """What one analysis depends on: the data's versions and the widget values.

    Attributes
    ----------
    data_version
        ``views.datasource.Loaded.version`` of the incidents.
    services_version
        ``views.datasource.ServicePoints.version``; ``""`` without service points.
    view
        ``"period"`` (where was it) or ``"forecast"`` (where will it be, next half-year).
    selection
        The filters of the period.
    clustering
        Method and parameters.
    compare_with
        The comparison period (``hotspots.analysis.analyse``'s ``compare_with``).
    """

    data_version: str
    services_version: str
    view: str
    selection: Selection
    clustering: ClusteringParams
    compare_with: str

    @property
    def history(self) -> Selection:
        """The forecast's selection: the same filters over all the history the data hold."""
        return replace(self.selection, since=None, until=None)


def _study(data: datasource.Loaded) -> analysis.StudyArea:
    """Helsinki's land, hotspots named from the register, rough positions as the user chose."""
    return analysis.StudyArea(names=datasource.hotspot_names(), precise_only=data.precise_only)


def _points(services: datasource.ServicePoints | None) -> pd.DataFrame | None:
    return None if services is None else services.points


@st.cache_data(show_spinner=False, max_entries=32)
def chosen_parameters(
    data_version: str, selection: Selection, clustering: ClusteringParams, _incidents: pd.DataFrame
) -> auto.AutoChoice:
    """Return how eps and min_samples are chosen (``hotspots.analysis.choose_parameters``).

    Parameters
    ----------
    data_version
        Version of ``_incidents``: with the other arguments, the cache key.
    selection
        The city-wide selection (the choice ignores the district filter, so a district
        change reuses it).
    clustering
        Method and parameters as the user set them.
    _incidents
        The incidents of ``data_version`` (not hashed).

    Returns
    -------
    AutoChoice
        The parameters chosen and why.
    """
    return analysis.choose_parameters(_incidents, selection, clustering)


@st.cache_data(show_spinner=False, max_entries=16)
def period_analysis(
    request: Request, _data: datasource.Loaded, _services: datasource.ServicePoints | None
) -> analysis.Analysis:
    """Return the analysis of the chosen period (``hotspots.analysis.analyse``).

    Parameters
    ----------
    request
        The cache key: versions and widget values.
    _data, _services
        The incidents and service points the request's versions name (not hashed).

    Returns
    -------
    Analysis
        Hotspots, figures and comparison of ``request.selection``.
    """
    incidents = _data.incidents()
    chosen = chosen_parameters(
        request.data_version, request.selection.citywide(), request.clustering, incidents
    )
    return analysis.analyse(
        incidents,
        selection=request.selection,
        clustering=request.clustering,
        compare_with=request.compare_with,
        service_points=_points(_services),
        parameters=chosen,
        study=_study(_data),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def next_half_year(
    data_version: str,
    services_version: str,
    history: Selection,
    clustering: ClusteringParams,
    _data: datasource.Loaded,
    _services: datasource.ServicePoints | None,
) -> forecast.Forecast:
    """Return where the hotspots will be in the half-year after the data (``forecast_hotspots``).

    Keyed without the period and the comparison: the forecast learns from all the history.

    Parameters
    ----------
    data_version, services_version
        Versions of ``_incidents`` and ``_services``.
    history
        ``Request.history``: the filters without dates.
    clustering
        Method and parameters.
    _data, _services
        The data the versions name (not hashed).

    Returns
    -------
    Forecast
        The forecast, with the analysis of the chosen history.
    """
    return forecast.forecast_hotspots(
        _data.incidents(),
        selection=history,
        clustering=clustering,
        service_points=_points(_services),
        where=_study(_data),
    )


@st.cache_data(show_spinner=False, max_entries=4)
def period_review(
    request: Request,
    measures_version: str,
    scope: Scope,
    _data: datasource.Loaded,
    _services: datasource.ServicePoints | None,
    _measures: tuple[RecordedMeasure, ...],
) -> review.Review:
    """Return the six-monthly review of the request's period (``hotspots.review.review``).

    The page's parameter choice is passed on (``chosen_parameters``), so the review's
    hotspots are the ones the map draws; the comparison is always the half-year before.

    Parameters
    ----------
    request
        Versions and widget values; its selection's period is reviewed.
    measures_version
        Names what ``_measures`` hold: with ``request``, the cache key.
    scope
        The user's scope: the measures' control areas stay inside it
        (``views.visibility.scope_areas``), as the data do.
    _data, _services, _measures
        The data the versions name (not hashed).

    Returns
    -------
    Review
        Statuses against the period before, the measures' effects and the forecast.
    """
    incidents = _data.incidents()
    selection = request.selection
    assert selection.since is not None and selection.until is not None  # the page always sets both
    chosen = chosen_parameters(request.data_version, selection.citywide(), request.clustering, incidents)
    return review.review(
        incidents,
        since=selection.since,
        until=selection.until,
        measures=_measures,
        peruspiiri_layer=visibility.scope_areas(
            datasource.district_layer("peruspiiri"), scope, datasource.district_layer("osaalue")
        ),
        settings=review.ReviewSettings(
            selection=selection,
            clustering=request.clustering,
            study=_study(_data),
            service_points=_points(_services),
            parameters=chosen,
        ),
    )


def shown_analysis(
    request: Request, data: datasource.Loaded, services: datasource.ServicePoints | None
) -> tuple[analysis.Analysis, forecast.Forecast | None]:
    """Return the analysis the page shows: the period's, or the forecast's (with the forecast).

    Parameters
    ----------
    request
        Versions and widget values.
    data, services
        The data the request's versions name.

    Returns
    -------
    tuple[Analysis, Forecast | None]
        The analysis, and the forecast when ``request.view`` is ``"forecast"``.
    """
    if request.view == "forecast":
        predicted = next_half_year(
            request.data_version,
            request.services_version,
            request.history,
            request.clustering,
            data,
            services,
        )
        return predicted.analysis, predicted
    return period_analysis(request, data, services), None


@st.cache_data(show_spinner=False, max_entries=4)
def suggestion(
    data_version: str, selection: Selection, _data: datasource.Loaded
) -> ParameterSuggestion | None:
    """Return eps and min_samples suggested from the selected incidents' k-distances.

    Parameters
    ----------
    data_version
        Version of ``_incidents``.
    selection
        The filters; the suggestion looks at the selected incidents only.
    _data
        The incidents ``data_version`` names (not hashed).

    Returns
    -------
    ParameterSuggestion | None
        None when fewer than 3 incidents are selected.
    """
    scoped = apply_selection(_data.incidents(), selection)
    if len(scoped) < 3:
        return None
    return suggest_parameters(scoped[["x_m", "y_m"]].to_numpy())


@st.cache_data(show_spinner=False, max_entries=32)
def localised_hotspots(request: Request, lang: str, _result: analysis.Analysis) -> gpd.GeoDataFrame:
    """Return the hotspot table in ``lang`` (``views.panels.localised_hotspots``).

    Parameters
    ----------
    request
        With ``lang``, the cache key.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    _result
        The analysis of ``request`` (not hashed).

    Returns
    -------
    GeoDataFrame
        The hotspots with the display columns the map and the tables use.
    """
    return panels.localised_hotspots(_result.hotspots, lang)


@st.cache_data(show_spinner=False, max_entries=32)
def district_figures(request: Request, level: str, _result: analysis.Analysis) -> tuple[pd.DataFrame, bool]:
    """Return the count, rate and change per district, and whether residents were known.

    Parameters
    ----------
    request
        With ``level``, the cache key.
    level
        ``"suurpiiri"``, ``"peruspiiri"`` or ``"osaalue"``.
    _result
        The analysis of ``request`` (not hashed).

    Returns
    -------
    tuple[DataFrame, bool]
        ``hotspots.figures.district_table`` at ``level`` (with a district filter, only the
        districts at ``level`` that hold a chosen osa-alue), and False when the population
        data are unavailable (rates are then empty).
    """
    residents = datasource.residents(level)
    table = figures.district_table(
        _result.current,
        _result.previous,
        districts=datasource.district_layer(level),
        level=level,
        residents=residents,
    )
    selection = request.selection
    if selection.has_districts:  # the chosen districts only, not a column of zeros for the rest
        hierarchy = datasource.district_hierarchy()
        chosen = set(hierarchy.loc[selection.district_mask(hierarchy), f"{level}_code"].astype(str))
        table = table[table["code"].astype(str).isin(chosen)].reset_index(drop=True)
    return table, residents is not None


@st.cache_data(show_spinner=False, max_entries=32)
def predictive_check(
    request: Request, share: float, _data: datasource.Loaded, _result: analysis.Analysis
) -> backtest.PredictiveCheck:
    """Return how well the last period's hotspots predicted this one (``predictive_check``).

    Parameters
    ----------
    request
        With ``share``, the cache key.
    share
        The area budget, a share of the study area.
    _data, _result
        The incidents and the analysis of ``request`` (not hashed).

    Returns
    -------
    PredictiveCheck
        One backtest window, every method at the standard budgets and at ``share``.
    """
    return backtest.predictive_check(
        _data.incidents(), _result, share=share, osaalue=datasource.district_layer("osaalue")
    )
