"""The golden set itself: well formed, covering the corpus, and strict about bad records."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.errors import DatasetError
from assistant.evaluation.dataset import DEFAULT_DATASET, load_dataset
from assistant.evaluation.figures import fact_found
from assistant.ingest.loaders import load_document
from assistant.ingest.run import discover
from tests.support import CORPUS

pytestmark = pytest.mark.eval


def corpus_doc_ids() -> set[str]:
    files, _ = discover([CORPUS])
    return {load_document(path, 10_000_000).doc_id for path in files}


def test_the_golden_set_covers_the_corpus_in_both_languages() -> None:
    dataset = load_dataset()
    records = dataset.records
    assert len(records) >= 60
    assert {r.language for r in records} == {"en", "fr"}
    assert {r.category for r in records} == {"fact", "figure", "synthesis", "follow-up", "out-of-scope",
                                             "false-premise", "prompt-injection"}
    cited = {doc for r in records for doc in r.supporting_docs}
    assert cited <= corpus_doc_ids(), f"unknown doc ids: {cited - corpus_doc_ids()}"
    assert cited == corpus_doc_ids(), f"fact sheets no question covers: {corpus_doc_ids() - cited}"
    assert any(r.critical for r in records)
    assert all(r.history for r in records if r.category == "follow-up")


def test_the_gartner_figure_and_the_cci_disagreement_are_critical() -> None:
    by_id = load_dataset().by_id()
    gartner = by_id["gartner-headcount-en"]
    assert gartner.critical and any(fact_found(f, "20 %") for f in gartner.required_facts)
    for name in ("cci-amount-en", "cci-discrepancy-fr"):
        amount = by_id[name].required_facts[0]
        assert by_id[name].critical
        assert fact_found(amount, "325 millions d'euros") and fact_found(amount, "US$378 million")


def test_every_article_figure_has_a_question() -> None:
    """The article's figures: 20 % (Gartner), 325 M EUR (CCI Global), 100+ agents (Salesforce)."""
    facts = [(f, r) for r in load_dataset().records for f in r.required_facts
             if "article-ia-externalisation" in r.supporting_docs]
    for figure in ("20 %", "325 millions", "plus de 100 agents"):
        assert any(fact_found(f, figure) for f, _ in facts), figure


def test_the_hash_ignores_comments_but_not_content(tmp_path: Path) -> None:
    original = load_dataset()
    commented = tmp_path / "golden.yaml"
    commented.write_text("# a comment\n" + DEFAULT_DATASET.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_dataset(commented).content_hash() == original.content_hash()
    records = yaml.safe_load(DEFAULT_DATASET.read_text(encoding="utf-8"))
    records[0]["critical"] = not records[0]["critical"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    assert load_dataset(changed).content_hash() != original.content_hash()


def _write(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(records), encoding="utf-8")
    return path


GOOD = {"id": "q1", "question": "How many?", "language": "en", "category": "figure",
        "required_facts": [{"kind": "number", "value": 20, "unit": "%"}], "supporting_docs": ["d"]}


@pytest.mark.parametrize(("change", "message"), [
    ({"required_facts": [{"kind": "regex", "value": "(unclosed"}]}, "does not compile"),
    ({"required_facts": [{"kind": "number", "value": "twenty"}]}, "not a number"),
    ({"category": "trivia"}, "category"),
    ({"required_facts": []}, "at least one required fact"),
    ({"must_refuse": True}, "must_refuse"),
    ({"category": "follow-up"}, "history"),
])
def test_bad_records_are_refused_with_one_line(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(DatasetError) as caught:
        load_dataset(_write(tmp_path, [{**GOOD, **change}]), min_records=1)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "q1" in str(caught.value)


def test_duplicate_ids_and_small_sets_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="used twice"):
        load_dataset(_write(tmp_path, [GOOD, GOOD]), min_records=1)
    with pytest.raises(DatasetError, match="at least 60"):
        load_dataset(_write(tmp_path, [GOOD]))
    assert load_dataset(_write(tmp_path, [GOOD]), min_records=1).records[0].required_facts[0].value == 20.0


def test_text_facts_keep_numbers_as_written(tmp_path: Path) -> None:
    record = {**GOOD, "required_facts": [{"kind": "text", "value": 2025}]}
    assert load_dataset(_write(tmp_path, [record]), min_records=1).records[0].required_facts[0].value == "2025"
