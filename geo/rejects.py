"""Rejects: the rows an import refused, one line per refused field, and their CSV.

A rejects table has the columns ``REJECT_COLUMNS``: the row number a person sees, the
row's id, the field, the source column, the value as given and the reason, in English
(what the CLI prints and the CSV holds). Every reason is made from a code of ``REASONS``
and its parameters, which the table keeps too (``REASON_COLUMNS``): the app shows the
reason in its interface language from them (``i18n``'s ``reject.<code>``). The CLI
writes the table beside the imported file (``write_rejects``), the app offers it as a
download (``rejects_csv``); both neutralise every cell first, because the values are a
partner's raw cells and may hold spreadsheet formulas.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final, Protocol, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import files, settings
from geo.spreadsheet import neutralise_frame

#: Columns of a rejects table as written to CSV.
REJECT_COLUMNS: Final = ("row", "id", "field", "column", "value", "reason")
#: The reason's code (a key of ``REASONS``) and its parameters as JSON: kept in the table
#: for a translation at the edge, left out of the CSV.
REASON_COLUMNS: Final = ("reason_code", "reason_params")

#: Why an import refuses a row: code -> the English reason, a ``str.format`` template of
#: the line's parameters. The CLI and the CSV print these texts unchanged.
REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "id_conflict": "duplicate id with different content than row {row}",
        "not_point": "geometry is not a point: {kind}",
        "missing_coordinate": "missing coordinate",
        "unparseable_coordinate": "unparseable coordinate",
        "outside_helsinki": "outside Helsinki (lon {lon:.5f}, lat {lat:.5f})",
        "missing_date": "missing date",
        "unparseable_date": (
            "unparseable date: expected e.g. 28.4.2026 14.30, 28.4.2026 klo 14:30 or 2026-04-28T14:30"
        ),
        "implausible_date": (
            "date outside the plausible period {earliest} .. {latest} (a typo or a placeholder?); "
            f"fix the date, or set {settings.ENV_EARLIEST_DATE} / {settings.ENV_LATEST_DATE}"
        ),
        "bad_severity": "severity must be a whole number 1-5",
        "no_register": (
            "address without coordinates: geocoding needs an address register; give one "
            "(hotspots import FILE --register REGISTER.csv [--places PLACES.csv], or "
            f"{settings.ENV_REGISTER}) or fetch the official City of Helsinki one (hotspots gazetteer fetch)"
        ),
        "address_not_found": "address not found; closest register names: {names}",
        "address_not_close": "address not found; no register name is close",
        "address_outside": "address found outside Helsinki: {match}",
        "row_fields": (
            "the row has {fields} {delimiter}-separated fields but the header has {header}; "
            "check the delimiters and quotes in this row"
        ),
    }
)

_DTYPES: Final = {
    "row": "int64",
    "id": "string",
    "field": "string",
    "column": "string",
    "value": "string",
    "reason": "string",
    "reason_code": "string",
    "reason_params": "string",
}

#: A parameter of a reason: one value for every line, or one per row of the file.
Param: TypeAlias = pd.Series | NDArray[np.object_] | NDArray[np.float64] | str | float | int


def _plain(value: object) -> object:
    """Return a JSON-ready value: numpy scalars as Python numbers, missing values as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def reasons(code: str, n: int, **params: Param) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """Return ``n`` reasons of one code: their English texts and their parameters as JSON.

    Parameters
    ----------
    code
        A key of ``REASONS``.
    n
        Number of lines.
    **params
        The template's parameters: one value for all lines, or a sequence of ``n``.

    Returns
    -------
    tuple of ndarray
        The texts (``REASONS[code]`` filled in) and the JSON objects of the parameters.
    """
    if code not in REASONS:
        raise KeyError(
            f"reject reason {code!r} is not one of {sorted(REASONS)}; add it to geo.rejects.REASONS"
        )
    template = REASONS[code]
    columns = {
        name: [value] * n if isinstance(value, str | int | float) else list(np.asarray(value, dtype=object))
        for name, value in params.items()
    }
    texts = np.empty(n, dtype=object)
    encoded = np.empty(n, dtype=object)
    for i in range(n):
        line = {name: _plain(values[i]) for name, values in columns.items()}
        texts[i] = template.format(**line)
        encoded[i] = json.dumps(line, ensure_ascii=False)
    return texts, encoded


def empty_rejects() -> pd.DataFrame:
    """Return a rejects table with no rows.

    Returns
    -------
    DataFrame
        Columns ``REJECT_COLUMNS`` and ``REASON_COLUMNS``: ``row`` int64, the others ``string``.
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in _DTYPES.items()})


class HasRejects(Protocol):
    """Anything carrying a rejects table, such as ``geo.incidents.ImportResult``."""

    @property
    def rejects(self) -> pd.DataFrame:
        """The rejects table."""
        ...


class Rejects:
    """Collects reject lines as arrays, one block per check.

    Parameters
    ----------
    row_numbers
        Row numbers as a person sees them, one per row of the file.
    ids
        The id of every row.
    """

    def __init__(self, row_numbers: NDArray[np.int64], ids: pd.Series) -> None:
        self._rows = row_numbers
        self._ids = ids.astype(object).to_numpy()
        self._blocks: list[pd.DataFrame] = []
        #: Rows with at least one reject line.
        self.rows = np.zeros(len(row_numbers), dtype=bool)

    def add(
        self,
        mask: NDArray[np.bool_],
        field_name: str,
        column: str | None,
        values: pd.Series | NDArray[np.object_] | str,
        code: str,
        **params: Param,
    ) -> None:
        """Add one line for each row in ``mask``.

        Parameters
        ----------
        mask
            The rows refused for this reason.
        field_name, column
            The field and the source column it was read from (None: no column).
        values
            The values as given: per row (a Series or array over all rows) or one text for every line.
        code
            The reason, a key of ``REASONS``.
        **params
            The reason's parameters, each one value or one per row of the file.
        """
        idx = np.flatnonzero(mask)
        if not idx.size:
            return

        def pick(v: Param) -> NDArray[np.object_]:
            if isinstance(v, str | int | float):
                return np.full(idx.size, v, dtype=object)
            arr = v.astype(object).to_numpy() if isinstance(v, pd.Series) else v
            return np.asarray(arr, dtype=object)[idx]

        texts, encoded = reasons(code, idx.size, **{name: pick(value) for name, value in params.items()})
        self._blocks.append(
            pd.DataFrame(
                {
                    "row": self._rows[idx],
                    "id": self._ids[idx],
                    "field": field_name,
                    "column": column if column is not None else "",
                    "value": pick(values),
                    "reason": texts,
                    "reason_code": code,
                    "reason_params": encoded,
                }
            )
        )
        self.rows[idx] = True

    def table(self, bad_rows: pd.DataFrame | None = None) -> pd.DataFrame:
        """Return the reject lines in row order.

        Parameters
        ----------
        bad_rows
            Lines the reader could not split (``geo.reading.RawTable.bad_rows``: ``row``,
            ``value``, ``reason`` and ``REASON_COLUMNS``); they join the table as field ``'row'``.

        Returns
        -------
        DataFrame
            A rejects table (``REJECT_COLUMNS`` and ``REASON_COLUMNS``), sorted by row (stable).
        """
        if self._blocks:
            lines = pd.concat(self._blocks, ignore_index=True)
            lines = lines.sort_values("row", kind="stable").reset_index(drop=True).astype(_DTYPES)
        else:
            lines = empty_rejects()
        if bad_rows is None or bad_rows.empty:
            return lines
        bad = pd.DataFrame(
            {
                "row": bad_rows["row"].to_numpy(dtype=np.int64),
                "id": pd.NA,
                "field": "row",
                "column": "",
                "value": bad_rows["value"].to_numpy(dtype=object),
                "reason": bad_rows["reason"].to_numpy(dtype=object),
                **{name: bad_rows[name].to_numpy(dtype=object) for name in REASON_COLUMNS},
            }
        ).astype(lines.dtypes.to_dict())
        both = pd.concat([lines, bad], ignore_index=True) if len(lines) else bad
        return both.sort_values("row", kind="stable").reset_index(drop=True)


def write_rejects(rejects: HasRejects | pd.DataFrame, path: str | Path) -> Path:
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


def rejects_csv(rejects: HasRejects | pd.DataFrame) -> bytes:
    """Return the rejects as CSV bytes (UTF-8 with BOM), every cell neutralised for spreadsheets.

    A partner's file may hold ``=HYPERLINK(...)`` in any field; the rejects repeat the raw
    values, so they pass ``geo.spreadsheet.neutralise_frame`` first (the app's "download
    rejects" and ``write_rejects`` both use this).

    Parameters
    ----------
    rejects
        An ``ImportResult`` or a rejects frame.

    Returns
    -------
    bytes
        The CSV file's content.
    """
    frame = rejects if isinstance(rejects, pd.DataFrame) else rejects.rejects
    frame = frame.drop(columns=list(REASON_COLUMNS), errors="ignore")  # the codes are for the app
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")
