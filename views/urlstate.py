"""The parts of the view state that live in the URL query string, so they can be bookmarked.

A youth worker bookmarks "my districts": ``?lang=fi&peruspiiri=301,302&preset=youth_work``.
Pure: reads and writes plain mappings, the app passes ``st.query_params``.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Final

from i18n import DEFAULT_LANGUAGE, LANGUAGES

LEVEL_KEYS: Final = ("suurpiiri", "peruspiiri", "osaalue")
PRESET_KEYS: Final = ("none", "youth_work", "policing")


@dataclass(frozen=True)
class UrlState:
    """Language, district choice and category preset as kept in the URL."""

    lang: str = DEFAULT_LANGUAGE
    suurpiiri: tuple[str, ...] = ()
    peruspiiri: tuple[str, ...] = ()
    osaalue: tuple[str, ...] = field(default=())
    preset: str = "none"


def _codes(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(code.strip() for code in value.split(",") if code.strip().isdigit()))


def read(params: Mapping[str, str]) -> UrlState:
    """Parse query parameters; unknown or malformed values fall back to defaults."""
    lang = params.get("lang", DEFAULT_LANGUAGE)
    preset = params.get("preset", "none")
    return UrlState(
        lang=lang if lang in LANGUAGES else DEFAULT_LANGUAGE,
        suurpiiri=_codes(params.get("suurpiiri")),
        peruspiiri=_codes(params.get("peruspiiri")),
        osaalue=_codes(params.get("osaalue")),
        preset=preset if preset in PRESET_KEYS else "none",
    )


def write(params: MutableMapping[str, str], state: UrlState) -> None:
    """Put ``state`` into ``params``, removing keys at their defaults (short, clean URLs)."""
    wanted: dict[str, str] = {"lang": state.lang} if state.lang != DEFAULT_LANGUAGE else {}
    for level in LEVEL_KEYS:
        codes: tuple[str, ...] = getattr(state, level)
        if codes:
            wanted[level] = ",".join(codes)
    if state.preset != "none":
        wanted["preset"] = state.preset
    for key in [*LEVEL_KEYS, "lang", "preset"]:
        if key not in wanted and key in params:
            del params[key]
    for key, value in wanted.items():
        if params.get(key) != value:
            params[key] = value
