"""The gazetteer: the address register and the place names a geocoder looks things up in.

A :class:`Register` holds two tables in EPSG:3067 metres: ``addresses`` (Finnish and
Swedish street names, the house number as written, postcode) and ``places`` (Finnish and
Swedish names and a kind). :func:`read_register` reads a user's copy (CSV or GeoJSON in
lon/lat); :func:`load_register` reads the official City of Helsinki copy, downloaded once
by ``geo.registerlayers`` into the cache, unless ``HOTSPOTS_REGISTER`` or a path names a
user's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import crs, registerlayers, settings
from geo.errors import InputFormatError

#: Columns of a register file of addresses (names may be empty, not both).
ADDRESS_FILE_COLUMNS: Final = ("street_fi", "street_sv", "number", "postcode", "lon", "lat")
#: Columns of a register file of place names.
PLACE_FILE_COLUMNS: Final = ("name_fi", "name_sv", "kind", "lon", "lat")
#: Columns of ``Register.addresses``.
ADDRESS_COLUMNS: Final = ("street_fi", "street_sv", "number", "postcode", "x_m", "y_m")
#: Columns of ``Register.places``.
PLACE_COLUMNS: Final = ("name_fi", "name_sv", "kind", "x_m", "y_m")
#: Longitudes and latitudes a Finnish register may hold (checked per row).
_LON_RANGE: Final = (19.0, 32.0)
_LAT_RANGE: Final = (59.0, 70.5)


@dataclass(frozen=True, eq=False)
class Register:
    """Addresses and place names in EPSG:3067 metres.

    Attributes
    ----------
    addresses
        ``ADDRESS_COLUMNS``: ``street_fi``, ``street_sv`` (either may be empty), ``number``
        as written (``"5"``, ``"5a"``, ``"5-7"``), ``postcode`` (may be empty), ``x_m``, ``y_m``.
    places
        ``PLACE_COLUMNS``: ``name_fi``, ``name_sv``, ``kind``, ``x_m``, ``y_m``.
    """

    addresses: pd.DataFrame
    places: pd.DataFrame


def _read_file(path: Path, columns: tuple[str, ...], *, what: str) -> pd.DataFrame:
    """Read a CSV or GeoJSON register file as text cells, with lon/lat from a point geometry."""
    if not path.is_file():
        raise InputFormatError(f"{what} file {path} does not exist; give the path of a CSV or GeoJSON file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    elif suffix in (".geojson", ".json"):
        gdf = gpd.read_file(path)
        frame = pd.DataFrame(gdf.drop(columns="geometry")).astype(object).where(gdf.notna(), "")
        if "lon" not in frame and "geometry" in gdf:
            points = gdf.geometry.to_crs(crs.WGS84) if gdf.crs is not None else gdf.geometry
            frame["lon"], frame["lat"] = points.x.astype(str), points.y.astype(str)
        frame = frame.astype(str)
    else:
        raise InputFormatError(f"{what} file {path} has suffix {suffix!r}; expected .csv or .geojson")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFormatError(
            f"{what} file {path} lacks the columns {missing}; expected {list(columns)} "
            f"(found {list(frame.columns)})"
        )
    return frame[list(columns)].apply(lambda column: column.str.strip())


def _metres(frame: pd.DataFrame, path: Path, *, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Return EPSG:3067 metres of the ``lon``/``lat`` columns; a bad cell names file, row and column."""
    values = {}
    for column, (low, high) in (("lon", _LON_RANGE), ("lat", _LAT_RANGE)):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = numbers.isna() | (numbers < low) | (numbers > high)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputFormatError(
                f"{what} file {path}, row {row + 2}, column {column!r}: {frame[column].iloc[row]!r} is not "
                f"a {column} in Finland ({low}..{high} degrees, EPSG:4326); fix or remove the row"
            )
        values[column] = numbers.to_numpy(dtype="float64")
    return crs.to_metric(values["lon"], values["lat"], src=crs.WGS84)


def _first_blank_row(frame: pd.DataFrame, columns: list[str]) -> int | None:
    """Return the position of the first row whose ``columns`` are all empty, or None."""
    blank = (frame[columns] == "").all(axis=1).to_numpy()
    return int(np.flatnonzero(blank)[0]) if blank.any() else None


def read_addresses(path: str | Path) -> pd.DataFrame:
    """Read a register file of addresses into ``ADDRESS_COLUMNS``.

    Parameters
    ----------
    path
        CSV or GeoJSON with ``street_fi, street_sv, number, postcode, lon, lat``.

    Returns
    -------
    DataFrame
        The addresses in EPSG:3067 metres, numbers and postcodes as text.

    Raises
    ------
    InputFormatError
        For a missing file or column, a row without a street name or number, or a
        coordinate outside Finland; the message names file, row and column.
    """
    path = Path(path)
    frame = _read_file(path, ADDRESS_FILE_COLUMNS, what="address register")
    for columns, need in ((["street_fi", "street_sv"], "a street name"), (["number"], "a house number")):
        row = _first_blank_row(frame, columns)
        if row is not None:
            raise InputFormatError(
                f"address register file {path}, row {row + 2}, columns {columns}: empty; every address "
                f"needs {need}"
            )
    x_m, y_m = _metres(frame, path, what="address register")
    out = frame[["street_fi", "street_sv", "number", "postcode"]].reset_index(drop=True)
    out["x_m"], out["y_m"] = x_m, y_m
    return out


def read_places(path: str | Path) -> pd.DataFrame:
    """Read a register file of place names into ``PLACE_COLUMNS``.

    Parameters
    ----------
    path
        CSV or GeoJSON with ``name_fi, name_sv, kind, lon, lat``.

    Returns
    -------
    DataFrame
        The places in EPSG:3067 metres.

    Raises
    ------
    InputFormatError
        For a missing file or column, a row without a name, or a coordinate outside
        Finland; the message names file, row and column.
    """
    path = Path(path)
    frame = _read_file(path, PLACE_FILE_COLUMNS, what="place register")
    row = _first_blank_row(frame, ["name_fi", "name_sv"])
    if row is not None:
        raise InputFormatError(
            f"place register file {path}, row {row + 2}, columns ['name_fi', 'name_sv']: empty; "
            "every place needs a name"
        )
    x_m, y_m = _metres(frame, path, what="place register")
    out = frame[["name_fi", "name_sv", "kind"]].reset_index(drop=True)
    out["x_m"], out["y_m"] = x_m, y_m
    return out


def empty_places() -> pd.DataFrame:
    """Return a places table without rows (a register without place names).

    Returns
    -------
    DataFrame
        Empty, with ``PLACE_COLUMNS``.
    """
    return pd.DataFrame(
        {c: pd.Series(dtype="float64" if c.endswith("_m") else object) for c in PLACE_COLUMNS}
    )


def read_register(path: str | Path, *, places: str | Path | None = None) -> Register:
    """Read a user's register: an addresses file and, optionally, a place-names file.

    Parameters
    ----------
    path
        Addresses, CSV or GeoJSON (see :func:`read_addresses`).
    places
        Place names, CSV or GeoJSON (see :func:`read_places`); none when omitted.

    Returns
    -------
    Register
        The addresses and places in EPSG:3067 metres.
    """
    return Register(read_addresses(path), read_places(places) if places is not None else empty_places())


def load_register(
    path: str | Path | None = None, *, places: str | Path | None = None, download: bool = True
) -> Register:
    """Return the register a geocoder should use: a user's file, else the official copy.

    Parameters
    ----------
    path
        A user's addresses file; when None, ``HOTSPOTS_REGISTER`` if set.
    places
        A user's place-names file (used with a user's addresses file).
    download
        Download the official layers when no local copy exists.

    Returns
    -------
    Register
        The user's register, or the City of Helsinki address register and place names.

    Raises
    ------
    DataUnavailableError
        When the official copy is needed but neither cached nor downloadable.
    """
    chosen = path if path is not None else settings.register_path()
    if chosen is not None:
        return read_register(chosen, places=places)
    addresses, place_names = registerlayers.require_register(download=download)
    return read_register(addresses, places=places if places is not None else place_names)
