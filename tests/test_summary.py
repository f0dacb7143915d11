"""Hotspot table (and its significance column) on generated incidents with known answers over real districts.

Three clusters are planted at real places (Kallio church, Kamppi, Itäkeskus) with known
categories and time profiles over a uniform background; labels come from scikit-learn's
DBSCAN, so these tests do not depend on the project's own clustering.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN

from geo import crs, districts, schema
from geo.errors import ParameterError
from hotspots import summary
from hotspots.peaks import PeakWindow
from hotspots.summary import Baseline, SummaryParams, summarise_hotspots
from i18n import peak_times_text, peak_window_label
from tests.test_significance import uniform_in

EPS_M = 150.0
MIN_SAMPLES = 10
#: Monday 6 January 2025, wall clock in Helsinki.
START = pd.Timestamp("2025-01-06")
WEEKS = 26
#: name -> (lon, lat, n, sd_m, categories with weights, weekdays, first hour of a 6-hour window)
PLANTED: dict[str, tuple[float, float, int, float, dict[str, float], tuple[int, ...], int]] = {
    "kallio": (24.9497, 60.1838, 150, 50.0, {"drug_dealing": 0.8, "assault": 0.2}, (4, 5), 20),
    "kamppi": (
        24.9326,
        60.1690,
        100,
        45.0,
        {"youth_violence": 0.6, "gang_activity": 0.3, "vandalism": 0.1},
        (2,),
        14,
    ),
    "itakeskus": (25.0817, 60.2108, 90, 45.0, {"robbery": 0.5, "youth_violence": 0.5}, tuple(range(7)), 8),
}


def canonical(
    x: np.ndarray,
    y: np.ndarray,
    when: pd.DatetimeIndex,
    category: np.ndarray,
    rng: np.random.Generator,
    *,
    prefix: str = "i",
) -> pd.DataFrame:
    """A canonical incident table for EPSG:3067 points, tagged with the real districts."""
    n = len(x)
    severity = rng.integers(1, 6, n).astype(object)
    severity[rng.random(n) < 0.1] = pd.NA
    lon, lat = crs.to_wgs84(x, y)
    frame = pd.DataFrame(
        {
            "id": [f"{prefix}{i}" for i in range(n)],
            "occurred_at": when,
            "category": category,
            "category_raw": pd.NA,
            "source": rng.choice(schema.SOURCES, n),
            "severity": pd.array(severity, dtype="Int64"),
            "description": pd.NA,
            "x_m": x,
            "y_m": y,
            "lon": lon,
            "lat": lat,
            "synthetic": True,
        }
    )
    return schema.conform(pd.concat([frame, districts.tag_points(x, y)], axis=1))


def local(naive: Any) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(naive).tz_localize(schema.TIMEZONE, nonexistent="shift_forward", ambiguous=True)


def planted_times(rng: np.random.Generator, n: int, weekdays: tuple[int, ...], hour: int) -> pd.DatetimeIndex:
    """Wall-clock times on ``weekdays`` between ``hour`` and ``hour + 6`` (may cross midnight)."""
    day = rng.integers(0, WEEKS, n) * 7 + rng.choice(weekdays, n)
    seconds = hour * 3600 + rng.integers(0, 6 * 3600, n)
    return local(START + pd.to_timedelta(day, unit="D") + pd.to_timedelta(seconds, unit="s"))


def scene(seed: int = 7, n_background: int = 3000) -> tuple[pd.DataFrame, np.ndarray]:
    """Planted clusters + uniform background; returns incidents and the planted name per row."""
    rng = np.random.default_rng(seed)
    xs, ys, times, cats, names = [], [], [], [], []
    for name, (lon, lat, n, sd_m, mix, weekdays, hour) in PLANTED.items():
        cx, cy = crs.to_metric([lon], [lat], src=crs.WGS84)
        xs.append(cx[0] + rng.normal(0, sd_m, n))
        ys.append(cy[0] + rng.normal(0, sd_m, n))
        times.append(planted_times(rng, n, weekdays, hour))
        cats.append(rng.choice(list(mix), n, p=list(mix.values())))
        names.append(np.full(n, name))
    bx, by = crs.to_metric(
        rng.uniform(24.90, 25.10, n_background), rng.uniform(60.16, 60.26, n_background), src=crs.WGS84
    )
    xs.append(bx)
    ys.append(by)
    times.append(local(START + pd.to_timedelta(rng.integers(0, WEEKS * 7 * 86400, n_background), unit="s")))
    cats.append(rng.choice(schema.CATEGORIES, n_background))
    names.append(np.full(n_background, ""))
    when = pd.DatetimeIndex(np.concatenate([t.tz_convert("UTC").asi8 for t in times]), tz="UTC")
    incidents = canonical(
        np.concatenate(xs), np.concatenate(ys), when.tz_convert(schema.TIMEZONE), np.concatenate(cats), rng
    )
    return incidents, np.concatenate(names)


def dbscan_labels(
    incidents: pd.DataFrame, *, eps_m: float = EPS_M, min_samples: int = MIN_SAMPLES
) -> np.ndarray:
    xy = incidents[["x_m", "y_m"]].to_numpy()
    return DBSCAN(eps=eps_m, min_samples=min_samples).fit_predict(xy).astype(np.int64)


@pytest.fixture(scope="module")
def peruspiiri() -> gpd.GeoDataFrame:
    return districts.load_districts("peruspiiri")


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    incidents, names = scene()
    return incidents, names, dbscan_labels(incidents)


@pytest.fixture(scope="module")
def table(
    planted: tuple[pd.DataFrame, np.ndarray, np.ndarray], peruspiiri: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    incidents, _, labels = planted
    return summarise_hotspots(incidents, labels, eps_m=EPS_M, baseline=Baseline(districts=peruspiiri))


def row_of(name: str, planted: tuple[pd.DataFrame, np.ndarray, np.ndarray], table: pd.DataFrame) -> pd.Series:
    """The hotspot that holds most of a planted cluster (it must hold at least 90 %)."""
    _, names, labels = planted
    own = labels[names == name]
    label = np.bincount(own[own >= 0]).argmax()
    assert (own == label).mean() >= 0.9
    return table.loc[table["label"] == label].iloc[0]


def test_planted_clusters_found_with_their_categories_and_districts(
    planted: Any, table: pd.DataFrame
) -> None:
    expected = {
        "kallio": ("drug_dealing", "Linjat", "Kallio", "Berghäll"),
        "kamppi": ("youth_violence", "Kamppi", "Kampinmalmi", "Kampmalmen"),
        "itakeskus": (None, "Itäkeskus", "Vartiokylä", "Botby"),
    }
    for name, (top, osaalue, peruspiiri_fi, peruspiiri_sv) in expected.items():
        row = row_of(name, planted, table)
        mix = PLANTED[name][4]
        assert row["top_category"] == (top or row["top_category"])
        assert row["top_category"] in mix
        assert set(row["categories"]) >= set(mix)
        assert row["osaalue_fi"].split(", ")[0] == osaalue
        assert row["peruspiiri_fi"].split(", ")[0] == peruspiiri_fi
        assert row["peruspiiri_sv"].split(", ")[0] == peruspiiri_sv
        first_count = next(iter(row["categories"].values()))
        assert row["categories"][row["top_category"]] == first_count == max(row["categories"].values())
        assert row["category_mix"].startswith(f"{row['top_category']} {first_count}")


def test_counts_scores_and_shares_match_plain_pandas(planted: Any, table: pd.DataFrame) -> None:
    incidents, _, labels = planted
    members = incidents.assign(label=labels)[labels >= 0]
    grouped = members.groupby("label")
    by_label = table.set_index("label")
    pd.testing.assert_series_equal(by_label["n"], grouped.size(), check_names=False)
    score = grouped["severity"].apply(lambda s: s.fillna(3).sum()).astype(float)
    np.testing.assert_allclose(by_label["score"], score)
    np.testing.assert_allclose(by_label["mean_severity"], score / grouped.size())
    np.testing.assert_allclose(by_label["share"], grouped.size() / len(incidents))
    np.testing.assert_allclose(by_label["area_km2"], table.geometry.area.to_numpy() / 1e6)
    np.testing.assert_allclose(by_label["density_km2"], by_label["n"] / by_label["area_km2"])
    np.testing.assert_allclose(by_label["centroid_x_m"], grouped["x_m"].mean())
    first = grouped["occurred_at"].min().dt.normalize()
    assert (by_label["first_date"] == first).all()
    assert (by_label["last_date"] == grouped["occurred_at"].max().dt.normalize()).all()
    assert sum(by_label["sources"].map(lambda d: sum(d.values()))) == len(members)
    assert list(table["id"]) == [f"H{i + 1}" for i in range(len(table))]
    structured = table[["categories", "sources", "peak_times"]].to_dict("records")
    assert json.loads(json.dumps(structured)) == structured
    assert list(table["label"]) == sorted(table["label"])


def test_peak_windows_recover_the_planted_times(planted: Any, table: pd.DataFrame) -> None:
    kallio = row_of("kallio", planted, table)
    assert peak_times_text(kallio["peak_times"], "en").split(", ")[0] == "Fri-Sat 20-02"
    first = PeakWindow.from_dict(kallio["peak_times"][0])
    assert first.weekdays == (4, 5) and (first.start_hour, first.end_hour) == (20, 2)
    assert peak_window_label(first, "fi") == "pe-la 20-02" and peak_window_label(first, "sv") == "fr-lö 20-02"
    assert peak_times_text(row_of("kamppi", planted, table)["peak_times"], "en").split(", ")[0] == "Wed 14-20"
    itakeskus = PeakWindow.from_dict(row_of("itakeskus", planted, table)["peak_times"][0])
    assert itakeskus.weekdays == tuple(range(7)) and itakeskus.hours == tuple(range(8, 14))
    assert peak_window_label(itakeskus, "en") == "daily 08-14"


def test_polygons_contain_every_member_with_the_privacy_margin(planted: Any, table: pd.DataFrame) -> None:
    incidents, _, labels = planted
    polygons = table.set_index("label").geometry
    for label, polygon in polygons.items():
        xy = incidents.loc[labels == label, ["x_m", "y_m"]].to_numpy()
        assert shapely.contains_xy(polygon, xy[:, 0], xy[:, 1]).all()
        # Buffer eps/2: no incident closer than that to the outline.
        edge = shapely.distance(shapely.get_exterior_ring(polygon), shapely.points(xy))
        assert edge.min() >= EPS_M / 2 - 1.0
    assert table.crs == crs.METRIC


def test_l_shaped_cluster_gets_an_l_not_a_triangle(peruspiiri: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(5)
    x0, y0 = crs.to_metric([24.9497], [60.1838], src=crs.WGS84)
    along = rng.uniform(0, 1500, 600)
    across = rng.uniform(0, 40, 600)
    arm = rng.random(600) < 0.5
    x = x0[0] + np.where(arm, along, across)
    y = y0[0] + np.where(arm, across, along)
    when = local(START + pd.to_timedelta(rng.integers(0, 86400 * 180, 600), unit="s"))
    incidents = canonical(x, y, when, np.full(600, "assault"), rng)
    labels = dbscan_labels(incidents)
    assert set(labels) == {0}
    table = summarise_hotspots(incidents, labels, eps_m=EPS_M, baseline=Baseline(districts=peruspiiri))
    polygon = table.geometry.iloc[0]
    convex = shapely.convex_hull(shapely.multipoints(np.c_[x, y])).buffer(EPS_M / 2)
    assert shapely.contains_xy(polygon, x, y).all()
    assert polygon.area < 0.5 * convex.area
    # The empty inside corner of the L stays outside the hotspot.
    assert not polygon.contains(shapely.Point(x0[0] + 750, y0[0] + 750))


def test_n_prev_counts_previous_incidents_inside_each_polygon(
    planted: Any, table: pd.DataFrame, peruspiiri: gpd.GeoDataFrame
) -> None:
    incidents, names, labels = planted
    # The previous half-year: the same scene 26 weeks earlier, Kallio at half strength.
    keep = (names != "kallio") | (np.arange(len(names)) % 2 == 0)
    previous = incidents[keep].assign(
        occurred_at=incidents.loc[keep, "occurred_at"] - pd.Timedelta(weeks=WEEKS)
    )
    got = summarise_hotspots(
        incidents, labels, eps_m=EPS_M, baseline=Baseline(previous=previous, districts=peruspiiri)
    )
    inside = [int(shapely.contains_xy(poly, previous["x_m"], previous["y_m"]).sum()) for poly in got.geometry]
    assert got["n_prev"].tolist() == inside
    assert (got["change"] == got["n"] - got["n_prev"]).all()
    kallio = row_of("kallio", planted, got)
    assert kallio["change"] > 0.3 * kallio["n"]
    # With the period given, a longer history is cut to the half-year just before it.
    history = pd.concat(
        [previous, previous.assign(occurred_at=previous["occurred_at"] - pd.Timedelta(weeks=WEEKS))]
    )
    period = (pd.Timestamp("2025-01-06", tz=schema.TIMEZONE), pd.Timestamp("2025-07-07", tz=schema.TIMEZONE))
    cut = summarise_hotspots(
        incidents,
        labels,
        eps_m=EPS_M,
        baseline=Baseline(previous=history, period=period, districts=peruspiiri),
    )
    assert cut["n_prev"].tolist() == got["n_prev"].tolist()


def test_planted_hotspots_significant_random_clump_not(planted: Any, table: pd.DataFrame) -> None:
    for name in PLANTED:
        row = row_of(name, planted, table)
        assert row["significant"] and row["p_adjusted"] < 1e-6
    planted_labels = {row_of(name, planted, table)["label"] for name in PLANTED}
    clumps = table[~table["label"].isin(planted_labels)]
    assert len(clumps) >= 1, "the scene is meant to hold at least one random clump"
    assert not clumps["significant"].any()
    assert (clumps["p_local"] < 0.05).any(), "without the search correction a clump would pass"
    assert np.all(table["p_value"] >= table["p_local"])
    assert np.all(table["p_adjusted"] >= table["p_value"])


def test_busy_district_clumps_are_not_significant_but_a_real_cluster_is(peruspiiri: gpd.GeoDataFrame) -> None:
    """Uniform incidents over Kallio at 100/km² throw up clumps DBSCAN finds; none may pass."""
    kallio = peruspiiri.loc[peruspiiri["code"] == "301", "geometry"].iloc[0]
    rng = np.random.default_rng(11)
    xy = uniform_in(kallio, 375, rng)
    centre = np.array(crs.to_metric([24.9497], [60.1838], src=crs.WGS84)).ravel()
    real = centre + rng.normal(0, 40, (35, 2))
    both = np.vstack([xy, real])
    when = local(START + pd.to_timedelta(rng.integers(0, 86400 * 180, len(both)), unit="s"))
    incidents = canonical(both[:, 0], both[:, 1], when, np.full(len(both), "assault"), rng)
    labels = dbscan_labels(incidents, min_samples=12)
    table = summarise_hotspots(incidents, labels, eps_m=EPS_M, baseline=Baseline(districts=peruspiiri))
    real_label = np.bincount(labels[-35:][labels[-35:] >= 0]).argmax()
    is_real = (table["label"] == real_label).to_numpy()
    assert table.loc[is_real, "significant"].all()
    assert (~is_real).sum() >= 2 and not table.loc[~is_real, "significant"].any()
    # Correcting for the number of hotspots alone would have let a clump through.
    assert (table.loc[~is_real, "p_local"] * len(table) < 0.05).any()
    assert table["peruspiiri_fi"].str.startswith("Kallio").all()


def test_no_clusters_gives_an_empty_table_with_the_same_columns(
    planted: Any, table: pd.DataFrame, peruspiiri: gpd.GeoDataFrame
) -> None:
    incidents, _, _ = planted
    empty = summarise_hotspots(
        incidents, np.full(len(incidents), -1), eps_m=EPS_M, baseline=Baseline(districts=peruspiiri)
    )
    assert len(empty) == 0 and list(empty.columns) == list(summary.HOTSPOT_COLUMNS)
    assert empty.crs == crs.METRIC
    assert empty.dtypes.to_dict() == table.dtypes.to_dict()
    nothing = summarise_hotspots(schema.empty_incidents(), np.empty(0, dtype=int), eps_m=EPS_M)
    assert len(nothing) == 0 and list(nothing.columns) == list(summary.HOTSPOT_COLUMNS)


def test_input_not_mutated_and_labels_of_any_numbering(planted: Any, peruspiiri: gpd.GeoDataFrame) -> None:
    incidents, _, labels = planted
    before, labels_before = incidents.copy(), labels.copy()
    renumbered = np.where(labels >= 0, labels * 7 + 3, -1)
    got = summarise_hotspots(
        incidents, renumbered, eps_m=EPS_M, baseline=Baseline(previous=incidents, districts=peruspiiri)
    )
    pd.testing.assert_frame_equal(incidents, before)
    np.testing.assert_array_equal(labels, labels_before)
    reference = summarise_hotspots(incidents, labels, eps_m=EPS_M, baseline=Baseline(districts=peruspiiri))
    assert got["n"].tolist() == reference["n"].tolist()
    assert list(got["label"]) == sorted(set(renumbered) - {-1})


def test_errors_name_the_parameter(planted: Any) -> None:
    incidents, _, labels = planted
    with pytest.raises(ParameterError, match="eps_m must be > 0 metres, got -5"):
        summarise_hotspots(incidents, labels, eps_m=-5)
    with pytest.raises(ParameterError, match="labels must hold one label per incident"):
        summarise_hotspots(incidents, labels[:-1], eps_m=EPS_M)
    with pytest.raises(ParameterError, match=r"lacks the columns \['x_m'\]"):
        summarise_hotspots(incidents.drop(columns="x_m"), labels, eps_m=EPS_M)
    naive = incidents.assign(occurred_at=incidents["occurred_at"].dt.tz_localize(None))
    with pytest.raises(ParameterError, match="timezone-aware"):
        summarise_hotspots(naive, labels, eps_m=EPS_M)
    with pytest.raises(ParameterError, match=r"buffer_eps_ratio must be >= 0\.25"):
        SummaryParams(buffer_eps_ratio=0.1)
