"""The OpenAI-compatible endpoint, driven by the official ``openai`` client against the real server."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

from assistant.web.openai_compat import MODEL_ID, ChatMessage, split_conversation
from tests.web.conftest import LiveServer

GARTNER_FR = ("D'après Gartner, quelle proportion d'entreprises a vraiment supprimé des postes au service "
              "client à cause de l'IA ?")


@pytest.fixture
def client(live_server: LiveServer) -> OpenAI:
    return OpenAI(base_url=f"{live_server.url}/v1", api_key="x", max_retries=0, timeout=120)


@pytest.mark.ui
def test_completion_is_the_cited_answer_with_sources(client: OpenAI, live_server: LiveServer) -> None:
    completion = client.chat.completions.create(model=MODEL_ID, messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": GARTNER_FR},
    ])
    content = completion.choices[0].message.content or ""
    expected = live_server.assistant.ask(GARTNER_FR)
    assert content.startswith(expected.answer)
    assert "\n\nSources:\n[1] " in content and expected.citations[0].title in content
    assert completion.choices[0].finish_reason == "stop" and completion.model == MODEL_ID
    assert completion.usage is not None and completion.usage.completion_tokens > 0


@pytest.mark.ui
def test_streaming_an_extractive_answer_sends_it_at_once(client: OpenAI) -> None:
    whole = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": GARTNER_FR}])
    stream = client.chat.completions.create(model=MODEL_ID, stream=True,
                                            messages=[{"role": "user", "content": GARTNER_FR}])
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert [p for p in pieces if p] == [whole.choices[0].message.content]  # no word-by-word replay


@pytest.mark.ui
def test_earlier_messages_are_the_conversation(client: OpenAI) -> None:
    first = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": GARTNER_FR}])
    follow_up = client.chat.completions.create(model=MODEL_ID, messages=[
        {"role": "user", "content": GARTNER_FR},
        {"role": "assistant", "content": first.choices[0].message.content or ""},
        {"role": "user", "content": "Et combien recrutent des profils spécialisés ?"},
    ])
    assert "42 %" in (follow_up.choices[0].message.content or "")


@pytest.mark.ui
def test_models_and_errors_speak_openai(client: OpenAI, live_server: LiveServer) -> None:
    assert [model.id for model in client.models.list()] == [MODEL_ID]
    with pytest.raises(openai.BadRequestError) as empty:
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": "  "}])
    assert empty.value.status_code == 400 and "The question is empty." in str(empty.value)
    no_user = httpx.post(f"{live_server.url}/v1/chat/completions", timeout=60,
                         json={"messages": [{"role": "system", "content": "Be brief."}]})
    assert no_user.status_code == 400
    assert no_user.json()["error"]["message"] == "The conversation has no user message to answer."


def test_split_conversation_drops_system_prompts_and_our_source_lists() -> None:
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Q1"),
        ChatMessage(role="assistant", content="A1 [1]\n\nSources:\n[1] Title — ¶1"),
        ChatMessage(role="user", content=[{"type": "text", "text": "Q2"}]),  # type: ignore[list-item]
    ]
    question, history = split_conversation(messages)
    assert question == "Q2"
    assert [(t.role, t.content) for t in history] == [("user", "Q1"), ("assistant", "A1 [1]")]
