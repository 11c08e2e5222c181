"""What every benchmark shares: isolated settings, the golden questions, statistics, the machine."""

from __future__ import annotations

import os

# Before anything imports chromadb or a model loader.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.index.embeddings import TextEmbeddings
from assistant.models import Turn
from assistant.settings import PROJECT_ROOT, Settings

GOLDEN = PROJECT_ROOT / "evals" / "golden.yaml"
CORPUS = PROJECT_ROOT / "corpus"
BENCH_DIR = PROJECT_ROOT / "benchmarks"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    history: list[Turn]


def golden_questions() -> list[Question]:
    records = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    return [
        Question(id=str(r["id"]), text=str(r["question"]),
                 history=[Turn(**turn) for turn in r.get("history") or []])
        for r in records
    ]


def bench_settings(workdir: Path, **overrides: Any) -> Settings:
    """Settings isolated in ``workdir``: no .env, no developer environment, the real corpus."""
    values: dict[str, Any] = {
        "index_dir": workdir / "index",
        "feedback_db": workdir / "feedback.sqlite3",
        "corpus_dir": CORPUS,
        "llm": "",
    }
    values.update(overrides)
    return Settings.isolated(**values)


def subprocess_env(settings: Settings) -> dict[str, str]:
    """The environment a child ``assistant`` process needs to see the same isolated settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ASSISTANT_") and k not in {"CHROMA_HOST", "CHROMA_PORT", "OPENAI_API_KEY"}}
    env.update({
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_FEEDBACK_DB": str(settings.feedback_db),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_EMBEDDING_MODEL": settings.answer.embedding_model,
        "ASSISTANT_LLM": "",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    })
    return env


# -- statistics ----------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


@dataclass
class Summary:
    """A median over repeated runs with its spread (``low``..``high`` named by ``spread``)."""

    median: float
    low: float
    high: float
    spread: str
    n: int

    def as_dict(self, digits: int = 2) -> dict[str, Any]:
        return {"median": round(self.median, digits), "low": round(self.low, digits),
                "high": round(self.high, digits), "spread": self.spread, "n": self.n}


def summarize_runs(values: list[float]) -> Summary:
    """Few repeated runs (cold starts, ingests): median and min–max."""
    return Summary(statistics.median(values), min(values), max(values), "min–max", len(values))


def summarize_samples(values: list[float]) -> Summary:
    """Many samples (per-query latencies): median and p5–p95."""
    return Summary(statistics.median(values), percentile(values, 5), percentile(values, 95),
                   "p5–p95", len(values))


def distribution(values: list[float], digits: int = 2) -> dict[str, Any]:
    return {"p50": round(percentile(values, 50), digits), "p95": round(percentile(values, 95), digits),
            "p5": round(percentile(values, 5), digits), "max": round(max(values), digits),
            "n": len(values)}


# -- timing --------------------------------------------------------------------------------
class TimedEmbeddings:
    """Delegates to the real model and remembers, per thread, how long the last query embedding took.
    (A ``TextEmbeddings``, not LangChain's ``Embeddings``: importing that would add 0.3 s of LangChain
    to every process that imports this module, the scale bench's measured start among them.)"""

    def __init__(self, inner: TextEmbeddings) -> None:
        self.inner = inner
        self._local = threading.local()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        started = time.perf_counter()
        vector = self.inner.embed_query(text)
        self._local.last_ms = (time.perf_counter() - started) * 1000
        return vector

    def take_ms(self) -> float:
        value = float(getattr(self._local, "last_ms", 0.0))
        self._local.last_ms = 0.0
        return value


# -- processes and machine -----------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vm_kib(pid: int, field_name: str) -> int | None:
    """A ``VmHWM``/``VmRSS`` line of /proc/<pid>/status, in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def child_pids(pid: int) -> list[int]:
    """Every descendant of ``pid`` (a server that forks workers is measured whole)."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            frontier.append(child)
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict[str, Any]:
    memory_kib = vm_total_kib()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gb": round(memory_kib / 1024 / 1024, 1) if memory_kib else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": load_average(),
        "git_commit": git_commit(),
    }


def vm_total_kib() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Notes:
    """Caveats collected while running, printed into RESULTS.md."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        log(f"note: {line}")
        self.lines.append(line)
