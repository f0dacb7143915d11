"""hotspots.dbscan_kernel.dbscan against scikit-learn's DBSCAN, by property and by hand.

scikit-learn's ``algorithm="auto"`` uses its KD-tree (direct ``dx*dx + dy*dy``) from 12
points up, and below that a matrix-product distance whose rounding at exactly eps differs
for non-integer coordinates. Data with ties at eps on non-integer coordinates are therefore
compared with ``algorithm="kd_tree"``; integer data (exact in both) with the default.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from sklearn.cluster import DBSCAN

from geo import districts
from geo.errors import ParameterError
from hotspots.dbscan_kernel import DbscanResult, dbscan, dbscan_core
from hotspots.parameters.defaults import MIN_SAMPLES_FLOOR

#: A corner of central Helsinki in EPSG:3067, so coordinates have realistic magnitudes.
ORIGIN_M = np.array([385_000.0, 6_672_000.0])
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _sklearn(
    xy: NDArray[np.float64],
    eps_m: float,
    min_samples: int,
    weights: NDArray[np.float64] | None = None,
    algorithm: str = "auto",
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    model = DBSCAN(eps=eps_m, min_samples=min_samples, algorithm=algorithm).fit(xy, sample_weight=weights)
    core = np.zeros(len(xy), dtype=bool)
    core[model.core_sample_indices_] = True
    return model.labels_.astype(np.int64), core


def _assert_same_partition(ours: NDArray[np.int64], theirs: NDArray[np.int64]) -> None:
    """Same grouping of the points, whatever the numbering."""
    pairs = set(zip(ours.tolist(), theirs.tolist(), strict=True))
    assert len(pairs) == len(set(ours.tolist())) == len(set(theirs.tolist()))


def _assert_borders_reach_their_cluster(xy: NDArray[np.float64], eps_m: float, result: DbscanResult) -> None:
    """Each border point carries the label of a core point within eps (exact distances)."""
    border = np.flatnonzero(~result.is_core & (result.labels >= 0))
    cores = np.flatnonzero(result.is_core)
    if border.size == 0:
        return
    # The tree finds candidates with a little slack; the exact test is the one DBSCAN uses.
    found = cKDTree(xy[cores]).query_ball_point(xy[border], r=eps_m * (1 + 1e-9) + 1e-12)
    for point, near in zip(border, found, strict=True):
        near_cores = cores[np.asarray(near, dtype=np.int64)]
        d = xy[near_cores] - xy[point]
        within = near_cores[d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] <= eps_m * eps_m]
        assert result.labels[point] in set(result.labels[within].tolist())


def _assert_agrees(
    xy: NDArray[np.float64],
    eps_m: float,
    min_samples: int,
    weights: NDArray[np.float64] | None = None,
    algorithm: str = "auto",
) -> DbscanResult:
    result = dbscan_core(xy, eps_m=eps_m, min_samples=min_samples, sample_weight=weights)
    assert result.labels.dtype == np.int64 and result.labels.shape == (len(xy),)
    if len(xy) == 0:
        assert result.is_core.shape == (0,)
        return result
    labels, core = _sklearn(xy, eps_m, min_samples, weights, algorithm)
    np.testing.assert_array_equal(result.is_core, core)
    np.testing.assert_array_equal(result.labels == -1, labels == -1)
    _assert_same_partition(result.labels[core], labels[core])
    _assert_borders_reach_their_cluster(xy, eps_m, result)
    # Documented stronger promise: numbering by smallest core index and a contested border
    # point going to the lowest label reproduce scikit-learn's labels exactly.
    np.testing.assert_array_equal(result.labels, labels)
    return result


def _blobs(seed: int, n: int, *, sigma_m: tuple[float, float] = (10.0, 80.0)) -> NDArray[np.float64]:
    """Gaussian hotspots plus a uniform background over 2 km x 2 km, some incidents repeated."""
    rng = np.random.default_rng(seed)
    n_blobs = int(rng.integers(1, 8))
    centres = rng.uniform(0, 2000, size=(n_blobs, 2))
    sigmas = rng.uniform(*sigma_m, size=n_blobs)
    which = rng.integers(0, n_blobs, size=n)
    xy = centres[which] + rng.normal(size=(n, 2)) * sigmas[which, None]
    background = rng.random(n) < 0.25
    xy[background] = rng.uniform(0, 2000, size=(int(background.sum()), 2))
    repeated = rng.random(n) < 0.15  # the same address reported twice
    if n > 1:
        xy[repeated] = xy[rng.integers(0, n, size=int(repeated.sum()))]
    return ORIGIN_M + xy


# --- properties against scikit-learn --------------------------------------------------


@PROPERTY_SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 3000),
    eps_m=st.sampled_from([5.0, 25.0, 60.0, 150.0]),
    min_samples=st.integers(MIN_SAMPLES_FLOOR, 15),
)
def test_random_incidents_with_repeats_match_sklearn(
    seed: int, n: int, eps_m: float, min_samples: int
) -> None:
    _assert_agrees(_blobs(seed, n), eps_m, min_samples)


@PROPERTY_SETTINGS
@given(
    xy=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 60), st.just(2)),
        elements=st.floats(-300, 300, allow_nan=False, allow_subnormal=False),
    ),
    eps_m=st.sampled_from([0.1, 1.0, 33.3, 150.0]),
    min_samples=st.integers(MIN_SAMPLES_FLOOR, 6),
)
def test_arbitrary_floats_match_sklearn_tree(xy: NDArray[np.float64], eps_m: float, min_samples: int) -> None:
    _assert_agrees(ORIGIN_M + xy, eps_m, min_samples, algorithm="kd_tree")


@PROPERTY_SETTINGS
@given(
    xy=hnp.arrays(np.int64, st.tuples(st.integers(1, 400), st.just(2)), elements=st.integers(0, 15)),
    eps_m=st.sampled_from([1.0, 2.0, 3.0, 5.0]),
    min_samples=st.integers(MIN_SAMPLES_FLOOR, 10),
)
def test_integer_grid_with_ties_at_eps_matches_sklearn(
    xy: NDArray[np.int64], eps_m: float, min_samples: int
) -> None:
    # Integer coordinates: distances such as 1, 2, 5 (3-4-5) fall exactly on eps.
    _assert_agrees(xy.astype(np.float64), eps_m, min_samples)


@PROPERTY_SETTINGS
@given(
    steps=st.lists(st.integers(0, 40), min_size=1, max_size=200),
    eps_m=st.sampled_from([0.1, 0.3, 5.0, 150.0, 212.5]),
    start=st.sampled_from([(0.0, 0.0), (385_000.1, 6_672_000.7), (25_496_000.3, 6_672_000.0)]),
    direction=st.sampled_from([(1.0, 0.0), (0.0, 1.0), (0.6, 0.8)]),
    min_samples=st.integers(MIN_SAMPLES_FLOOR, 5),
)
def test_collinear_points_eps_apart_match_sklearn(
    steps: list[int],
    eps_m: float,
    start: tuple[float, float],
    direction: tuple[float, float],
    min_samples: int,
) -> None:
    k = np.asarray(steps, dtype=np.float64)
    xy = np.asarray(start) + (k * eps_m)[:, None] * np.asarray(direction)
    _assert_agrees(xy, eps_m, min_samples, algorithm="kd_tree")


@PROPERTY_SETTINGS
@given(
    xy=hnp.arrays(np.int64, st.tuples(st.integers(1, 300), st.just(2)), elements=st.integers(0, 12)),
    data=st.data(),
    eps_m=st.sampled_from([1.0, 2.0, 5.0]),
    min_samples=st.integers(MIN_SAMPLES_FLOOR, 12),
    quarters=st.booleans(),
)
def test_weighted_matches_sklearn(
    xy: NDArray[np.int64], data: st.DataObject, eps_m: float, min_samples: int, quarters: bool
) -> None:
    # Whole or quarter weights: their sums are exact, so summation order cannot matter.
    raw = data.draw(hnp.arrays(np.int64, len(xy), elements=st.integers(0, 16 if quarters else 4)))
    weights = raw / 4.0 if quarters else raw.astype(np.float64)
    if not weights.any():
        # scikit-learn refuses all-zero weights; nothing can reach min_samples >= 2.
        result = dbscan_core(
            xy.astype(np.float64), eps_m=eps_m, min_samples=min_samples, sample_weight=weights
        )
        assert not result.is_core.any() and (result.labels == -1).all()
        return
    _assert_agrees(xy.astype(np.float64), eps_m, min_samples, weights)


def test_real_district_vertices_match_sklearn() -> None:
    # Boundary vertices of Helsinki's osa-alue: repeated (shared borders) and collinear.
    osa = districts.load_districts("osaalue")
    xy = shapely.get_coordinates(osa.geometry.to_numpy())
    assert xy.shape[0] > 10_000
    for eps_m, min_samples in [(20.0, 4), (100.0, 12)]:
        result = _assert_agrees(xy, eps_m, min_samples)
        assert result.n_clusters > 0
        assert result.is_core.any() and not result.is_core.all()


def test_hotspots_inside_real_districts_match_sklearn() -> None:
    osa = districts.load_districts("osaalue")
    centre = osa[osa["suurpiiri_code"] == "1"]
    rng = np.random.default_rng(20240601)
    anchors = shapely.get_coordinates(centre.geometry.representative_point().to_numpy())
    xy = np.concatenate([a + rng.normal(scale=40.0, size=(300, 2)) for a in anchors])
    bounds = centre.total_bounds
    noise = rng.uniform(bounds[:2], bounds[2:], size=(2000, 2))
    xy = np.concatenate([xy, noise])[rng.permutation(len(xy) + len(noise))]
    result = _assert_agrees(xy, 150.0, 10)
    # Each hotspot is a cluster of its own or merged with a neighbouring one.
    assert 1 <= result.n_clusters <= len(anchors) + 5


def test_groups_far_apart_match_sklearn() -> None:
    # Few occupied cells over a wide area: cells are ordered by a sort, not by counting.
    rng = np.random.default_rng(99)
    corners = np.array([[0.0, 0.0], [90_000.0, 0.0], [0.0, 120_000.0], [70_000.0, 70_000.0]])
    xy = np.concatenate([c + rng.normal(scale=3.0, size=(60, 2)) for c in corners]) + ORIGIN_M
    result = _assert_agrees(xy, 2.0, 5)
    assert result.n_clusters >= len(corners)


# --- known answers --------------------------------------------------------------------


def test_points_on_a_line_have_known_labels() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 30.0])
    result = dbscan_core(np.c_[x, np.zeros_like(x)], eps_m=1.0, min_samples=3)
    np.testing.assert_array_equal(result.labels, [0, 0, 0, 0, 1, 1, 1, -1])
    np.testing.assert_array_equal(result.is_core, [False, True, True, False, False, True, False, False])
    assert result.n_clusters == 2


def test_border_point_between_two_clusters_goes_to_the_first_cluster() -> None:
    # Cluster {3, 4, 4, 4} comes first (smallest core index), then {0, 0, 0, 1}; the point
    # at 2 is within eps of the cores at 1 and 3 but has only 3 neighbours itself.
    x = np.array([3.0, 4.0, 4.0, 4.0, 0.0, 0.0, 0.0, 1.0, 2.0])
    result = dbscan_core(np.c_[x, np.full_like(x, 6_672_000.0)], eps_m=1.0, min_samples=4)
    np.testing.assert_array_equal(result.labels, [0, 0, 0, 0, 1, 1, 1, 1, 0])
    assert not result.is_core[8]


def test_exactly_eps_apart_is_a_neighbour_and_a_hair_more_is_not() -> None:
    eps_m = 150.0
    touching = np.c_[ORIGIN_M[0] + np.array([0.0, 150.0, 300.0]), np.full(3, ORIGIN_M[1])]
    np.testing.assert_array_equal(dbscan(touching, eps_m=eps_m, min_samples=2), [0, 0, 0])
    apart = touching + np.c_[[0.0, 0.0, np.spacing(touching[2, 0])], [0.0, 0.0, 0.0]]
    np.testing.assert_array_equal(dbscan(apart, eps_m=eps_m, min_samples=2), [0, 0, -1])
    # 3-4-5 triangle: the diagonal neighbour is exactly eps away.
    np.testing.assert_array_equal(
        dbscan(np.array([[0.0, 0.0], [3.0, 4.0]]), eps_m=5.0, min_samples=2), [0, 0]
    )


def test_weights_decide_core_points() -> None:
    xy = np.c_[[0.0, 1.0, 5.0, 6.0], [0.0, 0.0, 0.0, 0.0]]
    result = dbscan_core(xy, eps_m=1.0, min_samples=3, sample_weight=[2.0, 1.0, 0.5, 0.5])
    np.testing.assert_array_equal(result.is_core, [True, True, False, False])
    np.testing.assert_array_equal(result.labels, [0, 0, -1, -1])


def test_no_points_gives_empty_labels() -> None:
    result = dbscan_core(np.empty((0, 2)), eps_m=150.0, min_samples=10)
    assert result.labels.shape == (0,) and result.labels.dtype == np.int64
    assert result.is_core.shape == (0,) and result.is_core.dtype == np.bool_
    assert result.n_clusters == 0


def test_clusters_are_numbered_by_their_smallest_core_index() -> None:
    result = dbscan_core(_blobs(7, 2000), eps_m=40.0, min_samples=8)
    first_core = [
        int(np.flatnonzero(result.is_core & (result.labels == k))[0]) for k in range(result.n_clusters)
    ]
    assert result.n_clusters > 1
    assert first_core == sorted(first_core)


# --- inputs, outputs, determinism -----------------------------------------------------


def test_inputs_are_not_modified_and_results_are_read_only() -> None:
    xy = _blobs(3, 500)
    weights = np.random.default_rng(3).integers(0, 3, size=500).astype(np.float64)
    xy_before, weights_before = xy.copy(), weights.copy()
    result = dbscan_core(xy, eps_m=50.0, min_samples=5, sample_weight=weights)
    np.testing.assert_array_equal(xy, xy_before)
    np.testing.assert_array_equal(weights, weights_before)
    with pytest.raises(ValueError, match="read-only"):
        result.labels[0] = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.labels = result.labels  # type: ignore[misc]
    assert dbscan(xy, eps_m=50.0, min_samples=5).flags.writeable


def test_deterministic_and_independent_of_layout_and_dtype() -> None:
    xy = _blobs(11, 3000)
    first = dbscan(xy, eps_m=60.0, min_samples=6)
    np.testing.assert_array_equal(dbscan(xy, eps_m=60.0, min_samples=6), first)
    np.testing.assert_array_equal(dbscan(np.asfortranarray(xy), eps_m=60.0, min_samples=6), first)
    np.testing.assert_array_equal(dbscan(xy.tolist(), eps_m=60.0, min_samples=6), first)
    xy32 = (xy - ORIGIN_M).astype(np.float32)
    np.testing.assert_array_equal(
        dbscan(xy32, eps_m=60.0, min_samples=6), dbscan(xy32.astype(np.float64), eps_m=60.0, min_samples=6)
    )


def test_permuting_points_permutes_core_flags_and_partition() -> None:
    xy = _blobs(5, 2500)
    perm = np.random.default_rng(5).permutation(len(xy))
    base = dbscan_core(xy, eps_m=50.0, min_samples=7)
    shuffled = dbscan_core(xy[perm], eps_m=50.0, min_samples=7)
    np.testing.assert_array_equal(shuffled.is_core, base.is_core[perm])
    core = base.is_core[perm]
    _assert_same_partition(shuffled.labels[core], base.labels[perm][core])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps_m": -5}, r"eps_m must be > 0 metres and finite, got -5"),
        ({"eps_m": 0.0}, r"eps_m must be > 0 metres and finite, got 0\.0"),
        ({"eps_m": float("nan")}, r"eps_m must be > 0 metres and finite, got nan"),
        ({"eps_m": float("inf")}, r"eps_m must be > 0 metres and finite, got inf"),
        ({"eps_m": "150"}, r"eps_m must be a number > 0 metres, got '150'"),
        ({"eps_m": True}, r"eps_m must be a number > 0 metres, got True"),
        ({"min_samples": 0}, r"min_samples must be a whole number >= 2, got 0"),
        ({"min_samples": 1}, r"min_samples must be a whole number >= 2, got 1"),
        ({"min_samples": 2.5}, r"min_samples must be a whole number >= 2, got 2\.5"),
        ({"min_samples": True}, r"min_samples must be a whole number >= 2, got True"),
        ({"sample_weight": [1.0, 2.0]}, r"sample_weight must have one value per point: shape \(4,\), got"),
        (
            {"sample_weight": [1.0, -1.0, 1.0, 1.0]},
            r"sample_weight must be finite and >= 0, got -1\.0 at row 1",
        ),
        (
            {"sample_weight": [1.0, 1.0, np.nan, 1.0]},
            r"sample_weight must be finite and >= 0, got nan at row 2",
        ),
        ({"xy": np.zeros((4, 3))}, r"xy must be an \(n, 2\) array .* got shape \(4, 3\)"),
        ({"xy": np.zeros(4)}, r"xy must be an \(n, 2\) array .* got shape \(4,\)"),
        ({"xy": np.array([["a", "b"]] * 4)}, r"xy must hold real numbers \(metres\), got dtype <U1"),
        (
            {"xy": [[0.0, 0.0], [1.0, 1.0], [np.nan, 1.0], [2.0, 2.0]]},
            r"xy row 2 is not finite \(nan, 1\.0\)",
        ),
        (
            {"xy": [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1e7, 0.0]], "eps_m": 1e-9},
            r"eps_m=1e-09 is too small",
        ),
    ],
)
def test_invalid_parameters_are_named_with_the_allowed_range(kwargs: dict[str, object], message: str) -> None:
    call: dict[str, object] = {"xy": np.zeros((4, 2)), "eps_m": 150.0, "min_samples": 10, **kwargs}
    with pytest.raises(ParameterError, match=message):
        dbscan(**call)  # type: ignore[arg-type]
    assert issubclass(ParameterError, ValueError)
