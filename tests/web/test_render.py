"""The chat page's HTML: escaped text, clickable markers, highlighted passages."""

from __future__ import annotations

from assistant.models import Answer, Citation
from assistant.web.render import (
    highlight_passage,
    quote_span,
    render_answer,
    render_card,
    render_draft,
    render_question,
    source_links,
)

PASSAGE = ("Gartner surveyed 321 leaders.\n\nOnly 20% cut agents because of AI. Most kept teams stable."
           "\n\nThe article simplifies this.")
QUOTE = "Only 20% cut agents because of AI."


def citation(n: int = 1, **overrides: object) -> Citation:
    values: dict[str, object] = {
        "n": n, "chunk_id": f"c{n}", "doc_id": "gartner-en", "title": "Gartner survey",
        "source": "https://example.com/a; Article source 000.txt", "locator": "Survey > Cuts, ¶2-3",
        "quote": QUOTE, "quote_start": PASSAGE.index(QUOTE), "date": "2025-12-03", "chunk_text": PASSAGE,
    }
    values.update(overrides)
    return Citation(**values)  # type: ignore[arg-type]


def answer(text: str, citations: list[Citation], refused: bool = False, language: str = "en") -> Answer:
    return Answer(question="q", answer=text, language=language, refused=refused,  # type: ignore[arg-type]
                  citations=citations)


def test_markers_become_buttons_only_for_real_citations() -> None:
    html = render_answer(answer("Here:\n- Only 20% cut agents. [1]\n- Not a source [7].", [citation()]))
    assert html.count('class="cite cite-1"') == 2  # inline marker and the sources list
    assert "cite-7" not in html and "[7]" in html
    assert "<ul><li>" in html and 'class="cards" hidden' in html
    assert "\n" not in html  # one line: a blank line would end the HTML block in markdown


def test_a_draft_has_no_cards_or_buttons_and_stays_well_formed() -> None:
    partial = render_draft("Here:\n- Only 20% cut agents [1")
    assert "cards" not in partial and "Sources" not in partial and "cite-" not in partial
    assert partial.endswith("</li></ul></div>") and 'class="answer streaming"' in partial


def test_refusal_is_a_distinct_note_in_the_answers_language() -> None:
    html = render_answer(answer("Le corpus ne le dit pas.", [], refused=True, language="fr"))
    assert 'class="refusal"' in html and "Hors du corpus" in html
    assert "cite" not in html


def test_user_and_document_text_is_escaped() -> None:
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    assert "<img" not in render_question(payload) and "&lt;img" in render_question(payload)
    hostile = citation(title=payload, locator=payload, chunk_text=payload + " " + QUOTE,
                       quote_start=len(payload) + 1, source="javascript:alert(3)")
    html = render_answer(answer(f"{payload} [1]", [hostile]))
    assert "<img" not in html and "<script" not in html
    assert 'href="javascript' not in html and "javascript:alert(3)" in html  # shown, not linked


def test_card_shows_title_locator_date_link_and_marked_quote_in_its_paragraph() -> None:
    card = render_card(citation(), "en")
    assert "Gartner survey" in card and "Survey &gt; Cuts, ¶2-3" in card and "2025-12-03" in card
    assert '<a href="https://example.com/a"' in card and "Article source 000.txt" in card
    assert f'<p class="quoted"><mark>{QUOTE}</mark> Most kept teams stable.</p>' in card
    assert "<p>Gartner surveyed 321 leaders.</p>" in card


def test_quote_found_by_search_when_the_offset_is_wrong() -> None:
    moved = citation(quote_start=0)
    assert quote_span(moved) == (PASSAGE.index(QUOTE), PASSAGE.index(QUOTE) + len(QUOTE))
    missing = citation(quote="A sentence that is not there.")
    assert highlight_passage(missing).startswith("<p><mark>A sentence that is not there.</mark></p>")


def test_source_list_drops_the_title_from_the_locator() -> None:
    html = render_answer(answer("A [1]", [citation(locator="Gartner survey > Cuts, ¶2")]))
    assert '<span class="source-where">Cuts, ¶2</span>' in html
    assert "Gartner survey &gt; Cuts, ¶2" in html  # the card keeps the full locator


def test_only_http_sources_are_links() -> None:
    assert source_links("") == "—"
    assert "<a " not in source_links("data:text/html,<b>x</b>")
    assert source_links("https://a.example/x").count("<a ") == 1




def test_groups_and_comparison_tables_render_as_labels_and_a_table() -> None:
    text = ("For:\n- Costs are 80% lower. [1]\nAgainst:\n- Power cuts are a risk. [2]\n"
            "| Entity | Figure | Date | Source |\n|---|---|---|---|\n| Kenya | 36,000 | 2024 | [1] |")
    html_text = render_answer(answer(text, [citation(1), citation(2)]))
    assert '<p class="group-label">For:</p><ul><li>' in html_text
    assert '<table class="compare"><tr><th>Entity</th>' in html_text and "<td>36,000</td>" in html_text
    assert html_text.count('class="cite cite-1"') >= 2 and "|---|" not in html_text
