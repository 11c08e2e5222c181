"""Faults as users meet them: through the web API and Slack, on one server with both front ends.

The core's behaviour is tested in tests/index/test_chroma_server.py and tests/evaluation/test_eval_llm_paths.py;
here the same faults must reach a person as a plain message (or a visible note), and pass.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from tests.evaluation.openai_standin import Reply, running
from tests.index.test_chroma_server import free_port, start_chroma
from tests.stress.load import SlackClient, stack
from tests.support import CORPUS, make_settings

pytestmark = pytest.mark.reliability

GARTNER = "What share of companies have actually cut customer-service staff because of AI, according to Gartner?"


def slack_reply(client: SlackClient, channel: str, question: str) -> str:
    """Mention the bot and return the text of whatever it posted back (answer or note)."""
    event, response = client.mention(channel, "U0FAULT01", question, None)
    assert response.status_code == 200
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for call in client.api.calls:
            if call.method.startswith("chat.post") and call.params.get("thread_ts") == event["ts"]:
                return str(call.params.get("text", ""))
        time.sleep(0.05)
    raise AssertionError("the bot said nothing")


@pytest.mark.parametrize(("reply", "reason"), [(Reply(status=502), "OpenAIAPIError"),
                                               (Reply("too late", delay_s=3.0), "OpenAITimeoutError")],
                         ids=["5xx", "timeout"])
def test_a_failing_llm_gives_the_extractive_answer_with_a_note_on_every_front_end(
        tmp_path: Path, corpus_settings: Settings, assistant: Assistant, reply: Reply, reason: str) -> None:
    with running(lambda request: reply) as llm:
        settings = make_settings(tmp_path / "llm", index_dir=corpus_settings.index_dir,
                                 llm="openai-compatible:failing", llm_base_url=llm.base_url, llm_timeout_s=1.0)
        with stack(tmp_path / "server", Assistant(settings)) as target, \
                httpx.Client(base_url=target.url, timeout=120, trust_env=False) as http:
            body = http.post("/api/ask", json={"question": GARTNER}).json()
            assert body["mode"] == "extractive" and body["citations"] and "20" in body["answer"]
            assert f"Note: the language model did not answer ({reason})" in body["answer"]
            assert any(reason in warning for warning in body["warnings"])
            completion = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": GARTNER}]})
            assert "the language model did not answer" in completion.json()["choices"][0]["message"]["content"]
            slack = SlackClient(target.url, target.slack_api)
            try:
                assert "the language model did not answer" in slack_reply(slack, "C0FAULTS1", GARTNER)
            finally:
                slack.close()
        assert llm.requests  # the model was really asked each time


def test_a_locked_feedback_store_delays_writes_but_loses_none(tmp_path: Path, assistant: Assistant) -> None:
    with stack(tmp_path, assistant) as target, httpx.Client(base_url=target.url, timeout=120,
                                                            trust_env=False) as http:
        before = target.store.count()
        blocker = sqlite3.connect(target.settings.feedback_db, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock, say a backup
        released = threading.Timer(2.0, blocker.execute, args=("COMMIT",))
        released.start()
        try:
            answer = http.post("/api/ask", json={"question": GARTNER})
            rated = http.post("/api/feedback", json={"rating": 1, "question": GARTNER, "comment": "while locked",
                                                     "answer": answer.json()["answer"]})
        finally:
            released.join()
            blocker.close()
        assert answer.status_code == 200 and not answer.json()["refused"]
        assert rated.status_code == 201, rated.text
        assert target.store.count() == before + 1
        assert any(row["comment"] == "while locked" for row in target.store.feedback())


def test_chroma_going_down_is_explained_on_every_front_end_and_recovers(tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "chroma-data"
    chroma = start_chroma(data, port)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("facts/gartner-headcount-survey.en.md", "facts/kenya-bpo.en.md"):
        shutil.copy(CORPUS / name, corpus / Path(name).name)
    served = Assistant(make_settings(tmp_path / "home", corpus_dir=corpus, chroma_host="127.0.0.1",
                                     chroma_port=port))
    try:
        served.ingest()
        with stack(tmp_path / "server", served) as target, \
                httpx.Client(base_url=target.url, timeout=120, trust_env=False) as http:
            assert http.post("/api/ask", json={"question": GARTNER}).status_code == 200
            feedback_before = target.store.count()

            chroma.terminate()
            chroma.wait(timeout=30)
            time.sleep(1.1)  # past the assistant's pointer re-check interval
            down = http.post("/api/ask", json={"question": GARTNER})
            assert down.status_code == 503, down.text
            assert down.json()["error"] == ("The document index (the Chroma server) is not reachable right now; "
                                            "please try again in a few minutes.")
            health = http.get("/api/health")
            assert health.status_code == 503 and health.json() == {"status": "degraded",
                                                                   "dependencies": {"chroma": "down"}}
            slack = SlackClient(target.url, target.slack_api)
            try:
                assert "cannot reach the document index" in slack_reply(slack, "C0FAULTS2", GARTNER)
                assert http.post("/api/feedback", json={"rating": -1, "question": GARTNER,
                                                        "answer": "down"}).status_code == 201

                chroma = start_chroma(data, port)
                time.sleep(1.1)
                back = http.post("/api/ask", json={"question": GARTNER})
                assert back.status_code == 200 and not back.json()["refused"]
                assert "20%" in slack_reply(slack, "C0FAULTS3", GARTNER)
            finally:
                slack.close()
            assert target.store.count() == feedback_before + 1
    finally:
        chroma.terminate()
        chroma.wait(timeout=30)
