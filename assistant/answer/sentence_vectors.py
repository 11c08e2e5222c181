"""Sentence vectors for the extractive answerer: each quotable sentence is embedded alone and read
under its document's title, once per process (a cache by text), and can be embedded ahead of the
first question (``corpus_sentences`` + ``SentenceEmbeddingCache.preload``)."""

from __future__ import annotations

from collections.abc import Callable

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
            for text, vector in zip(missing, self._embed(missing), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1))

    def preload(self, texts: list[str], batch_size: int = 64) -> int:
        """Embed the texts not yet known (up to the cache's limit), shortest first so a batch pads
        little; returns how many were embedded. A question then never embeds a corpus sentence."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        missing = sorted(missing[:max(self._limit - len(self._cache), 0)], key=len)
        for start in range(0, len(missing), batch_size):
            batch = missing[start:start + batch_size]
            for text, vector in zip(batch, self._embed(batch), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        return len(missing)


def in_context(candidate: Candidate) -> str:
    """The sentence read under its document's title: "It later changed course" is about Klarna."""
    return f"{candidate.chunk.chunk.title}: {candidate.text}"


def corpus_sentences(chunks: list[Chunk]) -> list[str]:
    """Every text ``answer_extractively`` can embed for these chunks: each quotable sentence,
    alone and under its document's title."""
    candidates = candidates_of([ScoredChunk(chunk=chunk, score=0.0) for chunk in chunks])
    return [c.text for c in candidates] + [in_context(c) for c in candidates]
