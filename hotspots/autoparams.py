"""eps, min_samples and the cell score chosen by the backtest itself (``--eps auto --min-samples auto``).

A hotspot map is only as good as the next period it predicts, so the default parameters
are the ones whose *drawn hotspots* predicted best inside the selected period. The period
is split at its middle; every candidate of ``EPS_CANDIDATES_M`` x ``MIN_SAMPLES_CANDIDATES``
(scaled to the data's density) x ``SCORING_CANDIDATES`` (what a cell's score counts and how
much DBSCAN's eps-disc smooths it) clusters the first half and cuts it into hotspot areas
exactly as the map draws them (``hotspots.areas``: street-scale unions of study cells,
under the size rule). The areas, taken whole in rank order, fill 1 %, 3 % and 5 % of the
study area; the candidate whose hotspots caught most of the second half's incidents on
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
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspots import areas
from hotspots import grid as study
from hotspots.clustering import Basis, ClusteringParams, cluster
from hotspots.selection import Selection

#: The budgets the drawn hotspots are scored at (their mean hit rate decides).
AUTO_AREA_SHARES: Final = (0.01, 0.03, 0.05)
#: Candidate eps, metres.
EPS_CANDIDATES_M: Final = (100.0, 150.0, 200.0, 300.0)
#: Candidate cell scores: (what a cell counts, weight of the eps-disc density).
SCORING_CANDIDATES: Final[tuple[tuple[Basis, float], ...]] = (
    ("incidents", 0.0),
    ("incidents", 0.5),
    ("incidents", 1.0),
    ("days", 0.0),
    ("days", 0.5),
)
#: min_samples tried on a half period of ``REFERENCE_DENSITY_KM2`` incidents per km² of the
#: study area (scaled up for denser data by ``min_samples_candidates``).
MIN_SAMPLES_CANDIDATES: Final = (3, 5, 10, 20, 45)
#: Incidents in the first half that ``MIN_SAMPLES_CANDIDATES`` suit; with more, the
#: candidates grow in proportion (a neighbourhood count grows with the incidents).
HALF_WINDOW_REFERENCE: Final = 2500
#: Incidents per km² that ``MIN_SAMPLES_CANDIDATES`` suit: ``HALF_WINDOW_REFERENCE`` over
#: Helsinki's 226 km² of land. A count in an eps-disc grows with the density, not with the
#: size of the city.
REFERENCE_DENSITY_KM2: Final = HALF_WINDOW_REFERENCE / 226.0
#: Fewer incidents than this in the selected period: too few to learn from; keep the defaults.
MIN_INCIDENTS: Final = 60


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
    """eps, min_samples, smoothing and basis for ``current`` by split-half backtest of the drawn hotspots.

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
    when = current["occurred_at"]
    start = selection.since if selection.since is not None else when.min().normalize()
    stop = selection.until if selection.until is not None else when.max().normalize() + pd.Timedelta(days=1)
    middle = start + (stop - start) / 2
    first = study.in_period(when, start, middle)
    second = study.in_period(when, middle, stop)
    grid = study.study_grid_for(selection) if grid is None else grid
    half = current.loc[first].reset_index(drop=True)
    x = half["x_m"].to_numpy(dtype=np.float64)
    y = half["y_m"].to_numpy(dtype=np.float64)
    counts = grid.counts(x, y)
    bases = {"incidents": counts, "days": study.cell_counts(grid, x, y, half["occurred_at"], basis="days")}
    test_counts = grid.counts(current.loc[second, "x_m"], current.loc[second, "y_m"])
    n_test = float(test_counts.sum())
    budgets = [max(1, round(share * grid.n_cells)) for share in area_shares]
    pairs = candidate_pairs(
        clustering,
        EPS_CANDIDATES_M if auto_eps else None,
        min_samples_candidates(MIN_SAMPLES_CANDIDATES, len(half), grid.area_km2)
        if auto_min_samples
        else None,
    )
    rows = []
    discs: dict[float, NDArray[np.float64]] = {}
    for eps_m, min_samples in pairs:
        if eps_m not in discs:
            discs[eps_m] = study.disc_counts(x, y, grid, eps_m=eps_m)
        labels = cluster(half, replace(clustering, eps_m=eps_m, min_samples=min_samples))
        for scored in score_scorings(
            x,
            y,
            labels,
            grid,
            eps_m=eps_m,
            min_samples=min_samples,
            disc=discs[eps_m],
            counts=counts,
            bases=bases,
            test_counts=test_counts,
            budgets=budgets,
            area_params=area_params,
        ):
            rows.append({"eps_m": eps_m, "min_samples": min_samples, **scored})
    table = pd.DataFrame(rows)
    if not (table["hit_rate"] > 0).any():
        return AutoChoice(
            clustering,
            False,
            f"no candidate's hotspots from the period's first half caught any of its second half "
            f"({len(table)} tried): too sparse to choose from, so eps {clustering.eps_m:g} m and "
            f"min_samples {clustering.min_samples} (the defaults). Size rule: "
            f"{area_params.describe(grid.cell_m)}",
            candidates=table,
            given=clustering,
        )
    best = simplest_within_noise(table, "hit_rate", n_test=n_test, simplicity=SIMPLICITY)
    given = table.loc[
        (table["eps_m"] == clustering.eps_m)
        & (table["min_samples"] == clustering.min_samples)
        & (table["basis"] == clustering.basis)
        & (table["smoothing"] == clustering.smoothing),
        "hit_rate",
    ]
    default_hit = float(given.iloc[0]) if len(given) else float("nan")
    half_ms = int(best["min_samples"])
    scale = len(current) / max(len(half), 1)
    full_ms = max(2, round(half_ms * scale)) if auto_min_samples else half_ms
    chosen = replace(
        clustering,
        eps_m=float(best["eps_m"]),
        min_samples=full_ms,
        smoothing=float(best["smoothing"]),
        basis=str(best["basis"]),  # type: ignore[arg-type]
    )
    hit = float(best["hit_rate"])
    shares = "/".join(f"{share:.0%}" for share in area_shares)
    reason = (
        f"eps {chosen.eps_m:g} m, min_samples {full_ms} ({half_ms} on the first half, scaled to the "
        f"period's incidents), cells scored by {chosen.basis} with smoothing {chosen.smoothing:g}: the "
        f"simplest of {len(table)} candidates within noise of the best; their hotspots from the "
        f"period's first half, in rank order, caught "
        f"{hit:.1%} of the second half on average at {shares} of the area (eps {clustering.eps_m:g} m, "
        f"min_samples {clustering.min_samples}: {default_hit:.1%}). Size rule: "
        f"{area_params.describe(grid.cell_m)}"
    )
    return AutoChoice(
        clustering=chosen,
        chosen=True,
        reason=reason,
        hit_rate=hit,
        default_hit_rate=default_hit,
        area_share=float(area_shares[0]),
        candidates=table,
        given=clustering,
    )


def score_scorings(
    x_m: NDArray[np.float64],
    y_m: NDArray[np.float64],
    labels: NDArray[np.int64],
    grid: study.StudyGrid,
    *,
    eps_m: float,
    min_samples: int,
    disc: NDArray[np.float64],
    counts: NDArray[np.float64],
    bases: dict[str, NDArray[np.float64]],
    test_counts: NDArray[np.float64],
    budgets: Sequence[int],
    area_params: areas.AreaParams,
) -> list[dict[str, object]]:
    """Each cell score of ``SCORING_CANDIDATES`` on one clustering: its drawn hotspots' mean hit rate.

    The hotspots are built as the map draws them (``areas.hotspot_areas``) from the
    training incidents and taken whole in rank order up to each budget (cells) of
    ``budgets``; the score is the mean share of ``test_counts`` they catch.

    Returns
    -------
    list of dict
        ``basis``, ``smoothing``, ``hotspots`` (how many) and ``hit_rate`` per scoring.
    """
    n_test = float(test_counts.sum())
    cluster_cells = study.hotspot_cells(
        x_m, y_m, labels, grid, eps_m=eps_m, min_samples=min_samples, disc=disc
    )
    out: list[dict[str, object]] = []
    for basis, smoothing in SCORING_CANDIDATES:
        found = areas.hotspot_areas(
            x_m,
            y_m,
            labels,
            grid,
            eps_m=eps_m,
            min_samples=min_samples,
            smoothing=smoothing,
            params=area_params,
            disc=disc,
            counts=counts,
            basis_counts=bases[basis],
            cluster_cells=cluster_cells,
        )
        priority = areas.ranked_priority(found.cells, found.scores)
        rates = [
            study.fill_budget(priority, test_counts, cells=b)[0] / n_test if n_test else 0.0 for b in budgets
        ]
        out.append(
            {
                "basis": basis,
                "smoothing": smoothing,
                "hotspots": len(found),
                "hit_rate": float(np.mean(rates)),
            }
        )
    return out


def density_scale(n_incidents: int, area_km2: float) -> float:
    """How much denser than ``REFERENCE_DENSITY_KM2`` the incidents are (at least 1)."""
    if area_km2 <= 0:
        return 1.0
    return max(1.0, n_incidents / area_km2 / REFERENCE_DENSITY_KM2)


def min_samples_candidates(base: Sequence[int], n_incidents: int, area_km2: float) -> list[int]:
    """Scale ``base`` to the incidents' density, plus 2 (no filtering beyond a pair), ascending."""
    scale = density_scale(n_incidents, area_km2)
    return sorted({2, *(max(2, round(m * scale)) for m in base)})


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


#: Candidate columns from the simplest value to the most elaborate (``simplest_within_noise``):
#: no smoothing, plain incident counts, the tightest eps and the least DBSCAN filtering
#: make hotspots that are the densest cells themselves.
SIMPLICITY: Final[tuple[tuple[str, bool], ...]] = (
    ("smoothing", True),
    ("basis_days", True),
    ("eps_m", True),
    ("min_samples", True),
)


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
