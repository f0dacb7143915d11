"""Synthetic demo incidents: schema, determinism, places, times, sources and file output.

The expectations come from the generator's stated rules (concentrations at real places,
category time profiles, lives of places), checked on the real district layers and the
HSY population grid; DBSCAN from scikit-learn stands in for a hotspot engine.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN

from geo import crs, demo, demo_profiles, districts, schema
from geo.errors import ParameterError

N = 20_000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return demo.generate_demo(n=N)


@pytest.fixture(scope="module")
def centres() -> tuple[np.ndarray, np.ndarray]:
    lon = [c.lon for c in demo_profiles.DEMO_CONCENTRATIONS]
    lat = [c.lat for c in demo_profiles.DEMO_CONCENTRATIONS]
    return crs.to_metric(lon, lat, src=crs.WGS84)


def _near(frame: pd.DataFrame, x: float, y: float, radius_m: float) -> np.ndarray:
    return np.hypot(frame["x_m"].to_numpy() - x, frame["y_m"].to_numpy() - y) < radius_m


def _half_years(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The four half-years of the demo period, oldest first (the last one ends at ``stop``)."""
    start, stop = demo.demo_period()
    bounds = [
        start,
        start + pd.DateOffset(months=6),
        start + pd.DateOffset(months=12),
        demo.recent_start(),
        stop,
    ]
    t = frame["occurred_at"]
    return [frame[(t >= lo) & (t < hi)] for lo, hi in itertools.pairwise(bounds)]


# --------------------------------------------------------------------------- schema and determinism


def test_frame_is_canonical_sorted_and_synthetic(frame: pd.DataFrame) -> None:
    assert len(frame) == N
    assert list(frame.columns) == list(schema.INCIDENT_DTYPES)
    assert {k: str(v) for k, v in frame.dtypes.items()} == {
        k: str(pd.Series(dtype=v).dtype) for k, v in schema.INCIDENT_DTYPES.items()
    }
    pd.testing.assert_frame_equal(schema.conform(frame), frame)
    assert frame["synthetic"].all()
    assert frame["id"].tolist() == [f"demo-2026-{i}" for i in range(N)]
    assert frame["occurred_at"].is_monotonic_increasing
    assert frame["category_raw"].notna().all()


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    first = demo.generate_demo(n=3000, seed=7)
    again = demo.generate_demo(n=3000, seed=7)
    pd.testing.assert_frame_equal(first, again)
    other = demo.generate_demo(n=3000, seed=8)
    assert other["id"].iloc[0] == "demo-8-0"
    assert not np.allclose(other["x_m"], first["x_m"])
    assert not other["occurred_at"].equals(first["occurred_at"])


def test_all_categories_and_sources_present(frame: pd.DataFrame) -> None:
    assert set(frame["category"]) == set(schema.CATEGORIES)
    assert set(frame["source"]) == set(schema.SOURCES)


def test_a_single_incident_is_a_valid_frame() -> None:
    one = demo.generate_demo(n=1, seed=3)
    assert len(one) == 1
    assert one["in_helsinki"].all()
    assert list(one.columns) == list(schema.INCIDENT_DTYPES)


# --------------------------------------------------------------------------- places


def test_every_point_is_in_helsinki_and_never_in_the_territorial_sea(frame: pd.DataFrame) -> None:
    assert frame["in_helsinki"].all()
    assert not frame["osaalue_code"].eq(districts.TERRITORIAL_SEA_CODE).any()
    retagged = districts.tag_points(frame["x_m"], frame["y_m"])
    pd.testing.assert_frame_equal(retagged, frame[list(retagged.columns)])
    x, y = crs.to_metric(frame["lon"], frame["lat"], src=crs.WGS84)
    assert np.abs(x - frame["x_m"].to_numpy()).max() < 1e-3
    assert np.abs(y - frame["y_m"].to_numpy()).max() < 1e-3


def test_concentrations_are_far_denser_than_the_city(
    frame: pd.DataFrame, centres: tuple[np.ndarray, np.ndarray]
) -> None:
    osa = districts.load_districts("osaalue")
    city_km2 = osa.loc[osa["code"] != districts.TERRITORIAL_SEA_CODE, "area_km2"].sum()
    city_per_km2 = len(frame) / city_km2
    disc_km2 = np.pi * 0.3**2
    for c, x, y in zip(demo_profiles.DEMO_CONCENTRATIONS, *centres, strict=True):
        per_km2 = _near(frame, x, y, 300).sum() / disc_km2
        assert per_km2 > 10 * city_per_km2, (c.name, per_km2, city_per_km2)


def test_emerging_places_appear_and_fading_places_fade(
    frame: pd.DataFrame, centres: tuple[np.ndarray, np.ndarray]
) -> None:
    halves = _half_years(frame)
    for c, x, y in zip(demo_profiles.DEMO_CONCENTRATIONS, *centres, strict=True):
        counts = np.array([_near(half, x, y, 300).sum() for half in halves])
        earlier, last = counts[:3].mean(), counts[3]
        if c.life == "emerging":
            assert last > 5 * earlier, (c.name, counts)
        elif c.life == "fading":
            assert earlier > 4 * last, (c.name, counts)
        else:
            assert 0.6 * earlier < last < 1.8 * earlier, (c.name, counts)


def _cluster_at(xy: np.ndarray, labels: np.ndarray, x: float, y: float) -> np.ndarray:
    """Members of the cluster most points within 100 m of (x, y) belong to; empty if noise."""
    near = labels[np.hypot(xy[:, 0] - x, xy[:, 1] - y) < 100]
    near = near[near >= 0]
    if near.size == 0:
        return np.zeros(len(labels), dtype=bool)
    return labels == np.bincount(near).argmax()


def test_a_hotspot_engine_finds_emerging_and_fading_places_on_their_own(
    frame: pd.DataFrame, centres: tuple[np.ndarray, np.ndarray]
) -> None:
    halves = _half_years(frame)
    xs, ys = centres
    found: dict[str, list[int]] = {}
    for half in (halves[0], halves[3]):
        xy = half[["x_m", "y_m"]].to_numpy()
        labels = DBSCAN(eps=150, min_samples=15).fit_predict(xy)
        assert 0.2 < (labels < 0).mean() < 0.6  # the background is noise
        for i, c in enumerate(demo_profiles.DEMO_CONCENTRATIONS):
            members = _cluster_at(xy, labels, xs[i], ys[i])
            found.setdefault(c.name, []).append(int(members.sum()))
            if c.life != "stable" and members.any():
                others = np.delete(np.arange(len(xs)), i)
                gap = np.hypot(xy[members, 0][:, None] - xs[others], xy[members, 1][:, None] - ys[others])
                assert gap.min() > 300, c.name  # not merged with another place
    for c in demo_profiles.DEMO_CONCENTRATIONS:
        first, last = found[c.name]
        if c.life == "emerging":
            assert last >= 100 and first <= last / 5, (c.name, first, last)
        elif c.life == "fading":
            assert first >= 100 and last <= first / 4, (c.name, first, last)
        else:
            assert first >= 100 and last >= 100, (c.name, first, last)


def test_resident_concerns_spread_over_the_city(frame: pd.DataFrame) -> None:
    concerns = frame[frame["category"] == "resident_concern"]
    per_district = concerns["peruspiiri_code"].value_counts(normalize=True)
    assert len(per_district) > 0.6 * 34
    assert per_district.max() < 0.2


# --------------------------------------------------------------------------- times


def test_occurred_at_is_inside_the_fixed_default_period(frame: pd.DataFrame) -> None:
    start, stop = demo.demo_period()
    assert start == pd.Timestamp("2024-10-31", tz=schema.TIMEZONE)
    assert stop == pd.Timestamp("2026-10-31", tz=schema.TIMEZONE)
    t = frame["occurred_at"]
    assert t.notna().all()
    assert t.min() >= start and t.max() < stop
    assert t.min() < start + pd.Timedelta(days=3) and t.max() > stop - pd.Timedelta(days=3)


@pytest.mark.parametrize(
    "end",
    [date(2025, 7, 1), pd.Timestamp("2025-07-01 13:30"), pd.Timestamp("2025-06-30 22:00", tz="UTC")],
)
def test_end_sets_the_period(end: date | pd.Timestamp) -> None:
    start, stop = demo.demo_period(end)
    assert stop == pd.Timestamp("2025-07-01", tz=schema.TIMEZONE)
    assert start == pd.Timestamp("2023-07-01", tz=schema.TIMEZONE)
    t = demo.generate_demo(n=2000, seed=1, end=end)["occurred_at"]
    assert t.min() >= start and t.max() < stop


def test_drug_dealing_is_mostly_in_the_evening_and_late_week(frame: pd.DataFrame) -> None:
    t = frame.loc[frame["category"] == "drug_dealing", "occurred_at"]
    evening = (t.dt.hour >= 16) | (t.dt.hour < 2)
    assert evening.mean() > 0.6
    service_day = (t - pd.Timedelta(hours=6)).dt.weekday
    assert service_day.isin([3, 4, 5]).mean() > 3 / 7 + 0.05


def test_youth_violence_is_on_weekend_evenings_and_in_summer(frame: pd.DataFrame) -> None:
    t = frame.loc[frame["category"] == "youth_violence", "occurred_at"]
    weekend_evening = t.dt.weekday.isin([4, 5, 6]) & ((t.dt.hour >= 18) | (t.dt.hour < 2))
    assert weekend_evening.mean() > 0.5  # uniform times would give 3/7 * 8/24 = 0.14
    summer = t.dt.month.isin([6, 7, 8]).sum() / (2 * 92)
    winter = t.dt.month.isin([12, 1, 2]).sum() / (2 * 90)
    assert summer > 1.5 * winter


def test_assaults_peak_at_night_and_resident_concerns_by_day(frame: pd.DataFrame) -> None:
    hour = frame["occurred_at"].dt.hour
    assault = hour[frame["category"] == "assault"]
    concern = hour[frame["category"] == "resident_concern"]
    assert ((assault >= 22) | (assault < 4)).mean() > 0.5
    assert concern.between(8, 21).mean() > 0.75


# --------------------------------------------------------------------------- attributes


def test_sources_follow_the_category(frame: pd.DataFrame) -> None:
    top = frame.groupby("category")["source"].agg(lambda s: s.value_counts().index[0])
    for category in ("drug_dealing", "robbery", "weapons", "assault"):
        assert top[category] == "police", category
    for category in ("youth_violence", "gang_activity"):
        assert top[category] == "youth_services", category
    assert top["resident_concern"] == "resident"
    youth = frame[frame["category"].isin(["youth_violence", "gang_activity"])]
    assert youth["source"].isin(["school", "child_protection", "ngo"]).mean() > 0.15


def test_severity_depends_on_category_and_is_sometimes_missing(frame: pd.DataFrame) -> None:
    severity = frame["severity"]
    assert 0 < severity.isna().mean() < 0.1
    assert severity.dropna().between(1, 5).all()
    mean = frame.groupby("category")["severity"].mean()
    assert mean["weapons"] > mean["vandalism"] + 1
    assert mean["robbery"] > mean["resident_concern"] + 1


def test_descriptions_exercise_html_escaping_without_markup(frame: pd.DataFrame) -> None:
    text = frame["description"]
    assert 0 < text.isna().mean() < 0.2
    present = text.dropna()
    for char in "<>&\"'":
        assert present.str.contains(char, regex=False).any(), char
    assert not present.str.contains("<script", case=False, regex=False).any()
    assert present.str.contains("ä", regex=False).any()  # Finnish as well as English


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"n": -5}, "n"),
        ({"n": 1.5}, "n"),
        ({"n": True}, "n"),
        ({"seed": -1}, "seed"),
        ({"seed": "7"}, "seed"),
        ({"end": "2026-10-31"}, "end"),
    ],
)
def test_bad_parameters_are_named(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(ParameterError, match=rf"^{name} "):
        demo.generate_demo(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- files


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return demo.generate_demo(n=1500, seed=11)


def _as_utc(values: pd.Series) -> pd.Series:
    return (
        pd.to_datetime(values, format="ISO8601", utc=True)
        if values.dtype == object
        else values.dt.tz_convert("UTC")
    )


def test_write_csv_round_trips(tmp_path: Path, small: pd.DataFrame) -> None:
    path = demo.write_demo(tmp_path / "out" / "demo.csv", n=1500, seed=11)
    assert path == tmp_path / "out" / "demo.csv"
    assert [p.name for p in path.parent.iterdir()] == ["demo.csv"]
    raw = path.read_text(encoding="utf-8")
    assert raw.splitlines()[0] == ",".join(demo.EXPORT_COLUMNS)
    assert "+02:00" in raw and "+03:00" in raw  # ISO times carry their offset, winter and summer
    back = pd.read_csv(
        path,
        dtype={"id": str, "description": str},
        keep_default_na=False,
        na_values=[""],
        float_precision="round_trip",
    )
    assert back["id"].tolist() == small["id"].tolist()
    pd.testing.assert_series_equal(
        _as_utc(back["occurred_at"]), small["occurred_at"].dt.tz_convert("UTC"), check_dtype=False
    )
    assert back["category"].tolist() == small["category"].tolist()
    assert back["source"].tolist() == small["source"].tolist()
    assert back["synthetic"].all()
    np.testing.assert_array_equal(back["lon"], small["lon"])
    np.testing.assert_array_equal(back["lat"], small["lat"])
    expected = small["description"].astype(object).where(small["description"].notna(), np.nan)
    pd.testing.assert_series_equal(back["description"], expected, check_dtype=False, check_names=False)
    pd.testing.assert_series_equal(
        back["severity"].astype("Int64"), small["severity"], check_dtype=False, check_names=False
    )


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_write_geodata_round_trips(tmp_path: Path, small: pd.DataFrame, suffix: str) -> None:
    path = demo.write_demo(tmp_path / f"demo{suffix}", n=1500, seed=11)
    back = gpd.read_file(path)
    assert back["id"].tolist() == small["id"].tolist()
    assert back["synthetic"].astype(bool).all()
    metric = back.to_crs(crs.METRIC)
    assert np.abs(metric.geometry.x.to_numpy() - small["x_m"].to_numpy()).max() < 0.01
    assert np.abs(metric.geometry.y.to_numpy() - small["y_m"].to_numpy()).max() < 0.01
    pd.testing.assert_series_equal(
        _as_utc(back["occurred_at"]), small["occurred_at"].dt.tz_convert("UTC"), check_dtype=False
    )
    assert back["description"].dropna().tolist() == small["description"].dropna().tolist()


def test_write_parquet_keeps_types(tmp_path: Path, small: pd.DataFrame) -> None:
    path = demo.write_demo(tmp_path / "demo.parquet", n=1500, seed=11)
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, small[list(demo.EXPORT_COLUMNS)])


def test_write_replaces_a_file_and_refuses_unknown_suffixes(tmp_path: Path) -> None:
    target = tmp_path / "demo.csv"
    target.write_text("old", encoding="utf-8")
    demo.write_demo(target, n=50, seed=2)
    assert len(pd.read_csv(target)) == 50
    with pytest.raises(ParameterError, match=r"\.txt"):
        demo.write_demo(tmp_path / "demo.txt", n=50, seed=2)
    assert not (tmp_path / "demo.txt").exists()
