"""The naive LangChain baseline and the eval suite's accuracy for it and for the default.

Accuracy comes from the eval runner itself (``assistant.evaluation.runner.run_eval``), run on
the very instances the latency figures were taken on; nothing here re-implements scoring.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from assistant.api import Assistant
from assistant.settings import Settings

from .common import Notes, log
from .latency import Asker


def naive_available() -> bool:
    return importlib.util.find_spec("assistant.evaluation.naive") is not None


def make_naive(settings: Settings) -> Asker:
    from assistant.evaluation.naive import NaiveAssistant

    return NaiveAssistant(settings)


def accuracy(assistant: Assistant, naive: Asker | None, notes: Notes) -> dict[str, Any]:
    if importlib.util.find_spec("assistant.evaluation.runner") is None:
        notes.add("the eval runner (assistant/evaluation/runner.py) is missing: no accuracy figures.")
        return {}
    from assistant.evaluation.baseline import corpus_hash
    from assistant.evaluation.dataset import load_dataset
    from assistant.evaluation.runner import run_eval

    dataset = load_dataset()
    corpus = corpus_hash(assistant.settings.corpus_dir)
    result: dict[str, Any] = {}
    askers: dict[str, Any] = {"default": assistant}
    if naive is not None:
        askers["naive"] = naive
    for name, asker in askers.items():
        run = run_eval(asker, dataset, assistant.settings, corpus, config=name)
        summary: dict[str, Any] = {key: round(float(run.aggregates[key]), 4)
                   for key in ("accuracy", "precision", "pass_rate", "false_refusal_rate",
                               "false_answer_rate", "hit@5", "mrr@10")
                   if key in run.aggregates}
        summary["questions"] = len(run.questions)
        summary["eval_duration_s"] = run.duration_s
        result[name] = summary
        log(f"eval {name}: accuracy {summary.get('accuracy')} over {len(run.questions)} questions "
            f"({run.duration_s} s)")
    return result
