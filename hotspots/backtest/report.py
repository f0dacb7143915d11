"""The backtest's results for people: mean and spread per budget and method, a table, a chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.errors import ParameterError

if TYPE_CHECKING:
    import altair as alt

#: Columns of ``summarise_backtest`` (one row per budget and method).
SUMMARY_COLUMNS: Final = (
    "budget",
    "method",
    "windows",
    "area_share",
    "hit_rate",
    "hit_rate_sd",
    "hit_rate_min",
    "hit_rate_max",
    "pai",
    "pai_sd",
    "pei",
    "pei_sd",
)


def summarise_backtest(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread over windows per budget and method.

    Parameters
    ----------
    results
        Output of ``backtest``.

    Returns
    -------
    DataFrame
        ``SUMMARY_COLUMNS``, budgets in their order of appearance, methods by mean hit
        rate (best first) within a budget.
    """
    missing = [
        c for c in ("budget", "method", "area_share", "hit_rate", "pai", "pei") if c not in results.columns
    ]
    if missing:
        raise ParameterError(f"results lack the columns {missing}; pass the output of backtest()")
    grouped = results.groupby(["budget", "method"], sort=False)
    table = grouped.agg(
        windows=("hit_rate", "size"),
        area_share=("area_share", "mean"),
        hit_rate=("hit_rate", "mean"),
        hit_rate_sd=("hit_rate", "std"),
        hit_rate_min=("hit_rate", "min"),
        hit_rate_max=("hit_rate", "max"),
        pai=("pai", "mean"),
        pai_sd=("pai", "std"),
        pei=("pei", "mean"),
        pei_sd=("pei", "std"),
    ).reset_index()
    order = {budget: i for i, budget in enumerate(dict.fromkeys(results["budget"]))}
    table["_budget"] = table["budget"].map(order)
    table = table.sort_values(["_budget", "hit_rate"], ascending=[True, False], kind="stable")
    return table.drop(columns="_budget").reset_index(drop=True).loc[:, list(SUMMARY_COLUMNS)]


def format_table(summary_table: pd.DataFrame) -> str:
    """Return the summary as a Markdown table (percentages, ± the standard deviation over windows)."""

    def pct(value: float, sd: float) -> str:
        return f"{value:.1%}" + (f" ± {sd:.1%}" if np.isfinite(sd) else "")

    def num(value: float, sd: float) -> str:
        return f"{value:.2f}" + (f" ± {sd:.2f}" if np.isfinite(sd) else "")

    lines = [
        "| budget | method | windows | area | hit rate | PAI | PEI |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary_table.itertuples(index=False):
        lines.append(
            f"| {row.budget} | {row.method} | {row.windows} | {row.area_share:.2%} | "
            f"{pct(row.hit_rate, row.hit_rate_sd)} | {num(row.pai, row.pai_sd)} | "
            f"{num(row.pei, row.pei_sd)} |"
        )
    return "\n".join(lines)


def backtest_chart(results: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Altair chart: hit rate against area share, one line per method, bars for the spread."""
    import altair as alt

    table = summarise_backtest(results)
    table = table.assign(low=table["hit_rate_min"], high=table["hit_rate_max"])
    base = alt.Chart(table).encode(
        x=alt.X("area_share:Q", title="share of the study area", axis=alt.Axis(format="%")),
        color=alt.Color("method:N", title="method"),
    )
    lines = base.mark_line(point=True).encode(
        y=alt.Y("hit_rate:Q", title="next-period incidents caught", axis=alt.Axis(format="%")),
        tooltip=[
            "method",
            "budget",
            alt.Tooltip("hit_rate:Q", format=".1%"),
            alt.Tooltip("pai:Q", format=".2f"),
            alt.Tooltip("pei:Q", format=".2f"),
            "windows",
        ],
    )
    spread = base.mark_errorbar().encode(y="low:Q", y2="high:Q")
    return alt.layer(lines, spread).properties(title="Hotspot backtest: hit rate at equal area")
