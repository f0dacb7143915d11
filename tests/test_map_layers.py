"""The map's lead layers one by one (views.map_layers): hotspot popups as words, numbers, incident dots."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.districts import load_districts
from views import map_layers
from views.map_layers import (
    MapInputError,
    escape,
    hotspot_layer,
    hotspot_popup,
    incident_layer,
    metric_frame,
)

CENTRE_M = (386_400.0, 6_672_300.0)  # Helsinki centre, EPSG:3067


def _hotspots(n: int = 1, **columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [f"hs-{i}" for i in range(n)],
            "rank": list(range(1, n + 1)),
            "n": [45 + i for i in range(n)],
            **{k: [v] * n for k, v in columns.items()},
        },
        geometry=[shapely.Point(CENTRE_M[0] + 500 * i, CENTRE_M[1]).buffer(150) for i in range(n)],
        crs=3067,
    )


def test_popup_writes_a_category_mix_as_words_largest_first() -> None:
    row = _hotspots(categories={"other": 15, "drug_dealing": 30, "assault": 2, "robbery": 9}).iloc[0]
    title, rows = hotspot_popup(row, 1, "fi")
    assert title == "Hotspot 1"
    mix = dict(rows)["popup.category_mix"]
    assert mix == "Huumekauppa 30, Muu 15, Ryöstö 9"  # top three, translated, no braces or quotes
    assert "{" not in str(rows) and "&#x27;" not in str(rows)


def test_popup_skips_what_is_missing_and_names_the_place() -> None:
    row = _hotspots(
        place="Kaivokatu 8", district="Kluuvi", top_category="drug_dealing", trend="", peak_windows=None
    ).iloc[0]
    title, rows = hotspot_popup(row, 3, "sv")
    assert title == "Hotspot 3 · Kaivokatu 8"
    assert [key for key, _ in rows] == ["popup.incidents", "popup.district", "popup.top_category"]
    assert dict(rows)["popup.top_category"] == "Narkotikahandel"
    title, rows = hotspot_popup(_hotspots(district="Kluuvi").iloc[0], 3, "en")
    assert title == "Hotspot 3 · Kluuvi" and "popup.district" not in dict(rows)


def test_hotspot_numbers_top_ranks_always_the_rest_from_street_zoom() -> None:
    hotspots = _hotspots(35)
    layer, legend = hotspot_layer(hotspots, "en")
    assert layer is not None and "Rank 35" in legend
    ranks = [label[2] for label in layer.labels]
    assert ranks == list(range(1, 36))  # top rank first
    zooms = {label[2]: label[3] for label in layer.labels}
    assert {zooms[r] for r in range(1, map_layers.LABELLED_RANKS + 1)} == {0}
    assert {zooms[r] for r in range(map_layers.LABELLED_RANKS + 1, 36)} == {map_layers.DETAIL_ZOOM}
    ids = [f["properties"]["hotspot_id"] for f in layer.shapes["features"]]
    assert ids[-1] == "hs-0"  # the top rank is drawn last, on top


def test_rank_colours_run_from_red_to_yellow() -> None:
    layer, _ = hotspot_layer(_hotspots(3), "fi")
    assert layer is not None
    colours = {f["properties"]["hotspot_id"]: f["properties"]["c"] for f in layer.shapes["features"]}
    assert (
        colours["hs-0"] == map_layers.HOTSPOT_COLOURS[0] and colours["hs-2"] == map_layers.HOTSPOT_COLOURS[-1]
    )


def test_escape_makes_html_and_template_literals_inert() -> None:
    assert escape("<b>") == "&lt;b&gt;"
    assert escape("${x}`\\") == "&#36;{x}&#96;&#92;"
    assert escape(12) == "12"


def test_metric_frame_reprojects_a_copy_and_names_what_is_missing() -> None:
    districts = load_districts("suurpiiri")
    wgs84 = districts.to_crs(4326)
    metric = metric_frame(wgs84, "districts", ("name_fi",))
    assert metric.crs.to_epsg() == 3067 and wgs84.crs.to_epsg() == 4326
    with pytest.raises(MapInputError, match=r"districts lacks the columns \['rate'\]"):
        metric_frame(districts, "districts", ("rate",))
    with pytest.raises(MapInputError, match="must be a GeoDataFrame, got DataFrame"):
        metric_frame(pd.DataFrame(districts.drop(columns="geometry")), "districts", ())


def test_incident_dots_up_to_the_limit_with_a_category_legend() -> None:
    rng = np.random.default_rng(3)
    xy = np.asarray(CENTRE_M) + rng.normal(0, 100, (40, 2))
    incidents = pd.DataFrame(
        {
            "x_m": xy[:, 0],
            "y_m": xy[:, 1],
            "category": ["assault"] * 20 + ["drug_dealing"] * 20,
            "occurred_at": pd.Timestamp("2026-03-05 21:07", tz="Europe/Helsinki"),
            "description": "tapaus",
        }
    )
    dots, legend = incident_layer(incidents, lang="fi", exact_points_max=40)
    assert dots is not None and len(dots.data["features"]) == 40
    first = dots.data["features"][0]["properties"]
    assert first["d"] == "tapaus" and first["t"] == "5.3.2026 klo 21.07"
    assert dots.options["pane"] == "hs-incidents"
    assert "Pahoinpitely" in legend and "Huumekauppa" in legend and "Ryöstö" not in legend
    none, note = incident_layer(incidents, lang="en", exact_points_max=39)
    assert none is None and "40 incidents are too many to show as dots" in note


def test_incidents_without_coordinates_name_the_columns() -> None:
    with pytest.raises(MapInputError, match="x_m/y_m"):
        incident_layer(pd.DataFrame({"a": [1]}), lang="en", exact_points_max=10)
