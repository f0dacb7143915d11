"""What a Scope lets the page show (views.visibility), on the real districts and demo data.

A youth worker in Kallio (peruspiiri 301) never gets another district through the URL,
sees only Kallio's rows, and reads small counts as "<5"; an analyst's page is untouched.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import demo, districts
from hotspots import analysis, figures
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection
from store.scope import LOCAL_ANALYST, Scope
from views import visibility
from views.map_areas import choropleth_layer, district_shapes
from views.map_layers import VALUE_TEXT_COLUMN
from views.panels import localised_hotspots


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


@pytest.fixture(scope="module")
def kallio(hierarchy: pd.DataFrame) -> Scope:
    codes = hierarchy.loc[hierarchy["peruspiiri_code"] == "301", "osaalue_code"]
    return Scope("nea.nuorisotyo@hel.example", "youth_worker", tuple(codes))


@pytest.fixture(scope="module")
def viewer() -> Scope:
    return Scope("johtoryhma@hel.example", "viewer", None)


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    incidents = demo.generate_demo(n=6000, seed=12)
    selection = Selection(since=demo.recent_start(), until=demo.demo_period()[1])
    return analysis.analyse(incidents, selection=selection, clustering=ClusteringParams(min_samples=8))


def test_a_url_naming_another_district_gives_the_youth_worker_her_own(
    kallio: Scope, hierarchy: pd.DataFrame
) -> None:
    assert visibility.within_scope(kallio, hierarchy, peruspiiri=("302",)) == ((), ("301",), ())
    assert visibility.within_scope(kallio, hierarchy) == ((), ("301",), ())
    # Another district beside hers: hers stays, the other goes.
    assert visibility.within_scope(kallio, hierarchy, peruspiiri=("301", "302")) == ((), ("301",), ())
    # One of her osa-alue stays as chosen; a suurpiiri around Kallio shrinks to Kallio.
    assert visibility.within_scope(kallio, hierarchy, osaalue=("112",)) == ((), (), ("112",))
    keskinen = hierarchy.loc[hierarchy["peruspiiri_code"] == "301", "suurpiiri_code"].iloc[0]
    assert visibility.within_scope(kallio, hierarchy, suurpiiri=(keskinen,)) == ((), ("301",), ())


def test_a_whole_city_scope_keeps_any_choice(hierarchy: pd.DataFrame) -> None:
    chosen = visibility.within_scope(LOCAL_ANALYST, hierarchy, peruspiiri=("302", "101"), osaalue=("533",))
    assert chosen == ((), ("302", "101"), ("533",))
    assert len(visibility.scope_hierarchy(hierarchy, LOCAL_ANALYST)) == len(hierarchy)


def test_coarsest_names_whole_districts_at_their_own_level(hierarchy: pd.DataFrame) -> None:
    first_suur = hierarchy["suurpiiri_code"].iloc[0]
    suur_rows = hierarchy[hierarchy["suurpiiri_code"] == first_suur]
    assert visibility.coarsest(tuple(suur_rows["osaalue_code"]), hierarchy) == {
        "suurpiiri": (first_suur,),
        "peruspiiri": (),
        "osaalue": (),
    }
    kallio = tuple(hierarchy.loc[hierarchy["peruspiiri_code"] == "301", "osaalue_code"])
    one_more = (*kallio, "533")
    named = visibility.coarsest(one_more, hierarchy)
    assert named["peruspiiri"] == ("301",) and "533" in named["osaalue"] + named["peruspiiri"]


def test_the_district_table_and_the_map_keep_only_the_scopes_districts(
    kallio: Scope, hierarchy: pd.DataFrame, result: analysis.Analysis
) -> None:
    layer = districts.load_districts("peruspiiri")
    table = figures.district_table(result.current, result.previous, districts=layer, level="peruspiiri")
    rows = visibility.scope_rows(table, kallio, hierarchy, level="peruspiiri")
    assert rows["code"].tolist() == ["301"]
    assert rows["name_fi"].tolist() == ["Kallio"]
    osa = figures.district_table(
        result.current, result.previous, districts=districts.load_districts("osaalue"), level="osaalue"
    )
    assert set(visibility.scope_rows(osa, kallio, hierarchy, level="osaalue")["code"]) == set(
        kallio.osaalue or ()
    )
    assert len(visibility.scope_rows(table, LOCAL_ANALYST, hierarchy, level="peruspiiri")) == len(table)


def test_small_counts_read_less_than_five_for_an_aggregated_scope_only(
    viewer: Scope, result: analysis.Analysis
) -> None:
    layer = districts.load_districts("osaalue")
    table = figures.district_table(result.current, result.previous, districts=layer, level="osaalue")
    small = table["n"] < 5
    assert small.any() and (~small).any()  # the real osa-alue of a demo half-year hold both
    shown = visibility.shown_district_table(table, viewer)
    assert set(shown.loc[small.to_numpy(), "n"]) == {"<5"}
    assert shown.loc[~small.to_numpy(), "n"].tolist() == table.loc[~small, "n"].astype(str).tolist()
    assert visibility.shown_district_table(table, LOCAL_ANALYST)["n"].tolist() == table["n"].tolist()
    assert visibility.suppressed_count(3, viewer) == "<5"
    assert visibility.suppressed_count(12, viewer) is None
    assert visibility.suppressed_count(3, LOCAL_ANALYST) is None


def test_the_map_tooltip_says_fewer_than_five_and_never_the_small_number(
    viewer: Scope, result: analysis.Analysis
) -> None:
    layer = districts.load_districts("osaalue")
    table = figures.district_table(result.current, result.previous, districts=layer, level="osaalue")
    merged = layer.merge(table[["code", "n", "n_prev", "rate_per_1000", "change"]], on="code")
    drawn = visibility.map_district_values(merged, viewer, "n", suppressed="alle 5 tapahtumaa")
    assert merged["n"].dtype.kind in "iu"  # the input keeps its numbers
    shapes = district_shapes(drawn, land=None, focus=None)
    choropleth, legend = choropleth_layer(shapes, "n", "Tapahtumia", "fi", opacity=0.6)
    assert choropleth is not None and legend
    tips = {
        f["properties"]["tip"].split("<b>")[1].split("</b>")[0]: f["properties"]["tip"]
        for f in choropleth.data["features"]
    }
    for _, row in merged.iterrows():
        tip = tips[row["name_fi"]]
        if row["n"] < 5:
            assert tip.endswith("Tapahtumia: alle 5 tapahtumaa"), tip
        else:
            assert tip.endswith(f"Tapahtumia: {row['n']}") or row["n"] >= 1000, tip  # no grouping below
    analyst = visibility.map_district_values(merged, LOCAL_ANALYST, "n", suppressed="x")
    assert VALUE_TEXT_COLUMN not in analyst.columns


def test_hotspots_of_an_aggregated_scope_hide_small_counts_and_keep_the_rest(
    viewer: Scope, result: analysis.Analysis
) -> None:
    table = localised_hotspots(result.hotspots, "fi")
    before = table.copy()
    shown = visibility.shown_hotspots(table, viewer, "fi")
    pd.testing.assert_frame_equal(table, before)  # the input is not changed
    assert (pd.to_numeric(shown["n"]) >= 5).all()
    assert len(shown) == int((table["n"] >= 5).sum())
    small_prev = table.loc[table["n"] >= 5, "n_prev"].to_numpy() < 5
    assert small_prev.any(), "the demo half-year has new hotspots with few incidents before"
    assert set(shown.loc[small_prev, "n_prev"]) == {"<5"}
    mixes = " ".join(shown["category_text"])
    assert "<5" in mixes
    for mix, text in zip(table.loc[table["n"] >= 5, "categories"], shown["categories"], strict=True):
        for count in mix.values():
            if count < 5:
                assert "<5" in text
    exact = visibility.shown_hotspots(table, LOCAL_ANALYST, "fi")
    pd.testing.assert_frame_equal(exact, table)


def test_a_change_next_to_a_small_comparison_count_is_held_back_on_the_map(viewer: Scope) -> None:
    layer = gpd.GeoDataFrame(
        {"code": ["a", "b"], "name_fi": ["A", "B"], "name_sv": ["A", "B"], "n": [40, 40], "n_prev": [2, 30],
         "change": [38, 10], "rate_per_1000": [1.0, 2.0]},
        geometry=districts.load_districts("suurpiiri").geometry.iloc[:2].to_numpy(),
        crs=3067,
    )  # fmt: skip
    drawn = visibility.map_district_values(layer, viewer, "change", suppressed="s")
    assert drawn["change"].isna().tolist() == [True, False]
    assert np.array_equal(layer["change"].to_numpy(), [38, 10])


def test_a_youth_workers_control_areas_stay_inside_her_districts() -> None:
    peruspiiri, osaalue = districts.load_districts("peruspiiri"), districts.load_districts("osaalue")
    assert visibility.scope_areas(peruspiiri, LOCAL_ANALYST, osaalue) is peruspiiri
    linjat_and_harju = Scope("nea@hel.example", "youth_worker", ("112", "121"))
    cut = visibility.scope_areas(peruspiiri, linjat_and_harju, osaalue)
    hers = osaalue[osaalue["code"].isin(["112", "121"])].geometry.union_all()
    # Linjat lies in Kallio's peruspiiri, Harju in Alppiharju's: each keeps only her part.
    assert sorted(cut["name_fi"]) == ["Alppiharju", "Kallio"]
    assert cut.geometry.union_all().symmetric_difference(hers).area < 1.0
    assert all(
        part.area < whole.area
        for part, whole in zip(
            cut.geometry, peruspiiri.set_index("code").loc[cut["code"]].geometry, strict=True
        )
    )
    assert cut.crs == peruspiiri.crs
