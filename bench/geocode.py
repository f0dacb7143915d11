"""Benchmark: geocoding 100k addresses against the register, against the 10 s target of issue 13.

Run ``python -m bench.geocode`` (``HOTSPOTS_DATA_DIR`` pointing at the shared data). The
register is the OSM centre sample (``tests/osm_register.py``); the texts are its addresses
and place names perturbed the ways people write them (upper case, typos, abbreviations,
stairs and flats, postcode and city, Swedish names, inflected place names), drawn with
several seeds and repeated to ``--n``. Loading the register and building the
:class:`~geo.geocoder.Geocoder` are timed apart; the measured call is ``Geocoder.geocode``
on a fresh geocoder (no texts cached), as ``hotspots geocode`` runs it. A second run
geocodes ``--n`` texts that are all different (register addresses with stairs and flats),
the worst case for the per-text cache.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Final

import pandas as pd

from geo.geocoder import Geocoder
from tests import osm_register

TARGET_S: Final = 10.0
SHARED: Final = Path(__file__).resolve().parents[2] / "shared" / "data"


def texts(data_dir: Path, *, n: int) -> pd.Series:
    """Return ``n`` perturbed addresses and place names (several seeds, repeated)."""
    addresses, places = osm_register.register_tables(data_dir)
    drawn = [
        osm_register.perturbed(addresses, places, addresses.index, seed=seed, n=400).table["text"]
        for seed in range(8)
    ]
    pool = pd.concat(drawn, ignore_index=True)
    return pd.Series([pool.iloc[i % len(pool)] for i in range(n)], dtype=object)


def distinct_texts(data_dir: Path, *, n: int) -> pd.Series:
    """Return ``n`` different addresses: register addresses with a stair and a flat number."""
    addresses, _ = osm_register.register_tables(data_dir)
    plain = (addresses["street_fi"] + " " + addresses["number"].str.extract(r"^(\d+)")[0]).tolist()
    return pd.Series(
        [
            f"{plain[i % len(plain)]} {'ABCDEFGH'[(i // len(plain)) % 8]} {i // len(plain) // 8 + 1}"
            for i in range(n)
        ],
        dtype=object,
    )


def main() -> None:
    """Time register loading, building and geocoding; print seconds and the ratio to the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    data_dir = Path(os.environ.get("HOTSPOTS_DATA_DIR") or SHARED)
    batch = texts(data_dir, n=args.n)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        register = osm_register.load(data_dir, Path(folder))
        loaded = time.perf_counter()
        geocoder = Geocoder(register)
        built = time.perf_counter()
        found = geocoder.geocode(batch)
        done = time.perf_counter()
    seconds = done - built
    print(f"register: {len(register.addresses)} addresses, {len(register.places)} places")
    print(f"load {loaded - start:.2f} s, build {built - loaded:.2f} s")
    print(f"geocode {len(batch)} texts ({batch.nunique()} distinct): {seconds:.2f} s")
    print(f"ratio to the {TARGET_S:g} s target: {seconds / TARGET_S:.3f} (below 1 meets it)")
    print(found["geocode_quality"].value_counts().to_string())
    unique = distinct_texts(data_dir, n=args.n)
    start = time.perf_counter()
    found = Geocoder(register).geocode(unique)
    seconds = time.perf_counter() - start
    print(f"geocode {len(unique)} distinct addresses with stairs and flats: {seconds:.2f} s")
    print(f"ratio to the {TARGET_S:g} s target: {seconds / TARGET_S:.3f}")
    print(found["geocode_quality"].value_counts().to_string())


if __name__ == "__main__":
    main()
