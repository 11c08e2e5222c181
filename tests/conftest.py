"""Shared fixtures: the real corpus indexed once per session into a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from tests.support import CORPUS, make_settings

__all__ = ["CORPUS", "make_settings"]


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read a developer's .env or LLM keys."""
    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "SLACK_")) or name in {"CHROMA_HOST", "CHROMA_PORT", "OPENAI_API_KEY"}:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("corpus-index"))


@pytest.fixture(scope="session")
def assistant(corpus_settings: Settings) -> Iterator[Assistant]:
    """The default configuration over the real corpus, ingested once for the whole run."""
    instance = Assistant(corpus_settings)
    instance.ingest()
    yield instance
