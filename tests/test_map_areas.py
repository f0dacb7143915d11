"""The map's geography (views.map_areas): classes that never overlap, colours on land only, names, density."""

from __future__ import annotations

import re
from itertools import pairwise

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.geometry

from geo import crs
from geo.districts import hierarchy, land_and_sea, load_districts
from hotspots.selection import Selection
from views import livemap, map_areas
from views.map_areas import classify

LAND_SEA = land_and_sea(download=False)


def _ranges(labels: list[str]) -> list[tuple[float, float]]:
    """'0–4' -> (0, 4); '1 768' -> (1768, 1768); Finnish decimal commas and minus signs read back."""
    out = []
    for label in labels:
        text = label.replace("\u00a0", "").replace(" ", "").replace("−", "-").replace(",", ".")
        parts = re.split(r"(?<=\d)–", text)
        low, high = float(parts[0]), float(parts[-1])
        out.append((low, high))
    return out


def assert_no_overlap(labels: list[str]) -> None:
    ranges = _ranges(labels)
    assert all(low <= high for low, high in ranges), labels
    assert all(prev[1] < nxt[0] for prev, nxt in pairwise(ranges)), labels


def test_whole_numbers_get_contiguous_classes_that_do_not_overlap() -> None:
    rng = np.random.default_rng(5)
    values = rng.poisson(9, 400).astype(float)
    classes = classify(values, lang="fi", palette=map_areas.DISTRICT_COLOURS)
    assert len(classes.labels) == map_areas.N_CLASSES
    assert_no_overlap(classes.labels)
    ranges = _ranges(classes.labels)
    assert ranges[0][0] == values.min() and ranges[-1][1] == values.max()
    assert all(prev[1] + 1 == nxt[0] for prev, nxt in pairwise(ranges))  # "0–4", "5–9"
    for value, k in zip(values, classes.index, strict=True):  # each value lies in its class's label
        low, high = ranges[k]
        assert low <= value <= high


def test_decimals_are_classed_as_shown_and_written_the_finnish_way() -> None:
    values = np.array([0.04, 1.26, 1.24, 3.3, 4.35, 4.449, 7.0, 12.5, 13.04, 20.0, np.nan])
    classes = classify(values, lang="fi", palette=map_areas.DISTRICT_COLOURS)
    assert classes.decimals == 1 and classes.index[-1] == -1
    assert_no_overlap(classes.labels)
    assert all("," in label for label in classes.labels if "–" in label)  # decimal comma
    shown = np.round(values[:-1], 1)
    for value, k in zip(shown, classes.index[:-1], strict=True):
        low, high = _ranges(classes.labels)[k]
        assert low <= value <= high


def test_few_values_each_lead_a_class_and_only_the_kept_are_classed() -> None:
    values = np.array([346.0, 12.0, 12.0, 900.0, 5.0])
    one = classify(
        values, lang="en", palette=map_areas.DISTRICT_COLOURS, keep=np.array([1, 0, 0, 0, 0], bool)
    )
    assert one.labels == ["346"] and list(one.index) == [0, -1, -1, -1, -1]
    three = classify(values[1:], lang="en", palette=map_areas.DISTRICT_COLOURS)
    assert three.labels == ["5", "6–12", "13–900"] and list(three.index) == [1, 1, 2, 0]
    negative = classify(
        np.array([-50.0, -10.0, 0.0, 20.0, 60.0, 485.0]), lang="en", palette=map_areas.DISTRICT_COLOURS
    )
    assert_no_overlap(negative.labels)


def test_district_colours_stay_on_land() -> None:
    assert LAND_SEA is not None
    land, sea = LAND_SEA
    districts = load_districts("peruspiiri").assign(n=1.0)
    shapes = map_areas.district_shapes(districts, land=land, focus=None)
    assert shapes.in_view.all()
    layer, _ = map_areas.choropleth_layer(shapes, "n", "n", "fi", opacity=0.7)
    assert layer is not None
    drawn = gpd.GeoSeries(
        [shapely.geometry.shape(f["geometry"]) for f in layer.data["features"]], crs=4326
    ).to_crs(3067)
    coloured = shapely.union_all(drawn.to_numpy())
    assert shapely.intersection(coloured, sea).area < 0.005 * coloured.area  # only simplification slack
    open_sea = crs.to_metric([25.0], [60.1], src=crs.WGS84)
    assert not shapely.contains_xy(coloured, *open_sea)[0]
    assert coloured.area == pytest.approx(
        shapely.intersection(land, shapely.union_all(districts.geometry.to_numpy())).area, rel=0.01
    )


def test_only_the_chosen_districts_are_coloured_and_classed() -> None:
    assert LAND_SEA is not None
    land, _ = LAND_SEA
    osaalue = load_districts("osaalue")
    focus = livemap.focus_area(osaalue, hierarchy(), Selection(peruspiiri=("301",)))  # Kallio
    assert focus is not None
    per = load_districts("peruspiiri")
    per["n"] = np.where(per["code"] == "301", 346.0, 0.0)
    shapes = map_areas.district_shapes(per, land=land, focus=focus)
    assert list(per.loc[shapes.in_view, "name_fi"]) == ["Kallio"]
    layer, legend = map_areas.choropleth_layer(shapes, "n", "Tapahtumia", "fi", opacity=0.7)
    assert layer is not None and len(layer.data["features"]) == 1
    assert "346" in legend and "0 –" not in legend and "0–" not in legend
    # A coarser level: the suurpiiri holding Kallio is the one in view.
    suur = load_districts("suurpiiri").assign(n=1.0)
    coarse = map_areas.district_shapes(suur, land=land, focus=focus)
    assert list(suur.loc[coarse.in_view, "code"]) == ["3"]
    # Osa-alue level: exactly Kallio's osa-alue.
    codes = set(hierarchy().query("peruspiiri_code == '301'")["osaalue_code"])
    fine = map_areas.district_shapes(osaalue.assign(n=1.0), land=land, focus=focus)
    assert set(osaalue.loc[fine.in_view, "code"]) == codes


def test_names_sit_on_land_and_chosen_ones_show_at_every_zoom() -> None:
    assert LAND_SEA is not None
    land, _ = LAND_SEA
    osaalue = load_districts("osaalue")
    focus = livemap.focus_area(osaalue, hierarchy(), Selection(peruspiiri=("301",)))
    shapes = map_areas.district_shapes(load_districts("peruspiiri"), land=land, focus=focus)
    items = map_areas.district_labels(shapes, "sv")
    names = {item[2]: item for item in items}
    assert names["Berghäll"][3] == 0 and names["Berghäll"][4] == "hs-focus"
    assert names["Vallgård"][3] == map_areas.NAME_ZOOM["peruspiiri"]
    for lat, lon, *_ in items:
        assert shapely.contains_xy(land, *crs.to_metric([lon], [lat], src=crs.WGS84))[0]


def test_place_names_are_thinned_kept_in_view_and_escaped() -> None:
    x0, y0 = 385_000.0, 6_671_000.0
    places = pd.DataFrame(
        {
            "name_fi": ["Karhupuisto", "Karhupuiston leikkipaikka", "<b>Torni</b>", "Kaukana", ""],
            "name_sv": ["Björnparken", "", "", "Långt borta", ""],
            "kind": ["puisto"] * 5,
            "x_m": [x0 + 10, x0 + 40, x0 + 900, x0 + 50_000, x0 + 2000],
            "y_m": [y0 + 10, y0 + 60, y0 + 900, y0, y0],
        }
    )
    items = map_areas.place_labels(places, "sv", (x0 - 1000, y0 - 1000, x0 + 3000, y0 + 3000))
    assert [item[2] for item in items] == ["Björnparken", "&lt;b&gt;Torni&lt;/b&gt;"]
    assert all(item[3] == map_areas.PLACE_ZOOM for item in items)


def test_density_cells_merge_by_class_and_hide_small_counts() -> None:
    # Known answer: 250 m cells holding 7, 3, 12 and 30 incidents.
    cells = {(1546, 26_690): 7, (1546, 26_691): 3, (1550, 26_700): 12, (1551, 26_700): 30}
    xs, ys = [], []
    for (ix, iy), count in cells.items():
        xs += [ix * 250 + 5 + 8 * k for k in range(count)]
        ys += [iy * 250 + 125] * count
    layer, legend = map_areas.density_layer(
        np.array(xs, float), np.array(ys, float), cell_m=250, min_count=5, lang="en"
    )
    assert layer is not None
    tips = [f["properties"]["tip"] for f in layer.data["features"]]
    assert tips == ["Incidents in cell: 7", "Incidents in cell: 8–12", "Incidents in cell: 13–30"]
    drawn = gpd.GeoSeries([shapely.geometry.shape(f["geometry"]) for f in layer.data["features"]], crs=4326)
    assert drawn.to_crs(3067).area.to_numpy() == pytest.approx([62_500] * 3, rel=0.01)
    assert "fewer than 5 are not shown" in legend
    assert "Incidents per 250 m cell" in legend


def test_sea_and_outlines_are_not_interactive() -> None:
    assert LAND_SEA is not None
    land, sea = LAND_SEA
    layer = map_areas.sea_layer(sea)
    assert layer is not None and layer.options["interactive"] is False and layer.options["pane"] == "hs-sea"
    shapes = map_areas.district_shapes(load_districts("suurpiiri"), land=land, focus=None)
    outlines = map_areas.outline_layer(shapes, None, "fi", coloured=False)
    assert outlines.options["interactive"] is False and len(outlines.data["features"]) == 8
    assert len(map_areas.outline_layer(shapes, None, "fi", coloured=True).data["features"]) == 0
