"""Bookmarkable view state in the query string."""

from __future__ import annotations

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
