"""The briefing's prediction check: whether last period's hotspots predicted this period.

The app's "Did last period predict?" tab, in a few lines for leadership: the same
backtest window (``hotspots.backtest.last_period.predictive_check``: train on the
comparison period, test on this one, on the chosen districts' land in 150 m cells), run
on the analysis' own two periods, so the PDF needs nothing the analysis does not hold.
It answers only when the comparison period is the one just before (a year-before
comparison does not hold the training period) and each period has enough incidents
(``MIN_INCIDENTS``); otherwise ``briefing_check`` returns None and the briefing leaves
the section out.

``headline`` says it in one sentence at ``HEADLINE_SHARE`` of the area; ``table_rows``
gives the standard budgets (1, 3 and 5 % of the area) with the hit rate of last period's
hotspots and of the best possible area of the same size; ``note`` names the periods.
Shares are those of the area actually covered: when last period's hotspots cover less
than a budget, every method is judged on the area they cover (the backtest's equal-area
rule), and the text says 0.9 %, not 3 %.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import pandas as pd

from geo import districts
from geo.errors import ParameterError
from hotspots.analysis import Analysis
from hotspots.backtest.last_period import STANDARD_SHARES, PredictiveCheck, predictive_check
from hotspots.grid import DEFAULT_CELL_M
from i18n import format_area_km2, format_days, format_number, format_percent, t

#: The budget of the headline: 3 % of the area, as the app's prediction tab starts.
HEADLINE_SHARE: Final = 0.03


def briefing_check(analysis: Analysis, *, osaalue: gpd.GeoDataFrame | None = None) -> PredictiveCheck | None:
    """Return the prediction check of an analysis, or None when it cannot answer.

    Parameters
    ----------
    analysis
        ``hotspots.analysis.analyse(...)`` result; its comparison period must be the period
        of the same length just before (``Selection.previous``).
    osaalue
        The osa-alue layer (EPSG:3067); default the official one.

    Returns
    -------
    PredictiveCheck or None
        An ``ok`` check at ``HEADLINE_SHARE`` and the standard shares; None without a
        comparison period just before, or with too few incidents in either period.
    """
    selection, previous = analysis.selection, analysis.previous_selection
    if selection.since is None or previous is None or previous != selection.previous():
        return None
    layer = districts.load_districts("osaalue") if osaalue is None else osaalue
    both = pd.concat([analysis.previous, analysis.current], ignore_index=True)
    check = predictive_check(both, analysis, share=HEADLINE_SHARE, osaalue=layer)
    return check if check.ok else None


def _percent(share: float, lang: str, *, decimals: int = 0) -> str:
    return format_percent(100 * share, lang, decimals=decimals)


def _budgets(check: PredictiveCheck) -> list[tuple[float, float, float, float]]:
    """Share of the area, km², hit rate of last period's hotspots and of the best, per distinct budget.

    The share is the area actually filled: when last period's hotspots cover less than a
    budget, every method fills only what they cover (the engine's equal-area rule), so
    "3 %" may really be 0.9 %; budgets that end up the same area are one row.
    """
    table = check.table
    rows: list[tuple[float, float, float, float]] = []
    seen: set[int] = set()
    for share in sorted({*STANDARD_SHARES, check.area_share}):
        at = table[(table["area_share"] - share).abs() < 1e-9]
        hotspots, best = at[at["method"] == "dbscan"], at[at["method"] == "best"]
        if hotspots.empty or best.empty or int(hotspots["cells"].iloc[0]) in seen:
            continue
        seen.add(int(hotspots["cells"].iloc[0]))
        area_km2 = float(hotspots["area_km2"].iloc[0])
        rows.append(
            (
                area_km2 / check.study_area_km2,
                area_km2,
                float(hotspots["hit_rate"].iloc[0]),
                float(best["hit_rate"].iloc[0]),
            )
        )
    return rows


def headline(check: PredictiveCheck, lang: str) -> str:
    """Return the check in one sentence: how much of this period last period's hotspots caught.

    Parameters
    ----------
    check
        An ``ok`` check (``briefing_check``).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        At the check's own budget: the share of the area actually covered and its km², the
        hit rate, how many times the area's average density that is, and what the best
        possible area of the same size caught.
    """
    hotspots, best = check.at_share("dbscan"), check.at_share("best")
    if hotspots is None or best is None:
        raise ParameterError(f"the check has no result at its own share (status {check.status!r})")
    area_km2 = float(hotspots["area_km2"])
    return t(
        "brief.prediction_headline",
        lang,
        share=_percent(area_km2 / check.study_area_km2, lang, decimals=1),
        area=format_area_km2(area_km2, lang),
        hit_rate=_percent(float(hotspots["hit_rate"]), lang),
        pai=format_number(float(hotspots["pai"]), lang, decimals=1),
        best_rate=_percent(float(best["hit_rate"]), lang),
    )


def table_rows(check: PredictiveCheck, lang: str) -> list[list[str]]:
    """Return the small table: a header, then one row per distinct budget (1, 3, 5 % of the area).

    Parameters
    ----------
    check
        An ``ok`` check.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    list of list of str
        Share of the area actually covered, its km², the hit rate of last period's hotspots
        and of the best possible area; empty when all budgets come to one area (the
        headline says it all).
    """
    budgets = _budgets(check)
    if len(budgets) < 2:
        return []
    header = [
        t("predictive.column.area_share", lang),
        t("column.area_km2", lang),
        t("brief.prediction_hotspots", lang),
        t("predictive.method.best", lang),
    ]
    return [
        header,
        *[
            [
                _percent(share, lang, decimals=1),
                format_area_km2(area_km2, lang),
                _percent(hit_rate, lang),
                _percent(best_rate, lang),
            ]
            for share, area_km2, hit_rate, best_rate in budgets
        ],
    ]


def note(check: PredictiveCheck, lang: str, *, place: str) -> str:
    """Return the small print: which period's hotspots were tested on which, with how many incidents.

    Parameters
    ----------
    check
        An ``ok`` check (its periods are set).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    place
        Where: the chosen districts or the city (``texts.place_text``).

    Returns
    -------
    str
    """

    def period(since: pd.Timestamp | None, until: pd.Timestamp | None) -> str:
        if since is None or until is None:
            return ""
        return format_days(since, until, lang, separator="–")

    return t(
        "brief.prediction_note",
        lang,
        train_period=period(check.train_since, check.train_until),
        n_train=format_number(check.n_train, lang),
        test_period=period(check.test_since, check.test_until),
        n_test=format_number(check.n_test, lang),
        place=place,
        cell_m=format_number(DEFAULT_CELL_M, lang),
    )
