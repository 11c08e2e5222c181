"""Sentence vectors kept with a generation (``retrieval/generation_files.py`` writes and maps them; the
answerer's ``SentenceEmbeddingCache`` reads them before it embeds a sentence)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import Chunk
from .arrays import StringTable


@dataclass(frozen=True)
class StoredSentences:
    """``texts`` sorted by UTF-8 bytes (found by bisection), ``vectors`` in their order."""

    texts: StringTable
    vectors: np.ndarray

    def vector(self, text: str) -> np.ndarray | None:
        row = self.texts.find(text)
        return None if row < 0 else np.array(self.vectors[row], dtype=np.float32)


# The vectors of a generation's passages' sentences, given the previous generation's to reuse (the
# ``Assistant`` passes the answerer's ``embed_sentences`` down to publishing).
SentenceEmbedder = Callable[[Sequence[Chunk], StoredSentences | None], StoredSentences]
