"""The manager's workflow in headless Chromium against the real server: saved conversations resumed
after a reload, thumbs on an earlier answer, a brief downloaded and read back, the corpus tab with
an administrator withdrawing a document, and the corpus-gap report.

Screenshots go to tests/artifacts/ (git-ignored); ``UPDATE_DOCS_SHOTS=1`` also refreshes the
pictures in docs/ that README and docs/workflow.md show.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from assistant.models import Answer
from assistant.settings import PROJECT_ROOT
from assistant.storage.conversations import ConversationStore
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.ui

DESKTOP = {"width": 1280, "height": 860}
QUESTIONS = ("Selon Gartner, quelle part des entreprises a réduit ses effectifs à cause de l'IA ?",
             "Et combien recrutent des profils spécialisés ?",
             "Quand les obligations de transparence de l'AI Act s'appliquent-elles aux chatbots de service client ?")
DOCS = PROJECT_ROOT / "docs"
_MARKER = re.compile(r"\[\d+\]")


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()  # type: ignore[arg-type]
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return page


def ask(page: Page, question: str) -> None:
    done = page.locator("#chat .answer.done, #chat .error-note").count()
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .answer.done, #chat .error-note').length >= n", arg=done + 1)


def shoot(page: Page, artifacts: Path, name: str, docs_name: str | None = None) -> None:
    page.screenshot(path=str(artifacts / name))
    if docs_name and os.environ.get("UPDATE_DOCS_SHOTS"):
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / docs_name))


def flat(text: str) -> str:
    return " ".join(_MARKER.sub(" ", text).split())


@pytest.fixture(scope="module")
def manager(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """One browser (one cookie) for the conversation tests, which follow one another."""
    page = open_page(browser, live_server.url)
    yield page
    page.context.close()


def test_a_conversation_is_kept_and_resumed_after_a_reload(
        manager: Page, live_server: LiveServer, artifacts: Path) -> None:
    page = manager
    for question in QUESTIONS[:2]:
        ask(page, question)
    listed = page.locator("#conversation-list label")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Selon Gartner")
    expect(listed.first).to_contain_text("2 questions")

    page.reload()
    page.wait_for_selector("#question textarea")
    expect(page.locator("#conversation-list label")).to_have_count(1)
    assert page.locator("#chat .answer.done").count() == 0
    page.locator("#conversation-list label").first.click()
    page.wait_for_function("document.querySelectorAll('#chat .answer.done').length === 2")
    expect(page.locator("#chat .user-row").first).to_contain_text("Selon Gartner")
    expect(page.locator("#conversation-title textarea, #conversation-title input").first).to_have_value(
        QUESTIONS[0])
    # it goes on where it stopped: the third question joins the same saved conversation
    ask(page, QUESTIONS[2])
    expect(page.locator("#conversation-list label").first).to_contain_text("3 questions")
    shoot(page, artifacts, "20-conversation-resumed.png", "conversation-panel.png")

    # renamed, and still one conversation
    page.locator("#conversation-title textarea, #conversation-title input").first.fill("Gartner et l'AI Act")
    page.locator("#rename-conversation").click()
    expect(page.locator("#conversation-list label").first).to_contain_text("Gartner et l'AI Act")
    store = ConversationStore(live_server.store)
    owner = next(o for s, o in store.recent() if s.title == "Gartner et l'AI Act")
    assert owner is not None and owner.startswith("browser:")
    saved = store.owned(owner)
    assert [(s.title, s.turns) for s in saved] == [("Gartner et l'AI Act", 3)]


def test_another_browser_sees_none_of_it(browser: Browser, live_server: LiveServer, manager: Page) -> None:
    other = open_page(browser, live_server.url)
    try:
        other.wait_for_timeout(1500)  # the list is filled by the page's load event
        expect(other.locator("#conversation-list label")).to_have_count(0)
        cookies = {c["name"]: c["value"] for c in other.context.cookies()}
        mine = {c["name"]: c["value"] for c in manager.context.cookies()}
        assert cookies["assistant_browser"] != mine["assistant_browser"]
    finally:
        other.context.close()


def test_an_earlier_answer_is_rated_with_a_comment(manager: Page, live_server: LiveServer, artifacts: Path) -> None:
    page = manager
    assert page.locator("#chat .answer.done").count() == 3
    page.locator("#chat button[aria-label=Dislike]").first.click()  # the first of three answers
    expect(page.locator("#feedback-note")).to_contain_text("answer 1 noted as not helpful")
    page.locator("#comment textarea").fill("Il manque la date de l'enquête.")
    page.locator("#save-comment").click()
    expect(page.locator("#feedback-note")).to_contain_text("Comment saved with your rating of answer 1")
    shoot(page, artifacts, "21-earlier-answer-rated.png")

    store = ConversationStore(live_server.store)
    summary, owner = next((s, o) for s, o in store.recent() if s.title == "Gartner et l'AI Act")
    conversation = store.get(summary.id, owner)
    assert conversation is not None
    assert [(t.rating, t.comment) for t in conversation.turns] == [
        (-1, "Il manque la date de l'enquête."), (None, ""), (None, "")]
    rows = [r for r in live_server.store.feedback(rating=-1) if r["turn_id"] == conversation.turns[0].turn_id]
    assert len(rows) == 1 and rows[0]["question"] == QUESTIONS[0] and rows[0]["rater"] == owner

    # reopened later, the answer still shows its thumbs-down
    page.reload()
    page.wait_for_selector("#question textarea")
    page.locator("#conversation-list label").first.click()
    page.wait_for_function("document.querySelectorAll('#chat .answer.done').length === 3")
    expect(page.locator("#chat button[aria-label=Disliked]")).to_have_count(1)


def test_a_brief_is_downloaded_and_reads_back(manager: Page, live_server: LiveServer, artifacts: Path,
                                              tmp_path: Path) -> None:
    page = manager
    page.locator("#export-brief").click()
    expect(page.locator("#brief-pdf")).to_be_visible()
    with page.expect_download() as pdf_download:
        page.locator("#brief-pdf").click()
    pdf = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf)
    with page.expect_download() as md_download:
        page.locator("#brief-md").click()
    markdown = tmp_path / md_download.value.suggested_filename
    md_download.value.save_as(markdown)
    shoot(page, artifacts, "22-brief-exported.png")
    assert pdf.name.startswith("brief-") and pdf.suffix == ".pdf" and markdown.suffix == ".md"

    assert shutil.which("pdftotext"), "pdftotext is missing: `make test` installs Debian's poppler-utils"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    store = ConversationStore(live_server.store)
    summary, owner = next((s, o) for s, o in store.recent() if s.title == "Gartner et l'AI Act")
    conversation = store.get(summary.id, owner)
    assert conversation is not None
    assert "Gartner et l'AI Act" in text and "Note de synthèse" in text
    for turn in conversation.turns:
        assert flat(turn.question) in flat(text)
        for citation in turn.citations:
            assert flat(citation["quote"]) in flat(text)
    assert markdown.read_text(encoding="utf-8").startswith("# Note de synthèse: Gartner et l'AI Act")
    if os.environ.get("UPDATE_DOCS_SHOTS") and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(DOCS / "brief-page-1")], check=True)


def test_a_conversation_is_deleted_and_its_answers_stay_in_the_log(
        browser: Browser, live_server: LiveServer) -> None:
    page = open_page(browser, live_server.url)
    try:
        before = live_server.store.count("turns")
        ask(page, "What happened after Klarna said its AI assistant did the work of 700 agents?")
        expect(page.locator("#conversation-list label")).to_have_count(1)
        page.locator("#delete-conversation").click()
        page.locator("#confirm-delete").click()
        expect(page.locator("#conversation-note")).to_contain_text("deleted")
        expect(page.locator("#conversation-list label")).to_have_count(0)
        assert page.locator("#chat .answer.done").count() == 0
        assert live_server.store.count("turns") == before + 1
    finally:
        page.context.close()


def refusal(question: str) -> Answer:
    return Answer(question=question, answer="Le corpus ne le dit pas.", language="en", refused=True)


def test_the_gap_report_groups_what_the_corpus_did_not_answer(
        browser: Browser, live_server: LiveServer, artifacts: Path) -> None:
    seeded = {"mongolia": ["How many call centre agents work in Mongolia?",
                           "Quelle est la taille du secteur des centres d'appels en Mongolie ?",
                           "Is Ulaanbaatar a good location for a Mongolian customer service hub?"],
              "insurance": ["Does cyber insurance cover a data breach at our BPO vendor?",
                            "Quelle assurance cyber couvre une fuite de données chez un prestataire ?"]}
    for questions in seeded.values():
        for question in questions:
            live_server.store.log_turn(refusal(question), "slack", "U0GAPS")
    page = open_page(browser, live_server.url)
    try:
        page.get_by_role("tab", name="Admin").click()
        page.locator("#gap-button").click()
        report = page.locator("#gap-report .gap-report")
        expect(report).to_be_visible()
        groups = page.locator("#gap-report .gap-group")
        texts = groups.all_inner_texts()
        mongolia = next(t for t in texts if "Mongolia" in t)
        assert all(q in mongolia for q in seeded["mongolia"]) and "closest documents" in mongolia.lower()
        insurance = next(t for t in texts if "cyber insurance" in t)
        assert all(q in insurance for q in seeded["insurance"]) and "Mongolia" not in insurance
        shoot(page, artifacts, "23-gap-report.png")
        payload = json.dumps(texts)
        assert "refused" in payload
    finally:
        page.context.close()


def test_an_admin_browses_the_corpus_and_withdraws_a_document(
        browser: Browser, small_server: LiveServer, artifacts: Path) -> None:
    page = open_page(browser, small_server.url)
    try:
        page.get_by_role("tab", name="Corpus").click()
        expect(page.locator("#corpus-note")).to_contain_text("2 documents")
        page.locator("#corpus-search textarea, #corpus-search input").first.fill("kenya")
        expect(page.locator("#corpus-note")).to_contain_text("1 of 2 documents")
        page.locator("#corpus-table span.text", has_text="Kenya").first.click()
        view = page.locator("#document-view .doc-view")
        expect(view).to_be_visible()
        info = next(d for d in small_server.assistant.index_info().documents if "Kenya" in d.title)
        expect(view.locator(".doc-title")).to_have_text(info.title)
        expect(view.locator(".doc-passages > li")).to_have_count(info.passages)
        expect(view).to_contain_text("Where it is cited")
        expect(page.locator("#ingest-report")).to_contain_text("Last ingest")
        shoot(page, artifacts, "24-corpus-document.png")

        page.locator("#withdraw-document").click()
        page.locator("#confirm-withdraw").click()
        expect(page.locator("#corpus-admin-note")).to_contain_text("was withdrawn from the index")
        page.locator("#corpus-search textarea, #corpus-search input").first.fill("")
        expect(page.locator("#corpus-note")).to_contain_text("1 documents")
        expect(page.locator("#ingest-report")).to_contain_text(info.title)  # listed as withdrawn
        shoot(page, artifacts, "25-document-withdrawn.png")
        assert small_server.assistant.index_info().document(info.doc_id) is None
        assert Path(info.path).exists()
        # restored from the same tab
        page.locator("#withdrawn-list input").first.click()
        page.get_by_role("option", name=info.title).click()
        page.locator("#restore-document").click()
        expect(page.locator("#corpus-admin-note")).to_contain_text("is back in the index")
        assert small_server.assistant.index_info().document(info.doc_id) is not None
    finally:
        page.context.close()
