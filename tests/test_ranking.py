"""Ranking (priority formula, significance first) on a hand-made table with worked-out answers."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import crs
from geo.errors import ParameterError
from hotspots.ranking import RankingWeights, priority_terms, rank_hotspots


def hand_table() -> gpd.GeoDataFrame:
    """Five hotspots whose order under the default weights is worked out in the tests."""
    centre = np.array(crs.to_metric([24.9497], [60.1838], src=crs.WGS84)).ravel()
    return gpd.GeoDataFrame(
        {
            "id": ["H1", "H2", "H3", "H4", "H5"],
            "n": [100, 20, 40, 90, 40],
            "mean_severity": [3.0, 5.0, 2.0, 4.0, 2.0],
            "n_prev": pd.array([100, 5, 80, pd.NA, 80], dtype="Int64"),
            "change": pd.array([0, 15, -40, pd.NA, -40], dtype="Int64"),
            "significant": [True, True, True, False, True],
            "intensity_km2": [3000.0, 4500.0, 1200.0, 4500.0, 800.0],
        },
        geometry=[shapely.Point(centre + np.array([500.0 * i, 0.0])).buffer(75) for i in range(5)],
        crs=crs.METRIC,
    )


#: The weights of the tool's first ranking (count, severity, trend, significance first).
COMPOSITE = RankingWeights(
    intensity=0, count=0.4, severity=0.2, trend=0.2, significance=0.2, significant_first=True
)


def formula(row: pd.Series, largest: int, w: RankingWeights) -> float:
    """The documented formula, written out independently."""
    count = np.log1p(row["n"]) / np.log1p(largest)
    severity = (row["mean_severity"] - 1) / 4
    if pd.isna(row["change"]):
        trend = 0.5
    else:
        trend = (1 + min(1.0, max(-1.0, row["change"] / max(row["n_prev"], 1)))) / 2
    sig = 1.0 if row["significant"] else 0.0
    total = w.count + w.severity + w.trend + w.significance
    return float((w.count * count + w.severity * severity + w.trend * trend + w.significance * sig) / total)


def test_default_rank_is_the_intensity_the_backtest_scores() -> None:
    table = hand_table()
    ranked = rank_hotspots(table)
    # Densest first; H2 and H4 tie on intensity and the one with more incidents goes first.
    assert list(ranked["id"]) == ["H4", "H2", "H1", "H3", "H5"]
    assert ranked["priority"].tolist() == pytest.approx([1.0, 1.0, 3000 / 4500, 1200 / 4500, 800 / 4500])
    # Without an intensity the density n / area orders them (equal areas here: by n).
    plain = rank_hotspots(table.drop(columns="intensity_km2").assign(area_km2=0.02))
    assert list(plain["id"]) == ["H1", "H4", "H3", "H5", "H2"]


def test_priority_follows_the_documented_formula() -> None:
    table = hand_table()
    weights = COMPOSITE
    ranked = rank_hotspots(table, weights=weights)
    by_id = ranked.set_index("id")
    for _, row in table.iterrows():
        assert by_id.loc[row["id"], "priority"] == pytest.approx(formula(row, 100, weights))
    assert ranked["priority"].between(0, 1).all()
    # By hand: H2 0.864 (small but most severe and tripled) > H1 0.800 > H3 = H5 0.622
    # (exact tie, same n: id order); H4 0.641 is not significant and goes last.
    significant = ranked[ranked["significant"]]
    assert list(significant["priority"]) == sorted(significant["priority"], reverse=True)
    assert list(ranked["id"]) == ["H2", "H1", "H3", "H5", "H4"]
    assert by_id.loc["H2", "priority"] == pytest.approx(0.864, abs=1e-3)
    assert list(ranked["rank"]) == [1, 2, 3, 4, 5]


def test_non_significant_ranks_last_unless_asked_otherwise() -> None:
    table = hand_table()
    # H4 (not significant) outscores H3/H5 on count and trend even without its flag.
    mixed = rank_hotspots(table, weights=replace(COMPOSITE, significant_first=False))
    assert mixed.set_index("id").loc["H4", "rank"] < mixed.set_index("id").loc["H3", "rank"]
    assert rank_hotspots(table, weights=COMPOSITE).iloc[-1]["id"] == "H4"
    # Weights move the order: severity alone puts the severe H2 first.
    severity_only = RankingWeights(intensity=0, count=0, severity=1, trend=0, significance=0)
    assert rank_hotspots(table, weights=severity_only).iloc[0]["id"] == "H2"
    terms = priority_terms(table)
    assert terms.loc[3, "trend"] == 0.5 and terms.loc[1, "trend"] == 1.0 and terms.loc[2, "trend"] == 0.25


def test_ranking_does_not_mutate_and_validates() -> None:
    table = hand_table()
    before = table.copy()
    rank_hotspots(table)
    pd.testing.assert_frame_equal(table, before)
    assert len(rank_hotspots(table.iloc[:0])) == 0
    with pytest.raises(ParameterError, match="weight trend must be a finite number >= 0, got -1"):
        RankingWeights(trend=-1)
    with pytest.raises(ParameterError, match="at least one ranking weight"):
        RankingWeights(intensity=0, count=0, severity=0, trend=0, significance=0)
    with pytest.raises(ParameterError, match=r"lacks the columns \['significant'\]"):
        rank_hotspots(table.drop(columns="significant"))
