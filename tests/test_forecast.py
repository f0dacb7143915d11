"""Where will it be: hotspots for the period after the data (hotspots.forecast, cluster --forecast)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import cli
from geo.errors import ParameterError
from hotspots import analysis, forecast
from hotspots import grid as study
from hotspots.clustering import ClusteringParams
from hotspots.study import prepare_points

TZ = "America/Toronto"
LON0, LAT0 = -79.40, 43.66


def _history(seed: int = 0) -> pd.DataFrame:
    """Three years: five places that last, a background, and a burst in the last half-year only.

    In the last half-year alone the burst (60) outnumbers each lasting place (about 50, over
    two cells); over the whole history the places hold six times as many. A forecast that
    learns from the history ranks the places first.
    """
    rng = np.random.default_rng(seed)
    start, stop = pd.Timestamp("2022-01-01", tz=TZ), pd.Timestamp("2025-01-01", tz=TZ)
    span = (stop - start).total_seconds()
    lon, lat, when = [], [], []
    places = [(LON0 + 0.01 * i, LAT0 + 0.006 * (i % 2)) for i in range(5)]
    for plon, plat in places:
        lon.append(rng.normal(plon, 0.0005, 300))
        lat.append(rng.normal(plat, 0.0004, 300))
        when.append(rng.uniform(0, span, 300))
    lon.append(rng.uniform(LON0 - 0.03, LON0 + 0.08, 3000))
    lat.append(rng.uniform(LAT0 - 0.02, LAT0 + 0.03, 3000))
    when.append(rng.uniform(0, span, 3000))
    burst_start = (pd.Timestamp("2024-07-01", tz=TZ) - start).total_seconds()
    lon.append(rng.normal(LON0 + 0.06, 0.0004, 60))
    lat.append(rng.normal(LAT0 - 0.015, 0.0003, 60))
    when.append(rng.uniform(burst_start, span, 60))
    seconds = np.concatenate(when)
    seconds[0], seconds[-1] = 60.0, span - 60.0
    return pd.DataFrame(
        {
            "lon": np.concatenate(lon),
            "lat": np.concatenate(lat),
            "occurred_at": start + pd.to_timedelta(seconds, unit="s"),
        }
    )


def test_forecast_ranks_the_lasting_places_and_says_for_when(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = _history()
    source = tmp_path / "history.csv"
    frame.assign(occurred_at=frame["occurred_at"].map(lambda t: t.isoformat())).to_csv(source, index=False)
    out = tmp_path / "forecast.geojson"
    code = cli.main(
        ["cluster", str(source), "--districts", "none", "--timezone", TZ, "--forecast", "--out", str(out)]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "forecast for 2025-01-01 .. 2025-06-30" in printed.out
    assert "Size rule" in printed.out and "history" in printed.out
    table = gpd.read_file(out)
    assert table.crs.to_epsg() == 4326 and len(table) >= 5
    ranked = table.sort_values("rank").to_crs("EPSG:32617")
    top = ranked.head(5)

    def metric(lon: float, lat: float) -> shapely.Point:
        return gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs("EPSG:32617").iloc[0]

    for plon, plat in [(LON0 + 0.01 * i, LAT0 + 0.006 * (i % 2)) for i in range(5)]:
        assert top.geometry.distance(metric(plon, plat)).min() < 150
    near = ranked.geometry.distance(metric(LON0 + 0.06, LAT0 - 0.015)) < 150
    # The burst of the last half-year is not among the forecast's first five.
    assert not near.head(5).any()
    assert "from the last 6M" not in printed.out


def test_forecast_object_and_too_short_history() -> None:
    points, metric = prepare_points(_history(), timezone=TZ)
    grid = study.occupied_grid(points["x_m"], points["y_m"], crs=metric)
    result = forecast.forecast_hotspots(
        points, where=analysis.StudyArea(grid=grid), clustering=ClusteringParams(auto_eps=True)
    )
    assert result.since == pd.Timestamp("2025-01-01", tz=TZ)
    assert result.until == pd.Timestamp("2025-07-01", tz=TZ)
    assert result.history in ("6M", "1Y", "2Y", "all")
    assert {"history", "hit_rate", "eps_m", "min_samples", "basis", "smoothing"} <= set(
        result.candidates.columns
    )
    assert result.analysis.hotspots["area_km2"].max() <= 0.25 + 1e-9
    short = points.loc[points["occurred_at"] >= pd.Timestamp("2024-09-01", tz=TZ)]
    with pytest.raises(ParameterError, match="needs more history"):
        forecast.forecast_hotspots(short, where=analysis.StudyArea(grid=grid), horizon="6M")
    with pytest.raises(ParameterError, match="horizon was 'soon'"):
        forecast.forecast_hotspots(points, where=analysis.StudyArea(grid=grid), horizon="soon")
