"""Ranking (priority formula, significance first) and recommendations (lead, when, where, nearby)."""

from __future__ import annotations

from dataclasses import replace
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
from hotspots.ranking import RankingWeights, priority_terms, rank_hotspots
from hotspots.recommendation import lead_for, read_service_points, recommend
from hotspots.summary import summarise_hotspots

AMENITIES = Path("helsinki_osm_centre_sample") / "osm_centre_amenities.csv"


def hand_table() -> gpd.GeoDataFrame:
    """Five hotspots whose order under the default weights is worked out in the tests."""
    centre = np.array(crs.to_metric([24.9497], [60.1838], src=crs.WGS84)).ravel()
    return gpd.GeoDataFrame(
        {
            "id": ["H1", "H2", "H3", "H4", "H5"],
            "n": [100, 20, 40, 90, 40],
            "mean_severity": [3.0, 5.0, 2.0, 4.0, 2.0],
            "n_prev": pd.array([100, 5, 80, pd.NA, 80], dtype="Int64"),
            "change": pd.array([0, 15, -40, pd.NA, -40], dtype="Int64"),
            "significant": [True, True, True, False, True],
            "intensity_km2": [3000.0, 4500.0, 1200.0, 4500.0, 800.0],
        },
        geometry=[shapely.Point(centre + np.array([500.0 * i, 0.0])).buffer(75) for i in range(5)],
        crs=crs.METRIC,
    )


#: The weights of the tool's first ranking (count, severity, trend, significance first).
COMPOSITE = RankingWeights(
    intensity=0, count=0.4, severity=0.2, trend=0.2, significance=0.2, significant_first=True
)


def formula(row: pd.Series, largest: int, w: RankingWeights) -> float:
    """The documented formula, written out independently."""
    count = np.log1p(row["n"]) / np.log1p(largest)
    severity = (row["mean_severity"] - 1) / 4
    if pd.isna(row["change"]):
        trend = 0.5
    else:
        trend = (1 + min(1.0, max(-1.0, row["change"] / max(row["n_prev"], 1)))) / 2
    sig = 1.0 if row["significant"] else 0.0
    total = w.count + w.severity + w.trend + w.significance
    return float((w.count * count + w.severity * severity + w.trend * trend + w.significance * sig) / total)


def test_default_rank_is_the_intensity_the_backtest_scores() -> None:
    table = hand_table()
    ranked = rank_hotspots(table)
    # Densest first; H2 and H4 tie on intensity and the one with more incidents goes first.
    assert list(ranked["id"]) == ["H4", "H2", "H1", "H3", "H5"]
    assert ranked["priority"].tolist() == pytest.approx([1.0, 1.0, 3000 / 4500, 1200 / 4500, 800 / 4500])
    # Without an intensity the density n / area orders them (equal areas here: by n).
    plain = rank_hotspots(table.drop(columns="intensity_km2").assign(area_km2=0.02))
    assert list(plain["id"]) == ["H1", "H4", "H3", "H5", "H2"]


def test_priority_follows_the_documented_formula() -> None:
    table = hand_table()
    weights = COMPOSITE
    ranked = rank_hotspots(table, weights=weights)
    by_id = ranked.set_index("id")
    for _, row in table.iterrows():
        assert by_id.loc[row["id"], "priority"] == pytest.approx(formula(row, 100, weights))
    assert ranked["priority"].between(0, 1).all()
    # By hand: H2 0.864 (small but most severe and tripled) > H1 0.800 > H3 = H5 0.622
    # (exact tie, same n: id order); H4 0.641 is not significant and goes last.
    significant = ranked[ranked["significant"]]
    assert list(significant["priority"]) == sorted(significant["priority"], reverse=True)
    assert list(ranked["id"]) == ["H2", "H1", "H3", "H5", "H4"]
    assert by_id.loc["H2", "priority"] == pytest.approx(0.864, abs=1e-3)
    assert list(ranked["rank"]) == [1, 2, 3, 4, 5]


def test_non_significant_ranks_last_unless_asked_otherwise() -> None:
    table = hand_table()
    # H4 (not significant) outscores H3/H5 on count and trend even without its flag.
    mixed = rank_hotspots(table, weights=replace(COMPOSITE, significant_first=False))
    assert mixed.set_index("id").loc["H4", "rank"] < mixed.set_index("id").loc["H3", "rank"]
    assert rank_hotspots(table, weights=COMPOSITE).iloc[-1]["id"] == "H4"
    # Weights move the order: severity alone puts the severe H2 first.
    severity_only = RankingWeights(intensity=0, count=0, severity=1, trend=0, significance=0)
    assert rank_hotspots(table, weights=severity_only).iloc[0]["id"] == "H2"
    terms = priority_terms(table)
    assert terms.loc[3, "trend"] == 0.5 and terms.loc[1, "trend"] == 1.0 and terms.loc[2, "trend"] == 0.25


def test_ranking_does_not_mutate_and_validates() -> None:
    table = hand_table()
    before = table.copy()
    rank_hotspots(table)
    pd.testing.assert_frame_equal(table, before)
    assert len(rank_hotspots(table.iloc[:0])) == 0
    with pytest.raises(ParameterError, match="weight trend must be a finite number >= 0, got -1"):
        RankingWeights(trend=-1)
    with pytest.raises(ParameterError, match="at least one ranking weight"):
        RankingWeights(intensity=0, count=0, severity=0, trend=0, significance=0)
    with pytest.raises(ParameterError, match=r"lacks the columns \['significant'\]"):
        rank_hotspots(table.drop(columns="significant"))


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


def test_text_catalogues_have_the_same_keys() -> None:
    keys = {lang: set(texts) for lang, texts in recommendation.TEXTS.items()}
    assert set(keys) == set(recommendation.LANGUAGES)
    assert keys["fi"] == keys["sv"] == keys["en"]
    for kind in recommendation.SERVICE_KINDS:
        assert f"kind.{kind}" in keys["en"]


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
    got = recommend(hotspots, service_points=services, max_services=2)
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
    far = recommend(hotspots, service_points=services.iloc[:0], max_distance_m=300.0)
    assert far["nearest_services"].map(len).eq(0).all()
    assert far["recommendation_en"].str.endswith("No service point within 300 m.").all()
    assert far["recommendation_fi"].str.endswith("Ei palvelupisteitä 300 metrin säteellä.").all()
    plain = recommend(hotspots)
    assert not plain["recommendation_en"].str.contains("Nearest|No service").any()
    with pytest.raises(ParameterError, match="max_distance_m must be > 0 metres, got 0"):
        recommend(hotspots, service_points=services, max_distance_m=0)


def test_recommend_on_an_empty_table() -> None:
    empty = generated_hotspots().iloc[:0]
    got = recommend(empty)
    assert len(got) == 0
    assert {"lead", "nearest_services", "recommendation_fi", "recommendation_sv", "recommendation_en"} <= set(
        got.columns
    )
