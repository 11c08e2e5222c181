"""Servers for the security tests: the real web app on loopback, over the corpus or over its own index."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from tests.support import CORPUS
from tests.web.conftest import LiveServer, serve, web_settings

SMALL_CORPUS = ("facts/gartner-headcount-survey.en.md", "facts/kenya-bpo.en.md")


@dataclass
class Counts:
    """What must survive hostile input: the live passages, the feedback rows, the uploaded files."""

    passages: int
    feedback: int
    uploads: tuple[str, ...]


def counts(server: LiveServer) -> Counts:
    folder = server.settings.upload_dir
    files = tuple(sorted(p.name for p in folder.iterdir())) if folder.is_dir() else ()
    return Counts(passages=len(server.assistant.store.live_chunks()), feedback=server.store.count(),
                  uploads=files)


def client(server: LiveServer, **kwargs: object) -> httpx.Client:
    """A client that never goes through a proxy: the server is on 127.0.0.1."""
    return httpx.Client(base_url=server.url, timeout=180, trust_env=False, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def web_server(assistant: Assistant, corpus_settings: Settings,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole web server over the session's corpus index (read-only), with its own feedback store."""
    settings = web_settings(tmp_path_factory.mktemp("security-web"), corpus_settings.index_dir)
    with serve(settings, assistant) as server:
        yield server


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over its own two-document index that uploads may change; 1 MB upload limit."""
    tmp = tmp_path_factory.mktemp("security-upload")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in SMALL_CORPUS:
        shutil.copy(CORPUS / name, corpus / name.rsplit("/", 1)[-1])
    settings = web_settings(tmp, tmp / "index", corpus_dir=corpus, upload_max_bytes=1_000_000)
    instance = Assistant(settings)
    instance.ingest()
    with serve(settings, instance) as server:
        yield server
