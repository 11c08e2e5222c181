"""A model loading in the background (``assistant/startup.py``) is waited for, never loaded twice, and
its warm-up call is over before anyone else gets the model."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.index import embeddings


class SlowModel(Embeddings):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return [1.0]


def test_a_background_load_is_waited_for_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []
    loading, release = threading.Event(), threading.Event()

    def load(name: str, cache_dir: Path | None) -> Embeddings:
        loads.append(name)
        loading.set()
        assert release.wait(10)
        return SlowModel()

    monkeypatch.setattr(embeddings, "_load", load)
    name = f"test-model-{uuid.uuid4().hex}"
    background = embeddings.load_in_background(name)
    assert loading.wait(10)  # the background load is under way when the foreground asks
    got: list[Embeddings] = []
    caller = threading.Thread(target=lambda: got.append(embeddings.load_embeddings(name)))
    caller.start()
    release.set()
    background.join(10)
    caller.join(10)
    model = embeddings.load_embeddings(name)
    assert loads == [name] and got == [model]
    assert isinstance(model, SlowModel) and model.queries == ["warm up"]  # warmed once, before it was handed out
