"""BM25 on a handful of texts: no corpus, no model."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from assistant.index import bm25
from assistant.index.bm25 import ArrayBM25, BM25Index, top_rows

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


def _full_sort(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """The definition ``top_rows`` must meet: every allowed row with a score, by score then row."""
    rows = [row for row in range(len(scores)) if scores[row] != 0 and (allowed is None or allowed[row])]
    return [(row, float(scores[row])) for row in sorted(rows, key=lambda row: (-scores[row], row))[:k]]


def test_top_rows_breaks_ties_by_row_whether_or_not_it_samples_a_bound_first() -> None:
    """Few distinct scores, so the k-th place is shared by many rows: the ones taken are the
    lowest rows, on arrays small enough to sort whole and large enough to be sampled (70,000 rows),
    with and without a mask, and when the sample holds fewer than k scored rows."""
    rng = np.random.default_rng(7)
    for size in (300, 70_000):
        scores = rng.choice(np.array([0, 0, 0, 1.5, 2.25, 3.0], dtype=np.float32), size=size)
        sparse = np.zeros(size, dtype=np.float32)
        sparse[rng.choice(size, 40, replace=False)] = rng.choice(np.array([1.0, 2.0], dtype=np.float32), 40)
        allowed = rng.random(size) < 0.3
        for array in (scores, sparse, -scores):
            for k in (1, 5, 30, 200):
                for mask in (None, allowed):
                    assert top_rows(array.copy(), k, mask) == _full_sort(array, k, mask), (size, k)
    assert top_rows(np.zeros(70_000, dtype=np.float32), 5, None) == []
    continuous = rng.random(70_000).astype(np.float32) * (rng.random(70_000) < 0.6)
    for k in (1, 30, 500):
        for mask in (None, allowed):
            assert top_rows(continuous.copy(), k, mask) == _full_sort(continuous, k, mask), k
    assert top_rows(scores, 0, None) == top_rows(scores, -1, allowed) == []


def test_the_compiled_sum_of_many_postings_is_the_per_term_sum_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long queries over a larger index take scipy's sparse product: its float32 totals equal
    numpy's term-by-term additions exactly (the order of additions is the same), checked by
    forcing each way on the same postings."""
    rng = np.random.default_rng(11)
    texts = [" ".join(rng.choice([f"w{n}" for n in range(300)], size=int(rng.integers(3, 60))))
             for _ in range(5000)]
    tokens = [text.split() for text in texts]
    vocabulary = sorted({term for terms in tokens for term in terms}, key=str.encode)
    index = ArrayBM25.from_index(BM25Index.from_tokens(tokens), vocabulary)
    queries = [" ".join(rng.choice([f"w{n}" for n in range(320)], size=12)) for _ in range(40)]
    extra = {"w3": 0.5, "w250": 0.25}
    monkeypatch.setattr(bm25, "SPARSE_MIN_POSTINGS", 10**12)
    by_numpy = [(index.search(q, 30, extra=extra), _scores(index, q, extra)) for q in queries]
    monkeypatch.setattr(bm25, "SPARSE_MIN_POSTINGS", 0)
    by_scipy = [(index.search(q, 30, extra=extra), _scores(index, q, extra)) for q in queries]
    for (top_a, scores_a), (top_b, scores_b) in zip(by_numpy, by_scipy, strict=True):
        assert top_a == top_b
        assert scores_a.dtype == scores_b.dtype == np.float32 and scores_a.tobytes() == scores_b.tobytes()
    assert "scipy.sparse" in sys.modules


def _scores(index: ArrayBM25, query: str, extra: dict[str, float]) -> np.ndarray:
    spans = [(start, end, bm25.idf_of(index.size, end - start) * weight)
             for term, weight in bm25.query_terms(query, extra).items()
             for start, end in [index._posting(term)] if end > start]
    return bm25.summed_postings(index.rows, index.weights, spans, index.size)
