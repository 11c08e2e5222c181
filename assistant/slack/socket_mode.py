"""Socket Mode: the bot opens a websocket to Slack, so it needs no public URL (``assistant slack``)."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from ..settings import Settings
from .app import app_token, bot_token, create_bot

log = logging.getLogger(__name__)


def check_tokens(settings: Settings) -> None:
    """Fail fast, before any model is loaded, when a token is missing or malformed."""
    bot_token(settings)
    app_token(settings)


def run(settings: Settings) -> None:
    """Answer until interrupted. Raises SlackConfigError or IndexUnavailable with a one-line message."""
    from ..api import Assistant
    from ..feedback import FeedbackStore

    check_tokens(settings)
    assistant = Assistant(settings)
    assistant.retriever()  # no index: fail now with the store's message, not at the first question
    store = FeedbackStore(settings.feedback_db, settings.answer_fingerprint())
    bot = create_bot(settings, assistant, store, verify_token=True, socket_mode=True)
    # The built-in client needs no extra package (slack_bolt.adapter.socket_mode.builtin).
    handler = SocketModeHandler(bot.app, app_token=app_token(settings))
    log.info("Slack bot connected in Socket Mode; Ctrl-C to stop")
    try:
        handler.start()
    finally:
        handler.close()
        bot.close(wait=True)
