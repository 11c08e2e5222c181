"""Turn a follow-up into a standalone question, with or without a language model."""

from __future__ import annotations

import re

from ..models import Turn
from ..text import content_tokens

_FOLLOW_UP_START = re.compile(
    r"^\s*(and|also|what about|how about|same|et|aussi|et pour|qu'en est-il|quid|idem|"
    r"and what|et qu|et en|et au|et aux|et la|et le|et les)\b",
    re.IGNORECASE,
)
_PRONOUNS = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|he|she|him|her|"
    r"il|ils|elle|elles|cela|ça|ceci|leur|leurs|celui-ci|celle-ci|ce chiffre|cette)\b",
    re.IGNORECASE,
)
_SHORT = 5


def is_follow_up(question: str) -> bool:
    tokens = content_tokens(question)
    return bool(
        _FOLLOW_UP_START.search(question)
        or (len(tokens) <= _SHORT and _PRONOUNS.search(question))
        or len(tokens) <= 2
    )


# A follow-up's own words weigh double, the previous question's words it borrows half (tunables.py).
FOLLOW_UP_WEIGHT = 2.0
BORROWED_WEIGHT = 0.5
_NAMED = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-ZÀ-Ý][\w'’-]+|\d")


def has_new_subject(question: str) -> bool:
    """A follow-up that names something (a country, a firm, a year) shifts the subject."""
    return bool(_NAMED.search(question.strip()))


def last_user_question(history: list[Turn]) -> str | None:
    return next((t.content for t in reversed(history) if t.role == "user"), None)


def heuristic_standalone(question: str, history: list[Turn]) -> tuple[str, dict[str, float]]:
    """The question to retrieve with, and term weights for the answerer.

    A follow-up borrows the previous question's words at half weight: its own words (the
    new country, the new figure) stay the focus.
    """
    terms: dict[str, float] = {t: 1.0 for t in content_tokens(question)}
    previous = last_user_question(history) if history else None
    if not previous or not is_follow_up(question):
        return question, terms
    for term in content_tokens(previous):
        terms.setdefault(term, BORROWED_WEIGHT)
    for term in content_tokens(question):
        terms[term] = FOLLOW_UP_WEIGHT
    return f"{previous} {question}", terms
