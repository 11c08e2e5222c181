"""Prometheus metrics of one process, served at ``/metrics`` in the text format.

- ``assistant_http_requests_total{method,route,status}`` and the latency histogram
  ``assistant_http_request_duration_seconds{method,route}``: routes are the API's own paths, the
  rest grouped (``/api/other``, ``/page``), so a scan of random URLs cannot grow the series.
- ``assistant_answers_total{outcome}`` (answered, refused), ``assistant_refusals_total``,
  ``assistant_llm_fallbacks_total{reason}`` (the extractive answer given instead of the LLM's),
  ``assistant_chain_step_duration_seconds{step}`` (condense, retrieve, answer, llm).
- ``assistant_answer_queue_depth``: questions waiting for an answering slot.
- ``assistant_slack_events_total{outcome}``: received, duplicate, rate_limited, answered, failed.

Each replica serves its own; Prometheus sums them. Importing this module subscribes it to the
core's reports (``observe``).
"""

from __future__ import annotations

import time

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..models import Answer
from . import observe

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
ROUTES = frozenset({"/api/ask", "/api/health", "/api/feedback", "/api/admin/upload", "/api/openapi.json",
                    "/v1/models", "/v1/chat/completions", "/slack/events", "/slack/interactions", "/metrics"})

REQUESTS = Counter("assistant_http_requests_total", "HTTP requests answered.", ["method", "route", "status"])
LATENCY = Histogram("assistant_http_request_duration_seconds", "Time to answer an HTTP request.",
                    ["method", "route"], buckets=_LATENCY_BUCKETS)
ANSWERS = Counter("assistant_answers_total", "Questions answered, by outcome.", ["outcome"])
REFUSALS = Counter("assistant_refusals_total", "Questions the corpus did not answer (the assistant said so).")
FALLBACKS = Counter("assistant_llm_fallbacks_total",
                    "Answers where the extractive answer replaced the LLM's.", ["reason"])
STEPS = Histogram("assistant_chain_step_duration_seconds", "Time of one step of the answering chain.", ["step"],
                  buckets=_LATENCY_BUCKETS)
QUEUE_DEPTH = Gauge("assistant_answer_queue_depth", "Questions waiting for an answering slot.")
SLACK_EVENTS = Counter("assistant_slack_events_total", "Slack events and what became of them.", ["outcome"])


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(path: str) -> str:
    if path in ROUTES:
        return path
    for prefix in ("/api/", "/v1/", "/slack/"):
        if path.startswith(prefix):
            return f"{prefix}other"
    return "/page"


def record_step(name: str, seconds: float) -> None:
    STEPS.labels(name).observe(seconds)


def record_answer(answer: Answer, llm_configured: bool) -> None:
    ANSWERS.labels("refused" if answer.refused else "answered").inc()
    if answer.refused:
        REFUSALS.inc()
    elif llm_configured and answer.mode == "extractive":
        unavailable = any(w.startswith("LLM unavailable") for w in answer.warnings)
        FALLBACKS.labels("llm_error" if unavailable else "no_valid_citation").inc()


def queue_changed(change: int) -> None:
    QUEUE_DEPTH.inc(change)


def slack_event(outcome: str) -> None:
    SLACK_EVENTS.labels(outcome).inc()


observe.on_step(record_step)
observe.on_answer(record_answer)


def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``: this process's metrics in Prometheus's text format (or what ``Accept`` asks for)."""
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(REGISTRY), headers={"Content-Type": content_type})


class MetricsMiddleware:
    """Counts and times every HTTP request, to the end of its (possibly streamed) response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method, route = scope.get("method", "GET"), route_of(scope.get("path", ""))
            method = method if method in _METHODS else "OTHER"
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
