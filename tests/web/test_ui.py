"""The chat page in headless Chromium against the real server: what a manager sees and clicks.

Screenshots of every step go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.ui

GARTNER_FR = ("D'après Gartner, quelle proportion d'entreprises a vraiment supprimé des postes au service "
              "client à cause de l'IA ?")
FOLLOW_UP_FR = "Et combien recrutent des profils spécialisés ?"
OUT_OF_SCOPE = "What is the capital of Australia?"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
RECORD_STREAM = """() => {
  window.__lengths = [];
  new MutationObserver(() => {
    const rows = document.querySelectorAll('#chat .bot-row');
    if (rows.length) window.__lengths.push(rows[rows.length - 1].innerText.length);
  }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
}"""


def open_page(browser: Browser, url: str, viewport: dict[str, int]) -> Page:
    page = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return page


@pytest.fixture
def desktop(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    page = open_page(browser, live_server.url, DESKTOP)
    yield page
    page.context.close()


def ask(page: Page, question: str) -> None:
    """Type the question, send it with Enter and wait until its answer is complete."""
    done = page.locator("#chat .answer.done, #chat .error-note").count()
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    wait_for_answers(page, done + 1)


def wait_for_answers(page: Page, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .answer.done, #chat .error-note').length >= n", arg=count)


def last_answer(page: Page) -> object:
    return page.locator("#chat .bot-row").last


def shoot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / name))


def test_a_manager_asks_in_french_reads_the_source_and_gives_feedback(
        desktop: Page, live_server: LiveServer, artifacts: Path) -> None:
    page = desktop
    offsite: list[str] = []
    page.on("request", lambda r: offsite.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.reload()
    page.wait_for_selector("#question textarea")
    expect(page.locator("h1")).to_contain_text("AI & Outsourcing Advisor")
    expect(page.locator("#brand")).to_contain_text("curated corpus")
    examples = page.locator("#examples button").all_inner_texts()
    assert any("Gartner" in e and "entreprises" in e for e in examples)
    assert any(e.startswith(("How", "Will")) for e in examples)
    shoot(page, artifacts, "01-home-desktop.png")

    # the extractive answer appears at once (no word-by-word replay), in French, with a clickable citation
    page.evaluate(RECORD_STREAM)
    ask(page, GARTNER_FR)
    answer = page.locator("#chat .bot-row").last
    expect(answer).to_contain_text("Voici ce que dit le corpus")
    expect(answer).to_contain_text("20 %")
    lengths = page.evaluate("window.__lengths")
    final = max(lengths)
    assert [n for n in set(lengths) if 60 < n < final] == [], "no partial answer between 'searching' and the answer"
    shoot(page, artifacts, "02-answer-streamed.png")

    # the marker opens the source panel with the quote highlighted inside its passage
    expected = live_server.assistant.ask(GARTNER_FR).citations[0]
    answer.locator(".answer.done > ul button.cite-1, .answer.done > p button.cite-1").first.click()
    panel = page.locator(".source-panel")
    expect(panel.locator(".card-title")).to_have_text(expected.title)
    expect(panel.locator(".card-locator")).to_have_text(expected.locator)
    expect(panel.locator(".card-date")).to_have_text(expected.date)
    first_link = expected.source.split(";")[0].strip()
    expect(panel.locator(".card-source a").first).to_have_attribute("href", first_link)
    expect(panel.locator("p.quoted mark")).to_have_text(expected.quote)
    assert panel.locator(".card-passage p").count() >= 1
    shoot(page, artifacts, "03-source-panel.png")

    # thumbs-down with a comment lands in SQLite with question, answer, citations and settings
    comment = "Le chiffre vient de l'article, pas directement de l'enquête."
    page.locator("#comment textarea").fill(comment)
    page.locator("#chat button[aria-label=Dislike]").last.click()
    expect(page.locator("#feedback-note")).to_contain_text("Thanks, answer 1 noted as not helpful")
    # and a toast says so too, since on a short screen the note can be below the fold
    expect(page.get_by_text("Thanks, answer 1 noted as not helpful")).to_have_count(2)
    rows = [r for r in live_server.store.feedback(rating=-1) if r["comment"] == comment]
    assert len(rows) == 1
    row = rows[0]
    assert (row["channel"], row["question"]) == ("web", GARTNER_FR) and "20 %" in row["answer"]
    assert json.loads(row["citations"])[0]["title"] == expected.title
    assert json.loads(row["settings"])["embedding_model"] and row["turn_id"] and row["created"] > 0
    shoot(page, artifacts, "04-thumbs-down.png")

    # a follow-up uses the conversation
    ask(page, FOLLOW_UP_FR)
    expect(page.locator("#chat .bot-row").last).to_contain_text("42 %")
    with sqlite3.connect(live_server.settings.feedback_db) as db:
        standalone = db.execute("SELECT standalone_question FROM turns WHERE channel='web' "
                                "ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert GARTNER_FR in standalone

    # out of scope: a plainly different refusal, no sources
    ask(page, OUT_OF_SCOPE)
    refusal = page.locator("#chat .bot-row").last
    expect(refusal.locator(".refusal")).to_be_visible()
    expect(refusal).to_contain_text("Not in the corpus")
    expect(refusal).to_contain_text("The corpus does not say")
    assert refusal.locator("button.cite").count() == 0
    colours = page.evaluate("""() => [...document.querySelectorAll('#chat .bot-row')].map(
        row => getComputedStyle(row.querySelector('.refusal') || row.querySelector('.answer')).backgroundColor)""")
    assert colours[-1] != colours[0]
    shoot(page, artifacts, "05-refusal.png")
    assert offsite == [], f"the page fetched something off the server: {offsite}"


def test_mobile_width_answers_and_opens_the_source_as_a_sheet(
        browser: Browser, live_server: LiveServer, artifacts: Path) -> None:
    page = open_page(browser, live_server.url, MOBILE)
    try:
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, "nothing may stick out sideways on a phone"
        expect(page.locator("h1")).to_be_in_viewport()
        shoot(page, artifacts, "06-mobile-home.png")
        page.locator("#examples button", has_text="Klarna").click()  # an example asks at once
        wait_for_answers(page, 1)
        expect(page.locator("#chat .user-row").last).to_contain_text("Klarna")
        page.locator("#chat .answer.done button.cite-1").first.scroll_into_view_if_needed()
        shoot(page, artifacts, "07-mobile-answer.png")
        page.locator("#chat .answer.done button.cite-1").first.click()
        sheet = page.locator(".source-panel.open")
        expect(sheet).to_be_visible()
        box = sheet.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"] + 1
        expect(sheet.locator("mark")).to_be_visible()
        shoot(page, artifacts, "08-mobile-source.png")
        sheet.locator(".panel-close").click()
        expect(page.locator(".source-panel")).to_be_hidden()
    finally:
        page.context.close()


def test_markup_in_a_question_is_shown_as_text_and_never_run(desktop: Page) -> None:
    payload = '<img src=x onerror="window.__xss=1"><b>Agentforce</b> agents?'
    ask(desktop, payload)
    expect(desktop.locator("#chat .user-row").last).to_contain_text('<img src=x onerror="window.__xss=1">')
    assert desktop.locator("#chat img, #chat .user-row b").count() == 0
    assert desktop.evaluate("window.__xss") is None


def test_empty_and_oversized_questions_get_a_plain_message_and_keep_the_text(desktop: Page) -> None:
    desktop.locator("#question textarea").press("Enter")
    expect(desktop.locator("#ask-note")).to_have_text("The question is empty.")
    long_question = "Pourquoi ? " * 200
    desktop.locator("#question textarea").fill(long_question)
    desktop.locator("#ask-button").click()
    expect(desktop.locator("#ask-note")).to_contain_text("the limit is 2,000")
    expect(desktop.locator("#question textarea")).to_have_value(long_question)
    assert desktop.locator("#chat .user-row").count() == 0


ZEPHYR = ("---\ntitle: Project Zephyr pilot\nlanguage: en\ndate: 2026-01-15\n---\n\n"
          "# Project Zephyr pilot\n\n"
          "In the Project Zephyr pilot, the Lisbon service centre moved 40 agents from first-line calls to "
          "reviewing answers written by AI agents.\n")


def test_admin_uploads_a_document_and_the_next_answer_cites_it(
        browser: Browser, small_server: LiveServer, artifacts: Path, tmp_path: Path) -> None:
    document = tmp_path / "zephyr-pilot.md"
    document.write_text(ZEPHYR, encoding="utf-8")
    page = open_page(browser, small_server.url, DESKTOP)
    try:
        page.get_by_role("tab", name="Admin").click()
        page.locator("#upload-file input[type=file]").set_input_files(str(document))
        expect(page.locator("#upload-file")).to_contain_text("zephyr-pilot.md")  # uploaded to the widget
        page.locator("#upload-button").click()
        expect(page.locator("#upload-note")).to_contain_text("'zephyr-pilot.md' added", timeout=180_000)
        shoot(page, artifacts, "09-admin-upload.png")
        page.get_by_role("tab", name="Ask").click()
        ask(page, "How many agents did the Project Zephyr pilot move to reviewing AI answers?")
        answer = page.locator("#chat .bot-row").last
        expect(answer).to_contain_text("40 agents")
        expect(answer.locator(".sources")).to_contain_text("Project Zephyr pilot")
    finally:
        page.context.close()


@pytest.mark.ui
def test_a_decision_is_answered_in_groups_and_a_comparison_in_a_table(desktop: Page, artifacts: Path) -> None:
    page = desktop
    ask(page, "What are the pros and cons of opening a contact centre in Morocco?")
    decision = page.locator("#chat .answer.done").last
    expect(decision.locator("p.group-label").first).to_be_visible()
    labels = decision.locator("p.group-label").all_inner_texts()
    assert {"For:", "Against:", "Figures to weigh:"} & set(labels), labels
    assert decision.locator("li button.cite").count() >= 2  # every item is a cited quote
    shoot(page, artifacts, "11-decision-groups.png")

    ask(page, "Kenya or Morocco: which has more outsourcing jobs?")
    table = page.locator("#chat .answer.done").last.locator("table.compare")
    expect(table).to_be_visible()
    assert table.locator("th").all_inner_texts()[:2] == ["Entity", "Figure"]
    rows = table.locator("tr").all()[1:]
    assert len(rows) >= 2 and all(row.locator("button.cite").count() == 1 for row in rows)
    shoot(page, artifacts, "12-comparison-table.png")
