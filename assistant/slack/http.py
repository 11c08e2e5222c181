"""HTTP mode: Slack's Events API and interactivity endpoints on the ``assistant serve`` FastAPI app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from ..models import Asker
from ..settings import Settings
from ..storage.feedback import FeedbackStore
from .app import SlackBot, create_bot

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INTERACTIONS_PATH = "/slack/interactions"
# Slack's payloads are a few kilobytes; anything far larger is refused before it is read or verified.
MAX_BODY_BYTES = 1_000_000
_DISPATCH_THREADS = 4


def mount(app: FastAPI, assistant: Asker, store: FeedbackStore, settings: Settings) -> None:
    """Add ``POST /slack/events`` and ``POST /slack/interactions``; the bot goes on ``app.state.slack_bot``.

    ``assistant`` is an ``assistant.api.Assistant`` (anything with its ``ask``).

    The token is checked at the first event rather than here, so the web server starts even when
    Slack cannot be reached. Raises ``SlackConfigError`` when the bot token or signing secret is missing.
    """
    bot = create_bot(settings, assistant, store, verify_token=False)
    app.state.slack_bot = bot
    endpoint = _endpoint(bot)
    app.add_api_route(EVENTS_PATH, endpoint, methods=["POST"], include_in_schema=False,
                      name="slack_events")
    app.add_api_route(INTERACTIONS_PATH, endpoint, methods=["POST"], include_in_schema=False,
                      name="slack_interactions")
    log.info("Slack endpoints mounted at %s and %s", EVENTS_PATH, INTERACTIONS_PATH)


def _endpoint(bot: SlackBot) -> Callable[[Request], Awaitable[Response]]:
    # Slack wants its 200 within 3 seconds: dispatch on threads of its own, so a busy web API (whose
    # requests hold the shared threadpool while they wait for an answer slot) never delays the ack.
    dispatch_pool = ThreadPoolExecutor(_DISPATCH_THREADS, thread_name_prefix="slack-dispatch")

    async def slack_endpoint(request: Request) -> Response:
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            return Response(status_code=413, content="Request body too large.")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return Response(status_code=413, content="Request body too large.")
        # Bolt's dispatch is synchronous (signature check, middleware, ack); keep it off the event loop.
        bolt_response = await asyncio.get_running_loop().run_in_executor(
            dispatch_pool, bot.app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    return slack_endpoint
