"""Everything the retriever reads about its passages, as flat arrays in row order.

Built in memory from chunks (``build``) or memory-mapped from a generation's files (``save`` /
``load``): the retriever works on the same arrays either way, so a mapped start answers exactly as a
rebuilt one. Rows are the retrievable passages (orders to the assistant left out) in id order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from ..index.arrays import StringTable, load_array, save_array
from ..index.bm25 import ArrayBM25, BM25Index
from ..index.store import chunk_from_record, chunk_to_metadata
from ..models import Chunk
from ..safety import only_instructions
from ..text import content_tokens, fold

# The arrays, by file name; each string table is two of them (``NAME.blob``, ``NAME.offsets``).
_TABLES = ("ids", "texts", "metadata", "folded_titles", "folded_texts", "terms", "languages", "doc_ids")
_ARRAYS = ("language_codes", "doc_codes", "token_offsets", "token_terms", "posting_offsets", "posting_rows",
           "posting_weights")


def retrievable(chunks: Sequence[Chunk]) -> list[Chunk]:
    """A passage made only of orders to the assistant informs no one: it is never retrieved, and its
    words do not move the others' BM25 weights. In id order: the store's order may differ between
    builds, and ties keep row order."""
    return sorted((c for c in chunks if not only_instructions(c.text)), key=lambda c: c.id)


class Passages(Sequence[Chunk]):
    """The passages as ``Chunk``s, each decoded from the tables when asked for."""

    def __init__(self, ids: StringTable, texts: StringTable, metadata: StringTable) -> None:
        self.ids, self.texts, self.metadata = ids, texts, metadata

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, row: int) -> Chunk: ...
    @overload
    def __getitem__(self, row: slice) -> list[Chunk]: ...
    def __getitem__(self, row: int | slice) -> Chunk | list[Chunk]:
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        return chunk_from_record(self.ids[row], self.texts[row], json.loads(self.metadata[row]))

    def __iter__(self) -> Iterator[Chunk]:
        for row in range(len(self)):
            yield self[row]


@dataclass
class PassageArrays:
    ids: StringTable  # sorted: a chunk id's row is found by bisection
    texts: StringTable
    metadata: StringTable  # the store's metadata of each passage, as JSON
    folded_titles: StringTable  # as ``Entity.named_in`` reads them
    folded_texts: StringTable
    languages: StringTable  # the distinct languages, sorted
    language_codes: np.ndarray  # per row: its language's number in ``languages``
    doc_ids: StringTable  # the distinct doc ids, sorted
    doc_codes: np.ndarray  # per row: its doc id's number in ``doc_ids``
    terms: StringTable  # sorted vocabulary of the search texts and the passage texts
    token_offsets: np.ndarray  # row r's distinct text terms: token_terms[token_offsets[r]:token_offsets[r + 1]]
    token_terms: np.ndarray
    bm25: ArrayBM25
    vectors: np.ndarray | None = None  # unit vectors in row order, kept for exact dense search

    @property
    def rows(self) -> int:
        return len(self.ids)

    def passages(self) -> Passages:
        return Passages(self.ids, self.texts, self.metadata)

    def row_of(self, chunk_id: str) -> int | None:
        row = self.ids.find(chunk_id)
        return row if row >= 0 else None

    def token_set(self, row: int) -> frozenset[int]:
        """The passage's distinct terms (by number), for MMR's overlap between passages."""
        return frozenset(self.token_terms[int(self.token_offsets[row]):int(self.token_offsets[row + 1])].tolist())

    def language_mask(self, language: str) -> np.ndarray:
        return self.language_codes == self.languages.find(language)

    def doc_mask(self, doc_ids: list[str]) -> np.ndarray:
        codes = [code for code in (self.doc_ids.find(d) for d in doc_ids) if code >= 0]
        return np.isin(self.doc_codes, codes)

    def doc_of(self, row: int) -> str:
        return self.doc_ids[int(self.doc_codes[row])]

    def language_of(self, row: int) -> str:
        return self.languages[int(self.language_codes[row])]


def _codes(values: list[str]) -> tuple[StringTable, np.ndarray]:
    distinct = sorted(set(values), key=str.encode)
    number = {value: n for n, value in enumerate(distinct)}
    return StringTable.of(distinct), np.array([number[v] for v in values], dtype=np.int32)


def build(chunks: Sequence[Chunk]) -> PassageArrays:
    """The arrays of ``chunks``' retrievable passages. Tokenising is most of the cost (once per ingest)."""
    rows = retrievable(chunks)
    # BM25 reads the passage under its title and headings; MMR compares passages alone, or two
    # passages of one document would look alike through their shared title.
    searched = [content_tokens(c.search_text) for c in rows]
    own = [frozenset(content_tokens(c.text)) for c in rows]
    vocabulary = sorted({t for tokens in searched for t in tokens} | {t for tokens in own for t in tokens},
                        key=str.encode)
    number = {term: n for n, term in enumerate(vocabulary)}
    token_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(tokens) for tokens in own], out=token_offsets[1:])
    token_terms = np.array([number[t] for tokens in own for t in sorted(tokens, key=number.__getitem__)],
                           dtype=np.int32)
    languages, language_codes = _codes([c.language for c in rows])
    doc_ids, doc_codes = _codes([c.doc_id for c in rows])
    bm25 = ArrayBM25.from_index(BM25Index.from_tokens(searched), vocabulary)
    return PassageArrays(
        ids=StringTable.of(c.id for c in rows),
        texts=StringTable.of(c.text for c in rows),
        metadata=StringTable.of(json.dumps(chunk_to_metadata(c), ensure_ascii=False) for c in rows),
        folded_titles=StringTable.of(fold(c.title) for c in rows),
        folded_texts=StringTable.of(fold(c.text) for c in rows),
        languages=languages, language_codes=language_codes, doc_ids=doc_ids, doc_codes=doc_codes,
        terms=bm25.terms, token_offsets=token_offsets, token_terms=token_terms, bm25=bm25,
    )


def _arrays(arrays: PassageArrays) -> dict[str, np.ndarray]:
    named: dict[str, np.ndarray] = {}
    for name in _TABLES:
        table: StringTable = arrays.terms if name == "terms" else getattr(arrays, name)
        named[f"{name}.blob"], named[f"{name}.offsets"] = table.blob, table.offsets
    named.update(language_codes=arrays.language_codes, doc_codes=arrays.doc_codes,
                 token_offsets=arrays.token_offsets, token_terms=arrays.token_terms,
                 posting_offsets=arrays.bm25.offsets, posting_rows=arrays.bm25.rows,
                 posting_weights=arrays.bm25.weights)
    if arrays.vectors is not None:
        named["vectors"] = arrays.vectors
    return named


def save(arrays: PassageArrays, folder: Path) -> dict[str, list[int]]:
    """Write every array to ``folder`` as ``NAME.npy``; returns each one's shape, for the manifest."""
    shapes = {}
    for name, array in _arrays(arrays).items():
        save_array(folder / f"{name}.npy", np.ascontiguousarray(array))
        shapes[name] = list(array.shape)
    return shapes


def load(folder: Path, shapes: dict[str, list[int]], size: int) -> PassageArrays:
    """The arrays ``save`` wrote, memory-mapped; ``ValueError`` when one is missing, cut short or of
    another shape than the manifest says."""
    mapped: dict[str, np.ndarray] = {}
    for name in [*(f"{t}.{part}" for t in _TABLES for part in ("blob", "offsets")), *_ARRAYS,
                 *(["vectors"] if "vectors" in shapes else [])]:
        try:
            array = load_array(folder / f"{name}.npy")
        except (OSError, ValueError) as error:
            raise ValueError(f"{name}: {error}") from error
        if list(array.shape) != shapes.get(name):
            raise ValueError(f"{name}: shape {list(array.shape)}, the manifest says {shapes.get(name)}")
        mapped[name] = array
    tables = {t: StringTable(mapped[f"{t}.blob"], mapped[f"{t}.offsets"]) for t in _TABLES}
    for name, table in tables.items():
        if len(table.offsets) == 0 or int(table.offsets[-1]) != len(table.blob):
            raise ValueError(f"{name}: offsets do not end at the blob's end")
    if len(tables["ids"]) != size:
        raise ValueError(f"{len(tables['ids'])} passages, the manifest says {size}")
    return PassageArrays(
        ids=tables["ids"], texts=tables["texts"], metadata=tables["metadata"],
        folded_titles=tables["folded_titles"], folded_texts=tables["folded_texts"],
        languages=tables["languages"], language_codes=mapped["language_codes"],
        doc_ids=tables["doc_ids"], doc_codes=mapped["doc_codes"], terms=tables["terms"],
        token_offsets=mapped["token_offsets"], token_terms=mapped["token_terms"],
        bm25=ArrayBM25(tables["terms"], mapped["posting_offsets"], mapped["posting_rows"],
                       mapped["posting_weights"], size),
        vectors=mapped.get("vectors"),
    )
