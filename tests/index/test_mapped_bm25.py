"""BM25 scored from flat (and memory-mapped) postings = the in-memory BM25, on the real corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.analysis.glossary import translations
from assistant.evaluation.dataset import load_dataset
from assistant.index.arrays import StringTable, load_array, save_array
from assistant.index.bm25 import ArrayBM25, BM25Index
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_document
from assistant.models import Chunk
from assistant.retrieval.passage_arrays import build, load, retrievable, save
from assistant.settings import Settings
from assistant.text import content_tokens
from tests.support import CORPUS


def is_mapped(array: np.ndarray | None) -> bool:
    """Whether ``array`` reads a memory-mapped file (through any chain of views)."""
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = array.base  # type: ignore[assignment]
    return False


@pytest.fixture(scope="module")
def corpus_chunks() -> list[Chunk]:
    settings = Settings.isolated()
    return [chunk for path in sorted(CORPUS.rglob("*.md"))
            for chunk in chunk_document(load_document(path, settings.max_file_bytes), settings.answer.chunk_max_chars)]


@pytest.fixture(scope="module")
def queries(corpus_chunks: list[Chunk]) -> list[str]:
    """The golden questions, and the opening words of passages (rare terms, numbers, French)."""
    questions = [record.question for record in load_dataset().records]
    openings = [" ".join(chunk.text.split()[:8]) for chunk in corpus_chunks[::7]]
    return [*questions, *openings, "ratatouille", ""]


def test_strings_are_found_by_bisection_in_byte_order() -> None:
    words = sorted(["zèbre", "apple", "Kenya", "état", "36,000", "ß"], key=str.encode)
    table = StringTable.of(words)
    assert list(table) == words and table[-1] == words[-1]
    assert [table.find(w) for w in words] == list(range(len(words)))
    assert table.find("kenya") == -1 and table.find("") == -1 and StringTable.of([]).find("a") == -1


def test_every_string_of_a_long_table_is_found_whatever_its_place_between_the_sampled_ones() -> None:
    """``find`` samples every few strings: ids that are prefixes of one another, block edges, the
    first and last rows and strings outside the table's range."""
    words = sorted({f"doc-{n % 7}:{n}" for n in range(203)} | {"doc-1", "doc-1:", "é", "a"}, key=str.encode)
    table = StringTable.of(words)
    assert [table.find(w) for w in words] == list(range(len(words)))
    assert [table.find(w) for w in ("", "0", "doc-1:1000", "doc-9", "doc-", "zz", "éé")] == [-1] * 7


def test_arrays_are_padded_so_empty_ones_map(tmp_path: Path) -> None:
    save_array(tmp_path / "empty.npy", np.zeros(0, dtype=np.int32))
    save_array(tmp_path / "rows.npy", np.arange(5, dtype=np.int64))
    assert load_array(tmp_path / "empty.npy").shape == (0,)
    mapped = load_array(tmp_path / "rows.npy")
    assert is_mapped(mapped) and not isinstance(mapped, np.memmap) and mapped.tolist() == [0, 1, 2, 3, 4]


def test_array_bm25_scores_exactly_as_the_in_memory_index(corpus_chunks: list[Chunk], queries: list[str],
                                                         tmp_path: Path) -> None:
    rows = retrievable(corpus_chunks)
    reference = BM25Index.from_tokens([content_tokens(c.search_text) for c in rows])
    arrays = build(corpus_chunks)
    mapped = load(tmp_path, save(arrays, tmp_path), arrays.rows).bm25
    assert is_mapped(mapped.rows) and is_mapped(mapped.weights) and is_mapped(mapped.terms.blob)
    english = np.array([c.language == "en" for c in rows])
    for query in queries:
        expected = reference.search(query, 40, extra=translations(query))
        assert arrays.bm25.search(query, 40, extra=translations(query)) == expected, query
        assert mapped.search(query, 40, extra=translations(query)) == expected, query
        assert mapped.search(query, 10, allowed=english) == reference.search(query, 10, allowed=english), query
    assert sum(bool(reference.search(q, 1)) for q in queries) > len(queries) // 2  # the queries do match
    for term in {t for q in queries for t in content_tokens(q)} | {"unseen-term"}:
        assert mapped.idf(term) == reference.idf(term), term


def test_a_term_only_in_passage_texts_weighs_as_an_unknown_one(corpus_chunks: list[Chunk]) -> None:
    index = ArrayBM25.from_index(BM25Index.from_tokens([["kenya"], ["ghana"]]), ["ghana", "kenya", "zzz"])
    assert index.idf("zzz") == index.idf("unknown") > index.idf("kenya")
    assert index.search("zzz", 3) == []
