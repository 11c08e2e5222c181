"""Run the golden set against anything with ``ask(question, history) -> Answer``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from ..api import Assistant
from ..errors import IndexUnavailable, QuestionError
from ..models import Asker
from ..settings import Settings
from .dataset import Dataset, GoldenRecord
from .metrics import aggregate, refusal_confusion
from .results import QuestionResult, RunResult
from .scoring import failed_result, score_answer

Progress = Callable[[int, int, QuestionResult], None]


def eval_settings(settings: Settings) -> Settings:
    """The same answer settings, over the eval's own index of ``corpus_dir``."""
    return settings.model_copy(update={"index_dir": settings.eval.index_dir})


def prepared_assistant(settings: Settings) -> Assistant:
    """An ``Assistant`` on the eval index, brought up to date with the corpus (a no-op when it is)."""
    assistant = Assistant(eval_settings(settings))
    assistant.ingest()
    return assistant


def ask_record(asker: Asker, record: GoldenRecord) -> QuestionResult:
    started = time.perf_counter()
    try:
        answer = asker.ask(record.question, list(record.history))
    except QuestionError as error:
        return failed_result(record, str(error), (time.perf_counter() - started) * 1000)
    except IndexUnavailable:
        raise  # infrastructure, not an answer: the run stops with exit 2
    except Exception as error:  # a crash while answering fails this question, and is shown
        return failed_result(record, f"{error.__class__.__name__}: {error}"[:300],
                             (time.perf_counter() - started) * 1000)
    return score_answer(record, answer, (time.perf_counter() - started) * 1000)


def run_questions(asker: Asker, records: Sequence[GoldenRecord],
                  progress: Progress | None = None) -> list[QuestionResult]:
    """One question at a time, in file order: the run is deterministic and its timings honest.

    ``IndexUnavailable`` and other infrastructure errors propagate: they are not a regression.
    """
    results = []
    for position, record in enumerate(records, start=1):
        result = ask_record(asker, record)
        results.append(result)
        if progress:
            progress(position, len(records), result)
    return results


def run_eval(
    asker: Asker,
    dataset: Dataset,
    settings: Settings,
    corpus_hash: str,
    config: str = "default",
    progress: Progress | None = None,
    settings_hash: str | None = None,
) -> RunResult:
    started = time.perf_counter()
    questions = run_questions(asker, dataset.records, progress)
    return RunResult(
        config=config,
        dataset_path=dataset.path,
        dataset_hash=dataset.content_hash(),
        corpus_hash=corpus_hash,
        settings_hash=settings_hash or settings.settings_hash(),
        settings=settings.answer_fingerprint(),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - started, 1),
        questions=questions,
        aggregates=aggregate(questions),
        confusion=refusal_confusion(questions),
    )
