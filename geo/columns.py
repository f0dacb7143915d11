"""Which column is which: a partner's column names to the canonical fields.

Exports arrive with Finnish, Swedish or English headers (``'Tapahtuma-aika'``,
``'Tidpunkt'``, ``'occurred_at'``). ``detect_columns`` matches them to ``FIELDS`` by name;
an explicit ``mapping`` ``{field: column}`` wins over detection. ``match_columns`` then
settles what the names leave open, for one file: a full timestamp or a date + clock-time
pair, which coordinates to use (a point geometry, lon/lat or x/y columns, or only an
address), and whether every required field has a column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import pandas as pd

from geo import crs, reading
from geo.categories import normalise_label
from geo.errors import ColumnMappingError
from geo.timeparse import looks_like_time_of_day

#: Fields a column can be mapped to (``mapping={'field': 'column'}``).
FIELDS: Final = (
    "id",
    "occurred_at",
    "date",
    "time",
    "category",
    "category_raw",
    "source",
    "severity",
    "description",
    "lon",
    "lat",
    "x",
    "y",
    "address",
    "synthetic",
)
# Column names (normalised: lower case, no diacritics, words separated by one space) that
# name a field outright. Single words also match as a word of a longer name
# ('Tapahtuman kuvaus' -> description) when no column matches outright.
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "id": (
        "id",
        "tunnus",
        "tunniste",
        "arende",
        "arendenummer",
        "arendenr",
        "case",
        "case id",
        "case number",
        "incident id",
        "tapausnumero",
        "tapaus id",
        "diaarinumero",
        "diarienummer",
        "ilmoitusnumero",
        "record id",
        "uid",
    ),
    "occurred_at": (
        "occurred at",
        "occurred",
        "datetime",
        "date time",
        "date and time",
        "timestamp",
        "aika",
        "tapahtuma aika",
        "tapahtumaaika",
        "ajankohta",
        "tapahtumahetki",
        "aikaleima",
        "pvm klo",
        "pvm ja klo",
        "tidpunkt",
        "handelsetid",
        "datum och tid",
        "tid",
        "time",
    ),
    "date": (
        "date",
        "pvm",
        "paivamaara",
        "paiva",
        "tapahtumapaiva",
        "tapahtumapvm",
        "datum",
        "dag",
        "day",
    ),
    "time": ("klo", "kello", "kellonaika", "klockslag", "kl", "time of day", "clock"),
    "category": (
        "category",
        "luokka",
        "rikosnimike",
        "nimike",
        "kategoria",
        "kategori",
        "type",
        "tyyppi",
        "typ",
        "incident type",
        "tapahtumatyyppi",
        "ilmoitustyyppi",
        "rikoslaji",
        "brottstyp",
        "offence",
        "offense",
    ),
    "category_raw": ("category raw",),
    "source": (
        "source",
        "lahde",
        "tietolahde",
        "kalla",
        "ilmoittaja",
        "anmalare",
        "reporter",
        "reported by",
        "partner",
    ),
    "severity": ("severity", "vakavuus", "vakavuusaste", "allvarlighet", "allvarlighetsgrad"),
    "description": (
        "description",
        "kuvaus",
        "beskrivning",
        "notes",
        "note",
        "huomiot",
        "lisatiedot",
        "anteckningar",
        "kommentti",
        "comment",
        "comments",
        "selite",
        "details",
    ),
    "lon": ("lon", "long", "longitude", "lng", "pituusaste", "pituus", "langdgrad"),
    "lat": ("lat", "latitude", "leveysaste", "leveys", "breddgrad"),
    "x": (
        "x",
        "e",
        "ita",
        "easting",
        "ost",
        "east",
        "x koordinaatti",
        "koordinaatti x",
        "itakoordinaatti",
        "x coord",
        "xcoord",
        "x coordinate",
    ),
    "y": (
        "y",
        "n",
        "pohjoinen",
        "northing",
        "nord",
        "north",
        "y koordinaatti",
        "koordinaatti y",
        "pohjoiskoordinaatti",
        "y coord",
        "ycoord",
        "y coordinate",
    ),
    "address": ("address", "osoite", "katuosoite", "lahiosoite", "adress", "gatuadress", "street address"),
    "synthetic": ("synthetic", "synteettinen", "syntetisk"),
}
_REQUIRED_HELP: Final = {
    "occurred_at": "a date/time column (e.g. 'aika', 'pvm' + 'klo', 'datum', 'occurred_at')",
    "category": "a category column (e.g. 'luokka', 'rikosnimike', 'kategori', 'category')",
    "location": "coordinates ('lon'/'lat', 'x'/'y', a point geometry) or an address column",
}


@dataclass(frozen=True)
class CoordinateColumns:
    """Where the positions of a file's rows come from and how to read them.

    Attributes
    ----------
    kind
        ``'geometry'`` (the file's point geometry), ``'lonlat'``, ``'xy'`` or ``'none'``
        (an address column only).
    first, second
        Columns of the easting/longitude and the northing/latitude; None for
        ``'geometry'`` and ``'none'``.
    """

    kind: str
    first: str | None
    second: str | None


@dataclass(frozen=True)
class ColumnMatch:
    """Which column of one file holds which field, and where its positions come from.

    Attributes
    ----------
    mapping
        ``{field: column}`` of every field used, in the order it was settled (the
        import report's ``column_mapping``); ``'geometry'`` when the positions are the
        file's point geometry.
    coordinates
        The columns the positions are read from.
    notes
        What a person should know about the choice (e.g. both lon/lat and x/y present).
    """

    mapping: Mapping[str, str]
    coordinates: CoordinateColumns
    notes: tuple[str, ...]


def _candidates(columns: Sequence[str], name: str, exact: bool) -> list[str]:
    """Columns named ``name`` outright (``exact``), or having one of its one-word aliases as a word."""
    aliases = _ALIASES[name]
    words = {alias for alias in aliases if " " not in alias}
    out = []
    for column in columns:
        key = normalise_label(column)
        if exact:
            if key in aliases:
                out.append(column)
        elif key not in aliases and words & set(key.split()):
            out.append(column)
    return out


def _ambiguous(name: str, found: Sequence[str]) -> ColumnMappingError:
    listed = ", ".join(repr(c) for c in found)
    return ColumnMappingError(
        f"several columns could be {name!r}: {listed}; map the right one to {name!r} "
        f"(mapping={{{name!r}: 'column'}})",
        code="column_ambiguous",
        field=name,
        columns=list(found),
    )


def detect_columns(columns: Sequence[str], mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """Match source columns to fields by their Finnish, Swedish or English names.

    A column whose whole name is an alias wins; otherwise a column with an alias as one
    word of its name. ``mapping`` is taken as given and its columns are not matched again.

    Parameters
    ----------
    columns
        Column names of the file.
    mapping
        ``{field: column}`` overrides (fields from ``FIELDS``).

    Returns
    -------
    dict
        ``{field: column}`` for every field found.

    Raises
    ------
    ColumnMappingError
        Two candidate columns for one field, an unknown field or a missing column in
        ``mapping``; the message lists the candidates or the columns and shows the fix.
    """
    columns = [str(c) for c in columns]
    found = dict(_check_mapping(columns, mapping or {}))
    claimed = set(found.values())
    free = [c for c in columns if c not in claimed]
    exact = {name: _candidates(free, name, exact=True) for name in _ALIASES if name not in found}
    taken = {c for hits in exact.values() for c in hits}
    for name, hits in exact.items():
        if not hits:
            hits = _candidates([c for c in free if c not in taken], name, exact=False)
        if len(hits) > 1:
            raise _ambiguous(name, hits)
        if hits:
            found[name] = hits[0]
    used: dict[str, str] = {}
    for name, column in found.items():
        if column in used:
            raise ColumnMappingError(
                f"column {column!r} matches both {used[column]!r} and {name!r}; map another column "
                f"to {name!r} (mapping={{{name!r}: 'column'}})",
                code="column_twice",
                column=column,
                fields=[used[column], name],
            )
        used[column] = name
    return found


def _check_mapping(columns: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, column in mapping.items():
        if name not in FIELDS:
            raise ColumnMappingError(
                f"mapping names the field {name!r}, which is not one of {list(FIELDS)}; "
                "the keys of mapping are fields, the values columns of the file"
            )
        if column not in columns:
            raise ColumnMappingError(
                f"mapping={{{name!r}: {column!r}}} names a column the file does not have; "
                f"its columns are {list(columns)}"
            )
        out[name] = column
    return out


def _resolve_time_fields(found: dict[str, str], frame: pd.DataFrame, explicit: Mapping[str, str]) -> None:
    """Settle occurred_at versus a separate date + clock-time pair (in place on ``found``)."""
    if "occurred_at" in explicit:
        # An explicit full timestamp makes detected date/clock columns redundant.
        for name in ("date", "time"):
            if name not in explicit:
                found.pop(name, None)
    if "occurred_at" in found and "date" in found:
        if "time" not in found and looks_like_time_of_day(frame[found["occurred_at"]]):
            # 'pvm' + 'aika' where 'aika' holds clock times only: a date/time pair.
            found["time"] = found.pop("occurred_at")
        else:
            raise _ambiguous("occurred_at", [found["occurred_at"], found["date"]])
    if "time" in found and "date" not in found:
        # A clock column beside a full timestamp adds nothing; leave it unused.
        found.pop("time")


def _choose_coordinates(
    found: dict[str, str],
    raw: reading.RawTable,
    explicit: Mapping[str, str],
    crs_given: str | None,
    notes: list[str],
) -> CoordinateColumns:
    """Where positions come from: the geometry, lon/lat columns, x/y columns, or none (address)."""
    explicit_coords = any(name in explicit for name in ("lon", "lat", "x", "y"))
    if raw.has_geometry and not explicit_coords:
        for name in ("lon", "lat", "x", "y"):
            found.pop(name, None)
        found["geometry"] = "geometry"
        return CoordinateColumns("geometry", None, None)
    for a, b in (("lon", "lat"), ("x", "y")):
        if (a in found) != (b in found):
            have, lack = (a, b) if a in found else (b, a)
            raise ColumnMappingError(
                f"found the {have!r} column {found[have]!r} but no {lack!r} column; map a column "
                f"to {lack!r} (mapping={{{lack!r}: 'column'}})",
                code="coordinate_pair",
                field=have,
                column=found[have],
                missing=lack,
            )
    lonlat, xy = "lon" in found, "x" in found
    if lonlat and xy:
        # Both pairs: lon/lat unless a metric CRS was given for the x/y pair.
        metric = crs_given is not None and crs_given != crs.WGS84
        drop, keep = (("lon", "lat"), ("x", "y")) if metric else (("x", "y"), ("lon", "lat"))
        notes.append(
            f"both {found['lon']!r}/{found['lat']!r} and {found['x']!r}/{found['y']!r} present; "
            f"used {found[keep[0]]!r}/{found[keep[1]]!r}"
        )
        for name in drop:
            found.pop(name)
        lonlat = not metric
    if lonlat:
        return CoordinateColumns("lonlat", found["lon"], found["lat"])
    if xy:
        return CoordinateColumns("xy", found["x"], found["y"])
    return CoordinateColumns("none", None, None)  # _require made sure an address column exists


def _require(found: Mapping[str, str], raw: reading.RawTable, name: str, columns: Sequence[str]) -> None:
    """Raise one error naming every required field that no column holds, with the fix."""
    has_location = raw.has_geometry or any(f in found for f in ("lon", "lat", "x", "y", "address"))
    missing = {
        "occurred_at": "occurred_at" not in found and "date" not in found,
        "category": "category" not in found and "category_raw" not in found,
        "location": not has_location,
    }
    lacking = [field_name for field_name, absent in missing.items() if absent]
    if not lacking:
        return
    needs = "; ".join(_REQUIRED_HELP[field_name] for field_name in lacking)
    keys = [key for f in lacking for key in (("lon", "lat") if f == "location" else (f,))]
    example = ", ".join(f"{key!r}: 'column'" for key in keys)
    raise ColumnMappingError(
        f"{name}: no column found for {', '.join(lacking)} — needs {needs}. The columns are "
        f"{list(columns)}. Map a column to each field (mapping={{{example}}})",
        code="columns_missing",
        fields=lacking,
        columns=list(columns),
    )


def data_columns(raw: reading.RawTable) -> list[str]:
    """Return the names of the file's own columns (without the reader's geometry columns).

    Parameters
    ----------
    raw
        The file as read.

    Returns
    -------
    list of str
        Column names, as text, in file order.
    """
    internal = {reading.GEOMETRY_X, reading.GEOMETRY_Y, reading.GEOMETRY_KIND}
    return [str(c) for c in raw.frame.columns if c not in internal]


def match_columns(
    raw: reading.RawTable,
    *,
    name: str,
    mapping: Mapping[str, str] | None = None,
    crs_given: str | None = None,
) -> ColumnMatch:
    """Match the columns of one file to fields and settle where its positions come from.

    Parameters
    ----------
    raw
        The file as read (``geo.reading``).
    name
        The file's name, for messages.
    mapping
        ``{field: column}`` overrides (fields from ``FIELDS``).
    crs_given
        The CRS given for the coordinates (``'EPSG:n'``), if any: with both lon/lat and
        x/y columns present, a metric CRS picks the x/y pair.

    Returns
    -------
    ColumnMatch
        The columns used per field, the coordinate columns and notes on the choice.

    Raises
    ------
    ColumnMappingError
        Ambiguous or missing columns, or a mapping naming an unknown field or column;
        the message names the columns and shows the fix.
    """
    columns = data_columns(raw)
    explicit = dict(mapping or {})
    found = detect_columns(columns, explicit)
    _resolve_time_fields(found, raw.frame, explicit)
    _require(found, raw, name, columns)
    notes: list[str] = []
    coordinates = _choose_coordinates(found, raw, explicit, crs_given, notes)
    return ColumnMatch(MappingProxyType(found), coordinates, tuple(notes))
