"""The main panels' pure parts (views.panels): the hotspot choice, display columns, members."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import demo
from hotspots import analysis
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection
from i18n import category_label, recommendation_text, t
from views.panels import hotspot_members, localised_hotspots, newest_pick, parameters_used


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    incidents = demo.generate_demo(n=4000, seed=12)
    selection = Selection(since=demo.recent_start(), until=demo.demo_period()[1])
    return analysis.analyse(incidents, selection=selection, clustering=ClusteringParams(min_samples=8))


def test_the_newest_pick_of_table_and_map_wins() -> None:
    # A map click on H3 overrides an earlier table pick, and says so (the table resets).
    assert newest_pick("H1", table_pick="H1", last_table_pick="H1", map_pick="H3", last_map_pick=None) == (
        "H3",
        True,
    )
    # The same map click seen again on a later rerun changes nothing.
    assert newest_pick("H3", table_pick=None, last_table_pick=None, map_pick="H3", last_map_pick="H3") == (
        "H3",
        False,
    )
    # A new table pick after that wins; unticking the row clears the choice.
    assert newest_pick("H3", table_pick="H2", last_table_pick=None, map_pick="H3", last_map_pick="H3") == (
        "H2",
        False,
    )
    assert newest_pick("H2", table_pick=None, last_table_pick="H2", map_pick="H3", last_map_pick="H3") == (
        None,
        False,
    )


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
