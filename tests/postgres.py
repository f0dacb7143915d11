"""The test PostgreSQL + PostGIS server, for tests/test_store_base.py and tests/test_postgis.py.

Not a test module: it finds the server (``HOTSPOTS_TEST_PG_URL``, set by
``eval "$(bash .ci/postgres.sh)"``) and gives each test an empty schema of its own,
dropped afterwards. Without a server the tests that need one are skipped (in CI they fail).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from store import redact_url
from store.postgis import libpq_url

ENV_URL = "HOTSPOTS_TEST_PG_URL"


def admin(url: str) -> psycopg.Connection[Any]:
    """A plain autocommit connection for setting up and inspecting (not through the store)."""
    return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=5)


def server_url() -> str:
    """The test server's URL with PostGIS created in its database; skips without a server."""
    url = os.environ.get(ENV_URL, "").strip()
    if not url and os.environ.get("CI") == "true":
        pytest.fail(f'CI must test PostGIS: .ci/run sets {ENV_URL} with `eval "$(bash .ci/postgres.sh)"`')
    if not url:
        pytest.skip(f'{ENV_URL} is not set; `eval "$(bash .ci/postgres.sh)"` starts PostgreSQL + PostGIS')
    try:
        with admin(url) as conn:
            if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
                conn.execute("CREATE EXTENSION postgis")
    except psycopg.Error as exc:
        pytest.skip(f"the PostgreSQL server of {ENV_URL}={redact_url(url)} is not usable: {exc}")
    return url


def with_options(url: str, **options: str) -> str:
    """``url`` with libpq options added to its query string."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), *options.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def scratch_schema(url: str) -> Iterator[tuple[str, str]]:
    """A new empty schema: (its name, a store URL whose search_path starts with it)."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with admin(url) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        where = conn.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'"
        ).fetchone()
    path = f"{name},{where[0] if where else 'public'}"
    try:
        yield name, with_options(url, options=f"-csearch_path={path}")
    finally:
        with admin(url) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def in_schema(url: str, query: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
    """Rows of ``query`` (one or more statements) run in the store's schema, outside the store."""
    with admin(url) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []
