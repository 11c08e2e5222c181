"""Secrets never reach the logs or the stored data, even with every logger at DEBUG.

One server holds every kind of secret at once (LLM key, Slack tokens and signing secret, web
passwords), is driven through each path that touches one (login, Basic and Bearer auth, an LLM call
and its failure, an upload, a signed Slack event and button click, a forged Slack request), and then
everything it logged or printed, and everything it stored, is searched for them.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from slack_sdk.signature import SignatureVerifier

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.web.server import create_app
from tests.evaluation.openai_standin import Reply, running
from tests.slack.standin import BOT_TOKEN, BOT_USER_ID, TEAM_ID, SlackStandIn
from tests.support import hashed_users
from tests.web.conftest import web_settings

pytestmark = pytest.mark.security

LLM_KEY = "sk-test-logcheck-0123456789abcdef"
APP_TOKEN = "xapp-1-A0LOG-5555-app-token-logcheck"
SIGNING_SECRET = "signing-secret-logcheck-77aa"
PASSWORD = "alice-password-logcheck"
GARTNER = "What share of companies cut customer-service staff because of AI, according to Gartner?"


@contextmanager
def debug_server(settings: Settings, assistant: Assistant) -> Iterator[str]:
    """The app under uvicorn with its own loggers at DEBUG and the access log on."""
    app = create_app(settings, assistant)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="debug", access_log=True, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        app.state.slack_bot.close(wait=True)
        server.should_exit = True
        thread.join(15)
        sock.close()


def signed(body: str, secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def exercise(url: str, slack_api: SlackStandIn, upload_dir: Path) -> None:
    basic = {"Authorization": "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()}
    with httpx.Client(base_url=url, timeout=180, trust_env=False) as http:
        assert http.post("/login", data={"username": "alice", "password": PASSWORD}).status_code == 200
        assert http.post("/login", data={"username": "alice", "password": PASSWORD + "x"}).status_code >= 400
        assert http.get("/config").status_code == 200
        asked = http.post("/api/ask", json={"question": GARTNER}, headers=basic)
        assert asked.status_code == 200 and asked.json()["mode"] != "extractive", asked.text
        failed = http.post("/api/ask", json={"question": "Gartner survey: how many leaders? FAIL"}, headers=basic)
        assert failed.status_code == 200 and failed.json()["mode"] == "extractive"  # the LLM said 500
        assert http.post("/v1/chat/completions", headers={"Authorization": f"Bearer alice:{PASSWORD}"},
                         json={"messages": [{"role": "user", "content": GARTNER}]}).status_code == 200
        assert http.post("/api/ask", json={"question": GARTNER},
                         headers={"Authorization": "Bearer alice:wrong-" + PASSWORD}).status_code == 401
        assert http.post("/api/feedback", headers=basic, json={
            "rating": 1, "question": GARTNER, "answer": asked.json()["answer"]}).status_code == 201
        uploaded = http.post("/api/admin/upload", headers=basic, files={"file": (
            "log-note.md", b"# Log note\n\nThe Log pilot moved 7 agents to reviewing AI answers.\n")})
        assert uploaded.status_code == 201, uploaded.text

        ts = slack_api.next_ts()
        event = {"type": "app_mention", "user": "U0ALICE1", "text": f"<@{BOT_USER_ID}> {GARTNER}", "ts": ts,
                 "channel": "C0GENERAL", "team": TEAM_ID}
        slack_api.add_message("C0GENERAL", event)
        envelope = json.dumps({"type": "event_callback", "team_id": TEAM_ID, "event": event,
                               "event_id": "Ev0LOG0001", "event_time": int(time.time())})
        headers = {"Content-Type": "application/json"}
        assert http.post("/slack/events", content=envelope, headers={**headers, **signed(envelope)}).status_code == 200
        answer = slack_api.final_answer("C0GENERAL", ts)  # the LLM's draft, then the checked answer
        button = next(e for b in answer.params["blocks"] if b["type"] == "actions" for e in b["elements"])
        click = urlencode({"payload": json.dumps({
            "type": "block_actions", "user": {"id": "U0ALICE1"}, "channel": {"id": "C0GENERAL"},
            "container": {"message_ts": answer.response["ts"], "channel_id": "C0GENERAL", "thread_ts": ts},
            "actions": [{"action_id": button["action_id"], "value": button["value"]}]})})
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        assert http.post("/slack/interactions", content=click, headers={**form, **signed(click)}).status_code == 200
        slack_api.wait_for("chat.postEphemeral", user="U0ALICE1", thread_ts=ts)
        forged = http.post("/slack/events", content=envelope, headers={**headers, **signed(envelope, "guess")})
        assert forged.status_code == 401


def test_no_secret_is_logged_printed_or_stored(tmp_path: Path, corpus_settings: Settings,
                                               assistant: Assistant,  # builds the corpus index
                                               caplog: pytest.LogCaptureFixture,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)

    def model(request: dict[str, Any]) -> Reply:
        if "FAIL" in json.dumps(request):
            return Reply(status=500)
        return Reply("Only 20% of customer service leaders cut agent staff because of AI [1].")

    slack_api = SlackStandIn().start()
    try:
        with running(model) as llm:
            settings = web_settings(
                tmp_path, corpus_settings.index_dir, llm="openai-compatible:logcheck", llm_base_url=llm.base_url,
                llm_api_key=LLM_KEY, slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN,
                slack_signing_secret=SIGNING_SECRET, slack_api_base_url=slack_api.base_url,
                web_users=hashed_users(f"alice:{PASSWORD}"), web_admins="alice")
            with debug_server(settings, Assistant(settings)) as url:
                exercise(url, slack_api, settings.upload_dir)
            assert llm.requests, "the LLM was never called, so its key was never used"
    finally:
        slack_api.stop()

    printed = capfd.readouterr()
    logged = "\n".join([caplog.text, printed.out, printed.err,
                        *(f"{record.args!r} {record.exc_text or ''}" for record in caplog.records)])
    assert "POST /api/ask" in logged and "DEBUG" in caplog.text  # DEBUG and access logs were captured
    assert any(record.name.startswith(("openai", "httpcore", "slack")) for record in caplog.records)
    stored = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    for secret in (LLM_KEY, BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, PASSWORD,
                   base64.b64encode(f"alice:{PASSWORD}".encode()).decode()):
        assert secret not in logged, f"{secret[:12]}... was logged"
        assert secret.encode() not in stored, f"{secret[:12]}... was stored"
