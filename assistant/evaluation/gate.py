"""The regression gate: compare a suite's run with its baseline and decide exit 0 (fine) or 1.

A regression is either
- a question marked ``critical`` that passed in the baseline and fails now,
- more critical questions failing than in the baseline (whichever they are), or
- an aggregate of the test half or of the calibration half that got worse than the baseline's
  by more than its tolerance (absolute).

The tolerance of an aggregate is 0.02, or one question of that half when a half is small (1/35
= 0.029 on the natural set's halves): one question may change status, two may not. Rates over
few questions (false answers over the must-refuse ones, uncorrected premises) move by more
than that per question, so any new false answer fails. The pipeline is deterministic:
unchanged code, corpus and settings give deltas of exactly 0.

The baseline may have been made with another golden set, corpus or settings: the run is
compared all the same, question by question (questions matched by id), and what changed is
listed first.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from .baseline import what_changed
from .metrics import LOWER_IS_BETTER
from .results import RunResult

DEFAULT_TOLERANCE = 0.02
TOLERANCES: dict[str, float] = {}  # per-aggregate overrides of DEFAULT_TOLERANCE
EXIT_OK, EXIT_REGRESSION, EXIT_ERROR = 0, 1, 2
HALF_ORDER = ("test", "calibration")


class StatusChange(BaseModel):
    id: str
    half: str
    critical: bool
    before: str
    after: str
    reasons: list[str] = Field(default_factory=list)


class AggregateDelta(BaseModel):
    half: str
    name: str
    baseline: float
    current: float
    delta: float
    tolerance: float
    lower_is_better: bool
    regressed: bool


class GateResult(BaseModel):
    suite: str = "main"
    context: list[str] = Field(default_factory=list, description="What differs from the baseline's run.")
    regressions: list[str]
    critical_regressions: list[str] = Field(default_factory=list, description="Ids of critical pass -> fail.")
    changes: list[StatusChange]
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    deltas: list[AggregateDelta]

    @property
    def exit_code(self) -> int:
        return EXIT_REGRESSION if self.regressions else EXIT_OK


def tolerance_for(name: str, questions_in_half: int = 0) -> float:
    one_question = 1.0 / questions_in_half if questions_in_half else 0.0
    return round(max(TOLERANCES.get(name, DEFAULT_TOLERANCE), one_question), 4)


def compare_runs(baseline: RunResult, current: RunResult) -> GateResult:
    regressions: list[str] = []
    critical: list[str] = []
    changes: list[StatusChange] = []
    before = baseline.by_id()
    for question in current.questions:
        old = before.get(question.id)
        if old is None or old.passed == question.passed:
            continue
        changes.append(StatusChange(id=question.id, half=question.half, critical=question.critical,
                                    before=old.status, after=question.status, reasons=question.reasons))
        if question.critical and old.passed and not question.passed:
            why = "; ".join(question.reasons[:2]) or "failed"
            critical.append(question.id)
            regressions.append(f"critical question {question.id} went pass -> fail ({why})")

    failing_then = sum(q.critical and not q.passed for q in baseline.questions)
    failing_now = sum(q.critical and not q.passed for q in current.questions)
    if failing_now > failing_then:
        # A critical question failing today and another passing instead swap names, not counts: the
        # number guards the critical questions that fail in the baseline as well as those that pass.
        regressions.append(f"failing critical questions: {failing_then} -> {failing_now}")

    deltas: list[AggregateDelta] = []
    for half in HALF_ORDER:
        now, then = current.halves.get(half, {}), baseline.halves.get(half, {})
        size = len(current.half(half))
        for name, value in now.items():
            if name not in then:
                continue
            old_value = then[name]
            lower = name in LOWER_IS_BETTER
            worse_by = (value - old_value) if lower else (old_value - value)
            tolerance = tolerance_for(name, size)
            regressed = worse_by > tolerance + 1e-9
            deltas.append(AggregateDelta(half=half, name=name, baseline=old_value, current=value,
                                         delta=round(value - old_value, 4), tolerance=tolerance,
                                         lower_is_better=lower, regressed=regressed))
            if regressed:
                regressions.append(f"{half} half: {name} {old_value:.3f} -> {value:.3f} "
                                   f"({'+' if lower else '-'}{worse_by:.3f}, tolerance {tolerance:.3f})")
    now_ids = {q.id for q in current.questions}
    return GateResult(
        suite=current.suite, context=what_changed(baseline, current), regressions=regressions,
        critical_regressions=critical, changes=changes,
        added=[q.id for q in current.questions if q.id not in before],
        removed=[q.id for q in baseline.questions if q.id not in now_ids], deltas=deltas,
    )
