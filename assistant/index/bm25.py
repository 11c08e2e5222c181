"""BM25 over the live chunks, from the same token rules as the answerer.

``BM25Index`` builds the postings in memory; ``ArrayBM25`` scores from the same postings laid out
as flat arrays (one sorted term table, CSR offsets, rows, weights), which a process memory-maps from
a generation's files instead of rebuilding them. Both give the same scores, bit for bit.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ..text import content_tokens
from .arrays import StringTable

# Okapi BM25's usual constants (assistant/tunables.py): term-frequency saturation, length normalisation.
K1, B = 1.2, 0.75
_CACHED_TERMS = 100_000  # memory bound of the term lookups an ``ArrayBM25`` keeps; no effect on scores
# From this many postings in one query on, they are added up by scipy's compiled sparse product
# (one pass, no temporaries) instead of numpy's gather-add-scatter per term: the same float32 sums in
# the same order, 4-5 times faster at a million passages. Below it numpy is as fast and scipy's import
# (a quarter of a second) would be paid by a start on a small corpus.
SPARSE_MIN_POSTINGS = 50_000
# ``top_rows`` over at least this many rows first bounds the k-th best score from every
# ``_SAMPLE_STRIDE``-th row, then sorts only the rows at or above the bound.
_SAMPLED_TOP_MIN_ROWS = 65_536
_SAMPLE_STRIDE = 16


class BM25Index:
    def __init__(self, texts: list[str], k1: float = K1, b: float = B) -> None:
        self._build([content_tokens(t) for t in texts], k1, b)

    @classmethod
    def from_tokens(cls, tokenized: list[list[str]], k1: float = K1, b: float = B) -> BM25Index:
        """For callers that already ran ``content_tokens`` over the texts: tokenising is most of the build."""
        index = cls.__new__(cls)
        index._build(tokenized, k1, b)
        return index

    def _build(self, tokenized: list[list[str]], k1: float, b: float) -> None:
        self.k1, self.b = k1, b
        self.size = len(tokenized)
        lengths = np.array([len(t) for t in tokenized], dtype=np.float32)
        average = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * lengths / max(average, 1e-9))
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for row, tokens in enumerate(tokenized):
            for term, count in Counter(tokens).items():
                rows, weights = postings.setdefault(term, ([], []))
                rows.append(row)
                weights.append(count * (k1 + 1) / (count + float(norm[row])))
        self._postings = {
            term: (np.array(rows, dtype=np.int32), np.array(weights, dtype=np.float32))
            for term, (rows, weights) in postings.items()
        }
        self._idf = {term: idf_of(self.size, len(rows)) for term, (rows, _) in postings.items()}

    def idf(self, term: str) -> float:
        """Unknown terms weigh as much as the rarest known one."""
        return self._idf.get(term, idf_of(self.size, 0))

    def search(self, query: str, k: int, allowed: np.ndarray | None = None,
               extra: dict[str, float] | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (row, score) pairs; ``allowed`` is a boolean mask of rows that may match.

        ``extra`` adds terms with a weight of their own (translations of the query's words).
        """
        scores = np.zeros(self.size, dtype=np.float32)
        for term, weight in query_terms(query, extra).items():
            posting = self._postings.get(term)
            if posting is not None:
                rows, weights = posting
                scores[rows] += self._idf[term] * weight * weights
        return top_rows(scores, k, allowed)


def query_terms(query: str, extra: dict[str, float] | None) -> dict[str, float]:
    """The query's own tokens at weight 1, then ``extra``'s terms it does not have yet."""
    terms = dict.fromkeys(content_tokens(query), 1.0)
    for term, weight in (extra or {}).items():
        terms.setdefault(term, weight)
    return terms


def top_rows(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """The ``k`` best-scoring allowed rows with a score, best first; equal scores in row order, so
    which of several equal rows make the cut does not depend on how the rows were searched."""
    if k <= 0:
        return []
    floor = _kth_score_floor(scores, k, allowed) if len(scores) >= _SAMPLED_TOP_MIN_ROWS else 0.0
    candidates = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores)
    if allowed is not None:
        candidates = candidates[allowed[candidates]]
    if candidates.size > k:  # every row scoring at least the k-th best: the boundary's ties included
        kth = np.partition(scores[candidates], candidates.size - k)[candidates.size - k]
        candidates = candidates[scores[candidates] >= kth]
    top = candidates[np.lexsort((candidates, -scores[candidates]))[:k]]
    return [(int(row), float(scores[row])) for row in top]


def _kth_score_floor(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> float:
    """A score the ``k``-th best allowed row reaches: the ``k``-th best of a sample of distinct
    allowed rows (so at least ``k`` rows score that much); 0.0 when the sample has too few."""
    sample = scores[::_SAMPLE_STRIDE]
    if allowed is not None:
        sample = np.where(allowed[::_SAMPLE_STRIDE], sample, 0.0)
    if np.count_nonzero(sample > 0) < k:
        return 0.0
    return float(np.partition(sample, len(sample) - k)[len(sample) - k])


def idf_of(size: int, frequency: int) -> float:
    """Okapi's idf of a term in ``frequency`` of ``size`` rows (0: an unknown term, the rarest)."""
    return math.log(1 + (size - frequency + 0.5) / (frequency + 0.5))


class ArrayBM25:
    """BM25 over flat postings: term ``t``'s rows and weights are ``rows[offsets[t]:offsets[t + 1]]``.

    The weights are ``BM25Index``'s (term frequency and length normalisation folded in, float32), so
    a search adds the same numbers in the same order and ranks exactly as the in-memory index.
    """

    def __init__(self, terms: StringTable, offsets: np.ndarray, rows: np.ndarray, weights: np.ndarray,
                 size: int) -> None:
        self.terms, self.offsets, self.rows, self.weights, self.size = terms, offsets, rows, weights, size
        self._idf: dict[str, float] = {}
        self._found: dict[str, tuple[int, int]] = {}  # term -> posting bounds: queries repeat their words

    @classmethod
    def from_index(cls, index: BM25Index, vocabulary: list[str]) -> ArrayBM25:
        """``index``'s postings under ``vocabulary`` (sorted by UTF-8 bytes; a term of it without
        postings gets an empty list)."""
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        rows: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for number, term in enumerate(vocabulary):
            posting = index._postings.get(term)
            if posting is not None:
                rows.append(posting[0])
                weights.append(posting[1])
            offsets[number + 1] = offsets[number] + (len(posting[0]) if posting is not None else 0)
        return cls(StringTable.of(vocabulary), offsets,
                   np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32),
                   np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32), index.size)

    def _posting(self, term: str) -> tuple[int, int]:
        found = self._found.get(term)
        if found is None:
            number = self.terms.find(term)
            found = (int(self.offsets[number]), int(self.offsets[number + 1])) if number >= 0 else (0, 0)
            if len(self._found) > _CACHED_TERMS:
                self._found.clear()
            self._found[term] = found
        return found

    def idf(self, term: str) -> float:
        """Unknown terms weigh as much as the rarest known one (cached: the answerer asks often)."""
        found = self._idf.get(term)
        if found is None:
            start, end = self._posting(term)
            found = idf_of(self.size, end - start)
            if len(self._idf) > _CACHED_TERMS:
                self._idf.clear()
            self._idf[term] = found
        return found

    def search(self, query: str, k: int, allowed: np.ndarray | None = None,
               extra: dict[str, float] | None = None) -> list[tuple[int, float]]:
        """As ``BM25Index.search``."""
        spans: list[tuple[int, int, float]] = []
        for term, weight in query_terms(query, extra).items():
            start, end = self._posting(term)
            if end > start:
                spans.append((start, end, idf_of(self.size, end - start) * weight))
        return top_rows(summed_postings(self.rows, self.weights, spans, self.size), k, allowed)


def summed_postings(rows: np.ndarray, weights: np.ndarray, spans: list[tuple[int, int, float]],
                    size: int) -> np.ndarray:
    """Each row's score: the sum over ``spans`` (posting bounds, factor) of factor × weight, added
    term by term in the order given, in float32, as ``BM25Index.search`` adds them."""
    if sum(end - start for start, end, _ in spans) < SPARSE_MIN_POSTINGS:
        scores = np.zeros(size, dtype=np.float32)
        for start, end, factor in spans:
            scores[rows[start:end]] += factor * weights[start:end]
        return scores
    from scipy.sparse import csc_array

    # One column per term: the product walks the columns in order and each column's rows in
    # order, adding float32(factor) × weight into a float32 total, which is what the loop above does.
    counts = np.array([end - start for start, end, _ in spans], dtype=np.int64)
    index_type = np.int32 if counts.sum() < np.iinfo(np.int32).max else np.int64
    pointers = np.zeros(len(spans) + 1, dtype=index_type)
    np.cumsum(counts, out=pointers[1:])
    matrix = csc_array((np.concatenate([weights[start:end] for start, end, _ in spans]),
                        np.concatenate([rows[start:end] for start, end, _ in spans]).astype(index_type, copy=False),
                        pointers), shape=(size, len(spans)))
    summed: np.ndarray = matrix @ np.array([factor for _, _, factor in spans], dtype=np.float32)
    return summed
