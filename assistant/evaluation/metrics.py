"""Deterministic metrics: retrieval as trec_eval/BEIR define them, citations, refusals, accuracy.

Retrieval runs are chunk rankings judged against doc-level qrels: a retrieved chunk is relevant
when its ``doc_id`` is in the record's ``supporting_docs``. As trec_eval counts each docno once,
a supporting document is credited at its first chunk only; later chunks of the same document
carry no gain (so recall and nDCG stay within [0, 1]) but still take up their rank.

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

from .dataset import RequiredFact
from .figures import fact_found
from .results import CitedItem, QuestionResult

K_VALUES = (1, 3, 5, 10)
# Translations of one fact sheet ("kenya-bpo-en", "kenya-bpo-fr") hold the same facts.
_LANGUAGE_SUFFIXES = ("-en", "-fr")


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


def sheet(doc_id: str) -> str:
    """The fact sheet a document belongs to: its id without the language suffix."""
    for suffix in _LANGUAGE_SUFFIXES:
        if doc_id.endswith(suffix):
            return doc_id[: -len(suffix)]
    return doc_id


def citation_precision(cited_doc_ids: Sequence[str], qrels: set[str]) -> float:
    """Share of citations that point into a supporting document."""
    if not cited_doc_ids:
        return 0.0
    return sum(doc_id in qrels for doc_id in cited_doc_ids) / len(cited_doc_ids)


def citation_recall(cited_doc_ids: Iterable[str], qrels: set[str]) -> float:
    """Share of the supporting fact sheets that some citation points into.

    The English and French versions of one fact sheet count as one sheet: an answer needs to
    cite the facts once, in either language, not twice.
    """
    wanted = {sheet(d) for d in qrels}
    if not wanted:
        return 0.0
    return len(wanted & {sheet(d) for d in cited_doc_ids}) / len(wanted)


def check_citation(
    n: int, chunk_id: str, doc_id: str, quote: str, quote_start: int,
    retrieved_texts: dict[str, str], facts: Sequence[RequiredFact],
) -> CitedItem:
    """Valid when the chunk was retrieved, the quote is an exact span of it, and it holds a fact.

    The last condition applies only when the record has required facts.
    """
    problems: list[str] = []
    text = retrieved_texts.get(chunk_id)
    if text is None:
        problems.append("cited chunk was not retrieved")
    elif not quote or quote not in text:
        problems.append("quote is not an exact substring of the cited chunk")
    elif text[quote_start: quote_start + len(quote)] != quote:
        problems.append("quote_start does not point at the quote")
    holds_fact = any(fact_found(f, quote) for f in facts) if facts else None
    if holds_fact is False:
        problems.append("quote holds none of the required facts")
    return CitedItem(n=n, chunk_id=chunk_id, doc_id=doc_id, quote=quote, quote_start=quote_start,
                     valid=not problems, problems=problems, holds_fact=holds_fact)


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


def aggregate(results: Sequence[QuestionResult]) -> dict[str, float]:
    """The run's aggregates; every value is in [0, 1] and, except the two *_rate of refusal
    errors, higher is better."""
    answered = [r for r in results if not r.refused]
    with_qrels = [r for r in results if r.retrieval is not None]
    cited = [r for r in answered if r.citation_precision is not None]
    should_refuse = [r for r in results if r.must_refuse]
    should_answer = [r for r in results if not r.must_refuse]
    values = {
        "pass_rate": _mean(float(r.passed) for r in results),
        "accuracy": _mean(float(r.correct) for r in results),
        "precision": (sum(r.correct for r in answered) / len(answered)) if answered else 0.0,
        "fact_recall": _mean(
            _mean(float(f.in_answer) for f in r.facts) for r in should_answer if r.facts
        ),
        "citation_validity": _mean(float(bool(r.citations_valid)) for r in answered),
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


LOWER_IS_BETTER = frozenset({"false_refusal_rate", "false_answer_rate"})
