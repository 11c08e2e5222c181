"""Follow-ups turned into standalone questions without a language model."""

from __future__ import annotations

import pytest

from assistant.models import Turn
from assistant.retrieval.condense import has_new_subject, heuristic_standalone, is_follow_up

HISTORY = [Turn(role="user", content="How many people work in outsourcing in South Africa?"),
           Turn(role="assistant", content="About 270,000 [1].")]


@pytest.mark.parametrize("question", ["And in Kenya?", "Et au Maroc ?", "What about its growth?", "Why?"])
def test_short_or_linked_questions_are_follow_ups(question: str) -> None:
    assert is_follow_up(question)


def test_a_full_question_is_not_a_follow_up() -> None:
    assert not is_follow_up("What share of companies cut customer-service staff because of AI, per Gartner?")


def test_a_follow_up_borrows_the_previous_question_at_half_weight() -> None:
    standalone, terms = heuristic_standalone("And in Kenya?", HISTORY)
    assert standalone.startswith("How many people work in outsourcing in South Africa?")
    assert terms["kenya"] == 2.0 and terms["africa"] == 0.5


def test_a_standalone_question_is_left_alone() -> None:
    question = "What does the EU AI Act require of customer-service chatbots?"
    assert heuristic_standalone(question, HISTORY)[0] == question


def test_naming_a_country_or_a_year_is_a_new_subject() -> None:
    assert has_new_subject("And in Kenya?") and has_new_subject("And in 2027?")
    assert not has_new_subject("and why?")
