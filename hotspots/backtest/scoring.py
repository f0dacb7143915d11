"""Scoring a cell ranking at equal area: budgets, hit rate, PAI and PEI.

Equal area
    A budget is a share of the study cells (``area_budgets``, rounded to whole cells, at
    least one) or the cells of the top ``n_hotspots`` hotspots (``top_hotspots_budget``).
    Every method ranks the study cells in its own order and fills the budget in that
    order (``hotspots.grid.fill_budget``); cells tied at the edge of the budget share the
    remaining cells pro rata (the expected value of breaking the tie at random), so every
    method uses exactly the budget. A method that runs out of cells before the budget is
    full (the whole-hotspot methods) shows what it used in ``area_share``. With equal area
    and the drawn hotspots compared, every budget shrinks to the area they cover
    (``equal_area``).
Measures (``N`` test incidents in the study area, ``a`` cells chosen of ``A`` study cells)
    ``hit_rate = hits / N``; ``pai = hit_rate / (a / A)`` (predictive accuracy index,
    Chainey et al. 2008: 1 is what random cells score on average); ``pei = hits /
    best_hits`` (predictive efficiency index, Hunt 2016), ``best_hits`` being what the
    test period's own top ``a`` cells hold, so a method that is given the test period
    scores exactly 1 (``score_priority``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from hotspots.grid import fill_budget


@dataclass(frozen=True)
class Budget:
    """An area budget of the backtest.

    Attributes
    ----------
    label
        ``"1%"``, ``"2.5%"`` or ``"top 5 hotspots"``.
    cells
        The budget in study cells (at least one).
    share_index
        Position of its share in the backtest's ``area_shares``; None for the budget of
        the top hotspots.
    """

    label: str
    cells: int
    share_index: int | None


def share_label(share: float) -> str:
    """Return a budget's label: ``"3%"`` for whole per cents, else one decimal (``"2.5%"``)."""
    return f"{share:.0%}" if abs(share * 100 - round(share * 100)) < 1e-9 else f"{share:.1%}"


def area_budgets(area_shares: Sequence[float], n_cells: int) -> list[Budget]:
    """Return one budget per share of the study cells, rounded to whole cells (at least one).

    Parameters
    ----------
    area_shares
        Shares of the study area, each in (0, 1).
    n_cells
        Study cells.

    Returns
    -------
    list of Budget
        In the order of ``area_shares``.
    """
    return [
        Budget(share_label(share), max(1, round(share * n_cells)), i) for i, share in enumerate(area_shares)
    ]


def top_hotspots_budget(n_hotspots: int, cells: int) -> Budget:
    """Return the budget of the top ``n_hotspots`` hotspots, which cover ``cells`` study cells."""
    return Budget(f"top {n_hotspots} hotspots", max(1, cells), None)


def equal_area(budgets: Sequence[Budget], cells: int) -> list[Budget]:
    """Shrink every budget to at most ``cells`` (at least one): the area the drawn hotspots cover."""
    return [replace(budget, cells=min(budget.cells, max(1, cells))) for budget in budgets]


@dataclass(frozen=True)
class Score:
    """What one cell ranking caught at one budget.

    Attributes
    ----------
    cells
        Cells chosen (the budget, or fewer when fewer cells are selectable).
    area_share
        ``cells`` over the study cells.
    hits
        Test incidents in the chosen cells (ties at the edge pro rata).
    best_hits
        What the test period's own top cells of the same budget hold.
    hit_rate, pai, pei
        The measures (NaN where their denominator is 0).
    """

    cells: int
    area_share: float
    hits: float
    best_hits: float
    hit_rate: float
    pai: float
    pei: float


def score_priority(
    priority: NDArray[np.float64], test_counts: NDArray[np.float64], *, cells: int, n_cells: int
) -> Score:
    """Fill a budget in ``priority`` order and score what it caught of ``test_counts``.

    Parameters
    ----------
    priority
        One value per study cell, higher first; NaN marks cells never chosen.
    test_counts
        Test incidents per study cell (same order).
    cells
        The budget in cells.
    n_cells
        Study cells (the denominator of the area share).

    Returns
    -------
    Score
    """
    hits, used = fill_budget(priority, test_counts, cells=cells)
    best_hits, _ = fill_budget(test_counts, test_counts, cells=cells)
    n_test = float(test_counts.sum())
    share = used / n_cells
    hit_rate = hits / n_test if n_test else float("nan")
    return Score(
        cells=used,
        area_share=share,
        hits=hits,
        best_hits=best_hits,
        hit_rate=hit_rate,
        pai=hit_rate / share if share > 0 else float("nan"),
        pei=hits / best_hits if best_hits > 0 else float("nan"),
    )
