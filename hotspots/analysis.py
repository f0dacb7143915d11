"""One analysis run: filter, cluster both periods, summarise, rank, recommend, compare.

This is the single place where the app, the CLI and the exports turn incidents into a
ranked hotspot table, so all three always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo import districts as district_layers
from geo import geocoding
from geo.errors import ParameterError
from geo.geocoder import Geocoder
from hotspots import areas, comparison, figures, placenames, ranking, recommendation, summary
from hotspots.clustering import ClusteringParams
from hotspots.grid import StudyGrid, study_area, study_grid_for
from hotspots.parameters import auto
from hotspots.selection import Selection, apply


@dataclass(frozen=True, eq=False)  # eq=False: a district layer has no single truth value to compare
class StudyArea:
    """Where the hotspots are found, and how much of it they may cover.

    Parameters
    ----------
    grid
        Study grid of data outside Helsinki (``x_m``/``y_m`` in its CRS; no district
        columns needed); None for Helsinki's land, the district filter then keeping the
        city-wide hotspots that overlap the chosen districts.
    districts
        Peruspiiri layer for the significance test; None for the official one (Helsinki)
        or, with a ``grid``, the study cells as one district.
    area_params
        The hotspots' size rule (each at most ``max_area_km2``, all together at most
        ``max_total_share`` of this area).
    names
        A geocoder of the address register (``geo.geocoder``) to name each hotspot by the
        address or place nearest to its centre (``hotspots.placenames``); None: unnamed.
    precise_only
        Leave the positions a register placed only roughly (by street, place or
        intersection, ``geo.geocoding.LOW_QUALITIES``) out of the hotspots: such rows still
        count in the key and district figures, but they neither make nor fill a hotspot
        (a street's centre is not where the incident was).
    """

    grid: StudyGrid | None = None
    districts: gpd.GeoDataFrame | None = None
    area_params: areas.AreaParams = field(default_factory=areas.AreaParams)
    names: Geocoder | None = None
    precise_only: bool = False


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
        Hotspot label per row of ``current`` (-1 outside every shown hotspot); hotspot
        ``H{label + 1}``.
    hotspots
        Ranked hotspot table with recommendations and ``status`` against the previous
        period, EPSG:3067, sorted by rank.
    vanished
        Hotspots of the previous period with no counterpart now.
    key
        Headline figures.
    parameters
        How eps and min_samples came about (chosen by backtest, or as given, and why).
    found
        The city-wide hotspot areas (``hotspots.areas``) the table's hotspots are, with
        their study grid; ``hotspots`` holds those the selection shows.
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
    parameters: auto.AutoChoice | None = field(default=None, repr=False)
    found: areas.HotspotAreas | None = field(default=None, repr=False)


def _hotspots_of(
    incidents: pd.DataFrame,
    found: areas.HotspotAreas,
    keep: NDArray[np.bool_],
    *,
    clustering: ClusteringParams,
    previous: pd.DataFrame | None,
    peruspiiri: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Return the summary table of the kept hotspot areas (ids ``H{label + 1}``, as city-wide)."""
    labels = _kept_labels(found, keep, incidents, precise_only=False)  # rough rows are out already
    return summary.summarise_hotspots(
        incidents,
        labels,
        eps_m=clustering.eps_m,
        baseline=summary.Baseline(previous=previous, districts=peruspiiri),
        areas=found,
        crs_code=found.grid.crs,
    )


def _kept_labels(
    found: areas.HotspotAreas, keep: NDArray[np.bool_], incidents: pd.DataFrame, *, precise_only: bool
) -> NDArray[np.int64]:
    """Hotspot label of each incident's cell, -1 outside the kept hotspots (and for rough positions)."""
    labels = found.labels(incidents["x_m"], incidents["y_m"])
    if not keep.size:
        return np.full(len(incidents), -1, dtype=np.int64)
    kept = (labels >= 0) & keep[np.maximum(labels, 0)]
    if precise_only and "geocode_quality" in incidents.columns:
        kept &= ~incidents["geocode_quality"].isin(geocoding.LOW_QUALITIES).to_numpy(dtype=bool)
    return np.where(kept, labels, -1).astype(np.int64)


def _district_area(selection: Selection) -> Any | None:
    """Land of the selection's districts; None without a district filter, empty without land."""
    if not selection.has_districts:
        return None
    try:
        return study_area(selection, district_layers.load_districts("osaalue"))
    except ParameterError:
        return shapely.Polygon()  # only the territorial sea: no hotspot lies in it


def _touching(found: areas.HotspotAreas, area: Any | None) -> NDArray[np.bool_]:
    """Which hotspots overlap ``area`` (all of them when there is no area)."""
    if area is None:
        return np.ones(len(found), dtype=bool)
    polygons = found.polygons
    if not len(polygons):
        return np.zeros(0, dtype=bool)
    return np.asarray(shapely.area(shapely.intersection(polygons, area)) > 0, dtype=bool)


def _previous_clustering(
    clustering: ClusteringParams, choice: auto.AutoChoice, *, n_now: int, n_before: int
) -> ClusteringParams:
    """Return the comparison period's parameters: a chosen min_samples follows the period's incidents.

    The automatic choice scales min_samples to the incidents of the period it is used on
    (``hotspots.parameters.auto``); the comparison period gets the same rule, so a place is not "new"
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
    grid: StudyGrid | None = None,
    area_params: areas.AreaParams = areas.AreaParams(),  # noqa: B008  (frozen dataclass)
) -> auto.AutoChoice:
    """Eps / min_samples / cell score for the selection, chosen city-wide when ``clustering`` asks.

    The choice ignores the district filter: the hotspots are found city-wide and a youth
    worker's district shows those of the city map that lie in it (a small district's few
    cells would say little). ``selected`` is ``apply(incidents, selection)`` when the
    caller has it already (used when the selection has no district filter).
    """
    if not (clustering.auto_eps or clustering.auto_min_samples):
        return auto.AutoChoice(clustering, False, "eps and min_samples as given")
    city = selection.citywide()
    return auto.choose_parameters(
        selected if selected is not None and city == selection else apply(incidents, city),
        city,
        clustering,
        auto_eps=clustering.auto_eps,
        auto_min_samples=clustering.auto_min_samples,
        grid=grid,
        area_params=area_params,
    )


@dataclass(frozen=True)
class _Periods:
    """The incidents of the period and of its comparison period, as selected and city-wide."""

    current: pd.DataFrame
    city: pd.DataFrame
    previous_selection: Selection | None
    previous: pd.DataFrame
    previous_city: pd.DataFrame

    def precise(self) -> _Periods:
        """Return the periods with only precise positions in the frames the hotspots are found on."""
        return replace(
            self,
            city=geocoding.precise_positions(self.city),
            previous_city=geocoding.precise_positions(self.previous_city),
        )

    def foreign(self) -> _Periods:
        """Return the city-wide and current frames with the columns data from elsewhere lack."""
        return replace(
            self,
            city=summary.foreign_frame(self.city),
            current=summary.foreign_frame(self.current),
            previous_city=summary.foreign_frame(self.previous_city),
        )


def _periods(incidents: pd.DataFrame, selection: Selection, compare_with: str, *, foreign: bool) -> _Periods:
    """Apply the selection, its city-wide form and their comparison periods to the incidents."""
    current = apply(incidents, selection)
    city_selection = selection.citywide()
    city = current if city_selection == selection else apply(incidents, city_selection)
    before = selection.comparison(compare_with)
    previous = apply(incidents, before) if before else current.iloc[0:0]
    previous_city = apply(incidents, before.citywide()) if before else city.iloc[0:0]
    periods = _Periods(current, city, before, previous, previous_city)
    return periods.foreign() if foreign else periods


def _study_of(study: StudyArea, selection: Selection) -> tuple[StudyGrid, gpd.GeoDataFrame, Any | None]:
    """Return the study grid, the significance test's districts and the land of the district filter."""
    if study.grid is None:
        layer = district_layers.load_districts("peruspiiri") if study.districts is None else study.districts
        return study_grid_for(selection.citywide()), layer, _district_area(selection)
    # Data with no Helsinki districts: the study cells are one district.
    layer = summary.study_district(study.grid) if study.districts is None else study.districts
    return study.grid, layer, None


def _hotspots_before(
    periods: _Periods,
    grid: StudyGrid,
    choice: auto.AutoChoice,
    *,
    district: Any | None,
    peruspiiri: gpd.GeoDataFrame,
    area_params: areas.AreaParams,
) -> gpd.GeoDataFrame:
    """Return the comparison period's hotspot table, found on the same grid with the same rule."""
    clustering = _previous_clustering(
        choice.clustering, choice, n_now=len(periods.city), n_before=len(periods.previous_city)
    )
    found = areas.areas_of(periods.previous_city, grid, clustering, params=area_params)
    keep = _touching(found, district)
    return _hotspots_of(
        periods.previous_city, found, keep, clustering=clustering, previous=None, peruspiiri=peruspiiri
    )


def _compared(
    table: gpd.GeoDataFrame, before: gpd.GeoDataFrame, *, compared: bool
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Classify the hotspots against the period before; no status without a comparison period."""
    table, vanished = comparison.compare_periods(table, before)
    if not compared:  # "new" would claim what nobody compared
        table["status"] = pd.array([pd.NA] * len(table), dtype="string")
    return table, vanished


def analyse(
    incidents: pd.DataFrame,
    *,
    selection: Selection,
    clustering: ClusteringParams = ClusteringParams(),  # noqa: B008  (frozen dataclass)
    weights: ranking.RankingWeights = ranking.RankingWeights(),  # noqa: B008
    service_points: pd.DataFrame | None = None,
    compare_with: str = "previous",
    parameters: auto.AutoChoice | None = None,
    study: StudyArea = StudyArea(),
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
        for the selected period by backtest (``hotspots.parameters.auto``) and both periods
        are clustered with the choice.
    weights
        Ranking weights.
    service_points
        Youth centres, schools ... (``name``, ``kind``, ``x_m``, ``y_m``) for the
        recommendations; None for none.
    compare_with
        ``"previous"`` (the period of the same length just before), ``"year_before"``
        (same dates a year earlier) or ``"none"``.
    parameters
        ``choose_parameters(incidents, selection, clustering)`` when already computed
        (the app caches it apart, since it does not depend on the district filter).
    study
        Where the hotspots are found (Helsinki's land or another grid), the districts of
        the significance test, the size rule and the register naming them (``place_*``).

    Returns
    -------
    Analysis
    """
    # Data from outside Helsinki (a grid of their own) have no district columns.
    periods = _periods(incidents, selection, compare_with, foreign=study.grid is not None)
    if study.precise_only:
        periods = periods.precise()
        incidents = geocoding.precise_positions(incidents)  # for the parameter choice only
    grid, layer, district = _study_of(study, selection)
    if parameters is None:
        parameters = choose_parameters(
            incidents, selection, clustering, selected=periods.city, grid=grid, area_params=study.area_params
        )
    found = areas.areas_of(periods.city, grid, parameters.clustering, params=study.area_params)
    keep = _touching(found, district)
    previous = periods.previous_city if periods.previous_selection else None
    table = _hotspots_of(
        periods.city, found, keep, clustering=parameters.clustering, previous=previous, peruspiiri=layer
    )
    table = ranking.rank_hotspots(table, weights=weights)
    table = placenames.name_hotspots(
        recommendation.recommend(table, service_points=service_points), study.names
    )
    before = _hotspots_before(
        periods, grid, parameters, district=district, peruspiiri=layer, area_params=study.area_params
    )
    table, vanished = _compared(table, before, compared=periods.previous_selection is not None)
    return Analysis(
        selection=selection,
        previous_selection=periods.previous_selection,
        clustering=parameters.clustering,
        current=periods.current,
        previous=periods.previous,
        labels=_kept_labels(found, keep, periods.current, precise_only=study.precise_only),
        hotspots=table,
        vanished=vanished,
        key=figures.key_figures(periods.current, periods.previous, table),
        parameters=parameters,
        found=found,
    )
