"""Every tunable number of the retrieval and answer stages, on record: its value, its role, how it was set.

``how`` is one of
- ``calibrated``: chosen by ``assistant eval --calibrate`` on the calibration halves only (the sweep
  is in ``evals/reports/calibration.md``; the test halves are never asked);
- ``default``: a published default, with where it comes from;
- ``by hand``: set by reasoning, with the reason; never moved while looking at test-half results.

``tests/test_tunables.py`` reads every numeric constant of ``assistant.analysis``, ``assistant.answer``,
``assistant.retrieval``, ``assistant.safety`` and the BM25 index, and every numeric answer setting, and
fails when one is missing here or has another value: a number cannot change without its record changing
in the same commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

How = Literal["calibrated", "default", "by hand"]


@dataclass(frozen=True)
class Tunable:
    where: str  # "module:NAME" or "settings:field"
    value: float | dict[str, float]
    role: str
    how: How
    why: str


def _settings(field: str, value: float, role: str, how: How, why: str) -> Tunable:
    return Tunable(f"settings:{field}", value, role, how, why)


TUNABLES: tuple[Tunable, ...] = (
    # -- answer settings (AnswerSettings) --------------------------------------------------------
    _settings("refusal_threshold", 0.38, "evidence the best quote needs, else the answer refuses",
              "calibrated", "swept 0.20-0.60 on the calibration halves"),
    _settings("quote_floor", 0.4, "share of the refusal threshold each further quote needs",
              "calibrated", "swept 0.3-1.0 on the calibration halves"),
    _settings("broad_floor", 0.7, "share of the refusal threshold the best quote of a decision or a "
              "comparison needs", "calibrated", "swept 0.3-1.0 on the calibration halves"),
    _settings("select_ratio", 0.4, "share of the best score a further quote of a look-up needs",
              "calibrated", "swept 0.2-0.8 on the calibration halves"),
    _settings("weight_dense", 0.45, "sentence score: embedding cosine", "calibrated",
              "swept 0.25-0.65 on the calibration halves"),
    _settings("weight_lexical", 0.45, "sentence score: the question's rare words shared", "calibrated",
              "swept 0.25-0.65 on the calibration halves"),
    _settings("weight_rank", 0.05, "sentence score: its passage's retrieval rank", "calibrated",
              "swept 0-0.2 on the calibration halves"),
    _settings("weight_fits", 0.08, "sentence score: bonus for the asked type (a figure, a date, a cause)",
              "calibrated", "swept 0-0.16 on the calibration halves"),
    _settings("reader_weight", 1.0, "share of the reader's verdict in a sentence's score", "by hand",
              "the reader alone until a calibration of the reader chooses otherwise"),
    _settings("reader_candidates", 12, "sentences the reader reads per question (the best by the weighted score)",
              "by hand", "what a chat's latency allows (about 9 ms a pair on this CPU) while keeping the sentences "
              "that hold the retrieved facts"),
    _settings("max_sentences", 5, "most quotes in a look-up answer", "by hand",
              "what a manager reads at a glance; not swept (a cap, rarely reached)"),
    _settings("llm_temperature", 0.0, "LLM sampling temperature", "by hand", "grounded answers: no sampling"),
    _settings("top_k", 6, "passages handed to the answerer", "by hand",
              "six passages hold every required fact for 86% of answerable questions (issue 12 note); "
              "more dilutes the extractive score"),
    _settings("fetch_k", 30, "candidates fetched from each retriever before fusion", "by hand",
              "five times top_k, so fusion and MMR have room"),
    _settings("rrf_k", 60, "reciprocal rank fusion constant", "default",
              "Cormack, Clarke and Buettcher (SIGIR 2009), the constant of the RRF paper"),
    _settings("mmr_lambda", 0.7, "MMR trade-off between relevance and novelty", "default",
              "LangChain's max_marginal_relevance_search uses 0.5; 0.7 leans to relevance as "
              "kotaemon's retrievers do"),
    _settings("chunk_max_chars", 900, "soft upper bound of a chunk's length", "by hand",
              "about 150-200 words: one or two paragraphs, the unit a citation points to"),
    # -- answer stage constants -----------------------------------------------------------------
    Tunable("assistant.answer.scoring:_OFF_SUBJECT", 0.5, "score factor of a sentence naming none of the "
            "question's names", "by hand", "halves it: still usable when nothing better is on subject"),
    Tunable("assistant.answer.scoring:_OFF_TOPIC", 0.7, "score factor of a sentence sharing none of the "
            "question's subject words", "by hand", "a milder cut than off-subject: topics are paraphrased"),
    Tunable("assistant.answer.scoring:_OTHER_LANGUAGE", 0.95, "score factor of a sentence in the other "
            "language", "by hand", "a tie-breaker only: a French-only document must still answer in English"),
    Tunable("assistant.answer.selection:_CONFLICT_RATIO", 0.5, "share of the best score a rival figure's "
            "sentence needs", "by hand", "the same bar as a further quote's select_ratio order of size"),
    Tunable("assistant.answer.selection:_CONFLICT_COSINE", 0.5, "cosine to a chosen quote that makes a "
            "sentence with other figures a rival", "by hand", "same point, other numbers: moderate similarity"),
    Tunable("assistant.answer.shapes:_GROUP_SIZE", {"for": 3, "against": 3, "neutral": 2},
            "most quotes per side of a decision", "by hand", "a side a manager reads at a glance"),
    Tunable("assistant.answer.shapes:_WEIGHING_POOL", 24, "best on-subject sentences a decision picks "
            "from", "by hand", "four per passage of a wide (12-passage) retrieval"),
    Tunable("assistant.answer.shapes:_FALLBACK_QUOTES", 3, "quotes of a decision answered as a list",
            "by hand", "when no sentence takes a side, a short list"),
    Tunable("assistant.answer.candidates:_DUPLICATE_COSINE", 0.8, "cosine above which two quotes say the same",
            "by hand", "paraphrase level for the packaged sentence encoder"),
    Tunable("assistant.answer.candidates:_SAME_FIGURES_COSINE", 0.6, "cosine above which two quotes with the "
            "same figures say the same", "by hand", "same figures lower the bar"),
    Tunable("assistant.answer.candidates:_DUPLICATE_JACCARD", 0.5, "word overlap above which two quotes say "
            "the same", "by hand", "half the words shared"),
    Tunable("assistant.answer.candidates:_TWIN_COSINE", 0.6, "cosine above which a sentence and one in the twin "
            "document are one quote", "calibrated", "0.5-0.6 best on the calibration halves (commit 52d1bb3)"),
    Tunable("assistant.answer.candidates:_QUOTABLE_LIMIT", 100_000, "cache size of quotable sentences per "
            "process", "by hand", "memory bound, no effect on answers"),
    Tunable("assistant.safety:_SHORTEST_SECRET", 6, "shortest configured secret that is redacted",
            "by hand", "shorter strings would redact ordinary words"),
    # -- retrieval stage constants --------------------------------------------------------------
    Tunable("assistant.retrieval.hybrid:_OTHER_LANGUAGE_WEIGHT", 0.85, "fusion factor of a passage in the "
            "other language", "by hand", "prefer, never require, the question's language"),
    Tunable("assistant.retrieval.generation_files:SENTENCE_VECTORS_MAX_PASSAGES", 2_000, "passages up to which "
            "a generation keeps its sentences' vectors", "by hand", "a first answer embeds no sentence; above, "
            "the ingest time and the files (2 KB a text, 7.5 texts a passage) outgrow the gain"),
    Tunable("assistant.retrieval.hybrid:_DENSE_WORKERS", 4, "threads that run Chroma's searches beside BM25",
            "by hand", "speed only; a process answers a few questions at once"),
    Tunable("assistant.retrieval.hybrid:EXACT_SEARCH_MAX", 20_000, "passages up to which dense search is exact",
            "by hand", "exact search over 20,000 vectors costs a few ms; above, HNSW"),
    Tunable("assistant.retrieval.hybrid:_FOCUS_WEIGHT", 2.0, "fusion weight of a follow-up's own lexical list",
            "by hand", "the new words of a follow-up must not drown in the borrowed ones"),
    Tunable("assistant.retrieval.hybrid:_SAME_PASSAGE", 0.9, "token overlap above which MMR drops a passage "
            "as a copy", "by hand", "a re-upload or a quoted copy, not a similar passage"),
    Tunable("assistant.analysis.glossary:TRANSLATION_WEIGHT", 0.5, "weight of a word of the same meaning",
            "by hand", "a translation or synonym counts half as much as the question's own word"),
    Tunable("assistant.retrieval.condense:FOLLOW_UP_WEIGHT", 2.0, "term weight of a follow-up's own words",
            "by hand", "its new subject is the focus"),
    Tunable("assistant.retrieval.condense:BORROWED_WEIGHT", 0.5, "term weight of the previous question's words",
            "by hand", "context, not focus"),
    Tunable("assistant.retrieval.condense:_SHORT", 5, "words up to which a question may be a follow-up",
            "by hand", "\"And in Kenya?\" is short; a full question is not"),
    Tunable("assistant.index.bm25:K1", 1.2, "BM25 term-frequency saturation", "default",
            "Robertson and Zaragoza, 'The Probabilistic Relevance Framework: BM25 and Beyond' (2009)"),
    Tunable("assistant.index.bm25:B", 0.75, "BM25 length normalisation", "default", "the same source"),
    Tunable("assistant.index.bm25:_CACHED_TERMS", 100_000, "term lookups a mapped BM25 keeps per process",
            "by hand", "memory bound, no effect on answers"),
    Tunable("assistant.index.bm25:SPARSE_MIN_POSTINGS", 50_000, "postings in a query from which scipy adds them up",
            "by hand", "speed only, the same float32 sums; measured in benchmarks/RESULTS.md"),
    Tunable("assistant.index.bm25:_SAMPLED_TOP_MIN_ROWS", 65_536, "rows from which the top k is bounded by a sample",
            "by hand", "speed only, the same rows in the same order"),
    Tunable("assistant.index.bm25:_SAMPLE_STRIDE", 16, "every how many rows that sample takes one", "by hand",
            "speed only: about 16 × k rows are then sorted"),
    Tunable("assistant.retrieval.passages:_WIDE_FACTOR", 2, "times top_k passages for a decision or a comparison",
            "by hand", "both sides need passages"),
    Tunable("assistant.retrieval.passages:_ABOUT_ENTITIES", 3, "named entities that get passages of their own",
            "by hand", "a question names few"),
    Tunable("assistant.retrieval.passages:_ABOUT_EXTRA", 3, "extra passages per named entity", "by hand",
            "the best passages of the documents about it"),
)


def by_place() -> dict[str, Tunable]:
    return {t.where: t for t in TUNABLES}
