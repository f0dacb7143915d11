"""Scoring at equal area: budgets in cells, hit rate, PAI and PEI by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.backtest.scoring import (
    Budget,
    area_budgets,
    equal_area,
    score_priority,
    share_label,
    top_hotspots_budget,
)


def test_budgets_are_whole_cells_with_readable_labels() -> None:
    budgets = area_budgets((0.01, 0.025, 0.0004), 1000)
    assert budgets[:2] == [Budget("1%", 10, 0), Budget("2.5%", 25, 1)]
    assert (budgets[2].cells, budgets[2].share_index) == (1, 2)  # 0.4 cells: at least one
    assert [share_label(s) for s in (0.03, 0.05, 0.075)] == ["3%", "5%", "7.5%"]
    assert top_hotspots_budget(5, 0) == Budget("top 5 hotspots", 1, None)
    # Equal area: no budget is larger than what the drawn hotspots cover (at least one cell).
    assert [b.cells for b in equal_area(budgets, 12)] == [10, 12, 1]
    assert [b.cells for b in equal_area(budgets, 0)] == [1, 1, 1]


def test_measures_by_hand() -> None:
    test = np.array([10.0, 4.0, 2.0, 7.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0])  # 24 test incidents
    priority = np.array([5.0, 3.0, 3.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    score = score_priority(priority, test, cells=2, n_cells=10)
    # The top cell and half of the two tied ones: 10 + 3; the best two cells hold 17.
    assert (score.cells, score.hits, score.best_hits) == (2, 13.0, 17.0)
    assert score.area_share == 0.2
    assert score.hit_rate == pytest.approx(13 / 24)
    assert score.pai == pytest.approx((13 / 24) / 0.2)
    assert score.pei == pytest.approx(13 / 17)
    # The test period's own counts score PEI 1.
    assert score_priority(test, test, cells=3, n_cells=10).pei == 1.0


def test_empty_test_periods_and_unselectable_cells_give_nan_not_errors() -> None:
    nothing = score_priority(np.arange(4.0), np.zeros(4), cells=2, n_cells=4)
    assert nothing.hits == 0.0 and np.isnan(nothing.hit_rate) and np.isnan(nothing.pei)
    never = score_priority(np.full(4, np.nan), np.ones(4), cells=2, n_cells=4)
    assert never.cells == 0 and never.area_share == 0.0 and np.isnan(never.pai)
