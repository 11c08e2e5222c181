"""Retrieval at 1k, 10k and 100k chunks: synthetic passages written through ``IndexStore``.

Text is drawn from the real corpus's word frequencies (so BM25 posting lists have a natural
Zipf shape), each passage as long as a real chunk picked at random, and vectors are random
unit vectors of the model's dimension. Queries are the golden questions' texts with vectors
placed near a random stored passage. The query
embedding is excluded: ``HybridRetriever.retrieve`` gets the precomputed vector, and runs
dense + BM25 + fusion + MMR exactly as in production.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.chunking import chunk_document
from assistant.embeddings import load_embeddings
from assistant.loaders import load_document
from assistant.models import Chunk, Language
from assistant.retrieval import HybridRetriever
from assistant.store import IndexStore

from .common import CORPUS, Question, bench_settings, distribution, log

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_BATCH = 5000
_DOCS_PER_1K = 10  # ~100 passages per synthetic document, like a long report


@dataclass(frozen=True)
class TextModel:
    """Word frequencies and passage lengths (in words) of the real corpus's chunks."""

    words: list[str]
    weights: np.ndarray
    lengths: np.ndarray


def text_model(chunk_max_chars: int) -> TextModel:
    counts: Counter[str] = Counter()
    lengths: list[int] = []
    for path in sorted(CORPUS.rglob("*.md")):
        for chunk in chunk_document(load_document(path, 10**9), chunk_max_chars):
            tokens = _WORD.findall(chunk.text)
            counts.update(tokens)
            lengths.append(len(tokens))
    words, freq = zip(*counts.most_common(), strict=True)
    weights = np.asarray(freq, dtype=float)
    return TextModel(list(words), weights / weights.sum(), np.asarray(lengths))


def synthetic_chunks(count: int, rng: np.random.Generator, model: TextModel) -> list[Chunk]:
    words = model.words
    lengths = rng.choice(model.lengths, size=count)
    picks = rng.choice(len(words), size=int(lengths.sum()), p=model.weights)
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


def unit_vectors(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((count, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def disk_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) / 1024


def _timed_ms(function: Any, *args: Any, **kwargs: Any) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def measure_one(size: int, workdir: Path, questions: list[Question], queries: int,
                dim: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    settings = bench_settings(workdir / f"scale-{size}")
    chunks = synthetic_chunks(size, rng, text_model(settings.chunk_max_chars))
    vectors = unit_vectors(size, dim, rng)

    started = time.perf_counter()
    store = IndexStore(settings, load_embeddings(settings.embedding_model))
    generation = store.new_generation()
    for start in range(0, size, _BATCH):
        store.add_chunks(generation, chunks[start:start + _BATCH], vectors[start:start + _BATCH].tolist())
    store.publish(generation)
    build_s = time.perf_counter() - started
    size_mb = disk_mb(settings.index_dir)
    del chunks

    # What a server does when it opens the index: read every passage, build BM25 and the rest.
    started = time.perf_counter()
    live = store.live_chunks(generation)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    retriever = HybridRetriever(live, store.vectorstore(generation), settings)
    retriever_build_s = time.perf_counter() - started
    assert len(live) == size

    targets = rng.integers(0, size, size=queries)
    noise = unit_vectors(queries, dim, rng)
    query_vectors = vectors[targets] * 0.8 + noise * 0.2
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)
    work = [(questions[i % len(questions)].text, query_vectors[i].tolist(),
             "en" if i % 2 == 0 else "fr") for i in range(queries)]

    for text, vector, language in work[:10]:  # warm caches, not measured
        retriever.retrieve(text, vector, prefer_language=language)  # type: ignore[arg-type]
    total_ms: list[float] = []
    dense_ms: list[float] = []
    lexical_ms: list[float] = []
    for text, vector, language in work:
        total_ms.append(_timed_ms(retriever.retrieve, text, vector,
                                  prefer_language=language))
        dense_ms.append(_timed_ms(retriever.dense, vector, settings.fetch_k))
        lexical_ms.append(_timed_ms(retriever.bm25.search, text, settings.fetch_k))
    result: dict[str, Any] = {
        "chunks": size,
        "build_s": round(build_s, 2),
        "index_size_mb": round(size_mb, 1),
        "load_s": round(load_s, 2),
        "retriever_build_s": round(retriever_build_s, 2),
        "retrieve_ms": distribution(total_ms),
        "dense_ms": distribution(dense_ms),
        "bm25_ms": distribution(lexical_ms),
    }
    log(f"scale {size:>6}: build {build_s:.1f} s, {size_mb:.0f} MB, load {load_s:.1f} s, "
        f"retriever {retriever_build_s:.1f} s, retrieve p50 {result['retrieve_ms']['p50']} "
        f"p95 {result['retrieve_ms']['p95']} ms (dense p95 {result['dense_ms']['p95']}, "
        f"bm25 p95 {result['bm25_ms']['p95']})")
    return result


def measure(sizes: list[int], workdir: Path, questions: list[Question], queries: int) -> dict[str, Any]:
    dim = len(load_embeddings(bench_settings(workdir).embedding_model).embed_query("dimension"))
    per_size = {str(size): measure_one(size, workdir, questions, queries, dim, seed=size)
                for size in sizes}
    return {
        "scale": {"dimension": dim, "queries_per_size": queries, "sizes": per_size},
        "retrieve_ms_p50_at": {k: v["retrieve_ms"]["p50"] for k, v in per_size.items()},
        "retrieve_ms_p95_at": {k: v["retrieve_ms"]["p95"] for k, v in per_size.items()},
        "index_size_mb_at": {k: v["index_size_mb"] for k, v in per_size.items()},
        "build_s_at": {k: v["build_s"] for k, v in per_size.items()},
    }
