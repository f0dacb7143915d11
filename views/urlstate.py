"""The view state that lives in the URL query string, so that a view can be bookmarked and shared.

Every filter, the map's colouring, the chosen hotspot and the open tab: a youth worker
bookmarks "my districts on Friday nights" as
``?peruspiiri=301,302&preset=youth_work&weekdays=4,5&hours=20-2&tab=charts``.
The field list is ``UrlState``; each has a query key, a parser and a writer (``_FIELDS``).
The URL holds codes, never labels, so a link works in every language.

Pure: reads and writes plain mappings; the app passes ``st.query_params``. A value that
is malformed or not one of its field's choices falls back to the field's default (a
hand-edited or outdated link opens, it never breaks the page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Final

from geo import schema
from hotspots.clustering import METHODS
from i18n import DEFAULT_LANGUAGE, LANGUAGES
from views.mapview import AREA_LAYERS  # what colours the land: the map's own choices

LEVEL_KEYS: Final = ("suurpiiri", "peruspiiri", "osaalue")
PRESET_KEYS: Final = ("none", "youth_work", "policing")
COMPARISONS: Final = ("previous", "year_before", "none")
VIEWS: Final = ("period", "forecast")
MAP_LEVELS: Final = ("suurpiiri", "peruspiiri", "osaalue")
MAP_VALUES: Final = ("count", "rate", "change")

#: The panel tabs under the map, by code (``views.page.panel_tabs``).
TABS: Final = ("districts", "charts", "params", "predictive", "review", "downloads")
_HOTSPOT_ID: Final = re.compile(r"^H\d{1,5}$")


@dataclass(frozen=True)
class UrlState:
    """Everything a bookmark restores; each field's default is left out of the URL.

    Attributes
    ----------
    lang
        Interface language.
    suurpiiri, peruspiiri, osaalue
        Chosen district codes per level.
    preset
        Category preset (``PRESET_KEYS``).
    categories
        Chosen categories; None means the preset's own.
    sources
        Chosen sources; () means all.
    since, until
        First and last day of the period (both inclusive); None for the default (the
        last six months of the data).
    compare
        Comparison period (``COMPARISONS``).
    view
        ``"period"`` or ``"forecast"``.
    hours
        Hour window ``(from, to)``, ``to`` exclusive and ``to <= from`` wrapping past
        midnight; ``(0, 24)`` is the whole day.
    weekdays
        Chosen weekdays, Monday = 0; () means every day.
    method
        Clustering method.
    auto
        Parameters chosen automatically.
    eps_m, min_samples
        The parameters when not automatic.
    level, value
        What colours the map's districts (``MAP_LEVELS``, ``MAP_VALUES``).
    tiles
        Street basemap on.
    areas
        What colours the land (``AREA_LAYERS``).
    dots
        Incident dots on.
    hotspot
        Id of the chosen hotspot (``"H4"``), or "".
    tab
        Open panel tab (``TABS``).
    """

    lang: str = DEFAULT_LANGUAGE
    suurpiiri: tuple[str, ...] = ()
    peruspiiri: tuple[str, ...] = ()
    osaalue: tuple[str, ...] = ()
    preset: str = "none"
    categories: tuple[str, ...] | None = None
    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    compare: str = "previous"
    view: str = "period"
    hours: tuple[int, int] = (0, 24)
    weekdays: tuple[int, ...] = ()
    method: str = "dbscan"
    auto: bool = True
    eps_m: int = 150
    min_samples: int = 10
    level: str = "peruspiiri"
    value: str = "count"
    tiles: bool = True
    areas: str = "districts"
    dots: bool = False
    hotspot: str = ""
    tab: str = "districts"


def _codes(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code.strip() for code in text.split(",") if code.strip().isdigit()))


def _choices(allowed: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        picked = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
        if not all(v in allowed for v in picked):
            raise ValueError(text)
        return picked

    return parse


def _one_of(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(text)
        return text

    return parse


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _hours(text: str) -> tuple[int, int]:
    start, _, end = text.partition("-")
    hours = (int(start), int(end))
    if not (0 <= hours[0] <= 23 and 1 <= hours[1] <= 24):
        raise ValueError(text)
    return hours


def _weekdays(text: str) -> tuple[int, ...]:
    days = tuple(dict.fromkeys(int(d) for d in text.split(",") if d.strip()))
    if not all(0 <= d <= 6 for d in days):
        raise ValueError(text)
    return days


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(text)
    return text == "1"


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        number = int(text)
        if not low <= number <= high:
            raise ValueError(text)
        return number

    return parse


def _hotspot(text: str) -> str:
    if not _HOTSPOT_ID.match(text):
        raise ValueError(text)
    return text


def _join(values: object) -> str:
    return ",".join(str(v) for v in values)  # type: ignore[attr-defined]


#: Field -> (query key, parser of the query text, writer of the value).
_FIELDS: Final[dict[str, tuple[str, Callable[[str], Any], Callable[[Any], str]]]] = {
    "lang": ("lang", _one_of(tuple(LANGUAGES)), str),
    "suurpiiri": ("suurpiiri", _codes, _join),
    "peruspiiri": ("peruspiiri", _codes, _join),
    "osaalue": ("osaalue", _codes, _join),
    "preset": ("preset", _one_of(PRESET_KEYS), str),
    "categories": ("categories", _choices(tuple(schema.CATEGORIES)), _join),
    "sources": ("sources", _choices(tuple(schema.SOURCES)), _join),
    "since": ("since", _day, date.isoformat),
    "until": ("until", _day, date.isoformat),
    "compare": ("compare", _one_of(COMPARISONS), str),
    "view": ("view", _one_of(VIEWS), str),
    "hours": ("hours", _hours, lambda h: f"{h[0]}-{h[1]}"),
    "weekdays": ("weekdays", _weekdays, _join),
    "method": ("method", _one_of(tuple(METHODS)), str),
    "auto": ("auto", _flag, lambda b: "1" if b else "0"),
    "eps_m": ("eps", _bounded(25, 500), str),
    "min_samples": ("min_samples", _bounded(3, 100), str),
    "level": ("level", _one_of(MAP_LEVELS), str),
    "value": ("value", _one_of(MAP_VALUES), str),
    "tiles": ("tiles", _flag, lambda b: "1" if b else "0"),
    "areas": ("areas", _one_of(AREA_LAYERS), str),
    "dots": ("dots", _flag, lambda b: "1" if b else "0"),
    "hotspot": ("hotspot", _hotspot, str),
    "tab": ("tab", _one_of(TABS), str),
}
#: Every query key this module manages; others in the URL are left alone.
QUERY_KEYS: Final = tuple(key for key, _, _ in _FIELDS.values())


def read(params: Mapping[str, str]) -> UrlState:
    """Parse query parameters; unknown or malformed values fall back to their defaults.

    Parameters
    ----------
    params
        The query string as a mapping (``st.query_params.to_dict()``).

    Returns
    -------
    UrlState
        The bookmarked state; a period whose ``since`` is after its ``until`` is dropped.
    """
    values: dict[str, Any] = {}
    for name, (key, parse, _) in _FIELDS.items():
        text = params.get(key)
        if text is None:
            continue
        try:
            values[name] = parse(str(text))
        except ValueError:
            continue
    state = UrlState(**values)
    if state.since is not None and state.until is not None and state.since > state.until:
        state = replace(state, since=None, until=None)
    return state


def encode(state: UrlState) -> dict[str, str]:
    """Return the query parameters of ``state``: every field away from its default.

    Parameters
    ----------
    state
        The view state.

    Returns
    -------
    dict
        Query key -> text, in ``_FIELDS`` order (short, clean URLs).
    """
    default = UrlState()
    out: dict[str, str] = {}
    for item in fields(UrlState):
        value = getattr(state, item.name)
        if value == getattr(default, item.name):
            continue
        key, _, write_value = _FIELDS[item.name]
        out[key] = write_value(value)
    return out


def write(params: MutableMapping[str, str], state: UrlState) -> None:
    """Put ``state`` into ``params``: set what differs, remove managed keys now at their defaults.

    Parameters
    ----------
    params
        The query string to update (``st.query_params``); keys this module does not
        manage are kept.
    state
        The view state.
    """
    wanted = encode(state)
    for key in QUERY_KEYS:
        if key not in wanted and key in params:
            del params[key]
    for key, value in wanted.items():
        if params.get(key) != value:
            params[key] = value
