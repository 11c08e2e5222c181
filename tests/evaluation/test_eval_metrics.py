"""Metric definitions on hand-made inputs, with values worked out as trec_eval would."""

from __future__ import annotations

import pytest

from assistant.evaluation.dataset import RequiredFact
from assistant.evaluation.figures import fact_found, find_figures
from assistant.evaluation.metrics import (
    aggregate,
    check_citation,
    citation_precision,
    citation_recall,
    hit_at_k,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    refusal_confusion,
    retrieval_metrics,
)
from assistant.evaluation.results import QuestionResult

pytestmark = pytest.mark.eval

# Ranks 1..6; supporting documents d1..d4 (d4 never retrieved); d1 comes back twice.
RANKING = ["d1", "x", "d2", "d1", "y", "d3"]
QRELS = {"d1", "d2", "d3", "d4"}


def test_retrieval_metrics_on_a_hand_made_ranking() -> None:
    assert hit_at_k(RANKING, QRELS, 1) == 1.0
    assert recall_at_k(RANKING, QRELS, 1) == 0.25
    assert recall_at_k(RANKING, QRELS, 3) == 0.5
    assert recall_at_k(RANKING, QRELS, 5) == 0.5  # the second d1 chunk is not credited again
    assert recall_at_k(RANKING, QRELS, 10) == 0.75
    assert mrr_at_k(RANKING, QRELS, 10) == 1.0
    # DCG = 1/log2(2) + 1/log2(4) + 1/log2(7) = 1.856207; IDCG (4 relevant) = 2.561606
    assert ndcg_at_k(RANKING, QRELS, 10) == pytest.approx(0.724626, abs=1e-6)


def test_first_relevant_at_rank_three() -> None:
    ranking, qrels = ["x", "y", "d2", "z"], {"d2"}
    assert hit_at_k(ranking, qrels, 1) == 0.0
    assert hit_at_k(ranking, qrels, 3) == 1.0
    assert mrr_at_k(ranking, qrels) == pytest.approx(1 / 3)
    assert ndcg_at_k(ranking, qrels) == pytest.approx(0.5)  # 1/log2(4) over an ideal of 1


def test_cutoffs_and_nothing_relevant() -> None:
    ranking = [f"x{i}" for i in range(10)] + ["d1"]  # relevant only at rank 11
    assert mrr_at_k(ranking, {"d1"}, 10) == 0.0
    assert ndcg_at_k(ranking, {"d1"}, 10) == 0.0
    assert retrieval_metrics(["x"], {"d1"}) == {name: 0.0 for name in retrieval_metrics(["x"], {"d1"})}


def test_repeated_chunks_of_one_document_never_exceed_one() -> None:
    assert ndcg_at_k(["d1", "d1", "d1"], {"d1"}) == 1.0
    assert recall_at_k(["d1", "d1"], {"d1"}, 2) == 1.0


def test_citation_precision_and_recall_against_qrels() -> None:
    qrels = {"kenya-bpo-en", "kenya-bpo-fr", "cci-global-tatu-city-en"}
    assert citation_precision(["kenya-bpo-fr", "egypt-outsourcing-en"], qrels) == 0.5
    # en and fr versions are one fact sheet: two sheets wanted, one cited
    assert citation_recall(["kenya-bpo-fr"], qrels) == 0.5
    assert citation_recall(["kenya-bpo-en", "cci-global-tatu-city-fr"], qrels) == 1.0
    assert citation_precision([], qrels) == 0.0


PERCENT_20 = RequiredFact(kind="number", value=20, unit="%")


@pytest.mark.parametrize("text", [
    "20 %", "20%", "20\u202f%", "20 percent", "20 per cent", "seules 20 pour cent",
    "one in five", "roughly one organisation in five", "un sur cinq", "une entreprise sur cinq",
    "1 in 5 companies",
])
def test_the_same_figure_written_many_ways(text: str) -> None:
    assert fact_found(PERCENT_20, text)


@pytest.mark.parametrize("text", ["2020", "20 companies", "80%", "120%", "one in four", "20.5%", ""])
def test_other_figures_are_not_twenty_percent(text: str) -> None:
    assert not fact_found(PERCENT_20, text)


def test_tolerance_is_absolute_in_the_facts_unit() -> None:
    about_20 = RequiredFact(kind="number", value=20, unit="%", tolerance=1)
    assert fact_found(about_20, "21%") and fact_found(about_20, "19 %")
    assert not fact_found(about_20, "22%")
    a_third = RequiredFact(kind="number", value=33, unit="%", tolerance=0.5)
    assert fact_found(a_third, "a third of them") and not fact_found(PERCENT_20, "a third")


def test_scaled_figures_compare_by_size() -> None:
    dollars = RequiredFact(kind="number", value=378, unit="million USD")
    assert fact_found(dollars, "US$378 million")
    assert fact_found(dollars, "378 millions de dollars")
    assert fact_found(dollars, "$378,000,000")
    assert not fact_found(dollars, "US$378 billion")
    jobs = RequiredFact(kind="number", value=1.5, unit="million")
    assert fact_found(jobs, "jusqu'à 1,5 million d'emplois") and fact_found(jobs, "1.5 million jobs")
    assert fact_found(RequiredFact(kind="number", value=1, unit="million"), "un million d'emplois")
    assert not fact_found(RequiredFact(kind="number", value=1, unit="million"), "une entreprise")
    people = RequiredFact(kind="number", value=15000, unit="people")
    assert fact_found(people, "about 15,000 people") and fact_found(people, "environ 15 000 personnes")


def test_shares_in_words() -> None:
    half = RequiredFact(kind="number", value=50, unit="%")
    assert fact_found(half, "half of the companies") and fact_found(half, "la moitié des entreprises")
    assert [f.value for f in find_figures("nine out of ten")] == [90.0, 9.0, 10.0]


def test_text_and_regex_facts_are_normalised() -> None:
    assert fact_found(RequiredFact(kind="text", value="Melissa Fletcher"), "MELISSA\n fletcher said")
    assert fact_found(RequiredFact(kind="text", value="Éthiopie"), "l'ethiopie")
    assert fact_found(RequiredFact(kind="text", value="l’Afrique"), "l'Afrique")
    assert fact_found(RequiredFact(kind="regex", value="m[ée]thode"), "avec Méthode")
    assert fact_found(RequiredFact(kind="regex", value="ethiopie"), "l'Éthiopie")
    assert not fact_found(RequiredFact(kind="text", value="Kathy Ross"), "Brad Fager")


CHUNK = "Gartner surveyed 321 leaders. Only 20% said they had cut staff because of AI."


def test_citation_validity() -> None:
    retrieved = {"c1": CHUNK}
    valid = check_citation(1, "c1", "d", "Only 20% said they had cut staff because of AI.", 30,
                           retrieved, [PERCENT_20])
    assert valid.valid and valid.holds_fact
    assert check_citation(1, "c9", "d", "Only 20%", 30, retrieved, []).problems == [
        "cited chunk was not retrieved"]
    assert "exact substring" in check_citation(1, "c1", "d", "Only 25% said", 30, retrieved, []).problems[0]
    assert "quote_start" in check_citation(1, "c1", "d", "Only 20%", 0, retrieved, []).problems[0]
    no_fact = check_citation(1, "c1", "d", "Gartner surveyed 321 leaders.", 0, retrieved, [PERCENT_20])
    assert not no_fact.valid and no_fact.problems == ["quote holds none of the required facts"]
    assert check_citation(1, "c1", "d", "Gartner surveyed 321 leaders.", 0, retrieved, []).valid


def result(id: str, must_refuse: bool, refused: bool, correct: bool, **extra: object) -> QuestionResult:
    return QuestionResult(id=id, category="fact", language="en", critical=False, must_refuse=must_refuse,
                          question="?", refused=refused, correct=correct, passed=correct,
                          answer_language="en", **extra)  # type: ignore[arg-type]


def test_refusal_confusion_precision_and_accuracy() -> None:
    results = [
        result("a", False, False, True), result("b", False, False, False),  # answered: 1 right, 1 wrong
        result("c", False, True, False),                                      # false refusal
        result("d", True, True, True),                                        # correct refusal
        result("e", True, False, False),                                      # false answer
    ]
    assert refusal_confusion(results) == {"correct_refusals": 1, "false_answers": 1,
                                          "false_refusals": 1, "answered_answerable": 2}
    values = aggregate(results)
    assert values["accuracy"] == 0.4            # correct / all = 2 / 5
    assert values["precision"] == pytest.approx(0.3333, abs=1e-4)  # correct answered / answered = 1 / 3
    assert values["false_refusal_rate"] == pytest.approx(0.3333, abs=1e-4)
    assert values["false_answer_rate"] == 0.5
