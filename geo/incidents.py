"""Incident import: a partner's file (or a DataFrame) to the canonical incident table.

``import_incidents`` reads the file (``geo.reading``), finds which column is which
(Finnish, Swedish or English names, or an explicit ``mapping``), parses times
(``geo.timeparse``), labels (``geo.categories``) and coordinates (decimal commas too),
settles the CRS (explicit, named by the columns, declared by a geometry file or guessed
from the numbers, with swapped GK25 axes detected), projects to EPSG:3067 and tags each
incident with its district. Nothing is dropped silently: every refused row is in
``ImportResult.rejects`` with its row number, the field, the value and the reason.

Row numbers are what a person sees: in CSV and XLSX the spreadsheet row (the header is row
1, the first data row 2); in GeoJSON, GeoPackage, Parquet and DataFrames the feature or
record number from 1.

Rules, in the order they apply:

- an exact duplicate (same id and same content as an earlier row) is counted in
  ``duplicates_in_file`` and skipped, not rejected;
- a later row with an earlier row's id but different content is rejected; the first wins;
- a row is rejected for a missing or unparseable coordinate, an address without
  coordinates (geocoding is not available here), a point outside Helsinki, a missing or
  unparseable date, a severity that is not a whole number 1-5 — one reject line per field,
  the row counted once;
- an unknown category label becomes ``other`` (the label kept in ``category_raw``), an
  unknown source ``other``; both are counted in the report.

Ids come from the source's id column; where there is none (or a cell is blank) the id is
the first 16 hex digits of the SHA-1 of the row's normalised content: the time in UTC
ISO 8601, the category label, x/y in EPSG:3067 rounded to 0.1 m, the canonical source and
the description. Importing the same data again, in any format or CRS, gives the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from geo import crs as crs_mod
from geo import districts, files, reading, schema, settings
from geo.categories import map_categories, map_sources, normalise_label
from geo.errors import ColumnMappingError, ParameterError
from geo.spreadsheet import neutralise_frame
from geo.timeparse import (
    arrow_text,
    combine_date_time,
    looks_like_time_of_day,
    parse_timestamps,
    strip_text,
)

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
#: CRS accepted for ``crs=``.
CRS_CHOICES: Final = (crs_mod.GK25, crs_mod.METRIC, crs_mod.WGS84)
#: Columns of ``ImportResult.rejects``.
REJECT_COLUMNS: Final = ("row", "id", "field", "column", "value", "reason")

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
_TRUE_WORDS: Final = ("true", "1", "yes", "y", "kylla", "k", "tosi", "ja", "sant", "x", "t")
_DATE_HELP: Final = "expected e.g. 28.4.2026 14.30, 28.4.2026 klo 14:30 or 2026-04-28T14:30"
_HASH_SEPARATOR: Final = "\x1f"
_NUMBER_RE2: Final = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


@dataclass(frozen=True)
class ImportReport:
    """What an import did, in counts and notes (all counts are rows of the file).

    ``rows_read == accepted + rejected + duplicates_in_file``. Counts of unknown labels,
    daylight-saving adjustments and date-only times are over the accepted rows.
    """

    file_name: str
    file_format: str
    rows_read: int
    accepted: int
    rejected: int
    duplicates_in_file: int
    unknown_categories: int
    unknown_category_labels: tuple[str, ...]
    unknown_sources: int
    unknown_source_labels: tuple[str, ...]
    crs: str
    crs_guessed: bool
    crs_reason: str
    axes_swapped: bool
    column_mapping: Mapping[str, str]
    dst_nonexistent: int
    dst_ambiguous: int
    date_only: int
    encoding: str | None
    delimiter: str | None
    decimal_comma: bool
    read_notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dst_adjusted(self) -> int:
        """Accepted rows whose naive time met a daylight-saving edge."""
        return self.dst_nonexistent + self.dst_ambiguous

    def notes(self) -> tuple[str, ...]:
        """Human-readable lines: how the file was read, the CRS, adjustments, unknown labels."""
        lines = list(self.read_notes)
        mapping = ", ".join(f"{name} <- {column!r}" for name, column in self.column_mapping.items())
        lines.append(f"columns: {mapping}")
        guessed = "guessed" if self.crs_guessed else "used"
        lines.append(f"CRS {guessed}: {self.crs} ({self.crs_reason})")
        if self.axes_swapped:
            lines.append(
                "x/y axes were swapped in the file (x held northings, the geodetic convention); "
                "read them the other way round"
            )
        if self.decimal_comma:
            lines.append("decimal commas read in numeric columns")
        if self.dst_nonexistent:
            lines.append(
                f"{self.dst_nonexistent} times fell in the spring-forward gap and were moved "
                "one hour forward (read as +02:00)"
            )
        if self.dst_ambiguous:
            lines.append(
                f"{self.dst_ambiguous} times fell in the repeated autumn hour and were read as "
                "the first (summer time, +03:00) occurrence"
            )
        if self.date_only:
            lines.append(f"{self.date_only} rows had a date without a time; midnight assumed")
        if self.unknown_categories:
            labels = ", ".join(repr(label) for label in self.unknown_category_labels[:10])
            lines.append(
                f"{self.unknown_categories} rows with unknown category labels filed as 'other': {labels}"
            )
        if self.unknown_sources:
            labels = ", ".join(repr(label) for label in self.unknown_source_labels[:10])
            lines.append(f"{self.unknown_sources} rows with unknown source labels filed as 'other': {labels}")
        return tuple(lines)


@dataclass(frozen=True)
class ImportResult:
    """The canonical incidents, the refused rows and the report of one import."""

    incidents: pd.DataFrame
    rejects: pd.DataFrame
    report: ImportReport


@dataclass(frozen=True)
class _Coordinates:
    """Where the positions come from and how to read them."""

    kind: str  # "geometry", "lonlat", "xy" or "none" (an address column only)
    first: str | None  # column of the easting/longitude (None for geometry)
    second: str | None


# --------------------------------------------------------------------------- columns


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
        f"several columns could be {name!r}: {listed}; say which one with "
        f"mapping={{{name!r}: 'column'}} (CLI: --map 'COLUMN={name}')"
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
                f"column {column!r} matches both {used[column]!r} and {name!r}; say which with "
                f"mapping={{{name!r}: 'column'}} (CLI: --map 'COLUMN={name}')"
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
) -> _Coordinates:
    """Where positions come from: the geometry, lon/lat columns, x/y columns, or none (address)."""
    explicit_coords = any(name in explicit for name in ("lon", "lat", "x", "y"))
    if raw.has_geometry and not explicit_coords:
        for name in ("lon", "lat", "x", "y"):
            found.pop(name, None)
        found["geometry"] = "geometry"
        return _Coordinates("geometry", None, None)
    for a, b in (("lon", "lat"), ("x", "y")):
        if (a in found) != (b in found):
            have, lack = (a, b) if a in found else (b, a)
            raise ColumnMappingError(
                f"found the {have!r} column {found[have]!r} but no {lack!r} column; name it with "
                f"mapping={{{lack!r}: 'column'}} (CLI: --map 'COLUMN={lack}')"
            )
    lonlat, xy = "lon" in found, "x" in found
    if lonlat and xy:
        # Both pairs: lon/lat unless a metric CRS was given for the x/y pair.
        metric = crs_given is not None and crs_given != crs_mod.WGS84
        drop, keep = (("lon", "lat"), ("x", "y")) if metric else (("x", "y"), ("lon", "lat"))
        notes.append(
            f"both {found['lon']!r}/{found['lat']!r} and {found['x']!r}/{found['y']!r} present; "
            f"used {found[keep[0]]!r}/{found[keep[1]]!r}"
        )
        for name in drop:
            found.pop(name)
        lonlat = not metric
    if lonlat:
        return _Coordinates("lonlat", found["lon"], found["lat"])
    if xy:
        return _Coordinates("xy", found["x"], found["y"])
    return _Coordinates("none", None, None)  # _require made sure an address column exists


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
        f"{list(columns)}. Name them with mapping={{{example}}} (CLI: --map 'COLUMN=FIELD')"
    )


# --------------------------------------------------------------------------- values


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped ``string``; blank = NA. Integral floats print without '.0'."""
    if pd.api.types.is_float_dtype(values.dtype):
        finite = values.dropna()
        if len(finite) and bool((finite == np.floor(finite)).all()) and bool((finite.abs() < 1e15).all()):
            values = values.astype("Int64")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        text = values.map(lambda v: v.isoformat(), na_action="ignore").astype("string")
    else:
        text = strip_text(values)
    return text.mask(text == "")


def _numbers(values: pd.Series) -> tuple[NDArray[np.float64], NDArray[np.bool_], bool]:
    """Floats, the mask of present-but-unparseable cells, and whether decimal commas were read.

    Text is cleaned of spaces (thousands separators) and read with either decimal mark:
    ``'60,1699'`` and ``'6.672.123,45'`` use the comma, ``'6,672,123.45'`` groups thousands.
    Arrow's string kernels do the work (a 100k-row column in a few milliseconds).
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        out = values.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(out) & ~np.isnan(out)
        return np.where(bad, np.nan, out), bad, False
    text = pc.utf8_trim_whitespace(arrow_text(_text(values)))
    text = pc.replace_substring_regex(text, "[\\s\\x{00a0}\\x{202f}']", "")
    text = pc.replace_substring(text, "\u2212", "-")
    present = _mask(pc.greater(pc.utf8_length(text), 0))
    comma = pc.fill_null(pc.match_substring(text, ","), False)
    comma_last = pc.fill_null(pc.match_substring_regex(text, ",[^.]*$"), False)
    as_decimal = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    as_grouped = pc.replace_substring(text, ",", "")
    text = pc.if_else(comma, pc.if_else(comma_last, as_decimal, as_grouped), text)
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER_RE2), False)
    parsed = pc.cast(pc.if_else(ok, text, None), pa.float64()).to_numpy(zero_copy_only=False)
    bad = present & ~np.isfinite(parsed)
    parsed = np.where(bad, np.nan, parsed)
    decimal = _mask(pc.and_(comma, comma_last))
    return parsed, bad, bool((decimal & ~bad).any())


def _mask(values: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """Return an Arrow boolean array as a numpy mask (null = False)."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _flags(values: pd.Series) -> NDArray[np.bool_]:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).to_numpy(dtype=bool)
    # Each distinct word is folded once (a column holds a handful of them).
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    true = np.asarray([normalise_label(word) in _TRUE_WORDS for word in uniques], dtype=bool)
    return np.where(codes >= 0, true[np.maximum(codes, 0)] if true.size else False, False)


def _crs_arg(value: str | int | None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        code = crs_mod.normalise_crs(value)
    except ValueError:
        code = str(value)
    if code not in CRS_CHOICES:
        raise ParameterError(
            f"crs was {value!r} but is expected to be one of 3879 (ETRS-GK25), 3067 (ETRS-TM35FIN) "
            "or 4326 (WGS84 lon/lat)"
        )
    return code


def _swapped(first: NDArray[np.float64], second: NDArray[np.float64], target: str) -> bool:
    """Return True when the numbers fit ``target`` only read the other way round."""
    if target not in CRS_CHOICES:
        return False
    return crs_mod.guess_crs(first, second) != target and crs_mod.guess_crs(second, first) == target


def _sample(first: NDArray[np.float64], second: NDArray[np.float64]) -> str:
    """'e.g. 25496123.45 / 6672213.06' from the first finite pair, for messages."""
    ok = np.isfinite(first) & np.isfinite(second)
    if not ok.any():
        return "no numeric pairs"
    i = int(np.flatnonzero(ok)[0])
    return f"e.g. {first[i]:.10g} / {second[i]:.10g}"


# --------------------------------------------------------------------------- rejects


class _Rejects:
    """Collects reject lines as arrays, one block per check."""

    def __init__(self, row_numbers: NDArray[np.int64], ids: pd.Series) -> None:
        self._rows = row_numbers
        self._ids = ids.astype(object).to_numpy()
        self._blocks: list[pd.DataFrame] = []
        self.rows = np.zeros(len(row_numbers), dtype=bool)

    def add(
        self,
        mask: NDArray[np.bool_],
        field_name: str,
        column: str | None,
        values: pd.Series | NDArray[np.object_] | str,
        reason: pd.Series | NDArray[np.object_] | str,
    ) -> None:
        idx = np.flatnonzero(mask)
        if not idx.size:
            return

        def pick(v: pd.Series | NDArray[np.object_] | str) -> NDArray[np.object_]:
            if isinstance(v, str):
                return np.full(idx.size, v, dtype=object)
            arr = v.astype(object).to_numpy() if isinstance(v, pd.Series) else v
            return np.asarray(arr, dtype=object)[idx]

        self._blocks.append(
            pd.DataFrame(
                {
                    "row": self._rows[idx],
                    "id": self._ids[idx],
                    "field": field_name,
                    "column": column if column is not None else "",
                    "value": pick(values),
                    "reason": pick(reason),
                }
            )
        )
        self.rows[idx] = True

    def frame(self) -> pd.DataFrame:
        if not self._blocks:
            return empty_rejects()
        out = pd.concat(self._blocks, ignore_index=True)
        out = out.sort_values("row", kind="stable").reset_index(drop=True)
        return out.astype(
            {
                "row": "int64",
                "id": "string",
                "field": "string",
                "column": "string",
                "value": "string",
                "reason": "string",
            }
        )


def empty_rejects() -> pd.DataFrame:
    """Return a rejects table with no rows (``REJECT_COLUMNS``)."""
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            **{name: pd.Series(dtype="string") for name in REJECT_COLUMNS[1:]},
        }
    )


# --------------------------------------------------------------------------- positions


@dataclass(frozen=True)
class _Positions:
    """Coordinates of every row: as read (in the source CRS, axes put right) and in metres."""

    first: NDArray[np.float64]  # easting / longitude in ``crs``
    second: NDArray[np.float64]  # northing / latitude in ``crs``
    first_raw: pd.Series
    second_raw: pd.Series
    bad_first: NDArray[np.bool_]  # text that is not a number
    bad_second: NDArray[np.bool_]
    fields: tuple[str, str]  # field names of the source columns, in first/second order
    columns: tuple[str, str]  # the source columns, in first/second order
    x_m: NDArray[np.float64]
    y_m: NDArray[np.float64]
    crs: str
    guessed: bool
    reason: str
    swapped: bool
    decimal_comma: bool

    @property
    def present(self) -> NDArray[np.bool_]:
        return np.isfinite(self.first) & np.isfinite(self.second)


def _settle_crs(
    coords: _Coordinates,
    first: NDArray[np.float64],
    second: NDArray[np.float64],
    *,
    raw: reading.RawTable,
    crs_given: str | None,
    name: str,
    notes: list[str],
) -> tuple[str, bool, str, bool]:
    """CRS, whether guessed, why, and whether the axes are swapped (see ``import_incidents``)."""
    swapped = False
    if coords.kind == "none":
        return crs_mod.METRIC, False, "no coordinate columns", False
    if crs_given is not None:
        used, guessed, reason = crs_given, False, "given explicitly"
        if coords.kind == "geometry" and raw.geometry_crs and raw.geometry_crs != crs_given:
            notes.append(f"the file declares {raw.geometry_crs}; read as {crs_given} as asked")
    elif coords.kind == "geometry" and raw.geometry_crs is not None:
        used, guessed, reason = raw.geometry_crs, False, "declared by the file"
    elif coords.kind == "lonlat":
        used, guessed = crs_mod.WGS84, False
        reason = f"columns {coords.first!r}/{coords.second!r} are named lon/lat"
    else:
        guess = crs_mod.guess_crs(first, second)
        if guess is None and (guess_swapped := crs_mod.guess_crs(second, first)) is not None:
            guess, swapped = guess_swapped, True
        if guess is None:
            what = f"columns {coords.first!r}/{coords.second!r}" if coords.first else "the geometry"
            raise ColumnMappingError(
                f"{name}: cannot tell the CRS of {what} from their values ({_sample(first, second)}); "
                "pass crs=3879 (ETRS-GK25), 3067 (ETRS-TM35FIN) or 4326 (WGS84) (CLI: --crs 3879)"
            )
        used, guessed = guess, True
        reason = f"from the coordinate values ({_sample(first, second)})"
    if not swapped and _swapped(first, second, used):
        swapped = True
    if swapped:
        reason += "; axes swapped (the first column held northings)"
    return used, guessed, reason, swapped


def _positions(
    frame: pd.DataFrame,
    coords: _Coordinates,
    *,
    raw: reading.RawTable,
    crs_given: str | None,
    name: str,
    notes: list[str],
) -> _Positions:
    """Read the coordinates, settle the CRS and axis order, and project to EPSG:3067."""
    n = len(frame)
    no_text = pd.Series(pd.NA, index=frame.index, dtype="string")
    decimal_comma = False
    if coords.kind == "geometry":
        first = frame[reading.GEOMETRY_X].to_numpy(dtype=np.float64)
        second = frame[reading.GEOMETRY_Y].to_numpy(dtype=np.float64)
        bad_first = bad_second = np.zeros(n, dtype=bool)
        first_raw = pd.Series(first, index=frame.index).astype("string")
        second_raw = pd.Series(second, index=frame.index).astype("string")
        fields, columns = ("geometry", "geometry"), ("geometry", "geometry")
    elif coords.first is not None and coords.second is not None:
        first_raw, second_raw = _text(frame[coords.first]), _text(frame[coords.second])
        first, bad_first, comma_a = _numbers(frame[coords.first])
        second, bad_second, comma_b = _numbers(frame[coords.second])
        decimal_comma = comma_a or comma_b
        fields = ("lon", "lat") if coords.kind == "lonlat" else ("x", "y")
        columns = (coords.first, coords.second)
    else:
        first = second = np.full(n, np.nan)
        bad_first = bad_second = np.zeros(n, dtype=bool)
        first_raw = second_raw = no_text
        fields, columns = ("address", "address"), ("", "")
    used, guessed, reason, swapped = _settle_crs(
        coords, first, second, raw=raw, crs_given=crs_given, name=name, notes=notes
    )
    if swapped:
        first, second = second, first
        first_raw, second_raw = second_raw, first_raw
        bad_first, bad_second = bad_second, bad_first
        fields, columns = (fields[1], fields[0]), (columns[1], columns[0])
    present = np.isfinite(first) & np.isfinite(second)
    x_m = np.full(n, np.nan)
    y_m = np.full(n, np.nan)
    if present.any():
        x_m[present], y_m[present] = crs_mod.to_metric(first[present], second[present], src=used)
    # Points that do not project (far outside the CRS) count as not placed in Helsinki.
    x_m = np.where(np.isfinite(x_m), x_m, np.nan)
    y_m = np.where(np.isfinite(y_m), y_m, np.nan)
    return _Positions(
        first,
        second,
        first_raw,
        second_raw,
        bad_first,
        bad_second,
        fields,
        columns,
        x_m,
        y_m,
        used,
        guessed,
        reason,
        swapped,
        decimal_comma,
    )


def _position_rejects(
    rejects: _Rejects,
    live: NDArray[np.bool_],
    pos: _Positions,
    *,
    frame: pd.DataFrame,
    has_geometry: bool,
    address: pd.Series,
    address_column: str | None,
    in_helsinki: NDArray[np.bool_],
) -> None:
    """Missing, unparseable, non-point, address-only and outside-Helsinki positions."""
    no_coords = ~np.isfinite(pos.first) & ~np.isfinite(pos.second) & ~pos.bad_first & ~pos.bad_second
    if has_geometry:
        kind = frame[reading.GEOMETRY_KIND].astype("string")
        not_point = (kind.notna() & (kind != "Point")).to_numpy(dtype=bool, na_value=False)
        rejects.add(live & not_point, "geometry", "geometry", kind, "geometry is not a point: " + kind)
        no_coords &= ~not_point
    address_only = live & no_coords & address.notna().to_numpy()
    reason = "address without coordinates: geocoding not available"
    rejects.add(address_only, "address", address_column, address, reason)
    pairs = (
        (pos.fields[0], pos.columns[0], pos.first, pos.bad_first, pos.first_raw),
        (pos.fields[1], pos.columns[1], pos.second, pos.bad_second, pos.second_raw),
    )
    for index, (field_name, column, values, bad, raw_text) in enumerate(pairs):
        missing = live & ~np.isfinite(values) & ~bad & ~address_only
        if has_geometry:
            missing &= no_coords & (index == 0)  # one line for a missing geometry
        rejects.add(missing, field_name, column, raw_text, "missing coordinate")
        rejects.add(live & bad, field_name, column, raw_text, "unparseable coordinate")
    outside = live & pos.present & ~in_helsinki
    if outside.any():
        lon, lat = crs_mod.transform(pos.first[outside], pos.second[outside], src=pos.crs, dst=crs_mod.WGS84)
        where = np.full(len(live), None, dtype=object)
        where[outside] = [f"lon {a:.5f}, lat {b:.5f}" for a, b in zip(lon, lat, strict=True)]
        because = np.full(len(live), None, dtype=object)
        because[outside] = [f"outside Helsinki ({text})" for text in where[outside]]
        column = pos.columns[0] if pos.columns[0] == pos.columns[1] else "/".join(pos.columns)
        rejects.add(outside, "location", column, where, because)


# --------------------------------------------------------------------------- identity


def _joined(parts: Sequence[pd.Series]) -> pd.Series:
    """Return the parts of each row as one string (missing = empty), separated by a unit separator."""
    # Arrow joins 100k rows in milliseconds; pandas' str.cat takes a second.
    columns = [pc.cast(pc.fill_null(arrow_text(part), ""), pa.large_string()) for part in parts]
    joined = pc.binary_join_element_wise(*columns, pa.scalar(_HASH_SEPARATOR, pa.large_string()))
    return pd.Series(joined.to_pylist(), index=parts[0].index, dtype=object)


def _hash_ids(parts: Sequence[pd.Series]) -> pd.Series:
    """First 16 hex digits of the SHA-1 of each row's joined parts (hashlib has no vector form)."""
    digests = [hashlib.sha1(text.encode("utf-8")).hexdigest()[:16] for text in _joined(parts).tolist()]
    return pd.Series(digests, index=parts[0].index, dtype="string")


def _decimetres(values: NDArray[np.float64], raw: pd.Series) -> pd.Series:
    """Metres rounded to 0.1 m as integer text; the raw cell where there is no number."""
    ok = np.isfinite(values)
    dm = np.round(np.where(ok, values, 0.0) * 10.0).astype(np.int64)
    text = pd.Series(dm, index=raw.index).astype("string")
    return text.where(ok, "raw:" + raw.fillna(""))


def _utc_iso(times: pd.Series, raw: pd.Series) -> pd.Series:
    """'2026-04-28T11:30:00.000000Z' per parsed time; the raw cell where parsing failed."""
    utc = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    iso = pd.Series(np.datetime_as_string(utc, unit="us"), index=times.index, dtype="string") + "Z"
    return iso.where(times.notna().to_numpy(), "raw:" + raw.fillna(""))


@dataclass(frozen=True)
class _Identity:
    ids: pd.Series
    exact_duplicate: NDArray[np.bool_]
    conflict: NDArray[np.bool_]
    first_row: pd.Series  # row number of the first row with the same id


def _identify(
    given_id: pd.Series,
    hash_parts: Sequence[pd.Series],
    extra: Sequence[pd.Series],
    row_numbers: NDArray[np.int64],
) -> _Identity:
    """Ids (given, else content hash) and which later rows repeat or contradict an earlier one."""
    missing = given_id.isna().to_numpy()
    ids = given_id.where(~missing, _hash_ids(hash_parts)) if missing.any() else given_id
    content = _joined([*hash_parts, *extra])
    repeated = ids.duplicated(keep="first").to_numpy()
    same = (content == content.groupby(ids, sort=False).transform("first")).to_numpy(dtype=bool)
    first_row = pd.Series(row_numbers, index=ids.index).groupby(ids, sort=False).transform("first")
    return _Identity(ids, repeated & same, repeated & ~same, first_row)


# --------------------------------------------------------------------------- import


def import_incidents(
    source: str | Path | pd.DataFrame,
    *,
    crs: str | int | None = None,
    mapping: Mapping[str, str] | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
    layer: str | None = None,
) -> ImportResult:
    """Import incidents from a file or DataFrame into the canonical schema.

    Parameters
    ----------
    source
        A CSV, XLSX, GeoJSON, GeoPackage or Parquet file, or a DataFrame (GeoDataFrame
        points are used as geometry). Never modified.
    crs
        EPSG code of the coordinates: 3879, 3067 or 4326. Wins over everything; when
        None, lon/lat-named columns are 4326, a geometry file's declared CRS is used, and
        x/y columns are guessed from their values (reported).
    mapping
        ``{field: column}`` for columns whose names are not recognised or are ambiguous,
        e.g. ``{'lat': 'Leveys (WGS84)', 'occurred_at': 'Ilmoitettu'}``; fields are
        ``FIELDS``.
    file_name
        Name used in the report (default: the file's name, or ``'DataFrame'``).
    sheet
        XLSX sheet to read (default: the first).
    layer
        GeoPackage layer to read (default: the first).

    Returns
    -------
    ImportResult
        ``incidents`` (``schema.INCIDENT_DTYPES``, district columns filled), ``rejects``
        (``REJECT_COLUMNS``, one line per refused field, row numbers as a person sees them)
        and ``report`` (counts, CRS decision, column mapping, notes).

    Raises
    ------
    InputFormatError
        The file cannot be read (format, encoding, structure).
    ColumnMappingError
        Columns cannot be matched unambiguously, the mapping names an unknown field or
        column, or the CRS of x/y columns cannot be told.
    ParameterError
        ``crs`` is not 3879, 3067 or 4326.
    """
    crs_given = _crs_arg(crs)
    if isinstance(source, pd.DataFrame):
        raw = reading.from_frame(source)
        name = file_name or "DataFrame"
    else:
        path = Path(source)
        raw = reading.read_table(path, sheet=sheet, layer=layer)
        name = file_name or path.name
    frame = raw.frame
    internal = {reading.GEOMETRY_X, reading.GEOMETRY_Y, reading.GEOMETRY_KIND}
    columns = [str(c) for c in frame.columns if c not in internal]
    explicit = dict(mapping or {})
    found = detect_columns(columns, explicit)
    _resolve_time_fields(found, frame, explicit)
    _require(found, raw, name, columns)
    notes: list[str] = []
    coords = _choose_coordinates(found, raw, explicit, crs_given, notes)
    n = len(frame)

    def column_text(field_name: str) -> pd.Series:
        if field_name in found:
            return _text(frame[found[field_name]])
        return pd.Series(pd.NA, index=frame.index, dtype="string")

    # Times: one column, or a date column and a clock-time column.
    if "occurred_at" in found:
        time_values, time_column = frame[found["occurred_at"]], found["occurred_at"]
    elif "time" in found:
        time_values = combine_date_time(frame[found["date"]], frame[found["time"]])
        time_column = f"{found['date']} + {found['time']}"
    else:
        time_values, time_column = frame[found["date"]], found["date"]
    times = parse_timestamps(time_values)
    time_raw = _text(time_values)

    # Labels: a canonical 'category' column wins; its 'category_raw' companion is the label.
    label = column_text("category")
    category, unknown_category = map_categories(label)
    if "category_raw" in found:
        label_raw = column_text("category_raw")
        fallback, fallback_unknown = map_categories(label_raw)
        use_raw = unknown_category | label.isna().to_numpy()
        category = category.where(~use_raw, fallback)
        unknown_category = np.where(use_raw, fallback_unknown, False)
        label = label_raw.fillna(label)
    source_label = column_text("source")
    source_canon, unknown_source = map_sources(source_label)
    # The description is kept exactly as given (HTML escaping happens where it is shown).
    description = pd.Series(pd.NA, index=frame.index, dtype="string")
    if "description" in found:
        description = frame[found["description"]].astype("string")
        description = description.mask(strip_text(description) == "")

    pos = _positions(frame, coords, raw=raw, crs_given=crs_given, name=name, notes=notes)
    tags = districts.tag_points(pos.x_m, pos.y_m)
    in_helsinki = tags["in_helsinki"].to_numpy(dtype=bool)

    severity_raw = column_text("severity")
    address = column_text("address")
    hash_parts = [
        _utc_iso(times.times, time_raw),
        label,
        _decimetres(pos.x_m, pos.first_raw),
        _decimetres(pos.y_m, pos.second_raw),
        source_canon,
        description,
    ]
    ident = _identify(column_text("id"), hash_parts, [severity_raw, address], raw.row_numbers)

    rejects = _Rejects(raw.row_numbers, ident.ids)
    live = ~ident.exact_duplicate
    first_row = "duplicate id with different content than row " + ident.first_row.astype("string")
    rejects.add(ident.conflict, "id", found.get("id"), ident.ids, first_row)
    _position_rejects(
        rejects,
        live,
        pos,
        frame=frame,
        has_geometry=coords.kind == "geometry",
        address=address,
        address_column=found.get("address"),
        in_helsinki=in_helsinki,
    )
    rejects.add(live & times.missing, "occurred_at", time_column, time_raw, "missing date")
    bad_date = f"unparseable date: {_DATE_HELP}"
    rejects.add(live & times.unparsed, "occurred_at", time_column, time_raw, bad_date)
    earliest, latest = settings.plausible_period()
    implausible = (times.times.notna() & ((times.times < earliest) | (times.times >= latest))).to_numpy(
        dtype=bool, na_value=False
    )
    rejects.add(
        live & implausible,
        "occurred_at",
        time_column,
        time_raw,
        f"date outside the plausible period {earliest.date()} .. {(latest - pd.Timedelta(days=1)).date()} "
        f"(a typo or a placeholder?); fix the date, or set {settings.ENV_EARLIEST_DATE} / "
        f"{settings.ENV_LATEST_DATE}",
    )
    severity, bad_severity, _ = _numbers(severity_raw)
    bad_severity |= np.isfinite(severity) & ~np.isin(severity, (1.0, 2.0, 3.0, 4.0, 5.0))
    reason = "severity must be a whole number 1-5"
    rejects.add(live & bad_severity, "severity", found.get("severity"), severity_raw, reason)

    accepted = live & ~rejects.rows
    on_map = accepted & in_helsinki
    at_sea = np.zeros(n, dtype=bool)
    # Only with the land data at hand: a note is not worth a download inside every import.
    at_sea[on_map] = districts.at_sea(pos.x_m[on_map], pos.y_m[on_map], download=False)
    if at_sea.any():
        # Kept (a boat, a pier, an island the land data miss), but said: a swapped or
        # rounded coordinate also lands at sea.
        notes.append(
            f"{int(at_sea.sum())} accepted rows lie at sea, more than {districts.LAND_MARGIN_M:g} m from "
            f"land (e.g. row {int(raw.row_numbers[np.flatnonzero(at_sea)[0]])}); they are kept, check "
            "their coordinates"
        )
    synthetic = _flags(frame[found["synthetic"]]) if "synthetic" in found else np.zeros(n, dtype=bool)
    lon, lat = crs_mod.to_wgs84(pos.x_m[accepted], pos.y_m[accepted])
    out = pd.DataFrame(
        {
            "id": ident.ids,
            "occurred_at": times.times,
            "category": category,
            "category_raw": label,
            "source": source_canon,
            "severity": pd.Series(np.where(bad_severity, np.nan, severity), index=frame.index),
            "description": description,
            "x_m": pos.x_m,
            "y_m": pos.y_m,
            "synthetic": synthetic,
        },
        index=frame.index,
    ).loc[accepted]
    out = out.reset_index(drop=True).assign(lon=lon, lat=lat)  # conform() makes severity Int64
    incidents = schema.conform(pd.concat([out, tags.loc[accepted].reset_index(drop=True)], axis=1))

    unknown_labels = label[accepted & unknown_category]
    unknown_sources = source_label[accepted & unknown_source]
    report = ImportReport(
        file_name=name,
        file_format=raw.file_format,
        rows_read=n + len(raw.bad_rows),
        accepted=int(accepted.sum()),
        rejected=int(rejects.rows.sum()) + len(raw.bad_rows),
        duplicates_in_file=int(ident.exact_duplicate.sum()),
        unknown_categories=len(unknown_labels),
        unknown_category_labels=tuple(sorted(str(v) for v in unknown_labels.unique())),
        unknown_sources=len(unknown_sources),
        unknown_source_labels=tuple(sorted(str(v) for v in unknown_sources.unique())),
        crs=pos.crs,
        crs_guessed=pos.guessed,
        crs_reason=pos.reason,
        axes_swapped=pos.swapped,
        column_mapping=MappingProxyType(dict(found)),
        dst_nonexistent=int((accepted & times.nonexistent).sum()),
        dst_ambiguous=int((accepted & times.ambiguous).sum()),
        date_only=int((accepted & times.date_only).sum()),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        decimal_comma=pos.decimal_comma,
        read_notes=(*raw.notes, *notes),
    )
    return ImportResult(incidents=incidents, rejects=_with_bad_rows(rejects.frame(), raw), report=report)


def _with_bad_rows(rejects: pd.DataFrame, raw: reading.RawTable) -> pd.DataFrame:
    """Return the rejects plus the lines the reader could not split (``RawTable.bad_rows``), by row."""
    if raw.bad_rows.empty:
        return rejects
    bad = pd.DataFrame(
        {
            "row": raw.bad_rows["row"].to_numpy(dtype=np.int64),
            "id": pd.NA,
            "field": "row",
            "column": "",
            "value": raw.bad_rows["value"].to_numpy(dtype=object),
            "reason": raw.bad_rows["reason"].to_numpy(dtype=object),
        }
    ).astype(rejects.dtypes.to_dict())
    both = pd.concat([rejects, bad], ignore_index=True) if len(rejects) else bad
    return both.sort_values("row", kind="stable").reset_index(drop=True)


def write_rejects(rejects: ImportResult | pd.DataFrame, path: str | Path) -> Path:
    """Write the rejects of an import as CSV (UTF-8 with BOM, so Excel shows ä/ö/å).

    Parameters
    ----------
    rejects
        An ``ImportResult`` or its ``rejects`` frame (extra columns, such as the store's
        conflicts, are written too).
    path
        Target file; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    return files.write_bytes_atomically(Path(path), rejects_csv(rejects))


def rejects_csv(rejects: ImportResult | pd.DataFrame) -> bytes:
    """Return the rejects as CSV bytes (UTF-8 with BOM), every cell neutralised for spreadsheets.

    A partner's file may hold ``=HYPERLINK(...)`` in any field; the rejects repeat the raw
    values, so they pass ``geo.spreadsheet.neutralise_frame`` first (the app's "download
    rejects" and ``write_rejects`` both use this).
    """
    frame = rejects.rejects if isinstance(rejects, ImportResult) else rejects
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")
