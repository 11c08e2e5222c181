"""Chroma at the edge: the embedded client or a server, versioned collections, a live pointer.

Every ingest that changes anything writes a new *generation* collection and then moves the
live pointer (the metadata of a small pointer collection) to it in one write. Readers only
follow the pointer, so a failed or killed ingest leaves the previous generation answering.

Chroma is imported when a client is first needed, not with this module: an embedded index's
readers find the live generation in a file beside it (``live_pointer.py``) and its passages in
the generation's mapped files, so a start that only answers never imports Chroma.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import IndexUnavailable
from ..models import CHUNKER_VERSION, Chunk
from ..settings import Settings
from ..storage.shared import redis_lock, secret_url
from .embeddings import TextEmbeddings
from .live_pointer import read_live, write_live

if TYPE_CHECKING:  # importing Chroma costs half a second: only what needs a client imports it
    import chromadb
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Include

_COPY_BATCH = 2000
log = logging.getLogger(__name__)


def _generation_time(name: str) -> int:
    return int(name.rsplit("-g", 1)[1])


# Candidates HNSW explores per search. Chroma's default (100) can miss a true neighbour, and two builds of
# one corpus then rank a few passages differently (the eval gate saw answers move between rebuilds); at
# 512 the search is exhaustive for a corpus of a few hundred passages, and still a few milliseconds at 100,000.
HNSW_EF_SEARCH = 512


def index_fingerprint(settings: Settings) -> dict[str, object]:
    """The settings that shape the index: changing one must never mix old vectors in."""
    return {"embedding_model": settings.answer.embedding_model, "chunk_max_chars": settings.answer.chunk_max_chars,
            "chunker": CHUNKER_VERSION, "ef_search": HNSW_EF_SEARCH}


def index_name(settings: Settings) -> str:
    digest = hashlib.sha256(json.dumps(index_fingerprint(settings), sort_keys=True).encode()).hexdigest()[:10]
    return f"{settings.collection}-{digest}"


def wipe_index(settings: Settings, embeddings: TextEmbeddings) -> None:
    """Remove the index: a server's collections of this index name, or the whole embedded folder.

    The embedded folder is removed rather than opened, since it may be the corrupt thing. The
    documents an administrator withdrew stay withdrawn when they can still be read.
    """
    try:
        withdrawn = IndexStore(settings, embeddings).withdrawn()
    except Exception:  # a corrupt index: nothing can be read from it
        withdrawn = {}
    if settings.chroma_host:
        IndexStore(settings, embeddings).wipe()
    else:
        from chromadb.api.shared_system_client import SharedSystemClient

        shutil.rmtree(settings.index_dir, ignore_errors=True)
        SharedSystemClient.clear_system_cache()
    if withdrawn:
        IndexStore(settings, embeddings).set_withdrawn(withdrawn)


def make_client(settings: Settings) -> chromadb.ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as error:  # chromadb raises bare Exception/ValueError for both cases
        raise _unavailable(settings, error) from error


def _unavailable(settings: Settings, error: BaseException) -> IndexUnavailable:
    if settings.chroma_host:
        from ..storage.servers import chroma_down

        return chroma_down(settings)  # a ChromaDown; a new request connects again once the server is back
    return IndexUnavailable(
        f"The index in {settings.index_dir} cannot be opened ({error.__class__.__name__}); "
        "run `assistant ingest --rebuild`."
    )


def chunk_to_metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "heading_path": "\x1f".join(chunk.heading_path),
        "paragraph_start": chunk.paragraph_start,
        "paragraph_end": chunk.paragraph_end,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "language": chunk.language,
        "source": chunk.source,
        "date": chunk.date,
        "confidence": chunk.confidence,
        "topic": chunk.topic,
        "path": chunk.path,
        "content_hash": chunk.content_hash,
        "file_hash": chunk.file_hash,
    }


def chunk_from_record(chunk_id: str, text: str, metadata: dict[str, Any]) -> Chunk:
    heading = str(metadata.get("heading_path", ""))
    return Chunk(
        id=chunk_id,
        text=text,
        heading_path=heading.split("\x1f") if heading else [],
        **{k: v for k, v in metadata.items() if k != "heading_path"},
    )


@dataclass
class StoredRecords:
    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    embeddings: list[list[float]] | None


class IndexStore:
    """The live generation of one index name, on whichever Chroma the settings point to."""

    def __init__(self, settings: Settings, embeddings: TextEmbeddings,
                 client: chromadb.ClientAPI | None = None) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self._client = client
        self.name = index_name(settings)

    @property
    def client(self) -> chromadb.ClientAPI:
        """The Chroma client, made (and Chroma imported) on first use."""
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    # -- the pointer -------------------------------------------------------------------
    def _pointer(self) -> Any:
        return self.client.get_or_create_collection(f"{self.name}-live")

    def live_generation(self) -> str | None:
        """The generation readers use: an embedded index's pointer file, else Chroma's pointer."""
        if not self.settings.chroma_host:
            named = read_live(self.settings, self.name)
            if named is not None:
                return named
        return self._chroma_live_generation()

    def _chroma_live_generation(self) -> str | None:
        try:
            metadata = self._pointer().metadata or {}
        except Exception as error:
            raise _unavailable(self.settings, error) from error
        live = metadata.get("generation")
        return str(live) if live else None

    def _update_pointer(self, **values: str | float) -> None:
        """Change some of the pointer's entries; the others (generation, withdrawn, last ingest) stay."""
        pointer = self._pointer()
        pointer.modify(metadata={**(pointer.metadata or {}), **values})

    def withdrawn(self) -> dict[str, dict[str, Any]]:
        """Documents an administrator took out of this index (by doc id): ingest leaves them out."""
        found = json.loads(str((self._pointer().metadata or {}).get("withdrawn") or "{}"))
        return found if isinstance(found, dict) else {}

    def set_withdrawn(self, withdrawn: dict[str, dict[str, Any]]) -> None:
        self._update_pointer(withdrawn=json.dumps(withdrawn, ensure_ascii=False))

    def last_ingest(self) -> dict[str, Any] | None:
        """The report of the latest ingest into this index, as ``record_ingest`` kept it."""
        found = json.loads(str((self._pointer().metadata or {}).get("last_ingest") or "null"))
        return found if isinstance(found, dict) else None

    def record_ingest(self, report: dict[str, Any]) -> None:
        self._update_pointer(last_ingest=json.dumps(report, ensure_ascii=False))

    def publish(self, generation: str) -> None:
        """Point readers at ``generation`` and drop the generations older than it.

        Newer ones are left alone: they belong to an ingest still running elsewhere.
        """
        self._update_pointer(generation=generation, published=time.time())
        self._write_live_file(generation)
        for name in self._generations():
            if _generation_time(name) < _generation_time(generation):
                self.drop(name)

    def sync_live_file(self) -> None:
        """Put an embedded index's pointer file in step with Chroma's pointer (an index built before
        the file existed, a publish killed between its two writes). Only under the ingest lock: a
        reader writing it could undo a publish that ran between its read and its write."""
        if self.settings.chroma_host:
            return
        live = self._chroma_live_generation()
        if read_live(self.settings, self.name) != live:
            self._write_live_file(live)

    def _write_live_file(self, generation: str | None) -> None:
        if self.settings.chroma_host:
            return
        try:
            write_live(self.settings, self.name, generation)
        except OSError as error:  # a read-only folder: without the file, readers ask Chroma
            log.warning("the live pointer file was not written (%s)", error)
            try:
                write_live(self.settings, self.name, None)
            except OSError:
                log.warning("a stale live pointer file stays in %s: remove it", self.settings.index_dir)

    def drop(self, generation: str) -> None:
        try:
            self.client.delete_collection(generation)
        except Exception:  # already gone: another ingest cleaned it up
            log.debug("generation %s already dropped", generation)

    def _generations(self) -> list[str]:
        names = []
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(f"{self.name}-g"):
                names.append(name)
        return names

    @contextmanager
    def ingest_lock(self) -> Iterator[None]:
        """Serialise ingests: across replicas in Redis when ``ASSISTANT_REDIS_URL`` is set, else a file
        lock beside an embedded index (a Chroma server's clients are then not covered)."""
        redis_url = secret_url(self.settings.redis_url)
        if redis_url:
            with redis_lock(redis_url, f"ingest:{self.settings.chroma_mode()}:{self.name}"):
                yield
            return
        if self.settings.chroma_host:
            yield
            return
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.index_dir / ".ingest.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- generations -------------------------------------------------------------------
    def new_generation(self) -> str:
        generation = f"{self.name}-g{time.time_ns()}"
        self.client.create_collection(generation, configuration={"hnsw": {"space": "cosine",
                                                                          "ef_search": HNSW_EF_SEARCH}})
        return generation

    def collection(self, generation: str) -> Collection:
        return self.client.get_collection(generation)

    def records(self, generation: str, with_embeddings: bool = False) -> Iterator[StoredRecords]:
        collection = self.collection(generation)
        include: Include = ["documents", "metadatas", "embeddings"] if with_embeddings else ["documents", "metadatas"]
        total = collection.count()
        for offset in range(0, total, _COPY_BATCH):
            batch = collection.get(include=include, limit=_COPY_BATCH, offset=offset)
            embeddings = batch.get("embeddings")
            yield StoredRecords(
                ids=list(batch["ids"]),
                texts=list(batch["documents"] or []),
                metadatas=[dict(m) for m in batch["metadatas"] or []],
                embeddings=[list(map(float, e)) for e in embeddings] if with_embeddings
                and embeddings is not None else None,
            )

    def live_chunks(self, generation: str | None = None) -> list[Chunk]:
        generation = generation or self.live_generation()
        if generation is None:
            return []
        chunks: list[Chunk] = []
        for batch in self.records(generation):
            chunks.extend(
                chunk_from_record(i, t, m)
                for i, t, m in zip(batch.ids, batch.texts, batch.metadatas, strict=True)
            )
        return chunks

    def add_chunks(self, generation: str, chunks: list[Chunk],
                   embeddings: list[list[float]]) -> None:
        if not chunks:
            return
        self.collection(generation).add(
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            metadatas=[chunk_to_metadata(c) for c in chunks],  # type: ignore[misc]
            embeddings=embeddings,  # type: ignore[arg-type]
        )

    def copy_records(self, generation: str, records: StoredRecords) -> None:
        if not records.ids:
            return
        self.collection(generation).add(
            ids=records.ids,
            documents=records.texts,
            metadatas=records.metadatas,  # type: ignore[arg-type]
            embeddings=records.embeddings,  # type: ignore[arg-type]
        )

    def wipe(self) -> None:
        """Remove every collection of this index name (``ingest --rebuild``)."""
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(f"{self.name}-"):
                self.client.delete_collection(name)
