"""What ``assistant eval`` does, step by step, with every failure turned into one plain line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import BaselineError, DatasetError, EvalFailure, IndexUnavailable, LLMConfigError, UnknownConfiguration
from ..settings import Settings
from .baseline import corpus_manifest, load_baseline, manifest_hash, save_baseline
from .compare import DEFAULT_COMPARISON, comparison_table, run_configurations
from .dataset import Dataset, load_dataset
from .gate import EXIT_OK, EXIT_REGRESSION, GateResult, compare_runs
from .judge import Judge, judge_results, make_judge
from .reports import Report, SuiteReport, write_reports
from .results import RunResult
from .runner import Progress, prepared_assistant, run_eval
from .suites import Suite

Echo = Callable[[str], None]


def load_suite_dataset(suite: Suite) -> Dataset:
    try:
        return load_dataset(suite.dataset)
    except DatasetError as error:
        raise EvalFailure(str(error)) from None


def current_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # every field has a default


def run_suite(suite: Suite, dataset: Dataset, settings: Settings, progress: Progress | None = None,
              judge: Judge | None = None) -> tuple[RunResult, dict[str, float] | None]:
    """Index the suite's corpus (incrementally) into its eval index and run its golden set."""
    chosen = suite.settings(settings)
    if not chosen.corpus_dir.is_dir():
        raise EvalFailure(f"the corpus of the {suite.name} suite is missing: {chosen.corpus_dir}")
    manifest = corpus_manifest(chosen.corpus_dir)
    try:
        assistant = prepared_assistant(chosen)
        run = run_eval(assistant, dataset, chosen, manifest_hash(manifest), progress=progress, suite=suite.name)
    except (IndexUnavailable, LLMConfigError) as error:
        raise EvalFailure(str(error)) from None
    run.corpus_files = manifest
    judged = judge_results(judge, dataset.records, run.questions) if judge else None
    return run, judged


def summary_line(run: RunResult) -> str:
    """The calibration half only: the figures one works from day to day. The test half goes to the
    report (``evals/reports/``) and docs/evals.md, so a change is not tuned against it by habit."""
    parts = []
    for half in ("calibration",):
        questions = run.half(half)
        values = run.halves.get(half, {})
        parts.append(f"{half} half {sum(q.passed for q in questions)}/{len(questions)} pass "
                     f"(accuracy {values.get('accuracy', 0):.3f}, claim support {values.get('claim_support', 0):.3f}, "
                     f"noise {values.get('noise', 0):.3f}, nDCG@10 {values.get('ndcg@10', 0):.3f}, "
                     f"facts retrieved {values.get('context_recall', 0):.3f}, "
                     f"stated {values.get('fact_recall', 0):.3f})")
    tested = run.half("test")
    return (f"eval {run.suite}: " + "; ".join(parts) + f"; test half in the report ({len(tested)} questions); "
            f"{run.duration_s:.0f} s")


def describe_gate(gate: GateResult, echo: Echo, all_deltas: bool = False) -> None:
    for line in gate.context:
        echo(f"  compared although the {line}")
    if gate.added or gate.removed:
        echo(f"  questions added: {', '.join(gate.added) or 'none'}; removed: {', '.join(gate.removed) or 'none'}")
    changes = ", ".join(f"{c.id} {c.before}->{c.after}" for c in gate.changes if c.half != "test") or "none"
    tested = sum(c.half == "test" for c in gate.changes)
    echo(f"  status changes since the baseline: {changes}"
         + (f"; {tested} on the test half (listed in the report)" if tested else ""))
    if all_deltas:
        moved = [d for d in gate.deltas if abs(d.delta) > 5e-5]
        for d in moved:
            echo(f"  {d.half} half: {d.name} {d.baseline:.3f} -> {d.current:.3f} ({d.delta:+.3f})")
        if not moved:
            echo("  no aggregate moved")


def run_gate(suites: Sequence[Suite], reports_dir: Path, update_baseline: bool, with_judge: bool, echo: Echo,
             progress: Progress | None = None, accepted: Sequence[str] = ()) -> int:
    settings = current_settings()
    judge = None
    if with_judge:
        try:
            judge = make_judge(settings)
        except LLMConfigError as error:
            raise EvalFailure(f"the judge model cannot be used: {error}") from None
        if judge is None:
            raise EvalFailure("--judge needs a judge model: set ASSISTANT_EVAL_JUDGE_LLM (e.g. openai:MODEL)")
    plans: list[tuple[Suite, Dataset, RunResult | None]] = []
    for suite in suites:  # every dataset and baseline is read before minutes are spent on a run
        dataset = load_suite_dataset(suite)
        try:
            baseline: RunResult | None = load_baseline(suite.baseline)
        except BaselineError as error:
            if not update_baseline:
                raise EvalFailure(str(error)) from None
            baseline = None
        plans.append((suite, dataset, baseline))

    parts: list[SuiteReport] = []
    for suite, dataset, baseline in plans:
        run, judged = run_suite(suite, dataset, settings, progress, judge)
        echo(summary_line(run))
        if judged:
            echo("  advisory judge (not gated): " + ", ".join(f"{k} {v:.3f}" for k, v in judged.items()))
        gate = compare_runs(baseline, run) if baseline else None
        parts.append(SuiteReport(suite=suite.name, baseline_path=str(suite.baseline), run=run, baseline=baseline,
                                 gate=gate, judge=judged, verdict="pass"))

    code = _update(parts, accepted, echo) if update_baseline else _decide(parts, echo)
    report = Report(suites=parts)
    paths = write_reports(report, reports_dir)
    echo("reports: " + ", ".join(str(p) for p in paths))
    return code


def _decide(parts: list[SuiteReport], echo: Echo) -> int:
    code = EXIT_OK
    for part in parts:
        assert part.gate is not None
        echo(f"{part.suite}: compared with {part.baseline_path}")
        describe_gate(part.gate, echo)
        if part.gate.regressions:
            part.verdict, code = "regression", EXIT_REGRESSION
            echo(f"REGRESSION in the {part.suite} suite:")
            for line in part.gate.regressions:
                echo(f"  - {line}")
        else:
            echo(f"{part.suite}: no regression against the baseline")
    return code


def _update(parts: list[SuiteReport], accepted: Sequence[str], echo: Echo) -> int:
    """Show what each new baseline accepts; refuse every one if a critical question regresses
    and is not named by ``--accept-regression``."""
    refused: list[str] = []
    for part in parts:
        if part.gate is None:
            echo(f"{part.suite}: no readable baseline at {part.baseline_path}; recording this run")
            continue
        echo(f"{part.suite}: the new baseline accepts, against {part.baseline_path}:")
        describe_gate(part.gate, echo, all_deltas=True)
        refused += [f"{part.suite}/{i}" for i in part.gate.critical_regressions if i not in accepted]
    if refused:
        for part in parts:
            part.verdict = "refused"
            part.reason = ("Baseline not updated: critical questions regress: " + ", ".join(refused)
                           + ". Name each with --accept-regression ID if that is intended.")
        echo(parts[0].reason)
        return EXIT_REGRESSION
    for part in parts:
        save_baseline(part.run, Path(part.baseline_path))
        part.verdict = "baseline updated"
        part.reason = f"Baseline written to {part.baseline_path}."
        echo(f"baseline updated: {part.baseline_path}")
    return EXIT_OK


def run_comparison(names: list[str], suites: Sequence[Suite], reports_dir: Path, echo: Echo,
                   progress: Progress | None = None) -> int:
    settings = current_settings()
    reports_dir.mkdir(parents=True, exist_ok=True)
    tables = []
    for suite in suites:
        dataset = load_suite_dataset(suite)
        chosen = suite.settings(settings)
        manifest = corpus_manifest(chosen.corpus_dir)
        try:
            runs = run_configurations(names or list(DEFAULT_COMPARISON), dataset, chosen,
                                      manifest_hash(manifest), progress, suite=suite.name)
        except (UnknownConfiguration, IndexUnavailable, LLMConfigError) as error:
            raise EvalFailure(str(error)) from None
        table = f"### {suite.name} suite, test half\n\n" + comparison_table(runs)
        echo(table)
        tables.append(table)
        for run in runs:
            (reports_dir / f"compare-{suite.name}-{run.config}.json").write_text(
                run.model_dump_json(indent=1), encoding="utf-8")
    (reports_dir / "compare.md").write_text("\n\n".join(tables) + "\n", encoding="utf-8")
    echo(f"tables and runs written to {reports_dir}")
    return EXIT_OK
