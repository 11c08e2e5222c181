"""BM25 over the live chunks, built in memory from the same token rules as the answerer."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ..text import content_tokens

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
        self._idf = {
            term: math.log(1 + (self.size - len(rows) + 0.5) / (len(rows) + 0.5))
            for term, (rows, _) in postings.items()
        }

    def idf(self, term: str) -> float:
        """Unknown terms weigh as much as the rarest known one."""
        return self._idf.get(term, math.log(1 + (self.size + 0.5) / 0.5))

    def search(self, query: str, k: int, allowed: np.ndarray | None = None,
               extra: dict[str, float] | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (row, score) pairs; ``allowed`` is a boolean mask of rows that may match.

        ``extra`` adds terms with a weight of their own (translations of the query's words).
        """
        terms = dict.fromkeys(content_tokens(query), 1.0)
        for term, weight in (extra or {}).items():
            terms.setdefault(term, weight)
        scores = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            posting = self._postings.get(term)
            if posting is not None:
                rows, weights = posting
                scores[rows] += self._idf[term] * weight * weights
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
