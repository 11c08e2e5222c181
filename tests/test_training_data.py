"""The reader's training set holds up: every record valid against its document, and no question
close to an eval question by word 4-grams (``training/reader/validate.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT

VALIDATOR = PROJECT_ROOT / "training" / "reader" / "validate.py"


def _validator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("reader_validate", VALIDATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["reader_validate"] = module
    spec.loader.exec_module(module)
    return module


def test_every_training_record_is_valid_and_apart_from_the_evals(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in (PROJECT_ROOT / "training" / "reader" / "questions").glob("*.jsonl"))
    assert files
    code = _validator().main(files)
    printed = capsys.readouterr().out
    assert code == 0, "\n".join(line for line in printed.splitlines() if line.startswith("PROBLEM"))[:3000]
    records = int(printed.split(" records")[0])
    assert records >= 2500


def test_a_question_copied_from_the_evals_is_caught() -> None:
    """Sabotage: an eval question among the training records fails the check."""
    validator = _validator()
    question = validator.eval_questions()[0][0]
    assert validator.overlap(question) == 1.0
    assert validator.overlap("Which vendor has the cheapest seat in Sofia?") <= 0.5


def test_no_training_document_lives_under_evals() -> None:
    documents = list((PROJECT_ROOT / "training" / "reader" / "documents").rglob("*.*"))
    assert len(documents) >= 60
    eval_texts = {p.read_bytes() for p in (PROJECT_ROOT / "evals" / "corpora").rglob("*") if p.is_file()}
    assert not [p for p in documents if p.read_bytes() in eval_texts]
    assert all("evals" not in Path(p).parts for p in documents)
