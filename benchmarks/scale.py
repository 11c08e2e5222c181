"""Retrieval at 1k, 10k and 100k chunks: synthetic passages written through ``IndexStore``.

Text is drawn from the real corpus's word frequencies (so BM25 posting lists have a natural
Zipf shape), each passage as long as a real chunk picked at random. Vectors are random too,
but shaped like real ones: a random blend of two real chunk embeddings plus Gaussian noise,
so their pairwise similarities look like the model's (uniform random unit vectors in 512
dimensions are all near-orthogonal, which makes HNSW several times slower to build and search
than on any real corpus). Queries are the golden questions, embedded beforehand: the query
embedding is excluded, and ``HybridRetriever.retrieve`` runs dense + BM25 + fusion + MMR
exactly as in production.

Publishing a generation reads it back from Chroma once and writes its retrieval files (``load
passages``, ``build BM25 etc.``, ``write files``); a start then maps them. ``start`` is measured in a
fresh process: from the settings to a retriever that has answered one query (imports excluded, given
apart), with the process's RSS after it.

    python -m benchmarks.scale START_PROBE WORKDIR   # the child that measures one start
"""

from __future__ import annotations

import json
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
from assistant.index.store import IndexStore
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_document
from assistant.models import Chunk, Language
from assistant.retrieval import generation_files, hybrid
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import Settings
from assistant.text import detect_language

from .common import CORPUS, Question, bench_settings, distribution, log, subprocess_env

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


def synthetic_chunks(count: int, rng: np.random.Generator, model: CorpusModel) -> list[Chunk]:
    words = model.words
    lengths = rng.choice(model.lengths, size=count)
    picks = rng.choice(len(words), size=int(lengths.sum()), p=model.weights)
    chunks: list[Chunk] = []
    offset = 0
    docs = max(1, count // 1000 * _DOCS_PER_1K)
    for row, length in enumerate(lengths):
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


def synthetic_vectors(count: int, rng: np.random.Generator, model: CorpusModel) -> np.ndarray:
    real = model.vectors
    dim = real.shape[1]
    first = real[rng.integers(0, len(real), size=count)]
    second = real[rng.integers(0, len(real), size=count)]
    share = rng.uniform(0.5, 1.0, size=(count, 1)).astype(np.float32)
    vectors = first * share + second * (1 - share)
    vectors += rng.standard_normal((count, dim), dtype=np.float32) * (_NOISE / np.sqrt(dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


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


def measure_one(size: int, workdir: Path, model: CorpusModel, queries: list[Query], count: int,
                seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    settings = bench_settings(workdir / f"scale-{size}")
    chunks = synthetic_chunks(size, rng, model)
    vectors = synthetic_vectors(size, rng, model)

    started = time.perf_counter()
    store = IndexStore(settings, load_embeddings(settings.answer.embedding_model))
    generation = store.new_generation()
    for start in range(0, size, _BATCH):
        store.add_chunks(generation, chunks[start:start + _BATCH], vectors[start:start + _BATCH].tolist())
    build_s = time.perf_counter() - started
    del chunks, vectors

    # Publishing, as ``ingest`` does it (``generation_files.publish``), step by step: read every
    # passage back from Chroma, build BM25 and the rest, write the generation's files.
    started = time.perf_counter()
    live = store.live_chunks(generation)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    built = HybridRetriever(live, store.collection(generation), settings)
    if len(built.chunks) <= hybrid.EXACT_SEARCH_MAX:
        built.arrays.vectors = built.vectors()
    retriever_build_s = time.perf_counter() - started
    assert len(live) == size
    del live
    started = time.perf_counter()
    generation_files.write_files(built.arrays, settings, generation)
    store.publish(generation)
    write_s = time.perf_counter() - started
    del built
    size_mb = disk_mb(settings.index_dir)
    files_mb = disk_mb(generation_files.folder_of(settings, generation))

    start = start_in_child(settings.index_dir.parent, queries[0])
    retriever = generation_files.open_retriever(store, generation, settings)  # mapped, as a server serves

    work = [queries[i % len(queries)] for i in range(count)]
    for query in work[:20]:  # warm caches, not measured
        retriever.retrieve(query.text, query.vector, prefer_language=query.language)
    total_ms: list[float] = []
    dense_ms: list[float] = []
    lexical_ms: list[float] = []
    for query in work:
        total_ms.append(_timed_ms(retriever.retrieve, query.text, query.vector,
                                  prefer_language=query.language))
        dense_ms.append(_timed_ms(retriever.dense, query.vector, settings.answer.fetch_k))
        lexical_ms.append(_timed_ms(retriever.bm25.search, query.text, settings.answer.fetch_k))
    result: dict[str, Any] = {
        "chunks": size,
        "build_s": round(build_s, 2),
        "index_size_mb": round(size_mb, 1),
        "files_size_mb": round(files_mb, 1),
        "load_s": round(load_s, 2),
        "retriever_build_s": round(retriever_build_s, 2),
        "write_files_s": round(write_s, 2),
        **start,
        "retrieve_ms": distribution(total_ms),
        "dense_ms": distribution(dense_ms),
        "bm25_ms": distribution(lexical_ms),
    }
    log(f"scale {size:>6}: build {build_s:.1f} s, {size_mb:.0f} MB, load {load_s:.1f} s, "
        f"retriever {retriever_build_s:.1f} s, write files {write_s:.1f} s, start {start['start_s']} s "
        f"({start['start_rss_mb']} MB RSS), retrieve p50 {result['retrieve_ms']['p50']} "
        f"p95 {result['retrieve_ms']['p95']} ms (dense p95 {result['dense_ms']['p95']}, "
        f"bm25 p95 {result['bm25_ms']['p95']})")
    return result


def start_in_child(workdir: Path, query: Query) -> dict[str, Any]:
    """One start in a fresh process (``main`` below): nothing of this process's index is reused."""
    started = time.perf_counter()
    child = subprocess.run([sys.executable, "-m", "benchmarks.scale", "START_PROBE", str(workdir)],
                           input=json.dumps(query.vector), capture_output=True, text=True, check=True,
                           env=subprocess_env(bench_settings(workdir)))
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    figures["process_start_s"] = round(time.perf_counter() - started, 2)
    return figures


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main(workdir: Path) -> None:
    """The child of ``start_in_child``: open the live generation as a server does, answer one query."""
    vector = json.loads(sys.stdin.read())
    imported_rss = _rss_mb()
    started = time.perf_counter()
    settings = bench_settings(workdir)
    store = IndexStore(settings, None)  # type: ignore[arg-type]  # a reader embeds nothing
    generation = store.live_generation()
    assert generation is not None
    retriever = generation_files.open_retriever(store, generation, settings)
    retriever.retrieve("How many people work in Kenya's outsourcing sector?", vector)
    start_s = time.perf_counter() - started
    print(json.dumps({"start_s": round(start_s, 2), "start_rss_mb": _rss_mb(), "imports_rss_mb": imported_rss}))


def measure(sizes: list[int], workdir: Path, questions: list[Question], count: int) -> dict[str, Any]:
    settings = bench_settings(workdir)
    model = corpus_model(settings)
    queries = golden_queries(questions, settings)
    per_size = {str(size): measure_one(size, workdir, model, queries, count, seed=size) for size in sizes}
    return {
        "scale": {"dimension": int(model.vectors.shape[1]), "queries_per_size": count, "sizes": per_size},
        "retrieve_ms_p50_at": {k: v["retrieve_ms"]["p50"] for k, v in per_size.items()},
        "retrieve_ms_p95_at": {k: v["retrieve_ms"]["p95"] for k, v in per_size.items()},
        "index_size_mb_at": {k: v["index_size_mb"] for k, v in per_size.items()},
        "build_s_at": {k: v["build_s"] for k, v in per_size.items()},
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "START_PROBE":
        main(Path(sys.argv[2]))
