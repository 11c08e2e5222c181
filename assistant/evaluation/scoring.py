"""Score one answer against its golden record.

``correct`` is answer correctness as PaperQA2 counts it: an answerable question answered with
every required fact and nothing forbidden, or a must-refuse question refused.
``passed`` (the gate's status of a question) also asks for a trustworthy answer: in the
question's language, and when it answers, with at least one citation, every citation pointing
at a retrieved chunk with an exact quote, and every required fact it states held by a quote.
"""

from __future__ import annotations

from ..models import Answer
from .dataset import GoldenRecord
from .figures import fact_found
from .metrics import check_citation, citation_precision, citation_recall, retrieval_metrics
from .results import FactOutcome, QuestionResult, RetrievedItem


def base_result(record: GoldenRecord) -> QuestionResult:
    return QuestionResult(
        id=record.id, category=record.category, language=record.language, critical=record.critical,
        must_refuse=record.must_refuse, question=record.question,
    )


def failed_result(record: GoldenRecord, error: str, latency_ms: float = 0.0) -> QuestionResult:
    result = base_result(record)
    result.error, result.latency_ms = error, latency_ms
    result.reasons = [f"error: {error}"]
    return result


def score_answer(record: GoldenRecord, answer: Answer, latency_ms: float) -> QuestionResult:
    result = base_result(record)
    result.answer, result.answer_language, result.refused = answer.answer, answer.language, answer.refused
    result.mode, result.evidence_score, result.warnings = answer.mode, answer.evidence_score, answer.warnings
    result.latency_ms = round(latency_ms, 1)
    result.retrieved = [
        RetrievedItem(rank=rank, chunk_id=s.chunk.id, doc_id=s.chunk.doc_id, score=round(s.score, 6))
        for rank, s in enumerate(answer.retrieved, start=1)
    ]
    qrels = set(record.supporting_docs)
    if qrels:
        result.retrieval = retrieval_metrics([r.doc_id for r in result.retrieved], qrels)

    retrieved_texts = {s.chunk.id: s.chunk.text for s in answer.retrieved}
    result.citations = [
        check_citation(c.n, c.chunk_id, c.doc_id, c.quote, c.quote_start, retrieved_texts,
                       record.required_facts)
        for c in answer.citations
    ]
    quotes = [c.quote for c in answer.citations]
    result.forbidden_found = [f for f in record.forbidden if f.casefold() in answer.answer.casefold()]
    result.facts = [
        FactOutcome(
            fact=fact.describe(),
            in_answer=not answer.refused and fact_found(fact, answer.answer),
            in_citations=any(fact_found(fact, quote) for quote in quotes),
        )
        for fact in record.required_facts
    ]

    reasons: list[str] = []
    if record.must_refuse and not answer.refused:
        reasons.append("answered a question it must refuse")
    if not record.must_refuse and answer.refused:
        reasons.append("refused an answerable question")
    if not answer.refused:
        reasons += [f"missing fact: {f.fact}" for f in result.facts if not f.in_answer]
    reasons += [f"forbidden string in the answer: {s!r}" for s in result.forbidden_found]
    result.correct = not reasons

    if not answer.refused:
        result.citations_valid = bool(result.citations) and all(c.valid for c in result.citations)
        if qrels:
            cited_docs = [c.doc_id for c in result.citations]
            result.citation_precision = citation_precision(cited_docs, qrels)
            result.citation_recall = citation_recall(cited_docs, qrels)
        if not result.citations:
            reasons.append("the answer cites nothing")
        reasons += [f"citation [{c.n}]: {p}" for c in result.citations for p in c.problems
                    if p != "quote holds none of the required facts"]
        reasons += [f"fact not held by any quote: {f.fact}" for f in result.facts
                    if f.in_answer and not f.in_citations]
    if answer.language != record.language:
        reasons.append(f"answered in {answer.language}, asked in {record.language}")
    result.reasons = reasons
    result.passed = not reasons
    return result
