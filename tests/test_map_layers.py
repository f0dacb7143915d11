"""The map's layers one by one (views.map_layers): popups, classes, points or density, escaping."""

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
    choropleth_layer,
    escape,
    hotspot_layers,
    incident_layer,
    metric_frame,
)

CENTRE_M = (386_400.0, 6_672_300.0)  # Helsinki centre, EPSG:3067


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    frame = load_districts("suurpiiri")
    frame["value"] = np.arange(len(frame), dtype=float) * 10
    return frame


def _hotspot(**columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["hs-a"], "rank": [1], "n": [45], **{k: [v] for k, v in columns.items()}},
        geometry=[shapely.Point(CENTRE_M).buffer(200)],
        crs=3067,
    )


def test_hotspot_popup_shows_the_category_mix_as_words() -> None:
    hotspots = _hotspot(categories={"drug_dealing": 30, "other": 15}, top_category="drug_dealing")
    layer, labels, legend = hotspot_layers(hotspots, "fi", None)
    assert layer is not None and labels is not None and legend
    (feature,) = layer.data["features"]
    html = feature["properties"]["popup"]
    assert "{" not in html and "&#x27;" not in html
    assert "30" in html and "15" in html
    assert "Huumekauppa" in html  # the top category in words, in Finnish


def test_escape_makes_html_and_template_literals_inert() -> None:
    assert escape("<b>") == "&lt;b&gt;"
    assert escape("${x}`\\") == "&#36;{x}&#96;&#92;"
    assert escape(12) == "12"


def test_metric_frame_reprojects_a_copy_and_names_what_is_missing(districts: gpd.GeoDataFrame) -> None:
    wgs84 = districts.to_crs(4326)
    metric = metric_frame(wgs84, "districts", ("name_fi",))
    assert metric.crs.to_epsg() == 3067 and wgs84.crs.to_epsg() == 4326
    with pytest.raises(MapInputError, match=r"districts lacks the columns \['rate'\]"):
        metric_frame(districts, "districts", ("rate",))
    with pytest.raises(MapInputError, match="must be a GeoDataFrame, got DataFrame"):
        metric_frame(pd.DataFrame(districts.drop(columns="geometry")), "districts", ())


def test_choropleth_legend_lists_the_classes_and_no_data(districts: gpd.GeoDataFrame) -> None:
    frame = districts.assign(value=districts["value"].where(districts.index != 0))
    layer, legend = choropleth_layer(frame, "value", "Incidents", "en")
    assert layer is not None
    assert len(layer.data["features"]) == len(frame)
    assert legend.startswith("<h4>Incidents</h4>")
    assert legend.count("hs-swatch") == len(map_layers.DISTRICT_COLOURS) + 1  # five classes + no data
    assert map_layers.NO_DATA_COLOUR in legend


def test_choropleth_without_geometries_draws_nothing(districts: gpd.GeoDataFrame) -> None:
    layer, _ = choropleth_layer(districts.iloc[0:0], "value", "v", "fi")
    assert layer is None


def test_incidents_are_points_up_to_the_limit_then_cells() -> None:
    rng = np.random.default_rng(3)
    xy = np.asarray(CENTRE_M) + rng.normal(0, 100, (40, 2))
    incidents = pd.DataFrame({"x_m": xy[:, 0], "y_m": xy[:, 1], "description": "tapaus"})
    points, legend = incident_layer(incidents, lang="fi", exact_points_max=40, cell_m=250.0, min_count=5)
    assert points is not None and legend == ""
    assert len(points.data["features"]) == 40
    assert points.data["features"][0]["properties"]["d"] == "tapaus"
    cells, legend = incident_layer(incidents, lang="fi", exact_points_max=39, cell_m=250.0, min_count=5)
    assert cells is not None and legend
    assert "tapaus" not in str(cells.data)  # descriptions never reach the density cells
    counted = sum(
        int(f["properties"]["tip"].rsplit(" ", 1)[1])
        * shapely.get_num_geometries(shapely.geometry.shape(f["geometry"]))
        for f in cells.data["features"]
    )
    assert counted <= 40


def test_incidents_without_coordinates_name_the_columns() -> None:
    with pytest.raises(MapInputError, match="x_m/y_m"):
        incident_layer(pd.DataFrame({"a": [1]}), lang="en", exact_points_max=10, cell_m=250.0, min_count=5)
