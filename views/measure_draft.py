"""A measure as a user fills it in, and why it may not be saved, in words she can act on.

Pure (no Streamlit): ``views.measure_panel`` draws the form, makes a ``Draft`` of its
values and asks ``refusal`` before it goes to the store. The rules are the store's own
(``store.measure_records``: who may record or remove, how long a text may be), asked here
so that the everyday mistakes (a viewer, a youth worker outside her districts, a last day
before the first, a long text) come back as one translated line instead of the store's
English message; the store checks them again when it saves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd
import shapely

from hotspots.measures import LEADS, Measure, RecordedMeasure
from i18n import format_date, format_number, t
from store.measure_records import MAX_NOTE_CHARS, MAX_PARTNER_CHARS, check_may_record, check_may_remove
from store.scope import Scope, ScopeError

#: Longest partner and note the form takes, characters (the store's limits).
PARTNER_MAX_CHARS: Final = MAX_PARTNER_CHARS
NOTE_MAX_CHARS: Final = MAX_NOTE_CHARS


@dataclass(frozen=True)
class Draft:
    """The form's values: what, who, first and last day (inclusive), categories, note."""

    kind: str
    lead: str
    start: date
    last_day: date
    partner: str = ""
    categories: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why a draft may not be saved: a catalogue key and its values, ready for ``i18n.t``."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """Return the refusal as one line in ``lang``."""
        return t(self.key, lang, **self.values)


def may_record(scope: Scope, osaalue: Sequence[str]) -> bool:
    """Say whether ``scope`` may record a measure touching ``osaalue`` (``store.measure_records``'s rule)."""
    try:
        check_may_record(scope, osaalue)
    except ScopeError:
        return False
    return True


def records_measures(scope: Scope) -> bool:
    """Say whether ``scope`` may record measures anywhere at all (inside its own districts)."""
    return may_record(scope, scope.osaalue or ())


def may_remove(scope: Scope, recorded: RecordedMeasure) -> bool:
    """Say whether ``scope`` may remove ``recorded`` (``store.measure_records``'s rule)."""
    try:
        check_may_remove(scope, recorded.id, recorded.recorded_by)
    except ScopeError:
        return False
    return True


def refusal(draft: Draft, scope: Scope, osaalue: Sequence[str], lang: str) -> Refusal | None:
    """Return why ``draft`` may not be saved by ``scope``, or None when it may.

    Parameters
    ----------
    draft
        The form's values.
    scope
        Who is saving it.
    osaalue
        Osa-alue codes the measure's area touches.
    lang
        Language of the field names in the message.

    Returns
    -------
    Refusal or None
        The first reason, in the order a user fixes them: role, dates, texts, place.
    """
    if not records_measures(scope):
        return Refusal("measure.refused.viewer")
    if draft.last_day < draft.start:
        dates = {"start": format_date(draft.start, lang), "end": format_date(draft.last_day, lang)}
        return Refusal("measure.refused.dates", dates)
    for name, limit in (("partner", PARTNER_MAX_CHARS), ("note", NOTE_MAX_CHARS)):
        length = len(getattr(draft, name))
        if length > limit:
            values = {
                "field": t(f"measure.form.{name}", lang),
                "length": format_number(length, lang),
                "max": format_number(limit, lang),
            }
            return Refusal("measure.refused.too_long", values)
    if not osaalue:
        return Refusal("measure.refused.no_district")
    if not may_record(scope, osaalue):
        outside = sorted(set(osaalue) - set(scope.osaalue or ()))
        return Refusal("measure.refused.outside", {"codes": ", ".join(outside)})
    return None


def draft_measure(draft: Draft, area: shapely.Geometry) -> Measure:
    """Return the measure of a checked draft over ``area`` (EPSG:3067).

    It runs from the first day's midnight to the midnight after the last day, Helsinki time.

    Parameters
    ----------
    draft
        Values that ``refusal`` let through.
    area
        The measure's area in EPSG:3067 metres.

    Returns
    -------
    Measure
        Validated by ``hotspots.measures.Measure``.
    """
    return Measure(
        kind=draft.kind,  # type: ignore[arg-type]
        lead=draft.lead,  # type: ignore[arg-type]
        area=area,
        start=pd.Timestamp(draft.start),
        end=pd.Timestamp(draft.last_day) + pd.Timedelta(days=1),
        partner=draft.partner.strip(),
        categories=draft.categories,
        note=draft.note.strip(),
    )


def default_lead(hotspot_lead: object) -> str:
    """Return the lead the form offers first: the hotspot's recommended one when it is a measure's lead."""
    return str(hotspot_lead) if hotspot_lead in LEADS else LEADS[0]


def hotspot_categories(categories: object, top_category: object) -> tuple[str, ...]:
    """Return a hotspot's categories, commonest first: the form's default targets.

    Parameters
    ----------
    categories
        The hotspot's mix ``{category: n}``; text for a scope that sees only aggregates.
    top_category
        Its commonest category, the fallback when the mix is text.

    Returns
    -------
    tuple of str
    """
    if isinstance(categories, Mapping) and categories:
        return tuple(str(c) for c, _ in sorted(categories.items(), key=lambda item: -float(item[1])))
    return (str(top_category),) if isinstance(top_category, str) and top_category else ()
