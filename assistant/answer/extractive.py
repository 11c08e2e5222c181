"""The grounded extractive answerer: quote the few retrieved sentences that answer.

It writes nothing but a short frame in the question's language around sentences copied
verbatim from cited chunks, so every claim in the answer is a checkable quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..models import Citation, Language, ScoredChunk
from ..numbers import amounts
from ..text import content_tokens, split_sentences
from .safety import looks_like_injection

_INTRO = {"en": "Here is what the corpus says:", "fr": "Voici ce que dit le corpus :"}
_OTHER_LANGUAGE_NOTE = {"en": " (source in French)", "fr": " (source en anglais)"}
_QUANTITY_QUESTION = re.compile(
    r"\b(how (many|much)|what (share|percentage|proportion|part|number|figure)|combien|"
    r"quel(le)?s? (part|pourcentage|proportion|nombre|montant|chiffre)|percent|pourcentage|"
    r"montant|amount)\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
# Weights of the sentence score: meaning (dense), shared rare words (lexical), and how
# well the retriever ranked the sentence's chunk.
_W_DENSE, _W_LEXICAL, _W_RANK, _W_QUANTITY = 0.45, 0.45, 0.10, 0.08
_DUPLICATE_COSINE = 0.8
_SAME_FIGURES_COSINE = 0.6
_DUPLICATE_JACCARD = 0.5
_CONFLICT_RATIO = 0.5
_CONFLICT_COSINE = 0.5


@dataclass
class Candidate:
    chunk: ScoredChunk
    start: int
    end: int
    text: str
    tokens: frozenset[str]
    figures: frozenset[tuple[str, str]]
    dense: float = 0.0
    lexical: float = 0.0
    score: float = 0.0


@dataclass
class ExtractiveResult:
    answer: str
    citations: list[Citation]
    evidence: float
    refused: bool


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


def refusal_text(language: Language) -> str:
    if language == "fr":
        return ("Le corpus ne le dit pas : aucun passage des documents ne répond à cette "
                "question, je préfère donc ne pas deviner.")
    return ("The corpus does not say: no passage in the documents answers this question, "
            "so I will not guess.")


def answer_extractively(
    question_terms: dict[str, float],
    question_embedding: list[float],
    retrieved: list[ScoredChunk],
    language: Language,
    idf: Callable[[str], float],
    sentence_vectors: SentenceEmbeddingCache,
    threshold: float,
    max_sentences: int,
    quantity_question: bool,
    select_ratio: float = 0.8,
) -> ExtractiveResult:
    candidates = _candidates(retrieved)
    if not candidates or not question_terms:
        return ExtractiveResult(refusal_text(language), [], 0.0, True)

    vectors = sentence_vectors.vectors([c.text for c in candidates])
    query = np.asarray(question_embedding, dtype=np.float32)
    dense = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query) + 1e-9)
    total_weight = sum(w * idf(t) for t, w in question_terms.items()) or 1.0
    ranks = {id(r): i for i, r in enumerate(retrieved)}
    for candidate, similarity in zip(candidates, dense, strict=True):
        candidate.dense = float(similarity)
        candidate.lexical = sum(
            w * idf(t) for t, w in question_terms.items() if t in candidate.tokens
        ) / total_weight
        rank_prior = 1.0 / (1 + ranks[id(candidate.chunk)])
        candidate.score = (
            _W_DENSE * candidate.dense + _W_LEXICAL * candidate.lexical + _W_RANK * rank_prior
        )
        if quantity_question and _DIGIT.search(candidate.text):
            candidate.score += _W_QUANTITY
        if candidate.chunk.chunk.language != language:
            candidate.score *= 0.95

    ranked = sorted(candidates, key=lambda c: -c.score)
    best = ranked[0]
    if best.score < threshold:
        return ExtractiveResult(refusal_text(language), [], best.score, True)

    chosen: list[tuple[Candidate, np.ndarray]] = []
    index_of = {id(c): i for i, c in enumerate(candidates)}
    for candidate in ranked:
        if len(chosen) == max_sentences or candidate.score < max(best.score * select_ratio, threshold):
            break
        vector = vectors[index_of[id(candidate)]]
        if any(_near_duplicate(candidate, vector, other, other_vector)
               for other, other_vector in chosen):
            continue
        chosen.append((candidate, vector))

    chosen.extend(_conflicting_figure(ranked, chosen, vectors, index_of, best.score, threshold))

    lines = [_INTRO[language]]
    citations: list[Citation] = []
    for n, (candidate, _) in enumerate(chosen, start=1):
        chunk = candidate.chunk.chunk
        note = _OTHER_LANGUAGE_NOTE[language] if chunk.language != language else ""
        lines.append(f"- {candidate.text} [{n}]{note}")
        citations.append(Citation(
            n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source,
            locator=chunk.locator, quote=candidate.text, quote_start=candidate.start,
            date=chunk.date, chunk_text=chunk.text,
        ))
    return ExtractiveResult("\n".join(lines), citations, best.score, False)


def _conflicting_figure(
    ranked: list[Candidate],
    chosen: list[tuple[Candidate, np.ndarray]],
    vectors: np.ndarray,
    index_of: dict[int, int],
    best_score: float,
    threshold: float,
) -> list[tuple[Candidate, np.ndarray]]:
    """A sentence on the same point that gives other figures.

    Sources disagree (the article's 325 M EUR against the US$378 M reported elsewhere): the
    answer must show both, each with its citation, rather than pick one silently.
    """
    shown = frozenset().union(*(c.figures for c, _ in chosen)) if chosen else frozenset()
    if not shown:
        return []
    for candidate in ranked:
        if candidate.score < max(best_score * _CONFLICT_RATIO, threshold):
            break
        shown_kinds = {kind for _, kind in shown}
        new_same_kind = {f for f in candidate.figures - shown if f[1] in shown_kinds}
        if not new_same_kind or any(candidate is c for c, _ in chosen):
            continue
        vector = vectors[index_of[id(candidate)]]
        related = max(_cosine(vector, v) for _, v in chosen)
        if related >= _CONFLICT_COSINE:
            return [(candidate, vector)]
    return []


def _candidates(retrieved: list[ScoredChunk]) -> list[Candidate]:
    candidates = []
    for scored in retrieved:
        text = scored.chunk.text
        for start, end in split_sentences(text):
            sentence = text[start:end]
            tokens = frozenset(content_tokens(sentence))
            # Headings and fragments are not evidence, and neither are orders to the assistant.
            if len(tokens) >= 3 and not looks_like_injection(sentence):
                candidates.append(Candidate(scored, start, end, sentence, tokens,
                                            frozenset(amounts(sentence))))
    return candidates


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def _near_duplicate(a: Candidate, a_vector: np.ndarray, b: Candidate, b_vector: np.ndarray) -> bool:
    cosine = _cosine(a_vector, b_vector)
    jaccard = len(a.tokens & b.tokens) / max(len(a.tokens | b.tokens), 1)
    same_figures = bool(a.figures) and a.figures == b.figures
    return (cosine > _DUPLICATE_COSINE or jaccard > _DUPLICATE_JACCARD
            or (same_figures and cosine > _SAME_FIGURES_COSINE))


def is_quantity_question(question: str) -> bool:
    return bool(_QUANTITY_QUESTION.search(question))
