"""Which hotspot first: a documented priority score and a rank.

By default a hotspot ranks by its **intensity**: expected incidents per km² of its cells
(``intensity_km2`` of ``hotspots.areas``: the mean cell score, chosen by backtest). Taken
in that order, the hotspots put a patrol's or an outreach pair's evening where it meets
the most incidents, and fill any area budget with the places that held the most of the
next period's incidents; the backtest (``hotspots.backtest``, method ``dbscan``) scores
exactly this order. A small hotspot can therefore rank above a larger one with more
incidents: it holds more per block.

The other terms can be weighted in (``RankingWeights``); for hotspot ``i``:

    intensity_i    = intensity_km2_i / max intensity_km2           in [0, 1]
    count_i        = log1p(n_i) / log1p(max n)                     in [0, 1]
    severity_i     = (mean_severity_i - 1) / 4                     in [0, 1]
    trend_i        = (1 + clip(change_i / max(n_prev_i, 1), -1, 1)) / 2   in [0, 1]
                     (0.5 = unchanged or unknown, 1 = doubled or more, 0 = vanished)
    significance_i = 1 if significant_i else 0

    priority_i = (w_intensity * intensity_i + w_count * count_i + w_severity * severity_i + w_trend * trend_i
                  + w_significance * significance_i) / (sum of the weights)

so ``priority`` is in [0, 1]. The count enters on a log scale (a hotspot of 200 is not ten
times as urgent as one of 20) and relative to the largest hotspot of the same table, so
priorities compare hotspots of one analysis, not of different ones.

With ``significant_first`` every significant hotspot ranks above every non-significant one,
whatever the other terms (off by default: the significance test is against the district's
own background, and a dense place in a busy district is still where the incidents are).
Ties: more incidents first, then the hotspot's label (its order in ``hotspots.areas``).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import ParameterError

#: Columns ``rank_hotspots`` reads.
RANKING_COLUMNS = ("id", "n", "mean_severity", "n_prev", "change", "significant")


@dataclass(frozen=True)
class RankingWeights:
    """Weights of the priority score (see the module docstring), validated on construction.

    Parameters
    ----------
    count
        Weight of the (log) incident count, >= 0. Default 0.
    severity
        Weight of the mean severity, >= 0. Default 0.
    trend
        Weight of the change against the previous period, >= 0. Default 0.
    significance
        Weight of the significance flag, >= 0. Default 0.
    significant_first
        Rank every significant hotspot above every non-significant one. Default False.
    intensity
        Weight of the intensity (incidents per km², the backtested order), >= 0. Default 1.
    """

    count: float = 0.0
    severity: float = 0.0
    trend: float = 0.0
    significance: float = 0.0
    significant_first: bool = False
    intensity: float = 1.0

    def __post_init__(self) -> None:
        weights = {"count": self.count, "severity": self.severity, "trend": self.trend}
        weights["intensity"] = self.intensity
        weights["significance"] = self.significance
        for name, value in weights.items():
            if not np.isfinite(value) or value < 0:
                raise ParameterError(f"weight {name} must be a finite number >= 0, got {value}")
        if sum(weights.values()) <= 0:
            raise ParameterError("at least one ranking weight must be > 0, got all zero")

    @property
    def total(self) -> float:
        """Sum of the weights (the divisor of the score)."""
        return self.intensity + self.count + self.severity + self.trend + self.significance


def priority_terms(hotspots: pd.DataFrame) -> pd.DataFrame:
    """Return the terms of the priority score, each in [0, 1], per hotspot.

    Parameters
    ----------
    hotspots
        Hotspot table with ``RANKING_COLUMNS``.

    Returns
    -------
    DataFrame
        Columns ``intensity``, ``count``, ``severity``, ``trend``, ``significance``, same
        index as ``hotspots``. Without ``intensity_km2`` the intensity is ``n / area_km2``
        (or the count term when the table has no area either).
    """
    missing = [c for c in RANKING_COLUMNS if c not in hotspots.columns]
    if missing:
        raise ParameterError(
            f"hotspots lacks the columns {missing}; pass the table from hotspots.summary.summarise_hotspots"
        )
    n = hotspots["n"].to_numpy(dtype=np.float64)
    if n.size and (not np.isfinite(n).all() or (n < 0).any()):
        raise ParameterError("hotspots column 'n' must hold counts >= 0")
    largest = np.log1p(n.max()) if n.size else 1.0
    count = np.log1p(n) / largest if largest > 0 else np.zeros_like(n)
    severity = np.clip((hotspots["mean_severity"].to_numpy(dtype=np.float64, na_value=3.0) - 1) / 4, 0, 1)
    change = pd.to_numeric(hotspots["change"]).astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    before = pd.to_numeric(hotspots["n_prev"]).astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    relative = change / np.maximum(np.nan_to_num(before, nan=1.0), 1.0)
    trend = np.where(np.isfinite(relative), (1 + np.clip(relative, -1, 1)) / 2, 0.5)
    significance = hotspots["significant"].astype("boolean").fillna(False).to_numpy(dtype=np.float64)
    if "intensity_km2" in hotspots.columns:
        raw = hotspots["intensity_km2"].to_numpy(dtype=np.float64)
    elif "area_km2" in hotspots.columns:
        raw = n / np.maximum(hotspots["area_km2"].to_numpy(dtype=np.float64), 1e-12)
    else:
        raw = count
    raw = np.nan_to_num(raw, nan=0.0, posinf=0.0)
    top = float(raw.max()) if raw.size else 0.0
    intensity = raw / top if top > 0 else np.zeros_like(raw)
    return pd.DataFrame(
        {
            "intensity": intensity,
            "count": count,
            "severity": severity,
            "trend": trend,
            "significance": significance,
        },
        index=hotspots.index,
    )


def rank_hotspots(
    hotspots: gpd.GeoDataFrame,
    *,
    weights: RankingWeights = RankingWeights(),
) -> gpd.GeoDataFrame:
    """Add ``priority`` (0-1) and ``rank`` (1 = act first) to a hotspot table.

    Parameters
    ----------
    hotspots
        Table from ``hotspots.summary.summarise_hotspots`` (needs ``RANKING_COLUMNS``).
    weights
        Weights of the score and whether significant hotspots always come first.

    Returns
    -------
    GeoDataFrame
        A copy sorted by rank with a fresh index; the input is not changed.
    """
    terms = priority_terms(hotspots)
    priority = (
        weights.intensity * terms["intensity"]
        + weights.count * terms["count"]
        + weights.severity * terms["severity"]
        + weights.trend * terms["trend"]
        + weights.significance * terms["significance"]
    ) / weights.total
    out = hotspots.copy()
    out["priority"] = priority.to_numpy(dtype=np.float64)
    keys = pd.DataFrame(
        {
            "first": -terms["significance"].to_numpy() if weights.significant_first else 0.0,
            "priority": -out["priority"].to_numpy(),
            "n": -out["n"].to_numpy(dtype=np.float64),
            "label": out["label"].to_numpy(dtype=np.int64) if "label" in out.columns else 0,
            "id": out["id"].astype(str).to_numpy(),
        }
    )
    order = keys.sort_values(["first", "priority", "n", "label", "id"], kind="stable").index.to_numpy()
    out = out.iloc[order].reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1, dtype=np.int64)
    return out
