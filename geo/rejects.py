"""Rejects: the rows an import refused, one line per refused field, and their CSV.

A rejects table has the columns ``REJECT_COLUMNS``: the row number a person sees, the
row's id, the field, the source column, the value as given and the reason. The CLI
writes it beside the imported file (``write_rejects``), the app offers it as a download
(``rejects_csv``); both neutralise every cell first, because the values are a partner's
raw cells and may hold spreadsheet formulas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import files
from geo.spreadsheet import neutralise_frame

#: Columns of a rejects table.
REJECT_COLUMNS: Final = ("row", "id", "field", "column", "value", "reason")

_DTYPES: Final = {
    "row": "int64",
    "id": "string",
    "field": "string",
    "column": "string",
    "value": "string",
    "reason": "string",
}


class HasRejects(Protocol):
    """Anything carrying a rejects table, such as ``geo.incidents.ImportResult``."""

    @property
    def rejects(self) -> pd.DataFrame:
        """The rejects table."""
        ...


def empty_rejects() -> pd.DataFrame:
    """Return a rejects table with no rows.

    Returns
    -------
    DataFrame
        Columns ``REJECT_COLUMNS``: ``row`` int64, the others ``string``.
    """
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            **{name: pd.Series(dtype="string") for name in REJECT_COLUMNS[1:]},
        }
    )


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
        reason: pd.Series | NDArray[np.object_] | str,
    ) -> None:
        """Add one line for each row in ``mask``.

        Parameters
        ----------
        mask
            The rows refused for this reason.
        field_name, column
            The field and the source column it was read from (None: no column).
        values, reason
            Per row (a Series or array over all rows) or one text for every line.
        """
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

    def table(self, bad_rows: pd.DataFrame | None = None) -> pd.DataFrame:
        """Return the reject lines in row order.

        Parameters
        ----------
        bad_rows
            Lines the reader could not split (``geo.reading.RawTable.bad_rows``: ``row``,
            ``value``, ``reason``); they join the table as field ``'row'``.

        Returns
        -------
        DataFrame
            A rejects table (``REJECT_COLUMNS``), sorted by row (stable).
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
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")
