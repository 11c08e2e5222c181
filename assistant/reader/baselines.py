"""The lines to beat: a bi-encoder's cosine between the question and each sentence.

That is the sentence score the answerer has today (the dense part of it), so the reader earns
its latency only where it ranks a question's candidates better than this.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from .data import Pair


@cache
def _embedder(name: str) -> object:
    from ..index.embeddings import load_embeddings

    return load_embeddings(name)


def embed(name: str, texts: Sequence[str], query: bool) -> np.ndarray:
    """L2-normalised vectors from one of the project's packaged embedding models."""
    model = _embedder(name)
    unique = list(dict.fromkeys(texts))
    if query:
        rows = [model.embed_query(t) for t in unique]  # type: ignore[attr-defined]
    else:
        rows = model.embed_documents(unique)  # type: ignore[attr-defined]
    matrix = np.asarray(rows, dtype=np.float32)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    at = {t: i for i, t in enumerate(unique)}
    return matrix[[at[t] for t in texts]]


def cosines(name: str, pairs: Sequence[Pair]) -> list[float]:
    """Cosine of question and sentence per pair, rescaled from [-1, 1] to [0, 1]."""
    if not pairs:
        return []
    questions = embed(name, [p.question for p in pairs], query=True)
    sentences = embed(name, [p.sentence for p in pairs], query=False)
    return [float((1 + c) / 2) for c in np.sum(questions * sentences, axis=1)]


def bi_encoder_scorer(name: str) -> object:
    """A ``metrics.Scorer`` from a packaged embedding model (no classes, so no side)."""
    def score(pairs: Sequence[Pair]) -> tuple[list[float], None]:
        return cosines(name, pairs), None
    return score
