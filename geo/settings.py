"""Configuration in one place: typed defaults, overridable by environment variables.

Every setting is read when it is asked for (not at import), so tests and the CLI can
change the environment between calls.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from geo import schema
from geo.errors import ParameterError
from geo.timeparse import parse_day

PROJECT_DIR: Path = Path(__file__).resolve().parent.parent

#: Folder that already holds the open data (same layout as ``data/``); checked first.
ENV_DATA_DIR = "HOTSPOTS_DATA_DIR"
#: Where downloaded open data are cached (default ``data/`` beside this project).
ENV_CACHE_DIR = "HOTSPOTS_CACHE_DIR"
#: Store URL: ``sqlite:///path/to/file.db`` (default) or ``postgresql://...``.
ENV_DB_URL = "HOTSPOTS_DB_URL"
#: City of Helsinki WFS endpoint for the district layers.
ENV_WFS_URL = "HOTSPOTS_WFS_URL"
#: HSY WFS endpoint for the population grid.
ENV_HSY_WFS_URL = "HOTSPOTS_HSY_WFS_URL"
#: Statistics Finland WFS endpoint for the Paavo postal-area figures.
ENV_STATFI_WFS_URL = "HOTSPOTS_STATFI_WFS_URL"
#: Seconds before an HTTP download gives up.
ENV_HTTP_TIMEOUT_S = "HOTSPOTS_HTTP_TIMEOUT_S"
#: Basemap tile URL template (XYZ ``{z}/{x}/{y}`` or WMS ``{bbox}``); empty string for no tiles.
ENV_TILES_URL = "HOTSPOTS_TILES_URL"
#: Attribution the tile licence requires; needed with a custom ``HOTSPOTS_TILES_URL``.
ENV_TILES_ATTRIBUTION = "HOTSPOTS_TILES_ATTRIBUTION"

#: Earliest plausible incident date (ISO); older dates are rejected at import.
ENV_EARLIEST_DATE = "HOTSPOTS_EARLIEST_DATE"
#: Latest plausible incident date (ISO); default: one day after today.
ENV_LATEST_DATE = "HOTSPOTS_LATEST_DATE"

#: Seconds a store waits for another program's lock before it gives up.
ENV_DB_TIMEOUT_S = "HOTSPOTS_DB_TIMEOUT_S"

#: A user's address register file (CSV or GeoJSON) used instead of the official one.
ENV_REGISTER = "HOTSPOTS_REGISTER"

#: Size of the demo data set the app generates (default 20,000; benchmarks use 100,000).
ENV_DEMO_N = "HOTSPOTS_DEMO_N"

#: Sign-in is mandatory (``1``/``true``/``yes``); also ``require_login`` in secrets' ``[hotspots]``.
ENV_REQUIRE_LOGIN = "HOTSPOTS_REQUIRE_LOGIN"
#: The ID token claim that carries a user's roles or groups (Entra ID: ``roles`` or ``groups``).
ENV_ROLE_CLAIM = "HOTSPOTS_ROLE_CLAIM"
#: The ID token claim that carries a user's districts (codes or names at any level).
ENV_DISTRICT_CLAIM = "HOTSPOTS_DISTRICT_CLAIM"
#: Which value of the role claim grants which role: ``value=role,value=role``.
ENV_ROLE_GROUPS = "HOTSPOTS_ROLE_GROUPS"
#: Hours a sign-in lasts (from the ID token's ``iat``) before the app asks for a new one.
ENV_SESSION_HOURS = "HOTSPOTS_SESSION_HOURS"

DEFAULT_WFS_URL = "https://kartta.hel.fi/ws/geoserver/avoindata/wfs"
DEFAULT_HSY_WFS_URL = "https://kartta.hsy.fi/geoserver/wfs"
DEFAULT_STATFI_WFS_URL = "https://geo.stat.fi/geoserver/postialue/wfs"
DEFAULT_HTTP_TIMEOUT_S = 60.0
DEFAULT_DB_TIMEOUT_S = 30.0
DEFAULT_EARLIEST_DATE = "2000-01-01"
DEFAULT_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILES_ATTRIBUTION = "© OpenStreetMap contributors"
#: The City of Helsinki's grey guide map (open data, CC BY 4.0) from its GeoServer WMS, as
#: 256 px Web Mercator tiles: the live map's default basemap.
CITY_TILES_URL = (
    "https://kartta.hel.fi/ws/geoserver/avoindata/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap"
    "&LAYERS=avoindata:Karttasarja_harmaa&STYLES=&SRS=EPSG:3857&BBOX={bbox}&WIDTH=256&HEIGHT=256"
    "&FORMAT=image/png"
)
CITY_TILES_ATTRIBUTION = "Karttasarja © Helsingin kaupunki, kaupunkimittauspalvelut, CC BY 4.0"
DEFAULT_ROLE_CLAIM = "roles"
DEFAULT_DISTRICT_CLAIM = "hotspots_districts"
#: Application roles (or group names) of the identity provider and the role each grants.
DEFAULT_ROLE_GROUPS: tuple[tuple[str, str], ...] = (
    ("hotspots-admin", "admin"),
    ("hotspots-analyst", "analyst"),
    ("hotspots-youth-worker", "youth_worker"),
    ("hotspots-viewer", "viewer"),
)
#: A working day: a sign-in older than this must be made again.
DEFAULT_SESSION_HOURS = 8.0
_TRUE: frozenset[str] = frozenset({"1", "true", "yes", "on"})
_FALSE: frozenset[str] = frozenset({"0", "false", "no", "off"})


def data_dir() -> Path | None:
    """Return the folder named by ``HOTSPOTS_DATA_DIR``, or None when unset or empty.

    Returns
    -------
    Path or None
        The folder (``~`` expanded) that already holds the open data.
    """
    value = os.environ.get(ENV_DATA_DIR, "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Return the folder for downloaded open data and the default SQLite store.

    Returns
    -------
    Path
        ``HOTSPOTS_CACHE_DIR`` (``~`` expanded), else ``data/`` beside the project.
    """
    value = os.environ.get(ENV_CACHE_DIR, "").strip()
    return Path(value).expanduser() if value else PROJECT_DIR / "data"


def db_url() -> str:
    """Return the store URL.

    Returns
    -------
    str
        ``HOTSPOTS_DB_URL``, else an SQLite file under the cache folder.
    """
    value = os.environ.get(ENV_DB_URL, "").strip()
    return value or f"sqlite:///{cache_dir() / 'incidents.sqlite'}"


def register_path() -> Path | None:
    """Return the address register file named by ``HOTSPOTS_REGISTER``, or None when unset.

    Returns
    -------
    Path or None
        A user's register (CSV or GeoJSON); None means the official City of Helsinki copy.
    """
    value = os.environ.get(ENV_REGISTER, "").strip()
    return Path(value).expanduser() if value else None


def wfs_url() -> str:
    """Return the base URL of the City of Helsinki WFS service.

    Returns
    -------
    str
        ``HOTSPOTS_WFS_URL``, else ``DEFAULT_WFS_URL``.
    """
    return os.environ.get(ENV_WFS_URL, "").strip() or DEFAULT_WFS_URL


def hsy_wfs_url() -> str:
    """Return the base URL of HSY's WFS service (population grid).

    Returns
    -------
    str
        ``HOTSPOTS_HSY_WFS_URL``, else ``DEFAULT_HSY_WFS_URL``.
    """
    return os.environ.get(ENV_HSY_WFS_URL, "").strip() or DEFAULT_HSY_WFS_URL


def statfi_wfs_url() -> str:
    """Return the base URL of Statistics Finland's postal-area WFS service (Paavo).

    Returns
    -------
    str
        ``HOTSPOTS_STATFI_WFS_URL``, else ``DEFAULT_STATFI_WFS_URL``.
    """
    return os.environ.get(ENV_STATFI_WFS_URL, "").strip() or DEFAULT_STATFI_WFS_URL


def _seconds_setting(name: str, default: float) -> float:
    """Return a positive number of seconds from the environment variable ``name``, else ``default``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ParameterError(f"{name} must be a number of seconds, got {value!r}") from None
    if not seconds > 0:
        raise ParameterError(f"{name} must be > 0 seconds, got {seconds}")
    return seconds


def http_timeout_s() -> float:
    """Return the timeout in seconds for one HTTP request.

    Returns
    -------
    float
        ``HOTSPOTS_HTTP_TIMEOUT_S``, else ``DEFAULT_HTTP_TIMEOUT_S``.

    Raises
    ------
    ParameterError
        When the variable is not a number > 0.
    """
    return _seconds_setting(ENV_HTTP_TIMEOUT_S, DEFAULT_HTTP_TIMEOUT_S)


def tiles_url() -> str:
    """Return the XYZ tile URL template; empty means draw without a basemap.

    Returns
    -------
    str
        ``HOTSPOTS_TILES_URL`` (even when empty), else ``DEFAULT_TILES_URL``.
    """
    return os.environ.get(ENV_TILES_URL, DEFAULT_TILES_URL).strip()


def map_tiles_url() -> str:
    """Return the live map's basemap URL template; empty means draw without a basemap.

    Returns
    -------
    str
        ``HOTSPOTS_TILES_URL`` (even when empty), else ``CITY_TILES_URL``, the City of
        Helsinki's own map. (The briefing's picture keeps ``tiles_url``'s default.)
    """
    return os.environ.get(ENV_TILES_URL, CITY_TILES_URL).strip()


def tiles_attribution(url: str) -> str:
    """Return the attribution to show with the tiles at ``url``.

    Parameters
    ----------
    url
        The tile URL template in use.

    Returns
    -------
    str
        ``HOTSPOTS_TILES_ATTRIBUTION`` when set, else the known attribution of the City of
        Helsinki's map or of OpenStreetMap's tiles, else "" (unknown provider).
    """
    value = os.environ.get(ENV_TILES_ATTRIBUTION, "").strip()
    if value:
        return value
    if url == CITY_TILES_URL:
        return CITY_TILES_ATTRIBUTION
    if "tile.openstreetmap.org" in url:
        return DEFAULT_TILES_ATTRIBUTION
    return ""


def db_timeout_s() -> float:
    """Return the seconds an SQLite store waits for a lock held by another program.

    Returns
    -------
    float
        ``HOTSPOTS_DB_TIMEOUT_S``, else ``DEFAULT_DB_TIMEOUT_S``.

    Raises
    ------
    ParameterError
        When the variable is not a number > 0.
    """
    return _seconds_setting(ENV_DB_TIMEOUT_S, DEFAULT_DB_TIMEOUT_S)


def demo_n() -> int:
    """Return the number of synthetic incidents the app's demo data source generates.

    Returns
    -------
    int
        ``HOTSPOTS_DEMO_N``, else 20,000.

    Raises
    ------
    ParameterError
        When the variable is not a whole number >= 1.
    """
    value = os.environ.get(ENV_DEMO_N, "").strip()
    if not value:
        return 20_000
    if not value.isdigit() or int(value) < 1:
        raise ParameterError(f"{ENV_DEMO_N} must be a whole number >= 1, got {value!r}")
    return int(value)


def _date_setting(name: str, default: pd.Timestamp) -> pd.Timestamp:
    value = os.environ.get(name, "").strip()
    return parse_day(value, name) if value else default


def plausible_period() -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return [earliest, latest) of plausible incident times, Europe/Helsinki.

    ``HOTSPOTS_EARLIEST_DATE`` (default 2000-01-01) and ``HOTSPOTS_LATEST_DATE`` (default
    the day after tomorrow's start, i.e. now + at least one day); a date dated 1900 or 2099
    is a typo or a placeholder, and one such row must not stretch every period.

    Returns
    -------
    tuple of Timestamp
        ``earliest`` and ``latest``, aware, Europe/Helsinki.

    Raises
    ------
    ParameterError
        When a variable is not a date, or earliest is not before latest.
    """
    zone = schema.TIMEZONE
    tomorrow = pd.Timestamp.now(tz=zone).normalize().tz_localize(None) + pd.Timedelta(days=2)
    earliest = _date_setting(ENV_EARLIEST_DATE, pd.Timestamp(DEFAULT_EARLIEST_DATE))
    latest = _date_setting(ENV_LATEST_DATE, tomorrow)
    earliest = earliest.tz_convert(zone) if earliest.tzinfo else earliest.tz_localize(zone)
    latest = latest.tz_convert(zone) if latest.tzinfo else latest.tz_localize(zone)
    if earliest >= latest:
        raise ParameterError(
            f"{ENV_EARLIEST_DATE} ({earliest.date()}) must be before {ENV_LATEST_DATE} ({latest.date()})"
        )
    return earliest, latest


@dataclass(frozen=True)
class SignInSettings:
    """How the app signs people in and reads their roles (see ``sign_in_settings``).

    Attributes
    ----------
    require_login
        Sign-in is mandatory: without an identity provider the app refuses to start.
    role_claim
        The ID token claim holding the user's roles or groups.
    district_claim
        The ID token claim holding the user's districts.
    role_groups
        ``(claim value, role)`` pairs: which role each value of ``role_claim`` grants.
    session_hours
        Hours a sign-in lasts, counted from the ID token's issue time.
    """

    require_login: bool = False
    role_claim: str = DEFAULT_ROLE_CLAIM
    district_claim: str = DEFAULT_DISTRICT_CLAIM
    role_groups: tuple[tuple[str, str], ...] = DEFAULT_ROLE_GROUPS
    session_hours: float = DEFAULT_SESSION_HOURS


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ParameterError(f"{name} must be 1/0, true/false or yes/no, got {value!r}")


def _role_groups(name: str, value: object) -> tuple[tuple[str, str], ...]:
    """Parse ``value=role,value=role`` (or a mapping from a TOML table) into pairs."""
    if isinstance(value, Mapping):
        pairs = [(str(k).strip(), str(v).strip()) for k, v in value.items()]
    else:
        pairs = []
        for part in str(value).split(","):
            if not part.strip():
                continue
            claim_value, sep, role = part.partition("=")
            if not sep:
                raise ParameterError(
                    f"{name} must be a list of value=role pairs separated by commas "
                    f"(e.g. 'hotspots-analyst=analyst'), got {part.strip()!r}"
                )
            pairs.append((claim_value.strip(), role.strip()))
    if not pairs or any(not k or not v for k, v in pairs):
        raise ParameterError(f"{name} must name at least one value=role pair, none empty; got {value!r}")
    return tuple(pairs)


def sign_in_settings(section: Mapping[str, object] | None = None) -> SignInSettings:
    """Return the sign-in settings: environment first, then ``section``, then the defaults.

    Parameters
    ----------
    section
        The ``[hotspots]`` table of ``.streamlit/secrets.toml`` (keys ``require_login``,
        ``role_claim``, ``district_claim``, ``role_groups``, ``session_hours``); None or
        empty for none.

    Returns
    -------
    SignInSettings

    Raises
    ------
    ParameterError
        A value is malformed (the message names the variable or key and the fix).
    """
    given = dict(section or {})

    def value(env: str, key: str) -> tuple[str, object] | None:
        from_env = os.environ.get(env, "").strip()
        if from_env:
            return env, from_env
        if key in given and str(given[key]).strip():
            return f"[hotspots] {key} in secrets.toml", given[key]
        return None

    out = SignInSettings()
    if (found := value(ENV_REQUIRE_LOGIN, "require_login")) is not None:
        out = replace(out, require_login=_flag(*found))
    if (found := value(ENV_ROLE_CLAIM, "role_claim")) is not None:
        out = replace(out, role_claim=str(found[1]).strip())
    if (found := value(ENV_DISTRICT_CLAIM, "district_claim")) is not None:
        out = replace(out, district_claim=str(found[1]).strip())
    if (found := value(ENV_ROLE_GROUPS, "role_groups")) is not None:
        out = replace(out, role_groups=_role_groups(*found))
    if (found := value(ENV_SESSION_HOURS, "session_hours")) is not None:
        out = replace(out, session_hours=_hours(*found))
    return out


def _hours(name: str, value: object) -> float:
    try:
        hours = float(str(value).strip())
    except ValueError:
        raise ParameterError(f"{name} must be a number of hours, got {value!r}") from None
    if not 0 < hours <= 24 * 30:
        raise ParameterError(
            f"{name} must be > 0 and at most 720 hours (Streamlit's identity cookie lasts 30 days), "
            f"got {hours}"
        )
    return hours
