"""Full ingest from scratch, re-ingest of an unchanged corpus, and embedding throughput."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from assistant.api import Assistant
from assistant.index.embeddings import load_embeddings
from assistant.ingest.embedding_batches import embed_batches

from .common import bench_settings, log, summarize_runs

_EMBED_BATCH = 64  # what ingest uses
_EMBED_COPIES = 4


def load_model(model: str) -> float:
    """Seconds to load the embedding model and embed a first query (paid once per process)."""
    started = time.perf_counter()
    load_embeddings(model).embed_query("warm up")
    return time.perf_counter() - started


def full_ingest(workdir: Path, runs: int) -> tuple[Assistant, dict[str, Any]]:
    """Ingest the corpus ``runs`` times into fresh folders; the first index is kept for the rest."""
    times: list[float] = []
    kept: Assistant | None = None
    chunks = 0
    for run in range(runs):
        folder = workdir / ("main" if run == 0 else f"ingest-{run}")
        settings = bench_settings(folder)
        started = time.perf_counter()
        assistant = Assistant(settings)
        report = assistant.ingest()
        times.append(time.perf_counter() - started)
        assert report.published and report.chunks_embedded > 0, report.summary()
        chunks = report.chunks_embedded
        log(f"full ingest {run + 1}/{runs}: {times[-1]:.2f} s, {chunks} chunks")
        if run == 0:
            kept = assistant
        else:
            del assistant
            shutil.rmtree(folder, ignore_errors=True)
    assert kept is not None
    summary = summarize_runs(times)
    return kept, {"ingest_full_s": round(summary.median, 3), "ingest_full": summary.as_dict(3),
                  "chunks": chunks}


def reingest_unchanged(assistant: Assistant, runs: int) -> dict[str, Any]:
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        report = assistant.ingest()
        times.append(time.perf_counter() - started)
        assert report.chunks_embedded == 0, f"an unchanged corpus was re-embedded: {report.summary()}"
        assert not report.published, "an unchanged corpus published a new generation"
    summary = summarize_runs(times)
    log(f"re-ingest unchanged: median {summary.median:.3f} s over {runs}")
    return {"reingest_unchanged_s": round(summary.median, 4), "reingest_unchanged": summary.as_dict(4)}


def embedding_throughput(assistant: Assistant, runs: int) -> dict[str, Any]:
    """Chunks per second in ingest's batch size on the real chunks (repeated ``_EMBED_COPIES`` times
    so a run lasts a few seconds): one model in process, then two worker processes (their start
    included, as an ingest pays it), alternating within each run."""
    texts = [chunk.text for chunk in assistant.retriever().chunks] * _EMBED_COPIES
    model_name = assistant.settings.answer.embedding_model
    model = load_embeddings(model_name)
    batches = [texts[start:start + _EMBED_BATCH] for start in range(0, len(texts), _EMBED_BATCH)]
    ways = {
        "one": lambda: [model.embed_documents(b) for b in batches],
        "two_workers": lambda: list(embed_batches(batches, model, model_name, workers=2)),
    }
    rates: dict[str, list[float]] = {name: [] for name in ways}
    for run in range(runs):
        for name in (list(ways) if run % 2 == 0 else list(reversed(ways))):
            started = time.perf_counter()
            ways[name]()
            rates[name].append(len(texts) / (time.perf_counter() - started))
    one, two = summarize_runs(rates["one"]), summarize_runs(rates["two_workers"])
    log(f"embedding: median {one.median:.0f} chunks/s in process, {two.median:.0f} with 2 workers")
    return {"embed_chunks_per_s": round(one.median, 1), "embed_chunks": one.as_dict(1),
            "embed_chunks_per_s_2_workers": round(two.median, 1), "embed_chunks_2_workers": two.as_dict(1),
            "embed_chunk_count": len(texts)}
