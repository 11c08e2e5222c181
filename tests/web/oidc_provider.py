"""A small real OpenID provider on loopback, for the sign-in tests: it speaks the protocol the app uses.

Discovery, JWKS, ``/authorize`` (approves the configured test user at once and redirects back with
a code and the state), ``/token`` (checks the code, the redirect URI, the client secret and the
PKCE verifier; answers an RS256 ID token carrying the nonce, and an access token) and an
``end_session_endpoint``. The signing key is generated when the provider starts. Tests change
``user``, ``nonce_override`` or the key to play a provider that misbehaves.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "assistant-web"
CLIENT_SECRET = "client-secret-for-tests-0123456789"
ADMIN_GROUP = "assistant-admins"


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class ProviderUser:
    name: str = "carol"
    groups: list[str] = field(default_factory=lambda: ["staff"])


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    user: ProviderUser


class OidcProvider:
    def __init__(self) -> None:
        self.key = new_key("key-1")
        self.user = ProviderUser()
        self.nonce_override: str | None = None
        self.codes: dict[str, Grant] = {}
        self.refusals: list[str] = []  # why /token refused, in order
        self.logouts: list[dict[str, str]] = []
        self.issuer = ""

    # -- tokens the tests hand to the app ---------------------------------------------------------
    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": f"sub-{self.user.name}", "aud": CLIENT_ID, "iat": now,
                  "exp": now + 300, "preferred_username": self.user.name, "groups": list(self.user.groups)}
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def access_token(self, key: RSAKey | None = None, **changes: Any) -> str:
        return self.sign(self.claims(**changes), key)

    def unsigned_token(self, **changes: Any) -> str:
        """``alg: none``: a token anyone can write."""
        header = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": self.key.kid}).encode())
        return f"{header}.{b64url(json.dumps(self.claims(**changes)).encode())}."

    # -- the protocol ---------------------------------------------------------------------------------
    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if (q.get("response_type") != "code" or q.get("client_id") != CLIENT_ID or not q.get("redirect_uri")
                or q.get("code_challenge_method") != "S256" or not q.get("code_challenge") or not q.get("state")):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(CLIENT_ID, q["redirect_uri"], q["code_challenge"], q.get("nonce"), self.user)
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

    def _refuse(self, why: str) -> Response:
        self.refusals.append(why)
        return JSONResponse({"error": "invalid_grant", "error_description": why}, status_code=400)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        client_id, client_secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            client_id, _, client_secret = base64.b64decode(value).decode().partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            self.refusals.append("client")
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return self._refuse("code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse("redirect_uri")
        verifier = str(form.get("code_verifier", ""))
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
            return self._refuse("pkce")
        claims = self.claims(preferred_username=grant.user.name, groups=list(grant.user.groups),
                             sub=f"sub-{grant.user.name}")
        id_token = self.sign({**claims, "nonce": self.nonce_override or grant.nonce})
        return JSONResponse({"access_token": self.sign(claims), "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token})

    async def logout(self, request: Request) -> Response:
        self.logouts.append(dict(request.query_params))
        target = request.query_params.get("post_logout_redirect_uri")
        return RedirectResponse(target, 302) if target else JSONResponse({"signed_out": True})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/logout", self.logout),
        ])


@contextmanager
def running_provider() -> Iterator[OidcProvider]:
    """The provider under uvicorn in a thread, on a loopback port bound before it starts."""
    provider = OidcProvider()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test identity provider did not start")
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
