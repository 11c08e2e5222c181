"""Socket Mode: the bot opens a websocket to Slack, so it needs no public URL (``assistant slack``)."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from ..settings import Settings
from ..telemetry import tracing
from .app import SlackBot, app_token, bot_token, create_bot

log = logging.getLogger(__name__)


def check_tokens(settings: Settings) -> None:
    """Fail fast, before any model is loaded, when a token is missing or malformed."""
    bot_token(settings)
    app_token(settings)


def socket_handler(bot: SlackBot, settings: Settings) -> SocketModeHandler:
    """Bolt's built-in Socket Mode client: no extra package; it uses the bot's Web API client."""
    return SocketModeHandler(bot.app, app_token=app_token(settings))


def run(settings: Settings) -> None:
    """Answer until interrupted. Raises SlackConfigError, ServerDown (a shared server does not answer) or
    IndexUnavailable with a one-line message."""
    from ..api import Assistant
    from ..storage.feedback import FeedbackStore
    from ..storage.servers import require

    check_tokens(settings)
    require(settings)  # every shared server answers, before the models are loaded
    tracing.configure(settings.otel_endpoint)
    assistant = Assistant(settings)
    assistant.warm_up()  # no index: fail now with the store's message, not at the first question
    store = FeedbackStore.for_settings(settings)
    bot = create_bot(settings, assistant, store, verify_token=True, socket_mode=True)
    handler = socket_handler(bot, settings)
    log.info("Slack bot starting in Socket Mode; Ctrl-C to stop")
    try:
        handler.start()
    finally:
        handler.close()
        bot.close(wait=True)
