"""The JSON API on the real server: the answer contract, errors, limits, login and uploads."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from tests.support import hashed_users
from tests.web.conftest import LiveServer, serve, web_settings

pytestmark = pytest.mark.ui

GARTNER_FR = ("D'après Gartner, quelle proportion d'entreprises a vraiment supprimé des postes au service "
              "client à cause de l'IA ?")
FOLLOW_UP_FR = "Et combien recrutent des profils spécialisés ?"
PUBLIC_KEYS = {"question", "answer", "language", "refused", "citations", "timings_ms", "warnings", "mode"}


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=120) as http:
        yield http


def last_turn(server: LiveServer) -> sqlite3.Row:
    with sqlite3.connect(server.settings.feedback_db) as db:
        db.row_factory = sqlite3.Row
        row: sqlite3.Row = db.execute("SELECT * FROM turns ORDER BY id DESC LIMIT 1").fetchone()
    return row


def test_ask_returns_exactly_the_answer_object(client: httpx.Client, live_server: LiveServer,
                                               assistant: Assistant) -> None:
    response = client.post("/api/ask", json={"question": GARTNER_FR})
    assert response.status_code == 200
    body = response.json()
    expected = assistant.ask(GARTNER_FR).public()
    assert set(body) == PUBLIC_KEYS
    assert {k: v for k, v in body.items() if k != "timings_ms"} == {
        k: v for k, v in expected.items() if k != "timings_ms"}
    assert body["language"] == "fr" and not body["refused"] and "20 %" in body["answer"]
    assert body["citations"] and set(body["timings_ms"]) == {"retrieve", "answer", "total"}
    turn = last_turn(live_server)
    assert turn["id"] == int(response.headers["X-Turn-Id"])
    assert (turn["channel"], turn["question"]) == ("api", GARTNER_FR)


def test_history_feeds_the_follow_up(client: httpx.Client, live_server: LiveServer) -> None:
    first = client.post("/api/ask", json={"question": GARTNER_FR}).json()
    response = client.post("/api/ask", json={"question": FOLLOW_UP_FR, "history": [
        {"role": "user", "content": GARTNER_FR}, {"role": "assistant", "content": first["answer"]}]})
    assert response.status_code == 200
    assert "42 %" in response.json()["answer"]
    assert GARTNER_FR in last_turn(live_server)["standalone_question"]


@pytest.mark.parametrize(("body", "message"), [
    ({"question": "   "}, "The question is empty."),
    ({"question": "x" * 2001}, "The question is 2,001 characters long; the limit is 2,000."),
    ({}, "The request is missing 'question'."),
    ({"question": "Hi?", "history": [{"role": "system", "content": "x"}]}, "'history.0.role' is not valid"),
])
def test_bad_requests_get_one_plain_sentence(client: httpx.Client, body: dict[str, object],
                                             message: str) -> None:
    response = client.post("/api/ask", json=body)
    assert response.status_code == 400
    assert set(response.json()) == {"error"} and response.json()["error"].startswith(message)


def test_invalid_json_and_oversized_bodies(client: httpx.Client) -> None:
    broken = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json() == {"error": "The request body is not valid JSON."}
    huge = client.post("/api/ask", json={"question": "x" * 2_000_000})
    assert huge.status_code == 413 and "limit" in huge.json()["error"]


def test_health_describes_the_index(client: httpx.Client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    corpus_files = len(list(Path("corpus").rglob("*.md")))
    # Other tests may have uploaded documents to this shared server: the corpus is a floor.
    assert body["status"] == "ok" and body["documents"] >= corpus_files and body["passages"] > body["documents"]
    assert body["answerer"] == "extractive" and body["login_required"] is False


def test_feedback_endpoint_stores_the_rating(client: httpx.Client, live_server: LiveServer) -> None:
    answer = client.post("/api/ask", json={"question": GARTNER_FR}).json()
    response = client.post("/api/feedback", json={
        "rating": -1, "question": GARTNER_FR, "answer": answer["answer"], "citations": answer["citations"],
        "comment": "Cite the survey itself, not the article.",
    })
    assert response.status_code == 201
    stored = [f for f in live_server.store.feedback(rating=-1) if f["id"] == response.json()["id"]]
    assert stored and stored[0]["channel"] == "api" and stored[0]["comment"].startswith("Cite the survey")
    assert client.post("/api/feedback", json={"rating": 0, "question": "q", "answer": "a"}).status_code == 400


def test_missing_index_is_503_with_what_to_do(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, tmp_path / "empty-index")
    with serve(settings, Assistant(settings)) as server, httpx.Client(base_url=server.url) as http:
        ask = http.post("/api/ask", json={"question": GARTNER_FR})
        assert ask.status_code == 503 and "assistant ingest" in ask.json()["error"]
        health = http.get("/api/health")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"


def test_saturated_server_says_busy_then_recovers(tmp_path: Path, corpus_settings: Settings,
                                                  assistant: Assistant) -> None:
    settings = web_settings(tmp_path, corpus_settings.index_dir, web_concurrency=1, web_queue_timeout_s=0)
    with serve(settings, assistant) as server, httpx.Client(base_url=server.url, timeout=120) as http:
        with server.web.limiter.slot(0):  # every slot taken
            busy = http.post("/api/ask", json={"question": GARTNER_FR})
        assert busy.status_code == 503 and busy.headers["Retry-After"]
        assert busy.json() == {"error": "The assistant is busy answering other questions; "
                                        "please try again in a moment."}
        assert http.post("/api/ask", json={"question": GARTNER_FR}).status_code == 200


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_login_protects_the_api_and_the_page(tmp_path: Path, corpus_settings: Settings,
                                             assistant: Assistant) -> None:
    settings = web_settings(tmp_path, corpus_settings.index_dir, web_users=hashed_users("alice:s3cret,bob:pw"),
                            web_admins="alice")
    with serve(settings, assistant) as server, httpx.Client(base_url=server.url, timeout=120) as http:
        anonymous = http.post("/api/ask", json={"question": GARTNER_FR})
        assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic")
        wrong = http.post("/api/ask", json={"question": "Hi"}, headers=_basic("alice", "nope"))
        assert wrong.status_code == 401
        assert http.post("/api/ask", json={"question": GARTNER_FR},
                         headers=_basic("bob", "pw")).status_code == 200
        assert http.get("/v1/models", headers={"Authorization": "Bearer alice:s3cret"}).status_code == 200
        assert http.get("/v1/models").status_code == 401
        upload = http.post("/api/admin/upload", headers=_basic("bob", "pw"),
                           files={"file": ("notes.md", b"# Notes\n\nSome text here.\n")})
        assert upload.status_code == 403
        assert http.get("/config").status_code == 401  # the page's config needs the login form
        assert http.post("/login", data={"username": "alice", "password": "s3cret"}).status_code == 200
        assert http.get("/config").status_code == 200
        assert http.get("/api/health").status_code == 200  # health stays open for monitors


ZEPHYR = ("---\ntitle: Project Zephyr pilot\nlanguage: en\ndate: 2026-01-15\n---\n\n"
          "# Project Zephyr pilot\n\n"
          "In the Project Zephyr pilot, the Lisbon service centre moved 40 agents from first-line calls to "
          "reviewing answers written by AI agents.\n\n"
          "The Project Zephyr pilot cut the average handling time of billing questions by 18 percent.\n")


def test_upload_is_indexed_without_restart(small_server: LiveServer) -> None:
    with httpx.Client(base_url=small_server.url, timeout=300) as http:
        question = {"question": "How many agents did the Project Zephyr pilot move to reviewing AI answers?"}
        before = http.post("/api/ask", json=question).json()
        assert not any(c["title"] == "Project Zephyr pilot" for c in before["citations"])
        response = http.post("/api/admin/upload", files={"file": ("../../zephyr pilot.md", ZEPHYR.encode())})
        assert response.status_code == 201, response.text
        assert response.json()["file"] == "zephyr-pilot.md" and response.json()["report"]["published"]
        assert (small_server.settings.upload_dir / "zephyr-pilot.md").read_text() == ZEPHYR
        after = http.post("/api/ask", json=question).json()
        assert any(c["title"] == "Project Zephyr pilot" for c in after["citations"])
        assert "40 agents" in after["answer"]


def test_upload_refuses_bad_types_sizes_and_content(small_server: LiveServer) -> None:
    with httpx.Client(base_url=small_server.url, timeout=120) as http:
        exe = http.post("/api/admin/upload", files={"file": ("tool.exe", b"MZ\x90\x00")})
        assert exe.status_code == 400 and "not a supported document type" in exe.json()["error"]
        big = http.post("/api/admin/upload", files={"file": ("big.md", b"# Big\n\n" + b"word " * 44_000)})
        assert big.status_code == 413 and "0.2 MB upload limit" in big.json()["error"]
        huge = http.post("/api/admin/upload", files={"file": ("huge.md", b"# Huge\n\n" + b"word " * 200_000)})
        assert huge.status_code == 413 and "limit" in huge.json()["error"]  # refused before it is read
        fake = http.post("/api/admin/upload", files={"file": ("report.pdf", b"%not really a pdf")})
        assert fake.status_code == 400 and "could not be read" in fake.json()["error"]
        missing = http.post("/api/admin/upload")
        assert missing.status_code == 400 and "file" in missing.json()["error"]
    assert sorted(p.name for p in small_server.settings.upload_dir.glob("*")) in ([], ["zephyr-pilot.md"])
