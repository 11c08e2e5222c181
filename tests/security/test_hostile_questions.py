"""Hostile questions against the core API: a clear error or a grounded answer, never a crash."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.api import Assistant
from assistant.errors import QuestionError
from assistant.models import Answer

pytestmark = pytest.mark.security

LISTED = [
    "Quelle part\x00 des entreprises\x07 a réduit\x1b[31m ses effectifs ?",
    "Gartner 20% 人工智能 الذكاء الاصطناعي искусственный интеллект ?",
    "?!?!... ;;; --- ***",
    "'; DROP TABLE feedback; -- what did Gartner find?",
    "<script>alert('x')</script><img src=x onerror=alert(1)> Gartner staff cuts?",
    "{{7*7}} ${jndi:ldap://127.0.0.1/a} %s%s%n Gartner",
    "\u202eGartner\u202c \ufeff\u200b headcount?",
]


def check_grounded(answer: Answer) -> None:
    assert answer.refused == (answer.citations == [])
    for citation in answer.citations:
        assert citation.chunk_text[citation.quote_start:].startswith(citation.quote)
        assert f"[{citation.n}]" in answer.answer


@pytest.mark.parametrize("question", LISTED)
def test_listed_hostile_questions(assistant: Assistant, question: str) -> None:
    chunks_before = len(assistant.retriever().chunks)
    check_grounded(assistant.ask(question))
    assert len(assistant.retriever().chunks) == chunks_before


def test_a_100k_character_question_is_refused_plainly(assistant: Assistant) -> None:
    with pytest.raises(QuestionError, match="100,000 characters long; the limit is 2,000"):
        assistant.ask("a" * 100_000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gets_an_error_or_a_grounded_answer(assistant: Assistant, question: str) -> None:
    try:
        answer = assistant.ask(question)
    except QuestionError as error:
        assert "\n" not in str(error)
        return
    check_grounded(answer)
