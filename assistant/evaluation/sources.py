"""The corpus as the eval sees it: every document re-read from its file, apart from the index.

Quotes are checked against these documents, not against the chunk text the assistant reports
about itself: the file is loaded again with the project's loader (``load_document``), and the
quote must sit at the cited chunk's offset in that text (``chunk.char_start + quote_start``).

Translations of one document ("kenya-bpo-en" and "kenya-bpo-fr", both in the corpus) are
twins: retrieval and citation recall count them as one relevant document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import LoadError
from ..ingest.loaders import SourceDocument, load_document
from ..models import TWIN_SUFFIXES, Chunk, Citation, twin_stem


@dataclass
class CorpusDocuments:
    """The corpus documents by id, and the twin group of each id."""

    documents: dict[str, SourceDocument]

    @classmethod
    def load(cls, corpus_dir: Path, max_file_bytes: int) -> CorpusDocuments:
        from ..ingest.run import discover  # imports Chroma: only when a corpus is read

        files, _ = discover([corpus_dir.resolve()])
        documents: dict[str, SourceDocument] = {}
        for path in files:
            try:
                document = load_document(path, max_file_bytes)
            except LoadError:
                continue  # ingest skips it too
            documents.setdefault(document.doc_id, document)
        return cls(documents)

    def group(self, doc_id: str) -> str:
        """The twin group of a document: "kenya-bpo" when both -en and -fr are in the corpus."""
        stem = twin_stem(doc_id)
        if stem is not None and all(f"{stem}{s}" in self.documents for s in TWIN_SUFFIXES):
            return stem
        return doc_id

    def groups(self, doc_ids: list[str] | set[str]) -> set[str]:
        return {self.group(d) for d in doc_ids}


def quote_problems(citation: Citation, chunk: Chunk | None, corpus: CorpusDocuments) -> list[str]:
    """Why the quote of ``citation`` is not where it claims to be in the source file (empty: valid)."""
    if not citation.quote.strip():
        return ["the quote is empty"]
    if chunk is None:
        return ["the cited passage is not among the retrieved ones"]
    if chunk.doc_id != citation.doc_id:
        return [f"the cited passage belongs to {chunk.doc_id}, not {citation.doc_id}"]
    document = corpus.documents.get(citation.doc_id)
    if document is None:
        return [f"no file of the corpus has the id {citation.doc_id}"]
    start = chunk.char_start + citation.quote_start
    if document.text[start: start + len(citation.quote)] == citation.quote:
        return []
    name = Path(document.path).name
    if citation.quote in document.text:
        return [f"the quote is in {name}, but not at offset {start}"]
    return [f"the quote is not in {name}"]
