"""``assistant eval --calibrate``: tune the refusal threshold on the calibration halves only.

Every candidate threshold is run on the calibration half of each suite (the test halves are
never asked), and the one that passes most calibration questions, pooled over the suites, less
twice its false answers (a wrong answer is worse than a refusal), is chosen; ties go to fewer
false answers, then to the middle of the tied run of thresholds (the
widest margin on both sides). The command prints the table and the chosen value; it changes no
setting: set ``ASSISTANT_REFUSAL_THRESHOLD`` (or its default) to it, then record a baseline.
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

THRESHOLDS = tuple(round(0.20 + 0.01 * i, 2) for i in range(41))  # 0.20 .. 0.60


@dataclass
class Point:
    threshold: float
    passed: int
    questions: int
    false_answers: int
    false_refusals: int
    by_suite: dict[str, int]


# A wrong answer is worse than a refusal: each false answer costs this many passes in the choice.
FALSE_ANSWER_COST = 2


def merit(point: Point) -> int:
    return point.passed - FALSE_ANSWER_COST * point.false_answers


def choose(points: Sequence[Point]) -> Point:
    """Most passes less twice the false answers, then fewest false answers; the middle of the tied
    run of thresholds."""
    best = max(points, key=lambda p: (merit(p), -p.false_answers))
    tied = [p for p in points if (merit(p), p.false_answers) == (merit(best), best.false_answers)]
    run: list[Point] = []
    longest: list[Point] = []
    for point in points:  # the longest contiguous run of tied thresholds
        run = [*run, point] if point in tied else []
        if len(run) > len(longest):
            longest = run
    return longest[(len(longest) - 1) // 2]


def calibrate(suites: Sequence[Suite], thresholds: Sequence[float] = THRESHOLDS,
              progress: Progress | None = None, echo: Callable[[str], None] | None = None) -> list[Point]:
    settings = current_settings()
    per_threshold: dict[float, Point] = {t: Point(t, 0, 0, 0, 0, {}) for t in thresholds}
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
            echo(f"calibrating on the {suite.name} suite: {len(records)} calibration questions "
                 f"x {len(thresholds)} thresholds")
        try:
            for threshold in thresholds:
                assistant.settings = chosen.with_changes(refusal_threshold=threshold)
                results = run_questions(assistant, records, corpus, halves, progress)
                point = per_threshold[threshold]
                point.passed += sum(r.passed for r in results)
                point.questions += len(results)
                point.false_answers += sum(r.must_refuse and not r.refused for r in results)
                point.false_refusals += sum(not r.must_refuse and r.refused for r in results)
                point.by_suite[suite.name] = sum(r.passed for r in results)
        finally:
            assistant.settings = chosen  # the prepared assistant is shared within the process
    return [per_threshold[t] for t in thresholds]


def calibration_table(points: Sequence[Point], chosen: Point) -> str:
    suites = list(points[0].by_suite) if points else []
    lines = ["| refusal_threshold | passed | " + " | ".join(suites) + " | false answers | false refusals | |",
             "|---:|---:|" + "---:|" * len(suites) + "---:|---:|---|"]
    for p in points:
        cells = " | ".join(str(p.by_suite.get(s, 0)) for s in suites)
        lines.append(f"| {p.threshold:.2f} | {p.passed}/{p.questions} | {cells} | {p.false_answers} | "
                     f"{p.false_refusals} | {'chosen' if p is chosen else ''} |")
    return "\n".join(lines)


def run_calibration(suites: Sequence[Suite], reports_dir: Path, echo: Callable[[str], None],
                    progress: Progress | None = None) -> int:
    points = calibrate(suites, progress=progress, echo=echo)
    chosen = choose(points)
    table = calibration_table(points, chosen)
    echo(table)
    current = current_settings().answer.refusal_threshold
    echo(f"calibrated refusal_threshold: {chosen.threshold:.2f} ({chosen.passed}/{chosen.questions} calibration "
         f"questions pass; current setting {current:.2f})")
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / "calibration.md").write_text(table + "\n", encoding="utf-8")
    (reports_dir / "calibration.json").write_text(json.dumps(
        {"chosen": chosen.threshold, "current": current, "points": [asdict(p) for p in points]}, indent=1),
        encoding="utf-8")
    return EXIT_OK
