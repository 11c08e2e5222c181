"""OpenAI, Ollama and any OpenAI-compatible server (vLLM, llama.cpp), through ``init_chat_model``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import LLMConfigError
from ..settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

OLLAMA_URL = "http://127.0.0.1:11434/v1"


def _chat_model(settings: Settings, model: str, base_url: str | None, api_key: str) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    return init_chat_model(
        model, model_provider="openai", base_url=base_url, api_key=api_key,
        timeout=settings.llm_timeout_s, max_retries=1, temperature=settings.answer.llm_temperature,
    )


def _key(settings: Settings) -> str:
    return settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""


def make_openai(settings: Settings, model: str) -> BaseChatModel:
    return _chat_model(settings, model, settings.llm_base_url, _key(settings) or "missing-key")


def make_ollama(settings: Settings, model: str) -> BaseChatModel:
    # Ollama serves the OpenAI protocol under /v1; its key is ignored but must not be empty.
    return _chat_model(settings, model, settings.llm_base_url or OLLAMA_URL, _key(settings) or "ollama")


def make_compatible(settings: Settings, model: str) -> BaseChatModel:
    if not settings.llm_base_url:
        raise LLMConfigError("ASSISTANT_LLM=openai-compatible:MODEL needs ASSISTANT_LLM_BASE_URL")
    return _chat_model(settings, model, settings.llm_base_url, _key(settings) or "none")
