"""Domain types shared by every front end: chunks, citations, answers.

Chroma records are converted to and from these in ``index/store.py`` only, so the rest of
the package never depends on a vector store's data shapes.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Literal, NamedTuple, Protocol, Self

from pydantic import BaseModel, Field

Language = Literal["en", "fr"]


class FileType(NamedTuple):
    suffix: str
    reader: str  # the ingest reader for it: a key of ``ingest.loaders.READERS``
    magic: bytes = b""  # what the file's content must start with; nothing for text


# The document types, in one table that ingest's readers, its content check, the admin upload's type check
# and the page's file picker all read (tests/ingest/test_file_types.py keeps them in step).
FILE_TYPES = (
    FileType(".md", "markdown"),
    FileType(".markdown", "markdown"),
    FileType(".txt", "text"),
    FileType(".html", "html"),
    FileType(".htm", "html"),
    FileType(".pdf", "pdf", b"%PDF"),
    FileType(".docx", "docx", b"PK\x03\x04"),
)
DOCUMENT_SUFFIXES = tuple(t.suffix for t in FILE_TYPES)
Role = Literal["user", "assistant"]
# A fact sheet and its translation are "<stem>-en" and "<stem>-fr": one document in two languages.
TWIN_SUFFIXES = ("-en", "-fr")


def twin_stem(doc_id: str) -> str | None:
    """The stem a document shares with its translation ("kenya-bpo" for "kenya-bpo-fr"), if it is named so."""
    return next((doc_id[: -len(s)] for s in TWIN_SUFFIXES if doc_id.endswith(s)), None)


# How ``ingest/chunking.py`` cuts documents into chunks. Bump when chunk boundaries or ids change: the
# index name includes it (``index/store.py``), so old vectors are never mixed with new chunks.
# 2: chunks carry the document's topic and confidence; 3: segments, embedded with title and headings
CHUNKER_VERSION = 3


class Chunk(BaseModel):
    """One retrievable passage of a corpus document, with where it came from."""

    id: str = Field(description="Stable id: same document and text give the same id.")
    doc_id: str
    text: str
    title: str
    heading_path: list[str] = Field(default_factory=list)
    paragraph_start: int = Field(description="First paragraph index (0-based) in the document.")
    paragraph_end: int = Field(description="Last paragraph index (inclusive).")
    char_start: int
    char_end: int
    language: Language
    source: str = Field(default="", description="Source URL(s) or reference, ';'-separated.")
    date: str = ""
    confidence: str = Field(default="", description="confirmed, mixed, unconfirmed (front matter).")
    topic: str = Field(default="", description="The corpus topic of the document (front matter).")
    path: str = Field(default="", description="File the chunk was read from.")
    content_hash: str = Field(description="sha256 of the chunk text.")
    file_hash: str = Field(default="", description="sha256 of the whole source file.")

    @property
    def search_text(self) -> str:
        """What retrieval reads: the passage under its document title and headings.

        "The company" or "the country" in a passage is found by the name in its title; the
        quotes of an answer still come from ``text`` alone, verbatim.
        """
        context = [self.title, *(h for h in self.heading_path if h != self.title)]
        return " > ".join(c for c in context if c) + "\n" + self.text

    @property
    def locator(self) -> str:
        # The document title is shown beside the locator already; do not repeat it.
        path = self.heading_path[1:] if self.heading_path[:1] == [self.title] else self.heading_path
        heading = " > ".join(path)
        if self.paragraph_start == self.paragraph_end:
            paragraphs = f"¶{self.paragraph_start + 1}"
        else:
            paragraphs = f"¶{self.paragraph_start + 1}-{self.paragraph_end + 1}"
        return f"{heading}, {paragraphs}" if heading else paragraphs


class ScoredChunk(BaseModel):
    chunk: Chunk
    score: float = Field(description="Fused retrieval score (higher is better).")
    dense_similarity: float = Field(default=0.0, description="Cosine similarity to the query.")
    dense_rank: int | None = None
    lexical_rank: int | None = None


class Citation(BaseModel):
    """What an ``[n]`` marker in an answer points to; ``quote`` is an exact span of the chunk."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    locator: str
    quote: str
    quote_start: int = Field(description="Offset of the quote inside the chunk text.")
    date: str = ""
    chunk_text: str = Field(default="", description="The whole cited passage, for source panels.")

    def public(self) -> dict[str, object]:
        """The citation as the JSON contract exposes it."""
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "locator": self.locator,
            "quote": self.quote,
        }


class Turn(BaseModel):
    role: Role
    content: str


class Timings(BaseModel):
    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0


class Answer(BaseModel):
    question: str
    standalone_question: str = ""
    answer: str
    language: Language
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[ScoredChunk] = Field(default_factory=list)
    evidence_score: float = 0.0
    warnings: list[str] = Field(
        default_factory=list,
        description="Problems found and repaired or flagged (bad markers, unsupported numbers).",
    )
    mode: str = Field(default="extractive", description="extractive, or the LLM that answered.")
    timings_ms: Timings = Field(default_factory=Timings)

    def public(self) -> dict[str, object]:
        """The answer object of the ``ask --json`` / ``POST /api/ask`` contract."""
        return {
            "question": self.question,
            "answer": self.answer,
            "language": self.language,
            "refused": self.refused,
            "citations": [c.public() for c in self.citations],
            "timings_ms": self.timings_ms.model_dump(),
            "warnings": self.warnings,
            "mode": self.mode,
        }


def after_draft(draft: str, answer: Answer, shown: str) -> str:
    """What follows a streamed draft so that the reader ends up with the checked answer, ``shown`` being
    that answer as the front end formats it (its text first, then its sources).

    Streamed text cannot be taken back: when validation kept the draft as written, only what follows
    the answer's text (the sources) is added; otherwise (markers repaired, a fallback, a refusal) the
    checked answer follows in full under a line that says so. With no draft, all of it.
    """
    if not draft:
        return shown
    if draft.strip() == answer.answer.strip():
        return shown[len(answer.answer):]
    heading = "Réponse vérifiée :" if answer.language == "fr" else "Checked answer:"
    return f"\n\n---\n{heading}\n{shown}"


class AnswerStream:
    """An answer as it is written, like ``llm``'s ``Response``: iterate it for the LLM's draft text
    pieces (none in extractive mode), then call ``answer()`` for the checked ``Answer``, which
    replaces the draft.

    ``answer()`` reads whatever pieces are left; iterating again after a ``break`` goes on where it
    stopped. ``close()`` (or leaving a ``with`` block) stops an unfinished answer and frees what it
    holds (an answering slot, the LLM's connection).
    """

    def __init__(self, events: Generator[str, None, Answer]) -> None:
        """``events`` yields the draft pieces and returns the final answer."""
        self._events = events
        self._answer: Answer | None = None

    @classmethod
    def whole(cls, answer: Answer) -> AnswerStream:
        """A stream with no draft: the answer came whole."""
        return cls(_returning(answer))

    def __iter__(self) -> Iterator[str]:
        while self._answer is None:
            try:
                piece = next(self._events)
            except StopIteration as done:
                self._answer = done.value
                return
            yield piece

    def answer(self) -> Answer:
        for _ in self:
            pass
        if self._answer is None:
            raise RuntimeError("the stream was closed before its answer")
        return self._answer

    @property
    def done(self) -> bool:
        return self._answer is not None

    def close(self) -> None:
        self._events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _returning(answer: Answer) -> Generator[str, None, Answer]:
    return answer
    yield ""  # makes this a generator that yields nothing


class DocumentInfo(BaseModel):
    """One document of the live index, as a corpus listing shows it."""

    doc_id: str
    title: str
    language: Language
    date: str = ""
    source: str = ""
    confidence: str = ""
    topic: str = ""
    path: str = ""
    passages: int = Field(description="Chunks of this document in the index.")


class IndexInfo(BaseModel):
    """What the live index holds: front ends read this instead of the retriever or the store."""

    generation: str
    documents: list[DocumentInfo]

    @property
    def passages(self) -> int:
        return sum(d.passages for d in self.documents)

    def document(self, doc_id: str) -> DocumentInfo | None:
        return next((d for d in self.documents if d.doc_id == doc_id), None)


class Asker(Protocol):
    """What a front end needs of ``assistant.api.Assistant`` to answer (tests pass stand-ins).

    ``ask_stream`` gives the answer as it is written: an ``AnswerStream`` of the LLM's draft text
    pieces (none in extractive mode), whose ``answer()`` is the final ``Answer``.
    """

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer: ...

    def ask_stream(self, question: str, history: list[Turn] | None = None) -> AnswerStream: ...
