"""Which passages one analysed question gets: the retrieval decisions, made here and only here.

- A decision to weigh or a comparison needs both sides: ``_WIDE_FACTOR`` times ``top_k`` passages.
- A follow-up that names a new subject ("And in Kenya?") gets its own words searched as a focus.
- Each of the first ``_ABOUT_ENTITIES`` names the question is about adds the best ``_ABOUT_EXTRA``
  passages of the documents that name it: a question on Colombia asked in English reaches the French
  article on Colombia.
- A failed search re-reads the live index once (an ingest may have replaced the generation, or the
  search server may have come back), then reports plainly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..analysis.question import QuestionAnalysis
from ..errors import IndexUnavailable
from ..models import Language, ScoredChunk
from ..settings import Settings
from .condense import has_new_subject
from .hybrid import HybridRetriever

_ABOUT_ENTITIES, _ABOUT_EXTRA = 3, 3
_WIDE_FACTOR = 2  # a decision to weigh or a comparison needs both sides: this many times the passages


@dataclass(frozen=True)
class PassageQuery:
    """A question as retrieval reads it."""

    question: str  # as asked
    standalone: str  # with what a follow-up borrows from the conversation
    embedding: list[float]  # the standalone question's vector
    analysis: QuestionAnalysis | None
    language: Language  # the question's: passages in it are preferred
    filter_language: Language | None = None  # only passages in this language
    doc_ids: list[str] | None = None  # only passages of these documents


def wide(analysis: QuestionAnalysis | None) -> bool:
    return analysis is not None and (analysis.weighing or analysis.kind == "comparison")


def passages_for(query: PassageQuery, retriever: HybridRetriever, top_k: int) -> list[ScoredChunk]:
    """The best passages, and the best of the documents that name what the question is about."""
    follow_up_subject = query.standalone != query.question and has_new_subject(query.question)

    def search(doc_ids: list[str] | None, k: int) -> list[ScoredChunk]:
        return retriever.retrieve(
            query.standalone, query.embedding, k=k,
            focus=query.question if follow_up_subject else None,
            prefer_language=query.language,
            language=query.filter_language,
            doc_ids=doc_ids,
        )

    found = search(query.doc_ids, top_k * (_WIDE_FACTOR if wide(query.analysis) else 1))
    for entity in (query.analysis.entities if query.analysis else ())[:_ABOUT_ENTITIES]:
        naming = [d for d in retriever.documents_about(entity) if not query.doc_ids or d in query.doc_ids]
        if naming:
            seen = {s.chunk.id for s in found}
            found += [s for s in search(naming, _ABOUT_EXTRA) if s.chunk.id not in seen]
    return found


def search_failed(settings: Settings, error: BaseException) -> str:
    if settings.chroma_host:
        return (f"The search service (Chroma at {settings.chroma_mode()}) is not answering "
                f"({error.__class__.__name__}); please try again in a moment.")
    return f"The index could not be searched ({error.__class__.__name__}); please try again."


def find_passages(query: PassageQuery, retriever: HybridRetriever, reread: Callable[[], HybridRetriever],
                  settings: Settings) -> tuple[list[ScoredChunk], HybridRetriever]:
    """The question's passages and the retriever that found them; ``reread`` returns the retriever of
    the live generation, read afresh. ``IndexUnavailable`` when the second attempt fails too."""
    top_k = settings.answer.top_k
    try:
        return passages_for(query, retriever, top_k), retriever
    except Exception as error:
        try:
            retriever = reread()
            return passages_for(query, retriever, top_k), retriever
        except IndexUnavailable:
            raise
        except Exception:
            raise IndexUnavailable(search_failed(settings, error)) from error
