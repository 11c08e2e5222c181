"""The sentences of the retrieved passages that may be quoted, each with what the rules need.

A candidate is a verbatim span of one chunk: one sentence, or a quotation together with the
adjacent sentence that names its speaker. Structure lines ("Source: ...", bylines, dates, memo
headers) and questions (an interviewer's "Q: ...") are never evidence, and neither is any
sentence of a passage that gives orders to the assistant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..models import ScoredChunk, twin_stem
from ..numbers import Figure, amounts, figures
from ..safety import looks_like_injection
from ..text import content_tokens, split_sentences
from .evidence import attributes, needs_speaker

_NOT_EVIDENCE = re.compile(
    r"^\s*(?:sources?|by|par|date|dateline|published|publié(?:e)? le|updated|mis à jour|to|from|cc|subject|re|"
    r"à|de|objet|contact|media contact|contact presse|photo|credit|crédit|tags?|q|question|other sources|"
    r"autres sources|see also|voir aussi|read more|lire aussi|related)\s*[:—–-]\s|"
    r"^\s*(?:by|par)\s+[A-ZÀ-Ý][\w.'’-]+(?:\s+[A-ZÀ-Ý][\w.'’-]+){0,3}\s*$|^\s*https?://\S+\s*$",
    re.IGNORECASE,
)
_DUPLICATE_COSINE = 0.8
_SAME_FIGURES_COSINE = 0.6
_DUPLICATE_JACCARD = 0.5
_TWIN_COSINE = 0.6  # a sentence and its translation in the twin document (calibration halves: 0.5-0.6 best)


@dataclass
class Candidate:
    chunk: ScoredChunk
    start: int
    end: int
    text: str
    tokens: frozenset[str]
    figures: frozenset[tuple[str, str]]  # (value, kind) of the figures sources can disagree on
    parsed: tuple[Figure, ...] = field(default_factory=tuple)  # every figure, with offsets and kinds
    index: int = 0  # its place among the question's candidates: the row of its sentence vector
    rank: int = 0  # its passage's rank among the retrieved passages that hold a quotable sentence
    dense: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    about: bool = True  # names the question's entities (or its document does)
    fits: bool = True  # gives what the question type asks for
    side: str | None = None  # for / against / neutral, when a reader said so (else the stance words decide)

    @property
    def context(self) -> str:
        """What the sentence is about when it says "the company": its document title and headings."""
        chunk = self.chunk.chunk
        return " ".join([chunk.title, *chunk.heading_path])

    @property
    def kinds(self) -> set[str]:
        return {f.kind for f in self.parsed}


def _spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans, a quotation joined with the adjacent sentence that names its speaker."""
    spans = list(split_sentences(text))
    joined: list[tuple[int, int]] = []
    skip = False
    for i, (start, end) in enumerate(spans):
        if skip:
            skip = False
            continue
        sentence = text[start:end]
        same_paragraph = "\n\n"
        if needs_speaker(sentence):
            after = spans[i + 1] if i + 1 < len(spans) else None
            before = joined[-1] if joined else None
            if after and same_paragraph not in text[end:after[0]] and attributes(text[after[0]:after[1]]):
                joined.append((start, after[1]))
                skip = True
                continue
            if before and same_paragraph not in text[before[1]:start] and attributes(text[before[0]:before[1]]):
                joined[-1] = (before[0], end)
                continue
        joined.append((start, end))
    return joined


_CLOSED = re.compile(r"[.!?…»\"”)\]]\s*$")


def _heading_like(sentence: str) -> bool:
    """A title, a slide heading or a section label: short, unfinished, and not a table row."""
    return "|" not in sentence and not _CLOSED.search(sentence) and len(sentence.split()) < 12


@dataclass(frozen=True)
class Quotable:
    """A sentence of a chunk that may be quoted, with what the rules read from it: the same for
    every question, so it is read once per chunk text (``quotable_sentences``)."""

    start: int
    end: int
    text: str
    tokens: frozenset[str]
    figures: frozenset[tuple[str, str]]
    parsed: tuple[Figure, ...]


_QUOTABLE: dict[str, tuple[Quotable, ...]] = {}
_QUOTABLE_LIMIT = 100_000  # chunk texts; a process that outgrows it starts over


def _read_quotable(text: str) -> tuple[Quotable, ...]:
    spans = _spans(text)
    # A passage that gives orders to the assistant is the attacker's text throughout: none of it is
    # quoted, not even its harmless-looking sentences.
    if any(looks_like_injection(text[start:end]) for start, end in spans):
        return ()
    found = []
    for start, end in spans:
        sentence = text[start:end]
        tokens = frozenset(content_tokens(sentence))
        # Headings, fragments, structure lines and questions are not evidence, and neither
        # are orders to the assistant.
        # a question, or a lead-in to a list ("the practical questions have changed:")
        if len(tokens) < 3 or sentence.rstrip().endswith(("?", ":")) or _NOT_EVIDENCE.search(sentence):
            continue
        if _heading_like(sentence):
            continue
        found.append(Quotable(start, end, sentence, tokens, frozenset(amounts(sentence)),
                              tuple(figures(sentence, words=False))))
    return tuple(found)


def quotable_sentences(text: str) -> tuple[Quotable, ...]:
    """The quotable sentences of a chunk's text, read on first sight and kept (by text, so a new
    index generation needs no invalidation)."""
    found = _QUOTABLE.get(text)
    if found is None:
        found = _read_quotable(text)
        if len(_QUOTABLE) >= _QUOTABLE_LIMIT:
            _QUOTABLE.clear()
        _QUOTABLE[text] = found
    return found


def candidates_of(retrieved: list[ScoredChunk]) -> list[Candidate]:
    """The quotable sentences of the passages, in order, numbered; a retrieved passage with nothing
    quotable (a document of orders to the assistant, say) takes no rank from the others."""
    found: list[Candidate] = []
    rank = 0
    for scored in retrieved:
        sentences = quotable_sentences(scored.chunk.text)
        found += [Candidate(scored, q.start, q.end, q.text, q.tokens, q.figures, q.parsed, len(found) + i, rank)
                  for i, q in enumerate(sentences)]
        rank += bool(sentences)
    return found


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def near_duplicate(a: Candidate, a_vector: np.ndarray, b: Candidate, b_vector: np.ndarray) -> bool:
    similarity = cosine(a_vector, b_vector)
    jaccard = len(a.tokens & b.tokens) / max(len(a.tokens | b.tokens), 1)
    same_figures = bool(a.figures) and a.figures == b.figures
    return (similarity > _DUPLICATE_COSINE or jaccard > _DUPLICATE_JACCARD
            or (same_figures and similarity > _SAME_FIGURES_COSINE)
            or (_twins(a, b) and similarity > _TWIN_COSINE))


def _twins(a: Candidate, b: Candidate) -> bool:
    """Sentences of a document and of its translation ("x-en" and "x-fr"): the same fact twice."""
    first, second = a.chunk.chunk, b.chunk.chunk
    stem = twin_stem(first.doc_id)
    return first.language != second.language and stem is not None and stem == twin_stem(second.doc_id)
