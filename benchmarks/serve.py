"""``assistant serve`` as a child process on a free loopback port, for memory and load figures."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import Settings

from .common import Question, child_pids, free_port, log, subprocess_env, vm_kib

_START_TIMEOUT_S = 180


@dataclass
class Server:
    pid: int
    url: str
    started_s: float

    def peak_rss_mb(self) -> float:
        """VmHWM of the server and any process it forked (uvicorn does not by default)."""
        total = 0
        for pid in [self.pid, *child_pids(self.pid)]:
            total += vm_kib(pid, "VmHWM") or 0
        return total / 1024

    def rss_mb(self) -> float:
        return sum(vm_kib(pid, "VmRSS") or 0 for pid in [self.pid, *child_pids(self.pid)]) / 1024


def ask_body(question: Question) -> dict[str, Any]:
    return {"question": question.text, "history": [t.model_dump() for t in question.history]}


@contextmanager
def running_server(settings: Settings, workdir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    port = free_port()
    env = {**subprocess_env(settings), **(extra_env or {})}
    log_path = workdir / f"serve-{port}.log"
    started = time.perf_counter()
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(process, url, log_path)
            server = Server(process.pid, url, time.perf_counter() - started)
            log(f"assistant serve up on {url} after {server.started_s:.1f} s (pid {process.pid})")
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {process.returncode}: "
                                   f"{log_path.read_text()[-1000:]}")
            try:
                if client.get(f"{url}/api/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # fine enough to time a start against its 2 s target
    raise RuntimeError(f"assistant serve did not answer /api/health within {_START_TIMEOUT_S} s")
