"""Sign-in and the current user's Scope (views.auth): the rules, then the page through AppTest.

The rules are pure: which provider ``[auth]`` configures, who the user is, which role
the claims grant, which osa-alue the district claim names, when a sign-in is too old.
The page is run with ``AppTest``: local mode with its banner, a required sign-in without
a provider (one line, no traceback), the sign-in page, and signed-in users whose role
comes from the claims or from the store's users table (the table wins), each seeing only
what the role allows, with the sign-in written to the audit trail once per session.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import store
from geo import districts, settings
from geo.errors import ParameterError
from i18n import t
from store.scope import Scope
from views import auth

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PROVIDER = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret-for-tests",
    "client_id": "helsinki-hotspots",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
SIGN_IN_ENV = (
    settings.ENV_REQUIRE_LOGIN,
    settings.ENV_ROLE_CLAIM,
    settings.ENV_DISTRICT_CLAIM,
    settings.ENV_ROLE_GROUPS,
    settings.ENV_SESSION_HOURS,
)


@pytest.fixture(autouse=True)
def _no_sign_in_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SIGN_IN_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


def _claims(email: str, roles: list[str], **more: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"is_logged_in": True, "sub": f"sub-{email}", "email": email, "name": email.split("@")[0],
            "roles": roles, "iat": now, "exp": now + 3600, **more}  # fmt: skip


# ------------------------------------------------------------------------------ rules


def test_no_auth_section_means_no_provider_and_a_complete_one_is_used() -> None:
    assert auth.configured_provider({}) is None
    assert auth.configured_provider(PROVIDER) == "default"
    named = {"redirect_uri": PROVIDER["redirect_uri"], "cookie_secret": "s" * 32,
             "microsoft": {k: PROVIDER[k] for k in auth.PROVIDER_KEYS}}  # fmt: skip
    assert auth.configured_provider(named) == "microsoft"
    assert auth.configured_provider({**named, "client_kwargs": {"prompt": "login"}}) == "microsoft"


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({**PROVIDER, "client_secret": ""}, "[auth] in .streamlit/secrets.toml lacks client_secret"),
        ({"redirect_uri": "http://x/oauth2callback"}, "lacks cookie_secret, client_id, client_secret"),
        ({"redirect_uri": "r", "cookie_secret": "c", "a": {"client_id": "x"}, "b": {"client_id": "y"}},
         "names 2 providers (a, b)"),
        ({"redirect_uri": "r", "cookie_secret": "c", "city_idp": dict(PROVIDER)}, "must not hold '_'"),
    ],
)  # fmt: skip
def test_an_incomplete_auth_section_names_what_is_missing(section: dict[str, Any], says: str) -> None:
    with pytest.raises(ParameterError, match=None) as caught:
        auth.configured_provider(section)
    assert says in str(caught.value)


def test_the_user_is_known_by_email_then_username_then_subject() -> None:
    assert auth.user_id({"email": " Nea@Hel.Example ", "sub": "x"}) == "nea@hel.example"
    assert auth.user_id({"preferred_username": "AKI@hel.example", "sub": "x"}) == "aki@hel.example"
    assert auth.user_id({"sub": "0b1c-guid"}) == "0b1c-guid"
    with pytest.raises(ParameterError, match="no email, preferred_username or sub"):
        auth.user_id({"name": "Nobody"})


def test_the_most_powerful_granted_role_wins_and_unknown_values_grant_nothing() -> None:
    config = settings.SignInSettings()
    assert auth.granted_role({"roles": ["hotspots-viewer", "hotspots-analyst"]}, config) == "analyst"
    assert auth.granted_role({"roles": "hotspots-youth-worker"}, config) == "youth_worker"
    assert auth.granted_role({"roles": ["Everyone", "hotspots-Analyst"]}, config) is None
    assert auth.granted_role({}, config) is None
    groups = settings.SignInSettings(role_claim="groups", role_groups=(("7d2e-guid", "admin"),))
    assert auth.granted_role({"groups": ["x", "7d2e-guid"], "roles": ["hotspots-analyst"]}, groups) == "admin"
    bad = settings.SignInSettings(role_groups=(("g", "superuser"),))
    with pytest.raises(ParameterError, match="superuser"):
        auth.granted_role({"roles": ["g"]}, bad)


def test_the_district_claim_names_districts_at_any_level_by_code_or_name(hierarchy: pd.DataFrame) -> None:
    kallio = tuple(sorted(hierarchy.loc[hierarchy["peruspiiri_code"] == "301", "osaalue_code"]))
    assert len(kallio) == 7
    assert auth.claimed_osaalue(["301"], hierarchy) == kallio
    assert auth.claimed_osaalue(["Berghäll"], hierarchy) == kallio
    linjat = hierarchy.loc[hierarchy["osaalue_fi"] == "Linjat", "osaalue_code"].iloc[0]
    assert auth.claimed_osaalue(["Kallio", "Linjat"], hierarchy) == (linjat,)  # the one district rule
    with pytest.raises(ParameterError, match="not a Helsinki"):
        auth.claimed_osaalue(["Kallioo"], hierarchy)


def test_the_claims_make_a_scope_only_when_they_grant_a_role(hierarchy: pd.DataFrame) -> None:
    config = settings.SignInSettings()
    youth = auth.scope_from_claims(
        _claims("Nea@hel.example", ["hotspots-youth-worker"], hotspots_districts=["301"]), config, hierarchy
    )
    assert youth is not None and youth.user == "nea@hel.example" and youth.role == "youth_worker"
    assert youth.aggregated_only and youth.osaalue is not None and len(youth.osaalue) == 7
    analyst = auth.scope_from_claims(_claims("aki@hel.example", ["hotspots-analyst"]), config, hierarchy)
    assert analyst == Scope("aki@hel.example", "analyst", None)
    # A youth worker whose token names no district sees nothing, as does a user with no role.
    assert (
        auth.scope_from_claims(_claims("x@hel.example", ["hotspots-youth-worker"]), config, hierarchy) is None
    )
    assert auth.scope_from_claims(_claims("y@hel.example", ["Everyone"]), config, hierarchy) is None


def test_a_sign_in_expires_after_the_configured_hours() -> None:
    now = 1_800_000_000.0
    assert not auth.session_expired({"iat": now - 7.9 * 3600}, hours=8, now_s=now)
    assert auth.session_expired({"iat": now - 8.1 * 3600}, hours=8, now_s=now)
    assert not auth.session_expired({"auth_time": now - 60}, hours=8, now_s=now)
    assert auth.session_expired({}, hours=8, now_s=now)  # no issue time: never trusted
    assert auth.session_expired({"iat": now + 3600}, hours=8, now_s=now)  # from the future


# ------------------------------------------------------------------------------- page


def _app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    return AppTest.from_file(APP, default_timeout=180)


def _signed_in(at: AppTest, claims: dict[str, Any]) -> AppTest:
    at.secrets["auth"] = PROVIDER
    at.user = claims
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_local_mode_is_one_analyst_with_a_banner_that_sign_in_is_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _app(monkeypatch, tmp_path)
    at.run()
    assert not at.exception
    # In the sidebar, so the map keeps the first screen.
    assert t("auth.local_mode", "fi") in [i.value for i in at.sidebar.info]
    assert t("auth.local_mode", "fi") not in [i.value for i in at.main.info]
    assert len(at.metric) == 4 and len(at.dataframe) >= 2  # the page is there
    assert len(at.sidebar.radio(key="data_source").options) == 3  # demo, store, upload


@pytest.mark.parametrize("how", ["environment", "secrets"])
def test_required_sign_in_without_a_provider_refuses_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    at = _app(monkeypatch, tmp_path)
    if how == "environment":
        monkeypatch.setenv(settings.ENV_REQUIRE_LOGIN, "1")
    else:
        at.secrets["hotspots"] = {"require_login": True}
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("auth.required_unconfigured", "fi")]
    assert not at.metric and not at.dataframe and not at.sidebar.radio  # nothing else runs


def test_a_malformed_sign_in_setting_is_one_line_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path)
    monkeypatch.setenv(settings.ENV_REQUIRE_LOGIN, "perhaps")
    at.run()
    assert not at.exception
    (error,) = at.error
    assert (
        error.value.startswith(t("auth.config_error", "fi", error=""))
        and "HOTSPOTS_REQUIRE_LOGIN" in error.value
    )
    assert not at.metric


def test_with_a_provider_nobody_sees_data_before_signing_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _signed_in(_app(monkeypatch, tmp_path), {"is_logged_in": False})
    assert [b.label for b in at.button] == [t("auth.sign_in", "fi")]
    assert t("auth.sign_in_prompt", "fi") in [i.value for i in at.info]
    assert not at.metric and not at.dataframe


def test_an_expired_sign_in_asks_for_a_new_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old = _claims("aki@hel.example", ["hotspots-analyst"])
    old["iat"] = int(time.time()) - 9 * 3600
    at = _signed_in(_app(monkeypatch, tmp_path), old)
    assert [w.value for w in at.warning] == [t("auth.session_expired", "fi", hours="8")]
    assert not at.metric


def test_a_signed_in_user_without_a_role_sees_no_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _signed_in(_app(monkeypatch, tmp_path), _claims("outsider@hel.example", ["Everyone"]))
    assert t("auth.no_role", "fi", user="outsider@hel.example") in [w.value for w in at.warning]
    assert not at.metric and not at.dataframe
    with store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as db:
        assert db.audit_log(action="sign_in").empty  # nobody was let in


def test_the_youth_worker_sees_only_kallio_aggregated_and_is_audited_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    youth = _claims("nea.nuorisotyo@hel.example", ["hotspots-youth-worker"], hotspots_districts=["301"])
    at = _app(monkeypatch, tmp_path)
    at.query_params["peruspiiri"] = "302"  # an edited URL: another district
    _signed_in(at, youth)
    assert t("auth.aggregated_only", "fi") in [i.value for i in at.info]
    assert at.query_params["peruspiiri"] == "301"  # cut to her own
    options = at.sidebar.multiselect(key="f_peruspiiri").options
    assert [o for o in options if "(" in o] == ["Kallio (301)"]
    assert len(at.sidebar.radio(key="data_source").options) == 2  # no upload
    at.session_state["panel_tab"] = t("panel.district_table", "fi")
    at.run()
    table = at.dataframe[1].value
    assert table[t("column.code", "fi")].tolist() == ["301"]
    at.run()  # a rerun is the same session: no second sign-in row
    with store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as db:
        sign_ins = db.audit_log(action="sign_in")
    assert sign_ins["user_id"].tolist() == ["nea.nuorisotyo@hel.example"]
    assert sign_ins["role"].tolist() == ["youth_worker"]


def test_the_users_table_wins_over_the_claims(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    admin = Scope("ada.admin@hel.example", "admin", None)
    with store.open_store(url) as db:
        db.put_user(admin, by=admin)
        db.put_user(Scope("aki.analyytikko@hel.example", "viewer", None), by=admin)
    at = _signed_in(_app(monkeypatch, tmp_path), _claims("aki.analyytikko@hel.example", ["hotspots-analyst"]))
    assert t("auth.aggregated_only", "fi") in [i.value for i in at.info]  # a viewer now
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert t("role.viewer", "fi") in captions
    with store.open_store(url) as db:
        assert db.audit_log(action="sign_in")["role"].tolist() == ["viewer"]


def test_the_admin_sees_users_and_the_audit_trail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _signed_in(_app(monkeypatch, tmp_path), _claims("ada.admin@hel.example", ["hotspots-admin"]))
    assert not any(i.value == t("auth.aggregated_only", "fi") for i in at.info)
    at.toggle(key="admin_show").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    audit = at.dataframe[-1].value
    assert audit[t("admin.column.action", "fi")].tolist() == ["sign_in"]
    assert audit[t("admin.column.user", "fi")].tolist() == ["ada.admin@hel.example"]


def test_the_secrets_example_configures_an_entra_id_provider_and_the_four_roles() -> None:
    example = Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.toml.example"
    data = tomllib.loads(example.read_text(encoding="utf-8"))
    assert auth.configured_provider(data["auth"]) == "default"
    assert "login.microsoftonline.com" in data["auth"]["server_metadata_url"]
    config = settings.sign_in_settings(data["hotspots"])
    assert config.require_login and config.role_claim == "roles"
    assert {role for _, role in config.role_groups} == {"admin", "analyst", "youth_worker", "viewer"}
    assert ".streamlit/secrets.toml" in (example.parents[1] / ".gitignore").read_text(encoding="utf-8")


def _chart_counts(at: AppTest) -> list[float]:
    """Every count the open chart tab's Vega-Lite charts carry (their Arrow datasets)."""
    counts: list[float] = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            for column in ("size", "n"):
                if column in frame.columns:
                    counts += frame[column].dropna().astype(float).tolist()
    return counts


@pytest.mark.parametrize("role", ["hotspots-youth-worker", "hotspots-analyst"])
def test_the_charts_draw_no_count_below_five_for_an_aggregated_scope(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, role: str
) -> None:
    at = _signed_in(_app(monkeypatch, tmp_path), _claims("x@hel.example", [role], hotspots_districts=["301"]))
    at.session_state["panel_tab"] = t("panel.charts", "fi")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    counts = _chart_counts(at)
    assert len(counts) > 20
    small = [c for c in counts if 0 < c < 5]
    if role == "hotspots-youth-worker":
        assert small == []
        assert t("msg.privacy_suppressed", "fi", min_count=5) in [c.value for c in at.caption]
    else:
        assert small  # the same Kallio half-year has small counts: the analyst sees them
