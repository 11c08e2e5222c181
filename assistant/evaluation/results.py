"""What one eval run records: per question and in aggregate (also the baseline's shape)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..models import Language


class RetrievedItem(BaseModel):
    rank: int
    chunk_id: str
    doc_id: str
    score: float


class CitedItem(BaseModel):
    n: int
    chunk_id: str
    doc_id: str
    quote: str
    quote_start: int
    valid: bool
    problems: list[str] = Field(default_factory=list)
    holds_fact: bool | None = Field(None, description="None when the record has no required facts.")


class FactOutcome(BaseModel):
    fact: str
    in_answer: bool
    in_citations: bool


class QuestionResult(BaseModel):
    id: str
    category: str
    language: Language
    critical: bool
    must_refuse: bool
    question: str
    answer: str = ""
    answer_language: str = ""
    refused: bool = False
    mode: str = ""
    evidence_score: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    citations: list[CitedItem] = Field(default_factory=list)
    facts: list[FactOutcome] = Field(default_factory=list)
    forbidden_found: list[str] = Field(default_factory=list)
    retrieval: dict[str, float] | None = Field(None, description="None when the record has no qrels.")
    citation_precision: float | None = None
    citation_recall: float | None = None
    citations_valid: bool | None = Field(None, description="None when the assistant refused.")
    correct: bool = False
    passed: bool = False
    reasons: list[str] = Field(default_factory=list, description="Why the question did not pass.")
    error: str | None = None
    latency_ms: float = 0.0
    judge: dict[str, float | str] | None = Field(None, description="Advisory LLM judge verdict.")

    @property
    def status(self) -> str:
        return "pass" if self.passed else "fail"


class RunResult(BaseModel):
    config: str = "default"
    dataset_path: str
    dataset_hash: str
    corpus_hash: str
    settings_hash: str
    settings: dict[str, object] = Field(default_factory=dict)
    created: str
    duration_s: float
    questions: list[QuestionResult]
    aggregates: dict[str, float]
    confusion: dict[str, int]

    def by_id(self) -> dict[str, QuestionResult]:
        return {q.id: q for q in self.questions}
