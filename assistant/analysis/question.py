"""What a question asks, in French or English, without a language model.

The answerer needs to know the question's *type* (a figure, a date, a person, a cause, a
decision to weigh, a comparison...), the *entities* it is about (countries, companies, people,
programmes), and any figure it *asserts* ("Why did Gartner say 60% ..."), so that evidence about
another entity, evidence of the wrong type and a false premise can each be caught in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..models import Language
from ..numbers import Figure, figures
from ..safety import looks_like_injection
from ..text import detect_language, fold, split_sentences
from .gazetteer import COUNTRIES, Entity, country_in, named_entities
from .lexicon import (
    CHANGE,
    CLAUSES,
    COMPARATIVE,
    COUNT_WORDS,
    COUNTING,
    MONEY_WORDS,
    PERCENT_WORDS,
    QUANTITY_QUESTION,
    QUESTION_TYPES,
    QuestionType,
)

FigureKind = Literal["percent", "money", "count", "any"]
# Types answered with labelled groups (for / against / figures to weigh) rather than a list of quotes.
WEIGHING: frozenset[QuestionType] = frozenset({"should_we", "pros_cons", "risks"})


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str
    language: Language
    kind: QuestionType
    entities: tuple[Entity, ...] = ()
    asserted: tuple[Figure, ...] = ()
    wants: FigureKind = "any"
    parts: tuple[str, ...] = field(default_factory=tuple)
    quantity: bool = False  # the question as asked says how many, how much or what share

    @property
    def weighing(self) -> bool:
        return self.kind in WEIGHING

    @property
    def countries(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == "country")


def question_type(question: str) -> QuestionType:
    """The first matching pattern wins: "pros and cons of moving to Kenya?" is pros_cons, not yes/no."""
    for kind, pattern in QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return "open"


def wanted_figure(question: str, nouns: bool = True) -> FigureKind:
    """The kind of figure a look-up asks for; "any" when its parts ask for different kinds
    ("how many work there, and what is the minimum wage?"). ``nouns``: a noun of counting ("jobs",
    "agents") says what kind is wanted once the question asks for a figure, not that it asks for one."""
    kinds = {_clause_wants(part, nouns) for part in CLAUSES.split(question) if part.strip()}
    kinds.discard("any")
    return kinds.pop() if len(kinds) == 1 else "any"


def _clause_wants(clause: str, nouns: bool) -> FigureKind:
    if CHANGE.search(clause):
        return "any"
    if PERCENT_WORDS.search(clause):
        return "percent"
    if COUNTING.search(clause):
        return "count"
    if MONEY_WORDS.search(clause):
        return "money"
    if nouns and COUNT_WORDS.search(clause):
        return "count"
    return "any"


def parts_of(question: str, entities: tuple[Entity, ...]) -> tuple[str, ...]:
    """The sub-questions of a compound one: one per entity compared, or the clauses of "A and B"."""
    if len(entities) >= 2:
        return tuple(entity.name for entity in entities)
    pieces = [p for p in re.split(r"\?\s+|\s*;\s*", question.strip()) if len(p.split()) >= 3]
    return tuple(pieces) if len(pieces) >= 2 else (question.strip(),)


def analyse_turn(question: str, standalone: str, language: Language) -> QuestionAnalysis:
    """A follow-up ("And in Kenya?") is about what it names, asked the way the earlier question asked."""
    own, whole = analyse(question, language), analyse(standalone, language)
    if standalone == question:
        return own
    return QuestionAnalysis(
        text=question, language=language, kind=own.kind if own.kind != "open" else whole.kind,
        entities=own.entities or whole.entities, asserted=own.asserted,
        wants=own.wants if own.wants != "any" else whole.wants, parts=own.parts, quantity=own.quantity,
    )


def is_quantity_question(question: str) -> bool:
    return bool(QUANTITY_QUESTION.search(question))


def analyse(question: str, language: Language | None = None) -> QuestionAnalysis:
    language = language or detect_language(question)
    quantity = is_quantity_question(question)  # read on the question as asked, orders to the assistant included
    # Orders to the assistant ("... and reveal the bot token") are not part of what is asked.
    asked = " ".join(question[a:b] for a, b in split_sentences(question) if not looks_like_injection(question[a:b]))
    question = asked or question
    entities = named_entities(question)
    kind = question_type(question)
    if kind not in WEIGHING and len(entities) >= 2 and re.search(r"\bor\b|\bou\b|:", question, re.IGNORECASE) \
            and COMPARATIVE.search(question):
        kind = "comparison"  # "Is Kenya or Morocco cheaper?", "who charges less: Zendesk or Intercom?"
    if kind in ("open", "definition") and re.match(r"\s*(?:what|which|quel|quelle)", question, re.IGNORECASE) \
            and wanted_figure(question, nouns=False) != "any":
        kind = "figure"  # "What is the Philippines' export revenue?"
    # A look-up ("what share of the 321 leaders...") names figures; any other question that states a
    # share, an amount or a count asserts it ("Why did Gartner say 60% cut staff?").
    asserted = () if kind in ("figure", "comparison", "list") else tuple(
        f for f in figures(question) if f.kind in ("percent", "money") or (f.kind == "count" and f.magnitude >= 10))
    return QuestionAnalysis(
        text=question, language=language, kind=kind, entities=entities, asserted=asserted,
        wants=wanted_figure(question) if kind in ("figure", "comparison") else "any",
        parts=parts_of(question, entities), quantity=quantity,
    )


__all__ = ["COUNTRIES", "WEIGHING", "Entity", "QuestionAnalysis", "analyse", "country_in", "fold",
           "is_quantity_question", "question_type"]
