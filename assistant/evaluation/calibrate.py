"""``assistant eval --calibrate``: tune the answer settings on the calibration halves only.

The settings of ``SWEEPS`` are tuned in turn, each with the others held at their last choice (two
rounds at most, fewer when a round moves none): the refusal threshold (the evidence the best quote
needs), the share of it each further quote needs (``quote_floor``) and the best quote of a broad
answer needs (``broad_floor``), the share of the best score a further quote needs
(``select_ratio``), and the four weights of the sentence score. Every candidate value is run on the
calibration half of each suite (the test halves are never asked), and the one that passes most
calibration questions, pooled over the suites, less its wrong answers (an answer missing what was
asked cancels a pass) and less its false answers once more (an answer to a question the corpus
cannot answer is worse still), is chosen; ties go to fewer wrong answers, then to the middle of the
tied run of values (the widest margin on both sides). Weighing every wrong answer twice would choose
to refuse everything while precision is below two thirds. A setting moves from its current value
only for a gain. The command prints the tables and the chosen values; it changes no setting: set
them (``ASSISTANT_REFUSAL_THRESHOLD`` and the others, or their defaults, recorded in
``assistant/tunables.py``), then record a baseline.
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
SELECT_RATIOS = tuple(round(0.2 + 0.1 * i, 1) for i in range(7))  # 0.2 .. 0.8
# Every answer setting the sweep tunes, in the order it tunes them, with the values it tries. The
# refusal threshold first (it moves answers most), then the floors, the selection and the weights.
SWEEPS: dict[str, tuple[float, ...]] = {
    "refusal_threshold": THRESHOLDS,
    "quote_floor": QUOTE_FLOORS,
    "broad_floor": QUOTE_FLOORS,
    "select_ratio": SELECT_RATIOS,
    "weight_dense": tuple(round(0.25 + 0.1 * i, 2) for i in range(5)),  # 0.25 .. 0.65
    "weight_lexical": tuple(round(0.25 + 0.1 * i, 2) for i in range(5)),
    "weight_rank": tuple(round(0.05 * i, 2) for i in range(5)),  # 0 .. 0.2
    "weight_fits": tuple(round(0.04 * i, 2) for i in range(5)),  # 0 .. 0.16
}
# With the trained reader scoring the sentences, a score is the reader's probability that the sentence
# answers: the threshold spans most of 0-1, and the weights only choose which sentences it reads.
READER_SWEEPS: dict[str, tuple[float, ...]] = {
    "refusal_threshold": tuple(round(0.10 + 0.04 * i, 2) for i in range(21)),  # 0.10 .. 0.90
    "reader_weight": (0.25, 0.5, 0.75, 1.0),
    "quote_floor": QUOTE_FLOORS,
    "broad_floor": QUOTE_FLOORS,
    "select_ratio": SELECT_RATIOS,
}
ROUNDS = 2


def sweeps_for(scorer: str) -> dict[str, tuple[float, ...]]:
    return READER_SWEEPS if scorer == "reader" else SWEEPS


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


def choose(points: Sequence[Point], current: float | None = None) -> Point:
    """Best merit, then fewest wrong answers; the current value when it is among the best (a setting
    moves only for a gain), else the middle of the tied run of values."""
    best = max(points, key=lambda p: (merit(p), -p.wrong_answers))
    tied = [p for p in points if (merit(p), p.wrong_answers) == (merit(best), best.wrong_answers)]
    kept = next((p for p in tied if current is not None and abs(p.value - current) < 1e-9), None)
    if kept is not None:
        return kept
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
    """Each setting of ``SWEEPS`` in turn, the others held at their last choice, until a round
    moves none (``ROUNDS`` at most); calibration halves only."""
    current = current_settings().answer
    sweep = sweeps_for(current.scorer)
    echo(f"calibrating for the {current.scorer} scorer: {', '.join(sweep)}")
    chosen: dict[str, float] = {name: float(getattr(current, name)) for name in sweep}
    sweeps: dict[str, tuple[list[Point], Point]] = {}
    for _ in range(ROUNDS):
        moved = False
        for name, values in sweep.items():
            held = {other: value for other, value in chosen.items() if other != name}
            points = calibrate(suites, values, name, progress, echo, **held)
            best = choose(points, chosen[name])
            moved = moved or abs(best.value - chosen[name]) > 1e-9
            chosen[name] = best.value
            sweeps[name] = (points, best)
        if not moved:
            break
    tables = "\n\n".join(calibration_table(points, best, name) for name, (points, best) in sweeps.items())
    echo(tables)
    last = sweeps[list(sweep)[-1]][1]
    echo("calibrated: " + ", ".join(f"{name} {value:g} (current {float(getattr(current, name)):g})"
                                    for name, value in chosen.items())
         + f"; {last.passed}/{last.questions} calibration questions pass, {last.wrong_answers} wrong answers")
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / "calibration.md").write_text(tables + "\n", encoding="utf-8")
    (reports_dir / "calibration.json").write_text(json.dumps(
        {"scorer": current.scorer, "chosen": chosen,
         "current": {name: float(getattr(current, name)) for name in sweep},
         **{name: [asdict(p) for p in points] for name, (points, _) in sweeps.items()}},
        indent=1), encoding="utf-8")
    return EXIT_OK
