"""Prometheus metrics at /metrics: requests and latency, refusals, LLM fallbacks, the answering queue."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.telemetry import metrics
from assistant.web.limits import AskLimiter
from tests.evaluation.openai_standin import Reply, running
from tests.support import make_settings
from tests.web.conftest import serve, web_settings

GARTNER = "What share of companies have actually cut customer-service staff because of AI, according to Gartner?"
OUT_OF_SCOPE = "What is the capital of Australia?"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_answer_in_prometheus_text_format(tmp_path: Path, corpus_settings: Settings,
                                                  assistant: Assistant) -> None:
    before = (value("assistant_http_requests_total", method="POST", route="/api/ask", status="200"),
              value("assistant_answers_total", outcome="answered"), value("assistant_refusals_total"),
              value("assistant_http_requests_total", method="GET", route="/page", status="404"))
    with serve(web_settings(tmp_path, corpus_settings.index_dir), assistant) as server, \
            httpx.Client(base_url=server.url, trust_env=False, timeout=60) as http:
        assert not http.post("/api/ask", json={"question": GARTNER}).json()["refused"]
        refused = http.post("/api/ask", json={"question": OUT_OF_SCOPE}).json()["refused"]
        http.get("/no/such/page/" + "x" * 30)
        response = http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    for name in ("assistant_http_requests", "assistant_http_request_duration_seconds", "assistant_answers",
                 "assistant_refusals", "assistant_llm_fallbacks", "assistant_answer_queue_depth",
                 "assistant_slack_events", "assistant_chain_step_duration_seconds"):
        assert name in families, name
    assert families["assistant_http_request_duration_seconds"].type == "histogram"
    assert value("assistant_http_requests_total", method="POST", route="/api/ask", status="200") == before[0] + 2
    assert value("assistant_answers_total", outcome="answered") >= before[1] + 1
    assert value("assistant_refusals_total") == before[2] + refused
    assert value("assistant_http_requests_total", method="GET", route="/page", status="404") >= before[3] + 1
    assert value("assistant_chain_step_duration_seconds_count", step="retrieve") >= 2
    steps = {s.labels.get("step") for s in families["assistant_chain_step_duration_seconds"].samples}
    assert {"condense", "retrieve", "answer"} <= steps


def test_a_failing_llm_counts_as_a_fallback(corpus_settings: Settings, tmp_path: Path) -> None:
    before = value("assistant_llm_fallbacks_total", reason="llm_error")
    with running(lambda request: Reply(status=502)) as llm:
        settings = make_settings(tmp_path, index_dir=corpus_settings.index_dir, llm="openai-compatible:standin",
                                 llm_base_url=llm.base_url, llm_timeout_s=2.0)
        answer = Assistant(settings).ask(GARTNER)
    assert answer.mode == "extractive" and not answer.refused
    assert value("assistant_llm_fallbacks_total", reason="llm_error") == before + 1
    assert value("assistant_chain_step_duration_seconds_count", step="llm") >= 1


def test_the_queue_depth_is_the_questions_waiting_for_a_slot() -> None:
    limiter = AskLimiter(1)
    base = value("assistant_answer_queue_depth")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with limiter.slot(5):
            held.set()
            release.wait(10)

    threading.Thread(target=hold).start()
    held.wait(5)
    waiter = threading.Thread(target=lambda: limiter.slot(5).__enter__())
    waiter.start()
    deadline = time.monotonic() + 5
    while value("assistant_answer_queue_depth") < base + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert value("assistant_answer_queue_depth") == base + 1 and limiter.waiting == 1
    release.set()
    waiter.join(5)
    assert value("assistant_answer_queue_depth") == base


def test_routes_outside_the_api_are_grouped() -> None:
    assert metrics.route_of("/api/ask") == "/api/ask"
    assert metrics.route_of("/api/../etc/passwd") == "/api/other"
    assert metrics.route_of("/gradio_api/queue/join") == "/page"
    assert metrics.route_of("/v1/embeddings") == "/v1/other"
