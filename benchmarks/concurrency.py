"""Sequential and concurrent load on ``POST /api/ask`` of a running ``assistant serve``."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from .common import Question, distribution, log
from .serve import Server, ask_body

_REQUEST_TIMEOUT_S = 60.0


def sequential(server: Server, questions: list[Question], rounds: int) -> dict[str, Any]:
    """One client, every golden question ``rounds`` times: the serving process's latency run."""
    latencies: list[float] = []
    errors = 0
    with httpx.Client(base_url=server.url, timeout=_REQUEST_TIMEOUT_S) as client:
        for question in questions:  # warm, not measured
            client.post("/api/ask", json=ask_body(question))
        for _ in range(rounds):
            for question in questions:
                started = time.perf_counter()
                response = client.post("/api/ask", json=ask_body(question))
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200
    log(f"HTTP sequential: p50 {distribution(latencies)['p50']} ms over {len(latencies)}, errors {errors}")
    return {"http_ask_ms": distribution(latencies), "http_errors": errors}


def concurrent(server: Server, questions: list[Question], clients: int, duration_s: float) -> dict[str, Any]:
    """``clients`` threads asking back to back for ``duration_s``; no request starts after it."""
    deadline = time.monotonic() + duration_s
    lock = threading.Lock()
    latencies: list[float] = []
    failures: dict[str, int] = {}

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=server.url, timeout=_REQUEST_TIMEOUT_S) as client:
            position = offset
            while time.monotonic() < deadline:
                question = questions[position % len(questions)]
                position += 1
                started = time.perf_counter()
                try:
                    response = client.post("/api/ask", json=ask_body(question))
                    problem = None if response.status_code == 200 else f"HTTP {response.status_code}"
                except httpx.HTTPError as error:
                    problem = error.__class__.__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if problem is None:
                        latencies.append(elapsed)
                    else:
                        failures[problem] = failures.get(problem, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(i * 7,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration_s + _REQUEST_TIMEOUT_S + 5)
    wall = time.perf_counter() - started
    errors = sum(failures.values())
    hung = sum(thread.is_alive() for thread in threads)
    result: dict[str, Any] = {
        "clients": clients,
        "duration_s": duration_s,
        "wall_s": round(wall, 2),
        "requests": len(latencies) + errors,
        "ok": len(latencies),
        "errors": errors + hung,
        "error_kinds": failures,
        "throughput_rps": round(len(latencies) / wall, 2),
    }
    if latencies:
        lat = distribution(latencies)
        result.update({"p50_ms": lat["p50"], "p95_ms": lat["p95"], "max_ms": lat["max"]})
    log(f"concurrency: {result['ok']} ok, {result['errors']} errors, {result['throughput_rps']} req/s, "
        f"p95 {result.get('p95_ms')} ms")
    return result
