"""eps, min_samples and the cell score chosen by a backtest of the drawn hotspots (``auto_eps``).

A hotspot map is only as good as the next period it predicts, so the default parameters
are the ones whose *drawn hotspots* predicted best inside the selected period. The period
is split at its middle; every candidate of ``EPS_CANDIDATES_M`` x ``REFERENCE_MIN_SAMPLES``
(scaled to the data's density; both in ``hotspots.parameters.defaults``) x
``SCORING_CANDIDATES`` (what a cell's score counts and how much DBSCAN's eps-disc smooths
it) clusters the first half (``TrainingCells``) and cuts it into hotspot areas exactly as
the map draws them (``hotspots.areas``: street-scale unions of study cells, under the size
rule). The areas, taken whole in rank order, fill 1 %, 3 % and 5 % of the study area
(``HeldOut``); the candidate whose hotspots caught most of the second half's incidents on
average wins; among candidates within one standard error of the best (binomial noise of
the second half's count), the simplest (``SIMPLICITY``: no smoothing, plain counts, the
smaller eps, the smaller min_samples), so sparse data do not pick an elaborate candidate
by chance. min_samples is then scaled from the half to the whole period (a count in an
eps-disc grows with time).

The size rule (``areas.AreaParams``: each hotspot at most 0.25 km², all together at most
5 % of the study area) holds for every candidate, so "one blob covering the city" can never
win: a city-wide DBSCAN cluster only contributes its densest street-scale pieces.

The study area is what the user looks at: the selected districts' osa-alue (land and
inner waters; the territorial sea is never part of it), or all of Helsinki.

Only DBSCAN is tuned this way; HDBSCAN needs no eps, and ST-DBSCAN's time window makes a
split-half test of a different question, so both keep the given values (and say so).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspots import areas
from hotspots import grid as study
from hotspots.clustering import Basis, ClusteringParams, cluster
from hotspots.parameters.defaults import (
    EPS_CANDIDATES_M,
    MIN_SAMPLES_FLOOR,
    REFERENCE_DENSITY_KM2,
    REFERENCE_MIN_SAMPLES,
)
from hotspots.selection import Selection

#: The budgets the drawn hotspots are scored at (their mean hit rate decides).
AUTO_AREA_SHARES: Final = (0.01, 0.03, 0.05)
#: Candidate cell scores: (what a cell counts, weight of the eps-disc density).
SCORING_CANDIDATES: Final[tuple[tuple[Basis, float], ...]] = (
    ("incidents", 0.0),
    ("incidents", 0.5),
    ("incidents", 1.0),
    ("days", 0.0),
    ("days", 0.5),
)
#: Fewer incidents than this in the selected period: too few to learn from; keep the defaults.
MIN_INCIDENTS: Final = 60
#: Candidate columns from the simplest value to the most elaborate (``simplest_within_noise``):
#: no smoothing, plain incident counts, the tightest eps and the least DBSCAN filtering
#: make hotspots that are the densest cells themselves.
SIMPLICITY: Final[tuple[tuple[str, bool], ...]] = (
    ("smoothing", True),
    ("basis_days", True),
    ("eps_m", True),
    ("min_samples", True),
)


@dataclass(frozen=True)
class AutoChoice:
    """The parameters used and why.

    Attributes
    ----------
    clustering
        What the hotspots were found with (eps and min_samples resolved).
    chosen
        True when the backtest chose them; False when the defaults were kept.
    reason
        One paragraph (English) for reports and the CLI, with the size rule.
    hit_rate, default_hit_rate
        Share of the period's second half caught by the first half's hotspots, mean over
        ``AUTO_AREA_SHARES`` of the study area, with the chosen and with the given
        parameters (NaN when not chosen).
    area_share
        The smallest budget scored.
    candidates
        Candidates tried (``eps_m``, ``min_samples``, ``basis``, ``smoothing``,
        ``hotspots``, ``hit_rate``); None when not chosen.
    given
        The parameters given (the reference of ``default_hit_rate``).
    """

    clustering: ClusteringParams
    chosen: bool
    reason: str
    hit_rate: float = float("nan")
    default_hit_rate: float = float("nan")
    area_share: float = AUTO_AREA_SHARES[0]
    candidates: pd.DataFrame | None = None
    given: ClusteringParams | None = None


@dataclass(frozen=True)
class TrainingCells:
    """The incidents a candidate learns from, counted on the study grid once for every candidate.

    Attributes
    ----------
    incidents
        The training incidents (``x_m``, ``y_m``, aware ``occurred_at``), index 0..n-1.
    grid
        Study grid.
    counts
        Incidents per study cell.
    bases
        Per study cell, what each basis of a cell score counts (``"incidents"``, ``"days"``).
    """

    incidents: pd.DataFrame
    grid: study.StudyGrid
    counts: NDArray[np.float64] = field(repr=False)
    bases: dict[str, NDArray[np.float64]] = field(repr=False)
    _discs: dict[float, NDArray[np.float64]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def of(cls, incidents: pd.DataFrame, grid: study.StudyGrid) -> TrainingCells:
        """Count ``incidents`` (index 0..n-1) on ``grid`` by every basis."""
        x, y = incidents["x_m"].to_numpy(dtype=np.float64), incidents["y_m"].to_numpy(dtype=np.float64)
        counts = grid.counts(x, y)
        days = study.cell_counts(grid, x, y, incidents["occurred_at"], basis="days")
        return cls(incidents, grid, counts, {"incidents": counts, "days": days})

    @property
    def x_m(self) -> NDArray[np.float64]:
        """Easting of each training incident, metres."""
        return self.incidents["x_m"].to_numpy(dtype=np.float64)

    @property
    def y_m(self) -> NDArray[np.float64]:
        """Northing of each training incident, metres."""
        return self.incidents["y_m"].to_numpy(dtype=np.float64)

    def disc(self, eps_m: float) -> NDArray[np.float64]:
        """Return the training incidents within ``eps_m`` of each cell centre (computed once per eps)."""
        if eps_m not in self._discs:
            self._discs[eps_m] = study.disc_counts(self.x_m, self.y_m, self.grid, eps_m=eps_m)
        return self._discs[eps_m]


@dataclass(frozen=True)
class HeldOut:
    """The incidents a candidate is scored on and the budgets it fills.

    Attributes
    ----------
    counts
        Held-out incidents per study cell.
    budgets
        Budgets in cells (shares of the study cells, at least one cell each).
    """

    counts: NDArray[np.float64] = field(repr=False)
    budgets: tuple[int, ...]

    @classmethod
    def of(
        cls, grid: study.StudyGrid, x_m: ArrayLike, y_m: ArrayLike, area_shares: Sequence[float]
    ) -> HeldOut:
        """Count the held-out incidents on ``grid`` and turn ``area_shares`` into cells."""
        budgets = tuple(max(1, round(share * grid.n_cells)) for share in area_shares)
        return cls(grid.counts(x_m, y_m), budgets)

    @property
    def n(self) -> float:
        """Held-out incidents in the study cells."""
        return float(self.counts.sum())

    def hit_rates(self, priority: NDArray[np.float64]) -> list[float]:
        """Return the share of the held-out incidents ``priority`` catches at each budget (0 without any)."""
        n = self.n
        return [study.fill_budget(priority, self.counts, cells=b)[0] / n if n else 0.0 for b in self.budgets]

    def hit_rate(self, priority: NDArray[np.float64]) -> float:
        """Return the mean share of the held-out incidents ``priority`` catches at the budgets."""
        return float(np.mean(self.hit_rates(priority)))


def choose_parameters(
    current: pd.DataFrame,
    selection: Selection,
    clustering: ClusteringParams,
    *,
    auto_eps: bool = True,
    auto_min_samples: bool = True,
    grid: study.StudyGrid | None = None,
    area_shares: Sequence[float] = AUTO_AREA_SHARES,
    area_params: areas.AreaParams = areas.AreaParams(),  # noqa: B008  (frozen dataclass)
) -> AutoChoice:
    """Choose eps, min_samples, smoothing and basis for ``current`` by split-half backtest of its hotspots.

    See the module text for the method.

    Parameters
    ----------
    current
        The selected incidents (``x_m``, ``y_m``, aware ``occurred_at``).
    selection
        Its filters: the period (open ends: the incidents' own first and last day) and
        the districts that make the study area (when ``grid`` is not given).
    clustering
        The given parameters: kept where not chosen, and the reference of ``default_hit_rate``.
    auto_eps, auto_min_samples
        Which of the two to choose (smoothing and basis are chosen with them).
    grid
        Study grid (default ``hotspots.grid.study_grid_for(selection)``).
    area_shares
        The budgets the hotspots are scored at (their mean hit rate decides).
    area_params
        The size rule of the hotspots.

    Returns
    -------
    AutoChoice
    """
    kept = _kept_parameters(current, clustering, auto_eps=auto_eps, auto_min_samples=auto_min_samples)
    if kept is not None:
        return kept
    first, second = _halves(current["occurred_at"], selection)
    grid = study.study_grid_for(selection) if grid is None else grid
    training = TrainingCells.of(current.loc[first].reset_index(drop=True), grid)
    held_out = HeldOut.of(grid, current.loc[second, "x_m"], current.loc[second, "y_m"], area_shares)
    pairs = candidate_pairs(
        clustering,
        EPS_CANDIDATES_M if auto_eps else None,
        _reference_candidates(training) if auto_min_samples else None,
    )
    table = _score_candidates(training, held_out, clustering, pairs, area_params)
    size_rule = f"Size rule: {area_params.describe(grid.cell_m)}"
    if not (table["hit_rate"] > 0).any():
        return AutoChoice(
            clustering,
            False,
            f"no candidate's hotspots from the period's first half caught any of its second half "
            f"({len(table)} tried): too sparse to choose from, so eps {clustering.eps_m:g} m and "
            f"min_samples {clustering.min_samples} (the defaults). {size_rule}",
            candidates=table,
            given=clustering,
        )
    best = simplest_within_noise(table, "hit_rate", n_test=held_out.n, simplicity=SIMPLICITY)
    scale = len(current) / max(len(training.incidents), 1) if auto_min_samples else None
    chosen = _winner(best, clustering, scale=scale)
    default_hit = _given_hit_rate(table, clustering)
    return AutoChoice(
        clustering=chosen,
        chosen=True,
        reason=_reason(
            chosen, clustering, best, tried=len(table), default_hit=default_hit, shares=area_shares
        )
        + f" {size_rule}",
        hit_rate=float(best["hit_rate"]),
        default_hit_rate=default_hit,
        area_share=float(area_shares[0]),
        candidates=table,
        given=clustering,
    )


def _kept_parameters(
    current: pd.DataFrame, clustering: ClusteringParams, *, auto_eps: bool, auto_min_samples: bool
) -> AutoChoice | None:
    """Return the given parameters and why when nothing is to be chosen; None when the backtest chooses."""
    if not (auto_eps or auto_min_samples):
        return AutoChoice(clustering, False, "eps and min_samples as given")
    if clustering.method != "dbscan":
        return AutoChoice(
            clustering,
            False,
            f"{clustering.method}: eps {clustering.eps_m:g} m and min_samples {clustering.min_samples} "
            "as given (the automatic choice tunes DBSCAN only)",
        )
    if len(current) < MIN_INCIDENTS:
        return AutoChoice(
            clustering,
            False,
            f"only {len(current)} incidents selected (fewer than {MIN_INCIDENTS}): too few to choose "
            f"from, so eps {clustering.eps_m:g} m and min_samples {clustering.min_samples} (the defaults)",
        )
    return None


def _reference_candidates(training: TrainingCells) -> list[int]:
    """Return ``REFERENCE_MIN_SAMPLES`` scaled to the training incidents' density."""
    return min_samples_candidates(REFERENCE_MIN_SAMPLES, len(training.incidents), training.grid.area_km2)


def _winner(best: pd.Series, clustering: ClusteringParams, *, scale: float | None) -> ClusteringParams:
    """Return the winning candidate's parameters; min_samples grows by ``scale`` (None: as tried)."""
    half_ms = int(best["min_samples"])
    return replace(
        clustering,
        eps_m=float(best["eps_m"]),
        min_samples=max(MIN_SAMPLES_FLOOR, round(half_ms * scale)) if scale is not None else half_ms,
        smoothing=float(best["smoothing"]),
        basis=str(best["basis"]),  # type: ignore[arg-type]
    )


def _halves(when: pd.Series, selection: Selection) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Masks of the period's first and second half (open ends: the incidents' first and last day)."""
    start = selection.since if selection.since is not None else when.min().normalize()
    stop = selection.until if selection.until is not None else when.max().normalize() + pd.Timedelta(days=1)
    middle = start + (stop - start) / 2
    return study.in_period(when, start, middle), study.in_period(when, middle, stop)


def _score_candidates(
    training: TrainingCells,
    held_out: HeldOut,
    clustering: ClusteringParams,
    pairs: Sequence[tuple[float, int]],
    area_params: areas.AreaParams,
) -> pd.DataFrame:
    """One row per (eps, min_samples) pair and cell score: its drawn hotspots' held-out hit rate."""
    rows = []
    for eps_m, min_samples in pairs:
        labels = cluster(training.incidents, replace(clustering, eps_m=eps_m, min_samples=min_samples))
        for scored in score_scorings(
            training, labels, eps_m=eps_m, min_samples=min_samples, held_out=held_out, area_params=area_params
        ):
            rows.append({"eps_m": eps_m, "min_samples": min_samples, **scored})
    return pd.DataFrame(rows)


def _reason(
    chosen: ClusteringParams,
    given: ClusteringParams,
    best: pd.Series,
    *,
    tried: int,
    default_hit: float,
    shares: Sequence[float],
) -> str:
    """Say which candidate won and what it and the given parameters caught."""
    budgets = "/".join(f"{share:.0%}" for share in shares)
    return (
        f"eps {chosen.eps_m:g} m, min_samples {chosen.min_samples} ({int(best['min_samples'])} on the first "
        f"half, scaled to the period's incidents), cells scored by {chosen.basis} with smoothing "
        f"{chosen.smoothing:g}: the simplest of {tried} candidates within noise of the best; their hotspots "
        f"from the period's first half, in rank order, caught {float(best['hit_rate']):.1%} of the second "
        f"half on average at {budgets} of the area (eps {given.eps_m:g} m, min_samples {given.min_samples}: "
        f"{default_hit:.1%})."
    )


def _given_hit_rate(table: pd.DataFrame, clustering: ClusteringParams) -> float:
    """Return the hit rate of the given parameters among the candidates (NaN when not tried)."""
    given = table.loc[
        (table["eps_m"] == clustering.eps_m)
        & (table["min_samples"] == clustering.min_samples)
        & (table["basis"] == clustering.basis)
        & (table["smoothing"] == clustering.smoothing),
        "hit_rate",
    ]
    return float(given.iloc[0]) if len(given) else float("nan")


def score_scorings(
    training: TrainingCells,
    labels: NDArray[np.int64],
    *,
    eps_m: float,
    min_samples: int,
    held_out: HeldOut,
    area_params: areas.AreaParams,
) -> list[dict[str, object]]:
    """Score each cell score of ``SCORING_CANDIDATES`` on one clustering by its drawn hotspots' hit rate.

    The hotspots are built as the map draws them (``areas.hotspot_areas``) from the
    training incidents and taken whole in rank order up to each budget (cells) of
    ``held_out.budgets``; the score is the mean share of ``held_out`` they catch.

    Returns
    -------
    list of dict
        ``basis``, ``smoothing``, ``hotspots`` (how many) and ``hit_rate`` per scoring.
    """
    x_m, y_m, grid = training.x_m, training.y_m, training.grid
    disc = training.disc(eps_m)
    cluster_cells = study.hotspot_cells(
        x_m, y_m, labels, grid, eps_m=eps_m, min_samples=min_samples, disc=disc
    )
    out: list[dict[str, object]] = []
    for basis, smoothing in SCORING_CANDIDATES:
        scores = study.cell_scores(
            training.bases[basis], disc, eps_m=eps_m, cell_m=grid.cell_m, smoothing=smoothing
        )
        found = areas.hotspot_areas(scores, training.counts, cluster_cells, grid, params=area_params)
        priority = areas.ranked_priority(found.cells, found.scores)
        out.append(
            {
                "basis": basis,
                "smoothing": smoothing,
                "hotspots": len(found),
                "hit_rate": held_out.hit_rate(priority),
            }
        )
    return out


def density_scale(n_incidents: int, area_km2: float) -> float:
    """How much denser than ``REFERENCE_DENSITY_KM2`` the incidents are (at least 1)."""
    if area_km2 <= 0:
        return 1.0
    return max(1.0, n_incidents / area_km2 / REFERENCE_DENSITY_KM2)


def min_samples_candidates(base: Sequence[int], n_incidents: int, area_km2: float) -> list[int]:
    """Scale ``base`` to the incidents' density, plus the floor (no filtering beyond a pair), ascending."""
    scale = density_scale(n_incidents, area_km2)
    return sorted({MIN_SAMPLES_FLOOR, *(max(MIN_SAMPLES_FLOOR, round(m * scale)) for m in base)})


def candidate_pairs(
    base: ClusteringParams, eps_m: Sequence[float] | None, min_samples: Sequence[int] | None
) -> list[tuple[float, int]]:
    """(eps, min_samples) pairs to try: the grid of the given lists, then ``base``'s own pair.

    A list that is None keeps ``base``'s value (that parameter is not searched). ``base``'s
    pair is always tried last, as the reference of what the given parameters catch.
    """
    eps_list = [float(e) for e in eps_m] if eps_m is not None else [base.eps_m]
    ms_list = [int(m) for m in min_samples] if min_samples is not None else [base.min_samples]
    pairs = [(e, m) for e in eps_list for m in ms_list]
    return list(dict.fromkeys([*pairs, (base.eps_m, base.min_samples)]))


def simplest_within_noise(
    table: pd.DataFrame, column: str, *, n_test: float, simplicity: Sequence[tuple[str, bool]]
) -> pd.Series:
    """Return the simplest candidate whose score is within one standard error of the best.

    The split-half score of a candidate is a share of ``n_test`` incidents, so it carries
    binomial noise of about ``sqrt(p (1 - p) / n_test)``. On sparse data every candidate
    is within that noise of the best, and the most elaborate one would win by chance; the
    one-standard-error rule (Breiman et al. 1984) then keeps the simplest, and on dense
    data it changes nothing that the data can tell apart.

    Parameters
    ----------
    table
        Candidates, one per row, with ``column`` and the ``simplicity`` columns
        (``basis_days`` is derived from ``basis`` when missing).
    column
        The score (higher is better).
    n_test
        Incidents the score was measured on.
    simplicity
        ``(column, ascending)`` pairs, most important first: the sort that puts the
        simplest candidate first.

    Returns
    -------
    Series
        The chosen row.
    """
    frame = table.copy()
    if "basis_days" not in frame.columns and "basis" in frame.columns:
        frame["basis_days"] = (frame["basis"] == "days").astype(int)
    best = float(frame[column].max())
    noise = math.sqrt(max(best * (1 - best), 0.0) / n_test) if n_test > 0 else 0.0
    near = frame.loc[frame[column] >= best - noise]
    keys = [name for name, _ in simplicity if name in near.columns]
    ascending = [up for name, up in simplicity if name in near.columns]
    return near.sort_values(keys, ascending=ascending, kind="stable").iloc[0]
