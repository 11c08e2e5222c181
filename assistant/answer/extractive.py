"""The grounded extractive answerer: quote the retrieved sentences that answer, in the shape asked.

It writes nothing but short labels in the question's language, table cells copied from the
cited quotes and a correction line built from a cited figure, around sentences copied verbatim
from the cited chunks, so every claim in the answer is a checkable quote. The question analysis
(``question.py``) decides the shape and the evidence rules (``evidence.py``) decide what counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..models import Citation, Language, ScoredChunk
from ..numbers import Figure
from ..retrieval.glossary import translations
from ..settings import AnswerSettings
from ..text import content_tokens
from . import shapes
from .candidates import Candidate, candidates_of, cosine, near_duplicate
from .evidence import about, cues, fits, other_places, side
from .gazetteer import country_in
from .question import QuestionAnalysis, analyse
from .sentence_vectors import SentenceEmbeddingCache, in_context

_QUANTITY_QUESTION = re.compile(
    r"\b(how (many|much)|what (share|percentage|proportion|part|number|figure)|combien|"
    r"quel(le)?s? (part|pourcentage|proportion|nombre|montant|chiffre)|percent|pourcentage|"
    r"montant|amount)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_OFF_SUBJECT = 0.5  # a sentence that names none of the question's names weighs half
_OFF_TOPIC = 0.7  # a sentence that shares none of the question's subject words (nor their translations)
_OTHER_LANGUAGE = 0.95  # a sentence in the other language than the question's weighs a little less
_CONFLICT_RATIO = 0.5
_CONFLICT_COSINE = 0.5
_GROUP_SIZE = {"for": 3, "against": 3, "neutral": 2}
_FALLBACK_QUOTES = 3  # a decision with no side to show is answered as a list of this many quotes
_WEIGHING_POOL = 24  # best on-subject sentences a decision answer picks its quotes from


@dataclass
class ExtractiveResult:
    answer: str
    citations: list[Citation]
    evidence: float
    refused: bool


def refusal_text(language: Language) -> str:
    if language == "fr":
        return ("Le corpus ne le dit pas : aucun passage des documents ne répond à cette "
                "question, je préfère donc ne pas deviner.")
    return ("The corpus does not say: no passage in the documents answers this question, "
            "so I will not guess.")


def is_quantity_question(question: str) -> bool:
    return bool(_QUANTITY_QUESTION.search(question))


def answer_extractively(
    question_terms: dict[str, float],
    question_embedding: list[float],
    retrieved: list[ScoredChunk],
    language: Language,
    idf: Callable[[str], float],
    sentence_vectors: SentenceEmbeddingCache,
    quantity_question: bool,
    settings: AnswerSettings,
    analysis: QuestionAnalysis | None = None,
) -> ExtractiveResult:
    threshold, quote_floor = settings.refusal_threshold, settings.quote_floor
    candidates = candidates_of(retrieved)
    if not candidates or not question_terms:
        return ExtractiveResult(refusal_text(language), [], 0.0, True)
    analysis = analysis or analyse("", language)  # no analysis: an open question about nothing named
    vectors = sentence_vectors.vectors([c.text for c in candidates])
    titled = sentence_vectors.vectors([in_context(c) for c in candidates])
    _score(candidates, vectors, titled, question_embedding, question_terms, idf, retrieved, language, analysis,
           quantity_question, settings)
    ranked = sorted(candidates, key=lambda c: -c.score)
    on_subject = [c for c in ranked if c.about]
    best = on_subject[0] if on_subject else None
    bar = _bar(analysis, threshold, settings.broad_floor)
    if best is None or best.score < bar or (analysis.kind == "figure" and analysis.wants != "any"
                                             and not any(c.fits and c.score >= bar for c in on_subject)):
        return _nothing_on(analysis, ranked, threshold, language)
    picked = _Picker(vectors, {id(c): i for i, c in enumerate(candidates)})
    if analysis.weighing:
        return _weighed(analysis, on_subject, picked, threshold * quote_floor, language)
    if analysis.kind == "comparison" and len(analysis.countries or analysis.entities) >= 2:
        compared = _compared(analysis, on_subject, picked, bar, language)
        if compared is not None:
            return compared
    return _listed(analysis, on_subject, picked, threshold * quote_floor, settings.max_sentences,
                   settings.select_ratio, language)


def _bar(analysis: QuestionAnalysis, threshold: float, broad_floor: float) -> float:
    """The evidence the best quote needs. A decision to weigh or a comparison is broad: its evidence
    need not match the question's words as closely as a look-up's, so its best quote only needs what
    any further quote of a look-up needs."""
    if not (analysis.weighing or analysis.kind == "comparison"):
        return threshold
    return threshold * broad_floor


def _score(candidates: list[Candidate], vectors: np.ndarray, titled: np.ndarray, question_embedding: list[float],
           terms: dict[str, float], idf: Callable[[str], float], retrieved: list[ScoredChunk],
           language: Language, analysis: QuestionAnalysis, quantity_question: bool, weights: AnswerSettings) -> None:
    query = np.asarray(question_embedding, dtype=np.float32)
    norm = np.linalg.norm(query) + 1e-9
    dense = np.maximum(vectors @ query / (np.linalg.norm(vectors, axis=1) * norm + 1e-9),
                       titled @ query / (np.linalg.norm(titled, axis=1) * norm + 1e-9))
    total_weight = sum(w * idf(t) for t, w in terms.items()) or 1.0
    # words of the same meaning ("reduced" for "cut", "emplois" for "jobs") count at half weight
    synonyms = {t: w for t, w in translations(" ".join(terms)).items() if t not in terms}
    # Ranks among the passages that hold evidence: a retrieved passage with nothing quotable (a
    # document of orders to the assistant, say) must not push the others down.
    quotable = {id(c.chunk) for c in candidates}
    ranks = {id(r): i for i, r in enumerate(r for r in retrieved if id(r) in quotable)}
    typed = analysis.kind in ("figure", "date", "why", "who") or quantity_question
    # The question's own subject words, apart from the names it is about ("capital" in "the capital of
    # Australia"), with their translations: a sentence sharing none of them answers something else.
    named = {t for e in analysis.entities for a in e.aliases for t in content_tokens(a)}
    topic = {t for t in terms if t not in named and terms[t] >= 1.0}
    topic |= set(translations(" ".join(topic)))
    # The tokens of a document's title and headings, read once per passage rather than per sentence.
    context_tokens: dict[str, frozenset[str]] = {}
    for candidate, similarity in zip(candidates, dense, strict=True):
        candidate.dense = float(similarity)
        candidate.lexical = min(1.0, (sum(w * idf(t) for t, w in terms.items() if t in candidate.tokens)
                                      + sum(w * idf(t) for t, w in synonyms.items() if t in candidate.tokens))
                                / total_weight)
        rank_prior = 1.0 / (1 + ranks[id(candidate.chunk)])
        candidate.score = (weights.weight_dense * candidate.dense + weights.weight_lexical * candidate.lexical
                           + weights.weight_rank * rank_prior)
        candidate.about = about(analysis, candidate.text, candidate.context, candidate.chunk.chunk.text)
        candidate.fits = fits(analysis, candidate.text, candidate.kinds)
        if typed and candidate.fits:
            candidate.score += weights.weight_fits
        if not candidate.about:
            candidate.score *= _OFF_SUBJECT
        if topic and not topic & candidate.tokens:
            context = candidate.context
            if context not in context_tokens:
                context_tokens[context] = frozenset(content_tokens(context))
            if not topic & context_tokens[context]:
                candidate.score *= _OFF_TOPIC
        if candidate.chunk.chunk.language != language:
            candidate.score *= _OTHER_LANGUAGE


class _Picker:
    """The quotes chosen so far, numbered in order, with no two saying the same thing."""

    def __init__(self, vectors: np.ndarray, index_of: dict[int, int]) -> None:
        self.vectors, self.index_of = vectors, index_of
        self.chosen: list[Candidate] = []

    def vector(self, candidate: Candidate) -> np.ndarray:
        return self.vectors[self.index_of[id(candidate)]]

    def take(self, candidate: Candidate, rival: bool = False) -> bool:
        """Add a quote unless it repeats one already chosen (a rival figure is never a repeat)."""
        if any(c is candidate for c in self.chosen):
            return False
        vector = self.vector(candidate)
        if not rival and any(near_duplicate(candidate, vector, other, self.vector(other)) for other in self.chosen):
            return False
        self.chosen.append(candidate)
        return True

    def number(self, candidate: Candidate) -> int:
        return next(i for i, c in enumerate(self.chosen, start=1) if c is candidate)

    def quoted(self, candidate: Candidate, language: Language) -> shapes.Quoted:
        chunk = candidate.chunk.chunk
        dated = any(f.kind != "year" for f in candidate.parsed) and not _YEAR.search(candidate.text)
        return shapes.Quoted(self.number(candidate), candidate.text, chunk.language != language,
                             chunk.date if dated else "")

    def citations(self) -> list[Citation]:
        return [_citation(n, c) for n, c in enumerate(self.chosen, start=1)]


def _listed(analysis: QuestionAnalysis, ranked: list[Candidate], picked: _Picker, threshold: float,
            max_sentences: int, select_ratio: float, language: Language) -> ExtractiveResult:
    best = ranked[0]
    for candidate in ranked:
        if len(picked.chosen) == max_sentences or candidate.score < max(best.score * select_ratio, threshold):
            break
        picked.take(candidate)
    rival = _conflicting_figure(ranked, picked, best.score, threshold)
    if rival is not None:
        picked.take(rival, rival=True)
    first_line = _correction(analysis, picked, language)
    quotes = [picked.quoted(c, language) for c in picked.chosen]
    return ExtractiveResult(shapes.listing(quotes, language, first_line), picked.citations(), best.score, False)


def _weighed(analysis: QuestionAnalysis, ranked: list[Candidate], picked: _Picker, floor: float,
             language: Language) -> ExtractiveResult:
    """Should-we, pros-and-cons and risks: the best quotes for, against, and figures to weigh.

    A decision question is broad, so its quotes are the best on-subject sentences by rank, down
    to the floor of a further quote, sorted by the words that argue for or against. A side left
    empty takes the best sentence that argues for it at least as much as against it: the answer
    shows both sides whenever the passages hold both.
    """
    pool = [c for c in ranked[:_WEIGHING_POOL] if c.score >= floor]
    grouped: dict[str, list[Candidate]] = {"for": [], "against": [], "neutral": []}
    leaning = {id(c): cues(c.text) for c in pool}
    for candidate in pool:
        taken = side(*leaning[id(candidate)])
        if taken == "neutral" and not (candidate.kinds - {"year"}):
            continue  # a neutral sentence is worth weighing only for its figures
        if len(grouped[taken]) < _GROUP_SIZE[taken] and picked.take(candidate):
            grouped[taken].append(candidate)
    for empty in ("for", "against"):
        if grouped[empty]:
            continue
        for candidate in pool:  # ``take`` refuses a quote already in a group
            pros, cons = leaning[id(candidate)]
            own, opposed = (pros, cons) if empty == "for" else (cons, pros)
            if own and own >= opposed and picked.take(candidate):
                grouped[empty].append(candidate)
                break
    if not grouped["for"] and not grouped["against"]:
        picked.chosen.clear()
        return _listed(analysis, ranked, picked, floor, _FALLBACK_QUOTES, 0.0, language)
    # numbered in the order shown: for, against, figures (every quote taken is in one group)
    picked.chosen[:] = [c for group in ("for", "against", "neutral") for c in grouped[group]]
    quoted = {group: [picked.quoted(c, language) for c in chosen] for group, chosen in grouped.items()}
    answer = shapes.groups(quoted, language, risks=analysis.kind == "risks")
    return ExtractiveResult(answer, picked.citations(), ranked[0].score, False)


def _compared(analysis: QuestionAnalysis, ranked: list[Candidate], picked: _Picker, floor: float,
              language: Language) -> ExtractiveResult | None:
    """A small table (entity, figure, date, source) whose cells are copied from the cited quotes; each
    row's quote scores at least ``floor``."""
    entities = analysis.countries or analysis.entities
    rows: list[shapes.Row] = []
    used: set[int] = set()
    for entity in entities:
        for candidate in ranked:
            if candidate.score < floor:
                break
            figure = _figure_for(analysis, candidate)
            # the row's quote is about this entity alone: named in the sentence (or its document's
            # title, when the sentence names no other), not shared with another row
            others = [e for e in entities if e is not entity and e.named_in(candidate.text)]
            named = entity.named_in(candidate.text) or (not others and entity.named_in(candidate.context))
            if figure is None or not named or others or id(candidate) in used:
                continue
            used.add(id(candidate))
            picked.take(candidate)
            if any(c is candidate for c in picked.chosen):
                year = _YEAR.search(candidate.text)
                rows.append(shapes.Row(entity.name, candidate.text[figure.start:figure.end],
                                       year.group() if year else candidate.chunk.chunk.date, picked.number(candidate)))
                break
    if len(rows) < 2:
        picked.chosen.clear()
        return None
    quotes = [picked.quoted(c, language) for c in picked.chosen]
    return ExtractiveResult(shapes.table(rows, quotes, language), picked.citations(), ranked[0].score, False)


_MONTH = re.compile(r"^\W{0,2}(?:jan|feb|fév|fev|mar|apr|avr|may|mai|jun|juin|jul|juil|aug|aoû|aou|sep|oct|nov|"
                    r"dec|déc)", re.IGNORECASE)


def _figure_for(analysis: QuestionAnalysis, candidate: Candidate) -> Figure | None:
    """The quote's figure of the kind asked, preferring one that counts what the question counts
    ("5,000 jobs" for "how many jobs"); never a day of the month."""
    wanted = analysis.wants
    terms = set(content_tokens(analysis.text))
    kinds = {"any", "count"} if wanted == "count" else {"any", wanted}
    usable = [f for f in candidate.parsed if f.kind != "year" and (wanted == "any" or f.kind in kinds
                                                                   or (wanted == "count" and f.kind == "plain"))
              and not _MONTH.match(candidate.text[f.end:f.end + 6])]
    counting = [f for f in usable if terms & set(content_tokens(" ".join(f.words_after)))]
    return next(iter(counting or usable), None)


def _nothing_on(analysis: QuestionAnalysis, ranked: list[Candidate], threshold: float,
                language: Language) -> ExtractiveResult:
    """Refuse; when the best evidence is about other places of the same kind, say so and cite it."""
    best = max((c.score / _OFF_SUBJECT if not c.about else c.score for c in ranked), default=0.0)
    places = [e for e in analysis.entities if e.kind in ("country", "region")]
    if places and ranked:
        nearby: list[Candidate] = []
        others: list[str] = []
        for candidate in ranked:
            if candidate.about or candidate.score / _OFF_SUBJECT < threshold:
                continue
            found = other_places(analysis, candidate.text, candidate.context,
                                 country_in(candidate.text + " " + candidate.context))
            if found and found[0].name not in others:
                others.append(found[0].name)
                nearby.append(candidate)
            if len(nearby) == 2:
                break
        if nearby:
            quotes = [shapes.Quoted(n, c.text, c.chunk.chunk.language != language)
                      for n, c in enumerate(nearby, start=1)]
            text = shapes.nothing_on([e.name for e in places], others, quotes, language)
            citations = [_citation(n, c) for n, c in enumerate(nearby, start=1)]
            return ExtractiveResult(text, citations, best, True)
    return ExtractiveResult(refusal_text(language), [], best, True)


def _correction(analysis: QuestionAnalysis, picked: _Picker, language: Language) -> str | None:
    """A figure the question asserts and the best quote contradicts is corrected first."""
    if not analysis.asserted or not picked.chosen:
        return None
    stated = [f for c in picked.chosen for f in c.parsed]
    for asserted in analysis.asserted:
        if any(_same_figure(asserted, f) for f in stated):
            return None  # the corpus says it too: no premise to correct
        for candidate in picked.chosen:
            rival = next((f for f in candidate.parsed if f.kind == asserted.kind and not _same_figure(asserted, f)),
                         None)
            if rival is not None:
                written = analysis.text[asserted.start:asserted.end]
                return shapes.correction(written, candidate.text[rival.start:rival.end],
                                         picked.number(candidate), language)
    return None


def _same_figure(a: Figure, b: Figure) -> bool:
    return a.kind == b.kind and abs(a.magnitude - b.magnitude) <= 1e-9 * max(abs(a.magnitude), 1.0)


def _conflicting_figure(ranked: list[Candidate], picked: _Picker, best_score: float,
                        threshold: float) -> Candidate | None:
    """A sentence on the same point that gives other figures.

    Sources disagree (the article's 325 M EUR against the US$378 M reported elsewhere): the
    answer must show both, each with its citation, rather than pick one silently.
    """
    shown = frozenset().union(*(c.figures for c in picked.chosen)) if picked.chosen else frozenset()
    if not shown:
        return None
    shown_kinds = {kind for _, kind in shown}
    for candidate in ranked:
        if candidate.score < max(best_score * _CONFLICT_RATIO, threshold):
            break
        new_same_kind = {f for f in candidate.figures - shown if f[1] in shown_kinds}
        if not new_same_kind or any(candidate is c for c in picked.chosen):
            continue
        related = max(cosine(picked.vector(candidate), picked.vector(c)) for c in picked.chosen)
        if related >= _CONFLICT_COSINE:
            return candidate
    return None


def _citation(n: int, candidate: Candidate) -> Citation:
    chunk = candidate.chunk.chunk
    return Citation(n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source,
                    locator=chunk.locator, quote=candidate.text, quote_start=candidate.start, date=chunk.date,
                    chunk_text=chunk.text)
