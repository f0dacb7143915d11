"""The clustering interface: parameters from text, and one ``cluster`` for DBSCAN, HDBSCAN and ST-DBSCAN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import ParameterError
from hotspots.clustering import ClusteringParams, cluster, clustering_from_text
from hotspots.dbscan_kernel import dbscan

AUTO = ClusteringParams(auto_eps=True, auto_min_samples=True)


def _incidents(xy: list[tuple[float, float]], days: list[float] | None = None) -> pd.DataFrame:
    start = pd.Timestamp("2026-01-01", tz="Europe/Helsinki")
    offsets = pd.to_timedelta(days if days is not None else [0.0] * len(xy), unit="D")
    return pd.DataFrame(
        {
            "x_m": [385_000.0 + x for x, _ in xy],
            "y_m": [6_672_000.0 + y for _, y in xy],
            "occurred_at": start + offsets,
        }
    )


def test_command_line_values_parse_to_auto_or_numbers() -> None:
    assert clustering_from_text() == AUTO
    fixed = clustering_from_text("dbscan", "120", "8")
    assert (fixed.eps_m, fixed.min_samples, fixed.auto_eps, fixed.auto_min_samples) == (
        120.0,
        8,
        False,
        False,
    )
    half = clustering_from_text("dbscan", "auto", 12)
    assert half.auto_eps and not half.auto_min_samples and half.min_samples == 12
    with pytest.raises(ParameterError, match="eps was 'wide'"):
        clustering_from_text("dbscan", "wide", "auto")
    with pytest.raises(ParameterError, match="min_samples"):
        clustering_from_text("dbscan", "auto", "2.5")


def test_dbscan_clusters_are_numbered_by_their_first_incident() -> None:
    """The kernel numbers clusters by their first core point; the interface by their first row."""
    # Row 0 is a border point of the left cluster, whose only core point (row 4) comes after
    # the right cluster's core point (row 2).
    xy = [(0.0, 0.0), (1000.0, 0.0), (1010.0, 0.0), (1020.0, 0.0), (10.0, 0.0), (20.0, 0.0), (5000.0, 0.0)]
    frame = _incidents(xy)
    kernel = dbscan(frame[["x_m", "y_m"]].to_numpy(), eps_m=15.0, min_samples=3)
    np.testing.assert_array_equal(kernel, [1, 0, 0, 0, 1, 1, -1])
    labels = cluster(frame, ClusteringParams(eps_m=15.0, min_samples=3))
    np.testing.assert_array_equal(labels, [0, 1, 1, 1, 0, 0, -1])
    assert labels.dtype == np.int64


def test_st_dbscan_splits_one_place_by_time_where_dbscan_does_not() -> None:
    rng = np.random.default_rng(4)
    xy = [(float(x), float(y)) for x, y in rng.normal(0.0, 20.0, (40, 2))]
    days = [*rng.uniform(0, 3, 20), *rng.uniform(60, 63, 20)]
    frame = _incidents(xy, days)
    space = cluster(frame, ClusteringParams(method="dbscan", eps_m=100.0, min_samples=5))
    assert set(space) == {0}
    time = cluster(frame, ClusteringParams(method="st-dbscan", eps_m=100.0, min_samples=5, window_days=7.0))
    assert set(time[:20]) == {0} and set(time[20:]) == {1}


def test_hdbscan_finds_blobs_and_calls_too_few_incidents_noise() -> None:
    rng = np.random.default_rng(9)
    blobs = np.concatenate([rng.normal(0.0, 15.0, (30, 2)), rng.normal(2000.0, 15.0, (30, 2))])
    frame = _incidents([(float(x), float(y)) for x, y in blobs])
    labels = cluster(frame, ClusteringParams(method="hdbscan", min_samples=10))
    assert labels[0] == 0 and set(labels[:30]) <= {0, -1} and set(labels[30:]) <= {1, -1}
    assert (labels >= 0).sum() > 50
    few = cluster(frame.head(5), ClusteringParams(method="hdbscan", min_samples=10))
    np.testing.assert_array_equal(few, [-1] * 5)
