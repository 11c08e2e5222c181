"""A running ``assistant serve`` whose PostgreSQL, Redis or Chroma server is stopped and started again.

While a server is down, what needs it gets a 503 with one plain sentence (the API), a note in the chat
(the page) or a private message (Slack), never a 500 or a traceback; the health endpoint names the
server; what does not need it goes on. When the server is back the replica recovers by itself, and
every write it acknowledged (a feedback id, a turn id in ``X-Turn-Id``) is in the database afterwards,
while what it refused with 503 is not.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from assistant.api import Assistant
from assistant.storage.feedback import FeedbackStore
from assistant.storage.schema import turns
from assistant.web.context import WebContext
from assistant.web.conversations import ConversationHandlers
from assistant.web.owner import COOKIE
from assistant.web.ui import PageHandlers
from tests.index.test_chroma_server import start_chroma
from tests.replicas.conftest import Replica, prepare_replica_folder, replica_env, start_replica, wait_healthy
from tests.servers import PostgresServer, RedisServer, free_port, postgres, redis_server
from tests.slack.standin import SlackStandIn
from tests.stress.load import SlackClient
from tests.support import make_settings

pytestmark = [pytest.mark.replicas, pytest.mark.reliability, pytest.mark.postgres, pytest.mark.redis]

KENYA = "How many people work in Kenya's BPO sector?"
DATABASE_DOWN = "The database is not reachable right now; please try again in a few minutes."
REDIS_DOWN = "The shared Redis server is not reachable right now; please try again in a few minutes."
CHROMA_DOWN = "The document index (the Chroma server) is not reachable right now; please try again in a few minutes."
_RECOVERY_S = 30


@dataclass
class Chroma:
    port: int
    data: Path
    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def start(self) -> None:
        self.process = start_chroma(self.data, self.port)


@dataclass
class Outages:
    replica: Replica
    postgres: PostgresServer
    redis: RedisServer
    chroma: Chroma
    database_url: str
    slack_api: SlackStandIn
    tmp: Path
    acknowledged: dict[str, int] = field(default_factory=dict)  # feedback comment -> id the replica gave
    refused: list[str] = field(default_factory=list)  # feedback comments answered with 503
    turn_ids: list[int] = field(default_factory=list)  # X-Turn-Id headers the replica sent

    def health(self, http: httpx.Client) -> httpx.Response:
        return http.get(f"{self.replica.url}/api/health")

    def ask(self, http: httpx.Client, question: str = KENYA) -> httpx.Response:
        answer = http.post(f"{self.replica.url}/api/ask", json={"question": question})
        if answer.status_code == 200 and "X-Turn-Id" in answer.headers:
            self.turn_ids.append(int(answer.headers["X-Turn-Id"]))
        return answer

    def rate(self, http: httpx.Client, when: str) -> httpx.Response:
        comment = f"{when} {uuid.uuid4().hex[:8]}"
        response = http.post(f"{self.replica.url}/api/feedback",
                             json={"rating": -1, "question": KENYA, "answer": "an answer", "comment": comment})
        if response.status_code == 201:
            self.acknowledged[comment] = response.json()["id"]
        else:
            self.refused.append(comment)
        return response

    def log(self) -> str:
        return self.replica.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def outages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outages]:
    tmp = tmp_path_factory.mktemp("outages")
    corpus = prepare_replica_folder(tmp)
    chroma = Chroma(free_port(), tmp / "chroma-data")
    chroma.start()
    slack_api = SlackStandIn().start()
    replica: Replica | None = None
    try:
        with postgres() as pg, redis_server() as redis:
            database_url = pg.new_database("outages")
            env = replica_env(tmp, chroma.port, database_url, redis.url(), slack_api)
            Assistant(make_settings(tmp / "ingest", corpus_dir=corpus, upload_dir=tmp / "uploads",
                                    chroma_host="127.0.0.1", chroma_port=chroma.port)).ingest()
            replica = start_replica("a", tmp, env)
            wait_healthy(replica)
            yield Outages(replica, pg, redis, chroma, database_url, slack_api, tmp)
            replica.stop()
    finally:
        if replica is not None:
            replica.stop()
        slack_api.stop()
        chroma.stop()


def until(condition: Any, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; the recovery takes no restart, only time."""
    deadline = time.monotonic() + _RECOVERY_S
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.25)
    raise AssertionError(f"no recovery: {what}")


def slack_notes(slack: SlackClient, channel: str, user: str) -> list[str]:
    return [str(c.params.get("text", "")) for c in slack.api.calls_to("chat.postEphemeral", channel=channel,
                                                                           user=user)]


def slack_answer(slack: SlackClient, channel: str, thread: str) -> Any:
    calls = slack.api.wait_for("chat.postMessage", channel=channel, thread_ts=thread)
    return calls[-1]


def test_all_up_health_lists_every_shared_server(outages: Outages) -> None:
    with httpx.Client(timeout=60, trust_env=False) as http:
        health = outages.health(http)
    assert health.status_code == 200
    assert health.json()["dependencies"] == {"database": "up", "redis": "up", "chroma": "up"}


def test_the_database_going_down_and_coming_back(outages: Outages) -> None:
    slack = SlackClient(outages.replica.url, outages.slack_api)
    with httpx.Client(timeout=120, trust_env=False) as http:
        assert outages.ask(http).status_code == 200 and outages.turn_ids
        assert outages.rate(http, "before the database outage").status_code == 201
        event, _ = slack.mention("C0DBDOWN1", "U0DBDOWN1", KENYA, None)
        answered = slack_answer(slack, "C0DBDOWN1", event["ts"])  # logged: it carries the buttons
        turns_before = len(outages.turn_ids)

        outages.postgres.stop()
        try:
            refused = outages.rate(http, "while the database is down")
            assert refused.status_code == 503 and refused.json() == {"error": DATABASE_DOWN}
            health = outages.health(http)
            assert health.status_code == 503
            assert health.json() == {"status": "degraded",
                                     "dependencies": {"database": "down", "redis": "up", "chroma": "up"}}
            # answering needs no database: the answer comes, without a turn id (nothing is acknowledged)
            answer = outages.ask(http)
            assert answer.status_code == 200 and not answer.json()["refused"]
            assert "X-Turn-Id" not in answer.headers and len(outages.turn_ids) == turns_before
            # a Slack button on an earlier answer: a private sentence, nothing recorded
            assert slack.click(answered, "U0DBDOWN1", "feedback_helpful").status_code == 200
            note = "I cannot reach my database right now; please try again in a few minutes."
            until(lambda: note in slack_notes(slack, "C0DBDOWN1", "U0DBDOWN1"), "the Slack note")
        finally:
            outages.postgres.start()

        until(lambda: outages.health(http).status_code == 200, "health after the database restarted")
        assert outages.rate(http, "after the database outage").status_code == 201
        assert outages.ask(http).status_code == 200 and len(outages.turn_ids) == turns_before + 1
        assert slack.click(answered, "U0DBDOWN1", "feedback_helpful").status_code == 200
        until(lambda: any(n.startswith("Thanks") for n in slack_notes(slack, "C0DBDOWN1", "U0DBDOWN1")),
              "the Slack click after the database restarted")
    slack.close()
    assert_nothing_acknowledged_is_lost(outages)


def test_redis_going_down_and_coming_back(outages: Outages) -> None:
    document = ("---\nid: tuvalu-contact-centres\ntitle: Tuvalu contact centres\nlanguage: en\n---\n\n"
                "# Tuvalu contact centres\n\nFunafuti's contact centres employed 1,234 agents in 2025.\n")
    upload = {"file": ("tuvalu.md", document.encode(), "text/markdown")}
    with httpx.Client(timeout=120, trust_env=False) as http:
        outages.redis.stop()
        try:
            health = outages.health(http)
            assert health.status_code == 503
            assert health.json() == {"status": "degraded",
                                     "dependencies": {"database": "up", "redis": "down", "chroma": "up"}}
            # rate limits and Slack de-duplication let requests through; the ingest lock cannot be taken
            assert outages.ask(http).status_code == 200
            assert outages.rate(http, "while Redis is down").status_code == 201
            refused = http.post(f"{outages.replica.url}/api/admin/upload", files=upload)
            assert refused.status_code == 503 and refused.json() == {"error": REDIS_DOWN}
        finally:
            outages.redis.start()
        until(lambda: outages.health(http).status_code == 200, "health after Redis restarted")
        uploaded = http.post(f"{outages.replica.url}/api/admin/upload", files=upload)
        assert uploaded.status_code == 201, uploaded.text
    assert_nothing_acknowledged_is_lost(outages)


def test_the_chroma_server_going_down_and_coming_back(outages: Outages) -> None:
    slack = SlackClient(outages.replica.url, outages.slack_api)
    completion = {"messages": [{"role": "user", "content": KENYA}]}
    with httpx.Client(timeout=120, trust_env=False) as http:
        outages.chroma.stop()
        try:
            time.sleep(1.1)  # past the replica's re-reading of the live pointer
            refused = outages.ask(http)
            assert refused.status_code == 503 and refused.json() == {"error": CHROMA_DOWN}
            openai = http.post(f"{outages.replica.url}/v1/chat/completions", json=completion)
            assert openai.status_code == 503
            assert openai.json() == {"error": {"message": CHROMA_DOWN, "type": "service_unavailable", "code": 503}}
            streamed = http.post(f"{outages.replica.url}/v1/chat/completions", json={**completion, "stream": True})
            assert streamed.status_code == 503 and streamed.json()["error"]["message"] == CHROMA_DOWN
            health = outages.health(http)
            assert health.status_code == 503
            assert health.json() == {"status": "degraded",
                                     "dependencies": {"database": "up", "redis": "up", "chroma": "down"}}
            assert outages.rate(http, "while Chroma is down").status_code == 201  # feedback needs no index
            slack.mention("C0CHDOWN1", "U0CHDOWN1", KENYA, None)
            note = "I cannot reach the document index right now; please try again in a few minutes."
            until(lambda: note in slack_notes(slack, "C0CHDOWN1", "U0CHDOWN1"), "the Slack note")
        finally:
            outages.chroma.start()
        back = until(lambda: (r := outages.ask(http)).status_code == 200 and r, "an answer after Chroma restarted")
        assert not back.json()["refused"]
        assert outages.health(http).status_code == 200
    slack.close()
    assert_nothing_acknowledged_is_lost(outages)


def test_the_page_says_so_in_the_chat(outages: Outages) -> None:
    """The chat page of a process on the same servers: a plain note in the chat, the question kept."""
    settings = make_settings(outages.tmp / "page", chroma_host="127.0.0.1", chroma_port=outages.chroma.port,
                             database_url=outages.database_url, redis_url=outages.redis.url())
    ctx = WebContext.build(settings)
    handlers = PageHandlers(ctx)
    try:
        outages.chroma.stop()
        try:
            time.sleep(1.1)
            outputs = list(handlers.ask(KENYA, [], None))  # type: ignore[arg-type]
        finally:
            outages.chroma.start()
        _, kept, entries, *_ = outputs[-1]
        assert kept == KENYA and entries[-1]["kind"] == "error"
        assert CHROMA_DOWN in entries[-1]["html"] and "127.0.0.1" not in entries[-1]["html"]
        back = until(lambda: (o := list(handlers.ask(KENYA, [], None)))[-1][2][-1]["kind"] == "turn" and o,  # type: ignore[arg-type]
                     "the page's answer after Chroma restarted")
        assert back[-1][2][-1]["turn_id"] is not None

        browser: Any = _Browser("b" * 43)
        outages.postgres.stop()
        try:
            listed = ConversationHandlers(ctx).listing(None, browser)
            answered = list(handlers.ask(KENYA, [], browser))
        finally:
            outages.postgres.start()
        assert DATABASE_DOWN in listed[2] and "127.0.0.1" not in listed[2]
        entry = answered[-1][2][-1]  # answered all the same, without a turn id to rate
        assert entry["kind"] == "turn" and entry["turn_id"] is None and not entry["refused"]
        until(lambda: ConversationHandlers(ctx).listing(None, browser)[2] != listed[2],
              "the conversation list after the database restarted")
    finally:
        ctx.store.close()


class _Browser:
    """What the page's handlers read of a Gradio request: the browser's cookie."""

    def __init__(self, token: str) -> None:
        self.cookies = {COOKIE: token}
        self.username = None
        self.headers: dict[str, str] = {}


def assert_nothing_acknowledged_is_lost(outages: Outages) -> None:
    store = FeedbackStore(outages.database_url, upgrade=False)
    try:
        stored = {row["comment"]: row["id"] for row in store.feedback()}
        with store.engine.connect() as db:
            logged = {int(i) for i in db.execute(select(turns.c.id)).scalars()}
    finally:
        store.close()
    assert {c: stored.get(c) for c in outages.acknowledged} == outages.acknowledged
    assert not set(outages.refused) & set(stored)
    assert set(outages.turn_ids) <= logged
    assert outages.replica.alive()  # the same process throughout: recovered without a restart
    assert "Traceback" not in outages.log(), outages.log()[-3000:]
    messages = [json.loads(line).get("message", "") for line in outages.log().splitlines() if line.startswith("{")]
    assert not [m for m in messages if m.startswith(("POST ", "GET ")) and " 500 " in m]
