"""Logging for the long-running commands: one configuration, and a request id in every line.

``assistant serve`` and ``assistant slack`` call ``configure_logging`` once at start-up. Each
HTTP request and each Slack event sets a request id (``request_scope``); every log line written
while it is handled, in this thread or in a thread that copied the context, carries it. Lines
are ``time level logger [request id] message``, or one JSON object per line with
``ASSISTANT_LOG_FORMAT=json`` for a log collector. Inside a traced request (OpenTelemetry) the
line carries the trace id too: ``[request id trace=...]``, or ``"trace_id"`` in JSON.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Literal

LogFormat = Literal["text", "json"]
NO_REQUEST = "-"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(trace)s] %(message)s"
# Libraries that log every HTTP call or heartbeat at INFO: their lines drown the app's own.
_QUIET = ("httpx", "httpcore", "chromadb", "urllib3", "slack_bolt.App", "slack_sdk.socket_mode")


def current_request_id() -> str:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


@contextmanager
def request_scope(request_id: str | None = None) -> Iterator[str]:
    """Tag every line logged inside the block with ``request_id`` (a new one if None)."""
    rid = request_id or new_request_id()
    token = _request_id.set(rid)
    try:
        yield rid
    finally:
        _request_id.reset(token)


def current_trace_id() -> str | None:
    """The OpenTelemetry trace id of the current span (32 hex digits), or None outside a trace."""
    from opentelemetry import trace  # loaded with chromadb already; only read when a line is written

    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        trace_id = current_trace_id()
        record.trace_id = trace_id
        record.trace = f" trace={trace_id}" if trace_id else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request_id, message, error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "trace_id": getattr(record, "trace_id", None),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes each line to ``sys.stderr`` as it is when the line is written, not as it was when logging was set up.

    A handler that holds the stream object it was given keeps writing to it after whoever owned it closed
    it: a test runner's captured stderr (typer's ``CliRunner``, pytest's ``capsys``) is closed when the
    command ends, yet the root logger keeps the handler, and every later line (a request's access line,
    from the server's thread) then fails with "Logging error ... I/O operation on closed file". Looking
    ``sys.stderr`` up at each line follows the stream the process has now. ``setStream`` still pins one.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self)  # not StreamHandler's: it would pin today's sys.stderr
        self._pinned: IO[str] | None = None

    @property
    def stream(self) -> IO[str]:
        return self._pinned if self._pinned is not None else sys.stderr

    @stream.setter
    def stream(self, value: IO[str] | None) -> None:
        self._pinned = value


def configure_logging(log_format: LogFormat = "text", level: str = "INFO") -> None:
    """Replace the root logger's handlers with one stderr handler in ``log_format``; idempotent."""
    handler = StderrHandler()
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn's own loggers keep their handlers unless told otherwise: route them to the root.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
