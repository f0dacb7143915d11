"""What a cell of a partner's table says: trimmed text, a number, a yes/no flag.

Exports mix types freely: CSV cells are text (``'60,1699'`` with a decimal comma,
``'6 672 123,45'`` with spaces between thousands), spreadsheet cells are numbers, text or
datetimes. These readers take a column as it came and give one answer per row, fast
(Arrow's string kernels, not per-row Python), without touching the input.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from geo.categories import normalise_label
from geo.timeparse import arrow_text, strip_text

_TRUE_WORDS: Final = ("true", "1", "yes", "y", "kylla", "k", "tosi", "ja", "sant", "x", "t")
_NUMBER_RE: Final = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def as_text(values: pd.Series) -> pd.Series:
    """Return the cells as stripped text, blank as missing.

    A float column whose values are all whole prints them without ``'.0'`` (a spreadsheet
    turns the id ``1200`` into ``1200.0``); datetimes print as ISO 8601.

    Parameters
    ----------
    values
        One column as read.

    Returns
    -------
    Series
        ``string`` dtype, same index; NA where the cell is missing or blank.
    """
    if pd.api.types.is_float_dtype(values.dtype):
        finite = values.dropna()
        if len(finite) and bool((finite == np.floor(finite)).all()) and bool((finite.abs() < 1e15).all()):
            values = values.astype("Int64")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        text = values.map(lambda v: v.isoformat(), na_action="ignore").astype("string")
    else:
        text = strip_text(values)
    return text.mask(text == "")


def as_numbers(values: pd.Series) -> tuple[NDArray[np.float64], NDArray[np.bool_], bool]:
    """Read the cells as numbers, with either decimal mark.

    Text is cleaned of spaces (thousands separators) and read with either decimal mark:
    ``'60,1699'`` and ``'6.672.123,45'`` use the comma, ``'6,672,123.45'`` groups thousands.
    Arrow's string kernels do the work (a 100k-row column in a few milliseconds).

    Parameters
    ----------
    values
        One column as read: numbers, or text.

    Returns
    -------
    numbers : ndarray of float
        The values; NaN where a cell is missing or not a (finite) number.
    bad : ndarray of bool
        Cells that hold something which is not a number (``'abc'``, ``inf``).
    decimal_comma : bool
        True when a cell that was read used a decimal comma.
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        out = values.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(out) & ~np.isnan(out)
        return np.where(bad, np.nan, out), bad, False
    text = pc.utf8_trim_whitespace(arrow_text(as_text(values)))
    text = pc.replace_substring_regex(text, "[\\s\\x{00a0}\\x{202f}']", "")
    text = pc.replace_substring(text, "\u2212", "-")
    present = _mask(pc.greater(pc.utf8_length(text), 0))
    comma = pc.fill_null(pc.match_substring(text, ","), False)
    comma_last = pc.fill_null(pc.match_substring_regex(text, ",[^.]*$"), False)
    as_decimal = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    as_grouped = pc.replace_substring(text, ",", "")
    text = pc.if_else(comma, pc.if_else(comma_last, as_decimal, as_grouped), text)
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER_RE), False)
    parsed = pc.cast(pc.if_else(ok, text, None), pa.float64()).to_numpy(zero_copy_only=False)
    bad = present & ~np.isfinite(parsed)
    parsed = np.where(bad, np.nan, parsed)
    decimal = _mask(pc.and_(comma, comma_last))
    return parsed, bad, bool((decimal & ~bad).any())


def _mask(values: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """Return an Arrow boolean array as a numpy mask (null = False)."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def as_flags(values: pd.Series) -> NDArray[np.bool_]:
    """Read the cells as yes/no flags (``'true'``, ``'1'``, ``'kyllä'``, ``'ja'`` ... are yes).

    Parameters
    ----------
    values
        One column as read: booleans, or words in Finnish, Swedish or English.

    Returns
    -------
    ndarray of bool
        True where the cell says yes; missing and every other word is False.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).to_numpy(dtype=bool)
    # Each distinct word is folded once (a column holds a handful of them).
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    true = np.asarray([normalise_label(word) in _TRUE_WORDS for word in uniques], dtype=bool)
    return np.where(codes >= 0, true[np.maximum(codes, 0)] if true.size else False, False)
