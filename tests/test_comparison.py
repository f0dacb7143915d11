"""Period comparison: planted new, persistent, intensifying, diminishing and vanished hotspots."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN

from geo import crs, districts, schema
from geo.errors import ParameterError
from hotspots.comparison import ComparisonParams, compare_periods, match_hotspots
from hotspots.summary import Baseline, summarise_hotspots

EPS_M = 150.0
#: place -> (lon, lat, incidents in the previous half-year, incidents now)
PLACES: dict[str, tuple[float, float, int, int]] = {
    "kallio": (24.9497, 60.1838, 80, 80),  # persistent
    "kamppi": (24.9326, 60.1690, 40, 100),  # intensifying
    "itakeskus": (25.0817, 60.2108, 100, 40),  # diminishing: fainter, still a cluster
    "malmi": (25.0110, 60.2510, 60, 0),  # vanished
    "herttoniemi": (25.0300, 60.1950, 0, 60),  # new
}
EXPECTED = {
    "kallio": "persistent",
    "kamppi": "intensifying",
    "itakeskus": "diminishing",
    "herttoniemi": "new",
}
PREVIOUS = (pd.Timestamp("2024-07-01"), pd.Timestamp("2025-01-01"))
CURRENT = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-07-01"))


def centre(place: str) -> tuple[float, float]:
    lon, lat = PLACES[place][:2]
    x, y = crs.to_metric([lon], [lat], src=crs.WGS84)
    return float(x[0]), float(y[0])


def period_incidents(which: int, period: tuple[pd.Timestamp, pd.Timestamp], seed: int) -> pd.DataFrame:
    """Planted clusters with the counts of column ``which`` (2 = previous, 3 = now) + background."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for place, spec in PLACES.items():
        n = int(spec[which])
        cx, cy = centre(place)
        xs.append(cx + rng.normal(0, 50, n))
        ys.append(cy + rng.normal(0, 50, n))
    bx, by = crs.to_metric(rng.uniform(24.90, 25.10, 1500), rng.uniform(60.16, 60.26, 1500), src=crs.WGS84)
    x, y = np.concatenate([*xs, bx]), np.concatenate([*ys, by])
    m = len(x)
    span_s = int((period[1] - period[0]).total_seconds())
    naive = period[0] + pd.to_timedelta(rng.integers(0, span_s, m), unit="s")
    frame = pd.DataFrame(
        {
            "id": [f"p{which}-{i}" for i in range(m)],
            "occurred_at": pd.DatetimeIndex(naive).tz_localize(
                schema.TIMEZONE, nonexistent="shift_forward", ambiguous=True
            ),
            "category": rng.choice(["drug_dealing", "youth_violence", "assault"], m),
            "category_raw": None,
            "source": "police",
            "severity": pd.array(rng.integers(1, 6, m), dtype="Int64"),
            "description": None,
            "x_m": x,
            "y_m": y,
            "lon": np.nan,
            "lat": np.nan,
            "synthetic": True,
        }
    )
    return schema.conform(pd.concat([frame, districts.tag_points(x, y)], axis=1))


def hotspots(incidents: pd.DataFrame, previous: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    labels = DBSCAN(eps=EPS_M, min_samples=10).fit_predict(incidents[["x_m", "y_m"]].to_numpy())
    return summarise_hotspots(incidents, labels, eps_m=EPS_M, baseline=Baseline(previous=previous))


@pytest.fixture(scope="module")
def periods() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    before = period_incidents(2, PREVIOUS, seed=1)
    now = period_incidents(3, CURRENT, seed=2)
    return hotspots(now, previous=before), hotspots(before)


def at(table: gpd.GeoDataFrame, place: str) -> pd.DataFrame:
    return table[table.geometry.contains(shapely.Point(centre(place)))]


def test_planted_situations_get_their_status(periods: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    current, previous = periods
    compared, vanished = compare_periods(current, previous)
    for place, status in EXPECTED.items():
        rows = at(compared, place)
        assert len(rows) == 1, place
        assert rows["status"].iloc[0] == status, place
    persistent = at(compared, "kallio").iloc[0]
    assert persistent["matched_previous_id"] == at(previous, "kallio")["id"].iloc[0]
    assert at(compared, "herttoniemi")["matched_previous_id"].isna().all()
    assert at(compared, "herttoniemi")["n_before"].iloc[0] == 0
    # Malmi is gone: listed as vanished, with its previous count.
    assert len(at(vanished, "malmi")) == 1 and (vanished["status"] == "vanished").all()
    assert at(vanished, "malmi")["n"].iloc[0] >= 0.9 * PLACES["malmi"][2]
    assert set(vanished["id"]).isdisjoint(set(compared["matched_previous_id"].dropna()))
    # n_before of a one-to-one match is the previous hotspot's own count.
    kamppi = at(compared, "kamppi").iloc[0]
    assert kamppi["n_before"] == pytest.approx(at(previous, "kamppi")["n"].iloc[0])
    # The summary's n_prev (previous incidents inside today's polygon) tells the same story.
    assert kamppi["n_prev"] < kamppi["n"] and at(compared, "itakeskus")["change"].iloc[0] < 0


def test_inputs_not_mutated(periods: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    current, previous = periods
    copies = current.copy(), previous.copy()
    compare_periods(current, previous)
    pd.testing.assert_frame_equal(current, copies[0])
    pd.testing.assert_frame_equal(previous, copies[1])


def discs(rows: list[tuple[str, float, float, float, int]]) -> gpd.GeoDataFrame:
    """Hotspots as discs: (id, x offset m, y offset m, radius m, n) around Kallio."""
    x0, y0 = centre("kallio")
    return gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "n": [r[4] for r in rows]},
        geometry=[shapely.Point(x0 + r[1], y0 + r[2]).buffer(r[3], quad_segs=32) for r in rows],
        crs=crs.METRIC,
    )


@pytest.mark.parametrize(
    ("n_now", "status"),
    [
        (126, "intensifying"),
        (124, "persistent"),
        (100, "persistent"),
        (76, "persistent"),
        (74, "diminishing"),
    ],
)
def test_change_thresholds(n_now: int, status: str) -> None:
    compared, vanished = compare_periods(discs([("C", 0, 0, 100, n_now)]), discs([("P", 10, 0, 100, 100)]))
    assert compared["status"].iloc[0] == status and len(vanished) == 0


def test_overlap_is_measured_against_the_smaller_polygon() -> None:
    grown = discs([("C", 0, 0, 400, 300)])
    small = discs([("P", 0, 0, 100, 100)])
    # IoU is 1/16, but the old hotspot lies wholly inside the new one: same place.
    compared, vanished = compare_periods(grown, small)
    assert compared["status"].iloc[0] == "intensifying" and vanished.empty
    # Two discs of r = 100 whose centres are 160 m apart overlap by about 14 % of either.
    apart_now, apart_before = discs([("C", 160, 0, 100, 50)]), discs([("P", 0, 0, 100, 50)])
    compared, vanished = compare_periods(apart_now, apart_before)
    assert compared["status"].iloc[0] == "new" and list(vanished["id"]) == ["P"]
    compared, vanished = compare_periods(apart_now, apart_before, params=ComparisonParams(min_overlap=0.1))
    assert compared["status"].iloc[0] == "persistent" and vanished.empty


def test_split_and_merge_share_counts_by_overlap() -> None:
    # One previous hotspot of 100 split into two halves of 50 each: both persistent.
    before = gpd.GeoDataFrame(
        {"id": ["P"], "n": [100]}, geometry=[shapely.box(0, 0, 400, 200)], crs=crs.METRIC
    )
    halves = gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "n": [50, 50]},
        geometry=[shapely.box(0, 0, 200, 200), shapely.box(200, 0, 400, 200)],
        crs=crs.METRIC,
    )
    compared, vanished = compare_periods(halves, before)
    assert list(compared["status"]) == ["persistent", "persistent"] and vanished.empty
    np.testing.assert_allclose(compared["n_before"], [50, 50])
    # Two previous hotspots merged into one of their sum: persistent, both named.
    compared, vanished = compare_periods(
        before.assign(n=90),
        halves.assign(geometry=[shapely.box(0, 0, 250, 200), shapely.box(250, 0, 400, 200)]),
    )
    row = compared.iloc[0]
    assert row["status"] == "persistent" and row["n_before"] == 100
    assert row["matched_previous_id"] == "C1" and row["matched_previous_ids"] == "C1, C2"
    cur_idx, prev_idx, area = match_hotspots(
        np.asarray(halves.geometry.values), np.asarray(before.geometry.values), min_overlap=0.3
    )
    assert list(cur_idx) == [0, 1] and list(prev_idx) == [0, 0]
    np.testing.assert_allclose(area, [40_000.0, 40_000.0])


def test_empty_periods(periods: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    current, previous = periods
    compared, vanished = compare_periods(current, previous.iloc[:0])
    assert (compared["status"] == "new").all() and vanished.empty
    compared, vanished = compare_periods(current.iloc[:0], previous)
    assert compared.empty and {"status", "matched_previous_id", "n_before"} <= set(compared.columns)
    assert list(vanished["id"]) == list(previous["id"])


def test_errors_name_the_problem() -> None:
    table = discs([("C", 0, 0, 100, 10)])
    with pytest.raises(ParameterError, match=r"min_overlap must be in \(0, 1\], got 0"):
        ComparisonParams(min_overlap=0)
    with pytest.raises(ParameterError, match="change_ratio"):
        ComparisonParams(change_ratio=1.5)
    with pytest.raises(ParameterError, match=r"previous lacks the columns \['n'\]"):
        compare_periods(table, table.drop(columns="n"))
    with pytest.raises(ParameterError, match="must be in metres"):
        compare_periods(table.to_crs(crs.WGS84), table.to_crs(crs.WGS84))
    with pytest.raises(ParameterError, match="must share a CRS"):
        compare_periods(table, table.to_crs(crs.GK25))
