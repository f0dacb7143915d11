"""Reading addresses as people write them: folding, numbers, abbreviations, inflection, intersections."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import addresstext
from geo.addresstext import HouseNumber


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", HouseNumber(5)),
        ("5a", HouseNumber(5, None, "a")),
        ("5 A 12", HouseNumber(5, None, "a")),
        ("5–7", HouseNumber(5, 7)),
        ("5-7 B", HouseNumber(5, 7, "b")),
        ("2, 2. krs./Floor 2", HouseNumber(2)),
        ("13 A, 5. krs./Floor 5", HouseNumber(13, None, "a")),
        ("7 B, sisäpiha", HouseNumber(7, None, "b")),
        ("krs 2", None),
    ],
)
def test_house_numbers_with_letters_ranges_stairs_and_flats(text: str, expected: HouseNumber | None) -> None:
    assert addresstext.parse_number(text) == expected


def test_number_keys_are_canonical() -> None:
    assert HouseNumber(5, 7, "b").key == "5-7b"
    assert HouseNumber(5).key == "5"


@pytest.mark.parametrize(
    ("text", "rest", "postcode"),
    [
        ("Sturenkatu 4, 00510 Helsinki", "sturenkatu 4", "00510"),
        ("00530 Helsinki, Hämeentie 5", "hameentie 5", "00530"),
        ("Brunnsgatan 1 Helsingfors", "brunnsgatan 1", None),
        ("HELSINGIN KAUPUNKI Kaivokatu 1", "kaivokatu 1", None),
        ("Helsinginkatu 3", "helsinginkatu 3", None),
    ],
)
def test_postcode_and_city_come_off_in_any_order(text: str, rest: str, postcode: str | None) -> None:
    assert addresstext.strip_city_and_postcode(addresstext.fold(text)) == (rest, postcode)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Mannerheimint.", "mannerheimintie"),
        ("sturenk", "sturenkatu"),
        ("Sturenk.", "sturenkatu"),
        ("Brunnsg.", "brunnsgatan"),
        ("Mannerheimv.", "mannerheimvagen"),
        ("Sturenkadun", "sturenkatu"),
        ("Hämeentien", "hameentie"),
        ("Kaivokatu", "kaivokatu"),
    ],
)
def test_street_keys_expand_abbreviations_and_genitives(text: str, wanted: str) -> None:
    assert wanted in addresstext.street_keys(text)


@pytest.mark.parametrize(
    ("inflected", "name"),
    [
        ("Kaisaniemen puistossa", "Kaisaniemen puisto"),
        ("Tallinnanaukiolla", "Tallinnanaukio"),
        ("Pääpostista", "Pääposti"),
        ("Chaplinille", "Chaplin"),
        ("Iguanassa", "Iguana"),
        ("Baguette & Co:lla", "Baguette & Co"),
    ],
)
def test_inflected_place_names_reach_the_registers_key(inflected: str, name: str) -> None:
    assert addresstext.name_key(name) in addresstext.inflected_keys(inflected)


def test_intersections_in_either_spelling() -> None:
    fold = addresstext.fold
    assert addresstext.intersection_parts(fold("Sturenkatu / Hämeentie")) == ("sturenkatu", "hameentie")
    assert addresstext.intersection_parts(fold("Sturenkadun ja Hämeentien kulma")) == (
        "sturenkadun",
        "hameentien",
    )
    assert addresstext.intersection_parts(fold("Mannerheimintie 5 A 12")) is None
    assert addresstext.intersection_parts(fold("Kaisaniemen puistossa")) is None


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzäö", min_size=1, max_size=12),
    st.text(alphabet="abcdefgh", max_size=12),
)
def test_edit_distance_is_symmetric_and_capped(a: str, b: str) -> None:
    d = addresstext.edit_distance(a, b, limit=2)
    assert d == addresstext.edit_distance(b, a, limit=2) and 0 <= d <= 3
    assert (d == 0) == (a == b)


def test_keys_within_two_edits_share_a_deletion_variant() -> None:
    a, b = "kaivokatu", "kaiovkatu"
    assert addresstext.edit_distance(a, b, limit=2) == 2
    assert addresstext.deletions(a, depth=2) & addresstext.deletions(b, depth=2)
    assert addresstext.key("John Stenbergin ranta") == "johnstenberginranta"
    assert addresstext.fold("Hämeentie 5–7") == "hameentie 5-7"
