"""The one API every front end calls: ``Assistant.ask(question, history) -> Answer``.

The chain is condense the follow-up, retrieve, answer: LangChain runnables when LangChain tracing
(LangSmith) is on, plain calls of the same steps otherwise, since importing LangChain's runnables
pulls its tracers and LangSmith (half a second of every start). The CLI, web page, HTTP API, Slack
bot and eval runner only translate input and output around it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .analysis.question import QuestionAnalysis, analyse_turn
from .answer.extractive import AnswerInput, AskedQuestion, ExtractiveAnswerer, Passages
from .answer.generate import generate
from .answer.prompts import condense_messages, message_text
from .answer.sentence_vectors import SentenceEmbeddingCache, corpus_sentences, embed_sentences
from .errors import IndexUnavailable, QuestionError, UploadTooLarge
from .index.embeddings import load_embeddings
from .index.store import IndexStore, wipe_index
from .models import Answer, AnswerStream, DocumentInfo, IndexInfo, Language, ScoredChunk, Timings, Turn
from .providers import make_chat_model
from .retrieval.condense import heuristic_standalone
from .retrieval.generation_files import open_retriever, open_sentences
from .retrieval.hybrid import HybridRetriever
from .retrieval.passages import PassageQuery, find_passages
from .safety import redact, secret_values
from .settings import Settings
from .startup import model_cache_dir
from .telemetry import observe
from .telemetry.tracing import langchain_tracing_on
from .text import content_tokens, detect_language

if TYPE_CHECKING:  # importing the chat-model stack costs a second at start-up; only LLM mode needs it
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from .corpus import Corpus
    from .ingest.run import IngestReport, SkippedFile
    from .ingest.uploads import UploadResult
    from .workflow.service import Workflow

log = logging.getLogger(__name__)
# Control characters, and lone surrogates: JSON can carry them, but no encoder accepts them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_POINTER_CHECK_S = 1.0


def _unknown_word(term: str) -> float:
    return 0.0


@dataclass(frozen=True)
class ChainState:
    """What flows through the chain: each step returns a copy with its own fields filled in."""

    question: str
    history: list[Turn]
    language: Language
    doc_ids: list[str] | None = None
    filter_language: Language | None = None
    standalone: str = ""
    terms: dict[str, float] = field(default_factory=dict)
    embedding: list[float] = field(default_factory=list)
    retrieved: list[ScoredChunk] = field(default_factory=list)
    analysis: QuestionAnalysis | None = None
    idf: Callable[[str], float] = _unknown_word
    retrieve_ms: float = 0.0


def clean_question(question: str, max_chars: int) -> str:
    cleaned = _CONTROL.sub(" ", question or "").strip()
    if not cleaned:
        raise QuestionError("The question is empty.")
    if len(cleaned) > max_chars:
        raise QuestionError(
            f"The question is {len(cleaned):,} characters long; the limit is {max_chars:,}."
        )
    return cleaned


class Assistant:
    """Holds the loaded model, the index and the chain; thread-safe for concurrent asks."""

    def __init__(self, settings: Settings | None = None, store: IndexStore | None = None,
                 chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings or Settings()
        self.embeddings = load_embeddings(self.settings.answer.embedding_model, model_cache_dir(self.settings))
        self._store = store
        self._chat_model = chat_model
        self._chat_model_loaded = chat_model is not None
        self._retriever: HybridRetriever | None = None
        self._generation: str | None = None
        self._checked_at = 0.0
        self._lock = threading.RLock()
        self._secrets = secret_values(self.settings)
        self.sentence_vectors = SentenceEmbeddingCache(self.embeddings.embed_documents)
        self.answerer = ExtractiveAnswerer(self.sentence_vectors)
        self._traced_condense = observe.traced("condense", self._condense)
        self._traced_retrieve = observe.traced("retrieve", self._retrieve)
        self._chains: tuple[Runnable[ChainState, ChainState], Runnable[ChainState, Answer]] | None = None

    # -- the chain as LangChain runnables (built on first use: see the module docstring) -----
    def _runnables(self) -> tuple[Runnable[ChainState, ChainState], Runnable[ChainState, Answer]]:
        if self._chains is None:
            from langchain_core.runnables import RunnableLambda

            retrieval: Runnable[ChainState, ChainState] = (
                RunnableLambda(self._traced_condense, name="condense")
                | RunnableLambda(self._traced_retrieve, name="retrieve")
            )
            self._chains = retrieval, retrieval | RunnableLambda(self._answer, name="answer")
        return self._chains

    @property
    def retrieval_chain(self) -> Runnable[ChainState, ChainState]:
        return self._runnables()[0]

    @property
    def chain(self) -> Runnable[ChainState, Answer]:
        return self._runnables()[1]

    def _run_retrieval(self, state: ChainState) -> ChainState:
        if langchain_tracing_on():
            return self.retrieval_chain.invoke(state)
        return self._traced_retrieve(self._traced_condense(state))

    def _run_chain(self, state: ChainState) -> Answer:
        if langchain_tracing_on():
            return self.chain.invoke(state)
        return self._answer(self._run_retrieval(state))

    # -- wiring ------------------------------------------------------------------------
    @property
    def store(self) -> IndexStore:
        if self._store is None:
            self._store = IndexStore(self.settings, self.embeddings)
        return self._store

    @property
    def chat_model(self) -> BaseChatModel | None:
        if not self._chat_model_loaded:
            self._chat_model = make_chat_model(self.settings)
            self._chat_model_loaded = True
        return self._chat_model

    def retriever(self) -> HybridRetriever:
        """The retriever over the live generation, rebuilt when an ingest publishes a new one."""
        now = time.monotonic()
        with self._lock:
            if self._retriever is not None and now - self._checked_at < _POINTER_CHECK_S:
                return self._retriever
            generation = self.store.live_generation()
            self._checked_at = now
            if generation is None:
                raise IndexUnavailable(
                    "There is no index yet: run `assistant ingest` (or `make run`) first."
                )
            if generation != self._generation or self._retriever is None:
                self._load_generation(generation)
            assert self._retriever is not None
            return self._retriever

    def _load_generation(self, generation: str) -> None:
        for attempt in range(3):
            try:
                self._retriever = open_retriever(self.store, generation, self.settings)
                self.sentence_vectors.stored = open_sentences(self.settings, generation)
                self._generation = generation
                return
            except Exception as error:
                # An ingest may have published and dropped this generation meanwhile.
                newer = self.store.live_generation()
                if attempt < 2 and newer and newer != generation:
                    generation = newer
                    continue
                raise IndexUnavailable(
                    f"The index could not be read ({error.__class__.__name__}); "
                    "run `assistant ingest --rebuild`."
                ) from error

    def ingest(self, paths: list[Path] | None = None, progress: bool = False,
               on_skip: Callable[[SkippedFile], None] | None = None, rebuild: bool = False) -> IngestReport:
        """Add new and changed documents, drop deleted ones; ``rebuild`` starts from an empty index.

        Questions keep being answered from the live generation while this runs.
        """
        with self._lock:
            if rebuild:
                wipe_index(self.settings, self.embeddings)
                self._store, self._retriever, self._generation = None, None, None
            self._checked_at = 0.0
        from .ingest.run import ingest  # the loaders and chunker: not imported by a start that only answers

        report = ingest(self.settings, self.store, paths, progress=progress, on_skip=on_skip,
                        embed_sentences=lambda chunks, previous: embed_sentences(
                            chunks, self.embeddings.embed_documents, previous))
        self._checked_at = 0.0
        return report

    def add_document(self, source: BinaryIO | Path, name: str) -> UploadResult:
        """Store one uploaded document beside the others and index it at once; ``UploadError`` if refused."""
        from .ingest.uploads import safe_name, save_and_ingest

        limit = self.settings.web.upload_max_bytes
        if isinstance(source, Path):
            if source.stat().st_size > limit:
                raise UploadTooLarge(f"'{safe_name(name)}' is larger than the {limit / 1_000_000:g} MB upload limit.")
            with source.open("rb") as stream:
                return self.add_document(stream, name)
        return save_and_ingest(source, name, self.settings.upload_dir, limit,
                               ingest=lambda paths: self.ingest(paths), owner_of=self._indexed_path)

    def _indexed_path(self, doc_id: str) -> Path | None:
        try:
            document = self.index_info().document(doc_id)
        except IndexUnavailable:
            return None
        return Path(document.path) if document is not None else None

    def index_info(self) -> IndexInfo:
        """The documents of the live index; raises ``IndexUnavailable`` when there is none."""
        documents = [
            DocumentInfo(doc_id=chunk.doc_id, title=chunk.title, language=chunk.language, date=chunk.date,
                         source=chunk.source, confidence=chunk.confidence, topic=chunk.topic, path=chunk.path,
                         passages=count)
            for chunk, count in self.retriever().documents()
        ]
        return IndexInfo(generation=self._generation or "", documents=documents)

    def warm_up(self) -> None:
        """Open the index and load the embedding model now, so the first question does not wait.

        Raises ``IndexUnavailable`` when there is no index, so a front end can fail at start-up.
        """
        self.retriever().folded()
        self.embeddings.embed_query("warm up")
        if self.settings.answer.scorer == "reader":
            from .reader.shared import shared_reader  # the trained reader, when it scores the sentences

            shared_reader().score("warm up", ["warm up"])

    def preload_sentences(self) -> int:
        """Embed the quotable sentences of the live generation that are not cached yet (about 2 ms
        a sentence on a 2-core host, twice per sentence); returns how many texts were embedded.
        Safe to run in a background thread while questions are answered. Nothing to do when the
        live generation stores its sentence vectors (up to ``SENTENCE_VECTORS_MAX_PASSAGES``): a
        question reads them from the mapped file as fast as from the cache."""
        try:
            chunks = self.retriever().chunks
        except IndexUnavailable:
            return 0
        if self.sentence_vectors.stored is not None:
            return 0
        return self.sentence_vectors.preload(corpus_sentences(chunks))

    # -- the chain ---------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        language: Language | None = None,
        doc_ids: list[str] | None = None,
        filter_language: Language | None = None,
    ) -> Answer:
        """One cited answer, or a refusal; ``QuestionError`` or ``IndexUnavailable`` when it cannot."""
        started = time.perf_counter()
        state = self._start(question, history, language, doc_ids, filter_language)
        answer = self._run_chain(state)
        answer.timings_ms.total = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def ask_stream(self, question: str, history: list[Turn] | None = None) -> AnswerStream:
        """As ``ask``, as it is written: iterate the stream for the LLM's draft text pieces, then
        ``.answer()`` is the final ``Answer``.

        In extractive mode there are no pieces. With an LLM the pieces are a draft: the validated
        answer (renumbered citations, or the extractive fallback) replaces it. The question is
        condensed and the passages retrieved here, so its errors are raised as by ``ask``.
        """
        started = time.perf_counter()
        state = self._run_retrieval(self._start(question, history))
        return AnswerStream(self._streamed(state, started))

    def _streamed(self, state: ChainState, started: float) -> Generator[str, None, Answer]:
        for event in self._respond(state, stream=True):
            if isinstance(event, Answer):
                event.timings_ms.total = round((time.perf_counter() - started) * 1000, 2)
                return event
            yield event
        raise AssertionError("an answer ends with its Answer")

    def _start(self, question: str, history: list[Turn] | None, language: Language | None = None,
               doc_ids: list[str] | None = None, filter_language: Language | None = None) -> ChainState:
        cleaned = clean_question(question, self.settings.max_question_chars)
        turns = [Turn(role=t.role, content=_CONTROL.sub(" ", t.content)) for t in history or []]
        previous_language: Language = next(
            (detect_language(t.content) for t in reversed(turns) if t.role == "user"), "en"
        )
        return ChainState(
            question=cleaned, history=turns,
            language=language or detect_language(cleaned, default=previous_language),
            doc_ids=doc_ids, filter_language=filter_language,
        )

    def _condense(self, state: ChainState) -> ChainState:
        standalone, terms = heuristic_standalone(state.question, state.history)
        model = self.chat_model
        if model is not None and state.history and standalone != state.question:
            try:
                with observe.step("llm", purpose="condense"):
                    rewritten = message_text(model.invoke(
                        condense_messages(state.history, state.question))).strip()
                if rewritten:
                    standalone = rewritten
                    for term in content_tokens(rewritten):
                        terms.setdefault(term, 1.0)
            except Exception as error:  # the heuristic result stands
                log.warning("condense failed: %s", error.__class__.__name__)
        return replace(state, standalone=standalone, terms=terms,
                       analysis=analyse_turn(state.question, standalone, state.language))

    def _retrieve(self, state: ChainState) -> ChainState:
        started = time.perf_counter()
        retriever = self.retriever()
        embedding = self.embeddings.embed_query(state.standalone)
        query = PassageQuery(question=state.question, standalone=state.standalone, embedding=embedding,
                             analysis=state.analysis, language=state.language,
                             filter_language=state.filter_language, doc_ids=state.doc_ids)
        retrieved, retriever = find_passages(query, retriever, self._reread_retriever, self.settings)
        return replace(state, embedding=embedding, retrieved=retrieved, idf=retriever.bm25.idf,
                       retrieve_ms=(time.perf_counter() - started) * 1000)

    def _reread_retriever(self) -> HybridRetriever:
        """The retriever of the live generation, its pointer read afresh."""
        self._checked_at = 0.0
        return self.retriever()

    def _answer(self, state: ChainState) -> Answer:
        *_, answer = self._respond(state, stream=False)
        assert isinstance(answer, Answer)
        return answer

    def _respond(self, state: ChainState, stream: bool) -> Iterator[str | Answer]:
        """Draft text pieces from the LLM (none in extractive mode), then the final ``Answer``."""
        started = time.perf_counter()
        step = observe.started("answer")
        analysis = state.analysis or analyse_turn(state.question, state.standalone or state.question, state.language)
        extractive = self.answerer.answer(AnswerInput(
            AskedQuestion(analysis, state.terms, state.embedding, state.standalone),
            Passages(state.retrieved, state.idf),
            self.settings.answer,
        ))
        answer = Answer(
            question=state.question, standalone_question=state.standalone,
            answer=extractive.answer, language=state.language, refused=extractive.refused,
            citations=extractive.citations, retrieved=state.retrieved,
            evidence_score=round(extractive.evidence, 4),
        )
        model = self.chat_model
        if model is not None and not extractive.refused:
            llm = observe.started("llm", step, purpose="answer", model=self.settings.answer.llm)
            try:
                yield from generate(model, self.settings.answer.llm, state.standalone, answer, self._secrets, stream,
                                    state.analysis)
            finally:
                llm.finish(mode=answer.mode)
        answer.answer = redact(answer.answer, self._secrets)
        answer.timings_ms = Timings(
            retrieve=round(state.retrieve_ms, 2),
            answer=round((time.perf_counter() - started) * 1000, 2),
        )
        step.finish(refused=answer.refused, mode=answer.mode)
        observe.answered(answer, model is not None)
        yield answer

    # -- the manager's workflow (assistant/workflow/) ----------------------------------
    def corpus(self) -> Corpus:
        """The live index for the corpus tab and the gap report: documents, passages, nearness, withdrawals."""
        from .corpus import Corpus

        return Corpus(self)

    def workflow(self) -> Workflow:
        """Strategy briefs, the corpus tab (documents, withdrawals, last ingest) and the corpus-gap report."""
        from .workflow.service import Workflow

        return Workflow(self)
