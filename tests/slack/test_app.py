"""Building the bot: a bad or unreachable token fails at once, in one line, without echoing secrets."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from assistant.errors import SlackConfigError
from assistant.models import Answer, AnswerStream, Turn
from assistant.slack.app import create_bot
from assistant.storage.feedback import FeedbackStore
from tests.slack.conftest import slack_settings
from tests.slack.standin import SlackStandIn

pytestmark = pytest.mark.slack


class NeverAsked:
    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        raise AssertionError("not expected")

    def ask_stream(self, question: str, history: list[Turn] | None = None) -> AnswerStream:
        raise AssertionError("not expected")


def test_a_rejected_token_is_reported_at_start(tmp_path: Path, slack_api: SlackStandIn) -> None:
    settings = slack_settings(tmp_path, slack_api, slack_bot_token="xoxb-revoked-0000")
    store = FeedbackStore(settings.feedback_db)
    with pytest.raises(SlackConfigError) as raised:
        create_bot(settings, NeverAsked(), store, verify_token=True)
    assert str(raised.value) == ("Slack rejected the bot token (invalid_auth); "
                                 "check ASSISTANT_SLACK_BOT_TOKEN.")
    assert [c.method for c in slack_api.calls] == ["auth.test"]


def test_an_unreachable_slack_is_reported_at_start(tmp_path: Path, slack_api: SlackStandIn) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings = slack_settings(tmp_path, slack_api, slack_api_base_url=f"http://127.0.0.1:{closed}/api/")
    with pytest.raises(SlackConfigError, match="Slack could not be reached to check the bot token"):
        create_bot(settings, NeverAsked(), FeedbackStore(settings.feedback_db), verify_token=True)


def test_http_mode_needs_the_signing_secret(tmp_path: Path, slack_api: SlackStandIn) -> None:
    settings = slack_settings(tmp_path, slack_api, slack_signing_secret=None)
    with pytest.raises(SlackConfigError, match="ASSISTANT_SLACK_SIGNING_SECRET is not set"):
        create_bot(settings, NeverAsked(), FeedbackStore(settings.feedback_db), verify_token=False)


def test_slack_settings_stay_out_of_the_answer_fingerprint(tmp_path: Path, slack_api: SlackStandIn) -> None:
    plain = slack_settings(tmp_path, slack_api, slack_bot_token=None, slack_signing_secret=None,
                           slack_api_base_url="https://slack.com/api/")
    configured = slack_settings(tmp_path, slack_api, slack_user_rate_limit=2)
    assert plain.settings_hash() == configured.settings_hash()
    assert not any(key.startswith("slack_") for key in configured.answer_fingerprint())
