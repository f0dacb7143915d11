"""The geocoder against the OSM centre sample as the register, scored on held-out perturbed addresses.

The perturbations are drawn with a fixed seed from the half of the register that was never
looked at while the rules were written (``osm_register.split``); the other half was used for
tuning. The accuracy table by perturbation kind is printed (``pytest -s``).
"""

from __future__ import annotations

from pathlib import Path

import hypothesis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import addresstext
from geo.gazetteer import Register
from geo.geocoder import GEOCODE_COLUMNS, QUALITIES, Geocoder
from tests import osm_register

TUNING_SEED = 13
PERTURB_SEED = 2026
PER_KIND = 150
TEXT_KINDS = [k for k in osm_register.KINDS if k != "missing number"]


@pytest.fixture(scope="module")
def tables(shared_data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return osm_register.register_tables(shared_data_dir)


@pytest.fixture(scope="module")
def register(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Register:
    return osm_register.load(shared_data_dir, tmp_path_factory.mktemp("register"))


@pytest.fixture(scope="module")
def geocoder(register: Register) -> Geocoder:
    return Geocoder(register)


@pytest.fixture(scope="module")
def scored(
    tables: tuple[pd.DataFrame, pd.DataFrame], shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    """Held-out perturbed texts geocoded against the register without the 'missing number' rows."""
    addresses, places = tables
    _, held_out = osm_register.split(addresses, seed=TUNING_SEED)
    perturbed = osm_register.perturbed(addresses, places, held_out, seed=PERTURB_SEED, n=PER_KIND)
    register = osm_register.load(shared_data_dir, tmp_path_factory.mktemp("gaps"), without=perturbed.missing)
    table = perturbed.table
    found = Geocoder(register).geocode(table["text"])
    distance = np.hypot(found["x_m"] - table["x_m"], found["y_m"] - table["y_m"])
    out = table.assign(distance_m=distance, quality=found["geocode_quality"], match=found["geocode_match"])
    summary = out.groupby("kind", sort=False).agg(
        n=("distance_m", "size"),
        within_25m=("distance_m", lambda d: round(float((d <= 25).mean()) * 100, 1)),
        within_100m=("distance_m", lambda d: round(float((d <= 100).mean()) * 100, 1)),
        misses=("quality", lambda q: int((q == "none").sum())),
    )
    print("\naccuracy by perturbation kind (held-out OSM centre addresses):\n" + summary.to_string())
    return out


def test_held_out_perturbed_addresses_meet_the_bar(scored: pd.DataFrame) -> None:
    text = scored.loc[scored["kind"].isin(TEXT_KINDS)]
    assert set(text["kind"]) == set(TEXT_KINDS) and len(text) > 1000
    assert (text["distance_m"] <= 25).mean() >= 0.97
    by_kind = text.groupby("kind")["distance_m"].apply(lambda d: (d <= 25).mean())
    assert by_kind.min() >= 0.9, by_kind.to_dict()


def test_no_exact_match_is_far_off_and_every_miss_is_reported(scored: pd.DataFrame) -> None:
    assert scored["quality"].isin(QUALITIES).all()
    assert not ((scored["quality"] == "exact") & (scored["distance_m"] > 50)).any()
    missed = scored["quality"] == "none"
    assert scored.loc[missed, "distance_m"].isna().all() and (scored.loc[missed, "match"] == "").all()
    assert scored.loc[~missed, "distance_m"].notna().all() and (scored.loc[~missed, "match"] != "").all()


def test_numbers_missing_from_the_register_are_placed_between_neighbours(scored: pd.DataFrame) -> None:
    gaps = scored.loc[scored["kind"] == "missing number"]
    assert len(gaps) == PER_KIND
    assert (
        gaps["quality"].isin(["exact", "interpolated", "street"]).all()
    )  # exact: a range or letter covers it
    assert (gaps["quality"] == "interpolated").mean() >= 0.8  # 130 of 150; a street centre is the rare case
    # A regression floor, not the bar: OSM's points are shops inside whole-block buildings,
    # so even a number's two next-door neighbours put it within 25 m only ~78 % of the time
    # (leave-one-out on the tuning half). Measured here: 60 % within 25 m, 93 % within 100 m.
    assert (gaps["distance_m"] <= 25).mean() >= 0.55
    assert (gaps["distance_m"] <= 100).mean() >= 0.9
    street = gaps.loc[gaps["quality"] == "street", "match"]
    assert (street.str.split().str.len() >= 1).all() and not street.str.contains(r"\d").any()


@pytest.mark.parametrize(
    "text",
    [
        "Kaivokatu 1",
        "KAIVOKATU 1",
        "kaivokatu 1 B 12",
        "Kaivok. 1",
        "Kaivokatu 1, 00100 Helsinki",
        "00100 Helsingfors Kaivokatu 1",
        "Brunnsgatan 1",
        "Brunnsg. 1, Helsingfors",
        "Kaivoktau 1",
    ],
)
def test_one_address_written_many_ways(geocoder: Geocoder, register: Register, text: str) -> None:
    truth = register.addresses.query("street_fi == 'Kaivokatu' and number == '1'").iloc[0]
    found = geocoder.geocode([text]).iloc[0]
    assert found["geocode_quality"] == "exact"
    assert found["geocode_match"] == "Kaivokatu 1"
    assert np.hypot(found["x_m"] - truth["x_m"], found["y_m"] - truth["y_m"]) < 0.01
    assert 24.9 < found["lon"] < 25.0 and 60.1 < found["lat"] < 60.2


def test_intersections_in_both_spellings_meet_where_the_streets_do(
    geocoder: Geocoder, register: Register
) -> None:
    found = geocoder.geocode(["Mannerheimintie / Kaivokatu", "Mannerheimintien ja Kaivokadun kulma"])
    assert found["geocode_quality"].tolist() == ["intersection", "intersection"]
    assert found["geocode_match"].iloc[0] == "Mannerheimintie / Kaivokatu"
    assert np.allclose(found[["x_m", "y_m"]].iloc[0], found[["x_m", "y_m"]].iloc[1])
    point = found[["x_m", "y_m"]].iloc[0].to_numpy()
    for street in ("Mannerheimintie", "Kaivokatu"):
        xy = register.addresses.loc[register.addresses["street_fi"] == street, ["x_m", "y_m"]].to_numpy()
        assert np.hypot(*(xy - point).T).min() < MAX_CORNER_M
    assert (
        geocoder.geocode(["Kaivokatu / Kalevankatu"])["geocode_quality"].iloc[0] == "none"
    )  # they never meet


MAX_CORNER_M = 80.0


def test_a_street_without_number_is_its_centre_and_an_unknown_one_a_miss(
    geocoder: Geocoder, register: Register
) -> None:
    found = geocoder.geocode(["Annankatu", "Olematonkatu 5", "", None, "12345"])  # type: ignore[list-item]
    assert found["geocode_quality"].tolist() == ["street", "none", "none", "none", "none"]
    annankatu = register.addresses.loc[register.addresses["street_fi"] == "Annankatu", ["x_m", "y_m"]]
    assert (annankatu.to_numpy() == found[["x_m", "y_m"]].iloc[0].to_numpy()).all(axis=1).any()
    assert found[["x_m", "y_m", "lon", "lat"]].iloc[1:].isna().all().all()


def test_a_place_name_shared_by_places_far_apart_is_not_guessed(
    geocoder: Geocoder, register: Register
) -> None:
    places = register.places
    spread = places.groupby("name_fi")[["x_m", "y_m"]].agg(np.ptp).max(axis=1)
    far = spread[spread > 500].index[0]
    assert geocoder.geocode([far])["geocode_quality"].iloc[0] == "none"
    single = places["name_fi"].value_counts()
    name = next(n for n in single[single == 1].index if len(n) > 6 and n[-1] in "aeiouy")
    found = geocoder.geocode([name + "ssa"]).iloc[0]
    assert (found["geocode_quality"], found["geocode_match"]) == ("place", name)


def test_geocode_keeps_the_index_and_leaves_its_input_alone(geocoder: Geocoder) -> None:
    texts = pd.Series(["Kaivokatu 1", "Annankatu 3", "Kaivokatu 1"], index=[10, 20, 30])
    before = texts.copy()
    found = geocoder.geocode(texts)
    pd.testing.assert_series_equal(texts, before)
    assert list(found.columns) == list(GEOCODE_COLUMNS) and list(found.index) == [10, 20, 30]
    assert found.iloc[0].equals(found.iloc[2])


def test_reverse_names_the_nearest_address_in_either_language(geocoder: Geocoder, register: Register) -> None:
    kaivokatu = register.addresses.query("street_fi == 'Kaivokatu' and number == '1'").iloc[0]
    fi = geocoder.reverse([kaivokatu["x_m"] + 3], [kaivokatu["y_m"]], lang="fi").iloc[0]
    sv = geocoder.reverse([kaivokatu["x_m"] + 3], [kaivokatu["y_m"]], lang="sv").iloc[0]
    assert (fi["name"], sv["name"], fi["kind"]) == ("Kaivokatu 1", "Brunnsgatan 1", "address")
    assert fi["distance_m"] == pytest.approx(3, abs=0.5)
    kluuvikatu = register.addresses.query("street_fi == 'Kluuvikatu'").iloc[0]
    assert (
        geocoder.reverse([kluuvikatu["x_m"]], [kluuvikatu["y_m"]], lang="sv")["name"]
        .iloc[0]
        .startswith("Kluuvikatu ")  # no Swedish name in the register: the Finnish one
    )
    with pytest.raises(ValueError, match=r"lang was 'en' but is expected to be one of \['fi', 'sv'\]"):
        geocoder.reverse([0.0], [0.0], lang="en")


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_geocode_of_reverse_stays_on_the_point(
    geocoder: Geocoder, register: Register, data: st.DataObject
) -> None:
    # The OSM sample holds a few addresses twice under spellings that differ only in case
    # ("Alvar Aallon Katu 3" / "Alvar Aallon katu 3", 20 m apart): one text, two points.
    addresses = register.addresses
    keys = addresses["street_fi"].map(addresstext.key) + " " + addresses["number"].str.casefold()
    unique = np.flatnonzero(~keys.duplicated(keep=False).to_numpy())
    row = int(unique[data.draw(st.integers(0, len(unique) - 1))])
    dx, dy = data.draw(st.floats(-2, 2)), data.draw(st.floats(-2, 2))
    x, y = register.addresses["x_m"].iloc[row] + dx, register.addresses["y_m"].iloc[row] + dy
    named = geocoder.reverse([x], [y], lang=data.draw(st.sampled_from(["fi", "sv"]))).iloc[0]
    # A chain's name ("Burger King") stands for several places: geocoding it gives their
    # middle (or nothing, when they lie far apart), so only a name one place holds must
    # come back to the point.
    places = register.places
    holders = (places["name_fi"] == named["name"]) | (places["name_sv"] == named["name"])
    hypothesis.assume(named["kind"] == "address" or int(holders.sum()) == 1)
    found = geocoder.geocode([named["name"]]).iloc[0]
    assert found["geocode_quality"] in ("exact", "place")
    assert np.hypot(found["x_m"] - x, found["y_m"] - y) < 5.0 + float(named["distance_m"])


def test_a_place_named_after_the_city_is_found_by_its_whole_name(
    geocoder: Geocoder, register: Register
) -> None:
    """ "Hard Rock Cafe Helsinki": the city at the end is part of the name, not an address's city."""
    places = register.places
    named = places[places["name_fi"].str.endswith(" Helsinki")]
    assert len(named) >= 1
    found = geocoder.geocode(named["name_fi"])
    assert (found["geocode_quality"] == "place").all()
    assert (
        np.hypot(found["x_m"] - named["x_m"].to_numpy(), found["y_m"] - named["y_m"].to_numpy()).max() < 1.0
    )


def _line_street(numbers: list[str]) -> Geocoder:
    """A straight east-west street: number n stands at x = 10 n, odd numbers north, even south."""
    rows = [
        {
            "street_fi": "Koekatu",
            "street_sv": "",
            "number": n,
            "postcode": "",
            "x_m": 385_000.0 + 10 * int(n),
            "y_m": 6_672_000.0 + (10.0 if int(n) % 2 else -10.0),
        }
        for n in numbers
    ]
    places = pd.DataFrame(columns=["name_fi", "name_sv", "kind", "x_m", "y_m"])
    return Geocoder(Register(pd.DataFrame(rows), places))


def test_a_number_past_the_last_known_one_is_extrapolated_one_house_on() -> None:
    geocoder = _line_street(["6", "8", "10", "3", "5"])
    beyond = geocoder.geocode(pd.Series(["Koekatu 2", "Koekatu 14", "Koekatu 30"]))
    assert beyond["geocode_quality"].tolist() == ["interpolated", "interpolated", "street"]
    assert (beyond.loc[0, "x_m"], beyond.loc[0, "y_m"]) == pytest.approx((385_020.0, 6_671_990.0))
    assert beyond.loc[1, "x_m"] == pytest.approx(385_140.0)
    assert beyond.loc[0, "geocode_match"] == "Koekatu 6"


def test_a_side_without_numbers_borrows_the_other_side() -> None:
    found = _line_street(["3", "7", "11"]).geocode(pd.Series(["Koekatu 8"])).iloc[0]
    assert found["geocode_quality"] == "interpolated"
    assert found["x_m"] == pytest.approx(385_080.0) and found["y_m"] == pytest.approx(6_672_010.0)
