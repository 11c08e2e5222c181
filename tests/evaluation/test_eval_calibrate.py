"""Calibration: thresholds are chosen on the calibration halves only, never on the test halves."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.evaluation import suites
from assistant.evaluation.calibrate import Point, calibrate, choose
from assistant.evaluation.dataset import load_dataset
from assistant.models import Answer, Turn
from tests.evaluation.conftest import isolate

pytestmark = pytest.mark.eval


def point(value: float, passed: int, wrong_answers: int = 0, false_answers: int = 0) -> Point:
    return Point(value, passed, 10, wrong_answers, 0, {}, false_answers)


def test_the_choice_most_passes_then_fewest_wrong_answers_then_the_middle_of_the_tie() -> None:
    points = [point(0.30, 5, 2), point(0.31, 7, 1), point(0.32, 7, 1), point(0.33, 7, 1), point(0.34, 7, 0),
              point(0.35, 6, 0)]
    assert choose(points).value == 0.34
    # a wrong answer costs a pass, a false answer (out of scope, answered) two: 9 passes with 2 wrong
    # answers tie 7 with none and lose on the wrong answers; with one of them a false answer they lose outright
    assert choose([point(0.20, 9, 2), point(0.40, 7, 0)]).value == 0.40
    assert choose([point(0.20, 9, 2, 1), point(0.40, 7, 0), point(0.45, 7, 0)]).value in (0.40, 0.45)
    assert choose([point(0.20, 10, 2, 0), point(0.40, 7, 0)]).value == 0.20
    flat = [point(0.30, 7, 1), point(0.31, 7, 1), point(0.32, 7, 1), point(0.33, 6, 1)]
    assert choose(flat).value == 0.31


def test_only_calibration_questions_are_asked(eval_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, eval_home)
    asked: list[str] = []
    ask = Assistant.ask

    def recording(self: Assistant, question: str, history: list[Turn] | None = None, **kwargs: object) -> Answer:
        asked.append(question)
        return ask(self, question, history, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Assistant, "ask", recording)
    dataset = load_dataset(suites.SUITES["main"].dataset)
    halves = dataset.halves()
    points = calibrate([suites.SUITES["main"]], thresholds=(0.0, 0.36, 0.99))
    calibration = {r.question for r in dataset.records if halves[r.id] == "calibration"}
    assert set(asked) == calibration and len(asked) == 3 * len(calibration)
    low, default, high = points
    assert low.false_answers > default.false_answers and high.false_refusals > default.false_refusals
    assert choose(points).value == 0.36
