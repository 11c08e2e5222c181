"""Score one answer against its golden record.

``correct`` is answer correctness as PaperQA2 counts it: an answerable question answered with
every required fact, nothing forbidden and no false premise left uncorrected, or a
must-refuse question refused.

``passed`` (the gate's status of a question) also asks for a trustworthy answer:

- written in the question's language (detected from the answer text, ``claims.py``);
- when it answers: at least one citation, every quote found at its offsets in the source file
  re-read from disk (``sources.py``), and every claim (sentence or bullet) that states a
  required fact citing a quote that holds that fact.

Noise (quotes that hold no required fact) and uncited claims are measured per question and
gated in aggregate, not per question: a relevant context sentence is not an error.
"""

from __future__ import annotations

from collections.abc import Callable

from ..answer.layout import CORRECTION_LINE
from ..models import Answer
from .claims import Claim, answer_language, split_claims
from .dataset import GoldenRecord, RequiredFact
from .facts import fact_found
from .metrics import citation_precision, citation_recall, retrieval_metrics
from .results import CitedItem, ClaimItem, FactOutcome, QuestionResult, RetrievedItem
from .sources import CorpusDocuments, quote_problems


def base_result(record: GoldenRecord, half: str = "test") -> QuestionResult:
    return QuestionResult(
        id=record.id, category=record.category, language=record.language, half=half,
        critical=record.critical, must_refuse=record.must_refuse, question=record.question,
        record_hash=record.content_hash(),
    )


def failed_result(record: GoldenRecord, error: str, latency_ms: float = 0.0, half: str = "test") -> QuestionResult:
    result = base_result(record, half)
    result.error, result.latency_ms = error, latency_ms
    result.reasons = [f"error: {error}"]
    return result


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _premises(record: GoldenRecord, claims: list[Claim],
              quoted: Callable[[RequiredFact, Claim], bool]) -> tuple[list[str], bool]:
    """The premises the answer states, and whether one is stated before any correction: the answerer's
    correction line ("Not 18,000: the source gives 5,000 [1].") or a claim that states a required fact
    from a quote it cites, at or before the first claim stating the premise."""
    stated: list[str] = []
    uncorrected = False
    corrected = False
    for claim in claims:
        corrected = (corrected or bool(claim.markers and CORRECTION_LINE.match(claim.text))
                     or any(quoted(f, claim) for f in record.required_facts))
        for premise in record.premises:
            if premise.stated_in(claim.text):
                stated.append(premise.describe())
                uncorrected = uncorrected or not corrected
    return list(dict.fromkeys(stated)), uncorrected


def score_answer(record: GoldenRecord, answer: Answer, latency_ms: float, corpus: CorpusDocuments,
                 half: str = "test") -> QuestionResult:
    result = base_result(record, half)
    result.answer, result.refused, result.reported_language = answer.answer, answer.refused, answer.language
    result.mode, result.evidence_score, result.warnings = answer.mode, answer.evidence_score, answer.warnings
    result.latency_ms = round(latency_ms, 1)
    result.answer_language = answer_language(answer.answer, (c.quote for c in answer.citations))
    result.retrieved = [
        RetrievedItem(rank=rank, chunk_id=s.chunk.id, doc_id=s.chunk.doc_id, score=round(s.score, 6))
        for rank, s in enumerate(answer.retrieved, start=1)
    ]
    qrels = corpus.groups(record.supporting_docs)
    if qrels:
        result.retrieval = retrieval_metrics([corpus.group(r.doc_id) for r in result.retrieved], qrels)

    chunks = {s.chunk.id: s.chunk for s in answer.retrieved}
    facts = record.required_facts
    for citation in answer.citations:
        held = [f.describe() for f in facts if fact_found(f, citation.quote)]
        problems = quote_problems(citation, chunks.get(citation.chunk_id), corpus)
        result.citations.append(CitedItem(
            n=citation.n, chunk_id=citation.chunk_id, doc_id=citation.doc_id, quote=citation.quote,
            quote_start=citation.quote_start, valid=not problems, problems=problems, facts_held=held,
            holds_fact=bool(held) if facts else None,
        ))
    quotes = {c.n: c.quote for c in answer.citations}
    claims = [] if answer.refused else split_claims(answer.answer, quotes.values())

    def quoted(fact: RequiredFact, claim: Claim) -> bool:
        """The claim states the fact and cites a quote that holds it: what the answer vouches for."""
        return fact_found(fact, claim.text) and any(fact_found(fact, quotes.get(n, "")) for n in claim.markers)

    for claim in claims:
        stated = [f for f in facts if fact_found(f, claim.text)] if claim.checked else []
        unsupported = [f.describe() for f in stated if not quoted(f, claim)]
        result.claims.append(ClaimItem(text=claim.text, markers=list(claim.markers), frame=claim.frame,
                                       facts=[f.describe() for f in stated], unsupported=unsupported))
    unsupported_facts = {f for c in result.claims for f in c.unsupported}
    # A fact counts only where a cited quote holds it: labels, dates and headings the answerer writes
    # around its quotes state nothing.
    result.facts = [
        FactOutcome(fact=f.describe(), in_answer=any(quoted(f, c) for c in claims),
                    supported=f.describe() not in unsupported_facts,
                    in_context=any(fact_found(f, s.chunk.text) for s in answer.retrieved))
        for f in facts
    ]
    result.premise_stated, result.premise_uncorrected = _premises(record, claims, quoted)
    result.forbidden_found = [f for f in record.forbidden if f.casefold() in answer.answer.casefold()]

    reasons: list[str] = []
    if record.must_refuse and not answer.refused:
        reasons.append("answered a question it must refuse")
    if not record.must_refuse and answer.refused:
        reasons.append("refused an answerable question")
    if not answer.refused:
        reasons += [f"missing fact: {f.fact}" for f in result.facts if not f.in_answer]
    if result.premise_uncorrected:
        reasons.append(f"states the false premise ({', '.join(result.premise_stated)}) with no correction before it")
    reasons += [f"forbidden string in the answer: {s!r}" for s in result.forbidden_found]
    result.correct = not reasons

    if not answer.refused:
        result.quotes_valid = all(c.valid for c in result.citations)
        if qrels:
            cited = [corpus.group(c.doc_id) for c in result.citations]
            result.citation_precision = citation_precision(cited, qrels)
            result.citation_recall = citation_recall(cited, qrels)
        if not result.citations:
            reasons.append("the answer cites nothing")
        reasons += [f"citation [{c.n}]: {p}" for c in result.citations for p in c.problems]
        reasons += [f"claim states {fact} but cites no quote that holds it: {_short(c.text)!r}"
                    for c in result.claims for fact in c.unsupported]
    if result.answer_language != record.language:
        reasons.append(f"answered in {result.answer_language} (detected from the answer), asked in {record.language}")
    result.reasons = reasons
    result.passed = not reasons
    return result
