"""The alternatives a hotspot map is compared with: KDE, Gi*, against references and known answers."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.errors import ParameterError
from hotspots import backtest
from hotspots.grid import StudyGrid, study_grid
from tests.planted import BOX, planted


@pytest.fixture(scope="module")
def box_grid() -> StudyGrid:
    return study_grid(shapely.box(*BOX), cell_m=150.0)


def test_gistar_matches_esda(box_grid: StudyGrid) -> None:
    esda = pytest.importorskip("esda")
    weights = pytest.importorskip("libpysal.weights")
    grid = study_grid(shapely.box(0, 0, 1500, 1200), cell_m=150.0)  # 10 x 8 cells, all study
    rng = np.random.default_rng(0)
    counts = rng.poisson(2.0, grid.n_cells).astype(float)
    counts[[11, 12, 21]] += 15
    z, p = backtest.gistar(counts, grid)
    w = weights.lat2W(grid.ny, grid.nx, rook=False)
    ref = esda.G_Local(counts, w, transform="B", permutations=0, star=True)
    np.testing.assert_allclose(z, np.asarray(ref.Zs), rtol=1e-9, atol=1e-9)
    assert np.all((p > 0) & (p < 1))


def test_kde_keeps_the_mass_of_points_far_from_the_edge(box_grid: StudyGrid) -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(383_000, 200, 400), rng.normal(6_673_000, 200, 400)
    density = backtest.kde_cell_counts(x, y, box_grid, bandwidth_m=300.0)
    assert density.sum() == pytest.approx(400.0, rel=1e-9)
    assert density.argmax() == box_grid.positions([383_000.0], [6_673_000.0])[0] or density.max() > 10
    with pytest.raises(ParameterError, match="bandwidth_m must be > 0 metres, got 0"):
        backtest.kde_cell_counts(x, y, box_grid, bandwidth_m=0.0)


def test_gistar_priority_puts_the_significant_hot_cells_first() -> None:
    grid = study_grid(shapely.box(0, 0, 1500, 1200), cell_m=150.0)
    rng = np.random.default_rng(1)
    counts = rng.poisson(1.0, grid.n_cells).astype(float)
    counts[[33, 34, 43, 44]] += 25  # a hot block of four cells
    priority, note = backtest.gistar_priority(counts, grid)
    z, _ = backtest.gistar(counts, grid)
    hot = int(note.split()[0])
    assert hot >= 1 and note.endswith(f"at FDR {backtest.GISTAR_ALPHA:g}, then by z")
    first = np.argsort(-priority, kind="stable")[:hot]
    # The hot cells lead, each above every other cell; within both groups the order is z's.
    assert priority[first].min() > np.delete(priority, first).max()
    assert set(first[:4]) == {33, 34, 43, 44}  # the block itself, then its ring
    assert set(first) == set(np.flatnonzero(z > 2.4))
    np.testing.assert_array_equal(
        np.argsort(-priority[first], kind="stable"), np.argsort(-z[first], kind="stable")
    )


def test_rule_bandwidth_is_the_mean_distance_to_the_tenth_neighbour() -> None:
    # Points on a line 10 m apart: the 10th neighbour of an inner point is 50 m away at most.
    xy = np.column_stack([np.arange(0.0, 1000.0, 10.0), np.zeros(100)])
    h = backtest.rule_bandwidth_m(xy, cell_m=20.0)
    assert 50.0 <= h <= 100.0
    assert backtest.rule_bandwidth_m(xy, cell_m=150.0) == 150.0  # never below a cell
    assert backtest.rule_bandwidth_m(xy[:5], cell_m=150.0) == 600.0  # too few: four cells


def test_cross_validated_kde_picks_a_bandwidth_of_the_list(box_grid: StudyGrid) -> None:
    frame = planted(2)
    window = backtest.rolling_windows(frame["occurred_at"], train="6M", test="6M")[0]
    x = frame["x_m"].to_numpy(dtype=np.float64)
    y = frame["y_m"].to_numpy(dtype=np.float64)
    density, note = backtest.kde_cv(x, y, frame["occurred_at"], window, box_grid, cells=50)
    h = float(note.split()[2])
    assert h in [f * box_grid.cell_m for f in backtest.KDE_BANDWIDTHS_CELLS]
    assert note.endswith("(cross-validated)")
    n_train = int(
        ((frame["occurred_at"] >= window.train_start) & (frame["occurred_at"] < window.test_start)).sum()
    )
    assert 0.9 * n_train < density.sum() <= n_train + 1e-6  # a little mass spills over the edge
