"""The main panels' pure parts (views.panels): the hotspot choice, display columns, members."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo import demo
from hotspots import analysis
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection
from i18n import category_label, format_number, month_name, recommendation_text, t
from views.panels import (
    hotspot_members,
    localised_hotspots,
    localised_numbers,
    parameters_used,
    weekly_chart,
)


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    incidents = demo.generate_demo(n=4000, seed=12)
    selection = Selection(since=demo.recent_start(), until=demo.demo_period()[1])
    return analysis.analyse(incidents, selection=selection, clustering=ClusteringParams(min_samples=8))


def test_localised_hotspots_add_display_columns_in_the_language(result: analysis.Analysis) -> None:
    before = result.hotspots.copy(deep=True)
    shown = localised_hotspots(result.hotspots, "sv")
    pd.testing.assert_frame_equal(result.hotspots, before)  # the analysis' table is not changed
    assert len(shown) == len(before) > 0
    assert list(shown["district"]) == list(before["osaalue_sv"])
    assert list(shown["recommendation"]) == [recommendation_text(r, "sv") for r in before["recommendation"]]
    assert list(shown["lead_text"]) == [t(f"lead.{lead}", "sv") for lead in before["lead"]]
    first = before.iloc[0]
    top, n = max(first["categories"].items(), key=lambda item: item[1])
    assert f"{category_label(top, 'sv')} {n}" in shown["category_text"].iloc[0]
    assert shown["peak_windows"].iloc[0] == shown["peak_text"].iloc[0]  # the map's popup reads it


def test_hotspot_members_are_the_incidents_of_the_chosen_hotspot(result: analysis.Analysis) -> None:
    hotspots = localised_hotspots(result.hotspots, "fi")
    second = hotspots.iloc[1]
    members = hotspot_members(result, hotspots, str(second["id"]))
    assert members is not None
    rows, rank = members
    assert rank == int(second["rank"])
    assert len(rows) == int((result.labels == int(second["label"])).sum()) > 0
    assert hotspot_members(result, hotspots, None) is None
    assert hotspot_members(result, hotspots, "an earlier selection's hotspot") is None


def test_parameters_used_names_radius_and_minimum(result: analysis.Analysis) -> None:
    text = parameters_used(result, "en")
    assert text == "Hotspots: radius 150 m, at least 8 incidents"


def test_localised_hotspots_name_each_hotspot_by_street_in_the_language(result: analysis.Analysis) -> None:
    assert (localised_hotspots(result.hotspots, "fi")["place"] == "").all()  # the demo has no register
    ids = result.hotspots["id"]
    named = result.hotspots.assign(
        place_fi=pd.array([f"Kaivokatu {i[1:]}" for i in ids], dtype="string"),
        place_sv=pd.array([f"Brunnsgatan {i[1:]}" for i in ids], dtype="string"),
    )
    assert localised_hotspots(named, "sv")["place"].iloc[0] == f"Brunnsgatan {ids.iloc[0][1:]}"
    assert localised_hotspots(named, "en")["place"].iloc[0] == f"Kaivokatu {ids.iloc[0][1:]}"


def test_localised_numbers_show_the_languages_way_and_stay_numbers(result: analysis.Analysis) -> None:
    hotspots = result.hotspots
    table = pd.DataFrame(
        {
            "density": hotspots["intensity_km2"].astype(float) * 100,  # thousands, to see the grouping
            "area": hotspots["area_km2"].astype(float),
            "change": (hotspots["n"] - hotspots["n_prev"]).astype(float),
            "name": hotspots["id"],
        }
    ).reset_index(drop=True)
    table.loc[0, "change"] = float("nan")
    before = table.copy()
    styled = localised_numbers(table, "fi", decimals={"area": 2}, signed_columns=("change",))
    pd.testing.assert_frame_equal(styled.data, before)  # still numbers: a click on a header sorts by value
    # The display values, as Streamlit sends them to the browser.
    cells = {
        cell for line in styled.to_string(delimiter="\t").splitlines()[1:] for cell in line.split("\t")[1:]
    }
    first_density = format_number(table["density"].iloc[0], "fi")
    assert first_density in cells and "\u00a0" in first_density  # 1 000 and more are grouped
    assert format_number(table["area"].iloc[1], "fi", decimals=2) in cells
    assert "–" in cells  # the missing change
    rises = [v for v in table["change"].iloc[1:] if v > 0]
    assert not rises or f"+{format_number(rises[0], 'fi')}" in cells
    assert not [c for c in cells if re.search(r"\d\.\d", c) or "e-" in c]


def test_weekly_chart_names_months_and_counts_in_the_language(result: analysis.Analysis) -> None:
    vega = pytest.importorskip("vl_convert", reason="vl-convert-python (a dev dependency) is not installed")
    svg = vega.vegalite_to_svg(weekly_chart(result.current, "fi").to_json())
    drawn = [text.replace("&#160;", "\u00a0") for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    finnish_months = {month_name(m, "fi") for m in range(1, 13)}
    shown_months = {text.split(" ")[0] for text in drawn} & (
        finnish_months | {month_name(m, "en") for m in range(1, 13)}
    )
    assert shown_months and shown_months <= finnish_months
    assert t("chart.weekly", "fi") in drawn and t("chart.week", "fi") in drawn


def test_a_district_table_with_counts_held_back_is_drawn_with_them_as_text() -> None:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        import pandas as pd

        from briefing.privacy import shareable_district_table
        from views.panels import district_table

        table = pd.DataFrame(
            {"code": ["111", "112"], "name_fi": ["Kallio", "Linjat"], "name_sv": ["Berghäll", "Linjerna"],
             "n": [3, 1234], "n_prev": [8, 1000], "change": [-5, 234], "change_pct": [-62.5, 23.4],
             "residents": [9000.0, 8000.0], "rate_per_1000": [0.3, 154.2], "rate_per_1000_young": [1.0, 2.0]}
        )  # fmt: skip
        district_table(shareable_district_table(table), "fi", has_population=True)

    at = AppTest.from_function(script)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    shown = at.dataframe[0].value
    assert list(shown[t("column.incidents", "fi")]) == ["<5", "1\u00a0234"]


def test_the_vanished_hotspots_are_counted_folded_and_drawn_when_opened() -> None:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        import geopandas as gpd

        from views.panels import vanished_table

        vanished = gpd.GeoDataFrame(
            {"osaalue_fi": ["Kallio", "Vuosaari"], "osaalue_sv": ["Berghäll", "Nordsjö"], "n": [1234, 56],
             "top_category": ["drug_dealing", "assault"]}
        )  # fmt: skip
        vanished_table(vanished, "sv")
        vanished_table(vanished.iloc[0:0], "sv")  # none vanished: nothing at all

    at = AppTest.from_function(script)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    # Folded: the heading counts them, no grid is sent to the browser.
    assert [e.label for e in at.expander] == [t("panel.vanished", "sv", n="2")]
    assert not at.dataframe
    at.session_state["vanished_open"] = True
    at.run()
    shown = at.dataframe[0].value
    assert list(shown[t("column.district", "sv")]) == ["Berghäll", "Nordsjö"]
    assert list(shown[t("column.incidents_previous", "sv")]) == [1234, 56]
    assert list(shown[t("column.top_category", "sv")]) == [
        category_label("drug_dealing", "sv"),
        category_label("assault", "sv"),
    ]
