"""The reader's training data stays apart from every eval set (questions and documents)."""

from __future__ import annotations

import hashlib
import json
from functools import cache

import numpy as np
import pytest
import yaml

from assistant.ingest.loaders import load_document
from assistant.reader.data import QUESTIONS_DIR, all_pairs, held_out, load_records, split
from assistant.settings import PROJECT_ROOT, Settings
from assistant.text import words

EVALS = PROJECT_ROOT / "evals"
MAX_OVERLAP = 0.5
MAX_COSINE = 0.9


def grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


@cache
def eval_questions() -> tuple[str, ...]:
    found: list[str] = []
    for name in ("golden.yaml", "natural.yaml"):
        for record in yaml.safe_load((EVALS / name).read_text(encoding="utf-8")):
            for text in [record["question"], *(record.get("history") or [])]:
                found.append(str(text.get("question", "") if isinstance(text, dict) else text))
    return tuple(t for t in found if t.strip())


@cache
def training_records() -> tuple[dict, ...]:
    rows = []
    for path in sorted(QUESTIONS_DIR.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(rows)


def training_questions() -> list[str]:
    return list(dict.fromkeys(
        text for r in training_records() for text in [r["question"], *(str(h) for h in r.get("history") or [])]))


def test_there_is_training_data() -> None:
    assert len(training_records()) >= 100


def test_no_training_question_shares_over_half_its_4_grams_with_an_eval_question() -> None:
    theirs = [(q, grams(q)) for q in eval_questions()]
    close = []
    for question in training_questions():
        mine = grams(question)
        for other, their in theirs:
            if mine and their and len(mine & their) / min(len(mine), len(their)) > MAX_OVERLAP:
                close.append((question, other))
    assert not close, close[:5]


def test_no_training_question_is_an_eval_question_in_other_words() -> None:
    from assistant.index.embeddings import load_embeddings

    model = load_embeddings(Settings().answer.embedding_model)
    mine = training_questions()
    a = np.asarray(model.embed_documents(mine), dtype=np.float32)
    b = np.asarray(model.embed_documents(list(eval_questions())), dtype=np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    cosines = a @ b.T
    close = [(mine[i], eval_questions()[int(cosines[i].argmax())], round(float(cosines[i].max()), 3))
             for i in np.flatnonzero(cosines.max(axis=1) > MAX_COSINE)]
    assert not close, close


def _text(path: object) -> str:
    document = load_document(path, max_bytes=50_000_000)  # type: ignore[arg-type]
    return " ".join(document.text.split())


def test_no_training_document_is_an_eval_document() -> None:
    eval_files = [p for p in (EVALS / "corpora").rglob("*") if p.is_file() and p.suffix != ".yaml"]
    eval_hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in eval_files}
    eval_texts = {_text(p) for p in eval_files}
    docs = sorted({r["doc"] for r in training_records()})
    assert not [d for d in docs if d.startswith("evals/")]
    for doc in docs:
        path = PROJECT_ROOT / doc
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in eval_hashes, doc
        assert _text(path) not in eval_texts, doc
    training_docs = (PROJECT_ROOT / "training" / "reader" / "documents").rglob("*")
    names = {p.name for p in eval_files}
    assert not [p for p in training_docs if p.is_file() and p.name in names]


def test_the_split_is_by_document_and_stable() -> None:
    train, test = split(all_pairs(load_records()))
    assert test, "no held-out question"
    train_docs = {g[0].doc for g in train}
    test_docs = {g[0].doc for g in test}
    assert not train_docs & test_docs
    assert all(held_out(d) for d in test_docs) and not any(held_out(d) for d in train_docs)


@pytest.mark.parametrize("twin", ["corpus/facts/egypt-outsourcing"])
def test_a_document_and_its_translation_fall_on_one_side(twin: str) -> None:
    assert held_out(f"{twin}.en.md") == held_out(f"{twin}.fr.md")
