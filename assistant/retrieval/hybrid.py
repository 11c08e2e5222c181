"""Hybrid retrieval: dense (Chroma) + BM25, reciprocal rank fusion, then MMR de-duplication."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.glossary import translations
from ..models import Chunk, Language, ScoredChunk
from ..settings import Settings
from .passage_arrays import PassageArrays, build

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from ..analysis.gazetteer import Entity

# Passages in the question's language are preferred, not required: the article is French
# only, so an English question about it must still reach it.
_OTHER_LANGUAGE_WEIGHT = 0.85
# Up to this many passages the dense search is exact, over the vectors held in memory: the same
# ranking on every run and every rebuild (an HNSW graph built by threaded inserts differs from one
# build to the next, and its search is approximate). Above it, Chroma's HNSW index answers.
EXACT_SEARCH_MAX = 20_000
_FOCUS_WEIGHT = 2.0  # a follow-up's own words: their lexical list counts double in the fusion
_SAME_PASSAGE = 0.9  # token overlap above which MMR takes a passage for one already chosen
# Chroma's HNSW search runs in Rust without the GIL, so above EXACT_SEARCH_MAX it runs on one of these
# threads while the calling thread does the lexical searches (at 1,000,000 passages: p50 10.5-11 ms
# for both one after the other, 6.3-8.7 ms side by side). Shared by every retriever of the process;
# its threads start with the first search.
_DENSE_WORKERS = 4
_DENSE_SEARCHES = ThreadPoolExecutor(_DENSE_WORKERS, thread_name_prefix="dense-search")


class HybridRetriever:
    """Over a generation's ``PassageArrays``: built from chunks, or mapped from the generation's files
    (``retrieval/generation_files.py``), with the same answers either way."""

    def __init__(self, chunks: Sequence[Chunk], collection: Collection, settings: Settings) -> None:
        self._open(build(chunks), lambda: collection, settings)

    @classmethod
    def from_arrays(cls, arrays: PassageArrays, collection_of: Callable[[], Collection],
                    settings: Settings) -> HybridRetriever:
        """``collection_of`` opens the generation's collection when first needed: with the vectors
        mapped (up to ``EXACT_SEARCH_MAX`` passages) a retriever never needs it, nor Chroma."""
        retriever = cls.__new__(cls)
        retriever._open(arrays, collection_of, settings)
        return retriever

    def _open(self, arrays: PassageArrays, collection_of: Callable[[], Collection], settings: Settings) -> None:
        self.arrays = arrays
        self.chunks: Sequence[Chunk] = arrays.passages()  # decoded when read: a start reads none of them
        self._collection_of = collection_of
        self._collection: Collection | None = None
        self.settings = settings
        self.bm25 = arrays.bm25
        self._about: dict[str, list[str]] = {}
        self._vectors: np.ndarray | None = arrays.vectors

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            self._collection = self._collection_of()
        return self._collection

    def row_of(self, chunk_id: str) -> int | None:
        return self.arrays.row_of(chunk_id)

    def documents(self) -> list[tuple[Chunk, int]]:
        """Each document's first passage (by id) and its number of passages, by doc id: two passes
        over the mapped doc numbers, one passage decoded per document."""
        codes = np.asarray(self.arrays.doc_codes)
        numbers, first_rows, counts = np.unique(codes, return_index=True, return_counts=True)
        return [(self.chunks[int(row)], int(count))
                for _, row, count in sorted(zip((self.arrays.doc_ids[int(n)] for n in numbers), first_rows, counts,
                                                strict=True))]

    def passages_of(self, doc_id: str) -> list[Chunk]:
        """One document's passages, in row (id) order; none when it is not in this generation."""
        return [self.chunks[int(row)] for row in np.flatnonzero(self.arrays.doc_mask([doc_id]))]

    def folded(self) -> tuple[Sequence[str], Sequence[str]]:
        """Every chunk's title and text folded, as ``Entity.named_in`` reads them: folded once (at
        ingest), not once per new entity a question names."""
        return self.arrays.folded_titles, self.arrays.folded_texts

    def documents_about(self, entity: Entity) -> list[str]:
        """Ids of the documents about ``entity``: named in their title (else in any passage); cached."""
        if entity.name not in self._about:
            titles, texts = self.folded()
            titled = {self.arrays.doc_of(row) for row, title in enumerate(titles) if entity.pattern.search(title)}
            self._about[entity.name] = sorted(titled or {self.arrays.doc_of(row) for row, text in enumerate(texts)
                                                         if entity.pattern.search(text)})
        return self._about[entity.name]

    def _where(self, language: Language | None, doc_ids: list[str] | None) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if language:
            clauses.append({"language": language})
        if doc_ids:
            clauses.append({"doc_id": {"$in": list(doc_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def _allowed(self, language: Language | None, doc_ids: list[str] | None) -> np.ndarray | None:
        if not language and not doc_ids:
            return None
        mask = np.ones(len(self.chunks), dtype=bool)
        if language:
            mask &= self.arrays.language_mask(language)
        if doc_ids:
            mask &= self.arrays.doc_mask(list(doc_ids))
        return mask

    def vectors(self) -> np.ndarray:
        """Every passage's vector, unit length, in row order: mapped from the generation's files, else
        read from the collection once."""
        if self._vectors is None:
            matrix = np.zeros((len(self.chunks), 0), dtype=np.float32)
            ids = list(self.arrays.ids)
            for start in range(0, len(ids), 1000):
                asked = {chunk_id: start + n for n, chunk_id in enumerate(ids[start:start + 1000])}
                batch = self.collection.get(ids=list(asked), include=["embeddings"])
                embeddings = np.asarray(batch["embeddings"], dtype=np.float32)
                if matrix.shape[1] == 0:
                    matrix = np.zeros((len(ids), embeddings.shape[1]), dtype=np.float32)
                for chunk_id, vector in zip(batch["ids"], embeddings, strict=True):
                    matrix[asked[str(chunk_id)]] = vector
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._vectors = matrix / np.where(norms == 0, 1.0, norms)
        return self._vectors

    def _exact(self, query_embedding: list[float], k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        query = np.asarray(query_embedding, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        similarity = self.vectors() @ query
        rows = np.flatnonzero(allowed) if allowed is not None else np.arange(len(self.chunks))
        order = rows[np.argsort(-similarity[rows], kind="stable")][:k]  # ties keep row order
        return [(int(row), float(similarity[row])) for row in order]

    def dense(self, query_embedding: list[float], k: int, language: Language | None = None,
              doc_ids: list[str] | None = None) -> list[tuple[int, float]]:
        if len(self.chunks) <= EXACT_SEARCH_MAX:
            return self._exact(query_embedding, k, self._allowed(language, doc_ids))
        # Ids and distances only: this retriever maps every chunk's text and metadata already, and
        # fetching them with each hit took three quarters of the search time. The
        # collection uses cosine space, so similarity = 1 - distance.
        results = self.collection.query(
            query_embeddings=[query_embedding],  # type: ignore[arg-type]
            n_results=min(k, len(self.chunks)),
            where=self._where(language, doc_ids),
            include=["distances"],
        )
        distances = results["distances"] or [[]]
        ranked = []
        for chunk_id, distance in zip(results["ids"][0], distances[0], strict=True):
            row = self.row_of(str(chunk_id))
            if row is None:  # the index moved on since this retriever was built
                continue
            ranked.append((row, 1.0 - float(distance)))
        return ranked

    def retrieve(
        self,
        query: str,
        query_embedding: list[float],
        k: int | None = None,
        focus: str | None = None,
        prefer_language: Language | None = None,
        language: Language | None = None,
        doc_ids: list[str] | None = None,
    ) -> list[ScoredChunk]:
        if not self.chunks:
            return []
        k = k or self.settings.answer.top_k
        fetch = max(self.settings.answer.fetch_k, k)
        if len(self.chunks) > EXACT_SEARCH_MAX:
            _ = self.collection  # opened here, once, rather than by a worker thread
            # The request's context (its id in the log lines) goes with the search to the worker.
            searching = _DENSE_SEARCHES.submit(contextvars.copy_context().run, self.dense, query_embedding,
                                                 fetch, language, doc_ids)
            try:
                lexical, focused = self._lexical(query, focus, fetch, language, doc_ids)
            except BaseException:
                searching.cancel()  # the question failed here: its search is not wanted
                raise
            dense = searching.result()  # raises what the search raised
        else:
            dense = self.dense(query_embedding, fetch, language, doc_ids)
            lexical, focused = self._lexical(query, focus, fetch, language, doc_ids)
        return self._fused(dense, lexical, focused, k, prefer_language)

    def _lexical(self, query: str, focus: str | None, fetch: int, language: Language | None,
                 doc_ids: list[str] | None) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """The question's BM25 ranking, and a follow-up's own words' ranking (empty without one)."""
        if not self.settings.answer.hybrid and not focus:
            return [], []
        allowed = self._allowed(language, doc_ids)  # one mask for both searches
        lexical = self.bm25.search(query, fetch, allowed, translations(query)) if self.settings.answer.hybrid else []
        # A follow-up's own words ("And in Kenya?") get a lexical list of their own, so the
        # borrowed context of the previous question does not drown them.
        focused = self.bm25.search(focus, fetch, allowed, translations(focus)) if focus else []
        return lexical, focused

    def _fused(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]],
               focused: list[tuple[int, float]], k: int, prefer_language: Language | None) -> list[ScoredChunk]:
        """Reciprocal rank fusion of the three rankings, the language preference, then MMR."""
        fused: dict[int, float] = {}
        dense_rank: dict[int, int] = {}
        lexical_rank: dict[int, int] = {}
        similarity: dict[int, float] = {}
        for rank, (row, sim) in enumerate(dense):
            fused[row] = fused.get(row, 0.0) + 1.0 / (self.settings.answer.rrf_k + rank + 1)
            dense_rank[row] = rank + 1
            similarity[row] = sim
        for rank, (row, _) in enumerate(lexical):
            fused[row] = fused.get(row, 0.0) + 1.0 / (self.settings.answer.rrf_k + rank + 1)
            lexical_rank[row] = rank + 1
        for rank, (row, _) in enumerate(focused):
            fused[row] = fused.get(row, 0.0) + _FOCUS_WEIGHT / (self.settings.answer.rrf_k + rank + 1)
        if prefer_language:
            other = self.arrays.language_codes[list(fused)] != self.arrays.languages.find(prefer_language)
            for row, elsewhere in zip(list(fused), other.tolist(), strict=True):
                if elsewhere:
                    fused[row] *= _OTHER_LANGUAGE_WEIGHT
        order = self._mmr(sorted(fused, key=lambda r: -fused[r]), fused, k)
        return [
            ScoredChunk(
                chunk=self.chunks[row],
                score=fused[row],
                dense_similarity=similarity.get(row, 0.0),
                dense_rank=dense_rank.get(row),
                lexical_rank=lexical_rank.get(row),
            )
            for row in order
        ]

    def _mmr(self, candidates: list[int], relevance: dict[int, float], k: int) -> list[int]:
        """Maximal marginal relevance with token overlap as redundancy: no paragraph twice.

        On arrays: one vector operation per choice, and each chosen passage's overlaps with the
        candidates computed once, not a Python loop over the pool per choice. The same floats as
        a pairwise loop over term sets (exact counts, the same divisions); ties go to the earlier
        candidate, as ``max`` over the pool."""
        if not candidates:
            return []
        top = relevance[candidates[0]] or 1.0
        lam = self.settings.answer.mmr_lambda
        gain = lam * np.array([relevance[row] for row in candidates], dtype=np.float64) / top
        terms = _TermSets(self.arrays.token_offsets, self.arrays.token_terms, np.array(candidates))
        # Each candidate's largest overlap with the passages chosen so far.
        redundancy = np.zeros(len(candidates), dtype=np.float64)
        left = np.ones(len(candidates), dtype=bool)
        chosen: list[int] = []
        while len(chosen) < k and left.any():
            value = gain - (1 - lam) * redundancy
            value[~left] = -np.inf
            best = int(np.argmax(value))  # the first of equal values
            left[best] = False
            if redundancy[best] > _SAME_PASSAGE:
                continue  # the same paragraph again (a re-upload, a quoted copy)
            chosen.append(candidates[best])
            np.maximum(redundancy, terms.overlaps(best), out=redundancy)
        return chosen


class _TermSets:
    """The distinct terms of some passages, renumbered among themselves, for their Jaccard overlaps."""

    def __init__(self, offsets: np.ndarray, terms: np.ndarray, rows: np.ndarray) -> None:
        starts = offsets[rows]
        self.sizes = offsets[rows + 1] - starts
        self.bounds = np.concatenate([[0], np.cumsum(self.sizes)])
        within = np.arange(int(self.bounds[-1])) - np.repeat(self.bounds[:-1], self.sizes)
        self.owner = np.repeat(np.arange(len(rows)), self.sizes)
        self.distinct, self.column = np.unique(terms[np.repeat(starts, self.sizes) + within], return_inverse=True)

    def overlaps(self, one: int) -> np.ndarray:
        """Passage ``one``'s overlap with each of them: shared / (both sizes - shared), 0 when
        either has no term."""
        mark = np.zeros(len(self.distinct), dtype=bool)
        mark[self.column[self.bounds[one]:self.bounds[one + 1]]] = True
        shared = np.bincount(self.owner[mark[self.column]], minlength=len(self.sizes))
        union = self.sizes + self.sizes[one] - shared
        with np.errstate(divide="ignore", invalid="ignore"):
            overlap = shared / union
        overlap[(self.sizes == 0) | (self.sizes[one] == 0)] = 0.0
        return overlap
