"""Coordinates to points: the numbers of a file's rows as EPSG:3067 metres.

Positions come from a point geometry, lon/lat columns or x/y columns (``geo.columns``
says which). The CRS is settled in this order: given explicitly (``crs=``), declared by a
geometry file, named by lon/lat columns (EPSG:4326), or guessed from the numbers
(ETRS-GK25 EPSG:3879, ETRS-TM35FIN EPSG:3067 or WGS84), and reported as guessed. Swapped
axes (the geodetic convention, where ``x`` holds northings) are detected from the numbers
and read the other way round. Points that do not project count as not placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import cells, crs, reading
from geo.columns import CoordinateColumns
from geo.errors import ColumnMappingError, ParameterError

#: CRS accepted for ``crs=``.
CRS_CHOICES: Final = (crs.GK25, crs.METRIC, crs.WGS84)


def check_crs(value: str | int | None) -> str | None:
    """Return the CRS a person gave for the coordinates as ``'EPSG:n'``, or None when none.

    Parameters
    ----------
    value
        ``3879``, ``'3067'``, ``'EPSG:4326'`` ...; None or blank for none.

    Returns
    -------
    str or None
        One of ``CRS_CHOICES``, or None.

    Raises
    ------
    ParameterError
        For any other CRS; the message lists the allowed ones.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        code = crs.normalise_crs(value)
    except ValueError:
        code = str(value)
    if code not in CRS_CHOICES:
        raise ParameterError(
            f"crs was {value!r} but is expected to be one of 3879 (ETRS-GK25), 3067 (ETRS-TM35FIN) "
            "or 4326 (WGS84 lon/lat)"
        )
    return code


@dataclass(frozen=True)
class Positions:
    """Coordinates of every row: as read (in the source CRS, axes put right) and in metres.

    Attributes
    ----------
    first, second
        Easting/longitude and northing/latitude in ``crs``; NaN where missing or unparseable.
    first_raw, second_raw
        The cells as text (for rejects and the id hash).
    bad_first, bad_second
        Cells that hold text which is not a number.
    fields, columns
        Field names and source columns of ``first`` and ``second``, in that order.
    x_m, y_m
        EPSG:3067 metres; NaN where there is no point or it does not project.
    crs
        The CRS the numbers were read in (``'EPSG:n'``).
    guessed, reason
        Whether the CRS was guessed from the numbers, and why it is this one.
    swapped
        True when the file's axes were swapped (and were read the other way round).
    decimal_comma
        True when a coordinate cell used a decimal comma.
    notes
        What a person should know about the CRS decision.
    """

    first: NDArray[np.float64]
    second: NDArray[np.float64]
    first_raw: pd.Series
    second_raw: pd.Series
    bad_first: NDArray[np.bool_]
    bad_second: NDArray[np.bool_]
    fields: tuple[str, str]
    columns: tuple[str, str]
    x_m: NDArray[np.float64]
    y_m: NDArray[np.float64]
    crs: str
    guessed: bool
    reason: str
    swapped: bool
    decimal_comma: bool
    notes: tuple[str, ...]

    @property
    def present(self) -> NDArray[np.bool_]:
        """Rows with both numbers."""
        return np.isfinite(self.first) & np.isfinite(self.second)


@dataclass(frozen=True)
class _Numbers:
    """The two coordinate columns of every row as read, before the CRS is settled."""

    first: NDArray[np.float64]
    second: NDArray[np.float64]
    first_raw: pd.Series
    second_raw: pd.Series
    bad_first: NDArray[np.bool_]
    bad_second: NDArray[np.bool_]
    fields: tuple[str, str]
    columns: tuple[str, str]
    decimal_comma: bool

    def swapped(self) -> _Numbers:
        """Return the same numbers with the two axes exchanged."""
        return _Numbers(
            self.second,
            self.first,
            self.second_raw,
            self.first_raw,
            self.bad_second,
            self.bad_first,
            (self.fields[1], self.fields[0]),
            (self.columns[1], self.columns[0]),
            self.decimal_comma,
        )


def _read_numbers(frame: pd.DataFrame, coords: CoordinateColumns) -> _Numbers:
    """Read the coordinate columns (or the geometry's point columns) of every row."""
    n = len(frame)
    if coords.kind == "geometry":
        first = frame[reading.GEOMETRY_X].to_numpy(dtype=np.float64)
        second = frame[reading.GEOMETRY_Y].to_numpy(dtype=np.float64)
        none = np.zeros(n, dtype=bool)
        first_raw = pd.Series(first, index=frame.index).astype("string")
        second_raw = pd.Series(second, index=frame.index).astype("string")
        return _Numbers(
            first,
            second,
            first_raw,
            second_raw,
            none,
            none,
            ("geometry", "geometry"),
            ("geometry", "geometry"),
            False,
        )
    if coords.first is not None and coords.second is not None:
        first, bad_first, comma_a = cells.as_numbers(frame[coords.first])
        second, bad_second, comma_b = cells.as_numbers(frame[coords.second])
        return _Numbers(
            first,
            second,
            cells.as_text(frame[coords.first]),
            cells.as_text(frame[coords.second]),
            bad_first,
            bad_second,
            ("lon", "lat") if coords.kind == "lonlat" else ("x", "y"),
            (coords.first, coords.second),
            comma_a or comma_b,
        )
    nothing = np.full(n, np.nan)
    none = np.zeros(n, dtype=bool)
    no_text = pd.Series(pd.NA, index=frame.index, dtype="string")
    return _Numbers(nothing, nothing, no_text, no_text, none, none, ("address", "address"), ("", ""), False)


def _swapped(first: NDArray[np.float64], second: NDArray[np.float64], target: str) -> bool:
    """Return True when the numbers fit ``target`` only read the other way round."""
    if target not in CRS_CHOICES:
        return False
    return crs.guess_crs(first, second) != target and crs.guess_crs(second, first) == target


def _sample(first: NDArray[np.float64], second: NDArray[np.float64]) -> str:
    """'e.g. 25496123.45 / 6672213.06' from the first finite pair, for messages."""
    ok = np.isfinite(first) & np.isfinite(second)
    if not ok.any():
        return "no numeric pairs"
    i = int(np.flatnonzero(ok)[0])
    return f"e.g. {first[i]:.10g} / {second[i]:.10g}"


def _settle_crs(
    coords: CoordinateColumns,
    first: NDArray[np.float64],
    second: NDArray[np.float64],
    *,
    raw: reading.RawTable,
    crs_given: str | None,
    name: str,
    notes: list[str],
) -> tuple[str, bool, str, bool]:
    """CRS, whether guessed, why, and whether the axes are swapped (see the module docstring)."""
    swapped = False
    if coords.kind == "none":
        return crs.METRIC, False, "no coordinate columns", False
    if crs_given is not None:
        used, guessed, reason = crs_given, False, "given explicitly"
        if coords.kind == "geometry" and raw.geometry_crs and raw.geometry_crs != crs_given:
            notes.append(f"the file declares {raw.geometry_crs}; read as {crs_given} as asked")
    elif coords.kind == "geometry" and raw.geometry_crs is not None:
        used, guessed, reason = raw.geometry_crs, False, "declared by the file"
    elif coords.kind == "lonlat":
        used, guessed = crs.WGS84, False
        reason = f"columns {coords.first!r}/{coords.second!r} are named lon/lat"
    else:
        guess = crs.guess_crs(first, second)
        if guess is None and (guess_swapped := crs.guess_crs(second, first)) is not None:
            guess, swapped = guess_swapped, True
        if guess is None:
            what = f"columns {coords.first!r}/{coords.second!r}" if coords.first else "the geometry"
            raise ColumnMappingError(
                f"{name}: cannot tell the CRS of {what} from their values ({_sample(first, second)}); "
                "give the CRS of the x/y columns: crs=3879 (ETRS-GK25), 3067 (ETRS-TM35FIN) or 4326 (WGS84)",
                code="crs_unknown",
                columns=[c for c in (coords.first, coords.second) if c],
            )
        used, guessed = guess, True
        reason = f"from the coordinate values ({_sample(first, second)})"
    if not swapped and _swapped(first, second, used):
        swapped = True
    if swapped:
        reason += "; axes swapped (the first column held northings)"
    return used, guessed, reason, swapped


def read_positions(
    frame: pd.DataFrame,
    coords: CoordinateColumns,
    *,
    raw: reading.RawTable,
    crs_given: str | None,
    name: str,
) -> Positions:
    """Read the coordinates of every row, settle the CRS and axis order, and project to metres.

    Parameters
    ----------
    frame
        The rows as read (``raw.frame``); not modified.
    coords
        Where the positions come from (``geo.columns.match_columns``).
    raw
        The file as read: its geometry's declared CRS.
    crs_given
        The CRS given by a person (``check_crs``), or None to take it from the file or
        the numbers.
    name
        The file's name, for messages.

    Returns
    -------
    Positions
        The numbers in the source CRS (axes put right), EPSG:3067 metres and the CRS decision.

    Raises
    ------
    ColumnMappingError
        The CRS of x/y columns cannot be told from their values and none was given.
    """
    numbers = _read_numbers(frame, coords)
    notes: list[str] = []
    used, guessed, reason, swapped = _settle_crs(
        coords, numbers.first, numbers.second, raw=raw, crs_given=crs_given, name=name, notes=notes
    )
    if swapped:
        numbers = numbers.swapped()
    first, second = numbers.first, numbers.second
    present = np.isfinite(first) & np.isfinite(second)
    x_m = np.full(len(frame), np.nan)
    y_m = np.full(len(frame), np.nan)
    if present.any():
        x_m[present], y_m[present] = crs.to_metric(first[present], second[present], src=used)
    # Points that do not project (far outside the CRS) count as not placed in Helsinki.
    x_m = np.where(np.isfinite(x_m), x_m, np.nan)
    y_m = np.where(np.isfinite(y_m), y_m, np.nan)
    return Positions(
        first=first,
        second=second,
        first_raw=numbers.first_raw,
        second_raw=numbers.second_raw,
        bad_first=numbers.bad_first,
        bad_second=numbers.bad_second,
        fields=numbers.fields,
        columns=numbers.columns,
        x_m=x_m,
        y_m=y_m,
        crs=used,
        guessed=guessed,
        reason=reason,
        swapped=swapped,
        decimal_comma=numbers.decimal_comma,
        notes=tuple(notes),
    )
