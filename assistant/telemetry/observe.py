"""What the core reports: its steps (timed, and traced when tracing is on) and each answer.

The core calls ``step`` around condense, retrieve and each LLM call, ``started``/``finished`` around
the answer (a generator), and ``answered`` with each answer. Listeners (the Prometheus metrics,
when a server loads them) subscribe with ``on_step`` and ``on_answer``; with none, a step costs
a clock read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from ..models import Answer
from . import tracing

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
StepListener = Callable[[str, float], None]
AnswerListener = Callable[[Answer, bool], None]
_step_listeners: list[StepListener] = []
_answer_listeners: list[AnswerListener] = []


def on_step(listener: StepListener) -> None:
    if listener not in _step_listeners:
        _step_listeners.append(listener)


def on_answer(listener: AnswerListener) -> None:
    if listener not in _answer_listeners:
        _answer_listeners.append(listener)


def _tell_step(name: str, seconds: float) -> None:
    for listener in _step_listeners:
        try:
            listener(name, seconds)
        except Exception:  # a metric must never cost an answer
            log.exception("step listener failed")


@contextmanager
def step(name: str, **attributes: Any) -> Iterator[None]:
    """Time and trace one step of the chain."""
    started = time.perf_counter()
    try:
        with tracing.span(name, **attributes):
            yield
    finally:
        _tell_step(name, time.perf_counter() - started)


@dataclass
class OpenStep:
    """A step spanning a generator: ended by ``finish``, wherever the generator is resumed."""

    name: str
    started: float
    span: Any

    def finish(self, **attributes: Any) -> None:
        if self.span is not None:
            for key, value in attributes.items():
                self.span.set_attribute(key, value)
            self.span.end()
        _tell_step(self.name, time.perf_counter() - self.started)


def started(name: str, parent: OpenStep | None = None, **attributes: Any) -> OpenStep:
    """A step the caller finishes; its span is a child of ``parent``'s, else of the current span."""
    return OpenStep(name, time.perf_counter(),
                    tracing.start(name, parent.span if parent is not None else None, **attributes))


def traced(name: str, function: Callable[[T], R]) -> Callable[[T], R]:
    """``function`` run as the step ``name`` (for the chain's runnables)."""

    def run(value: T) -> R:
        with step(name):
            return function(value)

    run.__name__ = name
    return run


def answered(answer: Answer, llm_configured: bool) -> None:
    """One answer given (``llm_configured``: an LLM was to write it, so extractive mode is a fallback)."""
    for listener in _answer_listeners:
        try:
            listener(answer, llm_configured)
        except Exception:
            log.exception("answer listener failed")
