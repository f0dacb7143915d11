"""Which incidents a store query returns: ``IncidentFilter``, checked once when it is made.

Every store answers ``query(IncidentFilter(...))`` with the incidents that meet every
condition given; a condition left at None keeps everything. The filter holds its values
checked and normalised (lists become tuples, the box four floats, times also as UTC
microseconds, the unit the stores keep), so each backend only translates it into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from geo import schema
from geo.errors import ParameterError


@dataclass(frozen=True)
class IncidentFilter:
    """Conditions on incidents, all of which must hold (None: no condition).

    Parameters
    ----------
    since, until
        Half-open time range ``[since, until)``; naive datetimes are Europe/Helsinki
        wall time (an ambiguous or skipped DST hour is refused).
    categories, sources
        Canonical values to keep; an empty sequence keeps nothing, None everything.
    osaalue_codes, peruspiiri_codes, suurpiiri_codes
        District codes to keep at each level (as in ``geo.districts``).
    bbox_m
        ``(xmin, ymin, xmax, ymax)`` in EPSG:3067 metres, edges included.
    include_synthetic
        False drops generated demo incidents.

    Attributes
    ----------
    since_us, until_us
        The time bounds as UTC microseconds since the epoch (the first stored microsecond
        not before the bound), None without a bound.

    Raises
    ------
    ParameterError
        A value is malformed; the message names it and the allowed values.

    Examples
    --------
    >>> IncidentFilter(categories=["assault"], osaalue_codes=("020",)).categories
    ('assault',)
    """

    since: datetime | None = None
    until: datetime | None = None
    categories: Sequence[str] | None = None
    sources: Sequence[str] | None = None
    osaalue_codes: Sequence[str] | None = None
    peruspiiri_codes: Sequence[str] | None = None
    suurpiiri_codes: Sequence[str] | None = None
    bbox_m: tuple[float, float, float, float] | None = None
    include_synthetic: bool = True
    since_us: int | None = field(init=False, default=None, repr=False, compare=False)
    until_us: int | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        since_us = None if self.since is None else _bound_microseconds("since", self.since)
        until_us = None if self.until is None else _bound_microseconds("until", self.until)
        if since_us is not None and until_us is not None and since_us > until_us:
            raise ParameterError(f"since ({self.since}) must not be after until ({self.until}); swap them")
        checked = {
            "since_us": since_us,
            "until_us": until_us,
            "bbox_m": None if self.bbox_m is None else _box(self.bbox_m),
            "categories": _codes("categories", self.categories, schema.CATEGORIES),
            "sources": _codes("sources", self.sources, schema.SOURCES),
            "osaalue_codes": _codes("osaalue_codes", self.osaalue_codes),
            "peruspiiri_codes": _codes("peruspiiri_codes", self.peruspiiri_codes),
            "suurpiiri_codes": _codes("suurpiiri_codes", self.suurpiiri_codes),
            "include_synthetic": bool(self.include_synthetic),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    @property
    def listed(self) -> dict[str, Sequence[str] | None]:
        """Values to keep per incident column (``category``, ``source``, district codes)."""
        return {
            "category": self.categories,
            "source": self.sources,
            "osaalue_code": self.osaalue_codes,
            "peruspiiri_code": self.peruspiiri_codes,
            "suurpiiri_code": self.suurpiiri_codes,
        }


def _codes(
    name: str, values: Sequence[str] | None, allowed: Sequence[str] | None = None
) -> tuple[str, ...] | None:
    """Return the validated filter values, None for no filter."""
    if values is None:
        return None
    if isinstance(values, str):
        raise ParameterError(f"{name} must be a list of values, got the string {values!r}; use [{values!r}]")
    out = tuple(str(v) for v in values)
    if allowed is not None:
        unknown = sorted(set(out) - set(allowed))
        if unknown:
            raise ParameterError(f"{name} has unknown values {unknown}; allowed are {list(allowed)}")
    return out


def _box(bbox_m: Sequence[float]) -> tuple[float, float, float, float]:
    """Return ``bbox_m`` as four finite floats in order; ParameterError otherwise."""
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in bbox_m)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"bbox_m must be four numbers (xmin, ymin, xmax, ymax) in EPSG:3067 metres, got {bbox_m!r}"
        ) from exc
    if not all(np.isfinite([xmin, ymin, xmax, ymax])) or xmin > xmax or ymin > ymax:
        raise ParameterError(
            f"bbox_m must be finite (xmin, ymin, xmax, ymax) with xmin <= xmax and ymin <= ymax "
            f"in EPSG:3067 metres, got {bbox_m!r}"
        )
    return (xmin, ymin, xmax, ymax)


def _bound_microseconds(name: str, value: datetime) -> int:
    """Smallest stored microsecond count not before ``value`` (naive = Helsinki wall time)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a date and time, got {value!r}") from exc
    if pd.isna(stamp):
        raise ParameterError(f"{name} must be a date and time, got {value!r}")
    if stamp.tzinfo is None:
        local = stamp.tz_localize(schema.TIMEZONE, ambiguous="NaT", nonexistent="NaT")
        if pd.isna(local):
            raise ParameterError(
                f"{name} {value!r} is ambiguous or does not exist in {schema.TIMEZONE} "
                "(a daylight-saving change); pass a timezone-aware datetime"
            )
        stamp = local
    if stamp.unit != "ns":  # seconds to microseconds: exact, and beyond the year 2262 too
        return int(stamp.as_unit("us").asm8.view("i8"))
    return -(-int(stamp.value) // 1000)
