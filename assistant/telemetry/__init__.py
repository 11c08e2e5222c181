"""What the assistant tells its operators: OpenTelemetry traces and Prometheus metrics.

- ``tracing``: spans for the chain's steps (condense, retrieve, answer, each LLM call) and for the
  FastAPI requests, sent to ``OTEL_EXPORTER_OTLP_ENDPOINT`` when it is set (nothing otherwise).
- ``observe``: what the core calls around its steps and after each answer; it times and traces
  them and tells whoever listens (the metrics), without importing any metrics library.
- ``metrics``: the Prometheus metrics served at ``/metrics`` (requests, latency, refusals, LLM
  fallbacks, the answering queue, Slack events).
"""
