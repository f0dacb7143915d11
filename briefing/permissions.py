"""What a user may take out of the tool: the export rules of a ``store.Scope``, in one place.

Every function that makes a file (``briefing.downloads``, ``briefing.districtfiles``) takes
the downloading user's scope and applies these rules before anything else; the app's
download panel checks the PDF and the map picture with ``check_export`` too, and the CLI
acts as an admin (``cli.arguments.operator_scope``). The rules:

- Restricted content (incident points and descriptions, exact counts below ``min_count``)
  only for a scope that may have it (``Scope.may_export_restricted``: analysts and admins);
  asking for it otherwise raises ``store.ScopeError``.
- A scope that sees only aggregates (youth worker, viewer) cannot lower ``min_count`` below
  ``DEFAULT_MIN_COUNT``: its small counts always read ``<5``.
- A scope cut to districts exports only an analysis built from its own incidents (each one
  of the period and of the comparison period in its osa-alue: the data the store's query or
  ``store.apply_scope`` gave it), and only its districts' rows of a district table.

``export_detail`` is what the ``export`` audit row says about a file.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from briefing.privacy import AGGREGATED, DEFAULT_MIN_COUNT, RESTRICTED, check_min_count
from geo import districts
from geo.errors import ParameterError
from hotspots.analysis import Analysis
from store.scope import ROLE_WORDS, Scope, ScopeError


def _checked_scope(scope: object) -> Scope:
    """Return ``scope`` when it is a ``store.Scope``; ParameterError otherwise."""
    if not isinstance(scope, Scope):
        raise ParameterError(
            "scope must be the downloading user's store.Scope (store.LOCAL_ANALYST in local mode), "
            f"got {scope!r}"
        )
    return scope


def check_sharing(scope: Scope, *, restricted: bool, min_count: int) -> int:
    """Check that ``scope`` may have a file of this kind; return the checked ``min_count``.

    Parameters
    ----------
    scope
        The downloading user.
    restricted
        The file would hold restricted content.
    min_count
        Counts below it would read ``<min_count``.

    Returns
    -------
    int
        ``min_count``, checked (``briefing.privacy.check_min_count``).

    Raises
    ------
    ScopeError
        A restricted file for a scope without ``may_export_restricted``, or a ``min_count``
        below ``DEFAULT_MIN_COUNT`` for a scope that sees only aggregates.
    """
    scope = _checked_scope(scope)
    min_count = check_min_count(min_count)
    who = f"{scope.user} is {ROLE_WORDS[scope.role]}"
    if restricted and not scope.may_export_restricted:
        raise ScopeError(
            f"only an analyst or an admin may download RESTRICTED files (incident points, descriptions, "
            f"exact small counts); {who}. Download the aggregated files instead."
        )
    if scope.aggregated_only and min_count < DEFAULT_MIN_COUNT:
        raise ScopeError(
            f"counts below {DEFAULT_MIN_COUNT} stay hidden in the files of {ROLE_WORDS[scope.role]} "
            f"({scope.user}); min_count must be at least {DEFAULT_MIN_COUNT}, got {min_count}."
        )
    return min_count


def check_export(analysis: Analysis, scope: Scope, *, restricted: bool, min_count: int) -> int:
    """Check that ``scope`` may have a file of ``analysis``; return the checked ``min_count``.

    Parameters
    ----------
    analysis
        The analysis the file is made of.
    scope
        The downloading user.
    restricted
        The file would hold restricted content.
    min_count
        Counts below it would read ``<min_count``.

    Returns
    -------
    int
        ``min_count``, checked.

    Raises
    ------
    ScopeError
        ``check_sharing`` refuses, or the scope is cut to districts and an incident of the
        analysis (period or comparison period) lies outside them: the analysis was not built
        from the data the user may see.
    """
    min_count = check_sharing(scope, restricted=restricted, min_count=min_count)
    if scope.osaalue is None:
        return min_count
    outside = 0
    for frame in (analysis.current, analysis.previous):
        codes = frame["osaalue_code"] if "osaalue_code" in frame.columns else pd.Series([pd.NA] * len(frame))
        outside += int((~codes.isin(scope.osaalue).to_numpy(dtype=bool, na_value=False)).sum())
    if outside:
        raise ScopeError(
            f"the analysis holds {outside} incidents outside the districts of {scope.user}; build it from "
            "the incidents the user's scope gives (the store's query or store.apply_scope) and export again."
        )
    return min_count


def scoped_district_table(
    table: pd.DataFrame, scope: Scope, *, level: str | None, hierarchy: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return the rows of a district table that ``scope`` may have: its own districts at ``level``.

    Parameters
    ----------
    table
        ``hotspots.figures.district_table`` output (a ``code`` per district); not modified.
    scope
        The downloading user; a whole-city scope keeps every row.
    level
        The table's level (``suurpiiri``, ``peruspiiri``, ``osaalue``); needed for a scope cut
        to districts, since a code alone does not say its level (101 is both Vironniemi and
        Vilhonvuori).
    hierarchy
        ``geo.districts.hierarchy()``; loaded when not given.

    Returns
    -------
    DataFrame
        The rows of the districts that hold one of the scope's osa-alue, in the table's order.

    Raises
    ------
    ParameterError
        ``level`` is missing or not a level, for a scope cut to districts.
    """
    scope = _checked_scope(scope)
    if scope.osaalue is None:
        return table
    if level not in ("suurpiiri", "peruspiiri", "osaalue"):
        raise ParameterError(
            f"level must name the district table's level (suurpiiri, peruspiiri or osaalue) to keep only "
            f"the districts of {scope.user}, got {level!r}"
        )
    table_of = districts.hierarchy() if hierarchy is None else hierarchy
    mine = table_of["osaalue_code"].astype(str).isin(scope.osaalue)
    codes = set(table_of.loc[mine, f"{level}_code"].astype(str))
    return table.loc[table["code"].astype(str).isin(codes)].reset_index(drop=True)


def export_detail(
    analysis: Analysis | None,
    *,
    file_name: str,
    kind: str,
    restricted: bool,
    min_count: int,
    lang: str,
) -> dict[str, Any]:
    """Return what the ``export`` audit row says about a file (``IncidentStore.record``).

    Parameters
    ----------
    analysis
        The analysis the file was made of: its filters are recorded; None when unknown.
    file_name
        The file's name.
    kind
        What the file is: ``pdf``, ``png``, ``geojson``, ``gpkg``, ``hotspots_csv``,
        ``districts_csv``, ``districts_xlsx``, ``incidents_csv``.
    restricted
        Whether it holds restricted content.
    min_count
        Its suppression threshold (recorded for aggregated files only).
    lang
        Its language.

    Returns
    -------
    dict
        ``file_name``, ``kind``, ``classification`` (``RESTRICTED`` or ``AGGREGATED``),
        ``min_count``, ``lang``, ``filters`` (the selection's period, categories, sources,
        districts, hours and weekdays) and ``incidents`` (in the period).
    """
    selection = None if analysis is None else asdict(analysis.selection)
    return {
        "file_name": file_name,
        "kind": kind,
        "classification": RESTRICTED if restricted else AGGREGATED,
        "min_count": None if restricted else min_count,
        "lang": lang,
        "filters": selection,
        "incidents": None if analysis is None else len(analysis.current),
    }
