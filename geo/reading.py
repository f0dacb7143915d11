"""Reading incident files as they arrive: CSV, XLSX, GeoJSON, GeoPackage, Parquet.

Nothing is coerced on the way in. CSV cells stay text (``'00123'`` stays an id,
``'60,1699'`` is parsed later with its decimal comma), spreadsheet cells keep their value
(text, number or datetime), geometry files give the point coordinates in their own CRS.

Row numbers are what a person sees (``RawTable.row_numbers``):

- CSV and XLSX: the spreadsheet row, the header being row 1, so the first data row is 2
  (blank lines count, as they would in a spreadsheet; a quoted cell spanning lines is one row);
- GeoJSON, GeoPackage, (Geo)Parquet and DataFrames: the feature/record position, from 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely
from numpy.typing import NDArray

from geo.encoding import decode
from geo.errors import InputFormatError
from geo.rejects import reasons

#: File formats ``read_table`` understands, by suffix.
FORMATS: Final[dict[str, str]] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
}
#: Column names under which a geometry file's point coordinates are handed on.
GEOMETRY_X: Final = "__geometry_x"
GEOMETRY_Y: Final = "__geometry_y"
GEOMETRY_KIND: Final = "__geometry_kind"

_DELIMITERS: Final = (";", ",", "\t", "|")
_DELIMITER_NAMES: Final = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}
_SNIFF_LINES: Final = 50
#: Names of shapely's geometry type ids 0..7.
_GEOMETRY_NAMES: Final = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)


@dataclass(frozen=True)
class RawTable:
    """One incident file as read, before any interpretation.

    Attributes
    ----------
    frame
        The data rows; CSV cells as text (missing = NA), other formats with their stored
        values. Geometry files add ``GEOMETRY_X``/``GEOMETRY_Y`` (NaN when not a point) and
        ``GEOMETRY_KIND`` (``'Point'``, ``'LineString'`` ..., None when empty).
    row_numbers
        The row number a person sees for each row of ``frame`` (see the module docstring).
    file_format
        ``'csv'``, ``'xlsx'``, ``'geojson'``, ``'gpkg'``, ``'parquet'`` or ``'dataframe'``.
    geometry_crs
        ``'EPSG:n'`` of a geometry file's coordinates; None when it has no geometry or
        declares no CRS.
    has_geometry
        True when the coordinates come from a geometry column.
    encoding, delimiter
        How a CSV file was decoded and split; None for other formats.
    notes
        Things a person should know about how the file was read.
    bad_rows
        Lines the parser could not split into the header's fields (``row``, ``value``,
        ``reason`` with its ``reason_code`` and ``reason_params``, see ``geo.rejects``):
        the import rejects them, the rest of the file is read.
    """

    frame: pd.DataFrame
    row_numbers: NDArray[np.int64]
    file_format: str
    geometry_crs: str | None = None
    has_geometry: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    bad_rows: pd.DataFrame = field(default_factory=lambda: empty_bad_rows(), repr=False)


def file_format(path: Path) -> str:
    """Return the format of ``path`` from its suffix.

    Parameters
    ----------
    path
        The file (it need not exist).

    Returns
    -------
    str
        ``'csv'``, ``'xlsx'``, ``'geojson'``, ``'gpkg'`` or ``'parquet'`` (``FORMATS``).

    Raises
    ------
    InputFormatError
        For an unsupported suffix; the message names the file and the allowed formats.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        allowed = ", ".join(sorted(FORMATS))
        raise InputFormatError(
            f"{path.name}: files ending in {suffix or '(no suffix)'!r} cannot be imported; "
            f"save it as one of {allowed} (CSV, XLSX, GeoJSON, GeoPackage or Parquet)",
            code="file_format",
            name=path.name,
        )
    return FORMATS[suffix]


def _sample_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """Return the sample lines split by ``delimiter``; a field of any size is fine (a long description)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, sum(len(line) for line in lines) + 1))
    try:
        return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    except csv.Error:
        return []
    finally:
        csv.field_size_limit(limit)


def _sniff_delimiter(text: str, name: str) -> str:
    """Return the delimiter that splits the header into most columns and the rows consistently."""
    lines = [line for line in text.splitlines()[: _SNIFF_LINES + 1] if line.strip()]
    if not lines:
        raise InputFormatError(
            f"{name}: the file is empty; it needs a header row and data rows", code="file_empty", name=name
        )
    best: tuple[float, int, str] | None = None
    for delimiter in _DELIMITERS:
        rows = _sample_rows(lines, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(len(row) == width for row in rows) / len(rows)
        score = (consistent, width, delimiter)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        raise InputFormatError(
            f"{name}: the header row {lines[0][:80]!r} has a single column with every delimiter "
            f"tried ({', '.join(_DELIMITER_NAMES.values())}); save the file as CSV with a header row",
            code="single_column",
            name=name,
        )
    return best[2]


def read_csv(path: Path) -> RawTable:
    """Read a CSV file as text cells, sniffing the encoding and the delimiter.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    RawTable
        Text cells (blank = NA), spreadsheet row numbers (header = row 1).
    """
    text, encoding, notes = decode(path.read_bytes(), path.name)
    delimiter = _sniff_delimiter(text, path.name)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype="string[pyarrow]",
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                engine="c",
                on_bad_lines="warn",
            )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFormatError(
            f"{path.name}: cannot be read as {_DELIMITER_NAMES[delimiter]}-separated CSV: {exc}. "
            "Check that quotes are closed (a quote opened in one row and never closed swallows the rest)",
            code="csv_unreadable",
            name=path.name,
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    bad_rows = _bad_lines(caught, text, delimiter)
    # Row numbers as a person sees them (header = 1), the refused lines left out.
    rows = np.setdiff1d(np.arange(2, len(frame) + len(bad_rows) + 2, dtype=np.int64), bad_rows["row"])
    keep = frame.notna().any(axis=1).to_numpy()
    frame = frame.loc[keep].reset_index(drop=True)
    enc_note = {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8 with byte order mark",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16",
        "utf-16-be": "UTF-16",
    }.get(encoding)
    notes = [*notes, f"read {path.name} as {enc_note or encoding}, {_DELIMITER_NAMES[delimiter]}-separated"]
    return RawTable(
        frame,
        rows[keep],
        "csv",
        encoding=encoding,
        delimiter=delimiter,
        notes=tuple(notes),
        bad_rows=bad_rows,
    )


_BAD_LINE: Final = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


def _bad_lines(caught: list[warnings.WarningMessage], text: str, delimiter: str) -> pd.DataFrame:
    """Lines the CSV parser refused (more fields than the header), as reject rows."""
    found = [m for w in caught for m in _BAD_LINE.finditer(str(w.message))]
    if not found:
        return empty_bad_rows()
    lines = text.splitlines()
    rows = [int(m.group(1)) for m in found]
    values = [lines[r - 1][:200] if 0 < r <= len(lines) else "" for r in rows]
    texts, params = reasons(
        "row_fields",
        len(found),
        fields=np.array([int(m.group(3)) for m in found], dtype=object),
        header=np.array([int(m.group(2)) for m in found], dtype=object),
        delimiter=_DELIMITER_NAMES[delimiter],
    )
    return pd.DataFrame(
        {
            "row": np.asarray(rows, dtype=np.int64),
            "value": values,
            "reason": texts,
            "reason_code": "row_fields",
            "reason_params": params,
        }
    )


def empty_bad_rows() -> pd.DataFrame:
    """Return a table of refused lines with no rows (``RawTable.bad_rows``).

    Returns
    -------
    DataFrame
        Columns ``row`` (int64), ``value``, ``reason``, ``reason_code`` and ``reason_params``.
    """
    return pd.DataFrame(
        {
            "row": pd.Series(dtype=np.int64),
            **{name: pd.Series(dtype=object) for name in ("value", "reason", "reason_code", "reason_params")},
        }
    )


def _cell(value: Any) -> Any:
    """Return an XLSX cell as text, except datetimes (kept for the time parser) and empties (None)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value)
    return text if text.strip() else None


def read_xlsx(path: Path, *, sheet: str | None = None) -> RawTable:
    """Read the first (or the named) sheet of an XLSX workbook.

    The header is the first row with at least two filled cells (title rows above it are
    skipped). Numbers become text as Excel shows them (``123`` not ``123.0``), datetime
    cells stay datetimes.

    Parameters
    ----------
    path
        The workbook.
    sheet
        Sheet name; None for the first sheet.

    Returns
    -------
    RawTable
        Cells and their spreadsheet row numbers.
    """
    book = _open_workbook(path)
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputFormatError(
                f"{path.name}: has no sheet {sheet!r}; its sheets are {names}",
                code="no_part",
                name=path.name,
                part=sheet,
                parts=names,
            )
        ws = book[sheet] if sheet is not None else book[names[0]]
        rows = [tuple(_cell(v) for v in row) for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    header_at = next((i for i, row in enumerate(rows) if sum(v is not None for v in row) >= 2), None)
    if header_at is None:
        raise InputFormatError(
            f"{path.name}: sheet {ws.title!r} has no header row with two or more columns",
            code="no_header",
            name=path.name,
            part=ws.title,
        )
    header = [str(v).strip() if v is not None else f"column_{i + 1}" for i, v in enumerate(rows[header_at])]
    while header and header[-1].startswith("column_"):
        header.pop()
    body = [row[: len(header)] + (None,) * (len(header) - len(row)) for row in rows[header_at + 1 :]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    row_numbers = np.arange(len(frame), dtype=np.int64) + header_at + 2
    keep = frame.notna().any(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    frame = frame.loc[keep].reset_index(drop=True)
    notes = [
        f"read sheet {ws.title!r} of {path.name}" + (f" (of {len(names)} sheets)" if len(names) > 1 else "")
    ]
    if header_at:
        notes.append(f"header found in row {header_at + 1}; rows above it skipped")
    return RawTable(frame, row_numbers[keep], "xlsx", notes=tuple(notes))


def _epsg(crs: Any) -> str | None:
    if crs is None:
        return None
    code = crs.to_epsg()
    return f"EPSG:{code}" if code is not None else None


def _with_point_columns(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, str | None, list[str]]:
    """Attribute columns plus x/y of point geometries in the file's CRS."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return frame, None, []
    geoms = np.asarray(frame.geometry.values)
    kinds = shapely.get_type_id(geoms)
    points = kinds == shapely.GeometryType.POINT
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    x = np.full(len(frame), np.nan)
    y = np.full(len(frame), np.nan)
    ok = points & ~empty
    x[ok] = shapely.get_x(geoms[ok])
    y[ok] = shapely.get_y(geoms[ok])
    names = np.array(_GEOMETRY_NAMES, dtype=object)
    kind = np.where(empty | (kinds < 0), None, names[np.clip(kinds, 0, len(_GEOMETRY_NAMES) - 1)])
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    out[GEOMETRY_X] = x
    out[GEOMETRY_Y] = y
    out[GEOMETRY_KIND] = pd.Series(kind, dtype=object)
    crs = _epsg(frame.crs)
    notes = [] if crs or frame.crs is None else [f"{name}: its CRS has no EPSG code; pass crs=..."]
    return out, crs, notes


def read_geofile(path: Path, *, layer: str | None = None) -> RawTable:
    """Read a GeoJSON or GeoPackage layer with pyogrio: attributes plus point x/y.

    Parameters
    ----------
    path
        The file.
    layer
        Layer name; None for the first layer.

    Returns
    -------
    RawTable
        Attributes (date/time fields as ISO text), ``GEOMETRY_X``/``GEOMETRY_Y`` in the
        file's CRS, feature numbers from 1.
    """
    import pyogrio

    kind = file_format(path)
    layers = _layers(path)
    if not layers:
        raise InputFormatError(f"{path.name}: has no layers", code="no_layers", name=path.name)
    if layer is not None and layer not in layers:
        raise InputFormatError(
            f"{path.name}: has no layer {layer!r}; its layers are {layers}",
            code="no_part",
            name=path.name,
            part=layer,
            parts=layers,
        )
    chosen = layer if layer is not None else layers[0]
    try:
        gdf = pyogrio.read_dataframe(path, layer=chosen, datetime_as_string=True)
    except Exception as exc:
        raise InputFormatError(
            f"{path.name}: layer {chosen!r} cannot be read ({exc})", code="unreadable", name=path.name
        ) from exc
    frame, crs, crs_notes = _with_point_columns(gdf, path.name)
    notes = [
        f"read layer {chosen!r} of {path.name}" + (f" (of {len(layers)} layers)" if len(layers) > 1 else "")
    ]
    notes += crs_notes
    rows = np.arange(len(frame), dtype=np.int64) + 1
    return RawTable(frame, rows, kind, geometry_crs=crs, has_geometry=True, notes=tuple(notes))


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; a GeoParquet file (``geo`` metadata) gives point x/y too.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    RawTable
        Stored values as they are typed in the file, record numbers from 1.
    """
    try:
        metadata = pq.read_schema(path).metadata or {}
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError
        raise InputFormatError(
            f"{path.name}: cannot be opened as Parquet ({exc})", code="unreadable", name=path.name
        ) from exc
    rows_note = f"read {path.name} as Parquet"
    if b"geo" in metadata:
        try:
            gdf = gpd.read_parquet(path)
        except Exception as exc:  # broken ``geo`` metadata: ValueError, CRSError, JSON errors
            raise InputFormatError(
                f"{path.name}: its GeoParquet metadata ('geo') cannot be read ({exc}); save the file "
                "again with a valid CRS, or as plain Parquet or CSV with lon/lat columns",
                code="unreadable",
                name=path.name,
            ) from exc
        frame, crs, notes = _with_point_columns(gdf, path.name)
        rows = np.arange(len(frame), dtype=np.int64) + 1
        return RawTable(
            frame,
            rows,
            "parquet",
            geometry_crs=crs,
            has_geometry=True,
            notes=(f"{rows_note} (GeoParquet)", *notes),
        )
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and friends
        raise InputFormatError(
            f"{path.name}: cannot be read as Parquet ({exc})", code="unreadable", name=path.name
        ) from exc
    rows = np.arange(len(frame), dtype=np.int64) + 1
    return RawTable(frame, rows, "parquet", notes=(rows_note,))


def _open_workbook(path: Path) -> Any:
    """Return an XLSX workbook opened read-only with cached values; InputFormatError when it is broken."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputFormatError(
            f"{path.name}: cannot be opened as an XLSX workbook ({exc})", code="unreadable", name=path.name
        ) from exc


def _layers(path: Path) -> list[str]:
    """Return the layers of a GeoPackage or GeoJSON file; InputFormatError when it cannot be opened."""
    import pyogrio

    try:
        return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputFormatError(
            f"{path.name}: cannot be opened as {file_format(path).upper()} ({exc})",
            code="unreadable",
            name=path.name,
        ) from exc


def parts(path: str | Path) -> list[str]:
    """Return the sheets of an XLSX workbook or the layers of a GeoPackage.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    list of str
        Sheet or layer names in file order; ``[]`` for single-table formats.

    Raises
    ------
    InputFormatError
        The file cannot be opened as its format.
    """
    path = Path(path)
    kind = file_format(path)
    if kind == "xlsx":
        book = _open_workbook(path)
        try:
            return [str(name) for name in book.sheetnames]
        finally:
            book.close()
    if kind == "gpkg":
        return _layers(path)
    return []


def read_table(path: str | Path, *, sheet: str | None = None, layer: str | None = None) -> RawTable:
    """Read an incident file of any supported format (chosen by suffix).

    Parameters
    ----------
    path
        A ``.csv``/``.txt``/``.tsv``, ``.xlsx``, ``.geojson``/``.json``, ``.gpkg`` or
        ``.parquet`` file.
    sheet
        XLSX sheet name (default: the first sheet).
    layer
        GeoPackage/GeoJSON layer name (default: the first layer).

    Returns
    -------
    RawTable
        The rows, their row numbers and notes on how the file was read.

    Raises
    ------
    InputFormatError
        Unsupported suffix, missing file, unreadable content, unknown sheet or layer.
    """
    path = Path(path)
    kind = file_format(path)
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file; give the path of an existing {kind.upper()} file")
    if kind == "csv":
        return read_csv(path)
    if kind == "xlsx":
        return read_xlsx(path, sheet=sheet)
    if kind in ("geojson", "gpkg"):
        return read_geofile(path, layer=layer)
    return read_parquet(path)


def from_frame(frame: pd.DataFrame) -> RawTable:
    """Wrap a DataFrame given directly (columns are shared, never written to).

    A GeoDataFrame's point geometry is used like a geometry file's.

    Parameters
    ----------
    frame
        The incidents as a (Geo)DataFrame; not modified.

    Returns
    -------
    RawTable
        The rows on a fresh 0..n-1 index, record numbers from 1.
    """
    out, crs, notes = _with_point_columns(frame, "the DataFrame")
    out = out.reset_index(drop=True)  # positions, whatever the caller's index (a new frame)
    has_geometry = GEOMETRY_X in out.columns
    rows = np.arange(len(out), dtype=np.int64) + 1
    return RawTable(out, rows, "dataframe", geometry_crs=crs, has_geometry=has_geometry, notes=tuple(notes))
