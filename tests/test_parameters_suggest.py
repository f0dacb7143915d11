"""Parameter help (hotspots.parameters.suggest): k-distance curve and suggested eps / min_samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial import cKDTree

from geo.errors import ParameterError
from hotspots.parameters import suggest


def _blobs(sigma_m: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    background = rng.uniform([380_000, 6_670_000], [400_000, 6_685_000], (6000, 2))
    centres = [(385_000, 6_672_000), (390_000, 6_678_000), (395_000, 6_680_000)]
    blobs = [rng.normal(c, sigma_m, (300, 2)) for c in centres]
    return np.concatenate([background, *blobs])


def test_k_distances_match_a_brute_force_reference() -> None:
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 1000, (200, 2))
    got = suggest.k_distances(xy, k=4)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    expected = np.sort(np.sort(d, axis=1)[:, 4])
    np.testing.assert_allclose(got, expected)


def test_suggested_eps_follows_the_concentrations_scale() -> None:
    tight = suggest.suggest_parameters(_blobs(30.0))
    wide = suggest.suggest_parameters(_blobs(120.0))
    assert tight.eps_m < wide.eps_m
    for s in (tight, wide):
        assert suggest.EPS_RANGE_M[0] <= s.eps_m <= suggest.EPS_RANGE_M[1]
        assert s.min_samples >= 5
        # The sfhotspot rule's eps follows the background spacing and is much larger.
        assert s.rule_eps_m > 2 * s.eps_m
        assert s.rule_min_samples == 50


def test_suggestion_keeps_uniform_background_out_of_core() -> None:
    xy = _blobs(60.0)
    s = suggest.suggest_parameters(xy)
    counts = cKDTree(xy).query_ball_point(xy, r=s.eps_m, return_length=True)
    core = counts >= s.min_samples
    background_core = core[:6000].mean()
    blob_core = core[6000:].mean()
    assert background_core < 0.02
    assert blob_core > 0.6
    assert s.background_per_eps_disc == pytest.approx(len(xy) / (s.occupied_km2 * 1e6) * math.pi * s.eps_m**2)


def test_curve_is_sorted_and_short() -> None:
    s = suggest.suggest_parameters(_blobs(60.0))
    assert len(s.curve_m) <= 400
    assert np.all(np.diff(s.curve_m) >= 0)


def test_input_is_not_modified_and_result_is_deterministic() -> None:
    xy = _blobs(60.0)
    before = xy.copy()
    a = suggest.suggest_parameters(xy, max_points=3000, seed=5)
    b = suggest.suggest_parameters(xy, max_points=3000, seed=5)
    np.testing.assert_array_equal(xy, before)
    assert (a.eps_m, a.min_samples) == (b.eps_m, b.min_samples)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"background_alpha": 0.7}, "background_alpha must be in"),
        ({"background_alpha": 0.0}, "background_alpha"),
    ],
)
def test_bad_parameters_are_named(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        suggest.suggest_parameters(_blobs(60.0), **kwargs)


def test_too_few_points_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match="at least 3 incidents, got 2"):
        suggest.suggest_parameters(np.zeros((2, 2)))
    with pytest.raises(ParameterError, match="k must be >= 1"):
        suggest.k_distances(np.zeros((4, 2)), k=0)
