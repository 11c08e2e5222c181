"""``assistant eval --calibrate``: tune the answer thresholds on the calibration halves only.

Two settings are tuned in turn, each with the other held (two rounds at most, fewer when the
second setting's choice does not move): the refusal threshold (the evidence
the best quote needs, ``refusal_threshold``), then the share of it that each further quote needs
(``quote_floor``). Every candidate value is run on the calibration half of each suite (the test
halves are never asked), and the one that passes most calibration questions, pooled over the
suites, less its wrong answers (an answer missing what was asked cancels a pass) and less its
false answers once more (an answer to a question the corpus cannot answer is worse still), is
chosen; ties go to fewer wrong answers, then to the middle of the tied run of values (the widest
margin on both sides). Weighing every wrong answer twice would choose to refuse everything while
precision is below two thirds. The command prints the tables and the chosen values; it changes no setting: set them
(``ASSISTANT_REFUSAL_THRESHOLD``, ``ASSISTANT_QUOTE_FLOOR`` or their defaults), then record a baseline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import EvalFailure, IndexUnavailable, LLMConfigError
from .gate import EXIT_OK
from .gate_flow import current_settings, load_suite_dataset
from .runner import Progress, prepared_assistant, run_questions
from .sources import CorpusDocuments
from .suites import Suite

THRESHOLDS = tuple(round(0.20 + 0.02 * i, 2) for i in range(21))  # 0.20 .. 0.60
QUOTE_FLOORS = tuple(round(0.3 + 0.1 * i, 1) for i in range(8))  # 0.3 .. 1.0
ROUNDS = 2


@dataclass
class Point:
    value: float
    passed: int
    questions: int
    wrong_answers: int  # answered, and not correct: a must-refuse question answered, or a fact missing
    false_refusals: int
    by_suite: dict[str, int]
    false_answers: int = 0  # of which: a question the corpus cannot answer, answered


def merit(point: Point) -> int:
    """A wrong answer costs a pass; one to a question the corpus cannot answer costs two."""
    return point.passed - point.wrong_answers - point.false_answers


def choose(points: Sequence[Point]) -> Point:
    """Best merit, then fewest wrong answers; the middle of the tied run of values."""
    best = max(points, key=lambda p: (merit(p), -p.wrong_answers))
    tied = [p for p in points if (merit(p), p.wrong_answers) == (merit(best), best.wrong_answers)]
    run: list[Point] = []
    longest: list[Point] = []
    for point in points:  # the longest contiguous run of tied values
        run = [*run, point] if point in tied else []
        if len(run) > len(longest):
            longest = run
    return longest[(len(longest) - 1) // 2]


def calibrate(suites: Sequence[Suite], thresholds: Sequence[float] = THRESHOLDS, setting: str = "refusal_threshold",
              progress: Progress | None = None, echo: Callable[[str], None] | None = None,
              **held: float) -> list[Point]:
    """One point per value of ``setting`` (the other answer settings as configured, or as ``held``)."""
    settings = current_settings().with_changes(**held) if held else current_settings()
    per_value: dict[float, Point] = {t: Point(t, 0, 0, 0, 0, {}) for t in thresholds}
    for suite in suites:
        dataset = load_suite_dataset(suite)
        halves = dataset.halves()
        records = [r for r in dataset.records if halves[r.id] == "calibration"]
        chosen = suite.settings(settings)
        try:
            assistant = prepared_assistant(chosen)
        except (IndexUnavailable, LLMConfigError) as error:
            raise EvalFailure(str(error)) from None
        corpus = CorpusDocuments.load(chosen.corpus_dir, chosen.max_file_bytes)
        if echo:
            echo(f"calibrating {setting} on the {suite.name} suite: {len(records)} calibration questions "
                 f"x {len(thresholds)} values")
        try:
            for value in thresholds:
                assistant.settings = chosen.with_changes(**{setting: value})
                results = run_questions(assistant, records, corpus, halves, progress)
                point = per_value[value]
                point.passed += sum(r.passed for r in results)
                point.questions += len(results)
                point.wrong_answers += sum(not r.refused and not r.correct for r in results)
                point.false_answers += sum(r.must_refuse and not r.refused for r in results)
                point.false_refusals += sum(not r.must_refuse and r.refused for r in results)
                point.by_suite[suite.name] = sum(r.passed for r in results)
        finally:
            assistant.settings = chosen  # the prepared assistant is shared within the process
    return [per_value[t] for t in thresholds]


def calibration_table(points: Sequence[Point], chosen: Point, setting: str = "refusal_threshold") -> str:
    suites = list(points[0].by_suite) if points else []
    lines = [f"| {setting} | passed | " + " | ".join(suites) + " | wrong answers | of which out of scope | "
             "false refusals | |",
             "|---:|---:|" + "---:|" * len(suites) + "---:|---:|---:|---|"]
    for p in points:
        cells = " | ".join(str(p.by_suite.get(s, 0)) for s in suites)
        lines.append(f"| {p.value:.2f} | {p.passed}/{p.questions} | {cells} | {p.wrong_answers} | {p.false_answers} | "
                     f"{p.false_refusals} | {'chosen' if p is chosen else ''} |")
    return "\n".join(lines)


def run_calibration(suites: Sequence[Suite], reports_dir: Path, echo: Callable[[str], None],
                    progress: Progress | None = None) -> int:
    current = current_settings().answer
    floor_value = current.quote_floor
    for _ in range(ROUNDS):  # each setting in turn, the other held at its last choice, until neither moves
        thresholds = calibrate(suites, THRESHOLDS, "refusal_threshold", progress, echo, quote_floor=floor_value)
        threshold = choose(thresholds)
        floors = calibrate(suites, QUOTE_FLOORS, "quote_floor", progress, echo, refusal_threshold=threshold.value)
        floor = choose(floors)
        if floor.value == floor_value:
            break
        floor_value = floor.value
    tables = (calibration_table(thresholds, threshold, "refusal_threshold") + "\n\n"
              + calibration_table(floors, floor, "quote_floor"))
    echo(tables)
    echo(f"calibrated refusal_threshold: {threshold.value:.2f} (current setting {current.refusal_threshold:.2f}); "
         f"quote_floor: {floor.value:.1f} (current {current.quote_floor:.1f}); {floor.passed}/{floor.questions} "
         f"calibration questions pass, {floor.wrong_answers} wrong answers")
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / "calibration.md").write_text(tables + "\n", encoding="utf-8")
    (reports_dir / "calibration.json").write_text(json.dumps(
        {"chosen": {"refusal_threshold": threshold.value, "quote_floor": floor.value},
         "current": {"refusal_threshold": current.refusal_threshold, "quote_floor": current.quote_floor},
         "refusal_threshold": [asdict(p) for p in thresholds], "quote_floor": [asdict(p) for p in floors]},
        indent=1), encoding="utf-8")
    return EXIT_OK
