"""Sentence vectors for the extractive answerer: each quotable sentence is embedded alone (never in
a batch, so its vector does not depend on its neighbours) and read under its document's title, once
per process (a cache by text), and can be embedded ahead of the first question (``corpus_sentences``
+ ``SentenceEmbeddingCache.preload``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..models import Chunk, ScoredChunk
from .candidates import Candidate, candidates_of


class SentenceEmbeddingCache:
    """Sentence vectors by text: a warm process embeds each corpus sentence once."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]], limit: int = 50_000) -> None:
        self._embed = embed
        self._cache: dict[str, np.ndarray] = {}
        self._limit = limit

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > self._limit:
                self._cache.clear()
            for text in missing:
                self._cache[text] = self._one(text)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1))

    def _one(self, text: str) -> np.ndarray:
        """A sentence embedded alone: a model's vector moves in the last bits with the other texts of
        its batch (padding), and a moved bit can reorder two close sentences, so an answer would
        depend on which sentences were embedded together, in ``serve`` as in the eval."""
        return np.asarray(self._embed([text])[0], dtype=np.float32)

    def preload(self, texts: list[str]) -> int:
        """Embed the texts not yet known (up to the cache's limit); returns how many were embedded.
        A question then never embeds a corpus sentence."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        missing = missing[:max(self._limit - len(self._cache), 0)]
        for text in missing:
            self._cache[text] = self._one(text)
        return len(missing)


def in_context(candidate: Candidate) -> str:
    """The sentence read under its document's title: "It later changed course" is about Klarna."""
    return f"{candidate.chunk.chunk.title}: {candidate.text}"


def corpus_sentences(chunks: Sequence[Chunk]) -> list[str]:
    """Every text ``answer_extractively`` can embed for these chunks: each quotable sentence,
    alone and under its document's title."""
    candidates = candidates_of([ScoredChunk(chunk=chunk, score=0.0) for chunk in chunks])
    return [c.text for c in candidates] + [in_context(c) for c in candidates]
