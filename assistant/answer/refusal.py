"""Refusal: when the corpus does not answer, and what is said then, in one place.

- the bars: the evidence the best quote needs (``refusal_threshold``; for a broad question, a decision
  to weigh or a comparison, that times ``broad_floor``) and any further quote (times ``quote_floor``);
- the refusal: the best on-subject quote under its bar, or a look-up for a kind of figure that no
  quote over the bar gives;
- the answers then: "nothing on X, but on Y" when the best evidence is about other places of the same
  kind, else the plain refusal text; and ``NOT_FOUND``, the reply a chat model is told to give instead
  (``prompts``), which ``generate`` turns into the same refusal text.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.gazetteer import country_in
from ..analysis.question import QuestionAnalysis
from ..models import Language
from ..settings import AnswerSettings
from . import layout
from .candidates import Candidate
from .evidence import other_places
from .layout import ExtractiveResult
from .scoring import before_subject_cut
from .selection import citation_of

NOT_FOUND = "NOT_FOUND"  # a chat model's whole reply when its sources do not answer


def refusal_text(language: Language) -> str:
    if language == "fr":
        return ("Le corpus ne le dit pas : aucun passage des documents ne répond à cette "
                "question, je préfère donc ne pas deviner.")
    return ("The corpus does not say: no passage in the documents answers this question, "
            "so I will not guess.")


def refused(language: Language, evidence: float = 0.0) -> ExtractiveResult:
    return ExtractiveResult(refusal_text(language), [], evidence, True)


@dataclass(frozen=True)
class Bars:
    """The evidence scores quotes need: ``threshold`` the refusal threshold, ``best`` the best quote's
    bar, ``further`` any further quote's."""

    threshold: float
    best: float
    further: float


def bars_for(analysis: QuestionAnalysis, settings: AnswerSettings) -> Bars:
    """A decision to weigh or a comparison is broad: its evidence need not match the question's words
    as closely as a look-up's, so its best quote only needs what any further quote of a look-up needs."""
    threshold = settings.refusal_threshold
    broad = analysis.weighing or analysis.kind == "comparison"
    return Bars(threshold, threshold * settings.broad_floor if broad else threshold, threshold * settings.quote_floor)


def refuses(analysis: QuestionAnalysis, on_subject: list[Candidate], bars: Bars) -> bool:
    """No on-subject quote over the bar, or none of the kind of figure a look-up asks for."""
    best = on_subject[0] if on_subject else None
    return best is None or best.score < bars.best or (
        analysis.kind == "figure" and analysis.wants != "any"
        and not any(c.fits and c.score >= bars.best for c in on_subject))


def nothing_on(analysis: QuestionAnalysis, ranked: list[Candidate], threshold: float) -> ExtractiveResult:
    """Refuse; when the best evidence is about other places of the same kind, say so and cite it."""
    language = analysis.language
    best = max((before_subject_cut(c) for c in ranked), default=0.0)
    places = [e for e in analysis.entities if e.kind in ("country", "region")]
    if places and ranked:
        nearby: list[Candidate] = []
        others: list[str] = []
        for candidate in ranked:
            if candidate.about or before_subject_cut(candidate) < threshold:
                continue
            found = other_places(analysis, candidate.text, candidate.context,
                                 country_in(candidate.text + " " + candidate.context))
            if found and found[0].name not in others:
                others.append(found[0].name)
                nearby.append(candidate)
            if len(nearby) == 2:
                break
        if nearby:
            quotes = [layout.Quoted(n, c.text, c.chunk.chunk.language != language)
                      for n, c in enumerate(nearby, start=1)]
            text = layout.nothing_on([e.name for e in places], others, quotes, language)
            citations = [citation_of(n, c) for n, c in enumerate(nearby, start=1)]
            return ExtractiveResult(text, citations, best, True)
    return refused(language, best)
