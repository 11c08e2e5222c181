"""The naive LangChain baseline: fixed splits, vector top-4, no threshold, the same Answer type."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.evaluation.naive import CHUNK_OVERLAP, CHUNK_SIZE, TOP_K, NaiveAssistant, split_corpus
from assistant.evaluation.sources import CorpusDocuments
from assistant.models import Answer, Turn
from tests.support import CORPUS, make_settings

pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def naive(tmp_path_factory: pytest.TempPathFactory) -> NaiveAssistant:
    return NaiveAssistant(make_settings(tmp_path_factory.mktemp("naive")))


def test_fixed_splits_over_every_corpus_file(naive: NaiveAssistant) -> None:
    assert all(len(c.text) <= CHUNK_SIZE for c in naive.chunks)
    assert {c.doc_id for c in naive.chunks} == set(CorpusDocuments.load(CORPUS, 20_000_000).documents)


def test_a_long_paragraph_is_cut_into_overlapping_windows(tmp_path: Path) -> None:
    sentence = "Outsourcing centres are changing with AI and hybrid teams. "
    (tmp_path / "long.md").write_text("---\nid: long\nlanguage: en\n---\n\n" + sentence * 60, encoding="utf-8")
    chunks = sorted(split_corpus(tmp_path, 1_000_000), key=lambda c: c.char_start)
    assert len(chunks) >= 4 and all(len(c.text) <= CHUNK_SIZE for c in chunks)
    overlaps = [a.char_end - b.char_start for a, b in itertools.pairwise(chunks)]
    assert all(0 < overlap <= CHUNK_OVERLAP for overlap in overlaps)


def test_it_answers_with_the_same_answer_type_and_exact_quotes(naive: NaiveAssistant) -> None:
    answer = naive.ask("What share of companies have cut customer-service staff because of AI, per Gartner?")
    assert isinstance(answer, Answer) and answer.mode == "naive"
    assert len(answer.retrieved) == TOP_K and not answer.refused
    assert "20%" in answer.answer
    texts = {s.chunk.id: s.chunk.text for s in answer.retrieved}
    assert all(texts[c.chunk_id][c.quote_start:].startswith(c.quote) for c in answer.citations)


def test_without_a_threshold_it_never_refuses_and_it_ignores_the_conversation(naive: NaiveAssistant) -> None:
    assert not naive.ask("What is the capital of Australia?").refused
    history = [Turn(role="user", content="Combien CCI Global investit-il en Afrique ?"),
               Turn(role="assistant", content="325 millions d'euros.")]
    alone, followed = naive.ask("Et au Kenya ?"), naive.ask("Et au Kenya ?", history)
    assert followed.language == "fr"
    assert [s.chunk.id for s in followed.retrieved] == [s.chunk.id for s in alone.retrieved]
