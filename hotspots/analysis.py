"""One analysis run: filter, cluster both periods, summarise, rank, recommend, compare.

This is the single place where the app, the CLI and the exports turn incidents into a
ranked hotspot table, so all three always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import districts as district_layers
from hotspots import autoparams, comparison, figures, ranking, recommendation, summary
from hotspots.methods import ClusteringParams, cluster
from hotspots.selection import Selection, apply


@dataclass(frozen=True)
class Analysis:
    """Everything one selection yields.

    Attributes
    ----------
    selection, previous_selection
        The filters of the period and of its comparison period (None when the period is open).
    current, previous
        Filtered incidents of both periods.
    labels
        Cluster label per row of ``current`` (-1 noise).
    hotspots
        Ranked hotspot table with recommendations and ``status`` against the previous
        period, EPSG:3067, sorted by rank.
    vanished
        Hotspots of the previous period with no counterpart now.
    key
        Headline figures.
    parameters
        How eps and min_samples came about (chosen by backtest, or as given, and why).
    """

    selection: Selection
    previous_selection: Selection | None
    clustering: ClusteringParams
    current: pd.DataFrame
    previous: pd.DataFrame
    labels: NDArray[np.int64]
    hotspots: gpd.GeoDataFrame
    vanished: gpd.GeoDataFrame
    key: figures.KeyFigures = field(repr=False)
    parameters: autoparams.AutoChoice | None = field(default=None, repr=False)


def _hotspots_of(
    incidents: pd.DataFrame,
    labels: NDArray[np.int64],
    *,
    clustering: ClusteringParams,
    period: tuple[pd.Timestamp, pd.Timestamp] | None,
    previous: pd.DataFrame | None,
    peruspiiri: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    return summary.summarise_hotspots(
        incidents,
        labels,
        eps_m=clustering.eps_m,
        period=period,
        previous=previous,
        districts=peruspiiri,
    )


def _previous_clustering(
    clustering: ClusteringParams, choice: autoparams.AutoChoice, *, n_now: int, n_before: int
) -> ClusteringParams:
    """The comparison period's parameters: a chosen min_samples follows the period's incidents.

    The automatic choice scales min_samples to the incidents of the period it is used on
    (``autoparams``); the comparison period gets the same rule, so a place is not "new"
    only because the city as a whole had fewer incidents before. Given values stay as given.
    """
    if not (choice.chosen and clustering.auto_min_samples) or n_now == 0 or n_before == 0:
        return clustering
    return replace(clustering, min_samples=max(2, round(clustering.min_samples * n_before / n_now)))


def choose_parameters(
    incidents: pd.DataFrame,
    selection: Selection,
    clustering: ClusteringParams,
    *,
    selected: pd.DataFrame | None = None,
) -> autoparams.AutoChoice:
    """eps / min_samples for the selection, chosen city-wide when ``clustering`` asks for it.

    The choice ignores the district filter: a youth worker's district then shows the same
    kind of hotspots as the city map (and a small district's few cells would say little).
    ``selected`` is ``apply(incidents, selection)`` when the caller has it already (used
    when the selection has no district filter, so it is not filtered again).
    """
    if not (clustering.auto_eps or clustering.auto_min_samples):
        return autoparams.AutoChoice(clustering, False, "eps and min_samples as given")
    city = replace(selection, suurpiiri=(), peruspiiri=(), osaalue=())
    return autoparams.choose_parameters(
        selected if selected is not None and city == selection else apply(incidents, city),
        city,
        clustering,
        auto_eps=clustering.auto_eps,
        auto_min_samples=clustering.auto_min_samples,
    )


def analyse(
    incidents: pd.DataFrame,
    *,
    selection: Selection,
    clustering: ClusteringParams = ClusteringParams(),  # noqa: B008  (frozen dataclass)
    weights: ranking.RankingWeights = ranking.RankingWeights(),  # noqa: B008
    service_points: pd.DataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
    compare_with: str = "previous",
    parameters: autoparams.AutoChoice | None = None,
) -> Analysis:
    """Run the whole analysis for one selection.

    Parameters
    ----------
    incidents
        Canonical incident table (``geo.schema``), all periods.
    selection
        Filters; with both ``since`` and ``until`` set, the previous period of the same
        length is analysed too, for trends and the new/persistent/... classes.
    clustering
        Method and parameters; with ``auto_eps`` / ``auto_min_samples`` they are chosen
        for the selected period by backtest (``hotspots.autoparams``) and both periods
        are clustered with the choice.
    weights
        Ranking weights.
    service_points
        Youth centres, schools ... (``name``, ``kind``, ``x_m``, ``y_m``) for the
        recommendations; None for none.
    peruspiiri
        Peruspiiri layer for the significance test (default: the official one).
    compare_with
        ``"previous"`` (the period of the same length just before), ``"year_before"``
        (same dates a year earlier) or ``"none"``.
    parameters
        ``choose_parameters(incidents, selection, clustering)`` when already computed
        (the app caches it apart, since it does not depend on the district filter).

    Returns
    -------
    Analysis
    """
    layer = district_layers.load_districts("peruspiiri") if peruspiiri is None else peruspiiri
    current = apply(incidents, selection)
    previous_selection = selection.comparison(compare_with)
    previous = apply(incidents, previous_selection) if previous_selection else current.iloc[0:0]

    if parameters is None:
        parameters = choose_parameters(incidents, selection, clustering, selected=current)
    clustering = parameters.clustering
    labels = cluster(current, clustering)
    table = _hotspots_of(
        current,
        labels,
        clustering=clustering,
        period=None,  # ``previous`` already holds exactly the comparison period
        previous=previous if previous_selection else None,
        peruspiiri=layer,
    )
    table = ranking.rank_hotspots(table, weights=weights)
    table = recommendation.recommend(table, service_points=service_points)

    before_clustering = _previous_clustering(
        clustering, parameters, n_now=len(current), n_before=len(previous)
    )
    previous_labels = cluster(previous, before_clustering)
    before = _hotspots_of(
        previous, previous_labels, clustering=before_clustering, period=None, previous=None, peruspiiri=layer
    )
    table, vanished = comparison.compare_periods(table, before)
    return Analysis(
        selection=selection,
        previous_selection=previous_selection,
        clustering=clustering,
        current=current,
        previous=previous,
        labels=labels,
        hotspots=table,
        vanished=vanished,
        key=figures.key_figures(current, previous, table),
        parameters=parameters,
    )
