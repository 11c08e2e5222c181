"""The corpus tab's view of one document, withdrawing and restoring documents, the last ingest.

A withdrawn document leaves the index (the next generation is published without its passages;
nothing is re-embedded) and stays out of every later ingest, ``--rebuild`` included; its file, the
conversations that cite it and their feedback are kept. Restoring it indexes its file again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UnknownDocument
from ..models import Chunk, DocumentInfo

if TYPE_CHECKING:
    from ..api import Assistant


@dataclass(frozen=True)
class DocumentView:
    info: DocumentInfo
    passages: list[Chunk]


@dataclass(frozen=True)
class WithdrawnDocument:
    doc_id: str
    title: str
    path: str
    by: str
    at: datetime


@dataclass(frozen=True)
class LastIngest:
    finished: datetime
    summary: str
    skipped: list[tuple[str, str]]
    withdrawn: list[str]
    paths: list[str]
    published: bool
    counts: dict[str, int] = field(default_factory=dict)


def document_view(assistant: Assistant, doc_id: str) -> DocumentView | None:
    corpus = assistant.corpus()
    info = corpus.info().document(doc_id)
    if info is None:
        return None
    return DocumentView(info=info, passages=corpus.passages(doc_id))


def withdraw(assistant: Assistant, doc_id: str, by: str | None) -> str:
    """Take ``doc_id`` out of the index; the one-line message says what happened."""
    corpus = assistant.corpus()
    info = corpus.info().document(doc_id)
    if info is None:
        raise UnknownDocument(f"There is no document '{doc_id}' in the index.")
    corpus.mark_withdrawn(doc_id, {"title": info.title, "path": info.path, "by": by or "", "at": time.time()})
    report = assistant.ingest([Path(info.path)] if info.path else None)
    return (f"'{info.title}' was withdrawn from the index ({info.passages} passages); "
            f"{report.chunks_total} passages remain. Its file and the answers that cite it are kept.")


def restore(assistant: Assistant, doc_id: str) -> str:
    entry = assistant.corpus().unmark_withdrawn(doc_id)
    if entry is None:
        raise UnknownDocument(f"The document '{doc_id}' is not withdrawn.")
    path = Path(str(entry.get("path") or ""))
    report = assistant.ingest([path] if str(path) not in {"", "."} else None)
    if report.skipped:
        return f"'{entry.get('title') or doc_id}' could not be indexed again: {report.skipped[0].reason}"
    return f"'{entry.get('title') or doc_id}' is back in the index ({report.chunks_embedded} passages)."


def withdrawn_documents(assistant: Assistant) -> list[WithdrawnDocument]:
    return sorted((WithdrawnDocument(doc_id=doc_id, title=str(e.get("title") or doc_id), path=str(e.get("path", "")),
                                     by=str(e.get("by") or ""), at=datetime.fromtimestamp(float(e.get("at", 0)), UTC))
                   for doc_id, e in assistant.corpus().withdrawn().items()), key=lambda w: w.at, reverse=True)


def last_ingest(assistant: Assistant) -> LastIngest | None:
    kept: dict[str, Any] | None = assistant.corpus().last_ingest()
    if kept is None:
        return None
    counts = {k: int(v) for k, v in kept.items() if k.startswith(("files_", "chunks_")) and isinstance(v, int)}
    summary = (f"{counts.get('files_seen', 0)} files: {counts.get('files_changed', 0)} new or changed, "
               f"{counts.get('files_unchanged', 0)} unchanged, {counts.get('files_deleted', 0)} removed, "
               f"{len(kept.get('skipped') or [])} skipped; {counts.get('chunks_embedded', 0)} passages embedded, "
               f"{counts.get('chunks_total', 0)} in the index")
    return LastIngest(finished=datetime.fromtimestamp(float(kept.get("finished", 0)), UTC), summary=summary,
                      skipped=[(str(s.get("path", "")), str(s.get("reason", ""))) for s in kept.get("skipped") or []],
                      withdrawn=list(kept.get("withdrawn") or []), paths=list(kept.get("paths") or []),
                      published=bool(kept.get("published")), counts=counts)
