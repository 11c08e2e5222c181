"""Socket Mode: the bot opens a WebSocket (built-in client) and answers events pushed through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.slack.app import create_bot
from assistant.slack.socket_mode import socket_handler
from assistant.storage.feedback import FeedbackStore
from tests.slack.conftest import GENERAL, slack_settings
from tests.slack.socket_standin import SocketModeStandIn
from tests.slack.standin import APP_TOKEN, BOT_USER_ID, TEAM_ID, SlackStandIn
from tests.slack.test_http import GARTNER_EN

pytestmark = pytest.mark.slack


def test_socket_mode_answers_a_mention_and_acknowledges_the_envelope(
        tmp_path: Path, slack_api: SlackStandIn, assistant: Assistant) -> None:
    socket_end = SocketModeStandIn().start()
    slack_api.socket_url = socket_end.url
    settings = slack_settings(tmp_path, slack_api, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    store = FeedbackStore(settings.feedback_db, settings.answer_fingerprint())
    bot = create_bot(settings, assistant, store, verify_token=True, socket_mode=True)
    handler = socket_handler(bot, settings)
    try:
        handler.connect()
        ts = slack_api.next_ts()
        event = {"type": "app_mention", "user": "U0ALICE1", "text": f"<@{BOT_USER_ID}> {GARTNER_EN}",
                 "ts": ts, "event_ts": ts, "channel": GENERAL, "team": TEAM_ID}
        payload = {"token": "t", "team_id": TEAM_ID, "api_app_id": "A0APP001", "type": "event_callback",
                   "event": event, "event_id": "Ev0SOCKET1", "event_time": 1,
                   "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
        envelope = {"envelope_id": "e0c1d2-socket", "type": "events_api", "accepts_response_payload": False,
                    "retry_attempt": 0, "retry_reason": "", "payload": payload}
        socket_end.send(envelope)

        socket_end.wait_for_ack("e0c1d2-socket")
        answer = slack_api.wait_for("chat.postMessage", channel=GENERAL, thread_ts=ts)[-1]
        assert "[1]" in answer.params["text"]
        # Slack redelivers over the socket with a new envelope and retry_attempt 1: answered once.
        socket_end.send({**envelope, "envelope_id": "e0c1d2-again", "retry_attempt": 1})
        socket_end.wait_for_ack("e0c1d2-again")
    finally:
        handler.close()
        bot.close(wait=True)
        socket_end.stop()
    assert len(slack_api.calls_to("chat.postMessage", thread_ts=ts)) == 1
    opened = slack_api.calls_to("apps.connections.open")
    assert len(opened) == 1 and opened[0].token == APP_TOKEN
