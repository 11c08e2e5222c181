"""What one eval run records: per question and in aggregate, per half (also the baseline's shape)."""

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
    valid: bool = Field(description="The quote is at its offsets in the source file, re-read.")
    problems: list[str] = Field(default_factory=list)
    facts_held: list[str] = Field(default_factory=list, description="Required facts the quote states.")
    holds_fact: bool | None = Field(None, description="None when the record has no required facts.")


class ClaimItem(BaseModel):
    text: str
    markers: list[int]
    frame: bool = False
    facts: list[str] = Field(default_factory=list, description="Required facts the claim states.")
    unsupported: list[str] = Field(default_factory=list,
                                   description="Of those, the ones no quote it cites holds.")


class FactOutcome(BaseModel):
    fact: str
    in_answer: bool
    in_context: bool = Field(False, description="Stated in a passage the assistant retrieved: a reader that "
                                                "quoted perfectly could have given it.")
    supported: bool = Field(description="Every claim that states it cites a quote that holds it.")


class QuestionResult(BaseModel):
    id: str
    category: str
    language: Language
    half: str = "test"
    critical: bool
    must_refuse: bool
    question: str
    record_hash: str = Field("", description="Of the golden record: a changed record is named in comparisons.")
    answer: str = ""
    answer_language: str = Field("", description="Detected from the answer text (claims.py).")
    reported_language: str = Field("", description="What the assistant says it answered in.")
    refused: bool = False
    mode: str = ""
    evidence_score: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    citations: list[CitedItem] = Field(default_factory=list)
    claims: list[ClaimItem] = Field(default_factory=list)
    facts: list[FactOutcome] = Field(default_factory=list)
    premise_stated: list[str] = Field(default_factory=list, description="False premises the answer states.")
    premise_uncorrected: bool = Field(False, description="A premise is stated before any correction.")
    forbidden_found: list[str] = Field(default_factory=list)
    retrieval: dict[str, float] | None = Field(None, description="None when the record has no qrels.")
    citation_precision: float | None = None
    citation_recall: float | None = None
    quotes_valid: bool | None = Field(None, description="None when the assistant refused.")
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
    suite: str = "main"
    config: str = "default"
    dataset_path: str
    dataset_hash: str
    corpus_dir: str = ""
    corpus_hash: str
    corpus_files: dict[str, str] = Field(default_factory=dict, description="Path -> sha256 of each file.")
    settings_hash: str
    settings: dict[str, object] = Field(default_factory=dict)
    created: str
    duration_s: float
    questions: list[QuestionResult]
    aggregates: dict[str, float] = Field(description="Over every question.")
    halves: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="The same aggregates over the test and the calibration half.")
    confusion: dict[str, int]

    def by_id(self) -> dict[str, QuestionResult]:
        return {q.id: q for q in self.questions}

    def half(self, name: str) -> list[QuestionResult]:
        return [q for q in self.questions if q.half == name]
