"""The generation path, offline: the real langchain-openai client over real HTTP to a stand-in.

Each test scripts what the "model" says and checks what the citation validator and the
fallbacks make of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from assistant.answer.refusal import refusal_text
from assistant.api import Assistant
from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.facts import fact_found
from assistant.evaluation.judge import JUDGE_SYSTEM, make_judge
from assistant.evaluation.scoring import score_answer
from assistant.evaluation.sources import CorpusDocuments
from assistant.providers import make_chat_model
from assistant.settings import Settings
from tests.evaluation.openai_standin import Reply, Responder, StandIn, running, user_text
from tests.support import CORPUS, make_settings

pytestmark = pytest.mark.eval

GARTNER_QUESTION = ("What share of companies have actually cut customer-service staff because of AI, "
                    "according to Gartner?")
_SOURCE = re.compile(r'<source n="(\d+)"[^>]*>\n(.*?)\n</source>', re.DOTALL)


@lru_cache
def corpus() -> CorpusDocuments:
    return CorpusDocuments.load(CORPUS, 20_000_000)


def sources_in(request: dict[str, Any]) -> dict[int, str]:
    return {int(n): body for n, body in _SOURCE.findall(user_text(request))}


def source_with(request: dict[str, Any], needle: str) -> int:
    return next(n for n, body in sources_in(request).items() if needle in body)


@pytest.fixture
def llm_assistant(assistant: Assistant, corpus_settings: Settings, tmp_path: Path
                  ) -> Iterator[tuple[Assistant, list[Responder], StandIn]]:
    """An Assistant on the session's index whose chat model is the stand-in; set script[0]."""
    script: list[Responder] = [lambda request: Reply("NOT_FOUND")]
    with running(lambda request: script[0](request)) as standin:
        settings = make_settings(tmp_path, index_dir=corpus_settings.index_dir,
                                 llm="openai-compatible:scripted", llm_base_url=standin.base_url,
                                 llm_timeout_s=1.0)
        yield Assistant(settings), script, standin


def test_a_marker_that_points_nowhere_is_removed_and_reported(llm_assistant: Any) -> None:
    bot, script, standin = llm_assistant
    script[0] = lambda r: Reply(f"Only 20% of customer service leaders cut staff because of AI "
                                f"[{source_with(r, '20%')}]. Gartner ran the survey [7].")
    answer = bot.ask(GARTNER_QUESTION)
    assert standin.requests and standin.requests[-1]["model"] == "scripted"
    assert "[7]" not in answer.answer
    assert any("Removed citation [7]" in w for w in answer.warnings)
    assert answer.mode == "openai-compatible:scripted"
    assert [c.n for c in answer.citations] == [1]
    assert "20%" in answer.citations[0].quote
    assert "[1]" in answer.answer


def test_an_invented_figure_is_flagged_in_warnings_and_in_the_answer(llm_assistant: Any) -> None:
    bot, script, _ = llm_assistant
    script[0] = lambda r: Reply(f"Gartner found that 37% of leaders cut staff [{source_with(r, '20%')}].")
    answer = bot.ask(GARTNER_QUESTION)
    assert any("Unsupported figures" in w and "37" in w for w in answer.warnings)
    assert "37 could not be found in the cited sources" in answer.answer
    record = load_dataset().by_id()["gartner-headcount-en"]
    assert not score_answer(record, answer, 0.0, corpus()).correct  # 20 % is missing: the eval fails it too


def test_a_generated_claim_citing_the_wrong_source_fails_claim_support(llm_assistant: Any) -> None:
    bot, script, _ = llm_assistant
    twenty = load_dataset().by_id()["gartner-headcount-en"].required_facts[0]
    script[0] = lambda r: Reply("Only 20% of leaders cut staff because of AI "
                                f"[{next(n for n, body in sources_in(r).items() if not fact_found(twenty, body))}].")
    answer = bot.ask(GARTNER_QUESTION)
    assert answer.mode == "openai-compatible:scripted" and "20%" in answer.answer
    result = score_answer(load_dataset().by_id()["gartner-headcount-en"], answer, 0.0, corpus())
    assert not result.passed
    assert any(r.startswith("claim states 20 % but cites no quote that holds it") for r in result.reasons)
    assert [c.unsupported for c in result.claims if c.facts] == [["20 %"]]


@pytest.mark.parametrize(("reply", "reason"), [
    (Reply(status=500), "OpenAIAPIError"),  # langchain-openai's InternalServerError
    (Reply("too late", delay_s=3.0), "OpenAITimeoutError"),
])
def test_a_failing_model_falls_back_to_the_extractive_answer_with_a_note(
        llm_assistant: Any, reply: Reply, reason: str) -> None:
    bot, script, standin = llm_assistant
    script[0] = lambda r: reply
    answer = bot.ask(GARTNER_QUESTION)
    assert standin.requests, "the client never reached the stand-in"
    assert answer.mode == "extractive" and not answer.refused
    assert f"LLM unavailable ({reason})" in answer.warnings[0]
    assert f"Note: the language model did not answer ({reason})" in answer.answer
    assert answer.citations and all(c.quote in c.chunk_text for c in answer.citations)


def test_not_found_becomes_a_refusal(llm_assistant: Any) -> None:
    bot, script, _ = llm_assistant
    script[0] = lambda r: Reply("NOT_FOUND")
    answer = bot.ask(GARTNER_QUESTION)
    assert answer.refused and answer.citations == []
    assert answer.answer == refusal_text("en")


def test_the_standin_streams_server_sent_events_to_the_real_client(tmp_path: Path) -> None:
    text = "Twenty percent of leaders cut staff [1]."
    with running(lambda r: Reply(text)) as standin:
        settings = make_settings(tmp_path, llm="openai-compatible:scripted", llm_base_url=standin.base_url)
        model = make_chat_model(settings)
        assert model is not None
        pieces = [str(chunk.content) for chunk in model.stream("Say it.")]
    assert standin.requests[-1]["stream"] is True
    assert len(pieces) > 2 and "".join(pieces) == text


def test_the_judge_runs_at_temperature_zero_and_caches_its_verdicts(tmp_path: Path) -> None:
    verdict = '{"faithfulness": 1, "correctness": 0.5, "reason": "partly"}'
    with running(lambda r: Reply(verdict)) as standin:
        settings = make_settings(tmp_path, eval_judge_llm="openai-compatible:judge",
                                 eval_judge_base_url=standin.base_url,
                                 eval_judge_cache=tmp_path / "judge.sqlite3", llm_temperature=0.7)
        judge = make_judge(settings)
        assert judge is not None
        record = load_dataset().by_id()["gartner-headcount-en"]
        from assistant.evaluation.scoring import base_result

        result = base_result(record)
        result.answer = "Only 20% did [1]."
        first = judge.grade(record, result)
        second = judge.grade(record, result)
    assert first == second == {"faithfulness": 1.0, "correctness": 0.5, "reason": "partly"}
    assert len(standin.requests) == 1  # the second verdict came from the cache
    assert standin.requests[0]["temperature"] == 0.0
    assert standin.requests[0]["messages"][0]["content"] == JUDGE_SYSTEM


def test_no_judge_without_a_judge_model(tmp_path: Path) -> None:
    assert make_judge(make_settings(tmp_path)) is None
