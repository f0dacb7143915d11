"""Hotspots named by their nearest register address or place (``hotspots.placenames``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.gazetteer import Register
from geo.geocoder import Geocoder
from geo.incidents import import_incidents
from hotspots import analysis, clustering, placenames
from hotspots.selection import Selection
from tests import named_hotspots, osm_register


@pytest.fixture(scope="module")
def register(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Register:
    return osm_register.load(shared_data_dir, tmp_path_factory.mktemp("register"))


def _table(points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [f"H{i + 1}" for i in range(len(points))],
            "centroid_x_m": [p[0] for p in points],
            "centroid_y_m": [p[1] for p in points],
        },
        geometry=[shapely.Point(p).buffer(50) for p in points],
        crs="EPSG:3067",
    )


def test_hotspots_at_register_points_carry_their_names_in_both_languages(register: Register) -> None:
    kaivokatu = named_hotspots.point_of(register, "address", "Kaivokatu", "8")
    square = named_hotspots.point_of(register, "place", "Rautatientori", "")
    table = _table([(kaivokatu[0] + 1.0, kaivokatu[1]), square])
    before = table.copy()
    named = placenames.name_hotspots(table, Geocoder(register))
    pd.testing.assert_frame_equal(table, before)
    assert named["place_fi"].tolist() == ["Kaivokatu 8", "Rautatientori"]
    assert named["place_sv"].tolist() == ["Brunnsgatan 8", "Järnvägstorget"]


def test_without_a_register_names_are_missing(register: Register) -> None:
    named = placenames.name_hotspots(_table([(385_800.0, 6_672_100.0)]), None)
    assert named["place_fi"].isna().all() and named["place_sv"].isna().all()
    assert np.isnan(named["place_distance_m"]).all()
    assert placenames.place_name(named.iloc[0], "fi") == ""


def test_place_name_follows_the_interface_language() -> None:
    row = pd.Series({"place_fi": "Kaivokatu 8", "place_sv": "Brunnsgatan 8"})
    assert placenames.place_name(row, "fi") == "Kaivokatu 8"
    assert placenames.place_name(row, "sv") == "Brunnsgatan 8"
    assert placenames.place_name(row, "en") == "Kaivokatu 8"
    assert placenames.place_name(pd.Series({"place_fi": "Tori", "place_sv": pd.NA}), "sv") == "Tori"


def test_analysis_names_planted_hotspots_by_street(register: Register) -> None:
    imported = import_incidents(named_hotspots.raw_incidents(register))
    assert not len(imported.rejects)
    result = analysis.analyse(
        imported.incidents,
        selection=Selection(),
        clustering=clustering.ClusteringParams(eps_m=150.0, min_samples=10),
        compare_with="none",
        study=analysis.StudyArea(names=Geocoder(register)),
    )
    top = result.hotspots.head(2)
    assert set(top["place_fi"]) == {"Kaivokatu 8", "Rautatientori"}
    assert set(top["place_sv"]) == {"Brunnsgatan 8", "Järnvägstorget"}
    unnamed = analysis.analyse(
        imported.incidents,
        selection=Selection(),
        clustering=clustering.ClusteringParams(eps_m=150.0, min_samples=10),
        compare_with="none",
    )
    assert unnamed.hotspots["place_fi"].isna().all()
    assert unnamed.hotspots["id"].tolist() == result.hotspots["id"].tolist()
