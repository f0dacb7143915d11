"""The whole analysis on the demo data: hotspots sit where the generator put them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import crs, demo, demo_profiles
from hotspots import analysis, clustering
from hotspots import grid as study
from hotspots.selection import Selection
from i18n import recommendation_text


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=20_000, seed=2026)


@pytest.fixture(scope="module")
def last_half_year(incidents: pd.DataFrame) -> analysis.Analysis:
    since = demo.recent_start()
    until = demo.demo_period()[1]
    return analysis.analyse(
        incidents,
        selection=Selection(since=since, until=until),
        clustering=clustering.ClusteringParams(eps_m=150.0, min_samples=10),
    )


def _centre_m(place: demo_profiles.Concentration) -> np.ndarray:
    x, y = crs.to_metric([place.lon], [place.lat], src=crs.WGS84)
    return np.array([x[0], y[0]])


def _hotspot_near(
    result: analysis.Analysis, place: demo_profiles.Concentration, *, within_m: float = 400.0
) -> pd.Series:
    centre = _centre_m(place)
    polygons = result.hotspots.geometry
    import shapely

    point = shapely.Point(*centre)
    distance = polygons.distance(point)
    nearest = int(np.argmin(distance.to_numpy()))
    assert distance.iloc[nearest] <= within_m, f"no hotspot within {within_m} m of {place.name}"
    return result.hotspots.iloc[nearest]


def test_top_hotspots_sit_on_the_generated_concentrations(last_half_year: analysis.Analysis) -> None:
    active = [c for c in demo_profiles.DEMO_CONCENTRATIONS if c.life != "fading"]
    top = last_half_year.hotspots.head(len(active) + 2)
    centres = np.array([_centre_m(c) for c in active])
    xy = np.column_stack([top["centroid_x_m"], top["centroid_y_m"]])
    # Every one of the top hotspots lies within 1 km of some active concentration ...
    nearest = np.sqrt(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(-1)).min(axis=1)
    assert (nearest[: len(active) - 2] < 1000).all(), nearest
    # ... and every active concentration has a significant hotspot on it.
    for place in active:
        row = _hotspot_near(last_half_year, place)
        assert bool(row["significant"]), place.name


def test_emerging_concentrations_are_new_and_faded_ones_diminish(last_half_year: analysis.Analysis) -> None:
    for place in demo_profiles.DEMO_CONCENTRATIONS:
        if place.life == "emerging":
            assert _hotspot_near(last_half_year, place)["status"] == "new", place.name
    faded = [c for c in demo_profiles.DEMO_CONCENTRATIONS if c.life == "fading"]
    for place in faded:
        centre = _centre_m(place)
        current = last_half_year.hotspots
        dist_now = np.hypot(current["centroid_x_m"] - centre[0], current["centroid_y_m"] - centre[1])
        vanished = last_half_year.vanished
        dist_gone = np.hypot(vanished["centroid_x_m"] - centre[0], vanished["centroid_y_m"] - centre[1])
        statuses = set(current.loc[dist_now < 500, "status"])
        assert statuses == {"diminishing"} or (not statuses and (dist_gone < 500).any()), (
            place.name,
            statuses,
        )


def test_key_figures_and_labels_are_consistent(last_half_year: analysis.Analysis) -> None:
    key = last_half_year.key
    assert key.incidents == len(last_half_year.current)
    assert key.hotspots == len(last_half_year.hotspots)
    labels = last_half_year.labels
    assert len(labels) == len(last_half_year.current)
    sizes = np.bincount(labels[labels >= 0])
    assert sorted(sizes.tolist()) == sorted(last_half_year.hotspots["n"].astype(int).tolist())
    assert last_half_year.hotspots["rank"].tolist() == list(range(1, key.hotspots + 1))
    for lang in ("fi", "sv", "en"):
        assert min(len(recommendation_text(r, lang)) for r in last_half_year.hotspots["recommendation"]) > 20


def test_analysis_does_not_mutate_its_input(incidents: pd.DataFrame) -> None:
    before = incidents.copy()
    analysis.analyse(incidents, selection=Selection(peruspiiri=("301",)))
    pd.testing.assert_frame_equal(incidents, before)


@pytest.mark.parametrize("method", ["hdbscan", "st-dbscan"])
def test_alternative_methods_find_the_busiest_place(incidents: pd.DataFrame, method: str) -> None:
    since = demo.recent_start()
    result = analysis.analyse(
        incidents,
        selection=Selection(since=since, until=demo.demo_period()[1], categories=("drug_dealing",)),
        clustering=clustering.ClusteringParams(
            method=method,  # type: ignore[arg-type]
            eps_m=150.0,
            min_samples=10,
            window_days=30.0,
        ),
    )
    assert len(result.hotspots) >= 3
    centre = _centre_m(demo_profiles.DEMO_CONCENTRATIONS[0])
    nearest = np.hypot(
        result.hotspots["centroid_x_m"] - centre[0], result.hotspots["centroid_y_m"] - centre[1]
    )
    assert nearest.min() < 1000


def test_st_dbscan_separates_bursts_in_time() -> None:
    rng = np.random.default_rng(0)
    xy = rng.normal(0.0, 30.0, (60, 2))
    days = np.r_[rng.uniform(0, 5, 30), rng.uniform(100, 105, 30)]
    labels = clustering.st_dbscan(xy, days, eps_m=150.0, window_days=7.0, min_samples=5)
    assert set(labels[:30]) == {0} and set(labels[30:]) == {1}
    merged = clustering.st_dbscan(xy, days, eps_m=150.0, window_days=200.0, min_samples=5)
    assert set(merged) == {0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "kmeans"}, "method was 'kmeans'"),
        ({"eps_m": -5}, "eps_m must be > 0 metres, got -5"),
        ({"min_samples": 1}, "min_samples must be a whole number >= 2"),
        ({"window_days": 0}, "window_days must be > 0 days"),
    ],
)
def test_clustering_params_are_validated(kwargs: dict[str, object], message: str) -> None:
    from geo.errors import ParameterError

    with pytest.raises(ParameterError, match=message):
        clustering.ClusteringParams(**kwargs)  # type: ignore[arg-type]


def test_year_before_comparison_counts_the_same_season(incidents: pd.DataFrame) -> None:
    since, until = demo.recent_start(), demo.demo_period()[1]
    sel = Selection(since=since, until=until)
    result = analysis.analyse(incidents, selection=sel, compare_with="year_before")
    year = sel.year_before()
    assert result.previous_selection == year
    expected = ((incidents["occurred_at"] >= year.since) & (incidents["occurred_at"] < year.until)).sum()
    assert result.key.incidents_previous == expected
    none = analysis.analyse(incidents, selection=sel, compare_with="none")
    assert none.previous_selection is None and none.key.incidents_previous == 0
    # Nothing was compared: no status is claimed (not "new").
    assert none.hotspots["status"].isna().all() and len(none.vanished) == 0


def test_data_outside_helsinki_on_a_study_grid_of_their_own() -> None:
    """Points with no district columns: the study cells are the one district, the corner is found."""
    rng = np.random.default_rng(3)
    corner = (381_500.0, 6_671_500.0)
    x = np.r_[rng.uniform(380_000, 383_000, 600), rng.normal(corner[0], 40, 150)]
    y = np.r_[rng.uniform(6_670_000, 6_673_000, 600), rng.normal(corner[1], 40, 150)]
    start = pd.Timestamp("2025-05-01", tz="Europe/Helsinki")
    frame = pd.DataFrame(
        {"x_m": x, "y_m": y, "occurred_at": start + pd.to_timedelta(rng.uniform(0, 180, x.size), "D")}
    )
    grid = study.study_grid(shapely.box(380_000, 6_670_000, 383_000, 6_673_000), cell_m=150.0)
    result = analysis.analyse(
        frame,
        selection=Selection(),
        clustering=clustering.ClusteringParams(eps_m=150.0, min_samples=10),
        study=analysis.StudyArea(grid=grid),
    )
    assert result.found is not None and result.found.grid is grid
    top = result.hotspots.iloc[0]
    assert top.geometry.distance(shapely.Point(corner)) == 0 and top["significant"]
    assert result.hotspots["status"].isna().all()  # no comparison period
    assert result.labels.shape == (len(frame),)


def test_rough_positions_can_stay_out_of_the_hotspots_but_not_out_of_the_figures(
    incidents: pd.DataFrame,
) -> None:
    """Eighty incidents a register put on one street's centre make a hotspot only when allowed to."""
    since, until = demo.recent_start(), demo.demo_period()[1]
    x, y = crs.to_metric([24.9300], [60.2150], src=crs.WGS84)  # Keskuspuisto, a quiet wood
    in_period = incidents.index[(incidents["occurred_at"] >= since) & (incidents["occurred_at"] < until)]
    moved = in_period[:: max(1, len(in_period) // 80)][:80]
    rough = incidents.assign(geocode_quality="source")
    rough.loc[moved, ["x_m", "y_m", "geocode_quality"]] = [x[0], y[0], "street"]
    spot = shapely.Point(x[0], y[0])
    selection = Selection(since=since, until=until)
    params = clustering.ClusteringParams(eps_m=150.0, min_samples=10)
    kept = analysis.analyse(rough, selection=selection, clustering=params)
    left = analysis.analyse(
        rough, selection=selection, clustering=params, study=analysis.StudyArea(precise_only=True)
    )
    assert kept.hotspots.geometry.distance(spot).min() < 150
    assert left.hotspots.geometry.distance(spot).min() > 300
    assert left.key.incidents == kept.key.incidents
    assert len(left.current) == len(kept.current)
    assert (left.labels[left.current["geocode_quality"].eq("street").to_numpy()] == -1).all()
