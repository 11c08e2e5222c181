"""Replicas on shared servers: throughput at p95 <= 500 ms for one and for two ``assistant serve``
processes, and the extra latency of one feedback write on PostgreSQL over SQLite.

The replicas share one Chroma server, one PostgreSQL and one Redis, all on this machine's loopback
(started here and stopped at the end, as the tests do: ``tests/servers.py``). Clients ask the golden
questions back to back on ``/api/ask``, spread over the replicas round robin as a load balancer
would; the client count grows until p95 passes 500 ms, and the figure is the best throughput of
a step that held the target. Client threads share the two cores with the replicas, so two
replicas on one 2-core machine cannot double anything: the figure says what this machine gives.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.storage.feedback import FeedbackStore

from .common import Question, bench_settings, distribution, log, percentile, subprocess_env
from .serve import Server, ask_body, running_server

P95_TARGET_MS = 500.0
CLIENT_STEPS = (1, 2, 3, 4, 6, 8)
_TIMEOUT_S = 60.0


def feedback_write_latency(workdir: Path, writes: int) -> dict[str, Any]:
    """One ``record_feedback`` (a committed insert) on SQLite (WAL) and on PostgreSQL, same machine."""
    from tests.servers import postgres

    result: dict[str, Any] = {"writes": writes}
    with postgres(fsync=True) as server:
        targets = {"sqlite": str(workdir / "feedback-bench.sqlite3"), "postgres": server.new_database("bench")}
        for name, target in targets.items():
            store = FeedbackStore(target, {"embedding_model": "bench"})
            for number in range(20):  # warm: connections open, pages cached
                store.record_feedback(1, f"warm {number}", "a", [], "api", None)
            samples = []
            for number in range(writes):
                started = time.perf_counter()
                store.record_feedback(-1 if number % 2 else 1, f"question {number}", "answer [1]",
                                      [{"n": 1, "doc_id": "d"}], "api", None, "a comment")
                samples.append((time.perf_counter() - started) * 1000)
            store.close()
            result[name] = distribution(samples, 3)
    result["postgres_extra_p50_ms"] = round(result["postgres"]["p50"] - result["sqlite"]["p50"], 3)
    log(f"feedback write p50: SQLite {result['sqlite']['p50']} ms, PostgreSQL {result['postgres']['p50']} ms")
    return result


def _step(urls: list[str], questions: list[Question], clients: int, duration_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + duration_s
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(number: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=_TIMEOUT_S, trust_env=False) as http:
            turn = number * 7
            while time.monotonic() < deadline:
                turn += 1
                url = urls[turn % len(urls)]
                started = time.perf_counter()
                try:
                    ok = http.post(f"{url}/api/ask", json=ask_body(questions[turn % len(questions)])).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    if ok:
                        latencies.append((time.perf_counter() - started) * 1000)
                    else:
                        errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration_s + _TIMEOUT_S + 5)
    wall = time.perf_counter() - started
    return {"clients": clients, "requests": len(latencies), "errors": errors,
            "throughput_rps": round(len(latencies) / wall, 2),
            "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 95), 1) if latencies else None}


def throughput_at_target(servers: list[Server], questions: list[Question], duration_s: float) -> dict[str, Any]:
    urls = [server.url for server in servers]
    for url in urls:  # warm every replica
        with httpx.Client(timeout=_TIMEOUT_S, trust_env=False) as http:
            for question in questions[:10]:
                http.post(f"{url}/api/ask", json=ask_body(question))
    steps = []
    for clients in CLIENT_STEPS:
        step = _step(urls, questions, clients, duration_s)
        steps.append(step)
        log(f"{len(urls)} replica(s), {clients} clients: {step['throughput_rps']} req/s, p95 {step['p95_ms']} ms")
        if step["p95_ms"] is None or step["p95_ms"] > P95_TARGET_MS or step["errors"]:
            break
    held = [s for s in steps if s["p95_ms"] is not None and s["p95_ms"] <= P95_TARGET_MS and not s["errors"]]
    best = max(held, key=lambda s: s["throughput_rps"]) if held else None
    return {"replicas": len(urls), "steps": steps, "throughput_rps_at_p95_target": best["throughput_rps"] if best
            else 0.0, "clients_at_best": best["clients"] if best else 0, "p95_target_ms": P95_TARGET_MS}


def measure(workdir: Path, questions: list[Question], duration_s: float, writes: int) -> dict[str, Any]:
    from tests.index.test_chroma_server import start_chroma
    from tests.servers import free_port, postgres, redis_server

    results: dict[str, Any] = {"feedback_write_ms": feedback_write_latency(workdir, writes)}
    home = workdir / "replicas"
    home.mkdir(parents=True, exist_ok=True)
    chroma_port = free_port()
    chroma = start_chroma(home / "chroma-data", chroma_port)
    try:
        with postgres() as pg, redis_server() as redis:
            settings: Settings = bench_settings(home, chroma_host="127.0.0.1", chroma_port=chroma_port,
                                                upload_dir=home / "uploads")
            started = time.perf_counter()
            Assistant(settings).ingest()
            log(f"corpus ingested into the Chroma server in {time.perf_counter() - started:.1f} s")
            env = {**subprocess_env(settings), "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port),
                   "ASSISTANT_DATABASE_URL": pg.new_database("replicas"), "ASSISTANT_REDIS_URL": redis.url(),
                   "ASSISTANT_UPLOAD_DIR": str(home / "uploads")}
            with running_server(settings, home, env) as one:
                results["one_replica"] = throughput_at_target([one], questions, duration_s)
                with running_server(settings, home, env) as two:
                    results["two_replicas"] = throughput_at_target([one, two], questions, duration_s)
    finally:
        chroma.terminate()
        chroma.wait(timeout=30)
        shutil.rmtree(home / "chroma-data", ignore_errors=True)
    one_rps = results["one_replica"]["throughput_rps_at_p95_target"]
    two_rps = results["two_replicas"]["throughput_rps_at_p95_target"]
    results["two_over_one"] = round(two_rps / one_rps, 2) if one_rps else None
    log(f"throughput at p95 <= {P95_TARGET_MS:g} ms: one replica {one_rps} req/s, two {two_rps} req/s")
    return results

