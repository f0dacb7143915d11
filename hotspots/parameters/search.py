"""eps, min_samples and smoothing of the backtest's ``dbscan-cells`` reference, chosen per budget.

On each training window the same backtest runs inside it (``choose_clustering``): the
window is split at its middle, every candidate (``EPS_CANDIDATES_M`` x
``CELL_SEARCH_MIN_SAMPLES`` of ``hotspots.parameters.defaults`` where searched, x
``SMOOTHING_CANDIDATES``) clusters the first half and is scored on the second half at each
budget; the best hit rate wins (ties: the larger min_samples, the smaller eps, the
smaller smoothing), and the final hotspots are clustered on the whole training window
with it, min_samples scaled by the ratio of the window's incidents to its first half's (a
count in an eps-disc grows with time). The choice, and what the given parameters caught,
are reported in ``ParameterChoice.reason``.

This is a different search from the drawn hotspots' (``hotspots.parameters.auto``): its
cells are ranked densest first whatever their hotspot, each budget gets its own winner,
and min_samples is tried as it is, not scaled to the data's density.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Protocol

import numpy as np
import pandas as pd

from hotspots.clustering import ClusteringParams, cluster
from hotspots.grid import StudyGrid, cell_scores, dense_priority, hotspot_cells, in_period
from hotspots.parameters.auto import AUTO_AREA_SHARES, HeldOut, TrainingCells, candidate_pairs
from hotspots.parameters.defaults import CELL_SEARCH_MIN_SAMPLES, EPS_CANDIDATES_M, MIN_SAMPLES_FLOOR
from hotspots.study import aware_times

#: Candidate weights of the eps-disc density in the hotspot cell score (``cell_scores``).
SMOOTHING_CANDIDATES: Final = (0.0, 0.5, 1.0)


class TrainingWindow(Protocol):
    """A backtest window's training part: ``[train_start, test_start)`` (``hotspots.backtest.Window``)."""

    @property
    def train_start(self) -> pd.Timestamp:
        """First instant of the training part."""
        ...

    @property
    def test_start(self) -> pd.Timestamp:
        """End of the training part (excluded)."""
        ...


@dataclass(frozen=True)
class SearchCandidates:
    """The search grid of ``choose_clustering``.

    Attributes
    ----------
    eps_m
        Candidate eps, metres.
    min_samples
        Candidate min_samples on the first half of the training window.
    smoothing
        Candidate weights of the eps-disc density in the cell score.
    """

    eps_m: tuple[float, ...] = EPS_CANDIDATES_M
    min_samples: tuple[int, ...] = CELL_SEARCH_MIN_SAMPLES
    smoothing: tuple[float, ...] = SMOOTHING_CANDIDATES


@dataclass(frozen=True)
class ParameterChoice:
    """eps, min_samples and smoothing of ``dbscan`` chosen on a training window for one budget.

    Attributes
    ----------
    area_share
        The budget the choice is for.
    clustering
        The chosen eps and min_samples.
    smoothing
        The chosen weight of the eps-disc density in the cell score (``cell_scores``).
    hit_rate
        Its hit rate on the second half of the training window.
    default_hit_rate
        The same for the parameters given (the defaults), smoothing chosen alike.
    candidates
        Every candidate (``eps_m``, ``min_samples``, ``smoothing``, ``hit_rate``).
    """

    area_share: float
    clustering: ClusteringParams
    smoothing: float
    hit_rate: float
    default_hit_rate: float
    candidates: pd.DataFrame = field(repr=False)
    half_min_samples: int = 0

    @property
    def reason(self) -> str:
        """One sentence for reports."""
        base = f"eps {self.clustering.eps_m:g} m, min_samples {self.clustering.min_samples}"
        if self.half_min_samples and self.half_min_samples != self.clustering.min_samples:
            base += f" ({self.half_min_samples} on the half window, scaled to its incidents)"
        return (
            f"{base}, smoothing {self.smoothing:g}: best of {len(self.candidates)} candidates on "
            f"the training window's second half at {self.area_share:.0%} ({self.hit_rate:.1%} caught; "
            f"the given parameters {self.default_hit_rate:.1%})"
        )


def choose_clustering(
    incidents: pd.DataFrame,
    window: TrainingWindow,
    grid: StudyGrid,
    *,
    area_shares: Sequence[float] = AUTO_AREA_SHARES,
    base: ClusteringParams = ClusteringParams(),  # noqa: B008  (frozen dataclass)
    auto_eps: bool = True,
    auto_min_samples: bool = True,
    candidates: SearchCandidates = SearchCandidates(),
) -> list[ParameterChoice]:
    """Choose eps, min_samples and smoothing for ``dbscan`` by a backtest inside the training window.

    The training window is split at its middle; each candidate clusters the first half
    and fills each budget with its hotspot cells, densest first, and is scored on the
    second half. Per budget the best hit rate wins; ties go to the larger min_samples,
    then the smaller eps, then the smaller smoothing (fewer, tighter hotspots, each
    cell judged on its own count).

    Parameters
    ----------
    incidents
        All incidents (``x_m``, ``y_m``, aware ``occurred_at``).
    window
        The backtest window whose training part is searched.
    grid
        Study grid.
    area_shares
        The budgets, shares of the study cells.
    base
        Parameters kept where not searched, and the reference of ``default_hit_rate``.
    auto_eps, auto_min_samples
        Which of eps / min_samples to search (smoothing is always searched).
    candidates
        The search grid.

    Returns
    -------
    list of ParameterChoice
        One per area share, in order.
    """
    when = aware_times(incidents, "incidents")
    middle = window.train_start + (window.test_start - window.train_start) / 2
    first = in_period(when, window.train_start, middle)
    second = in_period(when, middle, window.test_start)
    training = TrainingCells.of(
        incidents.loc[first, ["x_m", "y_m", "occurred_at"]].reset_index(drop=True), grid
    )
    held_out = HeldOut.of(grid, incidents.loc[second, "x_m"], incidents.loc[second, "y_m"], area_shares)
    n_train = float(training.counts.sum())
    scale = (n_train + held_out.n) / max(n_train, 1.0)
    pairs = candidate_pairs(
        base,
        candidates.eps_m if auto_eps else None,
        candidates.min_samples if auto_min_samples else None,
    )
    table = _score_candidates(training, held_out, base, pairs, candidates.smoothing)
    return [
        _choice(table, i, float(share), base, scale=scale if auto_min_samples else None)
        for i, share in enumerate(area_shares)
    ]


def _score_candidates(
    training: TrainingCells,
    held_out: HeldOut,
    base: ClusteringParams,
    pairs: Sequence[tuple[float, int]],
    smoothing_candidates: Sequence[float],
) -> pd.DataFrame:
    """One row per candidate: eps, min_samples, smoothing and the hit rate at each budget."""
    grid = training.grid
    rows: list[dict[str, float]] = []
    for eps_m, min_samples in pairs:
        disc = training.disc(eps_m)
        labels = cluster(
            training.incidents, replace(base, method="dbscan", eps_m=eps_m, min_samples=min_samples)
        )
        cells = hotspot_cells(
            training.x_m, training.y_m, labels, grid, eps_m=eps_m, min_samples=min_samples, disc=disc
        )
        for smoothing in smoothing_candidates:
            scores = cell_scores(training.counts, disc, eps_m=eps_m, cell_m=grid.cell_m, smoothing=smoothing)
            row = {"eps_m": eps_m, "min_samples": float(min_samples), "smoothing": float(smoothing)}
            for i, rate in enumerate(held_out.hit_rates(dense_priority(cells, scores))):
                row[f"hit_rate_{i}"] = rate
            rows.append(row)
    return pd.DataFrame(rows)


def _choice(
    table: pd.DataFrame, index: int, share: float, base: ClusteringParams, *, scale: float | None
) -> ParameterChoice:
    """Return the best candidate at budget ``index``; ``scale`` (None: not searched) grows min_samples."""
    column = f"hit_rate_{index}"
    best = best_candidate(table, column)
    given = table.loc[(table["eps_m"] == base.eps_m) & (table["min_samples"] == base.min_samples), column]
    candidates = table.loc[:, ["eps_m", "min_samples", "smoothing", column]].rename(
        columns={column: "hit_rate"}
    )
    candidates["min_samples"] = candidates["min_samples"].astype(np.int64)
    half_ms = int(best["min_samples"])
    # min_samples counts incidents in an eps-disc: the whole window has more of them.
    full_ms = max(MIN_SAMPLES_FLOOR, round(half_ms * scale)) if scale is not None else half_ms
    return ParameterChoice(
        area_share=share,
        clustering=replace(base, method="dbscan", eps_m=float(best["eps_m"]), min_samples=full_ms),
        half_min_samples=half_ms,
        smoothing=float(best["smoothing"]),
        hit_rate=float(best[column]),
        default_hit_rate=float(given.max()),
        candidates=candidates,
    )


def best_candidate(table: pd.DataFrame, column: str) -> pd.Series:
    """Return the row of ``table`` with the highest ``column``.

    Ties go to the larger min_samples, then the smaller eps, then (when there is one) the
    smaller smoothing: fewer, tighter hotspots, each cell judged on its own count.
    """
    keys = [column, "neg_ms", "eps_m", *(["smoothing"] if "smoothing" in table.columns else [])]
    ranked = table.assign(neg_ms=-table["min_samples"]).sort_values(
        keys, ascending=[False, *([True] * (len(keys) - 1))], kind="stable"
    )
    return ranked.iloc[0]
