"""A small but real OpenID Connect provider on 127.0.0.1, for the sign-in tests.

It speaks the parts of OpenID Connect Core 1.0 and RFC 7636 that a relying party such as
Streamlit's ``st.login`` (Authlib's Starlette client) uses:

- discovery (``/.well-known/openid-configuration``) and the signing keys (``/jwks``);
- the authorization endpoint (``/authorize``): checks the client, the registered
  ``redirect_uri``, ``response_type=code`` and the ``openid`` scope, keeps ``state``,
  ``nonce`` and a PKCE ``code_challenge`` (S256 or plain) and shows a page with one
  button per test user (the "login form" of this provider);
- the token endpoint (``/token``): authorization code grant with client authentication
  (``client_secret_basic`` or ``client_secret_post``), one use per code, a 60 s code
  lifetime, the same ``redirect_uri`` and the PKCE ``code_verifier``; it issues an RS256
  ID token with ``sub``, ``email``, ``name``, the role claim (name configurable, e.g.
  ``roles`` or ``groups``), the district claim and the ``nonce``;
- ``/userinfo`` (bearer access token) and ``/logout`` (RP-initiated logout).

The JOSE work (RSA key, JWK set, RS256 signature) is done by ``joserfc``, the JOSE library
Authlib now delegates to (``authlib.jose`` is deprecated in its favour); HTTP is the
standard library's ``http.server`` in a thread. Everything a client sends is recorded in
``Provider.events`` so a test can check what the relying party did (PKCE, nonce, state).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CODE_LIFETIME_S = 60
CLIENT_ID = "helsinki-hotspots"
CLIENT_SECRET = "test-client-secret-not-for-production"  # a test fixture, not a credential


@dataclass(frozen=True)
class TestUser:
    """A person who can sign in at the test provider.

    Attributes
    ----------
    sub
        The stable subject id.
    email, name
        Standard claims.
    roles
        Values of the role claim (``roles`` or ``groups``): application roles or groups.
    districts
        Values of the district claim (district codes at any level); empty for none.
    """

    __test__ = False  # not a pytest test class despite its name

    sub: str
    email: str
    name: str
    roles: tuple[str, ...]
    districts: tuple[str, ...] = ()


#: The four roles of issue 12: a youth worker in Kallio (peruspiiri 301), an analyst,
#: a viewer (the leadership group) and an admin.
USERS: tuple[TestUser, ...] = (
    TestUser(
        "9f1c2d3e-youth-kallio",
        "nea.nuorisotyo@hel.example",
        "Nea Nuorisotyöntekijä",
        ("hotspots-youth-worker",),
        ("301",),
    ),
    TestUser("5a6b7c8d-analyst", "aki.analyytikko@hel.example", "Aki Analyytikko", ("hotspots-analyst",)),
    TestUser("1e2f3a4b-viewer", "johtoryhma@hel.example", "Vilja Johtoryhmä", ("hotspots-viewer",)),
    TestUser("7c8d9e0f-admin", "ada.admin@hel.example", "Ada Ylläpitäjä", ("hotspots-admin",)),
)


@dataclass
class _Pending:
    """An authorization request waiting for the user's choice, then for its code exchange."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: TestUser | None = None
    issued_at: float = 0.0
    used: bool = False


@dataclass
class Provider:
    """The provider's configuration and state; ``serve`` starts it on a free port.

    Attributes
    ----------
    redirect_uris
        The registered redirect URIs of the one client (exact match, as the spec asks).
    users
        Who may sign in.
    role_claim, district_claim
        Names of the claims that carry a user's roles and districts.
    token_lifetime_s
        Lifetime of the ID token and access token (``exp - iat``).
    events
        Every request the provider answered: ``{"endpoint": ..., ...}``.
    """

    redirect_uris: tuple[str, ...]
    users: tuple[TestUser, ...] = USERS
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    role_claim: str = "roles"
    district_claim: str = "hotspots_districts"
    token_lifetime_s: int = 3600
    events: list[dict[str, Any]] = field(default_factory=list)
    issuer: str = ""
    _key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, {"use": "sig"}, private=True, auto_kid=True)
    )
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _codes: dict[str, _Pending] = field(default_factory=dict)
    _access: dict[str, TestUser] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def metadata_url(self) -> str:
        """The discovery document's URL (``server_metadata_url`` in Streamlit's secrets)."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        """Return the discovery document (OpenID Connect Discovery 1.0)."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified",
                "name", "preferred_username", self.role_claim, self.district_claim,
            ],
        }  # fmt: skip

    def jwks(self) -> dict[str, Any]:
        """Return the public signing keys as a JWK set."""
        return KeySet([self._key]).as_dict(private=False)

    def user(self, email: str) -> TestUser:
        """Return the test user with ``email`` (KeyError when there is none)."""
        for person in self.users:
            if person.email == email:
                return person
        raise KeyError(email)

    def claims(self, person: TestUser) -> dict[str, Any]:
        """Return the identity claims of ``person`` (ID token and userinfo)."""
        claims: dict[str, Any] = {
            "sub": person.sub,
            "email": person.email,
            "email_verified": True,
            "name": person.name,
            "preferred_username": person.email,
            self.role_claim: list(person.roles),
        }
        if person.districts:
            claims[self.district_claim] = list(person.districts)
        return claims

    def id_token(self, person: TestUser, *, nonce: str | None, now: float | None = None) -> str:
        """Return an RS256-signed ID token for ``person``."""
        issued = int(time.time() if now is None else now)
        payload = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": issued,
            "auth_time": issued,
            "exp": issued + self.token_lifetime_s,
            **self.claims(person),
        }
        if nonce is not None:
            payload["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": self._key.kid}, payload, self._key)

    # ------------------------------------------------------------------ endpoint logic

    def begin(self, query: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        """Check an authorization request; return (status, body, headers)."""
        self.events.append({"endpoint": "authorize", **query})
        client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
        if client_id != self.client_id or redirect_uri not in self.redirect_uris:
            # Never redirect to a URI that is not registered: show the error instead.
            return HTTPStatus.BAD_REQUEST, _page("Unknown client or redirect_uri", ""), {}
        problem = None
        if query.get("response_type") != "code":
            problem = "unsupported_response_type"
        elif "openid" not in query.get("scope", "").split():
            problem = "invalid_scope"
        elif query.get("code_challenge_method", "plain") not in ("S256", "plain"):
            problem = "invalid_request"
        if problem is not None:
            return _redirect(redirect_uri, {"error": problem, "state": query.get("state")})
        transaction = secrets.token_urlsafe(16)
        with self._lock:
            self._pending[transaction] = _Pending(
                client_id=client_id,
                redirect_uri=redirect_uri,
                scope=query.get("scope", ""),
                state=query.get("state"),
                nonce=query.get("nonce"),
                code_challenge=query.get("code_challenge"),
                code_challenge_method=query.get("code_challenge_method")
                or ("plain" if query.get("code_challenge") else None),
            )
        return HTTPStatus.OK, _picker(transaction, self.users), {}

    def choose(self, form: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        """The user picked who signs in: issue a code and send the browser back to the client."""
        with self._lock:
            pending = self._pending.pop(form.get("transaction", ""), None)
        if pending is None:
            return HTTPStatus.BAD_REQUEST, _page("Unknown or finished sign-in", ""), {}
        try:
            pending.user = self.user(form.get("email", ""))
        except KeyError:
            return _redirect(pending.redirect_uri, {"error": "access_denied", "state": pending.state})
        pending.issued_at = time.monotonic()
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = pending
        self.events.append({"endpoint": "choose", "email": pending.user.email})
        return _redirect(pending.redirect_uri, {"code": code, "state": pending.state})

    def exchange(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        """Answer a token request: (status, JSON body)."""
        client_id, secret = _client_credentials(form, authorization)
        self.events.append(
            {
                "endpoint": "token",
                "grant_type": form.get("grant_type"),
                "code_verifier": "code_verifier" in form,
                "client_auth": "basic" if authorization else "post",
            }
        )
        if client_id != self.client_id or not secrets.compare_digest(secret or "", self.client_secret):
            return HTTPStatus.UNAUTHORIZED, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return HTTPStatus.BAD_REQUEST, {"error": "unsupported_grant_type"}
        with self._lock:
            pending = self._codes.get(form.get("code", ""))
            if pending is not None and pending.used:
                pending = None
            if pending is not None:
                pending.used = True
        problem = _code_problem(pending, form)
        if problem is not None or pending is None or pending.user is None:
            return HTTPStatus.BAD_REQUEST, {"error": "invalid_grant", "error_description": problem}
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access] = pending.user
        return HTTPStatus.OK, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime_s,
            "scope": pending.scope,
            "id_token": self.id_token(pending.user, nonce=pending.nonce),
        }

    def userinfo(self, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """Answer a userinfo request made with a bearer access token."""
        token = (authorization or "").removeprefix("Bearer ").strip()
        person = self._access.get(token)
        self.events.append({"endpoint": "userinfo", "known": person is not None})
        if person is None:
            return HTTPStatus.UNAUTHORIZED, {"error": "invalid_token"}
        return HTTPStatus.OK, self.claims(person)

    def logout(self, query: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        """RP-initiated logout: back to a registered ``post_logout_redirect_uri``, else a page."""
        self.events.append({"endpoint": "logout", **query})
        target = query.get("post_logout_redirect_uri", "")
        if target in self.redirect_uris:
            return _redirect(target, {"state": query.get("state")})
        return HTTPStatus.OK, _page("Signed out", "<p>You have signed out.</p>"), {}


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str, str | None]:
    """Return the client id and secret from HTTP Basic (RFC 6749 2.3.1) or the form body."""
    if authorization and authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return "", None
        client_id, _, secret = decoded.partition(":")
        return _unquote(client_id), _unquote(secret)
    return form.get("client_id", ""), form.get("client_secret")


def _unquote(value: str) -> str:
    return parse_qs(f"v={value}").get("v", [""])[0]


def _code_problem(pending: _Pending | None, form: dict[str, str]) -> str | None:
    """Say why an authorization code cannot be exchanged; None when it can."""
    if pending is None:
        return "unknown or already used code"
    if time.monotonic() - pending.issued_at > CODE_LIFETIME_S:
        return "code expired"
    if form.get("redirect_uri") != pending.redirect_uri:
        return "redirect_uri differs from the authorization request"
    if pending.code_challenge is None:
        return None
    verifier = form.get("code_verifier", "")
    if pending.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    if not verifier or not secrets.compare_digest(expected, pending.code_challenge):
        return "code_verifier does not match the code_challenge"
    return None


def _redirect(uri: str, params: dict[str, str | None]) -> tuple[int, str, dict[str, str]]:
    parts = urlsplit(uri)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return HTTPStatus.FOUND, "", {"Location": urlunsplit(parts._replace(query=query))}


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _picker(transaction: str, users: Sequence[TestUser]) -> str:
    """The sign-in page: one button per user, each a form posting back to /authorize."""
    forms = "".join(
        '<form method="post" action="/authorize">'
        f'<input type="hidden" name="transaction" value="{html.escape(transaction)}">'
        f'<input type="hidden" name="email" value="{html.escape(person.email)}">'
        f'<button type="submit">{html.escape(person.name)} ({html.escape(person.email)})</button>'
        "</form>"
        for person in users
    )
    return _page("Test identity provider: sign in", forms)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the tests read Provider.events

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    def _send(self, status: int, body: str, headers: dict[str, str], content_type: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body), {}, "application/json")

    def do_GET(self) -> None:
        provider = self.server.provider
        path = urlsplit(self.path).path
        if path == "/.well-known/openid-configuration":
            self._json(HTTPStatus.OK, provider.metadata())
        elif path == "/jwks":
            self._json(HTTPStatus.OK, provider.jwks())
        elif path == "/authorize":
            self._send(*provider.begin(self._query()), "text/html; charset=utf-8")
        elif path == "/userinfo":
            self._json(*provider.userinfo(self.headers.get("Authorization")))
        elif path == "/logout":
            self._send(*provider.logout(self._query()), "text/html; charset=utf-8")
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        provider = self.server.provider
        path = urlsplit(self.path).path
        if path == "/authorize":
            self._send(*provider.choose(self._form()), "text/html; charset=utf-8")
        elif path == "/token":
            self._json(*provider.exchange(self._form(), self.headers.get("Authorization")))
        elif path == "/userinfo":
            self._json(*provider.userinfo(self.headers.get("Authorization")))
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: Provider) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.provider = provider


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(provider: Provider) -> Iterator[Provider]:
    """Run ``provider`` on a free port of 127.0.0.1 in a thread until the block ends."""
    server = _Server(provider)
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def secrets_toml(provider: Provider, *, app_url: str, cookie_secret: str, extra: str = "") -> str:
    """Return a ``.streamlit/secrets.toml`` text that signs in at ``provider``.

    Parameters
    ----------
    provider
        A running provider (its issuer is known).
    app_url
        The app's base URL, e.g. ``http://127.0.0.1:8765``.
    cookie_secret
        The secret that signs Streamlit's identity cookie.
    extra
        More TOML appended (e.g. a ``[hotspots]`` section).
    """
    return (
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n' + extra
    )
