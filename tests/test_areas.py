"""The hotspot object's shape (hotspots.areas): street-scale areas of study cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.errors import ParameterError
from hotspots import areas
from hotspots import grid as study
from hotspots.clustering import ClusteringParams, cluster

BOX = (380_000.0, 6_670_000.0, 386_000.0, 6_676_000.0)  # 6 km x 6 km, 1,600 cells of 150 m
TZ = "Europe/Helsinki"


@pytest.fixture(scope="module")
def box_grid() -> study.StudyGrid:
    return study.study_grid(shapely.box(*BOX), cell_m=150.0)


def _frame(x: np.ndarray, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-05-01", tz=TZ)
    when = start + pd.to_timedelta(rng.uniform(0, 180, x.size), unit="D")
    return pd.DataFrame({"x_m": x, "y_m": y, "occurred_at": pd.Series(when)})


def _city(seed: int = 1) -> pd.DataFrame:
    """A busy city: everything density-connected, a 1.5 km core and two small places."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = BOX
    parts = [
        (rng.uniform(x0, x1, 6000), rng.uniform(y0, y1, 6000)),  # background: all connected
        (rng.normal(383_000, 500, 6000), rng.normal(6_673_000, 500, 6000)),  # a wide core
        (rng.normal(381_000, 60, 300), rng.normal(6_671_000, 60, 300)),  # a street corner
        (rng.normal(385_200, 60, 200), rng.normal(6_675_200, 60, 200)),  # another one
    ]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    return _frame(x, y, seed)


def test_a_city_wide_cluster_becomes_street_scale_pieces(box_grid: study.StudyGrid) -> None:
    frame = _city()
    params = ClusteringParams(eps_m=200.0, min_samples=5)
    labels = cluster(frame, params)
    # DBSCAN alone: one cluster holds nearly everything (the problem of the issue).
    assert np.bincount(labels[labels >= 0]).max() > 0.9 * len(frame)
    found = areas.areas_of(frame, box_grid, params)
    rule = areas.AreaParams()
    assert len(found) >= 5
    assert found.area_km2.max() <= rule.max_area_km2 + 1e-9
    assert found.area_km2.sum() <= rule.max_total_share * box_grid.area_km2 + 1e-9
    # Densest first, and the two street corners are among the first hotspots.
    assert np.all(np.diff(found.intensity_km2) <= 0)
    first = found.polygons[:6]
    for corner in ((381_000, 6_671_000), (385_200, 6_675_200)):
        assert any(p.distance(shapely.Point(corner)) < 150 for p in first), corner


def test_areas_are_one_polygon_of_grid_cells_with_every_incident_counted(box_grid: study.StudyGrid) -> None:
    frame = _city(2)
    found = areas.areas_of(frame, box_grid, ClusteringParams(eps_m=150.0, min_samples=5))
    labels = found.labels(frame["x_m"], frame["y_m"])
    counts = box_grid.counts(frame["x_m"], frame["y_m"])
    for index, (cells, polygon) in enumerate(zip(found.cells, found.polygons, strict=True)):
        assert polygon.geom_type == "Polygon"  # cells join through shared sides only
        assert polygon.area == pytest.approx(cells.size * 150.0**2)
        corners = shapely.get_coordinates(polygon)
        assert np.allclose(
            (corners - [box_grid.x0_m, box_grid.y0_m]) / 150.0 % 1, 0, atol=1e-6
        ) or np.allclose(
            np.round((corners - [box_grid.x0_m, box_grid.y0_m]) / 150.0),
            (corners - [box_grid.x0_m, box_grid.y0_m]) / 150.0,
        )
        # Every incident of its cells belongs to it, and nothing else does.
        assert int((labels == index).sum()) == int(counts[cells].sum())
        assert int(counts[cells].sum()) >= areas.DEFAULT_MIN_INCIDENTS
    # A cell is in one hotspot at most.
    every = np.concatenate(found.cells)
    assert every.size == np.unique(every).size


def test_the_size_rule_is_a_parameter_and_is_validated(box_grid: study.StudyGrid) -> None:
    frame = _city(3)
    params = ClusteringParams(eps_m=150.0, min_samples=5)
    small = areas.areas_of(
        frame, box_grid, params, params=areas.AreaParams(max_area_km2=0.05, max_total_share=0.02)
    )
    assert small.area_km2.max() <= 0.045 + 1e-9  # two cells of 150 m
    assert small.area_km2.sum() <= 0.02 * box_grid.area_km2 + 1e-9
    assert areas.AreaParams(max_area_km2=0.01).max_cells(150.0) == 1  # one cell is always allowed
    assert "0.25 km² (11 cells of 150 m)" in areas.AreaParams().describe(150.0)
    with pytest.raises(ParameterError, match="max_area_km2 must be > 0 km², got 0"):
        areas.AreaParams(max_area_km2=0)
    with pytest.raises(ParameterError, match=r"max_total_share must be in \(0, 1\]"):
        areas.AreaParams(max_total_share=1.5)
    with pytest.raises(ParameterError, match="min_incidents must be a whole number >= 1"):
        areas.AreaParams(min_incidents=0)
    with pytest.raises(ParameterError, match=r"peak_ratio must be in \[0, 1\]"):
        areas.AreaParams(peak_ratio=2)


def test_places_of_unlike_density_are_separate_hotspots(box_grid: study.StudyGrid) -> None:
    # A hot cell beside two lukewarm ones (cells of the grid from x 379,950, y 6,669,900).
    rng = np.random.default_rng(4)
    hot = (rng.uniform(382_051, 382_199, 400), rng.uniform(6_672_151, 6_672_299, 400))
    warm = (rng.uniform(382_201, 382_499, 150), rng.uniform(6_672_151, 6_672_299, 150))
    frame = _frame(np.concatenate([hot[0], warm[0]]), np.concatenate([hot[1], warm[1]]))
    found = areas.areas_of(frame, box_grid, ClusteringParams(eps_m=150.0, min_samples=3))
    assert len(found) == 2
    assert found.cells[0].size == 1 and found.cells[1].size == 2
    joined = areas.areas_of(
        frame, box_grid, ClusteringParams(eps_m=150.0, min_samples=3), params=areas.AreaParams(peak_ratio=0.0)
    )
    # Without the like-density rule the warm cell beside the hot one joins its area.
    hot_cell, beside, _ = np.unique(box_grid.positions(frame["x_m"], frame["y_m"]))
    assert np.isin([hot_cell, beside], joined.cells[0]).all()
    assert not np.isin(beside, found.cells[0])


def test_hotspot_areas_from_hand_made_cells_and_scores(box_grid: study.StudyGrid) -> None:
    """Known answer: a 3 x 3 block of like cells is one area; a two-cell cluster of 2 incidents is none."""
    centres_x = 382_025.0 + 150.0 * np.arange(3)
    block = box_grid.positions(*np.meshgrid(centres_x, 6_672_075.0 + 150.0 * np.arange(3)))
    pair = box_grid.positions(np.array([380_525.0, 380_675.0]), np.array([6_670_475.0] * 2))
    scores = np.zeros(box_grid.n_cells)
    counts = np.zeros(box_grid.n_cells)
    scores[block], counts[block] = 10.0, 10.0
    scores[pair], counts[pair] = 50.0, 1.0  # denser, but only 2 incidents
    found = areas.hotspot_areas(scores, counts, {0: block.ravel(), 1: pair}, box_grid)
    assert len(found) == 1
    np.testing.assert_array_equal(found.cells[0], np.sort(block.ravel()))
    assert found.intensity_km2[0] == pytest.approx(10.0 / 0.0225)
    assert found.scores is scores
    # The size rule cuts the block: at most 4 cells (0.09 km²) per area, every cell kept.
    capped = areas.hotspot_areas(
        scores, counts, {0: block.ravel()}, box_grid, params=areas.AreaParams(max_area_km2=0.09)
    )
    assert max(c.size for c in capped.cells) == 4 and sum(c.size for c in capped.cells) == 9


def test_too_few_incidents_make_no_hotspot_and_inputs_stay_unchanged(box_grid: study.StudyGrid) -> None:
    frame = _frame(np.array([382_000.0, 382_010.0, 382_020.0]), np.array([6_672_000.0] * 3))
    before = frame.copy()
    found = areas.areas_of(frame, box_grid, ClusteringParams(eps_m=150.0, min_samples=2))
    assert len(found) == 0 and found.polygons.size == 0
    assert (found.labels(frame["x_m"], frame["y_m"]) == -1).all()
    pd.testing.assert_frame_equal(frame, before)
    three = areas.areas_of(
        frame,
        box_grid,
        ClusteringParams(eps_m=150.0, min_samples=2),
        params=areas.AreaParams(min_incidents=3),
    )
    assert len(three) == 1


def test_days_count_a_burst_once(box_grid: study.StudyGrid) -> None:
    x = np.array([382_000.0] * 6 + [383_000.0] * 3)
    y = np.array([6_672_000.0] * 9)
    days = ["2025-05-01"] * 6 + ["2025-05-01", "2025-06-01", "2025-07-01"]
    when = pd.Series(pd.to_datetime(days).tz_localize(TZ))
    counts = study.cell_counts(box_grid, x, y, when, basis="days")
    positions = box_grid.positions(x, y)
    assert counts[positions[0]] == 1 and counts[positions[-1]] == 3
    assert study.cell_counts(box_grid, x, y, basis="incidents")[positions[0]] == 6
    with pytest.raises(ParameterError, match="basis 'days' needs the incidents' occurred_at"):
        study.cell_counts(box_grid, x, y, basis="days")


def test_the_backtest_scores_whole_hotspots_in_rank_order(box_grid: study.StudyGrid) -> None:
    frame = _city(5)
    found = areas.areas_of(frame, box_grid, ClusteringParams(eps_m=150.0, min_samples=5))
    priority = areas.ranked_priority(found.cells, found.scores)
    # A budget of exactly the first two hotspots takes exactly their cells.
    budget = found.cells[0].size + found.cells[1].size
    test = np.zeros(box_grid.n_cells)
    test[found.cells[0]] = 1.0
    test[found.cells[1]] = 10.0
    hits, used = study.fill_budget(priority, test, cells=budget)
    assert used == budget and hits == pytest.approx(found.cells[0].size + 10.0 * found.cells[1].size)
    # Cells outside every hotspot are never taken.
    assert np.isnan(priority).sum() == box_grid.n_cells - sum(c.size for c in found.cells)
