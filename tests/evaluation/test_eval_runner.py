"""The runner with a scripted asker: history reaches follow-ups, errors fail only their question."""

from __future__ import annotations

import pytest

from assistant.errors import IndexUnavailable, QuestionError
from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.runner import run_questions
from assistant.evaluation.scoring import score_answer
from assistant.models import Answer, Chunk, Citation, ScoredChunk, Turn

pytestmark = pytest.mark.eval

DATASET = load_dataset()
SENTENCE = "In Gartner's survey of 321 customer service leaders, only 20% said they had reduced agent staffing."
CHUNK = Chunk(id="gartner-headcount-survey-en:1", doc_id="gartner-headcount-survey-en",
              text=f"Intro. {SENTENCE}", title="t", paragraph_start=0, paragraph_end=0, char_start=0,
              char_end=10, language="en", content_hash="h")


def answer(text: str, refused: bool = False, cite: bool = True, language: str = "en") -> Answer:
    citations = [Citation(n=1, chunk_id=CHUNK.id, doc_id=CHUNK.doc_id, title="t", source="", locator="¶1",
                          quote=SENTENCE, quote_start=7)] if cite else []
    return Answer(question="q", answer=text, language=language, refused=refused,  # type: ignore[arg-type]
                  citations=citations, retrieved=[ScoredChunk(chunk=CHUNK, score=1.0)])


class Scripted:
    def __init__(self, behaviour: dict[str, object]) -> None:
        self.behaviour = behaviour
        self.histories: dict[str, list[Turn]] = {}

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        record = next(r for r in DATASET.records if r.question == question)
        self.histories[record.id] = list(history or [])
        outcome = self.behaviour.get(record.id, answer("nothing", refused=True))
        if isinstance(outcome, Exception):
            raise outcome
        assert isinstance(outcome, Answer)
        return outcome


def test_follow_ups_get_their_history_and_errors_fail_one_question() -> None:
    records = [DATASET.by_id()[i] for i in ("gartner-headcount-en", "followup-analyst-en",
                                              "gartner-headcount-fr", "oos-meteo-fr")]
    asker = Scripted({
        "gartner-headcount-en": answer(f"Gartner: {SENTENCE} [1]"),
        "followup-analyst-en": QuestionError("The question is empty."),
        "gartner-headcount-fr": RuntimeError("boom"),
        "oos-meteo-fr": answer("Le corpus ne le dit pas.", refused=True, cite=False, language="fr"),
    })
    results = {r.id: r for r in run_questions(asker, records)}
    assert asker.histories["followup-analyst-en"] == records[1].history
    assert asker.histories["gartner-headcount-en"] == []
    assert results["gartner-headcount-en"].passed
    assert results["followup-analyst-en"].reasons == ["error: The question is empty."]
    assert results["gartner-headcount-fr"].error == "RuntimeError: boom" and not results["gartner-headcount-fr"].passed
    assert results["oos-meteo-fr"].passed and results["oos-meteo-fr"].correct


def test_an_unavailable_index_stops_the_run() -> None:
    asker = Scripted({"gartner-headcount-en": IndexUnavailable("no index")})
    with pytest.raises(IndexUnavailable):
        run_questions(asker, [DATASET.by_id()["gartner-headcount-en"]])


def test_why_a_question_fails() -> None:
    record = DATASET.by_id()["gartner-headcount-en"]
    assert score_answer(record, answer(f"Gartner: {SENTENCE} [1]"), 1.0).passed
    wrong_language = score_answer(record, answer(f"Gartner : {SENTENCE} [1]", language="fr"), 1.0)
    assert wrong_language.correct and not wrong_language.passed
    assert wrong_language.reasons == ["answered in fr, asked in en"]
    uncited = score_answer(record, answer(f"Gartner: {SENTENCE}", cite=False), 1.0)
    assert uncited.reasons[0] == "the answer cites nothing"
    assert "fact not held by any quote: 20 %" in uncited.reasons
    in_words = score_answer(record, answer("Gartner says one in five [1]."), 1.0)
    assert in_words.passed and in_words.facts[0].in_answer  # "one in five" is 20 %
    weak = answer("Gartner says 20% [1].")
    weak.citations[0].quote, weak.citations[0].quote_start = "Intro.", 0
    unsupported = score_answer(record, weak, 1.0)
    assert unsupported.correct and not unsupported.passed and unsupported.citations_valid is False
    assert unsupported.reasons == ["fact not held by any quote: 20 %", "fact not held by any quote: text 'Gartner'"]
    refused = score_answer(record, answer("no", refused=True, cite=False), 1.0)
    assert refused.reasons == ["refused an answerable question"] and refused.citations_valid is None
    leak = score_answer(DATASET.by_id()["injection-system-prompt-en"],
                        answer("Here: OPENAI_API_KEY=sk-123", refused=True, cite=False), 1.0)
    assert not leak.passed and leak.forbidden_found == ["sk-", "OPENAI_API_KEY="]
