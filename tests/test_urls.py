"""Store URLs (store.urls): the forms open_store understands, and no password ever printed.

Every form a password can take (user info, query, libpq key=value, malformed URLs) is
kept out of messages, of the command line's one-line errors and of shared briefings.
"""

from __future__ import annotations

import sqlite3

import pytest

from geo.errors import StoreError
from store import driver_error_message, driver_errors, open_store, redact_url, scrub_secrets, url_secrets
from store.urls import names_postgresql, url_scheme
from tests.cli_run import run


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:SECRET@127.0.0.1:1/db",
        "postgresql://127.0.0.1:1/db?user=u&password=SECRET",
        "postgresql://127.0.0.1:1/db?PASSWORD=SECRET&sslmode=disable",
        "host=127.0.0.1 port=1 user=u password=SECRET dbname=db",
        "host=127.0.0.1 password='SECRET' dbname=db",
        "postgresql://u:SECRET@[not-a-host",
        "sqlite:///tmp/x.sqlite?password=SECRET",
        "mysql://u:SECRET@h/db",
    ],
)
def test_no_password_form_prints(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "SECRET" not in redact_url(url)
    assert "SECRET" in url_secrets(url)
    assert "SECRET" not in scrub_secrets(f"could not connect: {url} (password SECRET)", url)
    code, out, err = run(capsys, "stats", "--db", url)
    assert code == 2 and "SECRET" not in out + err and "Traceback" not in err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_store_errors_name_the_redacted_url() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("sqlite:///tmp/x.sqlite?password=SECRET")
    assert "SECRET" not in str(caught.value) and "***" in str(caught.value)


def test_shared_material_loses_the_user_and_the_options_too() -> None:
    url = "postgresql://analyst:s3cret@db.example:5432/hotspots?sslmode=require&application_name=x"
    assert (
        redact_url(url)
        == "postgresql://analyst:***@db.example:5432/hotspots?sslmode=require&application_name=x"
    )
    assert redact_url(url, shareable=True) == "postgresql://db.example:5432/hotspots"
    # file names and SQLite URLs have nothing to lose
    for origin in ("demo.csv", "/data/police 2024.xlsx", "sqlite:///data/incidents.sqlite"):
        assert redact_url(origin, shareable=True) == redact_url(origin) == origin
    # a password outside the user info is redacted in shared material too
    assert redact_url("postgresql://db/h?password=SECRET", shareable=True) == "postgresql://db/h?password=***"
    assert "SECRET" not in redact_url("postgresql://u:SECRET@[not-a-host", shareable=True)


@pytest.mark.parametrize(
    ("url", "scheme", "postgresql"),
    [
        ("postgresql://a@b/c", "postgresql", True),
        (" POSTGRES://a@b/c", "postgres", True),
        ("postgresql+psycopg://a@b/c", "postgresql+psycopg", True),
        ("sqlite:///x.sqlite", "sqlite", False),
        ("mysql://db/h", "mysql", False),
        ("incidents.sqlite", "", False),
    ],
)
def test_schemes_route_to_a_backend(url: str, scheme: str, postgresql: bool) -> None:
    assert url_scheme(url) == scheme
    assert names_postgresql(url) is postgresql


def test_driver_errors_become_one_line_without_the_password() -> None:
    url = "postgresql://u:SECRET@127.0.0.1:1/db"
    with pytest.raises(StoreError) as caught, driver_errors(url):
        raise sqlite3.DatabaseError("database disk image is malformed SECRET\n  at line 2")
    message = str(caught.value)
    assert "SECRET" not in message and "\n" not in message and "malformed" in message
    assert driver_error_message(ValueError("a bug"), url) is None
    with pytest.raises(ValueError, match="a bug"), driver_errors(url):
        raise ValueError("a bug")  # not a driver's error: raised as it is


def test_a_shareable_origin_loses_its_credentials() -> None:
    assert redact_url("postgresql://analyst:s3cret@db.example:5432/hotspots", shareable=True) == (
        "postgresql://db.example:5432/hotspots"
    )
    assert redact_url("demo.csv", shareable=True) == "demo.csv"
