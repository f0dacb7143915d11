"""The test identity provider speaks real OpenID Connect: Authlib's own client signs in at it.

A relying party built from Authlib's requests client (the same library and grant that
Streamlit's ``st.login`` uses) discovers the provider, sends the browser to its sign-in
page with state, nonce and a PKCE challenge, exchanges the code and verifies the RS256 ID
token against the published keys. The provider refuses what a real one refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey

from tests import oidc_provider
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

REDIRECT = "http://127.0.0.1:9/oauth2callback"  # never followed: the test reads the Location


@pytest.fixture
def provider() -> Iterator[Provider]:
    with oidc_provider.serve(Provider(redirect_uris=(REDIRECT,))) as running:
        yield running


def _client(provider: Provider, *, secret: str = CLIENT_SECRET) -> OAuth2Session:
    return OAuth2Session(
        CLIENT_ID,
        secret,
        scope="openid email profile",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )


def _sign_in(provider: Provider, authorize_url: str, email: str) -> str:
    """Open the sign-in page, press the user's button; return where the browser is sent."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    transaction = re.search(r'name="transaction" value="([^"]+)"', page.text)
    assert transaction is not None and email in page.text
    answer = requests.post(
        f"{provider.issuer}/authorize",
        data={"transaction": transaction.group(1), "email": email},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


def _authorize(provider: Provider, client: OAuth2Session, email: str) -> tuple[str, str, str, str]:
    """Run the front channel; return (callback URL, state, nonce, code verifier)."""
    metadata = requests.get(provider.metadata_url, timeout=10).json()
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    return _sign_in(provider, url, email), state, nonce, verifier


def test_discovery_names_every_endpoint_on_the_loopback_interface(provider: Provider) -> None:
    metadata = requests.get(provider.metadata_url, timeout=10).json()
    assert metadata["issuer"] == provider.issuer
    assert provider.issuer.startswith("http://127.0.0.1:")
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert metadata[key].startswith(provider.issuer + "/")
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    keys = requests.get(metadata["jwks_uri"], timeout=10).json()["keys"]
    assert [k["kty"] for k in keys] == ["RSA"] and "d" not in keys[0]  # public part only


def test_code_flow_with_pkce_issues_a_verifiable_id_token_with_the_role_claims(provider: Provider) -> None:
    client = _client(provider)
    youth = provider.user("nea.nuorisotyo@hel.example")
    callback, state, nonce, verifier = _authorize(provider, client, youth.email)
    assert callback.startswith(REDIRECT + "?") and f"state={state}" in callback

    token = client.fetch_token(
        f"{provider.issuer}/token", authorization_response=callback, code_verifier=verifier, state=state
    )
    keys = KeySet.import_key_set(requests.get(f"{provider.issuer}/jwks", timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["iss"] == provider.issuer and claims["aud"] == CLIENT_ID
    assert claims["nonce"] == nonce
    assert (claims["sub"], claims["email"], claims["name"]) == (youth.sub, youth.email, youth.name)
    assert claims["roles"] == ["hotspots-youth-worker"] and claims["hotspots_districts"] == ["301"]
    assert claims["exp"] - claims["iat"] == provider.token_lifetime_s

    authorize = next(e for e in provider.events if e["endpoint"] == "authorize")
    assert authorize["code_challenge_method"] == "S256" and authorize["nonce"] == nonce
    exchange = next(e for e in provider.events if e["endpoint"] == "token")
    assert exchange["code_verifier"] and exchange["client_auth"] == "basic"

    info = requests.get(
        f"{provider.issuer}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert info.status_code == 200 and info.json()["email"] == youth.email


def test_a_token_signed_by_another_key_does_not_verify(provider: Provider) -> None:
    keys = KeySet.import_key_set(provider.jwks())
    genuine = provider.id_token(provider.users[1], nonce=None)
    header = jwt.decode(genuine, keys).header
    # Same header (kid included) and claims, signed by someone else's key.
    forged = jwt.encode(header, jwt.decode(genuine, keys).claims, RSAKey.generate_key(2048, private=True))
    with pytest.raises(BadSignatureError):
        jwt.decode(forged, keys, algorithms=["RS256"])


def test_the_group_claim_name_is_configurable() -> None:
    with oidc_provider.serve(Provider(redirect_uris=(REDIRECT,), role_claim="groups")) as provider:
        client = _client(provider)
        callback, state, _, verifier = _authorize(provider, client, "aki.analyytikko@hel.example")
        token = client.fetch_token(
            f"{provider.issuer}/token", authorization_response=callback, code_verifier=verifier, state=state
        )
        claims = jwt.decode(token["id_token"], KeySet.import_key_set(provider.jwks())).claims
    assert claims["groups"] == ["hotspots-analyst"] and "roles" not in claims


def test_a_wrong_verifier_a_reused_code_and_a_wrong_secret_are_refused(provider: Provider) -> None:
    client = _client(provider)
    callback, _, _, verifier = _authorize(provider, client, "aki.analyytikko@hel.example")
    code = re.search(r"code=([^&]+)", callback)
    assert code is not None
    form = {"grant_type": "authorization_code", "code": code.group(1), "redirect_uri": REDIRECT}
    auth = (CLIENT_ID, CLIENT_SECRET)

    wrong_secret = requests.post(
        f"{provider.issuer}/token",
        data={**form, "code_verifier": verifier},
        auth=(CLIENT_ID, "x"),
        timeout=10,
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"

    wrong_verifier = requests.post(
        f"{provider.issuer}/token", data={**form, "code_verifier": "not-it" * 8}, auth=auth, timeout=10
    )
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    # The code was spent by the failed attempt: a correct verifier now is too late.
    reused = requests.post(
        f"{provider.issuer}/token", data={**form, "code_verifier": verifier}, auth=auth, timeout=10
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_an_unregistered_redirect_uri_is_never_followed(provider: Provider) -> None:
    evil = "http://127.0.0.1:9/steal"
    answer = requests.get(
        f"{provider.issuer}/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": evil, "response_type": "code", "scope": "openid"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 400 and "Location" not in answer.headers


def test_a_request_without_the_openid_scope_is_sent_back_with_an_error(provider: Provider) -> None:
    answer = requests.get(
        f"{provider.issuer}/authorize",
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "email",
            "state": "s1",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{REDIRECT}?error=invalid_scope&state=s1"


def test_logout_returns_to_a_registered_uri_only(provider: Provider) -> None:
    back = requests.get(
        f"{provider.issuer}/logout", params={"post_logout_redirect_uri": REDIRECT}, allow_redirects=False
    )
    assert back.status_code == 302 and back.headers["Location"] == REDIRECT
    stay = requests.get(
        f"{provider.issuer}/logout", params={"post_logout_redirect_uri": "http://x/"}, allow_redirects=False
    )
    assert stay.status_code == 200 and "Signed out" in stay.text


def test_the_sign_in_page_escapes_what_it_shows() -> None:
    odd = oidc_provider.TestUser("s", "x@hel.example", "<script>alert(1)</script>", ("r",))
    with oidc_provider.serve(Provider(redirect_uris=(REDIRECT,), users=(odd,))) as provider:
        client = _client(provider)
        url, _ = client.create_authorization_url(f"{provider.issuer}/authorize", code_verifier="v" * 48)
        page = requests.get(url, timeout=10).text
    assert "<script>" not in page and "&lt;script&gt;" in page
