"""``assistant serve`` answers its APIs before the chat page is built: ``/`` says it is starting,
then is the page (with the page's own start-up run), and a page that cannot be built says so."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.web.late_page import LatePage


def _outer(late: LatePage) -> FastAPI:
    outer = FastAPI(lifespan=late.lifespan)
    outer.add_api_route("/api/health", lambda: {"page": late.state})
    outer.mount("/", late)
    return outer


def _wait_for(late: LatePage, state: str) -> None:
    deadline = time.monotonic() + 10
    while late.state != state:
        assert time.monotonic() < deadline, f"the page stayed {late.state}"
        time.sleep(0.01)


def test_the_page_follows_the_apis_and_runs_its_own_start_up() -> None:
    gate = threading.Event()
    started: list[bool] = []

    @asynccontextmanager
    async def page_lifespan(app: FastAPI) -> AsyncIterator[None]:
        started.append(True)
        yield

    def build() -> FastAPI:
        assert gate.wait(10)
        page = FastAPI(lifespan=page_lifespan)
        page.add_api_route("/", lambda: {"the": "page"})
        return page

    late = LatePage(build)
    with TestClient(_outer(late)) as client:
        assert client.get("/api/health").json() == {"page": "starting"}
        starting = client.get("/")
        assert starting.status_code == 503 and starting.headers["retry-after"] == "1"
        assert "starting" in starting.text and not started
        gate.set()
        _wait_for(late, "ready")
        assert client.get("/").json() == {"the": "page"} and started == [True]


def test_a_page_that_cannot_be_built_leaves_the_apis_answering() -> None:
    def build() -> FastAPI:
        raise RuntimeError("no page")

    late = LatePage(build)
    with TestClient(_outer(late)) as client:
        _wait_for(late, "failed")
        assert client.get("/api/health").json() == {"page": "failed"}
        failed = client.get("/")
        assert failed.status_code == 503 and "could not be built" in failed.text


def test_the_build_waits_for_the_first_answers_unless_a_browser_asks_for_the_page() -> None:
    """Gradio's imports would slow the server's first answers: the build begins after a delay,
    or as soon as someone asks for ``/``."""
    built: list[float] = []

    def build() -> FastAPI:
        built.append(time.monotonic())
        return FastAPI()

    waiting = LatePage(build, delay_s=60)
    with TestClient(_outer(waiting)) as client:
        assert client.get("/api/health").json() == {"page": "starting"}
        time.sleep(0.3)
        assert built == []  # an API call does not start it
        assert client.get("/").status_code == 503  # a browser does
        _wait_for(waiting, "ready")
    later = LatePage(build, delay_s=0.2)
    with TestClient(_outer(later)) as client:
        started = time.monotonic()
        _wait_for(later, "ready")
        assert built[-1] - started >= 0.15


def test_a_server_stopped_before_the_page_was_wanted_builds_none_and_stops_at_once(
        caplog: pytest.LogCaptureFixture) -> None:
    built: list[bool] = []
    late = LatePage(lambda: built.append(True) or FastAPI(), delay_s=60)
    with caplog.at_level(logging.WARNING), TestClient(_outer(late)) as client:
        assert client.get("/api/health").json() == {"page": "starting"}
    assert built == [] and "did not stop in time" not in caplog.text  # the delay ended with the server
