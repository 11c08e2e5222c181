"""Gate decisions and report files on small hand-made runs (no model involved)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assistant.evaluation.gate import compare_runs, tolerance_for
from assistant.evaluation.metrics import retrieval_metrics
from assistant.evaluation.reports import Report, SuiteReport, write_reports
from assistant.evaluation.results import QuestionResult, RetrievedItem, RunResult
from assistant.evaluation.runner import summarise

pytestmark = pytest.mark.eval
PERFECT = retrieval_metrics(["d1"], {"d1"})


def question(id: str, passed: bool, critical: bool = False, answer: str = "A [1]",
             chunks: tuple[str, ...] = ("d1:a", "d2:b"), ndcg: float = 1.0, half: str = "test") -> QuestionResult:
    return QuestionResult(
        id=id, category="figure", language="en", critical=critical, must_refuse=False, question=f"{id}?",
        answer=answer, answer_language="en", correct=passed, passed=passed, quotes_valid=passed, half=half,
        reasons=[] if passed else ["missing fact: 20 %"],
        retrieved=[RetrievedItem(rank=i, chunk_id=c, doc_id=c.split(":")[0], score=1 / i)
                   for i, c in enumerate(chunks, start=1)],
        retrieval={**PERFECT, "ndcg@10": ndcg},
    )


def run(questions: list[QuestionResult], settings_hash: str = "s") -> RunResult:
    return summarise(RunResult(dataset_path="golden.yaml", dataset_hash="d", corpus_hash="c",
                               settings_hash=settings_hash, created="2025-01-01T00:00:00+00:00", duration_s=1.0,
                               questions=questions, aggregates={}, confusion={}))


PASSING = [question(f"q{i}", True) for i in range(60)]


def test_a_critical_question_going_from_pass_to_fail_is_a_regression() -> None:
    baseline = run([question("crit", True, critical=True), *PASSING])
    current = run([question("crit", False, critical=True), *PASSING])
    gate = compare_runs(baseline, current)
    assert gate.exit_code == 1
    assert gate.regressions[0].startswith("critical question crit went pass -> fail (missing fact: 20 %)")


def test_a_small_drop_of_an_ordinary_question_is_within_tolerance() -> None:
    baseline = run([question("plain", True), *PASSING])
    current = run([question("plain", False), *PASSING])  # pass rate -0.016 < 0.02
    gate = compare_runs(baseline, current)
    assert gate.exit_code == 0 and gate.regressions == []
    assert [(c.id, c.before, c.after) for c in gate.changes] == [("plain", "pass", "fail")]


def test_an_aggregate_dropping_past_its_tolerance_is_a_regression() -> None:
    baseline = run([question("a", True), question("b", True), *PASSING])
    current = run([question("a", False), question("b", False), *PASSING])  # -0.032
    gate = compare_runs(baseline, current)
    assert gate.exit_code == 1
    assert any(r.startswith("test half: pass_rate 1.000 -> 0.968") for r in gate.regressions)
    improved = compare_runs(current, baseline)
    assert improved.exit_code == 0 and len(improved.changes) == 2


def test_retrieval_getting_worse_alone_fails_the_gate() -> None:
    baseline = run([question(f"q{i}", True, half="calibration") for i in range(60)])
    current = run([question(f"q{i}", True, ndcg=0.9, half="calibration") for i in range(60)])
    gate = compare_runs(baseline, current)
    assert gate.exit_code == 1
    assert gate.regressions == ["calibration half: ndcg@10 1.000 -> 0.900 (-0.100, tolerance 0.020)"]


def test_a_small_half_tolerates_one_question_not_two() -> None:
    assert tolerance_for("pass_rate", 112) == 0.02 and tolerance_for("pass_rate", 35) == pytest.approx(1 / 35, abs=1e-4)
    baseline = run([question(f"q{i}", True) for i in range(35)])
    one = run([question("q0", False), *(question(f"q{i}", True) for i in range(1, 35))])
    two = run([question("q0", False), question("q1", False), *(question(f"q{i}", True) for i in range(2, 35))])
    assert compare_runs(baseline, one).exit_code == 0
    assert compare_runs(baseline, two).exit_code == 1


def test_another_settings_hash_is_compared_and_named() -> None:
    baseline = run([question("a", True), *PASSING])
    baseline.settings = {"refusal_threshold": 0.36}
    current = run([question("a", True), *PASSING], settings_hash="t")
    current.settings = {"refusal_threshold": 0.4}
    gate = compare_runs(baseline, current)
    assert gate.exit_code == 0
    assert gate.context == ["answer settings changed (s -> t): refusal_threshold 0.36 -> 0.4"]


def test_the_reports(tmp_path: Path) -> None:
    baseline = run([question("crit", True, critical=True, answer="Only 20% did [1]."), *PASSING,
                    question("cal", True, half="calibration")])
    current = run([question("crit", False, critical=True, answer="Nobody knows <b>this</b> [1].",
                            chunks=("d3:c", "d1:a"), ndcg=0.5), *PASSING, question("cal", True, half="calibration")])
    gate = compare_runs(baseline, current)
    part = SuiteReport(suite="main", run=current, baseline=baseline, gate=gate, verdict="regression")
    write_reports(Report(suites=[part]), tmp_path)

    data = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert data["suites"][0]["verdict"] == "regression" and data["suites"][0]["gate"]["regressions"]

    markdown = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert "# Eval: REGRESSION" in markdown
    assert "| `crit` | test | yes | pass -> fail | missing fact: 20 % |" in markdown
    assert markdown.index("Aggregates, test half (61 questions)") < markdown.index("Aggregates, calibration half")
    assert "| figure | 60/61 | 1/1 |" in markdown
    assert "ndcg@10 1.000 -> 0.500" in markdown
    assert "added d3:c (rank 1)" in markdown and "removed d2:b (was rank 2)" in markdown
    assert "-Only 20% did [1]." in markdown and "+Nobody knows <b>this</b> [1]." in markdown

    suites = ET.parse(tmp_path / "junit.xml").getroot()
    test_half = suites.find("testsuite")
    assert test_half is not None and test_half.get("name") == "eval.main.test"
    cases = test_half.findall("testcase")
    assert len(cases) == 61 and test_half.get("failures") == "1"
    failure = next(c for c in cases if c.get("name") == "crit").find("failure")
    assert failure is not None and failure.get("message", "").startswith("regression: passed in the baseline")

    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Nobody knows &lt;b&gt;this&lt;/b&gt;" in page
    assert "Pass rate by category, main suite" in page
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
