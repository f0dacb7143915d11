"""Which bookmarks open "More settings" (views.more_settings): any rarely used control set, nothing else.

Keeping the values while the controls are hidden is a matter of the whole page: see
test_app.py (``test_the_rarely_used_controls_keep_their_values_...``).
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

from views.more_settings import FIELDS, has_advanced
from views.urlstate import UrlState

#: A value away from its default for each rarely used control's bookmark field.
ADVANCED_VALUES = {
    "compare": "none", "view": "forecast", "hours": (20, 2), "weekdays": (4,), "method": "hdbscan",
    "auto": False, "eps_m": 200, "min_samples": 5, "level": "osaalue", "value": "rate",
    "tiles": False, "areas": "density", "dots": True,
}  # fmt: skip


def test_a_bookmark_has_advanced_values_when_any_rarely_used_control_is_away_from_its_default() -> None:
    assert set(FIELDS) == set(ADVANCED_VALUES)
    assert not has_advanced(UrlState())
    for name, value in ADVANCED_VALUES.items():
        assert has_advanced(replace(UrlState(), **{name: value})), name


def test_everyday_choices_are_not_advanced() -> None:
    everyday = UrlState(
        lang="sv",
        peruspiiri=("301",),
        preset="youth_work",
        sources=("police",),
        since=date(2026, 1, 1),
        until=date(2026, 3, 31),
        hotspot="H4",
        tab="charts",
    )
    assert not has_advanced(everyday)


def test_every_field_the_toggle_reads_is_a_bookmark_field() -> None:
    assert set(FIELDS) <= {item.name for item in fields(UrlState)}
