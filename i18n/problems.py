"""What went wrong with a user's file, in the interface language: errors, reject reasons, fields.

The domain code says what is wrong in English for the CLI and keeps a code with the
values (``geo.errors.HotspotsError.code``/``params``, ``geo.rejects.REASONS``); here the
code becomes a sentence in fi/sv/en (``error.<code>``, ``reject.<code>``), with field names
in words and numbers and dates written the language's way. No sentence here names a
command-line option, a setting or Python syntax: those belong to the CLI's English.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

from geo.errors import HotspotsError
from i18n.catalogue import catalogue, placeholders, t
from i18n.numbers import format_date, format_number

#: Parameters that name one field or several (written as the field's name in words).
_FIELD_PARAMS = frozenset({"field", "missing"})
_FIELDS_PARAMS = frozenset({"fields"})
#: Parameters that list a file's own names (columns, sheets), each quoted.
_NAMES_PARAMS = frozenset({"columns", "parts"})
#: Parameters that are days (ISO text) and coordinates (degrees, five decimals: about a metre).
_DATE_PARAMS = frozenset({"earliest", "latest", "first", "last"})
_DEGREE_PARAMS = frozenset({"lon", "lat"})


def field_label(field: str, lang: str) -> str:
    """Name an incident field in words (``occurred_at`` -> "Aika"); an unknown field as it is.

    Parameters
    ----------
    field
        A field of ``geo.columns.FIELDS``, or ``location``/``geometry``/``row`` of a reject.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The field's name in ``lang``.
    """
    key = f"field.{field}"
    return t(key, lang) if key in catalogue(lang) else field


def quoted(text: object, lang: str) -> str:
    """Return a file's own name (a column, a sheet) in the language's quotation marks."""
    return t("text.quoted", lang, text=str(text))


def _value(name: str, value: object, lang: str) -> object:
    """Write one parameter for a sentence in ``lang``."""
    if name in _FIELD_PARAMS:
        return field_label(str(value), lang)
    if name in _FIELDS_PARAMS and isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(field_label(str(v), lang) for v in value)
    if name in _NAMES_PARAMS and isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(quoted(v, lang) for v in value)
    if name in _DATE_PARAMS and value:
        return format_date(value, lang)
    if name in _DEGREE_PARAMS and isinstance(value, int | float) and math.isfinite(value):
        return format_number(value, lang, decimals=5)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value, lang)
    return value


def _filled(key: str, params: Mapping[str, object], lang: str) -> str:
    """Fill ``key``'s template with ``params`` written for ``lang``; parameters it lacks are empty."""
    values = {name: _value(name, value, lang) for name, value in params.items()}
    template = catalogue(lang)[key]
    needed = {name: values.get(name, "") for name in placeholders(template)}
    return t(key, lang, **needed)


def reject_reason(code: object, params: object, lang: str, *, english: str = "") -> str:
    """Say why an import refused a row, in ``lang``.

    Parameters
    ----------
    code
        A reject's ``reason_code`` (a key of ``geo.rejects.REASONS``).
    params
        Its ``reason_params``: a JSON object as text, or a mapping.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    english
        The reject's own ``reason``: shown as it is when the code has no translation
        (a line made elsewhere, such as the store's conflicts).

    Returns
    -------
    str
        The reason as a sentence in ``lang``.
    """
    key = f"reject.{code}"
    if not isinstance(code, str) or key not in catalogue(lang):
        return english
    values = json.loads(params) if isinstance(params, str) and params else params
    return _filled(key, values if isinstance(values, Mapping) else {}, lang)


def error_text(error: HotspotsError, lang: str, *, fallback: str = "error.generic") -> str:
    """Say what is wrong and what to do, in ``lang``, for an error a user caused.

    Parameters
    ----------
    error
        The error; its ``code`` names the sentence (``error.<code>``) and its ``params``
        fill it in.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    fallback
        The catalogue key of the general sentence for an error without its own: about a
        file (``error.generic``) or about the analysis (``error.analysis``).

    Returns
    -------
    str
        One sentence or two; for an error without a translation the general one (the
        caller may show the English detail, ``str(error)``, apart from it).
    """
    key = f"error.{error.code}"
    if error.code is None or key not in catalogue(lang):
        return t(fallback, lang)
    return _filled(key, error.params, lang)


def has_text(error: HotspotsError, lang: str) -> bool:
    """Say whether ``error`` has its own sentence in ``lang`` (else ``error_text`` is the general one)."""
    return error.code is not None and f"error.{error.code}" in catalogue(lang)
