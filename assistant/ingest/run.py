"""Incremental ingest: re-embed only changed files, publish a new generation atomically."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

from pydantic import BaseModel, Field
from tqdm import tqdm

from ..errors import LoadError
from ..index.sentence_store import SentenceEmbedder
from ..index.store import IndexStore
from ..models import DOCUMENT_SUFFIXES, Chunk
from ..retrieval.generation_files import discard, publish
from ..settings import Settings
from .chunking import chunk_document
from .embedding_batches import embed_batches, starting_a_worker
from .loaders import file_sha256, load_document

log = logging.getLogger(__name__)
_EMBED_BATCH = 64
_KEPT_SKIPS = 200


class SkippedFile(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    files_seen: int = 0
    files_unchanged: int = 0
    files_changed: int = 0
    files_deleted: int = 0
    chunks_embedded: int = 0
    chunks_copied: int = 0
    chunks_total: int = 0
    skipped: list[SkippedFile] = Field(default_factory=list)
    withdrawn: list[str] = Field(default_factory=list, description="Doc ids left out: an administrator withdrew them.")
    generation: str | None = None
    published: bool = False

    def summary(self) -> str:
        return (
            f"{self.files_seen} files: {self.files_changed} new or changed, "
            f"{self.files_unchanged} unchanged, {self.files_deleted} removed, "
            f"{len(self.skipped)} skipped"
            + (f", {len(self.withdrawn)} withdrawn" if self.withdrawn else "")
            + f"; {self.chunks_embedded} chunks embedded, "
            f"{self.chunks_total} in the index"
        )


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[SkippedFile]]:
    """Files to ingest under ``paths``; hidden files and folders are ignored."""
    found: list[Path] = []
    skipped: list[SkippedFile] = []
    for root in paths:
        if root.is_file():
            candidates = [root]
        elif root.is_dir():
            candidates = sorted(
                p for p in root.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
        else:
            skipped.append(SkippedFile(path=str(root), reason=f"{root}: no such file or folder"))
            continue
        for path in candidates:
            if path.suffix.lower() in DOCUMENT_SUFFIXES:
                found.append(path.resolve())
            elif root.is_file() or path.name.lower() not in {"readme", "license"}:
                skipped.append(SkippedFile(
                    path=str(path), reason=f"{path.name}: unsupported file type '{path.suffix or 'none'}'"))
    return found, skipped


def _under(path: str, roots: list[Path]) -> bool:
    resolved = Path(path)
    return any(resolved == root or root in resolved.parents for root in roots)


def ingest(
    settings: Settings,
    store: IndexStore,
    paths: list[Path] | None = None,
    progress: bool = True,
    on_skip: Callable[[SkippedFile], None] | None = None,
    embed_sentences: SentenceEmbedder | None = None,
) -> IngestReport:
    """Bring the index in line with the files under ``paths`` (default: the corpus folder).

    ``embed_sentences`` gives a published generation its sentence vectors (``generation_files.publish``).

    Files of the live index outside ``paths`` are kept; files under ``paths`` that are gone
    are removed. Nothing is visible to readers until the new generation is published.
    """
    if starting_a_worker():
        raise RuntimeError("An embedding worker re-ran a script that ingests: put its code under "
                           "`if __name__ == \"__main__\":`.")
    with store.ingest_lock():
        store.sync_live_file()  # even a no-op ingest leaves the pointer file a start reads in step
        report = _ingest(settings, store, paths, progress, on_skip, embed_sentences)
        _record(store, report, paths)
        return report


def _record(store: IndexStore, report: IngestReport, paths: list[Path] | None) -> None:
    """Keep the report beside the index, for the corpus tab (the last 200 skipped files)."""
    kept = report.model_dump(mode="json")
    kept["skipped"] = kept["skipped"][:_KEPT_SKIPS]
    kept.update(finished=time.time(), paths=[str(p) for p in paths or []])
    try:
        store.record_ingest(kept)
    except Exception as error:  # the ingest itself worked; only its report is not kept
        log.warning("the ingest report was not kept (%s)", error.__class__.__name__)


def _ingest(
    settings: Settings,
    store: IndexStore,
    paths: list[Path] | None,
    progress: bool,
    on_skip: Callable[[SkippedFile], None] | None,
    embed_sentences: SentenceEmbedder | None = None,
) -> IngestReport:
    # Uploaded documents are part of the corpus: a plain `ingest` or `--rebuild` keeps them.
    defaults = [settings.corpus_dir] + ([settings.upload_dir] if settings.upload_dir.is_dir() else [])
    roots = [p.resolve() for p in (paths or defaults)]
    files, skipped = discover(roots)
    report = IngestReport(files_seen=len(files), skipped=skipped)

    live = store.live_generation()
    withdrawn = set(store.withdrawn())
    live_files: dict[str, str] = {}
    live_docs: dict[str, str] = {}
    if live:
        for batch in store.records(live):
            for metadata in batch.metadatas:
                live_files[str(metadata["path"])] = str(metadata["file_hash"])
                live_docs[str(metadata["path"])] = str(metadata["doc_id"])

    new_chunks: list[Chunk] = []
    keep_paths: set[str] = set()
    doc_ids: dict[str, str] = {}
    for path in files:
        key = str(path)
        try:
            unchanged = (
                key in live_files
                and path.stat().st_size <= settings.max_file_bytes
                and file_sha256(path.read_bytes()) == live_files[key]
            )
            if unchanged:
                keep_paths.add(key)
                report.files_unchanged += 1
                continue
            document = load_document(path, settings.max_file_bytes)
        except LoadError as error:
            report.skipped.append(SkippedFile(path=key, reason=str(error)))
            continue
        except OSError as error:
            report.skipped.append(SkippedFile(path=key, reason=f"{path.name}: {error.strerror}"))
            continue
        if document.doc_id in doc_ids:
            report.skipped.append(SkippedFile(
                path=key, reason=f"{path.name}: doc id '{document.doc_id}' already used by "
                f"{Path(doc_ids[document.doc_id]).name}"))
            continue
        if document.doc_id in withdrawn:
            report.withdrawn.append(document.doc_id)
            continue
        doc_ids[document.doc_id] = key
        new_chunks.extend(chunk_document(document, settings.answer.chunk_max_chars))
        report.files_changed += 1

    # A file that failed to load now keeps its previous chunks rather than vanishing.
    skipped_paths = {s.path for s in report.skipped}
    for key in live_files:
        if (key in skipped_paths and Path(key).exists()) or (key not in keep_paths and not _under(key, roots)):
            keep_paths.add(key)
    for key in list(keep_paths):  # a withdrawn document leaves the index, whatever else happened to its file
        if live_docs.get(key) in withdrawn:
            keep_paths.discard(key)
            report.withdrawn.append(live_docs[key])
    report.withdrawn = sorted(set(report.withdrawn))
    report.files_deleted = sum(
        1 for key in live_files if key not in keep_paths and key not in doc_ids.values()
    )
    for entry in report.skipped:
        (on_skip or (lambda s: log.warning("skipped %s", s.reason)))(entry)

    if live and not new_chunks and report.files_deleted == 0:
        report.generation = live
        report.chunks_total = store.collection(live).count()
        return report

    generation = store.new_generation()
    try:
        if live:
            for batch in store.records(live, with_embeddings=True):
                keep = [i for i, m in enumerate(batch.metadatas) if str(m["path"]) in keep_paths]
                batch.ids = [batch.ids[i] for i in keep]
                batch.texts = [batch.texts[i] for i in keep]
                batch.metadatas = [batch.metadatas[i] for i in keep]
                batch.embeddings = [batch.embeddings[i] for i in keep] if batch.embeddings else None
                store.copy_records(generation, batch)
                report.chunks_copied += len(keep)
        bar = tqdm(total=len(new_chunks), desc="Embedding", unit="chunk",
                   disable=not progress or len(new_chunks) < _EMBED_BATCH)
        batches = [new_chunks[start : start + _EMBED_BATCH] for start in range(0, len(new_chunks), _EMBED_BATCH)]
        # Closed on the way out, so a failed write stops the embedding workers at once.
        with closing(embed_batches([[c.search_text for c in batch] for batch in batches], store.embeddings,
                                   settings.answer.embedding_model)) as vectors_of:
            for batch_chunks, vectors in zip(batches, vectors_of, strict=True):
                store.add_chunks(generation, batch_chunks, vectors)
                report.chunks_embedded += len(batch_chunks)
                bar.update(len(batch_chunks))
        bar.close()
        publish(store, generation, settings, embed_sentences)  # its retrieval files first, then the pointer
    except BaseException:
        store.drop(generation)
        discard(settings, generation)
        raise
    report.generation = generation
    report.published = True
    report.chunks_total = report.chunks_copied + report.chunks_embedded
    return report
