"""The grounded extractive answerer: quote the retrieved sentences that answer, in the shape asked.

It writes nothing but short labels in the question's language, table cells copied from the
cited quotes and a correction line built from a cited figure, around sentences copied verbatim
from the cited chunks, so every claim in the answer is a checkable quote.

One question goes down these steps, each in its own module:

1. ``candidates``: the quotable sentences of the passages, numbered;
2. ``evidence``: whether each is about the question's names and gives what its type asks for;
3. ``scoring``: a score per sentence (the ``SentenceScorer`` chosen);
4. ``refusal``: the bars the quotes need, and the refusal when the best falls short;
5. ``shapes``: the answer's form, with ``selection`` choosing its quotes and ``layout`` writing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..analysis.question import QuestionAnalysis
from ..models import ScoredChunk
from ..settings import AnswerSettings
from . import refusal, shapes
from .candidates import candidates_of
from .evidence import about, fits
from .layout import ExtractiveResult
from .scoring import ScoringContext, SentenceScorer, scorer_named
from .selection import Picker
from .sentence_vectors import SentenceEmbeddingCache

__all__ = ["AnswerInput", "AskedQuestion", "ExtractiveAnswerer", "ExtractiveResult", "Passages"]


@dataclass(frozen=True)
class AskedQuestion:
    """The analysed question, with its weighted words and its vector."""

    analysis: QuestionAnalysis
    terms: Mapping[str, float]
    embedding: Sequence[float]
    standalone: str = ""  # the question with a follow-up's context, as a reader reads it


@dataclass(frozen=True)
class Passages:
    """The retrieved passages, best first, and the rarity of a word in their corpus."""

    retrieved: list[ScoredChunk]
    idf: Callable[[str], float]


@dataclass(frozen=True)
class AnswerInput:
    question: AskedQuestion
    passages: Passages
    settings: AnswerSettings


class ExtractiveAnswerer:
    """Answers from the quotable sentences of the passages; holds the sentence vectors and the scorer."""

    def __init__(self, sentence_vectors: SentenceEmbeddingCache, scorer: SentenceScorer | None = None) -> None:
        self.sentence_vectors = sentence_vectors
        self.scorer = scorer  # None: the one the settings name, for each request

    def answer(self, request: AnswerInput) -> ExtractiveResult:
        question, settings = request.question, request.settings
        analysis = question.analysis
        candidates = candidates_of(request.passages.retrieved)
        if not candidates or not question.terms:
            return refusal.refused(analysis.language)
        vectors = self.sentence_vectors.vectors([c.text for c in candidates])
        for candidate in candidates:
            candidate.about = about(analysis, candidate.text, candidate.context, candidate.chunk.chunk.text)
            candidate.fits = fits(analysis, candidate.text, candidate.kinds)
        context = ScoringContext(question.standalone or analysis.text, question.terms, question.embedding,
                                 request.passages.idf, vectors,
                                 self.sentence_vectors, settings)
        scorer = self.scorer or scorer_named(settings.scorer)
        for candidate, score in zip(candidates, scorer.score(analysis, candidates, context), strict=True):
            candidate.score = score
        ranked = sorted(candidates, key=lambda c: -c.score)
        on_subject = [c for c in ranked if c.about]
        bars = refusal.bars_for(analysis, settings)
        if refusal.refuses(analysis, on_subject, bars):
            return refusal.nothing_on(analysis, ranked, bars.threshold)
        return shapes.shape(shapes.Shaping(analysis, on_subject, Picker(vectors), bars, settings))
