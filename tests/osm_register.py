"""The OpenStreetMap sample of central Helsinki as a register, and perturbed addresses with known answers.

``/work/shared/data/helsinki_osm_centre_sample`` (© OpenStreetMap contributors, ODbL) holds
1,449 addressed objects and 1,088 amenities. As a register, each street address is one
point (the mean of the objects OSM tags with it, as the official register has one point per
address), and named amenities are the places. OSM has no Swedish street names; for a dozen
streets the official Swedish names (from the city's bilingual street signs) are added.

:func:`perturbed` writes addresses the way people do (upper case, typos, abbreviations,
stairs and flats, postcode and city, inflected place names) from a seeded, held-out
half of the register, each with the true point to score against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo import addresstext, crs
from geo.gazetteer import Register, read_register

SAMPLE = "helsinki_osm_centre_sample"
#: Official Swedish names of some centre streets (OSM's sample lacks them).
SWEDISH: dict[str, str] = {
    "Kaivokatu": "Brunnsgatan",
    "Mannerheimintie": "Mannerheimvägen",
    "Aleksanterinkatu": "Alexandersgatan",
    "Annankatu": "Annegatan",
    "Bulevardi": "Bulevarden",
    "Yrjönkatu": "Georgsgatan",
    "Uudenmaankatu": "Nylandsgatan",
    "Mikonkatu": "Mikaelsgatan",
    "Pohjoisesplanadi": "Norra esplanaden",
    "Eteläesplanadi": "Södra esplanaden",
    "Fredrikinkatu": "Fredriksgatan",
    "Fabianinkatu": "Fabiansgatan",
}
KINDS = (
    "exact",
    "upper case",
    "typo",
    "diacritics",
    "abbreviation",
    "stair and flat",
    "postcode and city",
    "swedish",
    "missing number",
    "place inflected",
)


def register_tables(shared_data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the sample as register files' tables: addresses and places, in lon/lat."""
    folder = shared_data_dir / SAMPLE
    raw = pd.read_csv(folder / "osm_centre_addresses.csv", dtype=str, keep_default_na=False)
    parsed = raw["housenumber"].map(addresstext.parse_number)
    raw = raw.loc[parsed.notna()].assign(key=parsed[parsed.notna()].map(lambda n: n.key))
    raw["street"] = raw["street"].str.rsplit(",", n=1).str[-1].str.strip()  # "Kaivopiha, Mannerheimintie"
    raw["lon"], raw["lat"] = raw["lon"].astype(float), raw["lat"].astype(float)
    raw["written"] = raw["housenumber"].str.len()
    raw = raw.sort_values(["street", "key", "written"])
    grouped = raw.groupby(["street", "key"], sort=True)
    addresses = grouped.agg(number=("housenumber", "first"), lon=("lon", "mean"), lat=("lat", "mean"))
    addresses["postcode"] = grouped["postcode"].agg(lambda p: next((c for c in p if c), ""))
    addresses = addresses.reset_index()
    addresses["street_fi"] = addresses["street"]
    addresses["street_sv"] = addresses["street"].map(SWEDISH).fillna("")
    addresses = addresses[["street_fi", "street_sv", "number", "postcode", "lon", "lat"]]
    amenities = pd.read_csv(folder / "osm_centre_amenities.csv", dtype=str, keep_default_na=False)
    amenities = amenities.loc[amenities["name"] != ""]
    places = pd.DataFrame(
        {
            "name_fi": amenities["name"],
            "name_sv": amenities["name_sv"],
            "kind": amenities["amenity"],
            "lon": amenities["lon"],
            "lat": amenities["lat"],
        }
    ).reset_index(drop=True)
    return addresses, places


def write_register(addresses: pd.DataFrame, places: pd.DataFrame, folder: Path) -> tuple[Path, Path]:
    """Write the two tables as register CSV files and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    addresses.to_csv(folder / "addresses.csv", index=False)
    places.to_csv(folder / "places.csv", index=False)
    return folder / "addresses.csv", folder / "places.csv"


def load(shared_data_dir: Path, folder: Path, *, without: pd.Index | None = None) -> Register:
    """Return the sample as a Register (optionally without some address rows)."""
    addresses, places = register_tables(shared_data_dir)
    if without is not None:
        addresses = addresses.drop(index=without)
    return read_register(*write_register(addresses, places, folder)[:1], places=folder / "places.csv")


def split(addresses: pd.DataFrame, *, seed: int) -> tuple[pd.Index, pd.Index]:
    """Return the rows for tuning and the rows held out from it (half each, seeded)."""
    order = np.random.default_rng(seed).permutation(len(addresses))
    half = len(order) // 2
    return addresses.index[np.sort(order[:half])], addresses.index[np.sort(order[half:])]


@dataclass(frozen=True)
class Perturbed:
    """Texts to geocode, their kind, and the true point in EPSG:3067 metres."""

    table: pd.DataFrame  # text, kind, x_m, y_m
    missing: pd.Index  # address rows to drop from the register for the "missing number" kind


def _typo(rng: np.random.Generator, word: str) -> str:
    """One random substitution, deletion, insertion or swap of letters after the first two."""
    i = int(rng.integers(2, len(word) - 1))
    kind = int(rng.integers(4))
    letter = "abcdefghijklmnoprstuvy"[int(rng.integers(22))]
    if kind == 0:
        return word[:i] + letter + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + letter + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _abbreviated(rng: np.random.Generator, street: str) -> str:
    for long, shorts in (("katu", ("k.", "k", "k")), ("tie", ("t.", "t")), ("gatan", ("g.",))):
        if street.endswith(long):
            return street[: -len(long)] + shorts[int(rng.integers(len(shorts)))]
    return street[: max(8, len(street) - 3)] + "."


def _inflected(rng: np.random.Generator, name: str) -> str:
    ending = ("ssa", "sta", "lla", "lle")[int(rng.integers(4))]
    last = name.split()[-1]
    if len(last) <= 3 or not last[-1].isalpha():
        return f"{name}:{ending}"  # Finnish writes "Co:lla", "Biáng!:ssa"
    return name + (ending if last[-1].lower() in "aeiouyäö" else "i" + ending)


def _text(rng: np.random.Generator, kind: str, row: pd.Series) -> str | None:
    street, number = row["street_fi"], addresstext.parse_number(row["number"])
    assert number is not None
    plain = f"{street} {row['number']}"
    if kind in ("exact", "missing number"):
        return plain
    if kind == "upper case":
        return plain.upper()
    if kind == "typo":
        return f"{_typo(rng, street)} {row['number']}" if len(street) >= 8 else None
    if kind == "diacritics":
        slipped = street.replace("ä", "a").replace("ö", "o").replace("Ä", "A").replace("Ö", "O")
        return f"{slipped.lower()} {row['number']}" if slipped != street else None
    if kind == "abbreviation":
        return f"{_abbreviated(rng, street)} {row['number']}"
    if kind == "stair and flat":
        if number.letter or number.end is not None:
            return f"{street} {row['number']} {int(rng.integers(1, 40))}"
        return f"{street} {number.number} {'ABCD'[int(rng.integers(4))]} {int(rng.integers(1, 40))}"
    if kind == "swedish":
        return f"{row['street_sv']} {row['number']}" if row["street_sv"] else None
    code = row["postcode"] or "00100"
    city = ("Helsinki", "Helsingfors", "HELSINKI")[int(rng.integers(3))]
    return f"{plain}, {code} {city}" if rng.integers(2) else f"{code} {city}, {plain}"


def perturbed(
    addresses: pd.DataFrame, places: pd.DataFrame, rows: pd.Index, *, seed: int, n: int
) -> Perturbed:
    """Return up to ``n`` perturbed texts per kind from address ``rows`` (and the named places)."""
    rng = np.random.default_rng(seed)
    x_m, y_m = crs.to_metric(addresses["lon"].astype(float), addresses["lat"].astype(float), src=crs.WGS84)
    truth = pd.DataFrame({"x_m": x_m, "y_m": y_m}, index=addresses.index)
    records: list[dict[str, object]] = []
    missing: list[int] = []
    for kind in ("missing number", *KINDS[:-2]):  # the rows dropped from the register go first
        pool = rows if kind == "missing number" else rows.difference(pd.Index(missing))
        chosen = [r for r in rng.permutation(pool) if _eligible(addresses, r, kind, missing)]
        kept = 0
        for row in chosen:
            text = _text(rng, kind, addresses.loc[row])
            if text is None:
                continue
            records.append({"text": text, "kind": kind, **truth.loc[row].to_dict()})
            missing += [row] if kind == "missing number" else []
            kept += 1
            if kept == n:
                break
    records += _place_records(rng, places, n=n)
    return Perturbed(pd.DataFrame(records), pd.Index(missing))


def _eligible(addresses: pd.DataFrame, row: object, kind: str, missing: list[int]) -> bool:
    """A missing number must leave numbers on both sides of it, and not two gaps side by side."""
    if kind != "missing number":
        return True
    street = addresses.loc[addresses["street_fi"] == addresses.at[row, "street_fi"]]
    return len(street) >= 4 and not set(street.index) & set(missing)


def _place_records(rng: np.random.Generator, places: pd.DataFrame, *, n: int) -> list[dict[str, object]]:
    """Inflected names of places whose name is unique in the sample."""
    counts = places["name_fi"].str.lower().value_counts()
    unique = places.loc[places["name_fi"].str.lower().map(counts) == 1]
    unique = unique.loc[unique["name_fi"].str.len() >= 6]
    x_m, y_m = crs.to_metric(unique["lon"].astype(float), unique["lat"].astype(float), src=crs.WGS84)
    order = rng.permutation(len(unique))[:n]
    return [
        {
            "text": _inflected(rng, unique["name_fi"].iloc[i]),
            "kind": "place inflected",
            "x_m": x_m[i],
            "y_m": y_m[i],
        }
        for i in order
    ]
