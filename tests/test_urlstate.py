"""Bookmarkable view state in the query string."""

from __future__ import annotations

from datetime import date

from views import urlstate


def test_round_trip_through_a_query_string() -> None:
    state = urlstate.UrlState(lang="sv", peruspiiri=("301", "302"), osaalue=("112",), preset="youth_work")
    params: dict[str, str] = {"unrelated": "kept"}
    urlstate.write(params, state)
    assert params == {
        "unrelated": "kept",
        "lang": "sv",
        "peruspiiri": "301,302",
        "osaalue": "112",
        "preset": "youth_work",
    }
    assert urlstate.read(params) == state


def test_defaults_are_left_out_and_removed() -> None:
    params = {"lang": "sv", "suurpiiri": "3"}
    urlstate.write(params, urlstate.UrlState())
    assert params == {}


def test_malformed_values_fall_back_to_defaults() -> None:
    state = urlstate.read({"lang": "de", "peruspiiri": "301,<script>,,302,301", "preset": "x"})
    assert state == urlstate.UrlState(peruspiiri=("301", "302"))


def test_every_field_round_trips_as_codes() -> None:

    state = urlstate.UrlState(
        lang="en",
        suurpiiri=("3",),
        preset="policing",
        categories=("drug_dealing", "weapons"),
        sources=("police", "school"),
        since=date(2025, 6, 1),
        until=date(2025, 9, 30),
        compare="none",
        view="forecast",
        hours=(20, 2),
        weekdays=(4, 5),
        method="hdbscan",
        auto=False,
        eps_m=200,
        min_samples=8,
        level="osaalue",
        value="change",
        tiles=False,
        areas="density",
        dots=True,
        hotspot="H12",
        tab="downloads",
    )
    params = urlstate.encode(state)
    assert (
        params["hours"] == "20-2"
        and params["since"] == "2025-06-01"
        and params["categories"] == "drug_dealing,weapons"
    )
    assert all("<" not in v and " " not in v for v in params.values())  # codes, never labels
    assert urlstate.read(params) == state


def test_hand_edited_values_fall_back_field_by_field() -> None:
    state = urlstate.read(
        {
            "categories": "drug_dealing,<b>",
            "since": "2025-13-01",
            "hours": "25-3",
            "weekdays": "4,9",
            "eps": "5000",
            "hotspot": "H1;drop",
            "tab": "admin",
            "auto": "yes",
            "weekdays_extra": "kept out",
        }
    )
    assert state == urlstate.UrlState()


def test_a_period_that_ends_before_it_starts_is_dropped() -> None:
    state = urlstate.read({"since": "2025-09-01", "until": "2025-06-01", "lang": "sv"})
    assert state == urlstate.UrlState(lang="sv")


def test_write_leaves_unmanaged_keys_alone() -> None:
    params = {"embed": "true", "tab": "charts", "eps": "200"}
    urlstate.write(params, urlstate.UrlState(tab="charts"))
    assert params == {"embed": "true", "tab": "charts"}
