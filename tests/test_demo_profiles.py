"""The demo's data: real places in their named osa-alue, standing apart, and complete category profiles."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from geo import crs, demo_profiles, districts, schema
from geo.demo_profiles import Concentration
from geo.errors import ParameterError


@pytest.fixture(scope="module")
def centres() -> tuple[np.ndarray, np.ndarray]:
    lon = [c.lon for c in demo_profiles.DEMO_CONCENTRATIONS]
    lat = [c.lat for c in demo_profiles.DEMO_CONCENTRATIONS]
    return crs.to_metric(lon, lat, src=crs.WGS84)


def test_concentration_centres_lie_in_their_named_osaalue() -> None:
    lon = [c.lon for c in demo_profiles.DEMO_CONCENTRATIONS]
    lat = [c.lat for c in demo_profiles.DEMO_CONCENTRATIONS]
    x, y = crs.to_metric(lon, lat, src=crs.WGS84)
    tags = districts.tag_points(x, y)
    assert tags["in_helsinki"].all()
    assert tags["osaalue_fi"].tolist() == [c.osaalue_fi for c in demo_profiles.DEMO_CONCENTRATIONS]
    assert len({c.name for c in demo_profiles.DEMO_CONCENTRATIONS}) == len(demo_profiles.DEMO_CONCENTRATIONS)


def test_concentrations_are_frozen_and_have_every_life() -> None:
    lives = {c.life for c in demo_profiles.DEMO_CONCENTRATIONS}
    assert {"stable", "emerging", "fading"} <= lives
    with pytest.raises(dataclasses.FrozenInstanceError):
        demo_profiles.DEMO_CONCENTRATIONS[0].weight = 5.0  # type: ignore[misc]
    for c in demo_profiles.DEMO_CONCENTRATIONS:
        assert abs(sum(c.category_mix.values()) - 1) < 1e-12
        assert len(c.hours) == 24 and len(c.weekdays) == 7


def test_changing_places_stand_apart(centres: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = centres
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(distance, np.inf)
    for i, c in enumerate(demo_profiles.DEMO_CONCENTRATIONS):
        if c.life != "stable":
            assert distance[i].min() > 1200, c.name


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"sigma_m": 0.0}, "sigma_m"),
        ({"weight": -1.0}, "weight"),
        ({"categories": (("burglary", 1.0),)}, "categories"),
        ({"categories": ()}, "categories"),
        ({"hours": (1.0,) * 23}, "hours"),
        ({"life": "dormant"}, "life"),
    ],
)
def test_a_bad_concentration_names_the_parameter(changes: dict[str, object], name: str) -> None:
    good = demo_profiles.DEMO_CONCENTRATIONS[0]
    with pytest.raises(ParameterError, match=rf"^{good.name}: {name} "):
        dataclasses.replace(good, **changes)  # type: ignore[arg-type]


def test_every_category_has_every_profile() -> None:
    tables = (
        demo_profiles.CATEGORY_TIME,
        demo_profiles.SOURCE_MIX,
        demo_profiles.SEVERITY_MIX,
        demo_profiles.RAW_LABELS,
        demo_profiles.DESCRIPTIONS,
    )
    for table in tables:
        assert set(table) == set(schema.CATEGORIES)
    assert set(demo_profiles.BACKGROUND_MIX) == set(schema.CATEGORIES)
    for category in schema.CATEGORIES:
        hours, weekdays, months = demo_profiles.CATEGORY_TIME[category]
        assert (len(hours), len(weekdays), len(months)) == (24, 7, 12), category
        assert min(hours + weekdays + months) > 0, category
        assert len(demo_profiles.SOURCE_MIX[category]) == len(schema.SOURCES), category
        assert abs(sum(demo_profiles.SOURCE_MIX[category]) - 1) < 1e-9, category
        assert abs(sum(demo_profiles.SEVERITY_MIX[category]) - 1) < 1e-9, category
        assert len(demo_profiles.SEVERITY_MIX[category]) == 5, category


def test_hour_spans_wrap_midnight() -> None:
    # Drug dealing: 0.15 by default, 1.0 from 12 to 16, 3.0 from 16 to 02, 0.4 from 02 to 05.
    hours = demo_profiles.CATEGORY_TIME["drug_dealing"][0]
    assert [hours[h] for h in (11, 12, 15, 16, 23, 0, 1, 2, 4, 5)] == [
        0.15,
        1.0,
        1.0,
        3.0,
        3.0,
        3.0,
        3.0,
        0.4,
        0.4,
        0.15,
    ]


def test_a_concentration_normalises_its_mix_and_defaults_to_flat_and_stable() -> None:
    place = Concentration(
        "Testitori",
        24.94,
        60.17,
        "Kluuvi",
        sigma_m=100.0,
        weight=1.0,
        categories=(("assault", 2.0), ("robbery", 6.0)),
    )
    assert place.category_mix == {"assault": 0.25, "robbery": 0.75}
    assert place.hours == (1.0,) * 24 and place.weekdays == (1.0,) * 7 and place.life == "stable"
    assert place.life in demo_profiles.LIVES
