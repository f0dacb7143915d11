"""One place for the clustering defaults: the interface, the kernel, the searches and the CLI agree."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from cli import arguments
from geo.errors import ParameterError
from hotspots.clustering import ClusteringParams, clustering_from_text
from hotspots.dbscan_kernel import dbscan
from hotspots.parameters import auto, defaults


def test_clustering_parameters_default_to_the_defaults() -> None:
    params = ClusteringParams()
    assert (params.eps_m, params.min_samples, params.window_days) == (
        defaults.DEFAULT_EPS_M,
        defaults.DEFAULT_MIN_SAMPLES,
        defaults.DEFAULT_WINDOW_DAYS,
    )
    assert (defaults.DEFAULT_EPS_M, defaults.DEFAULT_MIN_SAMPLES) == (150.0, 10)
    # "auto" falls back to the same defaults.
    fallback = clustering_from_text("dbscan", "auto", "auto")
    assert (fallback.eps_m, fallback.min_samples) == (150.0, 10)


def test_kernel_and_interface_share_the_min_samples_floor() -> None:
    floor = defaults.MIN_SAMPLES_FLOOR
    message = f"min_samples must be a whole number >= {floor}, got {floor - 1}"
    with pytest.raises(ParameterError, match=message):
        ClusteringParams(min_samples=floor - 1)
    with pytest.raises(ParameterError, match=message):
        dbscan(np.zeros((3, 2)), eps_m=1.0, min_samples=floor - 1)
    assert ClusteringParams(min_samples=floor).min_samples == floor
    np.testing.assert_array_equal(dbscan(np.zeros((3, 2)), eps_m=1.0, min_samples=floor), [0, 0, 0])


def test_every_search_tries_the_floor_and_nothing_below_it() -> None:
    floor = defaults.MIN_SAMPLES_FLOOR
    for candidates in (defaults.REFERENCE_MIN_SAMPLES, defaults.FORECAST_MIN_SAMPLES):
        assert min(candidates) > floor  # the floor is added by the scaling itself
    assert min(defaults.CELL_SEARCH_MIN_SAMPLES) == floor
    # Sparse data keep the reference values; dense data scale them up; the floor stays.
    sparse = auto.min_samples_candidates(defaults.REFERENCE_MIN_SAMPLES, 100, 226.0)
    assert sparse == [floor, *defaults.REFERENCE_MIN_SAMPLES]
    dense = auto.min_samples_candidates(
        defaults.REFERENCE_MIN_SAMPLES, 10 * defaults.HALF_WINDOW_REFERENCE, 226.0
    )
    assert dense[0] == floor and dense[1:] == [10 * m for m in defaults.REFERENCE_MIN_SAMPLES]
    assert pytest.approx(defaults.HALF_WINDOW_REFERENCE / 226.0) == defaults.REFERENCE_DENSITY_KM2


def test_command_line_help_names_the_defaults() -> None:
    parser = argparse.ArgumentParser()
    arguments.add_clustering_arguments(parser)
    text = parser.format_help()
    assert f"({defaults.DEFAULT_EPS_M:g} when it has too few incidents)" in " ".join(text.split())
    assert f"{defaults.DEFAULT_MIN_SAMPLES} as fallback" in " ".join(text.split())
