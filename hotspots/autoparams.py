"""eps and min_samples chosen by the backtest itself (``--eps auto --min-samples auto``).

A hotspot map is only as good as the next period it predicts, so the default parameters
are the ones that predicted best *inside* the selected period. The period is split at its
middle; every candidate of ``hotspots.evaluation.EPS_CANDIDATES_M`` x
``MIN_SAMPLES_CANDIDATES`` (scaled to the data's density) clusters the first half, and
its hotspots, as the map shows them (each the union of its cells,
``hotspots.evaluation.hotspot_cells``), whole and
densest first, fill ``AUTO_AREA_SHARE`` of the study area; the candidate whose hotspots
caught most of the second half's incidents wins (ties: the larger min_samples, then the
smaller eps). min_samples is then scaled from the half to the whole period (a count in
an eps-disc grows with time).

The budget is 1 %, the tightest of the backtest's budgets, on purpose: at 3 % or 5 % of
Helsinki the best whole hotspots are wide (eps 300 m, a few km2 each), because only wide
hotspots fill such a budget; at 1 % they stay street-scale, which is what youth workers
and patrols act on. The area-budget control then shows which hotspots fit a wider budget.

The study area is what the user looks at: the selected districts' osa-alue (land and
inner waters; the territorial sea is never part of it), or all of Helsinki.

Only DBSCAN is tuned this way; HDBSCAN needs no eps, and ST-DBSCAN's time window makes a
split-half test of a different question, so both keep the given values (and say so).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.errors import ParameterError
from hotspots import evaluation
from hotspots.methods import ClusteringParams, cluster
from hotspots.selection import LEVEL_COLUMNS, Selection

#: The budget the parameters are chosen for: 1 % of the study area (see the module text).
AUTO_AREA_SHARE: Final = 0.01
#: min_samples tried on a half period of about ``HALF_WINDOW_REFERENCE`` incidents. Wider
#: than the backtest's own list: whole hotspots at 1 % favour dense cores.
MIN_SAMPLES_CANDIDATES: Final = (2, 3, 5, 7, 10, 15, 20, 30, 45, 70)
#: Incidents in the first half that ``MIN_SAMPLES_CANDIDATES`` suit; with more, the
#: candidates grow in proportion (a neighbourhood count grows with the incidents).
HALF_WINDOW_REFERENCE: Final = 2500
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
        One sentence (English) for reports and the CLI.
    hit_rate, default_hit_rate
        Share of the period's second half caught at ``area_share`` of the study area with
        the chosen and with the given parameters (NaN when not chosen).
    candidates
        Candidates tried (``eps_m``, ``min_samples``, ``smoothing``, ``hit_rate``); None
        when not chosen.
    given
        The parameters given (the reference of ``default_hit_rate``).
    """

    clustering: ClusteringParams
    chosen: bool
    reason: str
    hit_rate: float = float("nan")
    default_hit_rate: float = float("nan")
    area_share: float = AUTO_AREA_SHARE
    candidates: pd.DataFrame | None = None
    given: ClusteringParams | None = None


def study_area(selection: Selection, osaalue: gpd.GeoDataFrame) -> Any:
    """The osa-alue polygons the selection's district filter covers, as one polygon.

    Parameters
    ----------
    selection
        Its most detailed district choice (``Selection.district_filter``) decides, as in
        ``hotspots.selection.apply``; no choice means all of Helsinki. The territorial sea
        is always left out.
    osaalue
        The osa-alue layer (``code``, ``peruspiiri_code``, ``suurpiiri_code``, polygons),
        EPSG:3067.

    Returns
    -------
    shapely geometry
        The union, EPSG:3067 metres.

    Raises
    ------
    ParameterError
        No osa-alue with a land area matches the filter.
    """
    district = selection.district_filter
    codes = osaalue["code"].astype(str)
    # The territorial sea is never part of a youth worker's area, even when chosen.
    keep = (codes != evaluation.TERRITORIAL_SEA_CODE).to_numpy(dtype=bool)
    if district is not None:
        level, chosen = district
        column = "code" if level == "osaalue" else LEVEL_COLUMNS[level]
        keep &= osaalue[column].astype(str).isin([str(c) for c in chosen]).to_numpy(dtype=bool)
    polygons = osaalue.geometry.to_numpy()[keep]
    area = shapely.union_all(np.asarray(polygons, dtype=object)) if len(polygons) else None
    if area is not None and not shapely.is_empty(area):
        from geo import districts

        area = districts.on_land(area)  # the districts include sea; N % means N % of land
    if area is None or shapely.is_empty(area) or shapely.area(area) <= 0:
        raise ParameterError(
            f"the district filter {district} matches no osa-alue with a land area; choose other districts"
        )
    return area


@functools.lru_cache(maxsize=16)
def _grid(district: tuple[str, tuple[str, ...]] | None, cell_m: float) -> evaluation.StudyGrid:
    from geo import districts

    if district is None:
        return evaluation.study_grid(evaluation.helsinki_study_area(), cell_m=cell_m)
    level, codes = district
    # Only the district filter matters for the area.
    only = Selection(
        suurpiiri=codes if level == "suurpiiri" else (),
        peruspiiri=codes if level == "peruspiiri" else (),
        osaalue=codes if level == "osaalue" else (),
    )
    return evaluation.study_grid(study_area(only, districts.load_districts("osaalue")), cell_m=cell_m)


def study_grid_for(
    selection: Selection, *, cell_m: float = evaluation.DEFAULT_CELL_M
) -> evaluation.StudyGrid:
    """The study grid of a selection: its districts' osa-alue (``study_area``), or Helsinki's."""
    district = selection.district_filter
    key = None if district is None else (district[0], tuple(str(c) for c in district[1]))
    return _grid(key, float(cell_m))


def choose_parameters(
    current: pd.DataFrame,
    selection: Selection,
    clustering: ClusteringParams,
    *,
    auto_eps: bool = True,
    auto_min_samples: bool = True,
    grid: evaluation.StudyGrid | None = None,
    area_share: float = AUTO_AREA_SHARE,
) -> AutoChoice:
    """eps and/or min_samples for ``current`` (the selected period's incidents) by split-half backtest.

    See the module text for the method.

    Parameters
    ----------
    current
        The selected incidents (``x_m``, ``y_m``, aware ``occurred_at``).
    selection
        Its filters: the period (open ends: the incidents' own first and last day) and
        the districts that make the study area.
    clustering
        The given parameters: kept where not chosen, and the reference of ``default_hit_rate``.
    auto_eps, auto_min_samples
        Which of the two to choose.
    grid
        Study grid (default ``study_grid_for(selection)``).
    area_share
        The budget the choice is made for.

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
    first = evaluation.in_period(when, start, middle)
    second = evaluation.in_period(when, middle, stop)
    grid = study_grid_for(selection) if grid is None else grid
    half = current.loc[first].reset_index(drop=True)
    x = half["x_m"].to_numpy(dtype=np.float64)
    y = half["y_m"].to_numpy(dtype=np.float64)
    train_counts = grid.counts(x, y)
    test_counts = grid.counts(current.loc[second, "x_m"], current.loc[second, "y_m"])
    n_test = float(test_counts.sum())
    budget = max(1, round(area_share * grid.n_cells))
    # The candidates suit about HALF_WINDOW_REFERENCE incidents; denser data gets larger ones.
    density = max(1.0, len(half) / HALF_WINDOW_REFERENCE)
    pairs = evaluation.candidate_pairs(
        clustering,
        evaluation.EPS_CANDIDATES_M if auto_eps else None,
        sorted({max(2, round(m * density)) for m in MIN_SAMPLES_CANDIDATES}) if auto_min_samples else None,
    )
    rows = []
    discs: dict[float, NDArray[np.float64]] = {}
    for eps_m, min_samples in pairs:
        if eps_m not in discs:
            discs[eps_m] = evaluation.disc_counts(x, y, grid, eps_m=eps_m)
        labels = cluster(half, replace(clustering, eps_m=eps_m, min_samples=min_samples))
        priority = whole_hotspot_priority(
            x, y, labels, grid, train_counts, eps_m=eps_m, min_samples=min_samples, disc=discs[eps_m]
        )
        hits, _ = evaluation.fill_budget(priority, test_counts, cells=budget)
        rows.append(
            {"eps_m": eps_m, "min_samples": min_samples, "hit_rate": hits / n_test if n_test else 0.0}
        )
    table = pd.DataFrame(rows)
    best = evaluation.best_candidate(table, "hit_rate")
    given = table.loc[
        (table["eps_m"] == clustering.eps_m) & (table["min_samples"] == clustering.min_samples), "hit_rate"
    ]
    half_ms = int(best["min_samples"])
    scale = len(current) / max(len(half), 1)
    full_ms = max(2, round(half_ms * scale)) if auto_min_samples else half_ms
    chosen = replace(clustering, eps_m=float(best["eps_m"]), min_samples=full_ms)
    hit = float(best["hit_rate"])
    reason = (
        f"eps {chosen.eps_m:g} m, min_samples {full_ms} ({half_ms} on the first half, scaled to the "
        f"period's incidents): best of {len(table)} candidates; their hotspots from the period's first "
        f"half, whole and densest first on {area_share:.0%} of the area, caught {hit:.1%} "
        f"of the second half (eps {clustering.eps_m:g} m, min_samples {clustering.min_samples}: "
        f"{float(given.iloc[0]):.1%})"
    )
    return AutoChoice(
        clustering=chosen,
        chosen=True,
        reason=reason,
        hit_rate=hit,
        default_hit_rate=float(given.iloc[0]),
        area_share=float(area_share),
        candidates=table,
        given=clustering,
    )


def whole_hotspot_priority(
    x_m: NDArray[np.float64],
    y_m: NDArray[np.float64],
    labels: NDArray[np.int64],
    grid: evaluation.StudyGrid,
    counts: NDArray[np.float64],
    *,
    eps_m: float,
    min_samples: int,
    disc: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Cell priorities of whole hotspots, densest first (incidents per cell), as the map shows them.

    Parameters
    ----------
    x_m, y_m, labels
        The clustered incidents and their labels (-1 noise).
    grid
        Study grid.
    counts
        Incidents per study cell (``grid.counts``) of the same incidents.
    eps_m, min_samples
        The clustering parameters (for the hotspots' core cells).
    disc
        ``evaluation.disc_counts`` of the incidents at ``eps_m`` when already computed.

    Returns
    -------
    ndarray
        One value per study cell; NaN outside every hotspot (``evaluation.fill_budget``
        never chooses those).
    """
    cells = evaluation.hotspot_cells(x_m, y_m, labels, grid, eps_m=eps_m, min_samples=min_samples, disc=disc)
    density = {label: float(counts[c].sum()) / max(c.size, 1) for label, c in cells.items()}
    order = sorted(cells, key=lambda label: (-density[label], label))
    return evaluation.hotspot_priority([cells[label] for label in order], counts)
