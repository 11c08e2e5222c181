"""A request id for every HTTP request, in every log line it causes and in its response.

A caller's ``X-Request-Id`` is kept when it is a plain token (so a load balancer's id follows
the request through); otherwise a new one is made. The access line is written here rather
than by uvicorn, whose access log runs outside the request and so cannot carry the id.
"""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import request_scope

log = logging.getLogger("assistant.web.access")
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = b"x-request-id"


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(HEADER, b"").decode("latin-1")
        status = 500
        started = time.perf_counter()
        with request_scope(given if _PLAIN_ID.fullmatch(given) else None) as request_id:

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            finally:
                log.info("%s %s %s %.1f ms", scope.get("method", "-"), scope.get("path", "-"), status,
                         (time.perf_counter() - started) * 1000)
