"""The chat page, built after the server has started: the APIs answer first, the page follows.

Importing Gradio and building the page cost more than the rest of a start together (issue 23:
"Start in a second"). ``assistant serve`` therefore mounts a ``LatePage`` at ``/``: the JSON and
OpenAI-compatible APIs and ``/api/health`` answer as soon as the index and the model are loaded,
while the page is built on a thread; until then ``/`` answers 503 with a page that reloads itself,
and ``/api/health`` says ``"page": "starting"``. The build begins ``PAGE_BUILD_DELAY_S`` after
the server is up, or at once when a browser asks for ``/``: Gradio's imports hold the interpreter
for seconds, and begun with the server they made its first answers (a load balancer's health
check) wait 0.1-0.4 s behind them. Once built, the Gradio app (with its own start-up
events: its queue) runs inside the server's lifespan and every request under ``/`` goes to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI

log = logging.getLogger(__name__)
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STARTING_HTML = (b"<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='refresh' content='1'>"
                 b"<title>Starting</title></head><body><p>The assistant is starting; this page reloads "
                 b"itself in a second.</p></body></html>")
FAILED_HTML = (b"<!doctype html><html><head><meta charset='utf-8'><title>Unavailable</title></head><body>"
               b"<p>The chat page could not be built; the server log says why. The API at /api still "
               b"answers.</p></body></html>")

# The first health checks and questions are answered before the page's imports begin (see above).
PAGE_BUILD_DELAY_S = 1.0


class LatePage:
    """An ASGI app for ``/``: a 'starting' page until ``build`` has returned the page's app."""

    def __init__(self, build: Callable[[], FastAPI], delay_s: float = PAGE_BUILD_DELAY_S) -> None:
        self._build = build
        self._delay_s = delay_s
        self._app: FastAPI | None = None
        self._failed = False
        self._stop = asyncio.Event()
        self._wanted = asyncio.Event()

    @property
    def state(self) -> str:
        """``starting``, ``ready`` or ``failed``, for ``/api/health``."""
        return "ready" if self._app is not None else "failed" if self._failed else "starting"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is not None:
            await self._app(scope, receive, send)
            return
        if scope["type"] != "http":  # a websocket before the page exists: refuse it
            await send({"type": "websocket.close", "code": 1013})
            return
        self._wanted.set()  # somebody is waiting for the page: no more delay
        body = FAILED_HTML if self._failed else STARTING_HTML
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"retry-after", b"1"),
                                (b"cache-control", b"no-store"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def _serve(self) -> None:
        with suppress(TimeoutError):  # the delay is over
            await asyncio.wait_for(self._wanted.wait(), timeout=self._delay_s)
        if self._stop.is_set():  # the server stopped before the page was wanted: no build
            return
        try:
            app = await asyncio.to_thread(self._build)
        except Exception:
            log.exception("the chat page could not be built")
            self._failed = True
            return
        async with app.router.lifespan_context(app):  # Gradio's start-up events: its queue
            self._app = app
            log.info("the chat page is ready")
            await self._stop.wait()

    @asynccontextmanager
    async def lifespan(self, outer: FastAPI) -> AsyncIterator[None]:
        """The server's lifespan: the page is built once the server is up, stopped with it."""
        self._stop = asyncio.Event()  # bound to the server's event loop
        self._wanted = asyncio.Event()
        task = asyncio.create_task(self._serve())
        try:
            yield
        finally:
            self._stop.set()
            self._wanted.set()  # ends a delay still running
            try:
                await asyncio.wait_for(task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("the chat page did not stop in time")
