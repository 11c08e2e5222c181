"""The web harness: the real server (uvicorn on a loopback port) over the session's corpus index."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright

from assistant.api import Assistant
from assistant.settings import PROJECT_ROOT, Settings
from assistant.storage.feedback import FeedbackStore
from assistant.web.context import WebContext
from assistant.web.server import create_app
from tests.support import make_settings

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server is on 127.0.0.1: a developer's proxy settings must not reroute the test clients."""
    for name in _PROXY_ENV:
        monkeypatch.delenv(name, raising=False)


@dataclass
class LiveServer:
    url: str
    settings: Settings
    app: FastAPI

    @property
    def web(self) -> WebContext:
        context: WebContext = self.app.state.web
        return context

    @property
    def store(self) -> FeedbackStore:
        return self.web.store

    @property
    def assistant(self) -> Assistant:
        return self.web.assistant


def web_settings(tmp: Path, index_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"index_dir": index_dir, "upload_dir": tmp / "uploads"}
    values.update(overrides)
    return make_settings(tmp, **values)


@contextmanager
def serve(settings: Settings, assistant: Assistant) -> Iterator[LiveServer]:
    """``create_app`` under a real uvicorn in a thread, on a socket bound before it starts."""
    app = create_app(settings, assistant)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings, app=app)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@pytest.fixture(scope="session")
def live_server(assistant: Assistant, corpus_settings: Settings,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole web server over the real corpus (read-only: uploads go to ``small_server``)."""
    settings = web_settings(tmp_path_factory.mktemp("web"), corpus_settings.index_dir)
    with serve(settings, assistant) as server:
        yield server


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over its own two-document index, for tests that change the index (uploads)."""
    tmp = tmp_path_factory.mktemp("web-small")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in ("gartner-headcount-survey.en.md", "kenya-bpo.en.md"):
        (corpus / name).write_text((PROJECT_ROOT / "corpus" / "facts" / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    settings = web_settings(tmp, tmp / "index", corpus_dir=corpus, upload_max_bytes=200_000)
    assistant = Assistant(settings)
    assistant.ingest()
    with serve(settings, assistant) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for every browser test of the run (each test opens its own context)."""
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
