"""Which incidents an analysis looks at: period, categories, sources, districts, time of day.

A ``Selection`` is plain data (it also round-trips through a URL query string in the app);
``apply`` returns a filtered copy of an incident table and never changes its input.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import districts, schema
from geo.errors import ParameterError
from geo.timeparse import local_day

#: Category presets offered to users (ARCHITECTURE.md users: youth workers and police).
PRESETS: Final[dict[str, tuple[str, ...]]] = {
    "youth_work": ("youth_violence", "gang_activity", "vandalism", "resident_concern"),
    "policing": ("drug_dealing", "weapons", "robbery", "assault"),
}
#: Comparison periods: the period of the same length just before, the same dates a year
#: earlier (for seasonal phenomena), or none.
COMPARISONS: Final = ("previous", "year_before", "none")
#: District level -> the incident column holding its code.
LEVEL_COLUMNS: Final[dict[str, str]] = {
    "suurpiiri": "suurpiiri_code",
    "peruspiiri": "peruspiiri_code",
    "osaalue": "osaalue_code",
}


def _timestamp(value: pd.Timestamp | str | None, name: str) -> pd.Timestamp | None:
    return None if value is None else local_day(value, name, schema.TIMEZONE)


@dataclass(frozen=True)
class Selection:
    """Filters of one analysis. Empty tuples mean "all".

    Parameters
    ----------
    since, until
        Half-open period [since, until); naive values are Europe/Helsinki.
    categories, sources
        Canonical categories and sources to keep.
    suurpiiri, peruspiiri, osaalue
        District codes. A district counts whole unless districts chosen inside it narrow
        it (Kallio and its osa-alue Linjat mean Linjat; Kallio and Vuosaari's osa-alue
        Mellunmäki mean all of Kallio and Mellunmäki): ``choose_districts``, applied on
        construction, so the app, the CLI, the map and the study area read one rule.
    hours
        Hours of the day (0-23) to keep.
    weekdays
        Weekdays to keep, Monday = 0.
    """

    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    suurpiiri: tuple[str, ...] = ()
    peruspiiri: tuple[str, ...] = ()
    osaalue: tuple[str, ...] = ()
    hours: tuple[int, ...] = ()
    weekdays: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "since", _timestamp(self.since, "since"))
        object.__setattr__(self, "until", _timestamp(self.until, "until"))
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ParameterError(f"since must be before until, got {self.since} >= {self.until}")
        bad = sorted(set(self.categories) - set(schema.CATEGORIES))
        if bad:
            raise ParameterError(f"categories {bad} are not canonical; allowed: {list(schema.CATEGORIES)}")
        bad = sorted(set(self.sources) - set(schema.SOURCES))
        if bad:
            raise ParameterError(f"sources {bad} are not canonical; allowed: {list(schema.SOURCES)}")
        if any(not 0 <= h <= 23 for h in self.hours):
            raise ParameterError(f"hours must be in 0..23, got {list(self.hours)}")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise ParameterError(f"weekdays must be in 0..6 (Monday = 0), got {list(self.weekdays)}")
        chosen = {level: tuple(str(c) for c in getattr(self, level)) for level in LEVEL_COLUMNS}
        if sum(bool(codes) for codes in chosen.values()) > 1:
            # Nested choices need the hierarchy; a single level is its own canonical form.
            chosen = choose_districts(districts.hierarchy(), **chosen)
        for level, codes in chosen.items():
            object.__setattr__(self, level, codes)

    @property
    def has_districts(self) -> bool:
        """True when the selection is cut to some districts."""
        return bool(self.suurpiiri or self.peruspiiri or self.osaalue)

    @property
    def chosen_districts(self) -> dict[str, tuple[str, ...]]:
        """The chosen codes per level, coarsest first, levels without a choice left out."""
        return {level: getattr(self, level) for level in LEVEL_COLUMNS if getattr(self, level)}

    def district_mask(self, frame: pd.DataFrame, columns: dict[str, str] | None = None) -> NDArray[np.bool_]:
        """Rows of ``frame`` in the chosen districts (all rows without a choice).

        Parameters
        ----------
        frame
            Any table with a code column per level: incidents, ``geo.districts.hierarchy()``,
            the osa-alue layer.
        columns
            Level -> column; default ``LEVEL_COLUMNS`` (``osaalue_code`` ...).

        Returns
        -------
        ndarray of bool
            One flag per row: the union over levels of the canonical choice.
        """
        names = LEVEL_COLUMNS if columns is None else columns
        if not self.has_districts:
            return np.ones(len(frame), dtype=bool)
        keep = np.zeros(len(frame), dtype=bool)
        for level, codes in self.chosen_districts.items():
            keep |= frame[names[level]].astype(str).isin(codes).to_numpy(dtype=bool)
        return keep

    def citywide(self) -> Selection:
        """Return the same filters without the district choice (hotspots are found city-wide)."""
        return replace(self, suurpiiri=(), peruspiiri=(), osaalue=())

    def previous(self) -> Selection:
        """Return the same filters over the period of the same length just before this one.

        Lengths are counted on the wall clock (a day is a day across DST changes), and a
        period of whole calendar months (May 1 - Nov 1) gets the same number of months
        before it (Nov 1 - May 1).
        """
        if self.since is None or self.until is None:
            raise ParameterError("a comparison period needs both since and until")
        since, until = self.since.tz_localize(None), self.until.tz_localize(None)
        whole_months = since == since.normalize() and until == until.normalize()
        whole_months = whole_months and since.day == 1 and until.day == 1
        if whole_months:
            months = (until.year - since.year) * 12 + until.month - since.month
            start = since - pd.DateOffset(months=months)
        else:
            start = since - (until - since)
        tz = schema.TIMEZONE
        previous_since = pd.Timestamp(start).tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
        return replace(self, since=previous_since, until=self.since)

    def year_before(self) -> Selection:
        """Return the same filters over the same calendar period one year earlier (seasons match)."""
        if self.since is None or self.until is None:
            raise ParameterError("a comparison period needs both since and until")
        tz = schema.TIMEZONE

        def back(stamp: pd.Timestamp) -> pd.Timestamp:
            naive = stamp.tz_localize(None) - pd.DateOffset(years=1)
            return pd.Timestamp(naive).tz_localize(tz, nonexistent="shift_forward", ambiguous=True)

        return replace(self, since=back(self.since), until=back(self.until))

    def comparison(self, kind: str) -> Selection | None:
        """Return the comparison period: ``"previous"`` (default), ``"year_before"`` or ``"none"``."""
        if kind not in COMPARISONS:
            raise ParameterError(f"comparison was {kind!r} but is expected to be one of {list(COMPARISONS)}")
        if kind == "none" or self.since is None or self.until is None:
            return None
        return self.previous() if kind == "previous" else self.year_before()


def last_months(end: pd.Timestamp, *, months: int = 6) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the period of ``months`` calendar months ending at the start of the day after ``end``."""
    if months < 1:
        raise ParameterError(f"months must be >= 1, got {months}")
    stamp = _timestamp(end, "end")
    assert stamp is not None
    until = (stamp.normalize() + pd.Timedelta(days=1)).tz_localize(None)
    since = until - pd.DateOffset(months=months)
    tz = schema.TIMEZONE
    return pd.Timestamp(since).tz_localize(tz), pd.Timestamp(until).tz_localize(tz)


def apply(incidents: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """Rows of ``incidents`` that pass ``selection``, as a new frame with a fresh index.

    Parameters
    ----------
    incidents
        Canonical incident table (``geo.schema``).
    selection
        The filters.

    Returns
    -------
    DataFrame
        The kept rows, in their original order.
    """
    keep = np.ones(len(incidents), dtype=bool)
    when = incidents["occurred_at"]
    if selection.since is not None:
        keep &= (when >= selection.since).to_numpy(dtype=bool, na_value=False)
    if selection.until is not None:
        keep &= (when < selection.until).to_numpy(dtype=bool, na_value=False)
    if selection.categories:
        keep &= incidents["category"].isin(selection.categories).to_numpy(dtype=bool)
    if selection.sources:
        keep &= incidents["source"].isin(selection.sources).to_numpy(dtype=bool)
    if selection.has_districts:
        keep &= selection.district_mask(incidents)
    if selection.hours:
        keep &= when.dt.hour.isin(selection.hours).to_numpy(dtype=bool)
    if selection.weekdays:
        keep &= when.dt.weekday.isin(selection.weekdays).to_numpy(dtype=bool)
    return incidents.loc[keep].reset_index(drop=True)


def districts_by_name(names: Sequence[str], hierarchy: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Resolve district names or codes (fi or sv, any level, any case) to codes per level.

    Parameters
    ----------
    names
        E.g. ``["Kallio", "Berghäll", "Itäinen", "503"]``.
    hierarchy
        ``geo.districts.hierarchy()``.

    Returns
    -------
    dict
        ``{"suurpiiri": (...), "peruspiiri": (...), "osaalue": (...)}`` with the codes found.
        A name that is both a peruspiiri and an osa-alue (Kallio) counts as the larger one.

    Raises
    ------
    ParameterError
        A name matches nothing; the message suggests close names.
    """
    found: dict[str, list[str]] = {level: [] for level in LEVEL_COLUMNS}
    for raw in names:
        wanted = raw.strip().casefold()
        for level in ("suurpiiri", "peruspiiri", "osaalue"):
            code_col = f"{level}_code"
            match = hierarchy[
                (hierarchy[f"{level}_fi"].str.casefold() == wanted)
                | (hierarchy[f"{level}_sv"].str.casefold() == wanted)
                | (hierarchy[code_col] == raw.strip())
            ]
            if len(match):
                found[level].extend(sorted(set(match[code_col])))
                break
        else:
            every = pd.concat([hierarchy[f"{lv}_{lang}"] for lv in LEVEL_COLUMNS for lang in ("fi", "sv")])
            close = difflib.get_close_matches(raw.strip(), sorted(set(every)), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ParameterError(
                f"district {raw!r} is not a Helsinki suurpiiri, peruspiiri or osa-alue name or code{hint} "
                "(`hotspots districts list --level osaalue` lists them)"
            )
    return {level: tuple(dict.fromkeys(codes)) for level, codes in found.items()}


def choose_districts(
    hierarchy: pd.DataFrame,
    *,
    suurpiiri: Sequence[str] = (),
    peruspiiri: Sequence[str] = (),
    osaalue: Sequence[str] = (),
) -> dict[str, tuple[str, ...]]:
    """Say what a district choice means: each district whole, unless finer choices inside narrow it.

    The one rule of the app's cascading filter, the CLI's ``--district`` and the map's
    zoom: a chosen suurpiiri with a chosen peruspiiri or osa-alue inside it is replaced by
    those, and so is a chosen peruspiiri with chosen osa-alue inside it. Districts chosen
    side by side add up.

    Parameters
    ----------
    hierarchy
        ``geo.districts.hierarchy()``: one row per osa-alue with the codes of every level.
    suurpiiri, peruspiiri, osaalue
        Chosen codes per level.

    Returns
    -------
    dict
        ``{"suurpiiri": ..., "peruspiiri": ..., "osaalue": ...}``: codes, sorted, no
        district inside another.

    Raises
    ------
    ParameterError
        A code is not a district of its level; the message names it.
    """
    given = {"suurpiiri": suurpiiri, "peruspiiri": peruspiiri, "osaalue": osaalue}
    chosen: dict[str, set[str]] = {}
    for level, codes in given.items():
        wanted = {str(c) for c in codes}
        unknown = sorted(wanted - set(hierarchy[LEVEL_COLUMNS[level]].astype(str)))
        if unknown:
            raise ParameterError(
                f"{level} codes {unknown} are not Helsinki districts; "
                f"`hotspots districts list --level {level}` lists them"
            )
        chosen[level] = wanted
    inner_osa = hierarchy[hierarchy["osaalue_code"].astype(str).isin(chosen["osaalue"])]
    inner_per = hierarchy[hierarchy["peruspiiri_code"].astype(str).isin(chosen["peruspiiri"])]
    chosen["peruspiiri"] -= set(inner_osa["peruspiiri_code"].astype(str))
    chosen["suurpiiri"] -= set(inner_osa["suurpiiri_code"].astype(str)) | set(
        inner_per["suurpiiri_code"].astype(str)
    )
    return {level: tuple(sorted(codes)) for level, codes in chosen.items()}
