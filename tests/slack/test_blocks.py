"""Block Kit layout: Slack's limits hold for any answer, and every part of the answer is there."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.models import Answer, Citation
from assistant.slack.blocks import (
    CONTEXT_ELEMENTS_LIMIT,
    MAX_BLOCKS,
    SECTION_TEXT_LIMIT,
    answer_blocks,
    citation_summary,
    fallback_text,
    source_url,
    sources_detail_blocks,
    split_text,
)
from tests.slack.conftest import block_texts

pytestmark = pytest.mark.slack


def citation(n: int, quote: str = "About 1.2 million people work in 400 contact centres.",
             source: str = "https://example.org/report; Everest Group") -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", doc_id=f"doc-{n}", title=f"Report {n} | Africa",
                    source=source, locator=f"Report {n} | Africa > Size, ¶2", quote=quote, quote_start=0)


def make_answer(text: str, citations: list[Citation] | None = None, refused: bool = False,
                language: str = "en") -> Answer:
    return Answer(question="q", answer=text, language=language, refused=refused,  # type: ignore[arg-type]
                  citations=citations or [])


def all_texts_within_limits(blocks: list[dict[str, object]]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT_LIMIT  # type: ignore[index]
        if block["type"] == "context":
            elements = block["elements"]
            assert len(elements) <= CONTEXT_ELEMENTS_LIMIT  # type: ignore[arg-type]
            assert all(len(e["text"]) <= SECTION_TEXT_LIMIT for e in elements)  # type: ignore[attr-defined]


def test_answer_layout_has_text_sources_and_buttons() -> None:
    blocks = answer_blocks(make_answer("**About 1.2 million** people [1].", [citation(1)]), turn_id=7)

    assert [b["type"] for b in blocks] == ["section", "context", "actions"]
    assert blocks[0]["text"]["text"] == "*About 1.2 million* people [1]."
    summary = blocks[1]["elements"][1]["text"]
    assert summary.startswith("*[1]* <https://example.org/report|Report 1 / Africa> · _Size, ¶2_")
    assert "“About 1.2 million people work in 400 contact centres.”" in summary
    values = {json.loads(e["value"])["turn"] for e in blocks[2]["elements"]}
    assert values == {7}


def test_refusal_is_flagged_visibly_and_has_no_sources_button() -> None:
    blocks = answer_blocks(make_answer("Le corpus ne le dit pas.", refused=True, language="fr"), turn_id=3)

    assert blocks[0]["block_id"] == "refusal"
    assert "ne répondent pas à cette question" in blocks[0]["elements"][0]["text"]
    actions = [e["action_id"] for e in blocks[-1]["elements"]]
    assert actions == ["feedback_helpful", "feedback_not_helpful"]
    assert "Utile" in block_texts(blocks)[-2]


def test_without_a_turn_id_there_are_no_buttons() -> None:
    blocks = answer_blocks(make_answer("Text [1].", [citation(1)]), turn_id=None)
    assert all(b["type"] != "actions" for b in blocks)


def test_a_huge_answer_is_split_and_cut_under_the_block_limit() -> None:
    paragraph = "Sentence about outsourcing and artificial intelligence in contact centres. " * 30
    text = "\n\n".join([paragraph] * 80)
    citations = [citation(n) for n in range(1, 31)]

    blocks = answer_blocks(make_answer(text, citations), turn_id=1)

    all_texts_within_limits(blocks)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    sources = [b for b in blocks if b["type"] == "context" and b["block_id"].startswith("sources")]
    assert sum(len(b["elements"]) for b in sources) == 31
    assert any(b.get("block_id") == "truncated" for b in blocks)
    assert len(fallback_text(make_answer(text))) <= 3000


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .\n,;"), max_size=12_000), st.integers(50, 3000))
def test_split_text_keeps_every_word_in_pieces_under_the_limit(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_split_text_prefers_paragraph_then_sentence_breaks() -> None:
    sentences = ("A" * 50 + ". ") * 3
    assert split_text(sentences + "\n\n" + "B" * 100, 170) == [sentences.strip(), "B" * 100]
    assert split_text(("A" * 50 + ". ") * 5, 170) == [("A" * 50 + ". ") * 2 + "A" * 50 + ".",
                                                      "A" * 50 + ". " + "A" * 50 + "."]


def test_source_url_takes_the_first_web_address() -> None:
    assert source_url("Article source 000.txt") is None
    assert source_url("Everest; https://a.example/x?y=1; https://b.example") == "https://a.example/x?y=1"


def test_citation_without_url_is_plain_and_escaped() -> None:
    line = citation_summary(citation(2, quote="x < y & z", source="Internal memo").public())
    assert line.startswith("*[2]* Report 2 | Africa · _Size, ¶2_")
    assert "“x &lt; y &amp; z”" in line


def test_show_sources_gives_full_quotes_in_blockquotes() -> None:
    long_quote = "Quoted words " * 60
    blocks = sources_detail_blocks([citation(1, quote=long_quote).public()], "en")
    all_texts_within_limits(blocks)
    detail = "\n".join(block_texts(blocks))
    assert ">" + long_quote.strip() in detail
    assert sources_detail_blocks([], "fr")[0]["text"]["text"] == "Cette réponse ne cite aucune source."
