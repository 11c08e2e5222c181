"""The gate end to end over both suites: the committed baselines, reports, changes compared
question by question (not exit 2), and baseline updates that show what they accept."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from assistant.api import Assistant
from assistant.evaluation.baseline import corpus_hash, load_baseline
from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.suites import SUITES
from assistant.models import Answer, Turn
from assistant.settings import Settings
from tests.evaluation.conftest import Eval
from tests.support import CORPUS

pytestmark = pytest.mark.eval


@pytest.mark.parametrize("name", ["main", "natural"])
def test_the_committed_baselines_match_the_committed_sets_corpora_and_default_settings(name: str) -> None:
    suite = SUITES[name]
    baseline = load_baseline(suite.baseline)
    dataset = load_dataset(suite.dataset)
    assert baseline.dataset_hash == dataset.content_hash()
    assert baseline.corpus_hash == corpus_hash(suite.corpus_dir or CORPUS)
    assert baseline.settings_hash == Settings.isolated().settings_hash()
    assert [q.id for q in baseline.questions] == [r.id for r in dataset.records]
    assert {q.half for q in baseline.questions} == {"test", "calibration"}


def test_the_gate_runs_both_suites_and_reports_each(run_eval: Eval, tmp_path: Path) -> None:
    outcome = run_eval()
    assert outcome.exit_code == 0, outcome.output
    assert "main: no regression against the baseline" in outcome.output
    assert "natural: no regression against the baseline" in outcome.output
    # the summary line is the calibration half's; the test half goes to the reports
    assert "eval main: calibration half" in outcome.output and "test half in the report" in outcome.output
    assert "eval main: test half" not in outcome.output
    reports = tmp_path / "reports"
    report = json.loads((reports / "latest.json").read_text(encoding="utf-8"))
    assert [s["suite"] for s in report["suites"]] == ["main", "natural"]
    assert all(s["verdict"] == "pass" and s["gate"]["regressions"] == [] for s in report["suites"])
    junit = ET.parse(reports / "junit.xml").getroot()
    assert [s.get("name") for s in junit.findall("testsuite")] == [
        "eval.main.test", "eval.main.calibration", "eval.natural.test", "eval.natural.calibration"]
    markdown = (reports / "latest.md").read_text(encoding="utf-8")
    assert markdown.index("### Aggregates, test half") < markdown.index("### Aggregates, calibration half")
    assert "### Pass rate by category" in markdown
    page = (reports / "report.html").read_text(encoding="utf-8")
    assert page.count("Pass rate by category, ") == 2 and page.count("<svg") == 4


def test_changed_settings_are_compared_question_by_question(run_eval: Eval, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_REFUSAL_THRESHOLD", "0.99")
    outcome = run_eval("--suite", "main")
    assert outcome.exit_code == 1, outcome.output
    assert "compared although the answer settings changed" in outcome.output
    assert "refusal_threshold 0.38 -> 0.99" in outcome.output
    assert "gartner-headcount-en pass->fail" in outcome.output
    assert "critical question gartner-headcount-en went pass -> fail (refused an answerable question)" in outcome.output


def test_a_refusal_threshold_of_zero_fails_the_gate(run_eval: Eval, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_REFUSAL_THRESHOLD", "0")
    outcome = run_eval()
    assert outcome.exit_code == 1, outcome.output
    assert "false_answer_rate" in outcome.output


def test_a_changed_golden_set_is_compared(run_eval: Eval, tmp_path: Path) -> None:
    records = yaml.safe_load(SUITES["main"].dataset.read_text(encoding="utf-8"))
    records[0]["question"] = records[0]["question"].replace("What share", "Which share")
    records[1]["critical"] = not records[1]["critical"]
    changed = tmp_path / "golden.yaml"
    changed.write_text(yaml.safe_dump(records[:-1], allow_unicode=True), encoding="utf-8")
    outcome = run_eval("--dataset", str(changed))
    assert outcome.exit_code in (0, 1), outcome.output
    assert "compared although the golden set changed" in outcome.output
    assert f"question reworded: {records[0]['id']}; facts or flags edited: {records[1]['id']}" in outcome.output
    assert f"questions added: none; removed: {records[-1]['id']}" in outcome.output


def test_a_changed_corpus_is_compared(run_eval: Eval, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy, ignore=shutil.ignore_patterns("topics"))
    sheet = copy / "facts" / "kenya-bpo.en.md"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("36,000", "37,000"), encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_EVAL_INDEX_DIR", str(tmp_path / "index"))  # the session index stays as it is
    outcome = run_eval("--suite", "main", "--corpus", str(copy))
    assert outcome.exit_code in (0, 1), outcome.output
    assert "compared although the corpus files changed" in outcome.output
    assert "edited facts/kenya-bpo.en.md" in outcome.output


def test_a_baseline_update_shows_what_it_accepts_and_refuses_a_critical_regression(
        run_eval: Eval, eval_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    question = load_dataset().by_id()["gartner-headcount-en"].question
    ask = Assistant.ask

    def refuse_one(self: Assistant, asked: str, history: list[Turn] | None = None, **kwargs: object) -> Answer:
        answer = ask(self, asked, history, **kwargs)  # type: ignore[arg-type]
        if asked == question:
            answer = answer.model_copy(update={"answer": "The corpus does not say: no passage answers this.",
                                               "refused": True, "citations": []})
        return answer

    monkeypatch.setattr(Assistant, "ask", refuse_one)
    baseline = tmp_path / "baseline.json"
    shutil.copy(eval_home / "baseline-main.json", baseline)
    before = baseline.read_bytes()
    outcome = run_eval("--suite", "main", "--baseline", str(baseline), "--update-baseline")
    assert outcome.exit_code == 1, outcome.output
    assert "status changes since the baseline: gartner-headcount-en pass->fail" in outcome.output
    assert "half: pass_rate" in outcome.output  # the aggregate it would accept
    assert "Baseline not updated: critical questions regress: main/gartner-headcount-en" in outcome.output
    assert baseline.read_bytes() == before
    outcome = run_eval("--suite", "main", "--baseline", str(baseline), "--update-baseline",
                       "--accept-regression", "gartner-headcount-en")
    assert outcome.exit_code == 0, outcome.output
    assert f"baseline updated: {baseline}" in outcome.output
    assert not load_baseline(baseline).by_id()["gartner-headcount-en"].passed


def test_errors_exit_2_with_one_line(run_eval: Eval, tmp_path: Path) -> None:
    outcome = run_eval("--baseline", str(tmp_path / "none.json"))
    assert outcome.exit_code == 2 and "there is no baseline" in outcome.output
    outcome = run_eval("--compare", "default", "bogus")
    assert outcome.exit_code == 2 and "unknown configuration 'bogus'" in outcome.output
    outcome = run_eval("naive")
    assert outcome.exit_code == 2 and "did you mean --compare" in outcome.output
    outcome = run_eval("--suite", "nope")
    assert outcome.exit_code == 2 and "unknown suite 'nope'" in outcome.output
    outcome = run_eval("--suite", "main", "--suite", "natural", "--dataset", "x.yaml")
    assert outcome.exit_code == 2 and "apply to one suite" in outcome.output


def test_answers_are_deterministic(assistant: Assistant) -> None:
    """Asked twice, the same questions get the same retrieval and the same answers."""
    from assistant.evaluation.runner import run_questions
    from assistant.evaluation.sources import CorpusDocuments

    corpus = CorpusDocuments.load(CORPUS, 20_000_000)
    records = [r for r in load_dataset().records if r.category in {"follow-up", "synthesis"}][:6]
    first, second = run_questions(assistant, records, corpus), run_questions(assistant, records, corpus)
    assert [(q.answer, [r.chunk_id for r in q.retrieved]) for q in first] == \
        [(q.answer, [r.chunk_id for r in q.retrieved]) for q in second]
