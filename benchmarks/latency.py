"""Warm ``ask`` latency over the golden questions, broken down, and the naive baseline beside it.

Both systems answer the same questions in the same process and the same rounds, their order
alternating from round to round, so their ratio is not skewed by whatever else the machine is
doing at one moment.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, Protocol

from assistant.api import Assistant
from assistant.models import Turn

from .common import Question, TimedEmbeddings, distribution, log, percentile


class Asker(Protocol):
    def ask(self, question: str, history: list[Turn] | None = None) -> Any: ...


def _per_round(rounds: list[list[float]]) -> dict[str, Any]:
    """p50 and p95 of each round; the figure is their median across rounds, the spread min–max."""
    p50s = [percentile(r, 50) for r in rounds]
    p95s = [percentile(r, 95) for r in rounds]
    pooled = [x for r in rounds for x in r]
    return {
        "p50": round(statistics.median(p50s), 2),
        "p95": round(statistics.median(p95s), 2),
        "p50_spread": [round(min(p50s), 2), round(max(p50s), 2)],
        "p95_spread": [round(min(p95s), 2), round(max(p95s), 2)],
        "spread": "min–max of per-round percentiles",
        "rounds": len(rounds),
        "questions": len(rounds[0]) if rounds else 0,
        "pooled": distribution(pooled),
    }


class _DefaultRunner:
    """Times the default assistant and keeps each ask's embed / retrieve / answer split."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.timed = TimedEmbeddings(assistant.embeddings)
        assistant.embeddings = self.timed  # _retrieve embeds the query through this attribute
        self.parts: dict[str, list[float]] = {"embed": [], "retrieve": [], "answer": [], "chain_other": []}

    def __call__(self, question: Question) -> float:
        started = time.perf_counter()
        answer = self.assistant.ask(question.text, question.history)
        total = (time.perf_counter() - started) * 1000
        embed = self.timed.take_ms()
        self.parts["embed"].append(embed)
        self.parts["retrieve"].append(answer.timings_ms.retrieve - embed)
        self.parts["answer"].append(answer.timings_ms.answer)
        self.parts["chain_other"].append(total - answer.timings_ms.retrieve - answer.timings_ms.answer)
        return total

    def restore(self) -> None:
        self.assistant.embeddings = self.timed.inner


def _plain_runner(asker: Asker) -> Callable[[Question], float]:
    def run(question: Question) -> float:
        started = time.perf_counter()
        asker.ask(question.text, question.history)
        return (time.perf_counter() - started) * 1000

    return run


def measure(assistant: Assistant, questions: list[Question], rounds: int,
            baseline: Asker | None = None) -> dict[str, Any]:
    default = _DefaultRunner(assistant)
    runners: dict[str, Callable[[Question], float]] = {"default": default}
    if baseline is not None:
        runners["baseline"] = _plain_runner(baseline)
    try:
        for name, run in runners.items():  # warm: every question once, not measured
            for question in questions:
                run(question)
            log(f"warmed {name} on {len(questions)} questions")
        for parts in default.parts.values():
            parts.clear()
        samples: dict[str, list[list[float]]] = {name: [] for name in runners}
        for round_index in range(rounds):
            order = list(runners) if round_index % 2 == 0 else list(reversed(runners))
            for name in order:
                samples[name].append([runners[name](q) for q in questions])
            log(f"latency round {round_index + 1}/{rounds}: "
                + ", ".join(f"{n} p50 {percentile(samples[n][-1], 50):.1f} ms" for n in order))
    finally:
        default.restore()

    result: dict[str, Any] = {
        "ask_ms": _per_round(samples["default"]),
        "ask_breakdown_ms": {part: distribution(values) for part, values in default.parts.items()},
    }
    if baseline is not None:
        result["baseline_ask_ms"] = _per_round(samples["baseline"])
        p50_ratios = [percentile(b, 50) / percentile(d, 50)
                      for b, d in zip(samples["baseline"], samples["default"], strict=True)]
        p95_ratios = [percentile(b, 95) / percentile(d, 95)
                      for b, d in zip(samples["baseline"], samples["default"], strict=True)]
        result["latency_ratio_naive_over_default"] = {
            "p50": round(statistics.median(p50_ratios), 3),
            "p95": round(statistics.median(p95_ratios), 3),
            "p50_spread": [round(min(p50_ratios), 3), round(max(p50_ratios), 3)],
            "spread": "min–max of per-round ratios",
            "rounds": rounds,
        }
    return result
