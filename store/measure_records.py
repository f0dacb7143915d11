"""A measure as the store keeps it: the record, the checks of its fields, its rows and who may change them.

A *measure* is what partners did somewhere for a while: outreach, patrols, school or NGO
work, an environmental change such as lighting, an event. ``Measure`` is the record the
app, the CLI and ``hotspots.measures`` (its effect) share; ``RecordedMeasure`` is one the
store holds, with where it was placed and who recorded it. Both live here, beside the
tables that keep them, because the layers point down (hotspots -> store -> geo);
``hotspots.measures`` re-exports them.

Every store keeps (schema version 4) a ``measures`` table, one row per measure: kind,
lead, partner, targeted categories (comma-joined), start and end (UTC microseconds, like
``occurred_at``), note, how the place was given (``place_kind``) and what it was called
(``place_ref``), the area (EPSG:3067, always a MultiPolygon: WKB in SQLite,
``geometry(MultiPolygon, 3067)`` in PostGIS), who recorded it and when, and ``removed_in``,
the audit row of its removal. Removing keeps the row (what was done stays on record for the
review) and hides it from ``measures()``. A second table, ``measure_osaalue``, holds one row
per osa-alue the area touches, so the scope's condition is SQL on an indexed code, as for
incidents.

Who may:

- record (``check_may_record``): an admin or an analyst anywhere; a youth worker only
  inside their districts (every osa-alue of the measure one of theirs, and at least one);
  a viewer never;
- remove (``check_may_remove``): an admin or an analyst any measure; a youth worker only
  those they recorded; a viewer none;
- read: every role, the measures touching their districts. A note is free text, like an
  incident's description: a scope that sees only aggregates gets it only on the measures
  its own user recorded.

The audit rows (``measure_add``, ``measure_remove``; ``measure_detail``) name the measure's
id, kind, lead, partner, dates, categories, place and osa-alue, and of the note only its
length. This module is pure: the SQL is ``store.measured``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

import pandas as pd
import shapely

from geo import crs
from geo.errors import ParameterError
from geo.schema import CATEGORIES, TIMEZONE
from store.scope import ROLE_WORDS, Scope, ScopeError, _district_codes

MeasureKind = Literal["outreach", "patrol", "school_ngo", "environment", "event", "other"]
MEASURE_KINDS: Final[tuple[MeasureKind, ...]] = get_args(MeasureKind)
Lead = Literal["youth_work", "police", "joint", "school", "ngo", "other"]
LEADS: Final[tuple[Lead, ...]] = get_args(Lead)
PlaceKind = Literal["hotspot", "districts", "drawn"]
#: How a measure's area was given: a hotspot as it was on the day, districts, or drawn.
PLACE_KINDS: Final[tuple[PlaceKind, ...]] = get_args(PlaceKind)
#: Longest partner name kept, in characters (an organisation's name, not a report).
MAX_PARTNER_CHARS: Final = 200
#: Longest note kept, in characters: a short note, the report itself lives elsewhere.
MAX_NOTE_CHARS: Final = 1000
#: Longest place reference kept (a hotspot's id and name, or district codes).
MAX_PLACE_REF_CHARS: Final = 1000
#: How the targeted categories are joined in the ``categories`` column.
SEPARATOR: Final = ","


# --------------------------------------------------------------------------- field checks


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Raise a ParameterError naming ``name`` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ParameterError(f"{name} was {value!r} but is expected to be one of {list(allowed)}")


def helsinki_time(name: str, value: object) -> pd.Timestamp:
    """Return ``value`` in Europe/Helsinki; naive values are Helsinki wall-clock time (geo.timeparse)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT or not isinstance(stamp, pd.Timestamp):
        raise ParameterError(f"{name} must be a date or timestamp such as '2026-05-01', got {value!r}")
    if stamp.tzinfo is None:
        return stamp.tz_localize(TIMEZONE, ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert(TIMEZONE)


def calendar_days(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Return the days from ``start`` to ``end`` on the wall clock, so 1 March to 1 June is 92."""
    return (end.tz_localize(None) - start.tz_localize(None)) / pd.Timedelta(days=1)


def checked_area(name: str, area: object) -> shapely.Geometry:
    """Check a non-empty polygonal area in EPSG:3067 metres in the Helsinki region; make it valid."""
    if not isinstance(area, shapely.Polygon | shapely.MultiPolygon) or area.is_empty:
        raise ParameterError(
            f"{name} must be a non-empty shapely Polygon or MultiPolygon in EPSG:3067, "
            f"got {type(area).__name__}"
        )
    x0, y0, x1, y1 = area.bounds
    guessed = crs.guess_crs([x0, x1], [y0, y1])
    if guessed != crs.METRIC:
        raise ParameterError(
            f"{name} must be in EPSG:3067 metres in the Helsinki region, but its bounds "
            f"{tuple(round(v, 3) for v in area.bounds)} look like {guessed or 'another CRS'}; "
            "reproject it with geo.crs.transform first"
        )
    valid = shapely.make_valid(area) if not area.is_valid else area
    if valid.area <= 0:
        raise ParameterError(f"{name} has no area; draw a polygon, not a line or a point")
    return valid


def checked_categories(name: str, value: object) -> tuple[str, ...]:
    """Return ``value`` as a tuple of canonical categories, each once, or raise."""
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise ParameterError(f"{name} must be a tuple of categories such as ('drug_dealing',), got {value!r}")
    unknown = [c for c in value if c not in CATEGORIES]
    if unknown or len(set(value)) != len(value):
        raise ParameterError(
            f"{name} was {value!r} but each must appear once and be one of {list(CATEGORIES)}"
        )
    return tuple(value)


def checked_text(name: str, value: object, limit: int) -> str:
    """Return ``value`` when it is text of at most ``limit`` characters without NUL; else raise."""
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be text, got {type(value).__name__}")
    if len(value) > limit:
        raise ParameterError(f"{name} has {len(value)} characters, more than the {limit} kept; shorten it")
    if "\x00" in value:
        raise ParameterError(f"{name} holds a NUL character (\\x00), which cannot be stored; remove it")
    return value


# --------------------------------------------------------------------------- the records


@dataclass(frozen=True)
class Measure:
    """What was done where and when, validated on construction.

    Parameters
    ----------
    kind
        ``MEASURE_KINDS``: outreach, patrol, school_ngo, environment, event, other.
    lead
        Who leads (``LEADS``): youth_work, police, joint, school, ngo, other.
    area
        Shapely Polygon or MultiPolygon in EPSG:3067 metres: a hotspot as it was on the
        day, one or more districts, or an area drawn on the map.
    start, end
        When the measure ran, ``end`` after ``start``. Stored in Europe/Helsinki; naive
        values are read as Helsinki wall-clock time, like incident times.
    partner
        Free text naming the partner (an NGO, a school), at most ``MAX_PARTNER_CHARS``.
    categories
        Targeted canonical categories (``geo.schema.CATEGORIES``); empty means all.
    note
        A short free-text note, at most ``MAX_NOTE_CHARS``.
    """

    kind: MeasureKind
    lead: Lead
    area: shapely.Geometry
    start: pd.Timestamp
    end: pd.Timestamp
    partner: str = ""
    categories: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, MEASURE_KINDS)
        check_choice("lead", self.lead, LEADS)
        checked_text("partner", self.partner, MAX_PARTNER_CHARS)
        checked_text("note", self.note, MAX_NOTE_CHARS)
        object.__setattr__(self, "area", checked_area("area", self.area))
        start, end = helsinki_time("start", self.start), helsinki_time("end", self.end)
        if end <= start:
            raise ParameterError(f"end must be after start, got start {start} and end {end}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "categories", checked_categories("categories", self.categories))

    @property
    def length_days(self) -> float:
        """How long the measure ran, in days of the Helsinki calendar (DST days count as one)."""
        return calendar_days(self.start, self.end)


@dataclass(frozen=True)
class RecordedMeasure:
    """A measure as the store keeps it: the measure, where it was placed, who recorded it.

    Parameters
    ----------
    id
        The store's number for it (``hotspots measures remove ID``).
    measure
        What was done, where (``measure.area``, EPSG:3067) and when.
    place_kind
        ``PLACE_KINDS``: ``"hotspot"`` (the area is the hotspot's polygon as it was on the
        day), ``"districts"`` (the union of districts) or ``"drawn"`` (an area drawn on the
        map or read from a file).
    place_ref
        What the place was called: the hotspot's id and name (``"H3 Kaivokatu 8"``), the
        district codes joined by commas, or empty for a drawn area.
    osaalue
        Osa-alue codes the area touches: who may see the measure follows them
        (``store.scope``), as for incidents.
    recorded_by
        User id of whoever recorded it.
    recorded_at
        When it was recorded, Europe/Helsinki.
    """

    id: int
    measure: Measure
    place_kind: PlaceKind
    place_ref: str
    osaalue: tuple[str, ...]
    recorded_by: str
    recorded_at: pd.Timestamp

    def __post_init__(self) -> None:
        check_choice("place_kind", self.place_kind, PLACE_KINDS)


# --------------------------------------------------------------------------- rows


def multipolygon(area: shapely.Geometry) -> shapely.MultiPolygon:
    """Return the polygons of ``area`` as one MultiPolygon (a made-valid area may be a collection)."""
    parts: list[shapely.Polygon] = []
    pending = [area]
    while pending:
        geometry = pending.pop(0)
        if isinstance(geometry, shapely.Polygon):
            parts.extend([] if geometry.is_empty else [geometry])
        elif isinstance(geometry, shapely.MultiPolygon | shapely.GeometryCollection):
            pending.extend(shapely.get_parts(geometry))
    return shapely.MultiPolygon(parts)


@dataclass(frozen=True)
class MeasureEntry:
    """The checked arguments of ``add_measure``: one row of ``measures`` before it has an id."""

    measure: Measure
    place_kind: PlaceKind
    place_ref: str
    osaalue: tuple[str, ...]

    @classmethod
    def checked(
        cls, measure: object, place_kind: object, place_ref: object, osaalue: Sequence[str]
    ) -> MeasureEntry:
        """Return the entry, or ParameterError naming the argument that is wrong."""
        if not isinstance(measure, Measure):
            raise ParameterError(
                f"measure must be a store.measure_records.Measure, got {type(measure).__name__}"
            )
        check_choice("place_kind", place_kind, PLACE_KINDS)
        ref = checked_text("place_ref", place_ref, MAX_PLACE_REF_CHARS)
        codes = _district_codes(osaalue)
        return cls(measure, place_kind, ref, () if codes is None else codes)  # type: ignore[arg-type]

    def values(self) -> tuple[Any, ...]:
        """``(kind, lead, partner, categories, start µs, end µs, note, place_kind, place_ref, area WKB)``."""
        m = self.measure
        return (
            m.kind,
            m.lead,
            m.partner,
            SEPARATOR.join(m.categories),
            micros(m.start),
            micros(m.end),
            m.note,
            self.place_kind,
            self.place_ref,
            shapely.to_wkb(multipolygon(m.area), output_dimension=2),
        )


def micros(stamp: pd.Timestamp) -> int:
    """UTC microseconds since the epoch of a timezone-aware timestamp (finer parts dropped)."""
    return int(stamp.value // 1000)


def _stamp(us: int) -> pd.Timestamp:
    return pd.Timestamp(int(us), unit="us", tz="UTC").tz_convert(TIMEZONE)


def recorded_measure(row: Sequence[Any], osaalue: Sequence[str], *, note: bool) -> RecordedMeasure:
    """Return the RecordedMeasure of a row as ``store.measured`` selects it.

    Parameters
    ----------
    row
        ``(measure_id, kind, lead, partner, categories, start µs, end µs, note, place_kind,
        place_ref, area WKB, recorded_by, recorded_at µs)``.
    osaalue
        The measure's osa-alue codes, sorted.
    note
        Whether the reader may see the note (else it comes back empty).
    """
    ident, kind, lead, partner, categories, start, end, text, place_kind, ref, wkb, by, at = row
    measure = Measure(
        kind=kind,
        lead=lead,
        area=shapely.from_wkb(bytes(wkb)),
        start=_stamp(start),
        end=_stamp(end),
        partner=partner,
        categories=tuple(categories.split(SEPARATOR)) if categories else (),
        note=text if note else "",
    )
    return RecordedMeasure(int(ident), measure, place_kind, ref, tuple(osaalue), by, _stamp(at))


def measure_detail(
    measure_id: int, measure: Measure, place_kind: str, place_ref: str, osaalue: Sequence[str]
) -> dict[str, Any]:
    """Return the detail of a ``measure_add`` / ``measure_remove`` audit row (the note by its length only)."""
    return {
        "measure_id": measure_id,
        "kind": measure.kind,
        "lead": measure.lead,
        "partner": measure.partner,
        "start": measure.start.isoformat(),
        "end": measure.end.isoformat(),
        "categories": list(measure.categories),
        "place_kind": place_kind,
        "place_ref": place_ref,
        "osaalue": list(osaalue),
        "area_m2": round(float(measure.area.area), 1),
        "note_chars": len(measure.note),
    }


def measure_number(measure_id: object) -> int:
    """Return ``measure_id`` as an int; ParameterError unless it is a whole number >= 1."""
    if isinstance(measure_id, bool) or not isinstance(measure_id, int) or measure_id < 1:
        raise ParameterError(
            f"measure id must be a whole number >= 1 (`hotspots measures list`), got {measure_id!r}"
        )
    return int(measure_id)


# --------------------------------------------------------------------------- who may


def check_may_record(scope: Scope, osaalue: Sequence[str]) -> None:
    """Raise ScopeError unless ``scope`` may record a measure touching ``osaalue`` (see the module)."""
    if scope.may_upload:
        return
    if scope.role != "youth_worker" or scope.osaalue is None:
        raise ScopeError(
            f"{scope.user} is {ROLE_WORDS[scope.role]} and may not record measures; ask an analyst, "
            "or a youth worker of the district, to record it"
        )
    if not osaalue:
        raise ScopeError(
            f"a youth worker records measures only inside their districts, and this area touches no "
            f"osa-alue of Helsinki; {scope.user}: ask an analyst to record it"
        )
    outside = [code for code in osaalue if code not in scope.osaalue]
    if outside:
        raise ScopeError(
            f"{scope.user} is a youth worker of osa-alue {', '.join(scope.osaalue)}, but the measure "
            f"also touches osa-alue {', '.join(outside)}; record it inside your districts only, or "
            "ask an analyst to record it"
        )


def check_may_remove(scope: Scope, measure_id: int, recorded_by: str) -> None:
    """Raise ScopeError unless ``scope`` may remove the measure ``recorded_by`` recorded."""
    if scope.may_upload:
        return
    if scope.role == "youth_worker" and recorded_by == scope.user:
        return
    whose = "only the measures they recorded" if scope.role == "youth_worker" else "no measures"
    raise ScopeError(
        f"{scope.user} is {ROLE_WORDS[scope.role]} and may remove {whose}; measure {measure_id} was "
        f"recorded by {recorded_by}. Ask an analyst to remove it"
    )
