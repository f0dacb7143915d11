"""How people write addresses and place names here, read into comparable pieces.

Folding (case, diacritics, dashes), the postcode and city wherever they stand, house
numbers with letters, ranges, stairs and flats (``5 A 12``, ``5a``, ``5–7 B``), the common
street-type abbreviations in Finnish and Swedish (``k.``/``katu``, ``t.``/``tie``,
``g.``/``gatan``, ``v.``/``vägen``), Finnish inflection (``Sturenkadun``, ``puistossa``),
intersections (``A / B``, ``A:n ja B:n kulma``) and a bounded edit distance for typos.
Pure functions on text: ``geo.geocoder`` does the looking up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

#: Words that name the city, removed wherever they stand (folded, see :func:`fold`).
CITY_WORDS: Final = ("helsingin kaupunki", "helsingfors", "helsinki", "hki", "suomi", "finland")
#: Folded abbreviation ending -> the street-type word it stands for.
ABBREVIATIONS: Final[dict[str, str]] = {
    "k": "katu",
    "t": "tie",
    "g": "gatan",
    "v": "vagen",
    "kj": "kuja",
    "pl": "polku",
    "esplan": "esplanadi",
}
#: Finnish genitive endings of street-type words -> the base form (``Sturenkadun`` -> ``Sturenkatu``).
GENITIVES: Final[dict[str, str]] = {
    "kadun": "katu",
    "tien": "tie",
    "kujan": "kuja",
    "rannan": "ranta",
    "torin": "tori",
    "aukion": "aukio",
    "puiston": "puisto",
    "polun": "polku",
    "esplanadin": "esplanadi",
    "gatans": "gatan",
    "vagens": "vagen",
}
#: Finnish case endings stripped before comparing words of a place name (folded, longest first).
CASE_ENDINGS: Final = ("ssa", "sta", "lla", "lta", "lle", "ksi", "hin", "han", "hen", "na", "n")
_VOWELS: Final = "aeiouy"
_POSTCODE: Final = re.compile(r"\b(?:fi-)?(\d{5})\b")
_CITY: Final = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in CITY_WORDS) + r")\b")
_NUMBER: Final = re.compile(r"^(\d{1,4})(?:\s*-\s*(\d{1,4}))?(?:\s*([a-z])(?![a-z]))?")
_CORNER: Final = re.compile(r"\b(?:kulma|kulmassa|kulmalla|kulmaus|hornet|hornan|corner)\b")
_JOINERS: Final = re.compile(r"\s+(?:/|&|\+|x|ja|och|and)\s+|\s*/\s*")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, with one kind of dash and single spaces.

    Parameters
    ----------
    text
        Anything a person typed.

    Returns
    -------
    str
        ``"Hämeentie 5–7"`` -> ``"hameentie 5-7"``.
    """
    plain = str(text).lower()
    if not plain.isascii():  # most addresses are; skip the decomposition for them
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        plain = re.sub(r"[\u2010-\u2015\u2212]", "-", plain)
    return " ".join(plain.split())


def key(text: str) -> str:
    """Return the comparison key of a name: folded, letters and digits only.

    Parameters
    ----------
    text
        A street or place name.

    Returns
    -------
    str
        ``"John Stenbergin ranta"`` -> ``"johnstenberginranta"``.
    """
    return re.sub(r"[^0-9a-z]", "", fold(text))


def strip_city_and_postcode(folded: str) -> tuple[str, str | None]:
    """Remove the postcode and city names wherever they stand.

    Parameters
    ----------
    folded
        Text from :func:`fold`.

    Returns
    -------
    tuple
        The remaining text and the postcode (None when there is none).
    """
    found = _POSTCODE.search(folded)
    text = _CITY.sub(" ", _POSTCODE.sub(" ", folded))
    return " ".join(text.split()).strip(" ,;"), found.group(1) if found else None


@dataclass(frozen=True)
class HouseNumber:
    """A house number: ``number``, optional range end and letter (a stair or a house letter)."""

    number: int
    end: int | None = None
    letter: str = ""

    @property
    def key(self) -> str:
        """Return the canonical text, e.g. ``5-7b``."""
        span = f"{self.number}-{self.end}" if self.end is not None else str(self.number)
        return span + self.letter


def parse_number(text: str) -> HouseNumber | None:
    """Read the house number at the start of ``text``; stairs, flats and floors after it are ignored.

    Parameters
    ----------
    text
        ``"5"``, ``"5a"``, ``"5 A 12"``, ``"5-7 B"``, ``"2, 2. krs"`` (folded or not).

    Returns
    -------
    HouseNumber or None
        None when ``text`` does not start with a number.
    """
    found = _NUMBER.match(fold(text))
    if found is None:
        return None
    end = int(found.group(2)) if found.group(2) else None
    return HouseNumber(int(found.group(1)), end, found.group(3) or "")


def split_street_and_number(folded: str) -> tuple[str, str | None]:
    """Split an address at its first number.

    Parameters
    ----------
    folded
        Text from :func:`fold`, postcode and city removed.

    Returns
    -------
    tuple
        The street text and the text from the number on (None when there is no number).
    """
    found = re.search(r"(?:^|\s)(\d)", folded)
    if found is None:
        return folded.strip(" ,.;"), None
    return folded[: found.start(1)].strip(" ,.;"), folded[found.start(1) :]


def street_keys(street_text: str) -> list[str]:
    """Return the keys a street text may stand for: as written, abbreviation expanded, base form.

    Parameters
    ----------
    street_text
        ``"Mannerheimint."``, ``"Sturenk"``, ``"Sturenkadun"``, ``"Brunnsg."``.

    Returns
    -------
    list of str
        Candidate keys (see :func:`key`), most literal first, without repeats.
    """
    folded = fold(street_text).strip(" ,;")
    base = key(folded)
    found = [base]
    for short, word in ABBREVIATIONS.items():
        if base.endswith(short) and len(base) > len(short) + 2:
            found.append(base[: -len(short)] + word)
    for ending, word in GENITIVES.items():
        if base.endswith(ending):
            found.append(base[: -len(ending)] + word)
    if re.search(r"\w:n$", folded) or base.endswith("n"):
        found.append(base[:-1])
    return list(dict.fromkeys(k for k in found if k))


def stem(word: str) -> str:
    """Return a word without its final vowels (``puisto`` -> ``puist``), keeping three letters.

    Parameters
    ----------
    word
        One folded word.

    Returns
    -------
    str
        The stem, where Finnish case endings attach.
    """
    while len(word) > 3 and word[-1] in _VOWELS:
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    """Return the folded words of a name, without an ending written after a colon (``Co:lla``)."""
    bare = re.sub(r":[a-z]+\b", "", fold(text))
    return re.sub(r"[^0-9a-z ]", " ", bare).split()


def name_key(text: str) -> str:
    """Return the key of a name as a register writes it: each word stemmed (see :func:`stem`).

    Parameters
    ----------
    text
        A place name (``"Kaisaniemen puisto"``).

    Returns
    -------
    str
        The words' stems joined by spaces (``"kaisaniemen puist"``).
    """
    return " ".join(stem(w) for w in _words(text))


def inflected_keys(text: str) -> list[str]:
    """Return the keys a possibly inflected name may stand for (see :func:`name_key`).

    Finnish inflects the last word of a name (``Kaisaniemen puistossa``, ``Pääpostissa``,
    ``Tallinnanaukiolla``); each case ending it may carry is tried off.

    Parameters
    ----------
    text
        A place name as written.

    Returns
    -------
    list of str
        Candidate keys, the uninflected reading first.
    """
    words = _words(text)
    if not words:
        return []
    head, last = [stem(w) for w in words[:-1]], words[-1]
    lasts = [last] + [last[: -len(e)] for e in CASE_ENDINGS if last.endswith(e) and len(last) - len(e) >= 3]
    return list(dict.fromkeys(" ".join([*head, stem(w)]) for w in lasts))


def intersection_parts(folded: str) -> tuple[str, str] | None:
    """Return the two street texts of an intersection, or None when ``folded`` names none.

    Parameters
    ----------
    folded
        Text from :func:`fold`, postcode and city removed.

    Returns
    -------
    tuple of str or None
        ``"sturenkatu / hameentie"`` and ``"sturenkadun ja hameentien kulma"`` both give
        the two street texts.
    """
    cornered = _CORNER.search(folded) is not None
    text = _CORNER.sub(" ", folded).strip(" ,.;")
    parts = [p.strip(" ,.;") for p in _JOINERS.split(text)]
    if len(parts) != 2 or not all(parts):
        return None
    if not cornered and not re.search(r"/|&|\+| x ", folded) and any(re.search(r"\d", p) for p in parts):
        return None
    return parts[0], parts[1]


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Return the Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds ``limit``.

    Parameters
    ----------
    a, b
        The two texts.
    limit
        The largest distance of interest.

    Returns
    -------
    int
        The distance, capped at ``limit + 1``.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def deletions(text: str, *, depth: int) -> set[str]:
    """Return every text made from ``text`` by deleting up to ``depth`` characters (itself included).

    Two keys within edit distance ``depth`` share at least one such variant, which makes a
    typo-tolerant lookup a dictionary lookup (the symmetric-delete method).

    Parameters
    ----------
    text
        A key.
    depth
        The most characters deleted.

    Returns
    -------
    set of str
        The variants.
    """
    found = {text}
    frontier = {text}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found
