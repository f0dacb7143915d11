"""The backtest's dbscan-cells reference: eps, min_samples and smoothing chosen per budget inside a window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.backtest import rolling_windows
from hotspots.clustering import ClusteringParams
from hotspots.grid import StudyGrid, study_grid
from hotspots.parameters.search import (
    SMOOTHING_CANDIDATES,
    SearchCandidates,
    best_candidate,
    choose_clustering,
)
from tests.planted import BOX, planted


@pytest.fixture(scope="module")
def box_grid() -> StudyGrid:
    return study_grid(shapely.box(*BOX), cell_m=150.0)


def test_choose_clustering_reports_the_choice_and_beats_the_given_parameters(box_grid: StudyGrid) -> None:
    frame = planted(8)
    window = rolling_windows(frame["occurred_at"], train="6M", test="6M")[0]
    choices = choose_clustering(
        frame,
        window,
        box_grid,
        area_shares=(0.05,),
        base=ClusteringParams(eps_m=100.0, min_samples=30),
        candidates=SearchCandidates(eps_m=(100.0, 200.0), min_samples=(5, 30)),
    )
    (choice,) = choices
    assert choice.hit_rate >= choice.default_hit_rate
    assert len(choice.candidates) == 2 * 2 * len(SMOOTHING_CANDIDATES)
    assert f"min_samples {choice.clustering.min_samples}" in choice.reason


def test_one_choice_per_budget_and_only_the_searched_parameter_moves(box_grid: StudyGrid) -> None:
    frame = planted(8)
    window = rolling_windows(frame["occurred_at"], train="6M", test="6M")[0]
    given = ClusteringParams(eps_m=150.0, min_samples=8)
    choices = choose_clustering(
        frame,
        window,
        box_grid,
        area_shares=(0.01, 0.05),
        base=given,
        auto_eps=True,
        auto_min_samples=False,
        candidates=SearchCandidates(eps_m=(100.0, 200.0)),
    )
    assert [c.area_share for c in choices] == [0.01, 0.05]
    for choice in choices:
        # min_samples is not searched: kept as given, not scaled to the whole window.
        assert choice.clustering.min_samples == 8 == choice.half_min_samples
        assert choice.clustering.eps_m in (100.0, 150.0, 200.0)
        assert set(choice.candidates["min_samples"]) == {8}
        assert choice.hit_rate == pytest.approx(choice.candidates["hit_rate"].max())


def test_best_candidate_breaks_ties_towards_fewer_tighter_hotspots() -> None:
    table = pd.DataFrame(
        {
            "eps_m": [200.0, 100.0, 100.0, 100.0, 150.0],
            "min_samples": [10.0, 5.0, 10.0, 10.0, 3.0],
            "smoothing": [0.0, 0.0, 1.0, 0.5, 0.0],
            "score": [0.4, 0.4, 0.4, 0.4, 0.3],
        }
    )
    best = best_candidate(table, "score")
    # Same score: the larger min_samples, then the smaller eps, then the smaller smoothing.
    assert (best["eps_m"], best["min_samples"], best["smoothing"]) == (100.0, 10.0, 0.5)
    assert np.isclose(best_candidate(table.drop(columns="smoothing"), "score")["eps_m"], 100.0)
