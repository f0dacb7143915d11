"""CRS handling: round trips and unambiguous guesses."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import crs
from geo.errors import ParameterError

lon_st = st.floats(min_value=24.78, max_value=25.25, allow_nan=False)
lat_st = st.floats(min_value=60.10, max_value=60.30, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(lon=lon_st, lat=lat_st, via=st.sampled_from([crs.GK25, crs.METRIC]))
def test_projection_round_trip_is_sub_millimetre(lon: float, lat: float, via: str) -> None:
    x, y = crs.transform([lon], [lat], src=crs.WGS84, dst=via)
    back_lon, back_lat = crs.transform(x, y, src=via, dst=crs.WGS84)
    # 1e-8 degrees is about a millimetre.
    assert abs(back_lon[0] - lon) < 1e-8
    assert abs(back_lat[0] - lat) < 1e-8


def test_known_point_in_gk25_and_tm35() -> None:
    # Helsinki railway station; GK25 eastings carry the zone number 25.
    x, y = crs.transform([24.9414], [60.1710], src=crs.WGS84, dst=crs.GK25)
    assert 25_496_000 < x[0] < 25_497_500 and 6_672_000 < y[0] < 6_673_500
    x, y = crs.to_metric([24.9414], [60.1710], src=crs.WGS84)
    assert 385_000 < x[0] < 386_500 and 6_671_000 < y[0] < 6_673_000


@pytest.mark.parametrize("target", [crs.WGS84, crs.GK25, crs.METRIC])
def test_guess_is_unambiguous_for_each_crs(target: str) -> None:
    rng = np.random.default_rng(1)
    lon = rng.uniform(24.85, 25.2, 200)
    lat = rng.uniform(60.15, 60.28, 200)
    x, y = crs.transform(lon, lat, src=crs.WGS84, dst=target)
    assert crs.guess_crs(x, y) == target


def test_guess_refuses_mixed_or_foreign_numbers() -> None:
    assert crs.guess_crs([24.9, 385_000.0], [60.2, 6_672_000.0]) is None
    assert crs.guess_crs([1.0, 2.0], [3.0, 4.0]) is None
    assert crs.guess_crs([np.nan], [np.nan]) is None


@pytest.mark.parametrize(("given_crs", "expected"), [(3879, "EPSG:3879"), ("epsg:3067", "EPSG:3067")])
def test_normalise_crs(given_crs: object, expected: str) -> None:
    assert crs.normalise_crs(given_crs) == expected  # type: ignore[arg-type]


def test_normalise_crs_names_bad_value() -> None:
    with pytest.raises(ValueError, match="crs must be an EPSG code"):
        crs.normalise_crs("GK25")


def test_local_metric_crs_is_utm_outside_finland() -> None:
    assert crs.local_metric_crs([24.94], [60.17]) == "EPSG:3067"
    assert crs.local_metric_crs([-79.38, -79.40], [43.65, 43.70]) == "EPSG:32617"
    assert crs.local_metric_crs([151.2], [-33.87]) == "EPSG:32756"
    with pytest.raises(ParameterError, match="no finite WGS84"):
        crs.local_metric_crs([np.nan], [np.nan])
