"""Scoring: how well each candidate sentence answers the analysed question.

This is the one seam where the way sentences are scored is chosen: a ``SentenceScorer`` takes the
analysed question, its candidates (their evidence flags ``about`` and ``fits`` already set) and a
``ScoringContext``, and returns one score per candidate, in the candidates' order. ``WeightedScorer``
is today's scorer (meaning, rare words, passage rank, the asked type; cut when off subject, off topic
or in the other language); a trained reader plugs in as another entry of ``SCORERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..analysis.glossary import translations
from ..analysis.question import QuestionAnalysis
from ..settings import AnswerSettings
from ..text import content_tokens
from .candidates import Candidate
from .sentence_vectors import SentenceEmbeddingCache, in_context

_OFF_SUBJECT = 0.5  # a sentence that names none of the question's names weighs half
_OFF_TOPIC = 0.7  # a sentence that shares none of the question's subject words (nor their translations)
_OTHER_LANGUAGE = 0.95  # a sentence in the other language than the question's weighs a little less


@dataclass(frozen=True)
class ScoringContext:
    """What a scorer may read beside the question's analysis and its candidates."""

    question: str  # the question as a reader reads it: a follow-up with the question it follows
    terms: Mapping[str, float]  # the question's words and their weights (a follow-up's own words weigh more)
    embedding: Sequence[float]  # the question's vector
    idf: Callable[[str], float]  # how rare a word is in the corpus
    vectors: np.ndarray  # each candidate's sentence vector, in row ``candidate.index``
    sentence_vectors: SentenceEmbeddingCache  # to embed other texts of a candidate
    settings: AnswerSettings


class SentenceScorer(Protocol):
    def score(self, analysis: QuestionAnalysis, candidates: Sequence[Candidate],
              context: ScoringContext) -> list[float]:
        """One score per candidate, in order: the higher, the better it answers."""
        ...


class WeightedScorer:
    """Meaning (the sentence's cosine to the question, alone or under its document's title), the
    question's rare words it shares (their translations at half weight) and its passage's rank,
    weighed by the calibrated settings; a bonus when it gives the asked type, and cuts when it is off
    subject, off topic or in the other language."""

    def score(self, analysis: QuestionAnalysis, candidates: Sequence[Candidate],
              context: ScoringContext) -> list[float]:
        terms, idf, weights = context.terms, context.idf, context.settings
        vectors = context.vectors
        titled = context.sentence_vectors.vectors([in_context(c) for c in candidates])
        query = np.asarray(context.embedding, dtype=np.float32)
        norm = np.linalg.norm(query) + 1e-9
        dense = np.maximum(vectors @ query / (np.linalg.norm(vectors, axis=1) * norm + 1e-9),
                           titled @ query / (np.linalg.norm(titled, axis=1) * norm + 1e-9))
        total_weight = sum(w * idf(t) for t, w in terms.items()) or 1.0
        # words of the same meaning ("reduced" for "cut", "emplois" for "jobs") count at half weight
        synonyms = {t: w for t, w in translations(" ".join(terms)).items() if t not in terms}
        typed = analysis.kind in ("figure", "date", "why", "who") or analysis.quantity
        # The question's own subject words, apart from the names it is about ("capital" in "the capital of
        # Australia"), with their translations: a sentence sharing none of them answers something else.
        named = {t for e in analysis.entities for a in e.aliases for t in content_tokens(a)}
        topic = {t for t in terms if t not in named and terms[t] >= 1.0}
        topic |= set(translations(" ".join(topic)))
        # The tokens of a document's title and headings, read once per passage rather than per sentence.
        context_tokens: dict[str, frozenset[str]] = {}
        scores: list[float] = []
        for candidate, similarity in zip(candidates, dense, strict=True):
            candidate.dense = float(similarity)
            candidate.lexical = min(1.0, (sum(w * idf(t) for t, w in terms.items() if t in candidate.tokens)
                                          + sum(w * idf(t) for t, w in synonyms.items() if t in candidate.tokens))
                                    / total_weight)
            rank_prior = 1.0 / (1 + candidate.rank)
            score = (weights.weight_dense * candidate.dense + weights.weight_lexical * candidate.lexical
                     + weights.weight_rank * rank_prior)
            if typed and candidate.fits:
                score += weights.weight_fits
            if not candidate.about:
                score *= _OFF_SUBJECT
            if topic and not topic & candidate.tokens:
                sentence_context = candidate.context
                if sentence_context not in context_tokens:
                    context_tokens[sentence_context] = frozenset(content_tokens(sentence_context))
                if not topic & context_tokens[sentence_context]:
                    score *= _OFF_TOPIC
            if candidate.chunk.chunk.language != analysis.language:
                score *= _OTHER_LANGUAGE
            scores.append(score)
        return scores


def before_subject_cut(candidate: Candidate) -> float:
    """A scored candidate's score as if it named the question's names: what the refusal weighs when it
    looks for evidence about other places."""
    return candidate.score / _OFF_SUBJECT if not candidate.about else candidate.score


class ReaderScorer:
    """The trained reader (``assistant.reader``): a cross-encoder reads the question together with each
    of the best sentences by the weighted score (enough to keep what retrieval found, few enough for a
    chat), under its document's title, and gives how well it answers.
    The other sentences score only their share of the weighted score. A sentence naming none of the
    question's names keeps its cut:
    the reader does not see the question's entities the way the gazetteer does."""

    def __init__(self) -> None:
        self._weighted = WeightedScorer()

    def score(self, analysis: QuestionAnalysis, candidates: Sequence[Candidate],
              context: ScoringContext) -> list[float]:
        from ..reader.shared import shared_reader  # torch and the weights load on the first question only

        cheap = self._weighted.score(analysis, candidates, context)
        best = sorted(range(len(candidates)), key=lambda i: -cheap[i])[:context.settings.reader_candidates]
        read = shared_reader().score(context.question, [candidates[i].text for i in best],
                                     [candidates[i].chunk.chunk.title for i in best])
        # the reader's verdict, mixed with the weighted score by ``reader_weight`` (1: the reader alone); a
        # sentence it did not read counts as one it found no answer in
        weight = context.settings.reader_weight
        scores = [(1.0 - weight) * score for score in cheap]
        for i, verdict in zip(best, read, strict=True):
            # ``verdict.side`` is not used: the committed reader calls every held-out for/against answer
            # "against" (model card), so the stance words still decide; ``Candidate.side`` awaits one that learns it
            relevance = verdict.relevance * (1.0 if candidates[i].about else _OFF_SUBJECT)
            scores[i] += weight * relevance
        return scores


# The scorers by name (``AnswerSettings.scorer``), one instance each per process.
SCORERS: dict[str, Callable[[], SentenceScorer]] = {"weighted": WeightedScorer, "reader": ReaderScorer}
DEFAULT_SCORER = "weighted"
_MADE: dict[str, SentenceScorer] = {}


def scorer_named(name: str = DEFAULT_SCORER) -> SentenceScorer:
    if name not in SCORERS:
        raise ValueError(f"unknown sentence scorer {name!r}; known: {', '.join(sorted(SCORERS))}")
    if name not in _MADE:
        _MADE[name] = SCORERS[name]()
    return _MADE[name]
