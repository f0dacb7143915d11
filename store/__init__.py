"""Where incidents live: an SQLite file by default, PostgreSQL + PostGIS for a shared deployment.

``open_store(url)`` opens the store named by ``url`` (default ``HOTSPOTS_DB_URL``, else
``incidents.sqlite`` in the cache folder). Both backends implement ``IncidentStore`` and
keep the same rules (``store.base``): an id is stored once, a batch is one transaction,
every import attempt is logged. ``query`` takes an ``IncidentFilter`` and the user's
``Scope`` (``store.scope``: role and districts), and returns only the rows inside it; users,
the append-only audit trail and audited deletion live in the store too, and so do
measures (``add_measure``, ``add_measures``, ``measures``, ``remove_measure``; schema
version 4). ``redact_url`` and ``driver_errors`` keep passwords out of every message a user
sees.

Modules: ``base`` (the interface and its rules), ``database`` (the steps both backends
share), ``audited`` (users, the audit trail and deleting data, for both backends),
``measured`` (measures, for both backends), ``measure_records`` (the measure record, its
checks, rows and who may change it),
``sqlite`` and ``postgis`` (the backends), ``rows`` (incident rows in and out of a
database), ``filters`` (``IncidentFilter``), ``scope`` (who sees what: ``Scope``,
``apply_scope``), ``users`` and ``audit`` (their tables' rows), ``urls`` (URL forms and
secrets).
"""

from __future__ import annotations

from geo import settings
from geo.errors import StoreError
from store.audit import ACTIONS, AUDIT_COLUMNS
from store.base import BatchResult, IncidentStore, Migration, StoreStats
from store.filters import IncidentFilter
from store.measure_records import PLACE_KINDS, Measure, MeasureEntry, PlaceKind, RecordedMeasure
from store.postgis import PostGISStore
from store.scope import LOCAL_ANALYST, ROLES, Role, Scope, ScopeError, apply_scope, scoped_filter
from store.sqlite import SCHEMA_VERSION, SQLiteStore
from store.urls import (
    SQLITE_PREFIX,
    URL_FORMS,
    driver_error_message,
    driver_errors,
    names_postgresql,
    redact_url,
    scrub_secrets,
    url_scheme,
    url_secrets,
)
from store.users import USER_COLUMNS

__all__ = [
    "ACTIONS",
    "AUDIT_COLUMNS",
    "LOCAL_ANALYST",
    "PLACE_KINDS",
    "ROLES",
    "SCHEMA_VERSION",
    "URL_FORMS",
    "USER_COLUMNS",
    "BatchResult",
    "IncidentFilter",
    "IncidentStore",
    "Measure",
    "MeasureEntry",
    "Migration",
    "PlaceKind",
    "PostGISStore",
    "RecordedMeasure",
    "Role",
    "SQLiteStore",
    "Scope",
    "ScopeError",
    "StoreStats",
    "apply_scope",
    "driver_error_message",
    "driver_errors",
    "open_store",
    "redact_url",
    "scoped_filter",
    "scrub_secrets",
    "url_secrets",
]


def open_store(url: str | None = None) -> IncidentStore:
    """Open (creating when needed) the incident store named by ``url``.

    Parameters
    ----------
    url
        ``sqlite:///relative/path``, ``sqlite:////absolute/path``, ``sqlite:///:memory:`` or
        ``postgresql://user:password@host:port/database`` (PostGIS, see ``store.postgis``);
        None takes ``settings.db_url()`` (``HOTSPOTS_DB_URL`` or the default file). The
        folder of a file is created.

    Returns
    -------
    IncidentStore
        An open store; use it as a context manager or call ``close()``.

    Raises
    ------
    StoreError
        The URL is not understood, or the file or database cannot be opened as an incident
        store.
    """
    raw = settings.db_url() if url is None else url
    text = raw.strip()
    shown = redact_url(text)
    if names_postgresql(text):
        return PostGISStore(text)
    if url_scheme(text) != "sqlite" or not text.lower().startswith(SQLITE_PREFIX):
        raise StoreError(
            f"store URL {shown!r} is not understood; the allowed forms are {', '.join(URL_FORMS)}. "
            f"Fix {settings.ENV_DB_URL} or the url argument."
        )
    location = text[len(SQLITE_PREFIX) :]
    if not location:
        raise StoreError(f"store URL {shown!r} names no file; the allowed forms are {', '.join(URL_FORMS)}.")
    if "?" in location:
        raise StoreError(
            f"store URL {shown!r} has URL options ({shown.split('?', 1)[1]!r}), which are not "
            f"supported; name only the file: {', '.join(URL_FORMS)}."
        )
    return SQLiteStore(location)
