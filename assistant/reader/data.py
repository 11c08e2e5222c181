"""Training records -> (question, sentence) pairs with labels, and the held-out split by document.

A record names a paragraph (its first words) and the sentences of it that answer; the reader
is asked about every sentence the answerer would see, so the paragraph is cut with the same
``split_sentences`` and each piece is labelled by overlap with an answer sentence. The other
sentences of the same paragraph are the hard negatives: they share the subject and the words.

The split is by document, not by question: questions about one document share its wording, and
a reader that has seen them scores its sentences better than it will score a manager's upload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..ingest.loaders import SourceDocument, load_document, slugify
from ..models import twin_stem
from ..settings import PROJECT_ROOT
from ..text import split_sentences

LABELS = ("not-answer", "answer", "answer-for", "answer-against")
SIDE_LABEL = {None: 1, "neutral": 1, "for": 2, "against": 3}
QUESTIONS_DIR = PROJECT_ROOT / "training" / "reader" / "questions"
HELD_OUT_FRACTION = 0.15
SPLIT_SEED = "reader-v1"
TITLE_WORDS = 10


@dataclass(frozen=True)
class Record:
    """One training question asked of one paragraph (the schema of training/reader/SPEC.md)."""

    id: str
    question: str
    language: str
    type: str
    history: tuple[str, ...]
    doc: str
    passage: str
    answers: tuple[tuple[str, str | None], ...]
    none: str | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Record:
        history = tuple(h.get("question", "") if isinstance(h, dict) else str(h) for h in raw.get("history") or [])
        answers = tuple((str(a.get("sentence", "")), a.get("side")) for a in raw.get("answers") or [])
        return cls(str(raw["id"]), str(raw["question"]), str(raw.get("language", "en")), str(raw.get("type", "")),
                   history, str(raw["doc"]), str(raw["passage"]), answers, raw.get("none"))

    @property
    def asked(self) -> str:
        """The question as the reader sees it: a follow-up carries the turns before it."""
        return " ".join([*self.history, self.question])


@dataclass(frozen=True)
class Pair:
    """One (question, candidate sentence) input with its label and what the report groups by."""

    record: str
    question: str
    sentence: str
    title: str
    label: int
    language: str
    qtype: str
    form: str
    doc: str
    doc_language: str

    @property
    def relevant(self) -> bool:
        return self.label > 0

    def second_segment(self, with_title: bool) -> str:
        """What the question is read against; the title says what "the company" refers to."""
        return with_title_prefix(self.sentence, self.title if with_title else None)


def with_title_prefix(sentence: str, title: str | None) -> str:
    """``Title: sentence``, the title cut to its first words so that the sentence keeps the tokens."""
    if not title:
        return sentence
    words = title.split()
    return f"{' '.join(words[:TITLE_WORDS])}{'…' if len(words) > TITLE_WORDS else ''}: {sentence}"


def load_records(paths: Iterable[Path] | None = None) -> list[Record]:
    """Every record of the given files (default: every writer's file), in a stable order."""
    files = sorted(paths) if paths is not None else sorted(QUESTIONS_DIR.glob("*.jsonl"))
    records: list[Record] = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    records.append(Record.parse(json.loads(line)))
                except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                    continue  # validate.py reports it; a writer's half-written line is not fatal here
    return records


@cache
def document(doc: str) -> SourceDocument:
    """The project's loader, as validate.py uses it: paragraphs are what the answerer sees."""
    return load_document(PROJECT_ROOT / doc, max_bytes=50_000_000)


def document_form(doc: str) -> str:
    """``news``, ``memo``... from the training folder; the shipped corpus is its own form."""
    parts = Path(doc).parts
    if len(parts) > 3 and parts[:3] == ("training", "reader", "documents"):
        return parts[3]
    return "corpus" if parts and parts[0] == "corpus" else "other"


def split_key(doc: str) -> str:
    """A document and its translation (``x.en.md`` / ``x.fr.md``) fall on the same side."""
    path = Path(doc)
    stem = slugify(path.stem)
    return str(path.parent / (twin_stem(stem) or stem))


def held_out(doc: str, fraction: float = HELD_OUT_FRACTION, seed: str = SPLIT_SEED) -> bool:
    """A seeded hash of the document (twins together): stable as records and documents are added."""
    digest = hashlib.sha256(f"{seed}:{split_key(doc)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def paragraph(record: Record) -> str | None:
    """The one block of the document that starts with the record's prefix, else None."""
    blocks = [b.text for b in document(record.doc).blocks if b.text.startswith(record.passage)]
    return blocks[0] if len(blocks) == 1 else None


def _answer_spans(text: str, answers: Iterable[tuple[str, str | None]]) -> list[tuple[int, int, int]]:
    spans = []
    for sentence, side in answers:
        at = text.find(sentence) if sentence else -1
        if at >= 0:
            spans.append((at, at + len(sentence), SIDE_LABEL.get(side, 1)))
    return spans


def pairs_of(record: Record) -> list[Pair]:
    """Every candidate sentence of the record's paragraph, labelled; [] when it cannot be resolved."""
    if record.doc.startswith("evals/"):
        return []
    try:
        source = document(record.doc)
        text = paragraph(record)
    except Exception:  # a document the loader refuses is skipped, as validate.py reports it
        return []
    if text is None:
        return []
    spans = _answer_spans(text, record.answers)
    if record.answers and not spans:
        return []  # an answer that is not in the paragraph: the record is wrong, not a negative
    pairs = []
    for start, end in split_sentences(text):
        label = next((side for a, b, side in spans if a < end and start < b), 0)
        pairs.append(Pair(record.id, record.asked, text[start:end], source.title, label, record.language,
                          record.type, document_form(record.doc), record.doc, source.language))
    return pairs


def all_pairs(records: Iterable[Record]) -> list[list[Pair]]:
    """The pairs of every record that resolves, grouped per record (a question's candidates)."""
    groups = [pairs_of(r) for r in records]
    return [g for g in groups if g]


def split(groups: list[list[Pair]]) -> tuple[list[list[Pair]], list[list[Pair]]]:
    """(train, held-out) by the document each question is asked of."""
    train = [g for g in groups if not held_out(g[0].doc)]
    test = [g for g in groups if held_out(g[0].doc)]
    return train, test
