"""eps and min_samples chosen by backtest (``--eps auto --min-samples auto``, the default)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import demo
from hotspots import analysis, areas
from hotspots.clustering import ClusteringParams
from hotspots.grid import fill_budget, in_period, study_grid_for
from hotspots.parameters import auto
from hotspots.parameters.defaults import EPS_CANDIDATES_M, REFERENCE_MIN_SAMPLES
from hotspots.selection import Selection, apply

AUTO = ClusteringParams(auto_eps=True, auto_min_samples=True)
SINCE, UNTIL = "2026-05-01", "2026-11-01"


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=20_000, seed=2026)


def test_the_choice_predicts_the_next_period_better_than_the_defaults(
    incidents: pd.DataFrame,
) -> None:
    # Chosen inside May-Oct only; judged on Nov-Apr, which the choice never saw.
    selection = Selection(since="2025-05-01", until="2025-11-01")
    current = apply(incidents, selection)
    choice = auto.choose_parameters(current, selection, ClusteringParams())
    assert choice.chosen and choice.candidates is not None
    tried = set(zip(choice.candidates["eps_m"], choice.candidates["min_samples"], strict=True))
    assert len(tried) >= len(EPS_CANDIDATES_M) * len(REFERENCE_MIN_SAMPLES)
    assert (150.0, 10) in tried  # the given parameters, the reference of default_hit_rate
    scorings = set(zip(choice.candidates["basis"], choice.candidates["smoothing"], strict=True))
    assert scorings == set(auto.SCORING_CANDIDATES)
    # The one-standard-error rule may keep a simpler candidate, never a clearly worse one.
    n_half = int(
        in_period(
            current["occurred_at"],
            pd.Timestamp("2025-08-01", tz="Europe/Helsinki"),
            pd.Timestamp("2025-11-01", tz="Europe/Helsinki"),
        ).sum()
    )
    best = float(choice.candidates["hit_rate"].max())
    assert choice.hit_rate >= best - np.sqrt(best * (1 - best) / n_half) - 1e-9
    grid = study_grid_for(selection)
    after = apply(incidents, Selection(since="2025-11-01", until="2026-05-01"))
    test_counts = grid.counts(after["x_m"], after["y_m"])

    def caught(params: ClusteringParams) -> float:
        # The hotspots as the map draws them, whole in rank order, at 1, 3 and 5 %.
        found = areas.areas_of(current, grid, params)
        priority = areas.ranked_priority(found.cells, found.scores)
        rates = [
            fill_budget(priority, test_counts, cells=round(share * grid.n_cells))[0]
            for share in (0.01, 0.03, 0.05)
        ]
        return float(np.mean(rates)) / float(test_counts.sum())

    # Measured: 56.6 % against 55.4 % of the next half-year's incidents (mean of 1/3/5 %).
    assert caught(choice.clustering) > caught(ClusteringParams())
    assert "Size rule" in choice.reason and "0.25 km²" in choice.reason


def test_too_few_incidents_keep_the_defaults_and_say_why(incidents: pd.DataFrame) -> None:
    selection = Selection(since=SINCE, until=UNTIL, osaalue=("101",), categories=("weapons",))
    current = apply(incidents, selection)
    assert 0 < len(current) < auto.MIN_INCIDENTS
    choice = auto.choose_parameters(current, selection, ClusteringParams(eps_m=120, min_samples=6))
    assert not choice.chosen
    assert (choice.clustering.eps_m, choice.clustering.min_samples) == (120, 6)
    assert "too few" in choice.reason and str(len(current)) in choice.reason


def test_other_methods_keep_their_parameters(incidents: pd.DataFrame) -> None:
    selection = Selection(since=SINCE, until=UNTIL)
    given = ClusteringParams(method="hdbscan", auto_eps=True, auto_min_samples=True)
    choice = auto.choose_parameters(apply(incidents, selection), selection, given)
    assert not choice.chosen and choice.clustering == given and "DBSCAN only" in choice.reason


def test_a_district_gets_the_city_wide_choice(incidents: pd.DataFrame) -> None:
    city = analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL), clustering=AUTO)
    kallio = analysis.analyse(
        incidents, selection=Selection(since=SINCE, until=UNTIL, peruspiiri=("301",)), clustering=AUTO
    )
    assert city.parameters is not None and city.parameters.chosen
    assert (kallio.clustering.eps_m, kallio.clustering.min_samples) == (
        city.clustering.eps_m,
        city.clustering.min_samples,
    )
    # Both periods are clustered with the choice, and the analysis says what was used.
    assert kallio.clustering.auto_eps and kallio.parameters is not None
    assert kallio.parameters.reason == city.parameters.reason


def test_with_the_default_choice_the_demo_story_still_shows(incidents: pd.DataFrame) -> None:
    # The generator lets Malmi and Herttoniemi emerge and Myllypuro and Kannelmäki fade.
    result = analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL), clustering=AUTO)
    top = result.hotspots.head(15)
    for place in ("Malmi", "Herttoniemi"):
        there = top[top["osaalue_fi"].str.contains(place)]
        assert len(there) and set(there["status"]) <= {"new", "intensifying"}, place
    vanished = " ".join(result.vanished["osaalue_fi"])
    assert "Kannelmäki" in vanished and "Myllypuro" in vanished
    # Steady places are not "new" only because the city had fewer incidents before.
    main = result.hotspots.head(20)
    steady = main[main["osaalue_fi"].str.contains("Kontula|Kluuvi")]
    assert len(steady) and not (steady["status"] == "new").any()


def test_street_scale_at_every_volume_and_ranked_densest_first(incidents: pd.DataFrame) -> None:
    result = analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL), clustering=AUTO)
    table = result.hotspots
    land = study_grid_for(Selection()).area_km2
    assert len(table) >= 5
    assert table["area_km2"].max() <= 0.25 + 1e-9
    assert table["area_km2"].sum() <= 0.05 * land + 1e-9
    # The rank is the intensity order, and the labels are the areas' own order.
    assert table["intensity_km2"].is_monotonic_decreasing
    assert table["label"].is_monotonic_increasing
    # Outlines are unions of 150 m study cells: every vertex on the grid.
    grid = study_grid_for(Selection())
    for polygon in table.geometry.values[:20]:
        xy = np.asarray(
            polygon.exterior.coords
            if polygon.geom_type == "Polygon"
            else [c for g in polygon.geoms for c in g.exterior.coords]
        )
        assert np.allclose(((xy[:, 0] - grid.x0_m) / grid.cell_m) % 1, 0, atol=1e-6) or np.allclose(
            ((xy[:, 0] - grid.x0_m) / grid.cell_m + 1e-9) % 1, 0, atol=1e-6
        )
    # Every incident of a hotspot's cells is counted in it.
    members = np.bincount(result.labels[result.labels >= 0])
    assert (members[table["label"].to_numpy()] == table["n"].to_numpy()).all()


def test_held_out_hit_rates_fill_each_budget_and_average() -> None:
    grid = study_grid_for(Selection(peruspiiri=("301",)))
    x, y = grid.centres()
    # Ten held-out incidents in the first cell, five in the second, one in the third.
    held_x, held_y = np.repeat(x[:3], [10, 5, 1]), np.repeat(y[:3], [10, 5, 1])
    held_out = auto.HeldOut.of(grid, held_x, held_y, (1 / grid.n_cells, 2 / grid.n_cells))
    assert held_out.budgets == (1, 2) and held_out.n == 16.0
    priority = np.zeros(grid.n_cells)
    priority[[1, 2]] = [2.0, 1.0]  # the second cell first, then the third
    assert held_out.hit_rates(priority) == [5 / 16, 6 / 16]
    assert held_out.hit_rate(priority) == pytest.approx(5.5 / 16)
    empty = auto.HeldOut.of(grid, [], [], (0.01,))
    assert empty.hit_rates(priority) == [0.0]


def test_training_cells_count_incidents_and_days(incidents: pd.DataFrame) -> None:
    grid = study_grid_for(Selection(peruspiiri=("301",)))
    current = apply(incidents, Selection(since=SINCE, until=UNTIL, peruspiiri=("301",))).reset_index(
        drop=True
    )
    training = auto.TrainingCells.of(current, grid)
    assert training.counts.sum() <= len(current)
    assert (training.bases["days"] <= training.bases["incidents"]).all()
    assert training.bases["incidents"] is training.counts
    disc = training.disc(150.0)
    assert training.disc(150.0) is disc  # computed once per eps
    assert disc.max() >= training.counts.max()
