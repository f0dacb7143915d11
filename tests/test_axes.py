"""Chart axes in the page's language (views.axes), read off charts rendered by Vega itself."""

from __future__ import annotations

import re
from types import ModuleType

import altair as alt
import pandas as pd
import pytest

from i18n import LANGUAGES, month_name
from views import axes


@pytest.fixture(scope="module")
def vega() -> ModuleType:
    """A real Vega-Lite runtime in Python (the charts' own renderer, no browser): a dev dependency."""
    return pytest.importorskip("vl_convert", reason="vl-convert-python (a dev dependency) is not installed")


def labels(vega: ModuleType, chart: alt.Chart) -> list[str]:
    """Every text Vega draws for ``chart``: axis and legend labels and titles."""
    svg = vega.vegalite_to_svg(chart.to_json())
    return [text.replace("&#160;", "\u00a0") for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@pytest.fixture(scope="module")
def weeks() -> pd.DataFrame:
    days = pd.date_range("2025-11-03", periods=20, freq="W-MON")
    return pd.DataFrame(
        {"week": days, "n": [137.5 * i for i in range(20)], "share": [i / 400 for i in range(20)]}
    )


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_month_of_the_language_is_in_its_expression(lang: str) -> None:
    expression = axes.month_labels(lang)
    assert all(f'"{month_name(m, lang)}"' in expression for m in range(1, 13))
    # English keeps Vega's own separators; Finnish and Swedish rewrite them.
    assert ("regexp" in axes.number_labels(lang)) == (lang != "en")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_months_are_named_in_the_language_with_the_year_on_january(
    vega: ModuleType, weeks: pd.DataFrame, lang: str
) -> None:
    chart = (
        alt.Chart(weeks)
        .mark_line()
        .encode(
            x=alt.X("week:T", axis=alt.Axis(labelExpr=axes.month_labels(lang), tickCount="month")), y="n:Q"
        )
    )
    months = [text for text in labels(vega, chart) if text[:1].isalpha() and text not in ("week", "n")]
    assert months == [
        month_name(12, lang),
        f"{month_name(1, lang)} 2026",
        month_name(2, lang),
        month_name(3, lang),
    ]


def test_numbers_and_percentages_read_the_languages_way(vega: ModuleType, weeks: pd.DataFrame) -> None:
    def drawn(lang: str) -> list[str]:
        chart = (
            alt.Chart(weeks)
            .mark_line()
            .encode(
                x=alt.X("share:Q", axis=alt.Axis(labelExpr=axes.percent_labels(lang))),
                y=alt.Y("n:Q", axis=alt.Axis(labelExpr=axes.number_labels(lang))),
            )
        )
        return labels(vega, chart)

    fi, en = drawn("fi"), drawn("en")
    assert {"0,5\u00a0%", "1\u00a0%", "1\u00a0500", "2\u00a0500"} <= set(fi)
    assert {"0.5%", "1%", "1,500", "2,500"} <= set(en)
    assert drawn("sv") == fi
    # No American grouping comma or decimal point is left in Finnish.
    assert not [text for text in fi if re.search(r"\d,\d{3}|\d\.\d", text)]
