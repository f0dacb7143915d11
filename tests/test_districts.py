"""Official districts: levels, names, hierarchy and fast point-in-district tagging."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import crs, districts
from geo.errors import DataUnavailableError


@pytest.mark.parametrize(("level", "count"), [("suurpiiri", 8), ("peruspiiri", 34), ("osaalue", 148)])
def test_levels_have_official_counts_codes_and_names(level: str, count: int) -> None:
    frame = districts.load_districts(level)
    assert len(frame) == count
    assert frame.crs.to_epsg() == 3067
    assert frame["code"].is_unique
    assert frame[["name_fi", "name_sv"]].notna().all().all()
    assert list(frame.columns) == [*districts.DISTRICT_FRAME_COLUMNS, "geometry"]
    assert frame.geometry.is_valid.all()


def test_upper_case_names_become_title_case_and_osaalue_names_stay() -> None:
    suur = districts.load_districts("suurpiiri").set_index("code")
    assert suur.loc["7", "name_fi"] == "Itäinen"
    assert suur.loc["7", "name_sv"] == "Östra"
    per = districts.load_districts("peruspiiri").set_index("code")
    assert per.loc["402", "name_fi"] == "Länsi-Pakila"
    assert per.loc["301", "name_sv"] == "Berghäll"
    osa = districts.load_districts("osaalue").set_index("code")
    assert osa.loc["392", "name_fi"] == "Tapanila"
    assert osa.loc["392", "name_sv"] == "Mosabacka"


def test_hierarchy_decodes_kokotunnus() -> None:
    table = districts.hierarchy().set_index("osaalue_code")
    # SOURCES.md: osa-alue 0915503392 Tapanila -> suurpiiri 5, peruspiiri 503.
    assert table.loc["392", "peruspiiri_code"] == "503"
    assert table.loc["392", "peruspiiri_fi"] == "Malmi"
    assert table.loc["392", "suurpiiri_code"] == "5"
    assert table.loc["392", "suurpiiri_fi"] == "Koillinen"
    assert len(table) == 148
    assert table["peruspiiri_code"].nunique() == 34
    assert table["suurpiiri_code"].nunique() == 8


def test_osaalue_union_equals_its_peruspiiri() -> None:
    osa = districts.load_districts("osaalue")
    per = districts.load_districts("peruspiiri").set_index("code")
    merged = osa.dissolve(by="peruspiiri_code")
    for code, row in merged.iterrows():
        difference = row.geometry.symmetric_difference(per.loc[code, "geometry"]).area
        assert difference < 1e-3 * per.loc[code, "geometry"].area, code


def test_loader_returns_copies() -> None:
    first = districts.load_districts("suurpiiri")
    first.loc[0, "name_fi"] = "changed"
    assert districts.load_districts("suurpiiri").loc[0, "name_fi"] != "changed"


def test_unknown_level_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"level was 'kunta' but is expected to be one of"):
        districts.load_districts("kunta")


def test_real_places_are_tagged_into_their_districts() -> None:
    places = pd.DataFrame(
        [
            ("Rautatieasema", 24.9414, 60.1710, "Kluuvi", "Vironniemi", "Eteläinen"),
            ("Karhupuisto", 24.9515, 60.1835, "Linjat", "Kallio", "Keskinen"),
            ("Itäkeskus", 25.0820, 60.2104, "Itäkeskus", "Vartiokylä", "Itäinen"),
            ("Malmin asema", 25.0110, 60.2510, "Ala-Malmi", "Malmi", "Koillinen"),
        ],
        columns=["place", "lon", "lat", "osaalue", "peruspiiri", "suurpiiri"],
    )
    x, y = crs.to_metric(places["lon"], places["lat"], src=crs.WGS84)
    tags = districts.tag_points(x, y)
    assert tags["in_helsinki"].all()
    assert tags["osaalue_fi"].tolist() == places["osaalue"].tolist()
    assert tags["peruspiiri_fi"].tolist() == places["peruspiiri"].tolist()
    assert tags["suurpiiri_fi"].tolist() == places["suurpiiri"].tolist()


def test_points_outside_helsinki_are_flagged_not_dropped() -> None:
    # Espoo (Tapiola), Vantaa (Tikkurila), a NaN and a point far away.
    lon = np.array([24.8050, 25.0430, np.nan, 10.0])
    lat = np.array([60.1750, 60.2920, 60.2, 50.0])
    x, y = crs.to_metric(lon, lat, src=crs.WGS84)
    tags = districts.tag_points(x, y)
    assert len(tags) == 4
    assert not tags["in_helsinki"].any()
    assert tags["osaalue_code"].isna().all()


def test_tagger_agrees_with_geopandas_spatial_join() -> None:
    osa = districts.load_districts("osaalue")
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = osa.total_bounds
    n = 50_000
    x = rng.uniform(x0, x1, n)
    y = rng.uniform(y0, y1, n)
    # Put some points exactly on vertices of district boundaries: the hardest case.
    vertices = shapely.get_coordinates(osa.geometry.boundary.values)[::97][:500]
    x = np.concatenate([x, vertices[:, 0]])
    y = np.concatenate([y, vertices[:, 1]])
    tags = districts.tag_points(x, y)
    points = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=crs.METRIC)
    joined = gpd.sjoin(points, osa[["code", "geometry"]], predicate="intersects", how="left")
    allowed = joined.groupby(level=0)["code"].agg(lambda codes: set(codes.dropna()))
    ours = tags["osaalue_code"]
    for i in range(len(x)):
        expected = allowed.iloc[i]
        got = ours.iloc[i]
        if expected:
            assert got in expected, (i, got, expected)
        else:
            assert pd.isna(got), (i, got)


def test_tagging_does_not_touch_inputs_and_keeps_order() -> None:
    x = np.array([386_000.0, 390_000.0, 0.0])
    y = np.array([6_672_000.0, 6_680_000.0, 0.0])
    x_before, y_before = x.copy(), y.copy()
    tags = districts.tag_points(x, y)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)
    assert tags["in_helsinki"].tolist()[2] is False or not tags["in_helsinki"].iloc[2]
    assert tags.index.tolist() == [0, 1, 2]


def test_malformed_layer_is_refused_with_a_fix(shared_data_dir: object) -> None:
    raw = gpd.GeoDataFrame(
        {"tunnus": ["1"], "nimi_fi": ["X"], "nimi_se": ["X"], "kokotunnus": ["12"]},
        geometry=[shapely.box(0, 0, 1, 1)],
        crs=crs.WGS84,
    )
    with pytest.raises(DataUnavailableError, match="hotspots districts fetch"):
        districts.districts_from_frame(raw, "osaalue")
    with pytest.raises(DataUnavailableError, match="lacks the columns"):
        districts.districts_from_frame(raw.drop(columns="kokotunnus"), "osaalue")


def test_land_and_sea_split_the_districts_at_the_shore() -> None:
    split = districts.land_and_sea(download=False)
    assert split is not None
    land, sea = split
    city = shapely.union_all(np.asarray(districts.load_districts("osaalue").geometry.values, dtype=object))
    assert 200e6 < land.area < 230e6  # about 214 km2 of land
    assert shapely.intersection(land, sea).area < 1e3
    assert abs(shapely.intersection(land, city).area + sea.area - city.area) < 1e4
    # Kallio's Karhupuisto is land; the water off Kruunuvuorenranta and the open sea are sea.
    kallio = crs.to_metric([24.9490], [60.1838], src=crs.WGS84)
    harbour = crs.to_metric([24.9800], [60.1640], src=crs.WGS84)
    open_sea = crs.to_metric([25.0000], [60.0500], src=crs.WGS84)
    assert shapely.contains_xy(land, *kallio)[0] and not shapely.contains_xy(sea, *kallio)[0]
    assert shapely.contains_xy(sea, *harbour)[0] and not shapely.contains_xy(land, *harbour)[0]
    assert shapely.contains_xy(sea, *open_sea)[0]
    again = districts.land_and_sea(download=False)
    assert again is not None and again[0] is land and again[1] is sea  # computed once
