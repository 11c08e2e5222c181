"""The Slack harness: the stand-in Web API, the bot mounted on a bare FastAPI app, signed requests."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from slack_sdk.signature import SignatureVerifier

from assistant.models import Answer, AnswerStream, Asker, Turn
from assistant.settings import Settings
from assistant.slack.app import SlackBot
from assistant.slack.http import mount
from assistant.storage.feedback import FeedbackStore
from tests.slack.standin import BOT_TOKEN, BOT_USER_ID, TEAM_ID, Call, SlackStandIn
from tests.support import make_settings

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ALICE, BOB, CAROL = "U0ALICE1", "U0BOB001", "U0CAROL1"
GENERAL = "C0GENERAL"
_SLACK_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "HTTP_PROXY", "HTTPS_PROXY",
              "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer token leaks in, and the stand-in on loopback is never reached through a proxy."""
    for name in _SLACK_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack_api() -> Iterator[SlackStandIn]:
    api = SlackStandIn().start()
    yield api
    api.stop()


def slack_settings(tmp_path: Path, api: SlackStandIn, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": api.base_url,
    }
    values.update(overrides)
    return make_settings(tmp_path, **values)


class RecordingAsker:
    """The real assistant, with every question and history it was given written down."""

    def __init__(self, inner: Asker) -> None:
        self.inner = inner
        self.asked: list[tuple[str, list[Turn]]] = []

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        self.asked.append((question, list(history or [])))
        return self.inner.ask(question, history)

    def ask_stream(self, question: str, history: list[Turn] | None = None) -> AnswerStream:
        self.asked.append((question, list(history or [])))
        return self.inner.ask_stream(question, history)

    def workflow(self) -> Any:
        """The real assistant's briefs, so answers offer "Export brief" as they do in production."""
        return self.inner.workflow()  # type: ignore[attr-defined]


class LoopbackServer:
    """The FastAPI app served by uvicorn on 127.0.0.1 in a thread: real HTTP, real headers."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="slack-uvicorn", daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@dataclass
class SlackHarness:
    api: SlackStandIn
    client: httpx.Client
    bot: SlackBot
    store: FeedbackStore
    settings: Settings
    _ids: Iterator[int]

    # -- signed requests -----------------------------------------------------------------
    def signed_post(self, path: str, body: str, content_type: str, *, secret: str = SIGNING_SECRET,
                    timestamp: int | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                       "X-Slack-Signature": signature, **(headers or {})}
        return self.client.post(path, content=body.encode(), headers=all_headers)


    def envelope(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "legacy-verification-token", "team_id": TEAM_ID, "api_app_id": "A0APP001",
            "type": "event_callback", "event": event,
            "event_id": event_id or f"Ev{next(self._ids):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }

    def post_event(self, envelope: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.signed_post("/slack/events", json.dumps(envelope), "application/json", **kwargs)

    def post_action(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.signed_post("/slack/interactions", body, "application/x-www-form-urlencoded", **kwargs)

    # -- people writing ------------------------------------------------------------------
    def say(self, text: str, *, channel: str = GENERAL, user: str = ALICE, thread_ts: str | None = None,
            kind: str = "app_mention", channel_type: str = "channel",
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """A message as Slack would deliver it, also stored in the stand-in's copy of the thread."""
        ts = self.api.next_ts()
        event: dict[str, Any] = {"type": kind, "user": user, "text": text, "ts": ts, "event_ts": ts,
                                 "channel": channel, "team": TEAM_ID, **(extra or {})}
        if kind == "message":
            event["channel_type"] = channel_type
        if thread_ts:
            event["thread_ts"] = thread_ts
        self.api.add_message(channel, {k: v for k, v in event.items() if k != "event_ts"})
        return event

    def mention(self, question: str, **kwargs: Any) -> dict[str, Any]:
        event = self.say(f"<@{BOT_USER_ID}> {question}", **kwargs)
        assert self.post_event(self.envelope(event)).status_code == 200
        return event

    def direct_message(self, question: str, user: str = ALICE, **kwargs: Any) -> dict[str, Any]:
        event = self.say(question, channel=f"D0{user[2:]}", user=user, kind="message",
                         channel_type="im", **kwargs)
        assert self.post_event(self.envelope(event)).status_code == 200
        return event

    def click(self, action_id: str, answer: Call, user: str = ALICE) -> httpx.Response:
        """Click a button of a posted answer, with the payload Slack sends for block_actions."""
        button = next(element for block in answer.params["blocks"] if block["type"] == "actions"
                      for element in block["elements"] if element["action_id"] == action_id)
        channel = answer.params["channel"]
        message_ts = answer.response.get("ts") or answer.response.get("message_ts")
        payload = {
            "type": "block_actions", "token": "legacy-verification-token", "api_app_id": "A0APP001",
            "trigger_id": "1337.42.abcdef",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "team": {"id": TEAM_ID, "domain": "standin"},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": False, "thread_ts": answer.params.get("thread_ts")},
            "channel": {"id": channel, "name": "general"},
            "message": {"type": "message", "user": BOT_USER_ID, "ts": message_ts,
                        "thread_ts": answer.params.get("thread_ts"), "text": answer.params["text"],
                        "blocks": answer.params["blocks"]},
            "response_url": "https://hooks.slack.invalid/actions/T0TEST01/1/x",
            "actions": [{"type": "button", "action_id": action_id, "block_id": "feedback",
                         "value": button["value"], "action_ts": str(time.time())}],
        }
        return self.post_action(payload)

    # -- what the bot did ----------------------------------------------------------------
    def answer_to(self, event: dict[str, Any], timeout: float = 120.0) -> Call:
        """The one chat.postMessage in the thread of ``event``."""
        thread = event.get("thread_ts") or event["ts"]
        return self.api.wait_for("chat.postMessage", channel=event["channel"], thread_ts=thread,
                                 timeout=timeout)[-1]

    def drain(self) -> None:
        """Wait until every question handed to the bot has been answered."""
        self.bot.close(wait=True)


HarnessFactory = Callable[..., SlackHarness]


@pytest.fixture
def make_harness(tmp_path: Path, slack_api: SlackStandIn) -> Iterator[HarnessFactory]:
    harnesses: list[tuple[SlackHarness, LoopbackServer]] = []

    def build(asker: Asker, **overrides: Any) -> SlackHarness:
        settings = slack_settings(tmp_path, slack_api, **overrides)
        store = FeedbackStore(settings.feedback_db, settings.answer_fingerprint())
        web = FastAPI()
        mount(web, asker, store, settings)
        server = LoopbackServer(web)
        client = httpx.Client(base_url=server.start(), timeout=30, trust_env=False)
        harness = SlackHarness(api=slack_api, client=client, bot=web.state.slack_bot,
                               store=store, settings=settings, _ids=itertools.count(1))
        harnesses.append((harness, server))
        return harness

    yield build
    for harness, server in harnesses:
        harness.drain()
        harness.client.close()
        server.stop()


@pytest.fixture
def slack(make_harness: HarnessFactory, assistant: Asker) -> SlackHarness:
    """The bot over the real corpus and the default configuration."""
    return make_harness(assistant)


def block_texts(blocks: list[dict[str, Any]], kind: str | None = None) -> list[str]:
    """Every mrkdwn/plain text in the blocks (of one block type when ``kind`` is given)."""
    texts: list[str] = []
    for block in blocks:
        if kind and block["type"] != kind:
            continue
        if "text" in block:
            texts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text")
            texts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return texts

