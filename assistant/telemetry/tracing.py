"""OpenTelemetry traces, when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set: off (and free) otherwise.

``configure`` installs this process's tracer provider (OTLP over HTTP/protobuf, or gRPC by
``OTEL_EXPORTER_OTLP_PROTOCOL=grpc``; service name ``OTEL_SERVICE_NAME``); tests hand it an
in-memory exporter instead. ``span`` traces a block as the current span; ``start`` opens a span
that is not made current, for steps that are generators (a streamed answer is resumed on other
threads, where a current span could not be detached).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

log = logging.getLogger(__name__)
SERVICE_NAME = "outsourcing-assistant"
TRACER = "assistant"
_provider: TracerProvider | None = None
_endpoint: str | None = None


def configure(endpoint: str | None, exporter: SpanExporter | None = None) -> bool:
    """Trace to ``endpoint`` (or into ``exporter``); False, and nothing done, when neither is given."""
    global _provider, _endpoint
    if exporter is None and not endpoint:
        return False
    if exporter is None and _provider is not None and endpoint == _endpoint:
        return True  # already tracing there (several apps in one process)
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME")
                                                        or SERVICE_NAME}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        assert endpoint is not None
        provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(endpoint)))
        log.info("tracing to %s", endpoint)
    if _provider is not None:
        _provider.shutdown()
    _provider, _endpoint = provider, endpoint
    return True


def _otlp_exporter(endpoint: str) -> SpanExporter:
    if os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf") == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter(endpoint=endpoint)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    base = endpoint.rstrip("/")
    return OTLPSpanExporter(endpoint=base if base.endswith("/v1/traces") else f"{base}/v1/traces")


def reset() -> None:
    """Stop tracing (tests)."""
    global _provider, _endpoint
    if _provider is not None:
        _provider.shutdown()
    _provider, _endpoint = None, None


def enabled() -> bool:
    return _provider is not None


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """The block as a span, current for what it calls; a no-op when tracing is off."""
    if _provider is None:
        yield None
        return
    with _provider.get_tracer(TRACER).start_as_current_span(name, attributes=attributes or None) as current:
        yield current


def start(name: str, parent: Any = None, **attributes: Any) -> Any:
    """A span under ``parent`` (else the current span) that the caller ends (``.end()``); None when off."""
    if _provider is None:
        return None
    context = trace.set_span_in_context(parent) if parent is not None else None
    return _provider.get_tracer(TRACER).start_span(name, context=context, attributes=attributes or None)


def instrument(app: FastAPI) -> None:
    """A span for every HTTP request of ``app`` (but /metrics), when tracing is on."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, excluded_urls="metrics")


def langchain_tracing_on() -> bool:
    """Whether LangChain would trace a run: LangSmith's environment switches (``LANGSMITH_TRACING``
    and friends), or LangSmith already loaded by the caller (a run inside its ``traceable``)."""
    for name in ("TRACING_V2", "TRACING"):
        for namespace in ("LANGSMITH", "LANGCHAIN"):
            value = os.environ.get(f"{namespace}_{name}", "").strip()
            if value:
                return value.lower() == "true"
    return "langsmith" in sys.modules
