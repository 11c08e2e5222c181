"""A naive LangChain RAG baseline, to show what the real pipeline buys.

Fixed 1,000-character splits with 200 characters of overlap (``RecursiveCharacterTextSplitter``),
one in-memory ``langchain_chroma.Chroma`` store, plain vector top-4: no BM25, no fusion, no
MMR, no follow-up rewriting and no refusal threshold. The answer comes from the same
extractive answerer (threshold -inf), so it is the same ``Answer`` type and the same metrics
apply. The benchmarks reuse it: ``NaiveAssistant(settings).ask(question, history)``.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import replace
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ..analysis.question import analyse, is_quantity_question
from ..answer.extractive import AnswerInput, AskedQuestion, ExtractiveAnswerer, Passages
from ..answer.sentence_vectors import SentenceEmbeddingCache
from ..errors import LoadError
from ..index.bm25 import BM25Index
from ..index.embeddings import langchain_embeddings, load_embeddings
from ..ingest.loaders import SourceDocument, load_document
from ..ingest.run import discover
from ..models import Answer, AnswerStream, Chunk, Language, ScoredChunk, Timings, Turn
from ..settings import Settings
from ..text import content_tokens, detect_language

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4


def _paragraph_at(document: SourceDocument, offset: int) -> int:
    return max((i for i, b in enumerate(document.blocks) if b.start <= offset), default=0)


def split_corpus(corpus_dir: Path, max_file_bytes: int) -> list[Chunk]:
    """The corpus files as fixed-size character splits, each one a ``Chunk``."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                              add_start_index=True)
    files, _ = discover([corpus_dir.resolve()])
    chunks: list[Chunk] = []
    for path in files:
        try:
            document = load_document(path, max_file_bytes)
        except LoadError:
            continue  # the real ingest skips it too
        for number, split in enumerate(splitter.create_documents([document.text])):
            start = int(split.metadata["start_index"])
            end = start + len(split.page_content)
            chunks.append(Chunk(
                id=f"{document.doc_id}:naive-{number}", doc_id=document.doc_id, text=split.page_content,
                title=document.title, paragraph_start=_paragraph_at(document, start),
                paragraph_end=_paragraph_at(document, max(end - 1, start)), char_start=start,
                char_end=end, language=document.language, source=document.source, date=document.date,
                path=document.path, content_hash=hashlib.sha256(split.page_content.encode()).hexdigest(),
                file_hash=document.file_hash,
            ))
    return chunks


class NaiveAssistant:
    """Same embedding model and answerer as ``Assistant``; everything in between is the naive one."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.embeddings = load_embeddings(self.settings.answer.embedding_model)
        self.chunks = split_corpus(self.settings.corpus_dir, self.settings.max_file_bytes)
        self._by_id = {c.id: c for c in self.chunks}
        # A fresh collection name: in-memory Chroma stores are shared within a process.
        self.vectorstore = Chroma(collection_name=f"naive-{uuid.uuid4().hex[:12]}",
                                  embedding_function=langchain_embeddings(self.embeddings))
        if self.chunks:
            self.vectorstore.add_documents(
                [Document(page_content=c.text, metadata={"doc_id": c.doc_id}, id=c.id) for c in self.chunks],
                ids=[c.id for c in self.chunks],
            )
        self.idf = BM25Index([c.text for c in self.chunks]).idf  # the answerer weighs words by rarity
        self.sentence_vectors = SentenceEmbeddingCache(self.embeddings.embed_documents)
        self.answerer = ExtractiveAnswerer(self.sentence_vectors)

    def retrieve(self, question: str, embedding: list[float]) -> list[ScoredChunk]:
        # Chroma's default space is squared L2 (lower is closer); for unit vectors 1 - d/2 is the cosine.
        results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(embedding, k=TOP_K)
        return [ScoredChunk(chunk=self._by_id[str(document.id)], score=1 - float(distance) / 2,
                            dense_similarity=1 - float(distance) / 2, dense_rank=rank)
                for rank, (document, distance) in enumerate(results, start=1)]

    def ask_stream(self, question: str, history: list[Turn] | None = None) -> AnswerStream:
        return AnswerStream.whole(self.ask(question, history))  # no language model: the answer comes whole

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        """Answer from the question alone: the naive chain does not read the conversation."""
        started = time.perf_counter()
        previous: Language = "en"
        for turn in reversed(history or []):
            if turn.role == "user":
                previous = detect_language(turn.content)
                break
        language = detect_language(question, default=previous)
        embedding = self.embeddings.embed_query(question)
        retrieved = self.retrieve(question, embedding)
        retrieved_at = time.perf_counter()
        # no question analysis: an open question about nothing named, in the question's language
        analysis = replace(analyse("", language), quantity=is_quantity_question(question))
        result = self.answerer.answer(AnswerInput(
            AskedQuestion(analysis, {term: 1.0 for term in content_tokens(question)}, embedding),
            Passages(retrieved, self.idf),
            self.settings.answer.model_copy(update={"refusal_threshold": float("-inf")}),
        ))
        done = time.perf_counter()
        return Answer(
            question=question, standalone_question=question, answer=result.answer, language=language,
            refused=result.refused, citations=result.citations, retrieved=retrieved,
            evidence_score=round(result.evidence, 4), mode="naive",
            timings_ms=Timings(retrieve=round((retrieved_at - started) * 1000, 2),
                               answer=round((done - retrieved_at) * 1000, 2),
                               total=round((done - started) * 1000, 2)),
        )
