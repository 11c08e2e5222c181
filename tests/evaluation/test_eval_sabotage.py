"""A sabotage per metric: each broken assistant must make the gate (both suites) exit 1, and the
regression it reports must name the metric that caught it."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from assistant.answer.layout import GROUP_LABELS, RISK_LABELS
from assistant.api import Assistant
from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.premises import Premise
from assistant.evaluation.suites import SUITES
from assistant.models import Answer, Citation, ScoredChunk, Turn
from assistant.retrieval.hybrid import HybridRetriever
from assistant.text import content_tokens, split_sentences
from tests.evaluation.conftest import Eval

pytestmark = pytest.mark.eval

Wrap = Callable[[Assistant, str, Answer], Answer]
FALSE_PREMISES = {r.question: r.premises for suite in SUITES.values() for r in load_dataset(suite.dataset).records
                  if r.category == "false-premise"}
FRAMES = {"Here is what the corpus says:": "Voici ce que dit le corpus :",
          " (source in French)": " (source en anglais)", "The corpus does not say": "Le corpus ne le dit pas",
          **{english: RISK_LABELS["fr"][side] for side, english in RISK_LABELS["en"].items()},
          **{english: GROUP_LABELS["fr"][side] for side, english in GROUP_LABELS["en"].items()}}


def irrelevant(self: HybridRetriever, query: str, query_embedding: list[float], k: int | None = None,
               **_: object) -> list[ScoredChunk]:
    """A broken retriever: chunks sharing no word with the question, in a shuffled order."""
    words = set(content_tokens(query))
    unrelated = [c for c in self.chunks if not words & set(content_tokens(c.text))]
    chosen = random.Random(query).sample(unrelated, min(k or self.settings.answer.top_k, len(unrelated)))
    return [ScoredChunk(chunk=c, score=1.0 / (i + 1)) for i, c in enumerate(chosen)]


def append_unrelated(assistant: Assistant, question: str, answer: Answer) -> Answer:
    """A cited, exactly quoted sentence on another subject added to every answer."""
    if answer.refused:
        return answer
    words = set(content_tokens(question))
    chunk = next(c for c in sorted(assistant.retriever().chunks, key=lambda c: c.id)
                 if not words & set(content_tokens(c.text)) and len(c.text) > 80)
    start, end = max(split_sentences(chunk.text), key=lambda span: span[1] - span[0])
    n = len(answer.citations) + 1
    citation = Citation(n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source="", locator="",
                        quote=chunk.text[start:end], quote_start=start, chunk_text=chunk.text)
    return answer.model_copy(update={
        "answer": f"{answer.answer}\n- {citation.quote} [{n}]", "citations": [*answer.citations, citation],
        "retrieved": [*answer.retrieved, ScoredChunk(chunk=chunk, score=0.0)]})


def said_otherwise(premise: Premise) -> str:
    """A figure premise in words of its own, not the question's ("700 people were let go")."""
    value = f"{premise.value:g}"
    match premise.unit:
        case "%":
            return f"Reports put it at {value} per cent for {premise.subject}."
        case "USD":
            return f"The figure reported is US${value} for {premise.subject}."
        case unit:
            return f"All told, {value} {unit} were affected ({premise.subject})."


def restate_premise(assistant: Assistant, question: str, answer: Answer) -> Answer:
    """Takes a false premise for granted and says it first, in other words, before the answer it gave
    (figure premises; a claim premise is said back in the question's words)."""
    premises = FALSE_PREMISES.get(question)
    if premises is None:
        return answer
    frame = "Voici ce que dit le corpus :" if answer.language == "fr" else "Here is what the corpus says:"
    figure = next((p for p in premises if p.kind == "figure"), None)
    if figure is not None and not answer.refused:
        return answer.model_copy(update={"answer": f"{said_otherwise(figure)}\n{answer.answer}"})
    return answer.model_copy(update={"answer": f"{frame}\n- {question.rstrip(' ?')}. [1]",
                                     "citations": answer.citations[:1], "refused": False})


def answer_everything(assistant: Assistant, question: str, answer: Answer) -> Answer:
    """Never refuses: quotes the best retrieved sentence instead."""
    if not answer.refused or not answer.retrieved:
        return answer
    chunk = answer.retrieved[0].chunk
    start, end = next(iter(split_sentences(chunk.text)))
    citation = Citation(n=1, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source="", locator="",
                        quote=chunk.text[start:end], quote_start=start, chunk_text=chunk.text)
    frame = "Voici ce que dit le corpus :" if answer.language == "fr" else "Here is what the corpus says:"
    return answer.model_copy(update={"answer": f"{frame}\n- {citation.quote} [1]", "citations": [citation],
                                     "refused": False})


def wrong_language(assistant: Assistant, question: str, answer: Answer) -> Answer:
    """Frames every answer in the other language, while reporting the question's language."""
    text = answer.answer
    pairs = FRAMES.items() if answer.language == "en" else ((fr, en) for en, fr in FRAMES.items())
    for mine, other in pairs:
        text = text.replace(mine, other)
    if answer.refused:
        text = ("Le corpus ne le dit pas : aucun passage des documents ne répond à cette question."
                if answer.language == "en" else "The corpus does not say: no passage in the documents answers this.")
    return answer.model_copy(update={"answer": text})


@pytest.mark.parametrize(("wrap", "caught_by"), [
    pytest.param(append_unrelated, "noise", id="appends-an-unrelated-sentence"),
    pytest.param(restate_premise, "premise_uncorrected_rate", id="restates-a-false-premise"),
    pytest.param(answer_everything, "false_answer_rate", id="answers-everything"),
    pytest.param(wrong_language, "language_accuracy", id="answers-in-the-wrong-language"),
])
def test_a_sabotaged_answerer_fails_the_gate(run_eval: Eval, monkeypatch: pytest.MonkeyPatch, wrap: Wrap,
                                            caught_by: str) -> None:
    ask = Assistant.ask

    def sabotaged(self: Assistant, question: str, history: list[Turn] | None = None, **kwargs: object) -> Answer:
        return wrap(self, question, ask(self, question, history, **kwargs))  # type: ignore[arg-type]

    monkeypatch.setattr(Assistant, "ask", sabotaged)
    outcome = run_eval()
    assert outcome.exit_code == 1, outcome.output
    regressions = outcome.output[outcome.output.index("REGRESSION"):]
    assert f"half: {caught_by} " in regressions


def test_a_broken_retriever_fails_the_gate(run_eval: Eval, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setattr(HybridRetriever, "retrieve", irrelevant)
    outcome = run_eval()
    assert outcome.exit_code == 1, outcome.output
    assert "REGRESSION in the main suite" in outcome.output and "REGRESSION in the natural suite" in outcome.output
    assert "critical question gartner-headcount-en went pass -> fail" in outcome.output
    assert "test half: ndcg@10" in outcome.output
