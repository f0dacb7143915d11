"""Incident rows between the canonical frame and a database, the same for every backend.

On the way in, a batch is checked (``_conform_batch`` names the first row that cannot be
stored), hashed per incident (``_content_hashes``) and sorted into new rows, duplicates
and conflicts (``_classify``); the new rows become plain Python tuples
(``_incident_rows``). On the way out, ``_frame_from_rows`` builds the canonical frame
from the database's rows. District names are kept once per distinct combination
(``district_tags``) and joined back in numpy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from geo import geocoding, schema
from geo.errors import StoreError

#: Columns of the conflicts frame of a ``BatchResult``.
CONFLICT_COLUMNS: Final = ("row", "id", "reason")
#: What makes two rows the same incident. How a position was found (``schema.GEOCODE_COLUMNS``)
#: is left out, the position itself is not: the same incidents at the same points are
#: duplicates whether or not a caller says how they were placed, and the rows of stores
#: written before the columns existed keep their hashes.
_HASH_COLUMNS: Final = tuple(name for name in schema.INCIDENT_COLUMNS if name != "id")
_BOOL_COLUMNS: Final = tuple(name for name, dtype in schema.INCIDENT_DTYPES.items() if dtype == "bool")
#: Canonical columns kept as they are on each incident row, then how its position was found.
_ROW_COLUMNS: Final = (*schema.INCIDENT_COLUMNS, "in_helsinki", *schema.GEOCODE_COLUMNS)
#: What a missing geocode value in the database reads as: a row stored before schema version
#: 2 has neither, a row without a register match has no ``geocode_match``.
_GEOCODE_DEFAULTS: Final = {"geocode_quality": schema.SOURCE_QUALITY, "geocode_match": ""}
#: District codes and names, kept once per distinct combination in ``district_tags`` (reading
#: one integer per incident instead of nine strings is what keeps a 100k-row query fast).
_TAG_COLUMNS: Final = tuple(name for name in schema.DISTRICT_COLUMNS if name != "in_helsinki")
_NO_TAG: Final = (None,) * len(_TAG_COLUMNS)
#: District codes also kept on each incident, indexed for the district filters.
_CODE_COLUMNS: Final = ("osaalue_code", "peruspiiri_code", "suurpiiri_code")
#: The values of each row ``_incident_rows`` yields, in order (``occurred_at`` as the backend keeps it).
_WRITE_COLUMNS: Final = (*_ROW_COLUMNS, *_CODE_COLUMNS, "district_tag", "content_hash", "batch_id")


# --------------------------------------------------------------------------- batch checks


@dataclass(frozen=True)
class _BatchEntry:
    """The checked arguments of one ``add_batch`` call: what its line in the batch log says."""

    file_name: str
    content_hash: str
    rows_read: int
    rejected: int
    note: str

    @classmethod
    def checked(
        cls, file_name: str, content_hash: str, rows_read: object, rejected: object, note: str
    ) -> _BatchEntry:
        """Return the entry; StoreError naming the first argument that cannot be logged."""
        if not isinstance(file_name, str) or not file_name.strip():
            raise StoreError(f"file_name must name the imported file, got {file_name!r}")
        if not isinstance(content_hash, str) or not content_hash.strip():
            raise StoreError(
                f"content_hash of {file_name} must be the hash of the file's bytes (e.g. its SHA-256 hex), "
                f"got {content_hash!r}"
            )
        counts: list[int] = []
        for name, value in (("rows_read", rows_read), ("rejected", rejected)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise StoreError(f"{name} of {file_name} must be a whole number >= 0, got {value!r}")
            counts.append(int(value))  # numpy integers cannot be bound
        if not isinstance(note, str):
            raise StoreError(f"note of {file_name} must be text, got {note!r}")
        return cls(file_name, content_hash, counts[0], counts[1], note)


@dataclass(frozen=True)
class _BatchCounts:
    """What a batch did, as its line in the batch log counts it."""

    added: int = 0
    duplicates: int = 0
    conflicts: int = 0
    duplicate_of: int | None = None


def _row_label(row: int, ident: object) -> str:
    """Name a row of the given frame in a message: its position, and its id when it has one."""
    return f"row {row}" if pd.isna(ident) else f"row {row} (id {ident!r})"


def _conform_batch(incidents: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Canonical copy of ``incidents``, geocode columns too; StoreError naming a row it cannot store."""
    try:
        frame = schema.conform(incidents, geocode=True)
    except (ValueError, TypeError) as exc:
        raise StoreError(
            f"the incidents of {file_name} are not in the canonical schema: {exc}. Read the file with "
            "the importer, which produces schema.INCIDENT_DTYPES columns."
        ) from exc
    ids = frame["id"]
    bad_id = ids.isna() | (ids.str.strip() == "")
    if bad_id.any():
        row = int(np.flatnonzero(bad_id.to_numpy(dtype=bool, na_value=True))[0])
        raise StoreError(f"{file_name}: row {row} has no id; every incident needs a stable id")

    def label(row: int) -> str:
        return _row_label(row, ids.iloc[row])

    when = frame["occurred_at"]
    if when.isna().any():
        row = int(np.flatnonzero(when.isna().to_numpy())[0])
        raise StoreError(f"{file_name}: {label(row)} has no occurred_at; every incident needs a time")
    for column, allowed, fix in (
        ("category", schema.CATEGORIES, "Map it with the importer's category labels"),
        ("source", schema.SOURCES, "Map it with the importer's source labels"),
        (
            "geocode_quality",
            geocoding.PLACED_QUALITIES,
            f"Leave it missing for the source's own coordinates ({schema.SOURCE_QUALITY!r}), or geocode "
            "the file with the importer's register",
        ),
    ):
        bad = ~frame[column].isin(allowed).to_numpy(dtype=bool, na_value=False)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise StoreError(
                f"{file_name}: {label(row)} has {column} {frame[column].iloc[row]!r}, which is "
                f"not canonical; allowed are {list(allowed)}. {fix}."
            )
    severity = frame["severity"]
    bad_sev = (severity.notna() & ((severity < 1) | (severity > 5))).to_numpy(dtype=bool, na_value=False)
    if bad_sev.any():
        row = int(np.flatnonzero(bad_sev)[0])
        raise StoreError(
            f"{file_name}: {label(row)} has severity {severity.iloc[row]}; allowed are 1-5 or missing"
        )
    x = frame["x_m"].to_numpy(np.float64)
    y = frame["y_m"].to_numpy(np.float64)
    bad_xy = np.isinf(x) | np.isinf(y) | (np.isnan(x) != np.isnan(y))
    if bad_xy.any():
        row = int(np.flatnonzero(bad_xy)[0])
        raise StoreError(
            f"{file_name}: {label(row)} has x_m={x[row]}, y_m={y[row]}; coordinates must be "
            "finite EPSG:3067 metres (or both missing)"
        )
    return frame


def _classify(
    ids: Sequence[str], hashes: Sequence[str], stored: dict[str, tuple[str, int]]
) -> tuple[list[int], int, pd.DataFrame]:
    """Rows to add, the number of duplicates and the conflicts frame of one batch.

    The first row of an id repeated in the batch counts; a stored incident is never
    replaced. Every backend calls this, so all of them say the same.
    """
    new_rows: list[int] = []
    duplicates = 0
    conflicts: list[tuple[int, str, str]] = []
    seen: dict[str, tuple[int, str]] = {}
    for row, (ident, digest) in enumerate(zip(ids, hashes, strict=True)):
        if ident in seen:
            first_row, first_digest = seen[ident]
            if digest == first_digest:
                duplicates += 1
            else:
                reason = (
                    f"id {ident!r} appears again in this file (first at row {first_row}) with different "
                    "content; the first row was kept"
                )
                conflicts.append((row, ident, reason))
            continue
        seen[ident] = (row, digest)
        if ident not in stored:
            new_rows.append(row)
            continue
        stored_digest, stored_batch = stored[ident]
        if digest == stored_digest:
            duplicates += 1
        else:
            reason = (
                f"id {ident!r} is already stored (batch {stored_batch}) with different content; "
                "the stored incident was kept"
            )
            conflicts.append((row, ident, reason))
    return new_rows, duplicates, _conflict_frame(conflicts)


def _conflict_frame(conflicts: Sequence[tuple[int, str, str]]) -> pd.DataFrame:
    """Return the conflicts frame of a ``BatchResult`` from ``(row, id, reason)`` triples."""
    rows, ids, reasons = (
        (list(column) for column in zip(*conflicts, strict=True)) if conflicts else ([], [], [])
    )
    return pd.DataFrame(
        {
            "row": np.array(rows, dtype=np.int64),
            "id": pd.array(ids, dtype="string"),
            "reason": pd.array(reasons, dtype="string"),
        },
        columns=list(CONFLICT_COLUMNS),
    )


# --------------------------------------------------------------------------- into the database


def _content_hashes(frame: pd.DataFrame, occurred_us: np.ndarray) -> list[str]:
    """SHA-256 per row over the canonical columns except ``id``, the district tags and the geocode columns.

    Each row is hashed as the ``repr`` of a tuple of plain Python values (str, int, float,
    bool, None), which is unambiguous and stable across Python versions. Coordinates are
    compared at about a millimetre (``x_m``/``y_m`` rounded to 0.001 m, lon/lat to 1e-8
    degrees), so one incident reprojected by another library version is the same incident.
    """
    columns: list[list[Any]] = []
    for name in _HASH_COLUMNS:
        series = frame[name]
        if name == "occurred_at":
            columns.append(occurred_us.tolist())
        elif name in ("x_m", "y_m"):
            columns.append(np.round(series.to_numpy(np.float64), 3).tolist())
        elif name in ("lon", "lat"):
            columns.append(np.round(series.to_numpy(np.float64), 8).tolist())
        elif name in _BOOL_COLUMNS:
            columns.append(series.to_numpy(bool).tolist())
        else:
            columns.append(_objects(series))
    return [
        hashlib.sha256(repr(("v1", *row)).encode("utf-8")).hexdigest() for row in zip(*columns, strict=True)
    ]


def _utc_microseconds(values: pd.Series) -> np.ndarray:
    """Epoch microseconds (UTC, floored) of a tz-aware datetime column; NaT must be excluded first."""
    nanoseconds = pd.DatetimeIndex(values).asi8
    return np.floor_divide(nanoseconds, 1000)


def _objects(series: pd.Series) -> list[Any]:
    """Values of a string or nullable-integer column as Python objects, None for missing."""
    return [None if v is pd.NA else v for v in series.astype(object).tolist()]


def _db_values(series: pd.Series) -> list[Any]:
    """Python values a driver can bind, None for missing (booleans as 0/1, which both databases read)."""
    dtype = schema.LOCATED_DTYPES[str(series.name)]
    if dtype == "string":
        return _objects(series)
    if dtype == "float64":
        return [None if v != v else v for v in series.to_numpy(np.float64).tolist()]
    if dtype == "bool":
        return [int(v) for v in series.to_numpy(bool).tolist()]
    if dtype == "Int64":
        missing = series.isna().to_numpy()
        ints = series.to_numpy(dtype=np.int64, na_value=0).tolist()
        return [None if gone else v for v, gone in zip(ints, missing.tolist(), strict=True)]
    raise AssertionError(f"no database conversion for dtype {dtype}")  # pragma: no cover


@dataclass(frozen=True)
class _NewIncidents:
    """The rows of one batch that the store does not hold yet, ready to be written.

    ``frame`` holds them conformed and numbered from 0; ``rows`` are their positions in
    the frame given to ``add_batch`` (for messages); the other fields run along ``frame``.
    """

    frame: pd.DataFrame
    rows: list[int]
    occurred_us: np.ndarray
    tag_ids: list[int | None]
    hashes: list[str]
    batch_id: int
    file_name: str

    def label(self, position: int) -> str:
        """Name the row at ``position`` of ``frame`` as the given file numbers it."""
        return _row_label(self.rows[position], self.frame["id"].iloc[position])


def _incident_rows(new: _NewIncidents, times: np.ndarray) -> Iterator[tuple[Any, ...]]:
    """Rows for the ``incidents`` table, values in ``_WRITE_COLUMNS`` order.

    ``times`` holds ``occurred_at`` of each row as the backend writes it (SQLite: the
    microsecond integers, PostgreSQL: ISO text for COPY). A quality is written out, ``source``
    too; an empty ``geocode_match`` (no register text) is NULL, which reads back as ''.
    """
    columns: list[list[Any]] = []
    for name in (*_ROW_COLUMNS, *_CODE_COLUMNS):
        if name == "occurred_at":
            columns.append(times.tolist())
        elif name == "geocode_match":  # NULL, not '', for most rows: a tenth of a 100k read
            columns.append([text or None for text in _db_values(new.frame[name])])
        else:
            columns.append(_db_values(new.frame[name]))
    columns.append(list(new.tag_ids))
    columns.append(list(new.hashes))
    columns.append([new.batch_id] * len(new.frame))
    return zip(*columns, strict=True)


def _tag_keys(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Return the district codes and names of each row as one tuple (None for missing)."""
    return list(zip(*(_objects(frame[name]) for name in _TAG_COLUMNS), strict=True))


def _number_tags(
    known: dict[tuple[Any, ...], int], keys: Sequence[tuple[Any, ...]]
) -> tuple[list[int | None], list[tuple[Any, ...]]]:
    """Tag id of each key, and the ``(tag_id, *key)`` rows of the combinations not yet known.

    A new combination gets the next number after the largest known id; None stands for
    a row without any district. ``known`` is not changed.
    """
    ids = dict(known)
    next_id = max(ids.values(), default=0) + 1
    added: list[tuple[Any, ...]] = []
    out: list[int | None] = []
    for key in keys:
        if key == _NO_TAG:
            out.append(None)
            continue
        tag = ids.get(key)
        if tag is None:
            tag = next_id
            next_id += 1
            ids[key] = tag
            added.append((tag, *key))
        out.append(tag)
    return out, added


# --------------------------------------------------------------------------- out of the database


def _tag_lookup(rows: Sequence[tuple[Any, ...]]) -> dict[str, np.ndarray]:
    """Per district column, its value for each tag id (position 0: no tag, all missing).

    ``rows`` are ``(tag_id, *_TAG_COLUMNS)`` rows of ``district_tags``.
    """
    size = 1 + max((int(row[0]) for row in rows), default=0)
    lookup = {name: np.full(size, None, dtype=object) for name in _TAG_COLUMNS}
    for row in rows:
        for name, value in zip(_TAG_COLUMNS, row[1:], strict=True):
            lookup[name][int(row[0])] = value
    return lookup


def _frame_from_rows(rows: Sequence[tuple[Any, ...]], tags: dict[str, np.ndarray]) -> pd.DataFrame:
    """Canonical frame, sorted by time then id, from rows of ``_ROW_COLUMNS`` and the tag id.

    ``occurred_at`` comes as UTC microseconds; a missing geocode value (a row stored before
    schema version 2) reads as the source's own position. Columns are built in their canonical dtypes
    directly (``schema.conform`` would copy every column once more, a third of the time of
    a 100k-row read).
    """
    names = (*_ROW_COLUMNS, "district_tag")
    columns = [np.array(values, dtype=object) for values in zip(*rows, strict=True)]
    if not columns:
        columns = [np.empty(0, dtype=object) for _ in names]
    raw = dict(zip(names, columns, strict=True))
    micros = raw["occurred_at"].astype(np.int64)
    # Time, then id in code point order: deterministic, and cheaper than ORDER BY.
    order = np.lexsort((raw["id"].astype(str), micros))
    tag = raw["district_tag"].astype(np.int64)[order]
    data: dict[str, Any] = {}
    for name, dtype in schema.LOCATED_DTYPES.items():
        if name in _GEOCODE_DEFAULTS:
            data[name] = pd.array(raw[name][order], dtype="string").fillna(_GEOCODE_DEFAULTS[name])
        elif name in _TAG_COLUMNS:
            data[name] = pd.array(tags[name][tag], dtype="string")
        elif name == "occurred_at":
            data[name] = pd.to_datetime(micros[order], unit="us", utc=True).tz_convert(schema.TIMEZONE)
        elif dtype == "string":
            data[name] = pd.array(raw[name][order], dtype="string")
        elif dtype == "float64":
            data[name] = raw[name][order].astype(np.float64)
        elif dtype == "bool":
            data[name] = raw[name][order].astype(bool)
        elif dtype == "Int64":
            data[name] = pd.array(raw[name][order], dtype="Int64")
        else:  # pragma: no cover - a new canonical dtype needs a branch here
            raise AssertionError(f"no conversion from the database for column {name} ({dtype})")
    return pd.DataFrame(data)
