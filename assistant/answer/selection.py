"""Selection: which scored sentences are quoted. The quotes chosen so far (``Picker``: numbered in
order, no two saying the same thing), a rival figure from another source (``conflicting_figure``), the
correction of a figure the question asserts (``correction``) and the figure a table row copies
(``figure_for``)."""

from __future__ import annotations

import numpy as np

from ..analysis.lexicon import MONTH_AFTER
from ..analysis.question import QuestionAnalysis
from ..models import Citation, Language
from ..numbers import YEAR, Figure
from ..text import content_tokens
from . import layout
from .candidates import Candidate, cosine, near_duplicate

_CONFLICT_RATIO = 0.5
_CONFLICT_COSINE = 0.5


class Picker:
    """The quotes chosen so far, numbered in order, with no two saying the same thing."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors  # row ``candidate.index`` is the candidate's sentence vector
        self.chosen: list[Candidate] = []

    def vector(self, candidate: Candidate) -> np.ndarray:
        return self.vectors[candidate.index]

    def holds(self, candidate: Candidate) -> bool:
        return any(c is candidate for c in self.chosen)

    def take(self, candidate: Candidate, rival: bool = False) -> bool:
        """Add a quote unless it repeats one already chosen (a rival figure is never a repeat)."""
        if self.holds(candidate):
            return False
        vector = self.vector(candidate)
        if not rival and any(near_duplicate(candidate, vector, other, self.vector(other)) for other in self.chosen):
            return False
        self.chosen.append(candidate)
        return True

    def number(self, candidate: Candidate) -> int:
        return next(i for i, c in enumerate(self.chosen, start=1) if c is candidate)

    def quoted(self, candidate: Candidate, language: Language) -> layout.Quoted:
        chunk = candidate.chunk.chunk
        dated = any(f.kind != "year" for f in candidate.parsed) and not YEAR.search(candidate.text)
        return layout.Quoted(self.number(candidate), candidate.text, chunk.language != language,
                             chunk.date if dated else "")

    def citations(self) -> list[Citation]:
        return [citation_of(n, c) for n, c in enumerate(self.chosen, start=1)]


def citation_of(n: int, candidate: Candidate) -> Citation:
    chunk = candidate.chunk.chunk
    return Citation(n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source,
                    locator=chunk.locator, quote=candidate.text, quote_start=candidate.start, date=chunk.date,
                    chunk_text=chunk.text)


def conflicting_figure(ranked: list[Candidate], picked: Picker, best_score: float,
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
        if not new_same_kind or picked.holds(candidate):
            continue
        related = max(cosine(picked.vector(candidate), picked.vector(c)) for c in picked.chosen)
        if related >= _CONFLICT_COSINE:
            return candidate
    return None


def correction(analysis: QuestionAnalysis, picked: Picker, language: Language) -> str | None:
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
                return layout.correction(written, candidate.text[rival.start:rival.end],
                                         picked.number(candidate), language)
    return None


def _same_figure(a: Figure, b: Figure) -> bool:
    return a.kind == b.kind and abs(a.magnitude - b.magnitude) <= 1e-9 * max(abs(a.magnitude), 1.0)


def figure_for(analysis: QuestionAnalysis, candidate: Candidate) -> Figure | None:
    """The quote's figure of the kind asked, preferring one that counts what the question counts
    ("5,000 jobs" for "how many jobs"); never a day of the month."""
    wanted = analysis.wants
    terms = set(content_tokens(analysis.text))
    kinds = {"any", "count"} if wanted == "count" else {"any", wanted}
    usable = [f for f in candidate.parsed if f.kind != "year" and (wanted == "any" or f.kind in kinds
                                                                   or (wanted == "count" and f.kind == "plain"))
              and not MONTH_AFTER.match(candidate.text[f.end:f.end + 6])]
    counting = [f for f in usable if terms & set(content_tokens(" ".join(f.words_after)))]
    return next(iter(counting or usable), None)


def year_of(candidate: Candidate) -> str:
    """The year a quote names, else its document's date."""
    year = YEAR.search(candidate.text)
    return year.group() if year else candidate.chunk.chunk.date
