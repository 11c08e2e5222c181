"""Retrieval at 1k, 10k and 100k chunks: synthetic passages written through ``IndexStore``.

Text is drawn from the real corpus's word frequencies (so BM25 posting lists have a natural
Zipf shape), each passage as long as a real chunk picked at random. Vectors are random too,
but shaped like real ones: a random blend of two real chunk embeddings plus Gaussian noise,
so their pairwise similarities look like the model's (uniform random unit vectors in 512
dimensions are all near-orthogonal, which makes HNSW several times slower to build and search
than on any real corpus). Queries are the golden questions, embedded beforehand: the query
embedding is excluded, and ``HybridRetriever.retrieve`` runs dense + BM25 + fusion + MMR
exactly as in production.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.embeddings import load_embeddings
from assistant.index.store import IndexStore, chunk_to_metadata
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_document
from assistant.models import Chunk, Language
from assistant.retrieval import generation_files
from assistant.settings import Settings
from assistant.text import detect_language

from .common import CORPUS, Question, bench_settings, distribution, log, vm_kib

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_BATCH = 5000
_DOCS_PER_1K = 10  # ~100 passages per synthetic document, like a long report
_NOISE = 0.8  # norm of the noise relative to the blended real vector


@dataclass(frozen=True)
class CorpusModel:
    """What synthetic passages are drawn from: the real chunks' words, lengths and vectors."""

    words: list[str]
    weights: np.ndarray
    lengths: np.ndarray
    vectors: np.ndarray


def corpus_model(settings: Settings) -> CorpusModel:
    counts: Counter[str] = Counter()
    lengths: list[int] = []
    texts: list[str] = []
    for path in sorted(CORPUS.rglob("*.md")):
        for chunk in chunk_document(load_document(path, settings.max_file_bytes), settings.answer.chunk_max_chars):
            tokens = _WORD.findall(chunk.text)
            counts.update(tokens)
            lengths.append(len(tokens))
            texts.append(chunk.text)
    words, freq = zip(*counts.most_common(), strict=True)
    weights = np.asarray(freq, dtype=float)
    vectors = np.asarray(load_embeddings(settings.answer.embedding_model).embed_documents(texts), dtype=np.float32)
    return CorpusModel(list(words), weights / weights.sum(), np.asarray(lengths), vectors)


def synthetic_chunks(start: int, stop: int, total: int, seed: int, model: CorpusModel) -> list[Chunk]:
    """Passages ``start``..``stop`` of a synthetic index of ``total``: the same ones whatever the
    batch boundaries, so a build that stopped can resume where it left off."""
    rng = np.random.default_rng([seed, start, 0])
    words = model.words
    lengths = rng.choice(model.lengths, size=stop - start)
    picks = rng.choice(len(words), size=int(lengths.sum()), p=model.weights)
    chunks: list[Chunk] = []
    offset = 0
    docs = max(1, total // 1000 * _DOCS_PER_1K)
    for row, length in zip(range(start, stop), lengths, strict=True):
        text = " ".join(words[i] for i in picks[offset:offset + length]) + "."
        offset += int(length)
        doc = row % docs
        language: Language = "en" if doc % 2 == 0 else "fr"
        chunks.append(Chunk(
            id=f"synthetic-{doc}:{row:08d}", doc_id=f"synthetic-{doc}", text=text,
            title=f"Synthetic document {doc}", heading_path=[f"Section {row % 7}"],
            paragraph_start=row, paragraph_end=row, char_start=0, char_end=len(text),
            language=language, source="synthetic", date="2025-01-01",
            path=f"/synthetic/{doc}.md", content_hash=f"{row:064x}", file_hash=f"{doc:064x}",
        ))
    return chunks


def synthetic_vectors(start: int, stop: int, seed: int, model: CorpusModel) -> np.ndarray:
    rng = np.random.default_rng([seed, start, 1])
    count = stop - start
    real = model.vectors
    dim = real.shape[1]
    first = real[rng.integers(0, len(real), size=count)]
    second = real[rng.integers(0, len(real), size=count)]
    share = rng.uniform(0.5, 1.0, size=(count, 1)).astype(np.float32)
    vectors = first * share + second * (1 - share)
    vectors += rng.standard_normal((count, dim), dtype=np.float32) * (_NOISE / np.sqrt(dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def build(settings: Settings, size: int, model: CorpusModel, seed: int) -> tuple[str, float]:
    """Write ``size`` synthetic passages through ``IndexStore`` and publish them; (generation, seconds).

    Resumable: the generation being built is named in ``scale-build.json`` beside the index, and a
    run that finds it unpublished adds only the batches it lacks (every batch is committed by
    Chroma as it is added). The seconds are summed over the runs.
    """
    store = IndexStore(settings, load_embeddings(settings.answer.embedding_model))
    checkpoint = settings.index_dir / "scale-build.json"
    state: dict[str, Any] = json.loads(checkpoint.read_text()) if checkpoint.exists() else {}
    if state.get("size") != size or state.get("generation") not in store._generations():
        state = {"size": size, "seed": seed, "generation": store.new_generation(), "build_s": 0.0,
                 "published": False}
    generation = str(state["generation"])
    if state["published"]:
        _ensure_files(store, generation, settings, state, checkpoint)
        return generation, float(state["build_s"])
    collection = store.collection(generation)
    done = collection.count() // _BATCH * _BATCH  # a half-written batch is written again (same ids)
    log(f"scale {size}: building {generation} from {done:,}")
    for start in range(done, size, _BATCH):
        stop = min(size, start + _BATCH)
        chunks = synthetic_chunks(start, stop, size, seed, model)
        vectors = synthetic_vectors(start, stop, seed, model)
        started = time.perf_counter()
        if start == done and collection.count() > start:
            collection.upsert(ids=[c.id for c in chunks], documents=[c.text for c in chunks],
                              metadatas=[chunk_to_metadata(c) for c in chunks],  # type: ignore[misc]
                              embeddings=vectors)
        else:
            store.add_chunks(generation, chunks, vectors.tolist())
        state["build_s"] += time.perf_counter() - started
        checkpoint.write_text(json.dumps(state))
        if stop % (_BATCH * 20) == 0:
            log(f"scale {size}: {stop:,} written, {state['build_s']:.0f} s")
    started = time.perf_counter()
    generation_files.publish(store, generation, settings)  # as ingest does: its retrieval files, then the pointer
    state["publish_s"] = time.perf_counter() - started
    state["published"] = True
    checkpoint.write_text(json.dumps(state))
    return generation, float(state["build_s"])


def _ensure_files(store: IndexStore, generation: str, settings: Settings, state: dict[str, Any],
                  checkpoint: Path) -> None:
    """An index published before generations had retrieval files gets them once, timed as publishing."""
    try:
        generation_files.open_files(settings, generation)
    except generation_files.FilesUnusable:
        started = time.perf_counter()
        generation_files.open_retriever(store, generation, settings)
        state["publish_s"] = time.perf_counter() - started
        checkpoint.write_text(json.dumps(state))


def disk_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) / 1024


def _timed_ms(function: Any, *args: Any, **kwargs: Any) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class Query:
    text: str
    vector: list[float]
    language: Language


def golden_queries(questions: list[Question], settings: Settings) -> list[Query]:
    """The golden questions with their embeddings, computed here so no timing includes them."""
    model = load_embeddings(settings.answer.embedding_model)
    return [Query(q.text, model.embed_query(q.text), detect_language(q.text)) for q in questions]


def _vm_mb(pid: int, field_name: str) -> float | None:
    kib = vm_kib(pid, field_name)
    return round(kib / 1024, 1) if kib is not None else None


def serve_index(index_dir: Path, queries_file: Path, count: int, chroma_port: int | None) -> None:
    """The child process: open the index as a server does (``Assistant.retriever``), say "ready",
    then report its RSS at rest and the retrieval latencies as one JSON line."""
    from assistant.api import Assistant

    overrides: dict[str, Any] = {"chroma_host": "127.0.0.1", "chroma_port": chroma_port} if chroma_port else {}
    settings = bench_settings(index_dir.parent, **overrides)
    started = time.perf_counter()
    assistant = Assistant(settings)
    model_s = time.perf_counter() - started
    retriever = assistant.retriever()
    open_s = time.perf_counter() - started - model_s
    print("ready", flush=True)
    gc.collect()
    time.sleep(1.0)
    rest: dict[str, Any] = {"rss_at_rest_mb": _vm_mb(os.getpid(), "VmRSS"),
                            "hwm_at_start_mb": _vm_mb(os.getpid(), "VmHWM")}
    queries = [Query(**q) for q in json.loads(queries_file.read_text())]
    work = [queries[i % len(queries)] for i in range(count)]
    for query in work[:20]:  # warm caches, not measured
        retriever.retrieve(query.text, query.vector, prefer_language=query.language)
    total_ms: list[float] = []
    dense_ms: list[float] = []
    lexical_ms: list[float] = []
    fetch_k = settings.answer.fetch_k
    for query in work:
        total_ms.append(_timed_ms(retriever.retrieve, query.text, query.vector, prefer_language=query.language))
        dense_ms.append(_timed_ms(retriever.dense, query.vector, fetch_k))
        lexical_ms.append(_timed_ms(retriever.bm25.search, query.text, fetch_k))
    print(json.dumps({
        "chunks": len(retriever.chunks), "model_load_s": round(model_s, 2), "open_s": round(open_s, 2),
        **rest, "rss_after_queries_mb": _vm_mb(os.getpid(), "VmRSS"),
        # Anonymous memory is the replica's own; file pages are the mapped generation files, shared
        # by the replicas on one host and given back under memory pressure.
        "rss_anon_after_queries_mb": _vm_mb(os.getpid(), "RssAnon"),
        "rss_file_after_queries_mb": _vm_mb(os.getpid(), "RssFile"),
        "retrieve_ms": distribution(total_ms), "dense_ms": distribution(dense_ms),
        "bm25_ms": distribution(lexical_ms),
    }), flush=True)


def _run_child(index_dir: Path, queries_file: Path, count: int, chroma_port: int | None) -> dict[str, Any]:
    """Start ``serve_index`` in a fresh process: start time from ``Popen`` to "ready"."""
    command = [sys.executable, "-m", "benchmarks.scale", "serve", str(index_dir), str(queries_file), str(count)]
    if chroma_port:
        command.append(str(chroma_port))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    line = child.stdout.readline()
    start_s = time.perf_counter() - started
    assert line.strip() == "ready", f"the index did not open: {line!r}"
    out, _ = child.communicate(timeout=3600)
    assert child.returncode == 0, f"the retrieval child failed ({child.returncode})"
    return {"start_s": round(start_s, 2), **json.loads(out.strip().splitlines()[-1])}


def measure_one(size: int, workdir: Path, model: CorpusModel, queries_file: Path, count: int,
                seed: int, server: bool = False) -> dict[str, Any]:
    """Build (or reuse) the index of ``size`` passages, then open and query it in a fresh process:
    embedded, or with ``server`` through a Chroma server on loopback serving the same folder."""
    settings = bench_settings(workdir / f"scale-{size}")
    generation, build_s = build(settings, size, model, seed)
    size_mb = disk_mb(settings.index_dir)
    state = json.loads((settings.index_dir / "scale-build.json").read_text())
    result: dict[str, Any] = {"chunks": size, "build_s": round(build_s, 2), "index_size_mb": round(size_mb, 1),
                              "publish_s": round(float(state.get("publish_s", 0.0)), 2),
                              "files_size_mb": round(disk_mb(generation_files.folder_of(settings, generation)), 1)}
    result.update(_run_child(settings.index_dir, queries_file, count, None))
    if server:
        from tests.index.test_chroma_server import free_port, start_chroma

        port = free_port()
        chroma = start_chroma(settings.index_dir, port)
        try:
            result["server"] = _run_child(settings.index_dir, queries_file, count, port)
            result["server"]["chroma_rss_mb"] = _vm_mb(chroma.pid, "VmRSS")
        finally:
            chroma.terminate()
            chroma.wait(timeout=60)
    log(f"scale {size:>7}: build {build_s:.1f} s, {size_mb:.0f} MB, start {result['start_s']} s, "
        f"RSS at rest {result['rss_at_rest_mb']} MB, retrieve p50 {result['retrieve_ms']['p50']} "
        f"p95 {result['retrieve_ms']['p95']} ms (dense p95 {result['dense_ms']['p95']}, "
        f"bm25 p95 {result['bm25_ms']['p95']})" + (f"; server: {result['server']}" if server else ""))
    return result


def measure(sizes: list[int], workdir: Path, questions: list[Question], count: int,
            scale_dir: Path | None = None, server_sizes: frozenset[int] = frozenset()) -> dict[str, Any]:
    """Every size in turn; ``scale_dir`` keeps the indexes (and reuses those already built there)."""
    folder = scale_dir or workdir
    settings = bench_settings(workdir)
    model = corpus_model(settings)
    queries_file = workdir / "scale-queries.json"
    queries_file.parent.mkdir(parents=True, exist_ok=True)
    queries_file.write_text(json.dumps([q.__dict__ for q in golden_queries(questions, settings)]))
    per_size = {str(size): measure_one(size, folder, model, queries_file, count, seed=size,
                                       server=size in server_sizes) for size in sizes}
    return {
        "scale": {"dimension": int(model.vectors.shape[1]), "queries_per_size": count, "sizes": per_size},
        "retrieve_ms_p50_at": {k: v["retrieve_ms"]["p50"] for k, v in per_size.items()},
        "retrieve_ms_p95_at": {k: v["retrieve_ms"]["p95"] for k, v in per_size.items()},
        "index_size_mb_at": {k: v["index_size_mb"] for k, v in per_size.items()},
        "build_s_at": {k: v["build_s"] for k, v in per_size.items()},
        "start_s_at": {k: v["start_s"] for k, v in per_size.items()},
        "rss_at_rest_mb_at": {k: v["rss_at_rest_mb"] for k, v in per_size.items()},
    }


def main(argv: list[str]) -> int:
    """``python -m benchmarks.scale build SIZE FOLDER``: build (or resume) one synthetic index.
    (``serve INDEX_DIR QUERIES COUNT [CHROMA_PORT]`` is the child ``measure_one`` starts.)"""
    if len(argv) in (4, 5) and argv[0] == "serve":
        serve_index(Path(argv[1]), Path(argv[2]), int(argv[3]), int(argv[4]) if len(argv) == 5 else None)
        return 0
    if len(argv) != 3 or argv[0] != "build":
        print(main.__doc__, file=sys.stderr)
        return 2
    size, folder = int(argv[1]), Path(argv[2])
    settings = bench_settings(folder / f"scale-{size}")
    generation, build_s = build(settings, size, corpus_model(bench_settings(folder)), seed=size)
    log(f"scale {size}: {generation} published, {build_s:.1f} s of building")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
