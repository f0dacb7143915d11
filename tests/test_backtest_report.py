"""The backtest's report: mean and spread per budget and method, the Markdown table, the chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import ParameterError
from hotspots.backtest.report import SUMMARY_COLUMNS, backtest_chart, format_table, summarise_backtest


def _results() -> pd.DataFrame:
    """Two windows, two budgets (in the order 5%, 1%), two methods."""
    rows = []
    for window, hit in (("w1", 0.2), ("w2", 0.4)):
        for budget, share in (("5%", 0.05), ("1%", 0.01)):
            rows.append(
                {
                    "window": window,
                    "budget": budget,
                    "method": "grid",
                    "area_share": share,
                    "hit_rate": hit,
                    "pai": hit / share,
                    "pei": 0.5,
                }
            )
            rows.append(
                {
                    "window": window,
                    "budget": budget,
                    "method": "dbscan",
                    "area_share": share,
                    "hit_rate": hit + 0.1,
                    "pai": (hit + 0.1) / share,
                    "pei": 0.6,
                }
            )
    return pd.DataFrame(rows)


def test_summary_keeps_the_budgets_order_and_ranks_methods_by_hit_rate() -> None:
    results = _results()
    before = results.copy()
    table = summarise_backtest(results)
    pd.testing.assert_frame_equal(results, before)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert list(zip(table["budget"], table["method"], strict=True)) == [
        ("5%", "dbscan"),
        ("5%", "grid"),
        ("1%", "dbscan"),
        ("1%", "grid"),
    ]
    first = table.iloc[0]
    assert first["windows"] == 2
    assert first["hit_rate"] == pytest.approx(0.4)
    assert first["hit_rate_sd"] == pytest.approx(np.std([0.3, 0.5], ddof=1))
    assert (first["hit_rate_min"], first["hit_rate_max"]) == pytest.approx((0.3, 0.5))
    assert first["pai"] == pytest.approx(0.4 / 0.05)
    with pytest.raises(ParameterError, match=r"lack the columns \['pei'\]"):
        summarise_backtest(results.drop(columns="pei"))


def test_markdown_table_shows_percentages_and_spread() -> None:
    text = format_table(summarise_backtest(_results()))
    lines = text.splitlines()
    assert lines[0] == "| budget | method | windows | area | hit rate | PAI | PEI |"
    assert lines[2] == "| 5% | dbscan | 2 | 5.00% | 40.0% ± 14.1% | 8.00 ± 2.83 | 0.60 ± 0.00 |"
    one_window = summarise_backtest(_results().query("window == 'w1'"))
    assert format_table(one_window).splitlines()[2] == "| 5% | dbscan | 1 | 5.00% | 30.0% | 6.00 | 0.60 |"


def test_chart_plots_hit_rate_against_area_per_method() -> None:
    spec = backtest_chart(_results()).to_dict()
    assert spec["title"] == "Hotspot backtest: hit rate at equal area"
    lines, spread = spec["layer"]
    assert lines["encoding"]["x"]["field"] == "area_share"
    assert lines["encoding"]["y"]["field"] == "hit_rate"
    assert lines["encoding"]["color"]["field"] == "method"
    assert spread["mark"]["type"] == "errorbar"
