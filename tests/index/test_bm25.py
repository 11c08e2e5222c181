"""BM25 on a handful of texts: no corpus, no model."""

from __future__ import annotations

import numpy as np

from assistant.index.bm25 import BM25Index

TEXTS = [
    "Kenya's outsourcing sector employs 36,000 people in Nairobi.",
    "Morocco's offshoring centres serve French-speaking customers.",
    "Gartner surveyed 321 customer service leaders about AI and staffing.",
    "Kenya Kenya Kenya: the government wants one million digital jobs in Kenya.",
]


def test_the_passage_with_the_rare_word_ranks_first() -> None:
    index = BM25Index(TEXTS)
    assert index.search("Gartner leaders", k=2)[0][0] == 2


def test_repeating_a_word_saturates_instead_of_winning_outright() -> None:
    index = BM25Index(TEXTS)
    ranking = [row for row, _ in index.search("Kenya outsourcing employs", k=4)]
    assert ranking[0] == 0  # three matching words beat one word four times


def test_no_match_and_masked_rows_return_nothing() -> None:
    index = BM25Index(TEXTS)
    assert index.search("ratatouille", k=3) == []
    allowed = np.array([False, True, True, True])
    assert all(row != 0 for row, _ in index.search("Kenya", k=4, allowed=allowed))


def test_rarer_terms_weigh_more_and_unknown_terms_weigh_most() -> None:
    index = BM25Index(TEXTS)
    assert index.idf("kenya") < index.idf("gartner") < index.idf("unseen-term")


def test_from_tokens_is_the_same_index() -> None:
    from assistant.text import content_tokens

    built = BM25Index(TEXTS)
    reused = BM25Index.from_tokens([content_tokens(t) for t in TEXTS])
    assert built.search("digital jobs Kenya", k=4) == reused.search("digital jobs Kenya", k=4)
