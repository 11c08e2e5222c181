"""Load drivers shared by the short reliability run (make test) and the long stress run (make bench).

One real server holds both front ends, as ``assistant serve`` does with a Slack signing secret: the
JSON and OpenAI APIs and the Slack endpoints share one ``Assistant`` and one feedback store. Web
sessions ask (with their own history), rate every answer with a unique comment; Slack sessions
mention the bot, follow up in the thread, and click a feedback button on every answer. Every
request that is not answered as it should be is an error, and afterwards every feedback row sent
must be in the store.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import yaml
from fastapi import FastAPI
from slack_sdk.signature import SignatureVerifier

from assistant.api import Assistant
from assistant.settings import PROJECT_ROOT, Settings
from assistant.storage.feedback import FeedbackStore
from tests.slack.standin import BOT_TOKEN, BOT_USER_ID, TEAM_ID, SlackStandIn
from tests.web.conftest import serve, web_settings

SIGNING_SECRET = "load-test-signing-secret-5f2c"
ANSWER_TIMEOUT_S = 120.0
_THANKS = ("Thanks, your feedback was recorded", "Merci, votre avis a été enregistré")


def questions() -> list[str]:
    """The golden set's single-turn questions: English and French, answerable and not."""
    records = yaml.safe_load((PROJECT_ROOT / "evals" / "golden.yaml").read_text(encoding="utf-8"))
    return [r["question"] for r in records if not r.get("history")]


@dataclass
class Stack:
    url: str
    settings: Settings
    app: FastAPI
    slack_api: SlackStandIn

    @property
    def store(self) -> FeedbackStore:
        store: FeedbackStore = self.app.state.web.store
        return store

    @property
    def assistant(self) -> Assistant:
        assistant: Assistant = self.app.state.web.assistant
        return assistant


@contextmanager
def stack(tmp: Path, assistant: Assistant, **overrides: Any) -> Iterator[Stack]:
    """The web server with the Slack endpoints mounted, the bot talking to a Slack stand-in."""
    slack_api = SlackStandIn().start()
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": slack_api.base_url,
        # the load comes from a few simulated people asking often: rate limits are not what is measured
        "slack_user_rate_limit": 1_000_000, "slack_channel_rate_limit": 1_000_000,
        **overrides,
    }
    settings = web_settings(tmp, assistant.settings.index_dir, **values)
    try:
        with serve(settings, assistant) as server:
            try:
                yield Stack(url=server.url, settings=settings, app=server.app, slack_api=slack_api)
            finally:
                server.app.state.slack_bot.close(wait=True)
    finally:
        slack_api.stop()


@dataclass
class Tally:
    """What one front end's sessions did, shared by their threads."""

    name: str
    clients: int
    duration_s: float = 0.0
    requests: int = 0
    answers: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)  # a unique mark per feedback row sent
    acks_ms: list[float] = field(default_factory=list)  # Slack: how long the event's 200 took (limit 3 s)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def request(self, latency_ms: float | None = None) -> None:
        with self._lock:
            self.requests += 1
            if latency_ms is not None:
                self.latencies_ms.append(latency_ms)

    def error(self, what: str) -> None:
        with self._lock:
            self.errors.append(what[:300])

    def answered(self, mark: str | None = None) -> None:
        with self._lock:
            self.answers += 1
            if mark is not None:
                self.feedback.append(mark)

    def percentile(self, share: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies_ms if values is None else values)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]

    def summary(self) -> str:
        return (f"{self.name}: {self.clients} clients for {self.duration_s:.0f} s, {self.requests} requests, "
                f"{self.answers} answers, {len(self.feedback)} feedback rows, {len(self.errors)} errors, "
                f"p50 {self.percentile(0.5):.0f} ms, p95 {self.percentile(0.95):.0f} ms"
                + (f", event ack p95 {self.percentile(0.95, self.acks_ms):.0f} ms, max {max(self.acks_ms):.0f} ms"
                   if self.acks_ms else ""))


def _check_answer(body: dict[str, Any]) -> str | None:
    if not body.get("answer"):
        return "empty answer"
    # An answer cites; a refusal cites only the nearby passages it names ("the corpus has nothing on
    # the Philippines; it has passages on India: ... [1]"). Either way every marker is a citation.
    cited = {c["n"] for c in body["citations"]}
    if not body["refused"] and not cited:
        return "an answer without citations"
    if {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])} != cited:
        return "markers and citations disagree"
    return None


def web_session(url: str, number: int, deadline: float, tally: Tally, pool: list[str]) -> None:
    """One person on the HTTP APIs: a conversation with follow-ups, every answer rated."""
    history: list[dict[str, str]] = []
    with httpx.Client(base_url=url, timeout=ANSWER_TIMEOUT_S, trust_env=False) as http:
        for turn in itertools.count():
            if time.monotonic() >= deadline:
                return
            question = pool[(number * 7 + turn) % len(pool)]
            started = time.perf_counter()
            try:
                if turn % 4 == 3:  # an OpenAI-style client now and then
                    messages = [*history[-4:], {"role": "user", "content": question}]
                    response = http.post("/v1/chat/completions", json={"messages": messages})
                else:
                    response = http.post("/api/ask", json={"question": question, "history": history[-4:]})
            except httpx.HTTPError as error:
                tally.request()
                tally.error(f"web {number}: {error.__class__.__name__} {error}")
                continue
            tally.request((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                tally.error(f"web {number}: {response.status_code} {response.text}")
                continue
            if turn % 4 == 3:
                text = response.json()["choices"][0]["message"]["content"]
                tally.answered() if text else tally.error(f"web {number}: empty completion")
                history += [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
                continue
            body = response.json()
            problem = _check_answer(body)
            if problem:
                tally.error(f"web {number}: {problem}")
                continue
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": body["answer"]}]
            mark = f"load web {number} turn {turn}"
            rated = http.post("/api/feedback", json={
                "rating": 1 if turn % 2 else -1, "question": question, "answer": body["answer"],
                "citations": body["citations"], "comment": mark,
                "turn_id": int(response.headers.get("X-Turn-Id", "0")) or None})
            tally.request()
            if rated.status_code != 201:
                tally.error(f"web {number}: feedback {rated.status_code} {rated.text}")
                tally.answered()
                continue
            tally.answered(mark)


class SlackClient:
    """Signed requests to the Slack endpoints, as Slack's servers send them."""

    def __init__(self, url: str, api: SlackStandIn) -> None:
        # A new connection per request, as Slack's servers make them: a kept-alive connection that the
        # server closes after its idle timeout (an answer can take longer) would race with the next request.
        self.http = httpx.Client(base_url=url, timeout=30, trust_env=False,
                                 limits=httpx.Limits(max_keepalive_connections=0))
        self.api = api

    def close(self) -> None:
        self.http.close()

    def post(self, path: str, body: str, content_type: str) -> httpx.Response:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return self.http.post(path, content=body.encode(), headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature})

    def mention(self, channel: str, user: str, text: str, thread_ts: str | None) -> tuple[dict[str, Any],
                                                                                          httpx.Response]:
        ts = self.api.next_ts()
        event: dict[str, Any] = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}",
                                 "ts": ts, "channel": channel, "team": TEAM_ID}
        if thread_ts:
            event["thread_ts"] = thread_ts
        self.api.add_message(channel, event)
        event_id = f"Ev{uuid.uuid4().hex[:20].upper()}"  # unique across sessions: repeats are skipped
        envelope = {"type": "event_callback", "team_id": TEAM_ID, "api_app_id": "A0APP001", "event": event,
                    "event_id": event_id, "event_time": int(time.time())}
        return event, self.post("/slack/events", json.dumps(envelope), "application/json")

    def click(self, answer: Any, user: str, action_id: str) -> httpx.Response:
        button = next(e for b in answer.params["blocks"] if b["type"] == "actions" for e in b["elements"]
                      if e["action_id"] == action_id)
        payload = {"type": "block_actions", "user": {"id": user}, "channel": {"id": answer.params["channel"]},
                   "container": {"message_ts": answer.response["ts"], "channel_id": answer.params["channel"],
                                 "thread_ts": answer.params["thread_ts"]},
                   "actions": [{"action_id": action_id, "value": button["value"]}]}
        return self.post("/slack/interactions", urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")


def slack_session(url: str, api: SlackStandIn, number: int, deadline: float, tally: Tally,
                  pool: list[str]) -> None:
    """One person in their own channel: mentions, a follow-up in the thread every third time, a click each."""
    user, channel = f"U0LOAD{number:03d}", f"C0LOAD{number:03d}"
    slack = SlackClient(url, api)
    thread: str | None = None
    try:
        for turn in itertools.count():
            if time.monotonic() >= deadline:
                return
            question = pool[(number * 5 + turn) % len(pool)]
            follow_up = thread if turn % 3 == 2 else None
            answered_before = len(api.calls_to("chat.postMessage", channel=channel, thread_ts=follow_up)) \
                if follow_up else 0
            started = time.perf_counter()
            try:
                event, response = slack.mention(channel, user, question, follow_up)
            except httpx.HTTPError as error:
                tally.request()
                tally.error(f"slack {number}: {error.__class__.__name__} {error}")
                continue
            if response.status_code != 200:
                tally.request()
                tally.error(f"slack {number}: event {response.status_code} {response.text}")
                continue
            with tally._lock:
                tally.acks_ms.append((time.perf_counter() - started) * 1000)
            thread_ts = follow_up or event["ts"]
            try:
                answer = api.wait_for("chat.postMessage", count=answered_before + 1, channel=channel,
                                      thread_ts=thread_ts, timeout=ANSWER_TIMEOUT_S)[-1]
            except AssertionError:
                tally.request()
                seen = [(c.method, str(c.params.get("thread_ts")), str(c.params.get("text", ""))[:60])
                        for c in api.calls if c.params.get("channel") == channel][-3:]
                tally.error(f"slack {number}: no answer to {question[:40]!r} in {thread_ts}; last calls {seen}")
                continue
            tally.request((time.perf_counter() - started) * 1000)
            actions = [b for b in answer.params["blocks"] if b["type"] == "actions"]
            if not any(str(b.get("block_id", "")).startswith("answer-") for b in answer.params["blocks"]) \
                    or not actions:
                tally.error(f"slack {number}: not an answer with buttons: {answer.params.get('text', '')[:120]}")
                continue
            thread = thread_ts
            thanked_before = _thanks(api, channel, user)
            try:
                clicked = slack.click(answer, user, "feedback_helpful" if turn % 2 else "feedback_not_helpful")
            except httpx.HTTPError as error:
                tally.request()
                tally.error(f"slack {number}: click {error.__class__.__name__} {error}")
                tally.answered()
                continue
            tally.request()
            if clicked.status_code != 200:
                tally.error(f"slack {number}: click {clicked.status_code}")
                tally.answered()
                continue
            if not _wait(lambda before=thanked_before: _thanks(api, channel, user) > before):  # type: ignore[misc]
                tally.error(f"slack {number}: no thanks for the click on {answer.response['ts']}")
                tally.answered()
                continue
            turn_id = json.loads(actions[0]["elements"][0]["value"])["turn"]
            tally.answered(f"{user}:{turn_id}")
    finally:
        slack.close()


def _thanks(api: SlackStandIn, channel: str, user: str) -> int:
    return sum(1 for c in api.calls_to("chat.postEphemeral", channel=channel, user=user)
               if str(c.params.get("text", "")).startswith(_THANKS))


def _wait(condition: Callable[[], bool], timeout: float = ANSWER_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@dataclass
class LoadRun:
    web: Tally
    slack: Tally
    feedback_rows: int
    turn_rows: int

    def summary(self) -> str:
        return f"{self.web.summary()}\n{self.slack.summary()}"


def run_load(target: Stack, web_clients: int, slack_clients: int, duration_s: float,
             during: Callable[[], None] | None = None) -> LoadRun:
    """Both front ends under load at once for ``duration_s``; ``during`` runs once, mid-way."""
    pool = questions()
    feedback_before, turns_before = target.store.count(), target.store.count("turns")
    web, slack = Tally("web API", web_clients), Tally("Slack", slack_clients)
    started = time.monotonic()
    deadline = started + duration_s
    threads = [threading.Thread(target=web_session, args=(target.url, n, deadline, web, pool), daemon=True)
               for n in range(web_clients)]
    threads += [threading.Thread(target=slack_session, args=(target.url, target.slack_api, n, deadline, slack, pool),
                                 daemon=True) for n in range(slack_clients)]
    for thread in threads:
        thread.start()
    if during is not None:
        time.sleep(duration_s / 3)
        during()
    for thread in threads:
        thread.join(duration_s + 2 * ANSWER_TIMEOUT_S)
        assert not thread.is_alive(), "a session is stuck"
    web.duration_s = slack.duration_s = time.monotonic() - started
    target.app.state.slack_bot.close(wait=True)  # every Slack answer and click handled
    return LoadRun(web=web, slack=slack, feedback_rows=target.store.count() - feedback_before,
                   turn_rows=target.store.count("turns") - turns_before)


def check_nothing_lost(run: LoadRun, store: FeedbackStore) -> None:
    """Zero errors, and every feedback row and every answered turn is in the store."""
    assert run.web.errors == [], run.web.errors[:5]
    assert run.slack.errors == [], run.slack.errors[:5]
    assert run.web.answers > 0 and run.slack.answers > 0
    sent = len(run.web.feedback) + len(run.slack.feedback)
    assert run.feedback_rows == sent, f"{run.feedback_rows} feedback rows stored, {sent} sent"
    rows = store.feedback()
    comments = {r["comment"] for r in rows if r["channel"] == "api"}
    assert set(run.web.feedback) <= comments, "a web feedback row is missing"
    slack_rows = {f"{r['user']}:{r['turn_id']}" for r in rows if r["channel"] == "slack"}
    assert set(run.slack.feedback) <= slack_rows, "a Slack feedback row is missing"
    assert run.turn_rows == run.web.answers + run.slack.answers, (
        f"{run.turn_rows} turns logged for {run.web.answers + run.slack.answers} answers")
