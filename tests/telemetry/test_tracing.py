"""OpenTelemetry spans for the chain and the HTTP requests (an in-memory exporter), and trace ids in logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from assistant.api import Assistant
from assistant.logs import configure_logging, request_scope
from assistant.models import Turn
from assistant.settings import Settings
from assistant.telemetry import tracing
from tests.evaluation.openai_standin import Reply, running
from tests.support import make_settings
from tests.web.conftest import serve, web_settings

GARTNER = "What share of companies have actually cut customer-service staff because of AI, according to Gartner?"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.configure(None, exporter)
    yield exporter
    tracing.reset()


def test_no_endpoint_no_tracing() -> None:
    assert tracing.configure(None) is False and not tracing.enabled()
    with tracing.span("nothing") as span:
        assert span is None
    assert tracing.start("nothing") is None


def test_an_http_question_is_one_trace_through_the_chain(spans: InMemorySpanExporter, tmp_path: Path,
                                                         corpus_settings: Settings, assistant: Assistant) -> None:
    with serve(web_settings(tmp_path, corpus_settings.index_dir), assistant) as server, \
            httpx.Client(base_url=server.url, trust_env=False, timeout=60) as http:
        assert http.post("/api/ask", json={"question": GARTNER}).status_code == 200
        assert http.get("/metrics").status_code == 200  # not traced
    finished = spans.get_finished_spans()
    by_name = {span.name: span for span in finished}
    assert {"condense", "retrieve", "answer"} <= set(by_name)
    request = next(s for s in finished if s.kind.name == "SERVER" and "/api/ask" in s.name)
    assert not any("/metrics" in s.name for s in finished)
    for step in ("condense", "retrieve", "answer"):
        assert by_name[step].context.trace_id == request.context.trace_id
    ids = {s.context.span_id: s for s in finished}
    parent = ids.get(by_name["retrieve"].parent.span_id) if by_name["retrieve"].parent else None
    while parent is not None and parent is not request:  # the step is under the request's span
        parent = ids.get(parent.parent.span_id) if parent.parent else None
    assert parent is request
    assert by_name["answer"].attributes["refused"] is False


def test_each_llm_call_is_a_span_under_its_step(spans: InMemorySpanExporter, corpus_settings: Settings,
                                                tmp_path: Path) -> None:
    with running(lambda request: Reply(status=502)) as llm:
        settings = make_settings(tmp_path, index_dir=corpus_settings.index_dir, llm="openai-compatible:standin",
                                 llm_base_url=llm.base_url, llm_timeout_s=2.0)
        with tracing.span("ask"):
            # a follow-up the corpus answers (Gartner's survey has no figure for Kenya: that one is refused,
            # and a refusal calls no LLM)
            answer = Assistant(settings).ask("Et au Kenya ?", [
                Turn(role="user", content="How many new jobs did South Africa's BPO sector create in 2024?"),
                Turn(role="assistant", content="Here is what the corpus says: ... [1]")])
    assert answer.mode == "extractive"
    finished = spans.get_finished_spans()
    llm_spans = [s for s in finished if s.name == "llm"]
    assert {s.attributes["purpose"] for s in llm_spans} == {"condense", "answer"}
    names = {s.context.span_id: s.name for s in finished}
    assert {names[s.parent.span_id] for s in llm_spans if s.parent} == {"condense", "answer"}


def test_log_lines_carry_the_trace_id(spans: InMemorySpanExporter) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    trace_ids = []
    try:
        for log_format in ("json", "text"):
            configure_logging(log_format, "INFO")  # type: ignore[arg-type]
            root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
            with request_scope("req-1"), tracing.span("outer") as span:
                logging.getLogger("assistant.test").info("inside")
                trace_ids.append(f"{span.get_span_context().trace_id:032x}")
            logging.getLogger("assistant.test").info("outside")
        json_inside, json_outside, text_inside, text_outside = stream.getvalue().splitlines()
        inside = json.loads(json_inside)
        assert inside["trace_id"] == trace_ids[0] and inside["request_id"] == "req-1"
        assert json.loads(json_outside)["trace_id"] is None
        assert f"[req-1 trace={trace_ids[1]}] inside" in text_inside and "[-] outside" in text_outside
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def test_the_otlp_exporter_is_made_from_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    exporter = tracing._otlp_exporter("http://127.0.0.1:4318")
    assert isinstance(exporter, OTLPSpanExporter)
    assert exporter._endpoint == "http://127.0.0.1:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    assert type(tracing._otlp_exporter("http://127.0.0.1:4317")).__module__.endswith("grpc.trace_exporter")
    assert Settings.isolated(otel_exporter_otlp_endpoint="http://collector:4318").otel_endpoint == \
        "http://collector:4318"
