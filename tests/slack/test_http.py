"""The bot over HTTP: signed Slack requests in, the real slack_sdk client out to the loopback stand-in."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.errors import IndexUnavailable
from assistant.models import Answer, AnswerStream, Turn
from assistant.slack.handlers import THINKING_REACTION
from tests.slack.conftest import (
    ALICE,
    BOB,
    CAROL,
    GENERAL,
    SIGNING_SECRET,
    HarnessFactory,
    RecordingAsker,
    SlackHarness,
    block_texts,
)
from tests.slack.standin import BOT_ID, BOT_TOKEN, BOT_USER_ID

pytestmark = pytest.mark.slack

GARTNER_EN = ("What share of companies have actually cut customer-service staff because of AI, "
              "according to Gartner?")
SOUTH_AFRICA_FR = "Combien de personnes travaillent dans l'externalisation en Afrique du Sud ?"


class FailingAsker:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        raise self.error

    def ask_stream(self, question: str, history: list[Turn] | None = None) -> AnswerStream:
        raise self.error


def test_mention_is_answered_in_its_thread_with_citations(slack: SlackHarness) -> None:
    event = slack.mention(GARTNER_EN)

    answer = slack.answer_to(event)

    assert answer.params["channel"] == GENERAL
    assert answer.params["thread_ts"] == event["ts"]
    assert answer.token == BOT_TOKEN
    blocks = answer.params["blocks"]
    body = "\n".join(block_texts(blocks, "section"))
    assert "20" in body and "[1]" in body
    sources = "\n".join(block_texts(blocks, "context"))
    assert sources.startswith("*Sources*")
    assert "*[1]* <https://" in sources and "“" in sources
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["feedback_helpful", "feedback_not_helpful", "show_sources", "export_brief"]
    assert "[1]" in answer.params["text"]
    # The "working on it" reaction was put on the question and taken off once it was answered.
    added = slack.api.calls_to("reactions.add", name=THINKING_REACTION, timestamp=event["ts"])
    assert len(added) == 1 and added[0].params["channel"] == GENERAL
    slack.api.wait_for("reactions.remove", name=THINKING_REACTION, timestamp=event["ts"])
    assert slack.store.count("turns") == 1


def test_direct_message_gets_a_french_answer_in_its_thread(slack: SlackHarness) -> None:
    event = slack.direct_message(SOUTH_AFRICA_FR)

    answer = slack.answer_to(event)

    assert answer.params["channel"] == event["channel"]
    assert answer.params["thread_ts"] == event["ts"]
    texts = block_texts(answer.params["blocks"])
    assert "217 000" in "\n".join(texts)
    assert "*Sources*" in texts and "👍 Utile" in texts


def test_follow_up_in_the_thread_carries_the_earlier_turns(make_harness: HarnessFactory,
                                                         assistant: Assistant) -> None:
    asker = RecordingAsker(assistant)
    slack = make_harness(asker)
    first = slack.mention(SOUTH_AFRICA_FR)
    first_answer = slack.answer_to(first)

    follow_up = slack.mention("Et au Kenya ?", thread_ts=first["ts"])
    slack.api.wait_for("chat.postMessage", count=2, thread_ts=first["ts"])

    slack.api.wait_for("conversations.replies", channel=GENERAL, ts=first["ts"])
    question, history = asker.asked[-1]
    assert question == "Et au Kenya ?"
    assert [t.role for t in history] == ["user", "assistant"]
    assert history[0].content == SOUTH_AFRICA_FR
    assert "217 000" in history[1].content
    assert history[1].content.split("\n")[0] in first_answer.params["text"]
    assert follow_up["thread_ts"] == first["ts"]


def test_bad_signature_and_stale_timestamp_get_401(slack: SlackHarness) -> None:
    event = slack.say(f"<@{BOT_USER_ID}> {GARTNER_EN}")
    body = json.dumps(slack.envelope(event))

    forged = slack.signed_post("/slack/events", body, "application/json", secret="not-the-secret")
    stale = slack.signed_post("/slack/events", body, "application/json", timestamp=int(time.time()) - 600)
    unsigned = slack.client.post("/slack/events", content=body, headers={"Content-Type": "application/json"})

    assert (forged.status_code, stale.status_code, unsigned.status_code) == (401, 401, 401)
    slack.drain()
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []


def test_url_verification_echoes_the_challenge(slack: SlackHarness) -> None:
    body = json.dumps({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    response = slack.signed_post("/slack/events", body, "application/json")
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


def test_a_retried_event_is_answered_once(slack: SlackHarness) -> None:
    event = slack.say(f"<@{BOT_USER_ID}> {GARTNER_EN}")
    envelope = slack.envelope(event)

    first = slack.post_event(envelope)
    retries = [slack.post_event(envelope, headers={"X-Slack-Retry-Num": str(n),
                                                   "X-Slack-Retry-Reason": "http_timeout"})
               for n in (1, 2)]
    # The same message delivered again under a new event id (as app_mention and message) too.
    again = slack.post_event(slack.envelope(event))
    slack.drain()

    assert first.status_code == 200 and all(r.status_code == 200 for r in retries)
    assert all(r.headers.get("x-slack-no-retry") == "1" for r in retries)
    assert again.status_code == 200
    assert len(slack.api.calls_to("chat.postMessage", thread_ts=event["ts"])) == 1
    assert len(slack.api.calls_to("reactions.add", timestamp=event["ts"])) == 1


def test_a_retry_of_a_lost_delivery_is_answered(slack: SlackHarness) -> None:
    event = slack.say(f"<@{BOT_USER_ID}> {GARTNER_EN}")
    retry = slack.post_event(slack.envelope(event), headers={"X-Slack-Retry-Num": "1",
                                                             "X-Slack-Retry-Reason": "http_error"})
    assert retry.status_code == 200
    assert slack.answer_to(event).params["thread_ts"] == event["ts"]


def test_bot_messages_and_its_own_are_ignored(slack: SlackHarness) -> None:
    other_bot = slack.say("Deploy finished: what share of staff was cut?", kind="message", channel="D0ALICE1",
                          channel_type="im", extra={"subtype": "bot_message", "bot_id": "B0OTHER1"})
    other_bot.pop("user")
    own = slack.say("Here is what the corpus says", kind="message", channel="D0ALICE1",
                    channel_type="im", user=BOT_USER_ID, extra={"bot_id": BOT_ID})
    bot_mention = slack.say(f"<@{BOT_USER_ID}> {GARTNER_EN}", extra={"bot_id": "B0OTHER1"})
    edited = slack.say(GARTNER_EN, kind="message", channel="D0ALICE1", channel_type="im",
                       extra={"subtype": "message_changed"})
    for event in (other_bot, own, bot_mention, edited):
        assert slack.post_event(slack.envelope(event)).status_code == 200
    slack.drain()

    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []


def test_feedback_buttons_store_feedback_and_show_sources(slack: SlackHarness) -> None:
    event = slack.mention(GARTNER_EN)
    answer = slack.answer_to(event)
    thread = event["ts"]

    assert slack.click("feedback_helpful", answer, user=ALICE).status_code == 200
    thanks = slack.api.wait_for("chat.postEphemeral", user=ALICE, thread_ts=thread)
    assert "feedback was recorded" in thanks[-1].params["text"]
    assert slack.click("feedback_not_helpful", answer, user=BOB).status_code == 200
    slack.api.wait_for("chat.postEphemeral", user=BOB, thread_ts=thread)
    assert slack.click("feedback_helpful", answer, user=ALICE).status_code == 200
    repeat = slack.api.wait_for("chat.postEphemeral", count=2, user=ALICE, thread_ts=thread)
    assert "already recorded" in repeat[-1].params["text"]

    rows = slack.store.feedback()
    assert [(r["rating"], r["user"], r["channel"]) for r in rows] == [(1, ALICE, "slack"), (-1, BOB, "slack")]
    assert all(r["question"] == GARTNER_EN and r["turn_id"] == 1 for r in rows)
    cited = json.loads(rows[0]["citations"])
    assert cited and cited[0]["n"] == 1 and cited[0]["quote"]
    assert rows[0]["answer"].split("\n")[0] in answer.params["text"]

    assert slack.click("show_sources", answer, user=CAROL).status_code == 200
    shown = slack.api.wait_for("chat.postEphemeral", user=CAROL, thread_ts=thread)[-1]
    detail = "\n".join(block_texts(shown.params["blocks"]))
    assert all(f"*[{c['n']}]*" in detail for c in cited)
    assert cited[0]["quote"].split()[0] in detail
    assert slack.store.count() == 2


def test_user_rate_limit_gets_a_polite_message(make_harness: HarnessFactory, assistant: Assistant) -> None:
    slack = make_harness(assistant, slack_user_rate_limit=1)
    first = slack.mention(GARTNER_EN)
    second = slack.mention(SOUTH_AFRICA_FR)
    slack.drain()

    assert len(slack.api.calls_to("chat.postMessage", thread_ts=first["ts"])) == 1
    assert slack.api.calls_to("chat.postMessage", thread_ts=second["ts"]) == []
    note = slack.api.calls_to("chat.postEphemeral", user=ALICE, thread_ts=second["ts"])
    assert len(note) == 1
    assert "merci d'attendre" in note[0].params["text"] and "secondes" in note[0].params["text"]


def test_channel_rate_limit_gets_a_polite_message(make_harness: HarnessFactory, assistant: Assistant) -> None:
    slack = make_harness(assistant, slack_channel_rate_limit=2)
    slack.mention(GARTNER_EN, user=ALICE)
    slack.mention(GARTNER_EN, user=BOB)
    third = slack.mention(GARTNER_EN, user=CAROL)
    slack.drain()

    assert len(slack.api.calls_to("chat.postMessage")) == 2
    note = slack.api.calls_to("chat.postEphemeral", user=CAROL, thread_ts=third["ts"])
    assert len(note) == 1 and "This channel is asking faster than I can answer" in note[0].params["text"]


def test_an_internal_error_is_shown_and_logged(make_harness: HarnessFactory,
                                               caplog: pytest.LogCaptureFixture) -> None:
    slack = make_harness(FailingAsker(RuntimeError("vector store exploded")))
    caplog.set_level(logging.ERROR, logger="assistant.slack")
    event = slack.mention(GARTNER_EN)

    reply = slack.answer_to(event)

    text = reply.params["text"]
    assert text.startswith("Sorry, something went wrong while answering your question (reference ")
    assert "\n" not in text and "exploded" not in text
    reference = text.split("reference ")[1][:8]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "vector store exploded" in str(logged[0].exc_info[1])
    slack.api.wait_for("reactions.remove", timestamp=event["ts"])


def test_a_missing_index_is_explained(make_harness: HarnessFactory) -> None:
    slack = make_harness(FailingAsker(IndexUnavailable("There is no index yet: run `assistant ingest`.")))
    event = slack.direct_message("Quelle part des entreprises a réduit ses effectifs ?")
    reply = slack.answer_to(event)
    assert "l'index des documents n'est pas disponible" in reply.params["text"]


def test_a_too_long_question_gets_the_limit_in_one_sentence(slack: SlackHarness) -> None:
    event = slack.mention("Why? " * 450)
    reply = slack.answer_to(event)
    assert reply.params["text"] == "The question is 2,249 characters long; the limit is 2,000."


def test_an_empty_mention_gets_a_hint(slack: SlackHarness) -> None:
    event = slack.mention("")
    slack.drain()
    hint = slack.api.calls_to("chat.postEphemeral", user=ALICE, thread_ts=event["ts"])
    assert len(hint) == 1 and hint[0].params["text"].startswith("Ask me a question after the mention")


def test_slack_refusing_the_answer_still_leaves_a_visible_message(slack: SlackHarness) -> None:
    slack.api.fail_next("chat.postMessage", "invalid_blocks")
    event = slack.mention(GARTNER_EN)
    replies = slack.api.wait_for("chat.postMessage", count=2, thread_ts=event["ts"])
    assert "blocks" in replies[0].params
    assert "something went wrong" in replies[1].params["text"]


def test_ephemeral_channel_answers_go_to_the_asker_only(make_harness: HarnessFactory,
                                                        assistant: Assistant) -> None:
    slack = make_harness(assistant, slack_ephemeral_answers=True)
    event = slack.mention(GARTNER_EN)
    answer = slack.api.wait_for("chat.postEphemeral", user=ALICE, thread_ts=event["ts"])[-1]
    slack.drain()
    assert any(b["type"] == "actions" for b in answer.params["blocks"])
    assert slack.api.calls_to("chat.postMessage") == []


def test_channels_outside_the_allowed_list_get_a_note(make_harness: HarnessFactory,
                                                      assistant: Assistant) -> None:
    slack = make_harness(assistant, slack_allowed_channels="C0ALLOWED, C0OTHER1")
    outside = slack.mention(GARTNER_EN, channel="C0ELSEWHERE")
    inside = slack.mention(GARTNER_EN, channel="C0ALLOWED")
    slack.answer_to(inside)
    slack.drain()
    note = slack.api.calls_to("chat.postEphemeral", channel="C0ELSEWHERE")
    assert len(note) == 1 and "I do not answer in this channel" in note[0].params["text"]
    assert slack.api.calls_to("chat.postMessage", channel="C0ELSEWHERE") == []
    assert outside["channel"] == "C0ELSEWHERE"


def test_untagged_channel_messages_follow_the_channels_file(make_harness: HarnessFactory,
                                                            assistant: Assistant, tmp_path: Path) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text("channels:\n  C0OPEN01:\n    respond_only_when_tagged: false\n", encoding="utf-8")
    slack = make_harness(assistant, slack_channels_file=channels)
    open_event = slack.say(GARTNER_EN, channel="C0OPEN01", kind="message")
    closed_event = slack.say(GARTNER_EN, channel=GENERAL, kind="message")
    for event in (open_event, closed_event):
        assert slack.post_event(slack.envelope(event)).status_code == 200

    assert slack.answer_to(open_event).params["thread_ts"] == open_event["ts"]
    slack.drain()
    assert slack.api.calls_to("chat.postMessage", channel=GENERAL) == []


def test_oversized_requests_are_refused_before_reading(slack: SlackHarness) -> None:
    response = slack.signed_post("/slack/events", "x" * 1_100_000, "application/json")
    assert response.status_code == 413


def test_secrets_never_reach_the_logs(slack: SlackHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    event = slack.mention(GARTNER_EN)
    answer = slack.answer_to(event)
    slack.click("feedback_helpful", answer)
    slack.signed_post("/slack/events", json.dumps(slack.envelope(event)), "application/json", secret="bad")
    slack.drain()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "standin.slack.com" in logged or "chat.postMessage" in logged  # debug logging was on
    assert BOT_TOKEN not in logged and SIGNING_SECRET not in logged
