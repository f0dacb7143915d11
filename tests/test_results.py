"""The page's cached computations (views.results): same answers as hotspots, keyed by versions.

The functions are st.cache_data functions called here without a running app (Streamlit
caches them in memory then too). A data set whose reader counts its calls shows when the
rows were read: only on a cache miss.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from geo import demo, settings
from geo.incidents import import_incidents
from hotspots import analysis
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection
from tests import named_hotspots, osm_register
from views import datasource, panels, results

CLUSTERING = ClusteringParams(eps_m=150.0, min_samples=8)


class CountingReader:
    """Returns the demo incidents and counts how often the rows were asked for."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.calls = 0

    def __call__(self) -> pd.DataFrame:
        self.calls += 1
        return self.frame.copy()


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=4000, seed=21)


def _data(incidents: pd.DataFrame, version: str) -> tuple[datasource.Loaded, CountingReader]:
    reader = CountingReader(incidents)
    when = incidents["occurred_at"]
    loaded = datasource.Loaded(
        version=version,
        count=len(incidents),
        days=(when.min().date(), when.max().date()),
        synthetic=True,
        reader=reader,
    )
    return loaded, reader


def _request(version: str, **changes: object) -> results.Request:
    selection = Selection(since=demo.recent_start(), until=demo.demo_period()[1])
    request = results.Request(version, "", "period", selection, CLUSTERING, "previous")
    return replace(request, **changes)  # type: ignore[arg-type]


def test_the_period_analysis_is_hotspots_analysis(incidents: pd.DataFrame) -> None:
    data, _ = _data(incidents, "test-same-answer")
    request = _request(data.version)
    result, predicted = results.shown_analysis(request, data, None)
    expected = analysis.analyse(
        incidents,
        selection=request.selection,
        clustering=CLUSTERING,
        compare_with="previous",
        parameters=analysis.choose_parameters(incidents, request.selection.citywide(), CLUSTERING),
    )
    assert predicted is None
    assert list(result.hotspots["id"]) == list(expected.hotspots["id"])
    assert result.key == expected.key
    pd.testing.assert_frame_equal(result.current, expected.current)


def test_rows_are_read_only_on_a_miss_and_each_caller_gets_a_copy(incidents: pd.DataFrame) -> None:
    data, reader = _data(incidents, "test-read-once")
    request = _request(data.version)
    first = results.period_analysis(request, data, None)
    assert reader.calls == 1
    first.current.drop(first.current.index, inplace=True)  # one session's change ...
    again = results.period_analysis(request, data, None)
    assert reader.calls == 1  # a hit: the 4000 rows were not read again
    assert len(again.current) > 0  # ... does not reach the next caller
    other = results.period_analysis(replace(request, compare_with="year_before"), data, None)
    assert reader.calls == 2 and other.previous_selection != again.previous_selection


def test_the_data_version_is_the_key_not_the_frame(incidents: pd.DataFrame) -> None:
    data, _ = _data(incidents, "test-version-key")
    request = _request(data.version)
    whole = results.period_analysis(request, data, None)
    fewer, reader = _data(incidents.iloc[:100], "test-version-key")  # same version: the contract
    assert results.period_analysis(request, fewer, None).key == whole.key and reader.calls == 0
    renamed, reader = _data(incidents.iloc[:100], "test-version-key-2")
    assert (
        results.period_analysis(replace(request, data_version=renamed.version), renamed, None).key
        != whole.key
    )
    assert reader.calls == 1


def test_the_forecast_ignores_the_period_and_the_comparison(incidents: pd.DataFrame) -> None:
    data, reader = _data(incidents, "test-forecast")
    request = _request(data.version, view="forecast")
    result, predicted = results.shown_analysis(request, data, None)
    assert predicted is not None and predicted.analysis.key == result.key
    assert predicted.since > pd.Timestamp(data.first_and_last_day()[1], tz="Europe/Helsinki")
    assert request.history == Selection()  # no district or category filter: all history, no dates
    moved = replace(request, selection=Selection(since="2025-01-01", until="2025-07-01"), compare_with="none")
    results.shown_analysis(moved, data, None)
    assert reader.calls == 1  # the same forecast: it learns from all the history anyway


def test_localised_hotspots_and_district_figures(incidents: pd.DataFrame) -> None:
    data, _ = _data(incidents, "test-tables")
    request = _request(data.version)
    result = results.period_analysis(request, data, None)
    sv = results.localised_hotspots(request, "sv", result)
    pd.testing.assert_frame_equal(sv, panels.localised_hotspots(result.hotspots, "sv"))
    table, has_population = results.district_figures(request, "suurpiiri", result)
    assert len(table) == 8 and has_population
    assert int(table["n"].sum()) == int(result.current["suurpiiri_code"].notna().sum())


def test_suggestion_needs_three_incidents(incidents: pd.DataFrame) -> None:
    data, _ = _data(incidents, "test-suggestion")
    suggested = results.suggestion(data.version, Selection(), data)
    assert suggested is not None and suggested.eps_m > 0 and suggested.min_samples >= 3
    nowhere = Selection(since="2001-01-01", until="2001-01-02")
    assert results.suggestion(data.version, nowhere, data) is None


def test_predictive_check_of_the_shown_analysis(incidents: pd.DataFrame) -> None:
    data, _ = _data(incidents, "test-backtest")
    request = _request(data.version)
    result = results.period_analysis(request, data, None)
    check = results.predictive_check(request, 0.03, data, result)
    assert check.area_share == 0.03 and check.status == "ok"
    assert set(check.table["method"]) >= {"dbscan", "best"}


def test_the_period_analysis_names_hotspots_with_the_available_register(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, _ = osm_register.write_register(addresses, places, tmp_path)
    monkeypatch.setenv(settings.ENV_REGISTER, str(register_file))
    assert datasource.address_register() is not None
    sample = osm_register.load(shared_data_dir, tmp_path / "sample")
    planted = import_incidents(named_hotspots.raw_incidents(sample)).incidents
    data, _ = _data(planted, "test-named-by-street")
    request = _request(data.version, selection=Selection(), compare_with="none", clustering=CLUSTERING)
    result = results.period_analysis(request, data, None)
    # The setting names addresses only: the square's hotspot gets its nearest address.
    assert "Kaivokatu 8" in set(result.hotspots["place_fi"].head(2))
    assert result.hotspots["place_fi"].head(2).notna().all()


def test_the_forecast_names_its_hotspots_with_the_available_register(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, _ = osm_register.write_register(addresses, places, tmp_path)
    monkeypatch.setenv(settings.ENV_REGISTER, str(register_file))
    sample = osm_register.load(shared_data_dir, tmp_path / "sample")
    raw = named_hotspots.raw_incidents(sample)
    when = pd.to_datetime(raw["occurred_at"], utc=True).dt.tz_convert("Europe/Helsinki")
    earlier = raw.assign(occurred_at=(when - pd.DateOffset(months=6)).dt.strftime("%Y-%m-%dT%H:%M:%S%z"))
    planted = import_incidents(pd.concat([earlier, raw], ignore_index=True)).incidents
    data, _ = _data(planted, "test-forecast-named-by-street")
    request = _request(data.version, selection=Selection(), compare_with="none", clustering=CLUSTERING)
    predicted = results.next_half_year(data.version, "", request.history, CLUSTERING, data, None)
    top = predicted.analysis.hotspots["place_fi"].head(2)
    assert top.notna().all() and "Kaivokatu 8" in set(top)
