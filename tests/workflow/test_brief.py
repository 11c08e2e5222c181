"""The strategy brief: a three-question French conversation exported by ``assistant brief`` as a PDF
holds its three answers and every cited quote (read back with pdftotext), and as Markdown."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.models import Turn
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore, StoredConversation
from assistant.storage.feedback import FeedbackStore
from tests.support import make_settings
from tests.test_cli import run_cli

QUESTIONS_FR = (
    "Selon Gartner, quelle part des entreprises a réduit ses effectifs à cause de l'IA ?",
    "Et combien recrutent des profils spécialisés ?",
    "Quand les obligations de transparence de l'AI Act s'appliquent-elles aux chatbots de service client ?",
)
_MARKER = re.compile(r"\[\d+\]")


def flat(text: str) -> str:
    """Words only: markers dropped, every run of whitespace (line wraps included) one space."""
    return " ".join(_MARKER.sub(" ", text).split())


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: `make test` installs Debian's poppler-utils"
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def converse(assistant: Assistant, store: FeedbackStore, questions: tuple[str, ...], key: str,
             owner: str = "browser:test") -> int:
    history: list[Turn] = []
    for question in questions:
        answer = assistant.ask(question, history)
        assert store.log_turn(answer, "web", owner, conversation=key) is not None
        history += [Turn(role="user", content=question), Turn(role="assistant", content=answer.answer)]
    found = ConversationStore(store).id_of(key, owner)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def french(assistant: Assistant, corpus_settings: Settings,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, StoredConversation]:
    settings = make_settings(tmp_path_factory.mktemp("brief"), index_dir=corpus_settings.index_dir)
    store = FeedbackStore.for_settings(settings)
    conversation_id = converse(assistant, store, QUESTIONS_FR, "web:brief-fr")
    conversation = ConversationStore(store).get(conversation_id, owner=None)
    assert conversation is not None and len(conversation.turns) == 3
    return settings, conversation


def test_the_pdf_brief_of_a_french_conversation_holds_its_answers_and_every_quote(
        french: tuple[Settings, StoredConversation], tmp_path: Path) -> None:
    settings, conversation = french
    target = tmp_path / "brief.pdf"
    result = run_cli(["brief", str(conversation.summary.id), "-o", str(target)], settings)
    assert result.returncode == 0, result.stderr
    assert f"written to {target}" in result.stdout
    assert target.read_bytes().startswith(b"%PDF-")
    text = pdf_text(target)
    words = flat(text)
    assert "Note de synthèse" in text and "Version du corpus" in text and "Exportée le" in text
    quotes = [c["quote"] for turn in conversation.turns for c in turn.citations]
    assert len(quotes) >= 3 and all(not turn.refused for turn in conversation.turns)
    for turn in conversation.turns:
        assert flat(turn.question) in words
        for line in turn.answer.splitlines():  # every line of the answer, bullets and all
            assert flat(line.removeprefix("- ")) in words, line
    for quote in quotes:
        assert flat(quote) in words, quote
    # accents come out as written, not as replacement characters
    assert "à cause de l'IA" in words and "spécialisés" in words and "\ufffd" not in text


def test_the_markdown_brief_numbers_each_source_once_with_its_quote_document_locator_date_and_link(
        french: tuple[Settings, StoredConversation], assistant: Assistant) -> None:
    _, conversation = french
    brief = assistant.workflow().brief(conversation)
    markdown = assistant.workflow().export_brief(conversation, "md").data.decode("utf-8")
    assert markdown.startswith("# Note de synthèse: ")
    keys = {(c["doc_id"], c["locator"], c["quote"]) for t in conversation.turns for c in t.citations}
    assert [s.n for s in brief.sources] == list(range(1, len(keys) + 1))  # a quote cited twice is listed once
    for source in brief.sources:
        assert source.quote in markdown and source.title in markdown and source.locator in markdown
        assert source.date and f"Date: {source.date}" in markdown
        assert source.links and f"<{source.links[0]}>" in markdown
    # the answers' markers point at the brief's own numbering
    second = brief.items[1]
    assert second.sources and all(f"[{n}]" in second.answer for n in second.sources)
    assert "Version du corpus" in markdown and "Exportée le" in markdown


def test_a_markdown_table_in_an_answer_becomes_a_table_in_the_pdf(assistant: Assistant, tmp_path: Path) -> None:
    from assistant.storage.conversations import ConversationSummary, StoredTurn

    answer = ("Costs compared [1]:\n\n| Country | Agent cost (US$/h) |\n|---|---|\n| Kenya | 8–10 |\n"
              "| Philippines | 10–12 |\n\nBoth are quoted “as of 2025” — see the source.")
    turn = StoredTurn(turn_id=1, created=1.76e9, question="Compare agent costs in Kenya and the Philippines",
                      answer=answer, language="en", refused=False,
                      citations=[{"n": 1, "doc_id": "d", "title": "Offshore costs", "locator": "Costs, ¶2",
                                  "quote": "Kenya costs 8–10 US$ an hour.", "source": "https://example.org/c",
                                  "date": "2025-06-01"}])
    summary = ConversationSummary(id=7, key="web:x", channel="web", title="Costs", created=1.76e9,
                                  updated=1.76e9, turns=1)
    brief = assistant.workflow().export_brief(StoredConversation(summary=summary, owner=None, turns=[turn]))
    assert brief.name.startswith("brief-7-") and brief.name.endswith(".pdf")
    target = tmp_path / brief.name
    target.write_bytes(brief.data)
    text = pdf_text(target)
    assert "Country" in text and "Agent cost (US$/h)" in text and "Philippines" in text and "|" not in text
    assert "“as of 2025” — see the source" in flat(text)


def test_without_dejavu_the_pdf_falls_back_to_a_builtin_font(
        french: tuple[Settings, StoredConversation], assistant: Assistant, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.workflow import brief_pdf

    monkeypatch.setattr(brief_pdf, "font_dir", lambda: None)
    _, conversation = french
    target = tmp_path / "fallback.pdf"
    target.write_bytes(assistant.workflow().export_brief(conversation).data)
    words = flat(pdf_text(target))
    assert "Note de synthèse" in words and "spécialisés" in words  # Latin-1 accents still render
    assert all(flat(turn.question).replace("’", "'") in words for turn in conversation.turns)


def test_assistant_conversations_lists_ids_and_brief_names_a_missing_one(
        french: tuple[Settings, StoredConversation], monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    settings, conversation = french
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(settings.feedback_db))
    listed = CliRunner().invoke(app, ["conversations"])
    assert listed.exit_code == 0
    assert f"{conversation.summary.id}  web" in listed.output and "3 questions" in listed.output
    assert "browser:test" in listed.output and QUESTIONS_FR[0][:40] in listed.output
    missing = CliRunner().invoke(app, ["brief", "999999"])
    assert missing.exit_code == 1 and "There is no conversation 999999." in missing.output
