"""Measures on the map (views.measure_layer) and in words (views.measure_texts)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.districts import load_districts
from hotspots.measures import Measure, RecordedMeasure
from i18n import t
from views.map_elements import PANE_Z
from views.mapview import MapLayers, MapOptions, build_map
from views.measure_layer import MEASURE_COLOUR, measure_layer
from views.measure_texts import measure_line, measure_rows


@pytest.fixture(scope="module")
def osaalue() -> gpd.GeoDataFrame:
    return load_districts("osaalue")


def _recorded(
    area: shapely.Geometry, *, partner: str = "", place_ref: str = "H2 Helsinginkatu 3"
) -> RecordedMeasure:
    measure = Measure(
        kind="outreach", lead="youth_work", area=area, start="2026-05-01", end="2026-08-01", partner=partner
    )
    return RecordedMeasure(
        id=7,
        measure=measure,
        place_kind="hotspot",
        place_ref=place_ref,
        osaalue=("112",),
        recorded_by="local",
        recorded_at=pd.Timestamp("2026-04-20 10:00", tz="Europe/Helsinki"),
    )


def test_a_measure_reads_as_kind_lead_with_partner_days_and_place_in_each_language(
    osaalue: gpd.GeoDataFrame,
) -> None:
    recorded = _recorded(osaalue.geometry.iloc[12], partner="Aseman Lapset")
    rows = dict(measure_rows(recorded, "fi"))
    assert rows[t("measure.field.kind", "fi")] == t("measure.kind.outreach", "fi")
    assert rows[t("measure.field.lead", "fi")] == f"{t('lead.youth_work', 'fi')} + Aseman Lapset"
    assert (
        rows[t("measure.field.period", "fi")] == "1.5.2026 – 31.7.2026"
    )  # the last day, not the exclusive end
    assert rows[t("measure.field.place", "fi")] == t("measure.place.hotspot", "fi", ref="H2 Helsinginkatu 3")
    assert measure_line(recorded, "en") == "Outreach · Youth work + Aseman Lapset · 2026-05-01 – 2026-07-31"
    assert measure_line(recorded, "sv").startswith(t("measure.kind.outreach", "sv"))


def test_the_layer_is_dashed_under_the_hotspots_and_escapes_every_text(osaalue: gpd.GeoDataFrame) -> None:
    hostile = "<script>alert(1)</script>"
    recorded = _recorded(osaalue.geometry.iloc[12], partner=hostile, place_ref=f"H1 {hostile}")
    layer, legend = measure_layer([recorded], "en")
    assert layer is not None
    assert layer.options["pane"] == "hs-measures"
    assert PANE_Z["hs-names"] < PANE_Z["hs-measures"] < PANE_Z["hs-incidents"] < PANE_Z["hs-hotspots"]
    (feature,) = layer.data["features"]
    assert "<script>" not in repr(feature["properties"])
    assert "&lt;script&gt;" in feature["properties"]["lead"]
    lon, lat = shapely.geometry.shape(feature["geometry"]).centroid.coords[0]
    assert 24.8 < lon < 25.1 and 60.1 < lat < 60.3  # WGS84 at the edge, from metres
    assert t("map.legend.measures", "en") in legend and "dashed" in legend
    assert measure_layer([], "en") == (None, "")


def test_the_map_outlines_the_measures_with_a_legend_entry(osaalue: gpd.GeoDataFrame) -> None:
    districts = osaalue.head(20).assign(n=1.0)
    recorded = _recorded(osaalue.geometry.iloc[12])
    html = (
        build_map(
            MapLayers(districts=districts, value_column="n", value_label="n", measures=(recorded,)),
            MapOptions(lang="en"),
        )
        .get_root()
        .render()
    )
    assert '"pane": "hs-measures"' in html
    assert MEASURE_COLOUR in html and '"dashArray": "6 4"' in html
    assert t("map.legend.measure_area", "en") in html
    assert t("measure.kind.outreach", "en") in html
    without = build_map(
        MapLayers(districts=districts, value_column="n", value_label="n"), MapOptions(lang="en")
    )
    assert MEASURE_COLOUR not in without.get_root().render()
