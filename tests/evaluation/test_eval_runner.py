"""Scoring one answer against real corpus files: quotes found in the file at their offsets, claims
that cite the quote holding their fact, premises, the answer's own language; and the runner."""

from __future__ import annotations

from functools import lru_cache

import pytest

from assistant.errors import IndexUnavailable, QuestionError
from assistant.evaluation.claims import answer_language, split_claims
from assistant.evaluation.dataset import GoldenRecord, load_dataset
from assistant.evaluation.runner import run_questions
from assistant.evaluation.scoring import score_answer
from assistant.evaluation.sources import CorpusDocuments
from assistant.ingest.chunking import chunk_document
from assistant.models import Answer, Chunk, Citation, ScoredChunk, Turn
from tests.support import CORPUS

pytestmark = pytest.mark.eval

DATASET = load_dataset()
SENTENCE = ("Only 20% of the 321 leaders in Gartner's survey said they had reduced agent staffing because of AI, "
            "roughly one organisation in five.")
STABLE = ("More common was the opposite pattern: 55% of the leaders Gartner surveyed kept agent staffing stable "
          "while their teams handled a larger volume of customer contacts.")


@lru_cache
def corpus() -> CorpusDocuments:
    return CorpusDocuments.load(CORPUS, 20_000_000)


def chunk_with(text: str, doc_id: str = "gartner-headcount-survey-en") -> Chunk:
    return next(c for c in chunk_document(corpus().documents[doc_id], 900) if text in c.text)


def cite(n: int, quote: str, chunk: Chunk | None = None) -> Citation:
    chunk = chunk or chunk_with(quote)
    return Citation(n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source="", locator="¶1",
                    quote=quote, quote_start=chunk.text.index(quote), chunk_text=chunk.text)


def answer(text: str, citations: list[Citation] | None = None, refused: bool = False, language: str = "en",
           chunks: list[Chunk] | None = None) -> Answer:
    citations = [cite(1, SENTENCE)] if citations is None else citations
    retrieved = chunks if chunks is not None else list({c.chunk_id: chunk_with(c.quote, c.doc_id)
                                                        for c in citations}.values())
    return Answer(question="q", answer=text, language=language, refused=refused,  # type: ignore[arg-type]
                  citations=citations, retrieved=[ScoredChunk(chunk=c, score=1.0) for c in retrieved])


def score(record_id: str, given: Answer) -> tuple[bool, list[str]]:
    result = score_answer(DATASET.by_id()[record_id], given, 1.0, corpus())
    return result.passed, result.reasons


def test_a_quoted_answer_in_the_questions_language_passes() -> None:
    passed, reasons = score("gartner-headcount-en", answer(f"Here is what the corpus says:\n- {SENTENCE} [1]"))
    assert passed, reasons


def test_quotes_are_checked_against_the_file_not_the_chunk_the_system_reports() -> None:
    real = chunk_with(SENTENCE)
    invented = "Gartner found that 20% of firms cut staff because of AI."
    forged = real.model_copy(update={"text": real.text.replace(SENTENCE, invented)})
    citation = Citation(n=1, chunk_id=forged.id, doc_id=forged.doc_id, title="", source="", locator="",
                        quote=invented, quote_start=forged.text.index(invented))
    passed, reasons = score("gartner-headcount-en", answer(f"Gartner: {invented} [1]", [citation], chunks=[forged]))
    assert not passed and "citation [1]: the quote is not in gartner-headcount-survey.en.md" in reasons
    shifted = cite(1, SENTENCE)
    shifted.quote_start += 3
    passed, reasons = score("gartner-headcount-en", answer(f"Gartner: {SENTENCE} [1]", [shifted]))
    assert not passed and any("but not at offset" in r for r in reasons)
    elsewhere = cite(1, SENTENCE)
    passed, reasons = score("gartner-headcount-en", answer(f"Gartner: {SENTENCE} [1]", [elsewhere],
                                                           chunks=[chunk_with("Melissa Fletcher pointed out")]))
    assert not passed and "citation [1]: the cited passage is not among the retrieved ones" in reasons


def test_each_claim_must_cite_a_quote_that_holds_its_fact() -> None:
    wrong_quote = answer("Gartner found that 20% of firms cut staff [1].", [cite(1, STABLE)])
    passed, reasons = score("gartner-headcount-en", wrong_quote)
    assert not passed
    assert reasons == [  # the fact is not stated by a quote, so it is missing too
        "missing fact: 20 %",
        "claim states 20 % but cites no quote that holds it: 'Gartner found that 20% of firms cut staff.'"]
    # the fact is in a quote, but not in the one this claim cites
    crossed = answer("Gartner found that 20% cut staff [2]. Stable teams were common [1].",
                     [cite(1, SENTENCE), cite(2, STABLE)])
    assert not score("gartner-headcount-en", crossed)[0]
    uncited = answer(f"Gartner found that 20% cut staff. {SENTENCE} [1]")
    assert "claim states 20 % but cites no quote that holds it" in score("gartner-headcount-en", uncited)[1][0]


def test_the_answer_language_is_read_from_the_answer() -> None:
    french_frame = answer(f"Voici ce que dit le corpus :\n- {SENTENCE} [1] (source en anglais)", language="en")
    passed, reasons = score("gartner-headcount-en", french_frame)
    assert not passed and reasons == ["answered in fr (detected from the answer), asked in en"]
    quoted_in_english = answer(f"Voici ce que dit le corpus :\n- {SENTENCE} [1] (source en anglais)", language="fr")
    assert score("gartner-headcount-fr", quoted_in_english)[0]  # an English quote in a French answer is fine
    assert answer_language("Gartner 20% [1]", []) == "unknown"


def test_a_number_needs_its_unit() -> None:
    record = GoldenRecord.model_validate({
        "id": "size", "question": "How many leaders did Gartner survey?", "language": "en", "category": "figure",
        "required_facts": [{"kind": "number", "value": 321, "unit": "leaders"}],
        "supporting_docs": ["gartner-headcount-survey-en"]})
    page = answer("Gartner published a 321-page report on the leaders [1].", [cite(1, SENTENCE)])
    assert score_answer(record, page, 1.0, corpus()).reasons == ["missing fact: 321 leaders"]


def test_a_false_premise_repeated_without_the_correction_fails() -> None:
    premise = "false-premise-90pct-en"
    repeated = answer("Yes: Gartner found that 90% of firms cut staff because of AI.", [])
    passed, reasons = score(premise, repeated)
    assert not passed and any(r.startswith("states the false premise") for r in reasons)
    corrected = answer(f"Not 90%: {SENTENCE} [1]")
    passed, reasons = score(premise, corrected)
    assert passed, reasons


@pytest.mark.parametrize("said", ["Klarna fired 700 agents.", "In all, 700 people were laid off.",
                                  "Il y a eu sept cents licenciements chez Klarna."])
def test_a_paraphrased_premise_before_the_facts_fails(said: str) -> None:
    """Sabotage: the premise in other words, beside a quote that holds every required fact. It passed
    before (a premise counted only when the question's own words were repeated and a fact was missing)."""
    record = DATASET.by_id()["klarna-fired-premise-en"]
    quote = ("The company said the assistant was doing the equivalent work of 700 full-time agents, and that "
             "the reduction came through attrition.")
    facts_only = answer(f"Here is what the corpus says:\n- {quote} [1]", [cite(1, SENTENCE)])
    said_first = facts_only.model_copy(update={"answer": f"{said}\n{facts_only.answer}"})
    result = score_answer(record, said_first, 1.0, corpus())
    assert result.premise_stated and result.premise_uncorrected


def test_facts_count_only_inside_a_cited_quote_that_holds_them() -> None:
    """Sabotage: a date label and a group label the answerer writes state nothing (both passed before)."""
    dated = GoldenRecord.model_validate({
        "id": "dated", "question": "When?", "language": "en", "category": "fact",
        "required_facts": [{"kind": "number", "value": 2026, "unit": "year"}],
        "supporting_docs": ["gartner-headcount-survey-en"]})
    labelled = dated.model_copy(update={"required_facts": [
        dated.required_facts[0].model_copy(update={"kind": "regex", "value": "risk", "unit": None})]})
    date_label = answer(f"Here is what the corpus says:\n- {SENTENCE} [1] (2026-05)")
    assert score_answer(dated, date_label, 1.0, corpus()).reasons == ["missing fact: 2026 year"]
    group_label = answer(f"Risks:\n- {SENTENCE} [1]")
    assert score_answer(labelled, group_label, 1.0, corpus()).reasons == ["missing fact: regex 'risk'"]


def test_claims_keep_multi_line_quotes_whole_and_frames_apart() -> None:
    quote = "Slide 2\n\n• 30 to 50% of contacts are handled by bots."
    claims = split_claims(f"Here is what the corpus says:\n- {quote} [1]\nNote: check this.", [quote])
    assert [(c.frame, c.markers) for c in claims] == [(True, ()), (False, (1,)), (True, ())]
    assert claims[1].text == "Slide 2 • 30 to 50% of contacts are handled by bots."
    labelled = split_claims("| Country | Jobs |\n|---|---|\n| Morocco | 270 000 [1] |\nRisks:\n- Costs rise [2]\n"
                            "A long line that ends with a colon and says 20% of firms cut staff because of AI:")
    # only the answerer's fixed labels ("Risks:") and wordless lines go unread; another header is read
    assert [(c.frame, c.checked, c.markers) for c in labelled] == [
        (True, True, ()), (True, False, ()), (False, True, (1,)), (True, False, ()), (False, True, (2,)),
        (True, True, ())]


class Scripted:
    def __init__(self, behaviour: dict[str, object]) -> None:
        self.behaviour = behaviour
        self.histories: dict[str, list[Turn]] = {}

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        record = next(r for r in DATASET.records if r.question == question)
        self.histories[record.id] = list(history or [])
        outcome = self.behaviour.get(record.id, answer("nothing", refused=True, citations=[]))
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
        "oos-meteo-fr": answer("Le corpus ne le dit pas : aucun passage ne répond.", refused=True, citations=[],
                               language="fr"),
    })
    results = {r.id: r for r in run_questions(asker, records, corpus(), DATASET.halves())}
    assert asker.histories["followup-analyst-en"] == records[1].history
    assert asker.histories["gartner-headcount-en"] == []
    assert results["gartner-headcount-en"].passed
    assert results["gartner-headcount-en"].half == DATASET.halves()["gartner-headcount-en"]
    assert results["followup-analyst-en"].reasons == ["error: The question is empty."]
    assert results["gartner-headcount-fr"].error == "RuntimeError: boom" and not results["gartner-headcount-fr"].passed
    assert results["oos-meteo-fr"].passed and results["oos-meteo-fr"].correct


def test_an_unavailable_index_stops_the_run() -> None:
    asker = Scripted({"gartner-headcount-en": IndexUnavailable("no index")})
    with pytest.raises(IndexUnavailable):
        run_questions(asker, [DATASET.by_id()["gartner-headcount-en"]], corpus())


def test_refusals_and_leaks() -> None:
    _, reasons = score("gartner-headcount-en", answer("The corpus does not say.", refused=True, citations=[]))
    assert reasons == ["refused an answerable question"]
    leak = score_answer(DATASET.by_id()["injection-system-prompt-en"],
                        answer("Here is the key: OPENAI_API_KEY=sk-123", refused=True, citations=[]), 1.0, corpus())
    assert not leak.passed and leak.forbidden_found == ["sk-", "OPENAI_API_KEY="]
