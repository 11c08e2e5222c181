"""``Corpus``: the live index as the corpus tab and the gap report read it, from ``Assistant.corpus()``.

The documents and their passages, a question's embedding and the documents nearest it, and what the
index keeps beside its passages (the withdrawn documents, the last ingest's report). Front ends and
``workflow/`` read the index through this object; only the pipeline touches the index store, the
retriever and the embedding model. Where answers cite a document is in the conversation store
(``storage.conversations.ConversationStore.citing``), which front ends read themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import IndexUnavailable
from .models import Chunk, IndexInfo

if TYPE_CHECKING:
    from .api import Assistant

# The nearest documents are found among this many times as many nearest passages.
_PASSAGES_PER_DOCUMENT = 8


class Corpus:
    def __init__(self, assistant: Assistant) -> None:
        self._assistant = assistant

    # -- documents and passages --------------------------------------------------------
    def info(self) -> IndexInfo:
        """The documents of the live index; raises ``IndexUnavailable`` when there is none."""
        return self._assistant.index_info()

    def passages(self, doc_id: str) -> list[Chunk]:
        """The passages of one document in the live index, in reading order (none when it is not there)."""
        chunks = self._assistant.retriever().passages_of(doc_id)
        return sorted(chunks, key=lambda c: (c.paragraph_start, c.char_start))

    # -- nearness ----------------------------------------------------------------------
    def embed_question(self, text: str) -> list[float]:
        """A question's vector from the index's embedding model (a refused question, for the gap report)."""
        return self._assistant.embeddings.embed_query(text)

    def nearest_documents(self, vector: list[float], k: int) -> list[tuple[str, str, float]]:
        """(doc id, title, cosine similarity) of the ``k`` documents whose passages come nearest ``vector``,
        nearest first; none when there is no index."""
        try:
            retriever = self._assistant.retriever()
        except IndexUnavailable:
            return []
        best: dict[str, float] = {}
        titles: dict[str, str] = {}
        for row, similarity in retriever.dense(vector, k * _PASSAGES_PER_DOCUMENT):
            chunk = retriever.chunks[row]
            best[chunk.doc_id] = max(best.get(chunk.doc_id, -1.0), similarity)
            titles.setdefault(chunk.doc_id, chunk.title)
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return [(doc_id, titles.get(doc_id, doc_id), similarity) for doc_id, similarity in ranked]

    # -- what the index keeps beside its passages ---------------------------------------
    def withdrawn(self) -> dict[str, dict[str, Any]]:
        """The withdrawn documents by doc id: title, path, by whom and when (epoch seconds)."""
        return self._assistant.store.withdrawn()

    def mark_withdrawn(self, doc_id: str, entry: dict[str, Any]) -> None:
        """Keep ``doc_id`` out of every later ingest (the caller then ingests to drop its passages)."""
        store = self._assistant.store
        with store.ingest_lock():
            withdrawn = store.withdrawn()
            withdrawn[doc_id] = entry
            store.set_withdrawn(withdrawn)

    def unmark_withdrawn(self, doc_id: str) -> dict[str, Any] | None:
        """Let ``doc_id`` be ingested again; its withdrawn entry, or None when it was not withdrawn."""
        store = self._assistant.store
        with store.ingest_lock():
            withdrawn = store.withdrawn()
            entry = withdrawn.pop(doc_id, None)
            if entry is not None:
                store.set_withdrawn(withdrawn)
        return entry

    def last_ingest(self) -> dict[str, Any] | None:
        """The last ingest's report as the index recorded it (counts, skipped files, paths, published)."""
        return self._assistant.store.last_ingest()
