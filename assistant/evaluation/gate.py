"""The regression gate: compare a run with the baseline and decide exit 0 (fine) or 1 (regression).

A regression is either
- a question marked ``critical`` that passed in the baseline and fails now, or
- an aggregate that got worse than the baseline's by more than its tolerance (absolute).

Every aggregate is gated with a tolerance of 0.02 (two points). On the 112-question set a
whole-set rate moves by 0.009 per question, so two questions may trade places before the gate
fails; the false-answer rate is over the ~20 must-refuse questions, so any new false answer
fails it. The pipeline is deterministic: unchanged code and settings give deltas of exactly 0.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from .metrics import LOWER_IS_BETTER
from .results import RunResult

DEFAULT_TOLERANCE = 0.02
TOLERANCES: dict[str, float] = {}  # per-aggregate overrides of DEFAULT_TOLERANCE
EXIT_OK, EXIT_REGRESSION, EXIT_ERROR = 0, 1, 2


class StatusChange(BaseModel):
    id: str
    critical: bool
    before: str
    after: str
    reasons: list[str] = Field(default_factory=list)


class AggregateDelta(BaseModel):
    name: str
    baseline: float
    current: float
    delta: float
    tolerance: float
    lower_is_better: bool
    regressed: bool


class GateResult(BaseModel):
    regressions: list[str]
    changes: list[StatusChange]
    deltas: list[AggregateDelta]

    @property
    def exit_code(self) -> int:
        return EXIT_REGRESSION if self.regressions else EXIT_OK


def tolerance_for(name: str) -> float:
    return TOLERANCES.get(name, DEFAULT_TOLERANCE)


def compare_runs(baseline: RunResult, current: RunResult) -> GateResult:
    regressions: list[str] = []
    changes: list[StatusChange] = []
    before = baseline.by_id()
    for question in current.questions:
        old = before.get(question.id)
        if old is None or old.passed == question.passed:
            continue
        changes.append(StatusChange(id=question.id, critical=question.critical, before=old.status,
                                    after=question.status, reasons=question.reasons))
        if question.critical and old.passed and not question.passed:
            why = "; ".join(question.reasons[:2]) or "failed"
            regressions.append(f"critical question {question.id} went pass -> fail ({why})")

    deltas: list[AggregateDelta] = []
    for name, value in current.aggregates.items():
        if name not in baseline.aggregates:
            continue
        old_value = baseline.aggregates[name]
        lower = name in LOWER_IS_BETTER
        worse_by = (value - old_value) if lower else (old_value - value)
        tolerance = tolerance_for(name)
        regressed = worse_by > tolerance + 1e-9
        deltas.append(AggregateDelta(name=name, baseline=old_value, current=value,
                                     delta=round(value - old_value, 4), tolerance=tolerance,
                                     lower_is_better=lower, regressed=regressed))
        if regressed:
            regressions.append(f"{name} {old_value:.3f} -> {value:.3f} "
                               f"({'+' if lower else '-'}{worse_by:.3f}, tolerance {tolerance:.2f})")
    return GateResult(regressions=regressions, changes=changes, deltas=deltas)
