"""``hotspots geocode INPUT --address-column COL --out OUT``: addresses in a file to coordinates.

The file is read like an import (CSV in any common encoding and delimiter, XLSX, GeoJSON,
GeoPackage, Parquet); the register is the official City of Helsinki one unless
``--register`` (or ``HOTSPOTS_REGISTER``) names a user's file. The output is the input with
``lon, lat, geocode_quality, geocode_match`` added, written as CSV.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from geo import files
from geo.errors import ColumnMappingError
from geo.gazetteer import load_register
from geo.geocoder import QUALITIES, Geocoder
from geo.reading import GEOMETRY_KIND, GEOMETRY_X, GEOMETRY_Y, read_table

#: Columns the command adds (or replaces) in the output.
ADDED_COLUMNS = ("lon", "lat", "geocode_quality", "geocode_match")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``geocode`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("geocode", help="add coordinates to a file of addresses or place names")
    p.add_argument("input", type=Path, help="CSV, XLSX, GeoJSON, GeoPackage or Parquet file")
    p.add_argument("--address-column", required=True, help="the column with addresses or place names")
    p.add_argument(
        "--register", type=Path, help="your own address register (CSV or GeoJSON); default official"
    )
    p.add_argument("--places", type=Path, help="your own place-names file (CSV or GeoJSON)")
    p.add_argument("--out", type=Path, required=True, help="CSV file to write")
    p.set_defaults(func=run)


def _check_column(frame: pd.DataFrame, column: str) -> None:
    if column not in frame.columns:
        raise ColumnMappingError(
            f"--address-column was {column!r} but the file has the columns {list(map(str, frame.columns))}"
        )


def geocode_frame(frame: pd.DataFrame, column: str, geocoder: Geocoder) -> pd.DataFrame:
    """Return ``frame`` with ``ADDED_COLUMNS`` from geocoding ``column`` (the input is not changed).

    Parameters
    ----------
    frame
        Rows with an address column.
    column
        Its name.
    geocoder
        Built on the register to use.

    Returns
    -------
    DataFrame
        A copy of ``frame`` with ``lon, lat, geocode_quality, geocode_match``.
    """
    _check_column(frame, column)
    texts = frame[column].astype(object).where(frame[column].notna(), None)
    found = geocoder.geocode(texts)
    out = frame.drop(columns=[c for c in ADDED_COLUMNS if c in frame.columns])
    return out.assign(**{c: found[c] for c in ADDED_COLUMNS})


def run(args: argparse.Namespace) -> int:
    """Geocode the address column, write the output and print counts by quality."""
    table = read_table(args.input)
    frame = table.frame.drop(columns=[c for c in (GEOMETRY_X, GEOMETRY_Y, GEOMETRY_KIND) if c in table.frame])
    _check_column(frame, args.address_column)  # before the register: a typo costs no download
    geocoder = Geocoder(load_register(args.register, places=args.places))
    out = geocode_frame(frame, args.address_column, geocoder)
    files.write_atomically(args.out, lambda path: out.to_csv(path, index=False))
    counts = out["geocode_quality"].value_counts()
    print(f"rows:       {len(out)}")
    for quality in QUALITIES:
        print(f"  {quality + ':':<14} {int(counts.get(quality, 0)):>8}")
    print(f"written:    {args.out}")
    return 0
