"""Real streaming: the LLM's tokens reach the caller as the model writes them, then the checked answer.

The model is the loopback OpenAI-compatible stand-in, which streams its reply word by word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openai import OpenAI

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.web.openai_compat import MODEL_ID
from tests.evaluation.openai_standin import Reply, StandIn, running, user_text
from tests.web.conftest import LiveServer, serve, web_settings

QUESTION = "According to Gartner, what share of companies cut customer-service staff because of AI?"
_OPENING = re.compile(r'<source n="(\d+)"')


def source_holding(request: dict[str, Any], needle: str) -> int:
    """The number the prompt gave the first source holding ``needle``, as a model would read it."""
    text = user_text(request)
    for match in _OPENING.finditer(text):
        if needle in text[match.end(): text.find("</source>", match.end())]:
            return int(match.group(1))
    raise AssertionError(f"no source holds {needle!r}")


def cited_reply(request: dict[str, Any]) -> Reply:
    n = source_holding(request, "20%")
    return Reply(f"Gartner found that 20% of customer service leaders had cut agent staff because of AI [{n}].")


def uncited_reply(request: dict[str, Any]) -> Reply:
    return Reply("Most firms replaced their agents with AI [42].")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    replies = {"cited": cited_reply, "uncited": uncited_reply}
    with running(lambda request: replies[request["model"]](request)) as server:
        yield server


def llm_assistant(corpus_settings: Settings, standin: StandIn, model: str) -> Assistant:
    return Assistant(corpus_settings.with_changes(llm=f"openai-compatible:{model}", llm_base_url=standin.base_url))


def test_extractive_answers_come_whole_at_once(assistant: Assistant) -> None:
    stream = assistant.ask_stream(QUESTION)
    assert list(stream) == []
    assert stream.answer().answer == assistant.ask(QUESTION).answer
    assert stream.answer() is stream.answer() and list(stream) == []


def test_tokens_arrive_as_written_then_the_checked_answer(corpus_settings: Settings, standin: StandIn) -> None:
    stream = llm_assistant(corpus_settings, standin, "cited").ask_stream(QUESTION)
    pieces = list(stream)
    final = stream.answer()
    assert len(pieces) > 5 and all(isinstance(p, str) for p in pieces)
    assert final.mode == "openai-compatible:cited" and final.timings_ms.total > 0
    assert "".join(str(p) for p in pieces).startswith("Gartner found that 20%")
    assert final.citations and "20%" in final.citations[0].quote
    assert standin.requests[-1]["stream"] is True


@pytest.fixture(scope="module")
def llm_server(corpus_settings: Settings, standin: StandIn,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = web_settings(tmp_path_factory.mktemp("web-llm"), corpus_settings.index_dir,
                            llm="openai-compatible:cited", llm_base_url=standin.base_url)
    with serve(settings, Assistant(settings)) as server:
        yield server


@pytest.mark.ui
def test_v1_streams_the_models_tokens_then_the_sources(llm_server: LiveServer) -> None:
    client = OpenAI(base_url=f"{llm_server.url}/v1", api_key="x", max_retries=0, timeout=120)
    stream = client.chat.completions.create(model=MODEL_ID, stream=True,
                                            messages=[{"role": "user", "content": QUESTION}])
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    text = "".join(pieces)
    assert len([p for p in pieces if p]) > 5
    assert text.startswith("Gartner found that 20% of customer service leaders")
    assert "\n\nSources:\n[1] " in text and "Checked answer" not in text


@pytest.mark.ui
def test_v1_follows_a_draft_that_failed_its_checks_with_the_checked_answer(
        corpus_settings: Settings, standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = web_settings(tmp_path_factory.mktemp("web-uncited"), corpus_settings.index_dir,
                            llm="openai-compatible:uncited", llm_base_url=standin.base_url)
    with serve(settings, Assistant(settings)) as server:
        client = OpenAI(base_url=f"{server.url}/v1", api_key="x", max_retries=0, timeout=120)
        stream = client.chat.completions.create(model=MODEL_ID, stream=True,
                                                messages=[{"role": "user", "content": QUESTION}])
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    draft, _, checked = text.partition("\n\n---\nChecked answer:\n")
    assert draft == "Most firms replaced their agents with AI [42]."
    assert "20%" in checked and "Note: the language model did not answer (no valid citation)" in checked
