"""Measures from a partner's file, CSV or GeoJSON: every row checked, every bad one reported.

Columns (CSV) or feature properties (GeoJSON), names in any case:

``kind``, ``lead``
    A code (``store.measure_records.MEASURE_KINDS``, ``LEADS``) or a Finnish, Swedish or
    English word for it (``KIND_WORDS``, ``LEAD_WORDS``: "jalkautuva nuorisotyö",
    "patrullering", "lighting", "poliisi" ...).
``start``, ``end``
    Dates or times, Helsinki time when naive, in the forms incident files use
    (``geo.timeparse``: 2025-03-01, 1.3.2025, ...). ``end`` is the day after the last, like
    ``--until`` everywhere in the tool: a measure of March is 2025-03-01 to 2025-04-01.
``partner``, ``note``, ``categories`` (optional)
    Free text (at most 200 and 1000 characters), and the targeted categories separated by
    commas or semicolons, as canonical codes or the labels incident files use
    (``geo.categories``); empty means all.
where, exactly one of
    the feature's geometry (GeoJSON: Polygon or MultiPolygon, WGS84 lon/lat as RFC 7946
    says, or EPSG:3067 / EPSG:3879 when the file's ``crs`` says so); a ``wkt`` column (CSV:
    a POLYGON or MULTIPOLYGON in lon/lat or in metres, told apart by the coordinates'
    range in the Helsinki region with ``geo.crs.guess_crs``); or ``districts``: names or
    codes at any level separated by commas or semicolons (``hotspots.measure_places``).

``read_measures`` returns the good rows as measures with their places and the bad ones as
rejects (``geo.rejects.REJECT_COLUMNS``: one line per refused field, naming the row as a
person sees it, the field, the value and what to do). Nothing is stored here: the caller
decides (``hotspots measures import`` stores nothing while a row is bad, unless told to
skip them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import crs
from geo.categories import canonical_category
from geo.errors import HotspotsError, InputFormatError, ParameterError
from geo.reading import read_csv
from geo.rejects import REJECT_COLUMNS
from geo.timeparse import parse_timestamps
from hotspots.measure_places import Place, districts_place, drawn_place
from store.measure_records import LEADS, MEASURE_KINDS, Measure, measure_kind, measure_lead

#: Columns every measure file has.
REQUIRED_COLUMNS: Final = ("kind", "lead", "start", "end")
#: Columns a measure file may have besides them.
OPTIONAL_COLUMNS: Final = ("partner", "note", "categories", "wkt", "districts")
#: File suffixes read as CSV and as GeoJSON.
CSV_SUFFIXES: Final = (".csv", ".txt", ".tsv")
GEOJSON_SUFFIXES: Final = (".geojson", ".json")
_LIST_SPLIT: Final = re.compile(r"[,;]")
#: Fields a ParameterError of ``Measure`` may start with, as a reject names them.
_MEASURE_FIELDS: Final = ("kind", "lead", "partner", "note", "start", "end", "categories", "area")


@dataclass(frozen=True)
class MeasureRow:
    """One good row of a measure file: its row number, the measure and where it was."""

    row: int
    measure: Measure
    place: Place


@dataclass(frozen=True)
class MeasureFile:
    """What ``read_measures`` read.

    Attributes
    ----------
    name
        The file's name.
    rows_read
        Rows (features) in the file.
    measures
        The good rows, in file order.
    rejects
        One line per refused field of the bad rows (``geo.rejects.REJECT_COLUMNS``).
    """

    name: str
    rows_read: int
    measures: tuple[MeasureRow, ...]
    rejects: pd.DataFrame

    @property
    def bad_rows(self) -> int:
        """Rows refused."""
        return int(self.rejects["row"].nunique())


# --------------------------------------------------------------------------- areas


def _polygonal(geometry: object, what: str) -> shapely.Geometry:
    """``geometry`` when it is a non-empty Polygon or MultiPolygon; ParameterError naming ``what``."""
    if not isinstance(geometry, shapely.Polygon | shapely.MultiPolygon) or geometry.is_empty:
        empty = geometry is None or getattr(geometry, "is_empty", True)
        kind = "empty" if empty else str(getattr(geometry, "geom_type", type(geometry).__name__))
        raise ParameterError(f"{what} is {kind}, not a Polygon or MultiPolygon; give the measure's area")
    return geometry


def to_metric(geometry: shapely.Geometry, src: str | None, what: str) -> shapely.Geometry:
    """Return ``geometry`` in EPSG:3067; with ``src`` None, its CRS is told by its coordinates' range.

    Raises
    ------
    ParameterError
        The coordinates fit no CRS in the Helsinki region, or the area lies outside it
        (``what`` names the value).
    """
    if src is None:
        x0, y0, x1, y1 = geometry.bounds
        src = crs.guess_crs([x0, x1], [y0, y1])
        if src is None:
            raise ParameterError(
                f"{what} has coordinates {tuple(round(v, 3) for v in geometry.bounds)} that are neither "
                "lon/lat nor metres (EPSG:3067 or EPSG:3879) in the Helsinki region; check the numbers"
            )
    metric = geometry
    if crs.normalise_crs(src) != crs.METRIC:
        metric = shapely.transform(
            geometry, lambda xy: np.column_stack(crs.transform(xy[:, 0], xy[:, 1], src=src, dst=crs.METRIC))
        )
    x0, y0, x1, y1 = metric.bounds
    if crs.guess_crs([x0, x1], [y0, y1]) != crs.METRIC:
        lon, lat = crs.to_wgs84([(x0 + x1) / 2], [(y0 + y1) / 2], src=crs.METRIC)
        raise ParameterError(
            f"{what} lies outside the Helsinki region (its middle is at {float(lat[0]):.3f} N, "
            f"{float(lon[0]):.3f} E); give an area in Helsinki"
        )
    return metric


def _file_crs(frame: gpd.GeoDataFrame, name: str) -> str:
    """Return the CRS of a GeoJSON file's coordinates: its ``crs`` member, else WGS84 (RFC 7946)."""
    if frame.crs is None:
        return crs.WGS84
    code = frame.crs.to_epsg()
    if code is None or f"EPSG:{code}" not in crs.SUPPORTED:
        raise InputFormatError(
            f"{name}: its crs is {frame.crs.name!r}; give the areas in WGS84 lon/lat (no crs member), "
            "EPSG:3067 or EPSG:3879"
        )
    return f"EPSG:{code}"


def read_area(path: str | Path) -> shapely.Geometry:
    """Return the area of a GeoJSON file (``--area``): the union of its polygons, in EPSG:3067.

    Parameters
    ----------
    path
        A GeoJSON file of Polygon or MultiPolygon features (WGS84, or EPSG:3067 / 3879 when
        its ``crs`` says so), e.g. drawn in QGIS or geojson.io.

    Raises
    ------
    InputFormatError
        The file cannot be read, holds no polygon, or another kind of geometry.
    """
    frame = _read_geojson(Path(path))
    src = _file_crs(frame, Path(path).name)
    parts = []
    for number, geometry in enumerate(frame.geometry, start=1):
        try:
            parts.append(to_metric(_polygonal(geometry, f"feature {number}"), src, f"feature {number}"))
        except ParameterError as exc:
            raise InputFormatError(f"{Path(path).name}: {exc}") from exc
    if not parts:
        raise InputFormatError(f"{Path(path).name}: holds no feature; draw the measure's area and save it")
    return shapely.make_valid(shapely.union_all(parts))


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(path, datetime_as_string=True)
    except Exception as exc:  # pyogrio raises its own and GDAL's errors for an unreadable file
        raise InputFormatError(f"{path.name}: cannot be read as GeoJSON ({exc})") from exc


# --------------------------------------------------------------------------- rows


def _table(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[Any] | None, str | None]:
    """Cells (columns lower-cased), row numbers, geometries (GeoJSON) and their CRS."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        raw = read_csv(path)
        frame, rows, geometries, src = raw.frame, np.asarray(raw.row_numbers), None, None
    elif suffix in GEOJSON_SUFFIXES:
        gdf = _read_geojson(path)
        src = _file_crs(gdf, path.name)
        geometries = list(gdf.geometry)
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        rows = np.arange(1, len(frame) + 1)
    else:
        raise InputFormatError(
            f"{path.name}: a measure file is CSV ({', '.join(CSV_SUFFIXES)}) or GeoJSON "
            f"({', '.join(GEOJSON_SUFFIXES)}); save it as one of them"
        )
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputFormatError(
            f"{path.name}: has no column {', '.join(missing)}; a measure file has "
            f"{', '.join(REQUIRED_COLUMNS)}, and may have {', '.join(OPTIONAL_COLUMNS)} "
            f"(its columns are {list(frame.columns)})"
        )
    return frame, rows, geometries, src


def _text(value: object) -> str:
    return (
        ""
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA
        else str(value).strip()
    )


def _items(text: str) -> list[str]:
    return [item.strip() for item in _LIST_SPLIT.split(text) if item.strip()]


class _Row:
    """The problems of one row, gathered field by field."""

    def __init__(self, row: int) -> None:
        self.row = row
        self.problems: list[tuple[str, str, str]] = []

    def refuse(self, field: str, value: object, reason: str) -> None:
        self.problems.append((field, _text(value), reason))


def _choice(row: _Row, field: str, value: object, found: str | None, codes: Sequence[str]) -> str:
    if found is None:
        what = "is empty" if not _text(value) else "is not known"
        row.refuse(
            field,
            value,
            f"{field} {what}; use one of {', '.join(codes)} or its Finnish, Swedish or English name",
        )
    return found or ""


def _categories(row: _Row, value: object) -> tuple[str, ...]:
    found: list[str] = []
    for label in _items(_text(value)):
        code = canonical_category(label)
        if code is None:
            row.refuse(
                "categories",
                label,
                f"category {label!r} is not known; use the codes or labels incident files use, "
                "e.g. drug_dealing, pahoinpitely",
            )
        elif code not in found:
            found.append(code)
    return tuple(found)


def _time(row: _Row, field: str, value: object, parsed: pd.Timestamp) -> pd.Timestamp | None:
    if pd.isna(parsed):
        what = "is empty" if not _text(value) else "is not a date"
        row.refuse(field, value, f"{field} {what}; give a date such as 2025-03-01 or 1.3.2025")
        return None
    return parsed


def _area(row: _Row, cells: pd.Series, geometry: object, src: str | None, **layers: Any) -> Place | None:
    """Return the row's place from its geometry, ``wkt`` or ``districts`` (exactly one)."""
    wkt, names = _text(cells.get("wkt")), _items(_text(cells.get("districts")))
    has_geometry = geometry is not None and not getattr(geometry, "is_empty", True)
    given = [
        name
        for name, present in (("geometry", has_geometry), ("wkt", bool(wkt)), ("districts", bool(names)))
        if present
    ]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        row.refuse(
            "where",
            "",
            f"the row gives {what}; give exactly one of a polygon geometry, a wkt column or districts",
        )
        return None
    try:
        if names:
            return districts_place(names, **layers)
        if wkt:
            try:
                shape = shapely.from_wkt(wkt)
            except shapely.errors.GEOSException as exc:
                raise ParameterError(
                    f"wkt is not well-known text ({exc}); write e.g. POLYGON ((24.95 60.18, ...))"
                ) from exc
            area = to_metric(_polygonal(shape, "wkt"), None, "wkt")
        else:
            area = to_metric(_polygonal(geometry, "geometry"), src, "geometry")
        return drawn_place(area, osaalue_layer=layers["osaalue_layer"])
    except ParameterError as exc:
        field = given[0]
        row.refuse(field, wkt or ",".join(names) or getattr(geometry, "geom_type", ""), str(exc))
        return None


def read_measures(
    path: str | Path, *, hierarchy: pd.DataFrame, osaalue_layer: gpd.GeoDataFrame
) -> MeasureFile:
    """Read the measures of a CSV or GeoJSON file, checking every row (see the module).

    Parameters
    ----------
    path
        The file.
    hierarchy, osaalue_layer
        ``geo.districts.hierarchy()`` and ``geo.districts.load_districts("osaalue")``, to
        place rows by ``districts`` and to find the osa-alue each area touches.

    Returns
    -------
    MeasureFile
        The good rows as measures with their places, the bad ones as rejects.

    Raises
    ------
    InputFormatError
        The file cannot be read, is of another format, or lacks a required column.
    """
    file = Path(path)
    frame, numbers, geometries, src = _table(file)
    starts = parse_timestamps(frame["start"]).times
    ends = parse_timestamps(frame["end"]).times
    good: list[MeasureRow] = []
    lines: list[tuple[int, str, str, str]] = []
    for i in range(len(frame)):
        cells = frame.iloc[i]
        row = _Row(int(numbers[i]))
        kind = _choice(row, "kind", cells["kind"], measure_kind(_text(cells["kind"])), MEASURE_KINDS)
        lead = _choice(row, "lead", cells["lead"], measure_lead(_text(cells["lead"])), LEADS)
        start = _time(row, "start", cells["start"], starts.iloc[i])
        end = _time(row, "end", cells["end"], ends.iloc[i])
        categories = _categories(row, cells.get("categories"))
        geometry = None if geometries is None else geometries[i]
        place = _area(row, cells, geometry, src, hierarchy=hierarchy, osaalue_layer=osaalue_layer)
        if not row.problems and place is not None:
            try:
                measure = Measure(
                    kind=kind,  # type: ignore[arg-type]  # checked above
                    lead=lead,  # type: ignore[arg-type]
                    area=place.area,
                    start=start,
                    end=end,
                    partner=_text(cells.get("partner")),
                    categories=categories,
                    note=_text(cells.get("note")),
                )
                good.append(MeasureRow(row.row, measure, place))
            except ParameterError as exc:
                field = next((f for f in _MEASURE_FIELDS if str(exc).startswith(f)), "row")
                row.refuse(field, cells.get(field, ""), str(exc))
        lines.extend((row.row, *problem) for problem in row.problems)
    rejects = pd.DataFrame(
        {
            "row": pd.array([line[0] for line in lines], dtype="Int64"),
            "id": pd.array([pd.NA] * len(lines), dtype="string"),
            "field": pd.array([line[1] for line in lines], dtype="string"),
            "column": pd.array([line[1] for line in lines], dtype="string"),
            "value": pd.array([line[2] for line in lines], dtype="string"),
            "reason": pd.array([line[3] for line in lines], dtype="string"),
        },
        columns=list(REJECT_COLUMNS),
    )
    return MeasureFile(file.name, len(frame), tuple(good), rejects)


def first_problem(result: MeasureFile) -> str:
    """One line for the first refused field: ``row 3, lead: lead is not known; use one of ...``."""
    if result.rejects.empty:
        raise HotspotsError("the file has no refused rows")
    line = result.rejects.iloc[0]
    return f"row {line['row']}, {line['field']} ({line['value']!r}): {line['reason']}"
