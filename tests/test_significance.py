"""The background test (hotspots.significance): known expected counts and p-value adjustments."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from geo import crs, districts
from geo.errors import ParameterError
from hotspots import significance


@pytest.fixture(scope="module")
def peruspiiri() -> gpd.GeoDataFrame:
    return districts.load_districts("peruspiiri")


def uniform_in(geometry: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    x0, y0, x1, y1 = geometry.bounds
    points = np.empty((0, 2))
    while len(points) < n:
        batch = rng.uniform([x0, y0], [x1, y1], (4 * n, 2))
        points = np.vstack([points, batch[shapely.contains_xy(geometry, batch[:, 0], batch[:, 1])]])
    return points[:n]


def test_expected_count_follows_the_district_rate(peruspiiri: gpd.GeoDataFrame) -> None:
    """Known answer: a disc inside one district expects N_d * disc area / occupied area."""
    kallio = peruspiiri.loc[peruspiiri["code"] == "301", "geometry"].iloc[0]
    rng = np.random.default_rng(2)
    xy = uniform_in(kallio, 400, rng)
    background = pd.DataFrame({"x_m": xy[:, 0], "y_m": xy[:, 1], "peruspiiri_code": "301"})
    cells = {(int(a // 250), int(b // 250)) for a, b in xy}
    centre = shapely.Point(crs.to_metric([24.9497], [60.1838], src=crs.WGS84))
    disc = centre.buffer(100.0)
    expected, tested, searched = significance.expected_counts([disc], background, districts=peruspiiri)
    assert expected[0] == pytest.approx(400 * disc.area / (len(cells) * 250.0**2))
    assert tested[0] == pytest.approx(disc.area) and searched == pytest.approx(len(cells) * 250.0**2)
    table = significance.hotspot_significance([disc, disc], [3, 40], background, districts=peruspiiri)
    assert table["p_local"].iloc[1] == pytest.approx(stats.poisson.sf(39, expected[0]))
    assert not table["significant"].iloc[0] and table["significant"].iloc[1]
    sea = shapely.Point(392000.0, 6660000.0).buffer(100.0)  # open sea south of the city
    untested = significance.hotspot_significance([sea], [50], background, districts=peruspiiri)
    assert np.isnan(untested["p_value"].iloc[0]) and not untested["significant"].iloc[0]


def test_p_value_adjustments_match_references() -> None:
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.005])
    tested = p[np.isfinite(p)]
    bh = significance.adjust_p_values(p, method="bh")
    np.testing.assert_allclose(bh[np.isfinite(p)], stats.false_discovery_control(tested, method="bh"))
    holm = significance.adjust_p_values(p, method="holm")
    # By hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1, running maximum.
    np.testing.assert_allclose(holm, [0.03, 0.06, 0.06, np.nan, 0.02])
    np.testing.assert_allclose(
        significance.adjust_p_values(p, method="bonferroni"), [0.04, 0.16, 0.12, np.nan, 0.02]
    )
    assert np.isnan(significance.adjust_p_values([np.nan])).all()
    with pytest.raises(ParameterError, match="method"):
        significance.adjust_p_values(p, method="sidak")  # type: ignore[arg-type]


def test_district_background_counts_and_occupied_cells() -> None:
    background = pd.DataFrame(
        {
            "x_m": [10.0, 20.0, 260.0, 10.0, np.nan],
            "y_m": [10.0, 20.0, 10.0, 10.0, 10.0],
            "peruspiiri_code": pd.array(["301", "301", "301", pd.NA, "101"], dtype="string"),
        }
    )
    table = significance.district_background(background, cell_m=250.0)
    # Kallio: three incidents in two 250 m cells; rows without a district or coordinates are left out.
    assert list(table.index) == ["301"]
    assert table.loc["301", "n"] == 3 and table.loc["301", "occupied_km2"] == pytest.approx(2 * 0.0625)
    with pytest.raises(ParameterError, match="background lacks the column 'peruspiiri_code'"):
        significance.district_background(background.drop(columns="peruspiiri_code"))


def test_params_name_the_parameter() -> None:
    with pytest.raises(ParameterError, match="alpha must be in"):
        significance.SignificanceParams(alpha=1.5)
    with pytest.raises(ParameterError, match="correction"):
        significance.SignificanceParams(correction="none")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="cell_m must be > 0 metres, got 0"):
        significance.SignificanceParams(cell_m=0)
