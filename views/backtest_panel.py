"""The panel "How well did the last period's hotspots predict this one?" with an area budget.

The texts, table and chart are built by pure functions (``fit_sentence``, ``result_text``,
``table_view``, ``hit_rate_chart``); ``heading``, ``budget_slider``, ``predictive_summary``
and ``predictive_table`` only draw (the page puts the map of last period's hotspots between).
The backtest itself is ``hotspots.backtest.last_period`` (cached by ``views.results``).
"""

from __future__ import annotations

import math
from typing import Final

import altair as alt
import pandas as pd
import streamlit as st

from hotspots.analysis import Analysis
from hotspots.backtest.last_period import MIN_INCIDENTS, BudgetFit, PredictiveCheck, hotspots_in_budget
from i18n import format_area_km2, format_days, format_number, format_percent, t
from views import axes

#: Slider range and default, in per cent of the study area.
SHARE_MIN_PCT = 0.5
SHARE_MAX_PCT = 10.0
SHARE_DEFAULT_PCT = 3.0


def percent(share: float, lang: str, *, decimals: int = 0) -> str:
    """Return ``0.413`` as ``41 %`` (fi, sv: non-breaking space, decimal comma) or ``41%`` (en)."""
    return format_percent(100 * share, lang, decimals=decimals)


def _share_text(share: float, lang: str) -> str:
    # Slider steps are half per cents: show the half, not a rounded whole.
    return percent(share, lang, decimals=0 if round(share * 100, 6).is_integer() else 1)


def _period(since: pd.Timestamp | None, until: pd.Timestamp | None, lang: str) -> str:
    if since is None or until is None:
        return ""
    # Periods are half-open: the last day shown is the day before ``until``.
    return format_days(since, until, lang, separator="–")


def fit_sentence(fit: BudgetFit, lang: str, *, area_km2: float | None = None) -> str:
    """Return the sentence "At 3 % of the area (6.4 km²) the top 7 hotspots fit; they hold 41 % ...".

    ``area_km2`` is the area the backtest table shows for the budget (whole study cells);
    given, the sentence names it, so text and table agree. Default: the budget itself.
    """
    values = {
        "share": _share_text(fit.area_share, lang),
        "area": format_area_km2(fit.budget_km2 if area_km2 is None else area_km2, lang),
    }
    if fit.n_hotspots == 0:
        return t("predictive.fit_no_hotspots", lang, **values)
    if fit.count == 0:
        return t("predictive.fit_none", lang, top_area=format_area_km2(fit.top_area_km2, lang), **values)
    pct = percent(fit.incident_share, lang) if math.isfinite(fit.incident_share) else "–"
    if fit.count == 1:
        return t("predictive.fit_one", lang, pct=pct, **values)
    key = "predictive.fit_all" if fit.count == fit.n_hotspots else "predictive.fit"
    return t(key, lang, n=fit.count, pct=pct, **values)


def method_label(method: str, lang: str) -> str:
    """Return a backtest method's name in ``lang``."""
    return t(f"predictive.method.{method}", lang)


def result_text(check: PredictiveCheck, lang: str) -> str:
    """Return the backtest in two sentences, or why there is none."""
    if check.status == "no_area":
        return t("predictive.no_area", lang)
    if check.status == "no_period":
        return t("predictive.no_period", lang)
    if check.status == "too_few_incidents":
        return t("predictive.too_few", lang, n_train=check.n_train, n_test=check.n_test, min=MIN_INCIDENTS)
    dbscan, best = check.at_share("dbscan"), check.at_share("best")
    assert dbscan is not None and best is not None  # "ok" checks hold every method at the share
    text = t(
        "predictive.result",
        lang,
        train_period=_period(check.train_since, check.train_until, lang),
        test_period=_period(check.test_since, check.test_until, lang),
        n_train=format_number(check.n_train, lang),
        n_test=format_number(check.n_test, lang),
        share=_share_text(check.area_share, lang),
        hit_rate=percent(float(dbscan["hit_rate"]), lang),
        pai=format_number(float(dbscan["pai"]), lang, decimals=1),
        best_rate=percent(float(best["hit_rate"]), lang),
    )
    leader = check.leader
    if leader is not None and leader != "dbscan":
        row = check.at_share(leader)
        assert row is not None
        text += " " + t(
            "predictive.leader",
            lang,
            method=method_label(leader, lang),
            hit_rate=percent(float(row["hit_rate"]), lang),
        )
    return text


def table_view(check: PredictiveCheck, lang: str) -> pd.DataFrame:
    """Return the backtest table with translated headers, methods and formatted numbers."""
    table = check.table
    return pd.DataFrame(
        {
            t("predictive.column.area_share", lang): [_share_text(s, lang) for s in table["area_share"]],
            t("column.area_km2", lang): [format_area_km2(a, lang) for a in table["area_km2"]],
            t("predictive.column.method", lang): [method_label(m, lang) for m in table["method"]],
            t("predictive.column.hit_rate", lang): [percent(h, lang, decimals=1) for h in table["hit_rate"]],
            t("predictive.column.pai", lang): [format_number(p, lang, decimals=1) for p in table["pai"]],
            t("predictive.column.pei", lang): [format_number(p, lang, decimals=2) for p in table["pei"]],
            t("predictive.column.chosen", lang): table["chosen"].astype(bool).to_numpy(),
        }
    )


def hit_rate_chart(check: PredictiveCheck, lang: str) -> alt.LayerChart | alt.FacetChart:
    """Return the hit rate against the share of the area, one line per method, a rule at the user's."""
    table = check.table.assign(
        label=[method_label(m, lang) for m in check.table["method"]],
        share_text=[_share_text(s, lang) for s in check.table["area_share"]],
        hit_text=[percent(h, lang, decimals=1) for h in check.table["hit_rate"]],
        pai_text=[format_number(p, lang, decimals=1) for p in check.table["pai"]],
        pei_text=[format_number(p, lang, decimals=2) for p in check.table["pei"]],
        reference=check.table["method"] == "best",
    )
    method_title = t("predictive.column.method", lang)
    order = list(dict.fromkeys(table["label"]))
    lines = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "area_share:Q",
                title=t("predictive.chart_x", lang),
                axis=alt.Axis(labelExpr=axes.percent_labels(lang)),
            ),
            y=alt.Y(
                "hit_rate:Q",
                title=t("predictive.chart_y", lang),
                axis=alt.Axis(labelExpr=axes.percent_labels(lang)),
            ),
            color=alt.Color("label:N", title=method_title, sort=order),
            # The hindsight reference is dashed: it is a ceiling, not a method one can use.
            strokeDash=alt.StrokeDash("reference:N", legend=None),
            tooltip=[
                alt.Tooltip("label:N", title=method_title),
                alt.Tooltip("share_text:N", title=t("predictive.column.area_share", lang)),
                alt.Tooltip("hit_text:N", title=t("predictive.column.hit_rate", lang)),
                alt.Tooltip("pai_text:N", title=t("predictive.column.pai", lang)),
                alt.Tooltip("pei_text:N", title=t("predictive.column.pei", lang)),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"area_share": [check.area_share]}))
        .mark_rule(color="grey", strokeDash=[2, 2])
        .encode(x="area_share:Q")
    )
    return alt.layer(lines, rule).properties(height=300)


#: The slider's steps, in per cent of the study area.
SHARE_STEPS_PCT: Final = tuple(
    SHARE_MIN_PCT + 0.5 * i for i in range(int((SHARE_MAX_PCT - SHARE_MIN_PCT) / 0.5) + 1)
)


def budget_slider(lang: str) -> float:
    """Return the area budget the user can cover, as a share of the study area (0.005-0.10).

    A select slider over the steps, so that each step reads the language's way
    (``0,5 %``); a number slider could only print its value the American way.
    """
    value = st.select_slider(
        t("predictive.budget_share", lang),
        options=SHARE_STEPS_PCT,
        value=SHARE_DEFAULT_PCT,
        format_func=lambda pct: _share_text(pct / 100, lang),
        help=t("predictive.budget_share_help", lang),
        key="budget_share",
    )
    return float(value) / 100


def heading(lang: str) -> None:
    """Draw the tab's heading and what it checks, above the budget slider."""
    st.subheader(t("predictive.title", lang))
    st.caption(t("predictive.intro", lang))


def headline(check: PredictiveCheck, lang: str) -> str:
    """Return the tab's one headline sentence: what last period's hotspots caught, against the best."""
    dbscan, best = check.at_share("dbscan"), check.at_share("best")
    assert dbscan is not None and best is not None  # "ok" checks hold every method at the share
    return t(
        "predictive.headline",
        lang,
        share=_share_text(check.area_share, lang),
        hit_rate=percent(float(dbscan["hit_rate"]), lang),
        best_rate=percent(float(best["hit_rate"]), lang),
    )


def predictive_summary(result: Analysis, check: PredictiveCheck, lang: str) -> bool:
    """Draw the headline and its folded details; return False when there is nothing more to show."""
    if not check.ok:
        st.info(result_text(check, lang))
        return False
    st.markdown(f"**{headline(check, lang)}**")
    fit = hotspots_in_budget(
        result.hotspots,
        study_area_km2=check.study_area_km2,
        share=check.area_share,
        n_incidents=len(result.current),
    )
    chosen = check.at_share("dbscan")
    with st.expander(t("predictive.details", lang)):
        st.markdown(result_text(check, lang))
        st.markdown(fit_sentence(fit, lang, area_km2=None if chosen is None else float(chosen["area_km2"])))
    return True


def predictive_table(check: PredictiveCheck, lang: str) -> None:
    """Draw the backtest table and chart, and what the measures mean."""
    st.caption(t("predictive.table", lang))
    st.dataframe(table_view(check, lang), hide_index=True, width="stretch")
    st.altair_chart(hit_rate_chart(check, lang), width="stretch")
    st.markdown(t("predictive.explain", lang))
