"""Chat-model providers by name: ``ASSISTANT_LLM=provider:model`` picks a factory from ``PROVIDERS``.

The table holds dotted names, resolved only when a chat model is built (as simonw/llm's plugins
and paper-qa's parsers are): the core never imports a provider module, so the chat-model stack
costs nothing in extractive mode, and no provider can import the core back into a cycle. A
provider module exposes ``make(settings, model) -> BaseChatModel``; adding one is a line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import LLMConfigError

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from ..settings import Settings

PROVIDERS: dict[str, str] = {
    "openai": "assistant.providers.openai_compatible:make_openai",
    "ollama": "assistant.providers.openai_compatible:make_ollama",
    "openai-compatible": "assistant.providers.openai_compatible:make_compatible",
    "smollm2": "assistant.providers.smollm2:make",
}


def resolve(provider: str) -> Callable[[Settings, str], BaseChatModel]:
    """The factory behind a provider name; a one-line ``LLMConfigError`` for an unknown one."""
    if provider not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        raise LLMConfigError(f"Unknown LLM provider '{provider}' (known: {known})")
    module_name, _, attribute = PROVIDERS[provider].partition(":")
    factory: Callable[[Settings, str], BaseChatModel] = getattr(importlib.import_module(module_name), attribute)
    return factory


def make_chat_model(settings: Settings, llm: str | None = None) -> BaseChatModel | None:
    """None means the extractive answerer; otherwise the chat model ``llm`` (default: the setting) names."""
    spec = (settings.answer.llm if llm is None else llm).strip()
    if not spec:
        return None
    provider, _, model = spec.partition(":")
    return resolve(provider)(settings, model)
