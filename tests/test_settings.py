"""Configuration in one place: typed defaults, each overridable by its environment variable."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from geo import schema, settings
from geo.errors import ParameterError


def test_folders_default_beside_the_project_and_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(settings.ENV_DATA_DIR, raising=False)
    monkeypatch.delenv(settings.ENV_CACHE_DIR, raising=False)
    assert settings.data_dir() is None
    assert settings.cache_dir() == settings.PROJECT_DIR / "data"
    assert settings.db_url() == f"sqlite:///{settings.PROJECT_DIR / 'data' / 'incidents.sqlite'}"
    monkeypatch.setenv(settings.ENV_DATA_DIR, "   ")
    assert settings.data_dir() is None  # blank is unset
    monkeypatch.setenv(settings.ENV_DATA_DIR, str(tmp_path / "shared"))
    monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
    assert settings.data_dir() == tmp_path / "shared"
    assert settings.db_url() == f"sqlite:///{tmp_path / 'cache' / 'incidents.sqlite'}"
    monkeypatch.setenv(settings.ENV_DB_URL, "postgresql://kartta@db/hotspots")
    assert settings.db_url() == "postgresql://kartta@db/hotspots"
    monkeypatch.setenv(settings.ENV_CACHE_DIR, "~/hotspots-cache")
    assert settings.cache_dir() == Path.home() / "hotspots-cache"


def test_service_urls_have_official_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        settings.ENV_WFS_URL,
        settings.ENV_HSY_WFS_URL,
        settings.ENV_STATFI_WFS_URL,
        settings.ENV_TILES_URL,
    ):
        monkeypatch.delenv(name, raising=False)
    assert settings.wfs_url() == "https://kartta.hel.fi/ws/geoserver/avoindata/wfs"
    assert settings.hsy_wfs_url() == settings.DEFAULT_HSY_WFS_URL
    assert settings.statfi_wfs_url() == settings.DEFAULT_STATFI_WFS_URL
    assert settings.tiles_url() == settings.DEFAULT_TILES_URL
    monkeypatch.setenv(settings.ENV_WFS_URL, " http://127.0.0.1:8080/wfs ")
    assert settings.wfs_url() == "http://127.0.0.1:8080/wfs"
    monkeypatch.setenv(settings.ENV_TILES_URL, "")
    assert settings.tiles_url() == ""  # no basemap: the map still draws districts and hotspots


def test_seconds_and_counts_name_the_variable_when_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (settings.ENV_HTTP_TIMEOUT_S, settings.ENV_DB_TIMEOUT_S, settings.ENV_DEMO_N):
        monkeypatch.delenv(name, raising=False)
    assert (
        settings.http_timeout_s() == 60.0 and settings.db_timeout_s() == 30.0 and settings.demo_n() == 20_000
    )
    monkeypatch.setenv(settings.ENV_HTTP_TIMEOUT_S, "2.5")
    monkeypatch.setenv(settings.ENV_DEMO_N, "100000")
    assert settings.http_timeout_s() == 2.5 and settings.demo_n() == 100_000
    for value, message in (
        ("abc", "must be a number of seconds, got 'abc'"),
        ("0", "must be > 0 seconds, got 0.0"),
    ):
        monkeypatch.setenv(settings.ENV_DB_TIMEOUT_S, value)
        with pytest.raises(ParameterError, match=rf"^HOTSPOTS_DB_TIMEOUT_S {message}"):
            settings.db_timeout_s()
    for value in ("0", "-3", "many"):
        monkeypatch.setenv(settings.ENV_DEMO_N, value)
        with pytest.raises(ParameterError, match=r"^HOTSPOTS_DEMO_N must be a whole number >= 1"):
            settings.demo_n()


def test_the_plausible_period_runs_from_2000_to_after_tomorrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.ENV_EARLIEST_DATE, raising=False)
    monkeypatch.delenv(settings.ENV_LATEST_DATE, raising=False)
    earliest, latest = settings.plausible_period()
    assert earliest == pd.Timestamp("2000-01-01", tz=schema.TIMEZONE)
    today = pd.Timestamp.now(tz=schema.TIMEZONE).normalize()
    assert latest.tz_localize(None) == today.tz_localize(None) + pd.Timedelta(days=2)
    assert str(latest.tz) == schema.TIMEZONE


def test_the_plausible_period_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.ENV_EARLIEST_DATE, "2020-05-01")
    monkeypatch.setenv(settings.ENV_LATEST_DATE, "2021-05-01T12:00+00:00")
    earliest, latest = settings.plausible_period()
    assert earliest == pd.Timestamp("2020-05-01", tz=schema.TIMEZONE)
    assert latest == pd.Timestamp("2021-05-01T15:00", tz=schema.TIMEZONE)
    monkeypatch.setenv(settings.ENV_LATEST_DATE, "2019-01-01")
    with pytest.raises(
        ParameterError, match=r"HOTSPOTS_EARLIEST_DATE \(2020-05-01\) must be before HOTSPOTS_LATEST"
    ):
        settings.plausible_period()


def test_register_path_names_a_users_register(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.ENV_REGISTER, raising=False)
    assert settings.register_path() is None
    monkeypatch.setenv(settings.ENV_REGISTER, " ~/osoitteet.csv ")
    assert settings.register_path() == Path("~/osoitteet.csv").expanduser()


_SIGN_IN_ENV = (
    settings.ENV_REQUIRE_LOGIN,
    settings.ENV_ROLE_CLAIM,
    settings.ENV_DISTRICT_CLAIM,
    settings.ENV_ROLE_GROUPS,
    settings.ENV_SESSION_HOURS,
)


def test_sign_in_is_off_by_default_and_maps_the_four_application_roles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in _SIGN_IN_ENV:
        monkeypatch.delenv(name, raising=False)
    plain = settings.sign_in_settings()
    assert plain.require_login is False
    assert plain.role_claim == "roles"
    assert sorted(role for _, role in plain.role_groups) == ["admin", "analyst", "viewer", "youth_worker"]
    assert plain.session_hours == 8.0


def test_sign_in_settings_come_from_the_environment_before_the_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in _SIGN_IN_ENV:
        monkeypatch.delenv(name, raising=False)
    secrets = {
        "require_login": True,
        "role_claim": "groups",
        "role_groups": {"0b1c-analysts-guid": "analyst", "7d2e-youth-guid": "youth_worker"},
        "session_hours": 4,
    }
    from_file = settings.sign_in_settings(secrets)
    assert from_file.require_login is True and from_file.role_claim == "groups"
    assert from_file.role_groups == (("0b1c-analysts-guid", "analyst"), ("7d2e-youth-guid", "youth_worker"))
    assert from_file.session_hours == 4.0
    monkeypatch.setenv(settings.ENV_REQUIRE_LOGIN, "0")
    monkeypatch.setenv(settings.ENV_ROLE_GROUPS, "hotspots-analyst=analyst, hotspots-viewer = viewer")
    monkeypatch.setenv(settings.ENV_DISTRICT_CLAIM, "extension_districts")
    from_env = settings.sign_in_settings(secrets)
    assert from_env.require_login is False  # the environment wins
    assert from_env.role_groups == (("hotspots-analyst", "analyst"), ("hotspots-viewer", "viewer"))
    assert from_env.district_claim == "extension_districts"
    assert from_env.role_claim == "groups"  # unset in the environment: the file's value


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        (settings.ENV_REQUIRE_LOGIN, "maybe", "must be 1/0, true/false or yes/no, got 'maybe'"),
        (settings.ENV_ROLE_GROUPS, "hotspots-analyst", "value=role pairs"),
        (settings.ENV_ROLE_GROUPS, "=analyst", "none empty"),
        (settings.ENV_SESSION_HOURS, "eight", "must be a number of hours"),
        (settings.ENV_SESSION_HOURS, "0", "must be > 0"),
    ],
)
def test_a_malformed_sign_in_setting_names_itself_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    for other in _SIGN_IN_ENV:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ParameterError, match=re.escape(says)) as caught:
        settings.sign_in_settings()
    assert name in str(caught.value)
