"""The backtest panel's texts, table and chart (views.backtest_panel), on hand-made results."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspots.backtest.last_period import TABLE_COLUMNS, PredictiveCheck, hotspots_in_budget
from i18n import t
from views import backtest_panel

TRAIN = (pd.Timestamp("2025-11-01"), pd.Timestamp("2026-05-01"))
TEST = (pd.Timestamp("2026-05-01"), pd.Timestamp("2026-11-01"))


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


def _check(hit_rates: dict[str, float], *, status: str = "ok", share: float = 0.03) -> PredictiveCheck:
    """One budget (the user's), one row per method with the given hit rates."""
    rows = [
        {
            "area_share": share,
            "method": method,
            "chosen": True,
            "cells": 100,
            "area_km2": 6.4,
            "hits": round(rate * 400),
            "n_test": 400,
            "hit_rate": rate,
            "pai": rate / share,
            "pei": rate / hit_rates["best"],
        }
        for method, rate in hit_rates.items()
    ]
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS)) if status == "ok" else pd.DataFrame()
    return PredictiveCheck(
        status=status,  # type: ignore[arg-type]
        area_share=share,
        study_area_km2=213.0,
        train_since=TRAIN[0],
        train_until=TRAIN[1],
        test_since=TEST[0],
        test_until=TEST[1],
        n_train=380,
        n_test=400,
        table=table,
    )


def test_sentences_in_three_languages() -> None:
    fit = hotspots_in_budget(_hand_made(), study_area_km2=100.0, share=0.035, n_incidents=50)
    assert backtest_panel.fit_sentence(fit, "en") == (
        "At 3.5% of the area (3.50\u00a0km²) the top 3 hotspots fit; "
        "they hold 70% of this period's incidents."
    )
    assert "3,5\u00a0%" in backtest_panel.fit_sentence(fit, "fi")
    assert "3 kärkihotspotia" in backtest_panel.fit_sentence(fit, "fi")
    one = hotspots_in_budget(_hand_made(), study_area_km2=100.0, share=0.01, n_incidents=50)
    assert "the top hotspot fits; it holds 20%" in backtest_panel.fit_sentence(one, "en")
    every = hotspots_in_budget(_hand_made(), study_area_km2=100.0, share=0.5, n_incidents=50)
    assert "all 4 hotspots fit; they hold 72%" in backtest_panel.fit_sentence(every, "en")
    nothing = hotspots_in_budget(_hand_made().iloc[0:0], study_area_km2=100.0, share=0.5, n_incidents=50)
    assert backtest_panel.fit_sentence(nothing, "en").startswith("The selection has no hotspots.")
    none = hotspots_in_budget(_hand_made(), study_area_km2=100.0, share=0.005, n_incidents=50)
    assert "den högst rankade är 1,00\u00a0km²" in backtest_panel.fit_sentence(none, "sv")


@pytest.mark.parametrize(
    ("share", "lang", "decimals", "text"),
    [(0.413, "en", 0, "41%"), (0.413, "fi", 0, "41\u00a0%"), (0.035, "sv", 1, "3,5\u00a0%")],
)
def test_percent_follows_the_language(share: float, lang: str, decimals: int, text: str) -> None:
    assert backtest_panel.percent(share, lang, decimals=decimals) == text


def test_result_text_names_the_periods_the_rates_and_a_better_method() -> None:
    check = _check({"dbscan": 0.30, "grid": 0.35, "kde-rule": 0.20, "gistar": 0.10, "best": 0.50})
    text = backtest_panel.result_text(check, "en")
    assert "Trained on 2025-11-01–2026-04-30 (380 incidents)" in text
    assert "tested on 2026-05-01–2026-10-31 (400 incidents)" in text
    assert "30% of this period's incidents" in text and "would have caught 50%" in text
    assert text.endswith("Best at this share: Grid counts (35%).")
    fi = backtest_panel.result_text(check, "fi")
    assert "1.11.2025–30.4.2026" in fi


def test_one_headline_names_the_budget_what_was_caught_and_the_ceiling() -> None:
    check = _check({"dbscan": 0.30, "grid": 0.35, "kde-rule": 0.20, "gistar": 0.10, "best": 0.50})
    assert backtest_panel.headline(check, "en") == (
        "Last period's hotspots, 3% of the area, caught 30% of this period's incidents; the best possible "
        "area of the same size, chosen with hindsight, would have caught 50%."
    )
    assert backtest_panel.headline(check, "fi").count("%") == 3


def test_the_area_reads_the_same_in_the_sentence_and_the_table() -> None:
    check = _check({"dbscan": 0.30, "grid": 0.35, "kde-rule": 0.20, "gistar": 0.10, "best": 0.50})
    table = backtest_panel.table_view(check, "fi")
    areas = set(table[t("column.area_km2", "fi")])
    fit = hotspots_in_budget(
        _hand_made(), study_area_km2=check.study_area_km2, share=check.area_share, n_incidents=50
    )
    chosen = check.at_share("dbscan")
    assert chosen is not None
    sentence = backtest_panel.fit_sentence(fit, "fi", area_km2=float(chosen["area_km2"]))
    assert any(area in sentence for area in areas), (areas, sentence)


def test_result_text_says_nothing_of_a_leader_when_dbscan_leads() -> None:
    check = _check({"dbscan": 0.40, "grid": 0.35, "kde-rule": 0.20, "gistar": 0.10, "best": 0.50})
    assert "Best at this share" not in backtest_panel.result_text(check, "en")


@pytest.mark.parametrize(
    ("status", "start"),
    [
        ("no_area", "The selected districts have no land"),
        ("no_period", "The check needs a period with a start date"),
        ("too_few_incidents", "Not enough data for the check"),
    ],
)
def test_result_text_says_why_there_is_no_check(status: str, start: str) -> None:
    assert backtest_panel.result_text(_check({"best": 0.5}, status=status), "en").startswith(start)


def test_table_view_translates_headers_methods_and_numbers() -> None:
    check = _check({"dbscan": 0.30, "best": 0.50}, share=0.005)
    view = backtest_panel.table_view(check, "en")
    assert list(view.columns) == [
        "Share of the area",
        "area km²",
        "Method",
        "Hit rate",
        "PAI (accuracy)",
        "PEI (efficiency)",
        "Your choice",
    ]
    assert list(view["Method"]) == ["DBSCAN hotspots", "Best possible (hindsight)"]
    assert list(view["Share of the area"]) == ["0.5%", "0.5%"]
    assert list(view["Hit rate"]) == ["30.0%", "50.0%"]
    assert list(view["PAI (accuracy)"]) == ["60.0", "100.0"]
    assert view["Your choice"].tolist() == [True, True]


def test_hit_rate_chart_draws_one_line_per_method_and_the_users_share() -> None:
    check = _check({"dbscan": 0.30, "grid": 0.35, "best": 0.50})
    spec = backtest_panel.hit_rate_chart(check, "en").to_dict()
    lines, rule = spec["layer"]
    assert lines["mark"]["type"] == "line" and rule["mark"]["type"] == "rule"
    assert lines["encoding"]["color"]["sort"] == [
        "DBSCAN hotspots",
        "Grid counts",
        "Best possible (hindsight)",
    ]
