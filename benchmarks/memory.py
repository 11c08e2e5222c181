"""Peak resident memory of the serving process, and the load figures taken on the same server.

The server answers the golden questions one at a time (the latency run), then 20 concurrent
clients; VmHWM (the kernel's high-water mark of resident memory) is read after each.
Without the web front end, the ``assistant ask --json -`` process fed every question on stdin
stands in, its peak read from ``wait4``'s rusage.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from assistant.settings import Settings

from . import concurrency
from .common import Notes, Question, log, subprocess_env
from .serve import running_server


def measure(settings: Settings, workdir: Path, questions: list[Question], http_rounds: int,
            clients: int, duration_s: float, notes: Notes) -> dict[str, Any]:
    if importlib.util.find_spec("assistant.web.commands") is None:
        notes.add("assistant serve is missing: peak RSS is that of `assistant ask --json -` "
                  "fed every golden question; no concurrency figure.")
        return {"serve_peak_rss_mb": round(cli_peak_rss_mb(settings, workdir, questions, http_rounds), 1),
                "serve_process": "assistant ask --json -"}
    with running_server(settings, workdir) as server:
        result: dict[str, Any] = {"serve_process": "assistant serve", "serve_start_s": round(server.started_s, 2),
                                  "serve_rss_idle_mb": round(server.rss_mb(), 1)}
        result.update(concurrency.sequential(server, questions, http_rounds))
        result["serve_peak_rss_after_latency_mb"] = round(server.peak_rss_mb(), 1)
        result["concurrency"] = concurrency.concurrent(server, questions, clients, duration_s)
        result["serve_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
    log(f"serve peak RSS: {result['serve_peak_rss_after_latency_mb']} MB after the latency run, "
        f"{result['serve_peak_rss_mb']} MB after the concurrency run")
    return result


def cli_peak_rss_mb(settings: Settings, workdir: Path, questions: list[Question], rounds: int) -> float:
    lines = "\n".join(q.text for _ in range(rounds + 1) for q in questions) + "\n"
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ask", "--json", "-"],
                               cwd=workdir, env=subprocess_env(settings), stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stdin is not None
    process.stdin.write(lines.encode())
    process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"assistant ask - failed with status {status}")
    return usage.ru_maxrss / 1024
