"""Metric definitions on hand-made inputs, with values worked out as trec_eval would."""

from __future__ import annotations

import pytest

from assistant.evaluation.dataset import RequiredFact
from assistant.evaluation.facts import fact_found
from assistant.evaluation.metrics import (
    aggregate,
    citation_precision,
    citation_recall,
    hit_at_k,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    refusal_confusion,
    retrieval_metrics,
)
from assistant.evaluation.results import CitedItem, ClaimItem, FactOutcome, QuestionResult
from assistant.evaluation.sources import CorpusDocuments

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


def test_citation_precision_and_recall_against_twin_groups() -> None:
    qrels = {"kenya-bpo", "cci-global-tatu-city"}
    assert citation_precision(["kenya-bpo", "egypt-outsourcing"], qrels) == 0.5
    assert citation_recall(["kenya-bpo"], qrels) == 0.5
    assert citation_recall(["kenya-bpo", "cci-global-tatu-city"], qrels) == 1.0
    assert citation_precision([], qrels) == 0.0


def test_translations_are_one_relevant_document() -> None:
    corpus = CorpusDocuments({name: None for name in (  # type: ignore[misc]
        "kenya-bpo-en", "kenya-bpo-fr", "article-ia-externalisation", "guide-fr")})
    assert corpus.group("kenya-bpo-fr") == corpus.group("kenya-bpo-en") == "kenya-bpo"
    assert corpus.group("guide-fr") == "guide-fr"  # no English twin in the corpus
    qrels = corpus.groups(["kenya-bpo-en", "kenya-bpo-fr", "article-ia-externalisation"])
    ranking = [corpus.group(d) for d in ("kenya-bpo-fr", "kenya-bpo-en", "x", "article-ia-externalisation")]
    assert recall_at_k(ranking, qrels, 2) == 0.5  # the twin at rank 2 adds nothing
    assert recall_at_k(ranking, qrels, 4) == 1.0


PERCENT_20 = RequiredFact(kind="number", value=20, unit="%")


@pytest.mark.parametrize("text", [
    "20 %", "20%", "20\u202f%", "20 percent", "20 per cent", "seules 20 pour cent",
    "one in five", "roughly one organisation in five", "un sur cinq", "une entreprise sur cinq",
    "1 in 5 companies",
])
def test_the_same_figure_written_many_ways(text: str) -> None:
    assert fact_found(PERCENT_20, text)


@pytest.mark.parametrize("text", ["2020", "20 companies", "80%", "120%", "one in four", "20.5%", "",
                                  "one company in 5 countries", "US$20 million"])
def test_other_figures_are_not_twenty_percent(text: str) -> None:
    assert not fact_found(PERCENT_20, text)


def test_tolerance_is_absolute_in_the_facts_unit() -> None:
    about_20 = RequiredFact(kind="number", value=20, unit="%", tolerance=1)
    assert fact_found(about_20, "21%") and fact_found(about_20, "19 %")
    assert not fact_found(about_20, "22%")
    a_third = RequiredFact(kind="number", value=33, unit="%", tolerance=0.5)
    assert fact_found(a_third, "a third of them") and not fact_found(PERCENT_20, "a third of them")


def test_money_needs_its_currency_and_its_size() -> None:
    dollars = RequiredFact(kind="number", value=378, unit="million USD")
    assert fact_found(dollars, "US$378 million")
    assert fact_found(dollars, "378 millions de dollars")
    assert fact_found(dollars, "$378,000,000")
    assert not fact_found(dollars, "US$378 billion")
    assert not fact_found(dollars, "378 million people")
    assert not fact_found(dollars, "378 millions d'euros")
    assert fact_found(RequiredFact(kind="number", value=650.88, unit="CAD"), "$650.88 in damages")
    assert fact_found(RequiredFact(kind="number", value=213.7, unit="milliards FCFA"), "213,7 milliards de FCFA")


def test_counts_need_their_noun_within_a_few_words() -> None:
    leaders = RequiredFact(kind="number", value=321, unit="leaders")
    assert fact_found(leaders, "321 customer service leaders")
    assert fact_found(leaders, "321 responsables du service client")
    assert not fact_found(leaders, "a 321-page report on leaders")
    months = RequiredFact(kind="number", value=18, unit="mois")
    assert fact_found(months, "within 18 months") and not fact_found(months, "18 leaders said so")
    jobs = RequiredFact(kind="number", value=1.5, unit="million jobs")
    assert fact_found(jobs, "jusqu'à 1,5 million d'emplois") and fact_found(jobs, "1.5 million new jobs")
    assert fact_found(RequiredFact(kind="number", value=1, unit="million emplois"), "un million d'emplois")
    assert not fact_found(RequiredFact(kind="number", value=1, unit="million emplois"), "une entreprise")
    people = RequiredFact(kind="number", value=15000, unit="people")
    assert fact_found(people, "about 15,000 people") and fact_found(people, "environ 15 000 personnes")
    youth = RequiredFact(kind="number", value=12564, unit="jeunes", synonyms=["young"])
    assert fact_found(youth, "12,564 went to young people")


def test_a_year_must_be_written_as_a_year() -> None:
    year = RequiredFact(kind="number", value=2026, unit="year")
    assert fact_found(year, "from 2 August 2026") and not fact_found(year, "2,026 people")


def test_either_of_two_figures() -> None:
    either = RequiredFact.model_validate({"kind": "any", "any_of": [
        {"kind": "number", "value": 325, "unit": "million EUR"},
        {"kind": "number", "value": 378, "unit": "million USD"}]})
    assert fact_found(either, "325 millions d'euros") and fact_found(either, "US$378 million")
    assert not fact_found(either, "325 agents")
    assert either.describe() == "325 million EUR or 378 million USD"


def test_text_and_regex_facts_are_normalised() -> None:
    assert fact_found(RequiredFact(kind="text", value="Melissa Fletcher"), "MELISSA\n fletcher said")
    assert fact_found(RequiredFact(kind="text", value="Éthiopie"), "l'ethiopie")
    assert fact_found(RequiredFact(kind="text", value="l’Afrique"), "l'Afrique")
    assert fact_found(RequiredFact(kind="regex", value="m[ée]thode"), "avec Méthode")
    assert fact_found(RequiredFact(kind="regex", value="ethiopie"), "l'Éthiopie")
    assert not fact_found(RequiredFact(kind="text", value="Kathy Ross"), "Brad Fager")


def test_text_facts_match_whole_words_only() -> None:
    cci = RequiredFact(kind="text", value="CCI")
    assert fact_found(cci, "CCI Global") and fact_found(cci, "(CCI)")
    assert not fact_found(cci, "an accident") and not fact_found(cci, "CCIs")


def result(id: str, must_refuse: bool, refused: bool, correct: bool, **extra: object) -> QuestionResult:
    values: dict[str, object] = {"category": "fact", **extra}
    return QuestionResult(id=id, language="en", critical=False, must_refuse=must_refuse,
                          question="?", refused=refused, correct=correct, passed=correct,
                          answer_language="en", **values)  # type: ignore[arg-type]


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


def cited(n: int, valid: bool = True, holds: bool = True) -> CitedItem:
    return CitedItem(n=n, chunk_id="c", doc_id="d", quote="q", quote_start=0, valid=valid, holds_fact=holds,
                     facts_held=["20 %"] if holds else [])


def test_quotes_claims_noise_and_premises_are_pooled() -> None:
    first = result("a", False, False, True, citations=[cited(1), cited(2, holds=False)], claims=[
        ClaimItem(text="intro:", markers=[], frame=True),
        ClaimItem(text="20% did", markers=[1], facts=["20 %"]),
        ClaimItem(text="context", markers=[2]),
    ])
    second = result("b", False, False, False, citations=[cited(1, valid=False, holds=False)], claims=[
        ClaimItem(text="20% did", markers=[1], facts=["20 %"], unsupported=["20 %"]),
        ClaimItem(text="an uncited sentence", markers=[]),
    ])
    premise = result("c", False, False, False, category="false-premise", premise_stated=["90 %"],
                     premise_uncorrected=True,
                     facts=[FactOutcome(fact="20 %", in_answer=False, supported=True)])
    values = aggregate([first, second, premise])
    assert values["quote_validity"] == pytest.approx(2 / 3, abs=1e-4)
    assert values["claim_support"] == 0.5          # two claims state a fact, one cites a quote that holds it
    assert values["noise"] == pytest.approx(2 / 3, abs=1e-4)  # two of three quotes hold no required fact
    assert values["uncited_claims"] == 0.25        # the frame line needs no marker
    assert values["premise_uncorrected_rate"] == 1.0
    assert aggregate([])["quote_validity"] == 1.0 and aggregate([])["noise"] == 0.0


def test_context_recall_separates_what_retrieval_lost_from_what_reading_lost() -> None:
    def fact(in_answer: bool, in_context: bool) -> FactOutcome:
        return FactOutcome(fact="f", in_answer=in_answer, supported=True, in_context=in_context)

    read_well = result("a", False, False, True, facts=[fact(True, True), fact(True, True)])
    read_badly = result("b", False, False, False, facts=[fact(False, True), fact(True, True)])
    not_retrieved = result("c", False, True, False, facts=[fact(False, False), fact(False, True)])
    refusal = result("d", True, True, True)  # no facts: left out of both means
    values = aggregate([read_well, read_badly, not_retrieved, refusal])
    assert values["fact_recall"] == 0.5            # (1 + 0.5 + 0) / 3
    assert values["context_recall"] == pytest.approx(5 / 6, abs=1e-4)  # (1 + 1 + 0.5) / 3
    assert values["context_complete"] == pytest.approx(2 / 3, abs=1e-4)  # c lacks a fact in its passages
