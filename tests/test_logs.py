"""The log handler follows the process's stderr: a line written after the stream it started on was closed
is still written, never a "Logging error"."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import logs
from assistant.settings import PROJECT_ROOT
from tests.servers import free_port

# What the test suite did: `assistant serve` run under typer's CliRunner (which swaps in its own stderr and
# closes it when the command ends) set up logging and stopped, then a web server in the same process
# answered a request and its access line was written.
FLOW = textwrap.dedent("""
    import asyncio

    import httpx
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.web.request_id import RequestIdMiddleware

    result = CliRunner().invoke(app, ["serve", "--port", "{port}"])
    assert result.exit_code == 2, result.output  # the database is down: serve stops after configuring logging

    async def ping(request):
        return PlainTextResponse("pong")

    async def call():
        web = RequestIdMiddleware(Starlette(routes=[Route("/ping", ping)]))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test") as client:
            assert (await client.get("/ping")).text == "pong"

    asyncio.run(call())
    print("flow done")
""")


def run_flow(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ASSISTANT_", "SLACK_"))}
    env.update(ASSISTANT_DATABASE_URL=f"postgresql://nobody:pw@127.0.0.1:{free_port()}/none",
               ASSISTANT_INDEX_DIR=str(tmp_path / "index"), PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.run([sys.executable, "-c", FLOW.format(port=free_port())], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_line_written_after_the_first_stderr_was_closed_is_not_a_logging_error(tmp_path: Path) -> None:
    finished = run_flow(tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert "flow done" in finished.stdout
    assert "Logging error" not in finished.stderr and "closed file" not in finished.stderr
    assert "GET /ping 200" in finished.stderr  # the access line went to the stderr the process has now


def test_set_stream_still_pins_a_stream() -> None:
    handler = logs.StderrHandler()
    assert handler.stream is sys.stderr
    pinned = io.StringIO()
    handler.setStream(pinned)
    handler.handle(logging.LogRecord("t", logging.INFO, __file__, 1, "pinned line", None, None))
    assert pinned.getvalue() == "pinned line\n"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}.items():
        monkeypatch.setenv(name, value)
