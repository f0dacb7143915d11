"""Incident import: a partner's file (or a DataFrame) to the canonical incident table.

``import_incidents`` is a pipeline of named steps: read the file (``geo.reading``), find
which column is which (``geo.columns``), read each field (times with ``geo.timeparse``,
labels with ``geo.categories``, numbers with ``geo.cells``), read the positions and settle
their CRS (``geo.coordinates``), tag each incident with its district (``geo.districts``),
give it its id (``geo.identity``), then reject what cannot be used and report the rest.
Nothing is dropped silently: every refused row is in ``ImportResult.rejects`` with its
row number, the field, the value and the reason.

Row numbers are what a person sees: in CSV and XLSX the spreadsheet row (the header is row
1, the first data row 2); in GeoJSON, GeoPackage, Parquet and DataFrames the feature or
record number from 1.

Rules, in the order they apply:

- an exact duplicate (same id and same content as an earlier row) is counted in
  ``duplicates_in_file`` and skipped, not rejected;
- a later row with an earlier row's id but different content is rejected; the first wins;
- a row with an address and no coordinates is geocoded when a register is given
  (``geo.geocoding``); its position quality is in the report and, with a register, in
  the ``geocode_quality`` / ``geocode_match`` columns (``source`` for the file's own
  coordinates; ``schema.GEOCODE_COLUMNS``, which the store keeps with each incident);
- a row is rejected for a missing or unparseable coordinate, an address not found (or,
  without a register, any address without coordinates), a point outside Helsinki, a missing or
  unparseable date, a severity that is not a whole number 1-5 — one reject line per field,
  the row counted once;
- an unknown category label becomes ``other`` (the label kept in ``category_raw``), an
  unknown source ``other``; both are counted in the report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import cells, columns, coordinates, districts, geocoding, identity, reading, schema, settings
from geo import crs as crs_mod
from geo.categories import map_categories, map_sources
from geo.gazetteer import Register
from geo.rejects import Rejects
from geo.timeparse import ParsedTimes, combine_date_time, parse_timestamps, strip_text


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
    #: Rows by position quality (``geo.geocoding.quality_counts``); empty without a register.
    position_qualities: tuple[tuple[str, int], ...] = ()

    @property
    def dst_adjusted(self) -> int:
        """Accepted rows whose naive time met a daylight-saving edge."""
        return self.dst_nonexistent + self.dst_ambiguous

    def notes(self) -> tuple[str, ...]:
        """Return human-readable lines: how the file was read, the CRS, adjustments, unknown labels.

        Returns
        -------
        tuple of str
            The reader's notes first, then the column mapping, the CRS decision and what was
            adjusted or filed as 'other'.
        """
        lines = list(self.read_notes)
        mapping = ", ".join(f"{name} <- {column!r}" for name, column in self.column_mapping.items())
        lines.append(f"columns: {mapping}")
        guessed = "guessed" if self.crs_guessed else "used"
        lines.append(f"CRS {guessed}: {self.crs} ({self.crs_reason})")
        if self.position_qualities:
            counts = ", ".join(f"{rows} {quality}" for quality, rows in self.position_qualities)
            lines.append(f"positions by quality: {counts} (none: addresses not found)")
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


# --------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class _Times:
    """When each row happened: parsed, the cells as text, and the column(s) read."""

    parsed: ParsedTimes
    raw: pd.Series
    column: str


@dataclass(frozen=True)
class _Labels:
    """Category and source of each row: canonical, as the source said it, and whether unknown."""

    category: pd.Series
    label: pd.Series
    unknown_category: NDArray[np.bool_]
    source: pd.Series
    source_label: pd.Series
    unknown_source: NDArray[np.bool_]


@dataclass(frozen=True)
class _Rows:
    """Every row of the file read field by field; nothing rejected yet."""

    raw: reading.RawTable
    match: columns.ColumnMatch
    times: _Times
    labels: _Labels
    description: pd.Series
    positions: coordinates.Positions
    tags: pd.DataFrame
    severity: NDArray[np.float64]
    bad_severity: NDArray[np.bool_]
    severity_raw: pd.Series
    address: pd.Series
    located: geocoding.AddressPoints
    register: Register | None
    ident: identity.Identity
    synthetic: NDArray[np.bool_]

    @property
    def in_helsinki(self) -> NDArray[np.bool_]:
        """Rows whose point lies in one of Helsinki's districts."""
        return self.tags["in_helsinki"].to_numpy(dtype=bool)


def _field_text(frame: pd.DataFrame, mapping: Mapping[str, str], field_name: str) -> pd.Series:
    """Return the cells of the field's column as text; all missing when no column holds it."""
    if field_name in mapping:
        return cells.as_text(frame[mapping[field_name]])
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _read_times(frame: pd.DataFrame, mapping: Mapping[str, str]) -> _Times:
    """Parse the times: one column, or a date column and a clock-time column."""
    if "occurred_at" in mapping:
        values, column = frame[mapping["occurred_at"]], mapping["occurred_at"]
    elif "time" in mapping:
        values = combine_date_time(frame[mapping["date"]], frame[mapping["time"]])
        column = f"{mapping['date']} + {mapping['time']}"
    else:
        values, column = frame[mapping["date"]], mapping["date"]
    return _Times(parse_timestamps(values), cells.as_text(values), column)


def _read_labels(frame: pd.DataFrame, mapping: Mapping[str, str]) -> _Labels:
    """Map the category and source labels onto the canonical ones."""
    # A canonical 'category' column wins; its 'category_raw' companion is the label.
    label = _field_text(frame, mapping, "category")
    category, unknown_category = map_categories(label)
    if "category_raw" in mapping:
        label_raw = _field_text(frame, mapping, "category_raw")
        fallback, fallback_unknown = map_categories(label_raw)
        use_raw = unknown_category | label.isna().to_numpy()
        category = category.where(~use_raw, fallback)
        unknown_category = np.where(use_raw, fallback_unknown, False)
        label = label_raw.fillna(label)
    source_label = _field_text(frame, mapping, "source")
    source, unknown_source = map_sources(source_label)
    return _Labels(category, label, unknown_category, source, source_label, unknown_source)


def _read_description(frame: pd.DataFrame, mapping: Mapping[str, str]) -> pd.Series:
    """Keep the description exactly as given (HTML escaping happens where it is shown); blank = NA."""
    if "description" not in mapping:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    description = frame[mapping["description"]].astype("string")
    return description.mask(strip_text(description) == "")


def _read_severity(severity_raw: pd.Series) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Severities, and the cells that are not a whole number 1-5."""
    severity, bad, _ = cells.as_numbers(severity_raw)
    bad |= np.isfinite(severity) & ~np.isin(severity, (1.0, 2.0, 3.0, 4.0, 5.0))
    return severity, bad


def _place_addresses(
    positions: coordinates.Positions, address: pd.Series, register: Register | None
) -> tuple[coordinates.Positions, geocoding.AddressPoints]:
    """Return the positions with the geocoded rows' metres filled in, and what geocoding found."""
    given = (
        np.isfinite(positions.first)
        | np.isfinite(positions.second)
        | positions.bad_first
        | positions.bad_second
    )
    located = geocoding.locate_addresses(address, given, register)
    found = located.found
    placed = dataclasses.replace(
        positions,
        x_m=np.where(found, located.x_m, positions.x_m),
        y_m=np.where(found, located.y_m, positions.y_m),
    )
    return placed, located


def _read_rows(
    raw: reading.RawTable,
    match: columns.ColumnMatch,
    *,
    crs_given: str | None,
    name: str,
    register: Register | None,
) -> _Rows:
    """Read every field of every row, place the rows in their districts and give them ids."""
    frame, mapping = raw.frame, match.mapping
    times = _read_times(frame, mapping)
    labels = _read_labels(frame, mapping)
    description = _read_description(frame, mapping)
    positions = coordinates.read_positions(frame, match.coordinates, raw=raw, crs_given=crs_given, name=name)
    severity_raw = _field_text(frame, mapping, "severity")
    address = _field_text(frame, mapping, "address")
    placed, located = _place_addresses(positions, address, register)
    tags = districts.tag_points(placed.x_m, placed.y_m)
    content = identity.RowContent(
        occurred_at=times.parsed.times,
        occurred_at_raw=times.raw,
        label=labels.label,
        x_m=positions.x_m,
        y_m=positions.y_m,
        # An address-only row is told apart by its address, not by where a register put it:
        # its id stays the same when the register changes.
        x_raw=positions.first_raw.mask(located.asked, address),
        y_raw=positions.second_raw,
        source=labels.source,
        description=description,
        severity_raw=severity_raw,
        address=address,
    )
    ident = identity.identify(_field_text(frame, mapping, "id"), content, raw.row_numbers)
    severity, bad_severity = _read_severity(severity_raw)
    synthetic = (
        cells.as_flags(frame[mapping["synthetic"]]) if "synthetic" in mapping else np.zeros(len(frame), bool)
    )
    return _Rows(
        raw=raw,
        match=match,
        times=times,
        labels=labels,
        description=description,
        positions=placed,
        tags=tags,
        severity=severity,
        bad_severity=bad_severity,
        severity_raw=severity_raw,
        address=address,
        located=located,
        register=register,
        ident=ident,
        synthetic=synthetic,
    )


# --------------------------------------------------------------------------- checks


def _position_rejects(rejects: Rejects, live: NDArray[np.bool_], rows: _Rows) -> None:
    """Missing, unparseable, non-point, address-only and outside-Helsinki positions."""
    pos = rows.positions
    has_geometry = rows.match.coordinates.kind == "geometry"
    no_coords = ~np.isfinite(pos.first) & ~np.isfinite(pos.second) & ~pos.bad_first & ~pos.bad_second
    not_point = np.zeros(len(live), dtype=bool)
    if has_geometry:
        kind = rows.raw.frame[reading.GEOMETRY_KIND].astype("string")
        not_point = (kind.notna() & (kind != "Point")).to_numpy(dtype=bool, na_value=False)
        rejects.add(live & not_point, "geometry", "geometry", kind, "not_point", kind=kind)
        no_coords &= ~not_point
    address_only = geocoding.add_rejects(
        rejects,
        live & ~not_point,
        rows.located,
        address=rows.address,
        column=rows.match.mapping.get("address"),
        in_helsinki=rows.in_helsinki,
        register=rows.register,
    )
    pairs = (
        (pos.fields[0], pos.columns[0], pos.first, pos.bad_first, pos.first_raw),
        (pos.fields[1], pos.columns[1], pos.second, pos.bad_second, pos.second_raw),
    )
    for index, (field_name, column, values, bad, raw_text) in enumerate(pairs):
        missing = live & ~np.isfinite(values) & ~bad & ~address_only
        if has_geometry:
            missing &= no_coords & (index == 0)  # one line for a missing geometry
        rejects.add(missing, field_name, column, raw_text, "missing_coordinate")
        rejects.add(live & bad, field_name, column, raw_text, "unparseable_coordinate")
    outside = live & pos.present & ~rows.in_helsinki
    if outside.any():
        lon, lat = crs_mod.transform(pos.first[outside], pos.second[outside], src=pos.crs, dst=crs_mod.WGS84)
        where = np.full(len(live), None, dtype=object)
        where[outside] = [f"lon {a:.5f}, lat {b:.5f}" for a, b in zip(lon, lat, strict=True)]
        lons, lats = np.full(len(live), np.nan), np.full(len(live), np.nan)
        lons[outside], lats[outside] = lon, lat
        column = pos.columns[0] if pos.columns[0] == pos.columns[1] else "/".join(pos.columns)
        rejects.add(outside, "location", column, where, "outside_helsinki", lon=lons, lat=lats)


def _time_rejects(rejects: Rejects, live: NDArray[np.bool_], times: _Times) -> None:
    """Missing, unparseable and implausible dates."""
    parsed = times.parsed
    rejects.add(live & parsed.missing, "occurred_at", times.column, times.raw, "missing_date")
    rejects.add(live & parsed.unparsed, "occurred_at", times.column, times.raw, "unparseable_date")
    earliest, latest = settings.plausible_period()
    implausible = (parsed.times.notna() & ((parsed.times < earliest) | (parsed.times >= latest))).to_numpy(
        dtype=bool, na_value=False
    )
    rejects.add(
        live & implausible,
        "occurred_at",
        times.column,
        times.raw,
        "implausible_date",
        earliest=str(earliest.date()),
        latest=str((latest - pd.Timedelta(days=1)).date()),
    )


def _reject(rows: _Rows) -> Rejects:
    """Collect every reason to refuse a row (exact duplicates are skipped, not refused)."""
    ident = rows.ident
    rejects = Rejects(rows.raw.row_numbers, ident.ids)
    live = ~ident.exact_duplicate
    id_column = rows.match.mapping.get("id")
    rejects.add(ident.conflict, "id", id_column, ident.ids, "id_conflict", row=ident.first_row)
    _position_rejects(rejects, live, rows)
    _time_rejects(rejects, live, rows.times)
    rejects.add(
        live & rows.bad_severity,
        "severity",
        rows.match.mapping.get("severity"),
        rows.severity_raw,
        "bad_severity",
    )
    return rejects


def _sea_notes(rows: _Rows, accepted: NDArray[np.bool_]) -> tuple[str, ...]:
    """Say how many accepted rows lie at sea (only with the land data at hand)."""
    pos = rows.positions
    on_map = accepted & rows.in_helsinki
    at_sea = np.zeros(len(accepted), dtype=bool)
    # Only with the land data at hand: a note is not worth a download inside every import.
    at_sea[on_map] = districts.at_sea(pos.x_m[on_map], pos.y_m[on_map], download=False)
    if not at_sea.any():
        return ()
    # Kept (a boat, a pier, an island the land data miss), but said: a swapped or
    # rounded coordinate also lands at sea.
    first = int(rows.raw.row_numbers[np.flatnonzero(at_sea)[0]])
    return (
        f"{int(at_sea.sum())} accepted rows lie at sea, more than {districts.LAND_MARGIN_M:g} m from "
        f"land (e.g. row {first}); they are kept, check their coordinates",
    )


# --------------------------------------------------------------------------- results


def _incident_table(rows: _Rows, accepted: NDArray[np.bool_]) -> pd.DataFrame:
    """Return the accepted rows as the canonical incident table, district columns filled."""
    index = rows.raw.frame.index
    pos = rows.positions
    lon, lat = crs_mod.to_wgs84(pos.x_m[accepted], pos.y_m[accepted])
    out = pd.DataFrame(
        {
            "id": rows.ident.ids,
            "occurred_at": rows.times.parsed.times,
            "category": rows.labels.category,
            "category_raw": rows.labels.label,
            "source": rows.labels.source,
            "severity": pd.Series(np.where(rows.bad_severity, np.nan, rows.severity), index=index),
            "description": rows.description,
            "x_m": pos.x_m,
            "y_m": pos.y_m,
            "synthetic": rows.synthetic,
        },
        index=index,
    ).loc[accepted]
    out = out.reset_index(drop=True).assign(lon=lon, lat=lat)  # conform() makes severity Int64
    table = schema.conform(pd.concat([out, rows.tags.loc[accepted].reset_index(drop=True)], axis=1))
    if rows.register is None:
        return table
    located = rows.located
    return table.assign(
        geocode_quality=pd.array(located.quality[accepted], dtype="string"),
        geocode_match=pd.array(located.match[accepted], dtype="string"),
    )


def _report(
    rows: _Rows, rejects: Rejects, accepted: NDArray[np.bool_], *, name: str, notes: tuple[str, ...]
) -> ImportReport:
    """Count what the import did and say how it read the file."""
    raw, pos, labels, times = rows.raw, rows.positions, rows.labels, rows.times.parsed
    unknown_labels = labels.label[accepted & labels.unknown_category]
    unknown_sources = labels.source_label[accepted & labels.unknown_source]
    return ImportReport(
        file_name=name,
        file_format=raw.file_format,
        rows_read=len(raw.frame) + len(raw.bad_rows),
        accepted=int(accepted.sum()),
        rejected=int(rejects.rows.sum()) + len(raw.bad_rows),
        duplicates_in_file=int(rows.ident.exact_duplicate.sum()),
        unknown_categories=len(unknown_labels),
        unknown_category_labels=tuple(sorted(str(v) for v in unknown_labels.unique())),
        unknown_sources=len(unknown_sources),
        unknown_source_labels=tuple(sorted(str(v) for v in unknown_sources.unique())),
        crs=pos.crs,
        crs_guessed=pos.guessed,
        crs_reason=pos.reason,
        axes_swapped=pos.swapped,
        column_mapping=MappingProxyType(dict(rows.match.mapping)),
        dst_nonexistent=int((accepted & times.nonexistent).sum()),
        dst_ambiguous=int((accepted & times.ambiguous).sum()),
        date_only=int((accepted & times.date_only).sum()),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        decimal_comma=pos.decimal_comma,
        read_notes=(*raw.notes, *notes),
        position_qualities=geocoding.quality_counts(rows.located, accepted)
        if rows.register is not None
        else (),
    )


# --------------------------------------------------------------------------- import


def _read_source(
    source: str | Path | pd.DataFrame, *, file_name: str | None, sheet: str | None, layer: str | None
) -> tuple[reading.RawTable, str]:
    """Read the file or take the DataFrame as it is; return it with the name the report uses."""
    if isinstance(source, pd.DataFrame):
        return reading.from_frame(source), file_name or "DataFrame"
    path = Path(source)
    return reading.read_table(path, sheet=sheet, layer=layer), file_name or path.name


def import_incidents(
    source: str | Path | pd.DataFrame,
    *,
    crs: str | int | None = None,
    mapping: Mapping[str, str] | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
    layer: str | None = None,
    register: Register | None = None,
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
        ``geo.columns.FIELDS``.
    file_name
        Name used in the report (default: the file's name, or ``'DataFrame'``).
    sheet
        XLSX sheet to read (default: the first).
    layer
        GeoPackage layer to read (default: the first).
    register
        Address register (``geo.gazetteer``) to geocode rows that give an address but no
        coordinates; the table then has ``geocode_quality`` and ``geocode_match`` columns
        and the report counts rows by quality. Without one such rows are rejected.

    Returns
    -------
    ImportResult
        ``incidents`` (``schema.INCIDENT_DTYPES``, district columns filled), ``rejects``
        (``geo.rejects.REJECT_COLUMNS``, one line per refused field, row numbers as a
        person sees them) and ``report`` (counts, CRS decision, column mapping, notes).

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
    crs_given = coordinates.check_crs(crs)
    raw, name = _read_source(source, file_name=file_name, sheet=sheet, layer=layer)
    match = columns.match_columns(raw, name=name, mapping=mapping, crs_given=crs_given)
    rows = _read_rows(raw, match, crs_given=crs_given, name=name, register=register)
    rejects = _reject(rows)
    accepted = ~rows.ident.exact_duplicate & ~rejects.rows
    notes = (*match.notes, *rows.positions.notes, *_sea_notes(rows, accepted))
    report = _report(rows, rejects, accepted, name=name, notes=notes)
    return ImportResult(
        incidents=_incident_table(rows, accepted), rejects=rejects.table(raw.bad_rows), report=report
    )
