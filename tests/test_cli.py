"""The ``assistant`` command as a user runs it: a real subprocess over the real corpus."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings

CONTRACT_KEYS = {"question", "answer", "language", "refused", "citations", "timings_ms"}
CITATION_KEYS = {"n", "doc_id", "title", "source", "locator", "quote"}


def run_cli(args: list[str], settings: Settings, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_INDEX_DIR": str(settings.index_dir), "HF_HUB_OFFLINE": "1",
                "ASSISTANT_FEEDBACK_DB": str(settings.feedback_db),
                "ASSISTANT_UPLOAD_DIR": str(settings.upload_dir)})
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.fixture(scope="module")
def indexed(assistant: object, corpus_settings: Settings) -> Settings:
    """The session index (the ``assistant`` fixture ingested it)."""
    return corpus_settings


def check_contract(payload: dict[str, object]) -> None:
    assert set(payload) >= CONTRACT_KEYS
    assert isinstance(payload["refused"], bool)
    assert set(payload["timings_ms"]) >= {"retrieve", "answer", "total"}  # type: ignore[arg-type]
    for citation in payload["citations"]:  # type: ignore[attr-defined]
        assert set(citation) == CITATION_KEYS


def test_ask_json_keeps_the_contract(indexed: Settings) -> None:
    result = run_cli(["ask", "--json", "Quelle part des entreprises a réduit ses effectifs à cause de l'IA ?"],
                     indexed)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    check_contract(payload)
    assert payload["language"] == "fr" and not payload["refused"]
    assert any("20" in c["quote"] for c in payload["citations"])


def test_ask_json_reads_one_question_a_line_from_stdin(indexed: Settings) -> None:
    result = run_cli(["ask", "--json", "-"], indexed,
                     stdin="What is the capital of Australia?\n\nHow many jobs does Ghana's plan target?\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    for payload in lines:
        check_contract(payload)
    assert lines[0]["refused"] is True and lines[0]["citations"] == []
    assert lines[1]["refused"] is False


@pytest.mark.parametrize(("question", "message"), [
    ("", "Error: The question is empty."),
    ("y" * 2500, "Error: The question is 2,500 characters long; the limit is 2,000."),
])
def test_bad_questions_exit_2_with_one_line(indexed: Settings, question: str, message: str) -> None:
    result = run_cli(["ask", "--json", question], indexed)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert result.stdout == ""


def test_missing_index_exits_2_with_what_to_do(tmp_path: Path) -> None:
    settings = Settings.isolated(index_dir=tmp_path / "none")
    result = run_cli(["ask", "--json", "Anything?"], settings)
    assert result.returncode == 2
    assert "assistant ingest" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_ingest_reports_skipped_files(tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Ok\n\nGhana plans 100,000 outsourcing jobs over five years.\n")
    (corpus / "broken.pdf").write_bytes(b"not really a pdf")
    settings = Settings.isolated(index_dir=tmp_path / "index")
    result = run_cli(["ingest", str(corpus)], settings)
    assert result.returncode == 0, result.stderr
    assert "skipped: broken.pdf: content is not a .pdf file" in result.stderr
    assert "1 new or changed" in result.stdout


def test_chat_keeps_the_conversation(indexed: Settings) -> None:
    result = run_cli(["chat"], indexed, stdin="How many new jobs did South Africa's BPO sector create in 2024?\n"
                                              "And in Kenya?\n")
    assert result.returncode == 0, result.stderr
    answers = result.stdout.split("\n> ")[1:]
    assert len(answers) >= 2
    assert "South Africa" in answers[0] or "South African" in answers[0]
    assert "Kenya" in answers[1]
