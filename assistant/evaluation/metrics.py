"""Deterministic metrics: retrieval as trec_eval/BEIR define them, citations, claims, refusals.

Retrieval runs are chunk rankings judged against doc-level qrels: a retrieved chunk is relevant
when its document is in the record's ``supporting_docs``. Translations of one document (the
"-en" and "-fr" twins of a fact sheet) are one document: the scorer maps both the ranking and
the qrels to twin groups first (``sources.CorpusDocuments.group``). As trec_eval counts each
docno once, a supporting document is credited at its first chunk only; later chunks of the same
document carry no gain (so recall and nDCG stay within [0, 1]) but still take up their rank.

- hit@k: 1 if a relevant chunk is among the first k, else 0 (BEIR's top_k_accuracy).
- recall@k: supporting documents credited in the first k / number of supporting documents.
- MRR@10: 1 / rank of the first relevant chunk within the first 10, else 0.
- nDCG@10: sum of gain_i / log2(i + 1) over ranks i <= 10, divided by the same sum for the
  ideal ranking (all supporting documents first); binary gains, as trec_eval's ndcg_cut_10.

Questions without qrels (those that must be refused) are left out of retrieval averages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .results import QuestionResult

K_VALUES = (1, 3, 5, 10)


def credited_gains(ranking: Sequence[str], qrels: set[str]) -> list[int]:
    """Binary gain per rank: 1 at the first chunk of each supporting document, else 0."""
    seen: set[str] = set()
    gains = []
    for doc_id in ranking:
        gain = int(doc_id in qrels and doc_id not in seen)
        seen.add(doc_id)
        gains.append(gain)
    return gains


def hit_at_k(ranking: Sequence[str], qrels: set[str], k: int) -> float:
    return float(any(doc_id in qrels for doc_id in ranking[:k]))


def recall_at_k(ranking: Sequence[str], qrels: set[str], k: int) -> float:
    if not qrels:
        return 0.0
    return sum(credited_gains(ranking, qrels)[:k]) / len(qrels)


def mrr_at_k(ranking: Sequence[str], qrels: set[str], k: int = 10) -> float:
    for rank, doc_id in enumerate(ranking[:k], start=1):
        if doc_id in qrels:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranking: Sequence[str], qrels: set[str], k: int = 10) -> float:
    if not qrels:
        return 0.0
    gains = credited_gains(ranking, qrels)[:k]
    dcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(qrels), k) + 1))
    return dcg / ideal


def retrieval_metrics(ranking: Sequence[str], qrels: set[str]) -> dict[str, float]:
    """Every retrieval metric of one question, keyed like 'hit@5' and 'ndcg@10'."""
    values: dict[str, float] = {}
    for k in K_VALUES:
        values[f"hit@{k}"] = hit_at_k(ranking, qrels, k)
        values[f"recall@{k}"] = recall_at_k(ranking, qrels, k)
    values["mrr@10"] = mrr_at_k(ranking, qrels, 10)
    values["ndcg@10"] = ndcg_at_k(ranking, qrels, 10)
    return values


def citation_precision(cited: Sequence[str], qrels: set[str]) -> float:
    """Share of citations that point into a supporting document (twin groups)."""
    if not cited:
        return 0.0
    return sum(doc in qrels for doc in cited) / len(cited)


def citation_recall(cited: Iterable[str], qrels: set[str]) -> float:
    """Share of the supporting documents (twin groups: an answer cites a fact sheet once, in
    either language) that some citation points into."""
    if not qrels:
        return 0.0
    return len(qrels & set(cited)) / len(qrels)


def refusal_confusion(results: Sequence[QuestionResult]) -> dict[str, int]:
    """Refusal as a binary classifier: 'refused' is the positive class."""
    return {
        "correct_refusals": sum(r.must_refuse and r.refused for r in results),
        "false_answers": sum(r.must_refuse and not r.refused for r in results),
        "false_refusals": sum(not r.must_refuse and r.refused for r in results),
        "answered_answerable": sum(not r.must_refuse and not r.refused for r in results),
    }


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def _share(hits: int, total: int, empty: float) -> float:
    return hits / total if total else empty


def aggregate(results: Sequence[QuestionResult]) -> dict[str, float]:
    """The aggregates of a set of questions; every value is in [0, 1] and higher is better
    except the ``LOWER_IS_BETTER`` ones. Citation and claim metrics pool the quotes and claims
    of every answered question; an empty pool counts as perfect (1 or 0)."""
    answered = [r for r in results if not r.refused]
    with_qrels = [r for r in results if r.retrieval is not None]
    cited = [r for r in answered if r.citation_precision is not None]
    should_refuse = [r for r in results if r.must_refuse]
    should_answer = [r for r in results if not r.must_refuse]
    with_facts = [r for r in should_answer if r.facts]
    quotes = [c for r in answered for c in r.citations]
    fact_quotes = [c for r in answered if not r.must_refuse for c in r.citations if c.holds_fact is not None]
    claims = [c for r in answered for c in r.claims]
    fact_claims = [c for c in claims if c.facts]
    own_claims = [c for c in claims if not c.frame]
    premises = [r for r in results if r.category == "false-premise"]
    values = {
        "pass_rate": _mean(float(r.passed) for r in results),
        "accuracy": _mean(float(r.correct) for r in results),
        "precision": (sum(r.correct for r in answered) / len(answered)) if answered else 0.0,
        "fact_recall": _mean(_mean(float(f.in_answer) for f in r.facts) for r in with_facts),
        # What retrieval left the reader: the required facts in the passages it was given (RAGAS's
        # context recall, on facts), and the answerable questions with every fact there (the
        # accuracy ceiling of a perfect reader). fact_recall below context_recall is lost in reading.
        "context_recall": _mean(_mean(float(f.in_context) for f in r.facts) for r in with_facts),
        "context_complete": _mean(float(all(f.in_context for f in r.facts)) for r in with_facts),
        "quote_validity": _share(sum(c.valid for c in quotes), len(quotes), 1.0),
        "claim_support": _share(sum(not c.unsupported for c in fact_claims), len(fact_claims), 1.0),
        "noise": _share(sum(not c.holds_fact for c in fact_quotes), len(fact_quotes), 0.0),
        "uncited_claims": _share(sum(not c.markers for c in own_claims), len(own_claims), 0.0),
        "premise_uncorrected_rate": _mean(float(r.premise_uncorrected) for r in premises),
        "citation_precision": _mean(r.citation_precision or 0.0 for r in cited),
        "citation_recall": _mean(r.citation_recall or 0.0 for r in cited),
        "language_accuracy": _mean(float(r.answer_language == r.language) for r in results),
        "false_refusal_rate": _mean(float(r.refused) for r in should_answer),
        "false_answer_rate": _mean(float(not r.refused) for r in should_refuse),
    }
    for name in (*(f"hit@{k}" for k in K_VALUES), *(f"recall@{k}" for k in K_VALUES),
                 "mrr@10", "ndcg@10"):
        values[name] = _mean(r.retrieval[name] for r in with_qrels if r.retrieval is not None)
    return {name: round(value, 4) for name, value in values.items()}


def aggregate_halves(results: Sequence[QuestionResult]) -> dict[str, dict[str, float]]:
    """The aggregates of the test half and of the calibration half (in that order)."""
    return {half: aggregate([r for r in results if r.half == half]) for half in ("test", "calibration")}


LOWER_IS_BETTER = frozenset({"false_refusal_rate", "false_answer_rate", "noise", "uncited_claims",
                             "premise_uncorrected_rate"})
