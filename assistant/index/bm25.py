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
    """The ``k`` best-scoring allowed rows with a score, best first; ties keep row order."""
    if allowed is not None:
        scores[~allowed] = 0.0
    candidates = np.flatnonzero(scores)
    if candidates.size == 0:
        return []
    if candidates.size > k:
        top = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    else:
        top = candidates
    ordered = top[np.argsort(-scores[top], kind="stable")]
    return [(int(row), float(scores[row])) for row in ordered]


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
        number = self.terms.find(term)
        if number < 0:
            return 0, 0
        return int(self.offsets[number]), int(self.offsets[number + 1])

    def idf(self, term: str) -> float:
        """Unknown terms weigh as much as the rarest known one (cached: the answerer asks often)."""
        found = self._idf.get(term)
        if found is None:
            start, end = self._posting(term)
            found = idf_of(self.size, end - start)
            if len(self._idf) > 100_000:
                self._idf.clear()
            self._idf[term] = found
        return found

    def search(self, query: str, k: int, allowed: np.ndarray | None = None,
               extra: dict[str, float] | None = None) -> list[tuple[int, float]]:
        """As ``BM25Index.search``."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, weight in query_terms(query, extra).items():
            start, end = self._posting(term)
            if end > start:
                scores[self.rows[start:end]] += idf_of(self.size, end - start) * weight * self.weights[start:end]
        return top_rows(scores, k, allowed)
