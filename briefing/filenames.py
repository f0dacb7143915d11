"""File names of the exports: the filter in every name, safe on every file system.

``file_stem`` names what a download holds: where (the chosen districts, or ``helsinki`` / ``helsingfors``),
when (first and last day), which categories, the language, and ``RESTRICTED-`` first for
restricted files, so that Kallio's briefing and the city's never share a name. Filters a
name cannot spell out briefly (sources, hours, weekdays, many categories or districts) add
a short digest of the whole filter, so two different selections still get two names.
Names are ASCII letters, digits, ``-``, ``_`` and ``.`` only: ``Töölö`` is ``toolo``, a
slash or a quote never reaches the file system, and a name with no Latin letters falls
back to the district code.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from typing import Final

import pandas as pd

from briefing.texts import chosen_names
from hotspots.selection import Selection
from i18n import category_label, check_language, t

#: Districts and categories spelled out in a name; more are counted and digested.
NAMED_IN_FILE: Final = 3
#: Longest stem: file systems and mail attachments cope, the name stays readable.
MAX_STEM_CHARS: Final = 120
_UNSAFE: Final = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Return ``text`` as lower-case ASCII words joined by ``-``: ``"Etu-Töölö"`` -> ``"etu-toolo"``.

    Parameters
    ----------
    text
        Any text (a district's name, a category's label).

    Returns
    -------
    str
        Letters a-z and digits 0-9 joined by single hyphens; empty when nothing Latin is left.
    """
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("-", folded.lower()).strip("-")


def _digest(selection: Selection) -> str:
    """Six hex digits of the selection's filters (not its period), the same in every run."""
    key = repr(
        (
            sorted(selection.categories),
            sorted(selection.sources),
            {level: sorted(codes) for level, codes in selection.chosen_districts.items()},
            sorted(selection.hours),
            sorted(selection.weekdays),
        )
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]


def _place_part(selection: Selection, lang: str, district_names: Mapping[str, str] | None) -> str:
    if not selection.has_districts:
        return slug(t("brief.place_city", lang)) or "helsinki"
    codes = [code for codes in selection.chosen_districts.values() for code in codes]
    names = chosen_names(selection, lang, district_names=district_names)
    words = [slug(name) or f"d{slug(code)}" for name, code in zip(names, codes, strict=True)]
    if len(words) > NAMED_IN_FILE:
        words = [*words[:NAMED_IN_FILE], f"{len(words) - NAMED_IN_FILE}-more"]
    return "_".join(words)


def _period_part(selection: Selection) -> str:
    since, until = selection.since, selection.until
    first = since.strftime("%Y-%m-%d") if since is not None else "start"
    last = (until - pd.Timedelta(days=1)).strftime("%Y-%m-%d") if until is not None else "end"
    return f"{first}_{last}"


def _filter_parts(selection: Selection, lang: str) -> list[str]:
    parts: list[str] = []
    categories = selection.categories
    if 0 < len(categories) <= NAMED_IN_FILE:
        parts.append("_".join(slug(category_label(c, lang)) or slug(c) for c in categories))
    many_districts = sum(len(codes) for codes in selection.chosen_districts.values()) > NAMED_IN_FILE
    unnamed = (
        len(categories) > NAMED_IN_FILE
        or selection.sources
        or selection.hours
        or selection.weekdays
        or many_districts
    )
    if unnamed:
        parts.append(f"f{_digest(selection)}")
    return parts


def file_stem(
    selection: Selection,
    *,
    lang: str,
    restricted: bool = False,
    district_names: Mapping[str, str] | None = None,
) -> str:
    """Return the stem of every file name of one export, e.g. ``hotspots-kallio-2026-05-01_2026-10-31-fi``.

    Parameters
    ----------
    selection
        The analysis' selection: its districts, period and filters name the file.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``: the language of the names in it and its last part.
    restricted
        Put ``RESTRICTED-`` first.
    district_names
        Code -> name; default the official layers' names.

    Returns
    -------
    str
        ASCII letters, digits, ``-`` and ``_`` only, at most ``MAX_STEM_CHARS`` long.
    """
    check_language(lang)
    place = _place_part(selection, lang, district_names)
    parts = ["hotspots", place, _period_part(selection), *_filter_parts(selection, lang), lang]
    stem = "-".join(part for part in parts if part)
    if len(stem) > MAX_STEM_CHARS:
        # Cut the place, never the period or the language; the digest keeps names apart.
        short = [part for part in parts if part != place]
        room = MAX_STEM_CHARS - len("-".join(short)) - 9
        place = f"{place[: max(room, 1)].rstrip('-_')}-f{_digest(selection)}"
        stem = "-".join(part for part in ["hotspots", place, *short[1:]] if part)
    return f"RESTRICTED-{stem}" if restricted else stem
