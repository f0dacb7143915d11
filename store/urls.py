"""Store URLs: the forms ``open_store`` understands, and keeping their passwords out of sight.

A store URL may carry a password in every form libpq and SQLAlchemy accept
(``user:password@host``, ``?password=...``, ``password=...`` in a key=value string).
Every message a user sees goes through ``redact_url`` or ``scrub_secrets``;
``driver_errors`` turns a database driver's error into one such line.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Final
from urllib.parse import unquote, urlsplit, urlunsplit

from geo import settings
from geo.errors import StoreError

#: URL forms ``open_store`` understands, for error messages and the README.
URL_FORMS: Final = (
    "sqlite:///relative/path/incidents.sqlite",
    "sqlite:////absolute/path/incidents.sqlite",
    "sqlite:///:memory:",
    "postgresql://user:password@host:5432/database",
)
#: What every SQLite store URL starts with; the file path follows.
SQLITE_PREFIX: Final = "sqlite:///"
#: URL schemes of PostgreSQL (``postgresql+driver`` too, as SQLAlchemy writes them).
POSTGRES_SCHEMES: Final = ("postgresql", "postgres")

#: Names under which a connection string may carry a password (URL query or key=value DSN).
_SECRET_KEYS: Final = ("password", "passwd", "pwd", "pass", "sslpassword")
_KEY_VALUE: Final = re.compile(
    r"(?i)\b(" + "|".join(_SECRET_KEYS) + r")(\s*=\s*)('(?:[^'\\]|\\.)*'|\"[^\"]*\"|[^\s&;]*)"
)
_USERINFO: Final = re.compile(r"(?i)([a-z][a-z0-9+.\-]*://[^:/@\s]*:)([^@\s]*)(@)")


def url_scheme(url: str) -> str:
    """Return the lower-case scheme of a store URL, ``""`` when it has none.

    Parameters
    ----------
    url
        A store URL (surrounding white space is ignored).

    Returns
    -------
    str
        ``sqlite``, ``postgresql``, ``postgresql+psycopg`` ...; ``""`` for a bare file name.
    """
    text = url.strip()
    return text.split(":", 1)[0].lower() if ":" in text else ""


def names_postgresql(url: str) -> bool:
    """Return True when ``url`` names a PostgreSQL database (``postgres://``, ``postgresql+driver://``).

    Parameters
    ----------
    url
        A store URL.

    Returns
    -------
    bool
        Whether ``PostGISStore`` is the backend for it.
    """
    scheme = url_scheme(url)
    return scheme in POSTGRES_SCHEMES or scheme.startswith("postgresql+")


def url_secrets(url: str) -> list[str]:
    """Return every password a store URL or DSN carries (as written and percent-decoded), longest first.

    Covers ``user:password@host``, ``?password=...`` in the query, ``password=...`` in a
    libpq key=value string (quoted or not) and URLs too malformed to parse.

    Parameters
    ----------
    url
        A store URL or libpq key=value string.

    Returns
    -------
    list of str
        The secrets, longest first (so a secret inside another is replaced after it).
    """
    found: set[str] = set()
    for match in _USERINFO.finditer(url):
        found.add(match.group(2))
    for match in _KEY_VALUE.finditer(url):
        found.add(match.group(3).strip("'\""))
    with contextlib.suppress(ValueError):
        password = urlsplit(url).password
        if password:
            found.add(password)
    decoded = {unquote(secret) for secret in found}
    return sorted((s for s in found | decoded if s), key=len, reverse=True)


def redact_url(url: str, *, shareable: bool = False) -> str:
    """Return ``url`` without its secrets, whatever its form (for messages, logs and briefings).

    Parameters
    ----------
    url
        A store URL, a libpq key=value string or a file name (returned as it is).
    shareable
        False (messages to the store's own users): every password becomes ``***``, the
        user name stays so the reader knows which role failed. True (material shared
        beyond them, such as a briefing's data origin): a server URL also loses its user
        name, its options (query) and its fragment.

    Returns
    -------
    str
        The URL fit to print.
    """
    text = _USERINFO.sub(lambda m: m.group(1) + "***" + m.group(3), url)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + m.group(2) + "***", text)
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return _without_user(text) if shareable else text


def _without_user(url: str) -> str:
    """Return a server URL without user name, query and fragment; anything else as it is."""
    try:
        parts = urlsplit(url)
    except ValueError:  # too malformed to parse: its password is redacted already
        return url
    if parts.scheme and "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    return url


def scrub_secrets(text: str, url: str) -> str:
    """Return ``text`` (an error message) with every password of ``url`` replaced by ``***``.

    Parameters
    ----------
    text
        A message that may quote the URL or its password (libpq quotes the connection string).
    url
        The store URL whose secrets to remove.

    Returns
    -------
    str
        The message fit to print.
    """
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return redact_url(text)


def driver_error_message(exc: BaseException, url: str) -> str | None:
    """Return one line for a database driver's error (SQLite, PostgreSQL) met while a store is used.

    Parameters
    ----------
    exc
        The error raised.
    url
        The URL of the store in use (its passwords do not appear in the line).

    Returns
    -------
    str or None
        The line; None when ``exc`` is not a driver's error (a bug, to be raised as it is).
    """
    if not type(exc).__module__.startswith(("sqlite3", "psycopg")):
        return None
    return (
        f"the incident store {redact_url(url)} failed: {scrub_secrets(' '.join(str(exc).split()), url)}. "
        "If another program holds it (database is locked), close that and try again; if it is "
        f"damaged, point {settings.ENV_DB_URL} (or --db) to another store"
    )


@contextlib.contextmanager
def driver_errors(url: str) -> Iterator[None]:
    """Turn a database driver's error inside the block into a ``StoreError`` (one line, no password).

    Parameters
    ----------
    url
        The URL of the store used inside the block.

    Yields
    ------
    None
        Nothing; errors other than a driver's pass through unchanged.
    """
    try:
        yield
    except Exception as exc:
        message = driver_error_message(exc, url)
        if message is None:
            raise
        raise StoreError(message) from exc
