"""The gate end to end: the committed baseline, hash checks (exit 2), no regression (exit 0), and a
deliberately broken retriever (exit 1). Runs the real corpus through ``assistant eval``."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from assistant.api import Assistant
from assistant.cli import app
from assistant.errors import BaselineError
from assistant.evaluation.baseline import DEFAULT_BASELINE, check_comparable, corpus_hash, load_baseline
from assistant.evaluation.dataset import DEFAULT_DATASET
from assistant.models import ScoredChunk
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import Settings
from assistant.text import content_tokens
from tests.support import CORPUS

pytestmark = pytest.mark.eval


@pytest.fixture
def eval_env(assistant: Assistant, corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch,
             tmp_path: Path) -> Path:
    """`assistant eval` on the session's already ingested index, reports in a temporary folder."""
    monkeypatch.setenv("ASSISTANT_EVAL_INDEX_DIR", str(corpus_settings.index_dir))
    monkeypatch.chdir(tmp_path)  # no developer .env
    return tmp_path / "reports"


def run_eval(*args: str) -> Any:
    return CliRunner().invoke(app, ["eval", *args], catch_exceptions=False)


def test_the_committed_baseline_matches_the_committed_set_corpus_and_default_settings() -> None:
    baseline = load_baseline()
    check_comparable(baseline, baseline.dataset_hash, corpus_hash(CORPUS),
                     Settings.isolated().settings_hash(), {})
    from assistant.evaluation.dataset import load_dataset

    assert baseline.dataset_hash == load_dataset().content_hash()
    assert len(baseline.questions) == len(load_dataset().records)


def test_the_gate_passes_on_the_real_corpus_against_the_committed_baseline(eval_env: Path) -> None:
    outcome = run_eval("--reports-dir", str(eval_env))
    assert outcome.exit_code == 0, outcome.output
    assert "no regression against the baseline" in outcome.output
    report = json.loads((eval_env / "latest.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "pass" and report["gate"]["regressions"] == []
    junit = (eval_env / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<testcase ") == len(report["run"]["questions"])
    assert "<svg" in (eval_env / "report.html").read_text(encoding="utf-8")


def test_a_broken_retriever_fails_the_gate(eval_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def irrelevant(self: HybridRetriever, query: str, query_embedding: list[float], k: int | None = None,
                   **_: object) -> list[ScoredChunk]:
        """Chunks sharing no word with the question, in a shuffled order."""
        words = set(content_tokens(query))
        unrelated = [c for c in self.chunks if not words & set(content_tokens(c.text))]
        chosen = random.Random(query).sample(unrelated, min(k or self.settings.answer.top_k, len(unrelated)))
        return [ScoredChunk(chunk=c, score=1.0 / (i + 1)) for i, c in enumerate(chosen)]

    monkeypatch.setattr(HybridRetriever, "retrieve", irrelevant)
    outcome = run_eval("--reports-dir", str(eval_env))
    assert outcome.exit_code == 1, outcome.output
    assert "REGRESSION" in outcome.output
    assert "critical question gartner-headcount-en went pass -> fail" in outcome.output
    assert "ndcg@10" in outcome.output
    markdown = (eval_env / "latest.md").read_text(encoding="utf-8")
    assert "## Regressions" in markdown and "-> fail" in markdown and "```diff" in markdown


def test_changed_settings_are_not_compared(eval_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_REFUSAL_THRESHOLD", "0.99")
    outcome = run_eval("--reports-dir", str(eval_env))
    assert outcome.exit_code == 2
    message = outcome.output.strip()
    assert "\n" not in message and message.startswith("Error: the answer settings differ")
    assert "refusal_threshold" in message and "0.99" in message
    assert not (eval_env / "latest.json").exists()  # stopped before running anything


def test_a_changed_golden_set_is_not_compared(eval_env: Path, tmp_path: Path) -> None:
    records = yaml.safe_load(DEFAULT_DATASET.read_text(encoding="utf-8"))
    records[0]["question"] += " Please."
    changed = tmp_path / "golden.yaml"
    changed.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    outcome = run_eval("--dataset", str(changed), "--reports-dir", str(eval_env))
    assert outcome.exit_code == 2
    assert outcome.output.strip().startswith("Error: the golden set changed since the baseline")


def test_missing_baseline_and_unknown_configuration_exit_2(eval_env: Path, tmp_path: Path) -> None:
    outcome = run_eval("--baseline", str(tmp_path / "none.json"))
    assert outcome.exit_code == 2 and "there is no baseline" in outcome.output
    outcome = run_eval("--compare", "default", "bogus")
    assert outcome.exit_code == 2 and "unknown configuration 'bogus'" in outcome.output
    outcome = run_eval("naive")
    assert outcome.exit_code == 2 and "did you mean --compare" in outcome.output


def test_a_changed_corpus_file_changes_the_corpus_hash(tmp_path: Path) -> None:
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    assert corpus_hash(copy) == corpus_hash(CORPUS)
    sheet = copy / "facts" / "kenya-bpo.en.md"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("36,000", "37,000"), encoding="utf-8")
    changed = corpus_hash(copy)
    assert changed != corpus_hash(CORPUS)
    baseline = load_baseline(DEFAULT_BASELINE)
    with pytest.raises(BaselineError, match="corpus files changed"):
        check_comparable(baseline, baseline.dataset_hash, changed, baseline.settings_hash, baseline.settings)


def test_answers_are_deterministic(assistant: Assistant) -> None:
    """Asked twice, the same questions get the same retrieval and the same answers."""
    from assistant.evaluation.dataset import load_dataset
    from assistant.evaluation.runner import run_questions

    records = [r for r in load_dataset().records if r.category in {"follow-up", "synthesis"}][:6]
    first, second = run_questions(assistant, records), run_questions(assistant, records)
    assert [(q.answer, [r.chunk_id for r in q.retrieved]) for q in first] == \
        [(q.answer, [r.chunk_id for r in q.retrieved]) for q in second]
