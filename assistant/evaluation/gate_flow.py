"""What ``assistant eval`` does, step by step, with every failure turned into one plain line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import BaselineError, DatasetError, EvalFailure, IndexUnavailable, LLMConfigError, UnknownConfiguration
from ..settings import Settings
from .baseline import check_comparable, corpus_hash, load_baseline, save_baseline
from .compare import DEFAULT_COMPARISON, comparison_table, run_configurations
from .dataset import Dataset, load_dataset
from .gate import EXIT_OK, compare_runs
from .judge import judge_results, make_judge
from .reports import Report, write_reports
from .runner import Progress, prepared_assistant, run_eval

Echo = Callable[[str], None]


def _dataset(path: Path) -> Dataset:
    try:
        return load_dataset(path)
    except DatasetError as error:
        raise EvalFailure(str(error)) from None


def _settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # every field has a default


def run_gate(dataset_path: Path, baseline_path: Path, reports_dir: Path, update_baseline: bool,
             with_judge: bool, echo: Echo, progress: Progress | None = None) -> int:
    settings = _settings()
    dataset = _dataset(dataset_path)
    corpus = corpus_hash(settings.corpus_dir)
    judge = None
    if with_judge:
        try:
            judge = make_judge(settings)
        except LLMConfigError as error:
            raise EvalFailure(f"the judge model cannot be used: {error}") from None
        if judge is None:
            raise EvalFailure("--judge needs a judge model: set ASSISTANT_EVAL_JUDGE_LLM (e.g. openai:MODEL)")
    baseline = None
    if not update_baseline:
        try:
            baseline = load_baseline(baseline_path)
            check_comparable(baseline, dataset.content_hash(), corpus, settings.settings_hash(),
                             settings.answer_fingerprint())
        except BaselineError as error:
            raise EvalFailure(str(error)) from None

    try:
        assistant = prepared_assistant(settings)
        run = run_eval(assistant, dataset, settings, corpus, progress=progress)
    except (IndexUnavailable, LLMConfigError) as error:
        raise EvalFailure(str(error)) from None
    judged = judge_results(judge, dataset.records, run.questions) if judge else None

    passed = sum(q.passed for q in run.questions)
    aggregates = run.aggregates
    echo(f"eval: {passed}/{len(run.questions)} questions pass (accuracy {aggregates['accuracy']:.3f}, "
         f"precision {aggregates['precision']:.3f}, nDCG@10 {aggregates['ndcg@10']:.3f}) "
         f"in {run.duration_s:.0f} s")
    if judged:
        echo("advisory judge (not gated): " + ", ".join(f"{k} {v:.3f}" for k, v in judged.items()))

    if baseline is None:
        save_baseline(run, baseline_path)
        report = Report(run=run, verdict="baseline updated", judge=judged,
                        reason=f"Baseline written to {baseline_path}.")
        code = EXIT_OK
        echo(f"baseline updated: {baseline_path}")
    else:
        gate = compare_runs(baseline, run)
        code = gate.exit_code
        verdict = "pass" if code == EXIT_OK else "regression"
        report = Report(run=run, baseline=baseline, gate=gate, verdict=verdict, judge=judged)
        changes = ", ".join(f"{c.id} {c.before}->{c.after}" for c in gate.changes) or "none"
        echo(f"status changes since the baseline: {changes}")
        if gate.regressions:
            echo("REGRESSION:")
            for line in gate.regressions:
                echo(f"  - {line}")
        else:
            echo("no regression against the baseline")
    paths = write_reports(report, reports_dir)
    echo("reports: " + ", ".join(str(p) for p in paths))
    return code


def run_comparison(names: list[str], dataset_path: Path, reports_dir: Path, echo: Echo,
                   progress: Progress | None = None) -> int:
    settings = _settings()
    dataset = _dataset(dataset_path)
    try:
        runs = run_configurations(names or list(DEFAULT_COMPARISON), dataset, settings,
                                  corpus_hash(settings.corpus_dir), progress)
    except (UnknownConfiguration, IndexUnavailable, LLMConfigError) as error:
        raise EvalFailure(str(error)) from None
    table = comparison_table(runs)
    echo(table)
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / "compare.md").write_text(table + "\n", encoding="utf-8")
    for run in runs:
        (reports_dir / f"compare-{run.config}.json").write_text(run.model_dump_json(indent=1), encoding="utf-8")
    echo(f"table and runs written to {reports_dir}")
    return EXIT_OK
