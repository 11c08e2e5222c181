"""Cold start (issue 23, "Start in a second"): a new ``assistant ask --json`` process against a prebuilt
index, start to answer (target 1.5 s, median); and ``assistant serve`` from start to ``/api/health``
answering (target 2 s) and on to the chat page being ready (no target).

Every run records the load average: the host's 2 cores are shared, and a busy host stretches wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import Settings

from .common import load_average, log, subprocess_env, summarize_runs
from .serve import running_server

QUESTION = "What share of companies have actually cut customer-service staff because of AI?"
TARGET_COLD_START_S = 1.5
TARGET_SERVE_READY_S = 2.0
_TIMEOUT_S = 120


def _one_run(settings: Settings, cwd: Path) -> tuple[float, float, float]:
    """(seconds until the answer line is printed, until the process has exited, its CPU seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ask", "--json", QUESTION],
        cwd=cwd, env=subprocess_env(settings),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    killer = threading.Timer(_TIMEOUT_S, process.kill)
    killer.start()
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        answered = time.perf_counter() - started
        err = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)  # also the child's CPU time, which load does not stretch
        process.returncode = os.waitstatus_to_exitcode(status)
        exited = time.perf_counter() - started
    finally:
        killer.cancel()
    if process.returncode != 0 or not line.strip():
        raise RuntimeError(f"cold start run failed (exit {process.returncode}): {err.strip()[-500:]}")
    answer = json.loads(line)
    assert answer["citations"] and not answer["refused"], "the cold-start question was not answered"
    return answered, exited, usage.ru_utime + usage.ru_stime


def measure(settings: Settings, cwd: Path, runs: int) -> dict[str, Any]:
    # One unmeasured run first: it pays for the OS page cache (the first run after install) and
    # writes the embedding model's fast-loading copy, which is not what a restart of the service costs.
    warm_answered, _, _ = _one_run(settings, cwd)
    log(f"cold start warm-up run: {warm_answered:.2f} s (not counted)")
    answered: list[float] = []
    exited: list[float] = []
    cpu: list[float] = []
    loads: list[float] = []
    for run in range(runs):
        to_answer, to_exit, cpu_s = _one_run(settings, cwd)
        answered.append(to_answer)
        exited.append(to_exit)
        cpu.append(cpu_s)
        loads.append(load_average()[0] if load_average() else float("nan"))
        log(f"cold start {run + 1}/{runs}: answer after {to_answer:.2f} s ({cpu_s:.2f} s CPU), "
            f"exit after {to_exit:.2f} s, load average {loads[-1]:.2f}")
    summary = summarize_runs(answered)
    return {
        "cold_start_s": round(summary.median, 3),
        "cold_start": {**summary.as_dict(3), "first_run_s": round(warm_answered, 3),
                       "exit_s": summarize_runs(exited).as_dict(3), "cpu_s": summarize_runs(cpu).as_dict(3),
                       "load_average": loads, "target_s": TARGET_COLD_START_S},
    }


def _page_ready(url: str, started: float) -> float:
    """Seconds from the server's start until ``/api/health`` says the chat page is built."""
    deadline = time.monotonic() + _TIMEOUT_S
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if client.get(f"{url}/api/health").json().get("page", "ready") == "ready":
                return time.perf_counter() - started
            time.sleep(0.05)
    raise RuntimeError("the chat page was not built in time")


def measure_serve(settings: Settings, workdir: Path, runs: int) -> dict[str, Any]:
    """``assistant serve`` started ``runs`` times (after one unmeasured start): seconds until ``/api/health``
    answers 200 (the APIs answer), and until the chat page is ready."""
    ready: list[float] = []
    page: list[float] = []
    loads: list[float] = []
    for run in range(runs + 1):
        started = time.perf_counter()
        with running_server(settings, workdir) as server:
            to_page = _page_ready(server.url, started)
        if run == 0:
            log(f"serve warm-up start: ready after {server.started_s:.2f} s (not counted)")
            continue
        ready.append(server.started_s)
        page.append(to_page)
        loads.append(load_average()[0] if load_average() else float("nan"))
        log(f"serve start {run}/{runs}: /api/health after {server.started_s:.2f} s, chat page after "
            f"{to_page:.2f} s, load average {loads[-1]:.2f}")
    summary = summarize_runs(ready)
    return {
        "serve_ready_s": round(summary.median, 3),
        "serve_ready": {**summary.as_dict(3), "page_ready_s": summarize_runs(page).as_dict(3),
                        "load_average": loads, "target_s": TARGET_SERVE_READY_S},
    }
