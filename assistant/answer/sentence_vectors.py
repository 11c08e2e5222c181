"""Sentence vectors for the extractive answerer: each quotable sentence is embedded alone (never in
a batch, so its vector does not depend on its neighbours) and read under its document's title, once
per process (a cache by text), and can be embedded ahead of the first question (``corpus_sentences``
+ ``SentenceEmbeddingCache.preload``).

A generation of a small index also keeps its sentences' vectors in its files, embedded at publish the
same way (alone, one by one): a new process reads them (``StoredSentences``) instead of embedding the
sentences of its first answers, and gets the very same vectors."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..index.arrays import StringTable
from ..index.sentence_store import StoredSentences
from ..models import Chunk, ScoredChunk
from .candidates import Candidate, candidates_of


class SentenceEmbeddingCache:
    """Sentence vectors by text: a warm process embeds each corpus sentence once; with ``stored`` (the live
    generation's) it embeds only the sentences they lack."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]], limit: int = 50_000) -> None:
        self._embed = embed
        self._cache: dict[str, np.ndarray] = {}
        self._limit = limit
        self.stored: StoredSentences | None = None

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > self._limit:
                self._cache.clear()
            for text in missing:
                self._cache[text] = self._stored_or_embedded(text)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1))

    def _stored_or_embedded(self, text: str) -> np.ndarray:
        stored = self.stored.vector(text) if self.stored is not None else None
        return stored if stored is not None else self._one(text)

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
            self._cache[text] = self._stored_or_embedded(text)
        return len(missing)


def embed_sentences(chunks: Sequence[Chunk], embed: Callable[[list[str]], list[list[float]]],
                    previous: StoredSentences | None) -> StoredSentences:
    """The vectors of every text ``corpus_sentences`` lists for ``chunks``, sorted by text: those of
    ``previous`` (the generation before) reused, the others embedded alone as at answer time."""
    cache = SentenceEmbeddingCache(embed)
    cache.stored = previous
    texts = sorted(set(corpus_sentences(chunks)), key=str.encode)  # UTF-8 byte order: ``find`` bisects it
    vectors = cache.vectors(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    return StoredSentences(StringTable.of(texts), np.asarray(vectors, dtype=np.float32))


def in_context(candidate: Candidate) -> str:
    """The sentence read under its document's title: "It later changed course" is about Klarna."""
    return f"{candidate.chunk.chunk.title}: {candidate.text}"


def corpus_sentences(chunks: Sequence[Chunk]) -> list[str]:
    """Every text ``answer_extractively`` can embed for these chunks: each quotable sentence,
    alone and under its document's title."""
    candidates = candidates_of([ScoredChunk(chunk=chunk, score=0.0) for chunk in chunks])
    return [c.text for c in candidates] + [in_context(c) for c in candidates]
