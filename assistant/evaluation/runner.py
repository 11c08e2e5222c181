"""Run a golden set against anything with ``ask(question, history) -> Answer``."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..api import Assistant
from ..errors import IndexUnavailable, QuestionError
from ..models import Asker
from ..settings import PROJECT_ROOT, Settings
from .dataset import Dataset, GoldenRecord
from .metrics import aggregate, aggregate_halves, refusal_confusion
from .results import QuestionResult, RunResult
from .scoring import failed_result, score_answer
from .sources import CorpusDocuments

Progress = Callable[[int, int, QuestionResult], None]


def shown_path(path: Path) -> str:
    """``path`` relative to the project when it is inside it (baselines stay machine-independent)."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


_PREPARED: dict[str, Assistant] = {}


def prepared_assistant(settings: Settings) -> Assistant:
    """An ``Assistant`` on ``settings.index_dir``, brought up to date with ``settings.corpus_dir``
    (a no-op when it is). Suites pass settings already pointed at their own eval index.

    One per settings in a process, so a second run (the test suite runs the gate many times)
    reuses the sentence vectors the first one computed; answers do not depend on it."""
    key = settings.model_dump_json()
    assistant = _PREPARED.get(key)
    if assistant is None:
        assistant = _PREPARED[key] = Assistant(settings)
    assistant.ingest()
    return assistant


def ask_record(asker: Asker, record: GoldenRecord, corpus: CorpusDocuments, half: str = "test") -> QuestionResult:
    started = time.perf_counter()
    try:
        answer = asker.ask(record.question, list(record.history))
    except QuestionError as error:
        return failed_result(record, str(error), (time.perf_counter() - started) * 1000, half)
    except IndexUnavailable:
        raise  # infrastructure, not an answer: the run stops with exit 2
    except Exception as error:  # a crash while answering fails this question, and is shown
        return failed_result(record, f"{error.__class__.__name__}: {error}"[:300],
                             (time.perf_counter() - started) * 1000, half)
    return score_answer(record, answer, (time.perf_counter() - started) * 1000, corpus, half)


def run_questions(asker: Asker, records: Sequence[GoldenRecord], corpus: CorpusDocuments,
                  halves: Mapping[str, str] | None = None, progress: Progress | None = None) -> list[QuestionResult]:
    """One question at a time, in file order: the run is deterministic and its timings honest.

    ``IndexUnavailable`` and other infrastructure errors propagate: they are not a regression.
    """
    results = []
    for position, record in enumerate(records, start=1):
        result = ask_record(asker, record, corpus, (halves or {}).get(record.id, "test"))
        results.append(result)
        if progress:
            progress(position, len(records), result)
    return results


def summarise(run: RunResult) -> RunResult:
    """Fill in the aggregates of ``run.questions``: all, per half, and the refusal confusion."""
    run.aggregates = aggregate(run.questions)
    run.halves = aggregate_halves(run.questions)
    run.confusion = refusal_confusion(run.questions)
    return run


def run_eval(
    asker: Asker,
    dataset: Dataset,
    settings: Settings,
    corpus_hash: str,
    config: str = "default",
    progress: Progress | None = None,
    settings_hash: str | None = None,
    suite: str = "main",
    corpus: CorpusDocuments | None = None,
) -> RunResult:
    """Ask every record of ``dataset`` and score it against ``settings.corpus_dir`` read from disk."""
    corpus = corpus or CorpusDocuments.load(settings.corpus_dir, settings.max_file_bytes)
    started = time.perf_counter()
    questions = run_questions(asker, dataset.records, corpus, dataset.halves(), progress)
    return summarise(RunResult(
        suite=suite,
        config=config,
        dataset_path=dataset.path,
        dataset_hash=dataset.content_hash(),
        corpus_dir=shown_path(settings.corpus_dir),
        corpus_hash=corpus_hash,
        settings_hash=settings_hash or settings.settings_hash(),
        settings=settings.answer_fingerprint(),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - started, 1),
        questions=questions,
        aggregates={},
        confusion={},
    ))
