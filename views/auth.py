"""Who is using the app: sign-in with the organisation's OpenID Connect provider, and their Scope.

``gate(lang)`` is the first thing the page does. It reads ``.streamlit/secrets.toml``:

- no ``[auth]`` section: *local mode*, one local analyst (``store.scope.LOCAL_ANALYST``) on
  this machine, with a banner saying that sign-in is off; unless sign-in is required
  (``HOTSPOTS_REQUIRE_LOGIN`` or ``require_login`` under ``[hotspots]``), then the page
  says so in one line and goes no further;
- an ``[auth]`` section (Streamlit's own ``st.login``: ``redirect_uri``, ``cookie_secret``,
  ``client_id``, ``client_secret``, ``server_metadata_url``, at the top or in one named
  ``[auth.NAME]`` table): nobody sees anything before signing in. A sign-in older than
  ``session_hours`` (from the ID token's ``iat``; Streamlit keeps its identity cookie for
  30 days and does not check) must be made again. The role and districts come from the
  store's users table when it names the user, else from the ID token's role claim through
  the ``role_groups`` mapping (``geo.settings.sign_in_settings``); a signed-in user with
  neither sees no data and is told to ask an admin. The sign-in is written to the audit
  trail once per session.

The rules are the pure functions (``configured_provider``, ``scope_from_claims``,
``session_expired``, ``user_id``); ``gate`` only draws and asks the store.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Final, NoReturn

import pandas as pd
import streamlit as st

import store
from geo import settings
from geo.errors import HotspotsError, ParameterError
from hotspots.selection import Selection, districts_by_name
from i18n import t
from store.scope import LOCAL_ANALYST, ROLES, Role, Scope, check_role, normalise_user
from views import datasource

#: Settings every ``[auth]`` section needs (Streamlit's own names).
SHARED_KEYS: Final = ("redirect_uri", "cookie_secret")
#: Settings of the provider itself, in ``[auth]`` or in one ``[auth.NAME]`` table.
PROVIDER_KEYS: Final = ("client_id", "client_secret", "server_metadata_url")
#: Session key that marks the sign-in of this session as written to the audit trail.
AUDITED_KEY: Final = "auth_audited_user"


def configured_provider(auth: Mapping[str, Any]) -> str | None:
    """Return the provider ``st.login`` should use, or None when sign-in is not configured.

    Parameters
    ----------
    auth
        The ``[auth]`` table of ``.streamlit/secrets.toml`` (empty when there is none).

    Returns
    -------
    str or None
        ``"default"`` for a provider written in ``[auth]`` itself, the name of the one
        ``[auth.NAME]`` table otherwise; None for an empty ``[auth]``.

    Raises
    ------
    ParameterError
        A setting is missing, or several named providers leave the choice open.
    """
    if not auth:
        return None
    missing = [key for key in SHARED_KEYS if not str(auth.get(key) or "").strip()]
    named = {n: v for n, v in auth.items() if isinstance(v, Mapping) and n != "client_kwargs"}
    if any(key in auth for key in PROVIDER_KEYS) or not named:
        provider, section = "default", auth
    elif len(named) == 1:
        provider, section = next(iter(named.items()))
        if "_" in provider:
            raise ParameterError(
                f"the provider name [auth.{provider}] must not hold '_' (Streamlit cannot use it); rename it"
            )
    else:
        raise ParameterError(
            f"[auth] names {len(named)} providers ({', '.join(sorted(named))}); keep the one this "
            "city signs in with"
        )
    missing += [key for key in PROVIDER_KEYS if not str(section.get(key) or "").strip()]
    if missing:
        where = "[auth]" if provider == "default" else f"[auth.{provider}]"
        raise ParameterError(
            f"{where} in .streamlit/secrets.toml lacks {', '.join(missing)}; "
            "see .streamlit/secrets.toml.example"
        )
    return provider


def user_id(claims: Mapping[str, Any]) -> str:
    """Return the id a signed-in user is known by: e-mail, else preferred username, else ``sub``.

    Parameters
    ----------
    claims
        The ID token's claims (``st.user``).

    Returns
    -------
    str
        Lower-cased (``store.scope.normalise_user``).

    Raises
    ------
    ParameterError
        None of the three claims is usable.
    """
    for claim in ("email", "preferred_username", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return normalise_user(value)
    raise ParameterError("the identity provider sent no email, preferred_username or sub claim")


def _claim_values(value: object) -> list[str]:
    """Return a claim's values as strings (from a list, or from one comma-separated string)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Sequence):
        return [str(part).strip() for part in value if str(part).strip()]
    return [str(value)]


def granted_role(claims: Mapping[str, Any], config: settings.SignInSettings) -> Role | None:
    """Return the most powerful role the ID token's role claim grants, or None for none.

    Parameters
    ----------
    claims
        The ID token's claims.
    config
        ``role_claim`` names the claim, ``role_groups`` maps its values to roles.

    Returns
    -------
    Role or None
        ``admin`` before ``analyst`` before ``youth_worker`` before ``viewer``.

    Raises
    ------
    ParameterError
        ``role_groups`` names a role that does not exist.
    """
    mapping = {value: check_role(role) for value, role in config.role_groups}
    granted = {mapping[value] for value in _claim_values(claims.get(config.role_claim)) if value in mapping}
    return next((role for role in ROLES if role in granted), None)


def claimed_osaalue(values: Sequence[str], hierarchy: pd.DataFrame) -> tuple[str, ...]:
    """Return the osa-alue codes of districts named at any level (codes or fi/sv names).

    Parameters
    ----------
    values
        E.g. ``["301"]``, ``["Kallio", "Vallila"]`` or ``["Keskinen"]``.
    hierarchy
        ``geo.districts.hierarchy()``.

    Returns
    -------
    tuple[str, ...]
        Sorted osa-alue codes (``hotspots.selection``'s one district rule).

    Raises
    ------
    ParameterError
        A value names no Helsinki district.
    """
    named = districts_by_name(list(values), hierarchy)
    chosen = Selection(suurpiiri=named["suurpiiri"], peruspiiri=named["peruspiiri"], osaalue=named["osaalue"])
    return tuple(sorted(hierarchy.loc[chosen.district_mask(hierarchy), "osaalue_code"].astype(str)))


def scope_from_claims(
    claims: Mapping[str, Any], config: settings.SignInSettings, hierarchy: pd.DataFrame
) -> Scope | None:
    """Return what the ID token's claims let this user see, or None when they grant nothing.

    Parameters
    ----------
    claims
        The ID token's claims (``st.user``).
    config
        The claim names and the value -> role mapping.
    hierarchy
        ``geo.districts.hierarchy()``, to read the district claim.

    Returns
    -------
    Scope or None
        None without a granted role, and for a youth worker whose token names no district.

    Raises
    ------
    ParameterError
        The district claim names no Helsinki district, or the mapping names no real role.
    """
    role = granted_role(claims, config)
    if role is None:
        return None
    named = _claim_values(claims.get(config.district_claim))
    osaalue = claimed_osaalue(named, hierarchy) if named else None
    if role == "youth_worker" and not osaalue:
        return None
    return Scope(user_id(claims), role, osaalue or None)


def session_expired(claims: Mapping[str, Any], *, hours: float, now_s: float | None = None) -> bool:
    """Return True when the sign-in is older than ``hours`` (from ``iat``, else ``auth_time``).

    Parameters
    ----------
    claims
        The ID token's claims; a token without either time counts as expired.
    hours
        How long a sign-in lasts.
    now_s
        The time now in seconds since the epoch (default: the clock).

    Returns
    -------
    bool
    """
    issued = claims.get("iat", claims.get("auth_time"))
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        return True
    now = time.time() if now_s is None else now_s
    return now - float(issued) > hours * 3600 or float(issued) > now + 300  # 5 min of clock skew


# ---------------------------------------------------------------------------- drawing


def _secrets() -> dict[str, Any]:
    """Return ``.streamlit/secrets.toml`` as plain data; empty when there is none."""
    if not st.secrets.load_if_toml_exists():
        return {}
    return st.secrets.to_dict()


def _stop(message: str) -> NoReturn:
    st.error(message)
    st.stop()


def _sign_in_page(lang: str, provider: str, *, expired_hours: float | None) -> NoReturn:
    """Draw the sign-in page (why, one button) and stop the page."""
    if expired_hours is not None:
        st.warning(t("auth.session_expired", lang, hours=f"{expired_hours:g}"))
    st.info(t("auth.sign_in_prompt", lang))
    if st.button(t("auth.sign_in", lang), type="primary", key="auth_sign_in"):
        st.login(provider)
    st.stop()


def _sign_out_button(lang: str) -> None:
    if st.sidebar.button(t("auth.sign_out", lang), key="auth_sign_out"):
        st.logout()


def _table_scope(claims: Mapping[str, Any], lang: str) -> Scope | None:
    """Return the users table's entry for this user: by e-mail (or username), else by ``sub``.

    Fails closed: a store that cannot be read stops the page (its table might narrow what
    the claims grant).
    """
    url = datasource.default_store_url()
    keys = dict.fromkeys([user_id(claims), str(claims.get("sub") or "").strip().lower()])
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            for key in keys:
                found = db.user(key) if key else None
                if found is not None:
                    return found
    except HotspotsError as exc:
        _stop(t("auth.store_error", lang, error=str(exc)))
    return None


def _audit_sign_in(scope: Scope, source: str, lang: str) -> None:
    """Write the sign-in to the audit trail once per session; stop the page when it cannot be written."""
    if st.session_state.get(AUDITED_KEY) == scope.user:
        return
    url = datasource.default_store_url()
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            db.record("sign_in", scope=scope, detail={"role_from": source, "districts": scope.osaalue})
    except HotspotsError as exc:
        _stop(t("auth.store_error", lang, error=str(exc)))
    st.session_state[AUDITED_KEY] = scope.user


def signed_in_scope(claims: Mapping[str, Any], config: settings.SignInSettings, lang: str) -> Scope | None:
    """Return the signed-in user's scope (the users table wins over the claims) and audit the sign-in.

    Parameters
    ----------
    claims
        The ID token's claims (``st.user``).
    config
        The sign-in settings.
    lang
        Language of the messages.

    Returns
    -------
    Scope or None
        None when neither the table nor the claims give the user a role.
    """
    scope, source = _table_scope(claims, lang), "users table"
    try:
        hierarchy = datasource.district_hierarchy() if scope is None else None
    except HotspotsError as exc:
        _stop(t("msg.districts_unavailable", lang, error=str(exc)))
    try:
        if hierarchy is not None:
            scope, source = scope_from_claims(claims, config, hierarchy), "claims"
    except HotspotsError as exc:
        _stop(t("auth.claims_error", lang, error=str(exc)))
    if scope is not None:
        _audit_sign_in(scope, source, lang)
    return scope


def role_label(scope: Scope, lang: str) -> str:
    """Return the role and districts in words: ``"nuorisotyöntekijä · 101, 102"``."""
    where = t("auth.whole_city", lang) if scope.osaalue is None else ", ".join(scope.osaalue)
    return f"{t(f'role.{scope.role}', lang)} · {where}"


def _signed_in(scope: Scope, claims: Mapping[str, Any], lang: str) -> None:
    """Say who is signed in, as what, in the sidebar, with the sign-out button."""
    name = str(claims.get("name") or scope.user)
    st.sidebar.caption(t("auth.signed_in_as", lang, name=name, role=role_label(scope, lang)))
    _sign_out_button(lang)
    if scope.aggregated_only:
        st.info(t("auth.aggregated_only", lang), icon="🔒")


def gate(lang: str) -> Scope:
    """Return what the person using the page may see, or stop the page saying why not.

    Parameters
    ----------
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    Scope
        ``LOCAL_ANALYST`` in local mode, else the signed-in user's scope.
    """
    try:
        secrets = _secrets()
        config = settings.sign_in_settings(secrets.get("hotspots"))
        provider = configured_provider(secrets.get("auth") or {})
    except HotspotsError as exc:
        _stop(t("auth.config_error", lang, error=str(exc)))
    if provider is None:
        if config.require_login:
            _stop(t("auth.required_unconfigured", lang))
        # In the sidebar, at its top: always in view, and the map keeps the first screen.
        st.sidebar.info(t("auth.local_mode", lang), icon="🔓")
        return LOCAL_ANALYST
    claims = st.user.to_dict()
    if claims.get("is_logged_in") is not True:
        _sign_in_page(lang, provider, expired_hours=None)
    if session_expired(claims, hours=config.session_hours):
        _sign_in_page(lang, provider, expired_hours=config.session_hours)
    scope = signed_in_scope(claims, config, lang)
    if scope is None:
        st.warning(t("auth.no_role", lang, user=str(claims.get("email") or claims.get("sub") or "")))
        _sign_out_button(lang)
        st.stop()
    _signed_in(scope, claims, lang)
    return scope
