"""Category and source labels of partner exports mapped onto the canonical schema values.

Police, youth services, schools and residents label the same kind of incident in Finnish,
Swedish or English, in any case, with or without diacritics, singular or plural
(``Huumausainerikokset``, ``narkotikabrott``, ``Drug dealing``). A label is first
*normalised* (lower case, diacritics dropped, ``ø`` -> ``o``, punctuation to spaces), then
looked up in a table of whole labels, then matched against word stems in a fixed order
(first rule wins). The order puts the specific before the general: drug dealing and robbery
before weapons ("aseellinen ryöstö" is a robbery), gangs before youth violence before
assault ("nuorten väkivalta" is youth violence, "väkivalta" alone an assault).

Unknown labels are not guessed: ``canonical_category`` returns None and the importer files
the row under ``other`` with its own label kept in ``category_raw``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import schema
from geo.timeparse import strip_text

# Letters NFKD does not decompose into a base letter and a combining mark.
_EXTRA_FOLD: Final = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l"})
_NON_ALNUM: Final = re.compile(r"[^0-9a-z]+")


def normalise_label(label: object) -> str:
    """Fold a label for matching: ``'Järjestyshäiriöt!'`` -> ``'jarjestyshairiot'``.

    Parameters
    ----------
    label
        Any value; None and NaN give ``''``.

    Returns
    -------
    str
        Lower case ASCII letters and digits separated by single spaces.
    """
    if label is None or (isinstance(label, float) and np.isnan(label)) or label is pd.NA:
        return ""
    text = unicodedata.normalize("NFKD", str(label).casefold().translate(_EXTRA_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", text).strip()


def _table(entries: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_label(label): value for value, labels in entries.items() for label in labels}


# Whole labels (after normalisation) that name a category outright.
_CATEGORY_LABELS: Final = _table(
    {
        "drug_dealing": (
            "drug dealing",
            "drug_dealing",
            "drugs",
            "drug trade",
            "street dealing",
            "huumausainerikos",
            "huumekauppa",
            "huumeiden myynti",
            "katukauppa",
            "narkotikabrott",
            "narkotikahandel",
            "langaus",
        ),
        "youth_violence": (
            "youth violence",
            "youth_violence",
            "nuorisovakivalta",
            "nuorten vakivalta",
            "ungdomsvald",
        ),
        "gang_activity": ("gang activity", "gang_activity", "gang", "jengi", "gang", "gangs", "katujengi"),
        "assault": ("assault", "pahoinpitely", "misshandel", "vakivalta", "vald", "violence"),
        "robbery": ("robbery", "ryosto", "ran"),
        "weapons": ("weapons", "weapon", "ase", "aseet", "vapen", "teraase", "puukko", "kniv", "knife"),
        "vandalism": ("vandalism", "vahingonteko", "skadegorelse", "tohryt", "graffiti", "ilkivalta"),
        "disturbance": (
            "disturbance",
            "jarjestyshairio",
            "ordningsstorning",
            "hairiokayttaytyminen",
            "public disorder",
        ),
        "resident_concern": (
            "resident concern",
            "resident_concern",
            "asukaspalaute",
            "invanarrespons",
            "turvattomuus",
            "otrygghet",
        ),
        "other": ("other", "muu", "muut", "ovrigt", "ovrig", "misc", "miscellaneous"),
    }
)

# Stem rules, tried in this order on the normalised label; the first that matches wins.
_CATEGORY_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "drug_dealing",
        re.compile(
            r"huum|narkoti|narcotic|\bdrug|dealing|dealer|katukaup|langa(us|ami|ri)|kannabis|cannabis"
        ),
    ),
    ("robbery", re.compile(r"ryost|robber|\bran(et|en|s|forsok|brott)?\b|\branare|\bmugg")),
    ("gang_activity", re.compile(r"jengi|\bgang|street gang")),
    (
        "youth_violence",
        re.compile(
            r"(nuoriso|nuorten|nuori|alaikai|ungdom|youth|juvenil|minderari|teen)"
            r".*(vakiv|pahoinpit|vald|misshand|violen|assault|tappelu|fight|slagsmal)"
            r"|(vakiv|pahoinpit|vald|misshand|violen|assault|tappelu|fight|slagsmal)"
            r".*(nuoriso|nuorten|nuori|alaikai|ungdom|youth|juvenil|minderari|teen)"
        ),
    ),
    (
        "weapons",
        re.compile(
            r"teraase|ampuma ?ase|\base(e|en|et|ita|iden|ella|rikos|rikokset|istus|kielto)?\b"
            r"|aserikos|vapen|weapon|firearm|puukko|\bkniv|\bknife|\bpistol|\bgun\b|skjutvap"
        ),
    ),
    (
        "assault",
        re.compile(r"pahoinpit|vakival|\bvald|misshand|assault|violen|tappelu|\bfight|slagsmal|battery"),
    ),
    ("vandalism", re.compile(r"vahingont|vahingon teko|skadegor|vandal|tohry|graffit|ilkival|klotter|tagg")),
    (
        "disturbance",
        re.compile(r"jarjestyshai|hairio|ordningsstor|storning|disturb|disorder|nuisance|meteli"),
    ),
    (
        "resident_concern",
        re.compile(
            r"asukas|invanar|resident|turvattom|otrygg|\bconcern|palaute|feedback|pelko|unsafe|insecur"
        ),
    ),
    ("other", re.compile(r"^(muu|muut|ovrig|ovrigt|other|others|misc)\b")),
)

_SOURCE_LABELS: Final = _table(
    {
        "police": ("police", "poliisi", "polisen", "polis", "helsingin poliisilaitos", "polisinrattning"),
        "youth_services": (
            "youth services",
            "youth_services",
            "nuorisopalvelut",
            "nuorisotyo",
            "ungdomstjanster",
            "ungdomsarbete",
            "youth work",
        ),
        "child_protection": ("child protection", "child_protection", "lastensuojelu", "barnskydd"),
        "school": ("school", "schools", "koulu", "koulut", "skola", "skolan", "oppilaitos"),
        "ngo": ("ngo", "jarjesto", "jarjestot", "organisation", "organization", "yhdistys", "forening"),
        "resident": ("resident", "residents", "asukas", "asukkaat", "invanare", "invanarna", "kuntalainen"),
        "other": ("other", "muu", "ovrig", "ovrigt"),
    }
)

_SOURCE_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("police", re.compile(r"poliisi|\bpolis|police")),
    ("child_protection", re.compile(r"lastensuojel|barnskydd|child ?(protection|welfare)")),
    ("youth_services", re.compile(r"nuoriso|ungdoms|youth")),
    ("school", re.compile(r"koulu|\bskol|school|oppilaitos|opettaja|teacher")),
    ("ngo", re.compile(r"jarjest|\bngo\b|organi[sz]ation|yhdistys|forening|seurakunta|church")),
    ("resident", re.compile(r"asuka|asukk|invanar|resident|kuntalai|citizen")),
    ("other", re.compile(r"^(muu|ovrig|ovrigt|other)\b")),
)


def _lookup(
    label: object, table: dict[str, str], rules: tuple[tuple[str, re.Pattern[str]], ...]
) -> str | None:
    key = normalise_label(label)
    if not key:
        return None
    if key in table:
        return table[key]
    for value, pattern in rules:
        if pattern.search(key):
            return value
    return None


def canonical_category(label: object) -> str | None:
    """Return the canonical category of one source label, or None when it is unknown.

    Parameters
    ----------
    label
        A category label as a source wrote it, e.g. ``'Narkotikabrott'`` or
        ``'pahoinpitelyt'``; canonical names (``'drug_dealing'``) map to themselves.

    Returns
    -------
    str or None
        One of ``schema.CATEGORIES``; None for an unknown or empty label.
    """
    return _lookup(label, _CATEGORY_LABELS, _CATEGORY_RULES)


def canonical_source(label: object) -> str | None:
    """Return the canonical source of one label (``'Polisen'`` -> ``'police'``), or None when unknown.

    Parameters
    ----------
    label
        A source/partner label in Finnish, Swedish or English.

    Returns
    -------
    str or None
        One of ``schema.SOURCES``; None for an unknown or empty label.
    """
    return _lookup(label, _SOURCE_LABELS, _SOURCE_RULES)


def _map_distinct(
    labels: pd.Series, lookup: Callable[[object], str | None]
) -> tuple[pd.Series, NDArray[np.bool_]]:
    """Look each distinct stripped label up once; 'other' where it is unknown or blank."""
    text = strip_text(labels)
    text = text.mask(text == "")
    codes, distinct = pd.factorize(text, use_na_sentinel=True)
    results = [lookup(label) for label in distinct]
    # Code -1 (a missing label) picks the trailing entry: not known, filed as other.
    found = np.array([*(value or "other" for value in results), "other"], dtype=object)
    known = np.array([value is not None for value in results] + [False], dtype=bool)[codes]
    canonical = pd.Series(found[codes], index=labels.index, dtype="string")
    return canonical, (codes >= 0) & ~known


def map_categories(labels: pd.Series) -> tuple[pd.Series, NDArray[np.bool_]]:
    """Map a column of category labels onto ``schema.CATEGORIES``.

    Each distinct label is looked up once, so a million rows with a few dozen labels cost
    a few dozen lookups.

    Parameters
    ----------
    labels
        Source labels; missing and blank values are allowed.

    Returns
    -------
    canonical : Series
        ``string`` dtype, same index as ``labels``; ``'other'`` for unknown, missing and
        blank labels.
    unknown_mask : ndarray of bool
        True where a non-blank label was not recognised (the rows filed under ``other``
        although their label said something else).
    """
    return _map_distinct(labels, canonical_category)


def map_sources(labels: pd.Series) -> tuple[pd.Series, NDArray[np.bool_]]:
    """Map a column of source labels onto ``schema.SOURCES`` (see ``map_categories``).

    Returns
    -------
    canonical : Series
        ``string`` dtype; ``'other'`` for unknown, missing and blank labels.
    unknown_mask : ndarray of bool
        True where a non-blank label was not recognised.
    """
    return _map_distinct(labels, canonical_source)


def _check_tables() -> None:
    """Every value the tables and rules produce is a schema value (checked at import)."""
    for value in [*_CATEGORY_LABELS.values(), *(v for v, _ in _CATEGORY_RULES)]:
        assert value in schema.CATEGORIES, value
    for value in [*_SOURCE_LABELS.values(), *(v for v, _ in _SOURCE_RULES)]:
        assert value in schema.SOURCES, value


_check_tables()
