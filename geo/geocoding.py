"""Geocoding inside the import: rows with an address but no coordinates, placed by a register.

``geo.incidents`` reads the positions a file gives; :func:`locate_addresses` places the
rows that give an address instead, through a :class:`~geo.geocoder.Geocoder` built once
per :class:`~geo.gazetteer.Register`. Every row gets a position quality: ``source`` for
coordinates the file gave, else the geocoder's (``exact``, ``interpolated``, ``street``,
``place``, ``intersection``, ``none``). :func:`add_rejects` refuses what cannot be placed:
an address not found (naming the closest register names, so a person can fix the text),
an address found outside Helsinki, or, without a register, an address at all (saying how
to give one).
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import addresstext, opendata, registerlayers, schema, settings
from geo.errors import DataUnavailableError
from geo.gazetteer import Register, load_register
from geo.geocoder import QUALITIES, Geocoder
from geo.rejects import REASONS, Rejects

#: Quality of a row whose coordinates came from the file itself.
SOURCE_QUALITY: Final = schema.SOURCE_QUALITY
#: Every position quality an import reports, best first.
POSITION_QUALITIES: Final = (SOURCE_QUALITY, *QUALITIES)
#: Qualities an accepted incident can have, best first: all but ``none`` (not found, rejected).
PLACED_QUALITIES: Final = tuple(q for q in POSITION_QUALITIES if q != "none")
#: Qualities that place a row only roughly (a street's centre, a place, a corner).
LOW_QUALITIES: Final = ("street", "place", "intersection")
#: How many closest register names a reject for an unknown address names.
CANDIDATES: Final = 3
#: Reason for an address without coordinates when no register is given.
NO_REGISTER_REASON: Final = REASONS["no_register"]


@dataclass(frozen=True)
class AddressPoints:
    """Where each row of a file lies when its address is read.

    Attributes
    ----------
    asked
        Rows that were geocoded: an address and no coordinates.
    x_m, y_m
        EPSG:3067 metres of the rows found; NaN elsewhere.
    quality
        ``POSITION_QUALITIES`` per row: ``source`` where the file gave coordinates.
    match
        The register text each geocoded row matched ('' for the others).
    """

    asked: NDArray[np.bool_]
    x_m: NDArray[np.float64]
    y_m: NDArray[np.float64]
    quality: NDArray[np.object_]
    match: NDArray[np.object_]

    @property
    def found(self) -> NDArray[np.bool_]:
        """Rows the register placed."""
        return self.asked & np.isfinite(self.x_m) & np.isfinite(self.y_m)


def available_register(
    path: str | Path | None = None, *, places: str | Path | None = None
) -> Register | None:
    """Return a user's register (``path``, else ``HOTSPOTS_REGISTER``), else the cached official one.

    Read once per version of its files (``register_version``): callers in one process (the
    CLI's import and naming, the app's sessions) share one copy until a file changes.

    Parameters
    ----------
    path
        A user's addresses file; None for the setting, then the official copy.
    places
        A user's place-names file, read with ``path``.

    Returns
    -------
    Register or None
        None when no user's file is named and no official copy is cached: nothing is
        downloaded here (``hotspots gazetteer fetch`` or ``hotspots geocode`` does that).
        The same object while the files are unchanged; callers must not modify it.
    """
    return _read_register(
        None if path is None else str(path),
        None if places is None else str(places),
        register_version(path, places=places),
    )


@functools.lru_cache(maxsize=4)
def _read_register(path: str | None, places: str | None, version: str) -> Register | None:
    """Read the register; ``version`` (the files' sizes and times) is part of the cache key only."""
    if path is not None or settings.register_path() is not None:
        return load_register(path, places=places)
    try:
        return load_register(download=False)
    except DataUnavailableError:
        return None


def register_version(path: str | Path | None = None, *, places: str | Path | None = None) -> str:
    """Name the register ``available_register(path, places=places)`` would read: files, sizes, times.

    A long-running process keeps a register in memory; when a user replaces the file named
    by ``path`` or ``HOTSPOTS_REGISTER`` or fetches a new official copy, this text changes
    and the register is read again.

    Parameters
    ----------
    path, places
        As for ``available_register``.

    Returns
    -------
    str
        ``"none"`` when there is no register, else one ``path:size:mtime`` per file.
    """
    chosen = Path(path) if path is not None else settings.register_path()
    if chosen is not None:
        located: list[Path | None] = [chosen, *([Path(places)] if places is not None else [])]
    else:
        located = [opendata.locate(registerlayers.ADDRESS_KEY), opendata.locate(registerlayers.PLACE_KEY)]
    files = [file for file in located if file is not None]
    if len(files) < len(located):
        return "none"
    parts = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            parts.append(f"{file}:missing")  # reading it will say what is wrong
            continue
        parts.append(f"{file}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def precise_positions(incidents: pd.DataFrame) -> pd.DataFrame:
    """Return the incidents without those a register placed only roughly (``LOW_QUALITIES``).

    Parameters
    ----------
    incidents
        An imported incident table; without ``geocode_quality`` every row is kept.

    Returns
    -------
    DataFrame
        A new frame of the rows whose position is the source's own, exact or interpolated.
    """
    if "geocode_quality" not in incidents.columns:
        return incidents.copy()
    rough = incidents["geocode_quality"].isin(LOW_QUALITIES).to_numpy(dtype=bool)
    return incidents.loc[~rough].reset_index(drop=True)


@functools.lru_cache(maxsize=2)
def geocoder_for(register: Register) -> Geocoder:
    """Return the geocoder of ``register``, built once per register object.

    Parameters
    ----------
    register
        The addresses and places to look texts up in.

    Returns
    -------
    Geocoder
        Its lookup structures (shared by every import with the same register).
    """
    return Geocoder(register)


def locate_addresses(
    address: pd.Series, has_coordinates: NDArray[np.bool_], register: Register | None
) -> AddressPoints:
    """Geocode the rows that give an address but no coordinates.

    Parameters
    ----------
    address
        The address cell of every row (NA where none).
    has_coordinates
        Rows whose file gives coordinates (or a coordinate cell, even a bad one): not geocoded.
    register
        The register to look addresses up in; None places nothing.

    Returns
    -------
    AddressPoints
        Points, qualities and matched texts per row, in the order of ``address``.
    """
    n = len(address)
    asked = ~np.asarray(has_coordinates, dtype=bool) & address.notna().to_numpy()
    quality = np.where(asked, "none", SOURCE_QUALITY).astype(object)
    quality[~asked & ~np.asarray(has_coordinates, dtype=bool)] = "none"
    points = AddressPoints(
        asked=asked,
        x_m=np.full(n, np.nan),
        y_m=np.full(n, np.nan),
        quality=quality,
        match=np.full(n, "", dtype=object),
    )
    if register is None or not asked.any():
        return points
    found = geocoder_for(register).geocode(address[asked].astype(object).reset_index(drop=True))
    points.x_m[asked] = found["x_m"].to_numpy(dtype="float64")
    points.y_m[asked] = found["y_m"].to_numpy(dtype="float64")
    points.quality[asked] = found["geocode_quality"].to_numpy(dtype=object)
    points.match[asked] = found["geocode_match"].to_numpy(dtype=object)
    return points


def _register_names(register: Register) -> dict[str, str]:
    """Return every street and place name of the register by its folded form."""
    names: dict[str, str] = {}
    frames = ((register.addresses, ("street_fi", "street_sv")), (register.places, ("name_fi", "name_sv")))
    for frame, columns in frames:
        for column in columns:
            for name in pd.unique(frame[column].to_numpy(dtype=object)):
                if isinstance(name, str) and name:
                    names.setdefault(addresstext.fold(name), name)
    return names


@functools.lru_cache(maxsize=2)
def _names_of(register: Register) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the register's folded names and the names as written, in the same order."""
    names = _register_names(register)
    return tuple(names), tuple(names.values())


def closest_names(text: str, register: Register, *, limit: int = CANDIDATES) -> list[str]:
    """Return the register's street and place names most like the name in ``text``.

    Parameters
    ----------
    text
        An address or place name that the register did not match.
    register
        The register to search.
    limit
        At most this many names.

    Returns
    -------
    list of str
        Names as the register writes them, most similar first; empty when none is close.
    """
    remaining, _postcode = addresstext.strip_city_and_postcode(addresstext.fold(text))
    street, _number = addresstext.split_street_and_number(remaining)
    folded, written = _names_of(register)
    close = difflib.get_close_matches(street, folded, n=limit, cutoff=0.6)
    positions = {name: i for i, name in enumerate(folded)}
    return [written[positions[name]] for name in close]


def _closest(address: pd.Series, missed: NDArray[np.bool_], register: Register) -> NDArray[np.object_]:
    """Return the closest register names per missed row ("" where none is close)."""
    closest = np.full(len(address), "", dtype=object)
    texts = address.astype(object).to_numpy()
    for i in np.flatnonzero(missed):
        closest[i] = ", ".join(closest_names(str(texts[i]), register))
    return closest


def add_rejects(
    rejects: Rejects,
    live: NDArray[np.bool_],
    points: AddressPoints,
    *,
    address: pd.Series,
    column: str | None,
    in_helsinki: NDArray[np.bool_],
    register: Register | None,
) -> NDArray[np.bool_]:
    """Refuse the rows an address could not place; return the rows that gave only an address.

    Parameters
    ----------
    rejects
        Where reject lines are collected.
    live
        Rows still in play (exact duplicates are not).
    points
        What :func:`locate_addresses` found.
    address, column
        The address cells and the column they came from.
    in_helsinki
        Rows whose (geocoded) point lies in one of Helsinki's districts.
    register
        The register used; None refuses every address-only row, saying how to geocode it.

    Returns
    -------
    ndarray of bool
        The rows that gave an address and no coordinates (their position checks are done here).
    """
    asked = live & points.asked
    if register is None:
        rejects.add(asked, "address", column, address, "no_register")
        return asked
    missed = asked & ~points.found
    names = _closest(address, missed, register)
    close = names != ""
    rejects.add(missed & close, "address", column, address, "address_not_found", names=names)
    rejects.add(missed & ~close, "address", column, address, "address_not_close")
    outside = asked & points.found & ~in_helsinki
    matched = pd.Series(points.match, dtype=object)
    rejects.add(outside, "address", column, address, "address_outside", match=matched)
    return asked


def quality_counts(points: AddressPoints, accepted: NDArray[np.bool_]) -> tuple[tuple[str, int], ...]:
    """Count rows by position quality: the accepted ones, and the addresses not found.

    Parameters
    ----------
    points
        What :func:`locate_addresses` found.
    accepted
        Rows the import accepted.

    Returns
    -------
    tuple of (str, int)
        ``(quality, rows)`` pairs in ``POSITION_QUALITIES`` order, qualities without rows
        left out; ``none`` counts the geocoded rows whose address was not found. Pairs, not
        a mapping proxy: the report is pickled by the app's cache.
    """
    counts = {q: int((accepted & (points.quality == q)).sum()) for q in PLACED_QUALITIES}
    counts["none"] = int((points.asked & ~points.found).sum())
    return tuple((q, c) for q, c in counts.items() if c)
