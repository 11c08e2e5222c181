"""Who owns a saved conversation: the logged-in user, or without login the browser (a cookie).

``BrowserCookieMiddleware`` gives every browser a random token in an HttpOnly cookie the first
time it calls (and hands the same token to that first request, so the page's first events
already have it). The database never sees the token itself: the owner is ``browser:`` and a
digest of it, so reading the database does not let anyone act as that browser, and one browser
cannot name its way into another's conversations.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from http.cookies import SimpleCookie
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "assistant_browser"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_MAX_AGE_S = 2 * 365 * 24 * 3600
BROWSER_PREFIX = "browser:"


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in headers:
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: treated as none
                continue
    return {key: morsel.value for key, morsel in jar.items()}


class BrowserCookieMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers") or [])
        if _TOKEN.fullmatch(_cookies(headers).get(COOKIE, "")):
            await self.app(scope, receive, send)
            return
        token = secrets.token_urlsafe(32)
        others = [(k, v) for k, v in headers if k != b"cookie"]
        kept = "; ".join(f"{k}={v}" for k, v in _cookies(headers).items() if k != COOKIE)
        cookie = f"{kept}; {COOKIE}={token}" if kept else f"{COOKIE}={token}"
        scope = {**scope, "headers": [*others, (b"cookie", cookie.encode("latin-1"))]}
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        set_cookie = f"{COOKIE}={token}; Path=/; Max-Age={_MAX_AGE_S}; HttpOnly; SameSite=Lax{secure}"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", set_cookie.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def browser_owner(token: str) -> str:
    return BROWSER_PREFIX + hashlib.sha256(token.encode()).hexdigest()[:32]


def owner_of(request: Any, login_required: bool) -> str | None:
    """The logged-in user, or the browser's owner id; None when neither is known."""
    if request is None:
        return None
    username = getattr(request, "username", None)
    if login_required:
        return str(username) if username else None
    token = ""
    try:
        token = str(request.cookies.get(COOKIE, "") or "")
    except Exception:  # the request object of a queued event may not carry its cookies as a mapping
        raw = str(dict(getattr(request, "headers", {}) or {}).get("cookie", ""))
        token = _cookies([(b"cookie", raw.encode("latin-1", "replace"))]).get(COOKIE, "")
    return browser_owner(token) if _TOKEN.fullmatch(token) else None
