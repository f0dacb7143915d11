"""Exceptions for people: each names the file/row/column or parameter, the bad value and the fix."""

from __future__ import annotations


class HotspotsError(ValueError):
    """Base class of every error this project raises on purpose.

    Parameters
    ----------
    message
        The English sentence the CLI prints: what is wrong and what to do.
    code
        Names the problem for a translation at the edge (the app's ``error.<code>`` in
        ``i18n``); None for problems only a developer or an administrator meets.
    **params
        The values that translation needs (a file name, a column, the columns found).
    """

    def __init__(self, message: str, *, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params)


class DataUnavailableError(HotspotsError):
    """Open data (districts, population) cannot be found locally nor downloaded."""


class DownloadError(HotspotsError):
    """A download from an official source failed or returned unusable content."""


class InputFormatError(HotspotsError):
    """An incident file cannot be read at all (format, encoding, missing columns)."""


class ColumnMappingError(HotspotsError):
    """Columns of an incident file cannot be matched to the canonical schema."""


class StoreError(HotspotsError):
    """The incident store cannot be opened or written."""


class ParameterError(HotspotsError):
    """An analysis parameter is outside its allowed range."""
