"""Did last period's hotspots predict this one? One backtest window on the demo data, and the budget fit."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import demo, districts
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.backtest import last_period
from hotspots.backtest.last_period import (
    PREDICTIVE_METHODS,
    budget_shares,
    hotspots_in_budget,
    predictive_check,
)
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection, apply

CLUSTERING = ClusteringParams(eps_m=150.0, min_samples=10)


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=10_000, seed=2026)


@pytest.fixture(scope="module")
def osaalue() -> gpd.GeoDataFrame:
    return districts.load_districts("osaalue")


@pytest.fixture(scope="module")
def last_half_year(incidents: pd.DataFrame) -> analysis.Analysis:
    selection = Selection(since=demo.recent_start(), until=demo.demo_period()[1])
    return analysis.analyse(incidents, selection=selection, clustering=CLUSTERING)


@pytest.fixture(scope="module")
def check(
    incidents: pd.DataFrame, last_half_year: analysis.Analysis, osaalue: gpd.GeoDataFrame
) -> last_period.PredictiveCheck:
    return predictive_check(incidents, last_half_year, share=0.02, osaalue=osaalue)


# --------------------------------------------------------------------------- the backtest window


def test_trains_on_the_period_before_and_tests_on_the_selected_one(
    check: last_period.PredictiveCheck, incidents: pd.DataFrame, last_half_year: analysis.Analysis
) -> None:
    assert check.status == "ok"
    selection = last_half_year.selection
    before = selection.previous()
    assert (check.train_since, check.train_until) == (before.since, before.until)
    assert (check.test_since, check.test_until) == (selection.since, selection.until)
    # Demo points lie on land; a few sit in coastal cells whose centre is in the sea.
    n_before, n_now = len(apply(incidents, before)), len(last_half_year.current)
    assert 0.97 * n_before <= check.n_train <= n_before
    assert 0.97 * n_now <= check.n_test <= n_now
    assert set(check.table["n_test"]) == {check.n_test}


def test_table_has_every_method_at_the_users_and_the_standard_budgets(
    check: last_period.PredictiveCheck,
) -> None:
    table = check.table
    assert list(table.columns) == list(last_period.TABLE_COLUMNS)
    assert list(dict.fromkeys(table["area_share"])) == [0.01, 0.02, 0.03, 0.05]
    for _, rows in table.groupby("area_share", sort=False):
        assert list(rows["method"]) == list(PREDICTIVE_METHODS)
    assert set(table.loc[table["chosen"], "area_share"]) == {0.02}
    # Every method gets exactly the same area: the budget, or all that last period's drawn
    # hotspots cover when that is less.
    cells = table.groupby("area_share")["cells"].nunique()
    assert (cells == 1).all()
    drawn = int(table.loc[table["method"] == "dbscan", "cells"].max())
    assert table.loc[table["area_share"] == 0.02, "cells"].iloc[0] == min(
        round(0.02 * check.study_area_km2 / 0.0225), drawn
    )
    assert table.loc[table["area_share"] == 0.01, "cells"].iloc[0] == round(
        0.01 * check.study_area_km2 / 0.0225
    )


def test_demo_concentrations_are_predicted_far_better_than_chance(check: last_period.PredictiveCheck) -> None:
    table = check.table.set_index(["area_share", "method"])
    for share in (0.01, 0.02, 0.03, 0.05):
        for method in ("dbscan", "grid", "kde-rule", "gistar"):
            row = table.loc[(share, method)]
            assert row["pai"] > 5, (share, method, row["pai"])
            assert row["pai"] == pytest.approx(
                row["hit_rate"] / (row["cells"] / (check.study_area_km2 / 0.0225))
            )
            assert 0 < row["pei"] < 1
            assert row["hit_rate"] <= table.loc[(share, "best"), "hit_rate"]
        assert table.loc[(share, "best"), "pei"] == 1.0
    # More area catches more (up to all the hotspots drawn).
    rows = check.table[check.table["method"] == "dbscan"]
    assert np.all(np.diff(rows["hit_rate"].to_numpy()) >= 0)
    grew = np.diff(rows["cells"].to_numpy()) > 0
    assert np.all(np.diff(rows["hit_rate"].to_numpy())[grew] > 0)


def test_users_share_equal_to_a_standard_one_is_not_repeated() -> None:
    assert budget_shares(0.03) == (0.01, 0.03, 0.05)
    assert budget_shares(0.075) == (0.01, 0.03, 0.05, 0.075)
    assert budget_shares(3.0 / 100) == (0.01, 0.03, 0.05)
    with pytest.raises(ParameterError, match=r"share must be in \(0, 1\).*got 3"):
        budget_shares(3)


def test_does_not_change_its_inputs(
    incidents: pd.DataFrame, last_half_year: analysis.Analysis, osaalue: gpd.GeoDataFrame
) -> None:
    before = incidents.copy()
    hotspots_before = last_half_year.hotspots.copy()
    predictive_check(incidents, last_half_year, share=0.05, osaalue=osaalue)
    pd.testing.assert_frame_equal(incidents, before)
    pd.testing.assert_frame_equal(last_half_year.hotspots, hotspots_before)


def test_a_district_filter_makes_the_study_area_those_districts(
    incidents: pd.DataFrame, last_half_year: analysis.Analysis, osaalue: gpd.GeoDataFrame
) -> None:
    kallio_selection = replace(last_half_year.selection, peruspiiri=("301",))
    kallio = analysis.analyse(incidents, selection=kallio_selection, clustering=CLUSTERING)
    result = predictive_check(incidents, kallio, share=0.05, osaalue=osaalue)
    polygons = osaalue.loc[osaalue["peruspiiri_code"] == "301"]
    # Kallio's osa-alue on land (the district polygons include sea; see geo.districts.on_land).
    expected_km2 = float(shapely.area(districts.on_land(polygons.geometry.union_all()))) / 1e6
    whole = predictive_check(incidents, last_half_year, share=0.05, osaalue=osaalue).study_area_km2
    assert result.study_area_km2 == pytest.approx(expected_km2, rel=0.05)
    assert result.study_area_km2 < 0.02 * whole
    assert result.status == "ok"
    # Only Kallio's incidents are counted.
    assert result.n_test <= len(kallio.current) < len(last_half_year.current)


def test_no_start_date_too_little_data_and_only_sea_are_results_not_errors(
    incidents: pd.DataFrame, last_half_year: analysis.Analysis, osaalue: gpd.GeoDataFrame
) -> None:
    open_start = replace(last_half_year, selection=Selection(until=demo.demo_period()[1]))
    result = predictive_check(incidents, open_start, share=0.03, osaalue=osaalue)
    assert result.status == "no_period"
    assert result.table.empty and not result.ok

    two_days = Selection(since="2026-10-01", until="2026-10-03", osaalue=("112",))
    small = replace(last_half_year, selection=two_days)
    result = predictive_check(incidents, small, share=0.03, osaalue=osaalue)
    assert result.status == "too_few_incidents"
    assert result.n_train < last_period.MIN_INCIDENTS
    assert result.n_train == len(apply(incidents, two_days.previous()))
    assert str(result.train_since.date()) == "2026-09-29"  # type: ignore[union-attr]

    sea = replace(last_half_year, selection=replace(last_half_year.selection, osaalue=("533",)))
    result = predictive_check(incidents, sea, share=0.03, osaalue=osaalue)
    assert result.status == "no_area"
    assert result.study_area_km2 == 0.0


# --------------------------------------------------------------------------- hotspots in the budget


def _hand_made() -> pd.DataFrame:
    # Rows out of rank order on purpose; rank 4 is small enough to fit where rank 3 does not.
    return pd.DataFrame(
        {
            "id": ["c", "a", "d", "b"],
            "rank": [3, 1, 4, 2],
            "area_km2": [2.0, 1.0, 0.2, 0.5],
            "n": [20, 10, 1, 5],
        }
    )


@pytest.mark.parametrize(
    ("share", "ranks", "area_km2", "incidents"),
    [
        (0.005, [], 0.0, 0),  # 0.5 km²: not even the top one (1 km²)
        (0.01, [1], 1.0, 10),  # exactly the top one
        (0.02, [1, 2], 1.5, 15),  # 2 km²: rank 3 (2 km²) would overflow; rank 4 is not pulled forward
        (0.035, [1, 2, 3], 3.5, 35),  # exactly the top three
        (0.5, [1, 2, 3, 4], 3.7, 36),
    ],
)
def test_top_hotspots_whose_cumulative_area_fits(
    share: float, ranks: list[int], area_km2: float, incidents: int
) -> None:
    table = _hand_made()
    fit = hotspots_in_budget(table, study_area_km2=100.0, share=share, n_incidents=50)
    assert list(fit.hotspots["rank"]) == ranks
    assert fit.count == len(ranks)
    assert fit.budget_km2 == pytest.approx(share * 100.0)
    assert fit.area_km2 == pytest.approx(area_km2)
    assert fit.incidents == incidents
    assert fit.incident_share == pytest.approx(incidents / 50)
    assert (fit.n_hotspots, fit.top_area_km2) == (4, 1.0)
    pd.testing.assert_frame_equal(table, _hand_made())


def test_budget_fit_validates_its_arguments() -> None:
    with pytest.raises(ParameterError, match="share must be in"):
        hotspots_in_budget(_hand_made(), study_area_km2=100.0, share=0.0, n_incidents=50)
    with pytest.raises(ParameterError, match="study_area_km2 must be > 0"):
        hotspots_in_budget(_hand_made(), study_area_km2=0.0, share=0.03, n_incidents=50)
    with pytest.raises(ParameterError, match=r"lacks the columns \['area_km2'\]"):
        hotspots_in_budget(
            _hand_made().drop(columns="area_km2"), study_area_km2=1.0, share=0.03, n_incidents=1
        )
    empty = hotspots_in_budget(_hand_made().iloc[0:0], study_area_km2=100.0, share=0.03, n_incidents=0)
    assert empty.count == 0 and empty.n_hotspots == 0
    assert np.isnan(empty.incident_share) and np.isnan(empty.top_area_km2)


def test_budget_fit_on_the_demo_hotspots(
    check: last_period.PredictiveCheck, last_half_year: analysis.Analysis
) -> None:
    hotspots = last_half_year.hotspots
    total = len(last_half_year.current)
    small = hotspots_in_budget(hotspots, study_area_km2=check.study_area_km2, share=0.005, n_incidents=total)
    large = hotspots_in_budget(hotspots, study_area_km2=check.study_area_km2, share=0.03, n_incidents=total)
    assert 0 < small.count < large.count <= len(hotspots)
    assert list(large.hotspots["rank"]) == list(range(1, large.count + 1))
    assert large.area_km2 <= large.budget_km2
    assert large.incident_share == pytest.approx(large.hotspots["n"].sum() / total)
