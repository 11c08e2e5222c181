"""Shapes: the form an answer takes, chosen from one table of ``(test, builder)`` pairs (``SHAPES``).

The first builder whose test holds for the question and that returns an answer wins: a decision to
weigh is answered in groups (for, against, figures to weigh), a comparison of two or more names as a
table when the quotes give each a figure, anything else as a list of quotes, best first (with a
rival figure, and a correction first when the question asserts a figure the quotes contradict).
``layout`` writes each form; ``selection`` chooses the quotes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..analysis.question import QuestionAnalysis
from ..models import Language
from ..settings import AnswerSettings
from . import layout
from .candidates import Candidate
from .evidence import cues, side
from .layout import ExtractiveResult
from .refusal import Bars
from .selection import Picker, conflicting_figure, correction, figure_for, year_of

_GROUP_SIZE = {"for": 3, "against": 3, "neutral": 2}
_FALLBACK_QUOTES = 3  # a decision with no side to show is answered as a list of this many quotes
_WEIGHING_POOL = 24  # best on-subject sentences a decision answer picks its quotes from


@dataclass(frozen=True)
class Shaping:
    """What a builder reads: the question, its on-subject candidates best first, the quotes picked so
    far, the bars quotes need, and the answer settings."""

    analysis: QuestionAnalysis
    ranked: list[Candidate]
    picked: Picker
    bars: Bars
    settings: AnswerSettings

    @property
    def language(self) -> Language:
        return self.analysis.language


Builder = Callable[[Shaping], ExtractiveResult | None]


def listed(shaping: Shaping) -> ExtractiveResult:
    settings = shaping.settings
    return _list(shaping, shaping.bars.further, settings.max_sentences, settings.select_ratio)


def _list(shaping: Shaping, floor: float, max_sentences: int, select_ratio: float) -> ExtractiveResult:
    """The best quotes down to ``select_ratio`` of the best score and ``floor``, a rival figure, and a
    correction first when the question asserts a figure they contradict."""
    ranked, picked, language = shaping.ranked, shaping.picked, shaping.language
    best = ranked[0]
    for candidate in ranked:
        if len(picked.chosen) == max_sentences or candidate.score < max(best.score * select_ratio, floor):
            break
        picked.take(candidate)
    rival = conflicting_figure(ranked, picked, best.score, floor)
    if rival is not None:
        picked.take(rival, rival=True)
    first_line = correction(shaping.analysis, picked, language)
    quotes = [picked.quoted(c, language) for c in picked.chosen]
    return ExtractiveResult(layout.listing(quotes, language, first_line), picked.citations(), best.score, False)


def weighed(shaping: Shaping) -> ExtractiveResult:
    """Should-we, pros-and-cons and risks: the best quotes for, against, and figures to weigh.

    A decision question is broad, so its quotes are the best on-subject sentences by rank, down
    to the floor of a further quote, sorted by the words that argue for or against. A side left
    empty takes the best sentence that argues for it at least as much as against it: the answer
    shows both sides whenever the passages hold both.
    """
    ranked, picked, floor, language = shaping.ranked, shaping.picked, shaping.bars.further, shaping.language
    pool = [c for c in ranked[:_WEIGHING_POOL] if c.score >= floor]
    grouped: dict[str, list[Candidate]] = {"for": [], "against": [], "neutral": []}
    leaning = {c.index: cues(c.text) for c in pool}
    for candidate in pool:
        taken = candidate.side or side(*leaning[candidate.index])  # the reader's side, else the stance words
        if taken == "neutral" and not (candidate.kinds - {"year"}):
            continue  # a neutral sentence is worth weighing only for its figures
        if len(grouped[taken]) < _GROUP_SIZE[taken] and picked.take(candidate):
            grouped[taken].append(candidate)
    for empty in ("for", "against"):
        if grouped[empty]:
            continue
        for candidate in pool:  # ``take`` refuses a quote already in a group
            pros, cons = leaning[candidate.index]
            own, opposed = (pros, cons) if empty == "for" else (cons, pros)
            leans = candidate.side == empty if candidate.side is not None else bool(own and own >= opposed)
            if leans and picked.take(candidate):
                grouped[empty].append(candidate)
                break
    if not grouped["for"] and not grouped["against"]:
        picked.chosen.clear()
        return _list(shaping, floor, _FALLBACK_QUOTES, 0.0)
    # numbered in the order shown: for, against, figures (every quote taken is in one group)
    picked.chosen[:] = [c for group in ("for", "against", "neutral") for c in grouped[group]]
    quoted = {group: [picked.quoted(c, language) for c in chosen] for group, chosen in grouped.items()}
    answer = layout.groups(quoted, language, risks=shaping.analysis.kind == "risks")
    return ExtractiveResult(answer, picked.citations(), ranked[0].score, False)


def compared(shaping: Shaping) -> ExtractiveResult | None:
    """A small table (entity, figure, date, source) whose cells are copied from the cited quotes; each
    row's quote scores at least the best quote's bar. None when fewer than two rows are found."""
    analysis, ranked, picked, language = shaping.analysis, shaping.ranked, shaping.picked, shaping.language
    floor = shaping.bars.best
    entities = analysis.countries or analysis.entities
    rows: list[layout.Row] = []
    used: set[int] = set()  # candidate indices already in a row
    for entity in entities:
        for candidate in ranked:
            if candidate.score < floor:
                break
            figure = figure_for(analysis, candidate)
            # the row's quote is about this entity alone: named in the sentence (or its document's
            # title, when the sentence names no other), not shared with another row
            others = [e for e in entities if e is not entity and e.named_in(candidate.text)]
            named = entity.named_in(candidate.text) or (not others and entity.named_in(candidate.context))
            if figure is None or not named or others or candidate.index in used:
                continue
            used.add(candidate.index)
            picked.take(candidate)
            if picked.holds(candidate):
                rows.append(layout.Row(entity.name, candidate.text[figure.start:figure.end], year_of(candidate),
                                       picked.number(candidate)))
                break
    if len(rows) < 2:
        picked.chosen.clear()
        return None
    quotes = [picked.quoted(c, language) for c in picked.chosen]
    return ExtractiveResult(layout.table(rows, quotes, language), picked.citations(), ranked[0].score, False)


def _weighing(analysis: QuestionAnalysis) -> bool:
    return analysis.weighing


def _comparing(analysis: QuestionAnalysis) -> bool:
    return analysis.kind == "comparison" and len(analysis.countries or analysis.entities) >= 2


def _any(analysis: QuestionAnalysis) -> bool:
    return True


# In order: the first whose test holds and whose builder returns an answer gives the answer's shape.
SHAPES: tuple[tuple[Callable[[QuestionAnalysis], bool], Builder], ...] = (
    (_weighing, weighed),
    (_comparing, compared),
    (_any, listed),
)


def shape(shaping: Shaping) -> ExtractiveResult:
    for test, build in SHAPES:
        if test(shaping.analysis) and (result := build(shaping)) is not None:
            return result
    raise AssertionError("the last shape takes any question")  # pragma: no cover
