"""Did last period's hotspots predict this one? One backtest window for the app's analysis.

The app's question for a youth worker or a police unit is practical: "we can cover N % of
our area; would the places the map showed last period have caught this period's
incidents?" ``predictive_check`` answers it with the backtest engine
(``hotspots.backtest``) on exactly one window:

Window
    Train on the period of the same length right before the selection's period
    (``Selection.previous``: same categories, sources, districts, hours and weekdays),
    test on the selection's period.
Study area
    ``hotspots.grid.study_area``: the land of the selected districts' osa-alue
    (all of Helsinki when there is no district filter; never the territorial sea, and
    the sea inside district polygons is cut off beyond a 75 m shore margin), in the
    backtest's 150 m cells, so "N % of the area" is N % of the user's own land.
Methods and budgets
    ``dbscan`` with the analysis' eps and min_samples (not searched, so it is quick),
    ``grid``, ``kde-rule``, ``gistar`` and ``best`` (the test period's own top cells, the
    reference of PEI); budgets are the user's share plus 1 %, 3 % and 5 %.

``hotspots_in_budget`` answers the map's side of the same question: which of this
period's ranked hotspots fit in N % of the area, and how many incidents they hold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import ParameterError
from hotspots.analysis import Analysis
from hotspots.backtest.engine import BacktestParams, Method, backtest
from hotspots.backtest.windows import Window
from hotspots.grid import DEFAULT_CELL_M, StudyGrid, in_period, study_area, study_grid
from hotspots.selection import Selection, apply

#: Methods compared in the app, in display order (``best`` last: the reference).
PREDICTIVE_METHODS: Final[tuple[Method, ...]] = ("dbscan", "grid", "kde-rule", "gistar", "best")
#: Budgets always shown next to the user's own.
STANDARD_SHARES: Final = (0.01, 0.03, 0.05)
#: Fewest incidents in the study area in each period for a meaningful check.
MIN_INCIDENTS: Final = 20
#: Columns of ``PredictiveCheck.table`` (one row per budget and method).
TABLE_COLUMNS: Final = (
    "area_share",
    "method",
    "chosen",
    "cells",
    "area_km2",
    "hits",
    "n_test",
    "hit_rate",
    "pai",
    "pei",
)

Status = Literal["ok", "no_area", "no_period", "too_few_incidents"]


def _check_share(share: float, name: str = "share") -> float:
    value = float(share)
    if not 0 < value < 1:
        raise ParameterError(f"{name} must be in (0, 1), e.g. 0.03 for 3 % of the area, got {share}")
    return value


def budget_shares(share: float) -> tuple[float, ...]:
    """Return the user's share and ``STANDARD_SHARES``, ascending, without duplicates.

    Parameters
    ----------
    share
        The user's budget as a share of the study area, in (0, 1).

    Returns
    -------
    tuple of float
    """
    chosen = _check_share(share)
    # Rounded so 0.03 from a slider (3.0 / 100) and the standard 0.03 are the same budget.
    return tuple(sorted({round(s, 6) for s in (chosen, *STANDARD_SHARES)}))


@dataclass(frozen=True)
class BudgetFit:
    """The top hotspots that fit in an area budget.

    Attributes
    ----------
    area_share
        The budget as a share of the study area.
    budget_km2
        The budget in km².
    hotspots
        The fitting rows of the ranked hotspot table, in rank order.
    area_km2
        Their total area, km² (at most ``budget_km2``).
    incidents
        Current-period incidents in them (sum of ``n``).
    incident_share
        ``incidents`` over the period's incidents; NaN when the period has none.
    n_hotspots
        Hotspots in the whole table.
    top_area_km2
        Area of the top-ranked hotspot, km² (NaN when there is none): what the budget
        must at least hold for one to fit.
    """

    area_share: float
    budget_km2: float
    hotspots: gpd.GeoDataFrame
    area_km2: float
    incidents: int
    incident_share: float
    n_hotspots: int
    top_area_km2: float

    @property
    def count(self) -> int:
        """Number of hotspots that fit."""
        return len(self.hotspots)


def hotspots_in_budget(
    hotspots: pd.DataFrame, *, study_area_km2: float, share: float, n_incidents: int
) -> BudgetFit:
    """Return the hotspots, in rank order, whose cumulative area fits in ``share`` of the study area.

    The top hotspots are taken while their running total of ``area_km2`` stays within the
    budget; the first that would overflow it ends the list (a smaller one further down is
    not pulled forward: the list is "the top k").

    Parameters
    ----------
    hotspots
        Ranked hotspot table (``rank``, ``area_km2``, ``n``); not changed.
    study_area_km2
        The study area, km², > 0.
    share
        The budget, a share of the study area in (0, 1).
    n_incidents
        Incidents of the current period (the denominator of ``incident_share``).

    Returns
    -------
    BudgetFit
    """
    chosen = _check_share(share)
    if not np.isfinite(study_area_km2) or study_area_km2 <= 0:
        raise ParameterError(f"study_area_km2 must be > 0 km², got {study_area_km2}")
    if n_incidents < 0:
        raise ParameterError(f"n_incidents must be >= 0, got {n_incidents}")
    missing = [c for c in ("rank", "area_km2", "n") if c not in hotspots.columns]
    if missing:
        raise ParameterError(f"the hotspot table lacks the columns {missing}; pass Analysis.hotspots")
    budget_km2 = chosen * study_area_km2
    ordered = hotspots.sort_values("rank", kind="stable")
    running = ordered["area_km2"].to_numpy(dtype=np.float64).cumsum()
    # The tolerance keeps a budget that equals the total exactly from losing the last one.
    fits = int(np.searchsorted(running, budget_km2 * (1 + 1e-9), side="right"))
    chosen_rows = ordered.iloc[:fits]
    incidents = int(chosen_rows["n"].sum())
    return BudgetFit(
        area_share=chosen,
        budget_km2=budget_km2,
        hotspots=chosen_rows,
        area_km2=float(running[fits - 1]) if fits else 0.0,
        incidents=incidents,
        incident_share=incidents / n_incidents if n_incidents else float("nan"),
        n_hotspots=len(ordered),
        top_area_km2=float(running[0]) if len(ordered) else float("nan"),
    )


@dataclass(frozen=True)
class PredictiveCheck:
    """One backtest window of the app's analysis.

    Attributes
    ----------
    status
        ``"ok"``; ``"no_area"`` (the district filter covers no land: only the territorial
        sea; ``study_area_km2`` is 0); ``"no_period"`` (the selection has no start date); or
        ``"too_few_incidents"`` (fewer than ``MIN_INCIDENTS`` in the study area in the
        training or the test period). ``table`` is empty unless ``"ok"``.
    area_share
        The user's budget.
    study_area_km2
        The study area as counted in cells, km².
    train_since, train_until, test_since, test_until
        The periods (None when the selection has no start date).
    n_train, n_test
        Incidents in the study area in each period.
    table
        ``TABLE_COLUMNS``: per budget (ascending) and method (``PREDICTIVE_METHODS`` order)
        the hit rate, PAI and PEI; ``chosen`` marks the user's budget.
    """

    status: Status
    area_share: float
    study_area_km2: float
    train_since: pd.Timestamp | None
    train_until: pd.Timestamp | None
    test_since: pd.Timestamp | None
    test_until: pd.Timestamp | None
    n_train: int
    n_test: int
    table: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when the table holds results."""
        return self.status == "ok"

    def at_share(self, method: str) -> pd.Series | None:
        """Return the table row of ``method`` at the user's budget, or None."""
        rows = self.table[self.table["chosen"] & (self.table["method"] == method)]
        return rows.iloc[0] if len(rows) else None

    @property
    def leader(self) -> str | None:
        """The method (not ``best``) with the highest hit rate at the user's budget.

        Ties go to the earlier method of ``PREDICTIVE_METHODS`` (``dbscan`` first).
        """
        rows = self.table[self.table["chosen"] & (self.table["method"] != "best")]
        rows = rows[np.isfinite(rows["hit_rate"].to_numpy(dtype=np.float64))]
        if rows.empty:
            return None
        return str(rows.loc[rows["hit_rate"].idxmax(), "method"])


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "method" else float) for c in TABLE_COLUMNS})


def predictive_check(
    incidents: pd.DataFrame,
    analysis: Analysis,
    *,
    share: float,
    osaalue: gpd.GeoDataFrame,
    cell_m: float = DEFAULT_CELL_M,
) -> PredictiveCheck:
    """Train on the period before the analysis' period, test on it, at equal area.

    Parameters
    ----------
    incidents
        The full canonical incident table (all periods, ``x_m``/``y_m`` in EPSG:3067,
        aware ``occurred_at``); not changed.
    analysis
        The app's analysis: its ``selection`` gives the period and filters, its
        ``clustering`` eps and min_samples (DBSCAN is used whatever its method).
    share
        The user's budget, a share of the study area in (0, 1).
    osaalue
        The osa-alue layer (``hotspots.grid.study_area``).
    cell_m
        Cell side of the study grid, metres.

    Returns
    -------
    PredictiveCheck
        With ``status`` other than ``"ok"`` (and an empty table) when there is no
        period or too little data, rather than an exception.
    """
    chosen = _check_share(share)
    selection = analysis.selection
    try:
        grid: StudyGrid | None = study_grid(study_area(selection, osaalue), cell_m=cell_m)
    except ParameterError:
        grid = None
    result = partial(_result, share=chosen, selection=selection, grid=grid)
    if grid is None:
        return result("no_area")
    if selection.since is None:
        return result("no_period")
    window = _window(incidents, selection)
    if window is None:
        return result("too_few_incidents")
    both = apply(incidents, replace(selection, since=window.train_start, until=window.test_end))
    x = both["x_m"].to_numpy(dtype=np.float64)
    y = both["y_m"].to_numpy(dtype=np.float64)
    in_train = in_period(both["occurred_at"], window.train_start, window.test_start)
    in_test = in_period(both["occurred_at"], window.test_start, window.test_end)
    periods: dict[str, Any] = {
        "train_since": window.train_start,
        "train_until": window.test_start,
        "test_until": window.test_end,
        "n_train": int(grid.counts(x[in_train], y[in_train]).sum()),
        "n_test": int(grid.counts(x[in_test], y[in_test]).sum()),
    }
    if min(periods["n_train"], periods["n_test"]) < MIN_INCIDENTS:
        return result("too_few_incidents", **periods)
    params = BacktestParams(
        area_shares=budget_shares(chosen),
        methods=PREDICTIVE_METHODS,
        cell_m=cell_m,
        clustering=replace(analysis.clustering, method="dbscan"),
    )
    rows = backtest(both, params=params, grid=grid, windows=[window])
    return result("ok", table=_table(rows, params.area_shares, chosen), **periods)


def _result(
    status: Status, *, share: float, selection: Selection, grid: StudyGrid | None, **fields: Any
) -> PredictiveCheck:
    """Return a check with ``status``; fields not given are those of a check without results."""
    values: dict[str, Any] = {
        "train_since": None,
        "train_until": None,
        "test_since": selection.since,
        "test_until": selection.until,
        "n_train": 0,
        "n_test": 0,
        "table": _empty_table(),
    }
    values.update(fields)
    area_km2 = grid.area_km2 if grid is not None else 0.0
    return PredictiveCheck(status=status, area_share=share, study_area_km2=area_km2, **values)


def _window(incidents: pd.DataFrame, selection: Selection) -> Window | None:
    """Return the window: train on the period before the selection's, test on it.

    An open end is the day after the last incident, as the backtest's windows end; None
    when no incident is that late.
    """
    assert selection.since is not None  # the caller checks
    until = selection.until
    if until is None:
        last = incidents["occurred_at"].max()
        if pd.isna(last) or last < selection.since:
            return None
        until = last.normalize() + pd.Timedelta(days=1)
    test_selection = replace(selection, until=until)
    train_selection = test_selection.previous()
    assert train_selection.since is not None  # previous() keeps both ends
    return Window(train_start=train_selection.since, test_start=test_selection.since, test_end=until)


def _table(rows: pd.DataFrame, area_shares: tuple[float, ...], chosen: float) -> pd.DataFrame:
    """Return the backtest's rows as ``TABLE_COLUMNS``, by budget and in ``PREDICTIVE_METHODS`` order."""
    # Budget labels appear in the order of ``area_shares`` (the engine loops budgets inside methods).
    share_of = dict(zip(dict.fromkeys(rows["budget"]), area_shares, strict=True))
    shares = rows["budget"].map(share_of).to_numpy(dtype=np.float64)
    table = pd.DataFrame(
        {
            "area_share": shares,
            "method": rows["method"].astype(str).to_numpy(),
            "chosen": np.isclose(shares, round(chosen, 6)),
            "cells": rows["cells"].to_numpy(dtype=np.int64),
            "area_km2": rows["area_km2"].to_numpy(dtype=np.float64),
            "hits": rows["hits"].to_numpy(dtype=np.float64),
            "n_test": rows["n_test"].to_numpy(dtype=np.int64),
            "hit_rate": rows["hit_rate"].to_numpy(dtype=np.float64),
            "pai": rows["pai"].to_numpy(dtype=np.float64),
            "pei": rows["pei"].to_numpy(dtype=np.float64),
        }
    )
    order = {m: i for i, m in enumerate(PREDICTIVE_METHODS)}
    table = table.assign(_m=table["method"].map(order)).sort_values(["area_share", "_m"], kind="stable")
    return table.drop(columns="_m").reset_index(drop=True).loc[:, list(TABLE_COLUMNS)]
