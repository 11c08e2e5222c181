"""The page's sign-in: Gradio's password form, or the company's OpenID provider, or a sign-in proxy.

``/auth/login`` sends the browser to the provider (authorization code flow with PKCE S256; Authlib
keeps the state, the nonce and the code verifier in the session), ``/auth/callback`` takes the
code back, has Authlib exchange it and verify the ID token (signature against the provider's
keys, issuer, audience, expiry, nonce), and keeps the user in the session cookie, which
Starlette's ``SessionMiddleware`` signs with ``ASSISTANT_WEB_SESSION_SECRET`` (a changed cookie is
no session). ``/auth/logout`` clears the session and, when the provider has an
``end_session_endpoint``, ends the provider's session too.

``PageGate`` sends a browser that is not signed in from the page to the sign-in (or, with only the
proxy's sign-in, answers 401); Gradio's own routes ask ``page_user`` and refuse with 401.
"""

from __future__ import annotations

import html
import logging
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import SESSION_KEY, Identity, LoginRefused
from .context import WebContext

log = logging.getLogger(__name__)
SESSION_COOKIE = "assistant_session"
PROVIDER_NAME = "company"
_LONGEST_ID_TOKEN_HINT = 1500  # a cookie holds about 4 KB; a longer ID token is not kept for the logout


def _page(status: int, message: str, link: str = "/auth/login", link_text: str = "Sign in again") -> HTMLResponse:
    body = (f"<!doctype html><meta charset='utf-8'><title>Sign-in</title><p>{html.escape(message)}</p>"
            f"<p><a href='{html.escape(link)}'>{html.escape(link_text)}</a></p>")
    return HTMLResponse(body, status_code=status)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def page_auth(ctx: WebContext) -> dict[str, Any]:
    """Gradio's sign-in arguments: its own form when passwords are the only sign-in, else ``page_user``."""
    if not ctx.login_required:
        return {"auth": None, "auth_message": None}
    message = "Sign in to ask the outsourcing assistant."
    if ctx.auth.page_uses_password_form:
        async def check(name: str, password: str) -> bool:  # off the event loop: argon2 is slow on purpose
            return await run_in_threadpool(ctx.auth.passwords.check, name, password)

        return {"auth": check, "auth_message": message}
    return {"auth_dependency": page_user(ctx), "auth_message": message}


def page_user(ctx: WebContext) -> Any:
    """Gradio's ``auth_dependency``: the page's user name, or None (Gradio then answers 401)."""

    def dependency(request: Request) -> str | None:
        identity = page_identity(ctx, request.headers, request.client.host if request.client else None,
                                 request.scope.get("session"))
        if identity is None:
            return None
        request.state.identity = identity  # page events read it back (WebContext.identity_of)
        return identity.name

    return dependency


def page_identity(ctx: WebContext, headers: Any, peer: str | None, session: Any) -> Identity | None:
    return ctx.auth.from_proxy(headers, peer) or ctx.auth.from_session(session)


class PageGate:
    """The page itself (``GET /``) when nobody is signed in: to the provider's sign-in, or a 401."""

    def __init__(self, app: ASGIApp, ctx: WebContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET" and scope.get("path") == "/":
            request = Request(scope)
            peer = request.client.host if request.client else None
            if page_identity(self.ctx, request.headers, peer, scope.get("session")) is None:
                response: Response
                if self.ctx.auth.provider is not None:
                    response = RedirectResponse("/auth/login?next=/", status_code=302)
                else:
                    response = _page(401, "Sign in through the company's sign-in proxy: this server takes "
                                          "the user only from it.", "/", "Reload")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install(app: FastAPI, ctx: WebContext) -> None:
    """The sign-in routes and the session (with a provider), and the page's gate (with a provider or a
    proxy); nothing when neither is configured. Call before the page is mounted at ``/``."""
    auth, web = ctx.auth, ctx.settings.web
    if auth.provider is None and auth.trusted is None:
        return
    app.add_middleware(PageGate, ctx=ctx)
    provider = auth.provider
    if provider is None:
        return
    # Authlib and its clients are imported only with a provider: a third of a second of every start.
    import httpx
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.starlette_client import OAuth
    from joserfc.errors import JoseError

    secret = web.session_secret.get_secret_value() if web.session_secret else ""
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=web.session_max_age_s, same_site="lax",
                       https_only=web.oidc_redirect_url.startswith("https://"))
    oauth = OAuth()
    client: Any = oauth.register(
        PROVIDER_NAME,
        client_id=web.oidc_client_id.strip(),
        client_secret=web.oidc_client_secret.get_secret_value() if web.oidc_client_secret else None,
        server_metadata_url=provider.discovery_url,
        client_kwargs={"scope": web.oidc_scopes, "code_challenge_method": "S256"},
    )

    def callback_url(request: Request) -> str:
        return web.oidc_redirect_url or str(request.url_for("auth_callback"))

    @app.get("/auth/login", include_in_schema=False)
    async def login(request: Request, next: str = "/") -> Response:
        request.session["next"] = safe_next(next)
        try:
            redirect: Response = await client.authorize_redirect(request, callback_url(request))
        except (AuthlibBaseError, httpx.HTTPError, RuntimeError, ValueError) as error:
            log.warning("sign-in could not start: %s", error)
            return _page(503, "The identity provider cannot be reached; try again in a moment.")
        return redirect

    @app.get("/auth/callback", name="auth_callback", include_in_schema=False)
    async def callback(request: Request) -> Response:
        try:
            token = await client.authorize_access_token(request)
            if "userinfo" not in token:
                raise LoginRefused("The identity provider sent no ID token.")
            identity = auth.from_claims(token["userinfo"], "session")
        except (AuthlibBaseError, JoseError, LoginRefused, httpx.HTTPError, KeyError, ValueError) as error:
            log.warning("sign-in refused: %s: %s", error.__class__.__name__, error)
            return _page(401, "The sign-in could not be completed (it was not started here, it expired, or "
                              "the identity provider's answer did not check out).")
        target = safe_next(request.session.pop("next", "/"))
        request.session.clear()  # drop what the sign-in kept (state, nonce, code verifier)
        # only the group that matters is kept: a provider may list hundreds, more than a cookie holds
        groups = [g for g in identity.groups if g == auth.admin_group]
        request.session[SESSION_KEY] = {"name": identity.name, "groups": groups}
        id_token = str(token.get("id_token", ""))
        if id_token and len(id_token) <= _LONGEST_ID_TOKEN_HINT:
            request.session["id_token"] = id_token
        log.info("signed in: %s", identity.name)
        return RedirectResponse(target, status_code=302)

    @app.get("/auth/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        id_token = request.session.get("id_token")
        request.session.clear()
        signed_out = (web.oidc_redirect_url.replace("/auth/callback", "/auth/signed-out")
                      or str(request.url_for("auth_signed_out")))
        try:
            metadata = await client.load_server_metadata()
        except (AuthlibBaseError, httpx.HTTPError, ValueError):
            metadata = {}
        end_session = metadata.get("end_session_endpoint")
        if not end_session:
            return RedirectResponse(signed_out, status_code=302)
        params = {"client_id": web.oidc_client_id.strip(), "post_logout_redirect_uri": signed_out}
        if id_token:
            params["id_token_hint"] = id_token
        separator = "&" if "?" in str(end_session) else "?"
        return RedirectResponse(f"{end_session}{separator}{urlencode(params, quote_via=quote)}", status_code=302)

    @app.get("/auth/signed-out", name="auth_signed_out", include_in_schema=False)
    async def signed_out() -> Response:
        return _page(200, "You are signed out.")
