"""Translations as data: one JSON catalogue per language in ``i18n/locales``.

Keys are dotted names used in code (``"map.layer.districts"``); values are ``str.format``
templates whose ``{placeholders}`` are the same in every language (a test checks that).
"""

from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

from geo.errors import ParameterError

#: Language code -> the language's name in itself (for the language picker).
LANGUAGES: Final[dict[str, str]] = {"fi": "suomi", "sv": "svenska", "en": "English"}
DEFAULT_LANGUAGE: Final = "fi"
LOCALES_DIR: Final[Path] = Path(__file__).resolve().parent / "locales"


def check_language(lang: str) -> str:
    """Return ``lang`` if it has a catalogue, else raise a ParameterError naming the choices."""
    if lang not in LANGUAGES:
        raise ParameterError(f"lang was {lang!r} but is expected to be one of {list(LANGUAGES)}")
    return lang


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> MappingProxyType[str, str]:
    """Return the whole catalogue of one language, read once from ``i18n/locales/<lang>.json``.

    Parameters
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    Mapping
        Read-only mapping from key to template.
    """
    check_language(lang)
    path = LOCALES_DIR / f"{lang}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ParameterError(f"{path} must be one JSON object of string keys and string values")
    return MappingProxyType(data)


def placeholders(template: str) -> frozenset[str]:
    """Names of the ``{placeholders}`` in a format template (``"{n} rows"`` -> ``{"n"}``)."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field is not None
    )


def t(key: str, lang: str, **fmt: object) -> str:
    """Translate ``key`` into ``lang`` and fill its placeholders.

    Parameters
    ----------
    key
        Dotted catalogue key, e.g. ``"app.title"``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    **fmt
        Values for the template's ``{placeholders}``.

    Returns
    -------
    str
        The translated text.

    Raises
    ------
    KeyError
        The key is not in the language's catalogue, or a placeholder has no value.
    """
    texts = catalogue(lang)
    try:
        template = texts[key]
    except KeyError:
        raise KeyError(
            f"translation key {key!r} is missing from language {lang!r}; add it to i18n/locales/{lang}.json"
        ) from None
    missing = placeholders(template) - fmt.keys()
    if missing:
        raise KeyError(
            f"translation {key!r} ({lang}) needs values for {sorted(missing)}; pass them as keywords to t()"
        )
    return template.format(**fmt)


def _label(prefix: str, value: str, lang: str) -> str:
    key = f"{prefix}.{value}"
    return t(key, lang) if key in catalogue(lang) else value


def category_label(category: str, lang: str) -> str:
    """Name of a canonical category in ``lang``; any other value is returned unchanged.

    Parameters
    ----------
    category
        A value of ``geo.schema.CATEGORIES`` (or anything else, shown as it is).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The label; not HTML-escaped.
    """
    return _label("category", category, lang)


def source_label(source: str, lang: str) -> str:
    """Name of a canonical source in ``lang``; any other value is returned unchanged."""
    return _label("source", source, lang)


def level_label(level: str, lang: str) -> str:
    """Name of a district level (suurpiiri, peruspiiri, osaalue) in ``lang``."""
    return _label("level", level, lang)
