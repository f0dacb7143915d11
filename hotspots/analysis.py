"""One analysis run: filter, cluster both periods, summarise, rank, recommend, compare.

This is the single place where the app, the CLI and the exports turn incidents into a
ranked hotspot table, so all three always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import districts as district_layers
from hotspots import comparison, figures, ranking, recommendation, summary
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


def analyse(
    incidents: pd.DataFrame,
    *,
    selection: Selection,
    clustering: ClusteringParams = ClusteringParams(),  # noqa: B008  (frozen dataclass)
    weights: ranking.RankingWeights = ranking.RankingWeights(),  # noqa: B008
    service_points: pd.DataFrame | None = None,
    peruspiiri: gpd.GeoDataFrame | None = None,
    compare_with: str = "previous",
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
        Method and parameters.
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

    Returns
    -------
    Analysis
    """
    layer = district_layers.load_districts("peruspiiri") if peruspiiri is None else peruspiiri
    current = apply(incidents, selection)
    previous_selection = selection.comparison(compare_with)
    previous = apply(incidents, previous_selection) if previous_selection else current.iloc[0:0]

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

    previous_labels = cluster(previous, clustering)
    before = _hotspots_of(
        previous, previous_labels, clustering=clustering, period=None, previous=None, peruspiiri=layer
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
    )
