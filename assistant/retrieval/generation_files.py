"""A generation's retrieval arrays on disk, written once when it is published, memory-mapped at every start.

``<index_dir>/generations/<generation>/`` holds one ``.npy`` per array of ``PassageArrays`` (passage
ids, texts and metadata, folded titles and texts, languages and doc ids, MMR term sets, BM25
postings, and the unit vectors when dense search is exact) and a ``manifest.json`` with the format
version and every array's shape. A start maps them: no passage is read from Chroma, nothing is
tokenised, and replicas on one disk share the pages.

With at most ``SENTENCE_VECTORS_MAX_PASSAGES`` passages (embedded Chroma) the folder also holds the vectors of every
quotable sentence (``sentences.*.npy``, ``sentence_vectors.npy``), embedded at publish as the answerer
embeds them, the previous generation's reused: a new process's first answer then embeds none (a third
of a second of ``assistant ask`` on the shipped corpus). They are optional: without them (a larger
index, a generation rebuilt by a reader) the answerer embeds its sentences as before.

The folder is written under a temporary name and renamed into place, so a reader sees a complete
generation or none. A generation whose folder is missing, of another format or damaged is rebuilt
once from Chroma (with a log line) by whichever process opens it first.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..index.arrays import StringTable, load_array, save_array
from ..index.sentence_store import SentenceEmbedder, StoredSentences
from ..index.store import IndexStore
from ..settings import Settings
from . import hybrid
from .hybrid import HybridRetriever
from .passage_arrays import PassageArrays, load, save

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

# Bump when the arrays' layout, or anything they are computed from (``content_tokens``, folding,
# ``only_instructions``, BM25's weights), changes: every generation is then rebuilt once from Chroma.
FORMAT_VERSION = "passage-arrays/1"  # a name, not a number: it is no tunable
_MANIFEST = "manifest.json"
_STALE = ".stale-"
# Up to this many passages a generation keeps its sentences' vectors: about 7.5 texts of 2 KB a passage,
# embedded at 5 ms each when new (the shipped corpus: 3,900 texts, 8 MB, 18 s of a first ingest).
SENTENCE_VECTORS_MAX_PASSAGES = 2_000
_SENTENCE_ARRAYS = ("sentences.blob", "sentences.offsets", "sentence_vectors")


class FilesUnusable(Exception):
    """The generation's files are missing, of another format version, or damaged."""


def files_root(settings: Settings) -> Path:
    return settings.index_dir / "generations"


def folder_of(settings: Settings, generation: str) -> Path:
    return files_root(settings) / generation


def _generation_time(name: str) -> int:
    try:
        return int(name.rsplit("-g", 1)[1])
    except (IndexError, ValueError):
        return -1


def build_arrays(store: IndexStore, generation: str, settings: Settings) -> HybridRetriever:
    """The generation read from Chroma once: its arrays, with the vectors when dense search is exact."""
    retriever = HybridRetriever(store.live_chunks(generation), store.collection(generation), settings)
    if 0 < len(retriever.chunks) <= hybrid.EXACT_SEARCH_MAX:
        retriever.arrays.vectors = retriever.vectors()
    return retriever


def write_files(arrays: PassageArrays, settings: Settings, generation: str,
                sentences: StoredSentences | None = None) -> Path:
    """Write ``arrays`` as the generation's folder: in a temporary folder beside it, then one rename.

    A folder already there (of another format, damaged) is moved aside first; processes that mapped
    it keep reading their pages. If another process renamed its own complete folder in meanwhile,
    that one stays and this one is discarded.
    """
    root = files_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    target = folder_of(settings, generation)
    temporary = Path(tempfile.mkdtemp(prefix=f".{generation}.", dir=root))
    try:
        shapes = save(arrays, temporary)
        manifest: dict[str, object] = {"format": FORMAT_VERSION, "generation": generation, "rows": arrays.rows,
                                       "arrays": shapes}
        if sentences is not None:
            manifest["sentences"] = _save_sentences(sentences, temporary)
        (temporary / _MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for written in temporary.iterdir():  # on disk before the name makes them visible
            with written.open("rb") as handle:
                os.fsync(handle.fileno())
        if target.exists():
            try:
                open_files(settings, generation)
                return target  # another process finished first
            except FilesUnusable:
                os.rename(target, root / f"{_STALE}{generation}.{os.getpid()}")
        try:
            os.rename(temporary, target)
        except OSError:
            if not target.exists():
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return target


def open_files(settings: Settings, generation: str) -> PassageArrays:
    """The generation's arrays, memory-mapped; ``FilesUnusable`` says why they cannot be used."""
    folder = folder_of(settings, generation)
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise FilesUnusable("no files") from error
    except (OSError, ValueError) as error:
        raise FilesUnusable(f"unreadable manifest ({error.__class__.__name__})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise FilesUnusable(f"format {found!r}, this version reads {FORMAT_VERSION!r}")
    if manifest.get("generation") != generation:
        raise FilesUnusable(f"the folder holds generation {manifest.get('generation')}")
    try:
        return load(folder, manifest["arrays"], int(manifest["rows"]))
    except (KeyError, TypeError, ValueError) as error:
        raise FilesUnusable(f"damaged ({error})") from error


def _save_sentences(sentences: StoredSentences, folder: Path) -> dict[str, list[int]]:
    named = dict(zip(_SENTENCE_ARRAYS, (sentences.texts.blob, sentences.texts.offsets, sentences.vectors),
                     strict=True))
    for name, array in named.items():
        save_array(folder / f"{name}.npy", np.ascontiguousarray(array))
    return {name: list(array.shape) for name, array in named.items()}


def open_sentences(settings: Settings, generation: str | None) -> StoredSentences | None:
    """The generation's sentence vectors, memory-mapped; ``None`` when it has none (or they cannot be read:
    the answerer then embeds its sentences)."""
    if generation is None:
        return None
    folder = folder_of(settings, generation)
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        shapes = manifest.get("sentences") if manifest.get("generation") == generation else None
        if not isinstance(shapes, dict):
            return None
        mapped = {name: load_array(folder / f"{name}.npy") for name in _SENTENCE_ARRAYS}
        if any(list(mapped[name].shape) != shapes.get(name) for name in _SENTENCE_ARRAYS):
            raise ValueError("a shape differs from the manifest's")
        texts = StringTable(mapped["sentences.blob"], mapped["sentences.offsets"])
        if len(texts) != len(mapped["sentence_vectors"]) or int(texts.offsets[-1]) != len(texts.blob):
            raise ValueError("the texts and vectors do not match")
    except (OSError, ValueError, AttributeError) as error:
        log.warning("generation %s: its sentence vectors cannot be read (%s); sentences are embedded as "
                    "needed", generation, error)
        return None
    return StoredSentences(texts, mapped["sentence_vectors"])


def open_retriever(store: IndexStore, generation: str, settings: Settings) -> HybridRetriever:
    """The generation's retriever from its mapped files; rebuilt from Chroma once when they cannot be used.

    A folder that cannot be written (a read-only disk) leaves the rebuilt retriever in memory.
    """
    def collection() -> Collection:
        return store.collection(generation)

    try:
        arrays = open_files(settings, generation)
        if arrays.vectors is None:  # HNSW answers: open the collection now, as a start always did
            opened = store.collection(generation)
            return HybridRetriever.from_arrays(arrays, lambda: opened, settings)
        return HybridRetriever.from_arrays(arrays, collection, settings)  # Chroma only if ever needed
    except FilesUnusable as reason:
        log.warning("generation %s: %s; rebuilding its retrieval files from the index", generation, reason)
    rebuilt = build_arrays(store, generation, settings)
    try:
        write_files(rebuilt.arrays, settings, generation)
        return HybridRetriever.from_arrays(open_files(settings, generation), collection, settings)
    except (OSError, FilesUnusable) as error:
        log.warning("generation %s: its retrieval files could not be written (%s); serving from memory",
                    generation, error)
        return rebuilt


def publish(store: IndexStore, generation: str, settings: Settings,
            embed_sentences: SentenceEmbedder | None = None) -> None:
    """Write the generation's files (with its sentence vectors, given ``embed_sentences``), then point
    readers at it: no reader ever finds it without them. Older generations' folders go with their collections."""
    retriever = build_arrays(store, generation, settings)
    sentences = None
    # Not on a Chroma server: each replica's folder is its own, and the generations another replica
    # published lack them there, so every publish would embed every sentence again.
    if embed_sentences is not None and len(retriever.chunks) <= SENTENCE_VECTORS_MAX_PASSAGES \
            and not settings.chroma_host:
        sentences = embed_sentences(retriever.chunks, open_sentences(settings, store.live_generation()))
    write_files(retriever.arrays, settings, generation, sentences)
    store.publish(generation)
    prune(settings, generation)


def discard(settings: Settings, generation: str) -> None:
    """Remove the folder of a generation that will not be published (a failed ingest)."""
    shutil.rmtree(folder_of(settings, generation), ignore_errors=True)


def prune(settings: Settings, live: str) -> None:
    """Remove the folders of generations older than ``live`` (with the temporary folders a killed
    writer left) and those moved aside. A process still mapping one keeps its pages until it lets go
    (the files are unlinked, not overwritten). Never raises: the generation is published already."""
    index = live.rsplit("-g", 1)[0]
    try:
        for folder in files_root(settings).iterdir():
            name = folder.name
            generation = name[1:].rsplit(".", 1)[0] if name.startswith(".") else name
            older = generation.rsplit("-g", 1)[0] == index and _generation_time(generation) < _generation_time(live)
            if name.startswith(_STALE) or older:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError as error:
        log.warning("older retrieval files were not removed (%s)", error)
