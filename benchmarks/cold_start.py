"""Cold start: a new ``assistant ask --json`` process against a prebuilt index, start to answer."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from assistant.settings import Settings

from .common import log, subprocess_env, summarize_runs

QUESTION = "What share of companies have actually cut customer-service staff because of AI?"
_TIMEOUT_S = 120


def _one_run(settings: Settings, cwd: Path) -> tuple[float, float]:
    """(seconds until the answer line is printed, seconds until the process has exited)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ask", "--json", QUESTION],
        cwd=cwd, env=subprocess_env(settings),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    killer = threading.Timer(_TIMEOUT_S, process.kill)
    killer.start()
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        answered = time.perf_counter() - started
        _, err = process.communicate()
        exited = time.perf_counter() - started
    finally:
        killer.cancel()
    if process.returncode != 0 or not line.strip():
        raise RuntimeError(f"cold start run failed (exit {process.returncode}): {err.strip()[-500:]}")
    answer = json.loads(line)
    assert answer["citations"] and not answer["refused"], "the cold-start question was not answered"
    return answered, exited


def measure(settings: Settings, cwd: Path, runs: int) -> dict[str, Any]:
    # One unmeasured run first: it pays for the OS page cache (the first run after install),
    # which is not what a restart of the service costs.
    warm_answered, _ = _one_run(settings, cwd)
    log(f"cold start warm-up run: {warm_answered:.2f} s (not counted)")
    answered: list[float] = []
    exited: list[float] = []
    for run in range(runs):
        to_answer, to_exit = _one_run(settings, cwd)
        answered.append(to_answer)
        exited.append(to_exit)
        log(f"cold start {run + 1}/{runs}: answer after {to_answer:.2f} s, exit after {to_exit:.2f} s")
    summary = summarize_runs(answered)
    return {
        "cold_start_s": round(summary.median, 3),
        "cold_start": {**summary.as_dict(3), "first_run_s": round(warm_answered, 3),
                       "exit_s": summarize_runs(exited).as_dict(3)},
    }
