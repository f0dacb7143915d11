"""The study grid: scoring a cell ranking at a budget, and the study area of a district choice."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import districts
from geo.errors import ParameterError
from hotspots.grid import fill_budget, study_area, study_grid_for
from hotspots.selection import Selection


@pytest.fixture(scope="module")
def osaalue() -> gpd.GeoDataFrame:
    return districts.load_districts("osaalue")


def test_fill_budget_counts_ties_pro_rata_and_skips_unselectable() -> None:
    priority = np.array([5.0, 3.0, 3.0, 1.0, np.nan])
    test = np.array([10.0, 4.0, 2.0, 7.0, 100.0])
    assert fill_budget(priority, test, cells=1) == (10.0, 1)
    # Two cells tie for the second place: half of their 6 incidents.
    assert fill_budget(priority, test, cells=2) == (13.0, 2)
    assert fill_budget(priority, test, cells=3) == (16.0, 3)
    # Only four cells are selectable; the NaN cell is never chosen.
    assert fill_budget(priority, test, cells=10) == (23.0, 4)
    assert fill_budget(priority, test, cells=0) == (0.0, 0)


def test_fill_budget_rejects_bad_input() -> None:
    with pytest.raises(ParameterError, match="cells must be a whole number >= 0, got -1"):
        fill_budget(np.ones(3), np.ones(3), cells=-1)
    with pytest.raises(ParameterError, match="one value per cell"):
        fill_budget(np.ones(3), np.ones(4), cells=1)


def test_the_study_grid_of_a_district_is_its_land() -> None:
    whole = study_grid_for(Selection())
    kallio = study_grid_for(Selection(peruspiiri=("301",)))
    assert 0 < kallio.n_cells < whole.n_cells / 50
    # Kallio is about 3.2 km2 (peruspiiri with its osa-alue, shores included).
    assert 2.0 < kallio.area_km2 < 5.0
    assert np.isclose(whole.area_km2, whole.n_cells * 0.0225)


def test_the_most_detailed_district_choice_wins(osaalue: gpd.GeoDataFrame) -> None:
    linjat = osaalue.loc[osaalue["code"] == "112"].geometry.iloc[0]
    area = study_area(Selection(peruspiiri=("301",), osaalue=("112",)), osaalue)
    assert shapely.area(area) == pytest.approx(shapely.area(linjat))
    everything = study_area(Selection(), osaalue)
    sea = osaalue.loc[osaalue["code"] == "533"].geometry.iloc[0]
    assert shapely.area(shapely.intersection(everything, sea)) == pytest.approx(0.0, abs=1.0)
