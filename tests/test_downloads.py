"""Data downloads as bytes: hotspots (GeoJSON, GeoPackage, CSV) and incidents.

The district files are tested in test_districtfiles.py.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from briefing import downloads, privacy
from geo import crs, districts, population
from hotspots import analysis, figures
from i18n import recommendation_text
from store import LOCAL_ANALYST
from tests.briefing_demo import demo_district_table, demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


@pytest.fixture(scope="module")
def district_table() -> pd.DataFrame:
    return demo_district_table()


def test_hotspot_geojson_is_aggregated_and_marked(result: analysis.Analysis) -> None:
    document = json.loads(downloads.hotspots_geojson_bytes(result, scope=LOCAL_ANALYST, lang="en"))
    assert document["type"] == "FeatureCollection"
    assert document["classification"] == privacy.AGGREGATED
    assert document["synthetic"] is True and document["min_count"] == 5
    features = document["features"]
    assert [f["properties"]["rank"] for f in features] == list(result.hotspots["rank"])
    assert {f["properties"]["kind"] for f in features} == {"hotspot"}
    for feature, (_, row) in zip(features, result.hotspots.iterrows(), strict=True):
        props = feature["properties"]
        assert props["n"] == (str(int(row["n"])) if row["n"] >= 5 else "<5")
        assert props["n_prev"] == (str(int(row["n_prev"])) if row["n_prev"] >= 5 else "<5")
        assert props["recommendation_en"] == recommendation_text(row["recommendation"], "en")
        # The outline covers the summary polygon (so every member) and is made of grid cells.
        ring = np.asarray(feature["geometry"]["coordinates"][0])
        x, y = crs.to_metric(ring[:, 0], ring[:, 1], src=crs.WGS84)
        outline = shapely.Polygon(np.column_stack([x, y]))
        assert outline.buffer(0.01).contains(row.geometry)
        assert result.found is not None
        cell = privacy.outline_cell_m(result.clustering.eps_m, result.found.grid.cell_m)
        assert cell == 150.0  # the engine's study cells
        assert np.allclose(x / cell, np.round(x / cell), atol=1e-4)
        assert np.allclose(y / cell, np.round(y / cell), atol=1e-4)


def test_hotspot_csv_and_gpkg_match_the_geojson(result: analysis.Analysis, tmp_path: Path) -> None:
    frame = pd.read_csv(
        io.BytesIO(downloads.hotspots_csv_bytes(result, scope=LOCAL_ANALYST)), encoding="utf-8-sig", dtype=str
    )
    assert list(frame["id"]) == list(result.hotspots["id"])
    assert frame["geometry_wkt"].str.startswith("POLYGON").all()
    assert "classification" not in frame.columns
    path = tmp_path / "h.gpkg"
    path.write_bytes(downloads.hotspots_gpkg_bytes(result, scope=LOCAL_ANALYST, lang="sv"))
    assert [name for name, _ in pyogrio.list_layers(path)] == ["hotspots"]
    info = pyogrio.read_info(path, layer="hotspots")
    assert info["layer_metadata"]["classification"] == privacy.AGGREGATED
    layer = pyogrio.read_dataframe(path, layer="hotspots")
    assert list(layer["n"]) == list(frame["n"])
    assert layer.crs.to_epsg() == 4326


def test_exports_do_not_change_the_analysis(result: analysis.Analysis) -> None:
    hotspots, current = result.hotspots.copy(), result.current.copy()
    downloads.hotspots_geojson_bytes(result, scope=LOCAL_ANALYST)
    downloads.hotspots_csv_bytes(result, scope=LOCAL_ANALYST, restricted=True)
    downloads.incidents_csv_bytes(result, scope=LOCAL_ANALYST, restricted=True)
    pd.testing.assert_frame_equal(result.hotspots, hotspots)
    pd.testing.assert_frame_equal(result.current, current)


def test_incident_rows_need_the_deliberate_restricted_choice(result: analysis.Analysis) -> None:
    with pytest.raises(privacy.PrivacyError, match="restricted=True"):
        downloads.incidents_csv_bytes(result, scope=LOCAL_ANALYST)
    rows = pd.read_csv(
        io.BytesIO(downloads.incidents_csv_bytes(result, scope=LOCAL_ANALYST, restricted=True)),
        encoding="utf-8-sig",
    )
    assert len(rows) == len(result.current)
    assert set(rows["classification"]) == {"RESTRICTED"}
    members = rows["hotspot"].notna().sum()
    assert members == int((result.labels >= 0).sum())


def test_district_figures_match_the_figures_module(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    expected = figures.district_table(
        result.current,
        result.previous,
        districts=districts.load_districts("peruspiiri"),
        level="peruspiiri",
        residents=population.residents_by_district("peruspiiri"),
    )
    pd.testing.assert_frame_equal(district_table, expected)
    assert district_table["n"].sum() == len(result.current)


def _named(result: analysis.Analysis) -> analysis.Analysis:
    """The demo analysis with a register name on every hotspot (as ``hotspots.placenames`` gives)."""
    ids = result.hotspots["id"]
    hotspots = result.hotspots.assign(
        place_fi=pd.array([f"Katu {i}" for i in ids], dtype="string"),
        place_sv=pd.array([f"Gatan {i}" for i in ids], dtype="string"),
    )
    return replace(result, hotspots=hotspots)


def test_hotspot_names_leave_unless_a_small_count_would_pin_them_down(result: analysis.Analysis) -> None:
    named = _named(result)
    counts = named.hotspots["n"].to_numpy()
    threshold = int(np.median(counts))
    small = counts < threshold
    assert small.any() and (~small).any()
    table = downloads.hotspots_table(named, min_count=threshold)
    assert (table["place_fi"].to_numpy()[small] == "").all()
    assert (
        table["place_fi"].to_numpy()[~small].tolist()
        == named.hotspots["place_fi"].to_numpy()[~small].tolist()
    )
    assert (
        table["place_sv"].to_numpy()[~small].tolist()
        == named.hotspots["place_sv"].to_numpy()[~small].tolist()
    )
    # The recommendations name the street too: only where the table still does.
    places = named.hotspots["place_fi"].to_numpy()
    words = table["recommendation_fi"].to_numpy()
    assert not any(f"{p} (" in w for p, w in zip(places[small], words[small], strict=True))
    assert all(f"kohteessa {p} (" in w for p, w in zip(places[~small], words[~small], strict=True))
    restricted = downloads.hotspots_table(named, restricted=True, min_count=threshold)
    assert restricted["place_fi"].tolist() == named.hotspots["place_fi"].tolist()
    assert all(p in w for p, w in zip(places, restricted["recommendation_fi"], strict=True))
    document = json.loads(downloads.hotspots_geojson_bytes(named, scope=LOCAL_ANALYST, lang="sv"))
    first = document["features"][0]["properties"]
    assert (first["place_fi"], first["place_sv"]) == ("Katu H1", "Gatan H1")
