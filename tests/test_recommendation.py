"""Recommendations (hotspots.recommendation): lead, when, where and nearby service points.

The texts are worded by ``i18n.recommendation_text``; these tests read them in all three
languages, since what a reader gets is the point of a recommendation.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN

from geo import crs, districts, schema
from geo.errors import InputFormatError, ParameterError
from hotspots import recommendation
from hotspots.ranking import rank_hotspots
from hotspots.recommendation import lead_for, read_service_points, recommend
from hotspots.summary import summarise_hotspots
from i18n import hotspot_texts

AMENITIES = Path("helsinki_osm_centre_sample") / "osm_centre_amenities.csv"


def worded(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The table with its recommendations worded in fi, sv and en (``recommendation_fi`` ...)."""
    return table.join(hotspot_texts(table))


@pytest.mark.parametrize(
    ("counts", "lead"),
    [
        ({"youth_violence": 10, "gang_activity": 5}, "youth_work"),
        ({"drug_dealing": 12, "weapons": 2, "assault": 30}, "police"),
        ({"robbery": 5, "vandalism": 5}, "joint"),
        ({"assault": 9, "disturbance": 4}, "joint"),
        ({"drug_dealing": 2, "resident_concern": 4}, "youth_work"),  # exactly two thirds
        ({"drug_dealing": 3, "resident_concern": 4}, "joint"),
        ({}, "joint"),
    ],
)
def test_lead_for_category_mix(counts: dict[str, int], lead: str) -> None:
    assert lead_for(counts) == lead


@pytest.fixture(scope="module")
def services(shared_data_dir: Path) -> pd.DataFrame:
    return read_service_points(shared_data_dir / AMENITIES)


def test_read_service_points_from_osm_sample(services: pd.DataFrame, shared_data_dir: Path) -> None:
    raw = pd.read_csv(shared_data_dir / AMENITIES)
    kept = raw[raw["amenity"].isin(recommendation.SERVICE_KINDS) & raw["name"].notna()]
    assert len(services) == len(kept) > 0
    assert set(services["kind"]) <= set(recommendation.SERVICE_KINDS)
    assert {"school", "library", "community_centre"} <= set(services["kind"])
    x, y = crs.to_metric(kept["lon"], kept["lat"], src=crs.WGS84)
    np.testing.assert_allclose(services["x_m"], x)
    np.testing.assert_allclose(services["y_m"], y)
    oodi = services[services["name"] == "Helsingin keskustakirjasto Oodi"].iloc[0]
    assert oodi["name_sv"] == "Helsingfors centrumbibliotek Ode" and oodi["kind"] == "library"
    everything = read_service_points(shared_data_dir / AMENITIES, kinds=None)
    assert len(everything) == raw["name"].notna().sum()


def test_read_service_points_with_projected_coordinates_and_errors(tmp_path: Path) -> None:
    x, y = crs.transform([24.9497], [60.1838], src=crs.WGS84, dst=crs.GK25)
    good = tmp_path / "points.csv"
    good.write_text(
        f"name,kind,x,y\nKallion nuorisotalo,youth_centre,{x[0]},{y[0]}\n,school,1,2\n", encoding="utf-8"
    )
    points = read_service_points(good)  # GK25 recognised from the coordinate ranges
    mx, my = crs.to_metric([24.9497], [60.1838], src=crs.WGS84)
    assert len(points) == 1
    assert points.loc[0, "x_m"] == pytest.approx(mx[0], abs=0.01)
    assert points.loc[0, "y_m"] == pytest.approx(my[0], abs=0.01)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,lon,lat\nA,school,24.95,60.18\nB,school,east,60.18\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"row 2 \(line 3\) has no numeric lon/lat: 'east'"):
        read_service_points(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("title,lon,lat\nA,24.95,60.18\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="needs the columns 'name' and 'kind'"):
        read_service_points(missing)


def generated_hotspots() -> gpd.GeoDataFrame:
    """Two planted clusters in the OSM sample area: drug dealing by Kaisaniemi, youth violence in Kamppi."""
    rng = np.random.default_rng(4)
    plan = [
        ((24.9460, 60.1715), "drug_dealing", (4, 5), 21, 80),
        ((24.9330, 60.1685), "youth_violence", (2,), 15, 60),
    ]
    parts = []
    for (lon, lat), category, days, hour, n in plan:
        cx, cy = crs.to_metric([lon], [lat], src=crs.WGS84)
        day = rng.integers(0, 26, n) * 7 + rng.choice(days, n)
        naive = pd.Timestamp("2025-01-06") + pd.to_timedelta(day, unit="D")
        naive += pd.to_timedelta(hour * 3600 + rng.integers(0, 4 * 3600, n), unit="s")
        when = pd.DatetimeIndex(naive).tz_localize(
            schema.TIMEZONE, nonexistent="shift_forward", ambiguous=True
        )
        parts.append(
            pd.DataFrame(
                {
                    "x_m": cx[0] + rng.normal(0, 35, n),
                    "y_m": cy[0] + rng.normal(0, 35, n),
                    "occurred_at": when,
                    "category": category,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    m = len(frame)
    frame = frame.assign(
        id=[f"g{i}" for i in range(m)],
        category_raw=None,
        source="police",
        severity=pd.array(rng.integers(1, 6, m), dtype="Int64"),
        description=None,
        lon=np.nan,
        lat=np.nan,
        synthetic=True,
    )
    tags = districts.tag_points(frame["x_m"].to_numpy(), frame["y_m"].to_numpy())
    incidents = schema.conform(pd.concat([frame, tags], axis=1))
    labels = DBSCAN(eps=100, min_samples=8).fit_predict(incidents[["x_m", "y_m"]].to_numpy())
    return rank_hotspots(summarise_hotspots(incidents, labels, eps_m=100.0))


def test_recommendations_in_three_languages(services: pd.DataFrame) -> None:
    hotspots = generated_hotspots()
    before = hotspots.copy()
    got = worded(recommend(hotspots, service_points=services, max_services=2))
    pd.testing.assert_frame_equal(hotspots, before)
    drugs = got[got["top_category"] == "drug_dealing"].iloc[0]
    youth = got[got["top_category"] == "youth_violence"].iloc[0]
    assert drugs["lead"] == "police" and youth["lead"] == "youth_work"
    assert drugs["recommendation_en"].startswith("Police lead: patrols in Kluuvi")
    # Planted 21-01; the 6-hour windows 19-01, 20-02 and 21-03 tie and the middle one is shown.
    assert "Fri-Sat 20-02" in drugs["recommendation_en"]
    assert "Poliisi vetää" in drugs["recommendation_fi"] and "pe-la 20-02" in drugs["recommendation_fi"]
    assert "Polisen leder" in drugs["recommendation_sv"] and "fr-lö 20-02" in drugs["recommendation_sv"]
    assert "Gloet" in drugs["recommendation_sv"] and "Kluuvi" in drugs["recommendation_fi"]
    assert youth["recommendation_en"].startswith(
        "Youth work leads: outreach in Kamppi (Kampinmalmi); Wed 14-20."
    )
    assert "Nuorisotyö vetää" in youth["recommendation_fi"] and "ke 14-20" in youth["recommendation_fi"]
    assert "i Kampen (Kampmalmen); on 14-20." in youth["recommendation_sv"]
    for row in (drugs, youth):
        listed = row["nearest_services"]
        assert 1 <= len(listed) <= 2
        distances = [d for _, _, d in listed]
        assert distances == sorted(distances)
        name, kind, distance_m = listed[0]
        assert f"{name} (" in row["recommendation_en"] and f"{distance_m} m)" in row["recommendation_en"]
        assert kind in recommendation.SERVICE_KINDS


def test_nearest_services_are_the_nearest(services: pd.DataFrame) -> None:
    hotspots = generated_hotspots()
    got = recommend(hotspots, service_points=services, max_services=3, max_distance_m=800.0)
    for polygon, listed in zip(got.geometry, got["nearest_services"], strict=True):
        points = shapely.points(services["x_m"].to_numpy(), services["y_m"].to_numpy())
        exact = shapely.distance(polygon, points)
        # Independent answer: distinct (name, kind) by exact distance, within 800 m.
        frame = services.assign(d=exact).sort_values(["d", "name"]).drop_duplicates(["name", "kind"])
        frame = frame[frame["d"] <= 800.0].head(3)
        assert [n for n, _, _ in listed] == list(frame["name"])
        assert [d for _, _, d in listed] == [int(round(d / 10) * 10) for d in frame["d"]]
    far = worded(recommend(hotspots, service_points=services.iloc[:0], max_distance_m=300.0))
    assert far["nearest_services"].map(len).eq(0).all()
    assert far["recommendation_en"].str.endswith("No service point within 300 m.").all()
    assert far["recommendation_fi"].str.endswith("Ei palvelupisteitä 300 metrin säteellä.").all()
    plain = worded(recommend(hotspots))
    assert not plain["recommendation_en"].str.contains("Nearest|No service").any()
    with pytest.raises(ParameterError, match="max_distance_m must be > 0 metres, got 0"):
        recommend(hotspots, service_points=services, max_distance_m=0)


def test_recommend_on_an_empty_table() -> None:
    empty = generated_hotspots().iloc[:0]
    got = worded(recommend(empty))
    assert len(got) == 0
    assert got["recommendation"].dtype == object
    assert {"lead", "nearest_services", "recommendation_fi", "recommendation_sv", "recommendation_en"} <= set(
        got.columns
    )
